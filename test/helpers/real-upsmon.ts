/**
 * Test harness: runs the REAL upsmon of Network UPS Tools 2.8.0 (Debian
 * packages) in a scratch folder, watching UPSes on any NUT server (real upsd
 * or ours), so tests can check that our monitor and our server get along
 * with it: FSD, HOSTSYNC, logging out.
 *
 * How it runs, and the NUT 2.8.0 facts the tests rely on (clients/upsmon.c):
 * - `/lib/nut/upsmon -F -p -D`: foreground (we own its PID), one process (no
 *   privileged parent: with -p it runs SHUTDOWNCMD itself via system() and
 *   then exits), debug lines with timestamps on stderr, all into upsmon.log.
 * - NUT_CONFPATH (upsmon.conf, mode 0600), NUT_STATEPATH and NUT_ALTPIDPATH
 *   point at the folder. upsmon 2.8.0 still writes upsmon.pid to its
 *   compiled-in PIDPATH (/run/nut), and reads it at start to refuse a second
 *   instance: it runs in a mount namespace of its own with the folder bound
 *   over /run/nut (unshare --mount), so it never meets the host's upsmon or
 *   another test's; where that is not allowed, its PID file is removed after it.
 * - upsmon broadcasts "Executing automatic power-fail shutdown" with
 *   popen("wall") whatever NOTIFYFLAG says, and NOTIFYFLAG's default is
 *   SYSLOG+WALL: a `wall` of our own comes first on its PATH and only appends
 *   to wall.log, so no terminal of this machine is written to.
 * - SHUTDOWNCMD and NOTIFYCMD are little scripts in the folder (no quoting
 *   games in upsmon.conf): the first appends `date +%s.%N` (seconds since
 *   the epoch, nanoseconds) to `shutdownFile`, the second
 *   "$NOTIFYTYPE $UPSNAME" to `notifyFile`.
 * - As primary, upsmon sets FSD, then waits until NUMLOGINS <= 1 (itself) or
 *   HOSTSYNC has passed, notifies SHUTDOWN, sleeps FINALDELAY, writes
 *   POWERDOWNFLAG, runs SHUTDOWNCMD and exits (its connections close then).
 *   As secondary it does the same at once when it sees FSD, without the wait.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NUT_BIN, confQuote, kill, launch, running, tail } from './real-nut';

export const UPSMON = `${NUT_BIN}/upsmon`;

export interface RealUpsmonMonitor {
  /** `ups@127.0.0.1:port`. */
  ups: string;
  /** MONITOR's power value (default 1). */
  powerValue?: number;
  user: string;
  password: string;
  role: 'primary' | 'secondary';
}

export interface RealUpsmonOptions {
  monitors: RealUpsmonMonitor[];
  /** SHUTDOWNCMD appends one line with `date +%s.%N` here. */
  shutdownFile: string;
  pollFreq?: number;
  pollFreqAlert?: number;
  hostSync?: number;
  deadTime?: number;
  finalDelay?: number;
  /** NOTIFYCMD appends "$NOTIFYTYPE $UPSNAME" lines here, for ONLINE, ONBATT, LOWBATT, FSD, COMMOK, COMMBAD and SHUTDOWN. */
  notifyFile?: string;
  /** Instead: NOTIFYCMD's whole script body (benchmarks write a timestamp first thing). */
  notifyScript?: string;
  /** More upsmon.conf lines (CERTPATH, CERTVERIFY, FORCESSL...). */
  extraConf?: string[];
}

export interface RealUpsmon {
  /** Scratch folder: upsmon.conf, its scripts, upsmon.log, upsmon.pid, killpower. */
  dir: string;
  /** upsmon's output so far (stdout and stderr; with -D, its debug lines). */
  log(): string;
  /** Resolves with the exit code (null when killed by a signal) once upsmon has exited. */
  exited: Promise<number | null>;
  /** Stops upsmon (SIGTERM, then SIGKILL) if it still runs, and removes the folder. */
  stop(): Promise<void>;
}

/** True when the real upsmon is installed. */
export function upsmonAvailable(): boolean {
  return existsSync(UPSMON);
}

/** Without a namespace upsmon left its PID file in the real PIDPATH: remove it if it is this one's. */
function removeOwnPidFile(pid: number | undefined): void {
  const file = join(UPSMON_PIDPATH, 'upsmon.pid');
  try {
    if (pid !== undefined && readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
  } catch {
    // None there.
  }
}

/** Single-quoted for sh. */
function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

function script(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  chmodSync(file, 0o755);
}

const NOTIFY_EXEC = ['ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'SHUTDOWN'];
/** Every other type upsmon 2.8.0 knows (clients/upsmon.h notifylist): SYSLOG only. */
const NOTIFY_QUIET = ['REPLBATT', 'NOCOMM', 'NOPARENT', 'CAL'];

/** Where Debian's upsmon 2.8.0 writes upsmon.pid: its compiled-in PIDPATH; NUT_ALTPIDPATH does not move it. */
export const UPSMON_PIDPATH = '/run/nut';

let isolation: boolean | undefined;
/**
 * Whether upsmon can run in a mount namespace of its own with the scratch
 * folder bound over PIDPATH (root, util-linux unshare, namespaces allowed).
 * Checked once; without it the harness removes the PID file itself.
 */
function canIsolatePidPath(): boolean {
  if (isolation === undefined) {
    const probeDir = mkdtempSync(join(tmpdir(), 'upsagent-nsprobe-'));
    try {
      const r = spawnSync('unshare', ['--mount', 'sh', '-c', `mount --bind "$0" ${UPSMON_PIDPATH}`, probeDir], { stdio: 'ignore', timeout: 5000 });
      isolation = existsSync(UPSMON_PIDPATH) && r.status === 0;
    } catch {
      isolation = false;
    } finally {
      rmSync(probeDir, { recursive: true, force: true });
    }
  }
  return isolation;
}

export async function startRealUpsmon(opts: RealUpsmonOptions): Promise<RealUpsmon> {
  if (!upsmonAvailable()) throw new Error(`real upsmon not installed (need ${UPSMON})`);
  if (opts.monitors.length === 0) throw new Error('startRealUpsmon needs at least one MONITOR');
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-realupsmon-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  script(join(bin, 'wall'), `cat >> ${shQuote(join(dir, 'wall.log'))}`);
  const shutdownScript = join(dir, 'shutdown.sh');
  script(shutdownScript, `date +%s.%N >> ${shQuote(opts.shutdownFile)}`);
  const notifyScript = join(dir, 'notify.sh');
  script(notifyScript, opts.notifyScript ?? (opts.notifyFile ? `echo "$NOTIFYTYPE $UPSNAME" >> ${shQuote(opts.notifyFile)}` : 'exit 0'));

  const conf: string[] = ['RUN_AS_USER root'];
  for (const m of opts.monitors) {
    conf.push(`MONITOR ${m.ups} ${m.powerValue ?? 1} ${confQuote(m.user)} ${confQuote(m.password)} ${m.role}`);
  }
  conf.push(
    'MINSUPPLIES 1',
    `SHUTDOWNCMD ${confQuote(shutdownScript)}`,
    `NOTIFYCMD ${confQuote(notifyScript)}`,
    `POLLFREQ ${opts.pollFreq ?? 5}`,
    `POLLFREQALERT ${opts.pollFreqAlert ?? 5}`,
    `HOSTSYNC ${opts.hostSync ?? 15}`,
    `DEADTIME ${opts.deadTime ?? 15}`,
    `FINALDELAY ${opts.finalDelay ?? 5}`,
    `POWERDOWNFLAG ${confQuote(join(dir, 'killpower'))}`,
    ...NOTIFY_EXEC.map((t) => `NOTIFYFLAG ${t} SYSLOG+EXEC`),
    ...NOTIFY_QUIET.map((t) => `NOTIFYFLAG ${t} SYSLOG`),
    ...(opts.extraConf ?? []),
    '',
  );
  writeFileSync(join(dir, 'upsmon.conf'), conf.join('\n'), { mode: 0o600 });

  const args = ['-F', '-p', '-D', '-u', 'root'];
  const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  // unshare and sh exec in place: the PID we hold is upsmon's own.
  const isolated = canIsolatePidPath();
  const child: ChildProcess = isolated
    ? launch(dir, 'unshare', ['--mount', 'sh', '-c', `mount --bind "$0" ${UPSMON_PIDPATH} && exec "$@"`, dir, UPSMON, ...args], 'upsmon.log', env)
    : launch(dir, UPSMON, args, 'upsmon.log', env);
  const exited = new Promise<number | null>((resolve) => {
    if (!running(child)) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const logFile = join(dir, 'upsmon.log');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill(child);
    if (!isolated) removeOwnPidFile(child.pid);
    rmSync(dir, { recursive: true, force: true });
  };
  // A bad configuration makes it exit at once: say why here rather than time out later.
  const early = await Promise.race([exited.then((code) => ({ code })), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
  if (early) {
    const why = tail(logFile);
    await stop();
    throw new Error(`upsmon exited at start with ${String(early.code)}:\n${why}`);
  }
  const log = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '(no log)';
    }
  };
  return { dir, log, exited, stop };
}
