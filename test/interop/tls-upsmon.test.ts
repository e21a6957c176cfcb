/**
 * STARTTLS with the REAL NUT 2.8.0 programs (Debian's, built with NSS):
 *
 * 1. Real upsmon as a secondary of our server with CERTVERIFY 1, FORCESSL 1
 *    and a CERTPATH (an NSS database trusting our test CA): it logs in over
 *    TLS (our server logs the TLS session and "(SSL)" on its LOGIN), and an
 *    FSD set on our server reaches it: it runs its shutdown command.
 * 2. The same upsmon with a CERTPATH trusting another CA: no login at all.
 * 3. upsmon with FORCESSL 1 against our server without TLS: no login at all.
 * 4. The real upsc (it tries STARTTLS, without checking) reads our TLS server.
 * 5. Two agents from configuration: one serving with server.tls, one watching
 *    it with monitor certVerify/forceSsl/caFile: verified TLS login.
 * 6. Real upsd with an NSS CERTPATH + CERTIDENT: our client's STARTTLS with
 *    certVerify against the CA gets a verified session and reads the UPS;
 *    against another CA it is refused; our monitor's remote source logs in
 *    over TLS; the real upsc (which tries STARTTLS) still reads through it.
 *
 * Certificates are made with openssl and imported with certutil/pk12util in
 * scratch folders; everything stays on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { NutClient, NutTlsError, negotiateTls } from '../../src/client';
import { MemoryLogger } from '../../src/core/logger';
import { RemoteSource } from '../../src/monitor/sources/remote';
import { publishSampleVars, startHarness, type Harness } from '../helpers/fake-driver';
import { nutAvailable, startRealNut, UPSC, type RealNut } from '../helpers/real-nut';
import { startRealUpsmon, upsmonAvailable, type RealUpsmon } from '../helpers/real-upsmon';
import { makeNssServerDb, makeNssTrustDb, makeTestCerts, nssToolsAvailable, type TestCerts } from '../helpers/tls-certs';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number, diag: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${diag()}`);
    await sleep(100);
  }
}

function readOr(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

const canRun = upsmonAvailable() && nssToolsAvailable();

describe('STARTTLS with the real upsmon (NSS build)', { skip: canRun ? false : 'needs /lib/nut/upsmon and certutil/pk12util (test/run.sh installs them)' }, () => {
  let certs: TestCerts;
  let tlsH: Harness;
  let plainH: Harness;
  let goodDb: string;
  let wrongDb: string;
  const running: RealUpsmon[] = [];

  before(async () => {
    certs = makeTestCerts();
    goodDb = makeNssTrustDb(join(certs.dir, 'nss-good'), certs.caFile);
    wrongDb = makeNssTrustDb(join(certs.dir, 'nss-wrong'), certs.otherCaFile);
    tlsH = await startHarness({ server: { tls: { certFile: certs.pemFile } } });
    plainH = await startHarness();
    for (const h of [tlsH, plainH]) {
      publishSampleVars(h.drivers.ups1!.pub);
      h.drivers.ups1!.pub.setVar('ups.status', 'OL');
      h.drivers.ups1!.pub.dataOk();
    }
  });
  after(async () => {
    for (const u of running) await u.stop();
    await tlsH.stop();
    await plainH.stop();
    certs.cleanup();
  });

  async function upsmon(h: Harness, certPath: string | null, extra: string[]): Promise<{ mon: RealUpsmon; shutdownFile: string }> {
    const shutdownFile = join(certs.dir, `shutdown-${running.length}.txt`);
    const mon = await startRealUpsmon({
      monitors: [{ ups: `ups1@127.0.0.1:${h.port}`, user: 'mon', password: 'pw', role: 'secondary' }],
      shutdownFile,
      pollFreq: 1,
      pollFreqAlert: 1,
      finalDelay: 0,
      extraConf: [...(certPath ? [`CERTPATH ${certPath}`] : []), ...extra],
    });
    running.push(mon);
    return { mon, shutdownFile };
  }

  test('CERTVERIFY 1 + FORCESSL 1 + CERTPATH: upsmon logs in over TLS, and FSD reaches it', async () => {
    const { mon, shutdownFile } = await upsmon(tlsH, goodDb, ['CERTVERIFY 1', 'FORCESSL 1']);
    const diag = () => `--- upsmon:\n${mon.log().slice(-3000)}\n--- server:\n${tlsH.log.lines.slice(-30).join('\n')}`;
    await waitFor('upsmon to log in over TLS', () => tlsH.log.lines.some((l) => /user mon@127\.0\.0\.1 logged into UPS \[ups1\] \(SSL\)/.test(l)), 20_000, diag);
    assert.ok(tlsH.log.lines.some((l) => /TLS session up \(TLSv1\.[23], /.test(l)), diag());
    assert.match(mon.log(), /Connected to NUT server 127\.0\.0\.1 in SSL/, diag());
    assert.doesNotMatch(mon.log(), /Certificate verification is disabled/);
    assert.equal(readOr(shutdownFile), '', 'no shutdown before FSD');
    tlsH.store.latchFsd('ups1', 'admin');
    await waitFor('upsmon to run its shutdown command on FSD', () => readOr(shutdownFile).trim() !== '', 30_000, diag);
  });

  test('CERTVERIFY 1 with a CERTPATH trusting another CA: upsmon never logs in', async () => {
    const before = tlsH.log.lines.length;
    const { mon } = await upsmon(tlsH, wrongDb, ['CERTVERIFY 1', 'FORCESSL 1']);
    const diag = () => `--- upsmon:\n${mon.log().slice(-3000)}`;
    await waitFor('upsmon to report the failed certificate check', () => /Certificate validation failed|connect failed/.test(mon.log()), 20_000, diag);
    await sleep(2000);
    assert.ok(!tlsH.log.lines.slice(before).some((l) => /logged into UPS/.test(l)), tlsH.log.lines.slice(before).join('\n'));
    await mon.stop();
  });

  test('the real upsc reads our server over TLS (it tries STARTTLS, as upsc does)', async () => {
    const before = tlsH.log.lines.filter((l) => /TLS session up/.test(l)).length;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(UPSC, [`ups1@127.0.0.1:${tlsH.port}`, 'ups.status'], { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${String(stderr)}`)) : resolve(String(stdout))));
    });
    assert.match(out.trim(), /\bOL\b/, 'ups1 is OL (FSD set by the first test)');
    assert.equal(tlsH.log.lines.filter((l) => /TLS session up/.test(l)).length, before + 1, 'upsc took the TLS session');
  });

  test('FORCESSL 1 against our server without TLS: upsmon refuses to talk in plain text', async () => {
    const { mon } = await upsmon(plainH, null, ['FORCESSL 1']);
    const diag = () => `--- upsmon:\n${mon.log().slice(-3000)}`;
    await waitFor('upsmon to refuse the plain-text server', () => /Can not connect to NUT server 127\.0\.0\.1 in SSL|connect failed/.test(mon.log()), 20_000, diag);
    await sleep(2000);
    assert.ok(!plainH.log.lines.some((l) => /logged into UPS/.test(l)), plainH.log.lines.join('\n'));
    assert.ok(plainH.log.lines.length > 0);
    await mon.stop();
  });
});

describe('two agents from configuration: server.tls, and a monitor with certVerify / forceSsl / caFile', () => {
  test('the watching agent logs in over verified TLS; the serving agent logs the LOGIN with (SSL)', async () => {
    const certs = makeTestCerts();
    const serveLog = new MemoryLogger();
    const watchLog = new MemoryLogger();
    const stops: Array<() => Promise<void>> = [];
    try {
      const server = await startAgent({
        config: validateConfig({
          ups: { dev: { driver: 'dummy-ups', port: join(__dirname, '../fixtures/dummy/basic.dev') } },
          server: { listen: ['127.0.0.1:0'], tls: { certFile: certs.pemFile } },
          users: { mon: { password: 'pw', upsmon: 'secondary' } },
        }),
        log: serveLog,
        version: 'test',
      });
      stops.push(() => server.stop());
      const port = server.addresses()[0]!.port;
      assert.ok(serveLog.lines.some((l) => /STARTTLS offered: certificate CN=localhost/.test(l)), serveLog.lines.join('\n'));
      const watcher = await startAgent({
        config: validateConfig({
          monitor: {
            certVerify: true,
            forceSsl: true,
            caFile: certs.caFile,
            ups: [{ name: `dev@127.0.0.1:${port}`, user: 'mon', password: 'pw', role: 'secondary' }],
            pollFreq: 1,
            dryRun: true,
            stateFile: join(certs.dir, 'monitor.json'),
            notify: { routes: { ONLINE: ['log'], ONBATT: ['log'], COMMOK: ['log'], COMMBAD: ['log'], NOCOMM: ['log'] } },
          },
        }),
        log: watchLog,
        version: 'test',
      });
      stops.push(() => watcher.stop());
      const diag = () => `--- watcher:\n${watchLog.lines.slice(-20).join('\n')}\n--- server:\n${serveLog.lines.slice(-20).join('\n')}`;
      await waitFor('the watcher to log in over verified TLS', () => watchLog.lines.some((l) => /logged in as mon over TLS \(certificate verified\)/.test(l)), 20_000, diag);
      await waitFor('the server to log the LOGIN as SSL', () => serveLog.lines.some((l) => /user mon@127\.0\.0\.1 logged into UPS \[dev\] \(SSL\)/.test(l)), 5_000, diag);
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      certs.cleanup();
    }
  });

  test('a monitor caFile that cannot be read stops the start, naming the key', async () => {
    await assert.rejects(
      startAgent({
        config: validateConfig({ monitor: { caFile: '/nonexistent/ca.pem', ups: [{ name: 'dev@127.0.0.1:1', user: 'mon', password: 'pw' }] } }),
        log: new MemoryLogger(),
        version: 'test',
      }),
      /monitor\.caFile: cannot read \/nonexistent\/ca\.pem/,
    );
  });
});

describe('our client and monitor with real upsd STARTTLS (NSS CERTPATH)', { skip: nutAvailable() && nssToolsAvailable() ? false : 'needs real upsd and certutil/pk12util' }, () => {
  let certs: TestCerts;
  let nut: RealNut;
  let ca: Buffer;
  const clients: NutClient[] = [];

  before(async () => {
    certs = makeTestCerts();
    ca = readFileSync(certs.caFile);
    const db = makeNssServerDb(join(certs.dir, 'nss-upsd'), certs, 'upsd');
    nut = await startRealNut({
      devices: { dev: { file: join(__dirname, '../fixtures/dummy/basic.dev') } },
      users: { mon: { password: 'pw', upsmon: 'secondary' } },
      upsdConf: [`CERTPATH ${db}`, 'CERTIDENT upsd ""', 'DISABLE_WEAK_SSL true'],
    });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await nut?.stop();
    certs.cleanup();
  });

  async function connect(): Promise<NutClient> {
    const c = await NutClient.connect({ host: '127.0.0.1', port: nut.port, timeoutMs: 5000 });
    clients.push(c);
    return c;
  }

  test('certVerify against the right CA: verified TLS to real upsd, LOGIN and GET inside it', async () => {
    const c = await connect();
    assert.deepEqual(await negotiateTls(c, { certVerify: true, forceSsl: true, ca }), { tls: true, verified: true });
    await c.username('mon');
    await c.password('pw');
    await c.login('dev');
    assert.match(await c.getVar('dev', 'ups.status'), /\S/);
    await sleep(200);
    assert.match(readOr(join(nut.dir, 'upsd.log')), /logged into UPS \[dev\] \(SSL\)/);
    await assert.rejects(c.request('STARTTLS'), /ALREADY-SSL-MODE/);
  });

  test('certVerify against another CA: refused with an SSL error', async () => {
    const c = await connect();
    await assert.rejects(negotiateTls(c, { certVerify: true, forceSsl: false, ca: readFileSync(certs.otherCaFile) }), (e: unknown) => e instanceof NutTlsError && e.kind === 'handshake');
  });

  test('our monitor\'s remote source logs in to real upsd over verified TLS', async () => {
    const log = new MemoryLogger();
    const s = new RemoteSource({ name: `dev@127.0.0.1:${nut.port}`, ups: 'dev', host: '127.0.0.1', port: nut.port, user: 'mon', password: 'pw', role: 'secondary', log, tls: { certVerify: true, forceSsl: true, ca } });
    try {
      const r = await s.poll({ battery: true });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.ok(log.lines.some((l) => /over TLS \(certificate verified\)/.test(l)), log.lines.join('\n'));
    } finally {
      await s.stop();
    }
  });

  test('the real upsc still reads through it (it tries STARTTLS, no verification)', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(UPSC, [`dev@127.0.0.1:${nut.port}`, 'ups.status'], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
    });
    assert.match(out.trim(), /\S/);
  });
});
