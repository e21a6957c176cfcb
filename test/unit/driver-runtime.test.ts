/**
 * The shared driver runtime on a scripted device: opening, NUT's two polls,
 * misses -> stale -> fresh, hung and vanished devices reopened with backoff,
 * deadlines on every operation, and a stop that never waits for a hung device.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { RequestError, UpsAgentError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError, DriverRuntime, withTimeout, type DeviceContext, type DeviceHandler, type PollKind, type RuntimeOptions } from '../../src/drivers/runtime/index';
import { FakeTimers } from './usbhid-helpers';

/** Lets queued work start (it registers its deadline timers) before time is moved. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

type Step = 'ok' | 'miss' | 'gone' | 'hang' | 'bug';

/** A device whose answers the test scripts; 'hang' never settles. */
class ScriptedDevice implements DeviceHandler<{ n: number }> {
  readonly target = '/dev/scripted';
  opens: Step[] = [];
  polls: Step[] = [];
  readonly polled: PollKind[] = [];
  opened = 0;
  closed = 0;
  private answer(step: Step | undefined): Promise<void> {
    switch (step ?? 'ok') {
      case 'ok':
        return Promise.resolve();
      case 'miss':
        return Promise.reject(new DeviceReplyError('garbage'));
      case 'gone':
        return Promise.reject(new DeviceGoneError('unplugged'));
      case 'bug':
        return Promise.reject(new TypeError('a bug of ours'));
      case 'hang':
        return new Promise<void>(() => undefined);
    }
  }
  /** driver.state seen while each open was reading. */
  readonly statesWhileReading: Array<string | undefined> = [];
  state: () => string | undefined = () => undefined;
  async open(ctx: DeviceContext): Promise<{ n: number }> {
    const step = this.opens.shift();
    if (step !== 'gone') {
      ctx.reading();
      this.statesWhileReading.push(this.state());
    }
    await this.answer(step);
    return { n: ++this.opened };
  }
  /** Called inside each poll, before it answers (what happens while the device is being read). */
  duringPoll: ((kind: PollKind) => void) | undefined;
  async poll(_s: { n: number }, kind: PollKind): Promise<void> {
    this.polled.push(kind);
    this.duringPoll?.(kind);
    await this.answer(this.polls.shift());
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function rig(opts: Partial<RuntimeOptions> = {}) {
  const timers = new FakeTimers();
  const bus = new EventBus();
  const store = new UpsStore(bus, () => timers.now);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const dev = new ScriptedDevice();
  const rt = new DriverRuntime(dev, { ups: 'u', publisher, log: new MemoryLogger(lines) }, { pollIntervalMs: 2000, timeoutMs: 1000, timers, clock: () => timers.now, ...opts });
  const view = () => store.get('u')!;
  const stale: boolean[] = [];
  bus.on('ups.stale', stale, (e) => stale.push(e.stale));
  dev.state = () => view().getVar('driver.state')?.value;
  return { timers, dev, rt, view, lines, stale, store, advance: (ms: number) => timers.advance(ms, () => rt.idle()), state: () => view().getVar('driver.state')?.value };
}

describe('driver runtime: opening', () => {
  test('not attached until the device is first opened; retries back off 2, 4, 8 s; attached when it answers', async () => {
    const r = rig();
    r.dev.opens = ['gone', 'gone', 'gone'];
    await r.rt.start();
    assert.equal(r.view().health.attached, false, 'clients get DRIVER-NOT-CONNECTED');
    assert.equal(r.state(), 'init.device');
    assert.deepEqual(r.timers.delays(), [2000]);
    await r.advance(2000);
    assert.deepEqual(r.timers.delays(), [4000]);
    await r.advance(4000);
    assert.deepEqual(r.timers.delays(), [8000]);
    await r.advance(8000);
    assert.equal(r.view().health.attached, true);
    assert.equal(r.view().health.dumpDone, true);
    assert.equal(r.state(), 'quiet');
    assert.equal(r.lines.filter((l) => l.startsWith('warn')).length, 1, 'a repeated failure is logged once at warn');
    await r.rt.stop();
  });

  test('an open that hangs gives up at its deadline; a session that arrives late is closed, never used', async () => {
    const r = rig({ openTimeoutMs: 3000 });
    r.dev.opens = ['hang'];
    const started = r.rt.start();
    await settle();
    await r.advance(3000);
    await started;
    assert.equal(r.rt.status().connected, false);
    assert.ok(r.rt.status().lastError instanceof DeviceTimeoutError);
    await r.rt.stop();
  });
});

describe('driver runtime: driver.state as NUT 2.8 drivers publish it', () => {
  test('init.device while opening, init.info while reading, quiet, updateinfo during a poll; reconnect.trying and reconnect.updateinfo after a loss; cleanup.exit at stop', async () => {
    const r = rig();
    r.dev.polls = ['ok', 'gone'];
    let duringPoll: string | undefined;
    const poll = r.dev.poll.bind(r.dev);
    r.dev.poll = (s, kind) => {
      duringPoll = r.state();
      return poll(s, kind);
    };
    await r.rt.start();
    assert.equal(r.state(), 'quiet');
    await r.advance(2000);
    assert.equal(duringPoll, 'updateinfo');
    await r.advance(2000);
    assert.equal(r.state(), 'reconnect.trying');
    await r.advance(2000);
    assert.deepEqual(r.dev.statesWhileReading, ['init.info', 'reconnect.updateinfo']);
    assert.equal(r.state(), 'quiet');
    await r.rt.stop();
    assert.equal(r.state(), 'cleanup.exit');
  });
});

describe('driver runtime: polling', () => {
  test('quick polls every pollInterval, a full one every fullInterval or when asked', async () => {
    const r = rig({ fullIntervalMs: 6000 });
    await r.rt.start();
    await r.advance(2000);
    await r.advance(2000);
    await r.advance(2000);
    assert.deepEqual(r.dev.polled, ['quick', 'quick', 'full']);
    r.rt.requestFullPoll();
    await r.advance(2000);
    assert.deepEqual(r.dev.polled.at(-1), 'full');
    await r.rt.stop();
  });

  test('a full poll asked for while a full poll runs is the next poll; one that failed is asked for again', async () => {
    const r = rig({ fullIntervalMs: 3_600_000 });
    await r.rt.start();
    r.rt.requestFullPoll();
    // A SET (or an APC `|` alert) arrives while that full poll reads: what it changed may be read already.
    r.dev.duringPoll = () => {
      r.dev.duringPoll = undefined;
      r.rt.requestFullPoll();
    };
    await r.advance(2000);
    await r.advance(2000);
    await r.advance(2000);
    assert.deepEqual(r.dev.polled, ['full', 'full', 'quick']);
    r.rt.requestFullPoll();
    r.dev.polls = ['miss'];
    await r.advance(2000);
    await r.advance(2000);
    await r.advance(2000);
    assert.deepEqual(r.dev.polled.slice(3), ['full', 'full', 'quick'], 'the failed full poll is done again');
    await r.rt.stop();
  });

  test('missed polls: stale after staleAfter in a row, fresh again on the next good poll, reopened after reopenAfter', async () => {
    const r = rig({ staleAfter: 2, reopenAfter: 3 });
    await r.rt.start();
    r.dev.polls = ['miss'];
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false, 'one miss is tolerated with staleAfter 2');
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false, 'the next poll answered');
    r.dev.polls = ['miss', 'miss'];
    await r.advance(4000);
    assert.equal(r.view().health.staleFlag, true);
    assert.equal(r.view().health.driverState, 'disconnected');
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false);
    assert.deepEqual(r.stale, [true, false]);
    r.dev.polls = ['miss', 'miss', 'miss'];
    await r.advance(6000);
    assert.equal(r.dev.closed, 1, 'closed after three misses');
    assert.equal(r.state(), 'reconnect.trying');
    await r.advance(2000);
    assert.equal(r.dev.opened, 2);
    assert.equal(r.view().health.staleFlag, false);
    await r.rt.stop();
  });

  test('a poll that hangs: stale at its deadline, the device closed and reopened', async () => {
    const r = rig();
    await r.rt.start();
    r.dev.polls = ['hang'];
    // The hung poll holds the queue until its deadline: let time run without waiting for the queue.
    await r.timers.advance(2000 + 1000, settle);
    await r.rt.idle();
    assert.equal(r.view().health.staleFlag, true);
    assert.equal(r.dev.closed, 1);
    assert.match(r.lines.join('\n'), /lost \/dev\/scripted: full update: no answer within 1000 ms/);
    await r.advance(2000);
    assert.equal(r.dev.opened, 2);
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false);
    await r.rt.stop();
  });

  test('a vanished device is stale at once and reopened; a bug of ours is logged with its stack and polling goes on', async () => {
    const r = rig();
    await r.rt.start();
    r.dev.polls = ['gone'];
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, true);
    assert.equal(r.rt.status().connected, false);
    await r.advance(2000);
    assert.equal(r.rt.status().connected, true);
    r.dev.polls = ['bug'];
    await r.advance(2000);
    assert.ok(r.lines.some((l) => l.startsWith('error') && l.includes('TypeError: a bug of ours')));
    assert.equal(r.rt.status().connected, true, 'a bug is not a reason to reopen');
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false);
    await r.rt.stop();
  });

  test('pollNow polls at once, or opens at once when the device is not open', async () => {
    const r = rig();
    r.dev.opens = ['gone'];
    await r.rt.start();
    r.rt.pollNow();
    await r.rt.idle();
    assert.equal(r.rt.status().connected, true);
    r.rt.pollNow();
    await r.rt.idle();
    assert.equal(r.dev.polled.length, 1);
    await r.rt.stop();
  });
});

describe('driver runtime: requests and stop', () => {
  test('a request without a device is DRIVER-NOT-CONNECTED; one that hangs fails at the deadline and the device is reopened', async () => {
    const r = rig();
    r.dev.opens = ['gone'];
    await r.rt.start();
    await assert.rejects(r.rt.request('SET x', async () => undefined), (e: unknown) => e instanceof RequestError && e.failure === 'DRIVER-NOT-CONNECTED');
    await r.advance(2000);
    const p = r.rt.request('SET x', () => new Promise<void>(() => undefined));
    const done = assert.rejects(p, DeviceTimeoutError);
    await settle();
    await r.timers.advance(1000, () => Promise.resolve());
    await done;
    await r.rt.idle();
    assert.equal(r.dev.closed, 1);
    await r.rt.stop();
  });

  test('stop returns while an operation hangs, and nothing is published afterwards', async () => {
    const r = rig();
    await r.rt.start();
    r.dev.polls = ['hang'];
    await r.timers.advance(2000, settle);
    await r.rt.stop();
    assert.equal(r.dev.closed, 1);
    assert.equal(r.timers.count, 0, 'no timer left');
    const version = r.view().version;
    await r.advance(60_000);
    assert.equal(r.view().version, version);
  });
});

describe('withTimeout', () => {
  test('resolves, rejects with the operation\'s own error, or rejects at the deadline with the signal aborted', async () => {
    const timers = new FakeTimers();
    assert.equal(await withTimeout('a', 100, async () => 7, { timers }), 7);
    await assert.rejects(withTimeout('b', 100, async () => { throw new UpsAgentError('X', 'own'); }, { timers }), /own/);
    let signal: AbortSignal | undefined;
    const p = withTimeout('c', 100, (s) => {
      signal = s;
      return new Promise(() => undefined);
    }, { timers });
    const check = assert.rejects(p, (e: unknown) => e instanceof DeviceTimeoutError && /c: no answer within 100 ms/.test(e.message));
    await timers.advance(100, () => Promise.resolve());
    await check;
    assert.equal(signal?.aborted, true);
  });
});
