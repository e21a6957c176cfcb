/**
 * Usage names for HID paths, as NUT's usbhid-ups prints them.
 *
 * A usage is 32 bits: page << 16 | id. Only the Power Device page (0x84) and
 * the Battery System page (0x85) are named here (the generic table every NUT
 * HID subdriver shares); vendor pages (APC's 0xff86, ...) belong to the
 * subdriver tables and are passed in as `extra`. A usage nobody names prints
 * as 8 lowercase hex digits, e.g. `ff860060`.
 */

/** Extra usage names (a subdriver's vendor table); consulted before the generic one. */
export type UsageNames = ReadonlyMap<number, string>;

/**
 * Path nodes NUT inserts for a collection whose type is vendor defined
 * (0x80..0xff): 0x00ff0000 | (type & 0x7f), printed `[n]`.
 */
export const INDEX_NODE = 0x00ff0000;

const POWER_DEVICE: ReadonlyArray<readonly [number, string]> = [
  [0x00, 'Undefined'],
  [0x01, 'iName'],
  [0x02, 'PresentStatus'],
  [0x03, 'ChangedStatus'],
  [0x04, 'UPS'],
  [0x05, 'PowerSupply'],
  [0x10, 'BatterySystem'],
  [0x11, 'BatterySystemID'],
  [0x12, 'Battery'],
  [0x13, 'BatteryID'],
  [0x14, 'Charger'],
  [0x15, 'ChargerID'],
  [0x16, 'PowerConverter'],
  [0x17, 'PowerConverterID'],
  [0x18, 'OutletSystem'],
  [0x19, 'OutletSystemID'],
  [0x1a, 'Input'],
  [0x1b, 'InputID'],
  [0x1c, 'Output'],
  [0x1d, 'OutputID'],
  [0x1e, 'Flow'],
  [0x1f, 'FlowID'],
  [0x20, 'Outlet'],
  [0x21, 'OutletID'],
  [0x22, 'Gang'],
  [0x23, 'GangID'],
  [0x24, 'PowerSummary'],
  [0x25, 'PowerSummaryID'],
  [0x30, 'Voltage'],
  [0x31, 'Current'],
  [0x32, 'Frequency'],
  [0x33, 'ApparentPower'],
  [0x34, 'ActivePower'],
  [0x35, 'PercentLoad'],
  [0x36, 'Temperature'],
  [0x37, 'Humidity'],
  [0x38, 'BadCount'],
  [0x40, 'ConfigVoltage'],
  [0x41, 'ConfigCurrent'],
  [0x42, 'ConfigFrequency'],
  [0x43, 'ConfigApparentPower'],
  [0x44, 'ConfigActivePower'],
  [0x45, 'ConfigPercentLoad'],
  [0x46, 'ConfigTemperature'],
  [0x47, 'ConfigHumidity'],
  [0x50, 'SwitchOnControl'],
  [0x51, 'SwitchOffControl'],
  [0x52, 'ToggleControl'],
  [0x53, 'LowVoltageTransfer'],
  [0x54, 'HighVoltageTransfer'],
  [0x55, 'DelayBeforeReboot'],
  [0x56, 'DelayBeforeStartup'],
  [0x57, 'DelayBeforeShutdown'],
  [0x58, 'Test'],
  [0x59, 'ModuleReset'],
  [0x5a, 'AudibleAlarmControl'],
  [0x60, 'Present'],
  [0x61, 'Good'],
  [0x62, 'InternalFailure'],
  [0x63, 'VoltageOutOfRange'],
  [0x64, 'FrequencyOutOfRange'],
  // The specification spells it "Overload" (not "OverLoad"); NUT follows it.
  [0x65, 'Overload'],
  [0x66, 'OverCharged'],
  [0x67, 'OverTemperature'],
  [0x68, 'ShutdownRequested'],
  [0x69, 'ShutdownImminent'],
  [0x6b, 'SwitchOn/Off'],
  [0x6c, 'Switchable'],
  [0x6d, 'Used'],
  [0x6e, 'Boost'],
  [0x6f, 'Buck'],
  [0x70, 'Initialized'],
  [0x71, 'Tested'],
  [0x72, 'AwaitingPower'],
  [0x73, 'CommunicationLost'],
  [0xfd, 'iManufacturer'],
  [0xfe, 'iProduct'],
  [0xff, 'iSerialNumber'],
];

const BATTERY_SYSTEM: ReadonlyArray<readonly [number, string]> = [
  [0x00, 'Undefined'],
  [0x01, 'SMBBatteryMode'],
  [0x02, 'SMBBatteryStatus'],
  [0x03, 'SMBAlarmWarning'],
  [0x04, 'SMBChargerMode'],
  [0x05, 'SMBChargerStatus'],
  [0x06, 'SMBChargerSpecInfo'],
  [0x07, 'SMBSelectorState'],
  [0x08, 'SMBSelectorPresets'],
  [0x09, 'SMBSelectorInfo'],
  [0x10, 'OptionalMfgFunction1'],
  [0x11, 'OptionalMfgFunction2'],
  [0x12, 'OptionalMfgFunction3'],
  [0x13, 'OptionalMfgFunction4'],
  [0x14, 'OptionalMfgFunction5'],
  [0x15, 'ConnectionToSMBus'],
  [0x16, 'OutputConnection'],
  [0x17, 'ChargerConnection'],
  [0x18, 'BatteryInsertion'],
  [0x19, 'Usenext'],
  [0x1a, 'OKToUse'],
  [0x1b, 'BatterySupported'],
  [0x1c, 'SelectorRevision'],
  [0x1d, 'ChargingIndicator'],
  [0x28, 'ManufacturerAccess'],
  [0x29, 'RemainingCapacityLimit'],
  [0x2a, 'RemainingTimeLimit'],
  [0x2b, 'AtRate'],
  [0x2c, 'CapacityMode'],
  [0x2d, 'BroadcastToCharger'],
  [0x2e, 'PrimaryBattery'],
  [0x2f, 'ChargeController'],
  [0x40, 'TerminateCharge'],
  [0x41, 'TerminateDischarge'],
  [0x42, 'BelowRemainingCapacityLimit'],
  [0x43, 'RemainingTimeLimitExpired'],
  [0x44, 'Charging'],
  [0x45, 'Discharging'],
  [0x46, 'FullyCharged'],
  [0x47, 'FullyDischarged'],
  [0x48, 'ConditioningFlag'],
  [0x49, 'AtRateOK'],
  [0x4a, 'SMBErrorCode'],
  [0x4b, 'NeedReplacement'],
  [0x60, 'AtRateTimeToFull'],
  [0x61, 'AtRateTimeToEmpty'],
  [0x62, 'AverageCurrent'],
  [0x63, 'Maxerror'],
  [0x64, 'RelativeStateOfCharge'],
  [0x65, 'AbsoluteStateOfCharge'],
  [0x66, 'RemainingCapacity'],
  [0x67, 'FullChargeCapacity'],
  [0x68, 'RunTimeToEmpty'],
  [0x69, 'AverageTimeToEmpty'],
  [0x6a, 'AverageTimeToFull'],
  [0x6b, 'CycleCount'],
  [0x80, 'BattPackModelLevel'],
  [0x81, 'InternalChargeController'],
  [0x82, 'PrimaryBatterySupport'],
  [0x83, 'DesignCapacity'],
  [0x84, 'SpecificationInfo'],
  [0x85, 'ManufacturerDate'],
  [0x86, 'SerialNumber'],
  [0x87, 'iManufacturerName'],
  // NUT's spelling (lower-case "name"); paths in subdriver tables use it.
  [0x88, 'iDevicename'],
  // The specification misspells it "iDeviceChemistery"; NUT uses the right spelling.
  [0x89, 'iDeviceChemistry'],
  [0x8a, 'ManufacturerData'],
  [0x8b, 'Rechargeable'],
  [0x8c, 'WarningCapacityLimit'],
  [0x8d, 'CapacityGranularity1'],
  [0x8e, 'CapacityGranularity2'],
  [0x8f, 'iOEMInformation'],
  [0xc0, 'InhibitCharge'],
  [0xc1, 'EnablePolling'],
  [0xc2, 'ResetToZero'],
  [0xd0, 'ACPresent'],
  [0xd1, 'BatteryPresent'],
  [0xd2, 'PowerFail'],
  [0xd3, 'AlarmInhibited'],
  [0xd4, 'ThermistorUnderRange'],
  [0xd5, 'ThermistorHot'],
  [0xd6, 'ThermistorCold'],
  [0xd7, 'ThermistorOverRange'],
  [0xd8, 'VoltageOutOfRange'],
  [0xd9, 'CurrentOutOfRange'],
  [0xda, 'CurrentNotRegulated'],
  [0xdb, 'VoltageNotRegulated'],
  [0xdc, 'MasterMode'],
  [0xf0, 'ChargerSelectorSupport'],
  [0xf1, 'ChargerSpec'],
  [0xf2, 'Level2'],
  [0xf3, 'Level3'],
];

export const POWER_DEVICE_PAGE = 0x84;
export const BATTERY_SYSTEM_PAGE = 0x85;

/** The generic table, in lookup order (Power Device page first, as NUT searches it). */
export const GENERIC_USAGES: ReadonlyArray<readonly [number, string]> = [
  ...POWER_DEVICE.map(([id, name]) => [(POWER_DEVICE_PAGE << 16) | id, name] as const),
  ...BATTERY_SYSTEM.map(([id, name]) => [(BATTERY_SYSTEM_PAGE << 16) | id, name] as const),
];

const NAME_BY_USAGE: ReadonlyMap<number, string> = new Map(GENERIC_USAGES);

// Names repeat across pages (Undefined, VoltageOutOfRange): the first one wins,
// and names are matched without case, as NUT does when it reads a path.
const USAGE_BY_NAME: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [usage, name] of GENERIC_USAGES) {
    const key = name.toLowerCase();
    if (!m.has(key)) m.set(key, usage);
  }
  return m;
})();

/** The name of a 32-bit usage, from `extra` first, then the generic table; undefined when unnamed. */
export function usageName(usage: number, extra?: UsageNames): string | undefined {
  return extra?.get(usage >>> 0) ?? NAME_BY_USAGE.get(usage >>> 0);
}

/** The usage of a name (case-insensitive), from `extra` first, then the generic table. */
export function usageByName(name: string, extra?: UsageNames): number | undefined {
  const key = name.toLowerCase();
  if (extra) {
    for (const [usage, n] of extra) if (n.toLowerCase() === key) return usage >>> 0;
  }
  return USAGE_BY_NAME.get(key);
}

/** One path node as text: a name, `[n]` for a collection index, else 8 hex digits. */
export function nodeName(node: number, extra?: UsageNames): string {
  const name = usageName(node, extra);
  if (name !== undefined) return name;
  const u = node >>> 0;
  if ((u & 0xffff0000) >>> 0 === INDEX_NODE) return `[${u & 0xffff}]`;
  return u.toString(16).padStart(8, '0');
}

/** A path of usages as NUT prints it, e.g. `UPS.PowerSummary.RemainingCapacity`. */
export function usagesToPath(usages: readonly number[], extra?: UsageNames): string {
  return usages.map((u) => nodeName(u, extra)).join('.');
}

/**
 * The usages of a dotted path (the inverse of usagesToPath): each part is a
 * name, 1-8 hex digits, or `[n]`. undefined when a part is none of these.
 */
export function pathToUsages(path: string, extra?: UsageNames): number[] | undefined {
  if (path === '') return undefined;
  const out: number[] = [];
  for (const part of path.split('.')) {
    const named = usageByName(part, extra);
    if (named !== undefined) {
      out.push(named);
    } else if (/^[0-9a-fA-F]{1,8}$/.test(part)) {
      out.push(parseInt(part, 16) >>> 0);
    } else {
      const m = /^\[(\d{1,5})\]$/.exec(part);
      if (!m || Number(m[1]) > 0xffff) return undefined;
      out.push((INDEX_NODE | Number(m[1])) >>> 0);
    }
  }
  return out;
}
