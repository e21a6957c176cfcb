/**
 * Hostile clients for a NUT server: `clients` connections, each sending
 * `request` `repeat` times in one write and never reading a reply. Prints
 * `ready <connected>` once every connection has sent, then holds them until
 * stdin closes (or SIGTERM), so the bench decides how long the flood lasts.
 *
 *   tsx bench/flood-client.ts PORT CLIENTS REPEAT "LIST VAR ups"
 */
import { connect, type Socket } from 'node:net';

const [portArg, clientsArg, repeatArg, request] = process.argv.slice(2);
const port = Number(portArg);
const clients = Number(clientsArg);
const repeat = Number(repeatArg);
if (!port || !clients || !repeat || !request) {
  process.stderr.write('usage: flood-client PORT CLIENTS REPEAT REQUEST\n');
  process.exit(2);
}
const payload = Buffer.from(`${request}\n`.repeat(repeat), 'latin1');
/** A connect that takes longer counts as refused: a server stuck on a client that does not read stops accepting (upsd 2.8 does). */
const CONNECT_TIMEOUT_MS = 2000;
const socks: Socket[] = [];

function flood(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => resolve(false));
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, CONNECT_TIMEOUT_MS);
    s.once('connect', () => {
      clearTimeout(timer);
      s.pause();
      s.write(payload);
      socks.push(s);
      resolve(true);
    });
  });
}

async function main(): Promise<void> {
  let ok = 0;
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => flood()));
    ok += batch.filter(Boolean).length;
  }
  // Still connected: the server may have dropped some already.
  const alive = socks.filter((s) => !s.destroyed).length;
  process.stdout.write(`ready ${ok} ${alive}\n`);
  const stop = (): void => {
    for (const s of socks) s.destroy();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

void main();
