/**
 * The automatic run's look for UPSes: the same discovery as `upsagent scan`
 * (USB HID only, see auto-config.ts), again every `everyMs`, so a UPS
 * plugged in after the start is picked up. What it has seen it keeps: a UPS
 * that goes away stays in the configuration (its driver reports it stale
 * and reconnects when it is back).
 */
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ListedHidDevice } from '../drivers/usbhid/matcher';
import { scan } from '../drivers/usbhid/scan';
import { mergeFound, type AutoUps } from './auto-config';

/** How often the automatic run looks for UPSes (seconds). */
export const AUTO_SCAN_EVERY_S = 30;
/** While nothing is found, "still looking" is logged this often, not on every look. */
export const AUTO_LOOKING_LOG_EVERY_MS = 10 * 60_000;
/** A device listing that does not answer in this time counts as a failed look. */
export const AUTO_SCAN_TIMEOUT_MS = 15_000;

export interface AutoWatchOptions {
  /** Lists the HID devices (tests give fakes). */
  listHid: () => Promise<ListedHidDevice[]>;
  log: Logger;
  everyMs?: number;
  /** UPSes already in the running configuration. */
  known?: readonly AutoUps[];
  /** Called with every UPS known and the new ones after a look that found new ones; a rejection is logged and the UPSes are offered again at the next look. */
  onAdded(all: readonly AutoUps[], added: readonly AutoUps[]): Promise<void>;
  /** After every look (the status file). */
  onLook?(problems: readonly string[]): void;
  lookingLogEveryMs?: number;
  /** A listing that has not answered by then counts as a failed look (default AUTO_SCAN_TIMEOUT_MS). */
  scanTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class AutoWatch {
  private known: AutoUps[];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private lastLookingLog = -Infinity;
  private lastProblems = '';

  constructor(private readonly o: AutoWatchOptions) {
    this.known = [...(o.known ?? [])];
  }

  get upses(): readonly AutoUps[] {
    return this.known;
  }

  get everyMs(): number {
    return this.o.everyMs ?? AUTO_SCAN_EVERY_S * 1000;
  }

  /** One look now; resolves with the UPSes it added. Looks never overlap. */
  async look(): Promise<readonly AutoUps[]> {
    while (this.running) await this.running;
    let added: AutoUps[] = [];
    this.running = (async () => {
      const problems: string[] = [];
      try {
        const result = await withTimeout(scan({ hid: this.o.listHid, serial: async () => [] }), this.o.scanTimeoutMs ?? AUTO_SCAN_TIMEOUT_MS, 'looking for UPSes');
        problems.push(...result.problems);
        const merged = mergeFound(this.known, result.ups);
        if (merged.added.length > 0 && !this.stopped) {
          try {
            await this.o.onAdded(merged.all, merged.added);
            this.known = merged.all;
            added = merged.added;
          } catch (err) {
            problems.push(`could not add ${merged.added.map((u) => u.name).join(', ')}: ${errorMessage(err)}`);
          }
        }
      } catch (err) {
        problems.push(errorMessage(err));
      }
      // The same trouble on every look is said once, not every 30 s.
      const text = problems.join('; ');
      if (text && text !== this.lastProblems) this.o.log.warn(`automatic configuration: ${text}`);
      this.lastProblems = text;
      if (this.known.length === 0) {
        const now = Date.now();
        if (now - this.lastLookingLog >= (this.o.lookingLogEveryMs ?? AUTO_LOOKING_LOG_EVERY_MS)) {
          this.lastLookingLog = now;
          this.o.log.info(`automatic configuration: no UPS found on USB; looking again every ${this.everyMs / 1000} s (said again every ${Math.round((this.o.lookingLogEveryMs ?? AUTO_LOOKING_LOG_EVERY_MS) / 60_000)} min while none is found); nothing will shut this host down until one is found`);
        }
      }
      this.o.onLook?.(problems);
    })();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
    return added;
  }

  /** Looks every everyMs from now on (the first look one interval from now). */
  start(): void {
    if (this.stopped || this.timer) return;
    const next = (): void => {
      this.timer = setTimeout(() => {
        void this.look().finally(() => {
          if (!this.stopped) next();
        });
      }, this.everyMs);
    };
    next();
  }

  /** Resolves once no look runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running.catch(() => undefined);
  }
}
