/**
 * The APC Smart conversation over a serial link, as NUT's apcsmart reads
 * and writes it: one command byte, a reply line ending in LF (CR dropped),
 * each read with its own deadline and ignore set, alert characters picked
 * out where NUT looks for them, and the two paced writes: a byte sent twice
 * 1.3 s apart (the UPS must stay silent after the first) and a byte
 * followed by an argument sent 50 ms per character.
 */
import type { SerialLink } from '../serial/link';
import { DeviceTimeoutError } from '../runtime/errors';
import { ApcNoReplyError, ApcReplyError, cleanLine } from './parse';
import { ALERTS, IGNORE, printable } from './tables';

export interface ApcTiming {
  /** Default reply deadline (NUT: 3 s). */
  replyMs: number;
  /** Deadline of `a` and ^Z, long tables (NUT: 6 s). */
  tableMs: number;
  /** Short deadline, smart mode and shutdown answers (NUT: 1.5 s). */
  shortMs: number;
  /** How long to listen for an unwanted answer between two bytes (NUT: 200 ms). */
  peekMs: number;
  /** Gap between the two bytes of a repeated command (NUT: 1.3 s). */
  repeatGapMs: number;
  /** Gap between the characters of an argument (NUT: 50 ms). */
  paceMs: number;
}

export const NUT_TIMING: ApcTiming = { replyMs: 3000, tableMs: 6000, shortMs: 1500, peekMs: 200, repeatGapMs: 1300, paceMs: 50 };

export type IgnoreSet = keyof typeof IGNORE;

export interface ReadOptions {
  ignore: IgnoreSet;
  /** Alert characters in the reply update the status (NUT SER_AA); otherwise they are dropped. */
  alerts?: boolean;
  timeoutMs?: number;
  /** No answer at all is a normal outcome (null), not a failure (NUT SER_TO). */
  timeoutOk?: boolean;
  /** `*` (powering down) answers like OK (NUT SER_HA, shutdown answers). */
  asterisk?: boolean;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class ApcLine {
  /** Every byte written, for logs and tests (the last 256). */
  readonly sent: string[] = [];
  /**
   * The line sends our bytes back before the UPS's reply (an echoing
   * adapter or cable; seen as `YSM` to `Y`). Each reply then has the
   * echo of what we sent taken off its front.
   */
  echoes = false;
  private pendingEcho = '';

  constructor(
    readonly link: SerialLink,
    private readonly onAlert: (ch: string) => void,
    readonly timing: ApcTiming = NUT_TIMING,
    private readonly debug: (msg: string) => void = () => undefined,
  ) {}

  /** Drops what is waiting; alert-aware, the alerts in it count first (NUT apc_flush). */
  flush(alertAware: boolean): void {
    const pending = this.link.drain().toString('latin1');
    // Whatever echo was due has come (or is lost) by now.
    this.pendingEcho = '';
    if (!alertAware || pending === '') return;
    for (const ch of pending) if (ch in ALERTS) this.onAlert(ch);
  }

  async send(data: string): Promise<void> {
    this.sent.push(data);
    if (this.sent.length > 256) this.sent.shift();
    if (this.echoes) this.pendingEcho += data;
    await this.link.write(Buffer.from(data, 'latin1'));
  }

  /**
   * One reply line, cleaned. Null when nothing came and `timeoutOk`. A
   * line begun but not ended in time is an error, as in NUT (a partial
   * timeout), and so is no answer where one is needed.
   */
  async read(opts: ReadOptions, signal?: AbortSignal): Promise<string | null> {
    const ms = opts.timeoutMs ?? this.timing.replyMs;
    const end = opts.asterisk
      ? (b: Buffer): number => {
          for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x2a) return i + 1;
          return 0;
        }
      : 0x0a;
    let raw: string;
    try {
      raw = (await this.link.read(end, ms, signal)).toString('latin1');
    } catch (err) {
      if (!(err instanceof DeviceTimeoutError)) throw err;
      const partial = this.stripEcho(this.link.drain().toString('latin1'));
      const { text, alerts } = cleanLine(partial, IGNORE[opts.ignore], opts.alerts === true);
      if (opts.alerts) for (const a of alerts) this.onAlert(a);
      if (text !== '') throw new ApcReplyError(`partial reply ${JSON.stringify(text)} (no line end within ${ms} ms)`);
      if (opts.timeoutOk) return null;
      throw new ApcNoReplyError(`no reply within ${ms} ms`);
    }
    raw = this.stripEcho(raw);
    if (opts.asterisk && raw.endsWith('*')) {
      // NUT: `*` is the UPS powering down, an OK; anything sent right after it is dropped.
      this.debug('got * (powering down)');
      await sleep(Math.min(1000, this.timing.shortMs), signal).catch(() => undefined);
      this.link.drain();
      return 'OK';
    }
    const { text, alerts } = cleanLine(raw, IGNORE[opts.ignore], opts.alerts === true);
    for (const a of alerts) this.onAlert(a);
    // `|`: an EEPROM value changed (front panel, another program). Never part of a reply, but worth knowing.
    if (opts.alerts && raw.includes('|')) this.onAlert('|');
    return text;
  }

  /** The echo of our bytes off the front of what came; an echo that does not match is given up, so a reply is never cut. */
  private stripEcho(raw: string): string {
    let i = 0;
    while (i < raw.length && i < this.pendingEcho.length && raw[i] === this.pendingEcho[i]) i++;
    this.pendingEcho = i > 0 && i === Math.min(raw.length, this.pendingEcho.length) ? this.pendingEcho.slice(i) : '';
    return raw.slice(i);
  }

  /** Sends one byte and reads its reply. */
  async ask(cmd: string, opts: ReadOptions, signal?: AbortSignal): Promise<string | null> {
    this.flush(opts.alerts === true);
    await this.send(cmd);
    const reply = await this.read(opts, signal);
    this.debug(`[${printable(cmd)}] -> ${reply === null ? '(nothing)' : JSON.stringify(reply)}`);
    return reply;
  }

  /**
   * The byte twice with NUT's gap (K, Z, ^N). The UPS must say nothing to
   * the first: an answer there means it took the byte for something else,
   * and the second is not sent.
   */
  async sendTwice(cmd: string, signal?: AbortSignal): Promise<void> {
    await this.send(cmd);
    const early = await this.read({ ignore: 'plain', timeoutMs: this.timing.peekMs, timeoutOk: true }, signal).catch((e: unknown) => {
      if (e instanceof ApcReplyError) return 'partial';
      throw e;
    });
    if (early !== null) throw new ApcReplyError(`the UPS answered the first [${printable(cmd)}] with ${JSON.stringify(early)}; not sending it again`);
    await sleep(this.timing.repeatGapMs, signal);
    await this.send(cmd);
  }

  /**
   * A command byte and its argument (@nnn, -value): the argument only if
   * the UPS stays silent after the byte (an NA there would make the
   * argument's characters commands of their own), then paced.
   */
  async sendWithArgument(data: string, signal?: AbortSignal): Promise<void> {
    await this.send(data[0]!);
    const early = await this.read({ ignore: 'plain', timeoutMs: this.timing.peekMs, timeoutOk: true }, signal).catch((e: unknown) => {
      if (e instanceof ApcReplyError) return 'partial';
      throw e;
    });
    if (early !== null) throw new ApcReplyError(`the UPS answered [${printable(data[0]!)}] with ${JSON.stringify(early)}; argument not sent`);
    for (const ch of data.slice(1)) {
      await sleep(this.timing.paceMs, signal);
      await this.send(ch);
    }
  }
}
