/**
 * The apcsmart driver module: NUT's apcsmart on the shared runtime.
 *
 *   open:  serial port at 2400 8N1 (cable lines set), Y -> SM, discovery
 *          (firmware list / `a` / ^Z), the first read of everything
 *   poll:  Q (status) and the polled variables every pollInterval; every
 *          variable hourly, and after a reconnect or a SET / command
 *   async: alert characters (! $ % + # ? =) between replies change the
 *          status at once; inside replies they are picked out as NUT does
 *
 * A reply that is garbage (not the value's shape), echoed or cut short is
 * logged and the variable read once more; if it is still bad the poll
 * counts as missed (the data goes stale; the old value is never presented
 * as fresh), and after a few misses the port is reopened and smart mode
 * asked for again, which is NUT's nudge with Y.
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DeviceReplyError, DriverRuntime, runtimeSettings, type DeviceContext, type PollKind, type Timers } from '../runtime/index';
import type { OpenSerial } from '../serial/link';
import { RuntimeLifecycle, type DriverDeps } from '../types';
import { ApcCommands, commandNames, setEnum, setString } from './commands';
import { ALT_CABLE, type ApcSmartConfig } from './config';
import { discover, smartMode } from './discovery';
import { ApcLine, NUT_TIMING, type ApcTiming } from './line';
import { ApcNoReplyError, ApcReplyError, applyAlert, convertValue, isNotAvailable, packedNames, parseStatus, plausible, plausiblePacked, statusWords, unpack } from './parse';
import { applyIgnoreLb, IGNORELB_UNUSABLE } from '../ignorelb';
import type { Session } from './session';
import { ALERTS, CMD, type ApcVarDef } from './tables';

/** NUT's main loop interval and apcsmart's full rescan (hourly). */
export const DEFAULT_POLL_INTERVAL = 2;
export const FULL_SCAN_S = 3600;
/** A request may take this long by default: the CS hack alone is 1.5 s + cshdelay + 1.5 s. */
export const DEFAULT_TIMEOUT_S = 10;
/** Discovery reads every listed byte, each with a 3 s deadline when the UPS keeps quiet. */
export const OPEN_TIMEOUT_MS = 180_000;

export const DRIVER_NAME = 'apcsmart';
/** NUT 2.8.0's apcsmart version, so tools keyed on driver.version.internal see the protocol level. */
export const NUT_DRIVER_VERSION = '3.2';

export interface ApcSmartDriverOptions {
  openSerial: OpenSerial;
  /** NUT's delays; tests shorten them. */
  timing?: Partial<ApcTiming>;
  timers?: Timers;
  version?: string;
}

const DEVICE_ALIASES: Readonly<Record<string, string>> = { 'ups.mfr': 'device.mfr', 'ups.model': 'device.model', 'ups.serial': 'device.serial' };

interface Published {
  value: string;
}

export class ApcSmartDriver implements Module {
  readonly name: string;
  private readonly cfg: ApcSmartConfig;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly timing: ApcTiming;
  private readonly runtime: DriverRuntime<Session>;
  private readonly commands: ApcCommands;
  private readonly vars = new Map<string, Published>();
  /** ignorelb could not be applied at the last status: logged once until it can be. */
  private ignoreLbWarned = false;
  private readonly cmds = new Set<string>();
  /** While a connection is being set up: every name published, so what the UPS no longer has can be withdrawn. */
  private touched: Set<string> | null = null;
  private readonly life: RuntimeLifecycle;

  constructor(
    cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: ApcSmartDriverOptions,
  ) {
    this.cfg = cfg as ApcSmartConfig;
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    this.clock = deps.clock ?? Date.now;
    this.timing = { ...NUT_TIMING, ...opts.timing };
    const c = this.cfg;
    this.commands = new ApcCommands(this.log, this.clock, {
      ...(c.sdtype !== undefined ? { sdtype: c.sdtype } : {}),
      ...(c.advorder !== undefined ? { advorder: c.advorder } : {}),
      ...(c.awd !== undefined ? { awd: c.awd } : {}),
      ...(c.cshdelay !== undefined ? { cshdelay: c.cshdelay } : {}),
    });
    this.runtime = new DriverRuntime<Session>(
      {
        target: c.port,
        open: (ctx, reconnect) => this.open(ctx, reconnect),
        poll: (s, kind, ctx) => this.poll(s, kind, ctx),
        close: (s) => this.close(s),
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: (c.pollInterval ?? DEFAULT_POLL_INTERVAL) * 1000,
        fullIntervalMs: FULL_SCAN_S * 1000,
        timeoutMs: DEFAULT_TIMEOUT_S * 1000,
        openTimeoutMs: OPEN_TIMEOUT_MS,
        ...runtimeSettings(c),
        ...(opts.timers ? { timers: opts.timers } : {}),
        clock: this.clock,
      },
    );
    this.life = new RuntimeLifecycle(deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) }, () => this.publishDriverInfo(), this.runtime);
  }

  status(): { connected: boolean; lastError?: Error } {
    const r = this.runtime.status();
    return { connected: r.connected, ...(r.lastError ? { lastError: r.lastError } : {}) };
  }

  idle(): Promise<void> {
    return this.runtime.idle();
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  /** What `upsdrvctl shutdown` does with this driver: sdtype / advorder (NUT upsdrv_shutdown). True when the UPS confirmed. */
  shutdown(): Promise<boolean> {
    return this.runtime.request('shutdown', (s, ctx) => {
      s.signal = ctx.signal;
      return this.commands.shutdown(s);
    });
  }

  // ---------------------------------------------------------------- device

  private async open(ctx: DeviceContext, reconnect: boolean): Promise<Session> {
    const c = this.cfg;
    const link = await this.opts.openSerial(c.port, { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 });
    try {
      if (c.cable !== undefined && c.cable.toUpperCase() === ALT_CABLE) await link.setLines({ dtr: true, rts: false });
      let session: Session | null = null;
      const line = new ApcLine(link, (ch) => session && this.alert(session, ch), this.timing, (m) => this.log.debug(`${c.port}: ${m}`));
      if (!(await smartMode(line, reconnect ? 1 : 5, ctx.signal))) {
        throw new ApcNoReplyError(`unable to detect an APC Smart protocol UPS on port ${c.port}; check the cabling and port`);
      }
      ctx.reading();
      const d = await discover(line, this.log, ctx.signal);
      this.log.debug(`${c.port}: ${d.source}: ${d.vars.length} variables, commands [${[...d.cmdChars].join('')}], ${d.enums.size} EEPROM settings`);
      session = { link, line, discovery: d, vars: [...d.vars], bits: 0, statusKnown: false, signal: ctx.signal };
      const s = session;
      // Alerts that come between replies count at once (NUT looks at them at the next read).
      link.onUnsolicited((data) => {
        for (const ch of data.toString('latin1')) if (ch in ALERTS || ch === '|') this.alert(s, ch);
      });
      this.touched = new Set();
      for (const def of s.vars) this.publishValue(def, d.values.get(def)!);
      this.publishStatic(s);
      await this.readStatus(s);
      await this.readVars(s, 'full');
      // After a reconnect, values of the last connection that this one did not give are not this UPS's now.
      for (const key of [...this.vars.keys()]) if (!this.touched.has(key) && !key.startsWith('driver.') && key !== 'device.type') this.remove(key);
      return s;
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    } finally {
      this.touched = null;
    }
  }

  private async poll(s: Session, kind: PollKind, ctx: DeviceContext): Promise<void> {
    s.signal = ctx.signal;
    try {
      await this.readStatus(s);
      await this.readVars(s, kind);
    } catch (err) {
      // NUT: a stale UPS gets a full update when it answers again.
      this.runtime.requestFullPoll();
      throw err;
    }
  }

  private async close(s: Session): Promise<void> {
    // Only when the driver stops (NUT upsdrv_cleanup); a port given up for a reconnect just closes.
    if (s.link.isOpen && !this.life.running) {
      try {
        // Back to dumb mode, as NUT leaves the UPS (upsdrv_cleanup).
        s.line.flush(false);
        await s.line.send(CMD.dumb);
        await s.line.read({ ignore: 'plain', timeoutMs: 300, timeoutOk: true }).catch(() => null);
      } catch {
        // The port is going or gone; closing is all that is left.
      }
    }
    await s.link.close().catch(() => undefined);
  }

  /** Q: the status byte (NUT update_status). */
  private async readStatus(s: Session): Promise<void> {
    const reply = await this.readChecked(s, CMD.status, 'ups.status', (r) => /^[0-9A-Fa-f]{1,2}$/.test(r));
    if (reply === null) throw new ApcReplyError('status: the UPS answers NA to Q');
    s.bits = parseStatus(reply);
    s.statusKnown = true;
    this.publishStatus(s);
  }

  /** The polled variables (quick) or all of them (full), in table order (NUT update_info). */
  private async readVars(s: Session, kind: PollKind): Promise<void> {
    for (const def of [...s.vars]) {
      if (kind === 'quick' && !def.poll) continue;
      const ok = def.pack ? (r: string) => plausiblePacked(def.format, r) : (r: string) => plausible(def.format, r);
      const reply = await this.readChecked(s, def.cmd, def.name, ok);
      if (reply === null) {
        this.log.warn(`${def.name}: the UPS answers NA now; removing it`);
        s.vars = s.vars.filter((d) => d !== def);
        this.withdraw(def);
        continue;
      }
      this.publishValue(def, reply);
    }
  }

  /**
   * One alert-aware exchange with a shape check, retried once: null for NA,
   * the reply when it looks right, else an ApcReplyError (logged by the runtime).
   */
  private async readChecked(s: Session, cmd: string, what: string, ok: (r: string) => boolean): Promise<string | null> {
    let last = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      let reply: string | null;
      try {
        reply = await s.line.ask(cmd, { ignore: 'alertAware', alerts: true }, s.signal);
      } catch (err) {
        if (!(err instanceof DeviceReplyError) || attempt === 1 || s.signal.aborted) throw err;
        this.log.debug(`${what}: ${errorMessage(err)}; asking again`);
        continue;
      }
      if (reply === 'NA') return null;
      if (reply !== null && reply !== '' && ok(reply)) return reply;
      last = reply ?? '';
      if (attempt === 0) this.log.debug(`${what}: unusable reply ${JSON.stringify(last)}; asking again`);
    }
    throw new ApcReplyError(`${what}: unusable reply ${JSON.stringify(last)} twice`);
  }

  private alert(s: Session, ch: string): void {
    if (this.runtime.current() !== s && this.runtime.current() !== null) return;
    if (ch === '|') {
      // NUT ignores it; we read every value at the next poll, so a setting changed elsewhere shows.
      this.runtime.requestFullPoll();
      return;
    }
    const before = s.bits;
    s.bits = applyAlert(s.bits, ch);
    this.log.info(`${this.cfg.port}: alert ${ch} (${ALERTS[ch]?.what ?? 'unknown'})`);
    if (s.statusKnown && s.bits !== before) this.publishStatus(s);
  }

  // ---------------------------------------------------------------- publishing

  private publishDriverInfo(): void {
    const c = this.cfg;
    const info: Array<[string, string | undefined]> = [
      ['driver.name', DRIVER_NAME],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.version.internal', NUT_DRIVER_VERSION],
      ['driver.parameter.port', c.port],
      ['driver.parameter.pollinterval', String(c.pollInterval ?? DEFAULT_POLL_INTERVAL)],
      ['driver.parameter.synchronous', 'auto'],
      ['device.type', 'ups'],
      ['driver.parameter.cable', c.cable],
      ['driver.parameter.ttymode', c.ttymode],
      ['driver.parameter.sdtype', c.sdtype !== undefined ? String(c.sdtype) : undefined],
      ['driver.parameter.advorder', c.advorder],
      ['driver.parameter.awd', c.awd],
      ['driver.parameter.cshdelay', c.cshdelay !== undefined ? String(c.cshdelay) : undefined],
      ['driver.flag.ignorelb', c.ignorelb ? 'enabled' : undefined],
    ];
    for (const [name, value] of info) if (value !== undefined) this.put(name, value);
  }

  private publishStatic(s: Session): void {
    this.put('ups.mfr', 'APC');
    if (s.discovery.model !== undefined && !s.vars.some((d) => d.name === 'ups.model')) this.put('ups.model', s.discovery.model);
    const p = this.deps.publisher;
    for (const def of s.vars) {
      const choices = s.discovery.enums.get(def);
      if (choices) {
        p.setFlags(def.name, { rw: true });
        p.setEnums(def.name, choices);
      } else if (def.string) {
        p.setFlags(def.name, { rw: true, string: true }, 8);
      }
    }
    const wanted = new Set(commandNames(s.discovery.cmdChars));
    for (const c of [...this.cmds]) {
      if (!wanted.has(c)) {
        this.cmds.delete(c);
        p.deleteCommand(c);
      }
    }
    for (const c of wanted) {
      if (this.cmds.has(c)) continue;
      this.cmds.add(c);
      p.addCommand(c);
    }
  }

  private publishValue(def: ApcVarDef, raw: string): void {
    if (def.pack) {
      const fields = unpack(def, raw);
      for (const [name, value] of fields) this.put(name, value);
      for (const name of packedNames(def).slice(fields.length)) this.remove(name);
      return;
    }
    this.put(def.name, convertValue(def.format, raw));
  }

  private withdraw(def: ApcVarDef): void {
    for (const name of def.pack ? packedNames(def) : [def.name]) this.remove(name);
  }

  /** ups.status from the byte; with ignorelb, LB as NUT's dstate sets it (src/drivers/ignorelb.ts). */
  private publishStatus(s: Session): void {
    let words = statusWords(s.bits);
    if (this.cfg.ignorelb) {
      const r = applyIgnoreLb(words, (n) => this.vars.get(n)?.value);
      if (!r.applied && !this.ignoreLbWarned) this.log.error(`${this.deps.ups}: ${IGNORELB_UNUSABLE}`);
      this.ignoreLbWarned = !r.applied;
      words = r.words;
      if (words.length === 0) words = ['OFF'];
    }
    this.put('ups.status', words.join(' '));
  }

  private put(name: string, value: string): void {
    // NUT 2.8 publishes the ups.* identity as device.* too (dstate's aliases).
    const alias = DEVICE_ALIASES[name];
    if (alias) this.put(alias, value);
    const key = name.toLowerCase();
    this.touched?.add(key);
    const had = this.vars.get(key);
    if (had && had.value === value) return;
    this.vars.set(key, { value });
    this.deps.publisher.setVar(name, value);
  }

  private remove(name: string): void {
    const alias = DEVICE_ALIASES[name];
    if (alias) this.remove(alias);
    const key = name.toLowerCase();
    if (!this.vars.delete(key)) return;
    this.deps.publisher.deleteVar(name);
  }

  // ---------------------------------------------------------------- requests

  private async setVar(req: SetVarRequest): Promise<void> {
    await this.runtime.request(`SET ${req.name}`, async (s, ctx) => {
      s.signal = ctx.signal;
      const def = s.vars.find((d) => d.name.toLowerCase() === req.name.toLowerCase());
      if (!def) throw new RequestError('VAR-NOT-SUPPORTED', `${req.name}: this UPS does not have it`);
      const choices = s.discovery.enums.get(def);
      if (choices) {
        if (!choices.includes(req.value)) throw new RequestError('INVALID-VALUE', `${req.name}: ${JSON.stringify(req.value)} is not one of ${choices.join(', ')}`);
        if ((await setEnum(s, def, req.value, this.log)) === 'unchanged') return;
      } else if (def.string) {
        if ((await setString(s, def, req.value, this.log)) === 'unchanged') return;
      } else {
        throw new RequestError('READONLY', `${req.name} is not writable`);
      }
      // Read it back, as NUT does (poll_data): what the UPS kept is what clients see.
      const back = await s.line.ask(def.cmd, { ignore: 'alertAware', alerts: true, timeoutOk: true }, s.signal);
      if (back !== null && !isNotAvailable(back) && (def.string || plausible(def.format, back))) this.publishValue(def, back);
    }).catch((err: unknown) => rethrowAs(err, 'SET-FAILED', `SET ${req.name}`));
  }

  private async instCmd(req: InstCmdRequest): Promise<void> {
    await this.runtime.request(req.name, async (s, ctx) => {
      s.signal = ctx.signal;
      // The next quick poll reads the status the command changed; NUT rereads nothing more.
      await this.commands.instCmd(s, req.name, req.param);
    }).catch((err: unknown) => rethrowAs(err, 'INSTCMD-FAILED', req.name));
  }
}

function rethrowAs(err: unknown, failure: 'SET-FAILED' | 'INSTCMD-FAILED', what: string): never {
  if (err instanceof RequestError) throw err;
  throw new RequestError(failure, `${what}: ${errorMessage(err)}`);
}
