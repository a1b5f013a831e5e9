/**
 * The ledger store's contract, run against every engine: a real PostgreSQL server (a cluster of
 * this test's own), PGlite on disk, and the memory store. Same calls, same answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import { MIGRATIONS } from '../../src/server/ledger/migrations.js';
import { createPgliteStore } from '../../src/server/ledger/pglite.js';
import { createPostgresStore } from '../../src/server/ledger/postgres.js';
import type { AskOutcome, LedgerStore, NewResult } from '../../src/server/ledger/store.js';
import { postgresMissing, startPostgres, type PostgresCluster } from './postgres-cluster.js';

const T0 = 1_800_000_000_000;
let cluster: PostgresCluster | undefined;
let databases = 0;
const temp = mkdtempSync(join(tmpdir(), 'kosmos-ledger-'));

before(async () => {
  if (!postgresMissing) cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
  rmSync(temp, { recursive: true, force: true });
});

interface Engine {
  name: string;
  skip?: string;
  /** A new, empty store; `again` opens a second store on the same data (another instance). */
  make(): Promise<{ store: LedgerStore; again: () => LedgerStore }>;
}

const engines: Engine[] = [
  {
    name: 'PostgreSQL',
    skip: postgresMissing,
    async make() {
      const connectionString = await cluster!.createDatabase(`ledger_${++databases}`);
      return { store: createPostgresStore({ connectionString }), again: () => createPostgresStore({ connectionString }) };
    },
  },
  {
    name: 'PGlite',
    async make() {
      const dataDir = join(temp, `pglite-${++databases}`);
      const store = createPgliteStore({ dataDir });
      // PGlite is one process's database: another instance is the same store.
      return { store, again: () => store };
    },
  },
  {
    name: 'memory',
    async make() {
      const store = createMemoryStore();
      return { store, again: () => store };
    },
  },
];

const session = (id: string, at = T0) => ({
  sessionId: id,
  dvcID: 'default',
  subject: 'user-1',
  documentType: 'passport' as const,
  createdAt: at,
  expiresAt: at + 3_600_000,
  nextDueAt: at + 5000,
});

const finalResult = (id: string, payload: string, pii = true): NewResult => ({
  resultId: `${id}:final`,
  kind: 'final',
  status: 'completed',
  verification: 'passed',
  reasonCode: null,
  pii,
  piiMissing: !pii,
  payload,
});

const outcome = (changes: Partial<AskOutcome> = {}): AskOutcome => ({
  status: 'in_progress',
  verification: null,
  nextDueAt: T0 + 60_000,
  failures: 0,
  lastError: null,
  results: [],
  ...changes,
});

for (const engine of engines) {
  describe(`ledger store: ${engine.name}`, { skip: engine.skip }, () => {
    let store: LedgerStore;
    let again: () => LedgerStore;
    const opened: LedgerStore[] = [];

    before(async () => {
      ({ store, again } = await engine.make());
      opened.push(store);
      await store.open();
    });
    after(async () => {
      for (const each of opened) await each.close();
    });

    it('records a session and reads its state (pending, no verification); an unknown id reads as undefined', async () => {
      await store.create(session('read-1'));
      assert.deepEqual(await store.read('read-1'), { sessionId: 'read-1', status: 'pending', verification: null, updatedAt: T0 });
      assert.equal(await store.read('nobody'), undefined);
      await assert.rejects(store.create(session('read-1')), 'a session is recorded once');
    });

    /** A store of its own, for a test that looks at everything due. */
    async function fresh(): Promise<LedgerStore> {
      const made = (await engine.make()).store;
      opened.push(made);
      return made;
    }

    it('leases due sessions, oldest due first, to one owner until the lease ends', async () => {
      const store = await fresh();
      const base = T0 + 1_000_000;
      for (const [id, due] of [['lease-b', 20], ['lease-a', 10], ['lease-c', 30], ['lease-late', 10_000]] as const) {
        await store.create({ ...session(id, base), nextDueAt: base + due });
      }
      const now = base + 100;
      const first = (await store.claimAsks('owner-1', now, 1000, 2)).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
      assert.deepEqual(first.map((due) => due.sessionId), ['lease-a', 'lease-b'], 'the two due first');
      assert.deepEqual(
        { subject: first[0].subject, dvcID: first[0].dvcID, lastReadAt: first[0].lastReadAt, failures: first[0].failures, piiStash: first[0].piiStash },
        { subject: 'user-1', dvcID: 'default', lastReadAt: null, failures: 0, piiStash: null },
      );
      assert.deepEqual((await store.claimAsks('owner-2', now, 1000, 10)).map((due) => due.sessionId), ['lease-c']);
      assert.deepEqual(await store.claimAsks('owner-2', now + 999, 1000, 10), [], 'leased sessions are not handed out again');
      assert.deepEqual(
        (await store.claimAsks('owner-2', now + 1000, 1000, 10)).map((due) => due.sessionId).sort(),
        ['lease-a', 'lease-b', 'lease-c'],
        'an expired lease (a dead process) is taken over',
      );
      assert.equal(await store.recordAsk('owner-1', 'lease-a', now, outcome()), false, 'a lost lease writes nothing');
      assert.equal((await store.read('lease-a'))?.status, 'pending');
      await store.release('owner-2');
      assert.equal((await store.claimAsks('owner-3', now + 1000, 1000, 10)).length, 3, 'released leases are free at once');
    });

    it('records an ask: status, updatedAt only on change, results once, the PII stash; the lease is given back', async () => {
      const store = await fresh();
      const base = T0 + 2_000_000;
      await store.create({ ...session('ask-1', base), nextDueAt: base });
      const seen: (string | null)[] = [];
      const unsubscribe = store.subscribe((id) => seen.push(id));
      let [due] = await store.claimAsks('o', base, 1000, 10);
      assert.equal(due.sessionId, 'ask-1');
      assert.equal(await store.recordAsk('o', 'ask-1', base + 1, outcome({ nextDueAt: base + 10, piiStash: 'stash-1' })), true);
      assert.deepEqual(await store.read('ask-1'), { sessionId: 'ask-1', status: 'in_progress', verification: null, updatedAt: base + 1 });
      [due] = await store.claimAsks('o', base + 10, 1000, 10);
      assert.equal(due.piiStash, 'stash-1');
      assert.equal(await store.recordAsk('o', 'ask-1', base + 11, outcome({ nextDueAt: base + 20 })), true);
      assert.equal((await store.read('ask-1'))?.updatedAt, base + 1, 'the same status keeps its updatedAt');
      [due] = await store.claimAsks('o', base + 20, 1000, 10);
      assert.equal(due.piiStash, 'stash-1', 'an outcome without a stash leaves it');
      const done = outcome({ status: 'completed', verification: 'passed', nextDueAt: null, piiStash: null, results: [finalResult('ask-1', 'sealed-pii')] });
      assert.equal(await store.recordAsk('o', 'ask-1', base + 21, done), true);
      await waitUntil(() => seen.filter((id) => id === 'ask-1').length >= 2);
      unsubscribe();
      assert.deepEqual(await store.read('ask-1'), { sessionId: 'ask-1', status: 'completed', verification: 'passed', updatedAt: base + 21 });
      assert.deepEqual(await store.claimAsks('o', base + 1e9, 1000, 100).then((all) => all.filter((d) => d.sessionId === 'ask-1')), [], 'a final session is never due');
      const [entry] = (await store.list({ limit: 1000 })).filter((e) => e.sessionId === 'ask-1');
      assert.equal(entry.nextDueAt, null);
      assert.deepEqual(entry.results.map((r) => [r.resultId, r.state, r.holdsPii]), [['ask-1:final', 'pending', true]]);
    });

    it('a browser read pulls the next ask to a second after the last one, never later than it was', async () => {
      const base = T0 + 3_000_000;
      await store.create({ ...session('watch-1', base), nextDueAt: base });
      await store.claimAsks('o', base, 1000, 100);
      await store.recordAsk('o', 'watch-1', base, outcome({ nextDueAt: base + 300_000 }));
      await store.watched('watch-1', base + 200);
      const [due] = (await store.claimAsks('o', base + 1000, 1000, 100)).filter((d) => d.sessionId === 'watch-1');
      assert.equal(due?.lastReadAt, base + 200, 'due a second after the last ask, and the read is recorded');
      await store.recordAsk('o', 'watch-1', base + 1000, outcome({ nextDueAt: base + 1500 }));
      await store.watched('watch-1', base + 1100);
      assert.equal((await store.claimAsks('o', base + 1499, 1000, 100)).filter((d) => d.sessionId === 'watch-1').length, 0, 'an earlier due time stays');
      await store.claimAsks('o', base + 1500, 1000, 100);
      await store.recordAsk('o', 'watch-1', base + 1500, outcome({ nextDueAt: base + 61_500, failures: 1, lastError: 'Retry-After 60 s' }));
      await store.watched('watch-1', base + 2000);
      assert.equal((await store.claimAsks('o', base + 61_499, 1000, 100)).filter((d) => d.sessionId === 'watch-1').length, 0, 'a failed ask keeps its backoff');
    });

    it('a browser read during an ask makes the next ask a second after it, unless the ask failed', async () => {
      const base = T0 + 3_500_000;
      await store.create({ ...session('watch-2', base), nextDueAt: base });
      const mine = async (now: number) => (await store.claimAsks('o', now, 60_000, 100)).filter((d) => d.sessionId === 'watch-2');
      assert.equal((await mine(base)).length, 1);
      await store.watched('watch-2', base + 10);
      await store.recordAsk('o', 'watch-2', base + 20, outcome({ nextDueAt: base + 300_000 }));
      assert.equal((await mine(base + 999)).length, 0);
      assert.equal((await mine(base + 1000)).length, 1, 'asked again a second after the last ask');
      await store.recordAsk('o', 'watch-2', base + 1020, outcome({ nextDueAt: base + 300_000 }));
      assert.equal((await mine(base + 299_999)).length, 0, 'no read during that ask: the planned time stands');
      assert.equal((await mine(base + 300_000)).length, 1);
      await store.watched('watch-2', base + 300_010);
      await store.recordAsk('o', 'watch-2', base + 300_020, outcome({ nextDueAt: base + 360_000, failures: 1, lastError: 'down' }));
      assert.equal((await mine(base + 359_999)).length, 0, "a failed ask's backoff stands");
    });

    it('delivers: leases due results, erases the payload once delivered, retries failures, gives up, redelivers', async () => {
      const base = T0 + 4_000_000;
      await store.create({ ...session('del-1', base), nextDueAt: base });
      await store.claimAsks('o', base, 1000, 100);
      await store.recordAsk('o', 'del-1', base, outcome({ status: 'completed', verification: 'passed', nextDueAt: null, results: [finalResult('del-1', 'sealed')] }));
      const mine = async (owner: string, now: number) => (await store.claimDeliveries(owner, now, 1000, 100)).filter((d) => d.sessionId === 'del-1');
      const [item] = await mine('a', base);
      assert.deepEqual(
        { ...item, createdAt: undefined },
        { resultId: 'del-1:final', sessionId: 'del-1', dvcID: 'default', subject: 'user-1', kind: 'final', status: 'completed', verification: 'passed', reasonCode: null, pii: true, piiMissing: false, payload: 'sealed', createdAt: undefined, attempts: 0 },
      );
      assert.deepEqual(await mine('b', base + 500), [], 'leased');
      await store.settleDelivery('del-1:final', { delivered: false, attempts: 1, nextAttemptAt: base + 2000, error: 'boom' });
      assert.deepEqual(await mine('b', base + 1999), []);
      const [retry] = await mine('b', base + 2000);
      assert.equal(retry.attempts, 1);
      await store.settleDelivery('del-1:final', { delivered: false, attempts: 2, nextAttemptAt: null, error: 'gave up' });
      let [entry] = (await store.list({ pending: true, limit: 1000 })).filter((e) => e.sessionId === 'del-1');
      assert.deepEqual(entry.results.map((r) => [r.state, r.attempts, r.lastError, r.holdsPii]), [['failed', 2, 'gave up', true]]);
      assert.deepEqual(await mine('b', base + 1e9), [], 'a failed result waits for redelivery');
      assert.equal(await store.redeliver('del-1', base + 3000), 1);
      assert.equal((await mine('c', base + 3000)).length, 1);
      await store.settleDelivery('del-1:final', { delivered: true, at: base + 3001 });
      await store.settleDelivery('del-1:final', { delivered: false, attempts: 3, nextAttemptAt: base + 9000, error: 'late failure' });
      [entry] = (await store.list({ limit: 1000 })).filter((e) => e.sessionId === 'del-1');
      assert.deepEqual(entry.results.map((r) => [r.state, r.holdsPii]), [['delivered', false]], 'delivered stays delivered, PII erased');
      assert.ok(!(await store.list({ pending: true, limit: 1000 })).some((e) => e.sessionId === 'del-1'), 'nothing pending');
      assert.ok(!JSON.stringify(await store.list({ limit: 1000 })).includes('sealed'), 'the list never carries payloads');
    });

    it('a result is recorded once: a later copy of the same resultId does not replace it', async () => {
      const base = T0 + 5_000_000;
      await store.create({ ...session('once-1', base), nextDueAt: base });
      await store.claimAsks('o', base, 1000, 100);
      await store.recordAsk('o', 'once-1', base, outcome({ nextDueAt: base, results: [{ ...finalResult('once-1', 'with-pii'), resultId: 'once-1:x' }] }));
      await store.claimAsks('o', base, 1000, 100);
      await store.recordAsk('o', 'once-1', base, outcome({ nextDueAt: null, results: [{ ...finalResult('once-1', 'without', false), resultId: 'once-1:x' }] }));
      const items = (await store.claimDeliveries('o', base, 1000, 100)).filter((d) => d.sessionId === 'once-1');
      assert.deepEqual(items.map((d) => [d.payload, d.pii]), [['with-pii', true]]);
    });

    it('nextWake: the earliest unleased due time, deliveries only when asked for', async () => {
      const store = await fresh();
      assert.equal(await store.nextWake(T0, true), null);
      await store.create({ ...session('wake-1'), nextDueAt: T0 + 500 });
      assert.equal(await store.nextWake(T0, true), T0 + 500);
      assert.equal(await store.nextWake(T0 + 900, true), T0 + 900, 'never in the past');
      await store.claimAsks('o', T0 + 500, 2000, 10);
      assert.equal(await store.nextWake(T0 + 600, true), T0 + 2500, 'a leased session wakes when its lease ends');
      await store.recordAsk('o', 'wake-1', T0 + 600, outcome({ nextDueAt: null, results: [finalResult('wake-1', 'p')] }));
      assert.equal(await store.nextWake(T0 + 600, false), null);
      assert.equal(await store.nextWake(T0 + 600, true), T0 + 600);
    });

    it('a second instance on the same data sees the sessions and hears of their changes (PGlite: the same instance)', async () => {
      const other = again();
      if (other !== store) opened.push(other);
      await other.open();
      const heard: (string | null)[] = [];
      other.subscribe((id) => heard.push(id));
      const base = T0 + 6_000_000;
      await store.create({ ...session('shared-1', base), nextDueAt: base });
      assert.equal((await other.read('shared-1'))?.status, 'pending');
      await store.claimAsks('o', base, 1000, 100);
      await store.recordAsk('o', 'shared-1', base, outcome());
      await waitUntil(() => heard.includes('shared-1'));
    });
  });
}

describe('ledger store: the same database, many instances', { skip: postgresMissing }, () => {
  it('PostgreSQL: instances starting at once migrate once; concurrent claims never share a session', async () => {
    const connectionString = await cluster!.createDatabase('ledger_many');
    const stores = Array.from({ length: 4 }, () => createPostgresStore({ connectionString }));
    try {
      await Promise.all(stores.map((store) => store.open()));
      for (let i = 0; i < 200; i++) await stores[i % 4].create({ ...session(`many-${i}`), nextDueAt: T0 });
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => stores[i % 4].claimAsks(`owner-${i}`, T0, 60_000, 20)),
      );
      const ids = claims.flat().map((due) => due.sessionId);
      assert.equal(ids.length, 200);
      assert.equal(new Set(ids).size, 200, 'no session leased twice');
      const client = new pg.Client({ connectionString });
      await client.connect();
      const { rows } = await client.query('SELECT version FROM kosmos_idv_migrations ORDER BY version');
      await client.end();
      assert.deepEqual(rows, MIGRATIONS.map((_, index) => ({ version: index + 1 })), 'each migration applied once');
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('PostgreSQL: a cut connection is survived, and listeners are told to forget what they kept', async () => {
    const connectionString = await cluster!.createDatabase('ledger_cut');
    const store = createPostgresStore({ connectionString });
    try {
      await store.open();
      const heard: (string | null)[] = [];
      store.subscribe((id) => heard.push(id));
      await cluster!.cutConnections();
      await waitUntil(() => heard.filter((id) => id === null).length >= 2, 'the listener lost and connected again');
      await store.create(session('after-cut'));
      assert.equal((await store.read('after-cut'))?.status, 'pending');
      await store.claimAsks('o', T0 + 5000, 1000, 10);
      await store.recordAsk('o', 'after-cut', T0 + 5000, outcome());
      await waitUntil(() => heard.includes('after-cut'), 'notifications after the listener reconnected');
    } finally {
      await store.close();
    }
  });

  it('PGlite keeps the ledger on disk across a restart, and serves one store at a time', async () => {
    const dataDir = join(temp, 'restart');
    const first = createPgliteStore({ dataDir });
    await first.create(session('durable-1'));
    const intruder = createPgliteStore({ dataDir });
    await assert.rejects(intruder.open(), { name: 'StoreUnavailableError', message: new RegExp(`in use by process ${process.pid}`) });
    await intruder.close();
    await first.close();
    const second = createPgliteStore({ dataDir });
    try {
      assert.equal((await second.read('durable-1'))?.status, 'pending');
    } finally {
      await second.close();
    }
  });

  it('a closed store refuses work with StoreUnavailableError; a store that cannot connect says so', async () => {
    const store = createMemoryStore();
    await store.close();
    await assert.rejects(store.read('x'), { name: 'StoreUnavailableError' });
    const nowhere = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    await assert.rejects(nowhere.open(), { name: 'StoreUnavailableError', message: /cannot be reached/ });
    await nowhere.close();
  });
});

async function waitUntil(condition: () => boolean, what = 'a change notification'): Promise<void> {
  const until = Date.now() + 5000;
  while (!condition()) {
    assert.ok(Date.now() < until, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
