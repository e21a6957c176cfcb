/**
 * The relay driver's keys in a `ups:` entry. `port` names the UPS of another
 * NUT server as NUT writes it (`ups@host[:port]`, dummy-ups' repeater mode).
 */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { splitName, type UpsTarget } from '../../client/target';
import { bool, num, optional, str, type ObjectOf } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';

export const RELAY_OPTIONS = {
  /** User on the upstream server (its upsd.users), for SET VAR and INSTCMD passed through; reading needs none. */
  user: optional(str({ minLength: 1, maxLength: 255 })),
  /** That user's password; never logged. */
  password: optional(str({ minLength: 1, maxLength: 255 })),
  /**
   * Seconds between full reads (types, enums, ranges, descriptions, commands
   * read again); values are read every pollInterval (default 2). Default 30.
   */
  pollfreq: optional(num({ min: 1, max: 3600 })),
  /**
   * LOGIN upstream, as a upsmon secondary does (needs an upsmon user there):
   * the upstream counts the relay in NUMLOGINS and LIST CLIENT, so its
   * primary waits for it (up to its HOSTSYNC) in a forced shutdown, giving
   * the relay's own clients time to see FSD. Default false.
   */
  login: optional(bool()),
};

export type RelayConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof RELAY_OPTIONS>;

/** dummy-ups' test: a port with an `@` is another server's UPS, not a file. */
export function isRelayPort(port: string): boolean {
  return port.includes('@');
}

/** The upstream UPS named by `port`, or why it cannot be used. */
export function relayTarget(port: string): { ok: true; value: UpsTarget } | { ok: false; message: string } {
  if (!isRelayPort(port)) return { ok: false, message: `${JSON.stringify(port)} does not name a UPS of another server; write ups@host or ups@host:port` };
  const t = splitName(port);
  if (!t.ok) return { ok: false, message: `${JSON.stringify(port)} is not ups@host[:port]${t.diagnostic ? ` (${t.diagnostic})` : ''}` };
  if (t.value.ups === '' || t.value.host === '') return { ok: false, message: `${JSON.stringify(port)} needs both a UPS name and a host` };
  return t;
}

/** The checks the relay's keys need, shared with dummy-ups' repeater form. */
export function checkRelay(cfg: UpsConfig, path: string, issues: Array<{ path: string; message: string }>): void {
  const t = relayTarget(cfg.port);
  if (!t.ok) issues.push({ path: `${path}.port`, message: t.message });
  if ((cfg.user === undefined) !== (cfg.password === undefined)) {
    issues.push({ path, message: 'give both user and password (the upstream server\'s upsd.users entry), or neither (values are relayed; writes and commands are refused upstream)' });
  }
  if (cfg.login === true && cfg.user === undefined) issues.push({ path: `${path}.login`, message: 'login needs user and password: an upsmon user of the upstream server' });
}

export const relaySchema: DriverSchema = {
  name: 'relay',
  options: RELAY_OPTIONS,
  check: checkRelay,
  portIsFile: () => false,
};
