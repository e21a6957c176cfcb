/**
 * Legrand (USB vendor 1cb0): Keor PDU (800 VA) and Keor SP (600-2000 VA).
 * Facts from NUT's legrand-hid.c (Legrand HID 0.2):
 *
 * - Several values come with a wrong unit exponent and are multiplied back:
 *   the converter's input voltage by 10^6, its output voltage by 10^7, the
 *   battery system's voltage by 10^5, the converter's high transfer voltage
 *   by 10; PowerSummary's battery voltages are divided by 10.
 * - NUT turns the interrupt pipe off for these units: they are polled
 *   only (see LEGRAND_DEVICES).
 * - NUT writes the battery runtime's path as "RuntimeToEmpty"; its path
 *   lookups ignore case, so that is RunTimeToEmpty.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, Subdriver } from '../../types';
import { formatFixed } from '../format';
import { chargingStatus, dischargingStatus, divideBy10, functionLookup, lowBatteryStatus, onlineStatus, overloadStatus } from '../lookups';
import { command, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const LEGRAND_VENDOR_ID = 0x1cb0;

/** The USB IDs legrand-hid.c claims. NUT reads all of them by polling only (interrupt pipe off, as `pollonly`). */
export const LEGRAND_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [LEGRAND_VENDOR_ID, 0x0038], // Keor PDU (800 VA)
  [LEGRAND_VENDOR_ID, 0x0032], // Keor SP (600, 800, 1000, 1500, 2000 VA)
];

/** value x factor, one decimal. */
function times(factor: number): HidLookup {
  return functionLookup((value) => (Number.isFinite(value) ? formatFixed(value * factor, 1) : undefined));
}

export const legrandTimes10 = times(10);
export const legrandTimes100k = times(100000);
export const legrandTimes1M = times(1000000);
export const legrandTimes10M = times(10000000);

const PS = 'UPS.PowerSummary';
const CONV = 'UPS.PowerConverter';

const TABLE: readonly HidInfoEntry[] = [
  // Input
  variable('input.voltage', 'UPS.Input.Voltage'),
  variable('input.voltage', `${CONV}.Input.Voltage`, legrandTimes1M),
  variable('input.transfer.high', 'UPS.Input.HighVoltageTransfer', '%.0f', { static: true }),
  variable('input.transfer.high', `${CONV}.Output.HighVoltageTransfer`, legrandTimes10, { static: true }),
  variable('input.transfer.low', 'UPS.Input.LowVoltageTransfer', '%.0f', { static: true }),
  variable('input.transfer.low', `${CONV}.Output.LowVoltageTransfer`, '%.0f', { static: true }),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage', '%.0f', { static: true }),
  variable('input.voltage.nominal', 'UPS.Flow.ConfigVoltage', '%.0f', { static: true }),

  // Battery
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, divideBy10, { static: true }),
  variable('battery.voltage.nominal', 'UPS.BatterySystem.Battery.ConfigVoltage', '%.0f', { static: true }),
  variable('battery.voltage', `${PS}.Voltage`, divideBy10),
  variable('battery.voltage', 'UPS.BatterySystem.Battery.Voltage', legrandTimes100k),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`, '%.0f', { static: true }),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { static: true }),

  // Output
  variable('output.voltage', 'UPS.Output.Voltage'),
  variable('output.voltage', `${CONV}.Output.Voltage`, legrandTimes10M),
  variable('output.frequency', 'UPS.Output.Frequency'),
  variable('ups.load', 'UPS.Output.PercentLoad'),
  variable('ups.load', 'UPS.OutletSystem.Outlet.PercentLoad'),
  variable('ups.realpower.nominal', 'UPS.Output.ConfigActivePower', '%.0f', { static: true }),
  // NUT's mapping: the apparent power rating is published as the real power one.
  variable('ups.realpower.nominal', 'UPS.Flow.ConfigApparentPower', '%.0f', { static: true }),

  // ups.status
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, chargingStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  quickStatus('overload', 'UPS.Output.Overload', overloadStatus),

  // Delays: on the outlet or on the output, whichever the unit has
  serverVar('ups.delay.shutdown', 'UPS.OutletSystem.Outlet.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  serverVar('ups.delay.start', 'UPS.OutletSystem.Outlet.DelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.Output.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  serverVar('ups.delay.start', 'UPS.Output.DelayBeforeStartup', DEFAULT_ONDELAY),
  command('load.off.delay', 'UPS.OutletSystem.Outlet.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  command('load.on.delay', 'UPS.OutletSystem.Outlet.DelayBeforeStartup', DEFAULT_ONDELAY),
  command('load.off.delay', 'UPS.Output.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  command('load.on.delay', 'UPS.Output.DelayBeforeStartup', DEFAULT_ONDELAY),

  // Battery test
  command('test.battery.start.quick', 'UPS.BatterySystem.Battery.Test', 1),
  command('test.battery.start.deep', 'UPS.BatterySystem.Battery.Test', 2),
  command('test.battery.stop', 'UPS.BatterySystem.Battery.Test', 3),
  command('test.battery.start.quick', 'UPS.Output.Test', 1),
  command('test.battery.start.deep', 'UPS.Output.Test', 2),
  command('test.battery.stop', 'UPS.Output.Test', 3),

  // Buzzer. NUT writes 3 (muted in the standard's terms) to disable it.
  command('beeper.enable', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.disable', `${PS}.AudibleAlarmControl`, 3),
];

export const legrandSubdriver: Subdriver = {
  name: 'Legrand HID (upsagent)',
  matches: claims(LEGRAND_DEVICES),
  table: TABLE,
  formatStrings: defaultMfr('Legrand'),
};
