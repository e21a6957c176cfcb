import { DeviceTimeoutError } from './errors';
import { realTimers, type Timers } from './timers';

/**
 * Runs `fn` with a deadline. At the deadline the signal given to `fn` is
 * aborted (a transport that honours it cancels its I/O, e.g. closes a pipe)
 * and the returned promise rejects with DeviceTimeoutError, whatever `fn`
 * does afterwards. `outer` (a stop) aborts it early the same way. A value
 * that arrives after the deadline goes to `onLate` (e.g. to close a device
 * that finished opening too late), never to the caller.
 */
export function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  fn: (signal: AbortSignal) => Promise<T>,
  opts: { timers?: Timers; outer?: AbortSignal; onLate?: (value: T) => void } = {},
): Promise<T> {
  const timers = opts.timers ?? realTimers;
  const ac = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      timers.clearTimeout(timer);
      opts.outer?.removeEventListener('abort', onOuter);
      return true;
    };
    const timer = timers.setTimeout(() => {
      if (!finish()) return;
      const err = new DeviceTimeoutError(operation, timeoutMs);
      ac.abort(err);
      reject(err);
    }, timeoutMs);
    const onOuter = (): void => {
      if (!finish()) return;
      const err = new DeviceTimeoutError(`${operation} (stopped)`, 0);
      ac.abort(err);
      reject(err);
    };
    if (opts.outer?.aborted) {
      onOuter();
      return;
    }
    opts.outer?.addEventListener('abort', onOuter);
    let p: Promise<T>;
    try {
      p = fn(ac.signal);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (v) => {
        if (finish()) resolve(v);
        else opts.onLate?.(v);
      },
      (err: unknown) => {
        if (finish()) reject(err);
      },
    );
  });
}
