/**
 * Our monitor and our server with the REAL upsmon and upsd of NUT 2.8.0:
 * the forced-shutdown handshake between primaries and secondaries, over the
 * network, in both directions.
 *
 * 1. Our monitor as a secondary of real upsd + dummy-ups: it logs in, waits
 *    HOSTSYNC for a primary's FSD on OB LB before going on its own, goes at
 *    once on FSD, logs out after its shutdown command; a short network loss
 *    while on battery (upsd stopped, less than DEADTIME) shuts nothing down
 *    (nut#2454).
 * 2. Real upsmon as a secondary of our server, our monitor its primary: we
 *    set FSD, upsmon shuts down and logs out, then we go (not at HOSTSYNC).
 * 3. Real upsmon as the primary of our server, our monitor (another agent)
 *    a secondary: upsmon sets FSD on our server, ours goes and logs out,
 *    then upsmon goes (not at HOSTSYNC).
 *
 * Shutdown commands append `date +%s.%N`, so the order and the gaps are
 * read from the files; bounds are generous (the NUT programs poll once a
 * second and dummy-ups reads its file every few seconds). Notifications are
 * logged only: nothing is broadcast with wall.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { runFsd } from '../../src/cli/commands/fsd';
import { MemoryIO } from '../../src/cli/io';
import { NutClient } from '../../src/client';
import { MemoryLogger } from '../../src/core/logger';
import { NOTIFY_TYPE_NAMES } from '../../src/monitor/notify-types';
import { freePort, nutAvailable, startRealNut, tail, UPSC, type RealNut } from '../helpers/real-nut';
import { startRealUpsmon, upsmonAvailable, type RealUpsmon } from '../helpers/real-upsmon';

const TEST_TIMEOUT_MS = 90_000;
const PASSWORD = 'pa55word';

/** A small UPS: what upsmon reads is ups.status; the rest makes it look like one. */
function devText(status: string): string {
  return [
    'battery.charge: ' + (status.includes('LB') ? '8' : '95'),
    'battery.charge.low: 10',
    'battery.runtime: ' + (status.includes('LB') ? '60' : '1800'),
    'device.mfr: Example Corp',
    'device.model: Backup Pro 1500',
    'device.type: ups',
    'input.voltage: ' + (status.includes('OB') ? '0.0' : '230.0'),
    'ups.load: 23',
    `ups.status: ${status}`,
    '',
  ].join('\n');
}

/**
 * Rewrites a .dev file in place and moves its mtime to a second it never had:
 * dummy-ups 2.8.0 re-reads a file it read to the end only when st_mtim.tv_sec
 * differs, and watches the fd it holds (so no rename-replace).
 */
function setDevice(file: string, status: string): void {
  const before = existsSync(file) ? Math.floor(statSync(file).mtimeMs / 1000) : 0;
  writeFileSync(file, devText(status));
  const sec = Math.max(Math.floor(Date.now() / 1000), before + 1);
  utimesSync(file, new Date(), new Date(sec * 1000 + 500));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowS = (): number => Date.now() / 1000;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, diag: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${diag()}`);
    await sleep(100);
  }
}

/** The real upsc's `ups.status`, or null when it does not answer. */
function upscStatus(port: number): Promise<string | null> {
  return new Promise((r) => {
    execFile(UPSC, [`dev@127.0.0.1:${port}`, 'ups.status'], { timeout: 5000 }, (err, stdout) => r(err ? null : String(stdout).trim()));
  });
}

async function waitStatus(port: number, status: string, diag: () => string): Promise<number> {
  await waitFor(`ups.status "${status}" on port ${port}`, async () => (await upscStatus(port)) === status, 20_000, diag);
  return nowS();
}

/** One question to a NUT server on a short-lived connection; null when it cannot be asked. */
async function ask<T>(port: number, fn: (c: NutClient) => Promise<T>): Promise<T | null> {
  let c: NutClient | undefined;
  try {
    c = await NutClient.connect({ host: '127.0.0.1', port, timeoutMs: 3000 });
    return await fn(c);
  } catch {
    return null;
  } finally {
    await c?.close().catch(() => undefined);
  }
}
const numLogins = (port: number): Promise<number | null> => ask(port, (c) => c.getNumLogins('dev'));

/** The timestamps a shutdown command wrote (seconds since the epoch), or [] when it has not run. */
function stamps(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}
const stampCommand = (file: string): string => `date +%s.%N >> '${file}'`;

/** Every notification type logged only, so nothing is broadcast with wall. */
const LOG_ONLY = Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']]));

interface Rig {
  dir: string;
  /** Runs `fn` when the test ends, pass or fail; the last deferred runs first. */
  defer(fn: () => unknown): void;
  /** Diagnostics for a failed assertion: the last lines of every log. */
  diag(): string;
  agentLog(name: string): MemoryLogger;
  watch(agent: RunningAgent): { notified: Array<{ type: string; ups: string; at: number }>; fsdAt: number | null };
  /** Set once started, for diag(). */
  nut?: RealNut;
  upsmon?: RealUpsmon;
}

/** Per test: a scratch folder and cleanups that run even when the test fails. */
function rig(t: TestContext): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-moninterop-'));
  const logs = new Map<string, MemoryLogger>();
  // One hook, in reverse: agents and programs stop before their folder goes (a stopping agent still writes its state file).
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  const r: Rig = {
    dir,
    defer: (fn) => cleanups.push(fn),
    agentLog(name) {
      const l = new MemoryLogger();
      logs.set(name, l);
      return l;
    },
    diag() {
      const parts: string[] = [];
      for (const [name, l] of logs) parts.push(`--- our ${name} log:\n${l.lines.slice(-40).join('\n')}`);
      if (r.nut) parts.push(`--- upsd.log:\n${tail(join(r.nut.dir, 'upsd.log'))}`);
      const mon = r.upsmon;
      if (mon) parts.push(`--- upsmon.log:\n${mon.log().split('\n').slice(-40).join('\n')}`);
      return parts.join('\n');
    },
    watch(agent) {
      const seen = { notified: [] as Array<{ type: string; ups: string; at: number }>, fsdAt: null as number | null };
      const owner = {};
      agent.bus.on('monitor.notify', owner, (n) => seen.notified.push({ type: n.type, ups: n.ups, at: n.at / 1000 }));
      agent.bus.on('ups.fsd', owner, () => (seen.fsdAt ??= nowS()));
      cleanups.push(() => agent.bus.removeAll(owner));
      return seen;
    },
  };
  return r;
}

/** The monitor: section both our secondaries and our primary use, with short NUT timings. */
function monitorSection(r: Rig, over: Record<string, unknown>): Record<string, unknown> {
  return {
    pollFreq: 1,
    pollFreqAlert: 1,
    deadTime: 15,
    finalDelay: 1,
    stateFile: join(r.dir, 'monitor-state.json'),
    notify: { routes: LOG_ONLY },
    ...over,
  };
}

/**
 * The real upsmon watching dev on our server as `role`, with the timings
 * monitorSection gives ours; it notifies to theirs.notify and stops when
 * the test ends.
 */
async function theirUpsmon(r: Rig, port: number, user: string, role: 'primary' | 'secondary', shutdownFile: string, hostSync: number): Promise<RealUpsmon> {
  const mon = await startRealUpsmon({
    monitors: [{ ups: `dev@127.0.0.1:${port}`, user, password: PASSWORD, role }],
    shutdownFile,
    notifyFile: join(r.dir, 'theirs.notify'),
    pollFreq: 1,
    pollFreqAlert: 1,
    hostSync,
    deadTime: 15,
    finalDelay: 1,
  });
  r.upsmon = mon;
  r.defer(() => mon.stop());
  return mon;
}

const available = nutAvailable() && upsmonAvailable();

void describe('our monitor and server with the real upsmon and upsd (NUT 2.8.0)', { skip: !available && 'real NUT (upsd, dummy-ups, upsmon) not installed' }, () => {
  void describe('1. our monitor as a secondary of real upsd + dummy-ups', () => {
    const HOSTSYNC = 5;

    /** Real NUT with one OL device, users for our secondary and for a primary, and our monitor-only agent logged in. */
    async function setUp(t: TestContext, monitorOver: Record<string, unknown> = {}) {
      const r = rig(t);
      const seed = join(r.dir, 'dev.dev');
      writeFileSync(seed, devText('OL'));
      const nut = await startRealNut({
        devices: { dev: { file: seed } },
        users: { oursec: { password: PASSWORD, upsmon: 'secondary' }, boss: { password: PASSWORD, upsmon: 'primary' } },
      });
      r.nut = nut;
      r.defer(() => nut.stop());
      const ours = join(r.dir, 'ours.stamp');
      const config = validateConfig({
        monitor: monitorSection(r, {
          ups: [{ name: `dev@127.0.0.1:${nut.port}`, role: 'secondary', user: 'oursec', password: PASSWORD }],
          hostSync: HOSTSYNC,
          shutdownCommand: stampCommand(ours),
          ...monitorOver,
        }),
      });
      const agent = await startAgent({ config, log: r.agentLog('agent'), version: 'test' });
      r.defer(() => agent.stop());
      const seen = r.watch(agent);
      let finished = false;
      void agent.finished.then(() => (finished = true));
      // The real server counts our login, and lists us as its one client.
      await waitFor('our monitor logged in to the real upsd (NUMLOGINS 1)', async () => (await numLogins(nut.port)) === 1, 10_000, r.diag);
      assert.deepEqual(await ask(nut.port, (c) => c.listClients('dev')), ['127.0.0.1'], r.diag());
      assert.deepEqual(agent.store.names(), [], 'a monitor-only agent serves no UPS');
      assert.deepEqual(agent.addresses(), [], 'and listens nowhere');
      return { r, nut, agent, seen, ours, isFinished: () => finished };
    }

    void test('(a) OB then OB LB: it waits HOSTSYNC for a primary, then shuts down and logs out', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const { r, nut, agent, seen, ours, isFinished } = await setUp(t);
      const file = nut.deviceFiles.dev!;
      setDevice(file, 'OB');
      await waitStatus(nut.port, 'OB', r.diag);
      await waitFor('our ONBATT', () => seen.notified.some((n) => n.type === 'ONBATT'), 10_000, r.diag);
      setDevice(file, 'OB LB');
      const lbAt = await waitStatus(nut.port, 'OB LB', r.diag);

      await waitFor('our shutdown command', () => stamps(ours).length > 0, (HOSTSYNC + 15) * 1000, r.diag);
      const [ranAt] = stamps(ours);
      const waited = ranAt! - lbAt;
      t.diagnostic(`shutdown command ${waited.toFixed(2)} s after upsc first showed OB LB (HOSTSYNC ${HOSTSYNC} s, FINALDELAY 1 s)`);
      // A secondary gives the primary HOSTSYNC to raise FSD (none does here); then it goes on its own.
      // 0.5 s of slack: our monitor may have seen LB a poll before upsc did.
      assert.ok(waited >= HOSTSYNC - 0.5, `ran ${waited.toFixed(2)} s after OB LB, before HOSTSYNC (${HOSTSYNC} s)\n${r.diag()}`);
      assert.ok(waited <= HOSTSYNC + 1 + 6, `ran only ${waited.toFixed(2)} s after OB LB\n${r.diag()}`);
      assert.ok(seen.notified.some((n) => n.type === 'LOWBATT'), 'LOWBATT was notified');
      assert.ok(!seen.notified.some((n) => n.type === 'FSD'), 'no FSD: nobody set it');
      const shutdownNote = seen.notified.find((n) => n.type === 'SHUTDOWN');
      assert.ok(shutdownNote && shutdownNote.at <= ranAt!, 'SHUTDOWN was notified before the command ran');

      // Done: it logs out (NUMLOGINS back to 0) and the monitor-only agent finishes.
      await waitFor('our monitor logged out of the real upsd (NUMLOGINS 0)', async () => (await numLogins(nut.port)) === 0, 10_000, r.diag);
      await waitFor('the monitor-only agent to finish', () => isFinished(), 10_000, r.diag);
      assert.equal(stamps(ours).length, 1, 'the shutdown command ran once');
      assert.equal(agent.monitor?.view().shutdown?.step, 'shutdown command run');
    });

    void test('(b) FSD set on the real upsd by a primary while OL: it shuts down within a poll and FINALDELAY', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const { r, nut, seen, ours, isFinished } = await setUp(t, { hostSync: 30 });
      const io = new MemoryIO();
      const code = await runFsd({ target: `dev@127.0.0.1:${nut.port}`, user: 'boss', password: PASSWORD }, io);
      const fsdAt = nowS();
      assert.equal(code, 0, `runFsd: ${io.stderr}`);
      assert.equal(await upscStatus(nut.port), 'FSD OL', 'the real upsd latched FSD');

      await waitFor('our shutdown command', () => stamps(ours).length > 0, 15_000, r.diag);
      const took = stamps(ours)[0]! - fsdAt;
      t.diagnostic(`shutdown command ${took.toFixed(2)} s after FSD (POLLFREQ 1 s, FINALDELAY 1 s)`);
      // FSD on the UPS: no HOSTSYNC wait for a secondary, only FINALDELAY after the poll that saw it.
      assert.ok(took >= 1 - 0.05, `ran ${took.toFixed(2)} s after FSD, before FINALDELAY\n${r.diag()}`);
      assert.ok(took <= 1 + 1 + 3, `ran ${took.toFixed(2)} s after FSD (POLLFREQ + FINALDELAY + 3 s slack)\n${r.diag()}`);
      assert.ok(seen.notified.some((n) => n.type === 'FSD'), 'FSD was notified');
      await waitFor('our monitor logged out of the real upsd (NUMLOGINS 0)', async () => (await numLogins(nut.port)) === 0, 10_000, r.diag);
      await waitFor('the monitor-only agent to finish', () => isFinished(), 10_000, r.diag);
    });

    void test('(c) upsd gone for less than DEADTIME while OB: no shutdown (nut#2454)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const DEADTIME = 15;
      const { r, nut, agent, seen, ours } = await setUp(t, { deadTime: DEADTIME });
      setDevice(nut.deviceFiles.dev!, 'OB');
      await waitStatus(nut.port, 'OB', r.diag);
      await waitFor('our ONBATT', () => seen.notified.some((n) => n.type === 'ONBATT'), 10_000, r.diag);

      const lostAt = nowS();
      await nut.stopUpsd();
      await waitFor('our COMMBAD', () => seen.notified.some((n) => n.type === 'COMMBAD'), 10_000, r.diag);
      await sleep(3000);
      await nut.startUpsd();
      await waitFor('our COMMOK', () => seen.notified.some((n) => n.type === 'COMMOK'), 10_000, r.diag);
      const back = nowS() - lostAt;
      t.diagnostic(`the server was unreachable for about ${back.toFixed(1)} s (DEADTIME ${DEADTIME} s)`);
      assert.ok(back < DEADTIME - 3, `the outage (${back.toFixed(1)} s) should stay well under DEADTIME`);
      await waitFor('our monitor logged in again (NUMLOGINS 1)', async () => (await numLogins(nut.port)) === 1, 10_000, r.diag);
      // A few more polls on battery, connected again: still nothing.
      await sleep(3000);
      assert.deepEqual(stamps(ours), [], `the shutdown command ran\n${r.diag()}`);
      const view = agent.monitor!.view();
      assert.equal(view.shutdown, null, 'no shutdown sequence started');
      assert.equal(view.supplies[0]?.comm, 'ok');
      assert.match(view.supplies[0]?.status ?? '', /\bOB\b/);
      assert.doesNotMatch(view.supplies[0]?.status ?? '', /\bLB\b/, 'not promoted to LB: it was silent for less than DEADTIME');
    });
  });

  void test('2. real upsmon as a secondary of our server, our monitor its primary: FSD, they go and log out, then we go', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const HOSTSYNC = 20;
    const r = rig(t);
    const devFile = join(r.dir, 'dev.dev');
    setDevice(devFile, 'OL');
    const port = await freePort();
    const ours = join(r.dir, 'ours.stamp');
    const theirs = join(r.dir, 'theirs.stamp');
    const config = validateConfig({
      ups: { dev: { driver: 'dummy', port: devFile, pollInterval: 1 } },
      server: { listen: [`127.0.0.1:${port}`] },
      users: { monuser: { password: PASSWORD, upsmon: 'secondary' } },
      monitor: monitorSection(r, { ups: [{ name: 'dev', role: 'primary' }], hostSync: HOSTSYNC, shutdownCommand: stampCommand(ours) }),
    });
    const log = r.agentLog('agent');
    const agent = await startAgent({ config, log, version: 'test' });
    r.defer(() => agent.stop());
    const seen = r.watch(agent);
    await waitStatus(port, 'OL', r.diag);

    const mon = await theirUpsmon(r, port, 'monuser', 'secondary', theirs, HOSTSYNC);
    let upsmonExit: number | null | undefined;
    void mon.exited.then((c) => (upsmonExit = c));
    await waitFor('our server to count the real upsmon (NUMLOGINS 1)', async () => (await numLogins(port)) === 1, 10_000, r.diag);

    setDevice(devFile, 'OB LB');
    await waitFor('our shutdown command', () => stamps(ours).length > 0, 30_000, r.diag);
    const fsdAt = seen.fsdAt;
    const [theirAt] = stamps(theirs);
    const [ourAt] = stamps(ours);
    assert.ok(fsdAt !== null, `our primary set FSD\n${r.diag()}`);
    assert.ok(theirAt !== undefined, `the real upsmon ran its SHUTDOWNCMD\n${r.diag()}`);
    t.diagnostic(`FSD set; theirs +${(theirAt - fsdAt).toFixed(2)} s; ours +${(ourAt! - fsdAt).toFixed(2)} s (HOSTSYNC ${HOSTSYNC} s, FINALDELAY 1 s each)`);

    // In order: our FSD, their shutdown (and exit: logged out), ours FINALDELAY after that.
    assert.ok(fsdAt < theirAt, 'FSD was set before the real upsmon shut down');
    assert.ok(theirAt < ourAt!, `ours ran before theirs\n${r.diag()}`);
    assert.ok(ourAt! - theirAt >= 1 - 0.05, `ours ran ${(ourAt! - theirAt).toFixed(2)} s after theirs, less than our FINALDELAY`);
    // Not HOSTSYNC running out: we went on because the secondary logged out.
    assert.ok(ourAt! - fsdAt < HOSTSYNC / 2, `ours ran ${(ourAt! - fsdAt).toFixed(2)} s after FSD: as if HOSTSYNC (${HOSTSYNC} s) had expired`);
    assert.ok(log.lines.some((l) => l.includes('all secondaries logged out')), 'our primary saw the secondary log out');
    assert.ok(!log.lines.some((l) => /host sync timer expired/i.test(l)), 'HOSTSYNC did not expire');

    assert.equal(await Promise.race([mon.exited, sleep(5000).then(() => 'running')]), 0, 'the real upsmon exited (0) after its SHUTDOWNCMD');
    assert.equal(upsmonExit, 0);
    assert.equal(await numLogins(port), 0, 'the real upsmon is logged out');
    assert.match(mon.log(), /Critical UPS/);
    assert.equal(await upscStatus(port), 'FSD OB LB', 'our server reports FSD latched');
    assert.ok(agent.store.get('dev')?.fsd, 'FSD latched in the store');
    const theirNotes = readFileSync(join(r.dir, 'theirs.notify'), 'utf8');
    assert.match(theirNotes, new RegExp(`^FSD dev@127\\.0\\.0\\.1:${port}$`, 'm'), 'the real upsmon notified FSD');
    assert.match(theirNotes, /^SHUTDOWN $/m, 'the real upsmon notified SHUTDOWN');
    assert.ok(['FSD', 'SHUTDOWN_HOSTSYNC', 'SHUTDOWN'].every((type) => seen.notified.some((n) => n.type === type)), 'our FSD, SHUTDOWN_HOSTSYNC and SHUTDOWN notifications');
  });

  void test('3. real upsmon as the primary of our server, our monitor a secondary: it sets FSD, we go and log out, then it goes', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const HOSTSYNC = 20;
    const r = rig(t);
    const devFile = join(r.dir, 'dev.dev');
    setDevice(devFile, 'OL');
    const port = await freePort();
    const ours = join(r.dir, 'ours.stamp');
    const theirs = join(r.dir, 'theirs.stamp');

    // Agent A serves the UPS; agent B only watches it, as a secondary.
    const serverConfig = validateConfig({
      ups: { dev: { driver: 'dummy', port: devFile, pollInterval: 1 } },
      server: { listen: [`127.0.0.1:${port}`] },
      users: { realprimary: { password: PASSWORD, upsmon: 'primary' }, oursec: { password: PASSWORD, upsmon: 'secondary' } },
    });
    const server = await startAgent({ config: serverConfig, log: r.agentLog('server'), version: 'test' });
    r.defer(() => server.stop());
    const serverSeen = r.watch(server);
    await waitStatus(port, 'OL', r.diag);

    const monitorConfig = validateConfig({
      monitor: monitorSection(r, {
        ups: [{ name: `dev@127.0.0.1:${port}`, role: 'secondary', user: 'oursec', password: PASSWORD }],
        // Longer than the real primary needs to raise FSD: ours must go because of FSD, not on its own.
        hostSync: 15,
        shutdownCommand: stampCommand(ours),
      }),
    });
    const monLog = r.agentLog('monitor');
    const monitor = await startAgent({ config: monitorConfig, log: monLog, version: 'test' });
    r.defer(() => monitor.stop());
    const monSeen = r.watch(monitor);
    let finished = false;
    void monitor.finished.then(() => (finished = true));

    const mon = await theirUpsmon(r, port, 'realprimary', 'primary', theirs, HOSTSYNC);
    await waitFor('our server to count both monitors (NUMLOGINS 2)', async () => (await numLogins(port)) === 2, 10_000, r.diag);

    setDevice(devFile, 'OB LB');
    await waitFor('the real upsmon SHUTDOWNCMD', () => stamps(theirs).length > 0, 40_000, r.diag);
    const fsdAt = serverSeen.fsdAt;
    const [ourAt] = stamps(ours);
    const [theirAt] = stamps(theirs);
    assert.ok(fsdAt !== null, `the real upsmon set FSD on our server\n${r.diag()}`);
    assert.ok(ourAt !== undefined, `our secondary ran its shutdown command\n${r.diag()}`);
    t.diagnostic(`FSD set by the real primary; ours +${(ourAt - fsdAt).toFixed(2)} s; theirs +${(theirAt! - fsdAt).toFixed(2)} s (HOSTSYNC ${HOSTSYNC} s, FINALDELAY 1 s each)`);

    assert.ok(fsdAt < ourAt, 'FSD came before our shutdown');
    assert.ok(monSeen.notified.some((n) => n.type === 'FSD'), 'our secondary notified FSD');
    assert.ok(ourAt < theirAt!, `ours ran before theirs\n${r.diag()}`);
    // The real primary went on once we logged out, FINALDELAY later; not when HOSTSYNC ran out.
    assert.ok(theirAt! - ourAt >= 1 - 0.05, `theirs ran ${(theirAt! - ourAt).toFixed(2)} s after ours, less than its FINALDELAY`);
    assert.ok(theirAt! - fsdAt < HOSTSYNC / 2, `theirs ran ${(theirAt! - fsdAt).toFixed(2)} s after FSD: as if HOSTSYNC (${HOSTSYNC} s) had expired`);
    assert.doesNotMatch(mon.log(), /Host sync timer expired/, 'the real primary did not time out waiting for us');
    assert.match(mon.log(), /waiting for secondaries to logout/);

    await waitFor('our monitor-only agent to finish', () => finished, 10_000, r.diag);
    assert.equal(await Promise.race([mon.exited, sleep(5000).then(() => 'running')]), 0, 'the real upsmon exited (0) after its SHUTDOWNCMD');
    assert.equal(await numLogins(port), 0, 'both monitors logged out');
    assert.equal(await upscStatus(port), 'FSD OB LB', 'our server reports FSD latched');
    assert.ok(!monLog.lines.some((l) => /no FSD from the primary/.test(l)), 'our secondary did not give up on the primary');
  });
});
