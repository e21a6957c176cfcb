/**
 * Bad requests never crash the listener and never lose anything: malformed
 * JSON, wrong content types, bodies past http.maxBodyBytes (declared or
 * streamed), garbage on the socket, bad paths and methods. After each, the
 * agent still answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { basic, startRig, type Rig } from './http-rig';

let rig: Rig;
let port: number;
before(async () => {
  rig = await startRig({ http: { maxBodyBytes: 4096 } });
  port = Number(new URL(rig.base).port);
});
after(async () => {
  await rig.stop();
});

type Obj = Record<string, unknown>;

async function alive(): Promise<void> {
  const r = await rig.get('/api/v1/devices/u');
  assert.equal(r.status, 200);
  assert.equal((r.body as Obj)['ups.status'], 'OL CHRG');
}

/** Sends raw bytes and returns whatever comes back before the server closes (or 2 s pass). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 2000);
    s.on('data', (b) => (got += b.toString('latin1')));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

test('malformed JSON, a JSON body of the wrong shape, the wrong content type: 400/415 with a JSON error', async () => {
  const h = basic('admin');
  const bad = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: { ...h, 'content-type': 'application/json' }, body: '{"value": "3' });
  assert.deepEqual([bad.status, (bad.body as Obj).error], [400, 'INVALID-ARGUMENT']);
  const arr = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: h, json: [1, 2] });
  assert.equal(arr.status, 400);
  const login = await rig.send('POST', '/api/v1/auth/login', { headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(login.status, 415);
  assert.equal(rig.agent.store.get('u')?.getVar('ups.delay.shutdown')?.value, '20');
  await alive();
});

test('a body past http.maxBodyBytes: 413, whether its Content-Length says so or it just keeps coming', async () => {
  const h = basic('admin');
  const declared = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: h, json: { value: 'x'.repeat(10_000) } });
  assert.deepEqual([declared.status, (declared.body as Obj).error], [413, 'TOO-LONG']);
  const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/devices/u/var/ups.delay.shutdown', headers: { ...h, 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    // 64 KiB in 1 KiB chunks; the server stops reading after 4 KiB.
    let sent = 0;
    const pump = (): void => {
      while (sent < 64) {
        sent++;
        if (!req.write('y'.repeat(1024))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  }).catch((err: unknown) => ({ status: -1, body: String(err) }));
  // Either the 413 arrived, or the server closed the socket after answering it while we were still sending.
  assert.ok(streamed.status === 413 || streamed.status === -1, JSON.stringify(streamed));
  assert.equal(rig.agent.store.get('u')?.getVar('ups.delay.shutdown')?.value, '20');
  const small = await rig.send('POST', '/api/v1/devices/u/var/ups.delay.shutdown', { headers: { ...h, 'content-type': 'text/plain' }, body: '25' });
  assert.equal(small.status, 200, 'a body within the limit still works');
  await alive();
});

test('garbage on the socket, an oversized header, a truncated request: answered 400 or closed; the listener goes on', async () => {
  assert.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])), /^HTTP\/1\.1 400/);
  assert.match(await raw(`GET /api/v1/devices HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`), /^HTTP\/1\.1 4\d\d/);
  await raw('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
  await alive();
});

test('unknown paths 404, wrong methods 405 with Allow, bad percent-encoding 404, HEAD has no body', async () => {
  const none = await rig.get('/api/v1/nothing-here');
  assert.deepEqual([none.status, (none.body as Obj).error], [404, 'NOT-FOUND']);
  const wrong = await rig.send('DELETE', '/api/v1/devices/u');
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET');
  assert.equal((await rig.get('/api/v1/devices/%E0%A4%A')).status, 404);
  assert.equal((await rig.get('/api/v1/devices/u/var/%00')).status, 404);
  const head = await fetch(`${rig.base}/api/v1/devices/u`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await head.text()).length, 0);
  assert.equal(head.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(head.headers.get('cache-control'), 'no-store');
  await alive();
});

test('a hundred bad requests at once leave the agent serving', async () => {
  const h = basic('admin');
  const bodies = ['{', '[]', 'null', '"x', '{"value": {"deep": [1,2,3]}}'];
  await Promise.all(
    Array.from({ length: 100 }, (_v, i) =>
      rig.send('PUT', `/api/v1/ups/${i % 3 ? 'u' : 'nope'}/vars/ups.delay.shutdown`, { headers: { ...h, 'content-type': 'application/json' }, body: bodies[i % bodies.length] }).then((r) => assert.ok(r.status >= 400 && r.status < 500, String(r.status))),
    ),
  );
  assert.ok(!rig.log.lines.some((l) => l.startsWith('error')), rig.log.lines.filter((l) => l.startsWith('error')).join('\n'));
  await alive();
});
