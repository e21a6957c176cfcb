/**
 * EVER UPSes (USB vendor 2e51, products 0000 and ffff; also 0483:a113, a
 * STMicroelectronics ID that ST delegates to OEMs): ECO PRO AVR CDS and
 * others. Facts from NUT's ever-hid.c (Ever HID 0.x):
 *
 * - Most data sits in one vendor collection, "EVER1" (usage 0), on page
 *   0xff00; NUT names those usages EVER1..EVER104 in order, without
 *   knowing most of their meanings. Readings NUT has no names for are
 *   published as experimental.*.
 * - Status bits come from three bit groups of that collection: EVER18
 *   (messages: overload, low battery, boost, buck, ..., charging, ...,
 *   replace battery), EVER32 (alarms: overload, ..., internal
 *   communication lost, ...) and EVER97 (the work mode, one bit per mode:
 *   unknown, stop, online, on battery, watch, waiting, emergency). NUT
 *   prints each group as text by reading its report's bytes whole; our
 *   lookups see one field at a time, so the bits are gathered from their
 *   fields first (bit n is the group's n-th usage) and composed after.
 * - The UPS is "off" unless its work mode is online or on battery.
 *
 * - The network card's MAC address (report 210), IP addresses (211
 *   notification destination, 230 address, 231 mask, 232 gateway) and
 *   packet counters (215-218, 32-bit little-endian) are printed from their
 *   reports' bytes, read whole. NUT picks the IP and counter reports with a
 *   counter that steps on each call, which gives each row its own report
 *   when the device has all four; here each row always reads its own. The
 *   reports are asked for at their natural length (ID byte, then 6 bytes
 *   for the MAC, 4 for the others).
 *
 * Row order is NUT's (the first row the device supports wins), except that
 * the bit groups are gathered before the rows that read them.
 */
import type { HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import {
  awaitingPowerStatus,
  boostStatus,
  chargingStatus,
  commFaultStatus,
  dischargingStatus,
  functionLookup,
  kelvinToCelsius,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  overheatStatus,
  overloadStatus,
  rawReportLookup,
  replaceBatteryStatus,
  shutdownImminentStatus,
  toLong,
  trimStatus,
  yesNo,
} from '../lookups';
import { command, DEFAULT_OFFDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const EVER_VENDOR_ID = 0x2e51;
export const STMICRO_VENDOR_ID = 0x0483;

/** The USB IDs ever-hid.c claims. (CyberPower's subdriver has another STMicro product, a430.) */
export const EVER_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [STMICRO_VENDOR_ID, 0xa113],
  [EVER_VENDOR_ID, 0xffff],
  [EVER_VENDOR_ID, 0x0000],
];

/** EVER1..EVER104: runs of consecutive usages, [first usage, count]. */
const EVER_USAGE_RUNS: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 1],
  [0xff000000, 10],
  [0xff000010, 20],
  [0xff000030, 10],
  [0xff000040, 7],
  [0xff000050, 5],
  [0xff000060, 5],
  [0xff000066, 38],
  [0xff000090, 8],
];

/** Ever's usages as NUT names them: EVER1 = 0x00000000, EVER2 = 0xff000000, ... EVER104 = 0xff000097. */
export const EVER_USAGES: Readonly<Record<string, number>> = Object.fromEntries(
  EVER_USAGE_RUNS.flatMap(([first, count]) => Array.from({ length: count }, (_, i) => first + i)).map((usage, i) => [`EVER${i + 1}`, usage]),
);

// ------------------------------------------------------------ conversions

/** Firmware and protocol versions: v<bits 12-15>.<bits 8-11>b<bits 0-7>, hex digits then two decimals. */
export const everVersion: HidLookup = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  const hex = (n: number): string => n.toString(16).toUpperCase();
  return `v${hex((v & 0xf000) >> 12)}.${hex((v & 0x0f00) >> 8)}b${String(v & 0xff).padStart(2, '0')}`;
});

/** Hardware revision: a letter from bits 8-15 (0, A..Z), two decimals from bits 0-7. */
export const everHardware: HidLookup = functionLookup((value) => {
  const v = toLong(value);
  if (v === undefined) return undefined;
  const rev = (v & 0xff00) >> 8;
  if (rev > 26) return undefined;
  const letter = rev === 0 ? '0' : String.fromCharCode(0x40 + rev);
  return `rev.${letter}v${String(v & 0xff).padStart(2, '0')}`;
});

/** The MAC address in a report's bytes after the ID: hex pairs joined by colons. */
export function everMac(reportId: number): HidLookup {
  return rawReportLookup({ reportId, length: 7 }, (bytes) => [...bytes.subarray(1)].map((b) => b.toString(16).padStart(2, '0')).join(':'));
}

/** An IPv4 address in a report's bytes after the ID, dotted decimal. */
export function everIp(reportId: number): HidLookup {
  return rawReportLookup({ reportId, length: 5 }, (bytes) => [...bytes.subarray(1)].map(String).join('.'));
}

/** A packet counter: the 32-bit little-endian signed number after the ID; empty text when the report is shorter. */
export function everPackets(reportId: number): HidLookup {
  return rawReportLookup({ reportId, length: 5 }, (bytes) => {
    if (bytes.length < 5) return '';
    const b = (i: number): number => bytes[i] as number;
    return String((b(1) | (b(2) << 8) | (b(3) << 16) | (b(4) << 24)) | 0);
  });
}

// ------------------------------------------------------------ bit groups

/**
 * One bit group: its fields, lowest bit first. Each field's value is kept
 * in the mapper's memo as the pass reaches it (a wider field counts from
 * its own bit up), so rows after the group see the whole word.
 */
interface BitGroup {
  readonly key: string;
  readonly paths: readonly string[];
}

function bitGroup(key: string, collection: string, first: number, count: number): BitGroup {
  return { key, paths: Array.from({ length: count }, (_, i) => `${collection}.EVER${first + i}`) };
}

function bitsOf(ctx: HidLookupContext, group: BitGroup): Map<number, number> {
  let bits = ctx.memo.get(group.key) as Map<number, number> | undefined;
  if (!bits) {
    bits = new Map();
    ctx.memo.set(group.key, bits);
  }
  return bits;
}

/** The group's word from the bits seen so far; undefined before any. */
function wordOf(ctx: HidLookupContext | undefined, group: BitGroup): number | undefined {
  const bits = ctx?.memo.get(group.key) as Map<number, number> | undefined;
  if (!bits || bits.size === 0) return undefined;
  let word = 0;
  for (const [bit, v] of bits) word |= v << bit;
  return word;
}

/**
 * Rows that record the group's fields for `nut` and publish nothing (a row
 * that publishes nothing gives way to the next row for the same variable),
 * then the row at `at` that publishes the composed text.
 */
function groupRows(nut: string, group: BitGroup, at: string, compose: (word: number) => string | undefined): HidInfoEntry[] {
  const collectors = group.paths.map((path, bit) =>
    variable(
      nut,
      path,
      functionLookup((value, ctx) => {
        const v = toLong(value);
        if (v !== undefined && ctx) bitsOf(ctx, group).set(bit, v & 0xffff);
        return undefined;
      }),
    ),
  );
  const composer = variable(
    nut,
    at,
    functionLookup((_value, ctx) => {
      const word = wordOf(ctx, group);
      return word === undefined ? undefined : compose(word);
    }),
  );
  return [...collectors, composer];
}

/** The names of the bits set in `word`, space separated (empty when none). */
function bitNames(word: number, names: ReadonlyArray<readonly [number, string]>): string {
  return names
    .filter(([mask]) => (word & mask) !== 0)
    .map(([, name]) => name)
    .join(' ');
}

const C = 'UPS.EVER1';
const WORKMODE = bitGroup('ever.workmode', `${C}.EVER97`, 98, 7);
const MESSAGES = bitGroup('ever.messages', `${C}.EVER18`, 19, 13);
const ALARMS = bitGroup('ever.alarms', `${C}.EVER32`, 33, 9);

const WORKMODES: ReadonlyMap<number, string> = new Map([
  [1, 'UNKNOWN'],
  [2, 'STOP'],
  [4, 'ONLINE'],
  [8, 'ONBATTERY'],
  [16, 'WATCH'],
  [32, 'WAITING'],
  [64, 'EMERGENCY'],
]);

// Overload and low battery (bits 0x01, 0x02) are left out: ups.status shows them.
// The names are spelled as NUT publishes them.
const MESSAGE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x0004, 'BOOST'],
  [0x0008, 'BUCK'],
  [0x0010, 'BOOST_BLOCKED'],
  [0x0020, 'BUCK_BLOCKED'],
  [0x0040, 'CHARGING'],
  [0x0080, 'FAN_ON'],
  [0x0100, 'EPO_BLOCKED'],
  [0x0200, 'NEED_REPLACMENT'],
  [0x0c00, 'OVERHEAT'],
  [0x1000, 'WAITING_FOR_MIN_CHARGE'],
  [0x2000, 'MAINS_OUT_OF_RANGE'], // beyond the 13 usages of the group: never seen here
];

const ALARM_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x0001, 'OVERLOAD'],
  [0x0002, 'SHORT-CIRCUIT'],
  [0x000c, 'OVERHEAT'],
  [0x0010, 'EPO'],
  [0x0020, 'INERNAL_ERROR'],
  [0x0040, 'REVERSE_POWER_SUPPLY'],
  [0x0080, 'NO_INETERNAL_COMM'],
  [0x0100, 'CRITICAL_BATT_VOLTAGE'],
];

/** The work mode decides "off": anything but online (4) or on battery (8). */
const everOff: HidLookup = functionLookup((_value, ctx) => {
  const word = wordOf(ctx, WORKMODE);
  if (word === undefined) return undefined;
  return word === 4 || word === 8 ? '!off' : 'off';
});

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const CONV = 'UPS.PowerConverter';
const OUTLET = 'UPS.OutletSystem.Outlet';

/** A writable number (NUT: ST_FLAG_RW | ST_FLAG_NUMBER). */
const number = (nut: string, path: string): HidInfoEntry => variable(nut, path, '%.0f', { rw: true });

const TABLE: readonly HidInfoEntry[] = [
  // Identifiers of the battery system's parts
  variable('experimental.battery.batteryid', 'UPS.BatterySystem.Battery.BatteryID'),
  variable('experimental.battery.systemid', 'UPS.BatterySystem.BatterySystemID'),
  variable('experimental.battery.chargerid', 'UPS.BatterySystem.Charger.ChargerID'),
  variable('experimental.battery.input_flowid', 'UPS.BatterySystem.Input.FlowID'),
  variable('experimental.battery.input_id', 'UPS.BatterySystem.Input.InputID'),
  variable('experimental.battery.output_flowid', 'UPS.BatterySystem.Output.FlowID'),
  variable('experimental.battery.output_id', 'UPS.BatterySystem.Output.OutputID'),

  // Firmware, hardware and protocol versions
  variable('experimental.id.firmware_version_inverter', `${C}.EVER13`, everVersion),
  variable('experimental.id.firmware_version_interfaces', `${C}.EVER14`, everVersion),
  variable('experimental.id.hardware_version', `${C}.EVER15`, everHardware),
  variable('experimental.id.protocol_version_inverter', `${C}.EVER16`, everVersion),
  variable('experimental.id.protocol_version_interfaces', `${C}.EVER17`, everVersion),

  // Inverter: heatsink and battery temperatures, output power factor
  variable('ups.temperature', `${C}.EVER42`, kelvinToCelsius),
  variable('battery.temperature', `${C}.EVER43`, kelvinToCelsius),
  variable('output.powerfactor', `${C}.EVER44`),

  // Controls (NUT publishes them as writable numbers)
  number('experimental.control.ups_on', `${C}.EVER45.EVER46`),
  number('experimental.control.clear_fault', `${C}.EVER45.EVER47`),
  number('experimental.control.clear_battery_fault', `${C}.EVER45.EVER48`),
  number('experimental.control.epo_blocked', `${C}.EVER49.EVER50`),
  number('experimental.control.green_mode', `${C}.EVER49.EVER51`),
  number('experimental.control.button_sound', `${C}.EVER49.EVER52`),
  number('experimental.control.audible_alarm', `${C}.EVER49.EVER53`),

  // Settings
  writable('output.voltage', `${C}.EVER54`, '%.0f', { stringLength: 3 }),
  writable('experimental.config.overload_clearance_threshold', `${C}.EVER59`, '%.0f', { stringLength: 2 }),
  writable('experimental.config.stb_charge', `${C}.EVER60`, '%.0f', { stringLength: 2 }),
  writable('battery.packs.external', `${C}.EVER61`, '%.0f', { stringLength: 1 }),

  // Statistics
  variable('experimental.statistics.mains_loss_counter', `${C}.EVER62`),
  variable('experimental.statistics.lowering_AVR_trigger_counter', `${C}.EVER63`),
  variable('experimental.statistics.rising_AVR_trigger_counter', `${C}.EVER64`),
  variable('experimental.statistics.overload_counter', `${C}.EVER65`),
  variable('experimental.statistics.short_circuit_counter', `${C}.EVER66`),
  variable('experimental.statistics.discharge_counter', `${C}.EVER67`),
  variable('experimental.statistics.overheat_counter', `${C}.EVER68`),
  variable('experimental.statistics.mains_operation_time', `${C}.EVER69`),
  variable('experimental.statistics.autonomous_operation_time', `${C}.EVER70`),
  variable('experimental.statistics.overload_operation_time', `${C}.EVER71`),

  // Network card
  variable('experimental.networkcard.mac_address', `${C}.EVER72`, everMac(210)),
  variable('experimental.networkcard.notification_destination_ip', `${C}.EVER73`, everIp(211)),
  variable('experimental.networkcard.send_packets', `${C}.EVER77`, everPackets(215)),
  variable('experimental.networkcard.received_packets', `${C}.EVER78`, everPackets(216)),
  variable('experimental.networkcard.send_packets_err', `${C}.EVER79`, everPackets(217)),
  variable('experimental.networkcard.received_packets_err', `${C}.EVER80`, everPackets(218)),
  variable('experimental.networkcard.config_dhcp_enabled', `${C}.EVER85.EVER86`),
  variable('experimental.networkcard.config_ethernet_enabled', `${C}.EVER85.EVER87`),
  variable('experimental.networkcard.config_http_enabled', `${C}.EVER85.EVER88`),
  variable('experimental.networkcard.config_snmp_enabled', `${C}.EVER85.EVER89`),
  variable('experimental.networkcard.config_snmp_trap_enabled', `${C}.EVER85.EVER90`),
  variable('experimental.networkcard.config_readonly', `${C}.EVER85.EVER91`),
  variable('experimental.networkcard.config_restart_eth', `${C}.EVER85.EVER96`),
  variable('experimental.networkcard.ip_address', `${C}.EVER93`, everIp(230)),
  variable('experimental.networkcard.network_mask', `${C}.EVER94`, everIp(231)),
  variable('experimental.networkcard.default_gateway', `${C}.EVER95`, everIp(232)),

  // Ratings
  variable('ups.realpower.nominal', 'UPS.Flow.ConfigActivePower'),
  variable('ups.power.nominal', 'UPS.Flow.ConfigApparentPower'),
  variable('output.frequency.nominal', 'UPS.Flow.ConfigFrequency'),
  variable('output.voltage.nominal', 'UPS.Flow.ConfigVoltage'),
  variable('experimental.ups.flow_id', 'UPS.Flow.FlowID'),

  // The outlet (NUT numbers it 1)
  variable('outlet.1.id', `${OUTLET}.OutletID`),
  variable('experimental.outlet.1.present', `${OUTLET}.PresentStatus.Present`, yesNo),
  variable('outlet.1.switchable', `${OUTLET}.PresentStatus.Switchable`, yesNo),
  variable('outlet.1.status', `${OUTLET}.PresentStatus.SwitchOn/Off`),
  variable('experimental.outlet.1.undefined', `${OUTLET}.PresentStatus.Undefined`),
  variable('experimental.outlet.1.system_id', 'UPS.OutletSystem.OutletSystemID'),
  number('experimental.outlet.1.switch_off_control', `${OUTLET}.SwitchOffControl`),
  number('experimental.outlet.1.switch_on_control', `${OUTLET}.SwitchOnControl`),

  // Power converter
  variable('experimental.powerconverter.input_flow_id', `${CONV}.Input.FlowID`),
  variable('input.frequency', `${CONV}.Input.Frequency`),
  variable('experimental.powerconverter.input_id', `${CONV}.Input.InputID`),
  variable('input.voltage', `${CONV}.Input.Voltage`),
  variable('ups.realpower', `${CONV}.Output.ActivePower`),
  variable('ups.power', `${CONV}.Output.ApparentPower`),
  variable('output.current', `${CONV}.Output.Current`),
  variable('experimental.powerconverter.output_flowid', `${CONV}.Output.FlowID`),
  variable('output.frequency', `${CONV}.Output.Frequency`),
  variable('experimental.powerconverter.output_id', `${CONV}.Output.OutputID`),
  variable('ups.load', `${CONV}.Output.PercentLoad`),
  variable('output.voltage', `${CONV}.Output.Voltage`),
  variable('experimental.powerconverter.powerconverterid', `${CONV}.PowerConverterID`),

  // Power summary
  variable('experimental.powersummary.capacity_granularity_1', `${PS}.CapacityGranularity1`),
  variable('experimental.powersummary.capacity_granularity_2', `${PS}.CapacityGranularity2`),
  variable('experimental.powersummary.capacity_mode', `${PS}.CapacityMode`),
  serverVar('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  variable('battery.capacity', `${PS}.DesignCapacity`),
  variable('experimental.powersummary.flow_id', `${PS}.FlowID`),
  variable('battery.capacity', `${PS}.FullChargeCapacity`),
  // The chemistry's string index, published as the number NUT shows.
  variable('battery.type', `${PS}.iDeviceChemistry`),
  variable('ups.load', `${PS}.PercentLoad`),
  variable('experimental.powersummary.rechargeable', `${PS}.Rechargeable`),
  variable('battery.charge', `${PS}.RemainingCapacity`),
  number('battery.runtime.low', `${PS}.RemainingTimeLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  variable('battery.voltage', `${PS}.Voltage`),
  timer('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`),

  // ups.status from PresentStatus
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  quickStatus('awaitingpower', `${PS}.PresentStatus.AwaitingPower`, awaitingPowerStatus),
  status('nobattery', `${PS}.PresentStatus.BatteryPresent`, noBatteryStatus),
  status('commfault', `${PS}.PresentStatus.CommunicationLost`, commFaultStatus),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, dischargingStatus),
  status('replacebatt', `${PS}.PresentStatus.NeedReplacement`, replaceBatteryStatus),
  quickStatus('overload', `${PS}.PresentStatus.Overload`, overloadStatus),
  status('overheat', `${PS}.PresentStatus.OverTemperature`, overheatStatus),
  status('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, shutdownImminentStatus),

  // ...and from Ever's bit groups
  status('overload', `${C}.EVER18.EVER19`, overloadStatus),
  status('lowbatt', `${C}.EVER18.EVER20`, lowBatteryStatus),
  status('boost', `${C}.EVER18.EVER21`, boostStatus),
  status('trim', `${C}.EVER18.EVER22`, trimStatus),
  status('charging', `${C}.EVER18.EVER25`, chargingStatus),
  status('replacebatt', `${C}.EVER18.EVER28`, replaceBatteryStatus),
  status('overload', `${C}.EVER32.EVER33`, overloadStatus),
  status('commfault', `${C}.EVER32.EVER40`, commFaultStatus),

  // Work mode, messages and alarms as text; "off" from the work mode
  ...groupRows('experimental.status.workmode', WORKMODE, `${C}.EVER97.EVER98`, (word) => WORKMODES.get(word) ?? 'UNKNOWN'),
  status('off', `${C}.EVER97.EVER102`, everOff),
  ...groupRows('experimental.status.messages', MESSAGES, `${C}.EVER18.EVER28`, (word) => bitNames(word, MESSAGE_NAMES)),
  ...groupRows('experimental.status.alarms', ALARMS, `${C}.EVER32.EVER33`, (word) => bitNames(word, ALARM_NAMES)),

  // Instant commands. NUT maps shutdown.return to the same delay as load.off.delay.
  command('load.off.delay', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  command('shutdown.return', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
];

export const everSubdriver: Subdriver = {
  name: 'Ever HID (upsagent)',
  matches: claims(EVER_DEVICES),
  table: TABLE,
  usageNames: EVER_USAGES,
  formatStrings: defaultMfr('Ever'),
};
