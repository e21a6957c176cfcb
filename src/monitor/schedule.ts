/**
 * What upssched does (clients/upssched.c, conf/upssched.conf.sample.in),
 * in-process: `AT <type> <ups> <action>` rules start, cancel and fire named
 * timers, and a fired timer runs the timer command (CMDSCRIPT) with the
 * timer's name as its argument. No daemon, socket or lock file is needed
 * since the monitor that sends the notifications holds the timers itself.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { MONITOR_DEFAULTS, type TimerRuleConfig } from './config';
import { describeResult, spawnShell } from './notifier';
import type { Notification } from './notify-types';

export interface TimerInfo {
  name: string;
  /** The UPSes whose events started (or joined) it, each once. */
  ups: string[];
  types: string[];
  /** ms since the epoch. */
  firesAt: number;
}

export interface TimerScheduleOptions {
  rules: TimerRuleConfig[];
  /** upssched's CMDSCRIPT. */
  command?: string;
  clock: Clock;
  log: Logger;
  /** Runs the timer command with one argument; the default spawns it through /bin/sh without waiting. */
  run?: (arg: string, env: Record<string, string>) => void;
  /** Deadline for the default run (ms). */
  commandTimeoutMs?: number;
}

/** The event that started or joined a timer. */
interface Origin {
  ups: string;
  type: string;
  message: string;
}

interface Timer {
  name: string;
  origins: Origin[];
  firesAt: number;
  handle: unknown;
}

/**
 * upssched joins a shared timer's messages with ".\t" rather than a comma
 * (collect_string in upssched.c): a message is a sentence and may itself
 * hold commas. UPS names and types are joined with commas.
 */
const MESSAGE_SEPARATOR = '.\t';

const sameUps = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

export class TimerSchedule {
  private readonly rules: TimerRuleConfig[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly runCommand: (arg: string, env: Record<string, string>) => void;
  /** In start order, as upssched's list: "first seen" decides which shared timer an event joins. */
  private timers: Timer[] = [];
  private stopped = false;

  constructor(opts: TimerScheduleOptions) {
    this.rules = opts.rules;
    this.clock = opts.clock;
    this.log = opts.log;
    this.runCommand = opts.run ?? defaultRun(opts.command, opts.log, opts.commandTimeoutMs ?? MONITOR_DEFAULTS.commandTimeout * 1000);
  }

  /** Applies every rule for this notification's type and UPS, in the order they are written. */
  onNotify(n: Notification): void {
    if (this.stopped) return;
    for (const rule of this.rules) {
      if (!rule.at.includes(n.type)) continue;
      if (rule.ups !== '*' && !sameUps(rule.ups, n.ups)) continue;
      if (rule.start !== undefined) this.start(rule.start, (rule.after ?? 0) * 1000, rule.shared, n);
      else if (rule.cancel !== undefined) this.cancel(rule.cancel, rule.matched, rule.otherwise, n);
      else if (rule.execute !== undefined) this.run(rule.execute, envOf([n]));
    }
  }

  /** The running timers, soonest first (upssched -l). */
  list(): TimerInfo[] {
    return this.timers
      .map((t) => ({ name: t.name, ups: unique(t.origins.map((o) => o.ups)), types: unique(t.origins.map((o) => o.type)), firesAt: t.firesAt }))
      .sort((a, b) => a.firesAt - b.firesAt);
  }

  /** Clears every timer; later notifications are ignored. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t.handle);
    this.timers = [];
  }

  private start(name: string, ms: number, shared: boolean, n: Notification): void {
    const origin = { ups: n.ups, type: n.type, message: n.message };
    if (shared) {
      // START-TIMER-SHARED: join the first running timer of that name; its deadline stays.
      const existing = this.timers.find((t) => t.name === name);
      if (existing) {
        existing.origins.push(origin);
        this.log.debug(`timer ${name}: joined by ${n.type} ${n.ups || 'this host'}`);
        return;
      }
    }
    // START-TIMER: always a new timer, even beside a running one of that name.
    const timer: Timer = { name, origins: [origin], firesAt: this.clock.now() + ms, handle: undefined };
    timer.handle = this.clock.setTimeout(() => this.fire(timer), ms);
    this.timers.push(timer);
    this.log.debug(`timer ${name}: started by ${n.type} ${n.ups || 'this host'}, fires in ${ms / 1000}s`);
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.log.info(`timer ${timer.name} fired`);
    this.run(timer.name, envOf(timer.origins));
  }

  /**
   * CANCEL-TIMER cancels every timer of that name. CANCEL-TIMER-MATCHED only
   * touches timers this event's UPS started or joined: this UPS leaves a
   * shared one, which is cancelled once no UPS is left in it. When nothing
   * matched (the timer already fired, or never started), `otherwise` runs.
   */
  private cancel(name: string, matched: boolean, otherwise: string | undefined, n: Notification): void {
    let hits = 0;
    for (const t of [...this.timers]) {
      if (t.name !== name) continue;
      if (matched) {
        const rest = t.origins.filter((o) => !sameUps(o.ups, n.ups));
        if (rest.length === t.origins.length) continue;
        hits++;
        if (rest.length > 0) {
          t.origins = rest;
          this.log.debug(`timer ${name}: ${n.ups} left it`);
          continue;
        }
      } else hits++;
      this.clock.clearTimeout(t.handle);
      this.timers = this.timers.filter((x) => x !== t);
      this.log.debug(`timer ${name}: cancelled by ${n.type} ${n.ups || 'this host'}`);
    }
    if (hits === 0 && otherwise !== undefined) this.run(otherwise, envOf([n]));
  }

  private run(arg: string, env: Record<string, string>): void {
    try {
      this.runCommand(arg, env);
    } catch (err) {
      this.log.error(`timer command for ${arg} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** UPSNAME / NOTIFYTYPE / NOTIFYMSG for the command: each value once, in the order they came. */
function envOf(origins: Origin[]): Record<string, string> {
  return {
    UPSNAME: unique(origins.map((o) => o.ups)).join(','),
    NOTIFYTYPE: unique(origins.map((o) => o.type)).join(','),
    NOTIFYMSG: unique(origins.map((o) => o.message)).join(MESSAGE_SEPARATOR),
  };
}

/**
 * upssched runs `CMDSCRIPT <arg>` through the shell; the argument goes in as
 * $1 so a timer name is never parsed as shell syntax.
 */
function defaultRun(command: string | undefined, log: Logger, timeoutMs: number): (arg: string, env: Record<string, string>) => void {
  return (arg, env) => {
    if (command === undefined) {
      log.error(`no timer command configured: cannot run it for ${arg}`);
      return;
    }
    const proc = spawnShell({ script: `${command} "$1"`, args: [arg], env, timeoutMs, log });
    void proc.done.then((r) => {
      const tail = r.stderr.trim() ? `: ${r.stderr.trim()}` : '';
      if (r.timedOut) log.warn(`timer command "${command} ${arg}" killed after ${timeoutMs / 1000}s${tail}`);
      else if (r.code !== 0) log.warn(`timer command "${command} ${arg}" ${describeResult(r)}${tail}`);
    });
  };
}
