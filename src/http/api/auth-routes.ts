/**
 * Logging in over HTTP: the page's session (cookie + CSRF token) and bearer
 * tokens for scripts. Passwords come in request bodies or the Authorization
 * header only, never in URLs, and are never logged; a failed login logs the
 * user name and address.
 */
import { HttpError, type HttpContext, type Principal } from '../context';
import type { ApiDeps } from '../deps';
import { readCookie, SESSION_COOKIE } from '../auth';
import type { HttpServer } from '../server';

type Routes = Pick<HttpServer, 'route'>;

const CREDENTIALS = {
  type: 'object',
  required: ['username', 'password'],
  properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' } },
};
const TAG = 'Login';

async function credentials(c: HttpContext): Promise<{ username: string; password: string }> {
  const doc = await c.json();
  const o = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof o.username !== 'string' || typeof o.password !== 'string') throw new HttpError(400, 'INVALID-ARGUMENT', 'send {"username": "...", "password": "..."}');
  return { username: o.username, password: o.password };
}

function checked(d: ApiDeps, c: HttpContext, username: string, password: string): void {
  const r = d.auth.checkPassword(username, password, c.remote);
  if (r === 'throttled') throw new HttpError(429, 'TOO-MANY-FAILURES', 'too many failed logins from this address; try again in a minute', { 'Retry-After': '60' });
  if (r === 'invalid') {
    d.log.warn(`login failed for user ${JSON.stringify(username)} from ${c.remote}`);
    throw new HttpError(401, 'ACCESS-DENIED', 'wrong user name or password');
  }
}

/** What the user may do, so the page shows only the buttons that will work. */
function rightsOf(d: ApiDeps, p: Principal | null): Record<string, unknown> {
  if (!p) return { user: null, set: false, fsd: false, commands: {} };
  const commands: Record<string, string[]> = {};
  for (const name of d.store.names()) commands[name] = d.store.get(name)!.commands().filter((cmd) => d.auth.users.mayRunAs(p.user, cmd));
  return { user: p.user, via: p.via, set: d.auth.users.mayDoAs(p.user, 'SET'), fsd: d.auth.users.mayDoAs(p.user, 'FSD'), commands };
}

function cookie(value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}

export function registerAuthRoutes(http: Routes, d: ApiDeps, ttlS: number): void {
  http.route(
    'POST',
    '/api/v1/auth/login',
    async (c) => {
      const { username, password } = await credentials(c);
      checked(d, c, username, password);
      const s = d.auth.openSession(username);
      d.log.info(`user ${username} logged in from ${c.remote} (page session)`);
      c.sendJson(200, { ...rightsOf(d, { user: username, via: 'session' }), csrfToken: s.csrf, expiresAt: s.expires }, { 'Set-Cookie': cookie(s.id, ttlS) });
    },
    {
      access: 'public',
      doc: {
        tag: TAG,
        summary: 'Page login: sets an HttpOnly, SameSite=Strict session cookie; changes made with it need the returned csrfToken in X-CSRF-Token',
        body: { description: 'user and password of the users: section', contentType: 'application/json', schema: CREDENTIALS },
        responses: { 200: { description: 'logged in: rights and csrfToken', schema: { type: 'object' } }, 400: 'no credentials', 401: 'wrong user or password', 415: 'not JSON', 429: 'too many failures' },
      },
    },
  );
  http.route(
    'POST',
    '/api/v1/auth/logout',
    (c) => {
      d.auth.closeSession(readCookie(c.req, SESSION_COOKIE));
      c.sendJson(200, { user: null }, { 'Set-Cookie': cookie('', 0) });
    },
    { access: 'public', doc: { tag: TAG, summary: 'Ends the page session', responses: { 200: 'logged out' } } },
  );
  http.route(
    'GET',
    '/api/v1/auth/session',
    (c) => {
      const who = d.auth.identify(c.req, c.remote);
      return { ...rightsOf(d, c.principal), ...(who.csrf ? { csrfToken: who.csrf } : {}) };
    },
    { access: 'public', doc: { tag: TAG, summary: 'Who is logged in and what they may do (user null when nobody)', responses: { 200: { description: 'rights', schema: { type: 'object' } } } } },
  );
  http.route(
    'POST',
    '/api/v1/auth/token',
    async (c) => {
      let user: string;
      if (c.principal?.via === 'basic') user = c.principal.user;
      else {
        const creds = await credentials(c);
        checked(d, c, creds.username, creds.password);
        user = creds.username;
      }
      const t = d.auth.issueToken(user);
      d.log.info(`bearer token issued to ${user} from ${c.remote}`);
      c.sendJson(201, { token: t.token, tokenType: 'Bearer', expiresAt: t.expires });
    },
    {
      access: 'public',
      doc: {
        tag: TAG,
        summary: 'Issues a bearer token (valid for http.sessionTtl) for HTTP Basic credentials or a JSON {username, password}',
        body: { description: 'credentials, unless sent as HTTP Basic', contentType: 'application/json', schema: CREDENTIALS },
        responses: { 201: { description: 'the token', schema: { type: 'object', properties: { token: { type: 'string' }, tokenType: { type: 'string' }, expiresAt: { type: 'number' } } } }, 400: 'no credentials', 401: 'wrong user or password', 429: 'too many failures' },
      },
    },
  );
  http.route(
    'DELETE',
    '/api/v1/auth/token',
    (c) => {
      const who = c.requireUser();
      if (who.via !== 'bearer') throw new HttpError(400, 'INVALID-ARGUMENT', 'send the token to revoke as Authorization: Bearer');
      const header = c.req.headers.authorization ?? '';
      const revoked = d.auth.revokeToken(header.slice(header.indexOf(' ') + 1).trim());
      return { revoked };
    },
    { access: 'user', doc: { tag: TAG, summary: 'Revokes the issued bearer token the request is made with (configured tokens stay)', responses: { 200: { description: 'revoked: false for a configured token', schema: { type: 'object', properties: { revoked: { type: 'boolean' } } } }, 400: 'not made with a bearer token', 401: 'no login' } } },
  );
}
