/**
 * Password guessing, slowed per address: after `freeFailures` failed
 * credential checks from one address, every further check from it (right or
 * wrong, so a quick answer gives nothing away) waits `delay` seconds,
 * doubling with each failure up to `maxDelay`. An address that stays quiet
 * for `forgetAfter` seconds, or gets its credentials right, starts afresh.
 *
 * The table is bounded: at most MAX_ADDRESSES entries, the stalest dropped
 * first, so spoofed or rotating sources cannot make it grow without end.
 */
import type { Clock } from '../core/clock';

export interface LoginThrottleConfig {
  enabled: boolean;
  freeFailures: number;
  /** Seconds. */
  delay: number;
  maxDelay: number;
  forgetAfter: number;
}

interface Entry {
  failures: number;
  last: number;
}

const MAX_ADDRESSES = 10_000;

export class LoginThrottle {
  /** Insertion order is recency order: a touched entry is moved to the end. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly cfg: LoginThrottleConfig,
    private readonly clock: Clock,
  ) {}

  private live(addr: string): Entry | undefined {
    const e = this.entries.get(addr);
    if (!e) return undefined;
    if (this.clock.now() - e.last > this.cfg.forgetAfter * 1000) {
      this.entries.delete(addr);
      return undefined;
    }
    return e;
  }

  /** Failures from this address that still count. */
  failures(addr: string): number {
    return this.live(addr)?.failures ?? 0;
  }

  /** Milliseconds the next credential check from this address waits (0: none). */
  delayFor(addr: string): number {
    if (!this.cfg.enabled) return 0;
    const f = this.failures(addr);
    if (f === 0 || f < this.cfg.freeFailures) return 0;
    // The first slowed attempt waits `delay`; 2^30 is far past any maxDelay and keeps the power finite.
    const doublings = Math.min(f - Math.max(this.cfg.freeFailures, 1), 30);
    return Math.min(this.cfg.maxDelay, this.cfg.delay * 2 ** doublings) * 1000;
  }

  /** A failed check; returns the address's failure count. */
  fail(addr: string): number {
    const e = this.live(addr) ?? { failures: 0, last: 0 };
    e.failures++;
    e.last = this.clock.now();
    this.entries.delete(addr);
    this.entries.set(addr, e);
    if (this.entries.size > MAX_ADDRESSES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return e.failures;
  }

  /** Right credentials: the address starts afresh. */
  succeed(addr: string): void {
    this.entries.delete(addr);
  }

  get size(): number {
    return this.entries.size;
  }
}
