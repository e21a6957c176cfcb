/**
 * Instant commands and EEPROM writes, as NUT's apcsmart sends them. The
 * dangerous ones (shutdown.return, shutdown.stayoff, load.off) are only
 * carried out when asked for a second time 3 to 15 s after the first ask
 * (NUT's confirmation window, one for all of them); K, Z and ^N go out
 * twice 1.3 s apart, the UPS silent in between; @nnn's digits only after
 * the UPS stayed silent to the @.
 */
import { RequestError } from '../../core/errors';
import { ApcReplyError, convertValue, parseStatus } from './parse';
import { sleep } from './line';
import type { Session } from './session';
import { APC_STRLEN, CMD, COMMANDS, NASTY_MAX_S, NASTY_MIN_S, STAT, printable, type ApcCmdDef, type ApcVarDef } from './tables';

export interface CommandLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

export interface ShutdownOptions {
  sdtype?: number;
  advorder?: string;
  awd?: string;
  /** Seconds (default 3.5). */
  cshdelay?: number;
}

const failed = (msg: string): RequestError => new RequestError('INSTCMD-FAILED', msg);

/** The row of a command and its argument; null when the name is unknown, 'arg' when the argument fits none of its rows (NUT instcmd's lookup). */
export function findCommand(name: string, param: string | undefined): ApcCmdDef | null | 'arg' {
  const rows = COMMANDS.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!rows.length) return null;
  const row = rows.find((c) => (c.arg ? c.arg.test(param ?? '') : param === undefined));
  return row ?? 'arg';
}

/**
 * The driver's own shutdown (sdtype / advorder), as an instant command the
 * way NUT 2.8.2+ drivers list it; it is what `upsdrvctl shutdown` runs, so
 * it has no confirmation window.
 */
export const SHUTDOWN_DEFAULT = 'shutdown.default';

/** Instant commands a UPS with these command bytes has. */
export function commandNames(cmdChars: ReadonlySet<string>): string[] {
  const names = [...new Set(COMMANDS.filter((c) => cmdChars.has(c.cmd)).map((c) => c.name))];
  // Every method of the shutdown needs one of these.
  if (['S', '@', 'K', 'Z'].some((c) => cmdChars.has(c))) names.push(SHUTDOWN_DEFAULT);
  return names;
}

export class ApcCommands {
  /** When a nasty command was last asked for, in ms (NUT keeps one time for all of them). */
  private lastNasty = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: CommandLog,
    private readonly clock: () => number,
    private readonly shutdownOpts: ShutdownOptions,
  ) {}

  /**
   * Runs one instant command; rejects with a RequestError when it was not
   * carried out. The first ask of a nasty command only arms it: NUT answers
   * that as handled, we answer INSTCMD-FAILED saying why, so nobody (a
   * client, `upsagent shutdown-ups`) takes a shutdown that did not happen
   * for one that did.
   */
  async instCmd(s: Session, name: string, param?: string): Promise<void> {
    if (name.toLowerCase() === SHUTDOWN_DEFAULT) {
      if (param !== undefined) throw new RequestError('INVALID-ARGUMENT', `${name} takes no argument`);
      if (!(await this.shutdown(s))) throw failed(`${name}: no shutdown method was confirmed by the UPS`);
      this.log.info(`${name} completed`);
      return;
    }
    const row = findCommand(name, param);
    if (row === null) throw new RequestError('CMD-NOT-SUPPORTED', `${name}: unknown command`);
    if (row === 'arg') throw new RequestError('INVALID-ARGUMENT', `${name}: argument ${JSON.stringify(param ?? '')} is not accepted`);
    if (!s.discovery.cmdChars.has(row.cmd)) throw new RequestError('CMD-NOT-SUPPORTED', `${name}: recognized, but not supported by this UPS`);
    if (row.nasty && !this.confirmed()) {
      const msg = `${name}${param ? ` ${param}` : ''} not carried out yet: ask for it again ${NASTY_MIN_S} to ${NASTY_MAX_S} s from now to confirm`;
      this.log.info(msg);
      throw failed(msg);
    }
    const key = row.name;
    if (key === 'calibrate.start' || key === 'calibrate.stop') await this.calibrate(s, key === 'calibrate.start');
    else if (key === 'load.on') await this.loadOn(s);
    else if (key === 'load.off') await this.expect(this.sdZ(s), name);
    else if (key === 'shutdown.stayoff') await this.expect(this.sdK(s), name);
    else if (key === 'shutdown.return') {
      const p = param ?? '';
      if (p === '') await this.expect(this.sdS(s), name);
      else if (p[0]!.toUpperCase() === 'A') await this.expect(this.sdAT(s, p.slice(3)), name);
      else await this.expect(this.sdCS(s), name);
    } else await this.plain(s, row);
    this.log.info(`${name}${param ? ` ${param}` : ''} completed`);
  }

  /** In the window since the last ask? Each ask restarts the window (NUT instcmd_chktime). */
  private confirmed(): boolean {
    const now = this.clock();
    const elapsed = (now - this.lastNasty) / 1000;
    this.lastNasty = now;
    return elapsed >= NASTY_MIN_S && elapsed <= NASTY_MAX_S;
  }

  private async expect(p: Promise<boolean>, name: string): Promise<void> {
    if (!(await p)) throw failed(`${name}: the UPS did not confirm`);
  }

  /** A one-byte command the UPS answers OK to (NUT do_cmd). */
  private async plain(s: Session, row: ApcCmdDef): Promise<void> {
    const l = s.line;
    l.flush(true);
    if (row.kind === 'repeat') await l.sendTwice(row.cmd, s.signal);
    else await l.send(row.cmd);
    const reply = await l.read({ ignore: 'alertAware', alerts: true, timeoutOk: true }, s.signal);
    if (reply !== 'OK') throw failed(`${row.name}: got ${reply === null ? 'no answer' : JSON.stringify(reply)} after [${printable(row.cmd)}]`);
  }

  /** D toggles: start only when not calibrating, stop only when calibrating, as Q says (NUT do_cal). */
  private async calibrate(s: Session, start: boolean): Promise<void> {
    const l = s.line;
    const q = await l.ask(CMD.status, { ignore: 'alertAware', alerts: true, timeoutOk: true }, s.signal);
    if (q === null || q === 'NA') throw failed('runtime calibration state undeterminable');
    const running = (parseStatus(q) & STAT.CAL) !== 0;
    if (running === start) throw failed(start ? 'runtime calibration already in progress' : 'runtime calibration not occurring');
    await l.send('D');
    const reply = await l.read({ ignore: 'alertAware', alerts: true, timeoutOk: true }, s.signal);
    if (reply === null || reply === '' || reply === 'NA' || reply === 'NO') throw failed(`${start ? 'start' : 'stop'} calibration failed, got ${JSON.stringify(reply)}`);
  }

  /** ^N twice; the UPS answers nothing (NUT do_loadon). */
  private async loadOn(s: Session): Promise<void> {
    s.line.flush(false);
    await s.line.sendTwice('\x0e', s.signal);
  }

  /** Shutdown answers: OK, or `*`; Z answers nothing at all (`silentOk`) (NUT sdok). */
  private async sdok(s: Session, silentOk: boolean): Promise<boolean> {
    const r = await s.line.read({ ignore: 'plain', asterisk: true, timeoutMs: s.line.timing.shortMs, timeoutOk: true }, s.signal);
    this.log.debug(`shutdown answer: ${r === null ? '(nothing)' : JSON.stringify(r)}`);
    return (r === null && silentOk) || r === 'OK';
  }

  /** S: soft hibernate, only while on battery. */
  async sdS(s: Session): Promise<boolean> {
    s.line.flush(false);
    await s.line.send(CMD.soft);
    return this.sdok(s, false);
  }

  /** CS hack: while on line, simulate a power failure first, wait cshdelay, then S. */
  async sdCS(s: Session): Promise<boolean> {
    if (s.bits & STAT.OL) {
      s.line.flush(false);
      await s.line.send(CMD.simulate);
      await s.line.read({ ignore: 'plain', timeoutMs: s.line.timing.shortMs, timeoutOk: true }, s.signal);
      await sleep((this.shutdownOpts.cshdelay ?? 3.5) * 1000, s.signal);
    }
    return this.sdS(s);
  }

  /** @nnn: hard hibernate with nnn × 6 min extra wake-up delay; 2 digits try the 2-digit variant, abandoned with Y if refused. */
  async sdAT(s: Session, awd: string | undefined): Promise<boolean> {
    const digits = awd === undefined || awd === '' ? '000' : awd;
    const padded = digits.length === 2 ? digits : digits.padStart(3, '0');
    s.line.flush(false);
    try {
      await s.line.sendWithArgument(CMD.hibernate + padded, s.signal);
    } catch (err) {
      if (err instanceof ApcReplyError) {
        this.log.warn(`@${padded}: ${err.message}`);
        return false;
      }
      throw err;
    }
    const ok = await this.sdok(s, false);
    if (ok || padded.length === 3) return ok;
    this.log.warn('[@] with 2 digits does not work - try 3 digits');
    // A bogus byte ends the half-taken sequence; newer units answer NO, older ones nothing.
    await s.line.send(CMD.smart);
    await s.line.read({ ignore: 'plain', timeoutMs: s.line.timing.shortMs, timeoutOk: true }, s.signal).catch(() => null);
    return false;
  }

  /** K twice: delayed power-off, no return. */
  async sdK(s: Session): Promise<boolean> {
    s.line.flush(false);
    await s.line.sendTwice(CMD.stayoff, s.signal);
    return this.sdok(s, false);
  }

  /** Z twice: immediate power-off; the UPS says nothing after it. */
  async sdZ(s: Session): Promise<boolean> {
    s.line.flush(false);
    await s.line.sendTwice(CMD.off, s.signal);
    return this.sdok(s, true);
  }

  /**
   * The shutdown `upsdrvctl shutdown` does (NUT upsdrv_shutdown): the status
   * first (unreadable: assume on battery, low), then advorder's methods in
   * turn until one works, else sdtype's.
   */
  async shutdown(s: Session): Promise<boolean> {
    const o = this.shutdownOpts;
    try {
      const q = await s.line.ask(CMD.status, { ignore: 'plain', timeoutMs: s.line.timing.shortMs }, s.signal);
      s.bits = parseStatus(q ?? '');
    } catch (err) {
      if (s.signal.aborted) throw err;
      this.log.warn('shutdown: status read failed, assuming LB+OB');
      s.bits = STAT.LB | STAT.OB;
    }
    const methods: Array<() => Promise<boolean>> = [() => this.sdS(s), () => this.sdAT(s, o.awd), () => this.sdK(s), () => this.sdZ(s), () => this.sdCS(s)];
    if (o.advorder !== undefined && o.advorder.toUpperCase() !== 'NO') {
      for (const d of o.advorder) if (await methods[Number(d)]!()) return true;
      return false;
    }
    switch (o.sdtype ?? 0) {
      case 5:
        return this.sdAT(s, o.awd);
      case 4:
        return this.sdCS(s);
      case 3:
        return this.sdK(s);
      case 2:
        return this.sdZ(s);
      case 1:
        if (s.bits & STAT.OB && (await this.sdS(s))) return true;
        return this.sdAT(s, o.awd);
      default:
        return s.bits & STAT.OL ? this.sdAT(s, o.awd) : this.sdS(s);
    }
  }
}

const setFailed = (msg: string): RequestError => new RequestError('SET-FAILED', msg);

/**
 * An EEPROM choice: read it, and if it differs step it with `-` (the UPS
 * answers OK, or NO when it will not) until it reads as wanted, at most 32
 * steps; back at the start means the value is not one it has (NUT setvar_enum).
 */
export async function setEnum(s: Session, def: ApcVarDef, want: string, log: CommandLog): Promise<'set' | 'unchanged'> {
  const l = s.line;
  const aa = { ignore: 'alertAware', alerts: true } as const;
  const orig = await l.ask(def.cmd, aa, s.signal);
  if (orig === null || orig === '' || orig === 'NA') throw setFailed(`${def.name}: the UPS does not answer [${printable(def.cmd)}]`);
  if (convertValue(def.format, orig) === want) {
    log.info(`ignoring SET ${def.name}='${want}' (unchanged value)`);
    return 'unchanged';
  }
  for (let i = 0; i < 32; i++) {
    await l.send(CMD.next);
    const ack = await l.read(aa, s.signal);
    if (ack === 'NO') throw setFailed(`${def.name}: the UPS refused to change it (NO)`);
    if (ack !== 'OK') throw setFailed(`${def.name}: got ${JSON.stringify(ack)} to [-]`);
    await l.send(def.cmd);
    const now = await l.read(aa, s.signal);
    if (now === null || now === '' || now === 'NA') throw setFailed(`${def.name}: no value after [-]`);
    log.debug(`${def.name}: rotated to ${JSON.stringify(now)}, want ${JSON.stringify(want)}`);
    if (convertValue(def.format, now) === want) {
      log.info(`SET ${def.name}='${want}'`);
      return 'set';
    }
    // NUT compares the converted value with the raw one here, which never matches for minutes and hours; raw with raw finds the wrap.
    if (now === orig) throw setFailed(`${def.name}: wrapped around without reaching ${JSON.stringify(want)}`);
  }
  throw setFailed(`${def.name}: gave up after 32 steps`);
}

/** An 8-character string (ups.id, battery.date): `-` then the text padded with CRs; the UPS answers OK or NO (NUT setvar_string). */
export async function setString(s: Session, def: ApcVarDef, want: string, log: CommandLog): Promise<'set' | 'unchanged'> {
  if (want.length > APC_STRLEN) throw new RequestError('TOO-LONG', `${def.name}: at most ${APC_STRLEN} characters`);
  if (!/^[\x20-\x7e]*$/.test(want)) throw new RequestError('INVALID-VALUE', `${def.name}: printable ASCII only`);
  const l = s.line;
  const aa = { ignore: 'alertAware', alerts: true } as const;
  const cur = await l.ask(def.cmd, aa, s.signal);
  if (cur === null || cur === 'NA') throw setFailed(`${def.name}: the UPS does not answer [${printable(def.cmd)}]`);
  if (cur === want) {
    log.info(`ignoring SET ${def.name}='${want}' (unchanged value)`);
    return 'unchanged';
  }
  try {
    await l.sendWithArgument(CMD.next + want + '\r'.repeat(APC_STRLEN - want.length), s.signal);
  } catch (err) {
    if (err instanceof ApcReplyError) throw setFailed(`${def.name}: ${err.message}`);
    throw err;
  }
  const r = await l.read({ ...aa, timeoutOk: true }, s.signal);
  if (r === null || r === '') throw setFailed(`${def.name}: short final read`);
  if (r === 'NO') throw setFailed(`${def.name}: the UPS refused the value (NO)`);
  log.info(`SET ${def.name}='${want}'`);
  return 'set';
}
