/**
 * Arduino boards running the HID Power Device library (USB vendors 2341
 * Arduino LLC and 2a03 Arduino SRL: Leonardo, Leonardo ETH, Pro Micro),
 * and devices built on that library. Facts from NUT's arduino-hid.c
 * (Arduino HID 0.2x):
 *
 * - Everything sits on standard Power Device paths under PowerSummary.
 *   Capacities are read as percent (the library's CapacityMode 2); the
 *   library's sample puts no date in iOEMInformation, so it is not mapped.
 * - NUT talks to these boards on interface 2 (endpoints 4 in / 5 out)
 *   unless told otherwise. On hidraw each interface is its own device node,
 *   found by its Power Device usage page, so nothing here needs that.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, Subdriver } from '../../types';
import {
  chargingStatus,
  depletedStatus,
  dischargingStatus,
  fullyChargedStatus,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  timeLimitExpiredStatus,
} from '../lookups';
import { delayCommands, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const ARDUINO_VENDOR_ID = 0x2341;
export const ARDUINO_SRL_VENDOR_ID = 0x2a03;

/** The USB IDs arduino-hid.c claims. */
export const ARDUINO_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [ARDUINO_VENDOR_ID, 0x0036], // Leonardo (bootloader)
  [ARDUINO_VENDOR_ID, 0x8036], // Leonardo, Leonardo ETH, Pro Micro
  [ARDUINO_SRL_VENDOR_ID, 0x0036],
  [ARDUINO_SRL_VENDOR_ID, 0x8036],
  [ARDUINO_SRL_VENDOR_ID, 0x0040],
  [ARDUINO_SRL_VENDOR_ID, 0x8040],
];

const PS = 'UPS.PowerSummary';
const PRESENT = `${PS}.PresentStatus`;

const TABLE: readonly HidInfoEntry[] = [
  // Delays: server-side settings, timers as the device counts them, the delay commands
  serverVar('ups.delay.start', `${PS}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  timer('ups.timer.start', `${PS}.DelayBeforeStartup`),
  timer('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`),
  timer('ups.timer.reboot', `${PS}.DelayBeforeReboot`),
  ...delayCommands(`${PS}.`),

  // Battery
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, '%.2f', { quickPoll: true }),
  variable('battery.voltage', `${PS}.Voltage`, '%.2f', { quickPoll: true }),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`, '%.0f', { quickPoll: true }),
  variable('battery.runtime.low', `${PS}.RemainingTimeLimit`),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),

  // Load and lines (UPSes built on the library, e.g. Ugreen US3000)
  variable('ups.load', `${PS}.PercentLoad`),
  variable('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', '%.1f'),
  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', '%.1f'),

  // ups.status
  quickStatus('online', `${PRESENT}.ACPresent`, onlineStatus),
  quickStatus('discharging', `${PRESENT}.Discharging`, dischargingStatus),
  quickStatus('charging', `${PRESENT}.Charging`, chargingStatus),
  status('replacebatt', `${PRESENT}.NeedReplacement`, replaceBatteryStatus),
  status('shutdownimm', `${PRESENT}.ShutdownImminent`, shutdownImminentStatus),
  quickStatus('lowbatt', `${PRESENT}.BelowRemainingCapacityLimit`, lowBatteryStatus),
  status('overload', `${PRESENT}.Overload`, overloadStatus),
  status('timelimitexpired', `${PRESENT}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
  status('nobattery', `${PRESENT}.BatteryPresent`, noBatteryStatus),
  quickStatus('fullycharged', `${PRESENT}.FullyCharged`, fullyChargedStatus),
  quickStatus('depleted', `${PRESENT}.FullyDischarged`, depletedStatus),
];

export const arduinoSubdriver: Subdriver = {
  name: 'Arduino HID (upsagent)',
  matches: claims(ARDUINO_DEVICES),
  table: TABLE,
  formatStrings: defaultMfr('Arduino'),
};
