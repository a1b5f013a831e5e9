import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodePublicKey, generateKeyPair, publicKeyOf, sharedCipher } from '../../src/server/crypto.js';
import { startSimulator } from '../../src/simulator/index.js';
import { simulate } from '../../src/cli/simulate.js';
import { cli as runCli, spawnCli, type Run } from '../cli/helpers.js';
import { call, createSession } from './helpers.js';


const cli = (args: string[], stdin = ''): Promise<Run> => runCli(args, { stdin });

/** Exit 1 with one clear line on stderr and no stack trace. */
function assertInputError(run: Run, message: RegExp) {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], message);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

describe('kosmos-idv CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kosmos-idv-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keygen prints a valid key pair as JSON', async () => {
    const run = await cli(['keygen']);
    assert.equal(run.code, 0);
    const pair = JSON.parse(run.stdout) as { publicKey: string; privateKey: string };
    assert.deepEqual(Object.keys(pair).sort(), ['privateKey', 'publicKey']);
    assert.equal(decodePublicKey(pair.publicKey).length, 65);
    assert.equal(publicKeyOf(pair.privateKey), pair.publicKey);
  });

  it('encrypt → decrypt round trip, from stdin and from a file', async () => {
    const alice = generateKeyPair();
    const bob = generateKeyPair();
    const text = '{"dvcID":"default","sessionId":"ünïcode ✓"}';
    const encrypted = await cli(['encrypt', '--private-key', alice.privateKey, '--public-key', bob.publicKey], `${text}\n`);
    assert.equal(encrypted.code, 0, encrypted.stderr);
    const ciphertext = encrypted.stdout.trim();
    assert.equal(await (await sharedCipher(bob.privateKey, alice.publicKey)).decrypt(ciphertext), text);

    const file = join(dir, 'ciphertext.txt');
    await writeFile(file, `${ciphertext}\n`);
    const decrypted = await cli(['decrypt', '--private-key', bob.privateKey, '--public-key', alice.publicKey, file]);
    assert.equal(decrypted.code, 0, decrypted.stderr);
    assert.equal(decrypted.stdout, `${text}\n`);
  });

  it('decrypt of a real simulator result body { data, publicKey } prints the JSON', async () => {
    const sim = await startSimulator();
    try {
      const caller = generateKeyPair();
      const { sessionId } = await createSession(sim);
      const answer = await call(sim, '/v3/document_share_session/result', { dvcID: 'default', sessionId }, { caller });
      const file = join(dir, 'result.json');
      await writeFile(file, answer.text);
      const wrongKey = generateKeyPair().publicKey;
      for (const args of [[file], ['--public-key', wrongKey, file]]) {
        const run = await cli(['decrypt', '--private-key', caller.privateKey, ...args]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), {
          responseStatus: 'INPROGRESS',
          id: sessionId,
          sessionResult: 'Pending',
        });
      }
      const piped = await cli(['decrypt', '--private-key', caller.privateKey], answer.text);
      assert.deepEqual(JSON.parse(piped.stdout), answer.plaintext);
    } finally {
      await sim.close();
    }
  });

  it('takes the private key from --private-key-file (the key, or keygen\'s JSON) or KOSMOS_PRIVATE_KEY, off the command line', async () => {
    const alice = generateKeyPair();
    const bob = generateKeyPair();
    const keyFile = join(dir, 'alice.key');
    await writeFile(keyFile, `${alice.privateKey}\n`);
    const keygenFile = join(dir, 'alice.json');
    await writeFile(keygenFile, JSON.stringify(alice));
    const bobs = await sharedCipher(bob.privateKey, alice.publicKey);
    for (const [args, env] of [
      [['--private-key-file', keyFile], {}],
      [['--private-key-file', keygenFile], {}],
      [[], { KOSMOS_PRIVATE_KEY: alice.privateKey }],
    ] as const) {
      const run = await runCli(['encrypt', ...args, '--public-key', bob.publicKey], { env, stdin: 'hello' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await bobs.decrypt(run.stdout.trim()), 'hello');
    }
    const both = await cli(['decrypt', '--private-key', alice.privateKey, '--private-key-file', keyFile], 'AAAA');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--private-key or --private-key-file, not both/);
    assertInputError(await cli(['encrypt', '--private-key-file', join(dir, 'missing.key'), '--public-key', bob.publicKey], 'x'), /cannot read .*missing\.key: ENOENT/);
    for (const command of ['encrypt', 'decrypt']) {
      const help = await cli([command, '--help']);
      assert.match(help.stdout, /--private-key-file <file>/);
      assert.match(help.stdout, /KOSMOS_PRIVATE_KEY/);
      assert.match(help.stdout, /--private-key <b64>[^-]*throwaway/);
    }
  });

  it('usage errors exit 2 with a hint; --help exits 0', async () => {
    const { privateKey, publicKey } = generateKeyPair();
    const usage: string[][] = [
      [],
      ['frobnicate'],
      ['keygen', '--bits', '256'],
      ['encrypt', '--public-key', publicKey],
      ['encrypt', '--private-key'],
      ['decrypt', '--private-key', privateKey, '--public-key', publicKey, 'a', 'b'],
      ['simulate', '--port', 'eighty'],
      ['simulate', '--session-lifetime', '-5'],
      ['simulate', '--session-lifetime=-5'],
      ['simulate', '--host='],
    ];
    const runs = await Promise.all(usage.map((args) => cli(args, 'AAAA')));
    for (const [index, run] of runs.entries()) {
      assert.equal(run.code, 2, `${usage[index].join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^kosmos-idv: .+\nRun "kosmos-idv( \w+)? --help" for usage\.\n$/);
      assert.equal(run.stdout, '');
    }
    const noPeer = await cli(['decrypt', '--private-key', privateKey], 'AAAA');
    assert.equal(noPeer.code, 2);
    assert.match(noPeer.stderr, /--public-key is required/);

    for (const run of await Promise.all([['--help'], ['decrypt', '--help'], ['simulate', '-h']].map((args) => cli(args)))) {
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^Usage: kosmos-idv/);
    }
  });

  it('bad keys and input exit 1 with one line on stderr', async () => {
    const { privateKey, publicKey } = generateKeyPair();
    assertInputError(
      await cli(['encrypt', '--private-key', 'not*base64', '--public-key', publicKey], 'x'),
      /^kosmos-idv: private key is not valid base64$/,
    );
    assertInputError(
      await cli(['encrypt', '--private-key', privateKey, '--public-key', btoa('too short')], 'x'),
      /^kosmos-idv: public key must be 64 bytes, got 9$/,
    );
    assertInputError(
      await cli(['decrypt', '--private-key', privateKey, '--public-key', publicKey], 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
      /does not decrypt/,
    );
    assertInputError(
      await cli(['decrypt', '--private-key', privateKey], '{"publicKey": 1}'),
      /no string "data" field/,
    );
    assertInputError(
      await cli(['decrypt', '--private-key', privateKey, '--public-key', publicKey, join(dir, 'missing')]),
      /cannot read .*missing: ENOENT/,
    );
  });

  it('simulate on a host that does not resolve says it cannot listen there', async () => {
    assertInputError(
      await cli(['simulate', '--port', '0', '--host', 'no-such-host.invalid']),
      /^kosmos-idv: cannot listen on no-such-host\.invalid:0: (ENOTFOUND|EAI_AGAIN)$/,
    );
  });

  it('simulate --config reports each problem of the file on its own line', async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ port: 'x', piiRetention: { off: 'yes' }, dvcIDs: { a: {} }, extra: 1 }));
    const run = await cli(['simulate', '--config', file]);
    assert.equal(run.code, 1);
    assert.deepEqual(
      run.stderr.trimEnd().split('\n').map((line) => line.replace(`${file}: `, '')),
      [
        'kosmos-idv: port must be an integer from 0 to 65535',
        'kosmos-idv: piiRetention.off must be true or false',
        'kosmos-idv: dvcIDs.a must be { "selfie": true | false }',
        'kosmos-idv: "extra" is not a simulator setting',
      ],
    );
  });

  it('simulate --port 0 starts, prints its origin and settings, and stops on SIGTERM', async () => {
    const file = join(dir, 'sim.json');
    await writeFile(file, JSON.stringify({ communityName: 'acme', dvcIDs: { kyc: { selfie: true } } }));
    const child = spawnCli(['simulate', '--port', '0', '--license-key', 'my-license', '--config', file]);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const origin = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk;
        const match = /origin:\s+(http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match && stdout.includes('Stop with Ctrl+C.')) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`simulate exited early: ${stdout}`)));
    });
    assert.match(stdout, /tenantDNS:\s+127\.0\.0\.1:\d+/);
    assert.match(stdout, /community:\s+acme/);
    assert.match(stdout, /dvcIDs:\s+kyc \(document \+ selfie\)/);
    assert.match(stdout, /license key:\s+my-license/);
    const servicePublicKey = /service public key:\s+(\S+)/.exec(stdout)?.[1];
    const sd = (await (await fetch(`${origin}/caas/sd`)).json()) as { docuverify: string };
    assert.equal(sd.docuverify, `${origin}/docuverify`);
    const keys = (await (await fetch(`${sd.docuverify}/publickeys`)).json()) as { publicKey: string };
    assert.equal(keys.publicKey, servicePublicKey);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /simulator stopped\n$/);
  });

  it('simulate --tls serves https with a certificate whose path it prints, which a client can trust (NODE_EXTRA_CA_CERTS)', async () => {
    const child = spawnCli(['simulate', '--port', '0', '--tls']);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk;
        if (stdout.includes('Stop with Ctrl+C.')) resolve();
      });
      child.on('close', () => reject(new Error(`simulate exited early: ${stdout}`)));
    });
    const origin = /origin:\s+(https:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)?.[1];
    const certificate = /certificate:\s+(\S+\.pem)\n/.exec(stdout)?.[1];
    assert.ok(origin && certificate, stdout);
    assert.match(await readFile(certificate, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    const client = spawnSync(process.execPath, ['-e', `fetch('${origin}/caas/sd').then((r) => r.json()).then((sd) => console.log(sd.docuverify))`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate },
      encoding: 'utf8',
    });
    assert.equal(client.stdout.trim(), `${origin}/docuverify`, client.stderr);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('simulate --tls that cannot write its certificate closes the simulator and fails (it was left listening)', async () => {
    // In this process: a child's tsx would create a missing TMPDIR for its cache. A file is no directory.
    const notADirectory = join(dir, 'a-file');
    await writeFile(notADirectory, '');
    const servers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
    const before = servers();
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = notADirectory;
    try {
      await assert.rejects(simulate({ port: '0', tls: true }, () => {}), { code: 'ENOTDIR' });
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    // A closed server's handle is let go of a moment after close() resolves.
    for (let wait = 0; wait < 20 && servers() > before; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(servers(), before, 'the simulator is still listening');
  });
});
