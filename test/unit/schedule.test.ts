/** TimerSchedule: upssched's AT rules on a FakeClock, and the default run through /bin/sh. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../src/core/logger';
import type { TimerRuleConfig } from '../../src/monitor/config';
import type { Notification, NotifyType } from '../../src/monitor/notify-types';
import { TimerSchedule } from '../../src/monitor/schedule';
import { FakeClock } from '../helpers/fake-clock';

type Rule = Partial<TimerRuleConfig> & { at: NotifyType[] };
const rule = (r: Rule): TimerRuleConfig => ({ ups: '*', shared: false, matched: false, ...r });

interface Ran {
  arg: string;
  env: Record<string, string>;
  at: number;
}

function make(rules: Rule[]): { s: TimerSchedule; clock: FakeClock; ran: Ran[]; log: MemoryLogger } {
  const clock = new FakeClock();
  const ran: Ran[] = [];
  const log = new MemoryLogger();
  const s = new TimerSchedule({ rules: rules.map(rule), clock, log, run: (arg, env) => ran.push({ arg, env, at: clock.now() }) });
  return { s, clock, ran, log };
}

const t0 = new FakeClock().now();
function note(type: NotifyType, ups: string, message = `${type} on ${ups}`): Notification {
  return { type, ups, message, at: 0 };
}

void describe('TimerSchedule', () => {
  void test('START-TIMER fires after its interval with the timer name and the event in the env', async () => {
    const { s, clock, ran } = make([{ at: ['ONBATT'], start: 'onbattwarn', after: 30 }]);
    s.onNotify(note('ONBATT', 'rack', 'UPS rack on battery'));
    assert.deepEqual(s.list(), [{ name: 'onbattwarn', ups: ['rack'], types: ['ONBATT'], firesAt: t0 + 30_000 }]);
    await clock.advance(29_999);
    assert.deepEqual(ran, []);
    await clock.advance(1);
    assert.deepEqual(ran, [{ arg: 'onbattwarn', env: { UPSNAME: 'rack', NOTIFYTYPE: 'ONBATT', NOTIFYMSG: 'UPS rack on battery' }, at: t0 + 30_000 }]);
    assert.deepEqual(s.list(), []);
  });

  void test('CANCEL-TIMER before expiry: nothing runs, not even otherwise', async () => {
    const { s, clock, ran } = make([
      { at: ['ONBATT'], start: 'onbattwarn', after: 30 },
      { at: ['ONLINE'], cancel: 'onbattwarn', otherwise: 'back-after-warning' },
    ]);
    s.onNotify(note('ONBATT', 'rack'));
    await clock.advance(10_000);
    s.onNotify(note('ONLINE', 'rack'));
    assert.deepEqual(s.list(), []);
    await clock.advance(60_000);
    assert.deepEqual(ran, []);
    assert.equal(clock.pending(), 0);
  });

  void test('CANCEL-TIMER after expiry runs otherwise at once, with the cancelling event in the env', async () => {
    const { s, clock, ran } = make([
      { at: ['ONBATT'], start: 'onbattwarn', after: 30 },
      { at: ['ONLINE'], cancel: 'onbattwarn', otherwise: 'back-after-warning' },
    ]);
    s.onNotify(note('ONBATT', 'rack'));
    await clock.advance(31_000);
    s.onNotify(note('ONLINE', 'rack', 'UPS rack on line power'));
    assert.deepEqual(
      ran.map((r) => [r.arg, r.at - t0]),
      [
        ['onbattwarn', 30_000],
        ['back-after-warning', 31_000],
      ],
    );
    assert.deepEqual(ran[1]!.env, { UPSNAME: 'rack', NOTIFYTYPE: 'ONLINE', NOTIFYMSG: 'UPS rack on line power' });
  });

  void test('a CANCEL-TIMER without otherwise and nothing to cancel does nothing', () => {
    const { s, ran } = make([{ at: ['ONLINE'], cancel: 'onbattwarn' }]);
    s.onNotify(note('ONLINE', 'rack'));
    assert.deepEqual(ran, []);
  });

  void test('START-TIMER twice: two independent timers of one name; CANCEL-TIMER cancels both', async () => {
    const { s, clock, ran } = make([
      { at: ['COMMBAD'], start: 'upsgone', after: 10 },
      { at: ['COMMOK'], ups: 'b', cancel: 'upsgone' },
    ]);
    s.onNotify(note('COMMBAD', 'a'));
    await clock.advance(4000);
    s.onNotify(note('COMMBAD', 'b'));
    assert.deepEqual(s.list().map((t) => [t.name, t.ups, t.firesAt - t0]), [
      ['upsgone', ['a'], 10_000],
      ['upsgone', ['b'], 14_000],
    ]);
    await clock.advance(20_000);
    assert.deepEqual(ran.map((r) => [r.arg, r.env.UPSNAME, r.at - t0]), [
      ['upsgone', 'a', 10_000],
      ['upsgone', 'b', 14_000],
    ]);

    s.onNotify(note('COMMBAD', 'a'));
    s.onNotify(note('COMMBAD', 'b'));
    s.onNotify(note('COMMOK', 'b'));
    assert.deepEqual(s.list(), []);
  });

  void test('START-TIMER-SHARED: later events join the running timer, keep its deadline, and fill the env lists', async () => {
    const { s, clock, ran } = make([{ at: ['ONBATT', 'LOWBATT'], start: 'powerout', after: 60, shared: true }]);
    s.onNotify(note('ONBATT', 'a', 'UPS a on battery'));
    await clock.advance(20_000);
    s.onNotify(note('ONBATT', 'b', 'UPS b on battery'));
    s.onNotify(note('ONBATT', 'a', 'UPS a on battery'));
    s.onNotify(note('LOWBATT', 'b', 'UPS b battery is low'));
    assert.deepEqual(s.list(), [{ name: 'powerout', ups: ['a', 'b'], types: ['ONBATT', 'LOWBATT'], firesAt: t0 + 60_000 }]);
    await clock.advance(40_000);
    assert.equal(ran.length, 1);
    assert.deepEqual(ran[0], {
      arg: 'powerout',
      env: { UPSNAME: 'a,b', NOTIFYTYPE: 'ONBATT,LOWBATT', NOTIFYMSG: 'UPS a on battery.\tUPS b on battery.\tUPS b battery is low' },
      at: t0 + 60_000,
    });
    // After it fired, the next shared start is a new timer.
    s.onNotify(note('ONBATT', 'b'));
    assert.deepEqual(s.list().map((t) => [t.ups, t.firesAt - t0]), [[['b'], 120_000]]);
  });

  void test('CANCEL-TIMER-MATCHED only cancels a timer its UPS started', async () => {
    const { s, clock, ran } = make([
      { at: ['ONBATT'], start: 'onbattwarn', after: 30 },
      { at: ['ONLINE'], cancel: 'onbattwarn', matched: true, otherwise: 'nothing-matched' },
    ]);
    s.onNotify(note('ONBATT', 'a'));
    s.onNotify(note('ONBATT', 'b'));
    s.onNotify(note('ONLINE', 'B'));
    assert.deepEqual(s.list().map((t) => t.ups), [['a']]);
    assert.equal(ran.length, 0);
    s.onNotify(note('ONLINE', 'c'));
    assert.deepEqual(ran.map((r) => [r.arg, r.env.UPSNAME]), [['nothing-matched', 'c']]);
    await clock.advance(30_000);
    assert.deepEqual(ran.map((r) => [r.arg, r.env.UPSNAME]), [
      ['nothing-matched', 'c'],
      ['onbattwarn', 'a'],
    ]);
  });

  void test('CANCEL-TIMER-MATCHED on a shared timer: the UPS leaves it; the last one out cancels it', async () => {
    const { s, clock, ran } = make([
      { at: ['ONBATT'], start: 'powerout', after: 60, shared: true },
      { at: ['ONLINE'], cancel: 'powerout', matched: true },
    ]);
    s.onNotify(note('ONBATT', 'a', 'UPS a on battery'));
    s.onNotify(note('ONBATT', 'b', 'UPS b on battery'));
    s.onNotify(note('ONLINE', 'a'));
    assert.deepEqual(s.list().map((t) => [t.ups, t.types]), [[['b'], ['ONBATT']]]);
    await clock.advance(60_000);
    assert.deepEqual(ran.map((r) => r.env), [{ UPSNAME: 'b', NOTIFYTYPE: 'ONBATT', NOTIFYMSG: 'UPS b on battery' }]);

    s.onNotify(note('ONBATT', 'a'));
    s.onNotify(note('ONBATT', 'b'));
    s.onNotify(note('ONLINE', 'a'));
    s.onNotify(note('ONLINE', 'b'));
    assert.deepEqual(s.list(), []);
    assert.equal(clock.pending(), 0);
  });

  void test('EXECUTE runs at once', () => {
    const { s, ran } = make([{ at: ['FSD'], execute: 'fsd-now' }]);
    s.onNotify(note('FSD', 'rack', 'UPS rack: forced shutdown in progress'));
    assert.deepEqual(ran, [{ arg: 'fsd-now', env: { UPSNAME: 'rack', NOTIFYTYPE: 'FSD', NOTIFYMSG: 'UPS rack: forced shutdown in progress' }, at: t0 }]);
  });

  void test("'*' matches any UPS, a named UPS only itself (case-insensitive); other types are ignored", () => {
    const { s, ran } = make([
      { at: ['ONBATT'], execute: 'any' },
      { at: ['ONBATT'], ups: 'Rack@10.0.0.2', execute: 'named' },
    ]);
    s.onNotify(note('ONBATT', 'other'));
    s.onNotify(note('ONBATT', 'rack@10.0.0.2'));
    s.onNotify(note('ONLINE', 'rack@10.0.0.2'));
    assert.deepEqual(ran.map((r) => `${r.arg}:${r.env.UPSNAME}`), ['any:other', 'any:rack@10.0.0.2', 'named:rack@10.0.0.2']);
  });

  void test('stop() clears every timer and ignores later events', async () => {
    const { s, clock, ran } = make([{ at: ['ONBATT'], start: 'onbattwarn', after: 5 }]);
    s.onNotify(note('ONBATT', 'a'));
    s.stop();
    assert.equal(clock.pending(), 0);
    s.onNotify(note('ONBATT', 'a'));
    await clock.advance(10_000);
    assert.deepEqual(ran, []);
    assert.deepEqual(s.list(), []);
  });

  void test('a run that throws is logged; the schedule goes on', async () => {
    const clock = new FakeClock();
    const log = new MemoryLogger();
    const s = new TimerSchedule({
      rules: [rule({ at: ['ONBATT'], execute: 'x' })],
      clock,
      log,
      run: () => {
        throw new Error('boom');
      },
    });
    s.onNotify(note('ONBATT', 'a'));
    assert.deepEqual(log.lines, ['error [test] timer command for x failed: boom']);
  });
});

void describe('TimerSchedule default run (real /bin/sh)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upsagent-schedule-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function until(cond: () => boolean, what: string): Promise<void> {
    const end = Date.now() + 15_000;
    while (!cond()) {
      if (Date.now() > end) assert.fail(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  void test('runs "<command> <arg>" with the argument quoted and the env set', async () => {
    const out = path.join(dir, 'out');
    const script = path.join(dir, 'cmdscript');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s|%s|%s|%s' "$#" "$1" "$UPSNAME" "$NOTIFYTYPE" > ${out}.tmp; mv ${out}.tmp ${out}\n`, { mode: 0o755 });
    const clock = new FakeClock();
    const s = new TimerSchedule({ rules: [rule({ at: ['ONBATT'], execute: 'it is $(nasty); x' })], command: script, clock, log: new MemoryLogger() });
    s.onNotify(note('ONBATT', 'rack'));
    await until(() => fs.existsSync(out), 'the timer command');
    assert.equal(fs.readFileSync(out, 'utf8'), '1|it is $(nasty); x|rack|ONBATT');
  });

  void test('without a command, an error is logged', () => {
    const log = new MemoryLogger();
    const s = new TimerSchedule({ rules: [rule({ at: ['ONBATT'], execute: 'x' })], clock: new FakeClock(), log });
    s.onNotify(note('ONBATT', 'rack'));
    assert.deepEqual(log.lines, ['error [test] no timer command configured: cannot run it for x']);
  });

  void test('a failing command is logged with its stderr', async () => {
    const log = new MemoryLogger();
    const s = new TimerSchedule({ rules: [rule({ at: ['ONBATT'], execute: 'x' })], command: 'echo nope >&2; exit 4; :', clock: new FakeClock(), log });
    s.onNotify(note('ONBATT', 'rack'));
    await until(() => log.lines.length > 0, 'the failure to be logged');
    assert.deepEqual(log.lines, ['warn [test] timer command "echo nope >&2; exit 4; : x" exited 4: nope']);
  });
});
