/**
 * `upsagent scan` for the Q1 family: which qx protocol a device on a
 * serial line speaks, found as nutdrv_qx's autodetection finds it (each
 * protocol's claim in QX_PROTOCOLS order) but with read-only queries only
 * and short deadlines. nut-scanner (tools/nut-scanner/scan_eaton_serial.c)
 * only asks `Q1\r` and suggests blazer_ser; we run the claims so the
 * suggestion can name the protocol.
 *
 * Why each query is safe (READ_ONLY_CLAIMS below lists them per protocol):
 * every one is a status, rating or identity query of the dialect it belongs
 * to (Megatec Q1/D/I/F, Mustek and Voltronic-QS QS/M, Voltronic QGS/QPI,
 * BestUPS ID, Mecer QPI, Zinto FW?, Q2/Q6/WA of the three-phase units).
 * None is a command of any Q1 dialect (those are Q beeper, T/TL/CT tests,
 * S/R shutdowns, C cancel, and Voltronic's P... settings). The driver core
 * sends the same claims at every start with no `protocol:` set.
 *
 * Bytes of these queries would be commands to an APC Smart-UPS (S soft
 * shutdown in QGS/QS, D calibration, W self-test in WA/FW?), which reads
 * every byte as a command: the serial scan (../serial/probe.ts) asks APC's
 * `Y` first and never sends these to a port where anything answered it.
 *
 * Every byte goes through one guard: a claim that asks for anything not in
 * its READ_ONLY_CLAIMS list (a protocol changed or added later) gets no
 * answer and the command is not sent; protocols not in the list are not
 * tried at all.
 */
import { DeviceReplyError, DeviceTimeoutError } from '../runtime/errors';
import type { SerialLink } from '../serial/link';
import type { QxContext, QxOptions, QxProbe, QxProtocol } from './protocol';
import { QX_PROTOCOLS } from './protocols/index';
import { SerialQxTransport, printable } from './transport';

/** The commands each protocol's claim sends (read from its claim; see the header for why each is read-only). */
export const READ_ONLY_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  // voltronic_claim: QGS general status, QPI protocol ID.
  voltronic: ['QGS\r', 'QPI\r'],
  // M protocol letter, QS status.
  'voltronic-qs': ['M\r', 'QS\r'],
  'voltronic-qs-hex': ['M\r', 'QS\r'],
  // QS status (blazer_claim_light).
  mustek: ['QS\r'],
  // D status of the old Megatec units (blazer_claim_light).
  'megatec/old': ['D\r'],
  // Q1 status, ID identity.
  bestups: ['Q1\r', 'ID\r'],
  // Q1 status, QPI protocol ID.
  mecer: ['Q1\r', 'QPI\r'],
  // Q1 status, I vendor (blazer_claim).
  megatec: ['Q1\r', 'I\r'],
  // Q1 status, FW? vendor.
  zinto: ['Q1\r', 'FW?\r'],
  // Q2/Q6 phase values, Q1 status bits, WA output power.
  q2: ['Q2\r', 'Q1\r', 'WA\r'],
  q6: ['Q6\r', 'Q1\r', 'WA\r'],
  // Q1 status alone: the fallback.
  q1: ['Q1\r'],
};

/** Static queries that say what the unit is (vendor, model, firmware): read once a protocol claimed it, if the protocol has them. */
export const IDENTITY_QUERIES: readonly string[] = ['I\r', 'FW?\r', 'ID\r', 'QMD\r', 'QMF\r', 'QVFW\r', 'QID\r'];

/** The byte sent first when the line may hold bytes from another probe (APC's `Y`): it ends that line as one unknown command. */
export const LINE_END = '\r';

export interface QxProbeOptions {
  /** Deadline of one reply (default 1000 ms, NUT's SER_WAIT_SEC). */
  timeoutMs?: number;
  /** Send LINE_END first and drop what comes back within this many ms (0: not sent). */
  flushMs?: number;
  signal?: AbortSignal;
}

export interface QxProbeFound {
  protocol: string;
  /** NUT's subdriver name with version: "Megatec 0.10". */
  version: string;
  mfr?: string;
  model?: string;
  firmware?: string;
  serial?: string;
}

export type QxProbeOutcome = { found: QxProbeFound; note: string } | { found: null; note: string; silent: boolean };

/** The options a claim sees: the driver's defaults, which the printed entry keeps. */
const DEFAULT_OPTIONS: QxOptions = { norating: false, novendor: false, ignoresab: false, batteryVoltageReportsOnePack: false, raw: {} };

class NothingAnswered extends Error {}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Which qx protocol the device on `link` (open at 2400 8N1) speaks. Each
 * command is sent at most once (its reply is reused by later claims), one
 * try per claim. Gives up early when nothing at all has answered by the
 * time `Q1\r` went unanswered (every protocol's device answers one of
 * QGS, M, QS, D or Q1). Rejects only for the link gone or the signal.
 */
export async function probeQx(link: SerialLink, opts: QxProbeOptions = {}): Promise<QxProbeOutcome> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const signal = opts.signal;
  const transport = new SerialQxTransport(link);
  let heard = false;
  if (opts.flushMs) {
    link.drain();
    await link.write(Buffer.from(LINE_END, 'latin1'));
    await sleep(opts.flushMs, signal);
    if (link.drain().length > 0) heard = true;
  }
  const replies = new Map<string, string | null>();
  const firstReplies: string[] = [];

  const ask = async (command: string): Promise<string | null> => {
    if (replies.has(command)) return replies.get(command)!;
    let reply: string | null;
    try {
      reply = await transport.query(command, { timeoutMs, ...(signal ? { signal } : {}) });
      heard = true;
      if (firstReplies.length < 3) firstReplies.push(`${printable(command)} -> ${printable(reply)}`);
      // An echo is the unit refusing a command it does not know.
      if (reply === command.replace(/\r$/, '') || reply === command) reply = null;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (!(err instanceof DeviceTimeoutError) && !(err instanceof DeviceReplyError)) throw err;
      // A truncated reply (some bytes, no \r) is a sign of life too; a timeout is silence.
      if (!(err instanceof DeviceTimeoutError)) heard = true;
      reply = null;
    }
    replies.set(command, reply);
    if (reply === null && !heard && replies.has('Q1\r')) throw new NothingAnswered();
    return reply;
  };

  const probeFor = (protocol: QxProtocol): QxProbe => {
    const allowed = READ_ONLY_CLAIMS[protocol.name] ?? [];
    return {
      options: DEFAULT_OPTIONS,
      query: (command) => (allowed.includes(command) ? ask(command) : Promise.resolve(null)),
    };
  };

  try {
    for (const protocol of QX_PROTOCOLS) {
      if (!(protocol.name in READ_ONLY_CLAIMS)) continue;
      let claimed: boolean;
      try {
        claimed = await protocol.claim(probeFor(protocol));
      } catch (err) {
        if (err instanceof NothingAnswered || signal?.aborted) throw err;
        // A claim that cannot cope with what it got did not claim the device.
        claimed = false;
      }
      if (!claimed) continue;
      const found = await identify(protocol, ask);
      const what = [found.mfr, found.model, found.firmware && `firmware ${found.firmware}`].filter((s) => s).join(' ');
      return { found, note: `answers as qx protocol ${protocol.name} (${protocol.version})${what ? `: ${what}` : ''}` };
    }
  } catch (err) {
    if (err instanceof NothingAnswered) return { found: null, silent: true, note: 'nothing answered the qx status queries (QGS, M, QS, D, Q1)' };
    throw err;
  }
  return {
    found: null,
    silent: !heard,
    note: heard ? `answers, but as no qx protocol${firstReplies.length ? ` (${firstReplies.join(', ')})` : ''}` : 'nothing answered the qx queries',
  };
}

/** The protocol's identity queries (static, read-only, in its order), replies reused where the claim asked already. */
async function identify(protocol: QxProtocol, ask: (command: string) => Promise<string | null>): Promise<QxProbeFound> {
  const found: QxProbeFound = { protocol: protocol.name, version: protocol.version };
  const ctx: QxContext = { options: DEFAULT_OPTIONS, vars: new Map() };
  const vars = ctx.vars as Map<string, string>;
  for (const q of protocol.queries) {
    if (q.kind !== 'static' || !IDENTITY_QUERIES.includes(q.command)) continue;
    if (q.enabled && !q.enabled(ctx)) continue;
    const reply = await ask(q.command).catch(() => null);
    if (reply === null) continue;
    try {
      for (const [k, v] of Object.entries(q.parse(reply, ctx).vars ?? {})) vars.set(k, v);
    } catch {
      // A reply the protocol cannot read says nothing about the unit.
    }
  }
  const pick = (...names: string[]): string | undefined => names.map((n) => vars.get(n)?.trim()).find((v) => v);
  const mfr = pick('device.mfr', 'ups.mfr');
  const model = pick('device.model', 'ups.model');
  const firmware = pick('ups.firmware');
  const serial = pick('device.serial', 'ups.serial');
  if (mfr) found.mfr = mfr;
  if (model) found.model = model;
  if (firmware) found.firmware = firmware;
  if (serial) found.serial = serial;
  return found;
}
