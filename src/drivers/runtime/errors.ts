import { UpsAgentError } from '../../core/errors';

/** A device operation did not finish in time; its result, if it ever comes, is ignored. */
export class DeviceTimeoutError extends UpsAgentError {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super('DEVICE-TIMEOUT', `${operation}: no answer within ${timeoutMs} ms`);
  }
}

/**
 * The device answered, but not with anything usable (garbage, a reply too
 * short, the wrong report): the poll counts as missed.
 */
export class DeviceReplyError extends UpsAgentError {
  constructor(
    message: string,
    /** Reopen the device at once instead of polling it again (NUT reconnects when every read of a pass failed). */
    readonly reopen = false,
  ) {
    super('DEVICE-REPLY', message);
  }
}

/** The device is gone (unplugged, closed, absent): the runtime reconnects. */
export class DeviceGoneError extends UpsAgentError {
  readonly disconnected = true;
  constructor(message: string) {
    super('DEVICE-GONE', message);
  }
}

/**
 * What the runtime does about a failure: `gone` and `hung` (a timeout, or a
 * device that answered nothing at all) close and reopen the device; `reply`
 * is a missed poll; `bug` is a missed poll caused by our own code, logged
 * with its stack.
 */
export type FailureKind = 'gone' | 'hung' | 'reply' | 'bug';

/**
 * Transport errors of any driver say the device is gone with
 * `disconnected: true` (HidTransportError, DeviceGoneError); timeouts are
 * DeviceTimeoutError; other errors of ours (UpsAgentError) are a failed
 * exchange; anything else (a TypeError...) is a bug.
 */
export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof DeviceTimeoutError) return 'hung';
  if (err instanceof DeviceReplyError && err.reopen) return 'hung';
  if (typeof err === 'object' && err !== null && (err as { disconnected?: unknown }).disconnected === true) return 'gone';
  return err instanceof UpsAgentError ? 'reply' : 'bug';
}
