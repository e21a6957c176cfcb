/** The genericups driver's keys in a `ups:` entry, with NUT genericups' names and meanings. */
import type { DriverSchema, UpsConfig } from '../../core/config';
import type { ConfigIssue } from '../../core/errors';
import { num, optional, str, type ObjectOf, type Schema } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';
import { CABLES, MAX_UPSTYPE, cableType } from './cables';
import { PROC_RING_PORT } from './ring';
import { INPUT_OPTIONS, applyOverrides, parseInputSignal, parseOutputLines, statusesReading, type Overrides, type Parsed } from './signals';

/** upstype: a whole number 0..23, written as a number or as text (`upstype: "1"`, as in ups.conf). */
const upstypeSchema: Schema<number> = {
  expected: `a UPS type from 0 to ${MAX_UPSTYPE}`,
  optional: true,
  check(v, path, issues) {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || cableType(n) === undefined) {
      issues.push({ path, message: `${JSON.stringify(v)} is not a UPS type from 0 to ${MAX_UPSTYPE} (see config.example.yaml or NUT's genericups(8) for the list)` });
      return undefined;
    }
    return n;
  },
};

/** A line override: text (or YAML's null for NULL), checked as genericups would use it. */
function lineSchema(kind: 'input' | 'output'): Schema<string | null> {
  const parse = (t: string | null): Parsed<unknown> => (kind === 'input' ? parseInputSignal(t) : parseOutputLines(t));
  return {
    expected: kind === 'input' ? 'input lines: CTS, DCD, RNG, DSR (- for active low), or none' : 'output lines: DTR, RTS, ST, or none',
    optional: true,
    check(v, path, issues) {
      if (v === undefined) return undefined;
      if (v !== null && typeof v !== 'string') {
        issues.push({ path, message: `${JSON.stringify(v)} is not ${this.expected}` });
        return undefined;
      }
      const r = parse(v);
      if (!r.ok) {
        issues.push({ path, message: r.message });
        return undefined;
      }
      return v;
    },
  };
}

export const GENERICUPS_OPTIONS = {
  /** Required: the cable / UPS type, 0..23, as NUT's genericups numbers them (see config.example.yaml). */
  upstype: upstypeSchema,
  /** ups.mfr / device.mfr instead of the type's manufacturer. */
  mfr: optional(str({ minLength: 1 })),
  /** ups.model / device.model instead of the type's model. */
  model: optional(str({ minLength: 1 })),
  /** ups.serial / device.serial (a contact-closure UPS cannot tell). Shared name with usbhid's `serial`, which is a match pattern there. */
  serial: optional(str({ minLength: 1 })),
  /** Seconds to hold the shutdown signal before the shutdown command returns (NUT sdtime; default 0). */
  sdtime: optional(num({ min: 0, max: 86_400, integer: true })),
  /** Override the cable power lines (NUT CP): e.g. `DTR`, `DTR+RTS`, `none`. */
  CP: lineSchema('output'),
  /** Override the on-line signal (NUT OL): e.g. `CTS` (on line while CTS is high), `-CTS` (while low), `none` (always on line). */
  OL: lineSchema('input'),
  /** Override the low-battery signal (NUT LB). */
  LB: lineSchema('input'),
  /** Override the replace-battery signal (NUT RB). */
  RB: lineSchema('input'),
  /** Override the battery-bypass signal (NUT BYPASS). */
  BYPASS: lineSchema('input'),
  /** Override the shutdown signal (NUT SD): lines to set, `ST` for a BREAK, `none` to drop every line. */
  SD: lineSchema('output'),
};

export type GenericUpsConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof GENERICUPS_OPTIONS>;

export function overridesOf(cfg: GenericUpsConfig): Overrides {
  const o: Overrides = {};
  for (const k of ['CP', 'OL', 'LB', 'RB', 'BYPASS', 'SD'] as const) if (cfg[k] !== undefined) o[k] = cfg[k];
  return o;
}

/**
 * The serial ports this agent opens (the serialport package) report CTS,
 * DSR and DCD but not the ring indicator. The kernel shows RI for built-in
 * ports (/dev/ttyS<N>, see ./ring.ts); a cable that signals a status on RNG
 * on any other port cannot work, and is refused here rather than read wrongly.
 */
export function ringIndicatorProblem(cfg: GenericUpsConfig): string | undefined {
  if (PROC_RING_PORT.test(cfg.port)) return undefined;
  const base = cfg.upstype === undefined ? undefined : cableType(cfg.upstype);
  if (!base) return undefined;
  let cable;
  try {
    cable = applyOverrides(base, overridesOf(cfg));
  } catch {
    return undefined;
  }
  const uses = statusesReading(cable, 'RNG');
  if (uses.length === 0) return undefined;
  const which = uses.join(' and ');
  return (
    `upstype ${base.type} (${base.desc}) reads ${which} from RNG (the ring indicator), which this agent can read only on a built-in serial port ` +
    `(/dev/ttyS<N>, through /proc/tty/driver/serial, as root): the serialport library reports CTS, DSR and DCD only, and USB adapters show no RI. ` +
    `Use such a port, or rewire ${which} to another line and set ${uses.map((u) => `${u}:`).join('/')} to it (or none)`
  );
}

export const genericupsSchema: DriverSchema = {
  name: 'genericups',
  options: GENERICUPS_OPTIONS,
  check(ucfg, path, issues: ConfigIssue[]) {
    const cfg = ucfg as GenericUpsConfig;
    if (cfg.upstype === undefined) {
      // NUT stops with "No upstype set"; so does the config check, listing the types.
      issues.push({ path: `${path}.upstype`, message: `genericups needs upstype, one of: ${CABLES.map((c) => `${c.type} (${c.desc})`).join(', ')}` });
      return;
    }
    const problem = ringIndicatorProblem(cfg);
    if (problem) {
      const key = INPUT_OPTIONS.find((k) => cfg[k] !== undefined && statusesReading(applyOverrides(cableType(cfg.upstype!)!, overridesOf(cfg)), 'RNG').includes(k));
      issues.push({ path: `${path}.${key ?? 'upstype'}`, message: problem });
    }
  },
  portIsFile: () => false,
};
