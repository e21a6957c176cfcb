/**
 * A promise-based client for the NUT network protocol (upsd, protocol 1.3).
 *
 * Requests are written as soon as they are made and their replies matched in
 * order: upsd answers each line in the order it reads them, so pipelining is
 * safe and saves a round trip per request. One-line replies and
 * `BEGIN LIST` ... `END LIST` blocks are both handled; `ERR` replies reject
 * with NutProtocolError; a lost or failed connection rejects with
 * NutConnectionError; anything that is not a valid reply rejects with
 * NutResponseError (and closes the connection, since replies can no longer
 * be matched to requests).
 */
import { connect as netConnect, type LookupFunction, type Socket } from 'node:net';
import { nodeTls } from '../core/lazy-builtins';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { formatLine, parseErrorLine, splitWords } from '../protocol/wire';
import { NutClientError, NutConnectionError, NutProtocolError, NutResponseError, NutTlsError } from './errors';
import { LineReader } from './line-reader';

export const DEFAULT_HOST = 'localhost';
export const DEFAULT_PORT = 3493;
const DEFAULT_TIMEOUT_MS = 10_000;
/** upsd's replies are short; a longer line means the peer is not a NUT server. */
const DEFAULT_MAX_LINE = 64 * 1024;

export interface NutClientOptions {
  host?: string;
  port?: number;
  /** Limit for connecting and for each reply to arrive, in ms; 0 waits forever. Default 10 s. */
  timeoutMs?: number;
  /** Longest reply line accepted; default 64 KiB. */
  maxLineLength?: number;
  /** Resolves a host name (default: the system's, dns.lookup); tests give a fake instead of asking DNS. */
  lookup?: LookupFunction;
}

/** Options for the TLS session STARTTLS opens. */
export interface StartTlsOptions {
  /**
   * Check the server's certificate. Off by default, as in NUT's clients
   * without CERTVERIFY: STARTTLS then protects against eavesdropping only.
   */
  rejectUnauthorized?: boolean;
  ca?: TlsOptions['ca'];
  servername?: string;
}

/** An `OK` answer to SET VAR or INSTCMD; `tracking` is set when tracking is on. */
export interface OkReply {
  line: string;
  tracking?: string;
}

interface Pending {
  kind: 'line' | 'list';
  /** The request as sent (password masked), for messages. */
  request: string;
  /** list: the words each list line must start with (the query). */
  echo: readonly string[];
  /** line: hand `ERR` lines back instead of rejecting (GET TRACKING answers `ERR UNKNOWN`). */
  rawErr: boolean;
  begun: boolean;
  rows: string[][];
  resolve(value: unknown): void;
  reject(err: Error): void;
}

function maskSecret(words: readonly string[]): string {
  return words[0]?.toUpperCase() === 'PASSWORD' ? 'PASSWORD ***' : formatLine(words);
}

/** Splits a reply line; upsd passes UTF-8 text through, so keep it. */
function words(line: string): string[] | null {
  return splitWords(line, { keepNonAscii: true });
}

function sameWords(expected: readonly string[], got: readonly string[]): boolean {
  return expected.every((w, i) => got[i] !== undefined && got[i]!.toLowerCase() === w.toLowerCase());
}

function connectError(err: NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }, host: string, port: number): NutConnectionError {
  // With several addresses (localhost = ::1 and 127.0.0.1) Node may report an AggregateError.
  const code = err.code ?? err.errors?.[0]?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return new NutConnectionError('no-such-host', `${host}: no such host`, code);
  }
  return new NutConnectionError('connect', `cannot connect to ${host}:${port}: ${err.message}`, code);
}

export class NutClient {
  private socket: Socket;
  private readonly reader: LineReader;
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Set once the connection is unusable; later requests reject with it. */
  private failure: NutClientError | undefined;
  private closing = false;
  private readonly closeListeners: Array<(err?: NutClientError) => void> = [];
  private closedPromise: Promise<void>;
  private tlsActive = false;

  /** Host and port this client talks to. */
  readonly host: string;
  readonly port: number;
  private readonly timeoutMs: number;

  /** Opens a TCP connection to upsd; rejects with NutConnectionError. */
  static connect(opts: NutClientOptions = {}): Promise<NutClient> {
    const host = opts.host ?? DEFAULT_HOST;
    const port = opts.port ?? DEFAULT_PORT;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          socket.destroy();
          reject(new NutConnectionError('connect-timeout', `no connection to ${host}:${port} within ${timeoutMs} ms`, 'ETIMEDOUT'));
        }, timeoutMs);
      }
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(connectError(err, host, port));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new NutClient(socket, { ...opts, host, port, timeoutMs }));
      });
    });
  }

  private constructor(socket: Socket, opts: Required<Pick<NutClientOptions, 'host' | 'port' | 'timeoutMs'>> & NutClientOptions) {
    this.socket = socket;
    this.host = opts.host;
    this.port = opts.port;
    this.timeoutMs = opts.timeoutMs;
    this.reader = new LineReader(opts.maxLineLength ?? DEFAULT_MAX_LINE);
    // Requests are single small writes; do not let Nagle hold them back.
    socket.setNoDelay(true);
    this.closedPromise = this.attach(socket);
  }

  /** Wires a socket's events to this client; resolves when it closes. */
  private attach(socket: Socket): Promise<void> {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    return new Promise((resolve) => {
      socket.once('close', () => {
        this.handleClose();
        resolve();
      });
    });
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.removeAllListeners('close');
  }

  /** True until the connection is closed or has failed. */
  get isOpen(): boolean {
    return this.failure === undefined && !this.closing && !this.socket.destroyed;
  }

  /** True after a successful startTls(). */
  get secure(): boolean {
    return this.tlsActive;
  }

  /** Calls `fn` once when the connection ends; `err` says why when it was not close(). */
  onClose(fn: (err?: NutClientError) => void): void {
    this.closeListeners.push(fn);
  }

  // ---- socket events ----

  private readonly onData = (chunk: Buffer): void => {
    const lines = this.reader.push(chunk);
    if (lines === null) {
      this.fail(new NutResponseError('protocol', 'reply line too long: the server is not speaking the NUT protocol'));
      return;
    }
    for (const line of lines) {
      if (this.failure) return;
      this.onLine(line);
    }
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(new NutConnectionError('io', `connection to ${this.host}:${this.port} failed: ${err.message}`, err.code));
  };

  private handleClose(): void {
    clearTimeout(this.timer);
    // Why it ended, for listeners: nothing when we closed it ourselves.
    const reason = this.failure ?? (this.closing ? undefined : new NutConnectionError('closed', `${this.host}:${this.port} closed the connection`));
    this.failure ??= reason ?? new NutConnectionError('local-close', 'the connection is closed');
    this.rejectAll(this.failure);
    for (const fn of this.closeListeners.splice(0)) fn(reason);
  }

  private onLine(line: string): void {
    const head = this.pending[0];
    if (!head) {
      // After close() the server may still say "OK Goodbye"; otherwise a line
      // nobody asked for means we no longer know which reply is which.
      if (!this.closing) this.fail(new NutResponseError('protocol', `unexpected line from the server: ${JSON.stringify(line)}`, line));
      return;
    }
    if (head.kind === 'line') {
      this.pending.shift();
      const err = head.rawErr ? null : parseErrorLine(line);
      if (err) head.reject(new NutProtocolError(line, err.code, err.extra, head.request));
      else head.resolve(line);
      this.armTimer();
      return;
    }
    // A LIST reply.
    if (!head.begun) {
      const err = parseErrorLine(line);
      if (err) {
        this.pending.shift();
        head.reject(new NutProtocolError(line, err.code, err.extra, head.request));
        this.armTimer();
        return;
      }
      const w = words(line);
      if (!w || w.length < 2 || !sameWords(['BEGIN', 'LIST', ...head.echo], w)) {
        this.fail(new NutResponseError('protocol', `${head.request}: expected "BEGIN LIST ${head.echo.join(' ')}", got ${JSON.stringify(line)}`, line));
        return;
      }
      head.begun = true;
      this.armTimer();
      return;
    }
    const w = words(line);
    if (w === null) {
      this.fail(new NutResponseError('parse', `unbalanced quotes in ${JSON.stringify(line)}`, line));
      return;
    }
    if (w[0] === 'END' && w[1] === 'LIST') {
      this.pending.shift();
      head.resolve(head.rows);
      this.armTimer();
      return;
    }
    if (!sameWords(head.echo, w)) {
      const err = parseErrorLine(line);
      this.fail(
        err
          ? new NutProtocolError(line, err.code, err.extra, head.request)
          : new NutResponseError('protocol', `${head.request}: list line does not start with "${head.echo.join(' ')}": ${JSON.stringify(line)}`, line),
      );
      return;
    }
    head.rows.push(w);
    // A long LIST arrives line by line: each line proves the server is alive.
    this.armTimer();
  }

  // ---- timers and failure ----

  /** (Re)starts the reply timer for the request at the head of the queue. */
  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.timeoutMs <= 0 || this.pending.length === 0) return;
    this.timer = setTimeout(() => {
      this.fail(new NutConnectionError('timeout', `no reply from ${this.host}:${this.port} within ${this.timeoutMs} ms`, 'ETIMEDOUT'));
    }, this.timeoutMs);
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  /** The connection can no longer be trusted: reject everything and drop it. */
  private fail(err: NutClientError): void {
    if (this.failure) return;
    this.failure = err;
    clearTimeout(this.timer);
    this.rejectAll(err);
    this.socket.destroy();
  }

  // ---- raw requests ----

  private send(kind: Pending['kind'], request: string | readonly string[], echo: readonly string[], rawErr = false): Promise<unknown> {
    const line = typeof request === 'string' ? request : formatLine(request);
    const shown = typeof request === 'string' ? maskSecret(request.split(' ')) : maskSecret(request);
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new NutConnectionError('local-close', `${shown}: the connection is closed`));
    if (/[\r\n]/.test(line)) return Promise.reject(new NutClientError('INVALID-ARGUMENT', `${shown}: a request cannot contain a line break`));
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, request: shown, echo, rawErr, begun: false, rows: [], resolve, reject });
      if (this.pending.length === 1) this.armTimer();
      this.socket.write(`${line}\n`);
    });
  }

  /**
   * Sends one request and returns the one-line reply. Words are quoted as
   * needed; a string is sent as it is. `ERR` replies reject with
   * NutProtocolError unless `rawErr` is set.
   */
  request(request: string | readonly string[], opts: { rawErr?: boolean } = {}): Promise<string> {
    return this.send('line', request, [], opts.rawErr ?? false) as Promise<string>;
  }

  /** Sends `LIST <query...>` and returns the words of each line between BEGIN and END. */
  list(query: readonly string[]): Promise<string[][]> {
    return this.send('list', ['LIST', ...query], query) as Promise<string[][]>;
  }

  /** GET <query...>: checks that the reply echoes the query and returns its remaining words. */
  private async get(query: readonly string[]): Promise<string[]> {
    const line = await this.request(['GET', ...query]);
    const w = words(line);
    if (!w || w.length <= query.length || !sameWords(query, w)) {
      throw new NutResponseError('protocol', `GET ${query.join(' ')}: unexpected reply ${JSON.stringify(line)}`, line);
    }
    return w.slice(query.length);
  }

  private static need(rows: string[][], n: number, what: string): void {
    for (const r of rows) {
      if (r.length < n) throw new NutResponseError('protocol', `${what}: insufficient data (got ${r.length} args, need at least ${n})`, r.join(' '));
    }
  }

  private async expectOk(request: readonly string[]): Promise<OkReply> {
    const line = await this.request(request);
    if (!/^OK\b/.test(line)) throw new NutResponseError('protocol', `${maskSecret(request)}: unexpected reply ${JSON.stringify(line)}`, line);
    const m = /^OK TRACKING (\S+)$/.exec(line);
    return m ? { line, tracking: m[1]! } : { line };
  }

  // ---- typed helpers ----

  /** `VER`: the server's banner, e.g. "Network UPS Tools upsd 2.8.0 - ...". */
  ver(): Promise<string> {
    return this.request(['VER']);
  }

  /** `NETVER`: the protocol version, e.g. "1.3". */
  netVer(): Promise<string> {
    return this.request(['NETVER']);
  }

  /** `HELP`: the list of commands the server admits to. */
  help(): Promise<string> {
    return this.request(['HELP']);
  }

  /** `LIST UPS`: [name, description] in the server's order. */
  async listUps(): Promise<Array<[string, string]>> {
    const rows = await this.list(['UPS']);
    NutClient.need(rows, 3, 'LIST UPS');
    return rows.map((r) => [r[1]!, r[2]!]);
  }

  /** `LIST VAR ups`: [name, value] in the server's order. */
  async listVars(ups: string): Promise<Array<[string, string]>> {
    const rows = await this.list(['VAR', ups]);
    NutClient.need(rows, 4, 'LIST VAR');
    return rows.map((r) => [r[2]!, r[3]!]);
  }

  /** `LIST RW ups`: writable variables as [name, value]. */
  async listRw(ups: string): Promise<Array<[string, string]>> {
    const rows = await this.list(['RW', ups]);
    NutClient.need(rows, 4, 'LIST RW');
    return rows.map((r) => [r[2]!, r[3]!]);
  }

  /** `LIST CMD ups`: instant command names. */
  async listCmd(ups: string): Promise<string[]> {
    const rows = await this.list(['CMD', ups]);
    NutClient.need(rows, 3, 'LIST CMD');
    return rows.map((r) => r[2]!);
  }

  /** `LIST ENUM ups var`: the values a variable may take. */
  async listEnum(ups: string, name: string): Promise<string[]> {
    const rows = await this.list(['ENUM', ups, name]);
    NutClient.need(rows, 4, 'LIST ENUM');
    return rows.map((r) => r[3]!);
  }

  /** `LIST RANGE ups var`: [min, max] pairs as sent. */
  async listRange(ups: string, name: string): Promise<Array<[string, string]>> {
    const rows = await this.list(['RANGE', ups, name]);
    NutClient.need(rows, 5, 'LIST RANGE');
    return rows.map((r) => [r[3]!, r[4]!]);
  }

  /** `LIST CLIENT ups`: addresses of the clients logged in to a UPS. */
  async listClients(ups: string): Promise<string[]> {
    const rows = await this.list(['CLIENT', ups]);
    NutClient.need(rows, 3, 'LIST CLIENT');
    return rows.map((r) => r[2]!);
  }

  async getVar(ups: string, name: string): Promise<string> {
    return (await this.get(['VAR', ups, name]))[0]!;
  }

  /** `GET TYPE`: the type words, e.g. ["RW", "STRING:32"] or ["NUMBER"]. */
  async getType(ups: string, name: string): Promise<string[]> {
    return this.get(['TYPE', ups, name]);
  }

  async getDesc(ups: string, name: string): Promise<string> {
    return (await this.get(['DESC', ups, name]))[0]!;
  }

  async getCmdDesc(ups: string, cmd: string): Promise<string> {
    return (await this.get(['CMDDESC', ups, cmd]))[0]!;
  }

  async getUpsDesc(ups: string): Promise<string> {
    return (await this.get(['UPSDESC', ups]))[0]!;
  }

  async getNumLogins(ups: string): Promise<number> {
    const v = (await this.get(['NUMLOGINS', ups]))[0]!;
    if (!/^\d+$/.test(v)) throw new NutResponseError('protocol', `GET NUMLOGINS ${ups}: not a number: ${JSON.stringify(v)}`, v);
    return Number(v);
  }

  /** `SET VAR`; needs USERNAME and PASSWORD first. */
  setVar(ups: string, name: string, value: string): Promise<OkReply> {
    return this.expectOk(['SET', 'VAR', ups, name, value]);
  }

  /** `INSTCMD ups cmd [param]`; needs USERNAME and PASSWORD first. */
  instCmd(ups: string, cmd: string, param?: string): Promise<OkReply> {
    return this.expectOk(param === undefined ? ['INSTCMD', ups, cmd] : ['INSTCMD', ups, cmd, param]);
  }

  async username(name: string): Promise<void> {
    await this.expectOk(['USERNAME', name]);
  }

  async password(secret: string): Promise<void> {
    await this.expectOk(['PASSWORD', secret]);
  }

  /** `LOGIN ups`: counts this connection as a upsmon client of the UPS. */
  async login(ups: string): Promise<void> {
    await this.expectOk(['LOGIN', ups]);
  }

  /**
   * `PRIMARY ups` (protocol 1.3); falls back to `MASTER` for servers older
   * than NUT 2.8 that do not know the new word.
   */
  async primary(ups: string): Promise<string> {
    try {
      return (await this.expectOk(['PRIMARY', ups])).line;
    } catch (err) {
      if (err instanceof NutProtocolError && err.code === 'UNKNOWN-COMMAND') return this.master(ups);
      throw err;
    }
  }

  async master(ups: string): Promise<string> {
    return (await this.expectOk(['MASTER', ups])).line;
  }

  /** `FSD ups`: sets the forced-shutdown flag. */
  async fsd(ups: string): Promise<void> {
    await this.expectOk(['FSD', ups]);
  }

  async setTracking(on: boolean): Promise<void> {
    await this.expectOk(['SET', 'TRACKING', on ? 'ON' : 'OFF']);
  }

  /**
   * `GET TRACKING` (ON/OFF) or `GET TRACKING id` (PENDING, SUCCESS, or an
   * `ERR ...` result line, returned as it is rather than thrown).
   */
  getTracking(id?: string): Promise<string> {
    return this.request(id === undefined ? ['GET', 'TRACKING'] : ['GET', 'TRACKING', id], { rawErr: id !== undefined });
  }

  /**
   * Tries `STARTTLS`, as NUT's clients do. Returns false when the server
   * answers ERR (no certificate configured: carry on in plain text), true once
   * the TLS session is up. Call it first, with no other request outstanding.
   */
  async startTls(opts: StartTlsOptions = {}): Promise<boolean> {
    if (this.tlsActive) return true;
    if (this.pending.length) throw new NutClientError('INVALID-ARGUMENT', 'STARTTLS must be sent with no other request outstanding');
    let line: string;
    try {
      line = await this.request(['STARTTLS']);
    } catch (err) {
      if (err instanceof NutProtocolError) return false;
      throw err;
    }
    if (!line.startsWith('OK STARTTLS')) throw new NutResponseError('protocol', `STARTTLS: unexpected reply ${JSON.stringify(line)}`, line);
    const plain = this.socket;
    this.detach(plain);
    // node:tls only now: most clients never STARTTLS (lazy-builtins.ts).
    const { connect: tlsConnect } = nodeTls();
    const secure = tlsConnect({
      socket: plain,
      rejectUnauthorized: opts.rejectUnauthorized ?? false,
      ca: opts.ca,
      servername: opts.servername ?? (/^[\d.:]+$/.test(this.host) ? undefined : this.host),
    });
    // The TLS socket is this client's from now on, so a failed handshake closes the client too.
    this.socket = secure;
    const handshake = new Promise<void>((resolve, reject) => {
      const onErr = (err: Error): void => {
        this.fail(new NutTlsError('handshake', `TLS handshake with ${this.host}:${this.port} failed: ${err.message}`));
        reject(this.failure ?? err);
      };
      // Before attach(): the handshake's error is reported as one, not as a read error.
      secure.once('error', onErr);
      secure.once('secureConnect', () => {
        secure.off('error', onErr);
        resolve();
      });
      secure.once('close', () => reject(this.failure ?? new NutTlsError('handshake', `${this.host}:${this.port} closed the connection during the TLS handshake`)));
    });
    this.closedPromise = this.attach(secure);
    await handshake;
    this.tlsActive = true;
    return true;
  }

  /** `LOGOUT`: the server says goodbye and closes the connection. */
  async logout(): Promise<void> {
    const line = await this.request(['LOGOUT']);
    this.closing = true;
    if (!line.startsWith('OK')) throw new NutResponseError('protocol', `LOGOUT: unexpected reply ${JSON.stringify(line)}`, line);
    this.socket.end();
    await this.closedPromise;
  }

  /**
   * Ends the session politely (LOGOUT, as upsclient does on disconnect) and
   * closes the socket. Outstanding requests reject. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closing || this.socket.destroyed) {
      await this.closedPromise;
      return;
    }
    this.closing = true;
    this.rejectAll(new NutConnectionError('local-close', 'the connection was closed before the reply came'));
    clearTimeout(this.timer);
    if (!this.failure) this.socket.write('LOGOUT\n');
    this.socket.end();
    // A peer that never closes its side must not keep us waiting.
    const t = setTimeout(() => this.socket.destroy(), 1000);
    t.unref();
    await this.closedPromise;
    clearTimeout(t);
  }

  /** Drops the connection at once, without LOGOUT. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }
}
