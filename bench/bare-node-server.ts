/**
 * The least a NUT server in Node can do: every read of a client is answered
 * with one fixed reply ('data' events in, socket.write out), with no
 * parsing, no state and no look-up. bench/server-cpu.ts --bare runs it beside upsd and ours, on
 * the Node the executable is built from: its rate and CPU per request are
 * Node's own floor on this machine, which our server cannot go below.
 *
 *   node --import tsx bench/bare-node-server.ts PORT REPLY_BASE64   (server-cpu.ts runs it)
 */
import { createServer } from 'node:net';

const [portArg, replyArg] = process.argv.slice(2);
const reply = Buffer.from(replyArg ?? '', 'base64').toString('latin1');
if (!Number(portArg) || !reply) {
  process.stderr.write('usage: bare-node-server PORT REPLY_BASE64\n');
  process.exit(2);
}
createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', () => socket.write(reply));
  socket.on('error', () => undefined);
}).listen(Number(portArg), '127.0.0.1');
