/**
 * A Megatec/Q1 UPS of our own, on the peer end of a pty pair
 * (./pty-pair.ts): it answers Q1, F and I from its state, acts on the
 * commands a real unit acts on (beeper toggle, battery tests, shutdown and
 * cancel), echoes what it does not know as Megatec units do, and records
 * every command it receives. Tests switch its state (online, on battery,
 * low battery), make it silent, or make it answer garbage.
 *
 * Each reply goes out in one write, as a UPS sends a line: the real
 * nutdrv_qx reads a reply with a single read.
 */
import { LineSimulator } from './line-simulator';

export interface Q1State {
  inputVoltage: number;
  faultVoltage: number;
  outputVoltage: number;
  load: number;
  frequency: number;
  batteryVoltage: number;
  temperature: number;
  /** b7: utility fail (on battery). */
  utilityFail: boolean;
  /** b6: battery low. */
  batteryLow: boolean;
  /** b5: bypass / boost / buck active. */
  bypassBoostBuck: boolean;
  /** b4: UPS failed. */
  upsFailed: boolean;
  /** b3: line-interactive (standby) unit. */
  lineInteractive: boolean;
  /** b2: test in progress. */
  testing: boolean;
  /** b1: shutdown active. */
  shutdownActive: boolean;
  /** b0: beeper on. */
  beeper: boolean;
}

export const ONLINE: Q1State = {
  inputVoltage: 229.8,
  faultVoltage: 140.0,
  outputVoltage: 229.8,
  load: 23,
  frequency: 50.1,
  batteryVoltage: 27.2,
  temperature: 31.5,
  utilityFail: false,
  batteryLow: false,
  bypassBoostBuck: false,
  upsFailed: false,
  lineInteractive: true,
  testing: false,
  shutdownActive: false,
  beeper: true,
};

export const ON_BATTERY: Q1State = { ...ONLINE, inputVoltage: 0, faultVoltage: 0, outputVoltage: 228.4, batteryVoltage: 24.8, utilityFail: true };
export const LOW_BATTERY: Q1State = { ...ON_BATTERY, batteryVoltage: 21.6, batteryLow: true };

export interface Q1Rating {
  voltage: number;
  current: number;
  batteryVoltage: number;
  frequency: number;
}

export const RATING: Q1Rating = { voltage: 230, current: 4, batteryVoltage: 24, frequency: 50 };

/** Company 15, model 10, version 10 characters. */
export const VENDOR = { company: 'UPSAGENT SIM', model: 'Q1-1000', version: 'V2.01' };

const f = (v: number, width: number, decimals: number): string => v.toFixed(decimals).padStart(width, '0');
const bit = (b: boolean): string => (b ? '1' : '0');

/** The Q1 reply line (without \r) for a state. */
export function q1Reply(s: Q1State): string {
  const bits = [s.utilityFail, s.batteryLow, s.bypassBoostBuck, s.upsFailed, s.lineInteractive, s.testing, s.shutdownActive, s.beeper].map(bit).join('');
  return `(${f(s.inputVoltage, 5, 1)} ${f(s.faultVoltage, 5, 1)} ${f(s.outputVoltage, 5, 1)} ${f(s.load, 3, 0)} ${f(s.frequency, 4, 1)} ${s.batteryVoltage < 10 ? s.batteryVoltage.toFixed(2) : f(s.batteryVoltage, 4, 1)} ${f(s.temperature, 4, 1)} ${bits}`;
}

export function fReply(r: Q1Rating): string {
  return `#${f(r.voltage, 5, 1)} ${f(r.current, 3, 0)} ${f(r.batteryVoltage, 5, 1)} ${f(r.frequency, 4, 1)}`;
}

export function iReply(v = VENDOR): string {
  return `#${v.company.padEnd(15)} ${v.model.padEnd(10)} ${v.version.padEnd(10)}`;
}

export interface Q1SimulatorOptions {
  state?: Q1State;
  rating?: Q1Rating | null;
  vendor?: typeof VENDOR | null;
  /** Reply to every command it carries out with this line (`ACK`, mecer's `(ACK`) instead of nothing. */
  ack?: string;
  /** The status query it answers (`Q1`; megatec/old units `D`, mustek `QS`); others are echoed. */
  statusCommand?: string;
  /** The vendor query it answers (`I`; zinto `FW?`). */
  vendorCommand?: string;
}

export class Q1Simulator extends LineSimulator {
  state: Q1State;
  rating: Q1Rating | null;
  vendor: typeof VENDOR | null;
  ack: string | null;
  readonly statusCommand: string;
  readonly vendorCommand: string;

  /** `override` replies (garbage, truncated...) are sent exactly as given. */
  constructor(path: string, opts: Q1SimulatorOptions = {}) {
    super(path);
    this.state = { ...(opts.state ?? ONLINE) };
    this.rating = opts.rating === undefined ? RATING : opts.rating;
    this.vendor = opts.vendor === undefined ? VENDOR : opts.vendor;
    this.ack = opts.ack ?? null;
    this.statusCommand = opts.statusCommand ?? 'Q1';
    this.vendorCommand = opts.vendorCommand ?? 'I';
  }

  set(state: Partial<Q1State>): void {
    this.state = { ...this.state, ...state };
  }

  /** Commands received that are not the polls (Q1, F, I) a driver sends all the time. */
  actions(): string[] {
    const polls = [this.statusCommand, 'F', this.vendorCommand].map((c) => `${c}\r`);
    return this.received.filter((c) => !polls.includes(c));
  }

  /** The bytes a Megatec unit sends back to `cmd` (without its \r), or null for nothing. */
  protected reply(cmd: string): string | null {
    const o = this.override.get(cmd);
    if (o !== undefined) return o;
    const done = this.ack !== null ? `${this.ack}\r` : null;
    if (cmd === this.statusCommand) return `${q1Reply(this.state)}\r`;
    if (cmd === 'F' && this.rating) return `${fReply(this.rating)}\r`;
    if (cmd === this.vendorCommand && this.vendor) return `${iReply(this.vendor)}\r`;
    if (cmd === 'Q') {
      this.state.beeper = !this.state.beeper;
      return done;
    }
    if (cmd === 'T' || cmd === 'TL' || /^T\d\d$/.test(cmd)) {
      this.state.testing = true;
      return done;
    }
    if (cmd === 'CT') {
      this.state.testing = false;
      return done;
    }
    if (cmd === 'C') {
      this.state.shutdownActive = false;
      return done;
    }
    if (/^S(\.\d|\d\d)(R\d{4})?$/.test(cmd)) {
      this.state.shutdownActive = true;
      return done;
    }
    // What a Megatec unit does not know, it sends back.
    return `${cmd}\r`;
  }
}
