import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdvError } from '../../src/api/errors.js';
import { flush } from './fake-clock.js';
import { fatal, harness, report, retryable, type Harness, type Read } from './poller-harness.js';

/** Asserts the poller is stopped for good: nothing pending, and nothing reads again whatever happens. */
async function assertStopped(h: Harness) {
  assert.equal(h.poller.running, false);
  assert.equal(h.clock.pending, 0);
  const count = h.reads.length;
  h.poller.poke();
  h.poller.setVisible(false);
  h.poller.setVisible(true);
  await h.clock.advance(3_600_000);
  assert.equal(h.reads.length, count);
  assert.equal(h.clock.pending, 0);
}

describe('Poller pace', () => {
  it('reads at once on start, then every 2000 ms while visible', async () => {
    const h = harness();
    h.poller.start();
    assert.equal(h.reads.length, 1);
    assert.equal(h.poller.running, true);
    await h.answer();
    assert.deepEqual(h.reports, [report()]);
    assert.equal(h.clock.nextDelay, 2000);
    await h.clock.advance(1999);
    assert.equal(h.reads.length, 1);
    await h.clock.advance(1);
    assert.equal(h.reads.length, 2);
    await h.answer('pending');
    await h.clock.advance(2000);
    assert.equal(h.reads.length, 3);
  });

  it('uses the interval it is given', async () => {
    const h = harness({ interval: 500 });
    h.poller.start();
    await h.answer();
    assert.equal(h.clock.nextDelay, 500);
  });

  it('reads every 15 000 ms (or hiddenInterval) while hidden', async () => {
    const h = harness();
    h.poller.setVisible(false);
    h.poller.start();
    assert.equal(h.reads.length, 1);
    await h.answer();
    assert.equal(h.clock.nextDelay, 15_000);
    await h.clock.advance(14_999);
    assert.equal(h.reads.length, 1);
    await h.clock.advance(1);
    assert.equal(h.reads.length, 2);

    const custom = harness({ hiddenInterval: 60_000 });
    custom.poller.setVisible(false);
    custom.poller.start();
    await custom.answer();
    assert.equal(custom.clock.nextDelay, 60_000);
  });

  it('slows the wait when hidden and reads at once when visible again', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(500);
    h.poller.setVisible(false);
    assert.equal(h.clock.pending, 1);
    assert.equal(h.clock.nextDelay, 15_000);
    await h.clock.advance(1000);
    h.poller.setVisible(false);
    assert.equal(h.clock.nextDelay, 14_000, 'hidden again changes nothing');
    h.poller.setVisible(true);
    assert.equal(h.reads.length, 2);
    assert.equal(h.clock.pending, 0);
    await h.answer();
    h.poller.setVisible(true);
    assert.equal(h.reads.length, 2, 'visible again changes nothing');
    assert.equal(h.clock.nextDelay, 2000);
  });

  it('counts the interval from the start of the previous read', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(2000);
    await h.clock.advance(1500);
    await h.answer();
    assert.equal(h.clock.nextDelay, 500, 'a read answered after 1500 ms: the next starts 2000 ms after it did');
    await h.clock.advance(500);
    await h.clock.advance(2600);
    await h.answer();
    assert.equal(h.clock.nextDelay, 0, 'a read that outlasted the interval: the next starts at once');
  });

  it('after a read that brought a change, starts the next at once, but never twice in a row', async () => {
    const h = harness();
    h.poller.start();
    await h.answer('pending');
    assert.equal(h.clock.nextDelay, 2000, 'the first report is no change');
    await h.clock.advance(2000);
    await h.answer('in_progress');
    assert.equal(h.clock.nextDelay, 0, 'a change: the next read at once, to wait for the next change');
    await h.clock.advance(0);
    assert.equal(h.reads.length, 3);
    assert.equal(h.reads[2].wait, 2000, 'and the backend may hold it');
    await h.answer('pending');
    assert.equal(h.clock.nextDelay, 2000, 'flapping answers: not at once twice in a row');
    await h.clock.advance(2000);
    await h.answer('in_progress');
    assert.equal(h.clock.nextDelay, 0);
  });

  it('lets the backend hold reads while visible, up to the interval or 5 s (a poke\'s too); hidden reads answer at once', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(2000);
    await h.answer();
    h.poller.setVisible(false);
    await h.clock.advance(15_000);
    await h.answer();
    h.poller.setVisible(true);
    assert.deepEqual(
      h.reads.map((read) => read.wait),
      [2000, 2000, 0, 2000],
      'start, scheduled while visible, scheduled while hidden, visible again',
    );
    const slow = harness({ interval: 60_000 });
    slow.poller.start();
    await slow.answer();
    await slow.clock.advance(60_000);
    assert.equal(slow.reads[1].wait, 5000);
    const unheld = harness({ maxWait: 0 });
    unheld.poller.start();
    await unheld.answer();
    await unheld.clock.advance(2000);
    assert.equal(unheld.reads[1].wait, 0, 'a reader that cannot be held');
    unheld.poller.poke();
    assert.equal(unheld.reads.length, 2, 'so a poke leaves its read to answer');
  });

  it('poke() replaces a scheduled read the backend is holding with one it may hold too, which further pokes leave alone', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(2000);
    const held = h.reads[1];
    assert.equal(held.wait, 2000);
    h.poller.poke();
    assert.equal(held.signal.aborted, true, 'the held read is cut short');
    assert.equal(h.reads.length, 3);
    assert.equal(h.reads[2].wait, 2000, 'a backend answering from its ledger answers as soon as it learns of the change');
    h.poller.poke();
    h.poller.poke();
    assert.equal(h.reads.length, 3, "a poke's read is left to answer");
    await h.answer('completed');
    assert.equal(h.reports.at(-1)?.status, 'completed');
    assert.equal(h.poller.running, false);
  });

  it('poke() reads at once and replaces the pending wait', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(100);
    h.poller.poke();
    assert.equal(h.reads.length, 2);
    assert.equal(h.clock.pending, 0);
    await h.answer();
    assert.equal(h.clock.nextDelay, 2000);
  });

  it('never has more than one read in flight however often it is poked', async () => {
    const h = harness();
    h.poller.start();
    for (let i = 0; i < 50; i++) {
      h.poller.poke();
      h.poller.setVisible(i % 2 === 0);
      if (i % 10 === 9) await h.answer();
    }
    assert.equal(h.maxInFlight, 1);
    assert.ok(h.reads.length <= 6);
  });

  it('does nothing before start()', async () => {
    const h = harness();
    h.poller.poke();
    h.poller.setVisible(false);
    h.poller.setVisible(true);
    await h.clock.advance(60_000);
    assert.equal(h.reads.length, 0);
    assert.equal(h.clock.pending, 0);
    assert.equal(h.poller.running, false);
  });
});

describe('Poller backoff', () => {
  it('backs off exponentially on retryable errors, capped at 30 s (random() = 1)', async () => {
    const h = harness();
    h.poller.start();
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      await h.fail(retryable());
      delays.push(h.clock.nextDelay);
      await h.clock.advance(h.clock.nextDelay!);
    }
    assert.deepEqual(delays, [4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(h.errors.length, 6);
    assert.ok(h.errors.every((error) => error.code === 'server_error'));
    assert.equal(h.poller.running, true);
    assert.equal(h.reads.length, 7);
  });

  it('caps at maxBackoff and grows from the hidden pace while hidden', async () => {
    const h = harness({ maxBackoff: 5000 });
    h.poller.start();
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      await h.fail(retryable());
      delays.push(h.clock.nextDelay);
      await h.clock.advance(h.clock.nextDelay!);
    }
    assert.deepEqual(delays, [4000, 5000, 5000]);

    const hidden = harness({ maxBackoff: 100_000 });
    hidden.poller.setVisible(false);
    hidden.poller.start();
    await hidden.fail(retryable());
    assert.equal(hidden.clock.nextDelay, 30_000);
  });

  it('caps at maxVisibleBackoff while visible and at maxBackoff while hidden', async () => {
    const h = harness({ maxVisibleBackoff: 5000 });
    h.poller.start();
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      await h.fail(retryable());
      delays.push(h.clock.nextDelay);
      await h.clock.advance(h.clock.nextDelay!);
    }
    assert.deepEqual(delays, [4000, 5000, 5000]);
    h.poller.setVisible(false);
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 30_000);
  });

  it('never waits longer than the cap, even when a quarter of the interval is longer', async () => {
    const h = harness({ interval: 200_000 });
    h.poller.start();
    h.clock.randomValue = 0;
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 30_000);
  });

  it('jitters the whole wait: random() × the cap, never under a quarter of the interval', async () => {
    const h = harness();
    h.poller.start();
    h.clock.randomValue = 0.5;
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 2000);
    await h.clock.advance(2000);
    h.clock.randomValue = 0.25;
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 2000);
    await h.clock.advance(2000);
    h.clock.randomValue = 0;
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 500);
  });

  it('starts over after a successful read', async () => {
    const h = harness();
    h.poller.start();
    for (let i = 0; i < 3; i++) {
      await h.fail(retryable());
      await h.clock.advance(h.clock.nextDelay!);
    }
    await h.answer();
    assert.equal(h.clock.nextDelay, 2000);
    await h.clock.advance(2000);
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 4000);
  });

  it('honours Retry-After exactly, even beyond maxBackoff', async () => {
    const h = harness();
    h.poller.start();
    h.clock.randomValue = 0.1;
    await h.fail(retryable(7000));
    assert.equal(h.clock.nextDelay, 7000);
    await h.clock.advance(6999);
    assert.equal(h.reads.length, 1);
    await h.clock.advance(1);
    assert.equal(h.reads.length, 2);
    await h.fail(new IdvError('rate_limited', 'Slow down.', { status: 429, retryAfter: 45_000 }));
    assert.equal(h.clock.nextDelay, 45_000);
  });

  it('backs off a Retry-After of 0 (or a date already past) like any failure: no request loop', async () => {
    const h = harness();
    h.poller.start();
    h.clock.randomValue = 0.1;
    await h.fail(retryable(0));
    assert.equal(h.clock.nextDelay, 500, 'backoff (here its floor, a quarter of the pace), not 0');
    await h.clock.advance(499);
    assert.equal(h.reads.length, 1);
  });

  it('is not cut short by poke(), visibility or start()', async () => {
    const h = harness();
    h.poller.start();
    await h.fail(retryable());
    await h.clock.advance(1000);
    h.poller.poke();
    h.poller.setVisible(false);
    h.poller.setVisible(true);
    h.poller.start();
    assert.equal(h.reads.length, 1);
    assert.equal(h.clock.pending, 1);
    assert.equal(h.clock.nextDelay, 3000);
    await h.clock.advance(3000);
    assert.equal(h.reads.length, 2);
  });

  it('treats a thrown non-IdvError as a retryable network_error', async () => {
    const h = harness();
    h.poller.start();
    await h.fail(new TypeError('fetch failed'));
    assert.equal(h.errors[0].code, 'network_error');
    assert.equal(h.poller.running, true);
    assert.equal(h.clock.nextDelay, 4000);
  });

  it('stops at a non-retryable error and reports it', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    await h.clock.advance(2000);
    const error = fatal();
    await h.fail(error);
    assert.deepEqual(h.errors, [error]);
    await assertStopped(h);
  });

  it('stops at an error the backend marks not retryable', async () => {
    const h = harness();
    h.poller.start();
    await h.fail(new IdvError('server_error', 'Broken for good.', { status: 500, retryable: false }));
    assert.equal(h.errors.length, 1);
    await assertStopped(h);
  });
});

describe('Poller end', () => {
  for (const status of ['completed', 'expired', 'declined'] as const) {
    it(`stops at a terminal status (${status}) after reporting it`, async () => {
      const h = harness();
      h.poller.start();
      await h.answer('pending');
      await h.clock.advance(2000);
      await h.answer(status);
      assert.deepEqual(
        h.reports.map((value) => value.status),
        ['pending', status],
      );
      assert.deepEqual(h.errors, []);
      await assertStopped(h);
    });
  }

  it('reads once more at expiresAt, then stops with session_expired', async () => {
    const h = harness({ expiresAt: 5000 });
    h.poller.start();
    await h.answer();
    await h.clock.advance(2000);
    await h.answer();
    await h.clock.advance(2000);
    await h.answer();
    assert.equal(h.clock.nextDelay, 1000);
    await h.clock.advance(1000);
    assert.equal(h.reads.length, 4);
    await h.answer('in_progress');
    assert.equal(h.reports.length, 4);
    assert.deepEqual(
      h.errors.map((error) => [error.code, error.retryable]),
      [['session_expired', false]],
    );
    await assertStopped(h);
  });

  it('ends quietly when the read at expiresAt is terminal', async () => {
    const h = harness({ expiresAt: 5000 });
    h.poller.setVisible(false);
    h.poller.start();
    await h.answer();
    assert.equal(h.clock.nextDelay, 5000);
    await h.clock.advance(5000);
    await h.answer('expired');
    assert.deepEqual(h.errors, []);
    await assertStopped(h);
  });

  it('cuts a backoff short at expiresAt, and a failed final read is session_expired', async () => {
    const h = harness({ expiresAt: 3000 });
    h.poller.start();
    await h.fail(retryable());
    assert.equal(h.clock.nextDelay, 3000);
    await h.clock.advance(3000);
    assert.equal(h.reads.length, 2);
    const last = retryable();
    await h.fail(last);
    assert.deepEqual(
      h.errors.map((error) => error.code),
      ['server_error', 'session_expired'],
    );
    assert.equal(h.errors[1].cause, last);
    await assertStopped(h);
  });

  it('reports a non-retryable error of the final read as it is', async () => {
    const h = harness({ expiresAt: 1000 });
    h.poller.start();
    await h.answer();
    await h.clock.advance(1000);
    await h.fail(fatal());
    assert.deepEqual(
      h.errors.map((error) => error.code),
      ['unauthorized'],
    );
    await assertStopped(h);
  });

  it('reads once when started after expiresAt', async () => {
    const h = harness({ expiresAt: -1 });
    h.poller.start();
    assert.equal(h.reads.length, 1);
    await h.answer('pending');
    assert.equal(h.errors[0].code, 'session_expired');
    await assertStopped(h);
  });

  it('stops with session_expired when a read outlasts expiresAt', async () => {
    const h = harness({ expiresAt: 1000 });
    h.poller.start();
    await h.clock.advance(5000);
    assert.equal(h.reads.length, 1);
    await h.answer();
    assert.equal(h.errors[0].code, 'session_expired');
    await assertStopped(h);
  });

  it('stop() aborts the read in flight and ignores its late answer or failure', async () => {
    for (const late of [(read: Read) => read.resolve(report('completed')), (read: Read) => read.reject(retryable())]) {
      const h = harness();
      h.poller.start();
      const [read] = h.reads;
      h.poller.stop();
      assert.equal(read.signal.aborted, true);
      late(read);
      await flush();
      assert.deepEqual(h.reports, []);
      assert.deepEqual(h.errors, []);
      await assertStopped(h);
    }
  });

  it('stop() clears the pending wait, and start() begins again', async () => {
    const h = harness();
    h.poller.start();
    await h.answer();
    assert.equal(h.clock.pending, 1);
    h.poller.stop();
    await assertStopped(h);
    h.poller.start();
    assert.equal(h.reads.length, 2);
    await h.answer();
    assert.equal(h.reports.length, 2);
    assert.equal(h.clock.nextDelay, 2000);
  });

  it('ignores the aborted read of a previous start()', async () => {
    const h = harness();
    h.poller.start();
    const [old] = h.reads;
    h.poller.stop();
    h.poller.start();
    old.resolve(report('completed'));
    await flush();
    assert.deepEqual(h.reports, []);
    assert.equal(h.poller.running, true);
    await h.answer();
    assert.equal(h.clock.nextDelay, 2000);
  });

  it('can be stopped from its own callbacks', async () => {
    const stopping = harness({ onReport: () => stopping.poller.stop() });
    stopping.poller.start();
    await stopping.answer();
    await assertStopped(stopping);
    const failing = harness({ onError: () => failing.poller.stop() });
    failing.poller.start();
    await failing.fail(retryable());
    await assertStopped(failing);
  });

  it('stays consistent when a callback throws: the exception surfaces, never as a read error', async () => {
    const surfaced: unknown[] = [];
    const listeners = process.rawListeners('unhandledRejection') as NodeJS.UnhandledRejectionListener[];
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', (reason) => surfaced.push(reason));
    try {
      const bug = new Error('a bug in the page');
      const h = harness({
        onReport: () => {
          throw bug;
        },
      });
      h.poller.start();
      await h.answer('in_progress');
      assert.equal(h.clock.nextDelay, 2000, 'still polling');
      await h.clock.advance(2000);
      await h.answer('completed');
      assert.deepEqual(h.errors, []);
      assert.deepEqual(surfaced, [bug, bug]);
      await assertStopped(h);
    } finally {
      process.removeAllListeners('unhandledRejection');
      for (const listener of listeners) process.on('unhandledRejection', listener);
    }
  });
});
