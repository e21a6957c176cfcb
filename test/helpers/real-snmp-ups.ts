/**
 * Test harness: the REAL NUT 2.8.0 `snmp-ups` (Debian's nut-snmp,
 * /lib/nut/snmp-ups) with the real `upsd`, one UPS section per SNMP agent
 * the test names (usually snmpsim on loopback, ./snmpsim.ts), in a scratch
 * folder on a free port; read with the real `upsc`.
 *
 * Uses real-nut.ts's launch/kill/tail/confQuote (same environment: NUT_CONFPATH,
 * NUT_STATEPATH and NUT_ALTPIDPATH point at the folder, every program runs
 * with `-u root -F`). Differences from real-nut.ts's drivers: `port` is an
 * SNMP host (`127.0.0.1:PORT`), not a device path, and snmp-ups makes its
 * socket only once its MIB detection and first full poll are done.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confQuote, freePort, kill, launch, NUT_BIN, running, tail, UPSC, UPSD } from './real-nut';

export const SNMP_UPS = `${NUT_BIN}/snmp-ups`;

export interface RealSnmpUnit {
  /** `host:port` of the SNMP agent. */
  port: string;
  /** ups.conf options (community, mibs, snmp_version, secLevel, pollfreq...), written as `key = "value"`. */
  options?: Record<string, string>;
  desc?: string;
}

export interface RealSnmpUpsOptions {
  units: Record<string, RealSnmpUnit>;
  /** upsd.users sections: password, and SET / all instant commands when `admin`. */
  users?: Record<string, { password: string; admin?: boolean }>;
  startTimeoutMs?: number;
}

export interface RealSnmpUps {
  host: string;
  port: number;
  dir: string;
  /** `name@127.0.0.1:port` for upsc/upsrw/upscmd. */
  target(name: string): string;
  stop(): Promise<void>;
}

export class RealSnmpUpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealSnmpUpsError';
  }
}

export function snmpUpsAvailable(): boolean {
  return [SNMP_UPS, UPSD, UPSC].every((p) => existsSync(p));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function upscStatus(target: string): Promise<string | null> {
  return new Promise((r) => {
    execFile(UPSC, [target, 'driver.version.data'], { timeout: 5000 }, (err, stdout) => {
      const s = String(stdout).trim();
      r(err || s === '' ? null : s);
    });
  });
}

function writeConfigs(dir: string, opts: RealSnmpUpsOptions, port: number): void {
  const ups: string[] = [];
  for (const [name, u] of Object.entries(opts.units)) {
    ups.push(`[${name}]`, '  driver = snmp-ups', `  port = ${confQuote(u.port)}`);
    if (u.desc !== undefined) ups.push(`  desc = ${confQuote(u.desc)}`);
    for (const [k, v] of Object.entries(u.options ?? {})) ups.push(`  ${k} = ${confQuote(v)}`);
    ups.push('');
  }
  writeFileSync(join(dir, 'ups.conf'), ups.join('\n'), { mode: 0o600 });
  writeFileSync(join(dir, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nMAXAGE 15\n`, { mode: 0o600 });
  const users: string[] = [];
  for (const [name, u] of Object.entries(opts.users ?? {})) {
    users.push(`[${name}]`, `  password = ${confQuote(u.password)}`);
    if (u.admin) users.push('  actions = SET', '  instcmds = ALL');
    users.push('');
  }
  writeFileSync(join(dir, 'upsd.users'), users.join('\n'), { mode: 0o600 });
}

export async function startRealSnmpUps(opts: RealSnmpUpsOptions): Promise<RealSnmpUps> {
  if (!snmpUpsAvailable()) throw new RealSnmpUpsError(`real NUT snmp-ups not installed (need ${SNMP_UPS}, ${UPSD}, ${UPSC})`);
  const names = Object.keys(opts.units);
  if (names.length === 0) throw new RealSnmpUpsError('startRealSnmpUps needs at least one unit');
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-realsnmp-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const c of [...children].reverse()) await kill(c);
    children.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    writeConfigs(dir, opts, port);
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000 + 5_000 * names.length);
    for (const name of names) {
      const log = `snmp-ups-${name}.log`;
      const drv = launch(dir, SNMP_UPS, ['-a', name, '-u', 'root', '-F'], log);
      children.push(drv);
      while (!existsSync(join(dir, `snmp-ups-${name}`))) {
        if (!running(drv)) throw new RealSnmpUpsError(`snmp-ups for ${name} exited:\n${tail(join(dir, log))}`);
        if (Date.now() > deadline) throw new RealSnmpUpsError(`snmp-ups for ${name} made no socket:\n${tail(join(dir, log))}`);
        await sleep(100);
      }
    }
    const upsd = launch(dir, UPSD, ['-u', 'root', '-F'], 'upsd.log');
    children.push(upsd);
    const target = (name: string) => `${name}@127.0.0.1:${port}`;
    for (const name of names) {
      while ((await upscStatus(target(name))) === null) {
        if (!running(upsd)) throw new RealSnmpUpsError(`upsd exited:\n${tail(join(dir, 'upsd.log'))}`);
        if (Date.now() > deadline) {
          throw new RealSnmpUpsError(`${name} never answered:\n${tail(join(dir, 'upsd.log'))}\n${tail(join(dir, `snmp-ups-${name}.log`))}`);
        }
        await sleep(200);
      }
    }
    return { host: '127.0.0.1', port, dir, target, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
