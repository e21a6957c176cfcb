import { UpsAgentError } from '../core/errors';

/** The server could not listen where it was told to (address in use, not local, no permission...). */
export class ListenError extends UpsAgentError {
  constructor(
    /** The listen entries that failed, with the reason for each. */
    readonly failures: ReadonlyArray<{ address: string; reason: string }>,
    message = `cannot listen on ${failures.map((f) => `${f.address} (${f.reason})`).join(', ')}`,
  ) {
    super('LISTEN', message);
  }
}
