/**
 * The fallback for devices no vendor subdriver claims. NUT has only its
 * "explore" stub there (an empty table, for dumping unknown devices); we map
 * the usages the USB HID Power Device Class defines, at the places the
 * standard and most vendors put them (the common rows of apc-hid.c,
 * cps-hid.c and mge-hid.c), so a standard-conforming UPS works unclaimed.
 */
import type { HidInfoEntry, Subdriver } from '../../types';
import {
  awaitingPowerStatus,
  beeperStatus,
  boostStatus,
  chargingStatus,
  commFaultStatus,
  depletedStatus,
  dischargingStatus,
  frequencyRangeStatus,
  fullyChargedStatus,
  hidDate,
  kelvinToCelsius,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  testRead,
  timeLimitExpiredStatus,
  trimStatus,
  voltageRangeStatus,
} from '../lookups';
import { command, delayCommands, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';

/** Status bits under one PresentStatus collection (or directly under PowerSummary, as some devices do). */
function statusBits(prefix: string): HidInfoEntry[] {
  return [
    quickStatus('online', `${prefix}.ACPresent`, onlineStatus),
    quickStatus('discharging', `${prefix}.Discharging`, dischargingStatus),
    quickStatus('charging', `${prefix}.Charging`, chargingStatus),
    quickStatus('lowbatt', `${prefix}.BelowRemainingCapacityLimit`, lowBatteryStatus),
    status('shutdownimm', `${prefix}.ShutdownImminent`, shutdownImminentStatus),
    status('overload', `${prefix}.Overload`, overloadStatus),
    status('replacebatt', `${prefix}.NeedReplacement`, replaceBatteryStatus),
    status('timelimitexpired', `${prefix}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
    status('fullycharged', `${prefix}.FullyCharged`, fullyChargedStatus),
    status('depleted', `${prefix}.FullyDischarged`, depletedStatus),
    status('nobattery', `${prefix}.BatteryPresent`, noBatteryStatus),
    status('boost', `${prefix}.Boost`, boostStatus),
    status('trim', `${prefix}.Buck`, trimStatus),
    status('overheat', `${prefix}.OverTemperature`, overheatStatus),
    status('commfault', `${prefix}.CommunicationLost`, commFaultStatus),
    status('commfault', `${prefix}.InternalFailure`, commFaultStatus),
    status('awaitingpower', `${prefix}.AwaitingPower`, awaitingPowerStatus),
    status('vrange', `${prefix}.VoltageOutOfRange`, voltageRangeStatus),
    status('frange', `${prefix}.FrequencyOutOfRange`, frequencyRangeStatus),
  ];
}

const TABLE: readonly HidInfoEntry[] = [
  // Battery
  variable('battery.charge', 'UPS.PowerSummary.RemainingCapacity'),
  variable('battery.charge', 'UPS.BatterySystem.Battery.RemainingCapacity'),
  variable('battery.charge', 'UPS.Battery.RemainingCapacity'),
  writable('battery.charge.low', 'UPS.PowerSummary.RemainingCapacityLimit'),
  writable('battery.charge.low', 'UPS.Battery.RemainingCapacityLimit'),
  variable('battery.charge.warning', 'UPS.PowerSummary.WarningCapacityLimit'),
  variable('battery.charge.warning', 'UPS.Battery.WarningCapacityLimit'),
  variable('battery.runtime', 'UPS.PowerSummary.RunTimeToEmpty'),
  variable('battery.runtime', 'UPS.BatterySystem.Battery.RunTimeToEmpty'),
  variable('battery.runtime', 'UPS.Battery.RunTimeToEmpty'),
  writable('battery.runtime.low', 'UPS.PowerSummary.RemainingTimeLimit'),
  writable('battery.runtime.low', 'UPS.Battery.RemainingTimeLimit'),
  variable('battery.voltage', 'UPS.PowerSummary.Voltage', '%.1f'),
  variable('battery.voltage', 'UPS.BatterySystem.Battery.Voltage', '%.1f'),
  variable('battery.voltage', 'UPS.Battery.Voltage', '%.1f'),
  variable('battery.voltage.nominal', 'UPS.PowerSummary.ConfigVoltage', '%.1f'),
  variable('battery.voltage.nominal', 'UPS.BatterySystem.Battery.ConfigVoltage', '%.1f'),
  variable('battery.voltage.nominal', 'UPS.Battery.ConfigVoltage', '%.1f'),
  variable('battery.temperature', 'UPS.BatterySystem.Battery.Temperature', kelvinToCelsius),
  variable('battery.temperature', 'UPS.Battery.Temperature', kelvinToCelsius),
  variable('battery.type', 'UPS.PowerSummary.iDeviceChemistry', stringIndex),
  variable('battery.type', 'UPS.Battery.iDeviceChemistry', stringIndex),
  variable('battery.mfr.date', 'UPS.PowerSummary.ManufacturerDate', hidDate),
  variable('battery.mfr.date', 'UPS.Battery.ManufacturerDate', hidDate),

  // UPS
  variable('ups.load', 'UPS.Output.PercentLoad'),
  variable('ups.load', 'UPS.PowerSummary.PercentLoad'),
  variable('ups.load', 'UPS.PowerConverter.PercentLoad'),
  variable('ups.power', 'UPS.Output.ApparentPower'),
  variable('ups.power.nominal', 'UPS.Output.ConfigApparentPower'),
  variable('ups.power.nominal', 'UPS.PowerSummary.ConfigApparentPower'),
  variable('ups.realpower', 'UPS.Output.ActivePower'),
  variable('ups.realpower.nominal', 'UPS.Output.ConfigActivePower'),
  variable('ups.realpower.nominal', 'UPS.PowerSummary.ConfigActivePower'),
  variable('ups.temperature', 'UPS.PowerSummary.Temperature', kelvinToCelsius),
  variable('ups.beeper.status', 'UPS.PowerSummary.AudibleAlarmControl', beeperStatus),
  variable('ups.test.result', 'UPS.BatterySystem.Battery.Test', testRead),
  variable('ups.test.result', 'UPS.Battery.Test', testRead),
  variable('ups.test.result', 'UPS.Output.Test', testRead),
  serverVar('ups.delay.start', 'UPS.PowerSummary.DelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.PowerSummary.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  serverVar('ups.delay.start', 'UPS.Output.DelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.Output.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  timer('ups.timer.start', 'UPS.PowerSummary.DelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.PowerSummary.DelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.PowerSummary.DelayBeforeReboot'),
  timer('ups.timer.start', 'UPS.Output.DelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.Output.DelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.Output.DelayBeforeReboot'),

  // ups.status
  ...statusBits('UPS.PowerSummary.PresentStatus'),
  ...statusBits('UPS.PowerSummary'),
  status('boost', 'UPS.PowerConverter.Input.[1].PresentStatus.Boost', boostStatus),
  status('trim', 'UPS.PowerConverter.Input.[1].PresentStatus.Buck', trimStatus),
  status('boost', 'UPS.Output.Boost', boostStatus),
  status('trim', 'UPS.Output.Buck', trimStatus),
  status('overload', 'UPS.Output.Overload', overloadStatus),

  // Input
  variable('input.voltage', 'UPS.Input.Voltage', '%.1f'),
  variable('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', '%.1f'),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage'),
  variable('input.voltage.nominal', 'UPS.Flow.[1].ConfigVoltage'),
  variable('input.frequency', 'UPS.Input.Frequency', '%.1f'),
  variable('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', '%.1f'),
  variable('input.frequency.nominal', 'UPS.Flow.[1].ConfigFrequency'),
  writable('input.transfer.low', 'UPS.Input.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Input.HighVoltageTransfer'),
  writable('input.transfer.low', 'UPS.Output.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Output.HighVoltageTransfer'),

  // Output
  variable('output.voltage', 'UPS.Output.Voltage', '%.1f'),
  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', 'UPS.Output.ConfigVoltage'),
  variable('output.voltage.nominal', 'UPS.Flow.[4].ConfigVoltage'),
  variable('output.current', 'UPS.Output.Current', '%.2f'),
  variable('output.frequency', 'UPS.Output.Frequency', '%.1f'),
  variable('output.frequency', 'UPS.PowerConverter.Output.Frequency', '%.1f'),
  variable('output.frequency.nominal', 'UPS.Flow.[4].ConfigFrequency'),

  // Instant commands
  command('test.battery.start.quick', 'UPS.BatterySystem.Battery.Test', 1),
  command('test.battery.start.quick', 'UPS.Battery.Test', 1),
  command('test.battery.start.quick', 'UPS.Output.Test', 1),
  command('test.battery.start.deep', 'UPS.BatterySystem.Battery.Test', 2),
  command('test.battery.start.deep', 'UPS.Battery.Test', 2),
  command('test.battery.start.deep', 'UPS.Output.Test', 2),
  command('test.battery.stop', 'UPS.BatterySystem.Battery.Test', 3),
  command('test.battery.stop', 'UPS.Battery.Test', 3),
  command('test.battery.stop', 'UPS.Output.Test', 3),
  ...delayCommands('UPS.PowerSummary.'),
  ...delayCommands('UPS.Output.'),
  command('beeper.enable', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.disable', 'UPS.PowerSummary.AudibleAlarmControl', 1),
  command('beeper.mute', 'UPS.PowerSummary.AudibleAlarmControl', 3),
];

export const genericSubdriver: Subdriver = {
  name: 'Generic HID 0.1',
  // Chosen last, for any device: the selection falls back to it.
  matches: () => true,
  table: TABLE,
};
