/**
 * A Voltronic Power "QS" UPS of our own, on the peer end of a pty pair
 * (./pty-pair.ts), in either dialect of NUT's nutdrv_qx:
 *  - `text` (protocol voltronic-qs): `M` -> `V`, `QS` in the Q1 layout
 *    (built with the Megatec simulator's q1Reply), `F` output ratings,
 *    optionally `QI`;
 *  - `hex` (protocol voltronic-qs-hex): `M` -> `P` or `T`, `QS` as raw
 *    bytes with `(`-escapes, built from voltages, frequency, load and bits.
 * Commands are acted on silently (these units send nothing back); what it
 * does not know it echoes. Every command received is recorded.
 */
import { LineSimulator } from './line-simulator';
import { fReply, ONLINE, q1Reply, type Q1State } from './q1-simulator';

export interface HexState {
  /** The two bytes a, b of each voltage (value = (a*b/51 integer)/256): kept raw, as the unit sends them. */
  inputVoltage: [number, number];
  outputVoltage: [number, number];
  load: number;
  /** Frequency = b / a. */
  frequency: [number, number];
  /** Battery = a * b / 510. */
  battery: [number, number];
  /** The 8 Megatec status bits, b7 (utility fail) first. */
  bits: number;
  /** T units: the rating bits byte (frequency, battery, reserved, output voltage). */
  ratings: number;
}

/** NUT's testing reply: 112.2 V in and out, load 3, 59.8 Hz, 13.53 V, line-interactive, beeper on. */
export const HEX_ONLINE: HexState = { inputVoltage: [0x6c01, 0x35], outputVoltage: [0x6c01, 0x35], load: 3, frequency: [0x519a, 0x1312d0], battery: [0xe6, 0x1e], bits: 0b00001001, ratings: 0b00000010 };
export const HEX_ON_BATTERY: HexState = { ...HEX_ONLINE, inputVoltage: [0x0101, 0x01], battery: [0xd0, 0x1e], bits: 0b10001001 };
export const HEX_LOW_BATTERY: HexState = { ...HEX_ON_BATTERY, battery: [0xb4, 0x1e], bits: 0b11001001 };

const ESCAPES: Record<number, number> = { 0x0d: 0, 0x11: 1, 0x13: 2, 0x0a: 3, 0x20: 4 };

/** Big-endian bytes of `n` (at least one), each escaped as the unit does. */
function field(n: number, minBytes = 1): string {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  while (bytes.length < minBytes) bytes.unshift(0);
  return bytes.map((b) => (ESCAPES[b] !== undefined ? `(${String.fromCharCode(ESCAPES[b])}` : String.fromCharCode(b))).join('');
}

/** The raw QS reply of a hex unit (without \r). */
export function hexQsReply(s: HexState, tUnit: boolean): string {
  const parts = [
    field(s.inputVoltage[0], 2),
    field(s.inputVoltage[1]),
    field(s.outputVoltage[0], 2),
    field(s.outputVoltage[1]),
    field(s.load),
    field(s.frequency[0], 2),
    field(s.frequency[1], 3),
    field(s.battery[0]),
    field(s.battery[1]),
    field(s.bits),
  ];
  if (tUnit) parts.push(field(s.ratings));
  return `#${parts.join(' ')}`;
}

export interface QsSimulatorOptions {
  dialect: 'text' | 'hex';
  /** The M letter: V (or H) for text, P or T for hex. */
  letter?: string;
  /** Text units: answer QI (newer NUT asks it). */
  qi?: boolean;
}

export class VoltronicQsSimulator extends LineSimulator {
  text: Q1State = { ...ONLINE };
  hex: HexState = { ...HEX_ONLINE };
  readonly letter: string;

  constructor(
    path: string,
    readonly opts: QsSimulatorOptions,
  ) {
    super(path);
    this.letter = opts.letter ?? (opts.dialect === 'text' ? 'V' : 'P');
  }

  /** Commands received that are not the polls. */
  actions(): string[] {
    return this.received.filter((c) => !['M\r', 'QS\r', 'F\r', 'QI\r'].includes(c));
  }

  protected reply(cmd: string): string | null {
    const r = this.answer(cmd);
    return r === null ? null : `${r}\r`;
  }

  private answer(cmd: string): string | null {
    if (cmd === 'M') return this.letter;
    if (cmd === 'QS') return this.opts.dialect === 'text' ? q1Reply(this.text) : hexQsReply(this.hex, this.letter === 'T');
    if (this.opts.dialect === 'text' && cmd === 'F') return fReply({ voltage: 230, current: 2, batteryVoltage: 12, frequency: 50 });
    if (this.opts.dialect === 'text' && cmd === 'QI' && this.opts.qi) return '(100 00979 50.0 000.3 177 290 0 0000010000112000';
    if (['Q', 'C', 'T', 'S00R0000'].includes(cmd) || /^S(\.\d|\d\d)(R\d{4})?$/.test(cmd)) return null;
    return cmd;
  }
}
