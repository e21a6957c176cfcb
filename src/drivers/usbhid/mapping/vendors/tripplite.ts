/**
 * Tripp Lite (USB vendor 09ae) and the HP T/R series it builds (03f0).
 * Facts from NUT's tripplite-hid.c: the product IDs it claims, each with
 * the scale its firmware gets wrong (battery voltage 10x too high on most
 * older models; the SMART1500LCDT's voltages, frequencies and currents all
 * off by decimal factors), the vendor usages (page 0xffff and four status
 * bits some OMNI1000LCD firmwares put on the wrong page), the watchdog.
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidDeviceInfo, HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import { formatFixed } from '../format';
import {
  awaitingPowerStatus,
  beeperStatus,
  boostStatus,
  chargingStatus,
  commFaultStatus,
  depletedStatus,
  dischargingStatus,
  functionLookup,
  fullyChargedStatus,
  kelvinToCelsius,
  lowBatteryStatus,
  onlineStatus,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  testRead,
  trimStatus,
  voltageRangeStatus,
} from '../lookups';
import { command, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';

export const TRIPPLITE_VENDOR_ID = 0x09ae;
export const HP_VENDOR_ID = 0x03f0;

/** How a model's firmware scales its readings: NUT multiplies them back. */
interface Scales {
  battery: number;
  voltage: number;
  frequency: number;
  current: number;
}

const UNSCALED: Scales = { battery: 1, voltage: 1, frequency: 1, current: 1 };
/** Battery voltage reported in tenths of a volt without saying so. */
const BATTERY_TENTHS: Scales = { ...UNSCALED, battery: 0.1 };
/** SMART1500LCDT (newer units): every electrical value off by a decimal factor. */
const SMART1500LCDT: Scales = { battery: 100000, voltage: 100000, frequency: 0.01, current: 0.01 };

/** The USB IDs tripplite-hid.c claims, with their scales. 0x0001 is not HID (tripplite_usb drives it). */
export const TRIPPLITE_DEVICES: ReadonlyArray<readonly [number, number, Scales]> = [
  [TRIPPLITE_VENDOR_ID, 0x1003, BATTERY_TENTHS], // AVR550U
  [TRIPPLITE_VENDOR_ID, 0x1007, BATTERY_TENTHS], // AVR750U
  [TRIPPLITE_VENDOR_ID, 0x1008, BATTERY_TENTHS], // ECO550UPS
  [TRIPPLITE_VENDOR_ID, 0x1009, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x1010, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x1330, UNSCALED], // SU3000LCD2UHV
  [TRIPPLITE_VENDOR_ID, 0x2005, BATTERY_TENTHS], // OMNI1000LCD
  [TRIPPLITE_VENDOR_ID, 0x2007, BATTERY_TENTHS], // OMNI900LCD
  [TRIPPLITE_VENDOR_ID, 0x2008, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x2009, BATTERY_TENTHS], // Smart1000LCD
  [TRIPPLITE_VENDOR_ID, 0x2010, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x2011, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x2012, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x2013, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x2014, BATTERY_TENTHS],
  [TRIPPLITE_VENDOR_ID, 0x3008, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3009, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3010, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3011, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3012, UNSCALED], // smart2200RMXL2U
  [TRIPPLITE_VENDOR_ID, 0x3013, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3014, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3015, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x3016, SMART1500LCDT], // Smart1500LCD (newer unit)
  [TRIPPLITE_VENDOR_ID, 0x4001, UNSCALED], // SmartOnline SU1500RTXL2UA (older unit?)
  [TRIPPLITE_VENDOR_ID, 0x4002, UNSCALED], // SmartOnline SU6000RT4U?
  [TRIPPLITE_VENDOR_ID, 0x4003, UNSCALED], // SmartOnline SU1500RTXL2ua
  [TRIPPLITE_VENDOR_ID, 0x4004, UNSCALED], // SmartOnline SU1000XLA
  [TRIPPLITE_VENDOR_ID, 0x4005, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x4006, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x4007, UNSCALED],
  [TRIPPLITE_VENDOR_ID, 0x4008, UNSCALED],
  [HP_VENDOR_ID, 0x0001, UNSCALED],
  [HP_VENDOR_ID, 0x1fe0, UNSCALED], // R1500 G2 and G3 INTL
  [HP_VENDOR_ID, 0x1fe1, UNSCALED], // T750 G2
  [HP_VENDOR_ID, 0x1fe2, UNSCALED],
  [HP_VENDOR_ID, 0x1fe3, UNSCALED], // T1500 G3
  [HP_VENDOR_ID, 0x1f06, UNSCALED], // T750 INTL
  [HP_VENDOR_ID, 0x1f08, UNSCALED], // T1000 INTL
  [HP_VENDOR_ID, 0x1f09, UNSCALED], // T1500 INTL
  [HP_VENDOR_ID, 0x1f0a, UNSCALED], // R/T 2200 INTL (like SMART2200RMXL2U)
];

function deviceEntry(info: HidDeviceInfo): (typeof TRIPPLITE_DEVICES)[number] | undefined {
  return TRIPPLITE_DEVICES.find(([v, p]) => info.vendorId === v && info.productId === p);
}

/** The scales for the device in hand (none for IDs outside the table). */
export function trippliteScales(info: HidDeviceInfo): Scales {
  return deviceEntry(info)?.[2] ?? UNSCALED;
}

/**
 * Tripp Lite's vendor usages. Two more exist in NUT's table, TLCharging
 * (0x00840044) and TLDischarging (0x00840045): some OMNI1000LCD firmwares
 * put their Charging / Discharging bits on the Power Device page by
 * mistake. Those usages are ConfigActivePower / ConfigPercentLoad in the
 * standard table (and HP units use the latter as such), so they are not
 * renamed here: their rows below use the standard names.
 */
export const TRIPPLITE_USAGES: Readonly<Record<string, number>> = {
  TLCustom: 0xffff0010,
  TLDelayBeforeStartup: 0xffff0056, // minutes
  TLLowVoltageTransferMax: 0xffff0057,
  TLLowVoltageTransferMin: 0xffff0058,
  TLHighVoltageTransferMax: 0xffff0059,
  TLHighVoltageTransferMin: 0xffff005a,
  OutletState: 0xffff007a,
  OutletCount: 0xffff007b,
  UPSFirmwareVersion: 0xffff007c,
  CommunicationProtocolVersion: 0xffff007d,
  CommunicationVersion: 0xffff007e,
  iUPSPartNumber: 0xffff007f,
  AutoOnDelay: 0xffff0080,
  TLWatchdog: 0xffff0092,
  TLOutletsAvailableMask: 0xffff0095,
  TLOutletsStatusMask: 0xffff0096,
  // OMNI1000LCD: Battery System bits on the Power Device page (no standard name there)
  TLNeedReplacement: 0x0084004b,
  TLACPresent: 0x008400d0,
};

/** A reading multiplied by one of the device's scales, one decimal. */
function scaled(which: keyof Scales): HidLookup {
  return functionLookup((value: number, ctx?: HidLookupContext) => {
    if (!Number.isFinite(value)) return undefined;
    const scale = ctx ? trippliteScales(ctx.info)[which] : 1;
    return formatFixed(scale * value, 1);
  });
}

const batteryVoltage = scaled('battery');
const ioVoltage = scaled('voltage');
const ioFrequency = scaled('frequency');
const ioCurrent = scaled('current');

const PS = 'UPS.PowerSummary';
const OUTLET = 'UPS.OutletSystem.Outlet';

const TABLE: readonly HidInfoEntry[] = [
  // Device
  variable('device.part', 'UPS.TLCustom.[1].iUPSPartNumber', stringIndex, { static: true }),

  // Battery
  variable('battery.charge', `${PS}.RemainingCapacity`),
  variable('battery.charge', 'UPS.BatterySystem.Battery.RemainingCapacity'),
  writable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { stringLength: 5 }),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.voltage.nominal', 'UPS.BatterySystem.Battery.ConfigVoltage', '%.1f', { static: true }),
  variable('battery.voltage', 'UPS.BatterySystem.Battery.Voltage', batteryVoltage),
  // The AVR550U (1003) and OMNI1000LCD (2005) give a wrong string index here; NUT shows "unknown"
  // for them, we show what that index reads (or nothing): string rows take no vendor conversion.
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('battery.temperature', 'UPS.BatterySystem.Temperature', kelvinToCelsius),

  // UPS
  serverVar('ups.delay.start', `${OUTLET}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.start', `${OUTLET}.TLDelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', `${OUTLET}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  timer('ups.timer.start', `${OUTLET}.DelayBeforeStartup`),
  timer('ups.timer.start', `${OUTLET}.TLDelayBeforeStartup`),
  timer('ups.timer.shutdown', `${OUTLET}.DelayBeforeShutdown`),
  timer('ups.timer.reboot', `${OUTLET}.DelayBeforeReboot`),
  variable('ups.test.result', 'UPS.BatterySystem.Test', testRead),
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, beeperStatus),
  variable('ups.power.nominal', 'UPS.Flow.ConfigApparentPower', '%.0f', { static: true }),
  variable('ups.power', `${OUTLET}.ActivePower`, '%.1f'),
  variable('ups.power', 'UPS.PowerConverter.Output.ActivePower', '%.1f'),
  variable('ups.load', `${OUTLET}.PercentLoad`),
  // A plain number (e.g. 262 on an HP T1500 G3); its encoding is not known.
  variable('ups.firmware', 'UPS.TLCustom.[1].UPSFirmwareVersion', '%.0f', { static: true }),
  // Seconds left before the watchdog reboots the UPS (0: disabled).
  variable('ups.watchdog.status', `${OUTLET}.TLWatchdog`),

  // ups.status
  status('commfault', `${PS}.PresentStatus.InternalFailure`, commFaultStatus),
  status('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, shutdownImminentStatus),
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('fullycharged', `${PS}.PresentStatus.FullyCharged`, fullyChargedStatus),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, chargingStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  quickStatus('depleted', `${PS}.PresentStatus.FullyDischarged`, depletedStatus),
  status('replacebatt', `${PS}.PresentStatus.NeedReplacement`, replaceBatteryStatus),
  // OMNI1000LCD firmwares with the bits on the Power Device page
  quickStatus('online', `${PS}.PresentStatus.TLACPresent`, onlineStatus),
  quickStatus('discharging', `${PS}.PresentStatus.ConfigPercentLoad`, dischargingStatus), // "TLDischarging"
  // HP units use that usage as meant: the nominal load
  variable('ups.load.nominal', 'UPS.Flow.ConfigPercentLoad'),
  quickStatus('charging', `${PS}.PresentStatus.ConfigActivePower`, chargingStatus), // "TLCharging"
  status('replacebatt', `${PS}.PresentStatus.TLNeedReplacement`, replaceBatteryStatus),
  status('vrange', 'UPS.PowerConverter.PresentStatus.VoltageOutOfRange', voltageRangeStatus),
  status('trim', 'UPS.PowerConverter.PresentStatus.Buck', trimStatus),
  status('boost', 'UPS.PowerConverter.PresentStatus.Boost', boostStatus),
  status('overload', 'UPS.PowerConverter.PresentStatus.Overload', overloadStatus),
  status('overheat', 'UPS.PowerConverter.PresentStatus.OverTemperature', overheatStatus),
  status('commfault', 'UPS.PowerConverter.PresentStatus.InternalFailure', commFaultStatus),
  status('awaitingpower', 'UPS.PowerConverter.PresentStatus.AwaitingPower', awaitingPowerStatus),

  // Input
  variable('input.voltage.nominal', `${PS}.Input.ConfigVoltage`, '%.0f', { static: true }),
  variable('input.voltage', `${PS}.Input.Voltage`, ioVoltage),
  variable('input.voltage', 'UPS.PowerConverter.Input.Voltage', ioVoltage),
  variable('input.frequency', 'UPS.PowerConverter.Input.Frequency', ioFrequency),
  writable('input.transfer.low', 'UPS.PowerConverter.Output.LowVoltageTransfer', '%.1f', { stringLength: 5 }),
  variable('input.transfer.low.max', 'UPS.PowerConverter.Output.TLLowVoltageTransferMax', '%.0f', { static: true }),
  variable('input.transfer.low.min', 'UPS.PowerConverter.Output.TLLowVoltageTransferMin', '%.0f', { static: true }),
  writable('input.transfer.high', 'UPS.PowerConverter.Output.HighVoltageTransfer', '%.1f', { stringLength: 5 }),
  variable('input.transfer.high.max', 'UPS.PowerConverter.Output.TLHighVoltageTransferMax', '%.0f', { static: true }),
  variable('input.transfer.high.min', 'UPS.PowerConverter.Output.TLHighVoltageTransferMin', '%.0f', { static: true }),

  // Output
  variable('output.voltage.nominal', 'UPS.Flow.ConfigVoltage', '%.0f', { static: true }),
  variable('output.voltage', 'UPS.PowerConverter.Output.Voltage', ioVoltage),
  variable('output.voltage', `${PS}.Voltage`, ioVoltage),
  variable('output.current', 'UPS.PowerConverter.Output.Current', ioCurrent),
  variable('output.frequency.nominal', 'UPS.Flow.ConfigFrequency', '%.0f', { static: true }),
  variable('output.frequency', 'UPS.PowerConverter.Output.Frequency', ioFrequency),

  // Instant commands
  command('test.battery.start.quick', 'UPS.BatterySystem.Test', 1), // reported to work on OMNI1000
  command('test.battery.start.deep', 'UPS.BatterySystem.Test', 2), // reported not to work
  command('test.battery.stop', 'UPS.BatterySystem.Test', 3), // reported not to work
  command('load.off.delay', `${OUTLET}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  command('load.on.delay', `${OUTLET}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  command('load.on.delay', `${OUTLET}.TLDelayBeforeStartup`, DEFAULT_ONDELAY),
  command('shutdown.stop', `${OUTLET}.DelayBeforeShutdown`, -1),
  command('shutdown.reboot', `${OUTLET}.DelayBeforeReboot`, 10),
  // The ECO550UPS has no DelayBeforeStartup: the watchdog reboots it instead.
  command('shutdown.reboot', `${OUTLET}.TLWatchdog`, 10),
  // Careful: the UPS reboots when this timer runs out.
  command('reset.watchdog', `${OUTLET}.TLWatchdog`, 60),
  command('beeper.on', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.off', `${PS}.AudibleAlarmControl`, 3),
  command('beeper.disable', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.enable', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.mute', `${PS}.AudibleAlarmControl`, 3),
];

export const trippliteSubdriver: Subdriver = {
  name: 'TrippLite HID (upsagent)',
  matches: (info: HidDeviceInfo) => deviceEntry(info) !== undefined,
  table: TABLE,
  usageNames: TRIPPLITE_USAGES,
  formatStrings: (_info, strings) => ({ mfr: strings.mfr, model: strings.model, serial: strings.serial }),
};
