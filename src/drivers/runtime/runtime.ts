/**
 * The driver runtime: what every driver does the same way, written once.
 *
 *   start -> open (connect + first full read) -> poll, poll, ... -> stop
 *                 ^                                 |
 *                 +---- reconnect with backoff <----+ device gone, hung, or failing
 *
 * - One device operation at a time (IoQueue), each with a deadline
 *   (withTimeout): a device that stops answering holds nothing up for longer
 *   than its timeout, and stop() returns at once.
 * - NUT's two polls: a quick one every pollInterval, a full one every
 *   pollfreq (or right after a SET VAR / INSTCMD changed the device).
 * - Health as upsd sees it: the UPS is not attached (clients get ERR
 *   DRIVER-NOT-CONNECTED) until its device is first opened; a poll that fails
 *   counts as a miss, and after `staleAfter` misses in a row the data is
 *   marked stale (ERR DATA-STALE) until a poll succeeds again. A device that
 *   vanishes or hangs is stale at once and reopened, with backoff, by the
 *   same handler (which matches the same device: vendor, product, serial, path).
 * - driver.state is published as NUT 2.8 drivers publish it (init.starting,
 *   init.device, quiet, updateinfo, reconnect.trying, reconnect.updateinfo),
 *   and while the device fails, why, as upsagent.driver.error (the server
 *   answers both even when the UPS has no data: `upsagent status` says why).
 * - A failure is logged at warn when it starts, then again at warn every
 *   failureLogIntervalMs while it lasts (at debug in between), so a UPS that
 *   is never found is not a single line lost in a long log.
 *
 * The driver supplies a DeviceHandler (how to open, poll and close its
 * device) and publishes values itself; it checks `ctx.signal.aborted` after
 * each await, so a late answer to an abandoned operation publishes nothing.
 */
import { RequestError, errorMessage } from '../../core/errors';
import { DRIVER_ERROR_VAR, DRIVER_STATE_VAR } from '../../core/health-vars';
import type { Logger } from '../../core/logger';
import type { UpsPublisher } from '../../core/state';
import { Backoff } from './backoff';
import { classifyFailure } from './errors';
import { IoQueue } from './io-queue';
import { withTimeout } from './timeout';
import { realTimers, type Timers } from './timers';

export type PollKind = 'quick' | 'full';

/** Given to each device operation. */
export interface DeviceContext {
  /** Aborted at the operation's deadline or when the driver stops: stop publishing, cancel I/O. */
  readonly signal: AbortSignal;
  /**
   * Opening: the device is open and its first full read begins. Publishes
   * driver.state as NUT's driver core does between upsdrv_initups and the
   * main loop (init.info; reconnect.updateinfo after a loss).
   */
  reading(): void;
}

/** How a driver opens, polls and closes its device. */
export interface DeviceHandler<S> {
  /** Shown in log lines: a port, a path, `auto`. */
  readonly target: string;
  /**
   * Connects and reads everything once (NUT: upsdrv_initups + upsdrv_initinfo).
   * `reconnect` is true after the device was lost. Throws when the device is
   * absent, not this UPS, or does not answer.
   */
  open(ctx: DeviceContext, reconnect: boolean): Promise<S>;
  /** One poll. A thrown error with `disconnected: true` means the device is gone; anything else is a missed poll. */
  poll(session: S, kind: PollKind, ctx: DeviceContext): Promise<void>;
  /** Releases the device; must not throw for a device already gone. */
  close(session: S): Promise<void>;
  /** Names the device of a session in log lines (default: the target). */
  describe?(session: S): string;
}

export interface RuntimeOptions {
  /** Quick poll interval (NUT: pollinterval). */
  pollIntervalMs: number;
  /** Full update interval (usbhid-ups: pollfreq); default: every poll is full. */
  fullIntervalMs?: number;
  /** Deadline of one poll or request (default 5000 ms). */
  timeoutMs?: number;
  /** Deadline of opening the device with its first full read (default 3 × timeoutMs). */
  openTimeoutMs?: number;
  /** Missed polls in a row before the data is marked stale (default 1: the first). */
  staleAfter?: number;
  /** Missed polls in a row before the device is closed and opened again (default 3; Infinity: never). */
  reopenAfter?: number;
  /** First reconnect delay (default: the poll interval) and the longest (default 30 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** While a failure lasts, how often it is logged again at warn (default 5 min). */
  failureLogIntervalMs?: number;
  timers?: Timers;
  clock?: () => number;
}

export interface RuntimeDeps {
  ups: string;
  publisher: UpsPublisher;
  log: Logger;
}

export interface RuntimeStatus {
  connected: boolean;
  /** The device was opened at least once since start. */
  seen: boolean;
  /** Missed polls in a row. */
  misses: number;
  lastError?: Error;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_RETRY_MAX_MS = 30_000;
export const DEFAULT_FAILURE_LOG_INTERVAL_MS = 5 * 60_000;

export class DriverRuntime<S> {
  private readonly timers: Timers;
  private readonly clock: () => number;
  private readonly queue = new IoQueue();
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;
  private readonly openTimeoutMs: number;
  private readonly staleAfter: number;
  private readonly reopenAfter: number;
  private fullMs: number;

  private running = false;
  private stopper = new AbortController();
  private session: S | null = null;
  private seen = false;
  private misses = 0;
  private lastFull = 0;
  private fullWanted = false;
  private pollTimer: unknown = null;
  private retryTimer: unknown = null;
  private lastError: Error | undefined;
  /** A failure was logged at warn level; repeats go to debug until the interval is over or something works again. */
  private failureLogged = false;
  /** When the current failure began and was last logged at warn; how many attempts failed since. */
  private failingSince = 0;
  private lastWarnAt = 0;
  private failures = 0;
  private readonly failureLogIntervalMs: number;
  /** upsagent.driver.error is published. */
  private errorShown = false;

  constructor(
    private readonly handler: DeviceHandler<S>,
    private readonly deps: RuntimeDeps,
    private readonly opts: RuntimeOptions,
  ) {
    this.timers = opts.timers ?? realTimers;
    this.clock = opts.clock ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.openTimeoutMs = opts.openTimeoutMs ?? 3 * this.timeoutMs;
    this.staleAfter = Math.max(1, opts.staleAfter ?? 1);
    this.reopenAfter = opts.reopenAfter ?? 3;
    this.fullMs = opts.fullIntervalMs ?? opts.pollIntervalMs;
    this.backoff = new Backoff(opts.retryInitialMs ?? opts.pollIntervalMs, opts.retryMaxMs ?? DEFAULT_RETRY_MAX_MS);
    this.failureLogIntervalMs = opts.failureLogIntervalMs ?? DEFAULT_FAILURE_LOG_INTERVAL_MS;
  }

  status(): RuntimeStatus {
    return { connected: this.session !== null, seen: this.seen, misses: this.misses, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** The open session, if any (for the driver's event handlers). */
  current(): S | null {
    return this.session;
  }

  /** Starts; resolves after the first attempt to open the device (bounded by its deadline), whatever its outcome. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopper = new AbortController();
    this.setState('init.starting');
    this.deps.publisher.setDriverState('starting');
    await this.queue.run(() => this.open());
  }

  /** Stops polling and retrying, cancels the operation in flight and closes the device. Prompt even when the device hangs. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clear('pollTimer');
    this.clear('retryTimer');
    this.stopper.abort();
    await this.queue.idle();
    const s = this.session;
    this.session = null;
    if (s !== null) await this.closeQuietly(s);
    this.setState('cleanup.exit');
  }

  /** Resolves when the device I/O queued so far is done (tests, tools). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** A driver that learns its device's full-update period only once open (usbhid-ups: 12 s for CyberPower). */
  setFullIntervalMs(ms: number): void {
    this.fullMs = ms;
  }

  /** The next poll reads everything (NUT: data_has_changed after a SET or INSTCMD). */
  requestFullPoll(): void {
    this.fullWanted = true;
  }

  /**
   * Runs a request (SET VAR, INSTCMD) on the open device, in the queue, with
   * the deadline. DRIVER-NOT-CONNECTED when there is no device; a device
   * found gone or hung meanwhile is reconnected.
   */
  request<T>(operation: string, fn: (session: S, ctx: DeviceContext) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const s = this.session;
      if (s === null || !this.running) throw new RequestError('DRIVER-NOT-CONNECTED', `${this.deps.ups}: the UPS is not connected`);
      try {
        return await this.timed(operation, this.timeoutMs, (ctx) => fn(s, ctx));
      } catch (err) {
        const kind = classifyFailure(err);
        if (kind === 'gone' || kind === 'hung') await this.lost(s, err);
        throw err;
      }
    });
  }

  /**
   * Something changed (a file was rewritten, a loop pass ended): poll now
   * instead of at the next tick, or try to open now if the device is not open.
   */
  pollNow(): void {
    if (!this.running) return;
    if (this.session !== null) {
      this.clear('pollTimer');
      void this.queue.run(() => this.poll());
    } else if (this.retryTimer !== null) {
      this.clear('retryTimer');
      void this.queue.run(() => this.open());
    }
  }

  /** The driver learnt by itself that the device is gone (a transport event). */
  deviceLost(session: S, err: unknown): void {
    void this.queue.run(() => this.lost(session, err));
  }

  /** The driver got fresh data outside a poll (an interrupt report). */
  fresh(session: S): void {
    if (this.session !== session || !this.running) return;
    this.misses = 0;
    this.deps.publisher.dataOk();
  }

  // ---------------------------------------------------------------- internals

  private timed<T>(operation: string, ms: number, fn: (ctx: DeviceContext) => Promise<T>, onLate?: (v: T) => void, reading?: () => void): Promise<T> {
    const run = (signal: AbortSignal): Promise<T> => {
      const ctx: DeviceContext = {
        signal,
        reading: () => {
          if (!signal.aborted) reading?.();
        },
      };
      return fn(ctx);
    };
    return withTimeout(operation, ms, run, { timers: this.timers, outer: this.stopper.signal, ...(onLate ? { onLate } : {}) });
  }

  private async open(): Promise<void> {
    if (!this.running || this.session !== null) return;
    const reconnect = this.seen;
    this.setState(reconnect ? 'reconnect.trying' : 'init.device');
    let s: S;
    try {
      s = await this.timed(
        'opening the device',
        this.openTimeoutMs,
        (ctx) => this.handler.open(ctx, reconnect),
        (late) => void this.closeQuietly(late),
        () => this.setState(reconnect ? 'reconnect.updateinfo' : 'init.info'),
      );
    } catch (err) {
      this.openFailed(err);
      return;
    }
    if (!this.running) {
      await this.closeQuietly(s);
      return;
    }
    this.session = s;
    this.misses = 0;
    this.lastFull = this.clock();
    this.fullWanted = false;
    const p = this.deps.publisher;
    if (!this.seen) p.setAttached(true);
    if (this.failureLogged) this.deps.log.info(`${this.handler.target}: device answers again`);
    this.seen = true;
    this.recovered();
    this.backoff.reset();
    p.dataOk();
    p.setDriverState('connected');
    this.setState('quiet');
    this.schedulePoll();
  }

  private openFailed(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.lastError = e;
    const p = this.deps.publisher;
    if (this.seen) p.dataStale();
    p.setDriverState('disconnected');
    if (!this.running) return;
    const wait = this.backoff.take();
    const what = e.message.startsWith(this.handler.target) ? e.message : `${this.handler.target}: ${e.message}`;
    this.showError(what);
    this.logFailure(`${what}; retrying in ${formatSeconds(wait)}`);
    this.clear('retryTimer');
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.queue.run(() => this.open());
    }, wait);
  }

  private schedulePoll(): void {
    this.clear('pollTimer');
    if (!this.running || this.session === null) return;
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = null;
      void this.queue.run(() => this.poll());
    }, this.opts.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const s = this.session;
    if (s === null || !this.running) return;
    const now = this.clock();
    const wanted = this.fullWanted;
    const kind: PollKind = wanted || now - this.lastFull >= this.fullMs ? 'full' : 'quick';
    // Taken now: a request made while this poll runs (a SET, an APC `|` alert) is for the next one,
    // as what it changed may already have been read by this one.
    this.fullWanted = false;
    this.setState('updateinfo');
    try {
      await this.timed(kind === 'full' ? 'full update' : 'status poll', this.timeoutMs, (ctx) => this.handler.poll(s, kind, ctx));
    } catch (err) {
      this.fullWanted ||= wanted;
      if (this.session !== s || !this.running) return;
      await this.pollFailed(s, err);
      return;
    }
    if (this.session !== s || !this.running) return;
    if (kind === 'full') this.lastFull = now;
    if (this.misses > 0 && this.failureLogged) this.deps.log.info(`${this.handler.target}: device answers again`);
    this.misses = 0;
    this.recovered();
    this.deps.publisher.dataOk();
    this.deps.publisher.setDriverState('connected');
    this.setState('quiet');
    this.schedulePoll();
  }

  private async pollFailed(s: S, err: unknown): Promise<void> {
    const kind = classifyFailure(err);
    if (kind === 'gone' || kind === 'hung') {
      // Reopening is what helps (NUT reconnects too).
      await this.lost(s, err);
      return;
    }
    this.lastError = err instanceof Error ? err : new Error(String(err));
    // A bug of ours must be seen, with its stack; the driver goes on polling.
    if (kind === 'bug') this.deps.log.error(`${this.handler.target}: poll: ${this.lastError.stack ?? this.lastError.message}`);
    this.misses++;
    if (this.misses >= this.staleAfter) {
      this.deps.publisher.dataStale();
      this.deps.publisher.setDriverState('disconnected');
    }
    const what = `${this.handler.target}: poll failed (${errorMessage(err)}); ${this.misses} missed in a row`;
    this.showError(what);
    this.logFailure(what);
    if (this.misses >= this.reopenAfter) {
      await this.lost(s, err);
      return;
    }
    this.setState('quiet');
    this.schedulePoll();
  }

  /** Drops the session: stale at once, closed, reopened later with backoff. */
  private async lost(s: S, err: unknown): Promise<void> {
    if (this.session !== s) return;
    this.session = null;
    this.clear('pollTimer');
    const e = err instanceof Error ? err : new Error(String(err));
    this.lastError = e;
    const p = this.deps.publisher;
    p.dataStale();
    p.setDriverState('disconnected');
    this.setState('reconnect.trying');
    if (this.running) {
      const target = this.handler.target;
      const who = this.handler.describe?.(s) ?? target;
      // Say where once: the device's description names it, or the message already does.
      const detail = who === target || e.message.startsWith(target) ? e.message : `${target}: ${e.message}`;
      const what = `lost ${who}: ${detail}`;
      this.showError(what);
      // A loss is news even within a failure: always at warn.
      this.failureLogged = false;
      this.logFailure(what);
    }
    await this.closeQuietly(s);
    if (!this.running) return;
    const wait = this.backoff.take();
    this.clear('retryTimer');
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.queue.run(() => this.open());
    }, wait);
  }

  private async closeQuietly(s: S): Promise<void> {
    try {
      // Not `timed`: it must run even while stopping (the stop signal is already aborted),
      // but a stop waits at most a second for a device that hangs.
      const ms = this.running ? this.timeoutMs : Math.min(this.timeoutMs, 1000);
      await withTimeout('closing the device', ms, () => this.handler.close(s), { timers: this.timers });
    } catch (err) {
      this.deps.log.debug(`${this.handler.target}: close: ${errorMessage(err)}`);
    }
  }

  /**
   * At warn when a failure starts and again each failureLogIntervalMs while
   * it lasts (saying for how long and how many attempts failed); at debug
   * in between, so a UPS retried every few seconds does not flood the log.
   */
  private logFailure(msg: string): void {
    const now = this.clock();
    if (!this.failureLogged) {
      if (this.failures === 0) this.failingSince = now;
      this.failures++;
      this.failureLogged = true;
      this.lastWarnAt = now;
      this.deps.log.warn(msg);
      return;
    }
    this.failures++;
    if (now - this.lastWarnAt < this.failureLogIntervalMs) {
      this.deps.log.debug(msg);
      return;
    }
    this.lastWarnAt = now;
    this.deps.log.warn(`${msg} (still failing after ${formatDuration(now - this.failingSince)}, ${this.failures} attempts)`);
  }

  /** The device answers as it should: the failure is over, in the log and for clients. */
  private recovered(): void {
    this.failureLogged = false;
    this.failures = 0;
    this.lastError = undefined;
    if (this.errorShown) this.deps.publisher.deleteVar(DRIVER_ERROR_VAR);
    this.errorShown = false;
  }

  /** Why there is no good data, for clients (upsagent.driver.error). */
  private showError(what: string): void {
    this.deps.publisher.setVar(DRIVER_ERROR_VAR, what);
    this.errorShown = true;
  }

  /** driver.state, NUT 2.8's word for what the driver is doing. */
  private setState(state: string): void {
    this.deps.publisher.setVar(DRIVER_STATE_VAR, state);
  }

  private clear(which: 'pollTimer' | 'retryTimer'): void {
    const h = this[which];
    if (h !== null) this.timers.clearTimeout(h);
    this[which] = null;
  }
}

/** 90_000 -> "1 min 30 s", 7_200_000 -> "2 h 0 min". */
function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}


