/**
 * The genericups driver module: NUT's contact-closure driver on the shared
 * runtime. A contact-closure UPS has no protocol: the host powers the cable
 * from its output lines (DTR, RTS), reads the UPS's state from the input
 * lines (CTS, DCD, RNG, DSR), and tells it to shut down by setting other
 * output levels or sending a BREAK. Which line means what is the cable
 * table of ./cables.ts, chosen by `upstype` and adjusted by the override
 * options.
 *
 *   open:  open the port, set the cable power lines (NUT TIOCMSET line_norm),
 *          read the lines once, publish ups.mfr/model (and serial), status
 *   poll:  read the lines (NUT TIOCMGET), publish ups.status
 *   shutdown.default / load.off: NUT's upsdrv_shutdown (set line_sd and hold
 *          it sdtime seconds, or a 5 s BREAK)
 *
 * A port that disappears fails the line read with `disconnected: true`: the
 * runtime marks the data stale and reopens it with backoff, setting the
 * cable power again (NUT 2.8.1+ reconnect_ups does the same).
 *
 * The serialport package cannot read RI: for a cable that signals on RNG
 * (types 1 and 23, or an override), RI comes from the kernel's line report
 * for built-in ports (./ring.ts); where there is none, every read fails
 * with a message naming the type and the line (the config check refuses
 * such a cable on other ports first).
 *
 * As NUT's man page says, a contact-closure UPS cannot be detected: a port
 * with nothing on it reads as some status. Only a port that cannot be
 * opened or read is an error.
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, UpsAgentError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DeviceGoneError, DriverRuntime, runtimeSettings, type DeviceContext, type Timers } from '../runtime/index';
import type { InputLines, OpenSerial, OutputLines, SerialLink } from '../serial/link';
import { RuntimeLifecycle, type DriverDeps } from '../types';
import { cableType, type CableType } from './cables';
import { overridesOf, type GenericUpsConfig } from './config';
import { procSerialRing, type RingSource } from './ring';
import { applyOverrides, describeInput, describeOutputs, outputLevels, shutdownPlan, statusOf, statusesReading, type InputOption, type LineLevels, type ShutdownPlan } from './signals';

/** What clients read in driver.name. */
export const DRIVER_NAME = 'genericups';
/** genericups.c DRIVER_VERSION in NUT 2.8.0, published as driver.version.internal. */
export const GENERICUPS_VERSION = '1.38';
/** NUT's default main-loop interval, in seconds. */
export const DEFAULT_POLL_INTERVAL = 2;
/** The line speed does not matter to a contact-closure UPS (NUT's ser_open leaves it as it is); some value must be given. */
export const BAUD_RATE = 2400;
/**
 * The instant commands that run NUT's upsdrv_shutdown: `shutdown.default`
 * (NUT 2.8.1+ registers it for every driver) and `load.off`, since the
 * function "powers down the attached load immediately" (genericups.c) and
 * `upsagent shutdown-ups` tries load.off among its defaults.
 */
export const SHUTDOWN_COMMANDS = ['load.off', 'shutdown.default'] as const;

export interface GenericUpsOptions {
  openSerial: OpenSerial;
  /** Where RI comes from when the link cannot report it (default: /proc/tty/driver/serial for /dev/ttyS<N>). */
  ring?: RingSource;
  timers?: Timers;
  /** Published as driver.version; default this agent's version. */
  version?: string;
}

interface Session {
  link: SerialLink;
  signal: AbortSignal;
}

export class GenericUpsDriver implements Module {
  readonly name: string;
  private readonly cfg: GenericUpsConfig;
  private readonly log: Logger;
  private readonly pollSeconds: number;
  /** The type as the table has it (names) and as the overrides make it (lines). */
  private readonly base: CableType;
  readonly cable: CableType;
  private readonly plan: ShutdownPlan;
  /** The statuses this cable reads from RNG (none for most types). */
  private readonly ringUsers: InputOption[];
  private readonly ring: RingSource;
  private readonly runtime: DriverRuntime<Session>;
  private readonly published = new Map<string, string>();
  /** The instant commands offered (the shutdown, unless the type has none). */
  private readonly commands = new Set<string>();
  private readonly life: RuntimeLifecycle;
  /**
   * While a shutdown signal is held (sdtime, or the BREAK), the levels it
   * needs: a port reopened meanwhile gets these rather than the cable
   * power, so a reconnect does not cancel the shutdown.
   */
  private holding: OutputLines | null = null;

  constructor(
    cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: GenericUpsOptions,
  ) {
    this.cfg = cfg as GenericUpsConfig;
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    const base = this.cfg.upstype === undefined ? undefined : cableType(this.cfg.upstype);
    // The config check says this first; a driver built some other way must not guess a cable.
    if (!base) throw new UpsAgentError('GENERICUPS-UPSTYPE', `${deps.ups}: genericups needs upstype from 0 to 23 (got ${String(this.cfg.upstype)})`);
    this.base = base;
    this.cable = applyOverrides(base, overridesOf(this.cfg));
    this.plan = shutdownPlan(this.cable.shutdown, this.cfg.sdtime);
    this.ringUsers = statusesReading(this.cable, 'RNG');
    this.ring = opts.ring ?? procSerialRing();
    this.pollSeconds = this.cfg.pollInterval ?? DEFAULT_POLL_INTERVAL;
    this.runtime = new DriverRuntime<Session>(
      {
        target: this.cfg.port,
        open: (ctx, reconnect) => this.open(ctx, reconnect),
        poll: (s, _kind, ctx) => this.poll(s, ctx),
        close: (s) => s.link.close(),
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: this.pollSeconds * 1000,
        ...runtimeSettings(this.cfg),
        ...(opts.timers ? { timers: opts.timers } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
    this.life = new RuntimeLifecycle(deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) }, () => this.publishDriverInfo(), this.runtime);
  }

  /** Resolves when the device I/O queued so far is done (tests, tools). */
  idle(): Promise<void> {
    return this.runtime.idle();
  }

  status(): { connected: boolean; lastError?: Error } {
    const r = this.runtime.status();
    return { connected: r.connected, ...(r.lastError ? { lastError: r.lastError } : {}) };
  }

  start(): Promise<void> {
    return this.life.start(() => this.log.info(`UPS type: ${this.base.desc}`));
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  // ---------------------------------------------------------------- device

  /** The cable power levels (NUT line_norm); ST there is no modem line and raises nothing. */
  private powerLines(): OutputLines {
    return { ...outputLevels(this.cable.power), brk: false };
  }

  private async open(ctx: DeviceContext, reconnect: boolean): Promise<Session> {
    const link = await this.opts.openSerial(this.cfg.port, { baudRate: BAUD_RATE });
    const onAbort = (): void => void link.close().catch(() => undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Every line at once, as TIOCMSET does: the ones the cable does not use go low.
      await link.setLines(this.holding ?? this.powerLines()).catch((err: unknown) => {
        throw noModemLines(err, this.cfg.port);
      });
      abortIfCancelled(ctx);
      ctx.reading();
      const lines = await this.readLines(link);
      abortIfCancelled(ctx);
      this.publishIdentity();
      this.publishStatus(lines);
      this.log.info(`${reconnect ? 'reopened' : 'opened'} ${this.cfg.port}: cable power ${describeOutputs(this.cable.power)}, ${this.signalsText()}`);
      return { link, signal: ctx.signal };
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private async poll(s: Session, ctx: DeviceContext): Promise<void> {
    const lines = await this.readLines(s.link);
    abortIfCancelled(ctx);
    this.publishStatus(lines);
  }

  /**
   * The input lines (NUT TIOCMGET). A cable that signals on RNG, over a link
   * that cannot report it, gets RI from the kernel's line report where there
   * is one; else the read fails, saying why: RI is never taken as low.
   */
  private async readLines(link: SerialLink): Promise<InputLines> {
    const lines = await link.getLines();
    if (lines.ri !== null || this.ringUsers.length === 0) return lines;
    const ri = await this.ring(this.cfg.port);
    if (ri !== null) return { ...lines, ri };
    throw new UpsAgentError(
      'GENERICUPS-NO-RI',
      `upstype ${this.base.type} (${this.base.desc}) reads ${this.ringUsers.join(' and ')} from RNG (the ring indicator), and this serial port cannot report RNG ` +
        `(the serialport library reads CTS, DSR and DCD only; /proc/tty/driver/serial shows it for a built-in /dev/ttyS port, to root only)`,
    );
  }

  private signalsText(): string {
    const c = this.cable;
    return `OL ${describeInput(c.ol)}, LB ${describeInput(c.lb)}, RB ${describeInput(c.rb)}, BYPASS ${describeInput(c.bypass)}, SD ${describeOutputs(c.shutdown)}`;
  }

  // ---------------------------------------------------------------- publishing

  private put(name: string, value: string): void {
    if (this.published.get(name) === value) return;
    this.published.set(name, value);
    this.deps.publisher.setVar(name, value);
  }

  private publishDriverInfo(): void {
    const c = this.cfg;
    const p = (v: string | null | undefined): string | undefined => (v === undefined ? undefined : v === null ? 'NULL' : v);
    const info: Array<[string, string | undefined]> = [
      ['device.type', 'ups'],
      ['driver.name', DRIVER_NAME],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.version.internal', GENERICUPS_VERSION],
      ['driver.parameter.port', c.port],
      ['driver.parameter.pollinterval', String(this.pollSeconds)],
      ['driver.parameter.synchronous', 'auto'],
      ['driver.parameter.upstype', String(this.base.type)],
      ['driver.parameter.mfr', c.mfr],
      ['driver.parameter.model', c.model],
      ['driver.parameter.serial', c.serial],
      ['driver.parameter.sdtime', c.sdtime === undefined ? undefined : String(c.sdtime)],
      ['driver.parameter.CP', p(c.CP)],
      ['driver.parameter.OL', p(c.OL)],
      ['driver.parameter.LB', p(c.LB)],
      ['driver.parameter.RB', p(c.RB)],
      ['driver.parameter.BYPASS', p(c.BYPASS)],
      ['driver.parameter.SD', p(c.SD)],
    ];
    for (const [name, value] of info) if (value !== undefined) this.put(name, value);
  }

  /** upsdrv_initinfo: the type's names unless mfr/model override them; the driver core copies them to device.*. */
  private publishIdentity(): void {
    const mfr = this.cfg.mfr ?? this.base.mfr;
    const model = this.cfg.model ?? this.base.model;
    this.put('ups.mfr', mfr);
    this.put('ups.model', model);
    this.put('device.mfr', mfr);
    this.put('device.model', model);
    if (this.cfg.serial !== undefined) {
      this.put('ups.serial', this.cfg.serial);
      this.put('device.serial', this.cfg.serial);
    }
    // NUT offers its shutdown to every type; one it knows no signal for is not offered here.
    for (const cmd of SHUTDOWN_COMMANDS) if (this.plan.kind !== 'unknown') this.addCommand(cmd);
  }

  private addCommand(name: string): void {
    if (this.commands.has(name)) return;
    this.commands.add(name);
    this.deps.publisher.addCommand(name);
  }

  private publishStatus(lines: InputLines): void {
    this.put('ups.status', statusOf(this.cable, levelsOf(lines)));
  }

  // ---------------------------------------------------------------- requests

  private setVar(req: SetVarRequest): Promise<void> {
    // genericups has no writable variable.
    return Promise.reject(new RequestError('VAR-NOT-SUPPORTED', `${this.deps.ups} has no writable variable ${req.name}`));
  }

  private async instCmd(req: InstCmdRequest): Promise<void> {
    if (!this.commands.has(req.name)) throw new RequestError('CMD-NOT-SUPPORTED', `${this.deps.ups} has no command ${req.name}`);
    await this.shutdown(req.name);
  }

  /**
   * NUT's upsdrv_shutdown. Lines: set exactly the shutdown levels (TIOCMSET
   * line_sd; DTR/RTS not named go low), then hold them `sdtime` seconds
   * before answering; they stay so afterwards (NUT's driver exits leaving
   * them, with HUPCL off). ST alone: a BREAK of 5 s, the cable power left as
   * it is. The hold waits outside the device queue (the lines only need to
   * stay put), so it is not cut short by the operation deadline and polls
   * go on meanwhile.
   */
  private async shutdown(cmd: string): Promise<void> {
    const plan = this.plan;
    if (plan.kind === 'unknown') throw new RequestError('CMD-NOT-SUPPORTED', `no shutdown signal is known for upstype ${this.base.type}; set SD`);
    const levels: OutputLines = plan.kind === 'break' ? { ...this.powerLines(), brk: true } : { dtr: plan.dtr, rts: plan.rts, brk: false };
    this.log.info(`${cmd}: ${plan.kind === 'break' ? `sending a BREAK for ${plan.ms / 1000} s` : `setting the shutdown lines (${describeOutputs(this.cable.shutdown)})`}`);
    await this.setLines(cmd, levels);
    this.holding = levels;
    try {
      if (plan.kind === 'break') {
        await this.wait(plan.ms);
        await this.setLines(cmd, this.powerLines());
        return;
      }
      this.log.info(`Holding shutdown signal for ${plan.holdMs / 1000} seconds...`);
      if (plan.holdMs > 0) await this.wait(plan.holdMs);
    } finally {
      this.holding = null;
    }
  }

  private async setLines(cmd: string, levels: OutputLines): Promise<void> {
    await this.runtime
      .request(cmd, async (s) => {
        await s.link.setLines(levels);
      })
      .catch((err: unknown) => {
        if (err instanceof RequestError) throw err;
        throw new RequestError('INSTCMD-FAILED', `${cmd}: ${errorMessage(err)}`);
      });
  }

  /**
   * The hold of a shutdown signal. With the real timers it keeps the process
   * alive (the runtime's timers do not): `upsagent shutdown-ups` must not
   * end before the signal was held for its time.
   */
  private wait(ms: number): Promise<void> {
    const timers = this.opts.timers;
    if (timers) return new Promise((resolve) => timers.setTimeout(resolve, ms));
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** ENOTTY on the line ioctls: a pty, a socket bridge... has no modem lines; say so, keep the error's kind (the port is retried). */
function noModemLines(err: unknown, port: string): unknown {
  if (!(err instanceof Error) || !/Inappropriate ioctl/i.test(err.message)) return err;
  return new DeviceGoneError(`${port}: this port has no modem control lines (${err.message}); genericups needs a serial port with DTR/RTS/CTS/DCD, not a pty`);
}

function levelsOf(lines: InputLines): LineLevels {
  return { CTS: lines.cts, DCD: lines.dcd, RNG: lines.ri, DSR: lines.dsr };
}

function abortIfCancelled(ctx: DeviceContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
}
