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
 * Never trusted: input is bounded by the parser; output a client does not
 * read is bounded by maxOutputBytes, past which the client is dropped.
 */
import type { Socket } from 'node:net';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import { loggable, runCommand } from './commands';
import { RequestParser } from './parser';
import { ERR } from './replies';
import type { Reply, ServerContext, Session } from './session';

/** Replies are flushed at least this often while a long pipelined chunk is worked through. */
const FLUSH_BYTES = 64 * 1024;

export interface ConnectionOptions {
  /** Output a client may leave unread before it is dropped. */
  maxOutputBytes: number;
  log: Logger;
  onClose: (c: ClientConnection) => void;
}

/** upsd prints plain IPv4 addresses; a dual-stack listener reports them IPv4-mapped. */
export function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class ClientConnection {
  readonly session: Session;
  /** Store-clock time of the last complete request (upsd's last_heard). */
  lastHeard: number;
  private readonly parser = new RequestParser();
  /** Input not yet parsed; the first one from `pos` on. */
  private readonly input: Buffer[] = [];
  private pos = 0;
  private busy = false;
  private peerEnded = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
    private readonly opts: ConnectionOptions,
  ) {
    this.session = ctx.sessions.open(clientAddress(socket));
    this.lastHeard = ctx.clock();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // After LOGOUT the client is being hung up on: nothing more is read.
      if (this.session.logout) return;
      this.input.push(chunk);
      if (!this.busy) this.pump();
    });
    socket.on('end', () => {
      this.peerEnded = true;
      if (!this.busy) this.pump();
    });
    // ECONNRESET, EPIPE...: the 'close' that follows does the cleanup.
    socket.on('error', (err) => opts.log.debug(`client ${this.session.addr}: ${errorMessage(err)}`));
    socket.on('close', () => this.cleanup());
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
    this.ctx.sessions.close(this.session);
    this.opts.onClose(this);
  }

  private pump(): void {
    const out: Reply[] = [];
    let outBytes = 0;
    while (this.input.length && !this.closed) {
      const buf = this.input[0]!;
      while (this.pos < buf.length) {
        this.pos = this.parser.next(buf, this.pos);
        const line = this.parser.take();
        if (!line) continue;
        this.lastHeard = this.ctx.clock();
        const reply = line.kind === 'tooLong' ? ERR['UNKNOWN-COMMAND'] : this.run(line.words);
        if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
          out.push(reply);
          outBytes += reply.length;
          if (outBytes >= FLUSH_BYTES) {
            if (!this.write(out)) return;
            outBytes = 0;
          }
          continue;
        }
        // Waits for a driver: send what we have, hold everything after it.
        if (!this.write(out)) return;
        this.wait(reply);
        return;
      }
      this.input.shift();
      this.pos = 0;
      // upsd finishes the chunk that held LOGOUT, then hangs up.
      if (this.session.logout) break;
    }
    if (!this.write(out)) return;
    if (this.session.logout) this.hangUp();
    else if (this.peerEnded && !this.input.length) this.socket.end();
  }

  private run(words: string[]): Reply | Promise<Reply> {
    try {
      return runCommand(this.ctx, this.session, words);
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
        this.socket.resume();
        this.pump();
      })
      .catch((err: unknown) => this.opts.log.error(`client ${this.session.addr}: ${errorMessage(err)}`));
  }

  /** One socket write for all pending replies; false when the client was dropped. */
  private write(parts: Reply[]): boolean {
    if (this.closed) return false;
    if (parts.length === 0) return true;
    let data: Reply;
    if (parts.length === 1) data = parts[0]!;
    else if (parts.every((p) => typeof p === 'string')) data = parts.join('');
    else data = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    parts.length = 0;
    this.socket.write(data);
    if (this.socket.writableLength > this.opts.maxOutputBytes) {
      this.opts.log.warn(`client ${this.session.addr} does not read its replies; dropped`);
      this.close('output not read');
      return false;
    }
    return true;
  }

  /** After LOGOUT: flush, send FIN, then close for good. */
  private hangUp(): void {
    this.socket.end(() => this.socket.destroy());
  }
}
