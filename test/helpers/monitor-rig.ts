/**
 * A monitor with everything around it faked: sources whose answers a test
 * sets, a FakeClock, and recorders for notifications, commands and the
 * history. The decisions under test are the real ones (Supply, Monitor,
 * forcedShutdown).
 */
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { validateConfig } from '../../src/app/config';
import type { MonitorConfig } from '../../src/monitor/config';
import { Monitor, type ScheduleLike, type WatchedSource } from '../../src/monitor/monitor';
import { NOTIFY_TYPES, formatMessage, type Notification, type NotifyType } from '../../src/monitor/notify-types';
import type { PollOutcome, UpsSource } from '../../src/monitor/sources/source';
import type { Role } from '../../src/monitor/supply';
import { FakeClock } from './fake-clock';

export class FakeSource implements UpsSource {
  /** ups.status to answer; null = the poll fails with `error`. */
  status: string | null = 'OL';
  error = 'Connection refused';
  charge: number | undefined;
  runtime: number | undefined;
  testResult: string | undefined;
  /** Other monitors logged in (NUMLOGINS minus us). */
  logins = 0;
  /** FSD latched on the "server": the status then reads `FSD ...`, as upsd sends it. */
  fsd = false;
  polls = 0;
  stopped = false;
  fsdCalls = 0;
  private listeners: Array<() => void> = [];

  constructor(readonly name: string) {}

  poll(): Promise<PollOutcome> {
    this.polls++;
    if (this.status === null) return Promise.resolve({ ok: false, error: this.error });
    return Promise.resolve({ ok: true, reading: { status: `${this.fsd ? 'FSD ' : ''}${this.status}`, charge: this.charge, runtime: this.runtime, testResult: this.testResult } });
  }
  setFsd(): Promise<void> {
    this.fsdCalls++;
    this.fsd = true;
    return Promise.resolve();
  }
  otherLogins(): Promise<number | null> {
    return Promise.resolve(this.logins);
  }
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }
  /** What a local UPS does when its status changes: wake the monitor. */
  changed(): void {
    for (const fn of this.listeners) fn();
  }
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

export interface RigUps {
  name: string;
  role?: Role;
  powerValue?: number;
}

export interface Rig {
  clock: FakeClock;
  monitor: Monitor;
  sources: FakeSource[];
  src(name: string): FakeSource;
  notes: Notification[];
  /** Types notified, in order. */
  types(ups?: string): NotifyType[];
  /** Shutdown commands run, with the time (ms since the rig started). */
  commands: Array<{ command: string; atMs: number }>;
  flags: string[];
  log: MemoryLogger;
  bus: EventBus;
  config: MonitorConfig;
  /** ms since the rig started. */
  elapsed(): number;
  advance(seconds: number): Promise<void>;
}

/** Builds and starts a monitor; `monitor` holds keys of the monitor: section (defaults: NUT's). */
export async function startRig(upses: RigUps[], monitor: Record<string, unknown> = {}, parts: { schedule?: (cfg: MonitorConfig, clock: FakeClock) => ScheduleLike } = {}): Promise<Rig> {
  const cfg = validateConfig({
    monitor: {
      ups: upses.map((u) => ({ name: u.name, powerValue: u.powerValue ?? 1, role: u.role ?? 'secondary', user: 'mon', password: 'pw' })),
      shutdownCommand: 'poweroff-for-test',
      ...monitor,
    },
  }).monitor!;
  const clock = new FakeClock();
  const t0 = clock.now();
  const log = new MemoryLogger();
  const bus = new EventBus(log);
  const sources = upses.map((u) => new FakeSource(u.name));
  const notes: Notification[] = [];
  const commands: Rig['commands'] = [];
  const flags: string[] = [];
  const watched: WatchedSource[] = sources.map((s, i) => ({ source: s, role: upses[i]!.role ?? 'secondary', powerValue: upses[i]!.powerValue ?? 1 }));
  const m = new Monitor({
    config: cfg,
    sources: watched,
    clock,
    log,
    bus,
    notifier: {
      message: (type, ups, extra) => formatMessage(cfg.notify.messages[type] ?? NOTIFY_TYPES[type], ups, extra),
      notify: (n) => notes.push(n),
    },
    schedule: parts.schedule?.(cfg, clock) ?? { onNotify: () => undefined, stop: () => undefined },
    history: { load: () => Promise.resolve(), add: () => undefined, setView: () => undefined, flush: () => Promise.resolve() },
    historyTypes: new Set(),
    runCommand: (command) => {
      commands.push({ command, atMs: clock.now() - t0 });
      return Promise.resolve(0);
    },
    writeFlag: (f) => {
      flags.push(f);
      return Promise.resolve();
    },
    clearFlag: () => Promise.resolve(),
  });
  await m.start();
  return {
    clock,
    monitor: m,
    sources,
    src: (name) => sources.find((s) => s.name === name)!,
    notes,
    types: (ups) => notes.filter((n) => ups === undefined || n.ups === ups).map((n) => n.type),
    commands,
    flags,
    log,
    bus,
    config: cfg,
    elapsed: () => clock.now() - t0,
    advance: (s) => clock.advance(s * 1000),
  };
}
