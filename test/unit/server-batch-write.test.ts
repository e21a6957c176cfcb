/**
 * writeReplies (src/server/batch-write.ts): a batch of string and Buffer
 * replies reaches the peer byte for byte, in one system call (one writev),
 * and reports backpressure as Socket.write does.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { writeReplies } from '../../src/server/batch-write';

/** Records each call the stream makes to send data: one chunk (_write) or many at once (_writev). */
function recorder(highWaterMark = 16 * 1024): { w: Writable; calls: Buffer[][] } {
  const calls: Buffer[][] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      calls.push([chunk]);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.map((c) => c.chunk as Buffer));
      cb();
    },
  });
  return { w, calls };
}

describe('writeReplies', () => {
  test('one reply: written as it is', () => {
    const { w, calls } = recorder();
    assert.equal(writeReplies(w, ['OK\n']), true);
    assert.deepEqual(calls.map((c) => Buffer.concat(c).toString()), ['OK\n']);
  });

  test('strings only: joined into one write', () => {
    const { w, calls } = recorder();
    writeReplies(w, ['VAR a b "1"\n', 'VAR a c "é"\n']);
    assert.equal(calls.length, 1);
    assert.equal(Buffer.concat(calls[0]!).toString('utf8'), 'VAR a b "1"\nVAR a c "é"\n');
  });

  test('Buffers among them: one writev of the parts themselves, no copy, the same bytes', () => {
    const { w, calls } = recorder();
    const list = Buffer.from('BEGIN LIST VAR u\nVAR u x "1"\nEND LIST VAR u\n');
    writeReplies(w, [list, 'VAR u y "é"\n', list]);
    assert.equal(calls.length, 1, 'one call for the batch');
    assert.equal(calls[0]!.length, 3);
    assert.equal(calls[0]![0], list, 'the cached Buffer itself, not a copy');
    assert.equal(Buffer.concat(calls[0]!).toString('utf8'), `${list}VAR u y "é"\n${list}`);
  });

  test('says false past the high-water mark, as Socket.write does', () => {
    const hold: Array<() => void> = [];
    const w = new Writable({
      highWaterMark: 100,
      write: (_c, _e, cb) => hold.push(cb),
      writev: (_c, cb) => hold.push(cb),
    });
    assert.equal(writeReplies(w, [Buffer.alloc(60), Buffer.alloc(60)]), false);
    assert.equal(w.writableLength, 120);
  });

  test('over TCP the peer gets every byte, in order', async () => {
    const got: Buffer[] = [];
    const srv = createServer((s) => s.on('data', (d: Buffer) => got.push(d)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const c: Socket = await new Promise((r) => {
      const s = connect(port, '127.0.0.1', () => r(s));
    });
    const big = Buffer.alloc(40_000, 'x');
    const parts = [big, 'GET\n', Buffer.from('middle\n'), 'é\n', big];
    writeReplies(c, parts);
    const want = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    const end = Date.now() + 5000;
    while (Buffer.concat(got).length < want.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    c.destroy();
    srv.close();
    assert.ok(Buffer.concat(got).equals(want));
  });
});
