/**
 * Our qx driver on one end of a pty pair (./pty-pair.ts) with a simulator
 * on the other, over the real serial link: what it publishes (`v`), a
 * bounded wait for a condition (`until`, which fails with the status, the
 * alarm and the driver's last log lines), and `stop` for all of it.
 * `watchUps` alone serves drivers on other transports (a fake USB device).
 */
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import type { Module } from '../../src/core/module';
import { UpsStore } from '../../src/core/state';
import { createQxDriver } from '../../src/drivers/qx/index';
import { startPtyPair, type PtyPair } from './pty-pair';

export interface UpsWatch {
  /** A variable's value as published (the store flushed first). */
  v(name: string): string | undefined;
  /** Waits (25 ms steps, `ms` at most) until `ok()`; otherwise throws naming `what`. */
  until(what: string, ok: () => boolean, ms?: number): Promise<void>;
}

/** `v` and `until` for the UPS `ups` of `store`, whose driver logs into `log`. */
export function watchUps(store: UpsStore, log: string[], ups = 'u'): UpsWatch {
  const v = (name: string): string | undefined => {
    store.flush();
    return store.get(ups)?.getVar(name)?.value;
  };
  const until = async (what: string, ok: () => boolean, ms = 8000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}; ups.status=${String(v('ups.status'))} ups.alarm=${String(v('ups.alarm'))}; log:\n${log.slice(-8).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { v, until };
}

export interface PtySimulator {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface QxPtyRig<S extends PtySimulator> extends UpsWatch {
  pty: PtyPair;
  sim: S;
  store: UpsStore;
  bus: EventBus;
  driver: Module;
  log: string[];
  /** Stops the driver, the simulator and the pty pair. */
  stop(): Promise<void>;
}

/**
 * Starts `makeSim(peer)` on a new pty pair and our qx driver as UPS `u` on
 * its other end: polls every 0.2 s, a full poll each time, 2 s timeout, no
 * settling pause; `cfg` adds to or overrides that.
 */
export async function startQxPtyRig<S extends PtySimulator>(makeSim: (peer: string) => S, cfg: Record<string, unknown> = {}): Promise<QxPtyRig<S>> {
  const pty = await startPtyPair();
  const sim = makeSim(pty.peer);
  await sim.start();
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const log: string[] = [];
  const driver = createQxDriver(
    { driver: 'qx', port: pty.device, pollInterval: 0.2, pollfreq: 1, timeout: 2, ...cfg },
    { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(log) },
    { settleMs: 0 },
  );
  await driver.start();
  return {
    pty,
    sim,
    store,
    bus,
    driver,
    log,
    ...watchUps(store, log),
    async stop() {
      await driver.stop();
      await sim.stop();
      await pty.stop();
    },
  };
}
