/**
 * `upsagent scan --snmp HOST[/CIDR]`: nut-scanner's SNMP scan (-S). Each
 * address is asked sysDescr.0, sysObjectID.0 and sysName.0; one that
 * answers is matched to a MIB mapping by the snmp driver's own detection
 * (drivers/snmp/detect.ts, NUT's mibs=auto: the mapping whose sysObjectID
 * is the card's, confirmed by its model OID answering, else the first
 * mapping in mib2nut[] order whose model OID answers), over the driver's
 * transport, so the scan names the MIB the driver will pick. Every card
 * found becomes a ready `ups:` section for the snmp driver (with the same
 * community or v3 settings), printed on stdout.
 *
 * Read-only: only GETs are sent. Every request has a timeout, so a silent
 * address costs at most timeout x (retries + 1); addresses are probed a
 * bounded number at a time, and a range is limited to /22 (1024 addresses).
 */
import { UpsAgentError } from '../../core/errors';
import { getMany } from '../../drivers/snmp/bulk';
import { detectMib, modelOid, MibNotFoundError, SYS_DESCR, SYS_OBJECT_ID } from '../../drivers/snmp/detect';
import { NetSnmpTransport } from '../../drivers/snmp/net-snmp-transport';
import type { SnmpValue } from '../../drivers/snmp/transport';
import type { CliIO } from '../io';

const SYS_NAME = '1.3.6.1.2.1.1.5.0';

/** The smallest prefix a scan accepts: /22 is 1024 addresses. */
export const MAX_PREFIX = 22;

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

const AUTH_PROTOCOLS = ['MD5', 'SHA', 'SHA224', 'SHA256', 'SHA384', 'SHA512'];
const PRIV_PROTOCOLS = ['DES', 'AES', 'AES256'];

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
    if (o.authProtocol !== undefined && !AUTH_PROTOCOLS.includes(o.authProtocol)) throw new ScanSnmpError(`--auth-protocol must be one of ${AUTH_PROTOCOLS.join(', ')}`);
  }
  if (level === 'authPriv') {
    if (!o.privPassword) throw new ScanSnmpError('--sec-level authPriv needs --priv-password');
    if (o.privProtocol !== undefined && !PRIV_PROTOCOLS.includes(o.privProtocol)) throw new ScanSnmpError(`--priv-protocol must be one of ${PRIV_PROTOCOLS.join(', ')}`);
  }
}

/** The driver's transport for one address (throws UpsAgentError for settings this Node cannot do, e.g. DES without OpenSSL's legacy provider). */
function openTransport(host: string, o: ScanSnmpOptions): NetSnmpTransport {
  const v = o.snmpVersion ?? 'v1';
  const t: ConstructorParameters<typeof NetSnmpTransport>[0] = {
    host,
    port: o.port ?? 161,
    version: v,
    community: o.community ?? 'public',
    timeoutS: o.timeout ?? 1,
    retries: o.retries ?? 1,
  };
  if (v === 'v3') {
    t.secLevel = o.secLevel ?? 'noAuthNoPriv';
    t.secName = o.secName!;
    if (o.authPassword !== undefined) t.authPassword = o.authPassword;
    if (o.authProtocol !== undefined) t.authProtocol = o.authProtocol;
    if (o.privPassword !== undefined) t.privPassword = o.privPassword;
    if (o.privProtocol !== undefined) t.privProtocol = o.privProtocol;
  }
  return new NetSnmpTransport(t);
}

function text(v: SnmpValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return v.value.toString('latin1');
  if (v.kind === 'oid') return v.value.replace(/^\./, '');
  if (v.kind === 'int' || v.kind === 'ticks') return String(v.value);
  return undefined;
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

/** Asks one address; null when nothing answered. Never throws for what the network or the agent does. */
export async function probeSnmpHost(host: string, o: ScanSnmpOptions): Promise<SnmpCard | null> {
  let t: NetSnmpTransport;
  try {
    t = openTransport(host, o);
  } catch {
    return null;
  }
  const fetch = (oids: readonly string[]) => getMany(t, oids);
  try {
    const sys = await fetch([SYS_DESCR, SYS_OBJECT_ID, SYS_NAME]);
    const card: SnmpCard = { host, sysDescr: text(sys.get(SYS_DESCR)) ?? '', sysObjectId: text(sys.get(SYS_OBJECT_ID)) ?? '', mib: null };
    const name = text(sys.get(SYS_NAME))?.trim();
    if (name) card.sysName = name;
    let mapping;
    try {
      mapping = (await detectMib('auto', fetch)).mapping;
    } catch (err) {
      if (err instanceof MibNotFoundError) return card;
      throw err;
    }
    card.mib = mapping.name;
    const mfrEntry = mapping.entries.find((e) => e.name === 'device.mfr') ?? mapping.entries.find((e) => e.name === 'ups.mfr');
    const model = modelOid(mapping);
    const got = await fetch([model, mfrEntry?.oid].filter((x): x is string => x !== undefined));
    const modelText = model ? text(got.get(model))?.trim() : undefined;
    if (modelText) card.model = modelText;
    const mfr = (mfrEntry?.oid ? text(got.get(mfrEntry.oid))?.trim() : undefined) || mfrEntry?.dfl;
    if (mfr) card.mfr = mfr;
    return card;
  } catch {
    // No answer (timeout), or a reply the driver's transport refused: nothing usable at this address.
    return null;
  } finally {
    t.close();
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
    // Settings this Node cannot do (DES without OpenSSL's legacy provider) are said once, not as an empty scan.
    openTransport('127.0.0.1', o).close();
  } catch (err) {
    if (err instanceof UpsAgentError) {
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
