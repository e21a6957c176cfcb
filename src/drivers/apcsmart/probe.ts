/**
 * `upsagent scan` for APC Smart: is there a Smart-UPS on this serial line,
 * and what is it? Only bytes that change nothing on the UPS are sent:
 *
 *   `Y`     smart mode entry (NUT's apcsmart and apcupsd send it first;
 *           the UPS answers `SM` and no setting changes; `YSM` on a line
 *           that echoes every byte, which the driver copes with too)
 *   `^A`    model, `n` serial number, `b` firmware (`V`, the old units'
 *           firmware, when `b` is not there): variable reads
 *
 * Never ESC (NUT sends it after a missed `Y`), never `R` (back to dumb
 * mode), never any command byte. The UPS is left in smart mode, as
 * apcupsd leaves it.
 *
 * The cable: the usual 940-0024 smart cable works with the lines as the
 * port opens them. When `Y` goes unanswered and the port has modem lines,
 * `Y` is tried once more with DTR on and RTS off, which powers APC's
 * dual-mode 940-0095B cable (the driver's `cable: 940-0095B`, NUT
 * ALT_CABLE_1). A pty has no modem lines: no such retry there.
 */
import type { SerialLink } from '../serial/link';
import { ALT_CABLE } from './config';
import { ApcLine, NUT_TIMING } from './line';
import { isNotAvailable } from './parse';

/** Every byte this probe may send, in the order it may send them. */
export const APC_PROBE_BYTES: readonly string[] = ['Y', '\x01', 'n', 'b', 'V'];

export interface ApcProbeOptions {
  /** Deadline of one reply (default 1000 ms). */
  timeoutMs?: number;
  /** `Y` sent this many times at most with the lines as opened (default 2). */
  tries?: number;
  /** When `Y` is not answered: once more with DTR on and RTS off (the 940-0095B cable), where the port has modem lines (default true). */
  altCable?: boolean;
  signal?: AbortSignal;
}

export interface ApcProbeFound {
  /** `940-0095B` when only that cable's line setting got an answer. */
  cable?: string;
  model?: string;
  serial?: string;
  firmware?: string;
}

/**
 * What the port said to `Y`: `apc` (SM), `silent` (nothing at all to some
 * try), `garbage` (every try answered, never SM: an echo, a terminal,
 * another protocol).
 */
export type ApcProbeOutcome = { kind: 'apc'; found: ApcProbeFound; note: string } | { kind: 'silent' | 'garbage'; note: string };

const PRINTABLE = /^[\x20-\x7e]+$/;

export async function probeApcSmart(link: SerialLink, opts: ApcProbeOptions = {}): Promise<ApcProbeOutcome> {
  const ms = opts.timeoutMs ?? 1000;
  const signal = opts.signal;
  const line = new ApcLine(link, () => undefined, { ...NUT_TIMING, replyMs: ms, shortMs: ms, tableMs: ms });
  const heard: string[] = [];
  let echoes = false;

  /** One `Y`: true for SM, false for nothing, the text for anything else. */
  const smart = async (): Promise<boolean | string> => {
    line.flush(false);
    await line.send('Y');
    try {
      const reply = await line.read({ ignore: 'plain', timeoutMs: ms, timeoutOk: true }, signal);
      if (reply === null) return false;
      if (reply === 'YSM') {
        // A line that echoes every byte (the driver copes the same way): later replies lose our bytes off their front.
        line.echoes = true;
        echoes = true;
        return true;
      }
      return reply === 'SM' ? true : reply;
    } catch (err) {
      if (signal?.aborted) throw err;
      // Bytes without a line end: garbage too.
      const partial = link.drain().toString('latin1');
      return partial || (err instanceof Error ? err.message : String(err));
    }
  };

  let silentTry = false;
  let cable: string | undefined;
  let ok = false;
  for (let i = 0; i < (opts.tries ?? 2) && !ok; i++) {
    const r = await smart();
    if (r === true) ok = true;
    else if (r === false) silentTry = true;
    else heard.push(r);
  }
  if (!ok && silentTry && heard.length === 0 && opts.altCable !== false) {
    let lines = true;
    try {
      await link.setLines({ dtr: true, rts: false });
    } catch {
      // No modem lines (a pty, some adapters): nothing else to try.
      lines = false;
    }
    if (lines) {
      const r = await smart();
      if (r === true) {
        ok = true;
        cable = ALT_CABLE;
      } else if (r !== false) heard.push(r);
    }
  }
  if (!ok) {
    if (silentTry) return { kind: 'silent', note: "nothing answered APC's Y" };
    return { kind: 'garbage', note: `answers APC's Y with ${heard.map((h) => JSON.stringify(h)).join(', ')}, not SM` };
  }

  const read = async (cmd: string): Promise<string | undefined> => {
    try {
      const r = await line.ask(cmd, { ignore: 'plain', timeoutMs: ms, timeoutOk: true }, signal);
      return r !== null && !isNotAvailable(r) && PRINTABLE.test(r) ? r.trim() || undefined : undefined;
    } catch (err) {
      if (signal?.aborted) throw err;
      return undefined;
    }
  };
  const found: ApcProbeFound = {};
  if (cable) found.cable = cable;
  const model = await read('\x01');
  const serial = await read('n');
  const firmware = (await read('b')) ?? (await read('V'));
  if (model) found.model = model;
  if (serial) found.serial = serial;
  if (firmware) found.firmware = firmware;
  const what = [model, firmware && `firmware ${firmware}`, serial && `serial ${serial}`].filter((s) => s).join(', ');
  const how = `${echoes ? ' (the line echoes every byte)' : ''}${cable ? ` with the ${cable} cable's lines (DTR on, RTS off)` : ''}`;
  return { kind: 'apc', found, note: `answers APC's Y with SM${how}${what ? `: ${what}` : ''}` };
}
