import { EventBus } from '../core/bus';
import type { UpsConfig } from '../core/config';
import type { AgentConfig } from './config';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import { UpsStore } from '../core/state';
import type { DriverDeps } from '../drivers/types';
import { SERVER_DEFAULTS } from '../server/config';
import type { Monitor } from '../monitor/monitor';
import type { MonitorDeps } from './monitor';
import type { HttpSurface } from '../http/surface';
import type { ReloadModule } from './reload-plan';
import type { ReloadOutcome } from './reload-apply';

/** Builds a driver some other way than from the config (the embedded demo, tests); undefined = use the registry. */
export type DriverOverride = (ups: string, cfg: UpsConfig, deps: DriverDeps) => Promise<Module | undefined> | Module | undefined;

export interface AgentOptions {
  config: AgentConfig;
  log: Logger;
  version: string;
  /** Lets the demo (and tests) supply a driver built from something other than the config, e.g. an embedded source. */
  driverFor?: DriverOverride;
  /** How long the server waits for the drivers' first reads before it listens (default 500 ms). */
  startupWaitMs?: number;
  /** Overrides for the monitor's parts (tests: a clock, a state file). */
  monitorDeps?: Partial<Pick<MonitorDeps, 'clock' | 'actions'>>;
  /**
   * Runs once the drivers have tried their devices and the server listens,
   * before the monitor starts: where the agent gives up root. A throw stops
   * the agent (it must not carry on as root when it was told not to).
   */
  onOpened?: () => void | Promise<void>;
}

/** Long enough for a device that is there to be read before clients ask; short enough that a hung one delays nobody. */
export const DEFAULT_STARTUP_WAIT_MS = 500;

/** Not unref'd: while the agent waits for its drivers, nothing else may be keeping the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RunningAgent {
  readonly bus: EventBus;
  readonly store: UpsStore;
  /** The monitor, when the configuration has a monitor: section. */
  readonly monitor: Monitor | null;
  /**
   * Resolves when the agent has nothing left to do: a host that only watches
   * other servers, once its shutdown sequence is over (upsmon exits then).
   * Never resolves on a host that serves UPSes: the OS stops it.
   */
  readonly finished: Promise<void>;
  /** Addresses the NUT server listens on. */
  addresses(): Array<{ host: string; port: number }>;
  /** The web listener (API, metrics, page), when the configuration has an http: section. */
  readonly http: HttpSurface | null;
  /** Addresses the web listener listens on. */
  httpAddresses(): Array<{ host: string; port: number }>;
  /**
   * Applies a new, already validated configuration (SIGHUP, `upsagent
   * reload`): see src/app/reload-apply.ts. Reloads run one at a time.
   */
  reload(next: AgentConfig): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the bus and the state store, one driver per
 * configured UPS, and the NUT server, then starts them. Modules only meet
 * here; none of them imports another.
 */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { log } = opts;
  let config = opts.config;
  // Before onOpened, which may give root up: a reload after the drop says what it can no longer do.
  const rootAtStart = process.getuid?.() === 0;
  const bus = new EventBus(log.child('bus'));
  const store = new UpsStore(bus);
  const modules: Module[] = [];
  /** The driver of each UPS now (a reload replaces entries). */
  const drivers = new Map<string, Module>();

  const { createDriver } = await import('../drivers/registry');
  const buildDriver = async (name: string, ups: UpsConfig): Promise<Module> => {
    const publisher = store.get(name) ? store.publisher(name) : store.addUps(name, ups.desc ?? '');
    const deps = { ups: name, bus, publisher, log: log.child(`driver:${name}`) };
    const driver = (await opts.driverFor?.(name, ups, deps)) ?? (await createDriver(ups, deps));
    drivers.set(name, driver);
    return driver;
  };
  for (const [name, ups] of Object.entries(config.ups)) modules.push(await buildDriver(name, ups));

  const serving = Object.keys(config.ups).length > 0;
  const serverConfig = config.server ?? SERVER_DEFAULTS;
  // A host that only watches UPSes on other servers has nothing to serve (upsmon alone).
  const server = serving
    ? new (await import('../server/server')).NutServer({
        store,
        bus,
        log: log.child('server'),
        server: serverConfig,
        users: config.users ?? {},
        version: opts.version,
      })
    : null;

  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  /** Counts the monitors built: the helper's "gone" reaches only the current one (a reload builds a new one). */
  let monitorGeneration = 0;
  const newMonitor = async (config: AgentConfig): Promise<Monitor | null> => {
    if (!config.monitor) return null;
    const { buildMonitor } = await import('./monitor');
    const generation = ++monitorGeneration;
    const a = opts.monitorDeps?.actions;
    const actions = a && {
      runShutdown: (command: string) => a.runShutdown(command),
      writeFlag: (file: string) => a.writeFlag(file),
      clearFlag: (file: string) => a.clearFlag(file),
      onLost: a.onLost && ((listener: (why: string) => void) => a.onLost!((why) => generation === monitorGeneration && listener(why))),
    };
    return buildMonitor({
      config: config.monitor,
      localUpses: Object.keys(config.ups),
      store,
      bus,
      log: log.child('monitor'),
      maxAgeMs: ((config.server ?? SERVER_DEFAULTS).maxAge ?? SERVER_DEFAULTS.maxAge) * 1000,
      keepAlive: !serving,
      onShutdownDone: serving ? undefined : () => finish(),
      ...opts.monitorDeps,
      actions,
    });
  };
  let monitor = await newMonitor(config);

  // MQTT and the notification channels only read the store and the bus; they start before the
  // monitor so its first notifications find them listening.
  const surfaces: Module[] = [];
  let mqttPublish: ((topic: string, payload: string, o: { qos: 0 | 1 | 2; retain: boolean }) => Promise<void>) | undefined;
  /** The surface module of each kind now (a reload replaces them). */
  const surfaceOf = new Map<ReloadModule, Module>();
  const newMqtt = async (config: AgentConfig): Promise<Module | null> => {
    if (!config.mqtt) return null;
    const serverConfig = config.server ?? SERVER_DEFAULTS;
    const { MqttBridge } = await import('../mqtt/bridge');
    const bridge = new MqttBridge({ config: config.mqtt, store, bus, log: log.child('mqtt'), version: opts.version, maxAgeMs: (serverConfig.maxAge ?? SERVER_DEFAULTS.maxAge) * 1000 });
    mqttPublish = (topic, payload, o) => bridge.publish(topic, payload, o);
    return bridge;
  };
  const newNotify = async (config: AgentConfig): Promise<Module | null> => {
    if (!config.notify) return null;
    const { NotifyChannels } = await import('../notify/channels');
    const routes = config.monitor?.notify.routes ?? {};
    return new NotifyChannels({
      config: config.notify,
      bus,
      log: log.child('notify'),
      ignored: (type) => routes[type as keyof typeof routes]?.includes('ignore') ?? false,
      mqtt: mqttPublish ? { publish: mqttPublish } : undefined,
      mqttTopic: config.mqtt ? `${config.mqtt.topicPrefix}/notify` : undefined,
    });
  };
  // The web listener reads the store, the bus and the monitor; it starts after the server and stops before it.
  const newHttp = async (config: AgentConfig, monitor: Monitor | null): Promise<HttpSurface | null> => {
    if (!config.http) return null;
    const serverConfig = config.server ?? SERVER_DEFAULTS;
    const { HttpSurface } = await import('../http/surface');
    return new HttpSurface({
      config: config.http,
      store,
      bus,
      log: log.child('http'),
      users: config.users ?? {},
      version: opts.version,
      maxAgeMs: (serverConfig.maxAge ?? SERVER_DEFAULTS.maxAge) * 1000,
      monitor,
    });
  };
  const mqtt = await newMqtt(config);
  if (mqtt) surfaceOf.set('mqtt', mqtt);
  const notify = await newNotify(config);
  if (notify) surfaceOf.set('notify', notify);
  let http = await newHttp(config, monitor);
  if (http) surfaceOf.set('http', http);
  for (const m of [mqtt, notify, http]) if (m) surfaces.push(m);

  const started: Module[] = [];
  try {
    // Drivers first, all at once: each resolves after its first attempt to open its device.
    // The server does not wait for a slow or hung one for longer than startupWaitMs: that
    // UPS answers DRIVER-NOT-CONNECTED until its device answers, the others are served.
    started.push(...modules);
    const first = Promise.all(modules.map((m) => startDriver(m, log)));
    if (modules.length) await Promise.race([first, sleep(opts.startupWaitMs ?? DEFAULT_STARTUP_WAIT_MS)]);
    if (server) {
      await server.start();
      started.push(server);
    }
    for (const m of surfaces) {
      await m.start();
      started.push(m);
    }
    await opts.onOpened?.();
    // Last: it reads what the drivers publish, and its remote UPSes may be served by this very agent.
    if (monitor) {
      await monitor.start();
      started.push(monitor);
    }
  } catch (err) {
    for (const m of started.reverse()) await m.stop().catch(() => undefined);
    throw err;
  }
  if (server) log.info(`serving ${Object.keys(config.ups).join(', ')} on ${server.addresses().map(formatAddress).join(', ')}`);

  // Reload: the parts are rebuilt by the same functions as at start; src/app/reload-apply.ts decides which.
  const { applyReload } = await import('./reload-apply');
  /** Swaps a module in the stop order (a new one goes before the monitor, which stops first). */
  const replaceStarted = (old: Module | undefined, next: Module | null): void => {
    const i = old ? started.indexOf(old) : -1;
    if (i >= 0 && next) started[i] = next;
    else if (i >= 0) started.splice(i, 1);
    else if (next) {
      const at = monitor && next !== monitor ? started.indexOf(monitor) : -1;
      started.splice(at >= 0 ? at : started.length, 0, next);
    }
  };
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (next: AgentConfig): Promise<ReloadOutcome> => {
    const run = reloading.then(() =>
      applyReload(config, next, {
        log: log.child('reload'),
        store,
        server,
        dropped: rootAtStart && process.getuid?.() !== 0,
        async stopDriver(name) {
          const d = drivers.get(name);
          drivers.delete(name);
          if (!d) return;
          replaceStarted(d, null);
          await d.stop();
        },
        async startDriver(name, ups) {
          const d = await buildDriver(name, ups);
          started.unshift(d);
          await Promise.race([startDriver(d, log), sleep(opts.startupWaitMs ?? DEFAULT_STARTUP_WAIT_MS)]);
        },
        async stopModule(kind) {
          const m = kind === 'monitor' ? monitor : surfaceOf.get(kind);
          if (!m) return;
          replaceStarted(m, null);
          if (kind === 'monitor') {
            monitor = null;
            monitorGeneration++;
          } else surfaceOf.delete(kind);
          if (kind === 'http') http = null;
          if (kind === 'mqtt') mqttPublish = undefined;
          await m.stop();
        },
        async startModule(kind, cfg) {
          const m = kind === 'monitor' ? await newMonitor(cfg) : kind === 'mqtt' ? await newMqtt(cfg) : kind === 'notify' ? await newNotify(cfg) : await newHttp(cfg, monitor);
          if (!m) return false;
          await m.start();
          replaceStarted(undefined, m);
          if (kind === 'monitor') monitor = m as Monitor;
          else surfaceOf.set(kind, m);
          if (kind === 'http') http = m as HttpSurface;
          return true;
        },
        shutdownStarted: () => monitor?.view().shutdown != null,
        commit(running) {
          config = running;
        },
      }),
    );
    reloading = run.catch(() => undefined);
    return run;
  };

  return {
    bus,
    store,
    get monitor() {
      return monitor;
    },
    finished,
    addresses: () => server?.addresses() ?? [],
    get http() {
      return http;
    },
    httpAddresses: () => http?.addresses() ?? [],
    reload,
    async stop() {
      for (const m of started.reverse()) {
        try {
          await m.stop();
        } catch (err) {
          log.warn(`stopping ${m.name} failed: ${errorMessage(err)}`);
        }
      }
    },
  };
}

/**
 * A driver whose device is missing at start must not keep the agent (and the
 * other UPSes) down: log it and let the driver retry on its own, as NUT drivers
 * do with maxretry/retrydelay. Never rejects.
 */
async function startDriver(m: Module, log: Logger): Promise<void> {
  try {
    await m.start();
  } catch (err) {
    log.error(`driver ${m.name} failed to start: ${errorMessage(err)}`);
  }
}

export function formatAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
