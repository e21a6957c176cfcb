/** The serial link over a real pty pair (socat): replies split or joined, deadlines, a port that goes away. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSerialPort, ReplyBuffer } from '../../src/drivers/serial/link';
import { DeviceGoneError, DeviceTimeoutError } from '../../src/drivers/runtime/errors';
import { startPtyPair } from '../helpers/pty-pair';

test('ReplyBuffer: a reply split over chunks, two replies in one chunk, a function end', async () => {
  const rb = new ReplyBuffer();
  const first = rb.read(0x0d, 1000, 'test');
  rb.push(Buffer.from('(230.0 22'));
  rb.push(Buffer.from('9.0\r(23'));
  assert.equal((await first).toString(), '(230.0 229.0\r');
  rb.push(Buffer.from('1\r'));
  assert.equal((await rb.read(0x0d, 1000, 'test')).toString(), '(231\r');
  const fixed = rb.read((b) => (b.length >= 3 ? 3 : 0), 1000, 'test');
  rb.push(Buffer.from('ab'));
  rb.push(Buffer.from('cd'));
  assert.equal((await fixed).toString(), 'abc');
  assert.equal(rb.drain().toString(), 'd');
});

test('ReplyBuffer: nothing in time is a DeviceTimeoutError; unasked bytes go to the listener', async () => {
  const rb = new ReplyBuffer();
  await assert.rejects(rb.read(0x0d, 30, 'Q1'), (e) => e instanceof DeviceTimeoutError);
  const got: string[] = [];
  rb.onUnsolicited((d) => got.push(d.toString()));
  rb.push(Buffer.from('!'));
  assert.deepEqual(got, ['!']);
});

test('openSerialPort on a pty: write and read both ways; the far end going away fails a waiting read', async () => {
  const pty = await startPtyPair();
  const ups = await openSerialPort(pty.device, { baudRate: 2400 });
  const sim = await openSerialPort(pty.peer, { baudRate: 2400 });
  try {
    await ups.write('Q1\r');
    assert.equal((await sim.read(0x0d, 2000)).toString(), 'Q1\r');
    await sim.write('(230.0 230.0 230.0 012 50.0 13.5 25.0 00001001\r');
    assert.equal((await ups.read(0x0d, 2000)).toString(), '(230.0 230.0 230.0 012 50.0 13.5 25.0 00001001\r');
    await assert.rejects(ups.read(0x0d, 100), (e) => e instanceof DeviceTimeoutError);
    await sim.close();
    await ups.close();
    assert.equal(ups.isOpen, false);
    await assert.rejects(ups.write('Q1\r'), (e) => e instanceof DeviceGoneError);
  } finally {
    await ups.close();
    await sim.close();
    await pty.stop();
  }
});
