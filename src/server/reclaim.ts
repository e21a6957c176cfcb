/**
 * Gives the memory of clients dropped or gone back to the allocator soon.
 *
 * Measured (bench/flood-memory.ts, issue 12): what a flood of clients that do
 * not read costs beyond server.maxOutputBytes is garbage, not live data: the
 * read buffers and reply copies of the clients dropped or gone (ArrayBuffers,
 * in malloc's heap) and a young generation grown by the flood's allocation
 * rate. V8 only collects under allocation pressure, and a flood that stops
 * leaves none, so without a collection that garbage stayed for good (80+ MB).
 * While the flood goes on, the same garbage piles up until V8's external
 * memory limit (64 MB) and malloc's heap grows to hold it; collected early,
 * the freed blocks are reused for the next clients' reads instead.
 *
 * So: once enough clients that held bytes have gone, one full collection,
 * a moment later (clients of one flood go together: one collection for all),
 * and at most one per that moment. A client that reads its replies never
 * holds bytes, so it never counts: the common path pays nothing.
 *
 * Connections arriving leave garbage too (the Socket each was accepted as):
 * after enough of them, one collection as well, at most one per
 * ARRIVALS_RECLAIM_INTERVAL_MS for that reason.
 */
import { nodeV8, nodeVm } from '../core/lazy-builtins';

/** Clients that held bytes and are gone before a collection is worth it (each left up to ~64 KiB of buffers). */
export const RECLAIM_AFTER_CLIENTS = 16;
/** How long after the first of them the collection runs: the rest of a flood leaves meanwhile. */
export const RECLAIM_DELAY_MS = 500;
/**
 * Connections accepted before what they leave behind is worth a collection:
 * each leaves the Socket it was accepted as (direct-read.ts takes its handle
 * over), about 3 KB that V8, with no allocation pressure on an idle server,
 * does not collect (measured: 1,000 idle clients 3 MB more without it).
 */
export const RECLAIM_AFTER_ARRIVALS = 256;
/** A collection for arrivals comes at most this often, so a connect flood never means back-to-back full collections. */
export const ARRIVALS_RECLAIM_INTERVAL_MS = 10_000;

export interface ReclaimerOptions {
  afterArrivals?: number;
  arrivalsIntervalMs?: number;
  now?: () => number;
}

let exposed: (() => void) | null | undefined;

/** V8's full collection (the `gc` that --expose-gc gives), or null if this V8 will not give it. */
export function fullCollection(): (() => void) | null {
  if (exposed !== undefined) return exposed;
  try {
    // The flag only makes new contexts get `gc`: one such context hands it over, the main one stays as it was.
    nodeV8().setFlagsFromString('--expose-gc');
    const gc: unknown = nodeVm().runInNewContext('gc');
    exposed = typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    exposed = null;
  }
  return exposed;
}

export class Reclaimer {
  private gone = 0;
  private arrived = 0;
  private lastRun = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly afterArrivals: number;
  private readonly arrivalsIntervalMs: number;
  private readonly now: () => number;
  /** Collections run, since start (tests and the bench read it). */
  runs = 0;

  /**
   * `collect` defaults to V8's, asked for only when first needed: a server
   * that never sees a flood never touches V8's flags. null: never collect.
   */
  constructor(
    private readonly collect: (() => void) | null = () => fullCollection()?.(),
    private readonly after = RECLAIM_AFTER_CLIENTS,
    private readonly delayMs = RECLAIM_DELAY_MS,
    opts: ReclaimerOptions = {},
  ) {
    this.afterArrivals = opts.afterArrivals ?? RECLAIM_AFTER_ARRIVALS;
    this.arrivalsIntervalMs = opts.arrivalsIntervalMs ?? ARRIVALS_RECLAIM_INTERVAL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** A client that held bytes is gone (dropped, or closed while paused). */
  clientGone(): void {
    if (!this.collect) return;
    this.gone++;
    if (this.timer || this.gone < this.after) return;
    this.schedule(this.delayMs);
  }

  /** A client connected (its accepted Socket is garbage now). */
  clientArrived(): void {
    if (!this.collect) return;
    this.arrived++;
    if (this.timer || this.arrived < this.afterArrivals) return;
    this.schedule(Math.max(this.delayMs, this.lastRun + this.arrivalsIntervalMs - this.now()));
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.run(), ms);
    // Never what keeps the daemon (or a test) alive.
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.gone = 0;
    this.arrived = 0;
    this.lastRun = this.now();
    this.runs++;
    this.collect?.();
  }
}
