/**
 * UPSes and variables as JSON, from the store, showing what upsd shows
 * (WAIT before the first dump, the FSD prefix). Values NUT calls NUMBER that
 * read as numbers become JSON numbers, as PeaNUT gives them.
 */
import { describeCmd, describeVar } from '../protocol/descriptions';
import { findVar, listVars, shownValue } from '../core/served-view';
import type { UpsView, VarInfo } from '../core/state';

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** The value as a number, when NUT types it NUMBER and it reads as one. */
export function numericValue(v: VarInfo): number | null {
  if (v.flags.string || !NUMBER.test(v.value)) return null;
  const n = Number(v.value);
  return Number.isFinite(n) ? n : null;
}

/** The variable's words after `TYPE <ups> <var>` in upsd's reply, e.g. "RW ENUM STRING:20" or "NUMBER". */
export function typeWords(v: VarInfo): string {
  const words: string[] = [];
  if (v.flags.rw) words.push('RW');
  if (v.enums.length) words.push('ENUM');
  if (v.ranges.length) words.push('RANGE');
  words.push(v.flags.string ? `STRING:${v.maxLength}` : 'NUMBER');
  return words.join(' ');
}

/** A variable as the server shows it (ups.status reads WAIT while waiting, FSD-prefixed after FSD). */
export function shownVar(view: UpsView, name: string): VarInfo | undefined {
  const v = findVar(view, name);
  return v && { ...v, value: shownValue(view, v) };
}

export function shownVars(view: UpsView): VarInfo[] {
  return listVars(view).map((v) => ({ ...v, value: shownValue(view, v) }));
}

/** PeaNUT's shape: variable name -> value (number where NUT says NUMBER). */
export function varMap(view: UpsView): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const v of shownVars(view)) out[v.name] = numericValue(v) ?? v.value;
  return out;
}

export interface VarDetail {
  name: string;
  value: string | number;
  /** What upsd's GET TYPE says after the names, e.g. "RW NUMBER". */
  nutType: string;
  type: 'number' | 'string';
  writable: boolean;
  maxLength?: number;
  enum: string[];
  range: Array<{ min: number; max: number }>;
  description: string;
}

export function varDetail(v: VarInfo): VarDetail {
  const detail: VarDetail = {
    name: v.name,
    value: numericValue(v) ?? v.value,
    nutType: typeWords(v),
    type: v.flags.string ? 'string' : 'number',
    writable: v.flags.rw,
    enum: [...v.enums],
    range: v.ranges.map(([min, max]) => ({ min, max })),
    description: describeVar(v.name),
  };
  if (v.flags.string) detail.maxLength = v.maxLength;
  return detail;
}

export function commandDetail(name: string): { name: string; description: string } {
  return { name, description: describeCmd(name) };
}

/** upsd's ups_available(): the NUT error a read of this UPS gets, or null. */
export function unavailability(view: UpsView, maxAgeMs: number, now: number): 'DRIVER-NOT-CONNECTED' | 'DATA-STALE' | null {
  if (!view.health.attached) return 'DRIVER-NOT-CONNECTED';
  if (view.isStale(maxAgeMs, now)) return 'DATA-STALE';
  return null;
}

export interface UpsSummary {
  name: string;
  description: string;
  status: string;
  available: boolean;
  /** DRIVER-NOT-CONNECTED or DATA-STALE when not available. */
  problem: string | null;
  driverState: string;
  fsd: boolean;
  /** Seconds since the driver last said its data is fresh; null before the first time. */
  dataAgeS: number | null;
  /** NUT clients logged in to it (NUMLOGINS). */
  logins: number;
}

export function upsSummary(view: UpsView, maxAgeMs: number, now: number, logins: number): UpsSummary {
  const problem = unavailability(view, maxAgeMs, now);
  return {
    name: view.name,
    description: view.desc,
    status: shownVar(view, 'ups.status')?.value ?? '',
    available: problem === null,
    problem,
    driverState: view.health.driverState,
    fsd: view.fsd,
    dataAgeS: view.health.lastUpdate ? Math.max(0, (now - view.health.lastUpdate) / 1000) : null,
    logins,
  };
}
