/**
 * Who is asking, for the HTTP listener. Users and their rights are the
 * `users:` section's (the same UserTable the NUT server uses). Three ways in:
 *
 * - HTTP Basic with a user's password, on any request (scripts, dashboards);
 * - `Authorization: Bearer <token>`: a token from `http.tokens`, or one
 *   issued by POST /api/v1/auth/token (valid for http.sessionTtl);
 * - the page's session: POST /api/v1/auth/login sets an HttpOnly,
 *   SameSite=Strict cookie; a state-changing request made with it must carry
 *   the session's CSRF token in `X-CSRF-Token`.
 *
 * Secrets are only ever kept as SHA-256 digests, never logged and never
 * read from URLs. An address with many failed logins in a minute is refused
 * for a while (429), so passwords cannot be guessed at line speed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UserConfig } from '../core/config';
import { UserTable } from '../core/users';
import type { Principal } from './context';

export const SESSION_COOKIE = 'upsagent_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Failed logins one address may make within FAILURE_WINDOW_MS before it is refused. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;
/** Bounds on remembered sessions, tokens and failing addresses: a flood cannot grow them without end. */
const MAX_SESSIONS = 10_000;
const MAX_ADDRESSES = 10_000;

interface Grant {
  user: string;
  /** ms; Infinity for configured tokens. */
  expires: number;
  /** Sessions only: what X-CSRF-Token must say. */
  csrf?: string;
}

export interface Identified {
  principal: Principal | null;
  /** Credentials were given but are wrong, expired, or the address is throttled. */
  problem: 'invalid' | 'throttled' | null;
  /** The session's CSRF token, when the request came with a session cookie. */
  csrf?: string;
}

export interface AuthOptions {
  users: Record<string, UserConfig>;
  tokens: ReadonlyArray<{ user: string; token: string }>;
  ttlMs: number;
  clock: () => number;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Decodes `Basic base64(user:password)`; undefined when it is not well formed. */
function parseBasic(value: string): { user: string; password: string } | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export class HttpAuth {
  readonly users: UserTable;
  private readonly fixed = new Map<string, Grant>();
  private readonly issued = new Map<string, Grant>();
  private readonly sessions = new Map<string, Grant>();
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: AuthOptions) {
    this.users = new UserTable(opts.users);
    for (const t of opts.tokens) this.fixed.set(digest(t.token), { user: t.user, expires: Infinity });
  }

  /** Reads the request's credentials: Authorization first, then the session cookie. */
  identify(req: IncomingMessage, remote: string): Identified {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      if (this.throttled(remote)) return { principal: null, problem: 'throttled' };
      const space = auth.indexOf(' ');
      const scheme = (space < 0 ? auth : auth.slice(0, space)).toLowerCase();
      const value = space < 0 ? '' : auth.slice(space + 1).trim();
      if (scheme === 'basic') {
        const creds = parseBasic(value);
        if (creds && this.users.check(creds.user, creds.password)) return { principal: { user: creds.user, via: 'basic' }, problem: null };
      } else if (scheme === 'bearer' && value) {
        const key = digest(value);
        const grant = this.live(this.fixed, key) ?? this.live(this.issued, key);
        if (grant && this.users.has(grant.user)) return { principal: { user: grant.user, via: 'bearer' }, problem: null };
      }
      this.failed(remote);
      return { principal: null, problem: 'invalid' };
    }
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie) {
      const grant = this.live(this.sessions, digest(cookie));
      if (grant && this.users.has(grant.user)) return { principal: { user: grant.user, via: 'session' }, problem: null, csrf: grant.csrf };
      // An expired or unknown cookie is not an attack: the page reads on as nobody and offers its login again.
      return { principal: null, problem: null };
    }
    return { principal: null, problem: null };
  }

  /** Checks a user's password for a login; counts failures per address. */
  checkPassword(user: string, password: string, remote: string): 'ok' | 'invalid' | 'throttled' {
    if (this.throttled(remote)) return 'throttled';
    if (this.users.check(user, password)) return 'ok';
    this.failed(remote);
    return 'invalid';
  }

  /** A new page session for a user whose password was checked. */
  openSession(user: string): { id: string; csrf: string; expires: number } {
    const id = newSecret();
    const csrf = newSecret();
    const expires = this.opts.clock() + this.opts.ttlMs;
    this.put(this.sessions, digest(id), { user, expires, csrf });
    return { id, csrf, expires };
  }

  closeSession(cookie: string | undefined): void {
    if (cookie) this.sessions.delete(digest(cookie));
  }

  /** A bearer token for a user whose password was checked. */
  issueToken(user: string): { token: string; expires: number } {
    const token = newSecret();
    const expires = this.opts.clock() + this.opts.ttlMs;
    this.put(this.issued, digest(token), { user, expires });
    return { token, expires };
  }

  /** Forgets an issued token (configured ones stay). */
  revokeToken(token: string): boolean {
    return this.issued.delete(digest(token));
  }

  private live(map: Map<string, Grant>, key: string): Grant | undefined {
    const g = map.get(key);
    if (!g) return undefined;
    if (g.expires <= this.opts.clock()) {
      map.delete(key);
      return undefined;
    }
    return g;
  }

  private put(map: Map<string, Grant>, key: string, grant: Grant): void {
    const now = this.opts.clock();
    if (map.size >= MAX_SESSIONS) {
      for (const [k, g] of map) if (g.expires <= now) map.delete(k);
      // Still full: the oldest goes (insertion order is age order).
      if (map.size >= MAX_SESSIONS) map.delete(map.keys().next().value!);
    }
    map.set(key, grant);
  }

  private recent(remote: string): number[] {
    const since = this.opts.clock() - FAILURE_WINDOW_MS;
    const list = (this.failures.get(remote) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(remote, list);
    else this.failures.delete(remote);
    return list;
  }

  private throttled(remote: string): boolean {
    return this.recent(remote).length >= MAX_FAILURES;
  }

  private failed(remote: string): void {
    const list = this.recent(remote);
    if (!this.failures.has(remote) && this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
    list.push(this.opts.clock());
    this.failures.set(remote, list);
  }
}
