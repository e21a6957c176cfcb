/**
 * The snmp driver's keys in a `ups:` entry, with NUT snmp-ups' names,
 * values and defaults (snmp-ups(8)). `port` is the card: host or IP,
 * optionally `:port` (`[v6]:port` for IPv6); UDP 161 by default.
 */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { bool, num, oneOf, optional, str, type ObjectOf } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';

/*
 * The MIB mapping tables are required when an snmp UPS names one, not at
 * start: every config check goes through this schema, and an agent without
 * an SNMP UPS would otherwise keep all of them resident.
 */
type Detect = typeof import('./detect');
type Mibs = typeof import('./mibs/index');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, and schema checks are synchronous
const detect = (): Detect => require('./detect') as Detect;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const mibs = (): Mibs => require('./mibs/index') as Mibs;

/** snmp-ups' protocol names (net-snmp's AES is AES-128 CFB; AES256 is Blumenthal's draft, as NUT's AES256). */
export const AUTH_PROTOCOLS = ['MD5', 'SHA', 'SHA224', 'SHA256', 'SHA384', 'SHA512'] as const;
export const PRIV_PROTOCOLS = ['DES', 'AES', 'AES256'] as const;

export const DEFAULT_POLLFREQ = 30;
export const DEFAULT_RETRIES = 5;
export const DEFAULT_TIMEOUT_S = 1;
export const DEFAULT_SEMISTATICFREQ = 10;
export const DEFAULT_SNMP_PORT = 161;

export const SNMP_OPTIONS = {
  /** The mapping: `auto` (detect, in NUT's order) or a name (ietf, apcc, mge, pw (eaton_pw_nm2), cyberpower, tripplite). */
  mibs: optional(str({ minLength: 1 })),
  /** SNMP v1/v2c community (default public). Never logged. */
  community: optional(str({ minLength: 1 })),
  /** v1 (default), v2c or v3. */
  snmp_version: optional(oneOf(['v1', 'v2c', 'v3'])),
  /** Seconds between full updates of every value (default 30); ups.status is read every pollInterval in between. */
  pollfreq: optional(num({ min: 1, max: 3600 })),
  /** Full updates between reads of semi-static values (default 10). */
  semistaticfreq: optional(num({ min: 1, max: 10_000, integer: true })),
  /** Retries of a request that got no answer (default 5). */
  snmp_retries: optional(num({ min: 0, max: 20, integer: true })),
  /** Seconds to wait for an answer before retrying (default 1). */
  snmp_timeout: optional(num({ min: 0.1, max: 60 })),
  /** Leave out input.transfer.low/high (APC Symmetra). */
  notransferoids: optional(bool()),
  /** APC three-phase Symmetra: transfer points line-to-line to line-to-neutral. */
  symmetrathreephase: optional(bool()),
  /** SNMPv3 security level: noAuthNoPriv (default), authNoPriv, authPriv. */
  secLevel: optional(oneOf(['noAuthNoPriv', 'authNoPriv', 'authPriv'])),
  /** SNMPv3 user (securityName). */
  secName: optional(str({ minLength: 1 })),
  /** SNMPv3 pass phrases (8 characters at least, as net-snmp requires). Never logged. */
  authPassword: optional(str({ minLength: 8 })),
  privPassword: optional(str({ minLength: 8 })),
  /** MD5 (default), SHA, SHA224, SHA256, SHA384, SHA512. */
  authProtocol: optional(oneOf(AUTH_PROTOCOLS)),
  /** DES (default), AES (128), AES256. */
  privProtocol: optional(oneOf(PRIV_PROTOCOLS)),
  /** Seconds written to ups.delay.start / ups.delay.shutdown at start (snmp-ups ondelay / offdelay). */
  ondelay: optional(num({ min: 0, max: 1_000_000, integer: true })),
  offdelay: optional(num({ min: 0, max: 1_000_000, integer: true })),
};

export type SnmpConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof SNMP_OPTIONS>;

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address has more than one colon. */
export function parseTarget(port: string): { host: string; port: number } | null {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(port);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : DEFAULT_SNMP_PORT };
  const colons = port.split(':').length - 1;
  if (colons > 1) return { host: port, port: DEFAULT_SNMP_PORT };
  const [host, p] = port.split(':');
  if (!host) return null;
  if (p === undefined) return { host, port: DEFAULT_SNMP_PORT };
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) return null;
  return { host, port: Number(p) };
}

export const snmpSchema: DriverSchema = {
  name: 'snmp',
  options: SNMP_OPTIONS,
  check(cfg, path, issues) {
    if (parseTarget(cfg.port) === null) issues.push({ path: `${path}.port`, message: `${JSON.stringify(cfg.port)} is not a host, host:port or [IPv6]:port of an SNMP card` });
    const named = cfg.mibs;
    if (typeof named === 'string' && named !== 'auto' && !mibs().mibNames().includes(detect().resolveMibName(named))) {
      issues.push({ path: `${path}.mibs`, message: `${JSON.stringify(named)} is not auto or a mapping of this driver (${mibs().mibNames().join(', ')})` });
    }
    if (cfg.snmp_version === 'v3') {
      const level = (cfg.secLevel as string | undefined) ?? 'noAuthNoPriv';
      if (cfg.secName === undefined) issues.push({ path: `${path}.secName`, message: 'SNMPv3 needs secName (the user)' });
      if (level !== 'noAuthNoPriv' && cfg.authPassword === undefined) issues.push({ path: `${path}.authPassword`, message: `secLevel ${level} needs authPassword` });
      if (level === 'authPriv' && cfg.privPassword === undefined) issues.push({ path: `${path}.privPassword`, message: 'secLevel authPriv needs privPassword' });
    }
  },
};
