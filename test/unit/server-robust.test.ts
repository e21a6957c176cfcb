 
/**
 * The server under hostile or careless clients, and its own resource rules:
 * one socket write per batch of replies, huge lines, binary garbage,
 * half-closed and reset connections, maxClients, idle clients, clients that
 * never read, listen failures, stop().
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, Socket } from 'node:net';
import { ListenError } from '../../src/server/errors';
import { NutClient, startHarness, type FakeDriver, type Harness, type HarnessOptions } from '../helpers/fake-driver';

function populate(d: FakeDriver, vars = 40): void {
  const all: Record<string, string> = { 'ups.status': 'OL', 'ups.load': '12' };
  for (let i = 0; i < vars; i++) all[`test.var${String(i).padStart(3, '0')}`] = `value ${i} with "quotes" and \\ and #`;
  d.attach(all, ['load.off', 'beeper.toggle']);
}

/**
 * Counts server-side writes handed to the socket's handle (sockets whose local port is the
 * server's): each `_write` or `_writev` is one write system call's worth, however many
 * socket.write() calls a cork gathered into it.
 */
function countServerWrites(port: number): { count: () => number; restore: () => void } {
  type Impl = (this: Socket, ...a: unknown[]) => unknown;
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', Impl>;
  const orig = { _write: proto._write, _writev: proto._writev };
  let n = 0;
  for (const k of ['_write', '_writev'] as const) {
    proto[k] = function (this: Socket, ...args: unknown[]) {
      if (this.localPort === port) n++;
      return orig[k].apply(this, args);
    };
  }
  return { count: () => n, restore: () => Object.assign(proto, orig) };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('NUT server: robustness', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start(opts: HarnessOptions = {}): Promise<Harness> {
    h = await startHarness(opts);
    populate(h.drivers.ups1!);
    return h;
  }

  test('a whole LIST is written with one socket write', async () => {
    const s = await start();
    const c = await s.client();
    const writes = countServerWrites(s.port);
    try {
      const reply = await c.request('LIST VAR ups1');
      assert.equal(reply.split('\n').length, 44);
      assert.equal(writes.count(), 1);
    } finally {
      writes.restore();
    }
  });

  test('pipelined requests in one chunk are all answered, in order, with one write', async () => {
    const s = await start();
    const c = await s.client();
    await c.request('VER'); // settle the connection first
    const writes = countServerWrites(s.port);
    try {
      c.send('GET VAR ups1 ups.status\nLIST CMD ups1\nNETVER\nGET VAR ups1 no.such\nLIST UPS\nFOO\n');
      assert.equal(await c.readReply(), 'VAR ups1 ups.status "OL"');
      assert.equal(await c.readReply(), 'BEGIN LIST CMD ups1\nCMD ups1 beeper.toggle\nCMD ups1 load.off\nEND LIST CMD ups1');
      assert.equal(await c.readReply(), '1.3');
      assert.equal(await c.readReply(), 'ERR VAR-NOT-SUPPORTED');
      assert.equal(await c.readReply(), 'BEGIN LIST UPS\nUPS ups1 "Test UPS"\nEND LIST UPS');
      assert.equal(await c.readReply(), 'ERR UNKNOWN-COMMAND');
      assert.equal(writes.count(), 1);
    } finally {
      writes.restore();
    }
  });

  test('thousands of pipelined requests spanning many chunks are all answered in order', async () => {
    const s = await start();
    const c = await s.client();
    const n = 5000;
    let req = '';
    for (let i = 0; i < n; i++) req += i % 2 ? 'GET VAR ups1 ups.load\n' : 'NETVER\n';
    c.send(req);
    for (let i = 0; i < n; i++) assert.equal(await c.readReply(), i % 2 ? 'VAR ups1 ups.load "12"' : '1.3');
  });

  test('a line of any length is answered as upsd answers it (512-character words, 32 words) and the connection goes on', async () => {
    const s = await start();
    const c = await s.client();
    c.send('a'.repeat(100_000) + '\n');
    assert.equal(await c.readReply(), 'ERR UNKNOWN-COMMAND');
    // A megabyte without a newline, sent in pieces, then its end: GET VAR ups1 GET (the words past 32 dropped).
    for (let i = 0; i < 16; i++) c.send('GET VAR ups1 '.repeat(5000));
    c.send('\nNETVER\n');
    assert.equal(await c.readReply(), 'ERR VAR-NOT-SUPPORTED');
    assert.equal(await c.readReply(), '1.3');
  });

  test('binary garbage never hurts: the next clean request is answered', async () => {
    const s = await start();
    const c = await s.client();
    let seed = 7;
    const junk = Buffer.alloc(200_000);
    for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    c.send(junk);
    c.send('x#\nPROTVER\n');
    let line = '';
    for (let i = 0; i < 100_000 && line !== '1.3'; i++) line = await c.readReply();
    assert.equal(line, '1.3');
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
  });

  test('a client that half-closes still gets its replies, then the server closes', async () => {
    const s = await start();
    const c = await s.client();
    c.send('NETVER\nGET VAR ups1 ups.load\n');
    c.end();
    assert.equal(await c.readReply(), '1.3');
    assert.equal(await c.readReply(), 'VAR ups1 ups.load "12"');
    await c.waitClosed();
    await until(() => s.server.clientCount === 0, 'the server to forget the client');
  });

  test('half-closing while a driver works: the reply still comes', async () => {
    const s = await start();
    const d = s.drivers.ups1!;
    const c = await s.client();
    await c.auth('admin', 'secret');
    d.hold = true;
    c.send('INSTCMD ups1 load.off\nNETVER\n');
    c.end();
    await until(() => d.calls.length === 1, 'the driver call');
    d.release();
    assert.equal(await c.readReply(), 'OK');
    assert.equal(await c.readReply(), '1.3');
    await c.waitClosed();
  });

  test('reset connections (mid-line, mid-request) are forgotten and the server keeps serving', async () => {
    const s = await start();
    for (let i = 0; i < 20; i++) {
      const c = await s.client();
      c.send(i % 2 ? 'GET VAR ups1 ups.st' : 'LIST VAR ups1\nLIST VAR ups1\n');
      c.sock.resetAndDestroy();
    }
    const c = await s.client();
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    await until(() => s.server.clientCount === 1, 'reset clients to be dropped');
  });

  test('at most maxClients connections: the next one is closed at once; room frees when one leaves', async () => {
    const s = await start({ server: { maxClients: 3 } });
    const a = await s.client();
    const b = await s.client();
    const c = await s.client();
    for (const x of [a, b, c]) assert.equal(await x.request('NETVER'), '1.3');
    const d = await NutClient.connect(s.port);
    await d.waitClosed();
    assert.equal(d.pending, '');
    a.destroy();
    await until(() => s.server.clientCount === 2, 'a client to leave');
    const e = await s.client();
    assert.equal(await e.request('NETVER'), '1.3');
    assert.ok(s.log.lines.some((l) => l.includes('server.maxClients')));
  });

  test('clients silent for longer than idleTimeout are dropped; active ones stay', async () => {
    const s = await start({ server: { idleTimeout: 60 }, extra: { sweepIntervalMs: 10 } });
    const idle = await s.client();
    const busy = await s.client();
    const partial = await s.client();
    partial.send('GET VAR ups1 ups'); // an unfinished line is not a request
    for (let i = 0; i < 4; i++) {
      s.clock.t += 20_000;
      s.drivers.ups1!.pub.dataOk();
      assert.equal(await busy.request('NETVER'), '1.3');
    }
    await idle.waitClosed();
    await partial.waitClosed();
    assert.equal(busy.closed, false);
    assert.equal(await busy.request('NETVER'), '1.3');
  });

  test('a client that never reads is paused with little held, then dropped when idle; others are served', async () => {
    const s = await start({ extra: { maxOutputBytes: 256 * 1024, sweepIntervalMs: 10 } });
    populate(s.drivers.ups1!, 100); // about 6 KB per LIST VAR
    const c = await s.client();
    c.sock.pause(); // never read
    c.sock.write('LIST VAR ups1\n'.repeat(4000)); // ~25 MB of replies asked for
    await until(() => s.server.output.paused === 1, 'the slow reader to be paused', 20_000);
    // Paused: what it holds stays far below the 25 MB it asked for.
    assert.ok(s.server.output.bytes < 256 * 1024, `held ${s.server.output.bytes}`);
    const other = await s.client();
    assert.equal(await other.request('NETVER'), '1.3');
    // It sends nothing the server reads, so it goes at idleTimeout (with the other, silent too); what it held is given back.
    s.clock.t += 61_000;
    await until(() => s.server.clientCount === 0, 'the slow reader to be dropped');
    assert.equal(s.server.output.paused, 0);
    assert.equal(s.server.output.bytes, 0);
  });

  test('LOGOUT closes even when the client keeps the socket open', async () => {
    const s = await start();
    const c = await s.client();
    assert.equal(await c.request('LOGOUT'), 'OK Goodbye');
    await c.waitClosed();
    await until(() => s.server.clientCount === 0, 'the server to forget the client');
  });

  test('stop() closes every client and every listener', async () => {
    const s = await start();
    const a = await s.client();
    const b = await s.client();
    await s.server.stop();
    await a.waitClosed();
    await b.waitClosed();
    await assert.rejects(NutClient.connect(s.port));
    h = undefined;
  });

  test('port 0 is a real port; allowNotAllListeners skips addresses that cannot be bound', async () => {
    const s = await start({ server: { listen: ['127.0.0.1:0', '192.0.2.1:0'], allowNotAllListeners: true } });
    assert.equal(s.server.addresses().length, 1);
    assert.ok(s.server.addresses()[0]!.port > 0);
    assert.ok(s.log.lines.some((l) => l.includes('not listening on 192.0.2.1:0')));
    const c = await s.client();
    assert.equal(await c.request('NETVER'), '1.3');
  });

  test('"*" listens on every address; IPv4 clients show as plain IPv4 in LIST CLIENT', async () => {
    const s = await start({ server: { listen: ['*:0'] } });
    const port = s.server.addresses()[0]!.port;
    const c = await NutClient.connect(port, '127.0.0.1');
    try {
      await c.auth('mon', 'pw');
      assert.equal(await c.request('LOGIN ups1'), 'OK');
      assert.equal(await c.request('LIST CLIENT ups1'), 'BEGIN LIST CLIENT ups1\nCLIENT ups1 127.0.0.1\nEND LIST CLIENT ups1');
    } finally {
      c.destroy();
    }
  });

  test('without allowNotAllListeners one failed address fails start(); none bound always does', async () => {
    await assert.rejects(startHarness({ server: { listen: ['127.0.0.1:0', '192.0.2.1:0'], allowNotAllListeners: false } }), ListenError);
    await assert.rejects(startHarness({ server: { listen: ['192.0.2.1:0'], allowNotAllListeners: true } }), (err: unknown) => {
      assert.ok(err instanceof ListenError);
      assert.equal(err.failures[0]!.address, '192.0.2.1:0');
      return true;
    });
    // The same port twice: the second bind fails.
    const first = await start();
    await assert.rejects(startHarness({ server: { listen: [`127.0.0.1:${first.port}`] } }), ListenError);
  });

  test('many clients at once each get their own full replies', async () => {
    const s = await start();
    const clients = await Promise.all(Array.from({ length: 200 }, () => NutClient.connect(s.port)));
    try {
      const expected = await clients[0]!.request('LIST VAR ups1');
      const replies = await Promise.all(clients.map((c) => c.request('LIST VAR ups1')));
      for (const r of replies) assert.equal(r, expected);
      assert.equal(s.server.clientCount, 200);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  test('a raw socket can send a request in single bytes', async () => {
    const s = await start();
    const sock = connect(s.port, '127.0.0.1');
    const got = new Promise<string>((res) => {
      let buf = '';
      sock.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.endsWith('\n')) res(buf);
      });
    });
    await new Promise((r) => sock.once('connect', r));
    for (const ch of 'GET VAR ups1 ups.status\n') {
      sock.write(ch);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await got, 'VAR ups1 ups.status "OL"\n');
    sock.destroy();
  });
});
