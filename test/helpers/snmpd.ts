/**
 * Test harness: net-snmp's real `snmpd` on a free loopback UDP port, for
 * SNMP v3 (snmpsim's v3 is one user; snmpd gives several with their own
 * auth/priv protocols). A scratch folder holds its configuration and
 * persistent state; the agent serves the system group plus a handful of
 * RFC 1628 UPS-MIB values (`override` directives), with sysObjectID the
 * UPS-MIB's, so a v3 client detects it as an ietf card.
 *
 * Users (all read-only, v3 only: no community is configured):
 * - V3_USERS.sha: SHA + AES, authPriv
 * - V3_USERS.md5: MD5 + DES, authPriv
 * - V3_USERS.auth: SHA, authNoPriv
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, running, tail } from './real-nut';
import { freeUdpPort } from './snmpsim';
import { execFile } from 'node:child_process';

export const SNMPD = '/usr/sbin/snmpd';

export interface V3User {
  name: string;
  level: 'authNoPriv' | 'authPriv';
  authProtocol: 'SHA' | 'MD5';
  authPassword: string;
  privProtocol?: 'AES' | 'DES';
  privPassword?: string;
}

export const V3_USERS = {
  sha: { name: 'upsaes', level: 'authPriv', authProtocol: 'SHA', authPassword: 'auth-secret-1', privProtocol: 'AES', privPassword: 'priv-secret-1' },
  md5: { name: 'upsdes', level: 'authPriv', authProtocol: 'MD5', authPassword: 'auth-secret-2', privProtocol: 'DES', privPassword: 'priv-secret-2' },
  auth: { name: 'upsauth', level: 'authNoPriv', authProtocol: 'SHA', authPassword: 'auth-secret-3' },
} as const satisfies Record<string, V3User>;

/** The UPS-MIB values served (OID -> [snmpd override type, value]). */
export const SNMPD_UPS_VALUES: Record<string, [string, string]> = {
  '.1.3.6.1.2.1.33.1.1.1.0': ['octet_str', 'Generic'],
  '.1.3.6.1.2.1.33.1.1.2.0': ['octet_str', 'V3 Test UPS'],
  '.1.3.6.1.2.1.33.1.1.3.0': ['octet_str', '1.0'],
  '.1.3.6.1.2.1.33.1.2.1.0': ['integer', '2'],
  '.1.3.6.1.2.1.33.1.2.3.0': ['integer', '42'],
  '.1.3.6.1.2.1.33.1.2.4.0': ['integer', '97'],
  '.1.3.6.1.2.1.33.1.2.5.0': ['integer', '272'],
  '.1.3.6.1.2.1.33.1.3.2.0': ['integer', '1'],
  '.1.3.6.1.2.1.33.1.3.3.1.3.1': ['integer', '231'],
  '.1.3.6.1.2.1.33.1.4.1.0': ['integer', '3'],
  '.1.3.6.1.2.1.33.1.4.4.1.2.1': ['integer', '230'],
  '.1.3.6.1.2.1.33.1.4.4.1.5.1': ['integer', '33'],
};

export interface Snmpd {
  host: string;
  port: number;
  address: string;
  dir: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function snmpgetV3(address: string, u: V3User, oid: string): Promise<boolean> {
  const args = ['-v3', '-l', u.level, '-u', u.name, '-a', u.authProtocol, '-A', u.authPassword, '-t', '1', '-r', '0'];
  if (u.privProtocol && u.privPassword) args.push('-x', u.privProtocol, '-X', u.privPassword);
  return new Promise((r) => execFile('/usr/bin/snmpget', [...args, address, oid], { timeout: 5000 }, (err) => r(!err)));
}

export async function startSnmpd(opts: { startTimeoutMs?: number } = {}): Promise<Snmpd> {
  const host = '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-snmpd-'));
  let child: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    if (child) await kill(child);
    child = null;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freeUdpPort(host);
    const conf: string[] = [`agentaddress udp:${host}:${port}`, 'sysobjectid .1.3.6.1.2.1.33', 'sysdescr upsagent v3 test agent (net-snmp snmpd)', 'syscontact ops@example.net', 'syslocation loopback'];
    for (const u of Object.values(V3_USERS) as V3User[]) {
      const priv = u.privProtocol ? ` ${u.privProtocol} "${u.privPassword}"` : '';
      conf.push(`createUser ${u.name} ${u.authProtocol} "${u.authPassword}"${priv}`);
      conf.push(`rouser ${u.name} ${u.level === 'authPriv' ? 'priv' : 'auth'}`);
    }
    for (const [oid, [type, value]] of Object.entries(SNMPD_UPS_VALUES)) conf.push(`override ${oid} ${type} ${type === 'octet_str' ? `"${value}"` : value}`);
    writeFileSync(join(dir, 'snmpd.conf'), `${conf.join('\n')}\n`, { mode: 0o600 });
    const fd = openSync(join(dir, 'snmpd.log'), 'a');
    // -f foreground, -C only our file, -Lf its log; the persistent folder (engine boots, users) is the scratch one.
    const proc = spawn(SNMPD, ['-f', '-C', '-c', join(dir, 'snmpd.conf'), '-Lf', join(dir, 'snmpd.log'), '-p', join(dir, 'snmpd.pid'), '-M', '/dev/null'], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' },
    });
    closeSync(fd);
    child = proc;
    process.once('exit', () => proc.kill('SIGKILL'));
    const address = `${host}:${port}`;
    const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
    while (!(await snmpgetV3(address, V3_USERS.sha, '1.3.6.1.2.1.33.1.1.2.0'))) {
      if (!running(proc) || Date.now() > deadline) throw new Error(`snmpd did not answer on ${address}:\n${tail(join(dir, 'snmpd.log'))}`);
      await sleep(200);
    }
    return { host, port, address, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
