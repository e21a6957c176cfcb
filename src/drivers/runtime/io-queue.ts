/**
 * Device I/O one operation at a time: a poll never interleaves with a SET,
 * a reconnect never with a poll. Each operation is queued behind the one
 * before it has settled, and every operation run through the runtime has a
 * deadline, so one that hangs holds the queue only until its timeout.
 */
export class IoQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything queued so far has settled (new work queued meanwhile included). */
  async idle(): Promise<void> {
    let t: Promise<unknown>;
    do {
      t = this.tail;
      await t;
    } while (t !== this.tail);
  }
}
