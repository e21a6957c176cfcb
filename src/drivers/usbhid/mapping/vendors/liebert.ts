/**
 * Phoenixtec (USB vendor 06da, product ffff): the "Liebert" subdriver of
 * NUT (liebert-hid.c, "Phoenixtec/Liebert HID"), named before the ID was
 * found to be Phoenixtec's. Drives PowerWalker VI, some Liebert and other
 * OEM units on standard Power Device paths. AEG PROTECT NAS units share the
 * ID and go to the MGE subdriver (it comes first and claims them by name).
 * The Liebert units with their own vendor ID (10af) are the Belkin
 * subdriver's.
 */
import type { HidInfoEntry, Subdriver } from '../../types';
import {
  chargingStatus,
  dischargingStatus,
  lowBatteryStatus,
  onlineStatus,
  overloadStatus,
  shutdownImminentStatus,
  stringIndex,
} from '../lookups';
import { quickStatus, status, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const PHOENIXTEC_VENDOR_ID = 0x06da;

/** The USB IDs liebert-hid.c claims. */
export const LIEBERT_DEVICES: ReadonlyArray<readonly [number, number]> = [[PHOENIXTEC_VENDOR_ID, 0xffff]];

const PS = 'UPS.PowerSummary';

const TABLE: readonly HidInfoEntry[] = [
  variable('battery.voltage', `${PS}.Voltage`, '%.2f'),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, '%.2f'),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex),

  variable('ups.load', `${PS}.PercentLoad`),

  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', '%.1f'),
  variable('output.frequency', 'UPS.PowerConverter.Output.Frequency', '%.2f'),

  variable('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', '%.1f'),
  variable('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', '%.2f'),

  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, chargingStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  status('overload', `${PS}.PresentStatus.Overload`, overloadStatus),
  status('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, shutdownImminentStatus),
];

export const liebertSubdriver: Subdriver = {
  name: 'Phoenixtec/Liebert HID (upsagent)',
  matches: claims(LIEBERT_DEVICES),
  table: TABLE,
  formatStrings: defaultMfr('Liebert'),
};
