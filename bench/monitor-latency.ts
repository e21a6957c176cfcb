/**
 * Time from a status change in the driver to the notification command
 * starting: for a UPS of the same agent (the monitor hears the change on the
 * bus) and for a remote one (a second agent polling the first over the NUT
 * protocol every pollFreq, NUT's default 5 s). The "driver" publishes OB and
 * OL on demand and notes the time; the command's first act is `date +%s%N`,
 * so the figure includes starting /bin/sh and date (a few ms).
 * The same remote UPS is also watched by the REAL upsmon 2.8.0 (when
 * installed), POLLFREQ alike, its NOTIFYCMD writing the time first thing.
 * Run: `npx tsx bench/monitor-latency.ts [changes] [pollFreq]` (default 20 and 5).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../src/app/agent';
import { validateConfig } from '../src/app/config';
import { createLogger } from '../src/core/logger';
import type { UpsPublisher } from '../src/core/state';
import { NOTIFY_TYPE_NAMES } from '../src/monitor/notify-types';
import { startRealUpsmon, upsmonAvailable, type RealUpsmon } from '../test/helpers/real-upsmon';

const changes = Number(process.argv[2] ?? 20);
const pollFreq = Number(process.argv[3] ?? 5);
const logOnly = Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']]));

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function stamps(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(BigInt(l) / 1000n) / 1000);
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

function monitorSection(dir: string, name: string, extra: Record<string, unknown>, file: string): Record<string, unknown> {
  return {
    ups: [{ name, ...extra }],
    pollFreq,
    pollFreqAlert: pollFreq,
    minSupplies: 0,
    dryRun: true,
    stateFile: join(dir, `${name.replace(/[^a-z0-9]/gi, '_')}.json`),
    notify: { routes: logOnly, commands: [{ command: `date +%s%N >> ${file}`, events: ['ONBATT', 'ONLINE'] }] },
  };
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  return `${label.padEnd(34)} n=${String(s.length).padStart(3)}  median ${median.toFixed(1).padStart(8)} ms  worst ${s[s.length - 1]!.toFixed(1).padStart(8)} ms`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-bench-mon-'));
  const log = createLogger({ level: 'error' });
  let pub: UpsPublisher | undefined;
  const localFile = join(dir, 'local');
  const remoteFile = join(dir, 'remote');
  const realFile = join(dir, 'real');
  let a: RunningAgent | undefined;
  let b: RunningAgent | undefined;
  let real: RealUpsmon | undefined;
  try {
    // Agent A: the UPS, its server, and a monitor watching it locally.
    a = await startAgent({
      config: validateConfig({
        ups: { u: { driver: 'dummy', port: '/nonexistent.dev' } },
        server: { listen: ['127.0.0.1:0'] },
        users: { mon: { password: 'pw', upsmon: 'secondary' }, realmon: { password: 'pw', upsmon: 'secondary' } },
        monitor: monitorSection(dir, 'u', {}, localFile),
      }),
      log,
      version: 'bench',
      driverFor: (_ups, _cfg, deps) => {
        pub = deps.publisher;
        return {
          name: 'bench-driver',
          start: () => {
            deps.publisher.setVar('ups.status', 'OL');
            deps.publisher.setAttached(true);
            deps.publisher.dataOk();
            return Promise.resolve();
          },
          stop: () => Promise.resolve(),
        };
      },
    });
    const port = a.addresses()[0]!.port;
    // Agent B: only a monitor, watching A's UPS over the network.
    b = await startAgent({
      config: validateConfig({ monitor: monitorSection(dir, `u@127.0.0.1:${port}`, { user: 'mon', password: 'pw' }, remoteFile) }),
      log,
      version: 'bench',
    });
    if (upsmonAvailable()) {
      real = await startRealUpsmon({
        monitors: [{ ups: `u@127.0.0.1:${port}`, user: 'realmon', password: 'pw', role: 'secondary' }],
        shutdownFile: join(dir, 'real-shutdown'),
        pollFreq,
        pollFreqAlert: pollFreq,
        notifyScript: `case "$NOTIFYTYPE" in ONBATT|ONLINE) date +%s%N >> ${realFile};; esac`,
      });
    }
    await new Promise((r) => setTimeout(r, 1500 + pollFreq * 1000));

    const local: number[] = [];
    const remote: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < changes; i++) {
      // A random moment within the poll period, as a real power failure would be.
      await new Promise((r) => setTimeout(r, Math.random() * pollFreq * 1000));
      const before = { l: stamps(localFile).length, r: stamps(remoteFile).length, x: stamps(realFile).length };
      const t0 = nowMs();
      pub!.setVar('ups.status', i % 2 === 0 ? 'OB DISCHRG' : 'OL');
      pub!.dataOk();
      const okL = await waitFor(() => stamps(localFile).length > before.l, 10_000);
      const okR = await waitFor(() => stamps(remoteFile).length > before.r, (pollFreq + 10) * 1000);
      const okX = !real || (await waitFor(() => stamps(realFile).length > before.x, (pollFreq + 10) * 1000));
      if (!okL || !okR || !okX) throw new Error(`change ${i}: no notification (local ${okL}, remote ${okR}, real upsmon ${okX})`);
      local.push(stamps(localFile)[before.l]! - t0);
      remote.push(stamps(remoteFile)[before.r]! - t0);
      if (real) theirs.push(stamps(realFile)[before.x]! - t0);
    }
    process.stdout.write(`status change in the driver -> notification command started (${changes} changes, pollFreq ${pollFreq} s)\n`);
    process.stdout.write(`${summary('local UPS (same agent, bus)', local)}\n`);
    process.stdout.write(`${summary(`remote UPS (NUT protocol)`, remote)}\n`);
    if (real) process.stdout.write(`${summary('remote UPS, real upsmon 2.8.0', theirs)}\n`);
    else process.stdout.write('(real upsmon not installed: no comparison)\n');
  } finally {
    await real?.stop();
    await b?.stop();
    await a?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
