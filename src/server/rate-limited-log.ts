/**
 * A warning that may repeat thousands of times a second (a flood of refused
 * or dropped clients) logs one line per interval: the first occurrence at
 * once, then, when the interval is over, one line saying how many more there
 * were. Keyed by kind, so different warnings do not hide each other.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';

type Level = 'warn' | 'info' | 'error';

interface Window {
  /** Occurrences since the line that opened this window. */
  suppressed: number;
  /** The last message held back (its text is shown with the count). */
  last: string;
  level: Level;
  timer: unknown;
}

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Milliseconds between two lines of one kind. */
    private readonly intervalMs: number,
  ) {}

  warn(kind: string, message: string): void {
    this.emit('warn', kind, message);
  }

  info(kind: string, message: string): void {
    this.emit('info', kind, message);
  }

  private emit(level: Level, kind: string, message: string): void {
    const open = this.windows.get(kind);
    if (open) {
      open.suppressed++;
      open.last = message;
      return;
    }
    this.log[level](message);
    const w: Window = { suppressed: 0, last: message, level, timer: undefined };
    w.timer = this.clock.setTimeout(() => this.close(kind, w), this.intervalMs);
    this.windows.set(kind, w);
  }

  /** End of a window: report what was held back; a busy kind opens the next window with that line. */
  private close(kind: string, w: Window): void {
    this.windows.delete(kind);
    if (w.suppressed === 0) return;
    const secs = Math.round(this.intervalMs / 1000);
    this.log[w.level](`${w.last} (${w.suppressed} more like this in the last ${secs} s)`);
    const next: Window = { suppressed: 0, last: w.last, level: w.level, timer: undefined };
    next.timer = this.clock.setTimeout(() => this.close(kind, next), this.intervalMs);
    this.windows.set(kind, next);
  }

  /** Logs what is held back and stops the timers (server stopping). */
  flush(): void {
    for (const [kind, w] of [...this.windows]) {
      this.clock.clearTimeout(w.timer);
      this.windows.delete(kind);
      if (w.suppressed) {
        this.log[w.level](`${w.last} (${w.suppressed} more like this)`);
      }
    }
  }
}
