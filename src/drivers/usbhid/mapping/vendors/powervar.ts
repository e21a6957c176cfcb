/**
 * Powervar UPM (USB vendor 4234, product 0002). Facts from NUT's
 * powervar-hid.c (Powervar HID 0.2x):
 *
 * - A small table on standard PowerSummary paths: charge, capacity,
 *   runtime, chemistry and the PresentStatus bits.
 * - NUT also reads InternalFailure and Good through its yes/no table,
 *   which yields no status flag: they change nothing and are not mapped.
 * - NUT writes the runtime's path as "RuntimeToEmpty"; its path lookups
 *   ignore case, so that is RunTimeToEmpty.
 * - NUT reads the report descriptor of interface 1 unless told otherwise.
 *   On hidraw each interface is its own device node, found by its Power
 *   Device usage page, so nothing here needs that.
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
  onlineStatus,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  timeLimitExpiredStatus,
} from '../lookups';
import { quickStatus, status, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const POWERVAR_VENDOR_ID = 0x4234;

/** The USB IDs powervar-hid.c claims. */
export const POWERVAR_DEVICES: ReadonlyArray<readonly [number, number]> = [[POWERVAR_VENDOR_ID, 0x0002]];

/** Powervar's one vendor usage (NUT names it, no row uses it). */
export const POWERVAR_USAGES: Readonly<Record<string, number>> = {
  POWERVAR1: 0xff000001,
};

const PS = 'UPS.PowerSummary';
const PRESENT = `${PS}.PresentStatus`;

const TABLE: readonly HidInfoEntry[] = [
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.capacity', `${PS}.FullChargeCapacity`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),

  quickStatus('online', `${PRESENT}.ACPresent`, onlineStatus),
  quickStatus('discharging', `${PRESENT}.Discharging`, dischargingStatus),
  quickStatus('charging', `${PRESENT}.Charging`, chargingStatus),
  status('shutdownimm', `${PRESENT}.ShutdownImminent`, shutdownImminentStatus),
  status('lowbatt', `${PRESENT}.BelowRemainingCapacityLimit`, lowBatteryStatus),
  status('overload', `${PRESENT}.Overload`, overloadStatus),
  status('replacebatt', `${PRESENT}.NeedReplacement`, replaceBatteryStatus),
  status('timelimitexpired', `${PRESENT}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
  status('overheat', `${PRESENT}.OverTemperature`, overheatStatus),
  status('fullycharged', `${PRESENT}.FullyCharged`, fullyChargedStatus),
  status('depleted', `${PRESENT}.FullyDischarged`, depletedStatus),
];

export const powervarSubdriver: Subdriver = {
  name: 'Powervar HID (upsagent)',
  matches: claims(POWERVAR_DEVICES),
  table: TABLE,
  usageNames: POWERVAR_USAGES,
  formatStrings: defaultMfr('Powervar'),
};
