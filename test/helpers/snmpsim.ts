/**
 * Test harness: Debian's `snmpsimd` (snmpsim 0.4) on a free loopback UDP
 * port, serving the .snmprec recordings of test/fixtures/snmp (or others the
 * test names). snmpsim answers SNMP v1 and v2c with the recording whose file
 * name is the community (`apc.snmprec` -> community `apc`); a wrong
 * community gets no answer at all, as many real cards do.
 *
 * Quirks this works around (snmpsim 0.4.5, Debian 12):
 * - Run as root it refuses to start unless told which user to become
 *   (`--process-user`/`--process-group`); it becomes nobody/nogroup, so its
 *   data and cache folders must be readable (and the cache writable) by nobody.
 * - It indexes each recording into its cache folder before it answers; the
 *   harness waits with net-snmp's `snmpget` until sysObjectID.0 answers.
 * - Recordings with `TAG:writecache|value=...` accept SETs and keep the
 *   value for the life of the process (snmpsim's writecache variation
 *   module); each start copies the fixtures into a fresh folder, so no run
 *   sees another's writes. Within one run, writecache keeps a written value
 *   per OID for every community alike (a SET of sysLocation.0 through `ietf`
 *   is what `apc` answers too): a test that writes puts the value back.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { kill, running, tail } from './real-nut';

export const SNMPSIMD = '/usr/bin/snmpsimd';
export const SNMPGET = '/usr/bin/snmpget';
export const SNMPSET = '/usr/bin/snmpset';
export const SNMP_FIXTURES = resolve(__dirname, '../fixtures/snmp');

/** The recordings of test/fixtures/snmp, by community (file name without .snmprec). */
export function snmpFixtures(): string[] {
  return readdirSync(SNMP_FIXTURES)
    .filter((f) => f.endsWith('.snmprec'))
    .map((f) => f.slice(0, -'.snmprec'.length))
    .sort();
}

export interface SnmpsimOptions {
  /** Communities (recordings of test/fixtures/snmp) to serve; default all. */
  communities?: string[];
  /** Extra .snmprec files (absolute paths); each one's community is its file name. */
  files?: string[];
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Fixed UDP port; by default a free one. */
  port?: number;
  /** How long to wait for the first answer (default 30 s: the first start indexes every file). */
  startTimeoutMs?: number;
}

export interface Snmpsim {
  host: string;
  port: number;
  /** `host:port`, as net-snmp's tools and NUT's `port =` take it. */
  address: string;
  communities: string[];
  /** Scratch folder (data, cache, snmpsim.log). */
  dir: string;
  stop(): Promise<void>;
}

export class SnmpsimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnmpsimError';
  }
}

/** A UDP port the OS says is free on `host` now. */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.once('error', rej);
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Running simulators, killed when the test process exits however it ends. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One `snmpget` (v2c, 1 s, no retry); resolves with its stdout, or null when nothing answered. */
export function snmpGet(address: string, community: string, oids: string[], version = '2c'): Promise<string | null> {
  return new Promise((r) => {
    execFile(SNMPGET, [`-v${version}`, '-c', community, '-t', '1', '-r', '0', '-On', address, ...oids], { timeout: 5000 }, (err, stdout) => {
      r(err ? null : String(stdout));
    });
  });
}

export async function startSnmpsim(opts: SnmpsimOptions = {}): Promise<Snmpsim> {
  const host = opts.host ?? '127.0.0.1';
  const communities = opts.communities ?? snmpFixtures();
  const files = [...communities.map((c) => join(SNMP_FIXTURES, `${c}.snmprec`)), ...(opts.files ?? [])];
  if (files.length === 0) throw new SnmpsimError('startSnmpsim needs at least one recording');
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-snmpsim-'));
  // snmpsimd runs as nobody: the folder must be enterable, the data readable, the cache writable.
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  mkdirSync(data, { mode: 0o755 });
  mkdirSync(cache, { mode: 0o755 });
  for (const f of files) {
    const dest = join(data, basename(f));
    copyFileSync(f, dest);
    chmodSync(dest, 0o644);
  }
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(cache, 65534, 65534);
  const all = files.map((f) => basename(f, '.snmprec'));

  let child: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    if (child) await kill(child);
    child = null;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const attempts = opts.port === undefined ? 3 : 1;
    for (let i = 0; i < attempts; i++) {
      const port = opts.port ?? (await freeUdpPort(host));
      const log = join(dir, 'snmpsim.log');
      const args = [
        `--data-dir=${data}`,
        `--cache-dir=${cache}`,
        `--agent-udpv4-endpoint=${host}:${port}`,
        `--logging-method=file:${log}`,
      ];
      if (asRoot) args.push('--process-user=nobody', '--process-group=nogroup');
      const fd = openSync(join(dir, 'snmpsimd.out'), 'a');
      const proc = spawn(SNMPSIMD, args, { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child = proc;
      live.add(proc);
      proc.once('exit', () => live.delete(proc));
      const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
      const address = `${host}:${port}`;
      let up = false;
      while (Date.now() < deadline) {
        if (!running(proc)) break;
        if ((await snmpGet(address, all[0]!, ['1.3.6.1.2.1.1.2.0'])) !== null) {
          up = true;
          break;
        }
        await sleep(200);
      }
      if (up) return { host, port, address, communities: all, dir, stop };
      const why = `${tail(join(dir, 'snmpsimd.out'))}\n${tail(log)}`;
      await kill(proc);
      child = null;
      // A port taken between our check and its bind: try another one.
      if (/Address already in use/i.test(why) && i + 1 < attempts) continue;
      throw new SnmpsimError(`snmpsimd did not answer on ${address}:\n${why}`);
    }
    throw new SnmpsimError('snmpsimd did not start');
  } catch (err) {
    await stop();
    throw err;
  }
}
