/**
 * What NUT's Q2 and Q6 subdrivers (nutdrv_qx_q2, nutdrv_qx_q6: three-phase
 * Megatec variants, newer than NUT 2.8.0) share: the per-phase reply is
 * polled with the output statistics `WA` and the Q1 status bits; the
 * device is theirs when all three answer (WA unless `nooutstats`).
 *
 *   WA -> (001.4 000.0 000.0 001.4 000.0 000.0 001.4 001.4 006.5 000.0 000.0 007 00000000
 *         0         1         2         3         4         5         6         7
 *         01234567890123456789012345678901234567890123456789012345678901234567890123456789
 *
 * Values are NUT's: kW and kVA columns multiplied by 1000 and printed
 * "%.2f" (from a C float, as qx_multiply_x1000 does), minutes to seconds
 * "%.0f" (qx_multiply_m2s). Of Q1 only the status bits, ups.type and
 * ups.beeper.status are taken: the phase voltages come from Q2/Q6.
 */
import { QxParseError, checkShape, formatFixed, numberColumn } from '../fields';
import type { QxProbe, QxProtocol, QxQuery, QxReading } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, batteryVoltage, statusQuery } from './blazer';

/** One column of a fixed-column table: NUT name, first and last character, decimals; `scale` for the x1000 / minutes columns. */
export interface PhaseColumn {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly decimals: number;
  readonly scale?: 'x1000' | 'm2s' | 'battvolt';
}

const put = (vars: Record<string, string>, name: string, v: string | undefined): void => {
  if (v !== undefined) vars[name] = v;
};

/** A numeric column through NUT's preprocess for it (float arithmetic, as the C code does). */
function scaled(reply: string, c: PhaseColumn): string | undefined {
  const text = numberColumn(reply, c.from, c.to, 6);
  if (text === undefined) return undefined;
  const f = Math.fround(Number(text));
  if (c.scale === 'x1000') return formatFixed(f * 1000, 2);
  if (c.scale === 'm2s') return formatFixed(f * 60, 0);
  return numberColumn(reply, c.from, c.to, c.decimals);
}

/** A topology bit (`1` star, `0` delta); anything else leaves the variable out. */
function topology(reply: string, pos: number): string | undefined {
  const c = reply.charAt(pos);
  return c === '1' ? 'star' : c === '0' ? 'delta' : undefined;
}

/** The per-phase query (`Q2\r`, `Q6\r`): `length` characters at least (without `\r`), columns, topology bits. */
export function phaseQuery(command: string, length: number, columns: readonly PhaseColumn[], topologyAt: readonly [number, number]): QxQuery {
  return {
    command,
    kind: 'poll',
    parse(reply, ctx) {
      checkShape(command, reply, { leading: '(', minLength: length });
      const vars: Record<string, string> = { 'input.phases': '3', 'output.phases': '3' };
      for (const c of columns) {
        put(vars, c.name, c.scale === 'battvolt' ? batteryVoltage(numberColumn(reply, c.from, c.to, c.decimals), ctx) : scaled(reply, c));
      }
      put(vars, 'experimental.input.topology', topology(reply, topologyAt[0]));
      put(vars, 'experimental.output.topology', topology(reply, topologyAt[1]));
      return { vars };
    },
  };
}

const WA_COLUMNS: readonly PhaseColumn[] = [
  { name: 'output.L1.realpower', from: 1, to: 5, decimals: 1, scale: 'x1000' },
  { name: 'output.L2.realpower', from: 7, to: 11, decimals: 1, scale: 'x1000' },
  { name: 'output.L3.realpower', from: 13, to: 17, decimals: 1, scale: 'x1000' },
  { name: 'output.L1.power', from: 19, to: 23, decimals: 1, scale: 'x1000' },
  { name: 'output.L2.power', from: 25, to: 29, decimals: 1, scale: 'x1000' },
  { name: 'output.L3.power', from: 31, to: 35, decimals: 1, scale: 'x1000' },
  { name: 'ups.realpower', from: 37, to: 41, decimals: 1, scale: 'x1000' },
  { name: 'ups.power', from: 43, to: 47, decimals: 1, scale: 'x1000' },
  { name: 'output.L1.current', from: 49, to: 53, decimals: 1 },
  { name: 'output.L2.current', from: 55, to: 59, decimals: 1 },
  { name: 'output.L3.current', from: 61, to: 65, decimals: 1 },
  { name: 'ups.load', from: 67, to: 69, decimals: 0 },
];

/** `WA\r`: output power and currents per phase (left out with `nooutstats`). */
export const WA_QUERY: QxQuery = {
  command: 'WA\r',
  kind: 'poll',
  enabled: (ctx) => ctx.options.raw['nooutstats'] !== true,
  parse(reply) {
    checkShape('WA\r', reply, { leading: '(', minLength: 79 });
    const vars: Record<string, string> = {};
    for (const c of WA_COLUMNS) put(vars, c.name, scaled(reply, c));
    return { vars };
  },
};

const Q1_FULL = statusQuery('Q1\r');

/** `Q1\r` for its status bits only (the voltages it also carries are Q2's/Q6's to give). */
export const Q1_BITS: QxQuery = {
  command: 'Q1\r',
  kind: 'status',
  parse(reply, ctx) {
    const r = Q1_FULL.parse(reply, ctx);
    const vars: Record<string, string> = {};
    for (const name of ['ups.type', 'ups.beeper.status']) put(vars, name, r.vars?.[name]);
    const out: QxReading = { vars };
    if (r.status) out.status = r.status;
    if (r.alarms) out.alarms = r.alarms;
    return out;
  },
};

async function gives(probe: QxProbe, q: QxQuery, name: string): Promise<boolean> {
  const reply = await probe.query(q.command);
  if (reply === null) return false;
  try {
    return q.parse(reply, { options: probe.options, vars: new Map() }).vars?.[name] !== undefined;
  } catch (err) {
    if (err instanceof QxParseError) return false;
    throw err;
  }
}

/** A three-phase protocol: NUT's claim (phase query, Q1's ups.type, WA's output.L1.current), Megatec commands and delays. */
export function threePhaseProtocol(name: string, version: string, phase: QxQuery): QxProtocol {
  return {
    name,
    version,
    async claim(probe) {
      if (!(await gives(probe, phase, 'input.L1-N.voltage'))) return false;
      if (!(await gives(probe, Q1_BITS, 'ups.type'))) return false;
      if (probe.options.raw['nooutstats'] === true) return true;
      return gives(probe, WA_QUERY, 'output.L1.current');
    },
    queries: [phase, WA_QUERY, Q1_BITS],
    commands: BLAZER_COMMANDS,
    settings: BLAZER_SETTINGS,
    accepted: 'ACK',
  };
}
