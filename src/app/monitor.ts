/**
 * Builds the monitor from the `monitor:` section: one source per watched UPS
 * (the store for a local one, a NUT connection for a remote one), the
 * notifier, the timers, the history, and the real shutdown command runner.
 * Kept beside the composition root because it is the one place that joins
 * the monitor to the store and the client.
 */
import type { EventBus } from '../core/bus';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { loadCaFile } from '../client/tls-policy';
import { roleOf, tlsSettingsOf, watchTarget, type MonitorConfig } from '../monitor/config';
import { EventHistory, HISTORY_TYPES } from '../monitor/history';
import { Monitor, type WatchedSource } from '../monitor/monitor';
import { Notifier } from '../monitor/notifier';
import { TimerSchedule } from '../monitor/schedule';
import { LocalSource, type LocalUpsAccess } from '../monitor/sources/local';
import { RemoteSource } from '../monitor/sources/remote';
import { directActions, type ShutdownActions } from '../privilege/actions';

export interface MonitorDeps {
  config: MonitorConfig;
  /** UPSes of this agent's `ups:` section. */
  localUpses: readonly string[];
  store: LocalUpsAccess;
  bus: EventBus;
  log: Logger;
  /** The server's maxAge: local data older than this is stale for the monitor too. */
  maxAgeMs: number;
  clock?: Clock;
  keepAlive?: boolean;
  onShutdownDone?(): void;
  /** Who runs the shutdown command and writes the flag: the privileged helper once the agent runs unprivileged; default: this process. */
  actions?: ShutdownActions;
}

export function buildMonitor(d: MonitorDeps): Monitor {
  const { config, log } = d;
  const clock = d.clock ?? systemClock;
  const actions = d.actions ?? directActions(log);
  const sources: WatchedSource[] = config.ups.map((u) => {
    const target = watchTarget(u.name, d.localUpses);
    const role = roleOf(u, target);
    if (target.kind === 'local') {
      return { source: new LocalSource({ ups: target.ups, store: d.store, bus: d.bus, maxAgeMs: d.maxAgeMs }), role, powerValue: u.powerValue, readBattery: true };
    }
    const t = tlsSettingsOf(u, config);
    const source = new RemoteSource({
      tls: { certVerify: t.certVerify, forceSsl: t.forceSsl, ca: t.caFile !== undefined ? loadCaFile(t.caFile, t.caKey) : undefined, servername: t.certName },
      name: u.name,
      ups: target.ups,
      host: target.host,
      port: target.port,
      user: u.user ?? '',
      password: u.password ?? '',
      role,
      log: log.child(u.name),
    });
    return { source, role, powerValue: u.powerValue };
  });
  const notifier = new Notifier({ config: config.notify, log: log.child('notify'), clock });
  // upsmon's child says NOPARENT when its privileged parent is gone: no shutdown can be run any more.
  actions.onLost?.(() => {
    const n = { type: 'NOPARENT' as const, ups: '', message: notifier.message('NOPARENT', ''), at: clock.now() };
    notifier.notify(n);
    d.bus.emit('monitor.notify', n);
  });
  return new Monitor({
    config,
    sources,
    clock,
    log,
    bus: d.bus,
    notifier,
    schedule: new TimerSchedule({ rules: config.timers.rules, command: config.timers.command, clock, log: log.child('timers') }),
    history: new EventHistory({ file: config.stateFile, size: config.historySize, log: log.child('history'), clock }),
    historyTypes: new Set<string>(HISTORY_TYPES),
    runCommand: (command) => actions.runShutdown(command),
    writeFlag: (f) => actions.writeFlag(f),
    clearFlag: (f) => actions.clearFlag(f),
    keepAlive: d.keepAlive,
    onShutdownDone: d.onShutdownDone,
  });
}
