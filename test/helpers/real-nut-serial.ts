/**
 * Differential tests of a serial driver: for each unit, two pty pairs
 * (./pty-pair.ts) with the same kind of simulator on their peer ends; a
 * real NUT 2.8.0 serial driver with the real upsd (./real-nut.ts) on one,
 * our driver with our server (startAgent) on the other, and both read and
 * driven with the real upsc, upsrw and upscmd.
 *
 * Both sides have the user admin (password sekret) allowed every SET and
 * instant command. Everything starts at once (the simulators first), so
 * neither simulator's clock is ahead; `stop` ends all of it, agent first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { startPtyPair, type PtyPair } from './pty-pair';
import { freePort, startRealNut, UPSC, UPSCMD, UPSRW, type RealNut, type RealSerialDriver } from './real-nut';

export type Side = 'real' | 'ours';
export const SIDES: readonly Side[] = ['real', 'ours'];

export interface ToolResult {
  code: number;
  out: string;
  /** stderr without the real clients' "Init SSL without certificate database". */
  err: string;
}

/** Runs a client program (20 s at most); never rejects. */
export function runTool(cmd: string, args: string[]): Promise<ToolResult> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));

export type Vars = Record<string, string>;

/** upsc output as name -> value, without driver.* (each driver's own name, version and parameters). */
export function upscVars(out: string): Vars {
  const m: Vars = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0 || line.startsWith('driver.')) continue;
    m[line.slice(0, i)] = line.slice(i + 2);
  }
  return m;
}

/** Every variable whose value differs (or that one side lacks), but the `allowed`, as `name: real "x", ours "y"`. */
export function differences(rv: Vars, ov: Vars, allowed: readonly string[] = []): string[] {
  const diffs: string[] = [];
  for (const k of new Set([...Object.keys(rv), ...Object.keys(ov)])) {
    if (rv[k] === ov[k] || allowed.includes(k)) continue;
    diffs.push(`${k}: real ${JSON.stringify(rv[k])}, ours ${JSON.stringify(ov[k])}`);
  }
  return diffs;
}

/** The command names of `upscmd -l` output, sorted. */
export function commandNames(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => / - /.test(l))
    .map((l) => l.split(' - ')[0]!)
    .sort();
}

/** The lines of `upsrw` output both servers must print alike: names, types, options, values (descriptions are each server's own). */
export function upsrwLines(out: string): string[] {
  return out.split('\n').filter((l) => /^(\[|Type:|Option:|Value:|Maximum length:)/.test(l));
}

/** For untilSame's `check`: both upsc runs succeeded and the real one published more than 20 variables. */
export function bothAnswered(r: ToolResult, o: ToolResult, rv: Vars): void {
  assert.equal(r.code, 0, r.err);
  assert.equal(o.code, 0, o.err);
  assert.ok(Object.keys(rv).length > 20, r.out);
}

/** A simulator on a pty's peer end, and how to let go of it. */
export interface Attached<S> {
  sim: S;
  close(): Promise<void>;
}

/** Simulators that open the peer themselves (start/stop, as ./line-simulator.ts). */
export function started<S extends { start(): Promise<void>; stop(): Promise<void> }>(make: (peer: string, side: Side) => S): (peer: string, side: Side) => Promise<Attached<S>> {
  return async (peer, side) => {
    const sim = make(peer, side);
    await sim.start();
    return { sim, close: () => sim.stop() };
  };
}

export interface SerialUnit<S> {
  /** Puts a simulator on a peer end; called for the real side first. */
  attach(peer: string, side: Side): Promise<Attached<S>>;
  /** The real driver's ups.conf section (the port is filled in). */
  real: Omit<RealSerialDriver, 'port'>;
  /** Our `ups:` entry (the port is filled in); none: the unit is the real side's alone. */
  ours?: Record<string, unknown>;
}

export interface SideBySideOptions<S> {
  /** By UPS name, the same on both servers. */
  units: Record<string, SerialUnit<S>>;
  /** How long real upsd may take until every driver answers (real-nut's default otherwise). */
  startTimeoutMs?: number;
}

export interface SameOptions {
  /** Names the comparison in a failure. */
  label: string;
  /** How long both may take to agree, in ms. */
  within: number;
  /** Variables allowed to differ. */
  allowed?: readonly string[];
  /** Run on every read; its assertions fail at once. */
  check?(r: ToolResult, o: ToolResult, rv: Vars, ov: Vars): void;
  /** Agreement counts only once this holds of the real side's variables too. */
  ready?(rv: Vars): boolean;
}

export interface WireOptions {
  /** After both simulators got something: how long more to collect (ms). */
  settleMs?: number;
}

interface Recorder {
  actions(): string[];
}

export class SideBySide<S> {
  constructor(
    readonly real: RealNut,
    readonly ours: RunningAgent,
    readonly ourPort: number,
    private readonly attached: ReadonlyMap<string, Partial<Record<Side, Attached<S>>>>,
    private readonly ptys: readonly PtyPair[],
  ) {}

  /** `ups@host:port` of that side's server. */
  at(ups: string, side: Side): string {
    return `${ups}@127.0.0.1:${side === 'real' ? this.real.port : this.ourPort}`;
  }

  sim(ups: string, side: Side): S {
    const a = this.attached.get(ups)?.[side];
    if (!a) throw new Error(`no ${side} simulator for ${ups}`);
    return a.sim;
  }

  /** Every simulator, the real side's first for each unit, in the order of the units. */
  sims(): S[] {
    return [...this.attached.values()].flatMap((a) => SIDES.flatMap((s) => (a[s] ? [a[s].sim] : [])));
  }

  /** Runs `tool` with `args(ups@server)` against both servers at once. */
  both(tool: string, ups: string, args: (at: string) => string[] = (at) => [at]): Promise<[ToolResult, ToolResult]> {
    return Promise.all([runTool(tool, args(this.at(ups, 'real'))), runTool(tool, args(this.at(ups, 'ours')))]);
  }

  /** upsc on both until they agree (see SameOptions), then the real side's variables; fails with the differences. */
  async untilSame(ups: string, opts: SameOptions): Promise<Vars> {
    const end = Date.now() + opts.within;
    for (;;) {
      const [r, o] = await this.both(UPSC, ups);
      const rv = upscVars(r.out);
      const ov = upscVars(o.out);
      opts.check?.(r, o, rv, ov);
      const diffs = differences(rv, ov, opts.allowed);
      if (diffs.length === 0 && (opts.ready?.(rv) ?? true)) return rv;
      if (Date.now() > end) assert.fail(`${opts.label}:\n${diffs.join('\n') || JSON.stringify(rv)}\n${r.err}${o.err}`);
      await sleep(250);
    }
  }

  /** Waits (15 s at most) until ours shows ups.status `status` and the real one `realStatus`. */
  async untilStatus(ups: string, status: string, realStatus = status): Promise<void> {
    const end = Date.now() + 15_000;
    for (;;) {
      const [r, o] = await this.both(UPSC, ups, (at) => [at, 'ups.status']);
      if (r.out.trim() === realStatus && o.out.trim() === status) return;
      if (Date.now() > end) assert.fail(`not ${status} within 15 s: real ${r.out.trim()} ${r.err}, ours ${o.out.trim()} ${o.err}`);
      await sleep(200);
    }
  }

  /**
   * Runs `tool` with `args(ups@server)` against both; each must succeed
   * (a failure names `label`). upsd 2.8.0 answers before its driver has sent anything, so
   * this waits (8 s at most) until both simulators got something, and
   * `settleMs` (300) more; resolves with the commands (`actions()`) each
   * got meanwhile.
   */
  async onWire(this: SideBySide<S & Recorder>, tool: string, ups: string, args: (at: string) => string[], label: string, opts: WireOptions = {}): Promise<Record<Side, string[]>> {
    const [real, ours] = [this.sim(ups, 'real'), this.sim(ups, 'ours')];
    const r0 = real.actions().length;
    const o0 = ours.actions().length;
    const [r, o] = await this.both(tool, ups, (at) => args(at));
    assert.equal(r.code, 0, `real ${label}: ${r.err}`);
    assert.equal(o.code, 0, `ours ${label}: ${o.err}`);
    const end = Date.now() + 8000;
    while ((real.actions().length === r0 || ours.actions().length === o0) && Date.now() < end) await sleep(50);
    await sleep(opts.settleMs ?? 300);
    return { real: real.actions().slice(r0), ours: ours.actions().slice(o0) };
  }

  /** upscmd as admin: instant command `name` (with `extra` arguments) on both; see onWire. */
  instcmd(this: SideBySide<S & Recorder>, ups: string, name: string, extra: string[] = []): Promise<Record<Side, string[]>> {
    return this.onWire(UPSCMD, ups, (at) => ['-u', 'admin', '-p', 'sekret', at, name, ...extra], [name, ...extra].join(' '));
  }

  /** upsrw -s as admin: `assignment` (name=value) on both; see onWire. */
  setvar(this: SideBySide<S & Recorder>, ups: string, assignment: string): Promise<Record<Side, string[]>> {
    return this.onWire(UPSRW, ups, (at) => ['-s', assignment, '-u', 'admin', '-p', 'sekret', at], assignment);
  }

  /**
   * upscmd -l on both: the real server lists `realHas`; ours lists the
   * same, and every one of `extra` besides (shutdown.default by default:
   * upsdrv_shutdown offered as a command, as NUT 2.8.1+ drivers do).
   */
  async sameCommands(ups: string, realHas: string, extra: readonly string[] = ['shutdown.default']): Promise<void> {
    const [r, o] = await this.both(UPSCMD, ups, (at) => ['-l', at]);
    assert.ok(commandNames(r.out).includes(realHas), r.out);
    assert.deepEqual(
      commandNames(o.out).filter((n) => !extra.includes(n)),
      commandNames(r.out),
    );
    for (const n of extra) assert.ok(commandNames(o.out).includes(n), n);
  }

  stop(): Promise<void> {
    return stopAll(this.ours, this.real, this.attached, this.ptys);
  }
}

async function stopAll<S>(agent: RunningAgent | undefined, real: RealNut | undefined, attached: ReadonlyMap<string, Partial<Record<Side, Attached<S>>>>, ptys: readonly PtyPair[]): Promise<void> {
  await agent?.stop();
  await real?.stop();
  for (const a of attached.values()) for (const s of SIDES) await a[s]?.close();
  for (const p of ptys) await p.stop();
}

/**
 * Starts every unit's simulators on new pty pairs, then real upsd with the
 * real drivers and our agent at once; waits (10 s at most per unit) until
 * our driver has made its first full read of each.
 */
export async function startSideBySide<S>(opts: SideBySideOptions<S>): Promise<SideBySide<S>> {
  const ptys: PtyPair[] = [];
  const attached = new Map<string, Partial<Record<Side, Attached<S>>>>();
  const realDrivers: Record<string, RealSerialDriver> = {};
  const ourUps: Record<string, unknown> = {};
  let agent: RunningAgent | undefined;
  let real: RealNut | undefined;
  try {
    for (const [name, unit] of Object.entries(opts.units)) {
      const sides: Partial<Record<Side, Attached<S>>> = {};
      attached.set(name, sides);
      for (const side of SIDES) {
        if (side === 'ours' && !unit.ours) continue;
        const pty = await startPtyPair();
        ptys.push(pty);
        sides[side] = await unit.attach(pty.peer, side);
        if (side === 'real') realDrivers[name] = { ...unit.real, port: pty.device };
        else ourUps[name] = { ...unit.ours, port: pty.device };
      }
    }
    const ourPort = await freePort();
    const config = validateConfig({
      ups: ourUps,
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    const [r, o] = await Promise.allSettled([
      startRealNut({
        devices: {},
        drivers: realDrivers,
        users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } },
        maxAge: 60,
        ...(opts.startTimeoutMs !== undefined ? { startTimeoutMs: opts.startTimeoutMs } : {}),
      }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    if (r.status === 'fulfilled') real = r.value;
    if (o.status === 'fulfilled') agent = o.value;
    if (r.status === 'rejected') throw r.reason;
    if (o.status === 'rejected') throw o.reason;
    const sb = new SideBySide(real!, agent!, ourPort, attached, ptys);
    for (const name of Object.keys(ourUps)) for (let i = 0; i < 100 && !sb.ours.store.get(name)?.health.dumpDone; i++) await sleep(100);
    return sb;
  } catch (err) {
    // Nothing is left running when the start fails half-way.
    await stopAll(agent, real, attached, ptys);
    throw err;
  }
}
