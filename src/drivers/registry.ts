import type { DriverName, UpsConfig } from '../core/config';
import { UpsAgentError } from '../core/errors';
import type { Module } from '../core/module';
import type { DriverDeps, DriverFactory } from './types';

/**
 * One loader per driver name. Each imports its driver only when a UPS uses it,
 * so `upsagent --help` and small configurations do not pay for every driver
 * (later ones pull in serial ports, USB and SNMP code).
 */
const LOADERS: { [K in DriverName]?: () => Promise<DriverFactory> } = {
  dummy: async () => (await import('./dummy/index')).createDummyDriver,
  usbhid: async () => (await import('./usbhid/index')).createUsbHidDriver,
};

/** Creates (does not start) the driver module named by `cfg.driver`. */
export async function createDriver(cfg: UpsConfig, deps: DriverDeps): Promise<Module> {
  const load = (LOADERS as Partial<Record<string, () => Promise<DriverFactory>>>)[cfg.driver];
  if (!load) {
    throw new UpsAgentError('UNKNOWN-DRIVER', `no driver named ${JSON.stringify(cfg.driver)}; known: ${Object.keys(LOADERS).join(', ')}`);
  }
  const factory = await load();
  return factory(cfg, deps);
}

/** Driver names this build can create. */
export function driverNames(): string[] {
  return Object.keys(LOADERS);
}
