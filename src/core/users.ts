/**
 * Who may do what, as upsd.users grants it (NUT's server/user.c). Shared by
 * the NUT server and the HTTP API, so both grant exactly the same rights:
 *
 * - the user name and the password must match exactly (case-sensitive);
 * - SET needs the `set` action;
 * - FSD needs the `fsd` action or `upsmon primary`;
 * - LOGIN needs an upsmon role (primary or secondary);
 * - PRIMARY / MASTER need `upsmon primary`;
 * - an instant command needs its name (case-insensitive) or `all` in instcmds.
 *
 * Any failure (unknown user, wrong password, missing right) is the same
 * ERR ACCESS-DENIED on the wire, so nothing tells a prober which one it was.
 */
import { nodeCrypto } from './lazy-builtins';
import type { UserConfig } from './config';

export type UserAction = 'SET' | 'FSD' | 'LOGIN' | 'PRIMARY';

export class UserTable {
  private users: Map<string, UserConfig>;

  constructor(users: Record<string, UserConfig>) {
    // A Map, not the object: a user named "__proto__" or "constructor" must not reach Object.prototype.
    this.users = new Map(Object.entries(users));
  }

  /** A reload's users: every later check reads the new table (sessions hold names, not grants). */
  replace(users: Record<string, UserConfig>): void {
    this.users = new Map(Object.entries(users));
  }

  private match(username: string | undefined, password: string | undefined): UserConfig | undefined {
    if (username === undefined || password === undefined) return undefined;
    const u = this.users.get(username);
    return u && samePassword(u.password, password) ? u : undefined;
  }

  /** The user exists and the password is theirs. */
  check(username: string | undefined, password: string | undefined): boolean {
    return this.match(username, password) !== undefined;
  }

  mayDo(username: string | undefined, password: string | undefined, action: UserAction): boolean {
    const u = this.match(username, password);
    return u !== undefined && actionAllowed(u, action);
  }

  mayRun(username: string | undefined, password: string | undefined, cmd: string): boolean {
    const u = this.match(username, password);
    return u !== undefined && commandAllowed(u, cmd);
  }

  /** For a user whose password was checked earlier (an HTTP session or token); false when the user is no longer configured. */
  mayDoAs(username: string, action: UserAction): boolean {
    const u = this.users.get(username);
    return u !== undefined && actionAllowed(u, action);
  }

  mayRunAs(username: string, cmd: string): boolean {
    const u = this.users.get(username);
    return u !== undefined && commandAllowed(u, cmd);
  }

  has(username: string): boolean {
    return this.users.has(username);
  }
}

function actionAllowed(u: UserConfig, action: UserAction): boolean {
  const actions = u.actions ?? [];
  switch (action) {
    case 'SET':
      return actions.includes('set');
    case 'FSD':
      return actions.includes('fsd') || u.upsmon === 'primary';
    case 'LOGIN':
      return u.upsmon === 'primary' || u.upsmon === 'secondary';
    case 'PRIMARY':
      return u.upsmon === 'primary';
  }
}

function commandAllowed(u: UserConfig, cmd: string): boolean {
  const want = cmd.toLowerCase();
  return (u.instcmds ?? []).some((c) => {
    const l = c.toLowerCase();
    return l === want || l === 'all';
  });
}

/** Compares digests in constant time, so reply timing tells a prober nothing about the password. */
function samePassword(expected: string, given: string): boolean {
  const { createHash, timingSafeEqual } = nodeCrypto();
  const digest = (t: string): Buffer => createHash('sha256').update(t, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
