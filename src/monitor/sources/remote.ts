/**
 * A UPS on a NUT server (upsd, or another upsagent), watched the way upsmon
 * does: connect, USERNAME, PASSWORD, LOGIN (so the server counts this host
 * in NUMLOGINS, which the UPS's primary waits on during HOSTSYNC), PRIMARY
 * when this host is the UPS's primary, then GET VAR ups.status each poll on
 * the same connection, which keeps it alive. A lost connection is opened
 * again at the next poll. STARTTLS comes first, before any credential
 * (client/tls-policy.ts: upsmon's CERTVERIFY and FORCESSL).
 */
import { NutClient, NutProtocolError, TRY_TLS, negotiateTls, nutErrorText, type NutClientOptions, type TlsPolicy } from '../../client';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Role, Reading } from '../supply';
import { numberOf, type PollOutcome, type PollRequest, type UpsSource } from './source';

/** The part of NutClient this source uses, so tests can hand in another. */
export type NutSession = Pick<
  NutClient,
  'username' | 'password' | 'login' | 'primary' | 'getVar' | 'getNumLogins' | 'fsd' | 'logout' | 'close' | 'isOpen' | 'onClose' | 'startTls' | 'host' | 'port'
>;

export interface RemoteSourceOptions {
  /** `ups@host[:port]` as configured. */
  name: string;
  ups: string;
  host: string;
  port: number;
  user: string;
  password: string;
  role: Role;
  log: Logger;
  /** STARTTLS as upsmon does it (CERTVERIFY, FORCESSL); default: tried, plain text when declined. */
  tls?: TlsPolicy;
  /** Per reply and for connecting (upsmon: 10 s to connect, alarms on reads). */
  timeoutMs?: number;
  connect?: (opts: NutClientOptions) => Promise<NutSession>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

export class RemoteSource implements UpsSource {
  readonly name: string;
  private session: NutSession | null = null;
  private connecting: Promise<NutSession> | null = null;
  private stopped = false;

  constructor(private readonly opts: RemoteSourceOptions) {
    this.name = opts.name;
  }

  async poll(req: PollRequest): Promise<PollOutcome> {
    let s: NutSession;
    try {
      s = await this.ensureSession();
    } catch (err) {
      return { ok: false, error: nutErrorText(err) };
    }
    const ups = this.opts.ups;
    try {
      const reading: Reading = { status: await s.getVar(ups, 'ups.status') };
      // Extras are best effort: a UPS without them is still read.
      if (/\bALARM\b/i.test(reading.status)) reading.alarm = await optionalVar(s, ups, 'ups.alarm');
      reading.testResult = await optionalVar(s, ups, 'ups.test.result');
      if (req.battery) {
        reading.charge = numberOf(await optionalVar(s, ups, 'battery.charge'));
        reading.runtime = numberOf(await optionalVar(s, ups, 'battery.runtime'));
      }
      return { ok: true, reading };
    } catch (err) {
      // ERR DATA-STALE and the like keep the connection; anything else loses it.
      if (!(err instanceof NutProtocolError)) this.drop();
      return { ok: false, error: nutErrorText(err) };
    }
  }

  async setFsd(): Promise<void> {
    const s = await this.ensureSession();
    await s.fsd(this.opts.ups);
  }

  async otherLogins(): Promise<number | null> {
    try {
      const s = await this.ensureSession();
      // NUMLOGINS counts this connection too.
      return Math.max(0, (await s.getNumLogins(this.opts.ups)) - 1);
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const s = this.session ?? (await this.connecting?.catch(() => null)) ?? null;
    this.session = null;
    if (!s) return;
    // LOGOUT tells a primary counting NUMLOGINS that this host is done.
    await s.logout().catch(() => undefined);
    await s.close().catch(() => undefined);
  }

  private ensureSession(): Promise<NutSession> {
    if (this.session?.isOpen) return Promise.resolve(this.session);
    if (this.stopped) return Promise.reject(new Error('the monitor is stopping'));
    this.session = null;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<NutSession> {
    const o = this.opts;
    const connect = o.connect ?? ((c: NutClientOptions) => NutClient.connect(c));
    const s = await connect({ host: o.host, port: o.port, timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    let how = '';
    try {
      // First, before the password crosses the network (upsclient does it at connect).
      const t = await negotiateTls(s, o.tls ?? TRY_TLS);
      if (t.tls && t.verified) how = ' over TLS (certificate verified)';
      else if (t.tls) how = ' over TLS (certificate not verified: set certVerify to authenticate the server)';
      await s.username(o.user);
      await s.password(o.password);
      await s.login(o.ups);
      if (o.role === 'primary') {
        try {
          await s.primary(o.ups);
        } catch (err) {
          // upsmon goes on watching without primary rights, and says so loudly: FSD will fail.
          o.log.error(`${o.name}: the server refused primary mode (${nutErrorText(err)}); this host cannot raise FSD on it`);
        }
      }
    } catch (err) {
      await s.close().catch(() => undefined);
      throw err;
    }
    s.onClose(() => {
      if (this.session === s) this.session = null;
    });
    o.log.info(`${o.name}: logged in as ${o.user}${o.role === 'primary' ? ' (primary)' : ''}${how}`);
    this.session = s;
    return s;
  }

  private drop(): void {
    const s = this.session;
    this.session = null;
    s?.close().catch((err: unknown) => this.opts.log.debug(`${this.name}: close: ${errorMessage(err)}`));
  }
}

async function optionalVar(s: NutSession, ups: string, name: string): Promise<string | undefined> {
  try {
    return await s.getVar(ups, name);
  } catch (err) {
    if (err instanceof NutProtocolError) return undefined;
    throw err;
  }
}
