/**
 * CyberPower Systems (USB vendor 0764) and Cyber Energy (ST Micro vendor
 * 0483, product a430). Facts from NUT's cps-hid.c, including its quirks:
 * wrong voltage Logical Min/Max in some report descriptors, battery voltage
 * reported 1.5x too high and frequencies 10x too high on some 0501 models,
 * battery charge above 100 %.
 */
import type { HidDeviceInfo, HidField, HidInfoEntry, HidLookupContext, HidReportDescriptor, Subdriver } from '../../types';
import { formatFixed } from '../format';
import {
  beeperStatus,
  boostStatus,
  chargingStatus,
  dischargingStatus,
  enumLookup,
  functionLookup,
  fullyChargedStatus,
  hidDate,
  kelvinToCelsius,
  lowBatteryStatus,
  onlineStatus,
  overloadStatus,
  stringIndex,
  testRead,
  timeLimitExpiredStatus,
} from '../lookups';
import { command, delayCommands, quickStatus, serverVar, status, timer, variable, writable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const CPS_VENDOR_ID = 0x0764;
export const STMICRO_VENDOR_ID = 0x0483;

/**
 * CyberPower's default delays, seconds (NUT: DEFAULT_ONDELAY_CPS /
 * DEFAULT_OFFDELAY_CPS in usbhid-ups.h, used by cps-hid.c for both the
 * ups.delay.* defaults and the load.*.delay commands). Longer than the
 * usual 30 / 20 because the firmware counts whole minutes, rounding down.
 */
export const CPS_DEFAULT_ONDELAY = 120;
export const CPS_DEFAULT_OFFDELAY = 60;

/**
 * What usbhid-ups warns about when ondelay / offdelay are set for a
 * CyberPower unit: delays that are not whole minutes (or under one minute)
 * are rounded down by the firmware. An offdelay of 0 or less is not warned
 * about: the firmware gives those their own meaning.
 */
export function cpsDelayWarnings(onDelay: number | undefined, offDelay: number | undefined): string[] {
  const out: string[] = [];
  const on = onDelay === undefined ? undefined : Math.trunc(onDelay);
  const off = offDelay === undefined ? undefined : Math.trunc(offDelay);
  if (on !== undefined && (on < 60 || on % 60 !== 0)) {
    out.push(`ondelay=${on}: CyberPower units round delays down to whole minutes (120 is the suggested minimum)`);
  }
  if (off !== undefined && off > 0 && (off < 60 || off % 60 !== 0)) {
    out.push(`offdelay=${off}: CyberPower units round delays down to whole minutes (60 is the suggested minimum)`);
  }
  return out;
}

/** Models whose battery voltage and frequencies may need scaling (CP1200AVR, CP1000PFCLCD, CP1500C...). */
const SCALED_PRODUCT = 0x0501;

const CPS_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [CPS_VENDOR_ID, 0x0005], // 900AVR/BC900D
  [CPS_VENDOR_ID, 0x0501], // CP1200AVR/BC1200D, CP825AVR-G, CP1000AVRLCD, CP1000PFCLCD, CP1500C, CP550HG...
  [CPS_VENDOR_ID, 0x0601], // OR2200LCDRM2U, OR700LCDRM1U, PR6000LCDRTXL5U, CP1350EPFCLCD
  [STMICRO_VENDOR_ID, 0xa430], // Cyber Energy branded
];

const CPS_USAGES: Readonly<Record<string, number>> = {
  CPSFirmwareVersion: 0xff0100d0,
  CPSInputSensitivity: 0xff010043,
};

/** Value the fixup gives both voltages' Logical Min/Max (511 leaves a margin over any mains voltage). */
const VOLTAGE_LOGMIN = 0;
const VOLTAGE_LOGMAX = 511;

const HIGH_VOLTAGE_TRANSFER = 0x840053;
const VOLTAGE = 0x840030;

const needsScaling = (ctx?: HidLookupContext): boolean =>
  ctx?.info.vendorId === CPS_VENDOR_ID && ctx.info.productId === SCALED_PRODUCT;

/** A published number, as C's strtod reads it (0 when absent or not a number). */
function num(text: string | undefined): number {
  const v = text === undefined ? NaN : parseFloat(text);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Battery voltage. On 0501 models it may read 1.5x the truth: when it is
 * more than 1.4x battery.voltage.nominal the first time both are known,
 * every later reading is scaled by 2/3.
 */
const cpsBatteryVoltage = functionLookup((value, ctx) => {
  if (!Number.isFinite(value)) return undefined;
  let scale = 1;
  if (ctx && needsScaling(ctx)) {
    let decided = ctx.memo.get('battery.scale') as number | undefined;
    if (decided === undefined) {
      const nominal = num(ctx.vars.get('battery.voltage.nominal'));
      if (ctx.vars.has('battery.voltage.nominal') && nominal !== 0) {
        decided = value / nominal > 1.4 ? 2 / 3 : 1;
        ctx.memo.set('battery.scale', decided);
      }
    }
    scale = decided ?? 1;
  }
  return formatFixed(scale * value, 1);
});

/** Which nominal frequency a reading belongs to, from the published limits or the reading itself. */
function guessNominal(reading: number, low: number, high: number): number {
  if (45 < low && low <= 50) return 50;
  if (50 <= high && high <= 55) return 50;
  if (45 < reading && reading <= 55) return 50;
  if (450 < reading && reading <= 550) return 50;
  if (55 < low && low <= 60) return 60;
  if (60 <= high && high <= 65) return 60;
  if (55 < reading && reading <= 65) return 60;
  if (550 < reading && reading <= 650) return 60;
  return 0;
}

/**
 * Input/output frequency. Some 0501 firmwares report 0.1 Hz units without
 * saying so (499.0 for 49.9 Hz): once a reading fits the expected range
 * as is (scale 1) or divided by ten (scale 0.1), that scale is kept.
 */
function cpsFrequency(prefix: 'input' | 'output') {
  return functionLookup((value, ctx) => {
    if (!Number.isFinite(value)) return undefined;
    let scale = 1;
    if (ctx && needsScaling(ctx)) {
      const key = `${prefix}.frequency.scale`;
      let decided = ctx.memo.get(key) as number | undefined;
      if (decided === undefined) {
        let nominal = num(ctx.vars.get(`${prefix}.frequency.nominal`));
        let low = num(ctx.vars.get(`${prefix}.frequency.low`));
        let high = num(ctx.vars.get(`${prefix}.frequency.high`));
        if (nominal === 0) nominal = guessNominal(value, low, high);
        if (low === 0) low = nominal === 0 ? 45 : nominal * 0.95;
        if (high === 0) high = nominal === 0 ? 65 : nominal * 1.05;
        if (low <= value && value <= high) decided = 1;
        else if (low <= value / 10 && value / 10 <= high) decided = 0.1;
        if (decided !== undefined) ctx.memo.set(key, decided);
      }
      scale = decided ?? 1;
    }
    return formatFixed(scale * value, 1);
  });
}

/** Battery charge, clamped to 100 % (some models report more). */
const cpsBatteryCharge = functionLookup((value) => (Number.isFinite(value) ? formatFixed(Math.min(value, 100), 0) : undefined));

/** battery.status from FullChargeCapacity, in percent of design capacity. */
const cpsBatteryStatus = functionLookup((value) => (Number.isFinite(value) ? `${formatFixed(value, 0)}%` : undefined));

const cpsSensitivity = enumLookup(
  [
    [0, 'low'],
    [1, 'normal'],
    [2, 'high'],
  ],
  { enumerate: true },
);

const TABLE: readonly HidInfoEntry[] = [
  // Battery
  variable('battery.type', 'UPS.PowerSummary.iDeviceChemistry', stringIndex),
  writable('battery.mfr.date', 'UPS.Battery.ManufacturerDate', hidDate),
  variable('battery.mfr.date', 'UPS.PowerSummary.iOEMInformation', stringIndex),
  variable('battery.charge.warning', 'UPS.PowerSummary.WarningCapacityLimit'),
  writable('battery.charge.low', 'UPS.PowerSummary.RemainingCapacityLimit'),
  variable('battery.charge', 'UPS.PowerSummary.RemainingCapacity', cpsBatteryCharge),
  variable('battery.runtime', 'UPS.PowerSummary.RunTimeToEmpty'),
  writable('battery.runtime.low', 'UPS.PowerSummary.RemainingTimeLimit'),
  variable('battery.voltage.nominal', 'UPS.PowerSummary.ConfigVoltage'),
  variable('battery.voltage', 'UPS.PowerSummary.Voltage', cpsBatteryVoltage),
  variable('battery.status', 'UPS.PowerSummary.FullChargeCapacity', cpsBatteryStatus),

  // UPS
  variable('ups.load', 'UPS.Output.PercentLoad'),
  variable('ups.beeper.status', 'UPS.PowerSummary.AudibleAlarmControl', beeperStatus),
  variable('ups.test.result', 'UPS.Output.Test', testRead),
  variable('ups.power', 'UPS.Output.ApparentPower'),
  variable('ups.power.nominal', 'UPS.Output.ConfigApparentPower'),
  variable('ups.realpower', 'UPS.Output.ActivePower'),
  variable('ups.realpower.nominal', 'UPS.Output.ConfigActivePower'),
  serverVar('ups.delay.start', 'UPS.Output.DelayBeforeStartup', CPS_DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.Output.DelayBeforeShutdown', CPS_DEFAULT_OFFDELAY),
  timer('ups.timer.start', 'UPS.Output.DelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.Output.DelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.Output.DelayBeforeReboot'),
  variable('ups.firmware', 'UPS.PowerSummary.CPSFirmwareVersion', stringIndex, { static: true }),
  variable('ups.temperature', 'UPS.PowerSummary.Temperature', kelvinToCelsius),

  // ups.status
  quickStatus('online', 'UPS.PowerSummary.PresentStatus.ACPresent', onlineStatus),
  quickStatus('charging', 'UPS.PowerSummary.PresentStatus.Charging', chargingStatus),
  quickStatus('discharging', 'UPS.PowerSummary.PresentStatus.Discharging', dischargingStatus),
  quickStatus('lowbatt', 'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit', lowBatteryStatus),
  status('fullycharged', 'UPS.PowerSummary.PresentStatus.FullyCharged', fullyChargedStatus),
  status('timelimitexpired', 'UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired', timeLimitExpiredStatus),
  status('boost', 'UPS.Output.Boost', boostStatus),
  status('overload', 'UPS.Output.Overload', overloadStatus),

  // Input
  variable('input.frequency', 'UPS.Input.Frequency', cpsFrequency('input')),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage'),
  variable('input.voltage', 'UPS.Input.Voltage', '%.1f'),
  writable('input.transfer.low', 'UPS.Input.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Input.HighVoltageTransfer'),
  // CP1350EPFCLCD puts them under Output
  writable('input.transfer.low', 'UPS.Output.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Output.HighVoltageTransfer'),
  writable('input.sensitivity', 'UPS.Output.CPSInputSensitivity', cpsSensitivity, { stringLength: 0 }),

  // Output
  variable('output.frequency', 'UPS.Output.Frequency', cpsFrequency('output')),
  variable('output.voltage', 'UPS.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', 'UPS.Output.ConfigVoltage'),

  // Instant commands
  command('test.battery.start.quick', 'UPS.Output.Test', 1),
  command('test.battery.start.deep', 'UPS.Output.Test', 2),
  command('test.battery.stop', 'UPS.Output.Test', 3),
  ...delayCommands('UPS.Output.', { off: CPS_DEFAULT_OFFDELAY, on: CPS_DEFAULT_ONDELAY }),
  command('beeper.on', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.off', 'UPS.PowerSummary.AudibleAlarmControl', 3),
  command('beeper.enable', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.disable', 'UPS.PowerSummary.AudibleAlarmControl', 1),
  command('beeper.mute', 'UPS.PowerSummary.AudibleAlarmControl', 3),
];

/** First field in a report whose own usage is `usage` (NUT: FindObject_with_ID_Node), any kind. */
function findInReport(descriptor: HidReportDescriptor, reportId: number, usage: number): HidField | undefined {
  return descriptor.fields.find((f) => f.reportId === reportId && f.usages[f.usages.length - 1] === usage);
}

/**
 * Repairs two CyberPower report descriptor bugs (0764:0501 and 0764:0601):
 *
 * 1. CP900EPFCLCD / CP1500PFCLCDa give the output voltage (report 0x12) the
 *    Logical Min/Max of the high transfer voltage (report 0x10); the input
 *    voltage (0x0f) of EU models likewise. Both get 0..511.
 * 2. Others encode a Logical Maximum that reads negative, so the parser took
 *    it as unsigned (e.g. 255 for the output and 65535 for the input). Such
 *    maximums are raised to 511, then aligned to each other, then cut to
 *    what the field's bits can hold.
 *
 * Returns true when something changed.
 */
export function cpsFixDescriptor(descriptor: HidReportDescriptor, info: HidDeviceInfo): boolean {
  if (info.vendorId !== CPS_VENDOR_ID || (info.productId !== 0x0501 && info.productId !== 0x0601)) return false;
  let fixed = false;

  const hvt = findInReport(descriptor, 0x10, HIGH_VOLTAGE_TRANSFER);
  const output = findInReport(descriptor, 0x12, VOLTAGE);
  const input = findInReport(descriptor, 0x0f, VOLTAGE);

  if (hvt && output && hvt.logicalMin === output.logicalMin && hvt.logicalMax === output.logicalMax) {
    const [hvtMin, hvtMax] = [hvt.logicalMin, hvt.logicalMax];
    output.logicalMin = VOLTAGE_LOGMIN;
    output.logicalMax = VOLTAGE_LOGMAX;
    if (input && input.logicalMin === hvtMin && input.logicalMax === hvtMax) {
      input.logicalMin = VOLTAGE_LOGMIN;
      input.logicalMax = VOLTAGE_LOGMAX;
    }
    fixed = true;
  }

  if (output && input && (output.assumedLogicalMax || input.assumedLogicalMax)) {
    const outAssumed = output.assumedLogicalMax === true;
    const inAssumed = input.assumedLogicalMax === true;
    let outMax = output.logicalMax;
    let inMax = input.logicalMax;
    if (outAssumed && outMax < VOLTAGE_LOGMAX) outMax = VOLTAGE_LOGMAX;
    if (inAssumed && inMax < VOLTAGE_LOGMAX) inMax = VOLTAGE_LOGMAX;
    if (outAssumed && outMax < inMax) outMax = inMax;
    else if (inAssumed && inMax < outMax) inMax = outMax;
    const sizeMax = (bits: number): number => 2 ** bits - 1;
    if (inAssumed && input.size > 1 && input.size <= 64) inMax = Math.min(inMax, sizeMax(input.size));
    if (outAssumed && output.size > 1 && output.size <= 64) outMax = Math.min(outMax, sizeMax(output.size));
    if (inMax !== input.logicalMax) {
      input.logicalMax = inMax;
      fixed = true;
    }
    if (outMax !== output.logicalMax) {
      output.logicalMax = outMax;
      fixed = true;
    }
  }
  return fixed;
}

export const cpsSubdriver: Subdriver = {
  name: 'CyberPower HID 0.83',
  matches: claims(CPS_DEVICES),
  table: TABLE,
  usageNames: CPS_USAGES,
  fixDescriptor: (descriptor, info) => {
    cpsFixDescriptor(descriptor, info);
  },
  formatStrings: defaultMfr('CPS'),
};
