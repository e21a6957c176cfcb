/**
 * NUT's `ignorelb` driver flag, the same for every driver as NUT keeps it in
 * drivers/dstate.c (status_set drops the device's LB, status_commit appends
 * LB when battery.charge < battery.charge.low or battery.runtime <
 * battery.runtime.low, read as whole numbers the way strtol does).
 *
 * One deliberate difference: NUT's main.c refuses to start a driver with
 * ignorelb when neither pair of values exists. Refusing would leave the UPS
 * unserved, and a monitor would then see no LB at all; instead, while no
 * pair can be read, the device's own LB is kept (never miss a real low
 * battery) and the driver is told so, to log it.
 */

/** Reads the value a driver publishes under a NUT name. */
export type Lookup = (name: string) => string | undefined;

export interface IgnoreLbResult {
  words: string[];
  /** False when no charge/low or runtime/low pair was there, so the device's LB was kept. */
  applied: boolean;
}

const PAIRS = [
  ['battery.charge', 'battery.charge.low'],
  ['battery.runtime', 'battery.runtime.low'],
] as const;

/** strtol(v, NULL, 10): leading blanks, a sign, digits; anything else stops it (no digits = 0). */
function strtol(v: string): number {
  const m = /^\s*([+-]?\d+)/.exec(v);
  return m ? parseInt(m[1]!, 10) : 0;
}

/** ups.status words under ignorelb (see the file comment). */
export function applyIgnoreLb(words: readonly string[], get: Lookup): IgnoreLbResult {
  const present = PAIRS.filter(([v, low]) => get(v) !== undefined && get(low) !== undefined);
  if (present.length === 0) return { words: [...words], applied: false };
  const kept = words.filter((w) => w.toUpperCase() !== 'LB');
  const low = present.some(([v, l]) => strtol(get(v)!) < strtol(get(l)!));
  return { words: low ? [...kept, 'LB'] : kept, applied: true };
}

/** The message a driver logs (once per connection) when ignorelb cannot be applied. */
export const IGNORELB_UNUSABLE =
  "ignorelb is set, but neither battery.charge with battery.charge.low nor battery.runtime with battery.runtime.low is available: the UPS's own LB is used instead";
