/**
 * iDowell (USB vendor 075d, product 0300): iBox, GoldenMate LiFePO4 packs;
 * and the GoldenMate 1000VA/800W packs that carry the same firmware under
 * Phoenixtec's ID 06da:ffff. Facts from NUT's idowell-hid.c (iDowell HID
 * 0.2x):
 *
 * - 06da:ffff is shared: the MGE subdriver takes AEG-named units first,
 *   this one only units whose strings say "BMS" (manufacturer "-BMS-") or
 *   "Smart-Battery" (product), and the Phoenixtec/Liebert subdriver the
 *   rest.
 * - Descriptor bug of the GoldenMate firmware: the Input copy of the data
 *   (report 2) writes RunTimeToEmpty's 4-byte Logical Maximum byte-swapped
 *   (0xFEFFFFFF), and the Voltage that follows inherits it. Read as a
 *   signed 32-bit number it falls below the minimum; NUT then puts back the
 *   maximums the Feature copy (report 1) declares. Our parser reads it as
 *   NUT does on 64-bit systems (4278190079, values come out right), so the
 *   repair only acts on a maximum still below its minimum.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidDeviceInfo, HidInfoEntry, HidReportDescriptor, Subdriver } from '../../types';
import {
  chargingStatus,
  commFaultStatus,
  dischargingStatus,
  lowBatteryStatus,
  noBatteryStatus,
  offStatus,
  onlineStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
} from '../lookups';
import { command, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable } from '../rows';
import { defaultMfr, inDeviceTable } from '../devices';

export const IDOWELL_VENDOR_ID = 0x075d;
/** Phoenixtec: the Liebert subdriver's by default, here only for GoldenMate packs (see idowellMatches). */
export const PHOENIXTEC_VENDOR_ID = 0x06da;

/** The USB IDs idowell-hid.c claims. */
export const IDOWELL_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [IDOWELL_VENDOR_ID, 0x0300], // iDowell iBox, GoldenMate
  [PHOENIXTEC_VENDOR_ID, 0xffff], // GoldenMate 1000VA/800W LiFePO4 only, by its strings
];

/** GoldenMate's BMS firmware names itself "-BMS-" / "Smart-Battery". */
function isGoldenMate(info: HidDeviceInfo): boolean {
  return (info.manufacturer ?? '').includes('BMS') || (info.product ?? '').includes('Smart-Battery');
}

export function idowellMatches(info: HidDeviceInfo): boolean {
  if (!inDeviceTable(IDOWELL_DEVICES, info)) return false;
  return info.vendorId !== PHOENIXTEC_VENDOR_ID || isGoldenMate(info);
}

// ------------------------------------------------------------ descriptor fix

const RUN_TIME_TO_EMPTY = 0x00850068;
const VOLTAGE = 0x00840030;
/** The maximums the same firmware declares for these usages in report 1. */
const RUNTIME_LOGMAX = 0x75ffffff;
const VOLTAGE_LOGMAX = 65535;

/**
 * Repairs report 2's RunTimeToEmpty and Voltage when their Logical Maximum
 * is below the minimum. True when something was changed.
 */
export function idowellFixDescriptor(descriptor: HidReportDescriptor, info: HidDeviceInfo): boolean {
  const ours = (info.vendorId === PHOENIXTEC_VENDOR_ID && info.productId === 0xffff) || (info.vendorId === IDOWELL_VENDOR_ID && info.productId === 0x0300);
  if (!ours) return false;
  let fixed = false;
  for (const [usage, logMax] of [
    [RUN_TIME_TO_EMPTY, RUNTIME_LOGMAX],
    [VOLTAGE, VOLTAGE_LOGMAX],
  ] as const) {
    // The first field of report 2 whose own usage is this one, as NUT looks it up.
    const field = descriptor.fields.find((f) => f.reportId === 0x02 && f.usages[f.usages.length - 1] === usage);
    if (field && field.logicalMax < field.logicalMin) {
      field.logicalMax = logMax;
      field.assumedLogicalMax = true;
      fixed = true;
    }
  }
  return fixed;
}

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const PRESENT = `${PS}.PresentStatus`;

const TABLE: readonly HidInfoEntry[] = [
  // ups.status
  quickStatus('online', `${PRESENT}.ACPresent`, onlineStatus),
  status('nobattery', `${PRESENT}.BatteryPresent`, noBatteryStatus),
  quickStatus('lowbatt', `${PRESENT}.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('charging', `${PRESENT}.Charging`, chargingStatus),
  status('commfault', `${PRESENT}.CommunicationLost`, commFaultStatus),
  quickStatus('discharging', `${PRESENT}.Discharging`, dischargingStatus),
  status('off', `${PRESENT}.Good`, offStatus),
  status('commfault', `${PRESENT}.InternalFailure`, commFaultStatus),
  status('replacebatt', `${PRESENT}.NeedReplacement`, replaceBatteryStatus),
  status('overload', `${PRESENT}.Overload`, overloadStatus),
  status('shutdownimm', `${PRESENT}.ShutdownImminent`, shutdownImminentStatus),

  // NUT also maps device.mfr/model/serial from PowerSummary.iManufacturer/iProduct/iSerialNumber,
  // but its start-up copies ups.mfr/model/serial (the USB strings) over them: not mapped.

  // Battery
  variable('battery.capacity.design', `${PS}.DesignCapacity`, '%.0f', { static: true }),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { static: true }),
  variable('battery.charge.low', `${PS}.WarningCapacityLimit`, '%.0f', { static: true }),
  variable('battery.capacity.full', `${PS}.FullChargeCapacity`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),

  // UPS
  serverVar('ups.delay.start', `${PS}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  timer('ups.timer.start', `${PS}.DelayBeforeStartup`),
  timer('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`),
  variable('ups.load', `${PS}.PercentLoad`),
  variable('ups.power.nominal', 'UPS.Flow.[4].ConfigApparentPower', '%.0f', { static: true }),

  // Input
  variable('input.transfer.high', 'UPS.PowerConverter.Output.HighVoltageTransfer', '%.0f', { static: true }),
  variable('input.transfer.low', 'UPS.PowerConverter.Output.LowVoltageTransfer', '%.0f', { static: true }),

  // Output and battery voltages
  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', '%.1f'),
  variable('battery.voltage', `${PS}.Voltage`, '%.1f'),
  variable('output.voltage.nominal', 'UPS.Flow.[4].ConfigVoltage', '%.0f', { static: true }),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, '%.1f', { static: true }),
  variable('output.frequency.nominal', 'UPS.Flow.[4].ConfigFrequency', '%.0f', { static: true }),

  // Instant commands
  command('load.off.delay', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  command('load.on.delay', `${PS}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  command('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
];

export const idowellSubdriver: Subdriver = {
  name: 'iDowell HID (upsagent)',
  matches: idowellMatches,
  table: TABLE,
  fixDescriptor: (descriptor, info) => {
    idowellFixDescriptor(descriptor, info);
  },
  formatStrings: defaultMfr('iDowell'),
};
