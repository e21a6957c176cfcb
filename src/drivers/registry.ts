import type { DriverSchema, UpsConfig } from '../core/config';
import { UpsAgentError } from '../core/errors';
import type { Module } from '../core/module';
import { list, optional, str, type Schema } from '../core/schema';
import { apcsmartSchema } from './apcsmart/config';
import { dummySchema } from './dummy/config';
import { genericupsSchema } from './genericups/config';
import { qxSchema } from './qx/config';
import { snmpSchema } from './snmp/config';
import { RELAY_OPTIONS, checkRelay, isRelayPort, relaySchema } from './relay/config';
import { RUNTIME_OPTIONS } from './runtime/config';
import type { DriverDeps, DriverFactory } from './types';
import { usbhidSchema } from './usbhid/config';

/** A driver as the agent knows it: its configuration schema, and how to load its code. */
export interface DriverSpec {
  readonly schema: DriverSchema;
  /** Imports the driver only when a UPS uses it, so `--help` and small configurations do not pay for every driver. */
  load(): Promise<DriverFactory>;
}

const dummy: DriverSpec = { schema: dummySchema, load: async () => (await import('./dummy/index')).createDummyDriver };
const usbhid: DriverSpec = { schema: usbhidSchema, load: async () => (await import('./usbhid/index')).createUsbHidDriver };
const relay: DriverSpec = { schema: relaySchema, load: async () => (await import('./relay/index')).createRelayDriver };
const qx: DriverSpec = { schema: qxSchema, load: async () => (await import('./qx/index')).createQxDriver };

/** A driver of ours under NUT's name, so a ups.conf section carries over with its `driver =` as it is. */
function nutName(name: string, spec: DriverSpec, extra?: Pick<DriverSpec, 'load'> & Pick<DriverSchema, 'check'>): DriverSpec {
  const check = extra?.check ?? spec.schema.check;
  return { schema: { ...spec.schema, name, alias: true, ...(check ? { check } : {}) }, load: extra?.load ?? spec.load };
}

/**
 * NUT's dummy-ups is two drivers: a simulation reading a file, and with
 * `port = ups@host[:port]` a repeater of another server's UPS (its test: an
 * `@` in the port). Under its name we pick ours the same way: dummy, or
 * relay (which also takes the relay's user and password).
 */
const dummyUps: DriverSpec = (() => {
  const relayKeys = Object.keys(RELAY_OPTIONS).filter((k) => !(k in dummySchema.options));
  return {
    schema: {
      ...dummySchema,
      name: 'dummy-ups',
      alias: true,
      options: { ...dummySchema.options, ...RELAY_OPTIONS },
      portIsFile: (cfg) => !isRelayPort(cfg.port),
      check(cfg, path, issues) {
        if (isRelayPort(cfg.port)) {
          if (cfg.mode !== undefined) issues.push({ path: `${path}.mode`, message: `mode is for a simulation file; port ${JSON.stringify(cfg.port)} names another server's UPS (repeater mode)` });
          checkRelay(cfg, path, issues);
          return;
        }
        for (const k of relayKeys) {
          if (cfg[k] !== undefined) issues.push({ path: `${path}.${k}`, message: `${k} is for a UPS of another server (port = ups@host); port ${JSON.stringify(cfg.port)} is a simulation file` });
        }
        dummySchema.check?.(cfg, path, issues);
      },
    },
    load: async () => {
      const [dummyFactory, relayFactory] = await Promise.all([dummy.load(), relay.load()]);
      return (cfg, deps) => (isRelayPort(cfg.port) ? relayFactory(cfg, deps) : dummyFactory(cfg, deps));
    },
  };
})();

/**
 * NUT's blazer_ser and blazer_usb (drivers/blazer.c) are the Megatec
 * drivers nutdrv_qx replaced: they autodetect among these four protocols
 * only, in this order, and so do we under their names.
 */
export const BLAZER_PROTOCOLS = ['megatec', 'mustek', 'megatec/old', 'zinto'] as const;

function blazer(name: string, usb: boolean): DriverSpec {
  const toUsb = (cfg: UpsConfig): UpsConfig => (usb && cfg.port !== 'auto' ? { ...cfg, port: 'auto' } : cfg);
  return nutName(name, qx, {
    check(cfg, path, issues) {
      const p = cfg.protocol;
      if (typeof p === 'string' && !(BLAZER_PROTOCOLS as readonly string[]).includes(p.toLowerCase())) {
        issues.push({ path: `${path}.protocol`, message: `${JSON.stringify(p)} is not a protocol of ${name} (${BLAZER_PROTOCOLS.join(', ')}); use driver: nutdrv_qx for the others` });
      }
      // blazer_usb is USB whatever port says (NUT's USB drivers ignore it); blazer_ser is serial only.
      if (!usb && cfg.port === 'auto') issues.push({ path: `${path}.port`, message: `${name} talks to a serial port (e.g. /dev/ttyS0); for a USB UPS use driver: blazer_usb` });
      qxSchema.check?.(toUsb(cfg), path, issues);
    },
    load: async () => {
      const [{ createQxDriver }, { findProtocol }] = await Promise.all([import('./qx/index'), import('./qx/protocols/index')]);
      const protocols = BLAZER_PROTOCOLS.map((p) => findProtocol(p)!);
      return (cfg, deps) => createQxDriver(toUsb(cfg), deps, { protocols });
    },
  });
}

/** NUT's snmp-ups: UPS management cards over SNMP (./snmp). */
const snmp: DriverSpec = { schema: snmpSchema, load: async () => (await import('./snmp/index')).createSnmpDriver };

/** Every driver of this build. Add a driver here: its schema (./<name>/config.ts) and its loader. */
export const DRIVERS: readonly DriverSpec[] = [
  dummy,
  usbhid,
  { schema: apcsmartSchema, load: async () => (await import('./apcsmart/index')).createApcSmartDriver },
  { schema: genericupsSchema, load: async () => (await import('./genericups/index')).createGenericUpsDriver },
  qx,
  relay,
  snmp,
  // NUT's names (ups.conf `driver =`); apcsmart and genericups already are.
  dummyUps,
  nutName('usbhid-ups', usbhid),
  nutName('nutdrv_qx', qx),
  blazer('blazer_ser', false),
  blazer('blazer_usb', true),
  nutName('snmp-ups', snmp),
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
