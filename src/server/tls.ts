/**
 * TLS for the NUT server: STARTTLS as upsd 2.8.0 does it (server/netssl.c).
 *
 * - `server.tls.certFile` is upsd's CERTFILE (the OpenSSL build): PEM, the
 *   server's certificate first, then any intermediate CAs, and the private
 *   key, all in one file (`cat upsd.crt upsd.key > upsd.pem`). The key may
 *   instead be in `keyFile`.
 * - STARTTLS answers `OK STARTTLS` in clear text, then the same connection
 *   turns into a TLS server session; a second STARTTLS is
 *   `ERR ALREADY-SSL-MODE`, and a server without a certificate answers
 *   `ERR FEATURE-NOT-CONFIGURED` (clients carry on in plain text, unless
 *   they were told to insist: upsmon's FORCESSL / CERTVERIFY).
 * - `disableWeak` is DISABLE_WEAK_SSL: TLS 1.2 or better. upsd leaves it off
 *   by default and warns; we turn it on by default (safe by default) and
 *   warn when it is turned off.
 * - Client certificates are not asked for (upsd's OpenSSL build: SSL_VERIFY_NONE).
 *
 * Everything is checked when the server starts: a file that cannot be read,
 * a certificate that does not parse, a missing or encrypted key, or a key
 * that is not the certificate's stops the start with the key and the file.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { nodeCrypto, nodeTls } from '../core/lazy-builtins';
import { statSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
// node:tls and node:crypto come from lazy-builtins: a server without TLS (the default, and the demo) never loads them.
import { UpsAgentError, errorMessage, type ConfigIssue } from '../core/errors';
import { readConfiguredFile } from '../core/files';
import type { Logger } from '../core/logger';
import { bool, obj, optional, str, type Infer } from '../core/schema';

export const serverTlsSchema = optional(
  obj({
    /** PEM: the certificate (then intermediates), and the key unless keyFile is given (upsd's CERTFILE). */
    certFile: str({ minLength: 1 }),
    /** PEM private key, when it is not in certFile. */
    keyFile: optional(str({ minLength: 1 })),
    /** TLS 1.2 or better only (upsd's DISABLE_WEAK_SSL); off allows TLS 1.0 and 1.1 for old clients. */
    disableWeak: optional(bool(), true),
  }),
);

export type ServerTlsConfig = NonNullable<Infer<typeof serverTlsSchema>>;

/** What STARTTLS needs, loaded once at start. */
export interface ServerTls {
  readonly context: SecureContext;
  /** For the start-up log: subject, issuer, expiry. */
  readonly summary: string;
  /** Worth a warning at start (expired certificate, key readable by everyone, weak protocols allowed). */
  readonly warnings: readonly string[];
}

/** A TLS handshake that has not finished after this long is dropped. */
export const HANDSHAKE_TIMEOUT_MS = 15_000;

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

function configError(message: string): UpsAgentError {
  return new UpsAgentError('CONFIG', message);
}

function readKey(pem: string, file: string, key: string): { pem: string; key: KeyObject } {
  const m = KEY_BLOCK.exec(pem);
  if (!m) {
    throw configError(
      key === 'server.tls.certFile'
        ? `${key}: ${file} holds no private key; append it (cat upsd.crt upsd.key > upsd.pem, as for upsd's CERTFILE) or set server.tls.keyFile`
        : `${key}: ${file} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`,
    );
  }
  if (m[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(m[0])) {
    throw configError(`${key}: the private key in ${file} is encrypted; the server needs it unencrypted (openssl pkey -in key.pem -out plain.pem), readable by the agent only`);
  }
  try {
    return { pem: m[0], key: nodeCrypto().createPrivateKey(m[0]) };
  } catch (err) {
    throw configError(`${key}: the private key in ${file} does not parse: ${errorMessage(err)}`);
  }
}

/** Everyone may read it: upsd's check_perms warns about the same. */
function worldReadable(file: string): boolean {
  try {
    return (statSync(file).mode & 0o004) !== 0;
  } catch {
    return false;
  }
}

/**
 * Reads and checks the certificate and key; throws UpsAgentError (CONFIG)
 * naming the key and the file. `now` (ms) is for the validity warnings.
 */
export function loadServerTls(cfg: ServerTlsConfig, now: number = Date.now()): ServerTls {
  const certPem = readConfiguredFile(cfg.certFile, 'server.tls.certFile').toString('utf8');
  const certs = certPem.match(CERT_BLOCK) ?? [];
  if (certs.length === 0) throw configError(`server.tls.certFile: ${cfg.certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  let leaf: X509Certificate;
  try {
    leaf = new (nodeCrypto().X509Certificate)(certs[0]!);
  } catch (err) {
    throw configError(`server.tls.certFile: the certificate in ${cfg.certFile} does not parse: ${errorMessage(err)}`);
  }
  const keyFile = cfg.keyFile ?? cfg.certFile;
  const keyKey = cfg.keyFile !== undefined ? 'server.tls.keyFile' : 'server.tls.certFile';
  const keyPem = cfg.keyFile !== undefined ? readConfiguredFile(cfg.keyFile, keyKey).toString('utf8') : certPem;
  const key = readKey(keyPem, keyFile, keyKey);
  if (!leaf.checkPrivateKey(key.key)) {
    throw configError(`${keyKey}: the private key in ${keyFile} is not the key of the certificate in ${cfg.certFile} (the certificate must come first)`);
  }

  const warnings: string[] = [];
  if (Date.parse(leaf.validTo) < now) warnings.push(`server.tls.certFile: the certificate expired on ${leaf.validTo}; clients that verify it (CERTVERIFY) will refuse it`);
  if (Date.parse(leaf.validFrom) > now) warnings.push(`server.tls.certFile: the certificate is not valid before ${leaf.validFrom}; clients that verify it will refuse it`);
  if (worldReadable(keyFile)) warnings.push(`${keyKey}: ${keyFile} holds the private key and every user may read it; chmod 0640 (owner root, group of the agent)`);
  const disableWeak = cfg.disableWeak !== false;
  if (!disableWeak) warnings.push('server.tls.disableWeak is off: TLS 1.0 and 1.1 are accepted (as upsd without DISABLE_WEAK_SSL); turn it on unless very old clients need them');

  let context: SecureContext;
  try {
    context = nodeTls().createSecureContext({
      cert: certs.join('\n'),
      key: key.pem,
      minVersion: disableWeak ? 'TLSv1.2' : 'TLSv1',
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; the user asked for them.
      ...(disableWeak ? {} : { ciphers: 'DEFAULT:@SECLEVEL=0' }),
    });
  } catch (err) {
    throw configError(`server.tls: cannot use the certificate in ${cfg.certFile}: ${errorMessage(err)}`);
  }
  const summary = `certificate ${leaf.subject.replace(/\n/g, ', ')} (issuer ${leaf.issuer.replace(/\n/g, ', ')}), valid until ${leaf.validTo}`;
  return { context, summary, warnings };
}

export interface UpgradeHandlers {
  /** The handshake is done: the session is encrypted from here on. */
  onSecure(socket: TLSSocket): void;
  /** The handshake failed or timed out; the socket is being destroyed. */
  onFail(why: string): void;
}

/**
 * Turns a connection that has just been sent `OK STARTTLS` into the server
 * side of a TLS session, in place. The caller has taken its own listeners
 * off `socket` and puts them on the socket returned. Node hands over what
 * the plain socket still had to write, so the OK goes out first.
 */
export function upgradeToTls(socket: Socket, tls: ServerTls, handlers: UpgradeHandlers): TLSSocket {
  const secure = new (nodeTls().TLSSocket)(socket, { isServer: true, secureContext: tls.context, requestCert: false, rejectUnauthorized: false });
  let settled = false;
  const timer = setTimeout(() => fail(`no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`), HANDSHAKE_TIMEOUT_MS);
  timer.unref();
  function fail(why: string): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    handlers.onFail(why);
    secure.destroy();
  }
  secure.once('secure', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    handlers.onSecure(secure);
  });
  // Errors after the handshake are the connection's business (its own 'error' listener).
  secure.on('error', (err) => {
    if (!settled) fail(`TLS handshake failed: ${errorMessage(err)}`);
  });
  secure.once('close', () => fail('closed during the TLS handshake'));
  return secure;
}

/** "TLSv1.3, TLS_AES_256_GCM_SHA384": for the log. */
export function describeSession(s: TLSSocket): string {
  const cipher = s.getCipher() as { name?: string } | undefined;
  return [s.getProtocol() ?? 'TLS', cipher?.name].filter(Boolean).join(', ');
}

/** What identifies a file's version on disk: a renewal replaces or rewrites it. */
function fileStamp(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/**
 * server.tls as the running server holds it: loaded at start, and loaded
 * again when certFile or keyFile changes on disk (a renewed certificate:
 * certbot and the like replace the file in place), looked at a STARTTLS
 * and no more than once a second. A changed file that does not load is
 * warned about and the certificate in use is kept; sessions already in TLS
 * keep theirs either way.
 */
export class ServerCertificate {
  private tls: ServerTls;
  private stamp: string;
  private checkedAt: number;
  private readonly files: string[];

  constructor(
    private readonly cfg: ServerTlsConfig,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.files = cfg.keyFile !== undefined ? [cfg.certFile, cfg.keyFile] : [cfg.certFile];
    this.stamp = fileStamp(this.files);
    this.tls = loadServerTls(cfg);
    this.checkedAt = clock();
  }

  /** The certificate in use, without looking at the files. */
  get loaded(): ServerTls {
    return this.tls;
  }

  /** What a STARTTLS uses now (reloaded first when the files changed). */
  current(): ServerTls {
    const now = this.clock();
    if (now - this.checkedAt < 1000) return this.tls;
    this.checkedAt = now;
    const stamp = fileStamp(this.files);
    if (stamp === this.stamp) return this.tls;
    this.stamp = stamp;
    try {
      this.tls = loadServerTls(this.cfg);
      this.log.info(`server.tls: ${this.cfg.certFile} changed; new TLS sessions use it`);
      logTls(this.log, this.tls);
    } catch (err) {
      this.log.warn(`${errorMessage(err)}; new TLS sessions keep the certificate loaded before`);
    }
    return this.tls;
  }
}

/** At start: what STARTTLS offers, and what is worth a warning. */
export function logTls(log: Logger, tls: ServerTls): void {
  log.info(`STARTTLS offered: ${tls.summary}`);
  for (const w of tls.warnings) log.warn(w);
}

/**
 * server.tls checked as the start would check it, as configuration problems
 * (`config check`, reload): `path: message` split out of the error.
 */
export function serverTlsProblems(cfg: ServerTlsConfig | undefined): ConfigIssue[] {
  if (!cfg) return [];
  try {
    loadServerTls(cfg);
    return [];
  } catch (err) {
    return [issueOf(err, 'server.tls')];
  }
}

/** An error whose message starts with `key: ` as a ConfigIssue on that key. */
export function issueOf(err: unknown, fallbackPath: string): ConfigIssue {
  const text = errorMessage(err);
  const m = /^([\w.[\]@:-]+): ([\s\S]*)$/.exec(text);
  return m ? { path: m[1]!, message: m[2]! } : { path: fallbackPath, message: text };
}
