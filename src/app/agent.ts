import { EventBus } from '../core/bus';
import type { AgentConfig, UpsConfig } from '../core/config';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import { UpsStore } from '../core/state';
import type { DriverDeps } from '../drivers/types';

/** Builds a driver some other way than from the config (the embedded demo, tests); undefined = use the registry. */
export type DriverOverride = (ups: string, cfg: UpsConfig, deps: DriverDeps) => Promise<Module | undefined> | Module | undefined;

export interface AgentOptions {
  config: AgentConfig;
  log: Logger;
  version: string;
  /** Lets the demo (and tests) supply a driver built from something other than the config, e.g. an embedded source. */
  driverFor?: DriverOverride;
}

export interface RunningAgent {
  readonly bus: EventBus;
  readonly store: UpsStore;
  /** Addresses the NUT server listens on. */
  addresses(): Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the bus and the state store, one driver per
 * configured UPS, and the NUT server, then starts them. Modules only meet
 * here; none of them imports another.
 */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { config, log } = opts;
  const bus = new EventBus(log.child('bus'));
  const store = new UpsStore(bus);
  const modules: Module[] = [];

  const { createDriver } = await import('../drivers/registry');
  for (const [name, ups] of Object.entries(config.ups)) {
    const publisher = store.addUps(name, ups.desc ?? '');
    const deps = { ups: name, bus, publisher, log: log.child(`driver:${name}`) };
    const driver = (await opts.driverFor?.(name, ups, deps)) ?? (await createDriver(ups, deps));
    modules.push(driver);
  }

  const { NutServer } = await import('../server/server');
  const server = new NutServer({
    store,
    bus,
    log: log.child('server'),
    server: config.server ?? { listen: ['127.0.0.1:3493', '[::1]:3493'], maxAge: 15, maxClients: 10_000, idleTimeout: 60, allowNotAllListeners: true },
    users: config.users ?? {},
    version: opts.version,
  });

  const started: Module[] = [];
  try {
    // Drivers first: the server then answers WAIT, not UNKNOWN-UPS, while they gather data.
    for (const m of modules) {
      await startDriver(m, log);
      started.push(m);
    }
    await server.start();
    started.push(server);
  } catch (err) {
    for (const m of started.reverse()) await m.stop().catch(() => undefined);
    throw err;
  }
  log.info(`serving ${Object.keys(config.ups).join(', ')} on ${server.addresses().map(formatAddress).join(', ')}`);

  return {
    bus,
    store,
    addresses: () => server.addresses(),
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
 * do with maxretry/retrydelay.
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
