/**
 * SnmpTransport over the net-snmp package (pure JS, SNMP v1/v2c/v3 with
 * USM auth and privacy). One UDP session per card; every request is
 * bounded by net-snmp's own timeout × retries, and an abort (the runtime's
 * deadline, a stop) cancels what is in flight so nothing waits longer.
 */
import { createCipheriv } from 'node:crypto';
import snmp from 'net-snmp';
import { UpsAgentError } from '../../core/errors';
import { DeviceReplyError, DeviceTimeoutError } from '../runtime/index';
import { SnmpStatusError, type SetType, type SnmpTransport, type SnmpValue, type SnmpVarbind } from './transport';

export type SnmpVersion = 'v1' | 'v2c' | 'v3';
export type SecLevel = 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';

export interface SnmpSessionOptions {
  host: string;
  port: number;
  version: SnmpVersion;
  community: string;
  /** Seconds per try and tries after the first (snmp-ups snmp_timeout, snmp_retries). */
  timeoutS: number;
  retries: number;
  secLevel?: SecLevel;
  secName?: string;
  authPassword?: string;
  privPassword?: string;
  authProtocol?: string;
  privProtocol?: string;
}

const AUTH: Readonly<Record<string, snmp.AuthProtocols>> = {
  MD5: snmp.AuthProtocols.md5,
  SHA: snmp.AuthProtocols.sha,
  SHA224: snmp.AuthProtocols.sha224,
  SHA256: snmp.AuthProtocols.sha256,
  SHA384: snmp.AuthProtocols.sha384,
  SHA512: snmp.AuthProtocols.sha512,
};
/** NUT's AES is AES-128 (CFB, RFC 3826); AES192/AES256 are Blumenthal's draft, which net-snmp has as aes256b only. */
const PRIV: Readonly<Record<string, snmp.PrivProtocols>> = {
  DES: snmp.PrivProtocols.des,
  AES: snmp.PrivProtocols.aes,
  AES256: snmp.PrivProtocols.aes256b,
};

function toValue(vb: snmp.Varbind): SnmpValue {
  if (snmp.isVarbindError(vb)) return { kind: 'absent' };
  const v = vb.value;
  switch (vb.type) {
    case snmp.ObjectType.Integer:
    case snmp.ObjectType.Counter:
    case snmp.ObjectType.Gauge:
    case snmp.ObjectType.Counter64:
      return { kind: 'int', value: typeof v === 'bigint' ? Number(v) : Buffer.isBuffer(v) ? bufferToNumber(v) : Number(v) };
    case snmp.ObjectType.TimeTicks:
      return { kind: 'ticks', value: Number(v) };
    case snmp.ObjectType.OctetString:
    case snmp.ObjectType.Opaque:
      return { kind: 'string', value: Buffer.isBuffer(v) ? v : Buffer.from(String(v ?? '')) };
    case snmp.ObjectType.OID:
      return { kind: 'oid', value: String(v) };
    default:
      return { kind: 'other', type: vb.type ?? 0 };
  }
}

/** OpenSSL 3 keeps single DES in its legacy provider, which Node loads only when told to (tests ask too, to expect either way). */
export function desAvailable(): boolean {
  try {
    createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** net-snmp gives Counter64 as a Buffer. */
function bufferToNumber(b: Buffer): number {
  let n = 0;
  for (const byte of b) n = n * 256 + byte;
  return n;
}

export class NetSnmpTransport implements SnmpTransport {
  private readonly session: snmp.Session;
  private readonly budgetMs: number;
  private closed = false;

  constructor(private readonly opts: SnmpSessionOptions) {
    const common = { port: opts.port, retries: opts.retries, timeout: opts.timeoutS * 1000, backoff: 1, transport: opts.host.includes(':') ? ('udp6' as const) : ('udp4' as const) };
    this.budgetMs = opts.timeoutS * 1000 * (opts.retries + 1);
    if (opts.version === 'v3') {
      const level = snmp.SecurityLevel[opts.secLevel ?? 'noAuthNoPriv'];
      const user: snmp.User = { name: opts.secName ?? '', level };
      if (level !== snmp.SecurityLevel.noAuthNoPriv) {
        user.authProtocol = AUTH[(opts.authProtocol ?? 'MD5').toUpperCase()] ?? snmp.AuthProtocols.md5;
        user.authKey = opts.authPassword ?? '';
      }
      if (level === snmp.SecurityLevel.authPriv) {
        if ((opts.privProtocol ?? 'DES').toUpperCase() === 'DES' && !desAvailable()) {
          throw new UpsAgentError('CONFIG', 'privProtocol DES (the default) needs OpenSSL\'s legacy provider, which this Node does not load: set privProtocol: AES if the card can, or start with NODE_OPTIONS=--openssl-legacy-provider');
        }
        user.privProtocol = PRIV[(opts.privProtocol ?? 'DES').toUpperCase()] ?? snmp.PrivProtocols.des;
        user.privKey = opts.privPassword ?? '';
      }
      this.session = snmp.createV3Session(opts.host, user, { ...common, version: snmp.Version3 });
    } else {
      this.session = snmp.createSession(opts.host, opts.community, { ...common, version: opts.version === 'v1' ? snmp.Version1 : snmp.Version2c });
    }
    // A socket error must never become an uncaught exception: requests in flight fail with it.
    this.session.on('error', (err: unknown) => this.session.cancelRequests(err));
  }

  get(oids: readonly string[], signal?: AbortSignal): Promise<SnmpVarbind[]> {
    return this.call('GET', signal, (cb) => this.session.get([...oids], cb));
  }

  getNext(oids: readonly string[], signal?: AbortSignal): Promise<SnmpVarbind[]> {
    return this.call('GETNEXT', signal, (cb) => this.session.getNext([...oids], cb));
  }

  getBulk(oids: readonly string[], nonRepeaters: number, maxRepetitions: number, signal?: AbortSignal): Promise<SnmpVarbind[]> {
    return this.call('GETBULK', signal, (cb) =>
      this.session.getBulk([...oids], nonRepeaters, maxRepetitions, (err, vbs) => {
        // net-snmp nests the repeated part per OID; flatten it in row order.
        const flat: snmp.Varbind[] = [];
        for (const v of vbs ?? []) {
          if (Array.isArray(v)) flat.push(...(v as snmp.Varbind[]));
          else flat.push(v as snmp.Varbind);
        }
        cb(err, flat);
      }),
    );
  }

  async set(oid: string, type: SetType, value: string, signal?: AbortSignal): Promise<void> {
    const vb: snmp.Varbind =
      type === 's'
        ? { oid, type: snmp.ObjectType.OctetString, value }
        : { oid, type: type === 't' ? snmp.ObjectType.TimeTicks : snmp.ObjectType.Integer, value: Number.parseInt(value, 10) };
    await this.call('SET', signal, (cb) => this.session.set([vb], cb));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      // already closed by a socket error
    }
  }

  private call(what: string, signal: AbortSignal | undefined, send: (cb: (err: Error | null, vbs?: snmp.Varbind[]) => void) => unknown): Promise<SnmpVarbind[]> {
    return new Promise<SnmpVarbind[]>((resolve, reject) => {
      if (this.closed) {
        reject(new DeviceTimeoutError(`SNMP ${what} (session closed)`, 0));
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new DeviceTimeoutError(`SNMP ${what}`, 0));
        return;
      }
      let done = false;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        reject(signal?.reason instanceof Error ? signal.reason : new DeviceTimeoutError(`SNMP ${what}`, 0));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        send((err, vbs) => {
          if (done) return;
          done = true;
          signal?.removeEventListener('abort', onAbort);
          if (err) {
            reject(this.translate(what, err));
            return;
          }
          resolve((vbs ?? []).map((vb) => ({ oid: vb.oid, value: toValue(vb) })));
        });
      } catch (err) {
        done = true;
        signal?.removeEventListener('abort', onAbort);
        reject(this.translate(what, err));
      }
    });
  }

  private translate(what: string, err: unknown): Error {
    const e = err as { name?: string; message?: string; status?: number };
    if (e.name === 'RequestTimedOutError') return new DeviceTimeoutError(`SNMP ${what} to ${this.opts.host}:${this.opts.port}`, this.budgetMs);
    if (e.name === 'RequestFailedError' && typeof e.status === 'number') {
      const m = /: ([0-9.]+)$/.exec(e.message ?? '');
      return new SnmpStatusError(e.status, `SNMP ${what}: ${e.message ?? 'failed'}`, m?.[1]);
    }
    // Socket errors, authentication/decryption failures: the card is not reachable as configured.
    return new DeviceReplyError(`SNMP ${what} to ${this.opts.host}:${this.opts.port} failed: ${e.message ?? String(err)}`, true);
  }
}
