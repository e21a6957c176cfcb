/**
 * The page's chart data: every `intervalS` each UPS's charge, load, input
 * and output voltage and runtime go into a bounded ring per UPS holding the
 * last 24 h (the window), so memory stays fixed however long the agent runs.
 * With a file configured the rings are written there now and then and on
 * stop, and read back on start (samples older than the window dropped), so
 * a restart keeps the charts. Writing never holds up or breaks sampling:
 * writes are atomic (temp file + rename), one at a time, and a failure is
 * logged once, not thrown.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';

/** The charted values and the NUT variable each comes from. */
export const SERIES = {
  charge: 'battery.charge',
  load: 'ups.load',
  inputVoltage: 'input.voltage',
  outputVoltage: 'output.voltage',
  runtime: 'battery.runtime',
} as const;

export type SeriesName = keyof typeof SERIES;
export const SERIES_NAMES = Object.keys(SERIES) as SeriesName[];

export type SampleValues = Record<SeriesName, number | null>;

/** One sample as the event stream sends it: `t` in seconds since the epoch (uPlot's unit). */
export interface Sample extends SampleValues {
  t: number;
}

/** One UPS's samples, oldest first, in columns as uPlot takes them. */
export interface SeriesData extends Record<SeriesName, Array<number | null>> {
  ups: string;
  intervalS: number;
  t: number[];
}

export const WINDOW_S = 24 * 3600;
const FILE_VERSION = 1;

/** A fixed-size ring of samples in columns; the oldest is overwritten when full. */
export class SampleRing {
  private readonly t: number[] = [];
  private readonly cols: Record<SeriesName, Array<number | null>>;
  /** Index of the oldest sample once the ring is full. */
  private head = 0;

  constructor(readonly capacity: number) {
    this.cols = Object.fromEntries(SERIES_NAMES.map((n) => [n, []])) as unknown as Record<SeriesName, Array<number | null>>;
  }

  get size(): number {
    return this.t.length;
  }

  /** The newest sample's time, or null when empty. */
  last(): number | null {
    if (this.t.length === 0) return null;
    return this.t[(this.head + this.t.length - 1) % this.t.length]!;
  }

  push(s: Sample): void {
    if (this.t.length < this.capacity) {
      this.t.push(s.t);
      for (const n of SERIES_NAMES) this.cols[n].push(s[n]);
      return;
    }
    this.t[this.head] = s.t;
    for (const n of SERIES_NAMES) this.cols[n][this.head] = s[n];
    this.head = (this.head + 1) % this.capacity;
  }

  /** Oldest first, only samples at or after `since` (seconds). */
  columns(since = -Infinity): { t: number[] } & Record<SeriesName, Array<number | null>> {
    const order = (a: readonly (number | null)[]) => (this.head === 0 ? [...a] : [...a.slice(this.head), ...a.slice(0, this.head)]);
    const t = order(this.t) as number[];
    let from = 0;
    while (from < t.length && t[from]! < since) from++;
    const out = { t: t.slice(from) } as { t: number[] } & Record<SeriesName, Array<number | null>>;
    for (const n of SERIES_NAMES) out[n] = order(this.cols[n]).slice(from);
    return out;
  }
}

export interface HistorySamplerOptions {
  intervalS: number;
  /** Each UPS's current values; a UPS missing from the answer (unreadable now) gets a gap. */
  read: () => Map<string, SampleValues>;
  clock: Clock;
  log: Logger;
  /** '' or undefined: memory only. */
  file?: string;
  /** Told each new sample (the page sends it down the event stream). */
  onSample?: (ups: string, sample: Sample) => void;
  /** Seconds between two writes of the file (default 300). */
  saveEveryS?: number;
  windowS?: number;
}

export class HistorySampler {
  private readonly rings = new Map<string, { name: string; ring: SampleRing }>();
  private readonly capacity: number;
  private readonly windowS: number;
  private sampleTimer: unknown;
  private saveTimer: unknown;
  private running = false;
  private writing: Promise<void> | undefined;
  private again = false;
  private reported: string | null = null;

  constructor(private readonly opts: HistorySamplerOptions) {
    this.windowS = opts.windowS ?? WINDOW_S;
    this.capacity = Math.max(1, Math.ceil(this.windowS / opts.intervalS));
  }

  /** Reads the file (if any), takes the first sample now, then one every interval. */
  async start(): Promise<void> {
    await this.load();
    this.running = true;
    this.tick();
    if (this.opts.file) this.scheduleSave();
  }

  /** Stops sampling and writes the file one last time. */
  async stop(): Promise<void> {
    this.running = false;
    this.opts.clock.clearTimeout(this.sampleTimer);
    this.opts.clock.clearTimeout(this.saveTimer);
    if (this.opts.file) await this.save();
  }

  /** Every UPS's samples within the window, oldest first; null for a UPS never sampled. */
  series(ups: string): SeriesData | null {
    const entry = this.rings.get(ups.toLowerCase());
    if (!entry) return null;
    return { ups: entry.name, intervalS: this.opts.intervalS, ...entry.ring.columns(this.nowS() - this.windowS) };
  }

  /** Takes one sample of every UPS (called by the timer; tests call it too). */
  sample(): void {
    const t = this.nowS();
    const current = this.opts.read();
    for (const [name, values] of current) {
      const s: Sample = { t, ...values };
      this.ringOf(name).push(s);
      this.opts.onSample?.(name, s);
    }
    // A UPS sampled before but unreadable now gets a row of nulls, so its chart shows a gap instead of a line across it.
    const read = new Set([...current.keys()].map((n) => n.toLowerCase()));
    for (const [key, entry] of this.rings) {
      if (read.has(key)) continue;
      if (entry.ring.last() === null) continue;
      const s = { t, ...nulls() };
      entry.ring.push(s);
      this.opts.onSample?.(entry.name, s);
    }
  }

  /** Writes the file now (coalesced: one write at a time, the last request wins). */
  async save(): Promise<void> {
    if (!this.opts.file) return;
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.writing = (async () => {
      do {
        this.again = false;
        await this.writeOnce(this.opts.file!);
      } while (this.again);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  private tick(): void {
    if (!this.running) return;
    try {
      this.sample();
    } catch (err) {
      this.opts.log.warn(`chart sample failed: ${errorMessage(err)}`);
    }
    this.sampleTimer = this.opts.clock.setTimeout(() => this.tick(), this.opts.intervalS * 1000);
  }

  private scheduleSave(): void {
    this.saveTimer = this.opts.clock.setTimeout(() => {
      if (!this.running) return;
      void this.save().finally(() => {
        if (this.running) this.scheduleSave();
      });
    }, (this.opts.saveEveryS ?? 300) * 1000);
  }

  private ringOf(name: string): SampleRing {
    const key = name.toLowerCase();
    let entry = this.rings.get(key);
    if (!entry) {
      entry = { name, ring: new SampleRing(this.capacity) };
      this.rings.set(key, entry);
    }
    return entry.ring;
  }

  private nowS(): number {
    return Math.floor(this.opts.clock.now() / 1000);
  }

  private async writeOnce(file: string): Promise<void> {
    const upses: Record<string, unknown> = {};
    for (const { name, ring } of this.rings.values()) upses[name] = ring.columns(this.nowS() - this.windowS);
    const doc = JSON.stringify({ version: FILE_VERSION, intervalS: this.opts.intervalS, savedAt: this.opts.clock.now(), upses });
    const tmp = `${file}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, doc, { mode: 0o640 });
      await rename(tmp, file);
      this.reported = null;
    } catch (err) {
      const msg = errorMessage(err);
      if (this.reported !== msg) this.opts.log.warn(`cannot write the chart history to ${file}: ${msg}; the charts stay in memory`);
      this.reported = msg;
    }
  }

  /** The last run's samples; a missing file is a first start, a broken one is logged and ignored. Never throws. */
  private async load(): Promise<void> {
    const file = this.opts.file;
    if (!file) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.log.warn(`cannot read the chart history ${file}: ${errorMessage(err)}; starting empty`);
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      this.opts.log.warn(`the chart history ${file} is not valid JSON (${errorMessage(err)}); starting empty`);
      return;
    }
    const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    if (d.version !== FILE_VERSION || typeof d.upses !== 'object' || d.upses === null) {
      this.opts.log.warn(`the chart history ${file} is not one this version writes; starting empty`);
      return;
    }
    const since = this.nowS() - this.windowS;
    let kept = 0;
    for (const [name, cols] of Object.entries(d.upses as Record<string, unknown>)) {
      const c = (typeof cols === 'object' && cols !== null ? cols : {}) as Record<string, unknown>;
      if (!Array.isArray(c.t)) continue;
      const ring = this.ringOf(name);
      c.t.forEach((t, i) => {
        if (typeof t !== 'number' || !Number.isFinite(t) || t < since || t > this.nowS()) return;
        const s = { t } as Sample;
        for (const n of SERIES_NAMES) {
          const v = Array.isArray(c[n]) ? (c[n] as unknown[])[i] : null;
          s[n] = typeof v === 'number' && Number.isFinite(v) ? v : null;
        }
        ring.push(s);
        kept++;
      });
    }
    this.opts.log.info(`chart history: ${kept} samples read from ${file}`);
  }
}

function nulls(): SampleValues {
  return Object.fromEntries(SERIES_NAMES.map((n) => [n, null])) as unknown as SampleValues;
}
