/**
 * upsd's set_var_check_val(): whether a new value is acceptable for a
 * variable, checked in upsd's order. Shared by the NUT server and the HTTP
 * API so both refuse the same values with the same NUT error code.
 */
import type { RequestFailure } from './errors';
import type { VarInfo } from './state';

/** C's atoi(): optional blanks and sign, then digits; anything else reads 0. */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? parseInt(m[1]!, 10) : 0;
}

/**
 * The NUT error for setting `v` to `value`, or null when the value may go to
 * the driver. `sameEnum` says whether an enum entry matches the value: the NUT
 * server compares the raw wire text with the escaped entry, as upsd does.
 */
export function setValueProblem(
  v: VarInfo | undefined,
  value: string,
  sameEnum: (entry: string, value: string) => boolean = (e, x) => e === x,
): RequestFailure | null {
  if (!v) return 'VAR-NOT-SUPPORTED';
  if (!v.flags.rw) return 'READONLY';
  if (v.flags.string) {
    // A STRING variable without a size is the driver's mistake; upsd refuses to guess.
    if (v.maxLength < 1) return 'SET-FAILED';
    if (v.maxLength < value.length) return 'TOO-LONG';
  }
  if (v.enums.length && !v.enums.some((e) => sameEnum(e, value))) return 'INVALID-VALUE';
  if (v.ranges.length) {
    const n = atoi(value);
    if (!v.ranges.some(([lo, hi]) => n >= lo && n <= hi)) return 'INVALID-VALUE';
  }
  return null;
}
