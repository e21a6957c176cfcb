/**
 * The contact-closure cables NUT's genericups knows (drivers/genericups.h,
 * upstab[], identical in NUT 2.8.0 and later), as data: for each `upstype`
 * the names it publishes, the lines that power the cable, the line (and
 * level) that carries each status, and how the UPS is told to shut down.
 *
 * A status is read as NUT reads it: the condition holds when every line it
 * watches is at the level given (NUT: `(flags & line) == val`). OL with no
 * line is always on line; LB, RB and BYPASS with no line never hold.
 */

/** Lines the host drives. ST is a BREAK on the transmit line (NUT TIOCM_ST). */
export type OutLine = 'DTR' | 'RTS' | 'ST';
/** Lines the host reads, with NUT's names (DCD is NUT's TIOCM_CD, RNG the ring indicator). */
export type InLine = 'CTS' | 'DCD' | 'RNG' | 'DSR';

export const OUT_LINES: readonly OutLine[] = ['DTR', 'RTS', 'ST'];
export const IN_LINES: readonly InLine[] = ['CTS', 'DCD', 'RNG', 'DSR'];

/** One status input: the lines watched, and the ones of them that must be high (the others must be low). */
export interface InputSignal {
  readonly lines: readonly InLine[];
  readonly high: readonly InLine[];
}

/**
 * How the UPS is told to shut down (NUT line_sd): set exactly these output
 * lines (an empty list drops every line: the cable loses its power), send a
 * BREAK (`['ST']` alone), or `unknown` (NUT -1: no shutdown for this model).
 */
export type ShutdownSignal = readonly OutLine[] | 'unknown';

export interface CableType {
  readonly type: number;
  /** ups.mfr / device.mfr unless `mfr` overrides it. */
  readonly mfr: string;
  /** ups.model / device.model unless `model` overrides it. */
  readonly model: string;
  /** What NUT's `genericups -h` lists. */
  readonly desc: string;
  /** Cable power (NUT line_norm): the output lines set at open. */
  readonly power: readonly OutLine[];
  readonly ol: InputSignal;
  readonly lb: InputSignal;
  readonly rb: InputSignal;
  readonly bypass: InputSignal;
  readonly shutdown: ShutdownSignal;
}

/** The condition holds when the line is high. */
const on = (line: InLine): InputSignal => ({ lines: [line], high: [line] });
/** The condition holds when the line is low. */
const off = (line: InLine): InputSignal => ({ lines: [line], high: [] });
/** Not wired: OL always holds, the others never. */
export const NONE: InputSignal = { lines: [], high: [] };

type Row = Omit<CableType, 'type' | 'rb' | 'bypass'> & { rb?: InputSignal; bypass?: InputSignal };

/** NUT's upstab, in its order: the index is the upstype. */
const ROWS: readonly Row[] = [
  /* 0 */ { mfr: 'UPSONIC', model: 'LAN Saver 600', desc: 'UPSONIC LAN Saver 600', power: ['DTR', 'RTS'], ol: off('CTS'), lb: on('DCD'), shutdown: ['RTS'] },
  /* 1 */ { mfr: 'APC', model: 'Back-UPS', desc: 'APC Back-UPS (940-0095A/C cable)', power: ['DTR'], ol: off('RNG'), lb: on('DCD'), shutdown: ['RTS'] },
  /* 2 */ { mfr: 'APC', model: 'Back-UPS', desc: 'APC Back-UPS (940-0020B/C cable)', power: ['RTS'], ol: off('CTS'), lb: on('DCD'), shutdown: ['DTR', 'RTS'] },
  /* 3 */ { mfr: 'PowerTech', model: 'Comp1000', desc: 'PowerTech Comp1000 with DTR as cable power', power: ['DTR'], ol: off('CTS'), lb: on('DCD'), shutdown: ['DTR', 'RTS'] },
  /* 4 */ { mfr: 'Generic', model: 'Generic RUPS model', desc: 'Generic RUPS model', power: ['RTS'], ol: on('CTS'), lb: off('DCD'), shutdown: [] },
  /* 5 */ {
    mfr: 'TrippLite',
    model: 'Internet Office Series',
    desc: 'Tripp Lite UPS with Lan2.2 interface (black 73-0844 cable)',
    power: ['DTR'],
    ol: on('CTS'),
    lb: off('DCD'),
    shutdown: ['DTR', 'RTS'],
  },
  /* 6 */ { mfr: 'Best', model: 'Patriot', desc: 'Best Patriot (INT51 cable)', power: ['DTR'], ol: on('CTS'), lb: off('DCD'), shutdown: ['RTS'] },
  /* 7 */ { mfr: 'CyberPower', model: 'Power99', desc: 'CyberPower Power99', power: ['RTS'], ol: on('CTS'), lb: off('DCD'), shutdown: ['DTR'] },
  /* 8 */ { mfr: 'Nitram', model: 'Elite UPS', desc: 'Nitram Elite 500', power: ['DTR'], ol: on('CTS'), lb: off('DCD'), shutdown: 'unknown' },
  /* 9 */ { mfr: 'APC', model: 'Back-UPS', desc: 'APC Back-UPS (940-0023A cable)', power: [], ol: off('DCD'), lb: on('CTS'), shutdown: ['RTS'] },
  /* 10 */ { mfr: 'Victron', model: 'Lite', desc: 'Victron Lite (crack cable)', power: ['RTS'], ol: on('CTS'), lb: off('DCD'), shutdown: ['DTR'] },
  /* 11 */ { mfr: 'Powerware', model: '3115', desc: 'Powerware 3115', power: ['DTR'], ol: off('CTS'), lb: off('DCD'), shutdown: ['ST'] },
  /* 12 */ { mfr: 'APC', model: 'Back-UPS Office', desc: 'APC Back-UPS Office (940-0119A cable)', power: ['RTS'], ol: off('CTS'), lb: on('DCD'), shutdown: ['DTR'] },
  /* 13 */ { mfr: 'RPT', model: 'Repoteck', desc: 'Repoteck RPT-800A, RPT-162A', power: ['DTR', 'RTS'], ol: on('DCD'), lb: off('CTS'), shutdown: ['ST'] },
  /* 14 */ { mfr: 'Online', model: 'P250, P500, P750, P1250', desc: 'Online P-series', power: ['DTR'], ol: on('DCD'), lb: off('CTS'), shutdown: ['RTS'] },
  /* 15 */ { mfr: 'Powerware', model: '5119', desc: 'Powerware 5119', power: ['DTR'], ol: on('CTS'), lb: off('DCD'), shutdown: ['ST'] },
  /* 16 */ { mfr: 'Nitram', model: 'Elite UPS', desc: 'Nitram Elite 2002', power: ['DTR', 'RTS'], ol: on('CTS'), lb: off('DCD'), shutdown: 'unknown' },
  /* 17 */ { mfr: 'PowerKinetics', model: '9001', desc: 'PowerKinetics 9001', power: ['DTR'], ol: on('CTS'), lb: off('DCD'), shutdown: 'unknown' },
  /* 18 */ { mfr: 'TrippLite', model: 'Omni 450LAN', desc: "TrippLite UPS with Martin's cabling", power: ['DTR'], ol: on('CTS'), lb: on('DCD'), shutdown: 'unknown' },
  /* 19 */ { mfr: 'Fideltronik', model: 'Ares Series', desc: 'Fideltronik Ares Series', power: ['DTR'], ol: on('CTS'), lb: off('DCD'), shutdown: ['RTS'] },
  /* 20 */ { mfr: 'Powerware', model: '5119 RM', desc: 'Powerware 5119 RM', power: ['DTR'], ol: off('CTS'), lb: on('DCD'), shutdown: ['ST'] },
  /* 21 */ {
    mfr: 'Generic',
    model: 'Generic RUPS 2000',
    desc: 'Generic RUPS 2000 (Megatec M2501 cable)',
    power: ['RTS'],
    ol: on('CTS'),
    lb: off('DCD'),
    shutdown: ['DTR', 'RTS'],
  },
  /* 22 */ {
    mfr: 'Gamatronic Electronic Industries',
    model: 'Generic Alarm UPS',
    desc: 'Gamatronic UPSs with alarm interface',
    power: ['RTS'],
    ol: on('CTS'),
    lb: off('DCD'),
    shutdown: ['DTR'],
  },
  /* 23 */ {
    mfr: 'Generic',
    model: 'Generic FTTx Battery Backup',
    desc: 'FTTx (Fiber to the x) battery backup with 4-wire telemetry interface',
    power: ['RTS'],
    ol: on('CTS'),
    lb: off('DCD'),
    rb: off('RNG'),
    bypass: off('DSR'),
    shutdown: [],
  },
];

export const CABLES: readonly CableType[] = ROWS.map((r, type) => ({ ...r, type, rb: r.rb ?? NONE, bypass: r.bypass ?? NONE }));

export const MAX_UPSTYPE = CABLES.length - 1;

export function cableType(type: number): CableType | undefined {
  return Number.isInteger(type) ? CABLES[type] : undefined;
}

/** `0: UPSONIC LAN Saver 600`..., as `genericups -h` lists them. */
export function listTypes(): string[] {
  return CABLES.map((c) => `${c.type}: ${c.desc}`);
}
