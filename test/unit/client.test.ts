/**
 * The NUT client against a tiny in-test TCP server that answers with whatever
 * each test scripts: chunked replies, lists, errors, garbage, disconnects.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type LookupFunction, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { NutClient, NutConnectionError, NutProtocolError, NutResponseError, nutErrorText } from '../../src/client';

type Reply = (line: string, sock: Socket) => void;

interface Fake {
  port: number;
  /** Every line the server received, in order. */
  received: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A server that feeds each received line to `reply`. */
async function fake(reply: Reply): Promise<Fake> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        received.push(line);
        reply(line, sock);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Writes `text` a few bytes at a time, each piece in its own TCP write. */
async function dribble(sock: Socket, text: string | Buffer, size = 3): Promise<void> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) {
    sock.write(buf.subarray(i, i + size));
    await new Promise((r) => setImmediate(r));
  }
}

const LIST_VAR =
  'BEGIN LIST VAR ups1\n' +
  'VAR ups1 battery.charge "87"\n' +
  'VAR ups1 device.model "Backup \\"Pro\\" 1500 \\\\ rack"\n' +
  'VAR ups1 ups.status "OL CHRG"\n' +
  'END LIST VAR ups1\n';

async function connectTo(f: Fake, timeoutMs = 5000): Promise<NutClient> {
  return NutClient.connect({ host: '127.0.0.1', port: f.port, timeoutMs });
}

void describe('NutClient: replies', () => {
  void test('one-line replies: VER, NETVER, HELP', async () => {
    const f = await fake((line, s) => {
      if (line === 'VER') s.write('Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n');
      else if (line === 'NETVER') s.write('1.3\n');
      else if (line === 'HELP') s.write('Commands: HELP VER PROTVER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n');
    });
    const c = await connectTo(f);
    assert.equal(await c.ver(), 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    assert.equal(await c.netVer(), '1.3');
    assert.match(await c.help(), /^Commands: HELP/);
    await c.close();
    await f.close();
  });

  void test('a LIST sent one few bytes at a time is put together, values unescaped', async () => {
    const f = await fake((line, s) => {
      if (line === 'LIST VAR ups1') void dribble(s, LIST_VAR);
    });
    const c = await connectTo(f);
    assert.deepEqual(await c.listVars('ups1'), [
      ['battery.charge', '87'],
      ['device.model', 'Backup "Pro" 1500 \\ rack'],
      ['ups.status', 'OL CHRG'],
    ]);
    await c.close();
    await f.close();
  });

  void test('UTF-8 split across chunks survives; CRLF line ends are accepted', async () => {
    const f = await fake((line, s) => {
      if (line === 'GET UPSDESC ups1') void dribble(s, 'UPSDESC ups1 "Salle serveur – baie 3 é"\r\n', 1);
    });
    const c = await connectTo(f);
    assert.equal(await c.getUpsDesc('ups1'), 'Salle serveur – baie 3 é');
    await c.close();
    await f.close();
  });

  void test('pipelined requests get their own replies in order, even in one write', async () => {
    const f = await fake((line, s) => {
      // Answer only after the third request, all at once.
      if (line === 'GET VAR ups1 ups.load') {
        s.write('VAR ups1 battery.charge "87"\nBEGIN LIST UPS\nUPS ups1 "Rack"\nUPS ups2 "Desk"\nEND LIST UPS\nVAR ups1 ups.load "23"\n');
      }
    });
    const c = await connectTo(f);
    const [a, b, d] = await Promise.all([c.getVar('ups1', 'battery.charge'), c.listUps(), c.getVar('ups1', 'ups.load')]);
    assert.equal(a, '87');
    assert.deepEqual(b, [
      ['ups1', 'Rack'],
      ['ups2', 'Desk'],
    ]);
    assert.equal(d, '23');
    assert.deepEqual(f.received, ['GET VAR ups1 battery.charge', 'LIST UPS', 'GET VAR ups1 ups.load']);
    await c.close();
    await f.close();
  });

  void test('every typed helper sends the right request and parses its reply', async () => {
    const answers: Record<string, string> = {
      'LIST RW ups1': 'BEGIN LIST RW ups1\nRW ups1 ups.delay.shutdown "20"\nEND LIST RW ups1\n',
      'LIST CMD ups1': 'BEGIN LIST CMD ups1\nCMD ups1 load.off\nCMD ups1 test.battery.start\nEND LIST CMD ups1\n',
      'LIST ENUM ups1 input.sensitivity': 'BEGIN LIST ENUM ups1 input.sensitivity\nENUM ups1 input.sensitivity "low"\nENUM ups1 input.sensitivity "high"\nEND LIST ENUM ups1 input.sensitivity\n',
      'LIST RANGE ups1 battery.charge.low': 'BEGIN LIST RANGE ups1 battery.charge.low\nRANGE ups1 battery.charge.low "5" "50"\nEND LIST RANGE ups1 battery.charge.low\n',
      'LIST CLIENT ups1': 'BEGIN LIST CLIENT ups1\nCLIENT ups1 127.0.0.1\nCLIENT ups1 ::1\nEND LIST CLIENT ups1\n',
      'GET TYPE ups1 ups.id': 'TYPE ups1 ups.id RW STRING:32\n',
      'GET DESC ups1 ups.load': 'DESC ups1 ups.load "Load on UPS (percent of full)"\n',
      'GET CMDDESC ups1 load.off': 'CMDDESC ups1 load.off "Turn off the load immediately"\n',
      'GET NUMLOGINS ups1': 'NUMLOGINS ups1 2\n',
      'USERNAME admin': 'OK\n',
      'PASSWORD "p w"': 'OK\n',
      'SET TRACKING ON': 'OK\n',
      'SET VAR ups1 ups.id "Rack 1"': 'OK TRACKING 1bd31ac8-2c4c-4c0b-9a40-4b5d1e0e0c21\n',
      'INSTCMD ups1 load.off.delay 30': 'OK\n',
      'GET TRACKING 1bd31ac8-2c4c-4c0b-9a40-4b5d1e0e0c21': 'ERR UNKNOWN\n',
      'GET TRACKING': 'ON\n',
      'LOGIN ups1': 'OK\n',
      'PRIMARY ups1': 'ERR UNKNOWN-COMMAND\n',
      'MASTER ups1': 'OK MASTER-GRANTED\n',
      'FSD ups1': 'OK FSD-SET\n',
    };
    const f = await fake((line, s) => s.write(answers[line] ?? 'ERR UNKNOWN-COMMAND\n'));
    const c = await connectTo(f);
    assert.deepEqual(await c.listRw('ups1'), [['ups.delay.shutdown', '20']]);
    assert.deepEqual(await c.listCmd('ups1'), ['load.off', 'test.battery.start']);
    assert.deepEqual(await c.listEnum('ups1', 'input.sensitivity'), ['low', 'high']);
    assert.deepEqual(await c.listRange('ups1', 'battery.charge.low'), [['5', '50']]);
    assert.deepEqual(await c.listClients('ups1'), ['127.0.0.1', '::1']);
    assert.deepEqual(await c.getType('ups1', 'ups.id'), ['RW', 'STRING:32']);
    assert.equal(await c.getDesc('ups1', 'ups.load'), 'Load on UPS (percent of full)');
    assert.equal(await c.getCmdDesc('ups1', 'load.off'), 'Turn off the load immediately');
    assert.equal(await c.getNumLogins('ups1'), 2);
    await c.username('admin');
    await c.password('p w');
    await c.setTracking(true);
    assert.deepEqual(await c.setVar('ups1', 'ups.id', 'Rack 1'), {
      line: 'OK TRACKING 1bd31ac8-2c4c-4c0b-9a40-4b5d1e0e0c21',
      tracking: '1bd31ac8-2c4c-4c0b-9a40-4b5d1e0e0c21',
    });
    assert.deepEqual(await c.instCmd('ups1', 'load.off.delay', '30'), { line: 'OK' });
    // A tracking result that is an error is an answer, not a failure.
    assert.equal(await c.getTracking('1bd31ac8-2c4c-4c0b-9a40-4b5d1e0e0c21'), 'ERR UNKNOWN');
    assert.equal(await c.getTracking(), 'ON');
    await c.login('ups1');
    // upsd before 2.8 does not know PRIMARY: the client falls back to MASTER.
    assert.equal(await c.primary('ups1'), 'OK MASTER-GRANTED');
    await c.fsd('ups1');
    await c.close();
    assert.equal(f.received.at(-1), 'LOGOUT', 'close() says LOGOUT like upsclient');
    await f.close();
  });
});

void describe('NutClient: errors', () => {
  void test('ERR replies reject with NutProtocolError and the connection stays usable', async () => {
    const f = await fake((line, s) => {
      if (line === 'GET VAR nope ups.status') s.write('ERR UNKNOWN-UPS\n');
      else if (line === 'LIST VAR nope') s.write('ERR UNKNOWN-UPS\n');
      else if (line === 'INSTCMD ups1 load.off') s.write('ERR ACCESS-DENIED some detail\n');
      else if (line === 'GET VAR ups1 ups.status') s.write('VAR ups1 ups.status "OL"\n');
    });
    const c = await connectTo(f);
    await assert.rejects(c.getVar('nope', 'ups.status'), (e: unknown) => e instanceof NutProtocolError && e.code === 'UNKNOWN-UPS' && nutErrorText(e) === 'Unknown UPS');
    await assert.rejects(c.listVars('nope'), (e: unknown) => e instanceof NutProtocolError && e.code === 'UNKNOWN-UPS');
    await assert.rejects(c.instCmd('ups1', 'load.off'), (e: unknown) => {
      assert.ok(e instanceof NutProtocolError);
      assert.equal(e.code, 'ACCESS-DENIED');
      assert.equal(e.extra, 'some detail');
      assert.equal(e.line, 'ERR ACCESS-DENIED some detail');
      assert.equal(nutErrorText(e), 'Access denied');
      return true;
    });
    assert.equal(await c.getVar('ups1', 'ups.status'), 'OL');
    assert.ok(c.isOpen);
    await c.close();
    await f.close();
  });

  void test('a password never shows in error messages', async () => {
    const f = await fake((_line, s) => s.write('ERR ALREADY-SET-PASSWORD\n'));
    const c = await connectTo(f);
    await assert.rejects(c.password('hunter2'), (e: unknown) => e instanceof NutProtocolError && !e.message.includes('hunter2') && e.request === 'PASSWORD ***');
    await c.close();
    await f.close();
  });

  void test('binary garbage without a newline: typed error, connection dropped, no crash', async () => {
    const f = await fake((_line, s) => s.write(Buffer.alloc(200_000, 0xff)));
    const c = await NutClient.connect({ host: '127.0.0.1', port: f.port, timeoutMs: 5000, maxLineLength: 1024 });
    const closed = new Promise<unknown>((r) => c.onClose(r));
    await assert.rejects(c.getVar('ups1', 'ups.status'), (e: unknown) => e instanceof NutResponseError && e.kind === 'protocol');
    assert.ok((await closed) instanceof NutResponseError);
    assert.equal(c.isOpen, false);
    // Later requests fail at once with the same typed error.
    await assert.rejects(c.ver(), NutResponseError);
    await f.close();
  });

  void test('a LIST answered with something else than BEGIN LIST is a protocol error', async () => {
    const f = await fake((_line, s) => s.write('HELLO THERE\n'));
    const c = await connectTo(f);
    await assert.rejects(c.listUps(), (e: unknown) => e instanceof NutResponseError && nutErrorText(e) === 'Protocol error');
    await f.close();
  });

  void test('a list line with an unbalanced quote is a parse error', async () => {
    const f = await fake((_line, s) => s.write('BEGIN LIST VAR ups1\nVAR ups1 ups.status "OL\nEND LIST VAR ups1\n'));
    const c = await connectTo(f);
    await assert.rejects(c.listVars('ups1'), (e: unknown) => e instanceof NutResponseError && e.kind === 'parse');
    await f.close();
  });

  void test('a list line that does not echo the query is a protocol error', async () => {
    const f = await fake((_line, s) => s.write('BEGIN LIST VAR ups1\nVAR ups2 ups.status "OL"\nEND LIST VAR ups1\n'));
    const c = await connectTo(f);
    await assert.rejects(c.listVars('ups1'), NutResponseError);
    await f.close();
  });

  void test('a GET reply about another variable is a protocol error', async () => {
    const f = await fake((_line, s) => s.write('VAR ups1 ups.load "23"\n'));
    const c = await connectTo(f);
    await assert.rejects(c.getVar('ups1', 'ups.status'), NutResponseError);
    await c.close();
    await f.close();
  });

  void test('a line nobody asked for closes the connection with a typed error', async () => {
    const server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.write('SURPRISE\n');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const c = await NutClient.connect({ host: '127.0.0.1', port: typeof addr === 'object' && addr ? addr.port : 0 });
    const reason = await new Promise<unknown>((r) => c.onClose(r));
    assert.ok(reason instanceof NutResponseError);
    await assert.rejects(c.ver(), NutResponseError);
  });

  void test('the server hanging up mid-LIST rejects with NutConnectionError (closed)', async () => {
    const f = await fake((_line, s) => {
      s.write('BEGIN LIST VAR ups1\nVAR ups1 ups.status "OL"\n');
      s.end();
    });
    const c = await connectTo(f);
    await assert.rejects(c.listVars('ups1'), (e: unknown) => e instanceof NutConnectionError && e.failure === 'closed' && nutErrorText(e) === 'Server disconnected');
    await assert.rejects(c.ver(), NutConnectionError);
    await f.close();
  });

  void test('no reply within the timeout rejects with NutConnectionError (timeout)', async () => {
    const f = await fake(() => undefined);
    const c = await connectTo(f, 100);
    await assert.rejects(c.ver(), (e: unknown) => e instanceof NutConnectionError && e.failure === 'timeout');
    assert.equal(c.isOpen, false);
    await f.close();
  });

  void test('connection refused', async () => {
    const f = await fake(() => undefined);
    const port = f.port;
    await f.close();
    await assert.rejects(NutClient.connect({ host: '127.0.0.1', port }), (e: unknown) => {
      assert.ok(e instanceof NutConnectionError);
      assert.equal(e.failure, 'connect');
      assert.equal(e.errno, 'ECONNREFUSED');
      assert.equal(nutErrorText(e), 'Connection failure: Connection refused');
      return true;
    });
  });

  void test('unknown host (a resolver that knows no name: no DNS is asked)', async () => {
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      process.nextTick(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4));
    };
    await assert.rejects(NutClient.connect({ host: 'no-such-host.invalid', port: 3493, lookup }), (e: unknown) => {
      assert.ok(e instanceof NutConnectionError);
      assert.equal(e.failure, 'no-such-host');
      assert.equal(nutErrorText(e), 'No such host');
      return true;
    });
    assert.deepEqual(asked, ['no-such-host.invalid']);
  });

  void test('a request with a line break is refused before anything is sent', async () => {
    const f = await fake((_line, s) => s.write('OK\n'));
    const c = await connectTo(f);
    await assert.rejects(c.setVar('ups1', 'ups.id', 'a\nLOGOUT'), /line break/);
    await c.close();
    assert.deepEqual(f.received, ['LOGOUT']);
    await f.close();
  });

  void test('requests after close() reject; outstanding ones too', async () => {
    const f = await fake(() => undefined);
    const c = await connectTo(f);
    const outstanding = assert.rejects(c.ver(), (e: unknown) => e instanceof NutConnectionError && e.failure === 'local-close');
    await c.close();
    await outstanding;
    await assert.rejects(c.ver(), NutConnectionError);
    await f.close();
  });

  void test('LOGOUT waits for the goodbye and the close', async () => {
    const f = await fake((line, s) => {
      if (line === 'LOGOUT') s.end('OK Goodbye\n');
    });
    const c = await connectTo(f);
    await c.logout();
    assert.equal(c.isOpen, false);
    await f.close();
  });
});

void describe('NutClient: STARTTLS', () => {
  void test('ERR FEATURE-NOT-CONFIGURED: carry on in plain text', async () => {
    const f = await fake((line, s) => {
      if (line === 'STARTTLS') s.write('ERR FEATURE-NOT-CONFIGURED\n');
      else if (line === 'NETVER') s.write('1.3\n');
    });
    const c = await connectTo(f);
    assert.equal(await c.startTls(), false);
    assert.equal(c.secure, false);
    assert.equal(await c.netVer(), '1.3');
    await c.close();
    await f.close();
  });

  void test('OK STARTTLS: the session continues over TLS', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'client');
    const key = readFileSync(join(dir, 'test-key.pem'));
    const cert = readFileSync(join(dir, 'test-cert.pem'));
    const seen: string[] = [];
    const server = createServer((plain) => {
      plain.on('error', () => undefined);
      plain.once('data', (d) => {
        seen.push(d.toString().trim());
        plain.write('OK STARTTLS\n');
        const tls = new TLSSocket(plain, { isServer: true, key, cert });
        tls.on('error', () => undefined);
        tls.on('data', (x) => {
          const line = x.toString().trim();
          seen.push(`tls:${line}`);
          if (line === 'NETVER') tls.write('1.3\n');
          if (line === 'LOGOUT') tls.end('OK Goodbye\n');
        });
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const c = await NutClient.connect({ host: '127.0.0.1', port: typeof addr === 'object' && addr ? addr.port : 0 });
    assert.equal(await c.startTls({ ca: cert, rejectUnauthorized: true, servername: 'localhost' }), true);
    assert.equal(c.secure, true);
    assert.equal(await c.netVer(), '1.3');
    await c.logout();
    assert.deepEqual(seen, ['STARTTLS', 'tls:NETVER', 'tls:LOGOUT']);
  });
});
