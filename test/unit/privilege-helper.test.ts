/**
 * The privileged helper: its whole vocabulary (setup once, then only
 * POWERDOWNFLAG and SHUTDOWN; anything else ends it with nothing run), the
 * client that starts it as a real child process of this very program, and
 * the choice of the account to run as.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { MemoryLogger } from '../../src/core/logger';
import { SDMAGIC } from '../../src/monitor/killpower';
import { chooseRunAs, RunAsError, type Account } from '../../src/privilege/account';
import type { ShutdownActions } from '../../src/privilege/actions';
import { runPrivilegedHelper } from '../../src/privilege/helper';
import { PrivilegedHelper } from '../../src/privilege/helper-client';
import { PrivilegedHelperError, encodeSetup } from '../../src/privilege/protocol';
import { prepareSeparation } from '../../src/privilege/separate';
import { buildMonitor } from '../../src/app/monitor';
import { validateConfig } from '../../src/app/config';
import { EventBus } from '../../src/core/bus';
import { UpsStore } from '../../src/core/state';

const ROOT = resolve(__dirname, '../..');
const HELPER = { file: process.execPath, args: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'privileged-helper'] };

/** A helper run in this process over two pipes, with actions that record what they were asked. */
function inProcess() {
  const input = new PassThrough();
  const output = new PassThrough();
  const done: string[] = [];
  const actions = (): ShutdownActions => ({
    runShutdown: (c) => {
      done.push(`run ${c}`);
      return Promise.resolve(3);
    },
    writeFlag: (f) => {
      done.push(`flag ${f}`);
      return Promise.resolve();
    },
    clearFlag: (f) => {
      done.push(`clear ${f}`);
      return Promise.resolve('removed');
    },
  });
  const log = new MemoryLogger();
  const ended = runPrivilegedHelper({ input, output, log, actions });
  let text = '';
  output.setEncoding('utf8');
  output.on('data', (d: string) => (text += d));
  const lines = async (n: number): Promise<string[]> => {
    for (let i = 0; i < 200 && text.split('\n').length - 1 < n; i++) await new Promise((r) => setTimeout(r, 5));
    return text.split('\n').slice(0, n);
  };
  return { input, done, ended, lines, log };
}

void describe('privileged helper protocol', () => {
  void test('clears the old flag at setup, then writes the flag and runs its own command, in order', async () => {
    const h = inProcess();
    h.input.write(encodeSetup({ shutdownCommand: '/sbin/shutdown -h +0', powerDownFlag: '/etc/killpower' }));
    h.input.write('POWERDOWNFLAG\nSHUTDOWN\n');
    assert.deepEqual(await h.lines(3), ['READY removed', 'OK', 'DONE 3']);
    assert.deepEqual(h.done, ['clear /etc/killpower', 'flag /etc/killpower', 'run /sbin/shutdown -h +0']);
    h.input.end();
    assert.equal(await h.ended, 0);
  });

  for (const [what, sent] of [
    ['an unknown request', 'RUN rm -rf /\n'],
    ['a second setup (the command cannot be changed later)', `${encodeSetup({ shutdownCommand: 'touch /tmp/pwned' })}`],
    ['a request in lower case', 'shutdown\n'],
    ['a line longer than any request', `${'A'.repeat(100)}\n`],
  ] as const) {
    void test(`${what} ends the helper and runs nothing`, async () => {
      const h = inProcess();
      h.input.write(encodeSetup({ shutdownCommand: '/bin/true', powerDownFlag: '/f' }));
      assert.deepEqual(await h.lines(1), ['READY removed']);
      h.input.write(sent);
      h.input.write('SHUTDOWN\n');
      assert.equal(await h.ended, 2);
      const [, refusal] = await h.lines(2);
      assert.match(refusal!, /^ERR refused: /);
      assert.deepEqual(h.done, ['clear /f'], 'nothing but the clearing at setup ran');
      assert.ok(h.log.lines.some((l) => l.startsWith('error') && l.includes('refused')));
    });
  }

  void test('a bad setup line is refused', async () => {
    const h = inProcess();
    h.input.write('SETUP {"powerDownFlag":"/f"}\n');
    assert.equal(await h.ended, 2);
    assert.match((await h.lines(1))[0]!, /^ERR refused: SETUP has no shutdownCommand/);
    assert.deepEqual(h.done, []);
  });

  void test('POWERDOWNFLAG without a configured flag is refused', async () => {
    const h = inProcess();
    h.input.write(encodeSetup({ shutdownCommand: '/bin/true' }));
    h.input.write('POWERDOWNFLAG\n');
    assert.equal(await h.ended, 2);
    assert.deepEqual(await h.lines(2), ['READY none', 'ERR refused: no power-down flag was configured']);
    assert.deepEqual(h.done, []);
  });
});

void describe('PrivilegedHelper (a real child process of this program)', () => {
  void test('clears an old flag, writes the flag with the magic, runs the shutdown command, stops when told', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-helper-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const flag = join(dir, 'killpower');
    const out = join(dir, 'ran');
    writeFileSync(flag, SDMAGIC);
    const log = new MemoryLogger();
    const helper = await PrivilegedHelper.start({ setup: { shutdownCommand: `id -u > ${out}; exit 7`, powerDownFlag: flag }, log, command: HELPER });
    t.after(() => helper.stop());
    assert.equal(await helper.clearFlag(flag), 'removed');
    assert.equal(existsSync(flag), false, 'the old flag was removed at start');

    await helper.writeFlag(flag);
    assert.equal(readFileSync(flag, 'latin1'), SDMAGIC);
    assert.equal(await helper.runShutdown(`id -u > ${out}; exit 7`), 7);
    assert.equal(readFileSync(out, 'utf8').trim(), String(process.getuid!()));
    assert.equal(statSync(out).uid, process.getuid!());

    // The client never forwards another command or path: the helper would not run it anyway.
    await assert.rejects(helper.runShutdown('touch /tmp/x'), PrivilegedHelperError);
    await assert.rejects(helper.writeFlag(join(dir, 'other')), PrivilegedHelperError);
    const pid = helper.pid!;
    await helper.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the helper exits when the pipe closes');
    await assert.rejects(helper.runShutdown(`id -u > ${out}; exit 7`), PrivilegedHelperError);
  });

  void test('a helper that dies is reported once, and nothing more is asked of it', async (t) => {
    const log = new MemoryLogger();
    const helper = await PrivilegedHelper.start({ setup: { shutdownCommand: '/bin/true' }, log, command: HELPER });
    t.after(() => helper.stop());
    const lost: string[] = [];
    helper.onLost((why) => lost.push(why));
    process.kill(helper.pid!, 'SIGKILL');
    for (let i = 0; i < 200 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lost, ['the privileged helper exited (SIGKILL)']);
    await assert.rejects(helper.runShutdown('/bin/true'), /exited/);
    assert.equal(lost.length, 1);
    assert.ok(log.lines.some((l) => l.includes('the shutdown command can no longer be run')));
  });

  void test('a helper that cannot start is an error, not a hang', async () => {
    await assert.rejects(
      PrivilegedHelper.start({ setup: { shutdownCommand: '/bin/true' }, log: new MemoryLogger(), command: { file: '/nonexistent/upsagent', args: [] } }),
      PrivilegedHelperError,
    );
    await assert.rejects(
      PrivilegedHelper.start({ setup: { shutdownCommand: '/bin/true' }, log: new MemoryLogger(), command: { file: '/bin/sh', args: ['-c', 'read x; echo nonsense'] } }),
      /did not start: nonsense/,
    );
  });
});

void describe('the account to run as', () => {
  const accounts: Record<string, Account> = {
    upsagent: { name: 'upsagent', uid: 990, gid: 985, home: '/var/lib/upsagent' },
    nut: { name: 'nut', uid: 120, gid: 130, home: '/var/lib/nut' },
    root: { name: 'root', uid: 0, gid: 0, home: '/root' },
  };
  const lookup = (n: string) => accounts[n];

  void test('root with the role account present becomes it; without it stays root', () => {
    assert.equal(chooseRunAs({ uid: 0, lookup }).account?.name, 'upsagent');
    assert.equal(chooseRunAs({ uid: 0, lookup: () => undefined }).account, undefined);
  });
  void test('--user wins over run.user; run.group sets the group', () => {
    const c = chooseRunAs({ uid: 0, cli: 'nut', config: { user: 'upsagent', group: 'dialout' }, lookup, lookupGroup: (g) => (g === 'dialout' ? { name: g, gid: 20 } : undefined) });
    assert.equal(c.account?.name, 'nut');
    assert.equal(c.gid, 20);
  });
  void test('root as run.user keeps one root process', () => {
    assert.equal(chooseRunAs({ uid: 0, config: { user: 'root' }, lookup }).account, undefined);
  });
  void test('an unknown account or group, or a change asked of a non-root start, is an error', () => {
    assert.throws(() => chooseRunAs({ uid: 0, cli: 'nobody-here', lookup }), RunAsError);
    assert.throws(() => chooseRunAs({ uid: 0, config: { user: 'nut', group: 'nogroup-here' }, lookup, lookupGroup: () => undefined }), RunAsError);
    assert.throws(() => chooseRunAs({ uid: 1000, cli: 'nut', lookup }), /only root can change/);
    assert.equal(chooseRunAs({ uid: 120, cli: 'nut', lookup }).account, undefined, 'already that account');
    assert.equal(chooseRunAs({ uid: 1000, lookup }).account, undefined, 'an ordinary user start changes nothing');
  });
  void test('without an account to become, no helper is started and drop does nothing', async () => {
    const s = await prepareSeparation({ uid: 1000, lookup, monitor: { shutdownCommand: '/bin/true', dryRun: false }, log: new MemoryLogger(), helperCommand: { file: '/nonexistent', args: [] } });
    assert.equal(s.actions, undefined);
    const before = process.getuid!();
    s.drop();
    assert.equal(process.getuid!(), before);
    await s.stop();
  });
});

void describe('the monitor and its shutdown actions', () => {
  void test('a lost privileged helper is NOPARENT, as upsmon\'s child says when its parent died', async () => {
    const cfg = validateConfig({ ups: { u: { driver: 'dummy', port: '/nonexistent.dev' } }, monitor: { ups: [{ name: 'u' }], stateFile: '/nonexistent/monitor.json', notify: { routes: { NOPARENT: ['log'] } } } });
    const log = new MemoryLogger();
    const bus = new EventBus(log);
    const store = new UpsStore(bus);
    store.addUps('u', '');
    let lose: ((why: string) => void) | undefined;
    const actions: ShutdownActions = {
      runShutdown: () => Promise.resolve(0),
      writeFlag: () => Promise.resolve(),
      clearFlag: () => Promise.resolve('absent'),
      onLost: (l) => (lose = l),
    };
    const seen: string[] = [];
    bus.on('monitor.notify', seen, (n) => void seen.push(`${n.type} ${n.message}`));
    buildMonitor({ config: cfg.monitor!, localUpses: ['u'], store, bus, log, maxAgeMs: 15_000, actions });
    assert.ok(lose, 'the monitor listens for the loss of its helper');
    lose('the privileged helper exited (SIGKILL)');
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen, ['NOPARENT upsmon parent process died - shutdown impossible']);
    assert.ok(log.lines.some((l) => l.includes('upsmon parent process died - shutdown impossible')), log.lines.join('\n'));
  });
});
