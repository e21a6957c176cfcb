/**
 * When and how a client speaks TLS to a NUT server: upsclient 2.8.0's rules
 * (upscli_tryconnect) as upsmon drives them with CERTVERIFY and FORCESSL.
 *
 * - STARTTLS is always tried first (upsmon's TRYSSL). A server that declines
 *   (ERR FEATURE-NOT-CONFIGURED, or an old one's UNKNOWN-COMMAND) is talked
 *   to in plain text, unless:
 *   - `forceSsl` (FORCESSL 1): no TLS, no session ("SSL is not available");
 *   - `certVerify` (CERTVERIFY 1): a certificate is needed, so no plain text either.
 * - With `certVerify` the server's certificate must chain to `ca` (upsmon's
 *   CERTPATH; without one, the system's CAs) and carry the host's name or
 *   address (or `servername`, as CERTHOST's certificate name). Without it
 *   the session is encrypted but the server is not authenticated; upsclient
 *   warns about that, and so does the caller (`verified: false`).
 * - A handshake that fails ends the connection, whatever the policy (as
 *   upsclient does when SSL setup fails after OK STARTTLS).
 */
import { nodeCrypto } from '../core/lazy-builtins';
import { UpsAgentError, errorMessage } from '../core/errors';
import { readConfiguredFile } from '../core/files';
import type { NutClient } from './client';
import { NutTlsError } from './errors';

export interface TlsPolicy {
  /** Check the server's certificate (CERTVERIFY 1). */
  certVerify: boolean;
  /** Refuse plain text (FORCESSL 1). */
  forceSsl: boolean;
  /** PEM CA certificates to trust (CERTPATH); absent: the system's. */
  ca?: Buffer;
  /** The name the certificate must carry, when not the host (CERTHOST's certname). */
  servername?: string;
}

export const TRY_TLS: TlsPolicy = { certVerify: false, forceSsl: false };

/** How the session went: TLS (verified or not) or plain text. */
export type TlsOutcome = { tls: true; verified: boolean } | { tls: false };

/**
 * Reads a CA file the configuration names and checks it holds at least one
 * PEM certificate that parses; throws UpsAgentError (CONFIG) naming `key`.
 */
export function loadCaFile(file: string, key: string): Buffer {
  const pem = readConfiguredFile(file, key);
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UpsAgentError('CONFIG', `${key}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const b of blocks) {
    try {
      new (nodeCrypto().X509Certificate)(b);
    } catch (err) {
      throw new UpsAgentError('CONFIG', `${key}: a certificate in ${file} does not parse: ${errorMessage(err)}`);
    }
  }
  return pem;
}

/**
 * Runs STARTTLS on a fresh connection according to `policy`. Throws
 * NutTlsError when the policy cannot be met; the caller closes the
 * connection then.
 */
export async function negotiateTls(client: Pick<NutClient, 'startTls' | 'host' | 'port'>, policy: TlsPolicy): Promise<TlsOutcome> {
  const up = await client.startTls({
    rejectUnauthorized: policy.certVerify,
    ...(policy.ca ? { ca: policy.ca } : {}),
    ...(policy.servername ? { servername: policy.servername } : {}),
  });
  if (up) return { tls: true, verified: policy.certVerify };
  const where = `${client.host}:${client.port}`;
  if (policy.forceSsl) throw new NutTlsError('unavailable', `${where} does not offer STARTTLS and forceSsl is on: not talking in plain text`);
  if (policy.certVerify) throw new NutTlsError('unavailable', `${where} does not offer STARTTLS and certVerify is on: a certificate is needed`);
  return { tls: false };
}
