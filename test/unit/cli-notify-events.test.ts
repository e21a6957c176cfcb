/** `upsagent notify test` and `upsagent events` in-process, with temp config files and real /bin/sh commands. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryIO } from '../../src/cli/io';
import { localTime, runEvents } from '../../src/cli/commands/events';
import { runNotifyTest } from '../../src/cli/commands/notify-test';
import { MemoryLogger } from '../../src/core/logger';
import { MONITOR_DEFAULTS } from '../../src/monitor/config';
import { EventHistory } from '../../src/monitor/history';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upsagent-cli-notify-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const tmp = (name: string): string => path.join(dir, `${++seq}-${name}`);

/** A config watching a remote UPS (no ups: section needed), with `monitorExtra` YAML lines indented under monitor:. */
function configFile(monitorExtra: string[]): string {
  const file = tmp('upsagent.yaml');
  const lines = ['monitor:', '  ups:', '    - name: rack@127.0.0.1', '      user: mon', '      password: secret', ...monitorExtra.map((l) => `  ${l}`)];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function withTZ<T>(tz: string, fn: () => Promise<T>): Promise<T> {
  const old = process.env.TZ;
  process.env.TZ = tz;
  return fn().finally(() => {
    if (old === undefined) delete process.env.TZ;
    else process.env.TZ = old;
  });
}

void describe('notify test', () => {
  void test('sends through the routes, runs each command, exit 0 when all exited 0', async () => {
    const out = tmp('env');
    const cfg = configFile([
      'notify:',
      '  routes:',
      '    ONBATT: [log, wall, exec]',
      '  messages:',
      '    ONBATT: "Power lost at %s"',
      '  commands:',
      `    - printf '%s|%s|%s' "$UPSNAME" "$NOTIFYTYPE" "$NOTIFYMSG" > ${out}`,
      '    - command: "true"',
      '      events: [ONBATT]',
      '    - command: "false"',
      '      events: [LOWBATT]',
    ]);
    const io = new MemoryIO();
    const walls: string[] = [];
    const code = await runNotifyTest({ config: cfg, type: 'onbatt' }, io, { wall: (t) => walls.push(t) });
    assert.equal(code, 0, io.stderr);
    assert.equal(
      io.stdout,
      [
        'ONBATT for rack@127.0.0.1: Power lost at rack@127.0.0.1',
        '  log: sent',
        '  wall: sent to logged-in users',
        `  command printf '%s|%s|%s' "$UPSNAME" "$NOTIFYTYPE" "$NOTIFYMSG" > ${out}: exited 0`,
        '  command true: exited 0',
        '',
      ].join('\n'),
    );
    assert.equal(fs.readFileSync(out, 'utf8'), 'rack@127.0.0.1|ONBATT|Power lost at rack@127.0.0.1');
    assert.deepEqual(walls, ['Power lost at rack@127.0.0.1']);
    assert.equal(io.stderr, 'warn: Power lost at rack@127.0.0.1\n');
  });

  void test('a failing command and one killed at commandTimeout: exit 1, each reported', async () => {
    const cfg = configFile([
      'notify:',
      '  commandTimeout: 1',
      '  commands:',
      '    - command: "echo no route to host >&2; exit 7"',
      '      events: [LOWBATT]',
      '    - command: "sleep 30"',
      '      events: [LOWBATT]',
    ]);
    const io = new MemoryIO();
    const code = await runNotifyTest({ config: cfg, type: 'LOWBATT', ups: 'other@10.0.0.9' }, io, { wall: () => undefined });
    assert.equal(code, 1);
    assert.equal(
      io.stdout,
      [
        'LOWBATT for other@10.0.0.9: UPS other@10.0.0.9 battery is low',
        '  log: sent (the default)',
        '  wall: sent to logged-in users (the default)',
        '  command echo no route to host >&2; exit 7: exited 7',
        '    stderr: no route to host',
        '  command sleep 30: killed after 1s',
        '2 of 2 command(s) failed',
        '',
      ].join('\n'),
    );
  });

  void test('a type routed to ignore with no command: nothing sent, exit 0', async () => {
    const cfg = configFile(['notify:', '  routes:', '    ONLINE: [ignore]']);
    const io = new MemoryIO();
    assert.equal(await runNotifyTest({ config: cfg, type: 'Online' }, io, { wall: () => assert.fail('no wall') }), 0);
    assert.equal(io.stdout, 'ONLINE for rack@127.0.0.1: UPS rack@127.0.0.1 on line power\n  nothing sent: ONLINE is routed to ignore and no command names it\n');
  });

  void test('an unknown type: exit 2 listing the allowed ones', async () => {
    const io = new MemoryIO();
    assert.equal(await runNotifyTest({ config: configFile([]), type: 'ONBAT' }, io), 2);
    assert.match(io.stderr, /^Unknown notification type "ONBAT"; one of: ONLINE, ONBATT, LOWBATT, .*BATTERY_TEST\n$/);
    assert.equal(io.stdout, '');
  });

  void test('no monitor section, an invalid config, a missing file: exit 2 with the reason', async () => {
    const noMonitor = tmp('ups-only.yaml');
    fs.writeFileSync(noMonitor, 'ups:\n  demo:\n    driver: dummy\n    port: demo.dev\n');
    let io = new MemoryIO();
    assert.equal(await runNotifyTest({ config: noMonitor, type: 'ONBATT' }, io), 2);
    assert.equal(io.stderr, `${noMonitor}: has no monitor: section; notifications are configured under monitor.notify\n`);

    const invalid = configFile(['notify:', '  routes:', '    ONBATT: [syslog]']);
    io = new MemoryIO();
    assert.equal(await runNotifyTest({ config: invalid, type: 'ONBATT' }, io), 2);
    assert.match(io.stderr, /problem\(s\)\n {2}monitor\.notify\.routes\.ONBATT\[0\]: .*syslog/);

    const missing = path.join(dir, 'nope.yaml');
    io = new MemoryIO();
    assert.equal(await runNotifyTest({ config: missing, type: 'ONBATT' }, io), 2);
    assert.match(io.stderr, /nope\.yaml/);
  });
});

void describe('events', () => {
  async function stateWith(file: string, n: number): Promise<void> {
    const h = new EventHistory({ file, size: 100, log: new MemoryLogger() });
    const base = Date.UTC(2026, 0, 15, 9, 5, 7);
    const types = ['ONBATT', 'LOWBATT', 'ONLINE', 'SHUTDOWN'];
    for (let i = 0; i < n; i++) {
      const type = types[i % types.length]!;
      h.add({ at: base + i * 61_000, ups: type === 'SHUTDOWN' ? '' : i % 2 ? 'rack@10.0.0.2' : 'demo', type, message: `message ${i}` });
    }
    await h.flush();
  }

  void test('lines oldest first with local time and offset; UPS and type columns lined up', async () => {
    const state = tmp('monitor.json');
    await stateWith(state, 4);
    const cfg = configFile([`stateFile: ${state}`]);
    const io = new MemoryIO();
    assert.equal(await withTZ('UTC', () => runEvents({ config: cfg, json: false }, io)), 0, io.stderr);
    assert.equal(
      io.stdout,
      [
        '2026-01-15 09:05:07 +0000  demo           ONBATT    message 0',
        '2026-01-15 09:06:08 +0000  rack@10.0.0.2  LOWBATT   message 1',
        '2026-01-15 09:07:09 +0000  demo           ONLINE    message 2',
        '2026-01-15 09:08:10 +0000  -              SHUTDOWN  message 3',
        '',
      ].join('\n'),
    );
  });

  void test('--limit keeps the most recent; the time is local with its offset', async () => {
    const state = tmp('monitor.json');
    await stateWith(state, 4);
    const cfg = configFile([`stateFile: ${state}`]);
    const io = new MemoryIO();
    assert.equal(await withTZ('Asia/Kolkata', () => runEvents({ config: cfg, json: false, limit: 2 }, io)), 0, io.stderr);
    assert.equal(io.stdout, ['2026-01-15 14:37:09 +0530  demo  ONLINE    message 2', '2026-01-15 14:38:10 +0530  -     SHUTDOWN  message 3', ''].join('\n'));
    await withTZ('America/St_Johns', () => {
      assert.equal(localTime(Date.UTC(2026, 6, 1, 12, 0, 0)), '2026-07-01 09:30:00 -0230');
      return Promise.resolve();
    });
  });

  void test('--json: ISO times', async () => {
    const state = tmp('monitor.json');
    await stateWith(state, 2);
    const io = new MemoryIO();
    assert.equal(await runEvents({ config: configFile([`stateFile: ${state}`]), json: true, limit: 1 }, io), 0);
    assert.deepEqual(JSON.parse(io.stdout), { events: [{ at: '2026-01-15T09:06:08.000Z', ups: 'rack@10.0.0.2', type: 'LOWBATT', message: 'message 1' }] });
  });

  void test('no state file yet: said so, exit 0 (JSON: an empty list)', async () => {
    const state = path.join(dir, 'never-written.json');
    const cfg = configFile([`stateFile: ${state}`]);
    let io = new MemoryIO();
    assert.equal(await runEvents({ config: cfg, json: false }, io), 0);
    assert.equal(io.stdout, `No events recorded yet (${state})\n`);
    io = new MemoryIO();
    assert.equal(await runEvents({ config: cfg, json: true }, io), 0);
    assert.deepEqual(JSON.parse(io.stdout), { events: [] });
  });

  void test('without a monitor section, the default state file is read', async () => {
    const cfg = tmp('ups-only.yaml');
    fs.writeFileSync(cfg, 'ups:\n  demo:\n    driver: dummy\n    port: demo.dev\n');
    // Whatever this machine's default file holds (or its absence): the same as naming that file outright.
    const named = tmp('named-default.yaml');
    fs.writeFileSync(named, `ups:\n  demo:\n    driver: dummy\n    port: demo.dev\nmonitor:\n  ups: [{ name: demo }]\n  stateFile: ${MONITOR_DEFAULTS.stateFile}\n`);
    const io = new MemoryIO();
    const code = await runEvents({ config: cfg, json: true }, io);
    const ref = new MemoryIO();
    assert.equal(await runEvents({ config: named, json: true }, ref), code);
    assert.equal(io.stdout, ref.stdout);
    assert.equal(io.stderr, ref.stderr);
    if (!fs.existsSync(MONITOR_DEFAULTS.stateFile)) assert.deepEqual(JSON.parse(io.stdout), { events: [] });
  });

  void test('a corrupt or unreadable state file: exit 1 with the reason', async () => {
    const state = tmp('monitor.json');
    fs.writeFileSync(state, '{"version": 1, "events": [');
    let io = new MemoryIO();
    assert.equal(await runEvents({ config: configFile([`stateFile: ${state}`]), json: false }, io), 1);
    assert.match(io.stderr, /^Error: .*monitor\.json: not a valid upsagent state file: /);
    assert.equal(io.stdout, '');

    io = new MemoryIO();
    assert.equal(await runEvents({ config: configFile([`stateFile: ${dir}`]), json: false }, io), 1);
    assert.match(io.stderr, /^Error: .*cannot read the state file: EISDIR/);
  });

  void test('a bad --limit or config: exit 2', async () => {
    let io = new MemoryIO();
    assert.equal(await runEvents({ config: configFile([]), json: false, limit: 0 }, io), 2);
    assert.equal(io.stderr, '--limit must be a whole number of at least 1, not 0\n');
    io = new MemoryIO();
    assert.equal(await runEvents({ config: path.join(dir, 'nope.yaml'), json: false }, io), 2);
    assert.match(io.stderr, /nope\.yaml/);
  });
});
