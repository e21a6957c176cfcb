/**
 * /api/v1/openapi.json matches the routes: every API route is described,
 * nothing described is missing, and every described operation answers
 * (GETs with 2xx, the others with one of the statuses the description lists).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, MONITOR, startRig, type Rig } from './http-rig';

let rig: Rig;
before(async () => {
  rig = await startRig({
    monitor: MONITOR,
  });
});
after(async () => {
  await rig.stop();
});

interface Op {
  parameters: Array<{ name: string; in: string; required: boolean }>;
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, { example?: unknown }> };
  security: unknown[];
}
type Doc = { openapi: string; info: { version: string }; paths: Record<string, Record<string, Op>>; components: { securitySchemes: Record<string, unknown> } };

async function doc(): Promise<Doc> {
  const r = await rig.get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  return r.body as Doc;
}

test('an OpenAPI 3 document with the three ways to log in', async () => {
  const d = await doc();
  assert.match(d.openapi, /^3\.0\./);
  assert.equal(d.info.version, 'test');
  assert.deepEqual(Object.keys(d.components.securitySchemes).sort(), ['basicAuth', 'bearerAuth', 'sessionCookie']);
  // Writes need a login; reads do not (readRequiresLogin is off here).
  assert.equal(d.paths['/api/v1/ups/{ups}/commands/{cmd}']!.post!.security.some((s) => JSON.stringify(s) === '{}'), false);
  assert.equal(d.paths['/api/v1/devices']!.get!.security.some((s) => JSON.stringify(s) === '{}'), true);
});

test('every registered API route is described, and every described operation is a registered route', async () => {
  const d = await doc();
  const described = Object.entries(d.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  const routes = rig.agent.http!.http.routeList();
  const registered = routes.map((r) => `${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`).sort();
  assert.deepEqual(described, registered);
  for (const r of routes) assert.ok(r.doc, `${r.method} ${r.pattern} has no description`);
  for (const path of ['/api/v1/devices/{ups}/var/{var}', '/api/v1/ups/{ups}/vars/{var}', '/api/v1/events/stream', '/metrics', '/api/v1/auth/login']) assert.ok(d.paths[path], path);
  for (const [p, ops] of Object.entries(d.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
      const declared = op.parameters.filter((x) => x.in === 'path').map((x) => x.name).sort();
      assert.deepEqual(declared, inPath, `${m} ${p}: path parameters`);
    }
  }
});

test('every described operation answers, with a status its description lists', async () => {
  const d = await doc();
  const values: Record<string, string> = { ups: 'u', var: 'battery.charge', cmd: 'beeper.disable' };
  const writable: Record<string, string> = { var: 'ups.delay.shutdown' };
  for (const [p, ops] of Object.entries(d.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      const url = p.replace(/\{(\w+)\}/g, (_x, name: string) => encodeURIComponent((m !== 'GET' ? writable[name] : undefined) ?? values[name]!));
      const headers: Record<string, string> = { ...basic('admin') };
      let body: string | undefined;
      const content = op.requestBody?.content;
      if (content) {
        const [type, media] = Object.entries(content)[0]!;
        headers['content-type'] = type;
        body = type === 'application/json' ? JSON.stringify(media.example ?? {}) : String(media.example ?? '');
      }
      const ac = new AbortController();
      const r = await fetch(rig.base + url, { method: m, headers, body, signal: ac.signal });
      const listed = Object.keys(op.responses);
      assert.ok(listed.includes(String(r.status)), `${m} ${url} answered ${r.status}; described: ${listed.join(', ')}`);
      if (m === 'GET') assert.ok(r.status >= 200 && r.status < 300, `${m} ${url}: ${r.status}`);
      if (r.headers.get('content-type')?.startsWith('text/event-stream')) ac.abort();
      else await r.arrayBuffer();
    }
  }
});
