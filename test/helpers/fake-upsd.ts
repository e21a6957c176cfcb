/**
 * A upsd stand-in for client tests: answers each request line with what
 * `answer` returns (undefined: ERR UNKNOWN-COMMAND), ends the connection on
 * LOGOUT as upsd does, and records every line it received.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeUpsd {
  host: string;
  port: number;
  /** Request lines in the order they arrived. */
  received: string[];
  close(): void;
}

export async function startFakeUpsd(answer: (line: string) => string | undefined): Promise<FakeUpsd> {
  const received: string[] = [];
  const server: Server = createServer((sock: Socket) => {
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        received.push(line);
        if (line === 'LOGOUT') sock.end('OK Goodbye\n');
        else sock.write(`${answer(line) ?? 'ERR UNKNOWN-COMMAND'}\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { host: '127.0.0.1', port: typeof addr === 'object' && addr ? addr.port : 0, received, close: () => server.close() };
}
