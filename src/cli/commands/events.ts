/**
 * `upsagent events [--json] [--limit N]`: the monitor's event history from
 * its state file, oldest first, one line per event with the local time and
 * its offset, as apcupsd's EVENTS file reads. It reads the file the running
 * agent writes, so it works whether or not the agent is running.
 * Exit 0 (also when nothing is recorded yet), 1 when the file cannot be
 * read, 2 for a configuration problem or a bad --limit.
 */
import { errorMessage } from '../../core/errors';
import { MONITOR_DEFAULTS } from '../../monitor/config';
import { StateFileError, readStateFile, type HistoryEvent } from '../../monitor/history';
import type { CliIO } from '../io';
import { EXIT_CONFIG, loadConfigOrSay } from './config-check';

export interface EventsOptions {
  config: string;
  json: boolean;
  /** Only the most recent N events. */
  limit?: number;
}

export async function runEvents(opts: EventsOptions, io: CliIO): Promise<number> {
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) {
    io.err(`--limit must be a whole number of at least 1, not ${String(opts.limit)}\n`);
    return EXIT_CONFIG;
  }
  const cfg = await loadConfigOrSay(opts.config, io);
  if (!cfg) return EXIT_CONFIG;
  const file = cfg.monitor?.stateFile ?? MONITOR_DEFAULTS.stateFile;
  let events: HistoryEvent[];
  try {
    events = (await readStateFile(file))?.events ?? [];
  } catch (err) {
    io.err(`Error: ${err instanceof StateFileError ? err.message : `${file}: ${errorMessage(err)}`}\n`);
    return 1;
  }
  if (opts.limit !== undefined) events = events.slice(-opts.limit);
  if (opts.json) {
    const doc = { events: events.map((e) => ({ at: new Date(e.at).toISOString(), ups: e.ups, type: e.type, message: e.message })) };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (events.length === 0) {
    io.out(`No events recorded yet (${file})\n`);
  } else {
    io.out(renderEvents(events));
  }
  return 0;
}

/** `YYYY-MM-DD HH:MM:SS +ZZZZ  UPS  TYPE  message`, the UPS and type columns padded to line up. */
export function renderEvents(events: readonly HistoryEvent[]): string {
  const upsOf = (e: HistoryEvent): string => e.ups || '-';
  const upsWidth = Math.max(...events.map((e) => upsOf(e).length));
  const typeWidth = Math.max(...events.map((e) => e.type.length));
  return events.map((e) => `${localTime(e.at)}  ${upsOf(e).padEnd(upsWidth)}  ${e.type.padEnd(typeWidth)}  ${e.message}\n`).join('');
}

/** Local time with the UTC offset, so lines read unambiguously across DST changes. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return (
    `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ` +
    `${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`
  );
}
