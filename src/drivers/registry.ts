import type { DriverSchema, UpsConfig } from '../core/config';
import { UpsAgentError } from '../core/errors';
import type { Module } from '../core/module';
import { list, optional, str, type Schema } from '../core/schema';
import { apcsmartSchema } from './apcsmart/config';
import { dummySchema } from './dummy/config';
import { genericupsSchema } from './genericups/config';
import { qxSchema } from './qx/config';
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
  { schema: apcsmartSchema, load: async () => (await import('./apcsmart/index')).createApcSmartDriver },
  { schema: genericupsSchema, load: async () => (await import('./genericups/index')).createGenericUpsDriver },
  { schema: qxSchema, load: async () => (await import('./qx/index')).createQxDriver },
];

const commandName = str({ pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'an instant command name such as shutdown.return or load.off' });
const commandList = list(commandName, { minItems: 1, unique: true });

/**
 * ups.conf writes sdcommands as one comma-separated word; a NUT user pasting
 * `shutdown.return,load.off` gets the list it means instead of an error.
 */
const sdcommandsSchema: Schema<string[]> = {
  expected: commandList.expected,
  optional: false,
  check(v, path, issues) {
    const value = typeof v === 'string' && v.includes(',') ? v.split(',').map((c) => c.trim()).filter((c) => c !== '') : v;
    return commandList.check(value, path, issues);
  },
};

/** Keys every driver takes: the runtime's, and what `upsagent shutdown-ups` sends. */
export const COMMON_DRIVER_OPTIONS = {
  ...RUNTIME_OPTIONS,
  /**
   * The instant commands `upsagent shutdown-ups` tries, in order, until the
   * UPS accepts one (NUT ups.conf sdcommands). `shutdown.default` stands for
   * the built-in list. Unset: shutdown.return, shutdown.reboot,
   * load.off.delay, shutdown.stayoff, load.off (DEFAULT_SHUTDOWN_COMMANDS
   * of src/cli/commands/shutdown-ups.ts).
   */
  sdcommands: optional(sdcommandsSchema),
};

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
