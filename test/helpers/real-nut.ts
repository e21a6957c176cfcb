/**
 * Test harness: runs the REAL Network UPS Tools 2.8.0 (Debian packages) —
 * `dummy-ups` drivers plus `upsd` — in a scratch folder on a free loopback
 * port, so tests can compare our programs with the real ones.
 *
 * Quirks this works around (seen on Debian 12, NUT 2.8.0):
 * - `/usr/sbin/upsd` and `/usr/sbin/upsmon` are Debian wrappers that refuse to
 *   run unless /etc/nut/nut.conf sets MODE; the real binaries live in /lib/nut/.
 * - The programs find their files through NUT_CONFPATH (ups.conf, upsd.conf,
 *   upsd.users), NUT_STATEPATH (driver sockets `dummy-ups-<name>`) and
 *   NUT_ALTPIDPATH (pid files); all three point at the scratch folder so
 *   nothing touches /etc/nut or /run/nut.
 * - Run as root they drop privileges to the `nut` user unless told
 *   `-u root`; with the folder owned by root (mktemp's 0700) the dropped
 *   process could not create its socket, so every program gets `-u root`.
 * - `-F` keeps them in the foreground so we own their PIDs; upsd then skips its
 *   PID file and complains about it (and about a world-readable upsd.conf) on
 *   stderr — harmless, logged to the folder.
 * - upsd gives up on a driver whose socket does not exist yet when it starts
 *   (it retries only slowly), so each driver's socket is awaited first.
 * - Right after start ups.status reads WAIT (or the UPS is DATA-STALE /
 *   DRIVER-NOT-CONNECTED) until the driver's first dump reaches upsd; the
 *   harness polls with the real upsc until every device answers with data.
 * - A port chosen as free may be taken again before upsd binds it; when the
 *   caller did not ask for a port, a failed bind is retried on another one.
 * - Real `upsc` prints "Init SSL without certificate database" on stderr
 *   (Debian builds it with NSS); tests comparing stderr should drop that line.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const NUT_BIN = '/lib/nut';
export const UPSD = `${NUT_BIN}/upsd`;
export const DUMMY_UPS = `${NUT_BIN}/dummy-ups`;
export const UPSC = '/usr/bin/upsc';
export const UPSRW = '/usr/bin/upsrw';
export const UPSCMD = '/usr/bin/upscmd';

export interface RealDevice {
  /** A NUT .dev or .seq file; copied into the scratch folder (see `deviceFiles`). */
  file: string;
  desc?: string;
  /** dummy-ups mode; by default dummy-ups picks it from the file's extension. */
  mode?: 'dummy-once' | 'dummy-loop';
}

export interface RealUser {
  password: string;
  /** upsd.users `actions`: SET, FSD. */
  actions?: string[];
  /** upsd.users `instcmds`: command names or ALL. */
  instcmds?: string[];
  upsmon?: 'primary' | 'secondary';
}

/**
 * A real NUT serial driver (apcsmart, nutdrv_qx, genericups...) on a port,
 * e.g. one end of a pty pair with a simulator on the other. `port` is
 * written as its real path: NUT opens what ups.conf names, and a symlink
 * would be the name it locks and reports. `conf` adds ups.conf lines to the
 * section (`cable = 940-0095B`). The driver's socket is `<driver>-<name>`.
 */
export interface RealSerialDriver {
  driver: string;
  port: string;
  desc?: string;
  conf?: string[];
}

export interface RealNutOptions {
  devices: Record<string, RealDevice>;
  /** Real serial drivers to run beside the dummy-ups devices (may be the only UPSes). */
  drivers?: Record<string, RealSerialDriver>;
  users?: Record<string, RealUser>;
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** upsd MAXAGE in seconds (default 15). */
  maxAge?: number;
  /** How long to wait for every device to answer (default 20 s). */
  startTimeoutMs?: number;
  /** More upsd.conf lines (CERTPATH, CERTIDENT...). */
  upsdConf?: string[];
}

export interface RealNut {
  port: number;
  host: string;
  /** Scratch folder: configuration, sockets and the programs' logs (*.log). */
  dir: string;
  /** Where each device's file was copied; edit it to change what dummy-ups reads. */
  deviceFiles: Record<string, string>;
  /** Stops upsd alone (the drivers keep running): to its clients, the server is gone from the network. */
  stopUpsd(): Promise<void>;
  /** Starts upsd again on the same port and waits until every device answers. */
  startUpsd(): Promise<void>;
  /** Kills every process this harness started and removes the folder. */
  stop(): Promise<void>;
}

/** True when the real NUT programs this harness needs are installed. */
export function nutAvailable(): boolean {
  return [UPSD, DUMMY_UPS, UPSC].every((p) => existsSync(p));
}

/** Every process still running, so a crashed or interrupted test run does not leave them behind. */
const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.on('exit', killAll);
// An interrupted run (Ctrl-C, the test runner's timeout) skips 'exit' handlers
// when it dies of the signal: clean up, then die of the same signal.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = (): void => {
    killAll();
    process.off(sig, onSignal);
    process.kill(process.pid, sig);
  };
  process.on(sig, onSignal);
}

export class RealNutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealNutError';
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Double-quoted value for NUT config files (they take \" and \\ escapes). */
export function confQuote(v: string): string {
  return `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

function writeConfigs(dir: string, opts: RealNutOptions, port: number, deviceFiles: Record<string, string>): void {
  const ups: string[] = [];
  for (const [name, dev] of Object.entries(opts.devices)) {
    ups.push(`[${name}]`, '  driver = dummy-ups', `  port = ${confQuote(deviceFiles[name]!)}`);
    if (dev.desc !== undefined) ups.push(`  desc = ${confQuote(dev.desc)}`);
    if (dev.mode) ups.push(`  mode = ${dev.mode}`);
    ups.push('');
  }
  for (const [name, drv] of Object.entries(opts.drivers ?? {})) {
    ups.push(`[${name}]`, `  driver = ${drv.driver}`, `  port = ${confQuote(realpathSync(drv.port))}`);
    if (drv.desc !== undefined) ups.push(`  desc = ${confQuote(drv.desc)}`);
    for (const line of drv.conf ?? []) ups.push(`  ${line}`);
    ups.push('');
  }
  writeFileSync(join(dir, 'ups.conf'), ups.join('\n'), { mode: 0o600 });
  writeFileSync(join(dir, 'upsd.conf'), [`LISTEN 127.0.0.1 ${port}`, `MAXAGE ${opts.maxAge ?? 15}`, ...(opts.upsdConf ?? []), ''].join('\n'), { mode: 0o600 });
  const users: string[] = [];
  for (const [name, u] of Object.entries(opts.users ?? {})) {
    users.push(`[${name}]`, `  password = ${confQuote(u.password)}`);
    if (u.actions?.length) users.push(`  actions = ${u.actions.join(' ')}`);
    for (const c of u.instcmds ?? []) users.push(`  instcmds = ${c}`);
    if (u.upsmon) users.push(`  upsmon ${u.upsmon}`);
    users.push('');
  }
  // upsd refuses nothing here, but keep the password file private as NUT expects.
  writeFileSync(join(dir, 'upsd.users'), users.join('\n'), { mode: 0o600 });
}

export function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a program with its output in `<dir>/<log>`, tracked for cleanup.
 * NUT_CONFPATH, NUT_STATEPATH and NUT_ALTPIDPATH point at `dir`; `env` adds to (or overrides) the environment.
 */
export function launch(dir: string, cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const fd = openSync(join(dir, log), 'a');
  const child = spawn(cmd, args, {
    cwd: dir,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: dir, NUT_ALTPIDPATH: dir, ...env },
  });
  closeSync(fd);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** One `upsc ups@host:port ups.status`; resolves with its trimmed stdout, or null on failure/WAIT. */
function probe(ups: string, port: number): Promise<string | null> {
  return new Promise((r) => {
    execFile(UPSC, [`${ups}@127.0.0.1:${port}`, 'ups.status'], { timeout: 5000 }, (err, stdout) => {
      const s = String(stdout).trim();
      r(err || s === '' || s === 'WAIT' ? null : s);
    });
  });
}

export async function startRealNut(opts: RealNutOptions): Promise<RealNut> {
  if (!nutAvailable()) throw new RealNutError(`real NUT not installed (need ${UPSD}, ${DUMMY_UPS}, ${UPSC})`);
  const names = [...Object.keys(opts.devices), ...Object.keys(opts.drivers ?? {})];
  if (names.length === 0) throw new RealNutError('startRealNut needs at least one device');
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts, opts.port ?? (await freePort()));
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUse)) throw err;
    }
  }
  throw lastError;
}

class PortInUse extends RealNutError {}

async function startOnce(opts: RealNutOptions, port: number): Promise<RealNut> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-realnut-'));
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // upsd first, so it does not log the drivers going away.
    for (const c of [...children].reverse()) await kill(c);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deviceFiles: Record<string, string> = {};
    for (const [name, dev] of Object.entries(opts.devices)) {
      const dest = join(dir, `${name}-${basename(dev.file)}`);
      copyFileSync(resolve(dev.file), dest);
      deviceFiles[name] = dest;
    }
    writeConfigs(dir, opts, port, deviceFiles);
    // Each dummy-ups takes about a second to come up, and they start one after another.
    const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000 + 2_000 * Object.keys(opts.devices).length);

    for (const name of Object.keys(opts.devices)) {
      const log = `dummy-ups-${name}.log`;
      const drv = launch(dir, DUMMY_UPS, ['-a', name, '-u', 'root', '-F'], log);
      children.push(drv);
      while (!existsSync(join(dir, `dummy-ups-${name}`))) {
        if (!running(drv)) throw new RealNutError(`dummy-ups for ${name} exited:\n${tail(join(dir, log))}`);
        if (Date.now() > deadline) throw new RealNutError(`dummy-ups for ${name} made no socket:\n${tail(join(dir, log))}`);
        await sleep(50);
      }
    }
    for (const [name, d] of Object.entries(opts.drivers ?? {})) {
      const log = `${d.driver}-${name}.log`;
      const drv = launch(dir, join(NUT_BIN, d.driver), ['-a', name, '-u', 'root', '-F'], log);
      children.push(drv);
      // A serial driver makes its socket once it has found the UPS (upsdrv_initinfo), which takes seconds.
      while (!existsSync(join(dir, `${d.driver}-${name}`))) {
        if (!running(drv)) throw new RealNutError(`${d.driver} for ${name} exited:\n${tail(join(dir, log))}`);
        if (Date.now() > deadline) throw new RealNutError(`${d.driver} for ${name} made no socket:\n${tail(join(dir, log))}`);
        await sleep(50);
      }
    }
    const allNames = [...Object.keys(opts.devices), ...Object.keys(opts.drivers ?? {})];

    let upsd: ChildProcess | null = null;
    const startUpsd = async (until: number): Promise<void> => {
      const proc = launch(dir, UPSD, ['-u', 'root', '-F'], 'upsd.log');
      upsd = proc;
      children.push(proc);
      for (const name of allNames) {
        for (;;) {
          if (!running(proc)) {
            const log = tail(join(dir, 'upsd.log'));
            if (/not listening|bind|Address already in use/i.test(log)) throw new PortInUse(`upsd could not listen on ${port}:\n${log}`);
            throw new RealNutError(`upsd exited:\n${log}`);
          }
          if ((await probe(name, port)) !== null) break;
          if (Date.now() > until) {
            const drvLog = opts.drivers?.[name] ? `${opts.drivers[name].driver}-${name}.log` : `dummy-ups-${name}.log`;
            throw new RealNutError(`${name} never answered on port ${port}:\n${tail(join(dir, 'upsd.log'))}\n${tail(join(dir, drvLog))}`);
          }
          await sleep(100);
        }
      }
    };
    const stopUpsd = async (): Promise<void> => {
      const proc: ChildProcess | null = upsd;
      if (!proc) return;
      upsd = null;
      await kill(proc);
      const i = children.indexOf(proc);
      if (i >= 0) children.splice(i, 1);
    };
    await startUpsd(deadline);
    return {
      port,
      host: '127.0.0.1',
      dir,
      deviceFiles,
      stopUpsd,
      startUpsd: async () => {
        if (stopped) throw new RealNutError('this NUT was stopped');
        if (upsd === null) await startUpsd(Date.now() + (opts.startTimeoutMs ?? 15_000));
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
