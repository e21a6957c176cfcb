/**
 * The http: section: off unless present, loopback by default, every key
 * checked with a clear message; and an agent without it opens no web port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { ConfigError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';

const BASE = { ups: { u: { driver: 'dummy', port: '/nonexistent/u.dev' } }, users: { admin: { password: 'pw' } } };

function problems(doc: object): string[] {
  try {
    validateConfig({ ...BASE, ...doc });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

test('no http: section, no web listener; an empty one listens on 127.0.0.1:8080 with the defaults', async () => {
  assert.equal(validateConfig(BASE).http, undefined);
  assert.deepEqual(validateConfig({ ...BASE, http: {} }).http, {
    listen: ['127.0.0.1:8080'],
    readRequiresLogin: false,
    metrics: true,
    maxBodyBytes: 65536,
    sessionTtl: 43200,
    maxStreams: 100,
    tokens: [],
    page: true,
    temperature: 'C',
    historyInterval: 60,
    historyFile: '',
  });
  const agent = await startAgent({ config: validateConfig({ ...BASE, server: { listen: ['127.0.0.1:0'] } }), log: new MemoryLogger(), version: 't', startupWaitMs: 0 });
  try {
    assert.equal(agent.http, null);
    assert.deepEqual(agent.httpAddresses(), []);
  } finally {
    await agent.stop();
  }
});

test('bad values are named with what is allowed', () => {
  assert.deepEqual(problems({ http: { listen: ['1.2.3.4:99999'] } }), ['http.listen[0]: "1.2.3.4:99999" has port "99999"; a port is a number from 0 to 65535 (0: any free port)']);
  assert.match(problems({ http: { listen: ['300.1.1.1:8080'] } })[0]!, /^http\.listen\[0\]: "300\.1\.1\.1" is not an IPv4 address/);
  assert.match(problems({ http: { listen: ['::1:8080'] } })[0]!, /write IPv6 addresses in brackets, e\.g\. "\[::1\]:8080"/);
  assert.deepEqual(problems({ http: { tokens: [{ user: 'admin', token: 'short' }] } }), ['http.tokens[0].token: must be at least 24 characters']);
  const spaced = problems({ http: { tokens: [{ user: 'admin', token: 'secret with spaces 0123456789' }] } });
  assert.deepEqual(spaced, ['http.tokens[0].token: must be printable ASCII characters without spaces (the value is not shown)']);
  assert.deepEqual(problems({ http: { tokens: [{ user: 'nobody', token: 'x'.repeat(30) }] } }), ['http.tokens[0].user: nobody is not a user of the users: section']);
  assert.deepEqual(problems({ http: { maxBodyBytes: 10 } }), ['http.maxBodyBytes: number 10 is not a whole number from 1024 to 16777216']);
  assert.match(problems({ http: { readRequiresLogin: 'yes' } })[0]!, /^http\.readRequiresLogin: "yes" is not true or false/);
  assert.match(problems({ http: { port: 8080 } })[0]!, /^http\.port: unknown key; allowed here: listen, readRequiresLogin, metrics/);
});

test('an address already in use stops the start with a clear error, and nothing stays open', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(
      startAgent({ config: validateConfig({ ...BASE, server: { listen: ['127.0.0.1:0'] }, http: { listen: [`127.0.0.1:${port}`] } }), log: new MemoryLogger(), version: 't', startupWaitMs: 0 }),
      /EADDRINUSE/,
    );
  } finally {
    blocker.close();
  }
});
