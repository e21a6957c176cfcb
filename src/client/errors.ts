import { UpsAgentError } from '../core/errors';

/** Base of every failure the NUT client reports. */
export class NutClientError extends UpsAgentError {}

/**
 * The server answered `ERR <code> [extra]`. The connection is still usable:
 * upsd keeps a client connected after an error.
 */
export class NutProtocolError extends NutClientError {
  constructor(
    /** The reply exactly as received, e.g. `ERR ACCESS-DENIED`. */
    readonly line: string,
    code: string,
    readonly extra: string,
    /** The request line that got this answer (a password is masked). */
    readonly request: string,
  ) {
    super(code, `${request}: ${line}`);
  }
}

/** Why a connection could not be made or was lost. */
export type ConnectionFailure =
  /** DNS found no such host. */
  | 'no-such-host'
  /** The TCP connect failed (refused, unreachable...); `.code` holds the errno name. */
  | 'connect'
  /** Connecting took longer than the timeout. */
  | 'connect-timeout'
  /** No answer to a request within the timeout. */
  | 'timeout'
  /** The server closed the connection. */
  | 'closed'
  /** A read or write on the socket failed. */
  | 'io'
  /** close() was called while requests were outstanding, or a request came after it. */
  | 'local-close';

/** The TCP connection failed or went away. */
export class NutConnectionError extends NutClientError {
  constructor(
    readonly failure: ConnectionFailure,
    message: string,
    /** errno name when the system gave one (ECONNREFUSED...). */
    readonly errno?: string,
  ) {
    super(errno ?? failure.toUpperCase(), message);
  }
}

/**
 * The server sent something that is not a valid answer to what was asked:
 * garbage, an unterminated quote, a line that does not echo the query, a
 * line past the length limit. The connection is closed afterwards because
 * replies can no longer be matched to requests.
 */
export class NutResponseError extends NutClientError {
  constructor(
    readonly kind: 'protocol' | 'parse',
    message: string,
    readonly line?: string,
  ) {
    super(kind === 'parse' ? 'PARSE' : 'PROTOCOL', message);
  }
}

/**
 * TLS could not be had: the server declined STARTTLS where the policy
 * requires it (upsmon FORCESSL / CERTVERIFY; upsclient's "SSL is not
 * available"), or the handshake failed (a certificate that does not verify,
 * no common protocol; upsclient's "SSL error: ...").
 */
export class NutTlsError extends NutClientError {
  constructor(
    readonly kind: 'unavailable' | 'handshake',
    message: string,
  ) {
    super(kind === 'unavailable' ? 'SSL-UNAVAILABLE' : 'SSL-ERROR', message);
  }
}

/**
 * upsclient's text for each upsd error code (upscli_strerror). NUT's tools
 * print these after "Error: ", and scripts grep for them, so they are kept
 * word for word. Codes upsclient does not know read "Unknown error".
 */
const UPSD_ERROR_TEXT: Readonly<Record<string, string>> = {
  'VAR-NOT-SUPPORTED': 'Variable not supported by UPS',
  'UNKNOWN-UPS': 'Unknown UPS',
  'ACCESS-DENIED': 'Access denied',
  'PASSWORD-REQUIRED': 'Password required',
  'PASSWORD-INCORRECT': 'Password incorrect',
  'MISSING-ARGUMENT': 'Missing argument',
  'DATA-STALE': 'Data stale',
  'VAR-UNKNOWN': 'Variable unknown',
  'ALREADY-LOGGED-IN': 'Already logged in',
  'ALREADY-SET-PASSWORD': 'Already set password',
  'UNKNOWN-TYPE': 'Unknown variable type',
  'UNKNOWN-VAR': 'Unknown variable',
  READONLY: 'Read-only variable',
  'TOO-LONG': 'New value is too long',
  'INVALID-VALUE': 'Invalid value for variable',
  'SET-FAILED': 'Set command failed',
  'UNKNOWN-INSTCMD': 'Unknown instant command',
  'INSTCMD-FAILED': 'Instant command failed',
  'CMD-NOT-SUPPORTED': 'Instant command not supported',
  'INVALID-USERNAME': 'Invalid username',
  'ALREADY-SET-USERNAME': 'Already set username',
  'UNKNOWN-COMMAND': 'Unknown command',
  'INVALID-PASSWORD': 'Invalid password',
  'USERNAME-REQUIRED': 'Username required',
  'DRIVER-NOT-CONNECTED': 'Driver not connected',
};

/** The C library's strerror() text for the errno names a socket can fail with. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ECONNABORTED: 'Software caused connection abort',
  EHOSTDOWN: 'Host is down',
  ENETDOWN: 'Network is down',
};

export function errnoText(errno: string | undefined): string {
  return (errno && ERRNO_TEXT[errno]) ?? errno ?? 'Unknown error';
}

/** upscli_strerror's text for an upsd error code. */
export function upsdErrorText(code: string): string {
  return UPSD_ERROR_TEXT[code] ?? 'Unknown error';
}

/**
 * The message NUT's clients print for a failure (after "Error: "), e.g.
 * "Unknown UPS", "Connection failure: Connection refused", "No such host".
 */
export function nutErrorText(err: unknown): string {
  if (err instanceof NutProtocolError) return upsdErrorText(err.code);
  if (err instanceof NutConnectionError) {
    switch (err.failure) {
      case 'no-such-host':
        return 'No such host';
      case 'connect':
        return `Connection failure: ${errnoText(err.errno)}`;
      case 'connect-timeout':
        return `Connection failure: ${errnoText('ETIMEDOUT')}`;
      case 'io':
        return `Read error: ${errnoText(err.errno)}`;
      default:
        // upsclient reports a silent or closed peer as a disconnect.
        return 'Server disconnected';
    }
  }
  if (err instanceof NutTlsError) return err.kind === 'unavailable' ? 'SSL is not available' : `SSL error: ${err.message}`;
  if (err instanceof NutResponseError) return err.kind === 'parse' ? `Parse error: ${err.message}` : 'Protocol error';
  return err instanceof Error ? err.message : String(err);
}
