/**
 * How dummy-ups 2.8.0 flags the variables it publishes. Measured with GET TYPE
 * against the real driver + upsd on a file naming every variable below.
 *
 * - A variable dummy-ups knows by name gets its own type: writable, and either
 *   a number or a string of a fixed size (some sizes are odd, e.g. 1 for
 *   input.sensitivity, but they are what upsd enforces on SET).
 * - Any other variable from the file is a writable string of size 32.
 * - The variables the driver core adds (driver.*, device.type and the device.*
 *   copies of ups.mfr/model/serial) carry no flags: read-only, shown as NUMBER.
 */
export interface DummyVarType {
  rw: boolean;
  string: boolean;
  /** Size of a string variable; 0 for numbers. */
  maxLength: number;
}

/** Writable strings the driver knows, with their size. */
const KNOWN_STRINGS: Record<string, number> = {
  'ups.mfr': 32,
  'ups.model': 32,
  'ups.status': 32,
  'ups.serial': 32,
  'ups.alarm': 32,
  'ups.time': 16,
  'ups.date': 16,
  'ups.mfr.date': 16,
  'ups.firmware': 16,
  'ups.firmware.aux': 16,
  'ups.id': 16,
  'ups.test.result': 16,
  'input.transfer.reason': 1,
  'input.sensitivity': 1,
  'input.quality': 6,
};

/** Writable numbers the driver knows. */
const KNOWN_NUMBERS = new Set([
  'ups.load',
  'ups.temperature',
  'ups.delay.start',
  'ups.delay.reboot',
  'ups.delay.shutdown',
  'ups.test.interval',
  'input.voltage',
  'input.voltage.maximum',
  'input.voltage.minimum',
  'input.voltage.nominal',
  'input.transfer.low',
  'input.transfer.high',
  'input.frequency',
  'input.transfer.boost.low',
  'input.transfer.boost.high',
  'input.transfer.trim.low',
  'input.transfer.trim.high',
  'output.voltage',
  'output.frequency',
  'output.current',
  'battery.charge',
  'battery.charge.low',
  'battery.voltage',
  'battery.current',
  'battery.runtime',
  'battery.runtime.low',
  'battery.charge.restart',
  'battery.temperature',
  'battery.voltage.nominal',
  'ambient.temperature',
  'ambient.temperature.alarm',
  'ambient.temperature.high',
  'ambient.temperature.low',
  'ambient.humidity',
  'ambient.humidity.alarm',
  'ambient.humidity.high',
  'ambient.humidity.low',
]);

/** Size dummy-ups gives a writable string it does not know. */
export const DEFAULT_STRING_SIZE = 32;

/** The type dummy-ups gives a variable set from its file or by SET VAR. */
export function dummyVarType(name: string): DummyVarType {
  const key = name.toLowerCase();
  const size = KNOWN_STRINGS[key];
  if (size !== undefined) return { rw: true, string: true, maxLength: size };
  if (KNOWN_NUMBERS.has(key)) return { rw: true, string: false, maxLength: 0 };
  return { rw: true, string: true, maxLength: DEFAULT_STRING_SIZE };
}

/** Variables dummy-ups publishes before it reads its file (the file may override them). */
export const DUMMY_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ['ups.mfr', 'Dummy Manufacturer'],
  ['ups.model', 'Dummy UPS'],
  ['ups.status', 'OL'],
];

/** The one instant command dummy-ups offers, whatever its file says. */
export const DUMMY_COMMANDS: readonly string[] = ['load.off'];

/** ups.* variables the driver core copies to device.* once, after the first read. */
export const DEVICE_COPIES: ReadonlyArray<readonly [from: string, to: string]> = [
  ['ups.mfr', 'device.mfr'],
  ['ups.model', 'device.model'],
  ['ups.serial', 'device.serial'],
];

/** dummy-ups' own version, published as driver.version.internal: the behaviour we mirror. */
export const DUMMY_UPS_VERSION = '0.15';
