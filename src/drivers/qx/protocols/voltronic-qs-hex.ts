/**
 * Voltronic Power QS, hex dialect (NUT nutdrv_qx_voltronic-qs-hex): units
 * that say `P` or `T` to `M` and answer `QS` with raw bytes, each field a
 * space-separated run of bytes. A byte that would be a control character
 * or a blank comes escaped as `(` followed by 0..4 (CR, XON, XOFF, LF,
 * space). The reply is first turned into NUT's "refined" text, hex pairs
 * for fields 1..9 and eight binary digits per byte for fields 10 and 11:
 *
 *   P: #6C01 35 6C01 35 03 519A 1312D0 E6 1E 00001001
 *   T: #6901 6C 6802 6C 00 5FD7 12C000 E4 1E 00001001 00000010
 *      0         1         2         3         4         5
 *      0123456789012345678901234567890123456789012345678901234
 *
 * then read by columns: voltages = (a × b / 51, integer) / 256, load = a,
 * output frequency = b / a (at most 99.9), battery = a × b / 510, the
 * Megatec status bits at 38..45 and, on `T` units, the rating bits.
 * A refused command is answered `N`.
 */
import { QxParseError, bitColumn, checkShape, column, formatFixed } from '../fields';
import type { QxContext, QxProtocol, QxQuery, QxStatusUpdate } from '../protocol';
import { BLAZER_COMMANDS, ondelaySetting, offdelaySetting } from './blazer';
import { letterClaim, protocolLetterQuery } from './voltronic-qs';

export const PROTOCOL_QUERY = protocolLetterQuery(['P', 'T']);

const ESCAPED: Record<number, number> = { 0: 0x0d, 1: 0x11, 2: 0x13, 3: 0x0a, 4: 0x20 };

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
const bin8 = (b: number): string => b.toString(2).padStart(8, '0');

/**
 * The raw QS reply (latin1, without `\r`) as NUT's refined text, or
 * QxParseError when it has not 10 (P) or 11 (T) fields of the right size.
 */
export function refineQs(reply: string): string {
  if (!reply.startsWith('#')) throw new QxParseError('QS\r', reply, 'does not start with "#"');
  let out = '#';
  let token = 1;
  const byteText = (b: number): string => (token === 10 || token === 11 ? bin8(b) : hex2(b));
  for (let i = 1; i < reply.length; i++) {
    const b = reply.charCodeAt(i) & 0xff;
    if (b === 0x20) {
      out += ' ';
      token++;
      continue;
    }
    if (b === 0x28) {
      const esc = ESCAPED[reply.charCodeAt(i + 1)];
      if (esc !== undefined) {
        // NUT prints an escaped byte as hex even in the binary fields.
        out += hex2(esc);
        i++;
        continue;
      }
    }
    out += byteText(b);
  }
  if (!((token === 10 && out.length === 46) || (token === 11 && out.length === 55))) {
    throw new QxParseError('QS\r', reply, `noncompliant reply (${token} fields): ${out}`);
  }
  return out;
}

/** Two hex numbers `a b` of a refined field; QxParseError unless hex digits and blanks only. */
function hexPair(refined: string, from: number, to: number, what: string): [number, number] {
  const text = column(refined, from, to);
  if (!/^[0-9A-Fa-f ]*$/.test(text)) throw new QxParseError('QS\r', refined, `${what} ${JSON.stringify(text)} is not hex`);
  const [a = '', b = ''] = text.trim().split(/ +/);
  return [a === '' ? 0 : Number.parseInt(a, 16), b === '' ? 0 : Number.parseInt(b, 16)];
}

function voltage(refined: string, from: number, to: number, what: string): number {
  const [a, b] = hexPair(refined, from, to, what);
  return Math.trunc((a * b) / 51) / 256;
}

const NOMINAL_BATTERY: Record<string, number> = { '00': 12, '01': 24, '10': 36, '11': 48 };
const NOMINAL_OUTPUT: Record<string, number> = { '000': 110, '001': 120, '010': 220, '011': 230, '100': 240 };

/**
 * The Megatec status bits (NUT blazer_process_status_bits) at `at`..`at+7`,
 * bypass/boost/buck told apart by the output/input ratio, as the blazer
 * protocols do here (a cleared bit clears all three).
 */
export function megatecBits(command: string, text: string, at: number, vin: number, vout: number, ctx: QxContext) {
  const status: QxStatusUpdate = { OL: !bitColumn(command, text, at), LB: bitColumn(command, text, at + 1) };
  const bbb = bitColumn(command, text, at + 2);
  status.CAL = bitColumn(command, text, at + 5);
  const sab = bitColumn(command, text, at + 6);
  if (!ctx.options.ignoresab) status.FSD = sab;
  status.TRIM = false;
  status.BYPASS = false;
  status.BOOST = false;
  if (bbb && vout >= 0.5 * vin) {
    if (vout < 0.95 * vin) status.TRIM = true;
    else if (vout < 1.05 * vin) status.BYPASS = true;
    else if (vout < 1.5 * vin) status.BOOST = true;
  }
  const vars: Record<string, string> = {};
  const alarms: string[] = [];
  const failed = text.charAt(at + 3);
  if (failed === '1') alarms.push('UPS selftest failed!');
  const type = text.charAt(at + 4);
  if (type === '0' || type === '1') vars['ups.type'] = type === '1' ? 'offline / line interactive' : 'online';
  const beeper = text.charAt(at + 7);
  if (beeper === '0' || beeper === '1') vars['ups.beeper.status'] = beeper === '1' ? 'enabled' : 'disabled';
  return { status, vars, alarms };
}

const isT = (ctx: QxContext): boolean => (ctx.vars.get('ups.firmware.aux') ?? '').toUpperCase() === 'PM-T';

export const STATUS_QUERY: QxQuery = {
  command: 'QS\r',
  kind: 'status',
  parse(reply, ctx) {
    const r = refineQs(reply);
    checkShape('QS\r', r, { leading: '#', minLength: 46 });
    const vin = voltage(r, 1, 7, 'input voltage');
    const vout = voltage(r, 9, 15, 'output voltage');
    const load = column(r, 17, 18);
    if (!/^[0-9A-Fa-f]+$/.test(load)) throw new QxParseError('QS\r', reply, `load ${JSON.stringify(load)} is not hex`);
    const [f1, f2] = hexPair(r, 20, 30, 'frequency');
    const [b1, b2] = hexPair(r, 32, 36, 'battery voltage');
    const vinText = formatFixed(vin, 1);
    const voutText = formatFixed(vout, 1);
    // The ratio is taken from the published values, as NUT reads them back from dstate.
    const bits = megatecBits('QS\r', r, 38, Number(vinText), Number(voutText), ctx);
    const vars: Record<string, string> = {
      'input.voltage': vinText,
      'output.voltage': voutText,
      'ups.load': String(Number.parseInt(load, 16)),
      'battery.voltage': formatFixed((b1 * b2) / 510, 2),
      ...bits.vars,
    };
    // 0/0 would be NaN in NUT's division: leave the frequency out rather than print "nan".
    if (f1 !== 0 || f2 !== 0) vars['output.frequency'] = formatFixed(f1 === 0 ? 99.9 : Math.min(f2 / f1, 99.9), 1);
    if (isT(ctx) && r.length >= 55) {
      const fbit = column(r, 47, 47);
      const bbits = column(r, 48, 49);
      const obits = column(r, 52, 54);
      if (/^[01]$/.test(fbit)) vars['output.frequency.nominal'] = fbit === '0' ? '50.0' : '60.0';
      const bn = NOMINAL_BATTERY[bbits];
      if (bn !== undefined) vars['battery.voltage.nominal'] = formatFixed(bn, 1);
      const on = NOMINAL_OUTPUT[obits];
      if (on !== undefined) vars['output.voltage.nominal'] = formatFixed(on, 1);
    }
    return bits.alarms.length ? { vars, status: bits.status, alarms: bits.alarms } : { vars, status: bits.status };
  },
};

const QS_HEX_COMMANDS = ['beeper.toggle', 'load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start.quick'];

export const voltronicQsHex: QxProtocol = {
  name: 'voltronic-qs-hex',
  version: 'Voltronic-QS-Hex 0.12',
  claim: (probe) => letterClaim(probe, PROTOCOL_QUERY, STATUS_QUERY),
  queries: [PROTOCOL_QUERY, STATUS_QUERY],
  // test.battery.start.quick is a T-protocol command in NUT (QX_FLAG_SKIP on P units): listed for T units only.
  commands: BLAZER_COMMANDS.filter((c) => QS_HEX_COMMANDS.includes(c.name)).map((c) => (c.name !== 'test.battery.start.quick' ? c : { ...c, enabled: isT })),
  settings: [ondelaySetting([60, 599940]), offdelaySetting([12, 540])],
  rejected: 'N',
};
