/** Reconnect delays: the first retry after `initialMs`, each next one twice as long, up to `maxMs`. */
export class Backoff {
  private next: number;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.next = initialMs;
  }

  /** The delay to wait now; the one after is longer. */
  take(): number {
    const d = this.next;
    this.next = Math.min(this.next * 2, Math.max(this.maxMs, this.initialMs));
    return d;
  }

  reset(): void {
    this.next = this.initialMs;
  }
}
