/**
 * upsmon's rules, one scenario each, on a hand-moved clock: when the
 * monitor notifies, when it shuts the host down, and when it must not.
 * Defaults are NUT's (pollFreq 5, deadTime 15, hostSync 15, finalDelay 5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogger } from '../../src/core/logger';
import { startRig } from '../helpers/monitor-rig';

const A = 'ups@a';
const B = 'ups@b';
const C = 'ups@c';

test('a flicker shorter than the policy: ONBATT then ONLINE, no shutdown', async () => {
  const r = await startRig([{ name: A }], { policy: { onBatteryFor: 60 } });
  await r.advance(10);
  r.src(A).status = 'OB DISCHRG';
  await r.advance(5);
  r.src(A).status = 'OL CHRG';
  await r.advance(5);
  await r.advance(120);
  assert.deepEqual(r.types(), ['ONBATT', 'ONLINE']);
  assert.equal(r.commands.length, 0);
  await r.monitor.stop();
});

test('the first OL at start-up and the first contact are not announced (upsmon linestate/commstate -1)', async () => {
  const r = await startRig([{ name: A }]);
  await r.advance(30);
  assert.deepEqual(r.types(), []);
  await r.monitor.stop();
});

test('primary, OB then LB: FSD on the UPS, SHUTDOWN, finalDelay, flag, then the command', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { powerDownFlag: '/tmp/killpower-test' });
  r.src(A).status = 'OB';
  await r.advance(5);
  r.src(A).status = 'OB LB';
  const lbAt = r.elapsed() + 5000;
  await r.advance(5);
  assert.equal(r.src(A).fsdCalls, 1, 'FSD raised on the UPS we are primary of');
  assert.equal(r.commands.length, 0, 'not before finalDelay');
  await r.advance(5);
  assert.deepEqual(r.commands.map((c) => c.command), ['poweroff-for-test']);
  assert.equal(r.commands[0]!.atMs, lbAt + 5000, 'exactly finalDelay after the LB poll (no secondaries logged in)');
  assert.deepEqual(r.flags, ['/tmp/killpower-test']);
  assert.deepEqual(r.types(), ['ONBATT', 'LOWBATT', 'FSD', 'SHUTDOWN']);
  await r.advance(60);
  assert.equal(r.commands.length, 1, 'run once');
  assert.ok(r.src(A).stopped, 'logged out after the command (shutdownExit 0)');
  await r.monitor.stop();
});

test('secondary acts on FSD alone, whatever else the status says (nut#751)', async () => {
  const r = await startRig([{ name: A, role: 'secondary' }]);
  await r.advance(5);
  r.src(A).status = 'FSD OL';
  const seen = r.elapsed() + 5000;
  await r.advance(5);
  await r.advance(5);
  assert.equal(r.commands.length, 1);
  assert.equal(r.commands[0]!.atMs, seen + 5000);
  assert.equal(r.src(A).fsdCalls, 0, 'a secondary never sets FSD');
  assert.deepEqual(r.types(), ['FSD', 'SHUTDOWN']);
  await r.monitor.stop();
});

test('primary waits for the secondaries to log out, then goes on', async () => {
  const r = await startRig([{ name: A, role: 'primary' }]);
  r.src(A).logins = 2;
  r.src(A).status = 'OB LB';
  await r.advance(5);
  assert.equal(r.src(A).fsdCalls, 1);
  assert.ok(r.types().includes('SHUTDOWN_HOSTSYNC'));
  await r.advance(3);
  r.src(A).logins = 0;
  const out = r.elapsed();
  await r.advance(1);
  assert.ok(r.types().includes('SHUTDOWN'));
  await r.advance(10);
  assert.equal(r.commands.length, 1);
  const at = r.commands[0]!.atMs;
  assert.ok(at >= out + 5000 && at <= out + 5250, `command ${at - out} ms after the last secondary left: finalDelay plus one 250 ms check`);
  await r.monitor.stop();
});

test('primary gives up on secondaries that never log out after hostSync', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { hostSync: 15 });
  r.src(A).logins = 1;
  r.src(A).status = 'OB LB';
  await r.advance(5);
  const fsdAt = r.elapsed();
  await r.advance(14);
  assert.ok(!r.types().includes('SHUTDOWN'), 'still waiting within hostSync');
  await r.advance(10);
  assert.ok(r.types().includes('SHUTDOWN'));
  assert.ok(r.log.lines.some((l) => l.includes('host sync timer expired')));
  await r.advance(10);
  assert.equal(r.commands.length, 1);
  const waited = r.commands[0]!.atMs - fsdAt;
  assert.ok(waited > 20_000 && waited <= 20_500, `hostSync 15 s + finalDelay 5 s, got ${waited} ms`);
  await r.monitor.stop();
});

test('a secondary that sees OB LB without FSD gives the primary hostSync, then shuts down by itself', async () => {
  const r = await startRig([{ name: A, role: 'secondary' }]);
  r.src(A).status = 'OB';
  await r.advance(5);
  r.src(A).status = 'OB LB';
  await r.advance(5);
  const lb = r.elapsed();
  await r.advance(10);
  assert.equal(r.commands.length, 0, 'waiting for the primary');
  await r.advance(15);
  assert.equal(r.commands.length, 1);
  assert.ok(r.commands[0]!.atMs - lb > 15_000, 'not before hostSync passed');
  await r.monitor.stop();
});

test('a short network blip on a secondary while OB waits out deadTime (nut#2454)', async () => {
  const r = await startRig([{ name: A, role: 'secondary' }], { deadTime: 120, pollFreq: 15, pollFreqAlert: 5 });
  r.src(A).status = 'OB DISCHRG';
  await r.advance(15);
  r.src(A).status = null;
  r.src(A).error = 'Server disconnected';
  await r.advance(5);
  assert.deepEqual(r.types(), ['ONBATT', 'COMMBAD']);
  r.src(A).status = 'OB DISCHRG';
  await r.advance(5);
  assert.deepEqual(r.types(), ['ONBATT', 'COMMBAD', 'COMMOK']);
  await r.advance(60);
  assert.equal(r.commands.length, 0, 'no shutdown on a blip');
  await r.monitor.stop();
});

test('lost connection while OB: critical only after deadTime, then shutdown', async () => {
  const r = await startRig([{ name: A, role: 'secondary' }], { deadTime: 15 });
  r.src(A).status = 'OB';
  await r.advance(5);
  const lastOk = r.elapsed();
  r.src(A).status = null;
  await r.advance(15);
  assert.equal(r.commands.length, 0, 'still within deadTime');
  await r.advance(30);
  assert.equal(r.commands.length, 1);
  const t = r.commands[0]!.atMs - lastOk;
  assert.ok(t > 15_000 && t <= 30_000, `after deadTime + finalDelay, got ${t} ms`);
  await r.monitor.stop();
});

test('lost connection while OL: never a reason to shut down; NOCOMM after noCommWarnTime, repeated', async () => {
  const r = await startRig([{ name: A }], { noCommWarnTime: 60 });
  await r.advance(5);
  r.src(A).status = null;
  await r.advance(600);
  assert.equal(r.commands.length, 0);
  const t = r.types();
  assert.equal(t[0], 'COMMBAD');
  const nocomm = t.filter((x) => x === 'NOCOMM').length;
  assert.ok(nocomm >= 8 && nocomm <= 10, `NOCOMM about every 60 s over 600 s, got ${nocomm}`);
  await r.monitor.stop();
});

test('stale data while last seen CAL or OL is no reason to shut down (nut#2794)', async () => {
  for (const last of ['CAL DISCHRG', 'OL CHRG']) {
    const r = await startRig([{ name: A, role: 'primary' }]);
    r.src(A).status = last;
    await r.advance(5);
    r.src(A).status = null;
    r.src(A).error = 'Data stale';
    await r.advance(300);
    assert.equal(r.commands.length, 0, `last seen ${last}`);
    assert.equal(r.src(A).fsdCalls, 0);
    await r.monitor.stop();
  }
});

test('NUT keeps: silent while last seen on BYPASS is critical at once', async () => {
  const r = await startRig([{ name: A, role: 'secondary' }]);
  r.src(A).status = 'OL BYPASS';
  await r.advance(5);
  r.src(A).status = null;
  await r.advance(5);
  await r.advance(5);
  assert.equal(r.commands.length, 1);
  await r.monitor.stop();
});

test('minSupplies with several UPSes: one critical of three is fine, two is not', async () => {
  const r = await startRig([{ name: A }, { name: B }, { name: C }], { minSupplies: 2 });
  r.src(A).status = 'FSD OB LB';
  await r.advance(10);
  assert.equal(r.commands.length, 0, '2 of 3 healthy');
  assert.equal(r.monitor.view().healthy, 2);
  r.src(B).status = 'FSD OB LB';
  await r.advance(10);
  assert.equal(r.commands.length, 1, '1 < minSupplies 2');
  await r.monitor.stop();
});

test('a power value 0 UPS is watched only: its failure changes nothing', async () => {
  const r = await startRig([{ name: A, powerValue: 0 }, { name: B }]);
  r.src(A).status = 'FSD OB LB';
  await r.advance(30);
  assert.equal(r.commands.length, 0);
  assert.ok(r.types(A).includes('FSD'));
  await r.monitor.stop();
});

test('power back during the sequence: the shutdown goes on (FSD is latched, as in NUT)', async () => {
  const r = await startRig([{ name: A, role: 'primary' }]);
  r.src(A).status = 'OB LB';
  await r.advance(5);
  r.src(A).status = 'OL CHRG';
  await r.advance(10);
  assert.equal(r.commands.length, 1);
  await r.monitor.stop();
});

test('REPLBATT repeats every rbWarnTime while RB stays', async () => {
  const r = await startRig([{ name: A }], { rbWarnTime: 100 });
  r.src(A).status = 'OL RB';
  await r.advance(350);
  const n = r.types().filter((t) => t === 'REPLBATT').length;
  assert.ok(n === 4, `at 0, ~100, ~200, ~300 s: got ${n}`);
  await r.monitor.stop();
});

test('OFF counts as critical only after offDuration; -1 never', async () => {
  const r = await startRig([{ name: A }], { offDuration: 30 });
  r.src(A).status = 'OFF';
  await r.advance(25);
  assert.equal(r.commands.length, 0);
  await r.advance(20);
  assert.equal(r.commands.length, 1);
  await r.monitor.stop();
  const never = await startRig([{ name: A }], { offDuration: -1 });
  never.src(A).status = 'OFF';
  await never.advance(300);
  assert.equal(never.commands.length, 0);
  await never.monitor.stop();
});

test('obLbDuration delays acting on OB LB; LB gone before it ends: nothing happens', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { obLbDuration: 20 });
  r.src(A).status = 'OB LB';
  await r.advance(15);
  r.src(A).status = 'OB';
  await r.advance(60);
  assert.equal(r.src(A).fsdCalls, 0);
  r.src(A).status = 'OB LB';
  await r.advance(19);
  assert.equal(r.src(A).fsdCalls, 0);
  await r.advance(10);
  assert.equal(r.src(A).fsdCalls, 1);
  await r.monitor.stop();
});

test('OB LB while calibrating is not critical', async () => {
  const r = await startRig([{ name: A, role: 'primary' }]);
  r.src(A).status = 'OB LB CAL';
  await r.advance(60);
  assert.equal(r.commands.length, 0);
  await r.monitor.stop();
});

test('policy onBatteryFor fires on time, and power back before it cancels it', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { policy: { onBatteryFor: 30 }, finalDelay: 0 });
  r.src(A).status = 'OB';
  r.src(A).changed();
  await r.advance(20);
  r.src(A).status = 'OL';
  r.src(A).changed();
  await r.advance(60);
  assert.equal(r.commands.length, 0);
  r.src(A).status = 'OB';
  r.src(A).changed();
  const ob = r.elapsed();
  await r.advance(40);
  assert.equal(r.commands.length, 1);
  assert.equal(r.commands[0]!.atMs - ob, 30_000, 'exactly when the policy says, not at the next 5 s poll');
  await r.monitor.stop();
});

test('policy chargeAtMost: needs two polls in a row; one misread value never shuts down', async () => {
  const r = await startRig([{ name: A }], { policy: { chargeAtMost: 30 } });
  r.src(A).status = 'OB';
  r.src(A).charge = 80;
  await r.advance(5);
  r.src(A).charge = 0;
  await r.advance(5);
  r.src(A).charge = 79;
  await r.advance(30);
  assert.equal(r.commands.length, 0, 'a single 0 % reading is not acted on');
  r.src(A).charge = 30;
  await r.advance(5);
  assert.equal(r.commands.length, 0);
  await r.advance(15);
  assert.equal(r.commands.length, 1);
  assert.match(r.log.lines.join('\n'), /battery charge 30 % \(policy: at most 30 %\)/);
  await r.monitor.stop();
});

test('policy runtimeAtMost, and the view says what happens next', async () => {
  const r = await startRig([{ name: A }], { policy: { runtimeAtMost: 120, chargeAtMost: 30, onBatteryFor: 300 } });
  r.src(A).status = 'OB';
  r.src(A).runtime = 600;
  r.src(A).charge = 70;
  await r.advance(225);
  const v = r.monitor.view().supplies[0]!;
  assert.match(v.next, /^shutdown at 30 % charge, at 2 min runtime, in 1 min 20 s or on low battery, whichever comes first$/);
  r.src(A).runtime = 100;
  await r.advance(10);
  assert.equal(r.commands.length, 0, 'not yet: one poll so far (plus finalDelay)');
  await r.advance(10);
  assert.equal(r.commands.length, 1);
  await r.monitor.stop();
});

test('dry run: the sequence is logged, no FSD is set, no command runs', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { dryRun: true, powerDownFlag: '/tmp/x' });
  r.src(A).status = 'OB LB';
  await r.advance(30);
  assert.equal(r.commands.length, 0);
  assert.equal(r.src(A).fsdCalls, 0);
  assert.deepEqual(r.flags, []);
  assert.ok(r.log.lines.some((l) => l.includes('dry run: would write the power-down flag /tmp/x and run: poweroff-for-test')));
  assert.ok(r.types().includes('SHUTDOWN'));
  await r.monitor.stop();
});

test('state notifications come in pairs, each once: CAL/NOTCAL, TRIM/NOTTRIM, BOOST, OVER, BYPASS, ALARM, OTHER', async () => {
  const r = await startRig([{ name: A }]);
  const seq = ['OL CAL', 'OL CAL', 'OL', 'OL TRIM', 'OL', 'OL BOOST', 'OL', 'OL OVER', 'OL', 'OL ECO', 'OL', 'OL WEIRD', 'OL WEIRD', 'OL'];
  for (const s of seq) {
    r.src(A).status = s;
    await r.advance(5);
  }
  assert.deepEqual(r.types(), ['CAL', 'NOTCAL', 'TRIM', 'NOTTRIM', 'BOOST', 'NOTBOOST', 'OVER', 'NOTOVER', 'ECO', 'NOTECO', 'OTHER', 'NOTOTHER']);
  const other = r.notes.find((n) => n.type === 'OTHER')!;
  assert.equal(other.message, 'UPS ups@a: has at least one unclassified status token: [WEIRD]');
  await r.monitor.stop();
});

test('a local UPS change is acted on at once, not at the next poll', async () => {
  const r = await startRig([{ name: A }]);
  await r.advance(2);
  r.src(A).status = 'OB';
  r.src(A).changed();
  await r.advance(0);
  assert.deepEqual(r.types(), ['ONBATT']);
  assert.equal(r.notes[0]!.at - r.clock.now(), 0);
  await r.monitor.stop();
});

test('messages are NUT stock ones, or the configured ones', async () => {
  const r = await startRig([{ name: A }], { notify: { messages: { ONBATT: 'Power lost on %s!' } } });
  r.src(A).status = 'OB';
  await r.advance(5);
  r.src(A).status = 'OL';
  await r.advance(5);
  assert.deepEqual(
    r.notes.map((n) => n.message),
    ['Power lost on ups@a!', 'UPS ups@a on line power'],
  );
  await r.monitor.stop();
});

test('dry run goes on watching after the sequence, and runs it again only after the supplies were healthy', async () => {
  const r = await startRig([{ name: A, role: 'primary' }], { dryRun: true });
  r.src(A).status = 'OB LB';
  await r.advance(60);
  assert.equal(r.types().filter((t) => t === 'SHUTDOWN').length, 1);
  assert.equal(r.monitor.view().shutdown, null);
  r.src(A).status = 'OL';
  await r.advance(10);
  r.src(A).status = 'OB LB';
  await r.advance(30);
  assert.equal(r.types().filter((t) => t === 'SHUTDOWN').length, 2);
  assert.deepEqual(r.commands, []);
  await r.monitor.stop();
});

test('a battery test result that changes is announced; the one standing at start-up is not', async () => {
  const r = await startRig([{ name: A }]);
  r.src(A).testResult = 'Done and passed';
  await r.advance(5);
  r.src(A).testResult = 'In progress';
  await r.advance(5);
  r.src(A).testResult = 'Done and warning';
  await r.advance(5);
  assert.deepEqual(r.types(), ['BATTERY_TEST']);
  assert.equal(r.notes[0]!.message, 'UPS ups@a: battery test result: Done and warning');
  await r.monitor.stop();
});

test('a policy reached is announced once, with why', async () => {
  const r = await startRig([{ name: A, powerValue: 0 }], { policy: { onBatteryFor: 10 }, minSupplies: 0 });
  r.src(A).status = 'OB';
  await r.advance(60);
  assert.deepEqual(r.types(), ['ONBATT', 'POLICY']);
  assert.match(r.notes[1]!.message, /^UPS ups@a: shutdown policy reached: on battery for 1\d s \(policy: 10 s\)$/);
  await r.monitor.stop();
});

test('alarmCritical: silent after ALARM is critical by default, not when turned off', async () => {
  for (const [alarmCritical, shuts] of [[true, 1], [false, 0]] as const) {
    const r = await startRig([{ name: A }], { alarmCritical });
    r.src(A).status = 'OL ALARM';
    await r.advance(5);
    r.src(A).status = null;
    await r.advance(30);
    assert.equal(r.commands.length, shuts, `alarmCritical ${alarmCritical}`);
    assert.equal(r.notes.find((n) => n.type === 'ALARM')!.message, 'UPS ups@a: one or more active alarms: [n/a]');
    await r.monitor.stop();
  }
});

test('overDuration: silent after OVER is critical only once overDuration has passed; -1 never', async () => {
  const r = await startRig([{ name: A }], { overDuration: 20 });
  r.src(A).status = 'OL OVER';
  await r.advance(5);
  r.src(A).status = null;
  await r.advance(10);
  assert.equal(r.commands.length, 0);
  await r.advance(30);
  assert.equal(r.commands.length, 1);
  await r.monitor.stop();
  const never = await startRig([{ name: A }]);
  never.src(A).status = 'OL OVER';
  await never.advance(5);
  never.src(A).status = null;
  await never.advance(300);
  assert.equal(never.commands.length, 0);
  await never.monitor.stop();
});

test('shutdownExit: stays logged in for that long after the command, then logs out', async () => {
  const r = await startRig([{ name: A }], { shutdownExit: 30, finalDelay: 0 });
  r.src(A).status = 'FSD OL';
  await r.advance(5);
  assert.equal(r.commands.length, 1);
  await r.advance(20);
  assert.ok(!r.src(A).stopped, 'still logged in within shutdownExit');
  await r.advance(15);
  assert.ok(r.src(A).stopped);
  await r.monitor.stop();
});

test('timers (upssched) run on the monitor clock: ONBATT starts one, ONLINE cancels it', async () => {
  const { TimerSchedule } = await import('../../src/monitor/schedule');
  const ran: string[] = [];
  const r = await startRig(
    [{ name: A }],
    {
      timers: {
        command: '/bin/true',
        rules: [
          { at: ['ONBATT'], start: 'onbatt', after: 30 },
          { at: ['ONLINE'], cancel: 'onbatt' },
        ],
      },
    },
    { schedule: (cfg, clock) => new TimerSchedule({ rules: cfg.timers.rules, command: cfg.timers.command, clock, log: new MemoryLogger(), run: (arg) => ran.push(arg) }) },
  );
  r.src(A).status = 'OB';
  await r.advance(20);
  r.src(A).status = 'OL';
  await r.advance(60);
  assert.deepEqual(ran, []);
  r.src(A).status = 'OB';
  await r.advance(40);
  assert.deepEqual(ran, ['onbatt']);
  await r.monitor.stop();
});
