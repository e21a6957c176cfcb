/**
 * What the monitor needs from a watched UPS, wherever it is: read its status,
 * raise FSD on it (as its primary), and count the other monitors logged in
 * to it (NUMLOGINS, for HOSTSYNC). A local UPS is read straight from the
 * store; a remote one over the NUT protocol, logged in like upsmon.
 */
import type { Reading } from '../supply';

export type PollOutcome = { ok: true; reading: Reading } | { ok: false; error: string };

export interface PollRequest {
  /** Read battery.charge and battery.runtime too (a policy needs them). */
  battery: boolean;
}

export interface UpsSource {
  /** The UPS as the monitor names it: `ups` for a local one, `ups@host[:port]` for a remote one. */
  readonly name: string;
  /** Never rejects: a failure is an outcome. */
  poll(req: PollRequest): Promise<PollOutcome>;
  /** Raises FSD on the UPS; rejects with the reason when it could not. */
  setFsd(): Promise<void>;
  /** Monitors other than this one that are logged in to the UPS; null when that cannot be read now. */
  otherLogins(): Promise<number | null>;
  /** Asks for a cycle when the UPS changes (a local one announces it; a remote one is polled). */
  onChange?(fn: () => void): void;
  /** Logs out and lets go of connections. */
  stop(): Promise<void>;
}

/** Parses a number the way a value from upsd is written; anything else is no reading. */
export function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
