/**
 * Voltronic Power (NUT nutdrv_qx_voltronic, "Voltronic 0.14"): the units
 * that name their protocol to `QPI` (`(PI01`, published `P01`) and give
 * their status to `QGS`. The device is this protocol's when QGS gives
 * input.voltage and QPI names a protocol NUT supports (00, 01, 02, 03,
 * 08, 09, 10, 13, 14, 31, 99). Commands are answered `(ACK`; queries and
 * commands a unit lacks are answered `(NAK`.
 *
 *   QGS  -> (234.9 50.0 229.8 50.0 000.0 000 369.1 ---.- 026.5 ---.- 018.8 100000000001
 *           0         1         2         3         4         5         6         7
 *           0123456789012345678901234567890123456789012345678901234567890123456789012345
 *   QRI  -> (230.0 004 024.0 50.0
 *   QMD  -> (#######OLHVT1K0 ###1000 80 1/1 230 230 02 12.0
 *   QBV  -> (026.5 02 01 068 255
 *   QFLAG-> (EpashcjDbroegfl   (capabilities enabled after E, disabled after D)
 *   QWS  -> (0000000100000000000000000000000000000000000000000000000000000000
 *
 * Departures from NUT, deliberate:
 *  - NUT's QGS 'UPS fault' bit test compares the character with the number
 *    1, so it never fires and QFS is never asked. Here the bit raises
 *    "UPS Fault!" and, while that alarm stands, each full poll asks QFS
 *    for the fault ("(OK" then adds nothing, where NUT would add the alarm
 *    "No fault found").
 *  - A protocol keeps no state, so what NUT keeps in C globals from QFLAG
 *    is judged from what is published: a silenced beeper reads "muted" on
 *    units with alarm control as in NUT once a full poll has read QFLAG
 *    (a beeper silenced at the front panel reads "disabled" until then;
 *    with alarm control disabled, a quick poll may say "enabled" where NUT
 *    keeps "disabled" until the next full poll), the ECO
 *    limits (QHE, QFRE) are asked of the protocols NUT gives ECO ranges
 *    for (their refusal is a failed optional query). The commands NUT
 *    adds for a capability (beeper.enable/disable, bypass.start/stop,
 *    outlet.n.load.on/off) are listed from the last full poll's QFLAG and
 *    QSKn answers (QxContext.replies), as NUT unskips them.
 *  - NUT's ups.alarm item for the bypass/boost/buck bit reuses the status
 *    word, so a boosting or trimming unit also gets the alarm "BOOST" or
 *    "TRIM" (and ALARM in ups.status); here only the flag is set.
 *  - The options NUT takes from ups.conf only (bypass_alarm, eco_mode,
 *    max_bypass_volt, battery_number, output_phase_angle, reset_to_default,
 *    ...) are written once per connection by ./voltronic-startup.ts, with
 *    the queries they need (QBYV, QBYF, QGR, QPD). NUT's parallel-system
 *    query QPAR and its unknown QBDR (asked only with `testing`) publish
 *    nothing NUT names, and are left out.
 */
import { QxParseError, QxValueError, checkShape, column, columnsQuery, formatFixed, numberColumn, numberColumns, textColumn } from '../fields';
import type { QxContext, QxInstantCommand, QxProbe, QxProtocol, QxQuery, QxReading, QxSetting, QxStatusFlag, QxStatusUpdate } from '../protocol';
import { SHUTDOWN_RETURN, batteryVoltage, ondelaySetting, offdelaySetting, shutdownStayoff } from './blazer';
import { FAULTS, FAULTS_P31, FAULT_FLAGS, WARNINGS, WARNING_FLAGS } from './voltronic-alarms';
import { parseFlags } from './voltronic-flags';
import { VOLTRONIC_STARTUP } from './voltronic-startup';

export { parseFlags };

type Vars = Record<string, string>;

const put = (vars: Vars, name: string, v: string | undefined): void => {
  if (v !== undefined) vars[name] = v;
};

/** NUT's protocol numbers this protocol supports. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [0, 1, 2, 3, 8, 9, 10, 13, 14, 31, 99];

/** The protocol number from ups.firmware.aux (`P01` -> 1), or undefined before QPI was read. */
export function protocolNumber(ctx: QxContext): number | undefined {
  const aux = ctx.vars.get('ups.firmware.aux');
  if (aux === undefined || !/^P\d+$/.test(aux)) return undefined;
  return Number.parseInt(aux.slice(1), 10);
}

const isProtocol =
  (...ps: number[]) =>
  (ctx: QxContext): boolean => {
    const p = protocolNumber(ctx);
    return p !== undefined && ps.includes(p);
  };

/**
 * A text column as NUT reads it: up to a NUL byte (C strings end there);
 * all `-` (a field the unit does not fill) or any other control character
 * (line noise) counts as absent.
 */
function textOrNone(reply: string, from: number, to: number, trim = true): string | undefined {
  const nul = reply.indexOf('\u0000');
  const t = textColumn(nul < 0 ? reply : reply.slice(0, nul), from, to, trim);
  // eslint-disable-next-line no-control-regex
  return t === undefined || /^-+$/.test(t.trim()) || t.trim() === '' || /[\u0000-\u001f\u007f]/.test(t) ? undefined : t;
}

// ------------------------------------------------------------ identity and ratings

/** `QPI\r` -> `(PI01`: the protocol, published as ups.firmware.aux `P01`. */
export const PROTOCOL_QUERY: QxQuery = {
  command: 'QPI\r',
  kind: 'static',
  parse(reply) {
    checkShape('QPI\r', reply, { leading: '(', minLength: 5 });
    const id = column(reply, 1, 4);
    if (id.slice(0, 2).toUpperCase() !== 'PI') throw new QxParseError('QPI\r', reply, `${JSON.stringify(id)} does not start with PI`);
    const digits = id.slice(2);
    // NUT accepts only these digits, then only the listed numbers.
    if (!/^[0123489]*$/.test(digits) || digits === '') throw new QxParseError('QPI\r', reply, `protocol ${JSON.stringify(id)} is not supported`);
    const n = Number.parseInt(digits, 10);
    if (!SUPPORTED_PROTOCOLS.includes(n)) throw new QxParseError('QPI\r', reply, `protocol PI${String(n).padStart(2, '0')} is not supported`);
    return { vars: { 'ups.firmware.aux': `P${String(n).padStart(2, '0')}` } };
  },
};

/** `QRI\r` -> `(230.0 004 024.0 50.0`: output ratings and the battery's nominal voltage (per pack). */
export const RATINGS_QUERY = columnsQuery('QRI\r', 'static', { leading: '(', minLength: 21 }, [
  ['output.voltage.nominal', 1, 5, 1],
  ['output.current.nominal', 7, 9, 0],
  ['battery.voltage.nominal', 11, 15, 1],
  ['output.frequency.nominal', 17, 20, 1],
]);

/** `QMD\r`: model, VA, power factor (percent -> fraction), phases, nominal voltages. */
export const MODEL_QUERY: QxQuery = {
  command: 'QMD\r',
  kind: 'static',
  parse(reply) {
    checkShape('QMD\r', reply, { leading: '(', minLength: 47 });
    const vars: Vars = {};
    put(vars, 'device.model', textOrNone(reply, 1, 15));
    put(vars, 'ups.power.nominal', textOrNone(reply, 17, 23));
    const pf = numberColumn(reply, 25, 26, 6);
    if (pf !== undefined) vars['output.powerfactor'] = formatFixed(Number(pf) * 0.01, 1);
    put(vars, 'input.phases', numberColumn(reply, 28, 28, 0));
    put(vars, 'output.phases', numberColumn(reply, 30, 30, 0));
    put(vars, 'input.voltage.nominal', numberColumn(reply, 32, 34, 1));
    put(vars, 'output.voltage.nominal', numberColumn(reply, 36, 38, 1));
    return { vars };
  },
};

/** `F\r` -> `#220.0 000 024.0 50.0`: input ratings (every value %.1f, unlike the Megatec F). */
export const F_QUERY = columnsQuery('F\r', 'static', { leading: '#', minLength: 21 }, [
  ['input.voltage.nominal', 1, 5, 1],
  ['input.current.nominal', 7, 9, 1],
  ['battery.voltage.nominal', 11, 15, 1],
  ['input.frequency.nominal', 17, 20, 1],
]);

/** `QMF\r` -> `(#####VOLTRONIC`: the manufacturer, of any length. */
export const MFR_QUERY: QxQuery = {
  command: 'QMF\r',
  kind: 'static',
  parse(reply) {
    checkShape('QMF\r', reply, { leading: '(', minLength: 1 });
    const vars: Vars = {};
    put(vars, 'device.mfr', textOrNone(reply, 1, 0));
    return { vars };
  },
};

/** `QVFW\r` -> `(VERFW:00322.02`: the firmware version. */
export const FIRMWARE_QUERY: QxQuery = {
  command: 'QVFW\r',
  kind: 'static',
  parse(reply) {
    checkShape('QVFW\r', reply, { leading: '(', minLength: 15 });
    const vars: Vars = {};
    put(vars, 'ups.firmware', textOrNone(column(reply, 7, 14), 0, 0, false));
    return { vars };
  },
};

/** `QID\r` -> `(685653211455`: the serial number; all zeros is no serial. */
export const SERIAL_QUERY: QxQuery = {
  command: 'QID\r',
  kind: 'static',
  parse(reply) {
    checkShape('QID\r', reply, { leading: '(', minLength: 1 });
    const serial = textOrNone(reply, 1, 0, false);
    const vars: Vars = {};
    if (serial !== undefined && !/^0*$/.test(serial)) vars['device.serial'] = serial;
    return { vars };
  },
};

/** `I\r` -> `#-------------   ------     VT12046Q  `: Megatec vendor layout; dashes are no value. */
export const VENDOR_QUERY: QxQuery = {
  command: 'I\r',
  kind: 'static',
  parse(reply) {
    checkShape('I\r', reply, { leading: '#', minLength: 38 });
    const vars: Vars = {};
    put(vars, 'device.mfr', textOrNone(reply, 1, 15));
    put(vars, 'device.model', textOrNone(reply, 17, 26));
    put(vars, 'ups.firmware', textOrNone(reply, 28, 37));
    return { vars };
  },
};

// ------------------------------------------------------------ status

const UPS_TYPES: Readonly<Record<string, string>> = { '00': 'offline', '01': 'line-interactive', '10': 'online' };

function bit(command: string, reply: string, pos: number): boolean {
  const c = reply.charAt(pos);
  if (c === '1') return true;
  if (c === '0') return false;
  throw new QxParseError(command, reply, `status bit at ${pos} is ${JSON.stringify(c)}, not 0 or 1`);
}

/**
 * `QGS\r`, every poll: values, ups.type, and the 12 status bits from
 * column 63. Utility fail -> OL cleared, battery low -> LB, bypass/boost/
 * buck -> TRIM, BYPASS (P00/P08: the alarm "UPS is in AVR Mode.") or BOOST
 * by the output/input ratio, fault -> "UPS Fault!", test -> CAL, shutdown
 * active -> FSD, beeper. As in NUT a cleared bypass/boost/buck bit clears
 * nothing (QMOD's BYPASS stands until the next full poll).
 */
export const STATUS_QUERY: QxQuery = {
  command: 'QGS\r',
  kind: 'status',
  parse(reply, ctx) {
    const cmd = 'QGS\r';
    checkShape(cmd, reply, { leading: '(', minLength: 75 });
    const vars: Vars = {};
    put(vars, 'input.voltage', numberColumn(reply, 1, 5, 1));
    put(vars, 'input.frequency', numberColumn(reply, 7, 10, 1));
    put(vars, 'output.voltage', numberColumn(reply, 12, 16, 1));
    put(vars, 'output.frequency', numberColumn(reply, 18, 21, 1));
    put(vars, 'output.current', numberColumn(reply, 23, 27, 1));
    put(vars, 'ups.load', numberColumn(reply, 29, 31, 0));
    put(vars, 'battery.voltage', batteryVoltage(numberColumn(reply, 45, 49, 2), ctx));
    put(vars, 'ups.temperature', numberColumn(reply, 57, 61, 1));
    put(vars, 'ups.type', UPS_TYPES[column(reply, 63, 64)]);

    const status: QxStatusUpdate = { OL: !bit(cmd, reply, 65), LB: bit(cmd, reply, 66) };
    const bbb = bit(cmd, reply, 67);
    status.CAL = bit(cmd, reply, 70);
    const sab = bit(cmd, reply, 71);
    if (!ctx.options.ignoresab) status.FSD = sab;
    const alarms: string[] = [];
    if (bbb && vars['input.voltage'] !== undefined && vars['output.voltage'] !== undefined) {
      const vi = Number(vars['input.voltage']);
      const vo = Number(vars['output.voltage']);
      if (vo >= 0.5 * vi) {
        if (vo < 0.95 * vi) status.TRIM = true;
        else if (vo < 1.05 * vi) {
          const p = protocolNumber(ctx);
          if (p === 0 || p === 8) alarms.push('UPS is in AVR Mode.');
          else status.BYPASS = true;
        } else if (vo < 1.5 * vi) status.BOOST = true;
      }
    }
    if (reply.charAt(68) === '1') alarms.push('UPS Fault!');
    // Bit 72 is 1 when the beeper is off: "muted" once QFLAG said the unit has alarm control (see FLAGS_QUERY).
    const beeper = reply.charAt(72);
    if (beeper === '0') vars['ups.beeper.status'] = 'enabled';
    else if (beeper === '1') vars['ups.beeper.status'] = ctx.vars.get('ups.beeper.status') === 'muted' ? 'muted' : 'disabled';
    const out: QxReading = { vars, status };
    if (alarms.length) out.alarms = alarms;
    return out;
  },
};

/** `QMOD\r` -> `(S`: the working mode, each full poll. */
export const MODE_QUERY: QxQuery = {
  command: 'QMOD\r',
  kind: 'poll',
  parse(reply) {
    checkShape('QMOD\r', reply, { leading: '(', minLength: 2 });
    const mode = reply.charAt(1);
    const flag = (f: QxStatusFlag, on = true): QxReading => ({ status: { [f]: on } });
    switch (mode) {
      case 'P':
        return { alarms: ['UPS is going ON.'] };
      case 'S':
        return flag('OFF');
      case 'Y':
        return flag('BYPASS');
      case 'L':
        return flag('OL');
      case 'B':
        return flag('OL', false);
      case 'T':
        return flag('CAL');
      case 'F':
        return { alarms: ['Fault reported by UPS.'] };
      case 'E': // ECO mode and converter mode: NUT sets only buzzwords
      case 'C':
        return {};
      case 'D':
        return { status: { FSD: true }, alarms: ['UPS is shutting down!'] };
      default:
        throw new QxParseError('QMOD\r', reply, `unknown mode ${JSON.stringify(mode)}`);
    }
  },
};

/** `QFS\r`: the fault, asked while "UPS Fault!" stands (see the header). */
export const FAULT_QUERY: QxQuery = {
  command: 'QFS\r',
  kind: 'poll',
  enabled: (ctx) => (ctx.vars.get('ups.alarm') ?? '').includes('UPS Fault!'),
  parse(reply, ctx) {
    checkShape('QFS\r', reply, { leading: '(', minLength: 3 });
    const code = column(reply, 1, 2);
    if (code.toUpperCase() === 'OK') return {};
    return faultReading(code, protocolNumber(ctx));
  },
};

/** The alarm (and flag) of one QFS fault code, worded as NUT does. */
export function faultReading(code: string, protocol: number | undefined): QxReading {
  const unknown = { alarms: [`Unknown fault [${code}]`] };
  if (!/^[0-9ABC]{2}$/.test(code) || (code[0] !== '1' && !/^[0-9]$/.test(code[1]!))) return unknown;
  if (protocol === 31) {
    if (/[ABC]/.test(code.slice(1))) return unknown;
    const n = Number.parseInt(code, 10);
    const text = FAULTS_P31[n];
    if (text === undefined) return unknown;
    const f = FAULT_FLAGS[`P31:${n}`];
    return f ? { alarms: [text], status: { [f]: true } } : { alarms: [text] };
  }
  // 1A..1C name the phase; 01 (and 1 followed by a digit that has no entry) read as numbers, as NUT's strtol does.
  const key = code[0] === '1' && /[A-C]/.test(code[1]!) ? code : String(Number.parseInt(code, 10)).padStart(2, '0');
  const text = FAULTS[key];
  if (text === undefined) return unknown;
  const f = FAULT_FLAGS[key];
  return f ? { alarms: [text], status: { [f]: true } } : { alarms: [text] };
}

/** Room NUT leaves in ups.alarm for the others (ST_MAX_VALUE_LEN 256 minus 32). */
const WARNINGS_ROOM = 256 - 32;

/** `QWS\r`: 64 warning bits -> one "UPS warnings: ..." alarm, worded as NUT does. */
export const WARNING_QUERY: QxQuery = {
  command: 'QWS\r',
  kind: 'poll',
  parse(reply) {
    checkShape('QWS\r', reply, { leading: '(', minLength: 65 });
    const bits = column(reply, 1, 64);
    if (!/^[01]+$/.test(bits)) throw new QxParseError('QWS\r', reply, 'warning bits are not all 0 or 1');
    const status: QxStatusUpdate = {};
    const known: string[] = [];
    const knownBits: string[] = [];
    const unknownBits: string[] = [];
    for (let i = 0; i < bits.length; i++) {
      if (bits[i] !== '1') continue;
      const n = `#${String(i + 1).padStart(2, '0')}`;
      const text = WARNINGS[i];
      if (text === undefined) {
        unknownBits.push(n);
        continue;
      }
      known.push(text);
      knownBits.push(n);
      const f = WARNING_FLAGS[i];
      if (f) status[f] = true;
    }
    if (!known.length && !unknownBits.length) return {};
    const unknownText = `Unknown warnings [bit: ${unknownBits.join(', ')}]`;
    let explicit = known.join(' ');
    let cryptic = `Known (see log or manual) [bit: ${knownBits.join(', ')}]`;
    if (!known.length) explicit = cryptic = unknownText;
    else if (unknownBits.length) {
      explicit += ` ${unknownText}`;
      cryptic += `; ${unknownText}`;
    }
    const text = `UPS warnings: ${WARNINGS_ROOM > explicit.length ? explicit : cryptic}`;
    return Object.keys(status).length ? { alarms: [text], status } : { alarms: [text] };
  },
};

// ------------------------------------------------------------ battery and load

/** `QBV\r` -> `(026.5 02 01 068 255`: voltage, packs in parallel, charge, runtime (minutes, to the end). */
export const BATTERY_QUERY: QxQuery = {
  command: 'QBV\r',
  kind: 'poll',
  parse(reply, ctx) {
    checkShape('QBV\r', reply, { leading: '(', minLength: 20 });
    const vars: Vars = {};
    put(vars, 'battery.voltage', batteryVoltage(numberColumn(reply, 1, 5, 2), ctx));
    put(vars, 'battery.packs', numberColumn(reply, 10, 11, 0));
    put(vars, 'battery.charge', numberColumn(reply, 13, 15, 0));
    const rt = numberColumn(reply, 17, 0, 6);
    if (rt !== undefined) vars['battery.runtime'] = formatFixed(Number(rt) * 60, 0);
    return { vars };
  },
};

/** `QLDL\r` -> `(021 023`: the lowest and highest load seen. */
export const LOAD_LEVELS_QUERY = columnsQuery('QLDL\r', 'poll', { leading: '(', minLength: 8 }, [
  ['output.power.minimum.percent', 1, 3, 0],
  ['output.power.maximum.percent', 5, 7, 0],
]);

/** `RE0\r` -> `#20`: the battery low voltage. */
export const BATTERY_LOW_QUERY = columnsQuery('RE0\r', 'poll', { leading: '#', minLength: 3 }, [
  ['battery.voltage.low', 1, 2, 1],
]);

// ------------------------------------------------------------ multi-phase (P03, P09, P10)

/** One multi-phase query: for each protocol, its minimum length and the columns (name, from, to, decimals) it gives. */
function phaseQuery(command: string, byProtocol: Readonly<Record<number, { min: number; cols: ReadonlyArray<readonly [string, number, number, number]> }>>): QxQuery {
  return {
    command,
    kind: 'poll',
    enabled: (ctx) => byProtocol[protocolNumber(ctx) ?? -1] !== undefined,
    parse(reply, ctx) {
      const spec = byProtocol[protocolNumber(ctx) ?? -1];
      if (!spec) throw new QxParseError(command, reply, 'not a multi-phase protocol');
      checkShape(command, reply, { leading: '(', minLength: spec.min });
      const vars: Vars = {};
      for (const [name, from, to, dec] of spec.cols) put(vars, name, numberColumn(reply, from, to, dec));
      return { vars };
    },
  };
}

const six = (prefix: string, what: string) =>
  [
    [`${prefix}.L1-N.${what}`, 1, 5, 1],
    [`${prefix}.L2-N.${what}`, 7, 11, 1],
    [`${prefix}.L3-N.${what}`, 13, 17, 1],
    [`${prefix}.L1-L2.${what}`, 19, 23, 1],
    [`${prefix}.L2-L3.${what}`, 25, 29, 1],
    [`${prefix}.L1-L3.${what}`, 31, 35, 1],
  ] as const;
const three = (prefix: string, what: string) =>
  [
    [`${prefix}.L1.${what}`, 1, 3, 0],
    [`${prefix}.L2.${what}`, 5, 7, 0],
    [`${prefix}.L3.${what}`, 9, 11, 0],
  ] as const;
type Col = readonly [string, number, number, number];
/** The two-phase (P09) subset: L1-N, L2-N, L1-L2. */
const twoOfSix = (cols: readonly Col[]): Col[] => [cols[0]!, cols[1]!, cols[3]!];
/** The two-phase (P09) subset: L1, L2. */
const twoOfThree = (cols: readonly Col[]): Col[] => [cols[0]!, cols[1]!];

const IN_V = six('input', 'voltage');
const OUT_V = six('output', 'voltage');
const BYP_V = six('output.bypass', 'voltage');
const IN_C = three('input', 'current');
const OUT_C = three('output', 'current');
const OUT_LD = three('output', 'power.percent');

export const PHASE_QUERIES: readonly QxQuery[] = [
  phaseQuery('Q3PV\r', { 3: { min: 36, cols: IN_V }, 9: { min: 36, cols: twoOfSix(IN_V) }, 10: { min: 36, cols: IN_V } }),
  phaseQuery('Q3PC\r', { 3: { min: 12, cols: IN_C }, 9: { min: 12, cols: twoOfThree(IN_C) }, 10: { min: 12, cols: IN_C } }),
  phaseQuery('Q3OV\r', { 9: { min: 36, cols: twoOfSix(OUT_V) }, 10: { min: 36, cols: OUT_V } }),
  phaseQuery('Q3OC\r', { 9: { min: 12, cols: twoOfThree(OUT_C) }, 10: { min: 12, cols: OUT_C } }),
  phaseQuery('Q3LD\r', { 9: { min: 12, cols: twoOfThree(OUT_LD) }, 10: { min: 12, cols: OUT_LD } }),
  phaseQuery('Q3YV\r', { 9: { min: 18, cols: twoOfThree(BYP_V) }, 10: { min: 36, cols: BYP_V } }),
];

// ------------------------------------------------------------ capabilities (QFLAG)

/** The capabilities NUT publishes as variables: name, QFLAG letter. Set with `PE<letter>` (yes) / `PD<letter>` (no). */
export const CAPABILITIES: ReadonlyArray<readonly [string, string]> = [
  ['ups.start.auto', 'r'],
  ['battery.protection', 's'],
  ['battery.energysave', 'g'],
  ['ups.start.battery', 'c'],
  ['outlet.0.switchable', 'j'],
];

/**
 * `QFLAG\r`: the capabilities as yes/no variables. With alarm control (`a`)
 * the beeper QGS read in this pass is restated as NUT has it: off is
 * "muted" while alarm control is enabled, and "disabled" whatever the bit
 * while it is disabled. Asked after QGS in each full poll.
 */
export const FLAGS_QUERY: QxQuery = {
  command: 'QFLAG\r',
  kind: 'poll',
  parse(reply, ctx) {
    const { enabled, disabled } = parseFlags(reply);
    const vars: Vars = {};
    for (const [name, letter] of CAPABILITIES) {
      if (enabled.includes(letter)) vars[name] = 'yes';
      else if (disabled.includes(letter)) vars[name] = 'no';
    }
    const beeper = ctx.vars.get('ups.beeper.status');
    if (enabled.includes('a')) {
      if (beeper === 'disabled' || beeper === 'muted') vars['ups.beeper.status'] = 'muted';
      else if (beeper === 'enabled') vars['ups.beeper.status'] = 'enabled';
    } else if (disabled.includes('a')) vars['ups.beeper.status'] = 'disabled';
    return { vars };
  },
};

// ------------------------------------------------------------ outlets (QSKn, QSKTn)

function outletQueries(n: number): QxQuery[] {
  const status: QxQuery = {
    command: `QSK${n}\r`,
    kind: 'poll',
    enabled: (ctx) => ctx.vars.get('outlet.0.switchable') === 'yes',
    parse(reply) {
      checkShape(`QSK${n}\r`, reply, { leading: '(', minLength: 2 });
      const c = reply.charAt(1);
      if (c !== '0' && c !== '1') throw new QxParseError(`QSK${n}\r`, reply, `outlet state ${JSON.stringify(c)}`);
      return { vars: { [`outlet.${n}.switchable`]: 'yes', [`outlet.${n}.status`]: c === '1' ? 'on' : 'off' } };
    },
  };
  const delay: QxQuery = {
    command: `QSKT${n}\r`,
    kind: 'poll',
    enabled: (ctx) => ctx.vars.get(`outlet.${n}.switchable`) === 'yes',
    parse(reply) {
      checkShape(`QSKT${n}\r`, reply, { leading: '(', minLength: 4 });
      const minutes = numberColumn(reply, 1, 3, 6);
      if (minutes === undefined) throw new QxParseError(`QSKT${n}\r`, reply, 'delay is not a number');
      return { vars: { [`outlet.${n}.delay.shutdown`]: formatFixed(Number(minutes) * 60, 0) } };
    },
  };
  return [status, delay];
}

export const OUTLET_QUERIES: readonly QxQuery[] = [1, 2, 3, 4].flatMap(outletQueries);

// ------------------------------------------------------------ ECO limits (QHE, QFRE) and P31 battery type (QBT)

const ECO_NARROW = [1, 9];
const ECO_WIDE = [2, 3, 10, 13, 14, 99];

/** NUT's ECO voltage limits for a nominal output voltage: [low min, low max], [high min, high max]; undefined without ECO. */
export function ecoVoltageLimits(ctx: QxContext): { low: [number, number]; high: [number, number] } | undefined {
  const p = protocolNumber(ctx);
  const ovnText = ctx.vars.get('output.voltage.nominal');
  if (p === undefined || ovnText === undefined) return undefined;
  const ovn = Math.trunc(Number.parseFloat(ovnText));
  if (!Number.isFinite(ovn) || ovn < 0) return undefined;
  const hi = ovn >= 200;
  if (ECO_NARROW.includes(p)) return hi ? { low: [ovn - 24, ovn - 7], high: [ovn + 7, ovn + 24] } : { low: [ovn - 12, ovn - 3], high: [ovn + 3, ovn + 12] };
  if (ECO_WIDE.includes(p)) return hi ? { low: [ovn - 24, ovn - 11], high: [ovn + 11, ovn + 24] } : { low: [ovn - 12, ovn - 5], high: [ovn + 5, ovn + 12] };
  return undefined;
}

/** NUT's ECO frequency limits by protocol and nominal output frequency: [low min, low max], [high min, high max]. */
export function ecoFrequencyLimits(ctx: QxContext): { low: [number, number]; high: [number, number] } | undefined {
  const p = protocolNumber(ctx);
  const ofn = Number.parseFloat(ctx.vars.get('output.frequency.nominal') ?? '');
  if (p === undefined || (ofn !== 50 && ofn !== 60)) return undefined;
  if (ECO_NARROW.includes(p)) return ofn === 50 ? { low: [40, 47], high: [53, 60] } : { low: [50, 57], high: [63, 70] };
  if (ECO_WIDE.includes(p)) return ofn === 50 ? { low: [46, 48], high: [52, 54] } : { low: [56, 58], high: [62, 64] };
  return undefined;
}

const ecoCapable = isProtocol(...ECO_NARROW, ...ECO_WIDE);

/** `QHE\r` -> `(242 218`: ECO mode voltage limits, with their ranges as .min/.max (when output.voltage.nominal is known). */
export const ECO_VOLTAGE_QUERY: QxQuery = {
  command: 'QHE\r',
  kind: 'poll',
  enabled: ecoCapable,
  parse(reply, ctx) {
    checkShape('QHE\r', reply, { leading: '(', minLength: 8 });
    const vars: Vars = {};
    put(vars, 'input.transfer.high', numberColumn(reply, 1, 3, 0));
    put(vars, 'input.transfer.low', numberColumn(reply, 5, 7, 0));
    const lim = ecoVoltageLimits(ctx);
    if (lim) {
      if (vars['input.transfer.low'] !== undefined) {
        vars['input.transfer.low.min'] = String(lim.low[0]);
        vars['input.transfer.low.max'] = String(lim.low[1]);
      }
      if (vars['input.transfer.high'] !== undefined) {
        vars['input.transfer.high.min'] = String(lim.high[0]);
        vars['input.transfer.high.max'] = String(lim.high[1]);
      }
    }
    return { vars };
  },
};

/** `QFRE\r` -> `(53.0 47.0`: ECO mode frequency limits. */
export const ECO_FREQUENCY_QUERY: QxQuery = {
  command: 'QFRE\r',
  kind: 'poll',
  enabled: ecoCapable,
  parse(reply) {
    checkShape('QFRE\r', reply, { leading: '(', minLength: 10 });
    return {
      vars: numberColumns(reply, [
        ['input.frequency.high', 1, 4, 1],
        ['input.frequency.low', 6, 9, 1],
      ]),
    };
  },
};

export const BATTERY_TYPES: readonly string[] = ['Li', 'Flooded', 'AGM'];

/** `QBT\r` -> `(01` (P31 only): battery type Li / Flooded / AGM. */
export const BATTERY_TYPE_QUERY: QxQuery = {
  command: 'QBT\r',
  kind: 'poll',
  enabled: isProtocol(31),
  parse(reply) {
    checkShape('QBT\r', reply, { leading: '(', minLength: 3 });
    const code = column(reply, 1, 2);
    if (!/^0[012]$/.test(code)) throw new QxParseError('QBT\r', reply, `battery type ${JSON.stringify(code)}`);
    return { vars: { 'battery.type': BATTERY_TYPES[Number(code)]! } };
  },
};

// ------------------------------------------------------------ commands

const fixed = (name: string, bytes: string): QxInstantCommand => ({ name, build: () => bytes });

/** A command the unit has only with a capability or outlet it reported: not listed otherwise (NUT's QX_FLAG_SKIP until a preprocess unskips it). */
function gated(name: string, bytes: string, has: (ctx: QxContext) => boolean): QxInstantCommand {
  return { name, enabled: has, build: () => bytes };
}

/** Does the last QFLAG reply name this capability letter, enabled or disabled (NUT's strchr(item->value, letter))? */
export function hasCapability(letter: string): (ctx: QxContext) => boolean {
  return (ctx) => {
    const reply = ctx.replies?.get('QFLAG\r');
    if (reply === undefined) return false;
    try {
      const { enabled, disabled } = parseFlags(reply);
      return enabled.includes(letter) || disabled.includes(letter);
    } catch {
      return false;
    }
  };
}

/** test.battery.start: `T.n` (n × 6 s) under a minute, else `Tnn` minutes; 12..5940 s, default 600. */
export const TEST_BATTERY_START: QxInstantCommand = {
  name: 'test.battery.start',
  build(value) {
    const text = value ?? '';
    if (!/^\d*$/.test(text)) throw new QxValueError('INVALID-ARGUMENT', `test.battery.start: ${JSON.stringify(text)} is not a number of seconds`);
    const secs = text === '' ? 600 : Number.parseInt(text, 10);
    if (secs < 12 || secs > 5940) throw new QxValueError('INVALID-ARGUMENT', `battery test time ${secs} out of range [12..5940] seconds`);
    return secs < 60 ? `T.${Math.trunc(secs / 6)}\r` : `T${String(Math.trunc(secs / 60)).padStart(2, '0')}\r`;
  },
};

/** beeper.toggle: `BZOFF` while the beeper is enabled, `BZON` when it is muted or disabled. */
export const BEEPER_TOGGLE: QxInstantCommand = {
  name: 'beeper.toggle',
  build(_value, ctx) {
    const s = ctx.vars.get('ups.beeper.status');
    if (s === 'enabled') return 'BZOFF\r';
    if (s === 'muted' || s === 'disabled') return 'BZON\r';
    throw new QxValueError('INVALID-ARGUMENT', 'beeper.toggle: the beeper status is not known');
  },
};

/** QSKn answered: NUT unskips outlet.n.load.on/off (voltronic_outlet). */
const outletKnown = (n: number) => (ctx: QxContext) => ctx.vars.get(`outlet.${n}.switchable`) !== undefined;

export const VOLTRONIC_COMMANDS: readonly QxInstantCommand[] = [
  fixed('load.off', 'SOFF\r'),
  fixed('load.on', 'SON\r'),
  SHUTDOWN_RETURN,
  shutdownStayoff(),
  fixed('shutdown.stop', 'CS\r'),
  TEST_BATTERY_START,
  fixed('test.battery.start.deep', 'TL\r'),
  fixed('test.battery.start.quick', 'T\r'),
  fixed('test.battery.stop', 'CT\r'),
  BEEPER_TOGGLE,
  // As NUT's voltronic_capability: listed once QFLAG names alarm control (`a`), ECO mode (`e`).
  gated('beeper.enable', 'PEA\r', hasCapability('a')),
  gated('beeper.disable', 'PDA\r', hasCapability('a')),
  ...[1, 2, 3, 4].flatMap((n) => [gated(`outlet.${n}.load.off`, `SKOFF${n}\r`, outletKnown(n)), gated(`outlet.${n}.load.on`, `SKON${n}\r`, outletKnown(n))]),
  gated('bypass.start', 'PEE\r', hasCapability('e')),
  gated('bypass.stop', 'PDE\r', hasCapability('e')),
];

// ------------------------------------------------------------ settings

/** strtod on a client's value, refusing text that is not a number. */
function number(name: string, value: string): number {
  const m = /^\s*([+-]?(\d+\.?\d*|\.\d+))/.exec(value);
  if (!m) throw new QxValueError('INVALID-VALUE', `${name}: ${JSON.stringify(value)} is not a number`);
  return Number(m[1]);
}

function inRange(name: string, v: number, [lo, hi]: readonly [number, number]): void {
  if (v < lo || v > hi) throw new QxValueError('INVALID-VALUE', `${name}: ${v} is outside ${lo}..${hi}`);
}

/** A yes/no capability: writable once QFLAG reported it; `PE<letter>` / `PD<letter>`. */
function capabilitySetting(name: string, letter: string): QxSetting {
  return {
    name,
    enumValues: ['no', 'yes'],
    normalize(value) {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new QxValueError('INVALID-VALUE', `${name}: ${JSON.stringify(value)} is neither yes nor no`);
      return v;
    },
    write: (value) => `P${value === 'yes' ? 'E' : 'D'}${letter.toUpperCase()}\r`,
  };
}

/** battery.packs: packs in parallel, 1..99, `BATGNnn`. */
export const BATTERY_PACKS: QxSetting = {
  name: 'battery.packs',
  range: [1, 99],
  normalize(value) {
    return formatFixed(number('battery.packs', value), 0);
  },
  write: (value) => `BATGN${formatFixed(Number(value), 0).padStart(2, '0')}\r`,
};

/** The battery low voltage's range: 20..24, or 20..28 when output nominal V × A is 1000 or more (NUT's voltronic_batt_low). */
export function batteryLowRange(ctx: QxContext): [number, number] | undefined {
  const ovn = ctx.vars.get('output.voltage.nominal');
  const ocn = ctx.vars.get('output.current.nominal');
  if (ovn === undefined || ocn === undefined) return undefined;
  return Math.trunc(Number.parseFloat(ovn)) * Math.trunc(Number.parseFloat(ocn)) < 1000 ? [20, 24] : [20, 28];
}

/** battery.voltage.low: `W0Enn`, within batteryLowRange. */
export const BATTERY_LOW: QxSetting = {
  name: 'battery.voltage.low',
  ranges: (ctx) => {
    const r = batteryLowRange(ctx);
    return r ? [r] : undefined;
  },
  normalize(value, ctx) {
    const v = number('battery.voltage.low', value);
    const r = batteryLowRange(ctx);
    if (!r) throw new QxValueError('INVALID-VALUE', 'battery.voltage.low: its range needs output.voltage.nominal and output.current.nominal (QRI)');
    inRange('battery.voltage.low', v, r);
    return formatFixed(v, 1);
  },
  write: (value) => `W0E${formatFixed(Number(value), 0).padStart(2, '0')}\r`,
};

function ecoVoltageSetting(name: 'input.transfer.high' | 'input.transfer.low', prefix: string): QxSetting {
  return {
    name,
    enabled: (ctx) => ecoVoltageLimits(ctx) !== undefined,
    ranges: (ctx) => {
      const lim = ecoVoltageLimits(ctx);
      return lim ? [name === 'input.transfer.high' ? lim.high : lim.low] : undefined;
    },
    normalize(value, ctx) {
      const v = number(name, value);
      const lim = ecoVoltageLimits(ctx);
      if (!lim) throw new QxValueError('INVALID-VALUE', `${name}: no ECO limits for this protocol`);
      inRange(name, v, name === 'input.transfer.high' ? lim.high : lim.low);
      return formatFixed(v, 0);
    },
    write: (value) => `${prefix}${formatFixed(Number(value), 0).padStart(3, '0')}\r`,
  };
}

function ecoFrequencySetting(name: 'input.frequency.high' | 'input.frequency.low', prefix: string): QxSetting {
  return {
    name,
    enabled: (ctx) => ecoFrequencyLimits(ctx) !== undefined,
    ranges: (ctx) => {
      const lim = ecoFrequencyLimits(ctx);
      return lim ? [name === 'input.frequency.high' ? lim.high : lim.low] : undefined;
    },
    normalize(value, ctx) {
      const v = number(name, value);
      const lim = ecoFrequencyLimits(ctx);
      if (!lim) throw new QxValueError('INVALID-VALUE', `${name}: no ECO limits for this protocol and nominal frequency`);
      inRange(name, v, name === 'input.frequency.high' ? lim.high : lim.low);
      return formatFixed(v, 1);
    },
    write: (value) => `${prefix}${formatFixed(Number(value), 1).padStart(4, '0')}\r`,
  };
}

/** outlet.n.delay.shutdown: seconds, written as whole minutes `PSKnmmm`. */
function outletDelaySetting(n: number): QxSetting {
  return {
    name: `outlet.${n}.delay.shutdown`,
    range: [0, 59940],
    normalize(value) {
      const v = Math.trunc(number(`outlet.${n}.delay.shutdown`, value));
      return String(v - (v % 60));
    },
    write: (value) => `PSK${n}${String(Math.trunc(Number(value) / 60)).padStart(3, '0')}\r`,
  };
}

/** battery.type (P31): Li / Flooded / AGM, `PBT00`..`PBT02`. */
export const BATTERY_TYPE: QxSetting = {
  name: 'battery.type',
  enumValues: BATTERY_TYPES,
  normalize(value) {
    const t = BATTERY_TYPES.find((x) => x.toLowerCase() === value.toLowerCase());
    if (!t) throw new QxValueError('INVALID-VALUE', `battery.type: ${JSON.stringify(value)} is not one of ${BATTERY_TYPES.join(', ')}`);
    return t;
  },
  write: (value) => `PBT${String(BATTERY_TYPES.indexOf(value)).padStart(2, '0')}\r`,
};

export const VOLTRONIC_SETTINGS: readonly QxSetting[] = [
  ...CAPABILITIES.map(([name, letter]) => capabilitySetting(name, letter)),
  ...[1, 2, 3, 4].map(outletDelaySetting),
  ecoVoltageSetting('input.transfer.high', 'HEH'),
  ecoVoltageSetting('input.transfer.low', 'HEL'),
  ecoFrequencySetting('input.frequency.high', 'FREH'),
  ecoFrequencySetting('input.frequency.low', 'FREL'),
  BATTERY_PACKS,
  BATTERY_TYPE,
  BATTERY_LOW,
  ondelaySetting([0, 599940]),
  offdelaySetting([12, 5940]),
];

// ------------------------------------------------------------ the protocol

/** NUT's voltronic_claim: QGS gives input.voltage, then QPI names a supported protocol. */
async function claim(probe: QxProbe): Promise<boolean> {
  const ctx: QxContext = { options: probe.options, vars: new Map() };
  for (const [q, needed] of [
    [STATUS_QUERY, 'input.voltage'],
    [PROTOCOL_QUERY, 'ups.firmware.aux'],
  ] as const) {
    const reply = await probe.query(q.command);
    if (reply === null) return false;
    try {
      if (q.parse(reply, ctx).vars?.[needed] === undefined) return false;
    } catch (err) {
      if (err instanceof QxParseError) return false;
      throw err;
    }
  }
  return true;
}

export const voltronic: QxProtocol = {
  name: 'voltronic',
  version: 'Voltronic 0.14',
  claim,
  // NUT's table order: identity and ratings first (QPI before all: the protocol decides what else is asked).
  queries: [
    PROTOCOL_QUERY,
    RATINGS_QUERY,
    MODEL_QUERY,
    F_QUERY,
    MFR_QUERY,
    FIRMWARE_QUERY,
    SERIAL_QUERY,
    VENDOR_QUERY,
    STATUS_QUERY,
    MODE_QUERY,
    FAULT_QUERY,
    WARNING_QUERY,
    BATTERY_QUERY,
    LOAD_LEVELS_QUERY,
    ...PHASE_QUERIES,
    FLAGS_QUERY,
    ...OUTLET_QUERIES,
    ECO_VOLTAGE_QUERY,
    ECO_FREQUENCY_QUERY,
    BATTERY_TYPE_QUERY,
    BATTERY_LOW_QUERY,
  ],
  commands: VOLTRONIC_COMMANDS,
  settings: VOLTRONIC_SETTINGS,
  startup: VOLTRONIC_STARTUP,
  accepted: 'ACK',
  rejected: '(NAK',
  commandReplyValue: (reply) => (reply.length >= 4 && reply.startsWith('(') ? column(reply, 1, 3) : null),
};
