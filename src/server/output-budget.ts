/**
 * What all clients together hold in the server's memory: replies written but
 * not yet taken by the kernel (the client does not read them) and request
 * bytes read but not yet worked through (held while a client is paused).
 * Each connection reports its own share as it changes; the sum has a limit,
 * past which clients that are not keeping up are dropped.
 */
export class OutputBudget {
  private held = 0;
  /** Clients paused right now because their replies were not read. */
  paused = 0;
  /** Clients dropped for not reading, since start. */
  dropped = 0;

  constructor(readonly limit: number) {}

  /** A connection's share went from `before` to `after` bytes. */
  change(before: number, after: number): void {
    this.held += after - before;
  }

  get bytes(): number {
    return this.held;
  }

  get exceeded(): boolean {
    return this.held > this.limit;
  }
}
