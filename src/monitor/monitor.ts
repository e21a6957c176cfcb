/**
 * The monitor module: upsmon's main loop in the agent. Each cycle polls every
 * watched UPS, feeds the answers to its Supply (which says what to notify),
 * then adds up the power values of the supplies that are not critical; when
 * that falls below minSupplies the forced shutdown starts (upsmon recalc).
 * Local UPSes also wake the loop when they change, so a local power failure
 * is acted on at once. Notifications go to the notifier (never waited for),
 * the timers, the history and the bus.
 */
import type { EventBus } from '../core/bus';
import type { Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { MonitorConfig } from './config';
import type { Notification, NotifyType } from './notify-types';
import { forcedShutdown } from './shutdown';
import type { PollOutcome, UpsSource } from './sources/source';
import { Supply, type Role } from './supply';
import { nextStep, type MonitorView } from './view';

export interface NotifierLike {
  message(type: NotifyType, ups: string, extra?: string): string;
  notify(n: Notification): unknown;
}
export interface ScheduleLike {
  onNotify(n: Notification): void;
  stop(): void;
}
export interface HistoryLike {
  load(): Promise<void>;
  add(e: { at: number; ups: string; type: string; message: string }): void;
  setView(view: unknown): void;
  flush(): Promise<void>;
  /** The kept events, oldest first (the web surface shows them). */
  events?(): ReadonlyArray<{ at: number; ups: string; type: string; message: string }>;
}

export interface WatchedSource {
  source: UpsSource;
  role: Role;
  powerValue: number;
  /** Read charge and runtime on every poll (cheap for a local UPS). */
  readBattery?: boolean;
}

export interface MonitorOptions {
  config: MonitorConfig;
  sources: WatchedSource[];
  clock: Clock;
  log: Logger;
  bus: EventBus;
  notifier: NotifierLike;
  schedule: ScheduleLike;
  history: HistoryLike;
  /** Types kept in the history. */
  historyTypes: ReadonlySet<string>;
  runCommand(command: string): Promise<number | null>;
  writeFlag(file: string): Promise<void>;
  clearFlag(file: string): Promise<unknown>;
  /** A poll that takes longer counts as failed (default 10 s). */
  pollTimeoutMs?: number;
  /** Hold the process open while the monitor runs (a host with no server socket). */
  keepAlive?: boolean;
  /** Called once the shutdown sequence is over and SHUTDOWNEXIT has passed. */
  onShutdownDone?(): void;
}

const DEFAULT_POLL_TIMEOUT_MS = 10_000;

interface Entry extends WatchedSource {
  supply: Supply;
}

export class Monitor implements Module {
  readonly name = 'monitor';
  private readonly entries: Entry[];
  private timer: unknown = null;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private cycling: Promise<void> | null = null;
  private again = false;
  private running = false;
  private shutdown: MonitorView['shutdown'] = null;
  private shutdownDone: Promise<void> | null = null;
  private lastView = '';
  /** Dry run: a sequence ran; another waits until the supplies were healthy again. */
  private dryRunSpent = false;

  constructor(private readonly opts: MonitorOptions) {
    const c = opts.config;
    const now = opts.clock.now();
    const rules = {
      deadTimeMs: c.deadTime * 1000,
      hostSyncMs: c.hostSync * 1000,
      rbWarnTimeMs: c.rbWarnTime * 1000,
      noCommWarnTimeMs: c.noCommWarnTime * 1000,
      offDurationMs: c.offDuration < 0 ? -1 : c.offDuration * 1000,
      overDurationMs: c.overDuration < 0 ? -1 : c.overDuration * 1000,
      obLbDurationMs: c.obLbDuration <= 0 ? c.obLbDuration : c.obLbDuration * 1000,
      alarmCritical: c.alarmCritical,
    };
    const policy = {
      onBatteryForMs: c.policy.onBatteryFor === undefined ? undefined : c.policy.onBatteryFor * 1000,
      chargeAtMost: c.policy.chargeAtMost,
      runtimeAtMost: c.policy.runtimeAtMost,
    };
    this.entries = opts.sources.map((w) => {
      const name = w.source.name;
      const supply = new Supply(
        name,
        w.role,
        w.powerValue,
        rules,
        policy,
        (type, extra) => this.send(type, name, extra),
        (msg) => opts.log.warn(msg),
        now,
      );
      return { ...w, supply };
    });
  }

  async start(): Promise<void> {
    const { config, log } = this.opts;
    await this.opts.history.load();
    // A flag left from the last power failure is not this boot's business (upsmon clears it at start).
    if (config.powerDownFlag) await this.opts.clearFlag(config.powerDownFlag).catch((err: unknown) => log.warn(`power-down flag: ${errorMessage(err)}`));
    for (const e of this.entries) e.source.onChange?.(() => this.wake());
    this.running = true;
    if (this.opts.keepAlive) this.keepAlive = setInterval(() => undefined, 1 << 30);
    log.info(
      `watching ${this.entries.map((e) => `${e.source.name} (${e.role}, power value ${e.powerValue})`).join(', ')}; minSupplies ${config.minSupplies}${config.dryRun ? '; dry run: the shutdown command is only logged' : ''}`,
    );
    await this.runCycle();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    await this.cycling?.catch(() => undefined);
    this.opts.schedule.stop();
    for (const e of this.entries) await e.source.stop().catch(() => undefined);
    await this.opts.history.flush().catch(() => undefined);
  }

  /** The current view (also in the state file). */
  view(): MonitorView {
    const now = this.opts.clock.now();
    let healthy = 0;
    const supplies = this.entries.map((e) => {
      const critical = this.criticalCache.get(e) ?? null;
      if (!critical) healthy += e.powerValue;
      const snap = e.supply.snapshot(now);
      return { ...snap, critical, next: nextStep(snap, critical, this.shutdown !== null) };
    });
    return { healthy, minSupplies: this.opts.config.minSupplies, supplies, shutdown: this.shutdown, dryRun: this.opts.config.dryRun };
  }

  /** The event history, oldest first. */
  events(): ReadonlyArray<{ at: number; ups: string; type: string; message: string }> {
    return this.opts.history.events?.() ?? [];
  }

  /** Resolves when the shutdown sequence (if started) has finished. */
  whenShutdownDone(): Promise<void> | null {
    return this.shutdownDone;
  }

  private readonly criticalCache = new Map<Entry, string | null>();

  /** A local UPS changed: look now instead of at the next poll. */
  private wake(): void {
    if (!this.running || this.shutdown) return;
    void this.runCycle();
  }

  private runCycle(): Promise<void> {
    if (this.cycling) {
      this.again = true;
      return this.cycling;
    }
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    this.cycling = (async () => {
      try {
        do {
          this.again = false;
          await this.cycle();
        } while (this.again && this.running && !this.shutdown);
      } catch (err) {
        this.opts.log.error(`monitor cycle failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      } finally {
        this.cycling = null;
        this.scheduleNext();
      }
    })();
    return this.cycling;
  }

  private scheduleNext(): void {
    if (!this.running || this.shutdown) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      void this.runCycle();
    }, this.nextDelayMs());
  }

  /** upsmon's sleepval: POLLFREQALERT while a UPS is in a risky state, OBLBDURATION's gcd while waiting it out; ours: never past a policy's deadline. */
  private nextDelayMs(): number {
    const c = this.opts.config;
    let s = this.entries.some((e) => e.supply.alert) ? c.pollFreqAlert : c.pollFreq;
    if (c.obLbDuration > 0 && this.entries.some((e) => e.supply.waitingObLb)) s = Math.min(s, gcd(c.pollFreqAlert, c.obLbDuration));
    let ms = s * 1000;
    const onBatteryFor = c.policy.onBatteryFor;
    if (onBatteryFor !== undefined) {
      const now = this.opts.clock.now();
      for (const e of this.entries) {
        const since = e.supply.snapshot(now).onBatteryForS;
        if (since !== null && since < onBatteryFor) ms = Math.min(ms, Math.max(100, (onBatteryFor - since) * 1000));
      }
    }
    return ms;
  }

  private async cycle(): Promise<void> {
    const { clock } = this.opts;
    const hasBatteryPolicy = this.opts.config.policy.chargeAtMost !== undefined || this.opts.config.policy.runtimeAtMost !== undefined;
    const outcomes = await Promise.all(
      this.entries.map((e) => this.pollOne(e, { battery: e.readBattery === true || hasBatteryPolicy || e.supply.isOnBattery })),
    );
    const now = clock.now();
    // Applied in configuration order, so notifications come out in a stable order.
    this.entries.forEach((e, i) => {
      const out = outcomes[i]!;
      if (out.ok) e.supply.answered(out.reading, now);
      else {
        this.opts.log.debug(`poll ${e.source.name} failed: ${out.error}`);
        e.supply.failed(out.error, now);
      }
    });
    this.recalc(now);
    this.publishView();
  }

  private async pollOne(e: Entry, req: { battery: boolean }): Promise<PollOutcome> {
    const ms = this.opts.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    let timer: unknown;
    const timeout = new Promise<PollOutcome>((resolve) => {
      timer = this.opts.clock.setTimeout(() => resolve({ ok: false, error: `no answer within ${ms / 1000} s` }), ms);
    });
    try {
      return await Promise.race([e.source.poll(req).catch((err: unknown) => ({ ok: false as const, error: errorMessage(err) })), timeout]);
    } finally {
      this.opts.clock.clearTimeout(timer);
    }
  }

  /** upsmon recalc: shut down when the healthy power value falls below minSupplies. */
  private recalc(now: number): void {
    let healthy = 0;
    const critical: string[] = [];
    for (const e of this.entries) {
      const reason = e.supply.critical(now);
      this.criticalCache.set(e, reason);
      if (reason) critical.push(`${e.source.name}: ${reason}`);
      else healthy += e.powerValue;
    }
    const min = this.opts.config.minSupplies;
    if (healthy >= min) this.dryRunSpent = false;
    if (healthy < min && !this.shutdown && !this.dryRunSpent) {
      const reason = `too few healthy power supplies (${healthy} < ${min}): ${critical.join('; ')}`;
      this.opts.log.warn(`${reason}: starting the forced shutdown`);
      this.startShutdown(reason, now);
    }
  }

  private startShutdown(reason: string, now: number): void {
    const { config, log, clock } = this.opts;
    this.shutdown = { reason, at: now, step: 'starting' };
    if (this.timer !== null) clock.clearTimeout(this.timer);
    this.timer = null;
    const primaries = this.entries.filter((e) => e.role === 'primary').map((e) => e.source);
    const step = (s: string): void => {
      if (this.shutdown) this.shutdown = { ...this.shutdown, step: s };
      this.publishView();
    };
    const targets = config.dryRun
      ? primaries.map((p) => ({
          name: p.name,
          setFsd: () => {
            log.warn(`dry run: would set FSD on ${p.name}`);
            return Promise.resolve();
          },
          otherLogins: () => Promise.resolve(0),
        }))
      : primaries;
    this.shutdownDone = forcedShutdown(
      targets,
      {
        hostSyncMs: config.hostSync * 1000,
        finalDelayMs: config.finalDelay * 1000,
        shutdownCommand: config.shutdownCommand,
        powerDownFlag: config.powerDownFlag,
        dryRun: config.dryRun,
      },
      {
        clock,
        log,
        notify: (type, ups) => this.send(type, ups),
        fsdSet: config.dryRun ? undefined : (ups) => this.entries.find((e) => e.source.name === ups)?.supply.fsdSetHere(),
        runCommand: (cmd) => this.opts.runCommand(cmd),
        writeFlag: (f) => this.opts.writeFlag(f),
        step,
      },
    )
      .catch((err: unknown) => log.error(`shutdown sequence failed: ${errorMessage(err)}`))
      .then(() => this.afterShutdown());
  }

  /** SHUTDOWNEXIT: stay logged in for a while (or for good) so primaries do not count this host gone too early. */
  private async afterShutdown(): Promise<void> {
    if (this.opts.config.dryRun) {
      // Nothing went down: go on watching, as a dry run should leave the host as it was.
      this.opts.log.warn('dry run: shutdown sequence over; watching again');
      this.shutdown = null;
      this.dryRunSpent = true;
      this.publishView();
      this.scheduleNext();
      return;
    }
    const linger = this.opts.config.shutdownExit;
    if (linger !== 0) {
      this.opts.log.warn(linger < 0 ? 'shutdown exit: staying logged in until stopped' : `shutdown exit: staying logged in for ${linger} s`);
      const end = linger < 0 ? Infinity : this.opts.clock.now() + linger * 1000;
      while (this.running && this.opts.clock.now() < end) {
        for (const e of this.entries) await e.source.otherLogins();
        await new Promise<void>((r) => this.opts.clock.setTimeout(r, 1000));
      }
    }
    // Logging out is how a secondary tells its primary it is done.
    for (const e of this.entries) await e.source.stop().catch(() => undefined);
    this.opts.log.warn('the monitor has finished after initiating shutdown');
    this.opts.onShutdownDone?.();
  }

  private send(type: NotifyType, ups: string, extra?: string): void {
    let message: string;
    try {
      message = this.opts.notifier.message(type, ups, extra);
    } catch (err) {
      message = `${type} ${ups}`;
      this.opts.log.error(`formatting ${type} failed: ${errorMessage(err)}`);
    }
    const n: Notification = { type, ups, message, at: this.opts.clock.now() };
    // Each consumer is isolated: one that throws must not stop the others or the decisions.
    for (const deliver of [
      () => this.opts.notifier.notify(n),
      () => this.opts.schedule.onNotify(n),
      () => this.opts.bus.emit('monitor.notify', n),
      () => {
        if (!this.opts.historyTypes.has(type)) return;
        this.opts.history.add(n);
        this.opts.history.flush().catch((err: unknown) => this.opts.log.debug(`state file: ${errorMessage(err)}`));
      },
    ]) {
      try {
        deliver();
      } catch (err) {
        this.opts.log.error(`delivering ${type} failed: ${errorMessage(err)}`);
      }
    }
  }

  private publishView(): void {
    const view = this.view();
    const text = JSON.stringify(view);
    if (text === this.lastView) return;
    this.lastView = text;
    this.opts.history.setView(view);
    this.opts.history.flush().catch((err: unknown) => this.opts.log.debug(`state file: ${errorMessage(err)}`));
  }
}

function gcd(a: number, b: number): number {
  a = Math.max(1, Math.round(a));
  b = Math.max(1, Math.round(b));
  while (b) [a, b] = [b, a % b];
  return a;
}
