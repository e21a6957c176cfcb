import { resolve } from 'node:path';
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DeviceReplyError, DriverRuntime, runtimeSettings, type DeviceContext } from '../runtime/index';
import { attachDriver, detachDriver, type DriverDeps } from '../types';
import type { DummyConfig } from './config';
import { MAX_STATUS_LENGTH, declarationsOf, formatWarning, parseDevFile, type DevFile, type DevStep, type RwDeclaration } from './devfile';
import { DEFAULT_STRING_SIZE, DEVICE_COPIES, DUMMY_COMMANDS, DUMMY_DEFAULTS, DUMMY_UPS_VERSION, dummyVarType } from './nut-vars';
import { FileSource, type DummySource } from './source';

export type DummyMode = 'once' | 'loop';

export interface DummyOptions {
  /** Where the text comes from; default: the file named by `port`. */
  source?: DummySource;
  /**
   * What #RW/#CMD declarations do. `ignore` (default) behaves as dummy-ups:
   * every variable from the file is writable and the only command is load.off.
   * `apply` makes only declared variables writable (with their ENUM/RANGE/STRING
   * limits) and offers the declared commands; the embedded demo uses it.
   */
  declarations?: 'ignore' | 'apply';
  /** Loop mode: the step to go back to after the last one; earlier steps run once. Default 0. */
  loopFrom?: number;
  /** Published as driver.version; default: this agent's version. */
  version?: string;
}

/** dummy-ups' default poll interval, in seconds. */
export const DEFAULT_POLL_INTERVAL = 2;

/** Mode and its driver.parameter.mode label, chosen as dummy-ups 2.8.0 chooses them. */
export function resolveMode(cfg: Pick<DummyConfig, 'mode'>, sourceName: string): { mode: DummyMode; label: string } {
  if (cfg.mode) return { mode: cfg.mode, label: `dummy-${cfg.mode}` };
  if (sourceName.endsWith('.seq')) return { mode: 'loop', label: 'dummy-loop' };
  if (sourceName.endsWith('.dev')) return { mode: 'once', label: 'dummy-once' };
  // Other names keep the behaviour dummy-ups had before 2.8.0.
  return { mode: 'loop', label: 'dummy' };
}

interface VarType {
  rw: boolean;
  string: boolean;
  number: boolean;
  maxLength: number;
  enums: string[];
  ranges: Array<[number, number]>;
}

interface Published extends VarType {
  name: string;
  value: string;
}

/** Variables the driver core adds carry no flags (read-only). */
const CORE: VarType = { rw: false, string: false, number: false, maxLength: 0, enums: [], ranges: [] };

function sameType(a: VarType, b: VarType): boolean {
  return (
    a.rw === b.rw &&
    a.string === b.string &&
    a.number === b.number &&
    a.maxLength === b.maxLength &&
    a.enums.join('\0') === b.enums.join('\0') &&
    a.ranges.join(';') === b.ranges.join(';')
  );
}

/** Warnings logged for one file text; more are summed up in one line. */
const MAX_LOGGED_WARNINGS = 20;

/**
 * NUT's dummy-ups in its two simulation modes. `once`: the file is applied
 * (pausing at TIMER lines) and applied again from the top whenever it changes;
 * values set by clients stay until then. `loop`: the file's TIMER steps are
 * played in a loop, re-reading the file at each pass.
 *
 * What it publishes mirrors dummy-ups 2.8.0 + its driver core, checked against
 * the real programs: defaults ups.mfr/ups.model/ups.status, driver.* and
 * device.type, the device.* copies of ups.mfr/model/serial (made once, after
 * the first read), the flags of nut-vars.ts, and the single command load.off.
 * Unlike dummy-ups, an unreadable file never stops the driver: it keeps the
 * last good data, reports it stale, and retries every poll. The shared driver
 * runtime runs it: each read of the file is one device operation with a
 * deadline (a FIFO nobody writes holds nothing up), a file missing at start
 * leaves the UPS DRIVER-NOT-CONNECTED until it appears, and the poll is the
 * heartbeat that keeps the data fresh.
 */
export class DummyDriver implements Module {
  readonly name: string;
  private readonly source: DummySource;
  private readonly mode: DummyMode;
  private readonly modeLabel: string;
  private readonly pollSeconds: number;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly applyDeclarations: boolean;
  private readonly cfg: DummyConfig;
  private readonly runtime: DriverRuntime<object>;

  private readonly vars = new Map<string, Published>();
  private readonly commands = new Map<string, string>();
  /** Keys of what the driver itself publishes (driver.*, device.type): no file version removes them. */
  private readonly driverInfo = new Map<string, readonly [name: string, value: string]>();
  private declared = new Map<string, RwDeclaration[]>();
  private steps: DevStep[] = [];
  private stepIndex = 0;
  private nextStepAt: number | null = null;
  private stepTimer: ReturnType<typeof setTimeout> | null = null;
  private unwatch: (() => void) | null = null;
  private running = false;
  private healthy = false;
  private failing = false;
  /** Why the next poll reads the file: it changed (`restart` from the top, `check` in loop mode) or a loop pass ended. */
  private dirty: 'restart' | 'check' | 'loop' | null = null;
  private warnedText: string | null = null;

  constructor(
    upsCfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: DummyOptions = {},
  ) {
    const cfg = upsCfg as DummyConfig;
    this.cfg = cfg;
    this.name = `driver:${deps.ups}`;
    this.source = opts.source ?? new FileSource(resolve(cfg.port), { pollMs: Math.min(1000, (cfg.pollInterval ?? DEFAULT_POLL_INTERVAL) * 1000) });
    const m = resolveMode(cfg, this.source.name);
    this.mode = m.mode;
    this.modeLabel = m.label;
    this.pollSeconds = cfg.pollInterval ?? DEFAULT_POLL_INTERVAL;
    this.log = deps.log;
    this.clock = deps.clock ?? Date.now;
    this.applyDeclarations = opts.declarations === 'apply';
    this.runtime = new DriverRuntime<object>(
      {
        target: this.source.name,
        open: (ctx, reconnect) => this.open(ctx, reconnect),
        poll: (_s, _kind, ctx) => this.poll(ctx),
        close: async () => undefined,
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: this.pollSeconds * 1000,
        ...runtimeSettings(cfg),
        // A file has nothing to reconnect to: it is read again at every poll until it reads.
        reopenAfter: Infinity,
        clock: this.clock,
      },
    );
  }

  /** Where the simulation stands (for status displays and tests). */
  status(): { mode: DummyMode; step: number; steps: number; nextStepAt: number | null; healthy: boolean } {
    return { mode: this.mode, step: this.stepIndex, steps: this.steps.length, nextStepAt: this.nextStepAt, healthy: this.healthy };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.vars.clear();
    this.commands.clear();
    attachDriver(this.deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) });
    this.publishDriverInfo();
    await this.runtime.start();
    if (!this.running) return;
    if (this.source.watch) this.unwatch = this.source.watch(() => this.onSourceChange());
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearStepTimer();
    this.unwatch?.();
    this.unwatch = null;
    // A read in flight is cancelled; it publishes nothing.
    await this.runtime.stop();
    detachDriver(this.deps, this);
  }

  /** First read of the file (and again after a read timed out): the simulation starts from its first step. */
  private async open(ctx: DeviceContext, reconnect: boolean): Promise<object> {
    const file = await this.load(ctx.signal, reconnect);
    if (ctx.signal.aborted || !this.running) throw new DeviceReplyError('cancelled');
    if (typeof file === 'string') throw new DeviceReplyError(file);
    ctx.reading();
    this.adopt(file);
    this.restart();
    this.syncCommands();
    this.markHealthy();
    return {};
  }

  /**
   * The runtime's poll: the heartbeat that keeps the data fresh, and the
   * read of a file that changed, whose loop pass ended, or that could not
   * be read last time (then it fails again, and the data stays stale).
   */
  private async poll(ctx: DeviceContext): Promise<void> {
    const why = this.dirty;
    if (why === null && this.healthy) return;
    this.dirty = null;
    const file = await this.load(ctx.signal, true);
    if (ctx.signal.aborted || !this.running) throw new DeviceReplyError('cancelled');
    if (typeof file === 'string') {
      this.markUnhealthy();
      throw new DeviceReplyError(file);
    }
    if (why === 'loop') {
      this.adopt(file);
      this.forgetUnnamed();
      this.runStep(Math.min(Math.max(0, this.opts.loopFrom ?? 0), this.steps.length - 1));
    } else if (why === 'restart' || !this.healthy) {
      this.adopt(file);
      this.restart();
    }
    this.markHealthy();
  }

  // --- reading the source ---------------------------------------------------

  /**
   * Reads and parses the file; the reason when it cannot be used. While the
   * UPS has data (`keeping`), the failure is logged here, once, saying the
   * data is kept; before the first read the runtime logs it with its retries.
   */
  private async load(signal: AbortSignal | undefined, keeping: boolean): Promise<DevFile | string> {
    try {
      const text = await this.source.read(signal);
      if (signal?.aborted) return 'cancelled';
      const file = parseDevFile(text, this.source.name);
      if (text !== this.warnedText) {
        this.warnedText = text;
        for (const w of file.warnings.slice(0, MAX_LOGGED_WARNINGS)) this.log.warn(formatWarning(w));
        if (file.warnings.length > MAX_LOGGED_WARNINGS) {
          this.log.warn(`${this.source.name}: ${file.warnings.length - MAX_LOGGED_WARNINGS} more warning(s) not shown`);
        }
      }
      return file;
    } catch (err) {
      if (!this.failing && keeping) this.log.error(`cannot use ${this.source.name}: ${errorMessage(err)}; keeping the last data and retrying every ${this.pollSeconds} s`);
      this.failing = true;
      return errorMessage(err);
    }
  }

  /** Takes a freshly read file as the current one. */
  private adopt(file: DevFile): void {
    this.steps = file.steps;
    if (this.applyDeclarations) {
      const declared = new Map<string, RwDeclaration[]>();
      for (const d of declarationsOf(file).rw) {
        const key = d.name.toLowerCase();
        declared.set(key, [...(declared.get(key) ?? []), d]);
      }
      this.declared = declared;
      this.syncCommands(declarationsOf(file).cmds);
      // Declarations may have changed for variables already published.
      for (const v of this.vars.values()) if (!v.name.toLowerCase().startsWith('driver.')) this.retype(v);
    }
  }

  private onSourceChange(): void {
    if (!this.running) return;
    // dummy-ups re-reads a dummy-once file when its mtime changes; a looping
    // file is re-read at the start of each pass anyway (unless it was unreadable).
    this.dirty = this.mode === 'once' ? 'restart' : (this.dirty ?? 'check');
    this.runtime.pollNow();
  }

  private markHealthy(): void {
    if (this.failing) this.log.info(`${this.source.name} is readable again`);
    this.failing = false;
    this.healthy = true;
  }

  /** The runtime marks the data stale; a looping simulation pauses where it is until the file is back. */
  private markUnhealthy(): void {
    this.healthy = false;
    this.clearStepTimer();
  }

  /**
   * The file read from the top: what a start with this very file would
   * publish (driver defaults, the first step, the driver core's device.*
   * copies), whether the file was there at start, appeared later or was
   * rewritten. A value the file no longer gives does not survive from an
   * earlier version (dummy-ups would keep it; then the same file gave
   * different data depending on its history). The new values are worked out
   * first and only differences are published, so no reader ever sees a
   * default (ups.status OL) in between.
   */
  private restart(): void {
    this.clearStepTimer();
    const target = new Map<string, [string, string]>();
    const fromFile = new Set<string>();
    for (const [name, value] of DUMMY_DEFAULTS) target.set(name.toLowerCase(), [name, value]);
    for (const [name, value] of this.steps[0]?.vars ?? []) {
      fromFile.add(name.toLowerCase());
      if (value === '' && name.toLowerCase() !== 'ups.status') target.delete(name.toLowerCase());
      else target.set(name.toLowerCase(), [name, value]);
    }
    // The driver core copies these after the driver's first read, over what the file says.
    for (const [from, to] of DEVICE_COPIES) {
      const v = target.get(from);
      if (v) target.set(to, [to, v[1]]);
    }
    for (const [key, v] of [...this.vars]) if (!this.driverInfo.has(key) && !target.has(key)) this.remove(v.name);
    // What the driver publishes itself comes back as it was when an earlier file overrode it.
    for (const [key, [name, value]] of this.driverInfo) if (!target.has(key)) this.put(name, value, CORE);
    // The store publishes only what changed, so values the new file keeps cause no event.
    for (const [key, [name, value]] of target) {
      // A copy keeps the type the file gave its name; one the file does not name has none, as in the driver core.
      if (DEVICE_COPIES.some(([, to]) => to === key)) this.put(name, value, fromFile.has(key) ? undefined : CORE);
      else this.put(name, value);
    }
    this.runStep(0, { applied: true });
  }

  /** A looping file read again: variables no step of it names any more are removed. */
  private forgetUnnamed(): void {
    const named = new Set<string>([...DUMMY_DEFAULTS.map(([n]) => n), ...DEVICE_COPIES.map(([, to]) => to)]);
    for (const step of this.steps) for (const [name] of step.vars) named.add(name.toLowerCase());
    for (const [key, v] of [...this.vars]) if (!this.driverInfo.has(key) && !named.has(key)) this.remove(v.name);
  }

  // --- stepping through TIMER blocks ----------------------------------------

  /** `applied`: the step's values are already published (restart()); only its timer is set. */
  private runStep(index: number, opts: { applied?: boolean } = {}): void {
    this.clearStepTimer();
    this.stepIndex = index;
    const step = this.steps[index];
    if (!step) return;
    if (opts.applied !== true) for (const [name, value] of step.vars) this.applyFileVar(name, value);
    let waitMs: number | null = null;
    if (step.timer !== null) waitMs = step.timer * 1000;
    // No TIMER at the end of a looping file: dummy-ups starts over at its next poll.
    else if (this.mode === 'loop') waitMs = this.pollSeconds * 1000;
    if (waitMs !== null) {
      this.nextStepAt = this.clock() + waitMs;
      this.stepTimer = setTimeout(() => this.advance(), waitMs);
      this.stepTimer.unref?.();
    }
  }

  private advance(): void {
    this.stepTimer = null;
    this.nextStepAt = null;
    if (!this.running) return;
    const next = this.stepIndex + 1;
    if (next < this.steps.length) {
      this.runStep(next);
      return;
    }
    if (this.mode === 'once') return;
    // Loop mode, after the last step: the next poll reads the file again and goes back to the loop's first step.
    this.dirty = 'loop';
    this.runtime.pollNow();
  }

  private clearStepTimer(): void {
    if (this.stepTimer) clearTimeout(this.stepTimer);
    this.stepTimer = null;
    this.nextStepAt = null;
  }

  // --- publishing -------------------------------------------------------------

  private publishDriverInfo(): void {
    const info: Array<[string, string]> = [
      ['driver.name', 'dummy-ups'],
      ['driver.parameter.mode', this.modeLabel],
      ['driver.parameter.pollinterval', String(this.pollSeconds)],
      ['driver.parameter.port', this.cfg.port],
      ['driver.parameter.synchronous', 'auto'],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.version.internal', DUMMY_UPS_VERSION],
      ['device.type', 'ups'],
    ];
    for (const [name, value] of info) {
      this.put(name, value, CORE);
      this.driverInfo.set(name.toLowerCase(), [name, value]);
    }
  }

  /** Applies one line of the file, as dummy-ups does. */
  private applyFileVar(name: string, value: string): void {
    if (name.toLowerCase() === 'ups.status') this.put('ups.status', value);
    else if (value === '') this.remove(name);
    else this.put(name, value);
  }

  /** The type dummy-ups (or, with declarations applied, the file) gives a variable. */
  private typeFor(name: string): VarType {
    if (!this.applyDeclarations) {
      const t = dummyVarType(name);
      return { rw: t.rw, string: t.string, number: false, maxLength: t.maxLength, enums: [], ranges: [] };
    }
    const t: VarType = { rw: false, string: false, number: false, maxLength: 0, enums: [], ranges: [] };
    for (const d of this.declared.get(name.toLowerCase()) ?? []) {
      t.rw = true;
      if (d.type === 'STRING') {
        t.string = true;
        t.maxLength = d.maxLength ?? DEFAULT_STRING_SIZE;
      } else if (d.type === 'ENUM') t.enums.push(d.value);
      else if (d.type === 'RANGE') t.ranges.push([d.min, d.max]);
      else t.number = true;
    }
    return t;
  }

  /** Sets a variable with the type its name calls for (or `type`). */
  private put(name: string, value: string, type?: VarType): void {
    const key = name.toLowerCase();
    const t = type ?? this.typeFor(name);
    const v = this.vars.get(key);
    if (!v) {
      const fresh: Published = { name, value, ...t };
      this.vars.set(key, fresh);
      this.deps.publisher.setVar(name, value);
      this.publishType(fresh);
      return;
    }
    v.value = value;
    this.deps.publisher.setVar(v.name, value);
    if (!sameType(v, t)) {
      Object.assign(v, t);
      this.publishType(v);
    }
  }

  private retype(v: Published): void {
    const t = this.typeFor(v.name);
    if (!sameType(v, t)) {
      Object.assign(v, t);
      this.publishType(v);
    }
  }

  private publishType(v: Published): void {
    const p = this.deps.publisher;
    p.setFlags(v.name, { rw: v.rw, string: v.string, number: v.number }, v.maxLength);
    p.setEnums(v.name, v.enums);
    p.setRanges(v.name, v.ranges);
  }

  private remove(name: string): void {
    const v = this.vars.get(name.toLowerCase());
    if (!v) return;
    this.vars.delete(name.toLowerCase());
    this.deps.publisher.deleteVar(v.name);
  }

  /** Brings the command list to `declared` (apply mode) or dummy-ups' fixed list. */
  private syncCommands(declared?: readonly string[]): void {
    const wanted = this.applyDeclarations ? (declared ?? [...this.commands.values()]) : DUMMY_COMMANDS;
    const keys = new Set(wanted.map((c) => c.toLowerCase()));
    for (const [key, name] of this.commands) {
      if (!keys.has(key)) {
        this.commands.delete(key);
        this.deps.publisher.deleteCommand(name);
      }
    }
    for (const name of wanted) {
      if (this.commands.has(name.toLowerCase())) continue;
      this.commands.set(name.toLowerCase(), name);
      this.deps.publisher.addCommand(name);
    }
  }

  // --- requests from clients ------------------------------------------------

  /** A UPS whose file was never read has nothing to change (the server says so first; direct bus callers hear it here). */
  private requireOpen(): void {
    if (this.runtime.current() === null) throw new RequestError('DRIVER-NOT-CONNECTED', `${this.deps.ups}: ${this.source.name} has not been read`);
  }

  private setVar(req: SetVarRequest): void {
    this.requireOpen();
    const key = req.name.toLowerCase();
    const v = this.vars.get(key);
    if (!v) throw new RequestError('VAR-NOT-SUPPORTED', `${this.deps.ups} has no variable ${req.name}`);
    if (!v.rw) throw new RequestError('READONLY', `${v.name} is read-only`);
    if (v.string && v.maxLength > 0 && req.value.length > v.maxLength) {
      throw new RequestError('TOO-LONG', `${v.name} takes at most ${v.maxLength} characters`);
    }
    if (v.enums.length > 0 && !v.enums.includes(req.value)) {
      throw new RequestError('INVALID-VALUE', `${v.name} must be one of ${v.enums.join(', ')}`);
    }
    if (v.ranges.length > 0) {
      const n = Number(req.value);
      if (req.value.trim() === '' || !Number.isFinite(n) || !v.ranges.some(([lo, hi]) => n >= lo && n <= hi)) {
        throw new RequestError('INVALID-VALUE', `${v.name} must be within ${v.ranges.map(([lo, hi]) => `${lo}..${hi}`).join(' or ')}`);
      }
    }
    // The driver core keeps at most 255 characters of a value.
    const value = req.value.slice(0, MAX_STATUS_LENGTH);
    this.log.info(`SET ${v.name} = ${JSON.stringify(value)}`);
    // As dummy-ups: ups.status takes the text as given; an empty value removes any other variable.
    if (key === 'ups.status') this.put(v.name, value);
    else if (value === '') this.remove(v.name);
    else this.put(v.name, value);
  }

  private instCmd(req: InstCmdRequest): void {
    this.requireOpen();
    const cmd = this.commands.get(req.name.toLowerCase());
    if (!cmd) throw new RequestError('CMD-NOT-SUPPORTED', `${this.deps.ups} has no command ${req.name}`);
    // dummy-ups accepts its commands and only logs them: there is no load to switch.
    this.log.info(`instant command ${cmd}${req.param !== undefined ? ` [${req.param}]` : ''} received; a simulated UPS only logs it`);
  }
}
