/**
 * Load generator for a NUT server: `clients` connections, each sending one
 * request and waiting for its whole reply before the next, for `seconds`.
 * Closed loop by default (the next request as soon as the reply is in); with
 * INTERVAL_MS each client sends at most one request per interval, as a
 * polling client does (upsmon polls every 5 s), so latency is measured at a
 * given load rather than at saturation. Prints one JSON line: requests,
 * rate, latency percentiles.
 * Runs in its own process so it does not share an event loop with the server,
 * and does as little as it can per reply (no decoding, a look at the end of
 * each chunk) so that it is not what limits the rate.
 *
 *   tsx bench/load-client.ts PORT CLIENTS SECONDS "GET VAR ups ups.status" [INTERVAL_MS]
 */
import { connect, type Socket } from 'node:net';

const [portArg, clientsArg, secondsArg, request, intervalArg] = process.argv.slice(2);
const port = Number(portArg);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
const intervalMs = Number(intervalArg ?? 0);
if (!port || !clients || !seconds || !request || !(intervalMs >= 0)) {
  process.stderr.write('usage: load-client PORT CLIENTS SECONDS REQUEST [INTERVAL_MS]\n');
  process.exit(2);
}
const line = Buffer.from(`${request}\n`, 'latin1');
/** A LIST reply is complete at its END line; anything else at its first newline. */
const listEnd = /^LIST /i.test(request) ? Buffer.from(`\nEND ${request.trim().replace(/\s+/g, ' ')}\n`, 'latin1') : null;
const ERR_ = 0x45; // 'E' of ERR (END comes only after a BEGIN)
const latencies: number[] = [];
let errors = 0;
let measuring = false;

/**
 * Every socket reads into this one buffer (Node's `onread` option): no
 * buffer is allocated and no stream event is emitted per reply, which is most
 * of what a client costs per request. A chunk is valid only during its
 * callback, so the rare partial reply is copied.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Whether the reply is complete, given the bytes held from earlier chunks and this chunk `d`. */
function complete(held: Buffer | null, d: Buffer): boolean {
  if (d[d.length - 1] !== 0x0a) return false;
  if (!listEnd) return true;
  // An error instead of a list is one line.
  const first = held ?? d;
  if (first[0] === ERR_ && first[1] === 0x52) return true;
  const all = held ? Buffer.concat([held, d]) : d;
  return all.length >= listEnd.length && all.subarray(all.length - listEnd.length).equals(listEnd);
}

function runClient(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let held: Buffer | null = null;
    let sentAt = 0;
    const send = () => {
      sentAt = performance.now();
      sock.write(line);
    };
    const onChunk = (n: number, buf: Uint8Array) => {
      const d = (buf as Buffer).subarray(0, n);
      if (!complete(held, d)) {
        held = held ? Buffer.concat([held, d]) : Buffer.from(d);
        return;
      }
      const first = held ?? d;
      if (first[0] === ERR_ && first[1] === 0x52) errors++;
      held = null;
      const now = performance.now();
      if (measuring) latencies.push(now - sentAt);
      if (stopped) return;
      if (intervalMs === 0) send();
      else setTimeout(send, Math.max(0, sentAt + intervalMs - now));
    };
    const sock = connect({ port, host: '127.0.0.1', noDelay: true, onread: { buffer: READ_BUFFER, callback: (n, buf) => (onChunk(n, buf), true) } });
    sock.on('error', (e) => {
      errors++;
      reject(e);
    });
    sock.on('connect', () => resolve(sock));
    // Paced clients start spread over one interval, not all at once.
    starters.push(intervalMs === 0 ? send : () => setTimeout(send, Math.random() * intervalMs));
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
