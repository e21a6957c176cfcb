/**
 * The monitor's event history and state file, like apcupsd's EVENTS file but
 * as JSON that `upsagent events` (a separate process) reads: the last
 * `historySize` events and the monitor's current view, kept across restarts.
 *
 * Writing it must never hold up or break the monitor: writes are coalesced
 * (one in flight, the next one after it with the latest content), atomic
 * (a reader never sees half a file, a power cut leaves the old or the new
 * one) and a failure is logged, not thrown; the history stays in memory.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../core/clock';
import { UpsAgentError, errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { NotifyType } from './notify-types';

export interface HistoryEvent {
  /** ms since the epoch. */
  at: number;
  ups: string;
  type: string;
  message: string;
}

export interface StateFile {
  version: 1;
  /** The monitor that wrote it. */
  pid: number;
  /** ms since the epoch. */
  updatedAt: number;
  /** Oldest first. */
  events: HistoryEvent[];
  /** The monitor's own view of its UPSes; opaque here. */
  view: unknown;
}

/** The notifications worth keeping: changes of power, communication and protection, not TRIM/BOOST chatter. */
export const HISTORY_TYPES: readonly NotifyType[] = [
  'ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'NOCOMM', 'SHUTDOWN', 'SHUTDOWN_HOSTSYNC',
  'REPLBATT', 'CAL', 'NOTCAL', 'OFF', 'NOTOFF', 'BYPASS', 'NOTBYPASS', 'OVER', 'NOTOVER', 'ALARM', 'NOTALARM',
  'POLICY', 'BATTERY_TEST',
];

const HISTORY_SET: ReadonlySet<string> = new Set(HISTORY_TYPES);
export function isHistoryType(type: string): boolean {
  return HISTORY_SET.has(type);
}

/** The state file could not be read or is not one of ours. */
export class StateFileError extends UpsAgentError {
  constructor(
    readonly file: string,
    readonly reason: 'unreadable' | 'corrupt',
    detail: string,
  ) {
    super('STATE_FILE', reason === 'unreadable' ? `${file}: cannot read the state file: ${detail}` : `${file}: not a valid upsagent state file: ${detail}`);
  }
}

function isEvent(e: unknown): e is HistoryEvent {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.at === 'number' && Number.isFinite(r.at) && typeof r.ups === 'string' && typeof r.type === 'string' && typeof r.message === 'string';
}

/** Checks a parsed document; throws StateFileError (corrupt) naming what is wrong. */
function parseState(file: string, text: string): StateFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, 'corrupt', errorMessage(err));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new StateFileError(file, 'corrupt', 'not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.version !== 1) throw new StateFileError(file, 'corrupt', `version ${JSON.stringify(d.version)} is not 1`);
  if (!Array.isArray(d.events)) throw new StateFileError(file, 'corrupt', 'events is not a list');
  const bad = d.events.findIndex((e) => !isEvent(e));
  if (bad >= 0) throw new StateFileError(file, 'corrupt', `events[${bad}] is not {at, ups, type, message}`);
  return {
    version: 1,
    pid: typeof d.pid === 'number' ? d.pid : 0,
    updatedAt: typeof d.updatedAt === 'number' ? d.updatedAt : 0,
    events: d.events as HistoryEvent[],
    view: d.view ?? null,
  };
}

/** For the CLI: the state file, or null when there is none yet. Throws StateFileError otherwise. */
export async function readStateFile(file: string): Promise<StateFile | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateFileError(file, 'unreadable', errorMessage(err));
  }
  return parseState(file, text);
}

export interface EventHistoryOptions {
  file: string;
  size: number;
  log: Logger;
  clock?: Clock;
}

export class EventHistory {
  private readonly file: string;
  private readonly size: number;
  private readonly log: Logger;
  private readonly clock: Clock;
  private list: HistoryEvent[] = [];
  private view: unknown = null;
  private loadedView: unknown = null;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** Write errors already logged, so a read-only disk gives one line, not one per event. */
  private readonly reported = new Set<string>();

  constructor(opts: EventHistoryOptions) {
    this.file = opts.file;
    this.size = Math.max(1, opts.size);
    this.log = opts.log;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Reads the last run's events. A missing file is a first start; a corrupt
   * one is moved aside to `<file>.corrupt` (kept for a human to look at, and
   * out of the way of the next write). Never throws.
   */
  async load(): Promise<void> {
    let state: StateFile | null;
    try {
      state = await readStateFile(this.file);
    } catch (err) {
      if (err instanceof StateFileError && err.reason === 'corrupt') await this.setAside(err.message);
      else this.log.warn(`${errorMessage(err)}; starting with no history`);
      return;
    }
    if (state === null) return;
    // Anything added before load() came later than what the file holds.
    this.list = [...state.events, ...this.list].slice(-this.size);
    this.loadedView = state.view;
  }

  /** The view the previous run left (null if none); the monitor may use it to say what changed while it was down. */
  previousView(): unknown {
    return this.loadedView;
  }

  add(e: HistoryEvent): void {
    this.list.push({ at: e.at, ups: e.ups, type: e.type, message: e.message });
    if (this.list.length > this.size) this.list.splice(0, this.list.length - this.size);
  }

  /** Oldest first. */
  events(): readonly HistoryEvent[] {
    return this.list;
  }

  setView(view: unknown): void {
    this.view = view;
  }

  /**
   * Writes the file with what is current when the write starts. During a
   * write, callers share one follow-up write, so a burst of events costs at
   * most two writes and the last one has the latest content. Never rejects.
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.inFlight) {
      this.queued = this.inFlight.then(() => {
        this.queued = undefined;
        return this.startWrite();
      });
      return this.queued;
    }
    return this.startWrite();
  }

  private startWrite(): Promise<void> {
    const p = this.write().finally(() => {
      if (this.inFlight === p) this.inFlight = undefined;
    });
    this.inFlight = p;
    return p;
  }

  private async write(): Promise<void> {
    const state: StateFile = { version: 1, pid: process.pid, updatedAt: this.clock.now(), events: [...this.list], view: this.view };
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const fh = await open(tmp, 'w', 0o644);
      try {
        await fh.writeFile(`${JSON.stringify(state)}\n`);
        // On a UPS host the next thing may be a power cut: the data must be on disk before the rename.
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      if (this.reported.size > 0) {
        this.log.info(`${this.file}: written again`);
        this.reported.clear();
      }
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      const msg = errorMessage(err);
      if (!this.reported.has(msg)) {
        this.reported.add(msg);
        this.log.error(`${this.file}: cannot write the state file (history kept in memory): ${msg}`);
      }
    }
  }

  private async setAside(why: string): Promise<void> {
    const aside = `${this.file}.corrupt`;
    try {
      await rename(this.file, aside);
      this.log.warn(`${why}; moved it to ${aside} and starting with no history`);
    } catch (err) {
      this.log.warn(`${why}; could not move it aside (${errorMessage(err)}); starting with no history`);
    }
  }
}
