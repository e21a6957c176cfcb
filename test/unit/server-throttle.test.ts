/**
 * Password guessing against the server: every failure logged with the user
 * name and the address (never the password), in one line a fail2ban filter
 * can match; after the free failures, an address waits, doubling each time,
 * for every credential check (right or wrong); its right credentials or a
 * quiet spell start it afresh. And the rate-limited log those warnings share.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogger } from '../../src/core/logger';
import { LoginThrottle } from '../../src/server/login-throttle';
import { RateLimitedLog } from '../../src/server/rate-limited-log';
import { FakeClock } from '../helpers/fake-clock';
import { startHarness, type Harness, type NutClient } from '../helpers/fake-driver';

/** The filter README.md documents for fail2ban (there the namespace is [server]), <HOST> as fail2ban expands it (simplified). */
const FAIL2BAN = /\] login failed from (?<host>[0-9a-fA-F:.]+) as user /;

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets the server work on what is in flight (real sockets), without moving the fake clock. */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('NUT server: failed logins', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start(clock: FakeClock, throttle = {}): Promise<Harness> {
    h = await startHarness({
      server: { loginThrottle: { freeFailures: 2, delay: 1, maxDelay: 4, forgetAfter: 600, ...throttle } },
      extra: { timers: clock },
    });
    h.drivers.ups1!.attach({ 'ups.status': 'OL' }, ['load.off']);
    return h;
  }

  /** A new connection that tries LOGIN with these credentials; resolves with the reply. */
  async function attempt(s: Harness, user: string, password: string): Promise<{ c: NutClient; reply: Promise<string> }> {
    const c = await s.client();
    await c.auth(user, password);
    return { c, reply: c.request('LOGIN ups1') };
  }

  const failLines = (s: Harness) => s.log.lines.filter((l) => l.includes('login failed'));

  test('each failure is one line with address and user, never the password; fail2ban matches the address', async () => {
    const clock = new FakeClock();
    const s = await start(clock);
    for (const [user, pw] of [
      ['admin', 'hunter2-wrong'],
      ['nobody', 'guess-123'],
    ]) {
      const { reply } = await attempt(s, user!, pw!);
      assert.equal(await reply, 'ERR ACCESS-DENIED');
    }
    const lines = failLines(s);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^warn \[test\] login failed from 127\.0\.0\.1 as user "admin" \(wrong password; 1 failure from this address\)$/);
    assert.match(lines[1]!, /login failed from 127\.0\.0\.1 as user "nobody" \(unknown user; 2 failures from this address; its next attempts wait 1 s\)$/);
    for (const l of lines) assert.equal(FAIL2BAN.exec(l)?.groups?.host, '127.0.0.1');
    assert.ok(!s.log.lines.some((l) => l.includes('hunter2') || l.includes('guess-123')), 'no password in the log');
  });

  test('a user name that looks like an address cannot steer the filter; it is quoted and cut', async () => {
    const clock = new FakeClock();
    const s = await start(clock);
    const { reply } = await attempt(s, `x"_from_192.0.2.99_as_user_${'y'.repeat(100)}`, 'pw');
    assert.equal(await reply, 'ERR ACCESS-DENIED');
    const [line] = failLines(s);
    assert.equal(FAIL2BAN.exec(line!)?.groups?.host, '127.0.0.1');
    assert.ok(line!.includes('"x\\"_from_192.0.2.99_as_user_'), line);
    assert.ok(!line!.includes('y'.repeat(60)), 'the name is cut');
  });

  test('after the free failures every check from that address waits, doubling up to maxDelay; right ones too', async () => {
    const clock = new FakeClock();
    const s = await start(clock);
    // Two free failures: answered at once.
    for (let i = 0; i < 2; i++) assert.equal(await (await attempt(s, 'admin', 'bad')).reply, 'ERR ACCESS-DENIED');
    // Third: waits delay (1 s), counts as the 3rd failure.
    const expectWait = async (user: string, pw: string, ms: number, want: string) => {
      const { reply } = await attempt(s, user, pw);
      let got: string | undefined;
      void reply.then((r) => (got = r));
      await settle();
      await clock.advance(ms - 1);
      await settle();
      assert.equal(got, undefined, `${user}/${pw}: answered before ${ms} ms`);
      await clock.advance(1);
      await until(() => got !== undefined, `the answer after ${ms} ms`);
      assert.equal(got, want);
    };
    await expectWait('admin', 'bad', 1000, 'ERR ACCESS-DENIED'); // failures: 2 -> 3
    await expectWait('admin', 'bad', 2000, 'ERR ACCESS-DENIED'); // 3 -> 4
    await expectWait('admin', 'bad', 4000, 'ERR ACCESS-DENIED'); // 4 -> 5
    await expectWait('admin', 'bad', 4000, 'ERR ACCESS-DENIED'); // capped at maxDelay
    assert.ok(failLines(s).at(-1)!.endsWith('(wrong password; 6 failures from this address; its next attempts wait 4 s)'), failLines(s).at(-1));
    // The right password waits as long (a quick OK would tell the guess was right), then starts the address afresh.
    await expectWait('admin', 'secret', 4000, 'OK');
    assert.equal(await (await attempt(s, 'admin', 'bad')).reply, 'ERR ACCESS-DENIED');
  });

  test('pipelined guesses on one connection wait one after another; other clients are not held up', async () => {
    const clock = new FakeClock();
    const s = await start(clock, { freeFailures: 0 });
    const c = await s.client();
    await c.auth('admin', 'bad');
    c.send('LOGIN ups1\nMASTER ups1\nFSD ups1\n');
    // The first waits nothing (no failure yet); then 1 s, then 2 s.
    assert.equal(await c.readReply(), 'ERR ACCESS-DENIED');
    await settle();
    const other = await s.client();
    assert.equal(await other.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    await clock.advance(1000);
    assert.equal(await c.readReply(), 'ERR ACCESS-DENIED');
    await settle();
    await clock.advance(2000);
    assert.equal(await c.readReply(), 'ERR ACCESS-DENIED');
    assert.equal(failLines(s).length, 3);
  });

  test('an address forgets its failures after forgetAfter; with the throttle off failures are logged, never slowed', async () => {
    const clock = new FakeClock();
    const s = await start(clock, { freeFailures: 1 });
    for (let i = 0; i < 1; i++) assert.equal(await (await attempt(s, 'admin', 'bad')).reply, 'ERR ACCESS-DENIED');
    await clock.advance(601_000);
    // Fresh again: the next failure is free.
    assert.equal(await (await attempt(s, 'admin', 'bad')).reply, 'ERR ACCESS-DENIED');
    await s.stop();
    const off = await start(new FakeClock(), { enabled: false });
    for (let i = 0; i < 10; i++) assert.equal(await (await attempt(off, 'admin', 'bad')).reply, 'ERR ACCESS-DENIED');
    assert.equal(failLines(off).length, 10);
  });

  test('a user with the right password but not the right is logged as denied, not as a failed login', async () => {
    const clock = new FakeClock();
    const s = await start(clock, { freeFailures: 0 });
    for (let i = 0; i < 3; i++) assert.equal(await (await attempt(s, 'plain', 'pp')).reply, 'ERR ACCESS-DENIED');
    assert.equal(failLines(s).length, 0);
    assert.equal(s.log.lines.filter((l) => l.includes('access denied from 127.0.0.1 as user "plain": not allowed to LOGIN')).length, 3);
  });
});

describe('LoginThrottle', () => {
  test('delays: none for the free failures, then delay doubling to maxDelay; bounded table', () => {
    const clock = new FakeClock();
    const t = new LoginThrottle({ enabled: true, freeFailures: 3, delay: 0.5, maxDelay: 10, forgetAfter: 60 }, clock);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      seen.push(t.delayFor('192.0.2.1'));
      t.fail('192.0.2.1');
    }
    assert.deepEqual(seen, [0, 0, 0, 500, 1000, 2000, 4000, 8000]);
    for (let i = 0; i < 30; i++) t.fail('192.0.2.1');
    assert.equal(t.delayFor('192.0.2.1'), 10_000);
    assert.equal(t.delayFor('192.0.2.2'), 0);
    for (let i = 0; i < 20_000; i++) t.fail(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(t.size, 10_000);
  });
});

describe('RateLimitedLog', () => {
  test('one line per interval per kind, then the count of the rest', async () => {
    const clock = new FakeClock();
    const log = new MemoryLogger();
    const r = new RateLimitedLog(log, clock, 60_000);
    for (let i = 0; i < 4316; i++) r.warn('drop', `client 10.0.0.${i % 250} dropped`);
    r.warn('other', 'something else');
    assert.deepEqual(log.lines, ['warn [test] client 10.0.0.0 dropped', 'warn [test] something else']);
    await clock.advance(60_000);
    assert.deepEqual(log.lines.slice(2), ['warn [test] client 10.0.0.65 dropped (4315 more like this in the last 60 s)']);
    // Quiet now: the next window closes without a line, and a new occurrence is logged at once.
    await clock.advance(60_000);
    assert.equal(log.lines.length, 3);
    r.warn('drop', 'again');
    assert.equal(log.lines.at(-1), 'warn [test] again');
    r.warn('drop', 'and again');
    r.flush();
    assert.equal(log.lines.at(-1), 'warn [test] and again (1 more like this)');
    assert.equal(clock.pending(), 0);
  });
});
