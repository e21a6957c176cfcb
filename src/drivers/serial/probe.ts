/**
 * `upsagent scan` on one serial port: is there a UPS that a serial driver
 * of this build talks to, and what does the `ups:` entry need? The port is
 * opened at 2400 8N1 (both protocols' setting), asked read-only questions
 * with 1 s deadlines, and closed, always, within a budget (10 s). Never
 * rejects: a port that is busy, missing, silent or answering garbage comes
 * back with `ups: null` and a note saying why.
 *
 * Order, for safety: APC Smart first (../apcsmart/probe.ts: `Y`, then
 * variable reads), because an APC reads every byte as a command and the
 * Q1 family's queries hold bytes that are APC commands (S, D, W). The qx
 * claims (../qx/probe.ts) go out only when nothing answered `Y`; a port
 * that answers `Y` with something else than SM is garbage and gets nothing
 * more. Before the qx queries the line is powered as nutdrv_qx and
 * nut-scanner power it (DTR on, RTS off, where the port has modem lines)
 * and the `Y` bytes are ended with a lone `\r`.
 *
 * Opening a port raises DTR and RTS (the OS does it); a contact-closure
 * UPS (genericups) on a cable that reads a line as "shut down" can take
 * that as a signal: `upsagent scan --no-probe` lists the ports without
 * opening them.
 */
import { errorMessage } from '../../core/errors';
import { probeApcSmart } from '../apcsmart/probe';
import { probeQx } from '../qx/probe';
import { openSerialPort, type OpenSerial, type SerialLink } from './link';

export interface SerialProbeOptions {
  /** Opens a port (default: the serialport package). */
  openSerial?: OpenSerial;
  /** Deadline of one reply (default 1000 ms). */
  timeoutMs?: number;
  /** Everything on one port, open to close (default 10 000 ms). */
  budgetMs?: number;
  /** Wait after powering the cable for the qx queries (default 100 ms, nut-scanner's). */
  settleMs?: number;
  /** How long to listen after the lone `\r` that ends APC's `Y` bytes (default 250 ms). */
  flushMs?: number;
  /** `Y` tries with the lines as opened (default 2). */
  apcTries?: number;
}

/** A UPS found on a serial port. */
export interface SerialUpsFound {
  port: string;
  driver: 'qx' | 'apcsmart';
  /** qx: the protocol that claimed it (`protocol:`), and NUT's subdriver name with version. */
  protocol?: string;
  protocolVersion?: string;
  /** apcsmart: `cable:` when only the 940-0095B lines got an answer. */
  cable?: string;
  mfr?: string;
  model?: string;
  firmware?: string;
  serial?: string;
}

export interface SerialProbeResult {
  port: string;
  ups: SerialUpsFound | null;
  /** What was found, or why nothing was. */
  note: string;
  /** Every byte written to the port, in order (latin1). */
  sent: string;
  ms: number;
}

export type ProbeSerialPort = (path: string) => Promise<SerialProbeResult>;

class BudgetSpent extends Error {}

/** A link that records what is written to it. */
function recording(link: SerialLink, sent: string[]): SerialLink {
  return {
    get path() {
      return link.path;
    },
    get isOpen() {
      return link.isOpen;
    },
    write(data) {
      sent.push(typeof data === 'string' ? data : data.toString('latin1'));
      return link.write(data);
    },
    read: (end, timeoutMs, signal) => link.read(end, timeoutMs, signal),
    drain: () => link.drain(),
    onUnsolicited: (fn) => link.onUnsolicited(fn),
    setLines: (lines) => link.setLines(lines),
    getLines: () => link.getLines(),
    close: () => link.close(),
  };
}

/** A probe with these settings, for ScanSources. */
export function serialProber(opts: SerialProbeOptions = {}): ProbeSerialPort {
  return (path) => probeSerialPort(path, opts);
}

export async function probeSerialPort(path: string, opts: SerialProbeOptions = {}): Promise<SerialProbeResult> {
  const t0 = Date.now();
  const open = opts.openSerial ?? openSerialPort;
  const budgetMs = opts.budgetMs ?? 10_000;
  const timeoutMs = opts.timeoutMs ?? 1000;
  const sent: string[] = [];
  const done = (ups: SerialUpsFound | null, note: string): SerialProbeResult => ({ port: path, ups, note, sent: sent.join(''), ms: Date.now() - t0 });
  const ac = new AbortController();
  // Not unref'd: the scan waits for this port, so the process must not end under it.
  const timer = setTimeout(() => ac.abort(new BudgetSpent(`no answer within ${budgetMs} ms`)), budgetMs);
  const signal = ac.signal;
  // The budget ends the probe even where an operation cannot be cancelled (an open or a write that hangs).
  const budgetOut = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  budgetOut.catch(() => undefined);
  let link: SerialLink | null = null;
  let opening: Promise<SerialLink> | null = null;
  const work = async (): Promise<SerialProbeResult> => {
    opening = open(path, { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 });
    const raw = await opening;
    if (signal.aborted) throw signal.reason;
    link = recording(raw, sent);
    const apc = await probeApcSmart(link, { timeoutMs, tries: opts.apcTries ?? 2, signal });
    if (apc.kind === 'apc') {
      return done({ port: path, driver: 'apcsmart', ...apc.found }, apc.note);
    }
    if (apc.kind === 'garbage') return done(null, `${apc.note}; not probed further`);
    try {
      await link.setLines({ dtr: true, rts: false });
    } catch {
      // A pty or an adapter without modem lines: nothing to power.
    }
    await new Promise((r) => setTimeout(r, opts.settleMs ?? 100));
    const qx = await probeQx(link, { timeoutMs, flushMs: opts.flushMs ?? 250, signal });
    if (qx.found) {
      const f = qx.found;
      const ups: SerialUpsFound = { port: path, driver: 'qx', protocol: f.protocol, protocolVersion: f.version };
      if (f.mfr) ups.mfr = f.mfr;
      if (f.model) ups.model = f.model;
      if (f.firmware) ups.firmware = f.firmware;
      if (f.serial) ups.serial = f.serial;
      return done(ups, qx.note);
    }
    return done(null, qx.silent ? `${apc.note}, ${qx.note}` : qx.note);
  };
  try {
    const working = work();
    // What it does after the budget ran out is nobody's business (the port is closed under it).
    working.catch(() => undefined);
    return await Promise.race([working, budgetOut]);
  } catch (err) {
    if (signal.aborted && signal.reason instanceof BudgetSpent) return done(null, `no UPS answered within ${budgetMs} ms`);
    if (link) return done(null, `probe failed: ${errorMessage(err)}`);
    const msg = errorMessage(err);
    // serialport locks the ports it opens (flock), as NUT's drivers do: a running driver holds its port.
    if (/cannot lock port|EBUSY|resource busy/i.test(msg)) return done(null, `busy, not opened (another program has it, e.g. a running driver): ${msg}`);
    return done(null, `not opened: ${msg}`);
  } finally {
    clearTimeout(timer);
    const l = link as SerialLink | null;
    if (l) {
      // A close that hangs must not hang the scan.
      await Promise.race([l.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref?.())]);
    } else if (opening) {
      // Opened after the budget: closed as soon as it is.
      void (opening as Promise<SerialLink>).then((x) => x.close()).catch(() => undefined);
    }
  }
}
