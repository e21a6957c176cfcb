/**
 * PowerCOM (USB vendor 0d9f): Imperial, Smart KING Pro, WOW, Vanguard,
 * Black Knight Pro, Raptor. Facts from NUT's powercom-hid.c (PowerCOM HID
 * 0.7x):
 *
 * - Delays are not seconds. DelayBeforeStartup reads as minutes with its two
 *   bytes swapped; DelayBeforeShutdown reads as minutes in the high byte and
 *   seconds in the low byte. Writing a shutdown delay sends minutes and
 *   seconds the same way plus a flag: 0x40 restart when power returns
 *   (shutdown.return), 0x80 stay off (shutdown.stayoff). 0 seconds would
 *   mean the longest delay, so 0 is sent as 1.
 * - Older firmwares put everything in a vendor collection on page 0x0002
 *   ("PowercomUPS"), with status as bit masks and voltages in units of 4 V.
 * - The beeper reads 1 enabled, 2 disabled.
 * - The battery voltage is not in the descriptor: it is text in Feature
 *   report 0xa4 (e.g. " 13.7 2"), read whenever the always-present ACPresent
 *   is (NUT 2.8.5 on).
 * - 0d9f:0001 is read by interrupt reports only, 8 bytes each (see
 *   deviceQuirks in ../select).
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import {
  boostStatus,
  chargingStatus,
  commFaultStatus,
  dischargingStatus,
  enumLookup,
  functionLookup,
  hidDate,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  rawReportLookup,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  testRead,
  timeLimitExpiredStatus,
  toLong,
  trimStatus,
  type ContextualLookup,
  type HidWriteContext,
} from '../lookups';
import { formatFixed } from '../format';
import type { StatusFlag } from '../status';
import { command, DEFAULT_OFFDELAY, quickStatus, serverVar, status, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const POWERCOM_VENDOR_ID = 0x0d9f;

/** The USB IDs powercom-hid.c claims. 0d9f:0002 is a serial protocol over USB (NUT's powercom driver). */
export const POWERCOM_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [POWERCOM_VENDOR_ID, 0x00a2], // IMP - IMPERIAL series
  [POWERCOM_VENDOR_ID, 0x00a3], // SKP - Smart KING Pro (all Smart series)
  [POWERCOM_VENDOR_ID, 0x00a4], // WOW
  [POWERCOM_VENDOR_ID, 0x00a5], // VGD - Vanguard
  [POWERCOM_VENDOR_ID, 0x00a6], // BNT - Black Knight Pro
  [POWERCOM_VENDOR_ID, 0x0004], // Vanguard and BNT-xxxAP
  [POWERCOM_VENDOR_ID, 0x0001], // NUT reads this one by interrupt reports only (8 bytes)
];

/**
 * PowerCOM's usages: the page 0x0002 collection of older firmwares, and
 * names for a few stray ones. PCMDelayBefore* are usages 0x56 / 0x57 on
 * page 0x00ff (the Power Device ids on a vendor page).
 */
export const POWERCOM_USAGES: Readonly<Record<string, number>> = {
  PowercomUPS: 0x00020004,
  PowercomBatterySystem: 0x00020010,
  PowercomPowerConverter: 0x00020016,
  PowercomInput: 0x0002001a,
  PowercomOutput: 0x0002001c,
  PowercomVoltage: 0x00020030,
  PowercomFrequency: 0x00020032,
  PowercomPercentLoad: 0x00020035,
  PowercomTemperature: 0x00020036,
  PowercomDelayBeforeStartup: 0x00020056,
  PowercomDelayBeforeShutdown: 0x00020057,
  PowercomTest: 0x00020058,
  PowercomShutdownRequested: 0x00020068,
  PowercomInternalChargeController: 0x00020081,
  PowercomPrimaryBatterySupport: 0x00020082,
  PowercomDesignCapacity: 0x00020083,
  PowercomSpecificationInfo: 0x00020084,
  PowercomManufacturerDate: 0x00020085,
  PowercomSerialNumber: 0x00020086,
  PowercomManufacturerName: 0x00020087,
  POWERCOM1: 0x0084002f,
  POWERCOM2: 0xff860060,
  POWERCOM3: 0xff860080,
  PCMDelayBeforeStartup: 0x00ff0056,
  PCMDelayBeforeShutdown: 0x00ff0057,
};

// ------------------------------------------------------------ delays

/** The value as the 16-bit unsigned word the firmware means (C's conversion to uint16_t). */
function word(value: number): number | undefined {
  const v = toLong(value);
  return v === undefined ? undefined : ((v % 0x10000) + 0x10000) % 0x10000;
}

/** C's atoi: leading integer, else 0. */
function atoi(text: string): number {
  const m = /^\s*[-+]?\d+/.exec(text);
  return m ? Number(m[0]) : 0;
}

/**
 * Seconds for a delay command, in powercom-hid.c's order: the command's
 * parameter, else the option (ondelay / offdelay), else the published
 * ups.delay.* variable, else `fallback`.
 */
function delaySeconds(text: string | undefined, option: number | undefined, published: string | undefined, fallback: number): number {
  if (text !== undefined && text !== '') return atoi(text);
  if (option !== undefined && Number.isFinite(option)) return Math.trunc(option);
  if (published !== undefined && published !== '') return atoi(published);
  return fallback;
}

/** Seconds as the startup word: whole minutes, bytes swapped. */
function startupWord(seconds: number): number {
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 0 || minutes > 0xffffffff) return 0;
  const m = minutes & 0xffff;
  return ((m << 8) & 0xffff) + (m >> 8);
}

/**
 * ups.timer.start and load.on / load.on.delay: minutes, bytes swapped.
 * The timer reads in seconds; a command's seconds are cut to whole minutes.
 * Without a parameter: ondelay, else ups.delay.start, else 120 s.
 */
export const powercomStartup: ContextualLookup = {
  toNut: (value) => {
    const i = word(value);
    return i === undefined ? undefined : String(60 * (((i & 0xff) << 8) + (i >> 8)));
  },
  fromNut: (text) => startupWord(atoi(text)),
  fromNutInContext: (text, ctx: HidWriteContext) => startupWord(delaySeconds(text, ctx.options.onDelay, ctx.vars.get('ups.delay.start'), 120)),
};

/** Seconds as the shutdown word: minutes in the high byte, seconds in the low byte, plus `flag`. */
function shutdownWord(seconds: number, flag: number): number {
  if (seconds < 0 || seconds > 0xffff) return 0;
  const s = seconds === 0 ? 1 : seconds; // 0 would mean the longest delay
  return ((Math.trunc(s / 60) << 8) + (s % 60)) | flag;
}

/** Seconds for a shutdown command without a parameter: offdelay, else ups.delay.shutdown, else 60 s. */
const shutdownSeconds = (text: string | undefined, ctx: HidWriteContext): number =>
  delaySeconds(text, ctx.options.offDelay, ctx.vars.get('ups.delay.shutdown'), 60);

/** ups.timer.shutdown and shutdown.return: restart when power returns (0x40). */
export const powercomShutdown: ContextualLookup = {
  toNut: (value) => {
    const i = word(value);
    return i === undefined ? undefined : String(60 * (i >> 8) + (i & 0xff));
  },
  fromNut: (text) => shutdownWord(atoi(text), 0x0040),
  fromNutInContext: (text, ctx) => shutdownWord(shutdownSeconds(text, ctx), 0x0040),
};

/** shutdown.stayoff and load.off: stay off when power returns (0x80). Write only. */
export const powercomStayOff: ContextualLookup = {
  toNut: () => undefined,
  fromNut: (text) => shutdownWord(atoi(text), 0x0080),
  fromNutInContext: (text, ctx) => shutdownWord(shutdownSeconds(text, ctx), 0x0080),
};

/** A command with no default of its own: the lookup decides what an empty parameter means. */
const delayCommand = (nut: string, path: string, lookup: HidLookup): HidInfoEntry => ({ nut, kind: 'cmd', path, lookup });

// ------------------------------------------------------------ battery voltage

/** Report 0xa4, asked for with 8 bytes: the ID byte, then the voltage as text. */
export const POWERCOM_VOLTAGE_REPORT = { reportId: 0xa4, length: 8 } as const;

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/**
 * The voltage in report 0xa4's text (" 13.7 2" is 13.7): after the ID byte,
 * at most 7 characters up to the first NUL; the first run of digits and
 * dots, skipping what comes before it. Only a number with a dot counts.
 */
export function parsePowercomVoltage(bytes: Uint8Array): string | undefined {
  let text = '';
  for (let i = 1; i < Math.min(bytes.length, POWERCOM_VOLTAGE_REPORT.length); i++) {
    const b = bytes[i] as number;
    if (b === 0) break;
    text += String.fromCharCode(b);
  }
  let start = 0;
  while (start < text.length && !isDigit(text.charAt(start)) && text.charAt(start) !== '.') start++;
  let end = start;
  while (end < text.length && (isDigit(text.charAt(end)) || text.charAt(end) === '.')) end++;
  const number = text.slice(start, end);
  return number.length > 0 && number.includes('.') ? number : undefined;
}

const VOLTAGE_MEMO = 'powercom.voltage';

/**
 * battery.voltage from report 0xa4. A report that does not parse shows the
 * last good reading, "0.0" before there is one (as powercom-hid.c does).
 */
const powercomBatteryVoltage = rawReportLookup(POWERCOM_VOLTAGE_REPORT, (bytes, ctx?: HidLookupContext) => {
  const voltage = parsePowercomVoltage(bytes);
  if (voltage !== undefined) ctx?.memo.set(VOLTAGE_MEMO, voltage);
  return voltage ?? (ctx?.memo.get(VOLTAGE_MEMO) as string | undefined) ?? '0.0';
});

// ------------------------------------------------------------ other conversions

const powercomBeeper = enumLookup([
  [1, 'enabled'],
  [2, 'disabled'],
]);

/** Voltages of the page 0x0002 collection count in 4 V steps. */
const fourVolts = functionLookup((value) => (Number.isFinite(value) ? formatFixed(value * 4, 0) : undefined));

/** A status flag from the bits of a mask: set when `(value & mask) === match`. */
function maskedFlag(flag: StatusFlag, mask: number, match: number = mask): HidLookup {
  return functionLookup((value) => {
    const v = toLong(value);
    if (v === undefined) return undefined;
    return (v & mask) === match ? flag : `!${flag}`;
  });
}

// PowercomInternalChargeController: bit 0 UPS fault, 1 battery bad, 2 test running, 4 pre-shutdown count.
// PowercomPrimaryBatterySupport: bit 0 line failure, 1 low battery, 3 AVR active, 4 AVR boost (else buck), 5 overload.

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const PCM = 'PowercomUPS.PowercomPowerConverter';

function presentStatus(prefix: string): HidInfoEntry[] {
  return [
    status('online', `${prefix}.ACPresent`, onlineStatus),
    status('nobattery', `${prefix}.BatteryPresent`, noBatteryStatus),
    status('lowbatt', `${prefix}.BelowRemainingCapacityLimit`, lowBatteryStatus),
    status('charging', `${prefix}.Charging`, chargingStatus),
    status('commfault', `${prefix}.CommunicationLost`, commFaultStatus),
    status('discharging', `${prefix}.Discharging`, dischargingStatus),
    status('replacebatt', `${prefix}.NeedReplacement`, replaceBatteryStatus),
    status('overload', `${prefix}.Overload`, overloadStatus),
    status('timelimitexpired', `${prefix}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
    status('shutdownimm', `${prefix}.ShutdownImminent`, shutdownImminentStatus),
  ];
}

const TABLE: readonly HidInfoEntry[] = [
  // ups.status
  ...presentStatus(`${PS}.PresentStatus`),
  ...presentStatus('UPS.PresentStatus'),
  status('boost', 'UPS.PresentStatus.Boost', boostStatus),
  status('trim', 'UPS.PresentStatus.Buck', trimStatus),

  // Battery. PowerSummary.Voltage / ConfigVoltage repeat the output voltage on these units: not
  // mapped; the voltage is in report 0xa4, read when ACPresent (always there) is.
  variable('battery.voltage', `${PS}.PresentStatus.ACPresent`, powercomBatteryVoltage),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.charge', 'UPS.Battery.RemainingCapacity'),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.mfr.date', 'UPS.Battery.ManufacturerDate', hidDate, { static: true }),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),

  // UPS
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, powercomBeeper),
  variable('ups.beeper.status', 'UPS.AudibleAlarmControl', powercomBeeper),
  variable('ups.load', 'UPS.Output.PercentLoad'),
  variable('ups.date', `${PS}.ManufacturerDate`, hidDate, { static: true }),
  variable('ups.test.result', 'UPS.Battery.Test', testRead),
  { ...serverVar('ups.delay.start', `${PS}.DelayBeforeStartup`, 60), stringLength: 8 },
  variable('ups.timer.start', `${PS}.DelayBeforeStartup`, powercomStartup),
  { ...serverVar('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY), stringLength: 8 },
  variable('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, powercomShutdown, { quickPoll: true }),
  { ...serverVar('ups.delay.shutdown', `${PS}.PCMDelayBeforeShutdown`, DEFAULT_OFFDELAY), stringLength: 8 },
  variable('ups.timer.shutdown', `${PS}.PCMDelayBeforeShutdown`, powercomShutdown, { quickPoll: true }),

  // Input / output
  variable('input.voltage', 'UPS.Input.Voltage', '%.1f'),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage', '%.0f', { static: true }),
  variable('input.frequency', 'UPS.Input.Frequency', '%.1f'),
  variable('output.voltage', 'UPS.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', 'UPS.Output.ConfigVoltage', '%.0f', { static: true }),
  variable('output.frequency', 'UPS.Output.Frequency', '%.1f'),

  // Instant commands. The delay commands have no default: without a parameter
  // they take ondelay / offdelay, else the published ups.delay.* (see the lookups).
  command('beeper.toggle', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.enable', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.disable', `${PS}.AudibleAlarmControl`, 0),
  command('test.battery.start.quick', 'UPS.Battery.Test', 1),
  delayCommand('load.on.delay', `${PS}.DelayBeforeStartup`, powercomStartup),
  delayCommand('shutdown.return', `${PS}.DelayBeforeShutdown`, powercomShutdown),
  delayCommand('shutdown.stayoff', `${PS}.DelayBeforeShutdown`, powercomStayOff),
  command('load.on', `${PS}.PCMDelayBeforeStartup`, 0, powercomStartup),
  command('load.off', `${PS}.PCMDelayBeforeShutdown`, 0, powercomStayOff),
  delayCommand('shutdown.return', `${PS}.PCMDelayBeforeShutdown`, powercomShutdown),
  delayCommand('shutdown.stayoff', `${PS}.PCMDelayBeforeShutdown`, powercomStayOff),

  // Older firmwares: the page 0x0002 collection
  variable('ups.serial', 'PowercomUPS.PowercomSerialNumber', stringIndex),
  variable('ups.mfr', 'PowercomUPS.PowercomManufacturerName', stringIndex),
  variable('ups.mfr.date', 'PowercomUPS.PowercomManufacturerDate', hidDate),
  variable('battery.temperature', 'PowercomUPS.PowercomBatterySystem.PowercomTemperature'),
  variable('battery.temperature', 'UPS.Battery.Temperature', '%.1f'),
  // NUT's mapping: this "voltage" of the battery system is its charge.
  variable('battery.charge', 'PowercomUPS.PowercomBatterySystem.PowercomVoltage'),
  variable('input.frequency', `${PCM}.PowercomInput.PowercomFrequency`),
  variable('input.voltage', `${PCM}.PowercomInput.PowercomVoltage`, fourVolts),
  variable('output.voltage', `${PCM}.PowercomOutput.PowercomVoltage`, fourVolts),
  variable('ups.load', `${PCM}.PowercomOutput.PowercomPercentLoad`),
  quickStatus('fanfail', `${PCM}.PowercomOutput.PowercomInternalChargeController`, maskedFlag('fanfail', 0x0001)),
  quickStatus('replacebatt', `${PCM}.PowercomOutput.PowercomInternalChargeController`, maskedFlag('replacebatt', 0x0002)),
  quickStatus('cal', `${PCM}.PowercomOutput.PowercomInternalChargeController`, maskedFlag('cal', 0x0004)),
  quickStatus('shutdownimm', `${PCM}.PowercomOutput.PowercomInternalChargeController`, maskedFlag('shutdownimm', 0x0010)),
  quickStatus('online', `${PCM}.PowercomOutput.PowercomPrimaryBatterySupport`, maskedFlag('online', 0x0001, 0)),
  quickStatus('lowbatt', `${PCM}.PowercomOutput.PowercomPrimaryBatterySupport`, maskedFlag('lowbatt', 0x0002)),
  quickStatus('trim', `${PCM}.PowercomOutput.PowercomPrimaryBatterySupport`, maskedFlag('trim', 0x0018, 0x0008)),
  quickStatus('boost', `${PCM}.PowercomOutput.PowercomPrimaryBatterySupport`, maskedFlag('boost', 0x0018, 0x0018)),
  quickStatus('overload', `${PCM}.PowercomOutput.PowercomPrimaryBatterySupport`, maskedFlag('overload', 0x0020)),
  variable('output.frequency', `${PCM}.PowercomOutput.PowercomFrequency`),
  variable('ups.test.result', `${PCM}.PowercomTest`, testRead),
  variable('ups.delay.shutdown', `${PCM}.PowercomDelayBeforeShutdown`),
  variable('ups.delay.start', `${PCM}.PowercomDelayBeforeStartup`),
  command('load.off', `${PCM}.PowercomDelayBeforeShutdown`, 0),
];

export const powercomSubdriver: Subdriver = {
  name: 'PowerCOM HID (upsagent)',
  matches: claims(POWERCOM_DEVICES),
  table: TABLE,
  usageNames: POWERCOM_USAGES,
  formatStrings: defaultMfr('PowerCOM'),
};
