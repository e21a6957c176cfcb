/**
 * What the server shows of one UPS, on top of the store's UpsView: the two
 * places where upsd does not show the driver's data as it is.
 *
 * - Between a driver connecting and its first full dump, upsd shows
 *   `ups.status` as `WAIT` (it writes WAIT into its tree before asking the
 *   driver for a dump). The other variables answer normally, and the UPS is
 *   not stale in that window. Our store says the same with `attached` and
 *   `dumpDone`.
 * - After FSD, `ups.status` reads `FSD <status>` in GET VAR and LIST VAR
 *   (not in LIST RW) until the agent restarts.
 */
import { compareNames, type UpsView, type VarInfo } from './state';

const NO_FLAGS = Object.freeze({ rw: false, string: false, number: false, immutable: false });

/** The driver is attached but has not finished its first dump. */
export function isWaiting(view: UpsView): boolean {
  return view.health.attached && !view.health.dumpDone;
}

function isStatus(name: string): boolean {
  return name.length === 10 && name.toLowerCase() === 'ups.status';
}

/** ups.status while waiting: the driver's own entry (flags and all) if it has one, else a bare one, as upsd makes. */
function waitStatus(own: VarInfo | undefined): VarInfo {
  return {
    name: own?.name ?? 'ups.status',
    value: 'WAIT',
    flags: own?.flags ?? NO_FLAGS,
    maxLength: own?.maxLength ?? 0,
    enums: own?.enums ?? [],
    ranges: own?.ranges ?? [],
  };
}

/** A variable as the server sees it (ups.status reads WAIT while waiting). */
export function findVar(view: UpsView, name: string): VarInfo | undefined {
  const v = view.getVar(name);
  if (isStatus(name) && isWaiting(view)) return waitStatus(v);
  return v;
}

/** The variables in upsd's order, with WAIT in place of ups.status while waiting. */
export function listVars(view: UpsView): readonly VarInfo[] {
  const vars = view.vars();
  if (!isWaiting(view)) return vars;
  const out: VarInfo[] = [];
  let placed = false;
  for (const v of vars) {
    if (!placed && isStatus(v.name)) {
      out.push(waitStatus(v));
      placed = true;
      continue;
    }
    if (!placed && compareNames(v.name, 'ups.status') > 0) {
      out.push(waitStatus(undefined));
      placed = true;
    }
    out.push(v);
  }
  if (!placed) out.push(waitStatus(undefined));
  return out;
}

/** The value GET VAR and LIST VAR send: ups.status gets the FSD prefix once FSD is latched. */
export function shownValue(view: UpsView, v: VarInfo): string {
  return view.fsd && isStatus(v.name) ? `FSD ${v.value}` : v.value;
}
