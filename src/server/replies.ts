/** Fixed reply texts of the NUT server, and the checks every UPS request shares. */
import type { UpsView } from '../core/state';
import { NUT_ERRORS, type NutErrorCode } from '../protocol/wire';
import type { ServerContext } from './session';

/** The upsd release whose wire behaviour we reproduce; clients that parse versions see this one. */
export const NUT_VERSION = '2.8.0';
/** Network protocol version (NETVER / PROTVER). */
export const PROTOCOL_VERSION = '1.3';
export const NUT_URL = 'http://www.networkupstools.org/';

/**
 * The VER line. It keeps upsd's shape ("Network UPS Tools upsd <version> -
 * <url>") because scripts and clients match on that prefix and may parse the
 * version after "upsd "; our name and version go in between.
 */
export function verText(version: string): string {
  return `Network UPS Tools upsd ${NUT_VERSION} (upsagent ${version}) - ${NUT_URL}`;
}

/** upsd 2.8.0's HELP line (PRIMARY, MASTER, FSD, NETVER and PROTVER are not listed). */
export const HELP_TEXT = 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n';

/** `ERR <CODE>\n` for every code, built once. */
export const ERR = Object.fromEntries(NUT_ERRORS.map((c) => [c, `ERR ${c}\n`])) as Record<NutErrorCode, string>;

export const OK = 'OK\n';

/**
 * upsd's ups_available(): a UPS whose driver is gone answers
 * DRIVER-NOT-CONNECTED, one whose data is too old DATA-STALE. Returns the
 * error reply, or null when the UPS may be read.
 */
export function unavailable(ctx: ServerContext, view: UpsView): string | null {
  if (!view.health.attached) return ERR['DRIVER-NOT-CONNECTED'];
  if (view.isStale(ctx.maxAgeMs, ctx.clock())) return ERR['DATA-STALE'];
  return null;
}
