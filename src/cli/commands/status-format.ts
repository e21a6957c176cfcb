/**
 * Turns a UPS's NUT variables into the summary `upsagent status` prints:
 * the state in words, charge, runtime, load, input voltage, model, and
 * whether the data can be trusted. Pure functions, so they are tested alone.
 */
import { DRIVER_ERROR_VAR, DRIVER_STATE_VAR } from '../../core/health-vars';

/** One UPS as `status --json` reports it. Every key is always present (null when unknown). */
export interface UpsSummary {
  name: string;
  description: string | null;
  /** False when the server had no data to give (stale, driver gone, error). */
  available: boolean;
  /** upsd said DATA-STALE: the driver has not updated in MAXAGE seconds. */
  stale: boolean;
  /**
   * False when upsd said DRIVER-NOT-CONNECTED. NUT's meaning: the driver is
   * attached to the server, not that the device answers (see `reason`).
   */
  driverConnected: boolean;
  /** Why there is no data, in NUT's words (e.g. "Data stale"), else null. */
  error: string | null;
  /**
   * What the agent's driver says is wrong with the device (its
   * upsagent.driver.error), e.g. "auto: no UPS matching the configuration
   * among 0 HID device(s)"; also set while the UPS still has data but a
   * poll failed. Null when nothing is wrong, or from a server that does
   * not say (NUT's upsd).
   */
  reason: string | null;
  /** NUT 2.8's driver.state (init.device, reconnect.trying, quiet, ...), when the server gives it. */
  driverState: string | null;
  status: {
    /** ups.status as sent, e.g. "OB LB". */
    raw: string | null;
    flags: string[];
    /** In words, e.g. "On battery, LOW BATTERY". */
    text: string;
  };
  battery: { chargePercent: number | null; runtimeSeconds: number | null };
  loadPercent: number | null;
  inputVoltage: number | null;
  model: string | null;
}

export interface StatusDocument {
  server: { host: string; port: number };
  /** Set when the server could not be asked at all. */
  error: string | null;
  upses: UpsSummary[];
}

/** Words for NUT's ups.status flags (docs/new-drivers.txt); unknown flags are shown as they are. */
const FLAG_WORDS: Readonly<Record<string, string>> = {
  FSD: 'forced shutdown',
  OL: 'on line power',
  OB: 'on battery',
  LB: 'LOW BATTERY',
  HB: 'high battery',
  RB: 'replace battery',
  CHRG: 'charging',
  DISCHRG: 'discharging',
  BYPASS: 'on bypass',
  CAL: 'calibrating',
  OFF: 'output off',
  OVER: 'overloaded',
  TRIM: 'trimming high input voltage',
  BOOST: 'boosting low input voltage',
  ALARM: 'alarm',
  ECO: 'eco mode',
  TEST: 'testing',
  WAIT: 'waiting for the driver',
};

/** The flags that matter most come first, whatever order the driver sent them in. */
const LEAD = ['FSD', 'OL', 'OB', 'LB'];

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** "OB LB" -> "On battery, LOW BATTERY"; "OL CHRG" -> "On line power, charging". */
export function describeStatus(status: string): string {
  const flags = status.split(/\s+/).filter(Boolean);
  if (flags.length === 0) return 'Unknown';
  const ordered = [...LEAD.filter((f) => flags.includes(f)), ...flags.filter((f) => !LEAD.includes(f))];
  const seen = new Set<string>();
  const words: string[] = [];
  for (const f of ordered) {
    if (seen.has(f)) continue;
    seen.add(f);
    words.push(FLAG_WORDS[f] ?? f);
  }
  return capitalize(words.join(', '));
}

/** 1530 -> "25 min 30 s", 45 -> "45 s", 4000 -> "1 h 6 min". */
export function formatRuntime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function num(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Manufacturer and model, without saying the manufacturer twice. */
function modelOf(vars: ReadonlyMap<string, string>): string | null {
  const model = (vars.get('device.model') ?? vars.get('ups.model'))?.trim();
  const mfr = (vars.get('device.mfr') ?? vars.get('ups.mfr'))?.trim();
  if (!model) return mfr ?? null;
  if (!mfr || model.toLowerCase().startsWith(mfr.toLowerCase())) return model;
  return `${mfr} ${model}`;
}

/** Summary of a UPS whose variables were read. */
export function summarize(name: string, description: string | null, vars: ReadonlyArray<readonly [string, string]>): UpsSummary {
  const map = new Map(vars.map(([k, v]) => [k, v] as [string, string]));
  const raw = map.get('ups.status') ?? null;
  return {
    name,
    description,
    available: true,
    stale: false,
    driverConnected: true,
    error: null,
    reason: map.get(DRIVER_ERROR_VAR) ?? null,
    driverState: map.get(DRIVER_STATE_VAR) ?? null,
    status: { raw, flags: raw ? raw.split(/\s+/).filter(Boolean) : [], text: raw ? describeStatus(raw) : 'Unknown' },
    battery: { chargePercent: num(map.get('battery.charge')), runtimeSeconds: num(map.get('battery.runtime')) },
    loadPercent: num(map.get('ups.load')),
    inputVoltage: num(map.get('input.voltage')),
    model: modelOf(map),
  };
}

/** What the server says of why a UPS has no data (null: it does not say). */
export interface Health {
  reason: string | null;
  driverState: string | null;
}

/** Summary of a UPS the server had no data for; `code` is upsd's error code. */
export function unavailable(name: string, description: string | null, code: string, text: string, health: Health = { reason: null, driverState: null }): UpsSummary {
  const stale = code === 'DATA-STALE';
  const driverConnected = code !== 'DRIVER-NOT-CONNECTED';
  const words = stale ? 'Data stale: no news from the UPS' : !driverConnected ? 'Driver not connected' : text;
  return {
    name,
    description,
    available: false,
    stale,
    driverConnected,
    error: text,
    reason: health.reason,
    driverState: health.driverState,
    status: { raw: null, flags: [], text: words },
    battery: { chargePercent: null, runtimeSeconds: null },
    loadPercent: null,
    inputVoltage: null,
    model: null,
  };
}

const DASH = '-';

function fmt(n: number | null, unit: string): string {
  return n === null ? DASH : `${n} ${unit}`;
}

/** Aligned columns, one line per UPS; stale or missing data is plain to see. */
export function renderTable(upses: readonly UpsSummary[]): string {
  const header = ['UPS', 'STATE', 'CHARGE', 'RUNTIME', 'LOAD', 'INPUT', 'MODEL'];
  const rows = upses.map((u) => [
    u.name,
    u.status.raw && u.available ? `${u.status.text} [${u.status.raw}]` : u.status.text,
    fmt(u.battery.chargePercent, '%'),
    u.battery.runtimeSeconds === null ? DASH : formatRuntime(u.battery.runtimeSeconds),
    fmt(u.loadPercent, '%'),
    fmt(u.inputVoltage, 'V'),
    u.model ?? DASH,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  // Numbers read best right-aligned; words left-aligned; no trailing blanks.
  const right = new Set([2, 4, 5]);
  return (
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/**
 * One line per UPS with something wrong, under the table: the reason the
 * driver gives, which the STATE column has no room for.
 */
export function renderReasons(upses: readonly UpsSummary[]): string {
  return upses
    .filter((u) => u.reason !== null || !u.available)
    .map((u) => {
      const state = u.driverState ? ` (driver.state ${u.driverState})` : '';
      if (!u.available) return `${u.name}: no data: ${u.reason ?? `${u.error ?? 'unavailable'}; the server does not say why`}${state}\n`;
      return `${u.name}: last poll failed: ${u.reason}${state}\n`;
    })
    .join('');
}

export function renderJson(doc: StatusDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
