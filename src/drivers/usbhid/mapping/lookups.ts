/**
 * The value conversions usbhid-ups shares between its subdrivers (its
 * info_lkp_t tables and conversion functions), as HidLookup objects. Vendor
 * tables use these and build their own with `enumLookup` / `functionLookup`.
 */
import type { HidLookup, HidLookupContext } from '../types';
import { formatFixed } from './format';
import type { StatusFlag } from './status';

/** C's `(long)value`: truncation toward zero; NaN and infinities have no integer. */
export function toLong(value: number): number | undefined {
  return Number.isFinite(value) ? Math.trunc(value) : undefined;
}

export interface EnumLookupOptions {
  /** Publish the texts as the variable's ENUM when it is writable (NUT: HU_FLAG_ENUM). */
  enumerate?: boolean;
}

/**
 * A table of HID value <-> NUT text pairs. The HID value is compared after
 * truncation to an integer, as NUT does; the first pair wins both ways.
 */
export function enumLookup(pairs: ReadonlyArray<readonly [number, string]>, options: EnumLookupOptions = {}): HidLookup {
  const lookup: HidLookup = {
    toNut(value) {
      const v = toLong(value);
      return v === undefined ? undefined : pairs.find(([hid]) => hid === v)?.[1];
    },
    fromNut(text) {
      return pairs.find(([, nut]) => nut === text)?.[0];
    },
  };
  if (options.enumerate) lookup.enumValues = pairs.map(([, nut]) => nut);
  return lookup;
}

/** A conversion function (NUT's `fun`/`nuf` pair); `fromNut` only when the conversion can be reversed. */
export function functionLookup(
  toNut: (value: number, ctx?: HidLookupContext) => string | undefined,
  fromNut?: (text: string) => number | undefined,
): HidLookup {
  return fromNut ? { toNut, fromNut } : { toNut };
}

// ------------------------------------------------------------ status bits

/**
 * A ups.status bit: the NUT-side text is the internal flag (`online`) when
 * set and `!flag` when clear, as usbhid-ups collects them before building
 * ups.status. Only exactly 1 and 0 count (other values change nothing).
 */
export function statusBit(flag: StatusFlag): HidLookup {
  return enumLookup([
    [1, flag],
    [0, `!${flag}`],
  ]);
}

/**
 * A ups.status bit the device reports inverted: 0 means the flag is set.
 * NUT uses it for `off` (device reports "on") and `nobattery` (device
 * reports "battery present"), so devices without the usage are on and have
 * a battery.
 */
export function statusBitInverted(flag: StatusFlag): HidLookup {
  return enumLookup([
    [0, flag],
    [1, `!${flag}`],
  ]);
}

export const onlineStatus = statusBit('online');
export const dischargingStatus = statusBit('discharging');
export const chargingStatus = statusBit('charging');
export const lowBatteryStatus = statusBit('lowbatt');
export const overloadStatus = statusBit('overload');
export const replaceBatteryStatus = statusBit('replacebatt');
export const trimStatus = statusBit('trim');
export const boostStatus = statusBit('boost');
export const bypassAutoStatus = statusBit('bypassauto');
export const bypassManualStatus = statusBit('bypassman');
export const offStatus = statusBitInverted('off');
export const calibrationStatus = statusBit('cal');
export const noBatteryStatus = statusBitInverted('nobattery');
export const fanFailStatus = statusBit('fanfail');
export const shutdownImminentStatus = statusBit('shutdownimm');
export const overheatStatus = statusBit('overheat');
export const awaitingPowerStatus = statusBit('awaitingpower');
export const commFaultStatus = statusBit('commfault');
export const timeLimitExpiredStatus = statusBit('timelimitexpired');
export const battVoltLowStatus = statusBit('battvoltlo');
export const battVoltHighStatus = statusBit('battvolthi');
export const chargerFailStatus = statusBit('chargerfail');
export const fullyChargedStatus = statusBit('fullycharged');
export const depletedStatus = statusBit('depleted');
/** input.transfer.reason sources: voltage or frequency out of range. */
export const voltageRangeStatus = statusBit('vrange');
export const frequencyRangeStatus = statusBit('frange');

/** ECO / ESS operating mode (Eaton): 0 normal, 1 ECO, 2 ESS; "normal" clears both. */
export const ecoModeStatus: HidLookup = functionLookup((value) => {
  switch (toLong(value)) {
    case 0:
      return '!ecomode !essmode';
    case 1:
      return 'ecomode !essmode';
    case 2:
      return 'essmode !ecomode';
    default:
      return undefined;
  }
});

// ------------------------------------------------------------ common value tables

/** Writing a test (ups.test.* / Test usage as written). */
export const testWrite = enumLookup([
  [0, 'No test'],
  [1, 'Quick test'],
  [2, 'Deep test'],
  [3, 'Abort test'],
]);

/** Reading a test result (ups.test.result). */
export const testRead = enumLookup([
  [1, 'Done and passed'],
  [2, 'Done and warning'],
  [3, 'Done and error'],
  [4, 'Aborted'],
  [5, 'In progress'],
  [6, 'No test initiated'],
  [7, 'Test scheduled'],
]);

/** AudibleAlarmControl (ups.beeper.status). */
export const beeperStatus = enumLookup([
  [1, 'disabled'],
  [2, 'enabled'],
  [3, 'muted'],
]);

export const yesNo = enumLookup([
  [0, 'no'],
  [1, 'yes'],
]);

export const onOff = enumLookup([
  [0, 'off'],
  [1, 'on'],
]);

// ------------------------------------------------------------ conversions

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => (n < 0 ? '-' + String(-n).padStart(3, '0') : String(n).padStart(4, '0'));

/**
 * The Power Device Class packed date (ManufacturerDate):
 * (year - 1980) * 512 + month * 32 + day, shown as YYYY/MM/DD; 0 is "not set".
 * Writing takes YYYY/MM/DD back; an impossible date writes 0, as NUT does.
 */
export const hidDate: HidLookup = functionLookup(
  (value) => {
    const v = toLong(value);
    if (v === undefined) return undefined;
    if (v === 0) return 'not set';
    // An arithmetic shift keeps pre-1980 (negative) dates negative.
    const year = 1980 + Math.floor(v / 512);
    const month = Math.floor(v / 32) & 0x0f;
    const day = v & 0x1f;
    return `${pad4(year)}/${pad2(month)}/${pad2(day)}`;
  },
  (text) => {
    const m = /^\s*(-?\d+)\/(\d+)\/(\d+)/.exec(text);
    if (!m) return undefined;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (year - 1980 > 127 || month > 12 || day > 31) return 0;
    return (year - 1980) * 512 + month * 32 + day;
  },
);

/** Eight hex digits (NUT: `%08lx`), e.g. for firmware codes. */
export const hexValue: HidLookup = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  return (v < 0 ? BigInt(v) + (1n << 64n) : BigInt(v)).toString(16).padStart(8, '0');
});

/** value / 10, one decimal. */
export const divideBy10: HidLookup = functionLookup((value) => (Number.isFinite(value) ? formatFixed(value * 0.1, 1) : undefined));

/** value / 100, one decimal. */
export const divideBy100: HidLookup = functionLookup((value) => (Number.isFinite(value) ? formatFixed(value * 0.01, 1) : undefined));

/**
 * Kelvin to Celsius, one decimal. Values outside 273..373 are taken as
 * already in Celsius: some devices (seen on HP) report Celsius in a Kelvin usage.
 */
export const kelvinToCelsius: HidLookup = functionLookup((value) => {
  if (!Number.isFinite(value)) return undefined;
  return formatFixed(value >= 273 && value <= 373 ? value - 273.15 : value, 1);
});

// ------------------------------------------------------------ USB string indexes

/**
 * Marks a value that is a USB string descriptor index (iDeviceChemistry,
 * iOEMInformation, vendor firmware strings...). The mapper cannot read USB
 * strings: it lists these paths in `stringPaths()`, the driver reads the
 * strings for the indexes it finds there and passes them to `compute()`,
 * which publishes the text (trailing whitespace removed). Without the string
 * the variable is not published.
 */
export interface StringIndexLookup extends HidLookup {
  readonly stringIndex: true;
}

export const stringIndex: StringIndexLookup = {
  stringIndex: true,
  // Only reached when no string table is at hand: nothing to show.
  toNut: () => undefined,
};

export function isStringIndexLookup(lookup: HidLookup | undefined): lookup is StringIndexLookup {
  return (lookup as Partial<StringIndexLookup> | undefined)?.stringIndex === true;
}

/**
 * A string-index value whose text is converted before it is published, e.g.
 * MGE's ups.model from the iModel string. `fromString` gets the string as
 * the device gave it, trailing newlines cut (NUT keeps trailing spaces, which
 * some model tables depend on); undefined publishes nothing, so a later row
 * for the same variable may.
 */
export interface ConvertedStringIndexLookup extends StringIndexLookup {
  fromString(text: string, ctx?: HidLookupContext): string | undefined;
}

export function stringIndexConverted(fromString: (text: string, ctx?: HidLookupContext) => string | undefined): ConvertedStringIndexLookup {
  return { stringIndex: true, toNut: () => undefined, fromString };
}

export function isConvertedStringIndexLookup(lookup: HidLookup | undefined): lookup is ConvertedStringIndexLookup {
  return isStringIndexLookup(lookup) && typeof (lookup as Partial<ConvertedStringIndexLookup>).fromString === 'function';
}

// ------------------------------------------------------------ conversions back that read other values

/**
 * What a conversion back to HID may consult, as NUT's `nuf` functions read
 * dstate and the driver options: the variables published now (server-side
 * ones included) and the ondelay / offdelay options.
 */
export interface HidWriteContext extends HidLookupContext {
  readonly options: { readonly onDelay?: number; readonly offDelay?: number };
}

/**
 * A lookup whose NUT -> HID conversion needs that context (MGE's ups.date is
 * written together with the published ups.time; PowerCOM's delay commands
 * fall back to the ondelay / offdelay options). `text` is undefined when a
 * command is given no parameter and its row has no default. The engine calls
 * this instead of `fromNut`; undefined means the value is not allowed.
 */
export interface ContextualLookup extends HidLookup {
  fromNutInContext(text: string | undefined, ctx: HidWriteContext): number | undefined;
}

export function isContextualLookup(lookup: HidLookup | undefined): lookup is ContextualLookup {
  return typeof (lookup as Partial<ContextualLookup> | undefined)?.fromNutInContext === 'function';
}

// ------------------------------------------------------------ whole reports read outside the descriptor

/** A Feature report the driver reads as raw bytes for a raw-report row. */
export interface RawReportRequest {
  readonly reportId: number;
  /** Bytes to ask for, report ID byte included. */
  readonly length: number;
}

/**
 * A row whose value comes from a Feature report the descriptor does not
 * describe (PowerCOM's battery voltage as text in report 0xa4). The row's
 * path only says when it is evaluated: whenever that path has a value. The
 * mapper lists the reports in `rawReports()`; the driver reads them and
 * passes the bytes (as the device sent them, ID byte first) to `compute()`.
 * Without the bytes the row publishes nothing.
 */
export interface RawReportLookup extends HidLookup {
  readonly rawReport: RawReportRequest;
  fromReport(bytes: Uint8Array, ctx?: HidLookupContext): string | undefined;
}

export function rawReportLookup(
  rawReport: RawReportRequest,
  fromReport: (bytes: Uint8Array, ctx?: HidLookupContext) => string | undefined,
): RawReportLookup {
  return { rawReport, fromReport, toNut: () => undefined };
}

export function isRawReportLookup(lookup: HidLookup | undefined): lookup is RawReportLookup {
  return typeof (lookup as Partial<RawReportLookup> | undefined)?.fromReport === 'function';
}
