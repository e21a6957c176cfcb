/**
 * Mini-Box openUPS and openUPS2 (USB vendor 04d8, products d004 and d005;
 * firmware 1.4 or later). Facts from NUT's openups-hid.c (openUPS HID 0.x):
 *
 * - Input/output voltages and currents are raw ADC readings scaled by the
 *   product: on d004 input volts x 3.545, output volts x 2.571, charge
 *   current x 0.08274, discharge current x 1.6113; on d005 all x 0.1 (the
 *   currents unverified).
 * - The battery temperature is a thermistor reading (value x 100) turned
 *   into Celsius with the vendor's table: -40 to 125 degrees in 5-degree
 *   steps, interpolated in between.
 * - Status bits count as set for any non-zero value.
 * - ups.serial is the string PowerSummary.iSerialNumber points to, read
 *   again at every full poll (the engine copies it to device.serial, as NUT
 *   does after its first walk); the battery's manufacturing "date" is the
 *   iOEMInformation string.
 * - The six cell voltages (usages Cell1..Cell6 on page 0) are named but not
 *   mapped, as in NUT.
 *
 * Row order is NUT's: the first row the device supports wins.
 */
import type { HidInfoEntry, HidLookup, HidLookupContext, Subdriver } from '../../types';
import { formatFixed } from '../format';
import {
  commFaultStatus,
  functionLookup,
  lowBatteryStatus,
  noBatteryStatus,
  overheatStatus,
  overloadStatus,
  replaceBatteryStatus,
  shutdownImminentStatus,
  stringIndex,
  timeLimitExpiredStatus,
} from '../lookups';
import type { StatusFlag } from '../status';
import { quickStatus, status, variable } from '../rows';
import { claims, defaultMfr } from '../devices';

export const MINIBOX_VENDOR_ID = 0x04d8;

/** The USB IDs openups-hid.c claims. */
export const OPENUPS_DEVICES: ReadonlyArray<readonly [number, number]> = [
  [MINIBOX_VENDOR_ID, 0xd004], // openUPS
  [MINIBOX_VENDOR_ID, 0xd005], // openUPS2
];

/** openUPS's usages: the battery cells on J6 pins 1-5 and J4 pin 1. */
export const OPENUPS_USAGES: Readonly<Record<string, number>> = {
  Cell1: 0x00000001,
  Cell2: 0x00000002,
  Cell3: 0x00000003,
  Cell4: 0x00000004,
  Cell5: 0x00000005,
  Cell6: 0x00000006,
};

// ------------------------------------------------------------ scales

export interface OpenupsScales {
  vin: number;
  vout: number;
  /** Charge current (input.current). */
  ccharge: number;
  /** Discharge current (output.current). */
  cdischarge: number;
}

/** The product's scales; 1 for a product NUT has none for. */
export function openupsScales(productId: number): OpenupsScales {
  switch (productId) {
    case 0xd004:
      return { vin: 0.03545 * 100, vout: 0.02571 * 100, ccharge: 0.8274 / 10, cdischarge: 16.113 / 10 };
    case 0xd005:
      return { vin: 0.1, vout: 0.1, ccharge: 0.1, cdischarge: 0.1 };
    default:
      return { vin: 1, vout: 1, ccharge: 1, cdischarge: 1 };
  }
}

function scaled(which: keyof OpenupsScales, decimals: number): HidLookup {
  return functionLookup((value: number, ctx?: HidLookupContext) => {
    if (!Number.isFinite(value)) return undefined;
    const factor = ctx ? openupsScales(ctx.info.productId)[which] : 1;
    return formatFixed(value * factor, decimals);
  });
}

// ------------------------------------------------------------ temperature

/** Thermistor readings at -40, -35, ... 125 degrees Celsius. */
const THERMISTOR: readonly number[] = [
  0x31, 0x40, 0x53, 0x68, 0x82, 0xa0, 0xc3, 0xe9, 0x113, 0x13f, 0x16e, 0x19f, 0x1cf, 0x200, 0x22f, 0x25c, 0x286, 0x2ae, 0x2d3,
  0x2f4, 0x312, 0x32d, 0x345, 0x35a, 0x36d, 0x37e, 0x38c, 0x399, 0x3a5, 0x3af, 0x3b7, 0x3bf, 0x3c6, 0x3cc,
];

/** battery.temperature from the thermistor: whole degrees on a table point or at the ends, else two decimals. */
export const openupsTemperature: HidLookup = functionLookup((value) => {
  if (!Number.isFinite(value)) return undefined;
  // C converts value x 100 to an unsigned int: truncated; a negative reading is taken as 0.
  const reading = Math.max(0, Math.trunc(value * 100));
  const last = THERMISTOR.length - 1;
  if (reading <= (THERMISTOR[0] as number)) return '-40';
  if (reading >= (THERMISTOR[last] as number)) return '125';
  let pos = 0;
  for (let i = last; i >= 0; i--) {
    if (reading >= (THERMISTOR[i] as number)) {
      pos = i;
      break;
    }
  }
  const t1 = pos * 5 - 40;
  const d1 = THERMISTOR[pos] as number;
  if (reading === d1) return String(t1);
  const d2 = THERMISTOR[pos + 1] as number;
  return formatFixed(((reading - d1) * 5) / (d2 - d1) + t1, 2);
});

// ------------------------------------------------------------ status

/** A status bit set by any non-zero value. */
function nonZero(flag: StatusFlag): HidLookup {
  return functionLookup((value) => (Number.isFinite(value) ? (value !== 0 ? flag : `!${flag}`) : undefined));
}

/** Good: any non-zero value means the UPS is not off. */
const openupsOff = functionLookup((value) => (Number.isFinite(value) ? (value !== 0 ? '!off' : 'off') : undefined));

// ------------------------------------------------------------ table

const PS = 'UPS.PowerSummary';
const PRESENT = `${PS}.PresentStatus`;

const TABLE: readonly HidInfoEntry[] = [
  variable('ups.serial', `${PS}.iSerialNumber`, stringIndex),

  // Battery
  variable('battery.type', `${PS}.iDeviceChemistry`, stringIndex, { static: true }),
  variable('battery.mfr.date', `${PS}.iOEMInformation`, stringIndex, { static: true }),
  variable('battery.voltage', `${PS}.Voltage`, '%.2f', { quickPoll: true }),
  variable('battery.current', `${PS}.Current`, '%.3f', { quickPoll: true }),
  variable('battery.capacity', `${PS}.DesignCapacity`, '%.0f', { static: true }),
  variable('battery.charge', `${PS}.RemainingCapacity`, '%.0f', { quickPoll: true }),
  variable('battery.charge.low', `${PS}.RemainingCapacityLimit`, '%.0f', { quickPoll: true }),
  variable('battery.charge.warning', `${PS}.WarningCapacityLimit`),
  variable('battery.runtime', `${PS}.RunTimeToEmpty`, '%.0f', { quickPoll: true }),
  variable('battery.temperature', `${PS}.Temperature`, openupsTemperature, { quickPoll: true }),

  // Output and input
  variable('output.voltage', `${PS}.Output.Voltage`, scaled('vout', 2), { quickPoll: true }),
  variable('output.current', `${PS}.Output.Current`, scaled('cdischarge', 3), { quickPoll: true }),
  variable('input.voltage', `${PS}.Input.Voltage`, scaled('vin', 2), { quickPoll: true }),
  variable('input.current', `${PS}.Input.Current`, scaled('ccharge', 3), { quickPoll: true }),

  // ups.status
  quickStatus('off', `${PRESENT}.Good`, openupsOff),
  quickStatus('commfault', `${PRESENT}.InternalFailure`, commFaultStatus),
  quickStatus('overload', `${PRESENT}.Overload`, overloadStatus),
  quickStatus('overheat', `${PRESENT}.OverTemperature`, overheatStatus),
  quickStatus('shutdownimm', `${PRESENT}.ShutdownImminent`, shutdownImminentStatus),
  quickStatus('lowbatt', `${PRESENT}.BelowRemainingCapacityLimit`, lowBatteryStatus),
  quickStatus('timelimitexpired', `${PRESENT}.RemainingTimeLimitExpired`, timeLimitExpiredStatus),
  quickStatus('charging', `${PRESENT}.Charging`, nonZero('charging')),
  quickStatus('discharging', `${PRESENT}.Discharging`, nonZero('discharging')),
  status('replacebatt', `${PRESENT}.NeedReplacement`, replaceBatteryStatus),
  quickStatus('online', `${PRESENT}.ACPresent`, nonZero('online')),
  quickStatus('nobattery', `${PRESENT}.BatteryPresent`, noBatteryStatus),
];

export const openupsSubdriver: Subdriver = {
  name: 'openUPS HID (upsagent)',
  matches: claims(OPENUPS_DEVICES),
  table: TABLE,
  usageNames: OPENUPS_USAGES,
  formatStrings: defaultMfr('openUPS'),
};
