/**
 * `upsagent scan --snmp HOST[/CIDR]`: nut-scanner's SNMP scan (-S). Each
 * address is asked sysDescr.0 and sysObjectID.0; one that answers is matched
 * to a MIB mapping the way NUT's snmp-ups does with `mibs=auto`: first the
 * mapping whose sysObjectID is the card's, confirmed by its model OID
 * answering, else the first mapping (in NUT's order) whose model OID
 * answers. Every card found becomes a ready `ups:` section for the snmp
 * driver (with the same community or v3 settings), printed on stdout.
 *
 * Read-only: only GETs are sent. Every request has a timeout, so a silent
 * address costs at most timeout x (retries + 1); addresses are probed a
 * bounded number at a time, and a range is limited to /22 (1024 addresses).
 */
import * as snmp from 'net-snmp';
import { UpsAgentError } from '../../core/errors';
import type { CliIO } from '../io';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';

/** The smallest prefix a scan accepts: /22 is 1024 addresses. */
export const MAX_PREFIX = 22;

/** What the scan needs of a MIB mapping: its name (mibs=), the sysObjectID it is for, and the OID its detection reads. */
export interface ScanMib {
  name: string;
  sysOid?: string;
  /** device.model, else ups.model, as NUT's match_model_OID reads. */
  modelOid: string;
  /** Manufacturer OID when the mapping reads one (ups.mfr / device.mfr). */
  mfrOid?: string;
  /** Manufacturer when the mapping has no OID for it (NUT's default for ups.mfr). */
  mfr?: string;
}

/**
 * The driver's mappings (src/drivers/snmp MIB2NUT, same order) as the scan
 * needs them; typed structurally so the scan does not depend on the driver's
 * module shape beyond these fields.
 */
export function scanMibsFrom(mappings: ReadonlyArray<{ name: string; sysOid?: string; entries: ReadonlyArray<{ name: string; oid?: string; dfl?: string }> }>): ScanMib[] {
  const out: ScanMib[] = [];
  for (const m of mappings) {
    const find = (n: string) => m.entries.find((e) => e.name === n);
    const model = find('device.model')?.oid ?? find('ups.model')?.oid;
    if (!model || model.includes('%')) continue;
    const mfr = find('device.mfr') ?? find('ups.mfr');
    const mib: ScanMib = { name: m.name, modelOid: model };
    if (m.sysOid) mib.sysOid = m.sysOid;
    if (mfr?.oid) mib.mfrOid = mfr.oid;
    else if (mfr?.dfl) mib.mfr = mfr.dfl;
    out.push(mib);
  }
  return out;
}

/**
 * NUT 2.8.0's detection facts (drivers/*-mib.c, mib2nut[] order in
 * snmp-ups.c) for the mappings the snmp driver carries: vendor MIBs before
 * IETF, so a card that speaks both is named by its vendor's.
 */
export const DEFAULT_SCAN_MIBS: readonly ScanMib[] = [
  // apc-mib.c: its "sysOID" is the model OID itself, so APC cards are found by the classic method.
  { name: 'apcc', sysOid: '1.3.6.1.4.1.318.1.1.1.1.1.1.0', modelOid: '1.3.6.1.4.1.318.1.1.1.1.1.1.0', mfr: 'APC' },
  { name: 'cyberpower', sysOid: '1.3.6.1.4.1.3808.1.1.1', modelOid: '1.3.6.1.4.1.3808.1.1.1.1.1.1.0', mfr: 'CYBERPOWER' },
  { name: 'mge', sysOid: '1.3.6.1.4.1.705.1', modelOid: '1.3.6.1.4.1.705.1.1.1.0', mfr: 'Eaton' },
  { name: 'pw', sysOid: '1.3.6.1.4.1.534.1', modelOid: '1.3.6.1.4.1.534.1.1.2.0', mfrOid: '1.3.6.1.4.1.534.1.1.1.0' },
  { name: 'pxgx_ups', sysOid: '1.3.6.1.4.1.534.2.12', modelOid: '1.3.6.1.4.1.534.1.1.2.0', mfrOid: '1.3.6.1.4.1.534.1.1.1.0' },
  { name: 'tripplite', sysOid: '1.3.6.1.4.1.850.1', modelOid: '1.3.6.1.2.1.33.1.1.2.0', mfrOid: '1.3.6.1.2.1.33.1.1.1.0' },
  { name: 'ietf', sysOid: '1.3.6.1.2.1.33', modelOid: '1.3.6.1.2.1.33.1.1.2.0', mfrOid: '1.3.6.1.2.1.33.1.1.1.0' },
];

export class ScanSnmpError extends UpsAgentError {
  constructor(message: string) {
    super('INVALID-ARGUMENT', message);
    this.name = 'ScanSnmpError';
  }
}

export type SnmpVersion = 'v1' | 'v2c' | 'v3';
export type SecLevel = 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';

export interface ScanSnmpOptions {
  community?: string;
  snmpVersion?: SnmpVersion;
  /** UDP port of the agents (default 161); written into the section's port when not 161. */
  port?: number;
  secLevel?: SecLevel;
  secName?: string;
  authProtocol?: string;
  authPassword?: string;
  privProtocol?: string;
  privPassword?: string;
  /** Seconds per request (default 1; nut-scanner's -t). */
  timeout?: number;
  /** Retries per request (default 1). */
  retries?: number;
  /** Addresses probed at once (default 64). */
  concurrency?: number;
  /** The mappings to detect with (default DEFAULT_SCAN_MIBS). */
  mibs?: readonly ScanMib[];
}

function ipToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

const intToIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/**
 * The addresses of `HOST[/CIDR]`: one host (an IPv4 address or a name), or
 * the hosts of an IPv4 network (without its network and broadcast addresses
 * up to /30; every address of a /31 or /32).
 */
export function parseTargets(spec: string): string[] {
  const [host, prefixText, ...rest] = spec.split('/');
  if (!host || rest.length > 0) throw new ScanSnmpError(`'${spec}' is not HOST or HOST/CIDR`);
  if (prefixText === undefined) return [host];
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) throw new ScanSnmpError(`'/${prefixText}' is not a prefix length (0-32)`);
  const prefix = Number(prefixText);
  const base = ipToInt(host);
  if (base === null) throw new ScanSnmpError(`'${host}' is not an IPv4 address (a range needs one: 192.168.1.0/24)`);
  if (prefix < MAX_PREFIX) {
    throw new ScanSnmpError(`/${prefix} is ${2 ** (32 - prefix)} addresses; a scan covers at most /${MAX_PREFIX} (${2 ** (32 - MAX_PREFIX)} addresses): scan the range in parts`);
  }
  const size = 2 ** (32 - prefix);
  const network = prefix === 0 ? 0 : (base & (~0 << (32 - prefix))) >>> 0;
  const first = prefix <= 30 ? network + 1 : network;
  const last = prefix <= 30 ? network + size - 2 : network + size - 1;
  const out: string[] = [];
  for (let n = first; n <= last; n++) out.push(intToIp(n));
  return out;
}

const AUTH: Record<string, snmp.AuthProtocols> = {
  MD5: snmp.AuthProtocols.md5,
  SHA: snmp.AuthProtocols.sha,
  SHA224: snmp.AuthProtocols.sha224,
  SHA256: snmp.AuthProtocols.sha256,
  SHA384: snmp.AuthProtocols.sha384,
  SHA512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, snmp.PrivProtocols> = { DES: snmp.PrivProtocols.des, AES: snmp.PrivProtocols.aes };

/** Checks the options as snmp-ups would (same names and values), before anything is sent. */
export function checkScanOptions(o: ScanSnmpOptions): void {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 1 && o.port <= 65535)) throw new ScanSnmpError(`--snmp-port must be a UDP port (1-65535), not '${o.port}'`);
  if (o.timeout !== undefined && !(o.timeout > 0 && o.timeout <= 60)) throw new ScanSnmpError(`--timeout must be seconds (more than 0, at most 60), not '${o.timeout}'`);
  const v = o.snmpVersion ?? 'v1';
  if (!['v1', 'v2c', 'v3'].includes(v)) throw new ScanSnmpError(`--snmp-version must be v1, v2c or v3, not '${v}'`);
  if (v !== 'v3') return;
  const level = o.secLevel ?? 'noAuthNoPriv';
  if (!['noAuthNoPriv', 'authNoPriv', 'authPriv'].includes(level)) throw new ScanSnmpError(`--sec-level must be noAuthNoPriv, authNoPriv or authPriv, not '${level}'`);
  if (!o.secName) throw new ScanSnmpError('SNMP v3 needs --sec-name');
  if (level !== 'noAuthNoPriv') {
    if (!o.authPassword) throw new ScanSnmpError(`--sec-level ${level} needs --auth-password`);
    if (o.authProtocol !== undefined && !(o.authProtocol in AUTH)) throw new ScanSnmpError(`--auth-protocol must be one of ${Object.keys(AUTH).join(', ')}`);
  }
  if (level === 'authPriv') {
    if (!o.privPassword) throw new ScanSnmpError('--sec-level authPriv needs --priv-password');
    if (o.privProtocol !== undefined && !(o.privProtocol in PRIV)) throw new ScanSnmpError(`--priv-protocol must be one of ${Object.keys(PRIV).join(', ')}`);
  }
}

function openSession(host: string, o: ScanSnmpOptions): snmp.Session {
  const common = { port: o.port ?? 161, timeout: Math.round((o.timeout ?? 1) * 1000), retries: o.retries ?? 1 };
  const v = o.snmpVersion ?? 'v1';
  if (v !== 'v3') return snmp.createSession(host, o.community ?? 'public', { ...common, version: v === 'v1' ? snmp.Version1 : snmp.Version2c });
  const level = o.secLevel ?? 'noAuthNoPriv';
  const user: snmp.User = { name: o.secName!, level: snmp.SecurityLevel[level] };
  if (level !== 'noAuthNoPriv') {
    user.authProtocol = AUTH[o.authProtocol ?? 'MD5'];
    user.authKey = o.authPassword!;
  }
  if (level === 'authPriv') {
    user.privProtocol = PRIV[o.privProtocol ?? 'DES'];
    user.privKey = o.privPassword!;
  }
  return snmp.createV3Session(host, user, { ...common, version: snmp.Version3 });
}

type Got = { kind: 'value'; text: string } | { kind: 'absent' } | { kind: 'silent' };

/** One GET of one OID (a v1 agent fails a whole request for one missing OID, so they go one by one). */
function getOne(session: snmp.Session, oid: string): Promise<Got> {
  return new Promise((resolve) => {
    try {
      session.get([oid], (error, varbinds) => {
        if (error) {
          // An agent that answered with an error status (v1 noSuchName) is there; a timeout is not.
          const silent = !(error instanceof snmp.RequestFailedError);
          resolve(silent ? { kind: 'silent' } : { kind: 'absent' });
          return;
        }
        const vb = varbinds?.[0];
        if (!vb || snmp.isVarbindError(vb)) return resolve({ kind: 'absent' });
        const v = vb.value as unknown;
        const text = Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
        resolve({ kind: 'value', text });
      });
    } catch {
      resolve({ kind: 'silent' });
    }
  });
}

export interface SnmpCard {
  host: string;
  sysDescr: string;
  sysObjectId: string;
  sysName?: string;
  /** The mapping found (null: the agent answers, but no UPS MIB we know). */
  mib: string | null;
  model?: string;
  mfr?: string;
}

const stripDot = (o: string) => o.replace(/^\./, '');

/** Asks one address; null when nothing answered. Never throws for what the network or the agent does. */
export async function probeSnmpHost(host: string, o: ScanSnmpOptions): Promise<SnmpCard | null> {
  let session: snmp.Session;
  try {
    session = openSession(host, o);
  } catch {
    return null;
  }
  // A session's socket errors (unreachable host...) must not reach the process.
  session.on('error', () => undefined);
  try {
    const descr = await getOne(session, SYS_DESCR);
    if (descr.kind === 'silent') return null;
    const oid = await getOne(session, SYS_OBJECT_ID);
    if (oid.kind === 'silent') return null;
    const card: SnmpCard = {
      host,
      sysDescr: descr.kind === 'value' ? descr.text : '',
      sysObjectId: oid.kind === 'value' ? stripDot(oid.text) : '',
      mib: null,
    };
    const name = await getOne(session, SYS_NAME);
    if (name.kind === 'value' && name.text.trim()) card.sysName = name.text.trim();
    const mibs = o.mibs ?? DEFAULT_SCAN_MIBS;
    const modelOf = async (m: ScanMib): Promise<string | null> => {
      const got = await getOne(session, stripDot(m.modelOid));
      return got.kind === 'value' ? got.text : null;
    };
    // As snmp-ups' match_sysoid(): the mapping for this sysObjectID, if its model OID answers.
    let found: { mib: ScanMib; model: string } | null = null;
    for (const m of mibs) {
      if (!m.sysOid || stripDot(m.sysOid) !== card.sysObjectId) continue;
      const model = await modelOf(m);
      if (model !== null) {
        found = { mib: m, model };
        break;
      }
    }
    // Else the classic method: the first mapping whose model OID answers.
    if (!found) {
      for (const m of mibs) {
        const model = await modelOf(m);
        if (model !== null) {
          found = { mib: m, model };
          break;
        }
      }
    }
    if (found) {
      card.mib = found.mib.name;
      card.model = found.model.trim();
      if (found.mib.mfrOid) {
        const mfr = await getOne(session, stripDot(found.mib.mfrOid));
        if (mfr.kind === 'value' && mfr.text.trim()) card.mfr = mfr.text.trim();
      } else if (found.mib.mfr) card.mfr = found.mib.mfr;
    }
    return card;
  } finally {
    try {
      session.close();
    } catch {
      // Already closed.
    }
  }
}

/** Probes every address, `concurrency` at a time; the cards that answered, in address order. */
export async function scanSnmp(hosts: readonly string[], o: ScanSnmpOptions): Promise<SnmpCard[]> {
  const found: (SnmpCard | null)[] = new Array<SnmpCard | null>(hosts.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const i = next++;
      found[i] = await probeSnmpHost(hosts[i]!, o);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 64, hosts.length) }, worker));
  return found.filter((c): c is SnmpCard => c !== null);
}

const q = (s: string): string => JSON.stringify(s);
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/** A UPS name for the configuration: lower case letters, digits, - and _, unique among `taken`. */
function upsName(card: SnmpCard, taken: Set<string>): string {
  const raw = (card.sysName ?? card.model ?? `snmp-${card.host}`).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  const base = /^[a-z]/.test(raw) ? raw.slice(0, 40) : `ups-${raw}`.slice(0, 40);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** The `ups:` section for the cards found (undefined when there is none), keys as snmp-ups names them. */
export function formatSnmpYaml(cards: readonly SnmpCard[], o: ScanSnmpOptions): string | undefined {
  const ups = cards.filter((c) => c.mib !== null);
  if (ups.length === 0) return undefined;
  const v = o.snmpVersion ?? 'v1';
  const taken = new Set<string>();
  const lines = [`# ${ups.length} UPS found over SNMP by upsagent scan; paste into the configuration file.`, 'ups:'];
  for (const c of ups) {
    lines.push(`  # ${oneLine(c.host)}: ${oneLine(c.sysDescr).slice(0, 200)} (sysObjectID ${c.sysObjectId}, ${c.mib} MIB)`);
    lines.push(`  ${upsName(c, taken)}:`);
    lines.push('    driver: snmp');
    lines.push(`    port: ${q(o.port && o.port !== 161 ? `${c.host}:${o.port}` : c.host)}`);
    lines.push(`    mibs: ${q(c.mib!)}`);
    lines.push(`    snmp_version: ${v}`);
    if (v !== 'v3') lines.push(`    community: ${q(o.community ?? 'public')}`);
    else {
      const level = o.secLevel ?? 'noAuthNoPriv';
      lines.push(`    secLevel: ${level}`, `    secName: ${q(o.secName!)}`);
      if (level !== 'noAuthNoPriv') lines.push(`    authProtocol: ${o.authProtocol ?? 'MD5'}`, `    authPassword: ${q(o.authPassword!)}`);
      if (level === 'authPriv') lines.push(`    privProtocol: ${o.privProtocol ?? 'DES'}`, `    privPassword: ${q(o.privPassword!)}`);
    }
    const desc = [c.mfr, c.model].filter(Boolean).join(' ') || c.sysDescr;
    lines.push(`    desc: ${q(oneLine(desc).slice(0, 255))}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The command: exit 0 when the scan ran (finding nothing is not an error,
 * as for the USB/serial scan), 2 for a bad range or bad options.
 */
export async function runScanSnmp(io: CliIO, spec: string, o: ScanSnmpOptions): Promise<number> {
  let hosts: string[];
  try {
    checkScanOptions(o);
    hosts = parseTargets(spec);
  } catch (err) {
    if (err instanceof ScanSnmpError) {
      io.err(`upsagent scan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const cards = await scanSnmp(hosts, o);
  for (const c of cards.filter((x) => x.mib === null)) {
    io.err(`upsagent scan: ${c.host} answers SNMP but shows no UPS MIB the snmp driver knows (sysObjectID ${c.sysObjectId || 'none'}: ${oneLine(c.sysDescr).slice(0, 120)})\n`);
  }
  const yaml = formatSnmpYaml(cards, o);
  if (yaml === undefined) {
    io.out(`# No UPS answered SNMP at ${spec} (${hosts.length} address${hosts.length === 1 ? '' : 'es'} asked).\n`);
    return 0;
  }
  io.out(yaml);
  return 0;
}
