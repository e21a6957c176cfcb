/**
 * A Voltronic Power UPS of our own (the QPI/QGS dialect of nutdrv_qx's
 * voltronic protocol), on the peer end of a pty pair (./pty-pair.ts). It
 * answers the queries from its state, acts on the commands and settings a
 * real unit acts on (answering `(ACK`), answers `(NAK` to what it does not
 * know or lacks, and records every command it receives. Tests switch its
 * state and may override single replies.
 *
 * Each reply goes out in one write, as a UPS sends a line.
 */
import { LineSimulator } from './line-simulator';

export interface VoltronicState {
  inputVoltage: number;
  inputFrequency: number;
  outputVoltage: number;
  outputFrequency: number;
  outputCurrent: number;
  load: number;
  batteryVoltage: number;
  temperature: number;
  /** QGS bits 63-64: 00 offline, 01 line-interactive, 10 online. */
  type: '00' | '01' | '10';
  utilityFail: boolean;
  batteryLow: boolean;
  bypassBoostBuck: boolean;
  fault: boolean;
  testing: boolean;
  shutdownActive: boolean;
  /** QGS bit 72 is 1 when the beeper is off. */
  beeperOn: boolean;
  /** QMOD letter. */
  mode: string;
  /** QBV. */
  batteryCharge: number;
  batteryRuntimeMinutes: number;
  batteryPacks: number;
  batteryNumber: number;
  /** 64 warning bits (QWS). */
  warnings: string;
  /** Fault code QFS reports (`OK` for none). */
  faultCode: string;
}

export const VOLTRONIC_ONLINE: VoltronicState = {
  inputVoltage: 231.4,
  inputFrequency: 50.0,
  outputVoltage: 229.9,
  outputFrequency: 50.0,
  outputCurrent: 1.2,
  load: 17,
  batteryVoltage: 27.3,
  temperature: 29.5,
  type: '10',
  utilityFail: false,
  batteryLow: false,
  bypassBoostBuck: false,
  fault: false,
  testing: false,
  shutdownActive: false,
  beeperOn: true,
  mode: 'L',
  batteryCharge: 100,
  batteryRuntimeMinutes: 46,
  batteryPacks: 1,
  batteryNumber: 2,
  warnings: '0'.repeat(64),
  faultCode: 'OK',
};

export const VOLTRONIC_ON_BATTERY: VoltronicState = {
  ...VOLTRONIC_ONLINE,
  inputVoltage: 0,
  inputFrequency: 0,
  utilityFail: true,
  mode: 'B',
  batteryVoltage: 25.1,
  batteryCharge: 81,
  batteryRuntimeMinutes: 38,
};

export const VOLTRONIC_LOW_BATTERY: VoltronicState = {
  ...VOLTRONIC_ON_BATTERY,
  batteryLow: true,
  batteryVoltage: 21.9,
  batteryCharge: 12,
  batteryRuntimeMinutes: 4,
  warnings: `${'0'.repeat(7)}1${'0'.repeat(56)}`,
};

const f = (v: number, width: number, decimals: number): string => v.toFixed(decimals).padStart(width, '0');
const bit = (b: boolean): string => (b ? '1' : '0');

/** The QGS reply (without \r) of a state. */
export function qgsReply(s: VoltronicState): string {
  const bits = `${s.type}${bit(s.utilityFail)}${bit(s.batteryLow)}${bit(s.bypassBoostBuck)}${bit(s.fault)}0${bit(s.testing)}${bit(s.shutdownActive)}${bit(!s.beeperOn)}00`;
  return `(${f(s.inputVoltage, 5, 1)} ${f(s.inputFrequency, 4, 1)} ${f(s.outputVoltage, 5, 1)} ${f(s.outputFrequency, 4, 1)} ${f(s.outputCurrent, 5, 1)} ${f(s.load, 3, 0)} 369.1 ---.- ${f(s.batteryVoltage, 5, 1)} ---.- ${f(s.temperature, 5, 1)} ${bits}`;
}

export interface VoltronicSimulatorOptions {
  state?: VoltronicState;
  /** QPI protocol number (1 -> `(PI01`). */
  protocol?: number;
  /** Capability letters enabled and disabled (QFLAG `(E<enabled>D<disabled>`). */
  enabled?: string;
  disabled?: string;
}

export class VoltronicSimulator extends LineSimulator {
  state: VoltronicState;
  protocol: number;
  enabled: string;
  disabled: string;
  batteryLow = 21;
  ecoHigh = 242;
  ecoLow = 218;
  ecoFreqHigh = 53;
  ecoFreqLow = 47;
  outletOn = [true, false, true, false];
  outletDelayMinutes = [8, 12, 0, 7];
  /** P31 units: QBT battery type (0 Li, 1 Flooded, 2 AGM). */
  batteryType = 1;

  /** `override` replies are sent as given, with one \r (added when missing). */
  constructor(path: string, opts: VoltronicSimulatorOptions = {}) {
    super(path);
    this.state = { ...(opts.state ?? VOLTRONIC_ONLINE) };
    this.protocol = opts.protocol ?? 1;
    this.enabled = opts.enabled ?? 'pshcj';
    this.disabled = opts.disabled ?? 'robegfl';
  }

  set(state: Partial<VoltronicState>): void {
    this.state = { ...this.state, ...state };
  }

  /** Commands received that change something (not the queries a driver polls with). */
  actions(): string[] {
    return this.received.filter((c) => !/^(Q|F\r|I\r|RE0\r)/.test(c));
  }

  protected reply(cmd: string): string | null {
    const r = this.answer(cmd);
    return r === null ? null : `${r}\r`;
  }

  private flag(letter: string, on: boolean): void {
    const drop = (s: string) => s.replace(letter, '');
    this.enabled = drop(this.enabled);
    this.disabled = drop(this.disabled);
    if (on) this.enabled += letter;
    else this.disabled += letter;
  }

  private has(letter: string): boolean {
    return this.enabled.includes(letter) || this.disabled.includes(letter);
  }

  /** The reply (without \r) a Voltronic unit gives to `cmd`, or null for none. */
  private answer(cmd: string): string | null {
    const o = this.override.get(cmd);
    if (o !== undefined) return o.replace(/\r$/, '');
    const s = this.state;
    const ACK = '(ACK';
    const NAK = '(NAK';
    const outlets = this.has('j');
    switch (cmd) {
      case 'QPI':
        return `(PI${String(this.protocol).padStart(2, '0')}`;
      case 'QGS':
        return qgsReply(s);
      case 'QRI':
        return '(230.0 004 024.0 50.0';
      case 'QMD':
        return '(#######OLHVT1K0 ###1000 80 1/1 230 230 02 12.0';
      case 'QMF':
        return '(#####VOLTRONIC';
      case 'QVFW':
        return '(VERFW:00322.02';
      case 'QID':
        return '(685653211455';
      case 'F':
        return '#230.0 004 024.0 50.0';
      case 'I':
        return NAK;
      case 'QMOD':
        return `(${s.mode}`;
      case 'QFS':
        return `(${s.faultCode}`;
      case 'QWS':
        return `(${s.warnings}`;
      case 'QBV':
        return `(${f(s.batteryVoltage, 5, 1)} ${f(s.batteryNumber, 2, 0)} ${f(s.batteryPacks, 2, 0)} ${f(s.batteryCharge, 3, 0)} ${f(s.batteryRuntimeMinutes, 3, 0)}`;
      case 'QLDL':
        return '(005 080';
      case 'QFLAG':
        return `(E${this.enabled}D${this.disabled}`;
      case 'QHE':
        return this.has('e') ? `(${this.ecoHigh} ${this.ecoLow}` : NAK;
      case 'QFRE':
        return this.has('e') ? `(${this.ecoFreqHigh.toFixed(1)} ${this.ecoFreqLow.toFixed(1)}` : NAK;
      case 'RE0':
        return `#${this.batteryLow}`;
      // Multi-phase units (P03 in, P09 two-phase, P10 three-phase): NUT's testing replies.
      case 'Q3PV':
        return [3, 9, 10].includes(this.protocol) ? '(123.4 456.4 789.4 012.4 323.4 223.4' : NAK;
      case 'Q3PC':
        return [3, 9, 10].includes(this.protocol) ? '(002 023 051' : NAK;
      case 'Q3OV':
        return [9, 10].includes(this.protocol) ? '(253.4 163.4 023.4 143.4 103.4 523.4' : NAK;
      case 'Q3OC':
        return [9, 10].includes(this.protocol) ? '(109 069 023' : NAK;
      case 'Q3LD':
        return [9, 10].includes(this.protocol) ? '(005 033 089' : NAK;
      case 'Q3YV':
        return this.protocol === 10 ? '(303.4 245.4 126.4 222.4 293.4 321.4' : this.protocol === 9 ? '(303.4 245.4 126.4' : NAK;
      case 'QBT':
        return this.protocol === 31 ? `(0${this.batteryType}` : NAK;
      case 'SOFF':
      case 'SON':
      case 'CS':
      case 'CT':
      case 'TL':
      case 'T':
        if (cmd === 'CS') s.shutdownActive = false;
        if (cmd === 'T' || cmd === 'TL') s.testing = true;
        if (cmd === 'CT') s.testing = false;
        return ACK;
      case 'BZOFF':
        s.beeperOn = false;
        return ACK;
      case 'BZON':
        s.beeperOn = true;
        return ACK;
      case 'PF':
        return ACK;
    }
    let m: RegExpExecArray | null;
    if ((m = /^QSK([1-4])$/.exec(cmd))) return outlets ? `(${this.outletOn[Number(m[1]) - 1] ? 1 : 0}` : NAK;
    if ((m = /^QSKT([1-4])$/.exec(cmd))) return outlets ? `(${f(this.outletDelayMinutes[Number(m[1]) - 1]!, 3, 0)}` : NAK;
    if ((m = /^SK(ON|OFF)([1-4])$/.exec(cmd))) {
      if (!outlets) return NAK;
      this.outletOn[Number(m[2]) - 1] = m[1] === 'ON';
      return ACK;
    }
    if ((m = /^PSK([1-4])(\d{3})$/.exec(cmd))) {
      this.outletDelayMinutes[Number(m[1]) - 1] = Number(m[2]);
      return ACK;
    }
    if ((m = /^P([ED])([A-Z])$/.exec(cmd))) {
      const letter = m[2]!.toLowerCase();
      if (!this.has(letter)) return NAK;
      this.flag(letter, m[1] === 'E');
      return ACK;
    }
    if ((m = /^PBT0([012])$/.exec(cmd)) && this.protocol === 31) {
      this.batteryType = Number(m[1]);
      return ACK;
    }
    if ((m = /^BATN([1-9])$/.exec(cmd))) {
      s.batteryNumber = Number(m[1]);
      return ACK;
    }
    if ((m = /^BATGN(\d\d)$/.exec(cmd))) {
      s.batteryPacks = Number(m[1]);
      return ACK;
    }
    if ((m = /^W0E(\d\d)$/.exec(cmd))) {
      this.batteryLow = Number(m[1]);
      return ACK;
    }
    if ((m = /^FRE([HL])(\d\d\.\d)$/.exec(cmd))) {
      if (m[1] === 'H') this.ecoFreqHigh = Number(m[2]);
      else this.ecoFreqLow = Number(m[2]);
      return ACK;
    }
    if ((m = /^HE([HL])(\d{3})$/.exec(cmd))) {
      if (m[1] === 'H') this.ecoHigh = Number(m[2]);
      else this.ecoLow = Number(m[2]);
      return ACK;
    }
    if (/^S(\.\d|\d\d)(R\d{4})?$/.test(cmd)) {
      s.shutdownActive = true;
      return ACK;
    }
    if (/^T(\.\d|\d\d)$/.test(cmd)) {
      s.testing = true;
      return ACK;
    }
    return NAK;
  }
}
