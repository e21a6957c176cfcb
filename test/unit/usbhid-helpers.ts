/**
 * Shared set-up for the usbhid driver tests: a driver over a recording, with
 * a real EventBus + UpsStore and fake timers and clock.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventBus } from '../../src/core/bus';
import type { UsbHidConfig } from '../../src/drivers/usbhid/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore, type VarInfo } from '../../src/core/state';
import { UsbHidDriver, type MappingLayer, type Timers } from '../../src/drivers/usbhid/driver';
import { parseHidDump, type HidDump } from '../../src/drivers/usbhid/hid/dump';
import { defaultMapping } from '../../src/drivers/usbhid/index';
import { FixedConnector, type HidConnector } from '../../src/drivers/usbhid/transport/connector';
import { ReplayTransport } from '../../src/drivers/usbhid/transport/replay';

export const FIXTURES = resolve(__dirname, '../fixtures/usbhid');
export const NUT_DDL = resolve(__dirname, '../../../shared/fixtures/nut-ddl');
export const CS500 = resolve(NUT_DDL, 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev');

export function fixtureText(name: string): string {
  return readFileSync(resolve(FIXTURES, name), 'latin1');
}

export function fixtureDump(name: string): HidDump {
  return parseHidDump(fixtureText(name), name);
}

/** Timers that fire only when the test advances time; the clock moves with them. */
export class FakeTimers implements Timers {
  now = 1_700_000_000_000;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  /** Delays of the timers waiting now, from the current time, ascending. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting the work they start finish. */
  async advance(ms: number, idle: () => Promise<void>): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await idle();
    }
    this.now = end;
    await idle();
  }
}

/** What upsd answers to GET TYPE for a variable. */
export function typeOf(v: VarInfo): string {
  const parts: string[] = [];
  if (v.flags.rw) parts.push('RW');
  if (v.enums.length) parts.push('ENUM');
  if (v.ranges.length) parts.push('RANGE');
  parts.push(v.flags.string ? `STRING:${v.maxLength}` : 'NUMBER');
  return parts.join(' ');
}

export interface Rig {
  bus: EventBus;
  store: UpsStore;
  driver: UsbHidDriver;
  transport: ReplayTransport;
  timers: FakeTimers;
  lines: string[];
  get(name: string): string | undefined;
  list(): string[];
  set(name: string, value: string): Promise<void>;
  cmd(name: string, param?: string): Promise<void>;
  advance(ms: number): Promise<void>;
  /** Lets transport events (disconnect, input) and the store's batched events run. */
  settle(): Promise<void>;
}

export interface RigOptions {
  connector?: (t: ReplayTransport) => HidConnector;
  strings?: Map<number, string>;
  mapping?: MappingLayer;
}

export function rig(dump: HidDump, cfg: Partial<UsbHidConfig> = {}, opts: RigOptions = {}): Rig {
  const timers = new FakeTimers();
  const clock = (): number => timers.now;
  const bus = new EventBus();
  const store = new UpsStore(bus, clock);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const transport = new ReplayTransport(dump, { source: 'test.dev', ...(opts.strings ? { strings: opts.strings } : {}) });
  const config: UsbHidConfig = { driver: 'usbhid', port: 'auto', ...cfg };
  const connector = opts.connector ? opts.connector(transport) : new FixedConnector('test.dev', transport);
  const driver = new UsbHidDriver(config, { ups: 'u', bus, publisher, log: new MemoryLogger(lines), clock }, {
    connector,
    mapping: opts.mapping ?? defaultMapping,
    timers,
    version: '9.9.9',
  });
  const settle = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    await driver.idle();
    store.flush();
  };
  return {
    bus,
    store,
    driver,
    transport,
    timers,
    lines,
    get: (name) => store.get('u')?.getVar(name)?.value,
    list: () => (store.get('u')?.vars() ?? []).map((v) => `${v.name}: ${v.value}`),
    set: (name, value) => bus.request('ups.setvar', { ups: 'u', name, value }),
    cmd: (name, param) => bus.request('ups.instcmd', { ups: 'u', name, param }),
    advance: (ms) => timers.advance(ms, () => driver.idle()),
    settle,
  };
}

export function hex(data: Uint8Array | undefined): string {
  return data ? [...data].map((b) => b.toString(16).padStart(2, '0')).join(' ') : '(none)';
}

/** The `var: value` lines of a nut-ddl file (what NUT's upsc printed). */
export function upscLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z][a-z0-9_.]*): (.*)$/i.exec(line.replace(/\r$/, ''));
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}
