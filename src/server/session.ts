/**
 * Per-client protocol state (what USERNAME, PASSWORD, LOGIN and SET TRACKING
 * leave behind) and the registry of all clients, which NUMLOGINS and
 * LIST CLIENT read.
 */
import type { EventBus } from '../core/bus';
import type { Logger } from '../core/logger';
import type { UpsStore } from '../core/state';
import type { UserTable } from './auth';
import type { ListCache } from './format';
import type { LoginGuard } from './login-guard';
import type { ServerCertificate } from './tls';
import type { TrackingTable } from './tracking';

export interface Session {
  /** Client IP address as upsd prints it (IPv4-mapped IPv6 shown as plain IPv4). */
  readonly addr: string;
  username?: string;
  password?: string;
  /** The UPS this client LOGINed to (its configured spelling). */
  loginUps?: string;
  /** SET TRACKING ON: SET VAR and INSTCMD answer with a tracking id. */
  tracking: boolean;
  /** LOGOUT was answered: close once the replies are out. */
  logout: boolean;
  /** STARTTLS was answered OK (`starting`: the handshake follows the reply), or the session is encrypted (`on`). */
  tls?: 'starting' | 'on';
}

export class SessionRegistry {
  private readonly all = new Set<Session>();
  private readonly logins = new Map<string, number>();

  /** `onLogins` hears every change of a UPS's login count (the server puts it on the bus). */
  constructor(private readonly onLogins: (ups: string, count: number) => void = () => undefined) {}

  open(addr: string): Session {
    const s: Session = { addr, tracking: false, logout: false };
    this.all.add(s);
    return s;
  }

  close(s: Session): void {
    if (!this.all.delete(s)) return;
    if (s.loginUps !== undefined) {
      const key = s.loginUps.toLowerCase();
      const n = (this.logins.get(key) ?? 1) - 1;
      if (n > 0) this.logins.set(key, n);
      else this.logins.delete(key);
      this.onLogins(s.loginUps, n);
    }
  }

  login(s: Session, ups: string): void {
    s.loginUps = ups;
    const key = ups.toLowerCase();
    const n = (this.logins.get(key) ?? 0) + 1;
    this.logins.set(key, n);
    this.onLogins(ups, n);
  }

  /**
   * A reload removed this UPS: its login count goes, and the clients logged into it are
   * returned for the server to disconnect, as upsd's delete_ups kicks them (conf.c,
   * kick_login_clients). A UPS added again later under the name starts from no login.
   */
  removeUps(ups: string): Session[] {
    const gone = this.loggedIn(ups);
    for (const s of gone) s.loginUps = undefined;
    if (this.logins.delete(ups.toLowerCase())) this.onLogins(ups, 0);
    return gone;
  }

  /** GET NUMLOGINS: clients that LOGINed to this UPS and are still connected. */
  count(ups: string): number {
    return this.logins.get(ups.toLowerCase()) ?? 0;
  }

  /** LIST CLIENT: logged-in clients of a UPS, newest connection first as upsd lists them. */
  loggedIn(ups: string): Session[] {
    const key = ups.toLowerCase();
    const out: Session[] = [];
    for (const s of this.all) if (s.loginUps !== undefined && s.loginUps.toLowerCase() === key) out.push(s);
    return out.reverse();
  }

  get size(): number {
    return this.all.size;
  }
}

/** Everything the command handlers need, passed in by the server. */
export interface ServerContext {
  readonly store: UpsStore;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly users: UserTable;
  readonly tracking: TrackingTable;
  readonly lists: ListCache;
  readonly sessions: SessionRegistry;
  /** Failed credential checks: logged, and slowed per address. */
  readonly logins: LoginGuard;
  readonly clock: () => number;
  /** server.maxAge in milliseconds. */
  readonly maxAgeMs: number;
  /** How long SET VAR / INSTCMD wait for the driver's verdict before answering OK (queued). */
  readonly requestWaitMs: number;
  /** The VER line (also server.info), without newline. */
  readonly verText: string;
  /** server.tls loaded: STARTTLS is offered; absent, it answers ERR FEATURE-NOT-CONFIGURED. */
  readonly tls?: ServerCertificate;
}

/** A reply: text, or a pre-encoded buffer (cached LIST replies). */
export type Reply = string | Buffer;
