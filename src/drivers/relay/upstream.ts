/**
 * The relay's link to the upstream NUT server: the NUT client requests it
 * uses, and what their failures mean to the driver runtime.
 */
import { NutClient, type NutClientOptions } from '../../client/client';
import { NutConnectionError, NutProtocolError, NutResponseError } from '../../client/errors';
import { RequestError, errorMessage, type RequestFailure } from '../../core/errors';
import { DeviceGoneError, DeviceReplyError } from '../runtime/index';

/** What the relay asks of a NUT connection (NutClient has it all; tests may pass anything that does). */
export type UpstreamClient = Pick<
  NutClient,
  'listVars' | 'getType' | 'listEnum' | 'listRange' | 'getDesc' | 'listCmd' | 'getCmdDesc' | 'setVar' | 'instCmd' | 'username' | 'password' | 'login' | 'onClose' | 'close' | 'destroy'
>;

/** Opens one connection to the upstream server. */
export type UpstreamConnect = (opts: NutClientOptions) => Promise<UpstreamClient>;

export const connectNut: UpstreamConnect = (opts) => NutClient.connect(opts);

/**
 * A failed read, in the runtime's terms: a connection lost, refused or
 * garbled is the device gone (reconnect, with backoff); an ERR the server
 * answered (DATA-STALE, DRIVER-NOT-CONNECTED, UNKNOWN-UPS) is a missed poll
 * on a connection that still works.
 */
export function readFailure(where: string, err: unknown): Error {
  if (err instanceof NutProtocolError) return new DeviceReplyError(`${where} answers ${err.line}`);
  if (err instanceof NutConnectionError || err instanceof NutResponseError) return new DeviceGoneError(`${where}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

/** The upstream's ERR codes a client of ours may hear as they are (SET VAR / INSTCMD). */
const PASSED: ReadonlySet<string> = new Set<RequestFailure>(['VAR-NOT-SUPPORTED', 'CMD-NOT-SUPPORTED', 'INVALID-VALUE', 'INVALID-ARGUMENT', 'READONLY', 'TOO-LONG', 'SET-FAILED', 'INSTCMD-FAILED', 'DRIVER-NOT-CONNECTED']);

/**
 * A refused write, in the server's terms. The rights of the downstream user
 * were checked here already, so an upstream ACCESS-DENIED (or a missing
 * upstream login) is the relay's own configuration: the client hears
 * SET-FAILED / INSTCMD-FAILED and the log says why.
 */
export function writeFailure(where: string, fallback: 'SET-FAILED' | 'INSTCMD-FAILED', err: unknown): Error {
  if (err instanceof NutProtocolError) {
    if (PASSED.has(err.code)) return new RequestError(err.code as RequestFailure, `${where} answers ${err.line}`);
    const why = /^(ACCESS-DENIED|USERNAME-REQUIRED|PASSWORD-REQUIRED)$/.test(err.code) ? ' (the relay\'s user/password for the upstream server lacks the right)' : '';
    return new RequestError(fallback, `${where} answers ${err.line}${why}`);
  }
  return readFailure(where, err) instanceof DeviceGoneError ? new DeviceGoneError(`${where}: ${errorMessage(err)}`) : new RequestError(fallback, `${where}: ${errorMessage(err)}`);
}
