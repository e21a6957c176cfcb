import type { DriverSchema, UpsConfig } from '../core/config';
import { UpsAgentError } from '../core/errors';
import type { Module } from '../core/module';
import { dummySchema } from './dummy/config';
import { RUNTIME_OPTIONS } from './runtime/config';
import type { DriverDeps, DriverFactory } from './types';
import { usbhidSchema } from './usbhid/config';

/** A driver as the agent knows it: its configuration schema, and how to load its code. */
export interface DriverSpec {
  readonly schema: DriverSchema;
  /** Imports the driver only when a UPS uses it, so `--help` and small configurations do not pay for every driver. */
  load(): Promise<DriverFactory>;
}

/** Every driver of this build. Add a driver here: its schema (./<name>/config.ts) and its loader. */
export const DRIVERS: readonly DriverSpec[] = [
  { schema: dummySchema, load: async () => (await import('./dummy/index')).createDummyDriver },
  { schema: usbhidSchema, load: async () => (await import('./usbhid/index')).createUsbHidDriver },
];

/** Keys every driver takes (the runtime's). */
export const COMMON_DRIVER_OPTIONS = RUNTIME_OPTIONS;

/** Creates (does not start) the driver module named by `cfg.driver`. */
export async function createDriver(cfg: UpsConfig, deps: DriverDeps): Promise<Module> {
  const spec = DRIVERS.find((d) => d.schema.name === cfg.driver);
  if (!spec) {
    throw new UpsAgentError('UNKNOWN-DRIVER', `no driver named ${JSON.stringify(cfg.driver)}; known: ${driverNames().join(', ')}`);
  }
  const factory = await spec.load();
  return factory(cfg, deps);
}

/** Driver names this build can create. */
export function driverNames(): string[] {
  return DRIVERS.map((d) => d.schema.name);
}
