/**
 * One client connection: bytes in through the request parser, each request
 * through the command table, replies out.
 *
 * Replies to every request found in one chunk of input are written with ONE
 * socket write (upsd writes every LIST line on its own and stalls on Nagle's
 * algorithm; we also turn Nagle off). A request that waits for a driver
 * (SET VAR, INSTCMD) pauses the connection: replies stay in request order and
 * nothing more is read until it is answered.
 *
 * Never trusted, and bounded by design:
 * - input: the parser keeps at most 32 words of 512 bytes;
 * - output: once the replies waiting for a client pass the socket's
 *   high-water mark (16 KiB), that client is paused: nothing more is read or
 *   answered until the kernel has taken its replies ('drain'), so a client
 *   that does not read stops costing more than that;
 * - all clients together: a connection left holding bytes after a write
 *   (unread replies, unparsed input) is tracked by the server's
 *   OutputBudget; when the sum is over the limit, the client whose write
 *   left bytes unsent is dropped. A client that reads its replies holds
 *   nothing after its writes and is never dropped for others' sake.
 */
import type { Socket } from 'node:net';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import { loggable, runCommand } from './commands';
import type { Holder, OutputBudget } from './output-budget';
import { writeReplies } from './batch-write';
import { directReads } from './direct-read';
import { cachedLine, type CachedLine, type LineWords, MAX_CACHED_LINE, rememberLine, repeats } from './line-cache';
import { READ_SIZE, RequestParser } from './parser';
import type { RateLimitedLog } from './rate-limited-log';
import { ERR } from './replies';
import type { Reply, ServerContext, Session } from './session';
import { describeSession, upgradeToTls } from './tls';

/** Replies are written at least this often while a long pipelined chunk is worked through (the socket's high-water mark). */
const FLUSH_BYTES = 16 * 1024;
const NL = 0x0a;

export interface ConnectionOptions {
  /** What all clients together may hold. */
  budget: OutputBudget;
  log: Logger;
  /** For warnings that a flood would repeat (dropped clients, parse errors). */
  warnings: RateLimitedLog;
  onClose: (c: ClientConnection) => void;
}

/** upsd prints plain IPv4 addresses; a dual-stack listener reports them IPv4-mapped. */
export function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class ClientConnection implements Holder {
  readonly session: Session;
  /** Store-clock time of the last complete request (upsd's last_heard). */
  lastHeard: number;
  /**
   * Made for a line the line cache does not know and dropped when it is
   * back at a line start: a client that polls with known lines (most) keeps
   * none, and 1,000 such clients do not keep 1,000 word buffers.
   */
  private parser: RequestParser | undefined;
  /** Input not yet parsed; the first one from `pos` on. */
  private readonly input: Buffer[] = [];
  private pos = 0;
  /** Bytes of `input` not yet parsed. */
  private inputBytes = 0;
  private busy = false;
  /** The cached line this client sent last: most clients send it again (line-cache.ts, repeats). */
  private lastLine: CachedLine | undefined;
  /** Paused until the kernel takes our replies ('drain'). */
  private stalled = false;
  private peerEnded = false;
  private closed = false;

  /** The client's socket; after STARTTLS, the TLS session over it. */
  private socket: Socket;

  constructor(
    socket: Socket,
    private readonly ctx: ServerContext,
    private readonly opts: ConnectionOptions,
  ) {
    this.session = ctx.sessions.open(clientAddress(socket));
    this.lastHeard = ctx.clock();
    this.socket = directReads(socket, this.onData);
    this.socket.setNoDelay(true);
    this.attach(this.socket);
  }

  private readonly onData = (chunk: Buffer): void => {
    // After LOGOUT the client is being hung up on: nothing more is read.
    if (this.session.logout) return;
    this.input.push(chunk);
    this.inputBytes += chunk.length;
    if (!this.busy && !this.stalled) this.pump();
    else this.opts.budget.track(this);
    // The chunk may live in the buffer every connection reads into (direct-read.ts): what is left of it is copied now.
    if (this.input.at(-1) === chunk) this.keepRest();
  };

  private readonly onEnd = (): void => {
    this.peerEnded = true;
    if (!this.busy && !this.stalled) this.pump();
  };

  private readonly onDrain = (): void => this.unstall();

  // ECONNRESET, EPIPE...: the 'close' that follows does the cleanup.
  private readonly onError = (err: Error): void => this.opts.log.debug(`client ${this.session.addr}: ${errorMessage(err)}`);

  private readonly onSocketClose = (): void => this.cleanup();

  /** The socket's events other than its reads (see the constructor and startTls). */
  private attach(socket: Socket): void {
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: Socket): void {
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
    socket.off('error', this.onError);
    socket.off('close', this.onSocketClose);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Drops the client at once (idle, too slow, server stopping). */
  close(why: string): void {
    if (this.closed) return;
    this.opts.log.debug(`dropping client ${this.session.addr}: ${why}`);
    this.socket.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.length = 0;
    this.inputBytes = 0;
    if (this.stalled) this.opts.budget.paused--;
    this.stalled = false;
    this.opts.budget.forget(this);
    this.ctx.sessions.close(this.session);
    this.opts.onClose(this);
  }

  private pump(): void {
    const out: Reply[] = [];
    let outBytes = 0;
    // The requests of one pump arrived together: one clock read serves them all.
    let now: number | undefined;
    while (this.input.length && !this.closed) {
      const buf = this.input[0]!;
      while (this.pos < buf.length) {
        const from = this.pos;
        // A line seen before, whole in this buffer, skips the parser (line-cache.ts).
        let key: string | undefined;
        let nl = -1;
        let known: CachedLine | undefined;
        let request: LineWords;
        if (this.parser === undefined || this.parser.atLineStart()) {
          const last = this.lastLine;
          if (last !== undefined && repeats(last, buf, from)) {
            known = last;
            nl = from + last.bytes.length;
          } else {
            nl = buf.indexOf(NL, from);
            if (nl >= 0 && nl - from <= MAX_CACHED_LINE) {
              key = buf.toString('latin1', from, nl);
              known = cachedLine(key);
              if (known) this.lastLine = known;
            }
          }
        }
        if (known) {
          this.pos = nl + 1;
          this.inputBytes -= this.pos - from;
          request = known;
        } else {
          const parser = (this.parser ??= new RequestParser());
          this.pos = parser.next(buf, from);
          this.inputBytes -= this.pos - from;
          const line = parser.take();
          if (parser.atLineStart()) this.parser = undefined;
          if (!line) continue;
          if (line.kind === 'error') {
            // upsd logs it (NOTICE) and answers nothing.
            this.opts.warnings.info('parse-error', `parse error from ${this.session.addr}: ${line.message}`);
            continue;
          }
          // Started at a line start and ended at that newline: the words depend on these bytes only.
          if (key !== undefined && this.pos === nl + 1) request = this.lastLine = rememberLine(key, line.words);
          else request = { words: line.words, args: line.words.slice(1) };
        }
        this.lastHeard = now ??= this.ctx.clock();
        const reply = this.run(request);
        if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
          out.push(reply);
          outBytes += reply.length;
          if (this.session.tls === 'starting') {
            this.startTls(out);
            return;
          }
          if (outBytes >= FLUSH_BYTES) {
            if (!this.write(out)) return;
            outBytes = 0;
            if (this.stalled) return;
          }
          continue;
        }
        // Waits for a driver: send what we have, hold everything after it.
        if (!this.write(out)) return;
        this.wait(reply);
        return;
      }
      // Mostly the only buffer: pop() is the fast way to empty the array, shift() is not.
      if (this.input.length === 1) this.input.pop();
      else this.input.shift();
      this.pos = 0;
      // upsd finishes the chunk that held LOGOUT, then hangs up.
      if (this.session.logout) break;
    }
    if (!this.write(out)) return;
    if (this.session.logout) this.hangUp();
    else if (this.peerEnded && !this.input.length) this.socket.end();
  }

  private run({ words, args }: LineWords): Reply | Promise<Reply> {
    try {
      return runCommand(this.ctx, this.session, words, args);
    } catch (err) {
      // A bug in a handler must cost this request, not the daemon.
      this.opts.log.error(`request "${loggable(words)}" from ${this.session.addr} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return ERR['UNKNOWN-COMMAND'];
    }
  }

  private wait(reply: Promise<Reply>): void {
    this.busy = true;
    this.socket.pause();
    reply
      .catch((err: unknown) => {
        this.opts.log.error(`request from ${this.session.addr} failed: ${errorMessage(err)}`);
        return ERR['UNKNOWN-COMMAND'];
      })
      .then((text) => {
        this.busy = false;
        if (this.closed) return;
        if (!this.write([text])) return;
        // A stalled client goes on at 'drain'.
        if (this.stalled) return;
        this.socket.resume();
        this.pump();
      })
      .catch((err: unknown) => this.opts.log.error(`client ${this.session.addr}: ${errorMessage(err)}`));
  }

  /** One socket write for all pending replies; false when the client was dropped. */
  private write(parts: Reply[]): boolean {
    if (this.closed) return false;
    if (parts.length === 0) return true;
    // Several replies go out as one writev of the parts themselves (batch-write.ts says why).
    const below = writeReplies(this.socket, parts);
    parts.length = 0;
    // The common case: the kernel took it all at once, and this client holds nothing.
    if (this.socket.writableLength === 0) return true;
    const budget = this.opts.budget;
    budget.track(this);
    if (!below && !this.stalled) {
      this.stalled = true;
      budget.paused++;
      this.socket.pause();
      this.compactInput();
    }
    // Over budget: whoever is not keeping up goes; a client whose replies left at once stays.
    if (budget.exceeded) {
      budget.dropped++;
      this.opts.warnings.warn(
        'output-not-read',
        `client ${this.session.addr} does not read its replies; dropped (${budget.bytes} bytes held by all clients, server.maxOutputBytes ${budget.limit})`,
      );
      this.close('output not read');
      return false;
    }
    return true;
  }

  /** The kernel took our replies: read and answer again. */
  private unstall(): void {
    if (!this.stalled || this.closed) return;
    this.stalled = false;
    this.opts.budget.paused--;
    if (this.busy) return;
    this.socket.resume();
    this.pump();
  }

  /** What this client holds now: unread replies plus unparsed input. */
  heldBytes(): number {
    return this.closed ? 0 : this.socket.writableLength + this.inputBytes;
  }

  /** The last chunk read is still needed: keep a copy of what is left of it. */
  private keepRest(): void {
    const last = this.input.length - 1;
    if (last === 0) this.compactInput();
    else this.input[last] = Buffer.from(this.input[last]!);
  }

  /**
   * While paused, keep a copy of what is left of the current buffer, not the
   * whole buffer it is a slice of. The copy starts on a READ_SIZE boundary so
   * a parse error still loses exactly the rest of its window.
   */
  private compactInput(): void {
    const first = this.input[0];
    if (!first) return;
    const from = this.pos - (this.pos % READ_SIZE);
    this.input[0] = Buffer.from(first.subarray(from));
    this.pos -= from;
  }

  /**
   * STARTTLS was answered OK: send it in clear, then the handshake. What the
   * client sent after STARTTLS arrived before the handshake and is not
   * trusted (a man in the middle could have put it there): dropped, as
   * every STARTTLS server must.
   */
  private startTls(out: Reply[]): void {
    this.input.length = 0;
    this.inputBytes = 0;
    this.pos = 0;
    if (!this.write(out)) return;
    const plain = this.socket;
    this.detach(plain);
    // A 'drain' awaited on the plain socket will not come: the TLS socket takes over what it had to send.
    if (this.stalled) {
      this.stalled = false;
      this.opts.budget.paused--;
    }
    this.busy = true;
    plain.on('error', () => undefined);
    this.socket = upgradeToTls(plain, this.ctx.tls!.current(), {
      onSecure: (secure) => {
        this.session.tls = 'on';
        this.busy = false;
        this.opts.log.debug(`client ${this.session.addr}: TLS session up (${describeSession(secure)})`);
        if (!this.closed && this.input.length) this.pump();
      },
      onFail: (why) => this.opts.warnings.info('tls-handshake', `client ${this.session.addr}: ${why}`),
    });
    this.socket.on('data', this.onData);
    this.attach(this.socket);
  }

  /** After LOGOUT: flush, send FIN, then close for good. */
  private hangUp(): void {
    this.socket.end(() => this.socket.destroy());
  }
}
