/**
 * Delta Electronics UPSes (USB vendor 05dd): RT Series and Amplon R Series,
 * single phase, 1-3 kVA. Facts from NUT's delta_ups-hid.c (Delta UPS HID
 * 0.x):
 *
 * - Delta's own settings and identity live in a vendor collection on page
 *   0xffff ("DeltaCustom", a vendor-defined collection type, hence the
 *   `[1]` index in its paths): input sensitivity, UPS type, restart on
 *   power return and the model name.
 * - ups.model is the string whose index DeltaModelName holds (trailing
 *   blanks kept, as NUT reads strings), the USB product string when that
 *   is missing or empty.
 * - ups.delay.start is a real setting of the device (the restart delay
 *   after power returns), not a server-side default.
 * - The transfer limits' allowed ranges come from four vendor usages next
 *   to them (DeltaConfigTransferLow/HighMin/Max).
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, Subdriver } from '../../types';
import {
  awaitingPowerStatus,
  beeperStatus,
  boostStatus,
  chargingStatus,
  commFaultStatus,
  depletedStatus,
  dischargingStatus,
  enumLookup,
  fullyChargedStatus,
  functionLookup,
  kelvinToCelsius,
  lowBatteryStatus,
  noBatteryStatus,
  offStatus,
  onlineStatus,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  stringIndexConverted,
  testRead,
  toLong,
  trimStatus,
  voltageRangeStatus,
  yesNo,
} from '../lookups';
import { command, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, timer, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const DELTA_VENDOR_ID = 0x05dd;

/** The USB IDs delta_ups-hid.c claims. */
export const DELTA_UPS_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [DELTA_VENDOR_ID, 0x041b], // RT Series / Amplon R Series, single phase, 1/2/3 kVA
];

/**
 * Delta's usages. The DELTAn names are NUT's placeholders for usages whose
 * meaning is unknown; they only name paths.
 */
export const DELTA_USAGES: Readonly<Record<string, number>> = {
  DELTA1: 0x00000000,
  DELTA2: 0xff000055,
  DeltaCustom: 0xffff0010,
  DELTA4: 0xffff0056,
  DeltaConfigTransferLowMax: 0xffff0057,
  DeltaConfigTransferLowMin: 0xffff0058,
  DeltaConfigTransferHighMax: 0xffff0059,
  DeltaConfigTransferHighMin: 0xffff005a,
  DELTA9: 0xffff0060,
  DeltaConfigExternalBatteryPack: 0xffff0061,
  DELTA11: 0xffff0062,
  DELTA12: 0xffff0063,
  DELTA13: 0xffff0064,
  DELTA14: 0xffff0065,
  DELTA15: 0xffff0066,
  DELTA16: 0xffff0067,
  DELTA17: 0xffff0068,
  DeltaModelName: 0xffff0075, // a string index
  DELTA19: 0xffff0076,
  DeltaUPSType: 0xffff007c,
  DELTA21: 0xffff007d,
  DeltaConfigStartPowerRestoreDelay: 0xffff0081, // seconds, writable
  DeltaOutputSource: 0xffff0091,
  DELTA24: 0xffff0092,
  DELTA25: 0xffff0093,
  DELTA26: 0xffff0094,
  DELTA27: 0xffff0095,
  DELTA28: 0xffff0096,
  DELTA29: 0xffff0097,
  DELTA30: 0xffff0098,
  DELTA31: 0xffff0099,
  DELTA32: 0xffff009a,
  DeltaConfigSensitivity: 0xffff009b, // 0 normal, 1 reduced, 2 low; writable
  DeltaConfigStartPowerRestore: 0xffff009c, // restart when power returns: 0 no, 1 yes; writable
};

// ------------------------------------------------------------ conversions

/** DeltaConfigSensitivity. Writable; NUT publishes no ENUM for it. */
const deltaSensitivity = enumLookup([
  [0, 'normal'],
  [1, 'reduced'],
  [2, 'low'],
]);

/**
 * DeltaUPSType, low nibble: 0 online, 1 and 3 offline, 2 and 4
 * line-interactive, 5 3-phase, 6 split-phase; other codes publish nothing.
 */
export const deltaUpsType: HidLookup = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  const code = v & 0x0f;
  const type = code === 6 ? 4 : code > 2 && code <= 5 ? code - 2 : code;
  return ['online', 'offline', 'line-interactive', '3-phase', 'split-phase'][type];
});

/** DeltaOutputSource: where the output is fed from. */
const deltaOutputSource = enumLookup([
  [0, 'normal'],
  [1, 'battery'],
  [2, 'bypass/reserve'],
  [3, 'reducing'],
  [4, 'boosting'],
  [5, 'manual bypass'],
  [6, 'other'],
  [7, 'no output'],
  [8, 'on eco'],
]);

/** The DeltaModelName string; an empty one publishes nothing, so the USB product stands. */
const deltaModelName = stringIndexConverted((text) => (text.length > 0 ? text : undefined));

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const CUSTOM = 'UPS.DeltaCustom.[1]';
const CONV = 'UPS.PowerConverter';
const OUTLET = 'UPS.OutletSystem.Outlet';

const TABLE: readonly HidInfoEntry[] = [
  // Identity: the model name string (NUT's format function reads it when the device is opened;
  // the engine copies ups.model to device.model, as NUT does after its first walk)
  variable('ups.model', `${CUSTOM}.DeltaModelName`, deltaModelName, { static: true }),

  // Input
  variable('input.sensitivity', `${CUSTOM}.DeltaConfigSensitivity`, deltaSensitivity, { rw: true }),
  variable('input.voltage.nominal', `${PS}.Input.ConfigVoltage`, '%.1f'),
  variable('input.voltage', `${PS}.Input.Voltage`, '%.1f', { quickPoll: true }),
  variable('input.voltage', `${CONV}.Input.Voltage`, '%.1f', { quickPoll: true }),
  variable('input.transfer.low', `${CONV}.Output.LowVoltageTransfer`, '%.1f', { rw: true }),
  variable('input.transfer.high', `${CONV}.Output.HighVoltageTransfer`, '%.1f', { rw: true }),
  variable('input.transfer.low.min', `${CONV}.Output.DeltaConfigTransferLowMin`, '%.1f', { static: true }),
  variable('input.transfer.low.max', `${CONV}.Output.DeltaConfigTransferLowMax`, '%.1f', { static: true }),
  variable('input.transfer.high.min', `${CONV}.Output.DeltaConfigTransferHighMin`, '%.1f', { static: true }),
  variable('input.transfer.high.max', `${CONV}.Output.DeltaConfigTransferHighMax`, '%.1f', { static: true }),
  // NUT is not sure whether this is the input's or the output's source; it publishes input.source.
  variable('input.source', `${OUTLET}.DeltaOutputSource`, deltaOutputSource),
  variable('input.frequency', `${CONV}.Input.Frequency`, '%.1f', { quickPoll: true }),

  // Battery
  variable('battery.voltage.nominal', 'UPS.BatterySystem.Battery.ConfigVoltage', '%.1f', { static: true }),
  variable('battery.voltage', 'UPS.BatterySystem.Battery.Voltage', '%.1f', { quickPoll: true }),
  variable('battery.charge', `${PS}.RemainingCapacity`, '%.0f', { quickPoll: true }),
  variable('battery.charge', 'UPS.BatterySystem.Battery.RemainingCapacity'),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { rw: true, stringLength: 5 }),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  variable('battery.temperature', 'UPS.BatterySystem.Temperature', kelvinToCelsius, { quickPoll: true }),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`, '%.0f', { quickPoll: true }),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('battery.capacity', `${PS}.DesignCapacity`),
  variable('battery.capacity', `${PS}.FullChargeCapacity`),

  // Output
  variable('output.voltage.nominal', 'UPS.Flow.ConfigVoltage', '%.1f'),
  variable('output.frequency.nominal', 'UPS.Flow.ConfigFrequency', '%.1f'),
  variable('output.voltage', `${CONV}.Output.Voltage`, '%.1f', { quickPoll: true }),
  variable('output.frequency', `${CONV}.Output.Frequency`, '%.1f', { quickPoll: true }),
  variable('output.current', `${CONV}.Output.Current`, '%.1f', { quickPoll: true }),

  // UPS
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, beeperStatus, { quickPoll: true }),
  variable('ups.test.result', 'UPS.BatterySystem.Test', testRead),
  variable('ups.type', `${CUSTOM}.DeltaUPSType`, deltaUpsType, { static: true }),
  variable('ups.start.auto', `${CUSTOM}.DeltaConfigStartPowerRestore`, yesNo, { rw: true }),
  variable('ups.power.nominal', 'UPS.Flow.ConfigApparentPower', '%.0f', { static: true }),
  variable('ups.realpower', `${OUTLET}.ActivePower`, '%.1f', { quickPoll: true }),
  variable('ups.realpower', `${CONV}.Output.ActivePower`, '%.1f', { quickPoll: true }),
  variable('ups.load', `${OUTLET}.PercentLoad`, '%.1f', { quickPoll: true }),
  variable('ups.delay.start', `${OUTLET}.DeltaConfigStartPowerRestoreDelay`, '%.0f', { rw: true }),
  timer('ups.timer.start', `${OUTLET}.DelayBeforeStartup`),
  timer('ups.timer.shutdown', `${OUTLET}.DelayBeforeShutdown`),
  timer('ups.timer.reboot', `${OUTLET}.DelayBeforeReboot`),

  // ups.status
  quickStatus('off', `${PS}.PresentStatus.Good`, offStatus),
  quickStatus('commfault', `${PS}.PresentStatus.InternalFailure`, commFaultStatus),
  quickStatus('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, shutdownImminentStatus),
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('fullycharged', `${PS}.PresentStatus.FullyCharged`, fullyChargedStatus),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, chargingStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  quickStatus('depleted', `${PS}.PresentStatus.FullyDischarged`, depletedStatus),
  quickStatus('replacebatt', `${PS}.PresentStatus.NeedReplacement`, replaceBatteryStatus),
  quickStatus('vrange', `${CONV}.PresentStatus.VoltageOutOfRange`, voltageRangeStatus),
  quickStatus('trim', `${CONV}.PresentStatus.Buck`, trimStatus),
  quickStatus('boost', `${CONV}.PresentStatus.Boost`, boostStatus),
  quickStatus('overload', `${CONV}.PresentStatus.Overload`, overloadStatus),
  // NUT reads the converter's "Used" bit as the battery being present.
  quickStatus('nobattery', `${CONV}.PresentStatus.Used`, noBatteryStatus),
  quickStatus('overheat', `${CONV}.PresentStatus.OverTemperature`, overheatStatus),
  quickStatus('commfault', `${CONV}.PresentStatus.InternalFailure`, commFaultStatus),
  quickStatus('awaitingpower', `${CONV}.PresentStatus.AwaitingPower`, awaitingPowerStatus),

  // Instant commands
  command('beeper.on', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.off', `${PS}.AudibleAlarmControl`, 3),
  command('beeper.enable', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.disable', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.mute', `${PS}.AudibleAlarmControl`, 3),
  command('test.battery.start.quick', 'UPS.BatterySystem.Test', 1), // 10 seconds
  command('test.battery.start.deep', 'UPS.BatterySystem.Test', 2), // until the battery is low
  command('test.battery.stop', 'UPS.BatterySystem.Test', 3),
  command('load.on.delay', `${OUTLET}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  command('load.off.delay', `${OUTLET}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  command('shutdown.stop', `${OUTLET}.DelayBeforeShutdown`, -1),
  command('shutdown.reboot', `${OUTLET}.DelayBeforeReboot`, 10),
];

export const deltaUpsSubdriver: Subdriver = {
  name: 'Delta UPS HID (upsagent)',
  matches: claims(DELTA_UPS_DEVICES),
  table: TABLE,
  usageNames: DELTA_USAGES,
  // The model may be replaced by the DeltaModelName string (table rows above).
  formatStrings: defaultMfr('Delta'),
};
