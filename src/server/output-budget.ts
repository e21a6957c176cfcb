/**
 * What all clients together hold in the server's memory: replies written but
 * not yet taken by the kernel (the client does not read them) and request
 * bytes read but not yet worked through (held while a client is paused).
 *
 * A client that reads its replies holds nothing after each write, so only
 * the others are tracked: a connection that holds bytes after a write joins
 * the set, and the sum is taken over that set when asked (connections that
 * hold nothing any more leave it then). No per-write callback is needed,
 * which keeps the common path (a reply written at once) free of bookkeeping.
 *
 * A tracked connection that goes (dropped, or closed while holding) leaves
 * its buffers as garbage: the Reclaimer has them collected (see reclaim.ts).
 */
export interface Holder {
  /** Bytes this client holds right now. */
  heldBytes(): number;
}

export class OutputBudget {
  private readonly holders = new Set<Holder>();
  /** Clients paused right now because their replies were not read. */
  paused = 0;
  /** Clients dropped for not reading, since start. */
  dropped = 0;

  constructor(
    readonly limit: number,
    private readonly reclaimer?: { clientGone(): void },
  ) {}

  /** A connection that may hold bytes (called after a write that left some unsent). */
  track(h: Holder): void {
    this.holders.add(h);
  }

  /** A connection that is gone. */
  forget(h: Holder): void {
    if (this.holders.delete(h)) this.reclaimer?.clientGone();
  }

  /** The sum over the tracked connections, dropping those that hold nothing now. */
  get bytes(): number {
    let sum = 0;
    for (const h of this.holders) {
      const n = h.heldBytes();
      if (n === 0) this.holders.delete(h);
      sum += n;
    }
    return sum;
  }

  get exceeded(): boolean {
    return this.bytes > this.limit;
  }
}
