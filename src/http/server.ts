/**
 * The HTTP listener (node:http, no framework: a route table and a body
 * reader are all it needs). Other parts of the web surface add their routes
 * with `route(method, pattern, handler, {access, doc})`; the listener checks
 * who is asking before a handler runs, reads bodies within the size limit,
 * and turns every failure into a JSON error. A request never takes the
 * daemon down: a handler that throws gets a 500 and a log line.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorMessage } from '../core/errors';
import { parseListenAddress } from '../core/listen';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import { CSRF_HEADER, type HttpAuth } from './auth';
import { BASE_HEADERS, HttpError, mediaType, type HttpContext, type Principal } from './context';
import { HTTP_PORT } from './config';
import { RouteTable, type Handler, type Method, type RouteOptions, type Route } from './router';

export interface HttpServerOptions {
  listen: readonly string[];
  auth: HttpAuth;
  log: Logger;
  readRequiresLogin: boolean;
  maxBodyBytes: number;
}

const BASIC_CHALLENGE = 'Basic realm="upsagent", charset="UTF-8"';

export function remoteOf(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '?';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class HttpServer implements Module {
  readonly name = 'http';
  private readonly routes = new RouteTable();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly closers = new Set<() => void>();

  constructor(private readonly opts: HttpServerOptions) {}

  /** Adds a route; see Access in router.ts for who may call it. Register before start(). */
  route(method: Method, pattern: string, handler: Handler, options?: RouteOptions): void {
    this.routes.add(method, pattern, handler, options);
  }

  /** Every route, for the OpenAPI description. */
  routeList(): readonly Route[] {
    return this.routes.list();
  }

  /** Long-lived responses (event streams) register how to end them, so stop() does not wait for them. */
  onStop(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  async start(): Promise<void> {
    try {
      for (const text of this.opts.listen) {
        const addr = parseListenAddress(text, HTTP_PORT);
        if (typeof addr === 'string') throw new Error(addr);
        this.servers.push(await this.listenOn(addr.host, addr.port));
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    for (const a of this.addresses()) this.opts.log.info(`listening on http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/`);
  }

  async stop(): Promise<void> {
    for (const close of [...this.closers]) close();
    this.closers.clear();
    const all = this.servers.splice(0);
    const closed = Promise.all(all.map((s) => new Promise<void>((res) => s.close(() => res()))));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  addresses(): Array<{ host: string; port: number }> {
    return this.servers.map((s) => {
      const a = s.address() as AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  private listenOn(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => void this.handle(req, res));
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      server.keepAliveTimeout = 5_000;
      server.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      // A malformed request line or headers: answer 400 and close; never an exception.
      server.on('clientError', (_err, socket: Socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        else socket.destroy();
      });
      const onError = (err: Error): void => {
        server.close();
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host, port, ipv6Only: false }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.opts.log.error(`listener ${host}:${port}: ${errorMessage(err)}`));
        resolve(server);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = remoteOf(req);
    try {
      await this.dispatch(req, res, remote);
    } catch (err) {
      this.fail(req, res, err, remote);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, remote: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://upsagent.invalid');
    } catch {
      throw new HttpError(400, 'INVALID-ARGUMENT', 'the request target is not a valid path');
    }
    const method = req.method ?? 'GET';
    const m = this.routes.match(method, url.pathname);
    if (!m) throw new HttpError(404, 'NOT-FOUND', `no such resource: ${url.pathname}`);
    if ('allowed' in m) throw new HttpError(405, 'METHOD-NOT-ALLOWED', `${method} is not allowed here; use ${m.allowed.join(', ')}`, { Allow: m.allowed.join(', ') });
    const { route, params } = m;

    const who = this.opts.auth.identify(req, remote);
    const needsUser = route.access === 'user' || (route.access === 'read' && this.opts.readRequiresLogin);
    // A script or a typed-in address gets the Basic challenge; the page's own fetches (a browser says so in
    // Sec-Fetch-Mode, the page sends its CSRF header) do not, or the browser would pop up its login box.
    const mode = req.headers['sec-fetch-mode'];
    const fromPage = req.headers[CSRF_HEADER] !== undefined || (mode !== undefined && mode !== 'navigate');
    const challenge = fromPage ? {} : { 'WWW-Authenticate': BASIC_CHALLENGE };
    if (who.problem === 'throttled') throw new HttpError(429, 'TOO-MANY-FAILURES', 'too many failed logins from this address; try again in a minute', { 'Retry-After': '60' });
    // Wrong credentials are refused even where none are needed, so a mistyped token shows at once, not when reads start needing one.
    if (who.problem === 'invalid' && route.access !== 'public') throw new HttpError(401, 'ACCESS-DENIED', 'the credentials are not valid', challenge);
    if (needsUser && !who.principal) throw new HttpError(401, 'ACCESS-DENIED', 'this needs a login (HTTP Basic, a bearer token or the page session)', challenge);
    const unsafe = method !== 'GET' && method !== 'HEAD';
    if (unsafe) this.checkOrigin(req);
    // Public routes (login, logout, token) take JSON or Basic only, which another site cannot send without CORS.
    if (unsafe && route.access !== 'public' && who.principal?.via === 'session' && req.headers[CSRF_HEADER] !== who.csrf) {
      throw new HttpError(403, 'CSRF', 'a change made with the page session needs its X-CSRF-Token header');
    }

    const c = this.context(req, res, method, url, params, who.principal, remote, challenge);
    const result = await route.handler(c);
    if (!res.headersSent && !res.writableEnded) {
      if (result === undefined) c.send(204, '', 'text/plain');
      else c.sendJson(200, result);
    }
  }

  /**
   * Browsers send Origin on cross-site writes; one from another site is
   * refused, so a page elsewhere cannot use credentials the browser holds
   * (a cached Basic login) to run commands.
   */
  private checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = '';
    }
    if (host === '' || host !== req.headers.host) throw new HttpError(403, 'CROSS-ORIGIN', 'requests from another site are refused');
  }

  private context(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    params: Record<string, string>,
    principal: Principal | null,
    remote: string,
    challenge: OutgoingHttpHeaders,
  ): HttpContext {
    let body: Promise<Buffer> | undefined;
    const max = this.opts.maxBodyBytes;
    const send = (status: number, data: string | Buffer, contentType: string, headers: OutgoingHttpHeaders = {}): void => {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': contentType, 'Content-Length': buf.length, ...headers });
      res.end(method === 'HEAD' || status === 204 ? undefined : buf);
    };
    const c: HttpContext = {
      req,
      res,
      method,
      url,
      params,
      principal,
      remote,
      body: () => (body ??= readBody(req, max)),
      text: async () => (await c.body()).toString('utf8'),
      async json() {
        if (mediaType(req) !== 'application/json') throw new HttpError(415, 'INVALID-ARGUMENT', 'send the body as application/json');
        const text = await c.text();
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new HttpError(400, 'INVALID-ARGUMENT', 'the body is not valid JSON');
        }
      },
      send,
      sendJson: (status, value, headers) => send(status, `${JSON.stringify(value)}\n`, 'application/json; charset=utf-8', headers),
      requireUser() {
        if (!principal) throw new HttpError(401, 'ACCESS-DENIED', 'this needs a login (HTTP Basic, a bearer token or the page session)', challenge);
        return principal;
      },
    };
    return c;
  }

  private fail(req: IncomingMessage, res: ServerResponse, err: unknown, remote: string): void {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'internal error';
    let headers: OutgoingHttpHeaders = {};
    if (err instanceof HttpError) {
      ({ status, headers } = err);
      code = err.code;
      message = err.message;
    } else {
      // The path only (no query): nothing a client put in the URL reaches the log beyond the route.
      this.opts.log.error(`${req.method ?? '?'} ${(req.url ?? '').split('?')[0]} from ${remote} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body we refused to read (413) must not be read as the next request: close the connection.
    if (status === 413) headers = { ...headers, Connection: 'close' };
    const buf = Buffer.from(`${JSON.stringify({ error: code, message })}\n`, 'utf8');
    res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buf.length, ...headers });
    res.end(req.method === 'HEAD' ? undefined : buf);
    if (status === 413) res.on('finish', () => req.socket.destroySoon());
  }
}

/** Reads a body up to `max` bytes; past it, or with a Content-Length past it, 413 without reading the rest. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(max));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('aborted', () => reject(new HttpError(400, 'INVALID-ARGUMENT', 'the request was aborted')));
  });
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'TOO-LONG', `the body is larger than ${max} bytes (http.maxBodyBytes)`);
}
