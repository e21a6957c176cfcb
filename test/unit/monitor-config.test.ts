/** The monitor: section: NUT's defaults, the documented example, and clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, parseConfig } from '../../src/app/config';
import { ConfigError } from '../../src/core/errors';

const EXAMPLE = resolve(__dirname, '../../config.example.yaml');
const LOCAL = 'ups:\n  myups:\n    driver: dummy\n    port: /tmp/x.dev\n';

async function problems(text: string): Promise<string[]> {
  try {
    await parseConfig(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('accepted');
}

test("NUT's defaults when only the UPS is named", async () => {
  const cfg = await parseConfig(`${LOCAL}monitor:\n  ups:\n    - name: myups\n`);
  const m = cfg.monitor!;
  assert.deepEqual(
    { minSupplies: m.minSupplies, pollFreq: m.pollFreq, pollFreqAlert: m.pollFreqAlert, hostSync: m.hostSync, deadTime: m.deadTime, finalDelay: m.finalDelay },
    { minSupplies: 1, pollFreq: 5, pollFreqAlert: 5, hostSync: 15, deadTime: 15, finalDelay: 5 },
  );
  assert.deepEqual(
    { rb: m.rbWarnTime, nocomm: m.noCommWarnTime, off: m.offDuration, over: m.overDuration, oblb: m.obLbDuration, alarm: m.alarmCritical, exit: m.shutdownExit },
    { rb: 43200, nocomm: 300, off: 30, over: -1, oblb: 0, alarm: true, exit: 0 },
  );
  assert.equal(m.shutdownCommand, '/sbin/shutdown -h +0');
  assert.equal(m.powerDownFlag, undefined, 'no compiled-in default, as in NUT');
  assert.equal(m.dryRun, false);
  assert.equal(m.ups[0]!.powerValue, 1);
  assert.deepEqual(m.notify.routes, {});
  assert.deepEqual(m.timers.rules, []);
});

test('a host that only watches a remote UPS needs nothing but monitor:', async () => {
  const cfg = await parseConfig('monitor:\n  ups:\n    - name: rack@10.0.0.5:3493\n      user: monuser\n      password: secret\n');
  assert.deepEqual(cfg.ups, {});
  assert.equal(cfg.monitor!.ups[0]!.name, 'rack@10.0.0.5:3493');
});

test('the example documents every monitor key and is valid', async () => {
  const cfg = await loadConfig(EXAMPLE);
  const text = readFileSync(EXAMPLE, 'utf8');
  const m = cfg.monitor!;
  assert.equal(m.ups[0]!.role, 'primary');
  assert.equal(m.policy.chargeAtMost, 30);
  const keys = [
    ...Object.keys(m),
    ...['name', 'powerValue', 'role', 'user', 'password'],
    ...Object.keys(m.notify),
    'onBatteryFor', 'chargeAtMost', 'runtimeAtMost',
    'command', 'rules', 'at', 'ups', 'start', 'after', 'shared', 'cancel', 'matched', 'otherwise', 'execute',
  ];
  for (const k of keys) assert.match(text, new RegExp(`\\b${k}:`), `${k} is documented`);
});

test('clear errors: path, what is wrong, what is allowed', async () => {
  assert.deepEqual(await problems(`${LOCAL}monitor:\n  ups:\n    - name: othr\n`), [
    'monitor.ups[0].name: othr is not a UPS of the ups: section (myups); for a UPS on a NUT server write ups@host[:port]',
  ]);
  assert.deepEqual(await problems('monitor:\n  ups:\n    - name: a@h\n'), [
    'monitor.ups[0]: user and password are required for a@h: the monitor logs in to the server so a primary can count it',
  ]);
  assert.deepEqual(await problems('monitor:\n  ups:\n    - name: a@h\n      user: u\n'), ['monitor.ups[0]: give both user and password, or neither (a local UPS needs neither)']);
  const bad = await problems(`${LOCAL}monitor:\n  ups:\n    - name: myups\n      role: boss\n  pollfreq: 5\n  deadTime: -3\n`);
  assert.ok(bad.some((l) => l.startsWith('monitor.ups[0].role:') && l.includes('primary')), bad.join('\n'));
  assert.ok(bad.some((l) => l.startsWith('monitor.pollfreq: unknown key; allowed here:') && l.includes('pollFreq')), bad.join('\n'));
  assert.ok(bad.some((l) => l.startsWith('monitor.deadTime:')), bad.join('\n'));
  assert.deepEqual(await problems(`${LOCAL}monitor:\n  ups:\n    - name: myups\n    - name: MYUPS\n`), ['monitor.ups[1].name: MYUPS is watched twice']);
  assert.deepEqual(await problems(`${LOCAL}monitor:\n  ups:\n    - name: myups\n      powerValue: 0\n`), [
    "monitor.minSupplies: is 1 but the watched UPSes' power values add up to 0: the host would be shut down at once; lower minSupplies (0 = watch only)",
  ]);
  assert.deepEqual(await problems('server:\n  maxAge: 15\n'), [
    'ups: is required (a ups: section with at least one UPS, or a monitor: section watching UPSes on other servers)',
  ]);
});

test('notification and timer rules are checked', async () => {
  const head = `${LOCAL}monitor:\n  ups:\n    - name: myups\n`;
  const n = await problems(`${head}  notify:\n    routes:\n      ONBAT: [log]\n      ONLINE: [log, email]\n`);
  assert.ok(n.some((l) => l.startsWith('monitor.notify.routes.ONBAT:') && l.includes('notification type')), n.join('\n'));
  assert.ok(n.some((l) => l.startsWith('monitor.notify.routes.ONLINE[1]:') && l.includes('log, wall, exec, ignore')), n.join('\n'));
  const t = await problems(`${head}  timers:\n    command: /bin/true\n    rules:\n      - { at: [ONBATT], start: x, cancel: y }\n      - { at: [ONBATT], start: x }\n      - { at: [ONLINE], execute: z, matched: true }\n`);
  assert.deepEqual(t, [
    'monitor.timers.rules[0]: give exactly one of start (with after), cancel or execute',
    'monitor.timers.rules[1].after: is required with start (seconds)',
    'monitor.timers.rules[2].matched: only goes with cancel',
  ]);
  assert.deepEqual(await problems(`${head}  timers:\n    rules:\n      - { at: [ONBATT], execute: z }\n`), [
    'monitor.timers.command: is required when there are rules (the command the timers run)',
  ]);
});
