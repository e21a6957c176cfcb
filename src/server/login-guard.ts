/**
 * Failed credential checks, made visible and slow. Every request that needs
 * USERNAME and PASSWORD and is refused logs one line; when the credentials
 * themselves were wrong (unknown user, wrong password) the line reads
 *
 *   login failed from <address> as user "<name>" (wrong password; <n> failures from this address)
 *
 * (the address first, before anything the client chose, so a user name
 * crafted to look like an address cannot steer a fail2ban-style filter),
 * and the address's next checks wait as LoginThrottle says. The password is
 * never logged.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { UserTable } from '../core/users';
import type { LoginThrottle } from './login-throttle';
import type { Session } from './session';

/** User names in the log: at most this long, quoted and escaped (they come from the network). */
const MAX_NAME_SHOWN = 64;

function shownName(name: string | undefined): string {
  const n = name ?? '';
  return JSON.stringify(n.length > MAX_NAME_SHOWN ? `${n.slice(0, MAX_NAME_SHOWN)}...` : n);
}

export class LoginGuard {
  constructor(
    private readonly users: UserTable,
    private readonly throttle: LoginThrottle,
    private readonly log: Logger,
    private readonly timers: Clock,
  ) {}

  /** Milliseconds this address's next credential check waits. */
  delayFor(addr: string): number {
    return this.throttle.delayFor(addr);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.setTimeout(resolve, ms));
  }

  /** The request `what` was answered ERR ACCESS-DENIED: log why, count a credential failure. */
  denied(s: Session, what: string): void {
    if (this.users.check(s.username, s.password)) {
      this.log.info(`access denied from ${s.addr} as user ${shownName(s.username)}: not allowed to ${what}`);
      return;
    }
    const why = s.username !== undefined && this.users.has(s.username) ? 'wrong password' : 'unknown user';
    const n = this.throttle.fail(s.addr);
    const wait = this.throttle.delayFor(s.addr);
    const slowed = wait > 0 ? `; its next attempts wait ${wait / 1000} s` : '';
    // "password" is never followed by a space and a word: the logger would take that word for a secret.
    this.log.warn(`login failed from ${s.addr} as user ${shownName(s.username)} (${why}; ${n} failure${n === 1 ? '' : 's'} from this address${slowed})`);
  }

  /** A request with credentials went through: an address with failures whose credentials are right starts afresh. */
  allowed(s: Session): void {
    if (this.throttle.failures(s.addr) > 0 && this.users.check(s.username, s.password)) this.throttle.succeed(s.addr);
  }
}
