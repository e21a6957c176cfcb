/**
 * Typed errors shared by every module. Each carries a stable `code` so callers
 * (and the NUT server, which must turn failures into `ERR <CODE>` lines) can
 * branch on the kind of failure without parsing messages.
 */
export class UpsAgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem found while validating the configuration file. */
export interface ConfigIssue {
  /** Dotted path into the document, e.g. `users.admin.actions[1]`. */
  path: string;
  /** What is wrong and what is allowed, in words. */
  message: string;
}

export class ConfigError extends UpsAgentError {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      'CONFIG',
      `${file}: ${issues.length} problem(s)\n` + issues.map((i) => `  ${i.path || '(top)'}: ${i.message}`).join('\n'),
    );
  }
}

/** Codes a driver or the state store may return for SET VAR / INSTCMD; they match NUT's wire errors. */
export type RequestFailure =
  | 'UNKNOWN-UPS'
  | 'VAR-NOT-SUPPORTED'
  | 'CMD-NOT-SUPPORTED'
  | 'INVALID-VALUE'
  | 'INVALID-ARGUMENT'
  | 'READONLY'
  | 'TOO-LONG'
  | 'SET-FAILED'
  | 'INSTCMD-FAILED'
  | 'DRIVER-NOT-CONNECTED';

export class RequestError extends UpsAgentError {
  constructor(
    readonly failure: RequestFailure,
    message: string = failure,
  ) {
    super(failure, message);
  }
}

/** A device file or reply that could not be understood. */
export class ParseError extends UpsAgentError {
  constructor(
    message: string,
    readonly source?: string,
    readonly line?: number,
  ) {
    super('PARSE', source !== undefined ? `${source}${line !== undefined ? `:${line}` : ''}: ${message}` : message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
