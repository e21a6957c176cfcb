/**
 * EcoFlow portable power stations with a USB UPS port (USB vendor 3746,
 * product ffff): River 3 Plus, Delta 3 Plus. Facts from NUT's
 * ecoflow-hid.c (EcoFlow HID 0.0x):
 *
 * - RunTimeToEmpty counts minutes, not seconds (and while on mains it
 *   estimates the controller's own draw, about 40 hours on a full pack).
 * - RemainingCapacityLimit is the app's discharge limit (the load is cut
 *   there): published as the writable battery.charge.low.
 * - Capacities are in percent; ConfigActivePower is the pack's energy in
 *   Wh on early firmwares, its rating later.
 * - The beeper and delay commands did not work on the tested units, so no
 *   instant commands are mapped; some readings NUT has no names for are
 *   published as experimental.*.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, Subdriver } from '../../types';
import { formatValue } from '../format';
import {
  beeperStatus,
  chargingStatus,
  commFaultStatus,
  depletedStatus,
  dischargingStatus,
  fullyChargedStatus,
  functionLookup,
  hidDate,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  timeLimitExpiredStatus,
} from '../lookups';
import { quickStatus, timer, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const ECOFLOW_VENDOR_ID = 0x3746;

/** The USB IDs ecoflow-hid.c claims. */
export const ECOFLOW_DEVICES: ReadonlyArray<readonly [number, number]> = [[ECOFLOW_VENDOR_ID, 0xffff]];

/** RunTimeToEmpty in minutes -> seconds; a negative reading publishes nothing. */
export const ecoflowRuntime: HidLookup = functionLookup((value) => (Number.isFinite(value) && value >= 0 ? formatValue('%.0f', value * 60) : undefined));

const PS = 'UPS.PowerSummary';
const PRESENT = `${PS}.PresentStatus`;
const OUTLET = 'UPS.OutletSystem.Outlet';

const TABLE: readonly HidInfoEntry[] = [
  // Both models report the beeper enabled whatever the app says; a River 3 Plus has a light instead.
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, beeperStatus, { quickPoll: true }),
  variable('ups.power.nominal', 'UPS.Flow.[4].ConfigActivePower', '%.0f', { static: true }),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, '%.1f'),
  timer('ups.timer.reboot', `${OUTLET}.DelayBeforeReboot`),
  timer('ups.timer.shutdown', `${OUTLET}.DelayBeforeShutdown`),
  variable('battery.capacity.nominal', `${PS}.DesignCapacity`),
  variable('battery.capacity', `${PS}.FullChargeCapacity`),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('experimental.ups.powersummary.ioeminformation', `${PS}.iOEMInformation`, stringIndex, { static: true }),
  variable('ups.mfr.date', `${PS}.ManufacturerDate`, hidDate),

  // ups.status. BatteryPresent drops at the discharge limit (then "no battery").
  quickStatus('online', `${PRESENT}.ACPresent`, onlineStatus),
  quickStatus('nobattery', `${PRESENT}.BatteryPresent`, noBatteryStatus),
  quickStatus('lowbatt', `${PRESENT}.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('commfault', `${PRESENT}.CommunicationLost`, commFaultStatus),
  quickStatus('charging', `${PRESENT}.Charging`, chargingStatus),
  quickStatus('discharging', `${PRESENT}.Discharging`, dischargingStatus),
  quickStatus('fullycharged', `${PRESENT}.FullyCharged`, fullyChargedStatus),
  // FullyDischarged and NeedReplacement come on at the app's discharge limit.
  quickStatus('depleted', `${PRESENT}.FullyDischarged`, depletedStatus),
  quickStatus('replacebatt', `${PRESENT}.NeedReplacement`, replaceBatteryStatus),
  quickStatus('overload', `${PRESENT}.Overload`, overloadStatus),
  quickStatus('timelimitexpired', `${PRESENT}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
  quickStatus('shutdownimm', `${PRESENT}.ShutdownImminent`, shutdownImminentStatus),

  // Readings without a NUT name yet
  variable('experimental.ups.powersummary.presentstatus.shutdownrequested', `${PRESENT}.ShutdownRequested`),
  variable('experimental.ups.powersummary.presentstatus.voltagenotregulated', `${PRESENT}.VoltageNotRegulated`),
  variable('experimental.ups.powersummary.rechargeable', `${PS}.Rechargeable`),

  // Battery
  variable('battery.charge', `${PS}.RemainingCapacity`, '%.0f', { quickPoll: true }),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { rw: true, stringLength: 5 }),
  // Fixed values: 120 min on a Delta 3 Plus, 600 on a River 3 Plus (published as read).
  variable('battery.runtime.low', `${PS}.RemainingTimeLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`, ecoflowRuntime, { quickPoll: true }),
  variable('battery.voltage', `${PS}.Voltage`, '%.1f', { quickPoll: true }),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
];

export const ecoflowSubdriver: Subdriver = {
  name: 'EcoFlow HID (upsagent)',
  matches: claims(ECOFLOW_DEVICES),
  table: TABLE,
  formatStrings: defaultMfr('EcoFlow'),
};
