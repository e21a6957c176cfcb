/** Notifier: routes, real /bin/sh commands in a temp dir, deadlines, and that notify() never waits. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../src/core/logger';
import type { NotifyConfig } from '../../src/monitor/config';
import { Notifier, defaultWall, notifyScript, spawnShell, type CommandResult, type RunningCommand } from '../../src/monitor/notifier';
import type { Notification, NotifyType } from '../../src/monitor/notify-types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upsagent-notifier-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const file = (name: string): string => path.join(dir, `${++seq}-${name}`);

function config(over: Partial<NotifyConfig> = {}): NotifyConfig {
  return { routes: {}, messages: {}, commands: [], commandTimeout: 60, ...over };
}

function make(over: Partial<NotifyConfig> = {}): { n: Notifier; log: MemoryLogger; walls: string[] } {
  const log = new MemoryLogger();
  const walls: string[] = [];
  const n = new Notifier({ config: config(over), log, wall: (t) => walls.push(t) });
  return { n, log, walls };
}

function note(type: NotifyType, ups: string, message: string): Notification {
  return { type, ups, message, at: Date.UTC(2026, 0, 1) };
}

/** Waits for a condition of a real process; the limit only keeps a broken test from hanging. */
async function until(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A live (not zombie) process. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

void describe('Notifier messages', () => {
  void test('configured message, else NUT stock one; the extra fills the second %s', () => {
    const { n } = make({ messages: { ONBATT: 'Power out at %s!' } });
    assert.equal(n.message('ONBATT', 'rack'), 'Power out at rack!');
    assert.equal(n.message('LOWBATT', 'rack'), 'UPS rack battery is low');
    assert.equal(n.message('ALARM', 'rack', 'OVERHEAT'), 'UPS rack: one or more active alarms: [OVERHEAT]');
  });
});

void describe('Notifier routes', () => {
  void test('default routes log and wall; alarming types at warn, others at info', () => {
    const { n, log, walls } = make();
    const o1 = n.notify(note('ONBATT', 'rack', 'UPS rack on battery'));
    const o2 = n.notify(note('ONLINE', 'rack', 'UPS rack on line power'));
    assert.deepEqual(o1.routes, ['log', 'wall']);
    assert.deepEqual(o2.routes, ['log', 'wall']);
    assert.deepEqual(o1.commands, []);
    assert.deepEqual(log.lines, ['warn [test] UPS rack on battery', 'info [test] UPS rack on line power']);
    assert.deepEqual(walls, ['UPS rack on battery', 'UPS rack on line power']);
  });

  void test('ignore sends nothing, even with log beside it (as upsmon); a command naming the type still runs', async () => {
    const out = file('ignored');
    const { n, log, walls } = make({
      routes: { ONLINE: ['ignore'], COMMOK: ['ignore', 'log'] },
      commands: [{ command: `echo any >> ${out}` }, { command: `echo "$NOTIFYTYPE" >> ${out}`, events: ['COMMOK'] }],
    });
    const o1 = n.notify(note('ONLINE', 'rack', 'back'));
    assert.deepEqual(o1, { routes: [], commands: [] });
    const o2 = n.notify(note('COMMOK', 'rack', 'comm ok'));
    assert.deepEqual(o2.routes, []);
    assert.equal(o2.commands.length, 1);
    await o2.commands[0]!.done;
    assert.equal(fs.readFileSync(out, 'utf8'), 'COMMOK\n');
    assert.deepEqual(walls, []);
    assert.ok(!log.lines.some((l) => l.includes('back') || l.includes('comm ok')), log.lines.join('\n'));
  });

  void test('a wall that throws is logged and the rest still happens', () => {
    const log = new MemoryLogger();
    const n = new Notifier({
      config: config(),
      log,
      wall: () => {
        throw new Error('no tty');
      },
    });
    const o = n.notify(note('FSD', 'rack', 'FSD!'));
    assert.deepEqual(o.routes, ['log', 'wall']);
    assert.ok(log.lines.includes('warn [test] console broadcast failed: no tty'), log.lines.join('\n'));
  });
});

void describe('Notifier commands (real /bin/sh)', () => {
  void test('UPSNAME, NOTIFYTYPE and NOTIFYMSG arrive exactly, the message never parsed by the shell', async () => {
    const out = file('env');
    const { n } = make({
      routes: { ONBATT: ['exec'] },
      messages: { ONBATT: `UPS %s: "power" lost; $HOME 'x' \`id\`` },
      commands: [{ command: `printf '%s|%s|%s|%s' "$UPSNAME" "$NOTIFYTYPE" "$NOTIFYMSG" "$1" > ${out}` }],
    });
    const msg = n.message('ONBATT', 'rack@10.0.0.2');
    const o = n.notify(note('ONBATT', 'rack@10.0.0.2', msg));
    assert.deepEqual(o.routes, ['exec']);
    const r = await o.commands[0]!.done;
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), `rack@10.0.0.2|ONBATT|${msg}|${msg}`);
    assert.equal(msg, `UPS rack@10.0.0.2: "power" lost; $HOME 'x' \`id\``);
  });

  void test('a bare program is called with the message as its one argument, as NOTIFYCMD', async () => {
    const out = file('argv');
    const script = file('notifyme.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s:%s' "$#" "$1" > ${out}\n`, { mode: 0o755 });
    assert.equal(notifyScript(script), `${script} "$@"`);
    assert.equal(notifyScript('echo hi > /tmp/x'), 'echo hi > /tmp/x');
    const { n } = make({ routes: { LOWBATT: ['exec'] }, commands: [{ command: script }] });
    const o = n.notify(note('LOWBATT', 'rack', 'UPS rack battery is low'));
    await o.commands[0]!.done;
    assert.equal(fs.readFileSync(out, 'utf8'), '1:UPS rack battery is low');
  });

  void test('several commands per event; a command with events runs only for those, whatever the routes', async () => {
    const all = file('all');
    const low = file('low');
    const batt = file('batt');
    const { n } = make({
      routes: { ONBATT: ['log', 'exec'] },
      commands: [
        { command: `echo "$NOTIFYTYPE" >> ${all}` },
        { command: `echo "$NOTIFYTYPE" >> ${low}`, events: ['LOWBATT'] },
        { command: `echo "$NOTIFYTYPE" >> ${batt}`, events: ['ONBATT', 'LOWBATT'] },
      ],
    });
    const o1 = n.notify(note('ONBATT', 'rack', 'on battery'));
    assert.deepEqual(o1.routes, ['log', 'exec']);
    assert.equal(o1.commands.length, 2);
    await Promise.all(o1.commands.map((c) => c.done));
    // LOWBATT's routes are the default log+wall: no exec, but two commands asked for it by name.
    const o2 = n.notify(note('LOWBATT', 'rack', 'low'));
    assert.deepEqual(o2.routes, ['log', 'wall']);
    assert.deepEqual(o2.commands.map((c) => c.command), [`echo "$NOTIFYTYPE" >> ${low}`, `echo "$NOTIFYTYPE" >> ${batt}`]);
    await n.settled();
    assert.equal(fs.readFileSync(all, 'utf8'), 'ONBATT\n');
    assert.equal(fs.readFileSync(low, 'utf8'), 'LOWBATT\n');
    assert.equal(fs.readFileSync(batt, 'utf8'), 'ONBATT\nLOWBATT\n');
  });

  void test('a slow command does not delay notify(); its deadline kills it and what it started', async () => {
    const out = file('slow');
    const childPid = file('child-pid');
    const { n, log } = make({
      routes: { ONBATT: ['exec'] },
      commandTimeout: 1,
      commands: [{ command: `sleep 30 & echo $! > ${childPid}; wait; echo finished > ${out}` }],
    });
    const o = n.notify(note('ONBATT', 'rack', 'on battery'));
    const c = o.commands[0]!;
    // notify() has returned while the command is still running.
    assert.equal(c.result, undefined);
    assert.ok(c.pid !== undefined && alive(c.pid));
    await until(() => fs.existsSync(childPid) && fs.readFileSync(childPid, 'utf8').trim() !== '', 'the command to start its child');
    const sleeper = Number(fs.readFileSync(childPid, 'utf8'));
    assert.ok(alive(sleeper));
    assert.equal(fs.existsSync(out), false);
    await until(() => c.result !== undefined, 'the deadline to kill the command');
    assert.equal(c.result!.timedOut, true);
    assert.equal(c.result!.signal, 'SIGTERM');
    assert.equal(fs.existsSync(out), false);
    await until(() => !alive(sleeper), 'the sleep child to die with its group');
    assert.ok(log.lines.some((l) => l.startsWith('warn') && l.includes('killed after 1s')), log.lines.join('\n'));
  });

  void test('a command that ignores SIGTERM gets SIGKILL', async () => {
    const { n } = make({ routes: { FSD: ['exec'] }, commandTimeout: 1, commands: [{ command: `trap '' TERM; sleep 30` }] });
    const c = n.notify(note('FSD', 'rack', 'fsd')).commands[0]!;
    const r = await c.done;
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
  });

  void test('test(): waits for every command and reports exit codes and stderr', async () => {
    const { n, log } = make({
      routes: { ONBATT: ['log', 'exec'] },
      commands: [{ command: 'true' }, { command: 'echo boom >&2; exit 3' }],
    });
    const report = await n.test('ONBATT', 'rack');
    assert.equal(report.message, 'UPS rack on battery');
    assert.deepEqual(report.routes, ['log', 'exec']);
    assert.deepEqual(
      report.commands.map((c) => [c.command, c.result.code, c.result.stderr, c.result.timedOut]),
      [
        ['true', 0, '', false],
        ['echo boom >&2; exit 3', 3, 'boom\n', false],
      ],
    );
    assert.ok(log.lines.includes('warn [test] notification command "echo boom >&2; exit 3" (ONBATT rack) exited 3: boom'), log.lines.join('\n'));
  });

  void test('stop(): nothing new is sent, a running command is left to finish', async () => {
    const out = file('after-stop');
    const { n, walls } = make({ routes: { ONBATT: ['wall', 'exec'] }, commands: [{ command: `sleep 0.3; echo done > ${out}` }] });
    const o = n.notify(note('ONBATT', 'rack', 'on battery'));
    n.stop();
    assert.deepEqual(n.notify(note('ONBATT', 'rack', 'again')), { routes: [], commands: [] });
    assert.deepEqual(walls, ['on battery']);
    const r = await o.commands[0]!.done;
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), 'done\n');
  });
});

void describe('Notifier with an injected spawner', () => {
  void test('each notification gets its own process; a warning past 8 of one command running', async () => {
    const pending: Array<(r: CommandResult) => void> = [];
    const spawnCommand = (): RunningCommand => ({ done: new Promise<CommandResult>((r) => pending.push(r)) });
    const log = new MemoryLogger();
    const n = new Notifier({ config: config({ routes: { ONBATT: ['exec'] }, commands: [{ command: 'notifyme' }] }), log, spawnCommand, wall: () => undefined });
    for (let i = 0; i < 8; i++) n.notify(note('ONBATT', 'rack', `m${i}`));
    assert.equal(pending.length, 8);
    assert.ok(!log.lines.some((l) => l.startsWith('warn')));
    n.notify(note('ONBATT', 'rack', 'm8'));
    assert.equal(pending.length, 9);
    assert.deepEqual(log.lines.filter((l) => l.startsWith('warn')), ['warn [test] 9 copies of notification command "notifyme" are running; is it stuck?']);
    for (const p of pending.splice(0)) p({ code: 0, signal: null, timedOut: false, stderr: '' });
    await n.settled();
    n.notify(note('ONBATT', 'rack', 'm9'));
    assert.equal(log.lines.filter((l) => l.startsWith('warn')).length, 1);
  });

  void test('the spawner is given the env and the deadline in ms; one that throws does not break notify()', async () => {
    const calls: Array<[string, Record<string, string>, number]> = [];
    const log = new MemoryLogger();
    const n = new Notifier({
      config: config({ routes: { NOCOMM: ['exec'] }, commands: [{ command: 'a' }, { command: 'b' }], commandTimeout: 7 }),
      log,
      wall: () => undefined,
      spawnCommand: (cmd, env, ms) => {
        calls.push([cmd, env, ms]);
        if (cmd === 'b') throw new Error('EAGAIN');
        return { pid: 42, done: Promise.resolve({ code: 0, signal: null, timedOut: false, stderr: '' }) };
      },
    });
    const o = n.notify(note('NOCOMM', 'rack', 'UPS rack is unavailable'));
    assert.deepEqual(calls, [
      ['a', { UPSNAME: 'rack', NOTIFYTYPE: 'NOCOMM', NOTIFYMSG: 'UPS rack is unavailable' }, 7000],
      ['b', { UPSNAME: 'rack', NOTIFYTYPE: 'NOCOMM', NOTIFYMSG: 'UPS rack is unavailable' }, 7000],
    ]);
    assert.equal(o.commands[0]!.pid, 42);
    const r = await o.commands[1]!.done;
    assert.equal(r.error, 'EAGAIN');
    assert.ok(log.lines.includes('error [test] notification command "b" (NOCOMM rack) could not run: EAGAIN'), log.lines.join('\n'));
  });
});

void describe('spawnShell and wall', () => {
  void test('a missing shell comes back as an error, never a throw', async () => {
    const r = await spawnShell({ script: 'true', env: {}, timeoutMs: 5000, shell: path.join(dir, 'no-such-shell') }).done;
    assert.equal(r.code, null);
    assert.match(r.error ?? '', /ENOENT/);
  });

  void test('arguments reach the script as $1.. untouched', async () => {
    const out = file('args');
    const r = await spawnShell({ script: `printf '%s' "$1" > ${out}`, args: ['a b; $(rm -rf /)'], env: {}, timeoutMs: 5000 }).done;
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), 'a b; $(rm -rf /)');
  });

  void test('wall gets the message on stdin; without wall, a debug line', async () => {
    const out = file('wall-out');
    const fakeWall = file('wall');
    fs.writeFileSync(fakeWall, `#!/bin/sh\ncat > ${out}.tmp && mv ${out}.tmp ${out}\n`, { mode: 0o755 });
    const log = new MemoryLogger();
    defaultWall(log, () => fakeWall)('UPS rack on battery');
    await until(() => fs.existsSync(out), 'the fake wall to write');
    assert.equal(fs.readFileSync(out, 'utf8'), 'UPS rack on battery\n');

    const lookups: string[] = [];
    const none = defaultWall(log, (p) => void lookups.push(p));
    none('one');
    none('two');
    assert.deepEqual(lookups, ['wall']);
    assert.deepEqual(log.lines.filter((l) => l.includes('no wall program')).length, 2);
  });
});
