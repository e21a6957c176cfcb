/**
 * What the API routes are given: the store and the bus (as the NUT server
 * has them), the monitor's reading side, and who is logged in to the NUT
 * server (learnt from the server's `ups.logins` events, never by importing it).
 */
import type { EventBus } from '../core/bus';
import type { Logger } from '../core/logger';
import type { UpsStore } from '../core/state';
import type { HistoryEvent } from '../monitor/history';
import type { MonitorView } from '../monitor/view';
import type { HttpAuth } from './auth';

/** The monitor as the web surface reads it (the Monitor module satisfies it). */
export interface MonitorReader {
  view(): MonitorView;
  events(): readonly HistoryEvent[];
}

export interface ApiDeps {
  store: Pick<UpsStore, 'names' | 'get' | 'latchFsd'>;
  bus: EventBus;
  log: Logger;
  auth: HttpAuth;
  /** server.maxAge in ms: older data is stale here too. */
  maxAgeMs: number;
  clock: () => number;
  /** How long a command or SET waits for the driver's verdict before answering 202 (pending). */
  requestWaitMs: number;
  monitor: MonitorReader | null;
  clients: NutClients;
  version: string;
}

/** Clients logged in to each UPS on the NUT server (LIST CLIENT, NUMLOGINS). */
export class NutClients {
  private readonly byUps = new Map<string, { count: number; clients: readonly string[] }>();

  constructor(private readonly bus: EventBus) {}

  start(): void {
    this.bus.on('ups.logins', this, (e) => {
      if (e.count > 0) this.byUps.set(e.ups.toLowerCase(), { count: e.count, clients: [...e.clients] });
      else this.byUps.delete(e.ups.toLowerCase());
    });
  }

  stop(): void {
    this.bus.removeAll(this);
  }

  count(ups: string): number {
    return this.byUps.get(ups.toLowerCase())?.count ?? 0;
  }

  addresses(ups: string): readonly string[] {
    return this.byUps.get(ups.toLowerCase())?.clients ?? [];
  }

  total(): number {
    let n = 0;
    for (const v of this.byUps.values()) n += v.count;
    return n;
  }
}
