/**
 * The reload's diff (src/app/reload-plan.ts): which UPSes are added, removed,
 * restarted or left alone, and which modules restart, from two validated
 * configurations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type AgentConfig } from '../../src/app/config';
import { describePlan, planIsEmpty, planReload, sameValue } from '../../src/app/reload-plan';

function cfg(doc: Record<string, unknown>): AgentConfig {
  return validateConfig({ server: { listen: ['127.0.0.1:0'] }, ...doc });
}

const two = {
  a: { driver: 'dummy', port: '/tmp/a.dev', desc: 'first' },
  b: { driver: 'dummy', port: '/tmp/b.dev' },
};

test('sameValue: structure, not identity or key order; undefined keys do not count', () => {
  assert.ok(sameValue({ x: 1, y: [1, { z: 'a' }] }, { y: [1, { z: 'a' }], x: 1 }));
  assert.ok(sameValue({ x: 1, y: undefined }, { x: 1 }));
  assert.ok(!sameValue({ x: 1 }, { x: 2 }));
  assert.ok(!sameValue([1, 2], [2, 1]));
  assert.ok(!sameValue({ x: [] }, { x: {} }));
  assert.ok(!sameValue(undefined, {}));
});

test('the same file twice: nothing to do', () => {
  const p = planReload(cfg({ ups: two }), cfg({ ups: two }));
  assert.ok(planIsEmpty(p));
  assert.deepEqual(p.ups.unchanged, ['a', 'b']);
  assert.deepEqual(describePlan(p), []);
});

test('a UPS added, one removed, one changed, one only redescribed', () => {
  const before = cfg({ ups: { ...two, c: { driver: 'dummy', port: '/tmp/c.dev' } } });
  const after = cfg({
    ups: {
      a: { driver: 'dummy', port: '/tmp/a.dev', desc: 'renamed' },
      b: { driver: 'dummy', port: '/tmp/b2.dev' },
      d: { driver: 'dummy', port: '/tmp/d.dev' },
    },
  });
  const p = planReload(before, after);
  assert.deepEqual(p.ups, { added: ['d'], removed: ['c'], changed: ['b'], described: ['a'], unchanged: [] });
  assert.deepEqual(p.restart, []);
  assert.equal(p.users, false);
  assert.equal(p.listen, false);
  const lines = describePlan(p);
  assert.ok(lines.includes('UPS added: d'), lines.join('\n'));
  assert.ok(lines.includes('UPS removed: c'));
  assert.ok(lines.includes('UPS changed (driver restarted): b'));
});

test('a driver option changing (not the port) is a change of that UPS only', () => {
  const p = planReload(cfg({ ups: two }), cfg({ ups: { ...two, b: { ...two.b, pollInterval: 5 } } }));
  assert.deepEqual(p.ups.changed, ['b']);
  assert.deepEqual(p.ups.unchanged, ['a']);
});

test('users: the table is swapped, the server is not restarted; the web listener (its own copy) is', () => {
  const u1 = { mon: { password: 'pw-one', upsmon: 'primary' } };
  const u2 = { mon: { password: 'pw-two', upsmon: 'primary' } };
  const p = planReload(cfg({ ups: two, users: u1 }), cfg({ ups: two, users: u2 }));
  assert.equal(p.users, true);
  assert.deepEqual(p.restart, []);
  const withHttp = planReload(cfg({ ups: two, users: u1, http: { listen: ['127.0.0.1:0'] } }), cfg({ ups: two, users: u2, http: { listen: ['127.0.0.1:0'] } }));
  assert.deepEqual(withHttp.restart, ['http']);
});

test('server: listen is rebound, limits apply live, maxAge restarts what was built with it and needs nothing else', () => {
  const p = planReload(cfg({ ups: two }), cfg({ ups: two, server: { listen: ['127.0.0.1:0', '[::1]:0'], maxClients: 5, maxAge: 30 } }));
  assert.equal(p.listen, true);
  assert.deepEqual(p.serverLive, ['maxClients']);
  assert.deepEqual(p.serverRestart, ['maxAge']);
});

test('monitor changed: the monitor restarts, and the web listener that holds it', () => {
  const mon = (n: number) => ({ ups: [{ name: 'a', role: 'primary' }], minSupplies: n, dryRun: true });
  const http = { listen: ['127.0.0.1:0'] };
  const p = planReload(cfg({ ups: two, monitor: mon(1), http }), cfg({ ups: two, monitor: mon(0), http }));
  assert.deepEqual(p.restart, ['monitor', 'http']);
  // An unchanged monitor beside a UPS change stays as it is.
  const q = planReload(cfg({ ups: two, monitor: mon(1) }), cfg({ ups: { ...two, b: { ...two.b, port: '/tmp/x.dev' } }, monitor: mon(1) }));
  assert.deepEqual(q.restart, []);
});

test('monitor added and removed are restarts of "monitor" too', () => {
  const mon = { ups: [{ name: 'a', role: 'primary' }], dryRun: true };
  assert.deepEqual(planReload(cfg({ ups: two }), cfg({ ups: two, monitor: mon })).restart, ['monitor']);
  assert.deepEqual(planReload(cfg({ ups: two, monitor: mon }), cfg({ ups: two })).restart, ['monitor']);
});

test('mqtt: restarts on its section or a UPS added/removed (it announces each UPS at start); notify follows it', () => {
  const mqtt = { url: 'mqtt://127.0.0.1:1883' };
  const monitor = { ups: [{ name: 'a', role: 'primary' }], dryRun: true };
  const notify = { channels: [{ type: 'mqtt' }] };
  const base = cfg({ ups: two, mqtt, monitor, notify });
  assert.deepEqual(planReload(base, cfg({ ups: { a: two.a }, mqtt, monitor, notify })).restart, ['mqtt', 'notify']);
  assert.deepEqual(planReload(base, cfg({ ups: { ...two, b: { ...two.b, port: '/tmp/q.dev' } }, mqtt, monitor, notify })).restart, []);
});

test('log and run sections: only a restart applies them, said so', () => {
  const p = planReload(cfg({ ups: two }), cfg({ ups: two, log: { level: 'debug' }, run: { user: 'nobody' } }));
  assert.deepEqual(p.needsRestart, ['log', 'run']);
  assert.ok(!planIsEmpty(p));
});
