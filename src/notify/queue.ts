/**
 * One channel's outbox: bounded (the oldest is dropped when full, and the
 * log says so), delivered in order one at a time, each message retried with
 * a doubling delay on the injected clock. push() never waits, so a channel
 * that is slow or down never holds up the monitor.
 */
import { sleepOn, type Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  delayMs: number;
  maxDelayMs: number;
  /** One attempt may take this long before it counts as failed. */
  attemptTimeoutMs: number;
}

export interface QueueOptions<T> extends RetryPolicy {
  /** How the log names the channel (never with its secrets). */
  name: string;
  size: number;
  deliver(item: T): Promise<void>;
  describe(item: T): string;
  clock: Clock;
  log: Logger;
}

export interface QueueStats {
  delivered: number;
  failed: number;
  dropped: number;
  retried: number;
}

/** The delay before retry number `n` (0 = the first retry). */
export function backoff(policy: Pick<RetryPolicy, 'delayMs' | 'maxDelayMs'>, n: number): number {
  return Math.min(policy.delayMs * 2 ** n, policy.maxDelayMs);
}

/** Runs `p` against a deadline on `clock`; the loser is left to settle on its own. */
export function within<T>(p: Promise<T>, ms: number, clock: Clock, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const h = clock.setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(h);
        resolve(v);
      },
      (err: unknown) => {
        clock.clearTimeout(h);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export class DeliveryQueue<T> {
  private readonly items: T[] = [];
  private pumping: Promise<void> | null = null;
  private readonly abort = new AbortController();
  readonly stats: QueueStats = { delivered: 0, failed: 0, dropped: 0, retried: 0 };

  constructor(private readonly opts: QueueOptions<T>) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.abort.signal.aborted) return;
    if (this.items.length >= this.opts.size) {
      const dropped = this.items.shift()!;
      this.stats.dropped++;
      this.opts.log.warn(`${this.opts.name}: queue full (${this.opts.size}); dropped ${this.opts.describe(dropped)}`);
    }
    this.items.push(item);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** Resolves once the queue is empty and nothing is in flight. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Stops delivering: a retry that waits is cut short, what is queued is left. */
  stop(): void {
    this.abort.abort(new Error('stopped'));
  }

  private async pump(): Promise<void> {
    for (;;) {
      const item = this.items.shift();
      if (item === undefined || this.abort.signal.aborted) return;
      await this.deliverOne(item);
    }
  }

  private async deliverOne(item: T): Promise<void> {
    const { opts } = this;
    for (let attempt = 0; ; attempt++) {
      try {
        await within(opts.deliver(item), opts.attemptTimeoutMs, opts.clock, opts.name);
        this.stats.delivered++;
        if (attempt > 0) opts.log.info(`${opts.name}: ${opts.describe(item)} delivered after ${attempt + 1} attempts`);
        else opts.log.debug(`${opts.name}: ${opts.describe(item)} delivered`);
        return;
      } catch (err) {
        if (attempt >= opts.retries) {
          this.stats.failed++;
          opts.log.error(`${opts.name}: gave up on ${opts.describe(item)} after ${attempt + 1} attempt(s): ${errorMessage(err)}`);
          return;
        }
        const delay = backoff(opts, attempt);
        this.stats.retried++;
        opts.log.warn(`${opts.name}: ${opts.describe(item)} failed (${errorMessage(err)}); retry ${attempt + 1} of ${opts.retries} in ${delay / 1000} s`);
        try {
          await sleepOn(opts.clock, delay, this.abort.signal);
        } catch {
          return;
        }
      }
    }
  }
}
