/**
 * Logging in to the HTTP listener: Basic, fixed and issued bearer tokens,
 * the page session (HttpOnly SameSite=Strict cookie, CSRF token on every
 * change), refusal of cross-site writes, http.readRequiresLogin, throttling
 * of password guessing — and no password, token or cookie in any log line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, curlLike, PASSWORDS, startRig, TOKEN, type Rig } from './http-rig';

type Obj = Record<string, unknown>;
const secrets: string[] = [...Object.values(PASSWORDS), TOKEN];

describe('credentials', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ http: { tokens: [{ user: 'cmdonly', token: TOKEN }] } });
  });
  after(async () => {
    await rig.stop();
  });

  test('reading needs no login by default; wrong credentials on a read are still refused (401), an expired session cookie is not', async () => {
    assert.equal((await rig.get('/api/v1/devices/u')).status, 200);
    assert.equal((await rig.get('/api/v1/devices/u', basic('admin'))).status, 200);
    assert.equal((await rig.get('/api/v1/devices/u', basic('admin', 'wrong'))).status, 401);
    assert.equal((await rig.get('/api/v1/devices/u', { authorization: 'Bearer not-a-token' })).status, 401);
    assert.equal((await rig.get('/api/v1/devices/u', { cookie: 'upsagent_session=long-gone' })).status, 200);
  });

  test('a configured bearer token acts as its user', async () => {
    const ok = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    const denied = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: { authorization: `Bearer ${TOKEN}` }, json: { value: '30' } });
    assert.deepEqual([denied.status, (denied.body as Obj).error], [403, 'ACCESS-DENIED'], 'cmdonly has no set action');
    const bad = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { authorization: `Bearer ${TOKEN}x` } });
    assert.equal(bad.status, 401);
  });

  test('POST /api/v1/auth/token issues a token for Basic or JSON credentials; DELETE revokes it', async () => {
    const viaBasic = await rig.send('POST', '/api/v1/auth/token', { headers: basic('admin') });
    assert.equal(viaBasic.status, 201);
    const token = (viaBasic.body as Obj).token as string;
    secrets.push(token);
    assert.ok(token.length >= 32);
    const bearer = { authorization: `Bearer ${token}` };
    const set = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: bearer, json: { value: '30' } });
    assert.equal(set.status, 200);
    const viaJson = await rig.send('POST', '/api/v1/auth/token', { json: { username: 'viewer', password: PASSWORDS.viewer } });
    assert.equal(viaJson.status, 201);
    secrets.push((viaJson.body as Obj).token as string);
    const wrong = await rig.send('POST', '/api/v1/auth/token', { json: { username: 'viewer', password: 'nope' } });
    assert.equal(wrong.status, 401);
    const revoke = await rig.send('DELETE', '/api/v1/auth/token', { headers: bearer });
    assert.deepEqual([revoke.status, revoke.body], [200, { revoked: true }]);
    assert.equal((await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: bearer, json: { value: '30' } })).status, 401);
  });

  test('page session: HttpOnly SameSite=Strict cookie; changes need X-CSRF-Token; logout ends it', async () => {
    const login = await rig.send('POST', '/api/v1/auth/login', { json: { username: 'admin', password: PASSWORDS.admin } });
    assert.equal(login.status, 200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^upsagent_session=[A-Za-z0-9_-]{20,};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    const cookie = setCookie.split(';')[0]!;
    secrets.push(cookie.split('=')[1]!);
    const body = login.body as Obj;
    assert.equal(body.user, 'admin');
    assert.equal(body.set, true);
    assert.deepEqual(body.commands, { u: ['beeper.disable', 'test.battery.start.quick'] });
    const csrf = body.csrfToken as string;
    secrets.push(csrf);

    const session = await rig.get('/api/v1/auth/session', { cookie });
    assert.deepEqual([(session.body as Obj).user, (session.body as Obj).csrfToken], ['admin', csrf]);

    const noCsrf = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { cookie } });
    assert.deepEqual([noCsrf.status, (noCsrf.body as Obj).error], [403, 'CSRF']);
    assert.equal(noCsrf.headers.get('www-authenticate'), null);
    const wrongCsrf = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { cookie, 'x-csrf-token': 'guess' } });
    assert.equal(wrongCsrf.status, 403);
    const ok = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(ok.status, 200);

    const out = await rig.send('POST', '/api/v1/auth/logout', { headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    const after = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(after.status, 401);
    assert.equal(after.headers.get('www-authenticate'), null, 'the page gets no browser login prompt');
    assert.equal(((await rig.get('/api/v1/auth/session', { cookie })).body as Obj).user, null);
  });

  test("a browser's fetch (Sec-Fetch-Mode: cors) gets 401 without the Basic challenge, so no login box pops up; curl gets it", async () => {
    const fetchLike = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { 'sec-fetch-mode': 'cors' } });
    assert.deepEqual([fetchLike.status, fetchLike.headers.get('www-authenticate')], [401, null]);
    const curl = await curlLike(rig.base, 'POST', '/api/v1/ups/u/commands/beeper.disable');
    assert.deepEqual([curl.status, curl.headers['www-authenticate']], [401, 'Basic realm="upsagent", charset="UTF-8"']);
    const navigate = await curlLike(rig.base, 'DELETE', '/api/v1/auth/token', { 'sec-fetch-mode': 'navigate' });
    assert.match(String(navigate.headers['www-authenticate']), /^Basic /);
  });

  test('a write from another site (Origin of another host) is refused, even with valid credentials', async () => {
    const r = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { ...basic('admin'), origin: 'http://evil.example' } });
    assert.deepEqual([r.status, (r.body as Obj).error], [403, 'CROSS-ORIGIN']);
    const same = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: { ...basic('admin'), origin: rig.base } });
    assert.equal(same.status, 200);
  });

  test('login needs JSON (a cross-site form cannot send it) and both fields', async () => {
    assert.equal((await rig.send('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=admin&password=x' })).status, 415);
    assert.equal((await rig.send('POST', '/api/v1/auth/login', { json: { username: 'admin' } })).status, 400);
  });

  test('secrets never reach the log: passwords, tokens, session cookies and CSRF tokens', () => {
    const text = rig.log.lines.join('\n');
    assert.ok(text.includes('logged in from 127.0.0.1'), 'the log does record the login');
    for (const s of secrets) assert.equal(text.includes(s), false, `a secret leaked into the log: ${s.slice(0, 4)}...`);
  });
});

describe('readRequiresLogin and throttling', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ http: { readRequiresLogin: true } });
  });
  after(async () => {
    await rig.stop();
  });

  test('with http.readRequiresLogin, reading needs a user too (any user); login and the description stay open', async () => {
    for (const p of ['/api/v1/devices', '/api/v1/devices/u', '/api/v1/ups', '/api/v1/events', '/api/v1/monitor', '/metrics', '/api/v1/events/stream']) {
      const r = await rig.get(p);
      assert.equal(r.status, 401, p);
    }
    assert.equal((await rig.get('/api/v1/devices/u', basic('viewer'))).status, 200);
    assert.equal((await rig.get('/metrics', basic('viewer'))).status, 200);
    assert.equal((await rig.get('/api/v1/openapi.json')).status, 200);
    assert.equal((await rig.get('/api/v1/auth/session')).status, 200);
  });

  test('ten wrong passwords from one address within a minute: refused with 429 even with the right one', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await rig.get('/api/v1/devices', basic('admin', `guess${i}`))).status, 401);
    const blocked = await rig.get('/api/v1/devices', basic('admin'));
    assert.deepEqual([blocked.status, (blocked.body as Obj).error], [429, 'TOO-MANY-FAILURES']);
    assert.equal(blocked.headers.get('retry-after'), '60');
    const viaLogin = await rig.send('POST', '/api/v1/auth/login', { json: { username: 'admin', password: PASSWORDS.admin } });
    assert.equal(viaLogin.status, 429);
    assert.ok(!rig.log.lines.join('\n').includes('guess'), 'guessed passwords are not logged either');
  });
});
