/**
 * Voltronic's ups.conf-only options (nutdrv_qx_voltronic.c, "Not available
 * in NUT": QX_FLAG_NONUT setvars), written once per connection after the
 * opening pass, as NUT writes them during its first walk:
 *  - reset_to_default: `PF\r`, only while the UPS is in standby (OFF);
 *  - the capability options (bypass_alarm ... limited_runtime_on_battery):
 *    `PE<letter>\r` / `PD<letter>\r` when QFLAG reports the capability and
 *    its state differs from the option's (enabled/disabled, any case);
 *  - max/min_bypass_volt (`PHVnnn`/`PLVnnn`, after QBYV) and
 *    max/min_bypass_freq (`PGFnn.n`/`PSFnn.n`, after QBYF), within NUT's
 *    ranges for the unit's protocol and nominal voltage or frequency, on
 *    every protocol but P00, P08 and P31 (which NUT never asks);
 *  - battery_number: `BATN<n>\r` when it differs from QBV's count;
 *  - work_range_type (P31 only; `PGR00` Appliance / `PGR01` UPS, after QGR);
 *  - output_phase_angle (`PPD<i>` after QPD; i is the angle's place in
 *    000, 120, 180, 240, which is what NUT sends).
 * Values are checked as NUT checks them; an option that cannot be applied
 * says why in the log and sends nothing.
 */
import type { QxContext, QxStartupWrite } from '../protocol';
import { formatFixed } from '../fields';
import { parseFlags } from './voltronic-flags';

/** ups.conf option -> QFLAG letter; the command letter is its upper case (nutdrv_qx_voltronic.c table order). */
export const NONUT_CAPABILITIES: ReadonlyArray<readonly [string, string]> = [
  ['bypass_alarm', 'p'],
  ['battery_alarm', 'b'],
  ['bypass_when_off', 'o'],
  ['alarm_control', 'a'],
  ['converter_mode', 'v'],
  ['eco_mode', 'e'],
  ['battery_open_status_check', 'd'],
  ['bypass_forbidding', 'f'],
  ['site_fault_detection', 'l'],
  ['advanced_eco_mode', 'n'],
  ['constant_phase_angle', 'q'],
  ['limited_runtime_on_battery', 'w'],
];

class StartupOptionError extends Error {
  override name = 'StartupOptionError';
}

export const RESET_TO_DEFAULT: QxStartupWrite = {
  name: 'reset_to_default',
  writes(_reply, ctx) {
    if (ctx.options.raw.reset_to_default !== true) return [];
    const status = (ctx.vars.get('ups.status') ?? '').split(' ');
    if (!status.includes('OFF')) throw new StartupOptionError("capability options can be reset only while the UPS is in standby (ups.status OFF); nothing sent");
    return ['PF\r'];
  },
};

function capabilityOption(name: string, letter: string): QxStartupWrite {
  return {
    name,
    writes(_reply, ctx) {
      const want = ctx.options.raw[name];
      if (typeof want !== 'string') return [];
      const now = capabilityState(ctx, letter);
      if (now === undefined) throw new StartupOptionError(`the UPS does not report this capability (QFLAG has no '${letter}'); nothing sent`);
      if (want.toLowerCase() === now) return [];
      return [`P${want.toLowerCase() === 'enabled' ? 'E' : 'D'}${letter.toUpperCase()}\r`];
    },
  };
}

/** The capability's state in the opening pass's QFLAG reply, or undefined when absent. */
function capabilityState(ctx: QxContext, letter: string): 'enabled' | 'disabled' | undefined {
  const reply = ctx.replies?.get('QFLAG\r');
  if (reply === undefined) return undefined;
  const { enabled, disabled } = parseFlags(reply);
  if (enabled.includes(letter)) return 'enabled';
  if (disabled.includes(letter)) return 'disabled';
  return undefined;
}

/**
 * battery_number: NUT compares with the count QBV gave (columns 7-9) and,
 * when QBV gave none, with its initial 0, so the value is then sent anyway.
 */
export const BATTERY_NUMBER: QxStartupWrite = {
  name: 'battery_number',
  writes(_reply, ctx) {
    const want = ctx.options.raw.battery_number;
    if (typeof want !== 'number') return [];
    const qbv = ctx.replies?.get('QBV\r');
    const field = qbv?.slice(7, 10) ?? '';
    const now = qbv !== undefined && /^[0-9 .]*$/.test(field) ? parseInt(field, 10) || 0 : 0;
    return now === want ? [] : [`BATN${want.toFixed(0)}\r`];
  },
};

/** QPI's protocol number (ups.firmware.aux `P01` -> 1), as NUT's strtol(aux+1). */
function protocolNumber(ctx: QxContext): number | undefined {
  return published(ctx, 'ups.firmware.aux', (t) => parseInt(t.slice(1), 10));
}

/** A published value read as strtol (whole) or strtod would, undefined when absent or not a number. */
function published(ctx: QxContext, name: string, read: (text: string) => number): number | undefined {
  const v = ctx.vars.get(name);
  const n = v === undefined ? NaN : read(v);
  return Number.isNaN(n) ? undefined : n;
}

const P02_GROUP = [2, 3, 10, 13, 14];

/**
 * NUT's range tables for the bypass limits (voltronic_r_bypass_*), which
 * keep the values a unit's protocol and nominal take and pair them in
 * order: here as the pairs that result. `low`: input.voltage.nominal below
 * 200 V; `ofn`: output.frequency.nominal.
 */
interface BypassRange {
  protocols: readonly number[];
  low?: boolean;
  ofn?: 50 | 60;
  range: readonly [number, number];
}

const BYPASS_RANGES: Record<'max_bypass_volt' | 'min_bypass_volt' | 'max_bypass_freq' | 'min_bypass_freq', readonly BypassRange[]> = {
  max_bypass_volt: [
    { protocols: [9], range: [60, 140] },
    { protocols: [1], low: true, range: [120, 140] },
    { protocols: P02_GROUP, low: true, range: [115, 138] },
    { protocols: [99], low: true, range: [115, 132] },
    { protocols: [1], low: false, range: [230, 264] },
    { protocols: P02_GROUP, low: false, range: [231, 276] },
    { protocols: [99], low: false, range: [231, 261] },
  ],
  min_bypass_volt: [
    { protocols: [9], range: [60, 140] },
    { protocols: [1], low: true, range: [85, 115] },
    { protocols: P02_GROUP, low: true, range: [55, 104] },
    { protocols: [99], low: true, range: [50, 85] },
    { protocols: [1], low: false, range: [170, 220] },
    { protocols: P02_GROUP, low: false, range: [110, 209] },
    { protocols: [99], low: false, range: [149, 209] },
  ],
  max_bypass_freq: [
    { protocols: [1, 9], ofn: 50, range: [51, 60] },
    { protocols: [...P02_GROUP, 99], ofn: 50, range: [51, 54] },
    { protocols: [1, 9], ofn: 60, range: [61, 70] },
    { protocols: [...P02_GROUP, 99], ofn: 60, range: [61, 64] },
  ],
  min_bypass_freq: [
    { protocols: [1, 9], ofn: 50, range: [40, 49] },
    { protocols: [...P02_GROUP, 99], ofn: 50, range: [46, 49] },
    { protocols: [1, 9], ofn: 60, range: [50, 59] },
    { protocols: [...P02_GROUP, 99], ofn: 60, range: [56, 59] },
  ],
};

/** The range NUT allows this unit for a bypass limit, or undefined (no nominal, or a protocol without one). */
export function bypassRange(name: keyof typeof BYPASS_RANGES, ctx: QxContext): readonly [number, number] | undefined {
  const p = protocolNumber(ctx);
  if (p === undefined) return undefined;
  const volts = name.endsWith('_volt');
  const ivn = published(ctx, 'input.voltage.nominal', (t) => parseInt(t, 10));
  const ofn = published(ctx, 'output.frequency.nominal', parseFloat);
  if (volts ? ivn === undefined : ofn === undefined) return undefined;
  const hit = BYPASS_RANGES[name].find((r) => r.protocols.includes(p) && (r.low === undefined || r.low === ivn! < 200) && (r.ofn === undefined || r.ofn === ofn));
  return hit?.range;
}

/** NUT never asks the bypass limits of P00, P08 and P31 units. */
const hasBypassLimits = (ctx: QxContext): boolean => {
  const p = protocolNumber(ctx);
  return p !== undefined && p !== 0 && p !== 8 && p !== 31;
};

/**
 * One query and its two limits (QBYV: `(264 170`, max at 1-3, min at 5-7;
 * QBYF: `(53.0 47.0`, max at 1-4, min at 6-9), written max first.
 */
function bypassLimits(query: 'QBYV\r' | 'QBYF\r'): QxStartupWrite {
  const volts = query === 'QBYV\r';
  const names = volts ? (['max_bypass_volt', 'min_bypass_volt'] as const) : (['max_bypass_freq', 'min_bypass_freq'] as const);
  return {
    name: names.join('/'),
    query: (ctx) => (names.some((n) => typeof ctx.options.raw[n] === 'number') && hasBypassLimits(ctx) ? query : undefined),
    writes(reply, ctx) {
      const wanted = names.filter((n) => typeof ctx.options.raw[n] === 'number');
      if (wanted.length === 0) return [];
      if (!hasBypassLimits(ctx)) throw new StartupOptionError(`${wanted.join(', ')}: this unit's protocol has no bypass limits; nothing sent`);
      if (reply === null || !reply.startsWith('(')) throw new StartupOptionError(`${wanted.join(', ')}: ${query.trim()} unanswered; nothing sent`);
      const cols = volts ? [[1, 4], [5, 8]] : [[1, 5], [6, 10]];
      const out: string[] = [];
      const problems: string[] = [];
      names.forEach((n, i) => {
        const want = ctx.options.raw[n];
        if (typeof want !== 'number') return;
        const field = reply.slice(cols[i]![0], cols[i]![1]);
        if (!/^[0-9 .]+$/.test(field)) return problems.push(`${n}: ${query.trim()} gave no number`);
        const now = volts ? parseInt(field, 10) : parseFloat(field);
        const range = bypassRange(n, ctx);
        // NUT checks the whole part of the value against the range (strtol), then compares and sends the value itself.
        if (!range || Math.trunc(want) < range[0] || Math.trunc(want) > range[1]) return problems.push(`${n}: ${want} is outside ${range ? `${range[0]}..${range[1]}` : 'any range this unit has'}`);
        if (now === want) return;
        out.push(volts ? `P${i === 0 ? 'H' : 'L'}V${formatFixed(want, 0).padStart(3, '0')}\r` : `P${i === 0 ? 'G' : 'S'}F${formatFixed(want, 1).padStart(4, '0')}\r`);
      });
      if (problems.length > 0 && out.length === 0) throw new StartupOptionError(`${problems.join('; ')}; nothing sent`);
      return out;
    },
  };
}

/** work_range_type, P31 only: QGR `(00` Appliance / `(01` UPS; a reply NUT cannot read counts as Appliance, as its initial 0. */
export const WORK_RANGE_TYPE: QxStartupWrite = {
  name: 'work_range_type',
  query: (ctx) => (typeof ctx.options.raw.work_range_type === 'string' && protocolNumber(ctx) === 31 ? 'QGR\r' : undefined),
  writes(reply, ctx) {
    const want = ctx.options.raw.work_range_type;
    if (typeof want !== 'string') return [];
    if (protocolNumber(ctx) !== 31) throw new StartupOptionError('only P31 units have a grid working range; nothing sent');
    const index = WORK_RANGES.findIndex((w) => w.toLowerCase() === want.toLowerCase());
    const now = reply !== null && /^\(0[01]/.test(reply) ? Number(reply[2]) : 0;
    return index === now ? [] : [`PGR${String(index).padStart(2, '0')}\r`];
  },
};

export const WORK_RANGES = ['Appliance', 'UPS'] as const;
export const PHASE_ANGLES = ['000', '120', '180', '240'] as const;

/** output_phase_angle: QPD `(000 120` (input, output); written only when QPD answered with a number, as NUT unskips it. */
export const OUTPUT_PHASE_ANGLE: QxStartupWrite = {
  name: 'output_phase_angle',
  query: (ctx) => (typeof ctx.options.raw.output_phase_angle === 'string' ? 'QPD\r' : undefined),
  writes(reply, ctx) {
    const want = ctx.options.raw.output_phase_angle;
    if (typeof want !== 'string') return [];
    const field = reply?.startsWith('(') ? reply.slice(5, 8) : '';
    if (!/^[0-9 .]+$/.test(field)) throw new StartupOptionError('QPD gave no output phase angle; nothing sent');
    const index = PHASE_ANGLES.indexOf(want as (typeof PHASE_ANGLES)[number]);
    if (index < 0) throw new StartupOptionError(`${want} is not one of ${PHASE_ANGLES.join(', ')}; nothing sent`);
    return parseInt(field, 10) === Number(want) ? [] : [`PPD${String(index).padStart(3, '0')}\r`];
  },
};

/** In nutdrv_qx_voltronic.c's table order. */
export const VOLTRONIC_STARTUP: readonly QxStartupWrite[] = [
  RESET_TO_DEFAULT,
  ...NONUT_CAPABILITIES.map(([n, l]) => capabilityOption(n, l)),
  bypassLimits('QBYV\r'),
  bypassLimits('QBYF\r'),
  BATTERY_NUMBER,
  WORK_RANGE_TYPE,
  OUTPUT_PHASE_ANGLE,
];
