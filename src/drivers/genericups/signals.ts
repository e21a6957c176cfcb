/**
 * genericups' line logic, without I/O: the override options (CP, OL, LB,
 * RB, BYPASS, SD), the status a set of input lines means, and the shutdown
 * signal to send.
 *
 * Overrides take NUT's values: line names joined by anything (`DTR+RTS`,
 * `RTS DTR`), a leading `-` for a line that must be low (`-CTS`), and
 * `none` / `NULL` to disable the signal. NUT looks the names up as
 * substrings (a typo silently disables a signal); here each word must be a
 * line name, and a misspelt one is a configuration error, as NUT's own
 * comment asks of new code. Names are matched without regard to case.
 */
import { IN_LINES, NONE, OUT_LINES, type CableType, type InLine, type InputSignal, type OutLine, type ShutdownSignal } from './cables';

/** Status inputs, in the order NUT adds them to ups.status (LB first, then OL/OB, RB, BYPASS). */
export const INPUT_OPTIONS = ['OL', 'LB', 'RB', 'BYPASS'] as const;
export type InputOption = (typeof INPUT_OPTIONS)[number];
export const OUTPUT_OPTIONS = ['CP', 'SD'] as const;
export type OutputOption = (typeof OUTPUT_OPTIONS)[number];

/** How long NUT's BREAK lasts: tcsendbreak(fd, 4901) on Linux is TCSBRKP of (4901+99)/100 = 50 tenths of a second. */
export const BREAK_MS = 5000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const DISABLE = new Set(['none', 'null']);

function words(text: string): string[] {
  return text.split(/[\s+,|&/]+/).filter((w) => w !== '');
}

/** `NULL` in YAML arrives as null: the same as NUT's NULL (disabled). */
function asText(value: string | null): string {
  return value === null ? 'NULL' : value;
}

/** An output override (CP, SD): the lines to raise. `ST` is a BREAK. */
export function parseOutputLines(value: string | null): Parsed<OutLine[]> {
  const ws = words(asText(value));
  if (ws.length === 0) return { ok: false, message: 'names no line; give DTR, RTS or ST (joined with +, a leading - for low), or none' };
  if (ws.some((w) => DISABLE.has(w.toLowerCase()))) {
    return ws.length === 1 ? { ok: true, value: [] } : { ok: false, message: `${ws.join(' ')}: none/NULL disables the signal and takes no other line` };
  }
  const high: OutLine[] = [];
  const seen = new Set<string>();
  for (const w of ws) {
    const low = w.startsWith('-');
    const name = (low ? w.slice(1) : w).toUpperCase();
    if ((IN_LINES as readonly string[]).includes(name)) return { ok: false, message: `${name} is not an output (the UPS drives it); outputs are DTR, RTS and ST` };
    if (!(OUT_LINES as readonly string[]).includes(name)) return { ok: false, message: `${JSON.stringify(w)} is not a line; outputs are DTR, RTS and ST` };
    if (seen.has(name)) return { ok: false, message: `${name} is named twice` };
    seen.add(name);
    if (!low) high.push(name as OutLine);
  }
  return { ok: true, value: OUT_LINES.filter((l) => high.includes(l)) };
}

/** An input override (OL, LB, RB, BYPASS): the lines watched and the level each must have. */
export function parseInputSignal(value: string | null): Parsed<InputSignal> {
  const ws = words(asText(value));
  if (ws.length === 0) return { ok: false, message: 'names no line; give CTS, DCD, RNG or DSR (a leading - for active low), or none' };
  if (ws.some((w) => DISABLE.has(w.toLowerCase()))) {
    return ws.length === 1 ? { ok: true, value: NONE } : { ok: false, message: `${ws.join(' ')}: none/NULL disables the signal and takes no other line` };
  }
  const lines: InLine[] = [];
  const high: InLine[] = [];
  for (const w of ws) {
    const low = w.startsWith('-');
    const name = (low ? w.slice(1) : w).toUpperCase();
    if ((OUT_LINES as readonly string[]).includes(name)) return { ok: false, message: `${name} is not an input (the host drives it); inputs are CTS, DCD, RNG and DSR` };
    if (!(IN_LINES as readonly string[]).includes(name)) return { ok: false, message: `${JSON.stringify(w)} is not a line; inputs are CTS, DCD, RNG and DSR` };
    if (lines.includes(name as InLine)) return { ok: false, message: `${name} is named twice` };
    lines.push(name as InLine);
    if (!low) high.push(name as InLine);
  }
  return { ok: true, value: { lines: IN_LINES.filter((l) => lines.includes(l)), high: IN_LINES.filter((l) => high.includes(l)) } };
}

export type Overrides = Partial<Record<InputOption | OutputOption, string | null>>;

/** The cable as the overrides make it (NUT rewrites its upstab entry the same way). Throws on a value parse rejects (the config check reports those first). */
export function applyOverrides(cable: CableType, o: Overrides): CableType {
  const input = (key: InputOption, dflt: InputSignal): InputSignal => {
    const v = o[key];
    if (v === undefined) return dflt;
    const r = parseInputSignal(v);
    if (!r.ok) throw new Error(`${key}: ${r.message}`);
    return r.value;
  };
  const output = (key: OutputOption): OutLine[] | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    const r = parseOutputLines(v);
    if (!r.ok) throw new Error(`${key}: ${r.message}`);
    return r.value;
  };
  return {
    ...cable,
    power: output('CP') ?? cable.power,
    // Any SD override gives a shutdown, even for a model NUT knows none for.
    shutdown: output('SD') ?? cable.shutdown,
    ol: input('OL', cable.ol),
    lb: input('LB', cable.lb),
    rb: input('RB', cable.rb),
    bypass: input('BYPASS', cable.bypass),
  };
}

/** Input lines as read; RNG is null where the port cannot report the ring indicator. */
export interface LineLevels {
  CTS: boolean;
  DCD: boolean;
  RNG: boolean | null;
  DSR: boolean;
}

/** Every watched line at its level (NUT: `(flags & line) == val`); true for a signal that watches nothing. */
export function holds(signal: InputSignal, levels: LineLevels): boolean {
  return signal.lines.every((l) => (levels[l] === true) === signal.high.includes(l));
}

/** The statuses whose signals read `line`. */
export function statusesReading(cable: CableType, line: InLine): InputOption[] {
  return INPUT_OPTIONS.filter((k) => signalOf(cable, k).lines.includes(line));
}

export function signalOf(cable: CableType, key: InputOption): InputSignal {
  return key === 'OL' ? cable.ol : key === 'LB' ? cable.lb : key === 'RB' ? cable.rb : cable.bypass;
}

/**
 * ups.status as genericups builds it: `LB` if low battery, `OL` or `OB`,
 * then `RB`, then `BYPASS`. OL with no line is always on line; the others
 * with no line never hold.
 */
export function statusOf(cable: CableType, levels: LineLevels): string {
  const parts: string[] = [];
  if (cable.lb.lines.length > 0 && holds(cable.lb, levels)) parts.push('LB');
  parts.push(holds(cable.ol, levels) ? 'OL' : 'OB');
  if (cable.rb.lines.length > 0 && holds(cable.rb, levels)) parts.push('RB');
  if (cable.bypass.lines.length > 0 && holds(cable.bypass, levels)) parts.push('BYPASS');
  return parts.join(' ');
}

/** The output lines as a set of levels (ST is no modem line: TIOCMSET ignores it, so it raises nothing). */
export function outputLevels(lines: readonly OutLine[]): { dtr: boolean; rts: boolean } {
  return { dtr: lines.includes('DTR'), rts: lines.includes('RTS') };
}

/**
 * What upsdrv_shutdown does for a shutdown signal: nothing (`unknown`), a
 * BREAK of BREAK_MS (SD is ST alone), or set exactly these lines and hold
 * them `sdtime` seconds (an empty set drops every line).
 */
export type ShutdownPlan = { kind: 'unknown' } | { kind: 'break'; ms: number } | { kind: 'lines'; dtr: boolean; rts: boolean; holdMs: number };

export function shutdownPlan(signal: ShutdownSignal, sdtimeSeconds: number | undefined): ShutdownPlan {
  if (signal === 'unknown') return { kind: 'unknown' };
  if (signal.length === 1 && signal[0] === 'ST') return { kind: 'break', ms: BREAK_MS };
  return { kind: 'lines', ...outputLevels(signal), holdMs: Math.max(0, sdtimeSeconds ?? 0) * 1000 };
}

/** `DTR+RTS`, `none`: lines as the man page writes them. */
export function describeOutputs(lines: ShutdownSignal): string {
  if (lines === 'unknown') return 'unknown';
  return lines.length === 0 ? 'none' : lines.join('+');
}

/** `-CTS`, `DCD`, `none`. */
export function describeInput(signal: InputSignal): string {
  return signal.lines.length === 0 ? 'none' : signal.lines.map((l) => (signal.high.includes(l) ? l : `-${l}`)).join('+');
}
