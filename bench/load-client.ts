/**
 * Load generator for a NUT server: `clients` connections, each sending one
 * request and waiting for its whole reply before the next (closed loop), for
 * `seconds`. Prints one JSON line: requests, rate, latency percentiles.
 * Runs in its own process so it does not share an event loop with the server.
 *
 *   tsx bench/load-client.ts PORT CLIENTS SECONDS "GET VAR ups ups.status"
 */
import { connect, type Socket } from 'node:net';

const [portArg, clientsArg, secondsArg, request] = process.argv.slice(2);
const port = Number(portArg);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
if (!port || !clients || !seconds || !request) {
  process.stderr.write('usage: load-client PORT CLIENTS SECONDS REQUEST\n');
  process.exit(2);
}
const isList = /^LIST /i.test(request);
const line = `${request}\n`;
const latencies: number[] = [];
let errors = 0;
let measuring = false;

function runClient(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    let buf = '';
    let sentAt = 0n;
    const send = () => {
      sentAt = process.hrtime.bigint();
      sock.write(line);
    };
    sock.on('data', (d: string) => {
      buf += d;
      // A reply is complete at END LIST for lists, at the first newline otherwise.
      const done = isList ? buf.includes('\nEND LIST') && buf.endsWith('\n') : buf.includes('\n');
      if (!done) return;
      if (buf.startsWith('ERR')) errors++;
      buf = '';
      if (measuring) latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      if (!stopped) send();
    });
    sock.on('error', (e) => {
      errors++;
      reject(e);
    });
    sock.on('connect', () => resolve(sock));
    starters.push(send);
  });
}

let stopped = false;
const starters: Array<() => void> = [];

async function main(): Promise<void> {
  const t0 = Date.now();
  const socks: Socket[] = [];
  // Connect in batches: a burst of 1,000 SYNs overflows small listen backlogs (upsd uses 16).
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(50, clients - i) }, () => runClient()));
    for (const r of batch) if (r.status === 'fulfilled') socks.push(r.value);
  }
  const connectMs = Date.now() - t0;
  for (const s of starters) s();
  // Warm up one second, then measure.
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  stopped = true;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  for (const s of socks) s.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({
      request,
      clients,
      connected: socks.length,
      connectMs,
      requests: latencies.length,
      rate: Math.round(latencies.length / elapsed),
      p50: +pct(50).toFixed(2),
      p99: +pct(99).toFixed(2),
      max: +(latencies[latencies.length - 1] ?? NaN).toFixed(2),
      errors,
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
