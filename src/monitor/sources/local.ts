/**
 * A UPS of this agent, watched straight from the state store: no socket, no
 * login. The monitor hears status changes on the bus as they happen, so a
 * local power failure is acted on at once rather than at the next poll.
 */
import type { EventBus } from '../../core/bus';
import type { UpsView } from '../../core/state';
import type { Reading } from '../supply';
import { numberOf, type PollOutcome, type PollRequest, type UpsSource } from './source';

/** The part of the store the monitor may use. */
export interface LocalUpsAccess {
  get(name: string): UpsView | undefined;
  /** Latches FSD, as a client's FSD command does. */
  latchFsd(name: string, by: string): boolean;
}

export interface LocalSourceOptions {
  ups: string;
  store: LocalUpsAccess;
  bus: EventBus;
  /** Data older than this is stale, as the server's maxAge says (upsd MAXAGE). */
  maxAgeMs: number;
}

export class LocalSource implements UpsSource {
  readonly name: string;
  private logins = 0;
  private readonly owner = {};
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly opts: LocalSourceOptions) {
    this.name = opts.ups;
    const mine = (ups: string): boolean => ups.toLowerCase() === opts.ups.toLowerCase();
    // The server publishes how many clients LOGIN to each UPS; none of them is this monitor.
    opts.bus.on('ups.logins', this.owner, (e) => {
      if (mine(e.ups)) this.logins = e.count;
    });
    const changed = (e: { ups: string }): void => {
      if (mine(e.ups)) for (const fn of this.listeners) fn();
    };
    opts.bus.on('ups.status', this.owner, changed);
    opts.bus.on('ups.stale', this.owner, changed);
    opts.bus.on('ups.fsd', this.owner, changed);
    opts.bus.on('driver.detached', this.owner, changed);
    opts.bus.on('driver.attached', this.owner, changed);
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  poll(req: PollRequest): Promise<PollOutcome> {
    return Promise.resolve(this.read(req));
  }

  /** The same answers a client of the server would get, in the same words. */
  private read(req: PollRequest): PollOutcome {
    const view = this.opts.store.get(this.opts.ups);
    if (!view) return { ok: false, error: 'Unknown UPS' };
    if (!view.health.attached) return { ok: false, error: 'Driver not connected' };
    if (!view.health.dumpDone || view.isStale(this.opts.maxAgeMs)) return { ok: false, error: 'Data stale' };
    const status = view.getVar('ups.status')?.value;
    if (status === undefined) return { ok: false, error: 'Variable not supported by UPS' };
    const reading: Reading = { status: view.fsd ? `FSD ${status}` : status };
    if (/\bALARM\b/i.test(status)) reading.alarm = view.getVar('ups.alarm')?.value;
    reading.testResult = view.getVar('ups.test.result')?.value;
    if (req.battery) {
      reading.charge = numberOf(view.getVar('battery.charge')?.value);
      reading.runtime = numberOf(view.getVar('battery.runtime')?.value);
    }
    return { ok: true, reading };
  }

  setFsd(): Promise<void> {
    if (!this.opts.store.latchFsd(this.opts.ups, 'monitor')) return Promise.reject(new Error(`no UPS ${this.opts.ups}`));
    return Promise.resolve();
  }

  otherLogins(): Promise<number | null> {
    return Promise.resolve(this.logins);
  }

  stop(): Promise<void> {
    this.opts.bus.removeAll(this.owner);
    return Promise.resolve();
  }
}
