/**
 * APC (USB vendor 051d): Back-UPS, Back-UPS ES/CS/RS, Smart-UPS with USB.
 * Facts from NUT's apc-hid.c; the table keeps NUT's row order, since the
 * first row the device supports wins for each variable.
 */
import type { HidDeviceInfo, HidInfoEntry, Subdriver } from '../../types';
import {
  beeperStatus,
  chargingStatus,
  dischargingStatus,
  enumLookup,
  functionLookup,
  hidDate,
  kelvinToCelsius,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  testRead,
  timeLimitExpiredStatus,
  toLong,
} from '../lookups';
import { command, delayCommands, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';

export const APC_VENDOR_ID = 0x051d;

/** Product IDs APC's subdriver claims: AP9584 serial-USB kit, most models, 5G models. */
const APC_PRODUCTS = [0x0000, 0x0002, 0x0003];

/** APC's vendor usages (page 0xff86 and a few on the standard pages). */
const APC_USAGES: Readonly<Record<string, number>> = {
  APCGeneralCollection: 0xff860005,
  APCEnvironment: 0xff860006,
  APCProbe1: 0xff860007,
  APCProbe2: 0xff860008,
  APCBattReplaceDate: 0xff860016,
  APCBattCapBeforeStartup: 0xff860019,
  APC_UPS_FirmwareRevision: 0xff860042,
  APCLineFailCause: 0xff860052,
  APCStatusFlag: 0xff860060,
  APCSensitivity: 0xff860061,
  APCPanelTest: 0xff860072,
  APCShutdownAfterDelay: 0xff860076,
  APC_USB_FirmwareRevision: 0xff860079,
  APCDelayBeforeReboot: 0xff86007c,
  APCDelayBeforeShutdown: 0xff86007d,
  APCDelayBeforeStartup: 0xff86007e,
  BUPHibernate: 0x00850058,
  BUPBattCapBeforeStartup: 0x00860012,
  BUPDelayBeforeStartup: 0x00860076,
  BUPSelfTest: 0x00860010,
};

/**
 * APC's battery dates are hex digits read as decimal: 0x102202 is
 * 2002/10/22 (month in bits 16-23, day 8-15, two-digit year 0-7; years from
 * 70 are 19xx). 0 is "not set".
 */
export const apcDate = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  if (v === 0) return 'not set';
  const bcd = (shift: number): number => ((v >> shift) & 0xf) + 10 * ((v >> (shift + 4)) & 0xf);
  const yy = bcd(0);
  const year = yy >= 70 ? 1900 + yy : 2000 + yy;
  return `${String(year).padStart(4, '0')}/${String(bcd(16)).padStart(2, '0')}/${String(bcd(8)).padStart(2, '0')}`;
});

/** APCStatusFlag, seen on a Back-UPS LS 500: 8 normal, 16 briefly at power-on; 0 means off. */
const apcStatusFlag = enumLookup([
  [8, '!off'],
  [16, '!off'],
  [0, 'off'],
]);

/** APCLineFailCause (last transfer to battery, codes from apcupsd): voltage causes... */
const apcLineFailVoltage = enumLookup([
  [1, 'vrange'], // low line voltage
  [2, 'vrange'], // high line voltage
  [4, 'vrange'], // notch, spike or blackout
  [8, 'vrange'], // notch or blackout
  [9, 'vrange'], // spike or blackout
  [0, '!vrange'], // no transfer yet
]);

/** ...and the frequency cause; mapped twice so either can clear. */
const apcLineFailFrequency = enumLookup([
  [7, 'frange'],
  [0, '!frange'],
]);

const apcSensitivity = enumLookup([
  [0, 'low'],
  [1, 'medium'],
  [2, 'high'],
]);

const TABLE: readonly HidInfoEntry[] = [
  // Battery
  variable('battery.charge', 'UPS.PowerSummary.RemainingCapacity'),
  writable('battery.charge.low', 'UPS.PowerSummary.RemainingCapacityLimit'),
  variable('battery.charge.warning', 'UPS.PowerSummary.WarningCapacityLimit'),
  variable('battery.runtime', 'UPS.Battery.RunTimeToEmpty'),
  variable('battery.runtime', 'UPS.PowerSummary.RunTimeToEmpty'),
  writable('battery.runtime.low', 'UPS.Battery.RemainingTimeLimit'),
  writable('battery.runtime.low', 'UPS.PowerSummary.RemainingTimeLimit'),
  variable('battery.voltage', 'UPS.Battery.Voltage', '%.1f'),
  variable('battery.voltage', 'UPS.PowerSummary.Voltage', '%.1f'),
  variable('battery.voltage.nominal', 'UPS.Battery.ConfigVoltage', '%.1f'),
  variable('battery.voltage.nominal', 'UPS.PowerSummary.ConfigVoltage', '%.1f'), // Back-UPS 500
  variable('battery.temperature', 'UPS.Battery.Temperature', kelvinToCelsius),
  variable('battery.type', 'UPS.PowerSummary.iDeviceChemistry', stringIndex),
  variable('battery.mfr.date', 'UPS.Battery.ManufacturerDate', hidDate),
  variable('battery.mfr.date', 'UPS.PowerSummary.APCBattReplaceDate', apcDate), // Back-UPS 500, ES/CyberFort 500
  variable('battery.date', 'UPS.Battery.APCBattReplaceDate', apcDate),

  // UPS
  variable('ups.load', 'UPS.Output.PercentLoad', '%.1f'),
  variable('ups.load', 'UPS.PowerConverter.PercentLoad'),
  // Power Device Class delays
  serverVar('ups.delay.start', 'UPS.PowerSummary.DelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.PowerSummary.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  timer('ups.timer.start', 'UPS.PowerSummary.DelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.PowerSummary.DelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.PowerSummary.DelayBeforeReboot'),
  // Smart-UPS RM
  serverVar('ups.delay.start', 'UPS.Output.DelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.Output.DelayBeforeShutdown', DEFAULT_OFFDELAY),
  timer('ups.timer.start', 'UPS.Output.DelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.Output.DelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.Output.DelayBeforeReboot'),
  // Back-UPS ES
  serverVar('ups.delay.start', 'UPS.APCGeneralCollection.APCDelayBeforeStartup', DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', 'UPS.APCGeneralCollection.APCDelayBeforeShutdown', DEFAULT_OFFDELAY),
  timer('ups.timer.start', 'UPS.APCGeneralCollection.APCDelayBeforeStartup'),
  timer('ups.timer.shutdown', 'UPS.APCGeneralCollection.APCDelayBeforeShutdown'),
  timer('ups.timer.reboot', 'UPS.APCGeneralCollection.APCDelayBeforeReboot'),
  variable('ups.test.result', 'UPS.Battery.Test', testRead),
  variable('ups.beeper.status', 'UPS.PowerSummary.AudibleAlarmControl', beeperStatus),
  variable('ups.mfr.date', 'UPS.ManufacturerDate', hidDate),
  variable('ups.mfr.date', 'UPS.PowerSummary.ManufacturerDate', hidDate), // Back-UPS 500
  variable('ups.realpower.nominal', 'UPS.PowerConverter.ConfigActivePower'),
  variable('ups.realpower.nominal', 'UPS.Output.ConfigActivePower'),

  // ups.status
  quickStatus('online', 'UPS.PowerSummary.PresentStatus.ACPresent', onlineStatus),
  quickStatus('discharging', 'UPS.PowerSummary.PresentStatus.Discharging', dischargingStatus),
  quickStatus('charging', 'UPS.PowerSummary.PresentStatus.Charging', chargingStatus),
  status('shutdownimm', 'UPS.PowerSummary.PresentStatus.ShutdownImminent', shutdownImminentStatus),
  quickStatus('lowbatt', 'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit', lowBatteryStatus),
  status('overload', 'UPS.PowerSummary.PresentStatus.Overload', overloadStatus),
  status('replacebatt', 'UPS.PowerSummary.PresentStatus.NeedReplacement', replaceBatteryStatus),
  status('timelimitexpired', 'UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired', timeLimitExpiredStatus),
  status('nobattery', 'UPS.PowerSummary.PresentStatus.BatteryPresent', noBatteryStatus),
  // Back-UPS 500 has the bits directly under PowerSummary
  quickStatus('charging', 'UPS.PowerSummary.Charging', chargingStatus),
  quickStatus('discharging', 'UPS.PowerSummary.Discharging', dischargingStatus),
  quickStatus('online', 'UPS.PowerSummary.ACPresent', onlineStatus),
  quickStatus('lowbatt', 'UPS.PowerSummary.BelowRemainingCapacityLimit', lowBatteryStatus),
  status('shutdownimm', 'UPS.PowerSummary.ShutdownImminent', shutdownImminentStatus),
  quickStatus('off', 'UPS.PowerSummary.APCStatusFlag', apcStatusFlag), // Back-UPS LS 500
  // input.transfer.reason
  status('vrange', 'UPS.Input.APCLineFailCause', apcLineFailVoltage),
  status('frange', 'UPS.Input.APCLineFailCause', apcLineFailFrequency),

  // Input
  variable('input.voltage', 'UPS.Input.Voltage', '%.1f'),
  variable('input.voltage.nominal', 'UPS.Input.ConfigVoltage'),
  writable('input.transfer.low', 'UPS.Output.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Output.HighVoltageTransfer'),
  // Back-UPS RS
  writable('input.transfer.low', 'UPS.Input.LowVoltageTransfer'),
  writable('input.transfer.high', 'UPS.Input.HighVoltageTransfer'),
  writable('input.sensitivity', 'UPS.Input.APCSensitivity', apcSensitivity),

  // Output
  variable('output.voltage', 'UPS.Output.Voltage', '%.1f'),
  variable('output.voltage.nominal', 'UPS.Output.ConfigVoltage', '%.1f'),
  variable('output.current', 'UPS.Output.Current', '%.2f'),
  variable('output.frequency', 'UPS.Output.Frequency', '%.1f'),

  // Environment probe
  variable('ambient.temperature', 'UPS.APCEnvironment.APCProbe1.Temperature', kelvinToCelsius),
  variable('ambient.humidity', 'UPS.APCEnvironment.APCProbe1.Humidity', '%.1f'),

  // Instant commands
  command('test.battery.start.quick', 'UPS.BatterySystem.Battery.Test', 1),
  command('test.battery.start.quick', 'UPS.Battery.Test', 1), // Back-UPS RS
  command('test.battery.start.deep', 'UPS.BatterySystem.Battery.Test', 2),
  command('test.battery.start.deep', 'UPS.Battery.Test', 2),
  command('test.battery.stop', 'UPS.BatterySystem.Battery.Test', 3),
  command('test.battery.stop', 'UPS.Battery.Test', 3),
  command('test.panel.start', 'UPS.APCPanelTest', 1),
  command('test.panel.stop', 'UPS.APCPanelTest', 0),
  command('test.panel.start', 'UPS.PowerSummary.APCPanelTest', 1), // Back-UPS 500
  command('test.panel.stop', 'UPS.PowerSummary.APCPanelTest', 0),
  // Power Device Class delays
  ...delayCommands('UPS.PowerSummary.'),
  // Smart-UPS RM
  ...delayCommands('UPS.Output.'),
  // Back-UPS ES
  ...delayCommands('UPS.APCGeneralCollection.APC'),
  // Back-UPS CS
  command('shutdown.return', 'UPS.Output.APCDelayBeforeReboot', 1),
  // beeper.on/off are the old names of enable/disable; the engine maps them
  command('beeper.on', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.off', 'UPS.PowerSummary.AudibleAlarmControl', 3),
  command('beeper.enable', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.disable', 'UPS.PowerSummary.AudibleAlarmControl', 1),
  command('beeper.mute', 'UPS.PowerSummary.AudibleAlarmControl', 3),
];

/**
 * APC puts the firmware in the product string: "Back-UPS 500 FW: 6.5.I USB
 * FW: c1 " gives model "Back-UPS 500", ups.firmware " 6.5.I" and
 * ups.firmware.aux " c1 " (NUT keeps the spaces around them).
 */
export function apcSplitProduct(product: string | undefined): { model: string; vars: Record<string, string> } {
  const text = product ?? 'unknown';
  const vars: Record<string, string> = {};
  const fw = text.indexOf('FW:');
  if (fw < 0) return { model: text, vars };
  // NUT cuts one character before "FW:" (the separating space).
  const model = text.slice(0, Math.max(fw - 1, 0));
  let firmware = text.slice(fw + 3);
  const usb = firmware.indexOf('USB FW:');
  if (usb >= 0) {
    vars['ups.firmware.aux'] = firmware.slice(usb + 'USB FW:'.length);
    firmware = firmware.slice(0, Math.max(usb - 1, 0));
  }
  vars['ups.firmware'] = firmware;
  return { model, vars };
}

/**
 * usbhid-ups' default for lbrb_log_delay_sec when the option is not given:
 * 3 seconds for the APC models known to flash LB / RB / "all fine" within
 * seconds (Back-UPS BXnnnnMI, BVKnnnnM2 and the China-market BKnnnM2-CH,
 * reported from 2023 on), 0 for every other device. NUT decides it from the
 * USB manufacturer and product strings, whichever subdriver drives the unit.
 */
export function apcLbrbDefaultDelaySec(info: Pick<HidDeviceInfo, 'manufacturer' | 'product'>): number {
  const vendor = info.manufacturer;
  const product = info.product ?? '';
  const len = product.length;
  if (len === 0 || (vendor !== 'APC' && vendor !== 'American Power Conversion')) return 0;
  const named = (prefix: string): boolean => product.includes(` ${prefix}`) || product.startsWith(prefix);
  const at = (fromEnd: number): string => product.charAt(len - fromEnd);
  const bx = len > 6 && named('BX') && at(2) === 'M' && at(1) === 'I';
  const bvk = len > 7 && named('BVK') && at(2) === 'M' && at(1) === '2';
  const bk = len > 9 && named('BK') && at(5) === 'M' && at(4) === '2' && (at(3) === '-' || at(3) === '_') && at(2) === 'C' && at(1) === 'H';
  return bx || bvk || bk ? 3 : 0;
}

export const apcSubdriver: Subdriver = {
  name: 'APC HID 0.100',
  matches: (info: HidDeviceInfo) => info.vendorId === APC_VENDOR_ID && APC_PRODUCTS.includes(info.productId),
  table: TABLE,
  usageNames: APC_USAGES,
  formatStrings(info, strings) {
    const { model, vars } = apcSplitProduct(strings.model);
    return { mfr: strings.mfr ?? 'APC', model, serial: strings.serial, vars };
  },
};
