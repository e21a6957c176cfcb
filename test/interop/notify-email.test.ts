/**
 * The email channel against a local SMTP server (smtp-server) with a
 * self-signed certificate made here with openssl: the connection is
 * upgraded with STARTTLS before the login, the certificate is checked
 * against the configured CA, the message has the subject and body
 * templates filled, and a server that refuses the first attempts gets the
 * message on a retry. A server without STARTTLS never sees the password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { NotifyChannels } from '../../src/notify/channels';
import { SMTP_PASSWORD as PASSWORD, certificate, smtp } from '../helpers/notify-receivers';
import { until } from '../helpers/surface-rig';

function channelsFor(port: number, ca: string, extra: Record<string, unknown> = {}, log = new MemoryLogger()) {
  const cfg = validateConfig({
    ups: { u: { driver: 'dummy', port: '/x.dev' } },
    monitor: { ups: [{ name: 'u' }] },
    notify: {
      retryDelay: 0.1,
      retryDelayMax: 0.3,
      channels: [{ type: 'email', name: 'ops-mail', host: '127.0.0.1', port, user: 'ups', password: PASSWORD, from: 'ups@example.org', to: ['ops@example.org', 'me@example.org'], ca, timeout: 10, ...extra }],
    },
  });
  return { ch: new NotifyChannels({ config: cfg.notify!, log, host: 'rack1' }), log };
}

test('email over STARTTLS with a login; the server refuses twice, the third attempt is delivered; the password is in no log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-smtp-'));
  const { key, cert, certFile } = certificate(dir);
  const rx = await smtp({ key, cert, failFirst: 2 });
  const { ch, log } = channelsFor(rx.port, certFile);
  try {
    ch.dispatch({ ups: 'u', type: 'LOWBATT', message: 'UPS u battery is low', at: Date.UTC(2026, 0, 1, 12), host: 'rack1' });
    await until('the mail', () => rx.mails.length === 1);
    await ch.idle();
    const mail = rx.mails[0]!;
    assert.equal(mail.secure, true, 'upgraded with STARTTLS before the message');
    assert.ok(rx.logins.length >= 1 && rx.logins.every((l) => l.secure && l.user === 'ups'), 'the login only ever happened inside TLS');
    assert.match(mail.raw, /^Subject: \[upsagent\] LOWBATT u on rack1\r?$/m);
    assert.match(mail.raw, /^From: ups@example\.org\r?$/m);
    assert.match(mail.raw, /^To: ops@example\.org, me@example\.org\r?$/m);
    assert.match(mail.raw, /UPS u battery is low/);
    assert.match(mail.raw, /Time: 2026-01-01T12:00:00\.000Z/);
    assert.equal(rx.attempts(), 3);
    assert.equal(ch.stats()[0]!.retried, 2);
    assert.ok(log.lines.some((l) => l.includes('Mailbox busy')), 'the refusal is logged');
    assert.ok(log.lines.every((l) => !l.includes(PASSWORD)));
  } finally {
    await ch.stop();
    await new Promise<void>((r) => rx.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server without STARTTLS: nothing is sent and the password never goes out in plain text; a certificate the CA did not sign is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-smtp-'));
  const { key, cert, certFile } = certificate(dir);
  const plain = await smtp({ key, cert, extra: { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } });
  const { ch } = channelsFor(plain.port, certFile);
  const other = certificate(mkdtempSync(join(tmpdir(), 'upsagent-smtp-other-')));
  const tls = await smtp({ key, cert });
  const { ch: wrongCa } = channelsFor(tls.port, other.certFile);
  try {
    const [r] = await ch.test({ ups: 'u', type: 'ONBATT', message: 'UPS u on battery', at: 1 });
    assert.equal(r!.ok, false);
    assert.match(r!.error!, /STARTTLS/i);
    assert.equal(plain.logins.length, 0, 'no AUTH without TLS');
    assert.equal(plain.mails.length, 0);
    const [r2] = await wrongCa.test({ ups: 'u', type: 'ONBATT', message: 'UPS u on battery', at: 1 });
    assert.equal(r2!.ok, false);
    assert.match(r2!.error!, /self[- ]signed|certificate/i);
    assert.equal(tls.mails.length, 0);
  } finally {
    await ch.stop();
    await wrongCa.stop();
    await new Promise<void>((r) => plain.server.close(() => r()));
    await new Promise<void>((r) => tls.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
