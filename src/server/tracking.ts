/**
 * Results of SET VAR / INSTCMD for clients that asked for tracking
 * (`SET TRACKING ON`; upsrw -w and upscmd -w use it). Each tracked request
 * gets an id; `GET TRACKING <id>` answers PENDING until the driver is done,
 * then SUCCESS or an ERR line. As in upsd the table is shared by every client
 * and entries are kept for TRACKINGDELAY (an hour) after the request.
 */
import { nodeCrypto } from '../core/lazy-builtins';
import { RequestError } from '../core/errors';

export type TrackingStatus = 'PENDING' | 'SUCCESS' | 'ERR UNKNOWN' | 'ERR INVALID-ARGUMENT' | 'ERR FAILED';

/** upsd's default TRACKINGDELAY. */
export const TRACKING_KEEP_MS = 3600_000;
/** Bound on remembered results, so a client looping SET VAR cannot grow the table without end. */
export const TRACKING_MAX = 10_000;

/**
 * How a driver's failure reads in GET TRACKING. Drivers report NUT's
 * STAT_UNKNOWN (no such command or variable), STAT_INVALID (bad value or
 * argument) and STAT_FAILED; RequestError codes map onto those.
 */
export function trackingStatusOf(err: unknown): TrackingStatus {
  if (!(err instanceof RequestError)) return 'ERR FAILED';
  switch (err.failure) {
    case 'CMD-NOT-SUPPORTED':
    case 'VAR-NOT-SUPPORTED':
    case 'UNKNOWN-UPS':
      return 'ERR UNKNOWN';
    case 'INVALID-ARGUMENT':
    case 'INVALID-VALUE':
    case 'TOO-LONG':
      return 'ERR INVALID-ARGUMENT';
    default:
      return 'ERR FAILED';
  }
}

export class TrackingTable {
  private readonly items = new Map<string, { status: TrackingStatus; at: number }>();

  constructor(private readonly clock: () => number) {}

  /** A new PENDING entry; the id is an upper-case UUID v4 like upsd's. */
  add(): string {
    const id = nodeCrypto().randomUUID().toUpperCase();
    if (this.items.size >= TRACKING_MAX) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
    this.items.set(id, { status: 'PENDING', at: this.clock() });
    return id;
  }

  settle(id: string, status: TrackingStatus): void {
    const item = this.items.get(id);
    if (item) item.status = status;
  }

  /** upsd compares ids case-insensitively; an unknown id reads ERR UNKNOWN. */
  get(id: string): TrackingStatus {
    return this.items.get(id.toUpperCase())?.status ?? 'ERR UNKNOWN';
  }

  /** Forgets entries older than TRACKINGDELAY. */
  sweep(now = this.clock()): void {
    for (const [id, item] of this.items) {
      if (now - item.at > TRACKING_KEEP_MS) this.items.delete(id);
      else break; // insertion order is age order
    }
  }

  get size(): number {
    return this.items.size;
  }
}
