/**
 * Mecer (NUT nutdrv_qx_mecer): Megatec tables on units that answer
 * commands with `(ACK` / `(NAK`, and Voltronic Power P98 units that say
 * so to `QPI`. Claimed when Q1 answers and QPI answers either `(PI98` or
 * `(NAK` (anything else, an echo or silence, is another protocol's unit).
 */
import { QxValueError, checkShape, claimWith, column, QxParseError } from '../fields';
import type { QxInstantCommand, QxProbe, QxProtocol, QxQuery } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, RATING_QUERY, statusQuery, vendorQuery } from './blazer';

const STATUS = statusQuery('Q1\r');
const NAK = '(NAK';
const P98 = 'Voltronic Power P98';

/** `QPI\r` -> `(PI98`: only P98 units are supported by this protocol's QPI. */
export const PROTOCOL_QUERY: QxQuery = {
  command: 'QPI\r',
  kind: 'static',
  parse(reply) {
    checkShape('QPI\r', reply, { leading: '(', minLength: 5 });
    const id = column(reply, 1, 4);
    if (id !== 'PI98') throw new QxParseError('QPI\r', reply, `protocol ${id} is not supported`);
    return { vars: { 'ups.firmware.aux': P98 } };
  },
};

/** test.battery.start: `T.n` (n × 6 s, P98 units only) or `Tnn` minutes; 12 (P98) or 60 .. 5940 s. */
const TEST_BATTERY_START: QxInstantCommand = {
  name: 'test.battery.start',
  build(value, ctx) {
    const text = value ?? '';
    if (!/^\d*$/.test(text)) throw new QxValueError('INVALID-ARGUMENT', `test.battery.start: ${JSON.stringify(text)} is not a number of seconds`);
    const min = ctx.vars.get('ups.firmware.aux') === P98 ? 12 : 60;
    const secs = text === '' ? 600 : Number.parseInt(text, 10);
    if (secs < min || secs > 5940) throw new QxValueError('INVALID-ARGUMENT', `battery test time ${secs} out of range [${min}..5940] seconds`);
    return secs < 60 ? `T.${Math.trunc(secs / 6)}\r` : `T${String(Math.trunc(secs / 60)).padStart(2, '0')}\r`;
  },
};

async function claim(probe: QxProbe): Promise<boolean> {
  if (!(await claimWith(probe, STATUS))) return false;
  const reply = await probe.query(PROTOCOL_QUERY.command);
  if (reply === null) return false;
  if (reply === NAK) return true;
  try {
    PROTOCOL_QUERY.parse(reply, { options: probe.options, vars: new Map() });
    return true;
  } catch (err) {
    if (err instanceof QxParseError) return false;
    throw err;
  }
}

export const mecer: QxProtocol = {
  name: 'mecer',
  version: 'Mecer 0.09',
  claim,
  queries: [PROTOCOL_QUERY, STATUS, RATING_QUERY, vendorQuery('I\r')],
  commands: BLAZER_COMMANDS.map((c) => (c.name === 'test.battery.start' ? TEST_BATTERY_START : c)),
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
  rejected: NAK,
  // Command replies are `(ACK` / `(NAK`: the three letters after the parenthesis count.
  commandReplyValue: (reply) => (reply.length >= 4 && reply.startsWith('(') ? column(reply, 1, 3) : null),
};
