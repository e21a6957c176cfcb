/**
 * Voltronic Power QS (NUT nutdrv_qx_voltronic-qs): units that say `V` or
 * `H` to `M`. Status `QS` has the Q1 layout but column 23-26 is the output
 * frequency; ratings `F` are output ratings; `QI` adds charge, runtime,
 * input frequency, output current and transfer limits (newer NUT).
 * Commands are acknowledged by silence (no `accepted` reply).
 *
 *   M  -> V
 *   QS -> (215.0 195.0 230.0 014 49.0 22.7 30.0 00000000
 *   F  -> #220.0 003 12.00 50.0
 *   QI -> (100 00979 50.0 000.3 177 290 0 0000010000112000
 *         0         1         2         3         4
 *         012345678901234567890123456789012345678901234567
 */
import { QxParseError, checkShape, column, columnsQuery } from '../fields';
import type { QxProbe, QxProtocol, QxQuery, QxReading } from '../protocol';
import { BLAZER_COMMANDS, ondelaySetting, offdelaySetting, statusQuery } from './blazer';

/** `M\r` -> one letter naming the protocol; `V` and `H` are this one's (published `PM-V`). */
export function protocolLetterQuery(letters: readonly string[]): QxQuery {
  return {
    command: 'M\r',
    kind: 'static',
    parse(reply) {
      checkShape('M\r', reply, { minLength: 1 });
      const letter = column(reply, 0, 0);
      if (!letters.some((l) => l.toLowerCase() === letter.toLowerCase())) {
        throw new QxParseError('M\r', reply, `protocol ${JSON.stringify(letter)} is not ${letters.join(' or ')}`);
      }
      return { vars: { 'ups.firmware.aux': `PM-${letter}` } };
    },
  };
}

export const PROTOCOL_QUERY = protocolLetterQuery(['V', 'H']);

const Q1_LAYOUT = statusQuery('QS\r');

/** `QS\r`: the Q1 layout and bits, the frequency being the output's. */
export const STATUS_QUERY: QxQuery = {
  command: 'QS\r',
  kind: 'status',
  parse(reply, ctx) {
    const r = Q1_LAYOUT.parse(reply, ctx);
    const vars = { ...r.vars };
    const freq = vars['input.frequency'];
    delete vars['input.frequency'];
    if (freq !== undefined) vars['output.frequency'] = freq;
    const out: QxReading = { ...r, vars };
    return out;
  },
};

/** `F\r` -> `#220.0 003 12.00 50.0`: output ratings (NUT's voltronic-qs has no norating). */
export const RATING_QUERY = columnsQuery('F\r', 'static', { leading: '#', minLength: 21 }, [
  ['output.voltage.nominal', 1, 5, 0],
  ['output.current.nominal', 7, 9, 1],
  ['battery.voltage.nominal', 11, 15, 1],
  ['output.frequency.nominal', 17, 20, 0],
]);

/** `QI\r`: charge, runtime (s), input frequency, output current, transfer limits. */
export const INFO_QUERY = columnsQuery('QI\r', 'poll', { leading: '(', minLength: 48 }, [
  ['battery.charge', 1, 3, 0],
  ['battery.runtime', 5, 9, 0],
  ['input.frequency', 11, 14, 1],
  ['output.current', 16, 20, 1],
  ['input.transfer.low', 22, 24, 0],
  ['input.transfer.high', 26, 28, 0],
]);

/** NUT's claim for the M-letter units: `M` names a known protocol, then the status query gives input.voltage. */
export async function letterClaim(probe: QxProbe, protocol: QxQuery, status: QxQuery): Promise<boolean> {
  const ctx = { options: probe.options, vars: new Map<string, string>() };
  for (const [q, needed] of [
    [protocol, 'ups.firmware.aux'],
    [status, 'input.voltage'],
  ] as const) {
    const reply = await probe.query(q.command);
    if (reply === null) return false;
    try {
      const r = q.parse(reply, ctx);
      const v = r.vars?.[needed];
      if (v === undefined) return false;
      ctx.vars.set(needed, v);
    } catch (err) {
      if (err instanceof QxParseError) return false;
      throw err;
    }
  }
  return true;
}

const QS_COMMANDS = ['beeper.toggle', 'load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start.quick'];

export const voltronicQs: QxProtocol = {
  name: 'voltronic-qs',
  version: 'Voltronic-QS 0.11',
  claim: (probe) => letterClaim(probe, PROTOCOL_QUERY, STATUS_QUERY),
  queries: [PROTOCOL_QUERY, STATUS_QUERY, RATING_QUERY, INFO_QUERY],
  commands: BLAZER_COMMANDS.filter((c) => QS_COMMANDS.includes(c.name)),
  settings: [ondelaySetting([60, 599940]), offdelaySetting([12, 540])],
};
