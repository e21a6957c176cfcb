/**
 * Getting to know the UPS, as NUT's apcsmart does at start: smart mode
 * (`Y` -> `SM`), then which variables and commands it has: from the
 * firmware list for units too old for `a`, else from the `a` command set
 * (each listed byte read once to check it), else a short list of
 * classics; then the ^Z table of EEPROM values, which makes those
 * variables settable with their choices.
 */
import { DeviceReplyError } from '../runtime/errors';
import { convertValue, isNotAvailable, parseCaps, parseCmdSet } from './parse';
import { sleep, type ApcLine } from './line';
import { CMD, COMMANDS, COMPAT_FIRMWARE, QUIRKY_CAPS_FIRMWARE, UNEXPOSED, VARIABLES, printable, type ApcVarDef } from './tables';

/** What discovery learnt; the driver keeps it for the session. */
export interface Discovery {
  /** Variables the UPS has, in table order (one row per NUT name). */
  vars: ApcVarDef[];
  /** Their first raw values. */
  values: Map<ApcVarDef, string>;
  /** Command bytes the UPS takes (instant commands come from these). */
  cmdChars: Set<string>;
  /** EEPROM variables (from ^Z) and their choices, converted as published. */
  enums: Map<ApcVarDef, string[]>;
  /** ups.model forced by the firmware list or the old-unit path. */
  model?: string;
  /** How the command set was found, for the log. */
  source: 'firmware' | 'cmdset' | 'legacy';
}

export interface DiscoveryLog {
  debug(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
}

/** Smart mode: `Y` until the UPS says SM, ESC after each miss (NUT smartmode). */
export async function smartMode(line: ApcLine, tries: number, signal?: AbortSignal): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    line.flush(false);
    await line.send(CMD.smart);
    let reply: string | null = null;
    try {
      reply = await line.read({ ignore: 'plain', timeoutMs: line.timing.shortMs, timeoutOk: true }, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      // Garbage: NUT waits a second before trying again.
      await sleep(Math.min(1000, line.timing.shortMs), signal);
    }
    if (reply === 'SM') return true;
    if (reply === 'YSM') {
      // The line echoes what we send: from now on each reply loses our bytes off its front.
      line.echoes = true;
      return true;
    }
    await line.send(CMD.esc);
    await line.read({ ignore: 'plain', timeoutMs: line.timing.shortMs, timeoutOk: true }, signal).catch(() => null);
  }
  return false;
}

class Discoverer {
  readonly present = new Set<ApcVarDef>();
  readonly values = new Map<ApcVarDef, string>();
  readonly cmdChars = new Set<string>();
  readonly enums = new Map<ApcVarDef, string[]>();
  model: string | undefined;

  constructor(
    private readonly line: ApcLine,
    private readonly log: DiscoveryLog,
    private readonly signal?: AbortSignal,
  ) {}

  /** One read at setup: nothing, NA or garbage means the UPS does not have it (NUT preread_data). */
  async preread(def: ApcVarDef): Promise<string | null> {
    let r: string | null;
    try {
      r = await this.line.ask(def.cmd, { ignore: 'plain', timeoutOk: true }, this.signal);
    } catch (err) {
      // A garbled or partial answer at setup means the same as none; a port gone or a stop is not ours to swallow.
      if (this.signal?.aborted || !(err instanceof DeviceReplyError)) throw err;
      this.log.warn(`${def.name} [${printable(def.cmd)}]: ${err.message}`);
      return null;
    }
    if (r === null || isNotAvailable(r)) {
      this.log.debug(`${def.name} [${printable(def.cmd)}] timed out or not supported`);
      return null;
    }
    return r;
  }

  /** A listed variable: MULTI rows wait for deprecate(); the others are read now and must match their pattern. */
  async verifyVar(def: ApcVarDef): Promise<void> {
    if (def.multi) {
      this.present.add(def);
      return;
    }
    const raw = await this.preread(def);
    if (raw === null || (def.regex && !def.regex.test(raw))) {
      this.log.debug(`${def.name} [${printable(def.cmd)}] - variable invalid`);
      return;
    }
    this.present.add(def);
    this.values.set(def, raw);
  }

  /** One byte of the command set: variables first, else commands, else unknown (NUT protocol_verify). */
  async verifyByte(c: string): Promise<void> {
    if (UNEXPOSED.includes(c)) return;
    const defs = VARIABLES.filter((d) => d.cmd === c);
    if (defs.length) {
      for (const d of defs) await this.verifyVar(d);
      return;
    }
    if (COMMANDS.some((d) => d.cmd === c)) {
      this.cmdChars.add(c);
      return;
    }
    this.log.debug(`[${printable(c)}] unrecognized`);
  }

  /**
   * Of rows sharing a NUT name or a byte (T: ambient temperature or
   * uptime; b or V: firmware), the first whose reply matches is kept and
   * the later ones dropped (NUT deprecate_vars).
   */
  async deprecate(): Promise<void> {
    for (const [i, def] of VARIABLES.entries()) {
      if (!def.multi || !this.present.has(def)) continue;
      const raw = await this.preread(def);
      if (raw === null || (def.regex && !def.regex.test(raw))) {
        this.present.delete(def);
        this.log.debug(`${def.name} [${printable(def.cmd)}] - variable combination invalid`);
        continue;
      }
      for (const later of VARIABLES.slice(i + 1)) if (later.name === def.name || later.cmd === def.cmd) this.present.delete(later);
      this.values.set(def, raw);
    }
  }

  /** Units too old for `a`, found by their firmware (V, else b); 'quirky' for the one known to overflow ^Z (NUT firmware_table_lookup). */
  async firmwareLookup(): Promise<'matched' | 'quirky' | 'no'> {
    let fw = await this.line.ask(CMD.fwOld, { ignore: 'plain', timeoutOk: true }, this.signal);
    if (fw === null || fw === 'NA') {
      fw = await this.line.ask(CMD.fwNew, { ignore: 'plain', timeoutOk: true }, this.signal);
      if (fw === null || fw === '') return 'no';
    }
    this.log.debug(`firmware: ${JSON.stringify(fw)}`);
    if (fw === QUIRKY_CAPS_FIRMWARE) return 'quirky';
    const key = /^[A-Fa-f0-9]{2}$/.test(fw) ? 'set\x01' : fw;
    const hit = COMPAT_FIRMWARE.find(([f]) => f === key);
    if (!hit) return 'no';
    this.model = '05'.includes(hit[0][0]!) ? 'Matrix-UPS' : 'Smart-UPS';
    for (const c of hit[1]) await this.verifyByte(c);
    await this.deprecate();
    return 'matched';
  }

  /** Old units: the classic variables, by name (NUT oldapcsetup). */
  async legacy(): Promise<void> {
    for (const name of ['ups.temperature', 'ups.load', 'input.voltage', 'output.voltage', 'battery.charge', 'battery.voltage', 'ups.model', 'ups.serial', 'ups.firmware', 'output.current']) {
      for (const d of VARIABLES.filter((x) => x.name === name)) await this.verifyVar(d);
    }
    await this.deprecate();
    if ([...this.present].some((d) => d.name === 'output.current')) this.model = 'Matrix-UPS';
    else if (![...this.present].some((d) => d.name === 'ups.model')) this.model = 'Smart-UPS';
  }

  /** The ^Z table: variables the UPS lists for its locale (or `4`, all) become settable with those values (NUT apc_getcaps). */
  async caps(tolerateOverflow: boolean): Promise<void> {
    const fw = [...this.present].find((d) => d.name === 'ups.firmware');
    const fwValue = fw ? this.values.get(fw) : undefined;
    const locale = fwValue ? fwValue[fwValue.length - 1] : undefined;
    const reply = await this.line.ask(CMD.caps, { ignore: 'caps', timeoutMs: this.line.timing.tableMs, timeoutOk: true }, this.signal);
    if (reply === null || reply === 'NA' || reply === '') {
      this.log.warn('the UPS lists ^Z but gave no capability table');
      return;
    }
    const { entries, problem } = parseCaps(reply, tolerateOverflow);
    if (problem) this.log.warn(`capability table: ${problem}; please report this table: ${JSON.stringify(reply)}`);
    for (const e of entries) {
      const def = [...this.present].find((d) => d.cmd === e.cmd);
      if (!def) continue;
      if (def.pack) {
        this.log.warn(`packed variable ${def.name} [${printable(e.cmd)}] reported as settable; ignored`);
        continue;
      }
      if (e.locale !== locale && e.locale !== '4') continue;
      const list = this.enums.get(def) ?? [];
      for (const raw of e.values) {
        const val = convertValue(def.format, raw);
        if (!list.includes(val)) list.push(val);
      }
      this.enums.set(def, list);
    }
  }

  result(source: Discovery['source']): Discovery {
    const vars = VARIABLES.filter((d) => this.present.has(d) && this.values.has(d));
    return { vars, values: this.values, cmdChars: this.cmdChars, enums: this.enums, ...(this.model ? { model: this.model } : {}), source };
  }
}

/** Everything the UPS has (NUT getbaseinfo). */
export async function discover(line: ApcLine, log: DiscoveryLog, signal?: AbortSignal): Promise<Discovery> {
  const d = new Discoverer(line, log, signal);
  const fw = await d.firmwareLookup();
  if (fw === 'matched') return d.result('firmware');
  const reply = await line.ask(CMD.cmdset, { ignore: 'cmdset', timeoutMs: line.timing.tableMs, timeoutOk: true }, signal);
  const cmds = reply === null || reply === 'NA' ? null : parseCmdSet(reply);
  if (cmds === null) {
    log.info('very old or unknown APC model, support will be limited');
    await d.legacy();
    return d.result('legacy');
  }
  for (const c of cmds) await d.verifyByte(c);
  await d.deprecate();
  if (cmds.includes(CMD.caps)) await d.caps(fw === 'quirky');
  return d.result('cmdset');
}

