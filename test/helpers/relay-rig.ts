/**
 * The relay under test as it runs in the agent: a real UpsStore and EventBus,
 * our NUT server on 127.0.0.1 port 0, and a RelayDriver for one UPS whose
 * upstream is given (a fake upsd, a real one). `connections` counts the
 * upstream connections the driver opened; `clients` are the live ones.
 */
import { EventBus } from '../../src/core/bus';
import type { UpsConfig, UserConfig } from '../../src/core/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { SERVER_DEFAULTS } from '../../src/server/config';
import { NutServer } from '../../src/server/server';
import { RelayDriver } from '../../src/drivers/relay/driver';
import { connectNut, type UpstreamClient } from '../../src/drivers/relay/upstream';

export interface RelayRig {
  store: UpsStore;
  bus: EventBus;
  log: MemoryLogger;
  server: NutServer;
  driver: RelayDriver;
  /** Our server's port (clients of the relay connect here). */
  port: number;
  /** The UPS name on our server. */
  ups: string;
  /** Upstream connections opened so far. */
  connections: number;
  /** The upstream connections the driver opened, newest last. */
  clients: UpstreamClient[];
  stop(): Promise<void>;
}

export interface RelayRigOptions {
  /** `ups@host:port` of the upstream. */
  port: string;
  ups?: string;
  /** More keys of the `ups:` entry (user, password, pollInterval, pollfreq, timeout...). */
  entry?: Partial<UpsConfig>;
  users?: Record<string, UserConfig>;
  maxClients?: number;
  /** Where the driver connects instead of the host and port of `port` (an upstream moved to another port). */
  redirect?: () => { host: string; port: number } | undefined;
}

export async function startRelayRig(opts: RelayRigOptions): Promise<RelayRig> {
  const ups = opts.ups ?? 'relayed';
  const log = new MemoryLogger();
  const bus = new EventBus(log);
  const store = new UpsStore(bus);
  const publisher = store.addUps(ups, 'relayed UPS');
  const rig = { connections: 0, clients: [] as UpstreamClient[] };
  const driver = new RelayDriver(
    { driver: 'relay', port: opts.port, pollInterval: 0.2, ...opts.entry } as UpsConfig,
    { ups, bus, publisher, log: log.child('relay') },
    {
      connect: async (o) => {
        rig.connections++;
        const c = await connectNut({ ...o, ...opts.redirect?.() });
        rig.clients.push(c);
        return c;
      },
    },
  );
  const server = new NutServer({
    store,
    bus,
    log: log.child('server'),
    server: { ...SERVER_DEFAULTS, listen: ['127.0.0.1:0'], maxClients: opts.maxClients ?? 2000, idleTimeout: 600, allowNotAllListeners: false },
    users: opts.users ?? {},
    version: '9.9.9-test',
  });
  await server.start();
  await driver.start();
  return Object.assign(rig, {
    store,
    bus,
    log,
    server,
    driver,
    port: server.addresses()[0]!.port,
    ups,
    async stop() {
      await driver.stop();
      await server.stop();
    },
  });
}

/** Waits until `check` returns a value (not undefined/false), polling every 20 ms. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
