/**
 * The server under a flood of clients that pipeline LIST VAR and never read
 * the replies, while a healthy client polls: the healthy client keeps being
 * answered, the flooders are paused or dropped, and what the server holds for
 * all clients (its own accounting: unread replies plus unparsed input) stays
 * within server.maxOutputBytes and goes back to zero when they leave.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startHarness, type Harness } from '../helpers/fake-driver';

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A client that sends its requests in one write and never reads a byte. */
function flooder(port: number, request: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    s.once('connect', () => {
      s.pause();
      s.write(request);
      resolve(s);
    });
    s.once('error', reject);
  });
}

describe('NUT server: bounded memory under clients that do not read', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  test('pipelined LIST VAR floods: a healthy client keeps its answers, flooders are paused or dropped, the budget holds', async () => {
    const budget = 512 * 1024;
    h = await startHarness({ extra: { maxOutputBytes: budget } });
    const vars: Record<string, string> = { 'ups.status': 'OL', 'ups.load': '12' };
    for (let i = 0; i < 100; i++) vars[`test.var${String(i).padStart(3, '0')}`] = `value ${i} with "quotes" and \\ and #`;
    h.drivers.ups1!.attach(vars, []);
    const healthy = await h.client();
    assert.equal(await healthy.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "12"');

    // Each asks for ~12 MB of replies (2,000 LIST VAR of ~6 KB), far past what the kernel buffers.
    const flood = 'LIST VAR ups1\n'.repeat(2000);
    const n = 40;
    const flooders: Socket[] = [];
    let maxHeld = 0;
    let answered = 0;
    for (let i = 0; i < n; i++) {
      flooders.push(await flooder(h.port, flood));
      // The healthy client polls between every new flooder and after.
      assert.equal(await healthy.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
      answered++;
      maxHeld = Math.max(maxHeld, h.server.output.bytes);
    }
    // Every flooder ends up paused (its replies stopped) or dropped (the budget ran out).
    await until(() => {
      const o = h!.server.output;
      maxHeld = Math.max(maxHeld, o.bytes);
      return o.paused + o.dropped === n;
    }, 'every flooder to be paused or dropped');
    for (let i = 0; i < 200; i++) {
      assert.equal(await healthy.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "12"');
      answered++;
      maxHeld = Math.max(maxHeld, h.server.output.bytes);
    }
    assert.equal(answered, n + 200);
    const o = h.server.output;
    assert.ok(o.dropped > 0, 'the budget made the server drop some flooders');
    assert.ok(o.paused > 0, 'some flooders are paused, not dropped');
    // One client may go past the budget by the batch it was writing when it was dropped.
    assert.ok(maxHeld <= budget + 64 * 1024, `held at most ${maxHeld} bytes for a budget of ${budget}`);
    assert.ok(h.log.lines.some((l) => l.includes('does not read its replies; dropped')));
    // The drop warning is rate limited: one line for the whole flood (and the paused ones say nothing).
    assert.equal(h.log.lines.filter((l) => l.includes('does not read its replies')).length, 1);

    for (const s of flooders) s.destroy();
    await until(() => h!.server.clientCount === 1, 'the flooders to be gone');
    assert.deepEqual({ bytes: h.server.output.bytes, paused: h.server.output.paused }, { bytes: 0, paused: 0 });
    assert.equal(await healthy.request('LIST VAR ups1').then((r) => r.split('\n').length), 104);
  });

  test('a paused client is answered again once it reads: nothing it asked for is lost', async () => {
    h = await startHarness();
    const vars: Record<string, string> = { 'ups.status': 'OL', 'ups.load': '12' };
    for (let i = 0; i < 100; i++) vars[`test.var${String(i).padStart(3, '0')}`] = `value ${i} `.repeat(5);
    h.drivers.ups1!.attach(vars, []);
    const c = await h.client();
    const list = await c.request('LIST VAR ups1');
    c.sock.pause();
    // ~25 MB of replies asked for in one write: more than the kernel buffers, so the server must pause.
    const n = 8000;
    let req = '';
    for (let i = 0; i < n; i++) req += i % 2 ? 'GET VAR ups1 ups.load\n' : 'LIST VAR ups1\n';
    c.send(req);
    await until(() => h!.server.output.paused === 1, 'the client to be paused');
    c.sock.resume();
    for (let i = 0; i < n; i++) {
      const r = await c.readReply(10_000);
      if (i % 2) assert.equal(r, 'VAR ups1 ups.load "12"');
      else assert.equal(r, list);
    }
    await until(() => h!.server.output.bytes === 0 && h!.server.output.paused === 0, 'nothing held');
  });
});
