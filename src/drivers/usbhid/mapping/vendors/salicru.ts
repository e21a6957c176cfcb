/**
 * Salicru (USB vendor 2e66): SPS 850 HOME, SPS 850 ADV T, SPS 3000 ADV RT2,
 * SLC TWIN PRO2 / PRO3 / RT3. Facts from NUT's salicru-hid.c (Salicru HID
 * 0.x):
 *
 * - Standard Power Device paths: the SPS models under UPS.Input/Output,
 *   the TWIN models under UPS.PowerConverter and UPS.BatterySystem.
 * - The TWIN models report the output's nominal voltage as PowerSummary's
 *   ConfigVoltage, which the SPS models use for the battery: both are
 *   published from it.
 * - The transfer limits are read-only on the tested models; the test and
 *   delay commands are untested, so NUT maps no commands but the TWIN
 *   models' battery test.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, Subdriver } from '../../types';
import {
  beeperStatus,
  boostStatus,
  chargingStatus,
  commFaultStatus,
  dischargingStatus,
  fullyChargedStatus,
  lowBatteryStatus,
  onlineStatus,
  overheatStatus,
  overloadStatus,
  stringIndex,
  testRead,
  timeLimitExpiredStatus,
} from '../lookups';
import { command, quickStatus, status, variable, writable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const SALICRU_VENDOR_ID = 0x2e66;

/** The USB IDs salicru-hid.c claims. */
export const SALICRU_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [SALICRU_VENDOR_ID, 0x0101], // SPS 3000 ADV RT2
  [SALICRU_VENDOR_ID, 0x0201], // SLC TWIN PRO2 (up to 3 kVA), TWIN PRO3 / TWIN RT3
  [SALICRU_VENDOR_ID, 0x0202],
  [SALICRU_VENDOR_ID, 0x0203],
  [SALICRU_VENDOR_ID, 0x0300], // SPS 850 HOME
  [SALICRU_VENDOR_ID, 0x0302], // SPS 850 ADV T
];

const PS = 'UPS.PowerSummary';

const TABLE: readonly HidInfoEntry[] = [
  // Battery
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  writable('battery.charge.low', `${PS}.RemainingCapacityLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  writable('battery.runtime.low', `${PS}.RemainingTimeLimit`),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`),
  variable('battery.voltage', `${PS}.Voltage`, '%.2f'),

  // UPS
  variable('ups.load', 'UPS.Output.PercentLoad'),
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, beeperStatus),
  variable('ups.test.result', 'UPS.Output.Test', testRead),
  variable('ups.realpower.nominal', 'UPS.Output.ConfigActivePower'),

  // ups.status
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, chargingStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  status('fullycharged', `${PS}.PresentStatus.FullyCharged`, fullyChargedStatus),
  status('timelimitexpired', `${PS}.PresentStatus.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
  status('commfault', 'UPS.Output.CommunicationLost', commFaultStatus),
  status('boost', 'UPS.Output.Boost', boostStatus),
  status('overload', 'UPS.Output.Overload', overloadStatus),

  // Input
  variable('input.frequency', 'UPS.Input.Frequency', '%.1f'),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage'),
  variable('input.voltage', 'UPS.Input.Voltage', '%.1f'),
  variable('input.transfer.high', 'UPS.PowerConverter.Output.HighVoltageTransfer', '%.0f', { static: true }),
  variable('input.transfer.low', 'UPS.PowerConverter.Output.LowVoltageTransfer', '%.0f', { static: true }),

  // Output
  variable('output.frequency', 'UPS.Output.Frequency', '%.1f'),
  variable('output.voltage', 'UPS.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', 'UPS.Output.ConfigVoltage'),

  // TWIN PRO2 paths
  variable('ups.load', `${PS}.PercentLoad`),
  variable('ups.test.result', 'UPS.BatterySystem.Battery.Test', testRead),
  variable('ups.realpower.nominal', 'UPS.Flow.[4].ConfigActivePower'),
  variable('ups.realpower', 'UPS.PowerConverter.Output.ActivePower'),
  status('overload', `${PS}.PresentStatus.Overload`, overloadStatus),
  status('overheat', `${PS}.PresentStatus.OverTemperature`, overheatStatus),
  variable('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', '%.1f'),
  variable('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', '%.1f'),
  variable('output.frequency', 'UPS.PowerConverter.Output.Frequency', '%.1f'),
  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', `${PS}.ConfigVoltage`),

  // TWIN PRO2 instant commands
  command('test.battery.start.quick', 'UPS.BatterySystem.Battery.Test', 1),
  command('test.battery.start.deep', 'UPS.BatterySystem.Battery.Test', 2),
  command('test.battery.stop', 'UPS.BatterySystem.Battery.Test', 3),
];

export const salicruSubdriver: Subdriver = {
  name: 'Salicru HID (upsagent)',
  matches: claims(SALICRU_DEVICES),
  table: TABLE,
  formatStrings: defaultMfr('Salicru'),
};
