/**
 * Belkin (USB vendor 050d) and the Liebert / Vertiv units (10af: PowerSure
 * PSA, PSI, PSP, GXT3/GXT4, PSI5) whose firmware comes from the same
 * source. Facts from NUT's belkin-hid.c ("Belkin/Liebert HID"):
 *
 * - Belkin put its data on page 0x86, which the HID specification reserves
 *   for the Power Device class; NUT names those usages BELKIN*. Voltages and
 *   frequencies there are in tenths, status are bit masks.
 * - Liebert units use the standard paths, but some report descriptors give
 *   voltages a 10^-7 exponent: the first reading near 1e-7 fixes a
 *   multiplier (1e7, or 1e8 for ConfigVoltage) kept for later readings.
 *   Their status bits are read as "any non-zero value", for the same reason.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import { formatFixed } from '../format';
import { beeperStatus, divideBy10, enumLookup, functionLookup, hidDate, stringIndex, toLong } from '../lookups';
import type { StatusFlag } from '../status';
import { command, delayCommands, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';
import { claims } from '../devices';

export const BELKIN_VENDOR_ID = 0x050d;
export const LIEBERT_VENDOR_ID = 0x10af;

/** The USB IDs belkin-hid.c claims. 050d:0218 (a USB hub) is not a UPS. */
export const BELKIN_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [BELKIN_VENDOR_ID, 0x0980], // F6C800-UNV
  [BELKIN_VENDOR_ID, 0x0900], // F6C900-UNV
  [BELKIN_VENDOR_ID, 0x0910], // F6C100-UNV
  [BELKIN_VENDOR_ID, 0x0912], // F6C120-UNV
  [BELKIN_VENDOR_ID, 0x0551], // F6C550-AVR
  [BELKIN_VENDOR_ID, 0x0750], // F6C1250-TW-RK
  [BELKIN_VENDOR_ID, 0x0751], // F6C1500-TW-RK
  [BELKIN_VENDOR_ID, 0x0375], // F6H375-USB
  [BELKIN_VENDOR_ID, 0x0f51], // Regulator PRO-USB
  [BELKIN_VENDOR_ID, 0x1100], // F6C1100-UNV, F6C1200-UNV
  [LIEBERT_VENDOR_ID, 0x0001], // PowerSure PSA
  [LIEBERT_VENDOR_ID, 0x0004], // GXT4, PowerSure PSI 1440
  [LIEBERT_VENDOR_ID, 0x0008], // GXT3
  // Claimed by later belkin-hid.c versions (nut-ddl dumps with "Belkin/Liebert HID 0.18" / "0.21")
  [LIEBERT_VENDOR_ID, 0x0000], // GXT4-1500RT120
  [LIEBERT_VENDOR_ID, 0x0002], // PSI5
];

/** Belkin's usages on page 0x86, as NUT names them. */
export const BELKIN_USAGES: Readonly<Record<string, number>> = {
  BELKINConfig: 0x00860026,
  BELKINConfigVoltage: 0x00860040, // V
  BELKINConfigFrequency: 0x00860042, // Hz
  BELKINConfigApparentPower: 0x00860043, // VA
  BELKINConfigBatteryVoltage: 0x00860044, // V
  BELKINConfigOverloadTransfer: 0x00860045, // %
  BELKINLowVoltageTransfer: 0x00860053, // V, writable
  BELKINHighVoltageTransfer: 0x00860054, // V, writable
  BELKINLowVoltageTransferMax: 0x0086005b,
  BELKINLowVoltageTransferMin: 0x0086005c,
  BELKINHighVoltageTransferMax: 0x0086005d,
  BELKINHighVoltageTransferMin: 0x0086005e,
  BELKINControls: 0x00860027,
  BELKINLoadOn: 0x00860050, // write 1 to act; reads 0 none, 1 started, 2 in progress, 3 complete
  BELKINLoadOff: 0x00860051,
  BELKINLoadToggle: 0x00860052,
  BELKINDelayBeforeReboot: 0x00860055, // writing 0 starts a shutdown with the default delay
  BELKINDelayBeforeStartup: 0x00860056, // minutes
  BELKINDelayBeforeShutdown: 0x00860057, // seconds
  BELKINTest: 0x00860058, // write 0 none, 1 quick, 2 deep, 3 abort; reads as belkinTestResult
  BELKINAudibleAlarmControl: 0x0086005a, // 1 disabled, 2 enabled, 3 muted
  BELKINDevice: 0x00860029,
  BELKINVoltageSensitivity: 0x00860074, // 0 normal, 1 reduced, 2 low
  BELKINModelString: 0x00860075,
  BELKINModelStringOffset: 0x00860076,
  BELKINUPSType: 0x0086007c, // high nibble firmware version, low nibble type
  BELKINPowerState: 0x0086002a,
  BELKINInput: 0x0086001a,
  BELKINOutput: 0x0086001c,
  BELKINBatterySystem: 0x00860010,
  BELKINVoltage: 0x00860030, // 0.1 V
  BELKINFrequency: 0x00860032, // 0.1 Hz
  BELKINPower: 0x00860034, // W
  BELKINPercentLoad: 0x00860035, // %
  BELKINTemperature: 0x00860036, // Celsius
  BELKINCharge: 0x00860039, // %
  BELKINRunTimeToEmpty: 0x0086006c, // minutes
  BELKINStatus: 0x00860028,
  BELKINBatteryStatus: 0x00860022,
  BELKINPowerStatus: 0x00860021,
};

// ------------------------------------------------------------ Belkin conversions

/** High nibble of BELKINUPSType. */
const belkinFirmware = functionLookup((value) => {
  const v = toLong(value);
  return v === undefined ? undefined : String(v >> 4);
});

/** Low nibble of BELKINUPSType. */
const belkinUpsType = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  return ['online', 'offline', 'line-interactive', 'simple online', 'simple offline', 'simple line-interactive'][v & 0x0f] ?? 'online';
});

/** BELKINVoltageSensitivity: 1 reduced, 2 low, anything else normal. */
const belkinSensitivity: HidLookup = {
  toNut: (value) => {
    const v = toLong(value);
    if (v === undefined) return undefined;
    return v === 1 ? 'reduced' : v === 2 ? 'low' : 'normal';
  },
  fromNut: (text) => ({ normal: 0, reduced: 1, low: 2 })[text],
};

/** BELKINTest reads 0 as "no test" (the standard table has 6 for that). */
const belkinTestResult = enumLookup([
  [0, 'No test initiated'],
  [1, 'Done and passed'],
  [2, 'Done and warning'],
  [3, 'Done and error'],
  [4, 'Aborted'],
  [5, 'In progress'],
]);

/** A status flag from one bit of a bit mask (`inverted`: the bit set means the flag is clear). */
function maskBit(flag: StatusFlag, mask: number, inverted = false): HidLookup {
  return functionLookup((value) => {
    const v = toLong(value);
    if (v === undefined) return undefined;
    return ((v & mask) !== 0) !== inverted ? flag : `!${flag}`;
  });
}

// BELKINPowerStatus: bit 0 AC failure, 4 overload, 5 load off, 6 overheat, 7 UPS fault, 13 awaiting power, 15 alarm.
// BELKINBatteryStatus: bit 2 low battery, 4 charging, 5 discharging, 6 battery empty, 7 replace battery.

// ------------------------------------------------------------ Liebert conversions

/** A status bit that is set for any non-zero value (scaled readings are not exactly 1). */
function nonZeroBit(flag: StatusFlag): HidLookup {
  return functionLookup((value) => (Number.isFinite(value) ? (value !== 0 ? flag : `!${flag}`) : undefined));
}

/** True for a reading of about 1e-7 (a 10^-7 exponent on a value of 1). */
const isTenToMinusSeven = (value: number): boolean => Math.abs(value - 1e-7) < 1e-9;

function multiplier(ctx: HidLookupContext | undefined, key: string): number {
  return (ctx?.memo.get(key) as number | undefined) ?? 1;
}

/** Input, output and battery voltages of Liebert units with the 10^-7 exponent. */
const liebertLineVoltage = functionLookup((value, ctx) => {
  if (!Number.isFinite(value)) return undefined;
  if (value < 1 && isTenToMinusSeven(value)) ctx?.memo.set('liebert.line', 1e7);
  return formatFixed(value * multiplier(ctx, 'liebert.line'), 1);
});

/** Their nominal battery voltage is off by one more decade; its reading also fixes the line multiplier. */
const liebertConfigVoltage = functionLookup((value, ctx) => {
  if (!Number.isFinite(value)) return undefined;
  if (value < 1 && isTenToMinusSeven(value)) {
    ctx?.memo.set('liebert.config', 1e8);
    ctx?.memo.set('liebert.line', 1e7);
  }
  return formatFixed(value * multiplier(ctx, 'liebert.config'), 1);
});

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const CONFIG = 'UPS.BELKINConfig';
const CONTROLS = 'UPS.BELKINControls';
const STATE = 'UPS.BELKINPowerState';

const TABLE: readonly HidInfoEntry[] = [
  // Belkin page 0x86
  variable('battery.charge', 'UPS.BELKINBatterySystem.BELKINCharge'),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex),
  variable('battery.voltage', 'UPS.BELKINBatterySystem.BELKINVoltage', divideBy10),
  variable('battery.voltage.nominal', `${CONFIG}.BELKINConfigBatteryVoltage`),
  variable('input.frequency', `${STATE}.BELKINInput.BELKINFrequency`, divideBy10),
  variable('input.frequency.nominal', `${CONFIG}.BELKINConfigFrequency`),
  writable('input.sensitivity', 'UPS.BELKINDevice.BELKINVoltageSensitivity', belkinSensitivity),
  writable('input.transfer.high', `${CONFIG}.BELKINHighVoltageTransfer`),
  variable('input.transfer.high.max', `${CONFIG}.BELKINHighVoltageTransferMax`),
  variable('input.transfer.high.min', `${CONFIG}.BELKINHighVoltageTransferMin`),
  writable('input.transfer.low', `${CONFIG}.BELKINLowVoltageTransfer`),
  variable('input.transfer.low.max', `${CONFIG}.BELKINLowVoltageTransferMax`),
  variable('input.transfer.low.min', `${CONFIG}.BELKINLowVoltageTransferMin`),
  variable('input.voltage', `${STATE}.BELKINInput.BELKINVoltage`, divideBy10),
  variable('input.voltage.nominal', `${CONFIG}.BELKINConfigVoltage`),
  variable('output.frequency', `${STATE}.BELKINOutput.BELKINFrequency`, divideBy10),
  variable('output.voltage', `${STATE}.BELKINOutput.BELKINVoltage`, divideBy10),
  variable('ups.beeper.status', `${CONTROLS}.BELKINAudibleAlarmControl`, beeperStatus),
  serverVar('ups.delay.start', `${CONTROLS}.BELKINDelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', `${CONTROLS}.BELKINDelayBeforeShutdown`, DEFAULT_OFFDELAY),
  timer('ups.timer.start', `${CONTROLS}.BELKINDelayBeforeStartup`),
  timer('ups.timer.shutdown', `${CONTROLS}.BELKINDelayBeforeShutdown`),
  timer('ups.timer.reboot', `${CONTROLS}.BELKINDelayBeforeReboot`),
  variable('ups.firmware', 'UPS.BELKINDevice.BELKINUPSType', belkinFirmware),
  variable('ups.load', `${STATE}.BELKINOutput.BELKINPercentLoad`),
  variable('ups.load.high', `${CONFIG}.BELKINConfigOverloadTransfer`),
  variable('ups.mfr.date', `${PS}.ManufacturerDate`, hidDate),
  variable('ups.power.nominal', `${CONFIG}.BELKINConfigApparentPower`),
  variable('ups.serial', `${PS}.iSerialNumber`, stringIndex),
  variable('ups.test.result', `${CONTROLS}.BELKINTest`, belkinTestResult),
  variable('ups.type', 'UPS.BELKINDevice.BELKINUPSType', belkinUpsType),

  // Liebert PSA and others on standard paths
  variable('battery.charge', `${PS}.RemainingCapacity`, '%.0f', { quickPoll: true }),
  variable('input.frequency', 'UPS.Input.Frequency', divideBy10),
  variable('input.voltage', 'UPS.Input.Voltage', liebertLineVoltage),
  variable('output.voltage', 'UPS.Output.Voltage', liebertLineVoltage),
  // The battery voltage takes the line multiplier; the nominal one its own.
  variable('battery.voltage', `${PS}.Voltage`, liebertLineVoltage),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, liebertConfigVoltage, { static: true }),
  variable('ups.load', 'UPS.Output.PercentLoad'),

  // ups.status: Liebert bits, directly under PowerSummary or under PresentStatus
  quickStatus('discharging', `${PS}.Discharging`, nonZeroBit('discharging')),
  quickStatus('charging', `${PS}.Charging`, nonZeroBit('charging')),
  status('shutdownimm', `${PS}.ShutdownImminent`, nonZeroBit('shutdownimm')),
  quickStatus('online', `${PS}.ACPresent`, nonZeroBit('online')),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, nonZeroBit('discharging')),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, nonZeroBit('charging')),
  status('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, nonZeroBit('shutdownimm')),
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, nonZeroBit('online')),
  quickStatus('replacebatt', `${PS}.PresentStatus.NeedReplacement`, nonZeroBit('replacebatt')),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, nonZeroBit('lowbatt')),
  // ...and Belkin's bit masks
  status('overload', 'UPS.BELKINStatus.BELKINPowerStatus', maskBit('overload', 0x0010)),
  status('overheat', 'UPS.BELKINStatus.BELKINPowerStatus', maskBit('overheat', 0x0040)),
  status('commfault', 'UPS.BELKINStatus.BELKINPowerStatus', maskBit('commfault', 0x0080)),
  status('awaitingpower', 'UPS.BELKINStatus.BELKINPowerStatus', maskBit('awaitingpower', 0x2000)),
  quickStatus('online', 'UPS.BELKINStatus.BELKINPowerStatus', maskBit('online', 0x0001, true)),
  quickStatus('depleted', 'UPS.BELKINStatus.BELKINBatteryStatus', maskBit('depleted', 0x0040)),
  status('replacebatt', 'UPS.BELKINStatus.BELKINBatteryStatus', maskBit('replacebatt', 0x0080)),
  quickStatus('lowbatt', 'UPS.BELKINStatus.BELKINBatteryStatus', maskBit('lowbatt', 0x0004)),

  // Instant commands
  command('test.battery.start.quick', `${CONTROLS}.BELKINTest`, 1),
  command('test.battery.start.deep', `${CONTROLS}.BELKINTest`, 2),
  command('test.battery.stop', `${CONTROLS}.BELKINTest`, 3),
  command('beeper.on', `${CONTROLS}.BELKINAudibleAlarmControl`, 2),
  command('beeper.off', `${CONTROLS}.BELKINAudibleAlarmControl`, 3),
  command('beeper.disable', `${CONTROLS}.BELKINAudibleAlarmControl`, 1),
  command('beeper.enable', `${CONTROLS}.BELKINAudibleAlarmControl`, 2),
  command('beeper.mute', `${CONTROLS}.BELKINAudibleAlarmControl`, 3),
  command('load.off', `${CONTROLS}.BELKINDelayBeforeShutdown`, 1),
  command('load.on', `${CONTROLS}.BELKINDelayBeforeStartup`, 1),
  ...delayCommands(`${CONTROLS}.BELKIN`),
];

export const belkinSubdriver: Subdriver = {
  name: 'Belkin/Liebert HID (upsagent)',
  matches: claims(BELKIN_DEVICES),
  table: TABLE,
  usageNames: BELKIN_USAGES,
  formatStrings(_info, strings) {
    // Belkin pads the manufacturer with leading spaces; an empty one is Belkin.
    const mfr = (strings.mfr ?? '').replace(/^ +/, '');
    return {
      mfr: mfr === '' ? 'Belkin' : mfr,
      model: strings.model !== undefined && strings.model !== '' ? strings.model : 'unknown',
      // Without a USB serial, ups.serial comes from UPS.PowerSummary.iSerialNumber (a table row).
      serial: strings.serial,
    };
  },
};
