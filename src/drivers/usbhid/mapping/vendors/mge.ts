/**
 * Eaton / MGE UPS SYSTEMS (USB vendor 0463) and the brands that ship the
 * same firmware: Dell, Powerware, HP R/T3000, AEG PROTECT (B, NAS), IBM,
 * KSTAR. Facts from NUT's mge-hid.c (MGE HID 1.5x): the vendor usage page
 * 0xffff, Advanced Battery Monitoring (ABM) deciding CHRG/DISCHRG, the model
 * families that report battery voltage, Pegasus-only ECO settings, Unix
 * time in ups.date / ups.time, outlets (PowerShare), ECO / ESS and bypass
 * switching. Row order is NUT's (the first row the device supports wins),
 * except that ups.power.nominal comes first because model-dependent rows
 * read it, and the ECO / bypass switches come after the values they check.
 */
import type { HidDeviceInfo, HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import { formatFixed } from '../format';
import {
  battVoltHighStatus,
  battVoltLowStatus,
  beeperStatus,
  boostStatus,
  bypassAutoStatus,
  bypassManualStatus,
  chargerFailStatus,
  commFaultStatus,
  ecoModeStatus,
  enumLookup,
  fanFailStatus,
  frequencyRangeStatus,
  functionLookup,
  kelvinToCelsius,
  lowBatteryStatus,
  noBatteryStatus,
  onlineStatus,
  onOff,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  statusBitInverted,
  stringIndex,
  stringIndexConverted,
  testRead,
  toLong,
  trimStatus,
  voltageRangeStatus,
  yesNo,
  type ContextualLookup,
} from '../lookups';
import { command, delayCommands, DEFAULT_OFFDELAY, DEFAULT_ONDELAY, quickStatus, serverVar, status, timer, variable, writable } from '../rows';
import { inDeviceTable } from '../devices';

export const EATON_VENDOR_ID = 0x0463;
export const DELL_VENDOR_ID = 0x047c;
export const POWERWARE_VENDOR_ID = 0x0592;
export const HP_VENDOR_ID = 0x03f0;
export const AEG_VENDOR_ID = 0x2b2d;
/** Phoenixtec: normally the Liebert subdriver's, here only for AEG PROTECT NAS units. */
export const PHOENIXTEC_VENDOR_ID = 0x06da;
export const IBM_VENDOR_ID = 0x04b3;
export const KSTAR_VENDOR_ID = 0x09d6;

/** The USB IDs mge-hid.c claims (0xffff is a real product ID these firmwares report, not a wildcard). */
export const MGE_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [EATON_VENDOR_ID, 0x0001],
  [EATON_VENDOR_ID, 0xffff],
  [DELL_VENDOR_ID, 0xffff],
  [POWERWARE_VENDOR_ID, 0x0004], // PW 9140
  [HP_VENDOR_ID, 0x1fe5], // R/T3000
  [HP_VENDOR_ID, 0x1fe6], // R/T3000
  [HP_VENDOR_ID, 0x1fe7],
  [HP_VENDOR_ID, 0x1fe8],
  [AEG_VENDOR_ID, 0xffff], // PROTECT B / NAS
  [PHOENIXTEC_VENDOR_ID, 0xffff], // AEG PROTECT NAS only, see mgeMatches
  [IBM_VENDOR_ID, 0x0001], // 6000 VA LCD 4U Rack UPS, 5396-1Kx
  [KSTAR_VENDOR_ID, 0x0001], // added to mge-hid.c in NUT 2.8.3
];

/** Phoenixtec's ID belongs to the Liebert subdriver unless the strings say AEG. */
export function mgeMatches(info: HidDeviceInfo): boolean {
  if (!inDeviceTable(MGE_DEVICES, info)) return false;
  if (info.vendorId === PHOENIXTEC_VENDOR_ID) {
    return (info.manufacturer ?? '').includes('AEG') || (info.product ?? '').includes('AEG');
  }
  return true;
}

/** Eaton / MGE vendor usages (page 0xffff), as NUT names them. */
export const MGE_USAGES: Readonly<Record<string, number>> = {
  Undefined: 0xffff0000,
  STS: 0xffff0001,
  Environment: 0xffff0002,
  Statistic: 0xffff0003,
  StatisticSystem: 0xffff0004,
  USB: 0xffff0005,
  Phase: 0xffff0010,
  PhaseID: 0xffff0011,
  Chopper: 0xffff0012,
  ChopperID: 0xffff0013,
  Inverter: 0xffff0014,
  InverterID: 0xffff0015,
  Rectifier: 0xffff0016,
  RectifierID: 0xffff0017,
  LCMSystem: 0xffff0018,
  LCMSystemID: 0xffff0019,
  LCMAlarm: 0xffff001a,
  LCMAlarmID: 0xffff001b,
  HistorySystem: 0xffff001c,
  HistorySystemID: 0xffff001d,
  Event: 0xffff001e,
  EventID: 0xffff001f,
  CircuitBreaker: 0xffff0020,
  TransferForbidden: 0xffff0021,
  OverallAlarm: 0xffff0022,
  Dephasing: 0xffff0023,
  BypassBreaker: 0xffff0024,
  PowerModule: 0xffff0025,
  PowerRate: 0xffff0026,
  PowerSource: 0xffff0027,
  CurrentPowerSource: 0xffff0028,
  RedundancyLevel: 0xffff0029,
  RedundancyLost: 0xffff002a,
  NotificationStatus: 0xffff002b,
  ProtectionLost: 0xffff002c,
  ConfigurationFailure: 0xffff002d,
  CompatibilityFailure: 0xffff002e,
  SwitchType: 0xffff0040,
  ConverterType: 0xffff0041,
  FrequencyConverterMode: 0xffff0042,
  AutomaticRestart: 0xffff0043,
  ForcedReboot: 0xffff0044,
  TestPeriod: 0xffff0045,
  EnergySaving: 0xffff0046,
  StartOnBattery: 0xffff0047,
  Schedule: 0xffff0048,
  DeepDischargeProtection: 0xffff0049,
  ShortCircuit: 0xffff004a,
  ExtendedVoltageMode: 0xffff004b,
  SensitivityMode: 0xffff004c,
  RemainingCapacityLimitSetting: 0xffff004d,
  ExtendedFrequencyMode: 0xffff004e,
  FrequencyConverterModeSetting: 0xffff004f,
  LowVoltageBoostTransfer: 0xffff0050,
  HighVoltageBoostTransfer: 0xffff0051,
  LowVoltageBuckTransfer: 0xffff0052,
  HighVoltageBuckTransfer: 0xffff0053,
  OverloadTransferEnable: 0xffff0054,
  OutOfToleranceTransferEnable: 0xffff0055,
  ForcedTransferEnable: 0xffff0056,
  LowVoltageBypassTransfer: 0xffff0057,
  HighVoltageBypassTransfer: 0xffff0058,
  FrequencyRangeBypassTransfer: 0xffff0059,
  LowVoltageEcoTransfer: 0xffff005a,
  HighVoltageEcoTransfer: 0xffff005b,
  FrequencyRangeEcoTransfer: 0xffff005c,
  ShutdownTimer: 0xffff005d,
  StartupTimer: 0xffff005e,
  RestartLevel: 0xffff005f,
  PhaseOutOfRange: 0xffff0060,
  CurrentLimitation: 0xffff0061,
  ThermalOverload: 0xffff0062,
  SynchroSource: 0xffff0063,
  FuseFault: 0xffff0064,
  ExternalProtectedTransfert: 0xffff0065,
  ExternalForcedTransfert: 0xffff0066,
  Compensation: 0xffff0067,
  EmergencyStop: 0xffff0068,
  PowerFactor: 0xffff0069,
  PeakFactor: 0xffff006a,
  ChargerType: 0xffff006b,
  HighPositiveDCBusVoltage: 0xffff006c,
  LowPositiveDCBusVoltage: 0xffff006d,
  HighNegativeDCBusVoltage: 0xffff006e,
  LowNegativeDCBusVoltage: 0xffff006f,
  FrequencyRangeTransfer: 0xffff0070,
  WiringFaultDetection: 0xffff0071,
  ControlStandby: 0xffff0072,
  ShortCircuitTolerance: 0xffff0073,
  VoltageTooHigh: 0xffff0074,
  VoltageTooLow: 0xffff0075,
  DCBusUnbalanced: 0xffff0076,
  FanFailure: 0xffff0077,
  WiringFault: 0xffff0078,
  Floating: 0xffff0079,
  OverCurrent: 0xffff007a,
  RemainingActivePower: 0xffff007b,
  Energy: 0xffff007c,
  Threshold: 0xffff007d,
  OverThreshold: 0xffff007e,
  Sensor: 0xffff0080,
  LowHumidity: 0xffff0081,
  HighHumidity: 0xffff0082,
  LowTemperature: 0xffff0083,
  HighTemperature: 0xffff0084,
  ECOControl: 0xffff0085,
  Efficiency: 0xffff0086,
  ABMEnable: 0xffff0087,
  NegativeCurrent: 0xffff0088,
  AutomaticStart: 0xffff0089,
  Count: 0xffff0090,
  Timer: 0xffff0091,
  Interval: 0xffff0092,
  TimerExpired: 0xffff0093,
  Mode: 0xffff0094,
  Country: 0xffff0095,
  State: 0xffff0096,
  Time: 0xffff0097,
  Code: 0xffff0098,
  DataValid: 0xffff0099,
  ToggleTimer: 0xffff009a,
  BypassTransferDelay: 0xffff009b,
  HysteresisVoltageTransfer: 0xffff009c,
  SlewRate: 0xffff009d,
  PDU: 0xffff00a0,
  Breaker: 0xffff00a1,
  BreakerID: 0xffff00a2,
  OverVoltage: 0xffff00a3,
  Tripped: 0xffff00a4,
  OverEnergy: 0xffff00a5,
  OverHumidity: 0xffff00a6,
  ConfigurationReset: 0xffff00a7,
  Level: 0xffff00a8,
  PDUType: 0xffff00a9,
  ReactivePower: 0xffff00aa,
  Pole: 0xffff00ab,
  PoleID: 0xffff00ac,
  Reset: 0xffff00ad,
  WatchdogReset: 0xffff00ae,
  iDesignator: 0xffff00ba,
  COPIBridge: 0xffff00e0,
  Gateway: 0xffff00e1,
  System: 0xffff00e5,
  Status: 0xffff00e9,
  iModel: 0xffff00f0,
  iVersion: 0xffff00f1,
  iTechnicalLevel: 0xffff00f2,
  iPartNumber: 0xffff00f3,
  iReferenceNumber: 0xffff00f4,
  iGang: 0xffff00f5,
};

// ------------------------------------------------------------ model families

/**
 * What the model decides: which rows are meaningful (battery voltage is
 * reported right only by some families; ECO settings exist on Pegasus
 * models) and whether the unit is offline (standby) or line-interactive /
 * online (it then accepts both 200/208 and 220-240 V outputs).
 */
export type MgeFamily = 'offline' | 'pegasus' | '3s' | 'default' | 'evolution' | 'pulsar-m' | '5p' | '9e';

export interface MgeModel {
  family: MgeFamily;
  /** The name NUT shows (ups.model); "<iProduct> <iModel>" unless the table renames it. */
  name: string;
  /** Evolution 650 reports a wrong nominal battery voltage: it is 12 V. */
  evolution650?: boolean;
}

/** [iProduct, iModel, family, name or undefined for "<iProduct> <iModel>"] */
const MODELS: ReadonlyArray<readonly [string, string, MgeFamily, string?]> = [
  ['ELLIPSE', '300', 'offline', 'ellipse 300'],
  ['ELLIPSE', '500', 'offline', 'ellipse 500'],
  ['ELLIPSE', '650', 'offline', 'ellipse 650'],
  ['ELLIPSE', '800', 'offline', 'ellipse 800'],
  ['ELLIPSE', '1200', 'offline', 'ellipse 1200'],
  ['ellipse', 'PR500', 'offline', 'ellipse premium 500'],
  ['ellipse', 'PR650', 'offline', 'ellipse premium 650'],
  ['ellipse', 'PR800', 'offline', 'ellipse premium 800'],
  ['ellipse', 'PR1200', 'offline', 'ellipse premium 1200'],
  ['ELLIPSE', '600', 'offline', 'Ellipse 600'],
  ['ELLIPSE', '750', 'offline', 'Ellipse 750'],
  ['ELLIPSE', '1000', 'offline', 'Ellipse 1000'],
  ['ELLIPSE', '1500', 'offline', 'Ellipse 1500'],
  ['Ellipse MAX', '600', 'offline'],
  ['Ellipse MAX', '850', 'offline'],
  ['Ellipse MAX', '1100', 'offline'],
  ['Ellipse MAX', '1500', 'offline'],
  ['PROTECTIONCENTER', '420', 'offline', 'Protection Center 420'],
  ['PROTECTIONCENTER', '500', 'offline', 'Protection Center 500'],
  ['PROTECTIONCENTER', '675', 'offline', 'Protection Center 675'],
  ['Protection Station', '500', 'pegasus'],
  ['Protection Station', '650', 'pegasus'],
  ['Protection Station', '800', 'pegasus'],
  ['Ellipse ECO', '650', 'pegasus'],
  ['Ellipse ECO', '800', 'pegasus'],
  ['Ellipse ECO', '1200', 'pegasus'],
  ['Ellipse ECO', '1600', 'pegasus'],
  ['3S', '450', 'offline'],
  ['3S', '550', 'offline'],
  ['3S', '700', '3s'],
  ['3S', '750', '3s'],
  ['Evolution', '500', 'default', 'Pulsar Evolution 500'],
  ['Evolution', '800', 'default', 'Pulsar Evolution 800'],
  ['Evolution', '1100', 'default', 'Pulsar Evolution 1100'],
  ['Evolution', '1500', 'default', 'Pulsar Evolution 1500'],
  ['Evolution', '2200', 'default', 'Pulsar Evolution 2200'],
  ['Evolution', '3000', 'default', 'Pulsar Evolution 3000'],
  ['Evolution', '3000XL', 'default', 'Pulsar Evolution 3000 XL'],
  ['Evolution', '650', 'evolution'],
  ['Evolution', '850', 'evolution'],
  ['Evolution', '1150', 'evolution'],
  ['Evolution', 'S 1250', 'evolution'],
  ['Evolution', '1550', 'evolution'],
  ['Evolution', 'S 1750', 'evolution'],
  ['Evolution', '2000', 'evolution'],
  ['Evolution', 'S 2500', 'evolution'],
  ['Evolution', 'S 3000', 'evolution'],
  ['Eaton 5P', '650', '5p', '5P 650'],
  ['Eaton 5P', '850', '5p', '5P 850'],
  ['Eaton 5P', '1150', '5p', '5P 1150'],
  ['Eaton 5P', '1550', '5p', '5P 1550'],
  ['Eaton 5PX', '1500', '5p'],
  ['Eaton 5PX', '2200', '5p'],
  ['Eaton 5PX', '3000', '5p'],
  ['Eaton 5SC', '500', '5p'],
  ['Eaton 5SC', '750', '5p'],
  ['Eaton 5SC', '1000', '5p'],
  ['Eaton 5SC', '1500', '5p'],
  ['Eaton 5SC', '2200', '5p'],
  ['Eaton 5SC', '3000', '5p'],
  // Eaton 5S units that name themselves Ellipse PRO: the trailing space of iModel is part of the match
  ['Ellipse PRO', '1200 ', '5p', 'Eaton 5S1200'],
  ['Ellipse PRO', '1500 ', '5p', 'Eaton 5S1500'],
  ['Ellipse PRO', '1600 ', '5p', 'Eaton 5S1600'],
  ['Eaton 9E', '1000', '9e', '9E1000'],
  ['Eaton 9E', '1000i', '9e', '9E1000i'],
  ['Eaton 9E', '1000iau', '9e', '9E1000iau'],
  ['Eaton 9E', '1000ir', '9e', '9E1000ir'],
  ['Eaton 9E', '2000', '9e', '9E2000'],
  ['Eaton 9E', '2000i', '9e', '9E2000i'],
  ['Eaton 9E', '2000iau', '9e', '9E2000iau'],
  ['Eaton 9E', '2000ir', '9e', '9E2000ir'],
  ['Eaton 9E', '3000', '9e', '9E3000'],
  ['Eaton 9E', '3000i', '9e', '9E3000i'],
  ['Eaton 9E', '3000iau', '9e', '9E3000iau'],
  ['Eaton 9E', '3000ir', '9e', '9E3000ir'],
  ['Eaton 9E', '3000ixl', '9e', '9E3000ixl'],
  ['Eaton 9E', '3000ixlau', '9e', '9E3000ixlau'],
  // 9E units that give no USB strings: recognised by their VA rating alone
  ['unknown', '1000', '9e', '9E1000i (presumed)'],
  ['unknown', '2000', '9e', '9E2000i (presumed)'],
  ['unknown', '3000', '9e', '9E3000i (presumed)'],
  ['Eaton 9SX', '700i', '9e', '9SX700i'],
  ['Eaton 9SX', '1000i', '9e', '9SX1000i'],
  ['Eaton 9SX', '1000im', '9e', '9SX1000im'],
  ['Eaton 9SX', '1500i', '9e', '9SX1500i'],
  ['Eaton 9SX', '2000i', '9e', '9SX2000i'],
  ['Eaton 9SX', '3000i', '9e', '9SX3000i'],
  ['Eaton 9SX', '3000im', '9e', '9SX3000im'],
  ['Eaton 9SX', '1000ir', '9e', '9SX1000ir'],
  ['Eaton 9SX', '1500ir', '9e', '9SX1500ir'],
  ['Eaton 9SX', '2000ir', '9e', '9SX2000ir'],
  ['Eaton 9SX', '3000ir', '9e', '9SX3000ir'],
  ['Eaton 9PX', '1000irt2u', '9e', '9px1000irt2u'],
  ['Eaton 9PX', '1500irt2u', '9e', '9px1500irt2u'],
  ['Eaton 9PX', '1500irtm', '9e', '9px1500irtm'],
  ['Eaton 9PX', '2200irt2u', '9e', '9px2200irt2u'],
  ['Eaton 9PX', '2200irt3u', '9e', '9px2200irt3u'],
  ['Eaton 9PX', '3000irt2u', '9e', '9px3000irt2u'],
  ['Eaton 9PX', '3000irt3u', '9e', '9px3000irt3u'],
  ['Eaton 9PX', '3000irtm', '9e', '9px3000irtm'],
  ['PULSAR M', '2200', 'pulsar-m'],
  ['PULSAR M', '3000', 'pulsar-m'],
  ['PULSAR M', '3000 XL', 'pulsar-m'],
  ['EX', '2200', 'pulsar-m'],
  ['EX', '3000', 'pulsar-m'],
  ['EX', '3000 XL', 'pulsar-m'],
  ['PULSAR', 'MX4000', 'default', 'Pulsar MX 4000 RT'],
  ['PULSAR', 'MX5000', 'default', 'Pulsar MX 5000 RT'],
  ['NOVA AVR', '500', 'default', 'Nova 500 AVR'],
  ['NOVA AVR', '600', 'default', 'Nova 600 AVR'],
  ['NOVA AVR', '625', 'default', 'Nova 625 AVR'],
  ['NOVA AVR', '1100', 'default', 'Nova 1100 AVR'],
  ['NOVA AVR', '1250', 'default', 'Nova 1250 AVR'],
  ['EXtreme', '700C', 'default', 'Pulsar EXtreme 700C'],
  ['EXtreme', '1000C', 'default', 'Pulsar EXtreme 1000C'],
  ['EXtreme', '1500C', 'default', 'Pulsar EXtreme 1500C'],
  ['EXtreme', '1500CCLA', 'default', 'Pulsar EXtreme 1500C CLA'],
  ['EXtreme', '2200C', 'default', 'Pulsar EXtreme 2200C'],
  ['EXtreme', '3200C', 'default', 'Pulsar EXtreme 3200C'],
  ['EX', '700RT', 'default', 'Pulsar EX 700 RT'],
  ['EX', '1000RT', 'default', 'Pulsar EX 1000 RT'],
  ['EX', '1500RT', 'default', 'Pulsar EX 1500 RT'],
  ['EX', '2200RT', 'default', 'Pulsar EX 2200 RT'],
  ['EX', '3200RT', 'default', 'Pulsar EX 3200 RT'],
  ['EX', '5RT31', 'default', 'EX 5 RT 3:1'],
  ['EX', '7RT31', 'default', 'EX 7 RT 3:1'],
  ['EX', '11RT31', 'default', 'EX 11 RT 3:1'],
  ['EX', '5RT', 'default', 'EX 5 RT'],
  ['EX', '7RT', 'default', 'EX 7 RT'],
  ['EX', '11RT', 'default', 'EX 11 RT'],
  ['GALAXY', '3000_10', 'default', 'Galaxy 3000 10 kVA'],
  ['GALAXY', '3000_15', 'default', 'Galaxy 3000 15 kVA'],
  ['GALAXY', '3000_20', 'default', 'Galaxy 3000 20 kVA'],
  ['GALAXY', '3000_30', 'default', 'Galaxy 3000 30 kVA'],
];

/**
 * The model from the USB product string (iProduct) and the model string
 * (UPS.PowerSummary.iModel, or the VA rating when the device has none).
 * Unknown pairs are line-interactive / online units named "<iProduct> <iModel>".
 */
export function mgeModel(iProduct: string | undefined, iModel: string): MgeModel {
  const product = iProduct ?? 'unknown';
  const known = MODELS.find(([p, m]) => p === product && m === iModel);
  if (!known) return { family: 'default', name: `${product} ${iModel}` };
  const [, , family, name] = known;
  const model: MgeModel = { family, name: name ?? `${product} ${iModel}` };
  if (family === 'evolution' && iModel === '650') model.evolution650 = true;
  return model;
}

const MODEL_MEMO = 'mge.model';

/**
 * The model decided for this device (by the ups.model rows, which come
 * first in the table), for the family-dependent rows. Undefined when
 * nothing decided it: those rows then act as for a line-interactive /
 * online unit, as NUT does.
 */
function modelOf(ctx?: HidLookupContext): MgeModel | undefined {
  return ctx?.memo.get(MODEL_MEMO) as MgeModel | undefined;
}

/**
 * ups.model as mge-hid.c formats it: Dell's product string is already the
 * full name (and decides no family); other units are named from the
 * product string and iModel by the MODELS table (see mgeModel), which also
 * decides the family.
 */
function decideModel(ctx: HidLookupContext | undefined, iModel: string): string | undefined {
  if (!ctx) return undefined;
  if (ctx.info.vendorId === DELL_VENDOR_ID) {
    ctx.memo.set(MODEL_MEMO, { family: 'default', name: ctx.info.product ?? '' } satisfies MgeModel);
    return undefined;
  }
  const model = mgeModel(ctx.info.product, iModel);
  ctx.memo.set(MODEL_MEMO, model);
  return model.name;
}

/** From the UPS.PowerSummary.iModel string; an empty string leaves it to the VA rating row. */
const modelFromIModel = stringIndexConverted((text, ctx) => (text === '' ? undefined : decideModel(ctx, text)));

/** Without an iModel string, the VA rating (UPS.Flow.[4].ConfigApparentPower as an integer) stands in for it. */
const modelFromRating = functionLookup((value, ctx) => (Number.isFinite(value) ? decideModel(ctx, String(Math.trunc(value))) : undefined));

/** UPS.PowerSummary.Country: 0 Europe, 1 US, 2 Europe with 200/208 V, 3 worldwide, 4 Australia; -1 unknown. */
const COUNTRY_EUROPE = 0;

function country(ctx?: HidLookupContext): number {
  return (ctx?.memo.get('mge.country') as number | undefined) ?? -1;
}

/** Protection Station, Ellipse ECO, and the 3S 700/750 outside Europe: the units with ECO (master/slave outlet) control. */
function isPegasus(ctx?: HidLookupContext): boolean {
  const family = modelOf(ctx)?.family;
  return family === 'pegasus' || (family === '3s' && country(ctx) !== COUNTRY_EUROPE);
}

// ------------------------------------------------------------ lookups

/** Records UPS.PowerSummary.Country for the Pegasus checks; publishes nothing. */
const recordCountry = functionLookup((value, ctx) => {
  const v = toLong(value);
  if (v !== undefined) ctx?.memo.set('mge.country', v);
  return undefined;
});

/** UPS.PowerSummary.Voltage is the battery voltage only on these families; elsewhere it is something else. */
const familyBatteryVoltage = functionLookup((value, ctx) => {
  const family = modelOf(ctx)?.family;
  if (!Number.isFinite(value) || !(family === 'evolution' || family === 'pulsar-m' || family === '5p' || family === '9e')) return undefined;
  return formatFixed(value, 1);
});

/** UPS.PowerSummary.ConfigVoltage likewise; the Evolution 650 reports it wrong (it is 12 V). */
const familyBatteryVoltageNominal = functionLookup((value, ctx) => {
  const model = modelOf(ctx);
  const family = model?.family;
  if (!Number.isFinite(value) || !(family === 'evolution' || family === 'pulsar-m' || family === '5p' || family === '9e')) return undefined;
  return formatFixed(model?.evolution650 ? 12 : value, 0);
});

/** UPS.BatterySystem.Battery.DesignCapacity is in ampere-seconds; NUT shows ampere-hours. */
const ampSecondsToAmpHours = functionLookup((value) => (Number.isFinite(value) ? formatFixed(value / 3600, 2) : undefined));

/** UPS.PowerConverter.Output.PowerFactor is in percent; NUT shows a ratio. */
const percentToRatio = functionLookup((value) => (Number.isFinite(value) ? formatFixed(value / 100, 2) : undefined));

const enabledDisabled = enumLookup([
  [0, 'disabled'],
  [1, 'enabled'],
]);

const enabledDisabledEnum = enumLookup(
  [
    [0, 'disabled'],
    [1, 'enabled'],
  ],
  { enumerate: true },
);

const upsType = enumLookup([
  [1, 'offline / line interactive'],
  [2, 'online'],
  [3, 'online - unitary/parallel'],
  [4, 'online - parallel with hot standy'],
  [5, 'online - hot standby redundancy'],
]);

const sensitivity = enumLookup([
  [0, 'normal'],
  [1, 'high'],
  [2, 'low'],
]);

const outletEcoControl = enumLookup([
  [0, 'The outlet is not ECO controlled'],
  [1, 'The outlet is ECO controlled'],
]);

const outletProtection = enumLookup([
  [0, 'not powered'],
  [1, 'not protected'],
  [2, 'protected'],
]);

/** ups.alarm texts raised while the bit is 1 (nothing while 0). */
const alarm = (text: string): HidLookup => enumLookup([[1, text]]);

// ---- ups.date / ups.time: UPS.PowerSummary.Time, seconds since 1970, shown in local time

const pad = (n: number): string => String(n).padStart(2, '0');

function localTime(value: number): Date | undefined {
  if (!Number.isFinite(value)) return undefined;
  const d = new Date(Math.trunc(value) * 1000);
  // NUT keeps the text only when the year has four digits (strftime length check).
  return Number.isNaN(d.getTime()) || d.getFullYear() < 1000 || d.getFullYear() > 9999 ? undefined : d;
}

/**
 * "YYYY/MM/DD HH:MM:SS" read as glibc's strptime reads that format: each
 * number may follow blanks and has at most its field's digits (fewer when
 * another digit would overflow the field), separators must match, a space
 * matches any run of blanks, and text after the seconds is ignored.
 */
function parseDateTime(text: string): [number, number, number, number, number, number] | undefined {
  const fields: ReadonlyArray<readonly [number, number, number]> = [
    [0, 9999, 4],
    [1, 12, 2],
    [1, 31, 2],
    [0, 23, 2],
    [0, 59, 2],
    [0, 61, 2],
  ];
  const separators = ['/', '/', ' ', ':', ':'];
  const out: number[] = [];
  let i = 0;
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';
  const isBlank = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');
  for (let f = 0; f < fields.length; f++) {
    const [min, max, digits] = fields[f] as readonly [number, number, number];
    while (i < text.length && isBlank(text.charAt(i))) i++;
    if (!isDigit(text.charAt(i))) return undefined;
    let v = 0;
    let n = digits;
    do {
      v = v * 10 + Number(text.charAt(i++));
    } while (--n > 0 && v * 10 <= max && isDigit(text.charAt(i)));
    if (v < min || v > max) return undefined;
    out.push(v);
    const sep = separators[f];
    if (sep === ' ') {
      while (i < text.length && isBlank(text.charAt(i))) i++;
    } else if (sep !== undefined) {
      if (text.charAt(i) !== sep) return undefined;
      i++;
    }
  }
  return out as [number, number, number, number, number, number];
}

/**
 * Date and time text -> seconds since 1970, the local time as C's mktime
 * takes it: out-of-range days and seconds roll over (2024/02/30 is March 1st).
 */
function toUnixTime(text: string): number | undefined {
  const parts = parseDateTime(text);
  if (!parts) return undefined;
  const [year, month, day, hours, minutes, seconds] = parts;
  const d = new Date(2000, 0, 1, 0, 0, 0, 0);
  // setFullYear: the Date constructor would take years 0-99 as 1900-1999.
  d.setFullYear(year, month - 1, day);
  d.setHours(hours, minutes, seconds, 0);
  const ms = d.getTime();
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * ups.date, writable: the new date with the ups.time published now make the
 * device's new clock value (as mge-hid.c does). Text that does not read as a
 * date is refused; NUT would write 0 (1970) to the clock.
 */
export const mgeDate: ContextualLookup = {
  toNut: (value) => {
    const d = localTime(value);
    return d && `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
  },
  fromNutInContext: (text, ctx) => (text === undefined ? undefined : toUnixTime(`${text} ${ctx.vars.get('ups.time') ?? ''}`)),
};

/** ups.time, writable: the ups.date published now with the new time. */
export const mgeTime: ContextualLookup = {
  toNut: (value) => {
    const d = localTime(value);
    return d && `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  },
  fromNutInContext: (text, ctx) => (text === undefined ? undefined : toUnixTime(`${ctx.vars.get('ups.date') ?? ''} ${text}`)),
};

// ---- Advanced Battery Monitoring
//
// With ABM the charger cycles charging / floating / resting, and the
// PresentStatus Charging / Discharging bits do not tell the truth: then
// CHRG / DISCHRG come from UPS.BatterySystem.Charger.Mode (1 charging,
// 2 discharging, 3 floating, 4 resting, 6 charger off) and
// battery.charger.status shows the mode. Only with ABM disabled do the
// PresentStatus bits count. A unit without ABMEnable is treated as with
// ABM (NUT's "unknown" state), so its CHRG / DISCHRG come from the mode only.

const ABM_DISABLED = 0;

function abm(ctx?: HidLookupContext): number {
  return (ctx?.memo.get('mge.abm') as number | undefined) ?? -1;
}

/** UPS.BatterySystem.Charger.ABMEnable: remembered, publishes nothing. Must come before the rows below. */
const recordAbm = functionLookup((value, ctx) => {
  const v = toLong(value);
  if (v !== undefined) ctx?.memo.set('mge.abm', v);
  return undefined;
});

/** PresentStatus.Charging / Discharging: the flag only with ABM disabled; otherwise they clear it. */
function abmCheckedBit(flag: 'charging' | 'discharging'): HidLookup {
  return functionLookup((value, ctx) => (abm(ctx) === ABM_DISABLED && value === 1 ? flag : `!${flag}`));
}

const ABM_MODES: Readonly<Record<number, string>> = { 1: 'charging', 2: 'discharging', 3: 'floating', 4: 'resting', 6: 'off' };

/** battery.charger.status from the charger mode, only with ABM (5 is "ABM not activated"). */
const abmChargerStatus = functionLookup((value, ctx) => {
  if (abm(ctx) === ABM_DISABLED) return undefined;
  const v = toLong(value);
  return v === undefined ? undefined : ABM_MODES[v];
});

/** CHRG while charging or floating, DISCHRG while discharging; resting and off change nothing. */
const abmChargingFlags = functionLookup((value, ctx) => {
  if (abm(ctx) === ABM_DISABLED) return undefined;
  switch (toLong(value)) {
    case 1:
    case 3:
      return 'charging';
    case 2:
      return 'discharging';
    default:
      return undefined;
  }
});

// ---- on line / off

/** PresentStatus.Good is the inverse of "off"; remembered for the converter row below. */
const goodIsNotOff = functionLookup((value, ctx) => {
  if (value === 0) {
    ctx?.memo.set('mge.off', true);
    return 'off';
  }
  if (value === 1) {
    ctx?.memo.set('mge.off', false);
    return '!off';
  }
  return undefined;
});

/** UPS.PowerConverter.Input.[1].PresentStatus.Used (main input in use) tells on line only while the unit is not off. */
const converterOnline = functionLookup((value, ctx) => {
  if (ctx?.memo.get('mge.off') === true || !Number.isFinite(value)) return undefined;
  return value === 0 ? '!online' : 'online';
});

/** The battery input in use, or the main input's voltage too low: on battery. */
const onBattery = statusBitInverted('online');

// ---- Pegasus-only settings

/** outlet.power on Pegasus: the master outlet's threshold (10, 25 or 60 VA) that switches the slave outlets off. */
const pegasusThreshold: HidLookup = {
  toNut: (value, ctx) => {
    const v = toLong(value);
    return isPegasus(ctx) && (v === 10 || v === 25 || v === 60) ? String(v) : undefined;
  },
  fromNut: (text) => (['10', '25', '60'].includes(text.trim()) ? Number(text) : undefined),
  enumValues: ['10', '25', '60'],
};

/** outlet.2.switchable on Pegasus: enables the master/slave (ECO) mode. */
const pegasusYesNo: HidLookup = {
  toNut: (value, ctx) => (isPegasus(ctx) && Number.isFinite(value) ? (value === 0 ? 'no' : 'yes') : undefined),
  fromNut: (text) => (text.startsWith('yes') ? 1 : 0),
};

// ---- output.voltage.nominal

const NOMINAL_VOLTAGES = ['200', '208', '220', '230', '240', '100', '110', '120', '127'];

/**
 * output.voltage.nominal, settable among the voltages the unit's class
 * supports: low-voltage units 100-127 V; high-voltage units 220-240 V, plus
 * 200/208 V on line-interactive and online units (and the reverse). The
 * class is the first value read (memo); offline units keep their own group.
 */
const nominalOutputVoltage: HidLookup = {
  toNut: (value, ctx) => {
    const v = toLong(value);
    if (v === undefined) return undefined;
    let first = ctx?.memo.get('mge.nominal') as number | undefined;
    if (first === undefined) {
      first = v;
      ctx?.memo.set('mge.nominal', v);
    }
    const family = modelOf(ctx)?.family;
    const offline = family === 'offline' || family === 'pegasus' || family === '3s';
    const low = [100, 110, 120, 127];
    const hv208 = [200, 208];
    const hv230 = [220, 230, 240];
    let allowed: number[] | undefined;
    if (low.includes(first)) allowed = low;
    else if (hv208.includes(first)) allowed = offline ? hv208 : [...hv208, ...hv230];
    else if (hv230.includes(first)) allowed = offline ? hv230 : [...hv230, ...hv208];
    if (allowed && !allowed.includes(v)) return undefined;
    return String(v);
  },
  fromNut: (text) => (NOMINAL_VOLTAGES.includes(text.trim()) ? Number(text) : undefined),
  enumValues: NOMINAL_VOLTAGES,
};

// ---- ups.realpower estimate

/** C's atoi on a published value. */
function atoi(text: string | undefined): number {
  const m = text === undefined ? null : /^\s*[-+]?\d+/.exec(text);
  return m ? Number(m[0]) : 0;
}

/**
 * Units without UPS.PowerConverter.Output.ActivePower: an estimate from
 * ups.load, ups.power.nominal and output.powerfactor (0.80 when unknown).
 */
const estimatedRealPower = functionLookup((_value, ctx) => {
  const load = ctx?.vars.get('ups.load');
  const nominal = ctx?.vars.get('ups.power.nominal');
  if (load === undefined || nominal === undefined) return undefined;
  const pfText = ctx?.vars.get('output.powerfactor') ?? (ctx?.memo.get('mge.powerfactor') as string | undefined);
  const pf = pfText === undefined ? 0.8 : parseFloat(pfText) || 0;
  const watts = atoi(load) * 0.01 * atoi(nominal) * pf;
  // C's round(): halves away from zero.
  return formatFixed(Math.sign(watts) * Math.round(Math.abs(watts)), 0);
});

/** output.powerfactor, also remembered for the estimate above (which comes earlier in the table). */
const powerFactor = functionLookup((value, ctx) => {
  const text = percentToRatio.toNut(value);
  if (text !== undefined) ctx?.memo.set('mge.powerfactor', text);
  return text;
});

// ---- ECO and automatic bypass: only announced when the bypass input is fit for it

/** A published number as C's strtod reads it; undefined when absent. */
function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = parseFloat(text);
  return Number.isFinite(v) ? v : 0;
}

/** Bypass frequency within nominal +/- range % (default `fallback` %). */
function frequencyFits(ctx: HidLookupContext, rangeVar: string, fallback: number): boolean | undefined {
  const nominal = num(ctx.vars.get('output.frequency.nominal'));
  const frequency = num(ctx.vars.get('input.bypass.frequency'));
  if (nominal === undefined || frequency === undefined) return undefined;
  const range = num(ctx.vars.get(rangeVar)) ?? 0;
  const pct = range > 0 ? range : fallback;
  return frequency >= nominal - (nominal / 100) * pct && frequency <= nominal + (nominal / 100) * pct;
}

/** ECO mode (1) is shown only while the bypass voltage and frequency are within the ECO limits (else +/-5 % of nominal). */
function ecoModeAllowed(ctx?: HidLookupContext): boolean {
  if (!ctx) return false;
  const voltage = num(ctx.vars.get('input.bypass.voltage'));
  const nominal = num(ctx.vars.get('output.voltage.nominal'));
  const freqOk = frequencyFits(ctx, 'input.transfer.frequency.eco.range', 5);
  if (voltage === undefined || nominal === undefined || freqOk === undefined) return false;
  const low = num(ctx.vars.get('input.transfer.eco.low')) ?? 0;
  const high = num(ctx.vars.get('input.transfer.eco.high')) ?? 0;
  if (low > 0 && high > 0 && voltage >= low && voltage <= high && freqOk) return true;
  return voltage >= nominal * 0.95 && voltage <= nominal * 1.05 && freqOk;
}

const ecoSwitch: HidLookup = {
  toNut: (value, ctx) => {
    switch (toLong(value)) {
      case 0:
        return 'normal';
      case 1:
        return ecoModeAllowed(ctx) ? 'ECO' : undefined;
      case 2:
        return 'ESS';
      default:
        return undefined;
    }
  },
  fromNut: (text) => ({ normal: 0, ECO: 1, ESS: 2 })[text],
};

/** Automatic bypass "on" is shown only while the bypass input is within the bypass limits (else -20 %..+15 % of nominal). */
function bypassAllowed(ctx?: HidLookupContext): boolean {
  if (!ctx) return false;
  const needed = [
    'input.bypass.voltage',
    'input.transfer.bypass.low',
    'input.transfer.bypass.high',
    'output.voltage.nominal',
    'input.bypass.frequency',
    'input.transfer.frequency.bypass.range',
    'output.frequency.nominal',
  ];
  if (needed.some((n) => !ctx.vars.has(n))) return false;
  const voltage = num(ctx.vars.get('input.bypass.voltage')) ?? 0;
  const nominal = num(ctx.vars.get('output.voltage.nominal')) ?? 0;
  const low = num(ctx.vars.get('input.transfer.bypass.low')) ?? 0;
  const high = num(ctx.vars.get('input.transfer.bypass.high')) ?? 0;
  const freqOk = frequencyFits(ctx, 'input.transfer.frequency.bypass.range', 10) === true;
  if (low > 0 && high > 0 && voltage >= low && voltage <= high && freqOk) return true;
  return voltage >= nominal * 0.8 && voltage <= nominal * 1.15 && freqOk;
}

const bypassSwitchOn: HidLookup = {
  toNut: (value, ctx) => {
    switch (toLong(value)) {
      case 0:
        return 'disabled';
      case 1:
        return bypassAllowed(ctx) ? 'on' : undefined;
      default:
        return undefined;
    }
  },
  fromNut: (text) => ({ disabled: 0, on: 1 })[text],
};

const bypassSwitchOff = enumLookup([
  [0, 'disabled'],
  [1, 'off'],
]);

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const CONV = 'UPS.PowerConverter';
const OUTLET = 'UPS.OutletSystem.Outlet';

/** Three-phase values: per phase ([1]..[3]) and between phases ([12], [23], [31]). */
function phases(nutPrefix: string, hidPrefix: string, what: 'voltage' | 'current'): HidInfoEntry[] {
  if (what === 'current') {
    return [1, 2, 3].map((n) => variable(`${nutPrefix}.L${n}.current`, `${hidPrefix}.Phase.[${n}].Current`, '%.1f'));
  }
  return [
    ...[1, 2, 3].map((n) => variable(`${nutPrefix}.L${n}-N.voltage`, `${hidPrefix}.Phase.[${n}].Voltage`, '%.1f')),
    variable(`${nutPrefix}.L1-L2.voltage`, `${hidPrefix}.Phase.[12].Voltage`, '%.1f'),
    variable(`${nutPrefix}.L2-L3.voltage`, `${hidPrefix}.Phase.[23].Voltage`, '%.1f'),
    variable(`${nutPrefix}.L3-L1.voltage`, `${hidPrefix}.Phase.[31].Voltage`, '%.1f'),
  ];
}

const TABLE: readonly HidInfoEntry[] = [
  // Read first: the model rows use it when there is no iModel string.
  variable('ups.power.nominal', 'UPS.Flow.[4].ConfigApparentPower', '%.0f', { static: true }),
  // The model (NUT decides it before reading anything else): every family-dependent row below reads it.
  variable('ups.model', `${PS}.iModel`, modelFromIModel, { static: true }),
  variable('ups.model', 'UPS.Flow.[4].ConfigApparentPower', modelFromRating, { static: true }),

  // Device
  variable('device.country', `${PS}.Country`, recordCountry, { static: true }),
  variable('device.usb.version', 'UPS.System.USB.iVersion', stringIndex, { static: true }),

  // Battery
  variable('battery.charge', `${PS}.RemainingCapacity`),
  writable('battery.charge.low', `${PS}.RemainingCapacityLimitSetting`, '%.0f', { stringLength: 5 }),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { static: true }),
  writable('battery.charge.restart', `${PS}.RestartLevel`, '%.0f', { stringLength: 3 }),
  variable('battery.capacity', 'UPS.BatterySystem.Battery.DesignCapacity', ampSecondsToAmpHours, { static: true }),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`),
  writable('battery.runtime.low', `${PS}.RemainingTimeLimit`),
  variable('battery.runtime.elapsed', 'UPS.StatisticSystem.Input.[1].Statistic.[1].Time', '%.0f', { quickPoll: true }),
  variable('battery.temperature', 'UPS.BatterySystem.Battery.Temperature', kelvinToCelsius),
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('battery.voltage', 'UPS.BatterySystem.Voltage', '%.1f'),
  variable('battery.voltage', `${PS}.Voltage`, familyBatteryVoltage),
  variable('battery.voltage.nominal', 'UPS.BatterySystem.ConfigVoltage', '%.0f', { static: true }),
  variable('battery.voltage.nominal', `${PS}.ConfigVoltage`, familyBatteryVoltageNominal, { static: true }),
  writable('battery.protection', 'UPS.BatterySystem.Battery.DeepDischargeProtection', yesNo, { stringLength: 5 }),
  writable('battery.energysave', `${CONV}.Input.[3].EnergySaving`, yesNo, { stringLength: 5 }),
  writable('battery.energysave.load', `${CONV}.Input.[3].ConfigPercentLoad`, '%.0f', { stringLength: 5 }),
  writable('battery.energysave.delay', `${CONV}.Input.[3].EnergySaving.ShutdownTimer`, '%.0f', { stringLength: 5 }),
  writable('battery.energysave.delay', `${CONV}.Input.[3].ShutdownTimer`, '%.0f', { stringLength: 5 }), // newer firmwares
  writable('battery.energysave.realpower', `${CONV}.Input.[3].ConfigActivePower`, '%.0f', { stringLength: 5 }),
  // ABM: remembered first (a status row, as it decides the charging flags; it sets none itself),
  // then the charger mode as battery.charger.status
  quickStatus('charging', 'UPS.BatterySystem.Charger.ABMEnable', recordAbm),
  variable('battery.charger.status', 'UPS.BatterySystem.Charger.Mode', abmChargerStatus, { quickPoll: true }),

  // UPS
  variable('ups.efficiency', `${CONV}.Output.Efficiency`),
  variable('ups.firmware', `${PS}.iVersion`, stringIndex, { static: true }),
  variable('ups.load', `${PS}.PercentLoad`),
  writable('ups.load.high', 'UPS.Flow.[4].ConfigPercentLoad', '%.0f', { stringLength: 5 }),
  serverVar('ups.delay.start', `${PS}.DelayBeforeStartup`, DEFAULT_ONDELAY),
  serverVar('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, DEFAULT_OFFDELAY),
  timer('ups.timer.start', `${PS}.DelayBeforeStartup`),
  timer('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`),
  timer('ups.timer.reboot', `${PS}.DelayBeforeReboot`),
  variable('ups.test.result', 'UPS.BatterySystem.Battery.Test', testRead),
  writable('ups.test.interval', 'UPS.BatterySystem.Battery.TestPeriod', '%.0f', { stringLength: 8 }),
  // The 3S and others put the beeper elsewhere; the first one present is used.
  variable('ups.beeper.status', 'UPS.BatterySystem.Battery.AudibleAlarmControl', beeperStatus),
  variable('ups.beeper.status', `${PS}.AudibleAlarmControl`, beeperStatus),
  variable('ups.beeper.status', 'UPS.AudibleAlarmControl', beeperStatus), // Masterpower MF-UPS650VA
  variable('ups.temperature', `${PS}.Temperature`, kelvinToCelsius),
  variable('ups.power', `${CONV}.Output.ApparentPower`),
  ...[1, 2, 3].map((n) => variable(`ups.L${n}.power`, `${CONV}.Output.Phase.[${n}].ApparentPower`)),
  variable('ups.realpower', `${CONV}.Output.ActivePower`),
  variable('ups.realpower', 'UPS.Flow.[4].ConfigApparentPower', estimatedRealPower),
  ...[1, 2, 3].map((n) => variable(`ups.L${n}.realpower`, `${CONV}.Output.Phase.[${n}].ActivePower`)),
  variable('ups.realpower.nominal', 'UPS.Flow.[4].ConfigActivePower', '%.0f', { static: true }),
  writable('ups.start.auto', `${CONV}.Input.[1].AutomaticRestart`, yesNo, { stringLength: 5 }),
  writable('ups.start.battery', `${CONV}.Input.[3].StartOnBattery`, yesNo, { stringLength: 5 }),
  writable('ups.start.reboot', `${CONV}.Output.ForcedReboot`, yesNo, { stringLength: 5 }),
  writable('ups.shutdown', `${PS}.PresentStatus.Switchable`, enabledDisabledEnum),
  writable('ups.date', `${PS}.Time`, mgeDate),
  writable('ups.time', `${PS}.Time`, mgeTime),
  variable('ups.type', `${CONV}.ConverterType`, upsType, { static: true }),

  // ups.status
  quickStatus('online', `${PS}.PresentStatus.ACPresent`, onlineStatus),
  status('online', `${CONV}.Input.[3].PresentStatus.Used`, onBattery),
  quickStatus('discharging', `${PS}.PresentStatus.Discharging`, abmCheckedBit('discharging')),
  quickStatus('charging', `${PS}.PresentStatus.Charging`, abmCheckedBit('charging')),
  quickStatus('charging', 'UPS.BatterySystem.Charger.Mode', abmChargingFlags),
  quickStatus('lowbatt', `${PS}.PresentStatus.BelowRemainingCapacityLimit`, lowBatteryStatus),
  status('overload', `${CONV}.Output.Overload.[1].PresentStatus.OverThreshold`, overloadStatus), // level 1
  status('overload', `${CONV}.Output.Overload.[2].PresentStatus.OverThreshold`, overloadStatus), // level 2
  status('overload', `${PS}.PresentStatus.Overload`, overloadStatus), // level 3
  status('replacebatt', `${PS}.PresentStatus.NeedReplacement`, replaceBatteryStatus),
  status('replacebatt', 'UPS.LCMSystem.LCMAlarm.[2].PresentStatus.TimerExpired', replaceBatteryStatus),
  status('trim', `${CONV}.Input.[1].PresentStatus.Buck`, trimStatus),
  status('boost', `${CONV}.Input.[1].PresentStatus.Boost`, boostStatus),
  status('vrange', `${CONV}.Input.[1].PresentStatus.VoltageOutOfRange`, voltageRangeStatus),
  status('frange', `${CONV}.Input.[1].PresentStatus.FrequencyOutOfRange`, frequencyRangeStatus),
  status('off', `${PS}.PresentStatus.Good`, goodIsNotOff),
  // After "Good": the main input tells on line only while the unit is not off.
  status('online', `${CONV}.Input.[1].PresentStatus.Used`, converterOnline),
  status('bypassauto', `${CONV}.Input.[2].PresentStatus.Used`, bypassAutoStatus),
  status('bypassman', `${CONV}.Input.[4].PresentStatus.Used`, bypassManualStatus),
  status('ecomode', `${CONV}.Input.[5].PresentStatus.Used`, ecoModeStatus),
  status('fanfail', `${PS}.PresentStatus.FanFailure`, fanFailStatus),
  status('nobattery', 'UPS.BatterySystem.Battery.PresentStatus.Present', noBatteryStatus),
  status('chargerfail', 'UPS.BatterySystem.Charger.PresentStatus.InternalFailure', chargerFailStatus),
  status('battvolthi', 'UPS.BatterySystem.Charger.PresentStatus.VoltageTooHigh', battVoltHighStatus),
  status('battvolthi', `${CONV}.Input.[1].PresentStatus.VoltageTooHigh`, battVoltHighStatus),
  status('battvolthi', 'UPS.BatterySystem.Battery.PresentStatus.VoltageTooHigh', battVoltHighStatus),
  status('battvoltlo', 'UPS.BatterySystem.Charger.PresentStatus.VoltageTooLow', battVoltLowStatus),
  status('online', `${CONV}.Input.[1].PresentStatus.VoltageTooLow`, onBattery),
  status('commfault', `${PS}.PresentStatus.InternalFailure`, commFaultStatus),
  status('overheat', `${PS}.PresentStatus.OverTemperature`, overheatStatus),
  status('shutdownimm', `${PS}.PresentStatus.ShutdownImminent`, shutdownImminentStatus),

  // ups.alarm texts of Eaton's own
  variable('ups.alarm', `${PS}.PresentStatus.EmergencyStop`, alarm('Emergency stop!')),
  variable('ups.alarm', `${CONV}.Input.[1].PresentStatus.WiringFault`, alarm('Wiring fault!')),
  variable('ups.alarm', `${PS}.PresentStatus.ConfigurationFailure`, alarm('Fatal EEPROM fault!')),
  variable('ups.alarm', `${CONV}.Inverter.PresentStatus.VoltageTooHigh`, alarm('Inverter AC voltage too high!')),
  variable('ups.alarm', `${CONV}.Inverter.PresentStatus.VoltageTooLow`, alarm('Inverter AC voltage too low!')),
  variable('ups.alarm', `${CONV}.Output.PresentStatus.ShortCircuit`, alarm('Output short circuit!')),

  // Input
  variable('input.voltage', `${CONV}.Input.[1].Voltage`, '%.1f'),
  ...phases('input', `${CONV}.Input.[1]`, 'voltage'),
  variable('input.voltage.nominal', 'UPS.Flow.[1].ConfigVoltage', '%.0f', { static: true }),
  variable('input.current', `${CONV}.Input.[1].Current`, '%.2f'),
  ...phases('input', `${CONV}.Input.[1]`, 'current'),
  variable('input.current.nominal', 'UPS.Flow.[1].ConfigCurrent', '%.2f', { static: true }),
  variable('input.frequency', `${CONV}.Input.[1].Frequency`, '%.1f'),
  variable('input.frequency.nominal', 'UPS.Flow.[1].ConfigFrequency', '%.0f', { static: true }),
  writable('input.transfer.low', `${CONV}.Output.LowVoltageTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.eco.low', `${CONV}.Output.LowVoltageEcoTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.bypass.low', `${CONV}.Output.LowVoltageBypassTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.boost.low', `${CONV}.Output.LowVoltageBoostTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.boost.high', `${CONV}.Output.HighVoltageBoostTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.trim.low', `${CONV}.Output.LowVoltageBuckTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.high', `${CONV}.Output.HighVoltageTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.eco.high', `${CONV}.Output.HighVoltageEcoTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.bypass.high', `${CONV}.Output.HighVoltageBypassTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.frequency.bypass.range', `${CONV}.Output.FrequencyRangeBypassTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.frequency.eco.range', `${CONV}.Output.FrequencyRangeEcoTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.hysteresis', `${CONV}.Output.HysteresisVoltageTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.transfer.bypass.forced', `${CONV}.Input.[2].ForcedTransferEnable`, enabledDisabled, { stringLength: 8 }),
  writable('input.transfer.bypass.overload', `${CONV}.Input.[2].OverloadTransferEnable`, enabledDisabled, { stringLength: 8 }),
  writable('input.transfer.bypass.outlimits', `${CONV}.Input.[2].OutOfToleranceTransferEnable`, enabledDisabled, { stringLength: 8 }),
  writable('input.transfer.trim.high', `${CONV}.Output.HighVoltageBuckTransfer`, '%.0f', { stringLength: 5 }),
  writable('input.sensitivity', `${CONV}.Output.SensitivityMode`, sensitivity),
  writable('input.voltage.extended', `${CONV}.Output.ExtendedVoltageMode`, yesNo, { stringLength: 5 }),
  writable('input.frequency.extended', `${CONV}.Output.ExtendedFrequencyMode`, yesNo, { stringLength: 5 }),

  // Bypass
  variable('input.bypass.voltage', `${CONV}.Input.[2].Voltage`, '%.1f'),
  ...phases('input.bypass', `${CONV}.Input.[2]`, 'voltage'),
  variable('input.bypass.voltage.nominal', 'UPS.Flow.[2].ConfigVoltage', '%.0f', { static: true }),
  variable('input.bypass.current', `${CONV}.Input.[2].Current`, '%.2f'),
  ...phases('input.bypass', `${CONV}.Input.[2]`, 'current'),
  variable('input.bypass.current.nominal', 'UPS.Flow.[2].ConfigCurrent', '%.2f', { static: true }),
  variable('input.bypass.frequency', `${CONV}.Input.[2].Frequency`, '%.1f'),
  variable('input.bypass.frequency.nominal', 'UPS.Flow.[2].ConfigFrequency', '%.0f', { static: true }),

  // Output
  variable('output.voltage', `${CONV}.Output.Voltage`, '%.1f'),
  ...phases('output', `${CONV}.Output`, 'voltage'),
  writable('output.voltage.nominal', 'UPS.Flow.[4].ConfigVoltage', nominalOutputVoltage, { stringLength: 3 }),
  variable('output.current', `${CONV}.Output.Current`, '%.2f'),
  ...phases('output', `${CONV}.Output`, 'current'),
  variable('output.current.nominal', 'UPS.Flow.[4].ConfigCurrent', '%.2f'),
  variable('output.frequency', `${CONV}.Output.Frequency`, '%.1f'),
  variable('output.frequency.nominal', 'UPS.Flow.[4].ConfigFrequency', '%.0f', { static: true }),
  variable('output.powerfactor', `${CONV}.Output.PowerFactor`, powerFactor),

  // ECO (HE) / ESS mode and automatic bypass, checked against the values above
  writable('input.eco.switchable', `${CONV}.Input.[5].Switchable`, ecoSwitch, { stringLength: 8 }),
  writable('input.bypass.switch.on', `${CONV}.Input.[2].SwitchOnControl`, bypassSwitchOn, { stringLength: 8 }),
  writable('input.bypass.switch.off', `${CONV}.Input.[2].SwitchOffControl`, bypassSwitchOff, { stringLength: 12 }),
  writable('input.bypass.switchable', `${CONV}.Input.[2].Switchable`, enabledDisabled, { stringLength: 8 }),

  // Main outlet (PowerShare)
  variable('outlet.id', `${OUTLET}.[1].OutletID`, '%.0f', { static: true }),
  { ...serverVar('outlet.desc', `${OUTLET}.[1].OutletID`, 'Main Outlet'), stringLength: 20 },
  variable('outlet.switchable', `${OUTLET}.[1].PresentStatus.Switchable`, yesNo, { static: true }),
  writable('outlet.power', `${OUTLET}.[1].ConfigApparentPower`, pegasusThreshold, { stringLength: 6 }),
  variable('outlet.power', `${OUTLET}.[1].ApparentPower`),
  variable('outlet.realpower', `${OUTLET}.[1].ActivePower`),
  variable('outlet.current', `${OUTLET}.[1].Current`, '%.2f'),
  variable('outlet.powerfactor', `${OUTLET}.[1].PowerFactor`, '%.2f'),

  // First switchable outlet
  variable('outlet.1.id', `${OUTLET}.[2].OutletID`, '%.0f', { static: true }),
  { ...serverVar('outlet.1.desc', `${OUTLET}.[2].OutletID`, 'PowerShare Outlet 1'), stringLength: 20 },
  variable('outlet.1.switchable', `${OUTLET}.[2].PresentStatus.Switchable`, yesNo, { static: true }),
  variable('outlet.1.status', `${OUTLET}.[2].PresentStatus.SwitchOn/Off`, onOff),
  variable('outlet.1.protect.status', `${OUTLET}.[1].Status`, outletProtection),
  variable('outlet.1.designator', `${OUTLET}.[1].iDesignator`, stringIndex, { static: true }),
  variable('outlet.1.status', `${PS}.PresentStatus.ACPresent`, onOff), // low-end units: one unprotected outlet
  writable('outlet.1.autoswitch.charge.low', `${OUTLET}.[2].RemainingCapacityLimit`, '%.0f', { stringLength: 3 }),
  writable('outlet.1.delay.shutdown', `${OUTLET}.[2].ShutdownTimer`, '%.0f', { stringLength: 5 }),
  writable('outlet.1.delay.start', `${OUTLET}.[2].StartupTimer`, '%.0f', { stringLength: 5 }),
  variable('outlet.1.power', `${OUTLET}.[2].ApparentPower`),
  variable('outlet.1.realpower', `${OUTLET}.[2].ActivePower`),
  variable('outlet.1.current', `${OUTLET}.[2].Current`, '%.2f'),
  variable('outlet.1.powerfactor', `${OUTLET}.[2].PowerFactor`, '%.2f'),
  variable('outlet.1.ecocontrol', `${OUTLET}.[2].ECOControl`, outletEcoControl),

  // Second switchable outlet
  variable('outlet.2.id', `${OUTLET}.[3].OutletID`, '%.0f', { static: true }),
  { ...serverVar('outlet.2.desc', `${OUTLET}.[3].OutletID`, 'PowerShare Outlet 2'), stringLength: 20 },
  // Writable on Pegasus (master/slave mode), read-only elsewhere.
  writable('outlet.2.switchable', `${OUTLET}.[3].PresentStatus.Switchable`, pegasusYesNo, { stringLength: 3 }),
  variable('outlet.2.switchable', `${OUTLET}.[3].PresentStatus.Switchable`, yesNo),
  variable('outlet.2.status', `${OUTLET}.[3].PresentStatus.SwitchOn/Off`, onOff),
  variable('outlet.2.protect.status', `${OUTLET}.[3].Status`, outletProtection),
  writable('outlet.2.autoswitch.charge.low', `${OUTLET}.[3].RemainingCapacityLimit`, '%.0f', { stringLength: 3 }),
  writable('outlet.2.delay.shutdown', `${OUTLET}.[3].ShutdownTimer`, '%.0f', { stringLength: 5 }),
  writable('outlet.2.delay.start', `${OUTLET}.[3].StartupTimer`, '%.0f', { stringLength: 5 }),
  variable('outlet.2.power', `${OUTLET}.[3].ApparentPower`),
  variable('outlet.2.realpower', `${OUTLET}.[3].ActivePower`),
  variable('outlet.2.current', `${OUTLET}.[3].Current`, '%.2f'),
  variable('outlet.2.powerfactor', `${OUTLET}.[3].PowerFactor`, '%.2f'),
  variable('outlet.2.ecocontrol', `${OUTLET}.[3].ECOControl`, outletEcoControl),

  // Instant commands
  command('test.battery.start.quick', 'UPS.BatterySystem.Battery.Test', 1),
  command('test.battery.start.deep', 'UPS.BatterySystem.Battery.Test', 2),
  command('test.battery.stop', 'UPS.BatterySystem.Battery.Test', 3),
  ...delayCommands(`${PS}.`),
  // Eaton's values: 1 disabled, 2 enabled, 3 muted (beeper.off/on are the old names, the engine maps them).
  command('beeper.off', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.on', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.mute', 'UPS.BatterySystem.Battery.AudibleAlarmControl', 3),
  command('beeper.mute', `${PS}.AudibleAlarmControl`, 3),
  command('beeper.disable', 'UPS.BatterySystem.Battery.AudibleAlarmControl', 1),
  command('beeper.disable', `${PS}.AudibleAlarmControl`, 1),
  command('beeper.enable', 'UPS.BatterySystem.Battery.AudibleAlarmControl', 2),
  command('beeper.enable', `${PS}.AudibleAlarmControl`, 2),
  command('beeper.disable', 'UPS.AudibleAlarmControl', 1), // Masterpower MF-UPS650VA
  command('beeper.enable', 'UPS.AudibleAlarmControl', 2),
  command('outlet.1.load.off', `${OUTLET}.[2].DelayBeforeShutdown`, 0),
  command('outlet.1.load.on', `${OUTLET}.[2].DelayBeforeStartup`, 0),
  command('outlet.2.load.off', `${OUTLET}.[3].DelayBeforeShutdown`, 0),
  command('outlet.2.load.on', `${OUTLET}.[3].DelayBeforeStartup`, 0),
  command('ecomode.disable', `${CONV}.Input.[5].Switchable`, 0),
  command('ecomode.enable', `${CONV}.Input.[5].Switchable`, 1),
  command('essmode.enable', `${CONV}.Input.[5].Switchable`, 2),
  command('essmode.disable', `${CONV}.Input.[5].Switchable`, 0),
  command('bypass.start', `${CONV}.Input.[2].SwitchOnControl`, 1),
  command('bypass.stop', `${CONV}.Input.[2].SwitchOffControl`, 1),
];

export const mgeSubdriver: Subdriver = {
  name: 'MGE HID (upsagent)',
  matches: mgeMatches,
  table: TABLE,
  usageNames: MGE_USAGES,
  formatStrings(_info, strings) {
    return {
      mfr: strings.mfr ?? 'Eaton',
      // The product string until the ups.model rows name the unit from iModel
      // (Dell's product string is already the full name and stays).
      model: strings.model,
      serial: strings.serial,
    };
  },
};
