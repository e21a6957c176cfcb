/**
 * One request as a route handler sees it: the parsed URL and parameters, who
 * is asking, the body read with the size limit, and replies that always set
 * the same safe headers. Errors are thrown as HttpError and turned into
 * `{ "error": CODE, "message": words }` by the server.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { UpsAgentError } from '../core/errors';

/** Who is asking, once their credentials were checked. */
export interface Principal {
  readonly user: string;
  readonly via: 'basic' | 'bearer' | 'session';
}

/** A failed request: HTTP status, a stable code (NUT's error codes where NUT has one) and words. */
export class HttpError extends UpsAgentError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(code, message);
  }
}

/** Headers on every reply: nothing is cached, sniffed, framed or leaked through the referrer. */
export const BASE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export interface HttpContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** Null for a request without (valid) credentials on a route that does not need them. */
  readonly principal: Principal | null;
  /** The client's address, as a log line shows it. */
  readonly remote: string;
  /** The body, at most http.maxBodyBytes (413 past it). */
  body(): Promise<Buffer>;
  text(): Promise<string>;
  /** The body parsed as JSON; 415 unless sent as application/json, 400 when malformed. */
  json(): Promise<unknown>;
  send(status: number, body: string | Buffer, contentType: string, headers?: OutgoingHttpHeaders): void;
  sendJson(status: number, value: unknown, headers?: OutgoingHttpHeaders): void;
  /** The logged-in user; 401 without one. */
  requireUser(): Principal;
}

/** The content type without parameters, lower-cased ("application/json; charset=utf-8" -> "application/json"). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
