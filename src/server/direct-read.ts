/**
 * Reads of client sockets straight into one buffer shared by every
 * connection, handed to the connection by a direct call.
 *
 * Why: a NUT client's requests are a few bytes each and there is one read per
 * request. Node's default read path allocates a 64 KiB buffer for every read,
 * shrinks it, wraps it and passes it through the Readable stream machinery to
 * a 'data' event; measured on GET VAR that is about a third of the server's
 * user-space time per request. Node's documented `onread` socket option
 * (read into a given buffer, call back directly) skips all of it, and a
 * paused socket still stops reading (backpressure works as before). Node
 * offers it only for sockets it creates, so an accepted connection (the
 * server must be created with `pauseOnConnect`, so nothing is read yet) is
 * taken over by a new Socket on the same handle, which is how net.Server
 * itself builds the sockets it accepts.
 *
 * The chunk passed to `onRead` is valid only during the call: what the
 * connection keeps must be copied (connection.ts does).
 *
 * If this Node does not expose the handle the way expected, the connection
 * keeps the accepted socket and its 'data' events: slower, never wrong.
 */
import { Socket } from 'node:net';

/** Node's default read size, so a read takes as much as it did before. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

type WithHandle = Socket & { _handle?: unknown };

/** Returns the socket to use from now on; `onRead` gets every chunk the client sends. */
export function directReads(accepted: Socket, onRead: (chunk: Buffer) => void): Socket {
  const old = accepted as WithHandle;
  const handle = old._handle;
  if (!handle || typeof handle !== 'object' || !('readStart' in handle) || !('useUserBuffer' in handle)) {
    accepted.on('data', onRead);
    accepted.resume();
    return accepted;
  }
  // The old Socket lets go of the handle and ends (net.Server counts it closed); the new one owns it.
  old._handle = null;
  accepted.destroy();
  const socket = new Socket({
    handle,
    readable: true,
    writable: true,
    allowHalfOpen: true,
    onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => void onRead((buf as Buffer).subarray(0, n)) },
  } as ConstructorParameters<typeof Socket>[0]);
  socket.resume();
  return socket;
}
