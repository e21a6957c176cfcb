/**
 * STARTTLS on our NUT server, over real loopback TCP with certificates made
 * by openssl: upsd 2.8.0's replies (OK STARTTLS in clear, ALREADY-SSL-MODE,
 * FEATURE-NOT-CONFIGURED), LOGIN inside TLS, what a client sends before
 * the handshake is dropped, DISABLE_WEAK_SSL, and server.tls's checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { loadServerTls } from '../../src/server/tls';
import { publishSampleVars, startHarness, type Harness } from '../helpers/fake-driver';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs';

/** A line-at-a-time reader over any socket (plain first, then TLS). */
class Lines {
  private buf = '';
  private waiters: Array<() => void> = [];
  closed = false;
  constructor(private sock: Socket) {
    this.listen(sock);
  }
  private listen(sock: Socket): void {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  /** The next line, or null when the connection closed first. */
  async line(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        return l;
      }
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error(`no line within ${timeoutMs} ms (have ${JSON.stringify(this.buf)})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  async ask(text: string): Promise<string | null> {
    this.sock.write(`${text}\n`);
    return this.line();
  }
  /** Hands the plain socket to TLS (after OK STARTTLS) and waits for the handshake. */
  async upgrade(opts: ConnectionOptions): Promise<TLSSocket> {
    const plain = this.sock;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, ...opts });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.sock = secure;
    this.listen(secure);
    return secure;
  }
  get remaining(): string {
    return this.buf;
  }
  destroy(): void {
    this.sock.destroy();
  }
}

function rawConnect(port: number): Promise<Lines> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(new Lines(s)));
    s.once('error', reject);
  });
}

describe('server STARTTLS', () => {
  let certs: TestCerts;
  let h: Harness;
  let plainH: Harness;
  const open: Lines[] = [];
  async function client(harness: Harness): Promise<Lines> {
    const c = await rawConnect(harness.port);
    open.push(c);
    return c;
  }

  before(async () => {
    certs = makeTestCerts();
    h = await startHarness({ server: { tls: { certFile: certs.pemFile, disableWeak: true } } });
    publishSampleVars(h.drivers.ups1!.pub);
    h.drivers.ups1!.pub.dataOk();
    plainH = await startHarness();
  });
  after(async () => {
    for (const c of open) c.destroy();
    await h.stop();
    await plainH.stop();
    certs.cleanup();
  });

  test('without server.tls: ERR FEATURE-NOT-CONFIGURED, and the session goes on in plain text', async () => {
    const c = await client(plainH);
    assert.equal(await c.ask('STARTTLS'), 'ERR FEATURE-NOT-CONFIGURED');
    assert.match((await c.ask('VER')) ?? '', /^Network UPS Tools upsd /);
    assert.equal(await c.ask('STARTTLS'), 'ERR FEATURE-NOT-CONFIGURED');
  });

  test('OK STARTTLS in clear, then TLS verified against the CA; LOGIN inside TLS; a second STARTTLS is ALREADY-SSL-MODE', async () => {
    const c = await client(h);
    assert.equal(await c.ask('USERNAME mon'), 'OK', 'credentials before STARTTLS are kept, as upsd keeps them');
    assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
    const secure = await c.upgrade({ ca: readFileSync(certs.caFile), servername: 'localhost' });
    assert.equal(secure.authorized, true);
    assert.match(secure.getProtocol() ?? '', /^TLSv1\.[23]$/);
    assert.equal(await c.ask('STARTTLS'), 'ERR ALREADY-SSL-MODE');
    assert.equal(await c.ask('PASSWORD pw'), 'OK');
    assert.equal(await c.ask('LOGIN ups1'), 'OK');
    assert.match((await c.ask('GET VAR ups1 ups.status')) ?? '', /^VAR ups1 ups\.status "/);
    assert.equal(await c.ask('GET NUMLOGINS ups1'), 'NUMLOGINS ups1 1');
    assert.ok(h.log.lines.some((l) => /logged into UPS \[ups1\] \(SSL\)/.test(l)), h.log.lines.join('\n'));
    assert.ok(h.log.lines.some((l) => /TLS session up \(TLSv1\.[23], /.test(l)), h.log.lines.join('\n'));
    assert.equal(await c.ask('LOGOUT'), 'OK Goodbye');
    assert.equal(await c.line(), null, 'closed after LOGOUT');
  });

  test('a plain-text LOGIN has no (SSL) mark', async () => {
    const c = await client(h);
    assert.equal(await c.ask('USERNAME mon'), 'OK');
    assert.equal(await c.ask('PASSWORD pw'), 'OK');
    assert.equal(await c.ask('LOGIN ups1'), 'OK');
    const mine = h.log.lines.filter((l) => /logged into UPS \[ups1\]/.test(l));
    assert.ok(mine.some((l) => !l.includes('(SSL)')), mine.join('\n'));
  });

  test('requests sent with STARTTLS, before the handshake, are dropped (not answered in clear, not run later)', async () => {
    const c = await client(h);
    // upsd would read all three; accepting bytes from before the handshake is the STARTTLS injection hole.
    (c as unknown as { sock: Socket }).sock.write('STARTTLS\nUSERNAME mon\nVER\n');
    assert.equal(await c.line(), 'OK STARTTLS');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.remaining, '', 'nothing after OK STARTTLS in clear');
    await c.upgrade({ ca: readFileSync(certs.caFile), servername: 'localhost' });
    // USERNAME was not run: setting it now is OK, not ALREADY-SET-USERNAME.
    assert.equal(await c.ask('USERNAME mon'), 'OK');
    assert.match((await c.ask('VER')) ?? '', /^Network UPS Tools upsd /);
  });

  test('replies asked for before STARTTLS in the same write still come, in clear, before OK STARTTLS', async () => {
    const c = await client(h);
    (c as unknown as { sock: Socket }).sock.write('NETVER\nSTARTTLS\n');
    assert.equal(await c.line(), '1.3');
    assert.equal(await c.line(), 'OK STARTTLS');
    await c.upgrade({ ca: readFileSync(certs.caFile), servername: 'localhost' });
    assert.equal(await c.ask('NETVER'), '1.3');
  });

  test('a client checking against another CA fails the handshake; the server goes on', async () => {
    const c = await client(h);
    assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
    await assert.rejects(c.upgrade({ ca: readFileSync(certs.otherCaFile), servername: 'localhost' }), /certificate/i);
    const d = await client(h);
    assert.match((await d.ask('VER')) ?? '', /^Network UPS Tools upsd /);
  });

  test('garbage instead of a ClientHello: the connection is closed, the server goes on', async () => {
    const c = await client(h);
    assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
    (c as unknown as { sock: Socket }).sock.write('VER\nthis is not TLS at all\n'.repeat(20));
    assert.equal(await c.line(), null);
    const d = await client(h);
    assert.equal(await d.ask('NETVER'), '1.3');
  });

  test('over TLS, a client that does not read is paused as in plain text, and gets every reply once it reads', async () => {
    const big = await startHarness({ server: { tls: { certFile: certs.pemFile } } });
    try {
      const pub = big.drivers.ups1!.pub;
      publishSampleVars(pub);
      for (let i = 0; i < 100; i++) pub.setVar(`test.filler.${i}`, 'x'.repeat(40)); // about 6 KB per LIST VAR
      pub.dataOk();
      const c = await rawConnect(big.port);
      open.push(c);
      assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
      const secure = await c.upgrade({ ca: readFileSync(certs.caFile), servername: 'localhost' });
      secure.pause();
      const n = 4000; // ~25 MB of replies asked for
      secure.write('LIST VAR ups1\n'.repeat(n));
      const deadline = Date.now() + 20_000;
      while (big.server.output.paused < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(big.server.output.paused, 1);
      assert.ok(big.server.output.bytes < 8 * 1024 * 1024, `held ${big.server.output.bytes}`);
      const other = await rawConnect(big.port);
      open.push(other);
      assert.equal(await other.ask('NETVER'), '1.3', 'others are still served');
      secure.resume();
      let ends = 0;
      while (ends < n) {
        const l = await c.line(20_000);
        if (l === null) break;
        if (l === 'END LIST VAR ups1') ends++;
      }
      assert.equal(ends, n);
      assert.equal(big.server.output.paused, 0);
      assert.equal(big.server.output.dropped, 0);
    } finally {
      await big.stop();
    }
  });

  test('a renewed certificate file is picked up at the next STARTTLS, without a restart; a broken one keeps the old', async () => {
    const file = join(certs.dir, 'renewed.pem');
    writeFileSync(file, readFileSync(certs.pemFile), { mode: 0o600 });
    const r = await startHarness({ server: { tls: { certFile: file } } });
    const issuerNow = async (): Promise<string> => {
      const c = await rawConnect(r.port);
      open.push(c);
      assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
      const s = await c.upgrade({ rejectUnauthorized: false });
      const issuer = s.getPeerCertificate().issuer.CN;
      c.destroy();
      return String(issuer);
    };
    try {
      assert.equal(await issuerNow(), 'upsagent test CA');
      const kept = await rawConnect(r.port);
      open.push(kept);
      assert.equal(await kept.ask('STARTTLS'), 'OK STARTTLS');
      await kept.upgrade({ ca: readFileSync(certs.caFile), servername: 'localhost' });
      // Renewed in place (as certbot's deploy hooks do), with another issuer so the change shows.
      writeFileSync(file, readFileSync(certs.selfSignedPem));
      await new Promise((res) => setTimeout(res, 1100));
      assert.equal(await issuerNow(), 'localhost');
      assert.ok(r.log.lines.some((l) => /renewed\.pem changed; new TLS sessions use it/.test(l)), r.log.lines.join('\n'));
      assert.equal(await kept.ask('NETVER'), '1.3', 'a session already in TLS goes on');
      writeFileSync(file, 'not a certificate\n');
      await new Promise((res) => setTimeout(res, 1100));
      assert.equal(await issuerNow(), 'localhost', 'a broken file keeps the certificate in use');
      assert.ok(r.log.lines.some((l) => l.startsWith('warn') && /holds no PEM certificate.*keep the certificate loaded before/.test(l)), r.log.lines.join('\n'));
    } finally {
      await r.stop();
    }
  });

  test('disableWeak (the default): a TLS 1.1 client is refused', async () => {
    const c = await client(h);
    assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
    await assert.rejects(c.upgrade({ rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }));
  });

  test('disableWeak: false lets a TLS 1.1 client in (as upsd without DISABLE_WEAK_SSL), with a warning at start', async () => {
    const weak = await startHarness({ server: { tls: { certFile: certs.certFile, keyFile: certs.keyFile, disableWeak: false } } });
    try {
      const c = await rawConnect(weak.port);
      open.push(c);
      assert.equal(await c.ask('STARTTLS'), 'OK STARTTLS');
      const s = await c.upgrade({ rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
      assert.equal(s.getProtocol(), 'TLSv1.1');
      assert.equal(await c.ask('NETVER'), '1.3');
      assert.ok(weak.log.lines.some((l) => l.startsWith('warn') && /disableWeak is off/.test(l)), weak.log.lines.join('\n'));
      assert.ok(weak.log.lines.some((l) => /STARTTLS offered: certificate CN=localhost/.test(l)), weak.log.lines.join('\n'));
    } finally {
      await weak.stop();
    }
  });
});

describe('server.tls checks at start', () => {
  let certs: TestCerts;
  before(() => {
    certs = makeTestCerts();
  });
  after(() => certs.cleanup());

  test('cert + key in one file (CERTFILE) or in two files both load', () => {
    assert.match(loadServerTls({ certFile: certs.pemFile }).summary, /CN=localhost.*issuer CN=upsagent test CA/);
    assert.match(loadServerTls({ certFile: certs.certFile, keyFile: certs.keyFile }).summary, /CN=localhost/);
  });

  test('each problem names the key and the file', () => {
    const missing = join(certs.dir, 'nope.pem');
    assert.throws(() => loadServerTls({ certFile: missing }), (e: Error) => e.message.includes(`server.tls.certFile: cannot read ${missing}`));
    assert.throws(() => loadServerTls({ certFile: certs.certFile }), /server\.tls\.certFile: .*server\.crt holds no private key; append it/);
    assert.throws(() => loadServerTls({ certFile: certs.keyFile }), /holds no PEM certificate/);
    assert.throws(() => loadServerTls({ certFile: certs.certFile, keyFile: certs.caFile }), /server\.tls\.keyFile: .*holds no PEM private key/);
    assert.throws(() => loadServerTls({ certFile: certs.certFile, keyFile: certs.strayKeyFile }), /server\.tls\.keyFile: the private key in .*stray\.key is not the key of the certificate/);
    const broken = join(certs.dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' + readFileSync(certs.keyFile, 'utf8'));
    assert.throws(() => loadServerTls({ certFile: broken }), /the certificate in .*broken\.pem does not parse/);
    const enc = join(certs.dir, 'enc.key');
    writeFileSync(enc, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n');
    assert.throws(() => loadServerTls({ certFile: certs.certFile, keyFile: enc }), /is encrypted; the server needs it unencrypted/);
  });

  test('warnings: a key every user may read, a certificate that has expired', () => {
    const open = join(certs.dir, 'open.pem');
    writeFileSync(open, readFileSync(certs.pemFile));
    chmodSync(open, 0o644);
    assert.ok(loadServerTls({ certFile: open }).warnings.some((w) => /every user may read it/.test(w)));
    assert.deepEqual(loadServerTls({ certFile: certs.pemFile }).warnings, []);
    const later = Date.now() + 365 * 86_400_000;
    assert.ok(loadServerTls({ certFile: certs.pemFile }, later).warnings.some((w) => /expired on/.test(w)));
  });

  test('the server refuses to start with a bad certificate, saying why', async () => {
    await assert.rejects(startHarness({ server: { tls: { certFile: certs.certFile } } }), /holds no private key/);
  });
});
