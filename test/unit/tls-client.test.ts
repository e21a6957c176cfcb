/**
 * Our client and monitor speaking STARTTLS to our server, on loopback with
 * openssl-made certificates: upsclient's rules as upsmon drives them
 * (CERTVERIFY against the right and a wrong CA, the certificate's name,
 * FORCESSL against a server without TLS, plain text when only tried), the
 * monitor's remote source logging in over TLS, and the monitor's keys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/app/config';
import { runConfigCheck } from '../../src/cli/commands/config-check';
import { MemoryIO } from '../../src/cli/io';
import { NutClient, NutTlsError, TRY_TLS, loadCaFile, negotiateTls, nutErrorText, type TlsPolicy } from '../../src/client';
import { MemoryLogger } from '../../src/core/logger';
import { tlsSettingsOf } from '../../src/monitor/config';
import { RemoteSource } from '../../src/monitor/sources/remote';
import { publishSampleVars, startHarness, type Harness } from '../helpers/fake-driver';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs';

describe('client STARTTLS policy (CERTVERIFY / FORCESSL)', () => {
  let certs: TestCerts;
  let tlsH: Harness;
  let plainH: Harness;
  let selfH: Harness;
  let ca: Buffer;
  let otherCa: Buffer;
  const clients: NutClient[] = [];

  async function connect(h: Harness): Promise<NutClient> {
    const c = await NutClient.connect({ host: '127.0.0.1', port: h.port, timeoutMs: 5000 });
    clients.push(c);
    return c;
  }

  before(async () => {
    certs = makeTestCerts();
    ca = readFileSync(certs.caFile);
    otherCa = readFileSync(certs.otherCaFile);
    tlsH = await startHarness({ server: { tls: { certFile: certs.pemFile } } });
    plainH = await startHarness();
    selfH = await startHarness({ server: { tls: { certFile: certs.selfSignedPem } } });
    for (const h of [tlsH, plainH, selfH]) {
      publishSampleVars(h.drivers.ups1!.pub);
      h.drivers.ups1!.pub.dataOk();
    }
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([tlsH.stop(), plainH.stop(), selfH.stop()]);
    certs.cleanup();
  });

  test('certVerify with the right CA: verified TLS, then the session works (LOGIN logged with SSL)', async () => {
    const c = await connect(tlsH);
    assert.deepEqual(await negotiateTls(c, { certVerify: true, forceSsl: true, ca }), { tls: true, verified: true });
    assert.equal(c.secure, true);
    await c.username('mon');
    await c.password('pw');
    await c.login('ups1');
    assert.match(await c.getVar('ups1', 'ups.status'), /\S/);
    assert.ok(tlsH.log.lines.some((l) => /user mon@127\.0\.0\.1 logged into UPS \[ups1\] \(SSL\)/.test(l)));
  });

  test('certVerify with a wrong CA: the handshake fails, "SSL error", nothing sent in clear after it', async () => {
    const c = await connect(tlsH);
    const err = await negotiateTls(c, { certVerify: true, forceSsl: false, ca: otherCa }).then(
      () => assert.fail('verified against the wrong CA'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NutTlsError && err.kind === 'handshake', String(err));
    assert.match(nutErrorText(err), /^SSL error: TLS handshake with 127\.0\.0\.1:\d+ failed: .*certificate/i);
    assert.equal(c.isOpen, false);
  });

  test('certVerify: a self-signed certificate no CA signed is refused; without certVerify it is taken (encrypted, not verified)', async () => {
    const c = await connect(selfH);
    await assert.rejects(negotiateTls(c, { certVerify: true, forceSsl: false, ca }), NutTlsError);
    const d = await connect(selfH);
    assert.deepEqual(await negotiateTls(d, TRY_TLS), { tls: true, verified: false });
    assert.equal(await d.request('NETVER'), '1.3');
  });

  test('certVerify checks the name: the certificate is for 127.0.0.1/localhost, not for another certName', async () => {
    const c = await connect(tlsH);
    await assert.rejects(negotiateTls(c, { certVerify: true, forceSsl: false, ca, servername: 'ups.example.net' }), /does not match|altnames/i);
    const d = await connect(tlsH);
    assert.deepEqual(await negotiateTls(d, { certVerify: true, forceSsl: false, ca, servername: 'localhost' }), { tls: true, verified: true });
  });

  test('forceSsl against a server without TLS: refused with "SSL is not available", before any credential', async () => {
    const c = await connect(plainH);
    const err = await negotiateTls(c, { certVerify: false, forceSsl: true }).then(
      () => assert.fail('went on in plain text'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NutTlsError && err.kind === 'unavailable');
    assert.equal(nutErrorText(err), 'SSL is not available');
    assert.match((err as Error).message, /does not offer STARTTLS and forceSsl is on/);
  });

  test('certVerify alone against a server without TLS: refused too (a certificate is needed), as upsclient does', async () => {
    const c = await connect(plainH);
    await assert.rejects(negotiateTls(c, { certVerify: true, forceSsl: false, ca }), /certVerify is on: a certificate is needed/);
  });

  test('only tried (upsmon without CERTVERIFY/FORCESSL): plain text when declined, TLS when offered', async () => {
    const c = await connect(plainH);
    assert.deepEqual(await negotiateTls(c, TRY_TLS), { tls: false });
    assert.equal(await c.request('NETVER'), '1.3');
    const d = await connect(tlsH);
    assert.deepEqual(await negotiateTls(d, TRY_TLS), { tls: true, verified: false });
  });

  describe('monitor remote source', () => {
    function source(h: Harness, tls: TlsPolicy | undefined, log: MemoryLogger): RemoteSource {
      return new RemoteSource({ name: `ups1@127.0.0.1:${h.port}`, ups: 'ups1', host: '127.0.0.1', port: h.port, user: 'mon', password: 'pw', role: 'secondary', log, tls, timeoutMs: 5000 });
    }

    test('certVerify + CA: polls over verified TLS, and says so', async () => {
      const log = new MemoryLogger();
      const s = source(tlsH, { certVerify: true, forceSsl: true, ca }, log);
      try {
        const r = await s.poll({ battery: true });
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.ok(log.lines.some((l) => /logged in as mon over TLS \(certificate verified\)/.test(l)), log.lines.join('\n'));
        assert.ok(tlsH.log.lines.filter((l) => /logged into UPS \[ups1\] \(SSL\)/.test(l)).length >= 2, 'the server logged this login as SSL too');
      } finally {
        await s.stop();
      }
    });

    test('forceSsl against a server without TLS: no session, the poll fails with the reason, the server never sees a password', async () => {
      const log = new MemoryLogger();
      const before = plainH.log.lines.length;
      const s = source(plainH, { certVerify: false, forceSsl: true }, log);
      try {
        const r = await s.poll({ battery: false });
        assert.deepEqual(r, { ok: false, error: 'SSL is not available' });
        assert.ok(!plainH.log.lines.slice(before).some((l) => /logged into/.test(l)));
      } finally {
        await s.stop();
      }
    });

    test('wrong CA: the poll fails with the handshake error', async () => {
      const s = source(tlsH, { certVerify: true, forceSsl: false, ca: otherCa }, new MemoryLogger());
      try {
        const r = await s.poll({ battery: false });
        assert.equal(r.ok, false);
        assert.match(r.ok ? '' : r.error, /^SSL error: .*certificate/i);
      } finally {
        await s.stop();
      }
    });

    test('no TLS settings: TLS when the server offers it, with the "not verified" hint', async () => {
      const log = new MemoryLogger();
      const s = source(tlsH, undefined, log);
      try {
        assert.equal((await s.poll({ battery: false })).ok, true);
        assert.ok(log.lines.some((l) => /over TLS \(certificate not verified/.test(l)), log.lines.join('\n'));
      } finally {
        await s.stop();
      }
    });
  });
});

describe('monitor TLS keys', () => {
  test('certVerify / forceSsl / caFile: monitor-wide, overridden per UPS (as CERTHOST)', async () => {
    const cfg = await parseConfig(
      [
        'monitor:',
        '  certVerify: true',
        '  forceSsl: true',
        '  caFile: /etc/upsagent/ca.pem',
        '  ups:',
        '    - name: a@10.0.0.5',
        '      user: mon',
        '      password: pw',
        '    - name: b@10.0.0.6',
        '      user: mon',
        '      password: pw',
        '      certVerify: false',
        '      forceSsl: false',
        '      caFile: /etc/upsagent/b-ca.pem',
        '      certName: nas.example.net',
        '',
      ].join('\n'),
    );
    const m = cfg.monitor!;
    assert.deepEqual(tlsSettingsOf(m.ups[0]!, m), { certVerify: true, forceSsl: true, caFile: '/etc/upsagent/ca.pem', caKey: 'monitor.caFile', certName: undefined });
    assert.deepEqual(tlsSettingsOf(m.ups[1]!, m), { certVerify: false, forceSsl: false, caFile: '/etc/upsagent/b-ca.pem', caKey: 'monitor.ups[b@10.0.0.6].caFile', certName: 'nas.example.net' });
  });

  test('defaults are upsmon\'s: CERTVERIFY 0, FORCESSL 0', async () => {
    const cfg = await parseConfig('monitor:\n  ups:\n    - name: a@10.0.0.5\n      user: mon\n      password: pw\n');
    assert.equal(cfg.monitor!.certVerify, false);
    assert.equal(cfg.monitor!.forceSsl, false);
    assert.equal(cfg.monitor!.caFile, undefined);
  });

  test('a wrong type is a config error', async () => {
    await assert.rejects(parseConfig('monitor:\n  certVerify: maybe\n  ups:\n    - name: a@10.0.0.5\n      user: mon\n      password: pw\n'), /monitor\.certVerify/);
  });

  test('caFile: unreadable, or no certificate in it, names the key and the file', () => {
    const certs = makeTestCerts();
    try {
      assert.throws(() => loadCaFile(join(certs.dir, 'none.pem'), 'monitor.caFile'), /monitor\.caFile: cannot read .*none\.pem/);
      assert.throws(() => loadCaFile(certs.keyFile, 'monitor.caFile'), /monitor\.caFile: .*server\.key holds no PEM certificate/);
      const bad = join(certs.dir, 'bad.pem');
      writeFileSync(bad, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      assert.throws(() => loadCaFile(bad, 'monitor.caFile'), /a certificate in .*bad\.pem does not parse/);
      assert.ok(loadCaFile(certs.caFile, 'monitor.caFile').length > 0);
    } finally {
      certs.cleanup();
    }
  });
});

describe('config check reads the TLS files as the start will', () => {
  let certs: TestCerts;
  before(() => {
    certs = makeTestCerts();
  });
  after(() => certs.cleanup());
  const ups = 'ups:\n  u:\n    driver: dummy-ups\n    port: /dev/null\n';
  function file(name: string, text: string): string {
    const f = join(certs.dir, name);
    writeFileSync(f, text);
    return f;
  }

  test('good certificate and CA files pass', async () => {
    const io = new MemoryIO();
    const f = file('good.yaml', `${ups}server:\n  tls:\n    certFile: ${certs.pemFile}\nmonitor:\n  caFile: ${certs.caFile}\n  ups:\n    - name: u\n`);
    assert.equal(await runConfigCheck(f, io), 0, io.stderr);
  });

  test('a certificate without its key, and a CA file that is no certificate, are problems (exit 2), each on its key', async () => {
    const io = new MemoryIO();
    const f = file(
      'bad.yaml',
      `${ups}server:\n  tls:\n    certFile: ${certs.certFile}\nmonitor:\n  ups:\n    - name: u\n    - name: r@127.0.0.1:1\n      user: m\n      password: p\n      caFile: ${certs.keyFile}\n`,
    );
    assert.equal(await runConfigCheck(f, io), 2);
    assert.match(io.stderr, /server\.tls\.certFile: .*server\.crt holds no private key/);
    assert.match(io.stderr, /monitor\.ups\[r@127\.0\.0\.1:1\]\.caFile: .*server\.key holds no PEM certificate/);
  });
});
