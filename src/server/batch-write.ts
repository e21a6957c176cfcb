/**
 * One socket write for a batch of replies, without first copying them into
 * one new buffer.
 *
 * Measured (bench/flood-memory.ts, issue 12): a client that pipelines LIST
 * requests gets its replies in batches of ~16 KiB made of the cached LIST
 * Buffers. Joined with Buffer.concat, every batch was a fresh 16 KiB
 * ArrayBuffer in malloc's heap, garbage as soon as the kernel took it: 1,000
 * flooders made ~1.8 GB of them in seconds, V8 frees such buffers only every
 * 64 MB or so, and malloc's heap grew by ~100 MB that it never gave back to
 * the system (fragmented: glibc only returns its top). Corked, the parts go
 * out as one writev() of the buffers themselves: the same bytes in one
 * system call, nothing allocated for them.
 *
 * Strings alone are still joined (one V8 string, no malloc); a single reply
 * is written as it is, so the common path does not change.
 */
import type { Writable } from 'node:stream';

/** What Socket.write would say: false once what waits for the kernel is past the high-water mark. */
export function writeReplies(socket: Writable, parts: ReadonlyArray<string | Buffer>): boolean {
  if (parts.length === 1) return socket.write(parts[0]!);
  if (parts.every((p) => typeof p === 'string')) return socket.write(parts.join(''));
  socket.cork();
  let below = true;
  for (const p of parts) below = socket.write(p);
  socket.uncork();
  return below;
}
