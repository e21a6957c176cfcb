/**
 * The qx USB bridges against a fake device: the exact transfers
 * nutdrv_qx.c makes for a command (setup bytes, chunking, endpoints,
 * timeouts), the reply assembled as NUT does, and failures (silence, a
 * cut reply, a hung transfer, unplugging, stalls, overflows, garbage).
 * There is no real bridge here: these are checked against NUT's source,
 * not against hardware.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError } from '../../src/drivers/runtime/errors';
import { QxTruncatedReplyError } from '../../src/drivers/qx/transport';
import { bridgeFor } from '../../src/drivers/qx/usb/index';
import { UsbQxTransport } from '../../src/drivers/qx/usb/transport';
import { parseShutdown, shutdownIndex } from '../../src/drivers/qx/usb/bridges/fabula';
import { fujiPacket } from '../../src/drivers/qx/usb/bridges/fuji';
import { expectsNoAnswer } from '../../src/drivers/qx/usb/bridges/phoenixtec';
import type { QxUsbSubdriver } from '../../src/drivers/qx/usb/bridge';
import { FakeUsbDevice, Q1_REPLY, latin1, serialChip, stringChip, stringDescriptor, type Responder } from './qx-usb-fake';

const LONG = { timeoutMs: 10_000 };
const Q1 = Q1_REPLY.slice(0, -1);

function transport(name: QxUsbSubdriver, responder: Responder, extra: { langidFix?: number; novendor?: boolean } = {}): { t: UsbQxTransport; dev: FakeUsbDevice } {
  const dev = new FakeUsbDevice(responder);
  const t = new UsbQxTransport(dev, { description: `fake (${name})`, bridge: bridgeFor(name), ...extra });
  return { t, dev };
}

const pad = (s: string, n: number): number[] => {
  const b = latin1(s);
  while (b.length < n) b.push(0);
  return b;
};

describe('cypress', () => {
  test('Q1: one SET_REPORT of the 8-byte padded command, reply in 8-byte interrupt reads to the \\r', async () => {
    const { t, dev } = transport('cypress', serialChip((c) => (c === 'Q1\r' ? Q1_REPLY : undefined)));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    const [w, ...rest] = dev.transfers;
    assert.deepEqual(w, { kind: 'controlOut', setup: { bmRequestType: 0x21, bRequest: 0x09, wValue: 0x0200, wIndex: 0 }, data: pad('Q1\r', 8), timeoutMs: 5000 });
    assert.equal(rest.length, 6, '47 bytes = 6 reads of 8');
    for (const r of rest) assert.deepEqual(r, { kind: 'interruptIn', endpoint: 0x81, length: 8, timeoutMs: 1000 });
  });

  test('a command longer than 8 bytes goes in two reports', async () => {
    const { t, dev } = transport('cypress', serialChip(() => undefined));
    await t.send('S.5R0001\r');
    const writes = dev.of('controlOut');
    assert.deepEqual(writes.map((w) => w.data), [latin1('S.5R0001'), pad('\r', 8)]);
  });

  test('silence: DeviceTimeoutError; part of a reply: QxTruncatedReplyError', async () => {
    const silent = transport('cypress', serialChip(() => undefined));
    await assert.rejects(silent.t.query('Q1\r', { timeoutMs: 200 }), DeviceTimeoutError);
    const cut = transport('cypress', serialChip(() => '(215.0 19', { pad: false }));
    await assert.rejects(cut.t.query('Q1\r', { timeoutMs: 200 }), (e: unknown) => e instanceof QxTruncatedReplyError && e.partial === '(215.0 19');
  });

  test('a transfer that never returns is cut by the deadline', async () => {
    const { t } = transport('cypress', (x) => (x.kind === 'interruptIn' ? 'hang' : undefined));
    const start = Date.now();
    await assert.rejects(t.query('Q1\r', { timeoutMs: 80 }), DeviceTimeoutError);
    const took = Date.now() - start;
    assert.ok(took >= 70 && took < 1000, `took ${took} ms`);
  });

  test('an aborted signal rejects at once with its reason', async () => {
    const { t } = transport('cypress', (x) => (x.kind === 'interruptIn' ? 'hang' : undefined));
    const ac = new AbortController();
    const p = t.query('Q1\r', { timeoutMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop')), 10);
    await assert.rejects(p, /stop/);
  });

  test('unplugged mid-reply: DeviceGoneError, the handle closed, later calls gone too', async () => {
    let reads = 0;
    const chip = serialChip(() => Q1_REPLY);
    const { t, dev } = transport('cypress', (x, d) => {
      if (x.kind === 'interruptIn' && ++reads === 3) d.unplugged = true;
      return chip(x, d);
    });
    await assert.rejects(t.query('Q1\r', LONG), (e: unknown) => e instanceof DeviceGoneError && e.disconnected);
    assert.ok(dev.closed);
    await assert.rejects(t.query('Q1\r', LONG), DeviceGoneError);
  });

  test('garbage without an end fills the buffer and comes back as a reply (the protocol judges it)', async () => {
    const { t } = transport('cypress', serialChip(() => 'x'.repeat(700)));
    const reply = await t.query('Q1\r', LONG);
    assert.equal(reply.length, 504);
  });

  test('a stalled endpoint is cleared and the poll missed; clear failing asks for a reopen', async () => {
    const { t, dev } = transport('cypress', (x) => (x.kind === 'interruptIn' ? 'stall' : undefined));
    await assert.rejects(t.query('Q1\r', LONG), (e: unknown) => e instanceof DeviceReplyError && !e.reopen);
    assert.deepEqual(dev.of('clearHalt'), [{ kind: 'clearHalt', endpoint: 0x81 }]);
    const bad = transport('cypress', (x) => (x.kind === 'interruptIn' || x.kind === 'clearHalt' ? 'stall' : undefined));
    await assert.rejects(bad.t.query('Q1\r', LONG), (e: unknown) => e instanceof DeviceReplyError && e.reopen);
  });

  test('overflow: missed polls, the third in a row resets the device and reopens', async () => {
    const { t, dev } = transport('cypress', (x) => (x.kind === 'interruptIn' ? 'overflow' : undefined));
    for (const reopen of [false, false, true]) {
      await assert.rejects(t.query('Q1\r', LONG), (e: unknown) => e instanceof DeviceReplyError && e.reopen === reopen);
    }
    assert.equal(dev.of('reset').length, 1);
  });
});

describe('gtec', () => {
  test('wValue 0x0002, only the command bytes chunked, 128-byte reads', async () => {
    const { t, dev } = transport('gtec', serialChip(() => Q1_REPLY, { chunk: 128 }));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlOut').map((w) => [w.setup.wValue, w.data.length]), [[0x0002, 8]]);
    assert.deepEqual(dev.of('interruptIn').map((r) => r.length), [128]);
  });
});

describe('phoenix', () => {
  test('flushes stale bytes first (reads until one fails), then cypress-like', async () => {
    let stale = 2;
    const chip = serialChip((c) => (c === 'Q1\r' ? Q1_REPLY : undefined));
    const { t, dev } = transport('phoenix', (x, d) => {
      if (x.kind === 'interruptIn' && dev.of('controlOut').length === 0) return stale-- > 0 ? latin1('junk\r\0\0\0') : 'timeout';
      return chip(x, d);
    });
    assert.equal(await t.query('Q1\r', LONG), Q1);
    const kinds = dev.transfers.map((x) => x.kind);
    assert.deepEqual(kinds.slice(0, 4), ['interruptIn', 'interruptIn', 'interruptIn', 'controlOut']);
    const w = dev.of('controlOut')[0];
    assert.deepEqual(w?.setup, { bmRequestType: 0x21, bRequest: 0x09, wValue: 0x0200, wIndex: 0 });
    assert.equal(w?.timeoutMs, 1000);
  });

  test('a stalled flush read clears the halt and goes on', async () => {
    const chip = serialChip(() => Q1_REPLY);
    const { t, dev } = transport('phoenix', (x, d) => (x.kind === 'interruptIn' && dev.of('controlOut').length === 0 ? 'stall' : chip(x, d)));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.equal(dev.of('clearHalt').length, 1);
  });
});

describe('ippon', () => {
  test('SET_REPORT wValue 0x0002 in 8-byte chunks, the reply in one 64-byte read, to its \\r', async () => {
    const { t, dev } = transport('ippon', (x) => (x.kind === 'interruptIn' ? pad(Q1_REPLY + 'trailing', 64) : undefined));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlOut')[0]?.setup, { bmRequestType: 0x21, bRequest: 0x09, wValue: 0x0002, wIndex: 0 });
    assert.deepEqual(dev.of('interruptIn'), [{ kind: 'interruptIn', endpoint: 0x81, length: 64, timeoutMs: 1000 }]);
  });

  test('no \\r: up to the NUL, the \\r added; empty reply 0x00 0x0d', async () => {
    const a = transport('ippon', (x) => (x.kind === 'interruptIn' ? pad('#ABC', 64) : undefined));
    assert.equal(await a.t.query('I\r', LONG), '#ABC');
    const b = transport('ippon', (x) => (x.kind === 'interruptIn' ? [0, 0x0d] : undefined));
    assert.equal(await b.t.query('T\r', LONG), '', 'NUT sees an empty string: a command done');
  });
});

describe('omron', () => {
  test('16-byte reports; a short write is an I/O failure (reconnect)', async () => {
    const { t, dev } = transport('omron', (x) => (x.kind === 'interruptIn' ? pad(Q1_REPLY, 64) : undefined));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlOut').map((w) => [w.setup.wValue, w.data.length]), [[0x0002, 16]]);
    const short = transport('omron', (x) => (x.kind === 'controlOut' ? 8 : undefined));
    await assert.rejects(short.t.query('Q1\r', LONG), DeviceGoneError);
  });
});

describe('sgs', () => {
  test('count-prefixed 8-byte reports both ways; the reply ends when a read times out', async () => {
    const reply = latin1(Q1_REPLY);
    const { t, dev } = transport('sgs', (x) => {
      if (x.kind !== 'interruptIn') return undefined;
      if (reply.length === 0) return 'timeout';
      const part = reply.splice(0, 7);
      return [part.length, ...part, ...new Array(7 - part.length).fill(0)];
    });
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlOut')[0], {
      kind: 'controlOut',
      setup: { bmRequestType: 0x21, bRequest: 0x09, wValue: 0x0200, wIndex: 0 },
      data: [3, ...latin1('Q1\r'), 0, 0, 0, 0],
      timeoutMs: 5000,
    });
    assert.equal(dev.of('interruptIn').length, 8, '7 reads of data + the one that times out');
  });

  test('a long command: 7 bytes per report', async () => {
    const { t, dev } = transport('sgs', () => undefined);
    await t.send('S.5R0001\r');
    assert.deepEqual(dev.of('controlOut').map((w) => w.data[0]), [7, 2]);
  });

  test('no \\r in the reply: added; nothing at all: a timeout', async () => {
    const parts = [[3, ...latin1('(OK'), 0, 0, 0, 0]];
    const a = transport('sgs', (x) => (x.kind === 'interruptIn' ? (parts.shift() ?? 'timeout') : undefined));
    assert.equal(await a.t.query('Q1\r', LONG), '(OK');
    const b = transport('sgs', () => undefined);
    await assert.rejects(b.t.query('Q1\r', { timeoutMs: 300 }), DeviceTimeoutError);
  });
});

describe('krauler', () => {
  const krauler = (strings: Record<number, string | number[]>, langs?: number[]): Responder => stringChip((i) => strings[i], langs);

  test('Q1 without langid_fix: string 0 for the language, then string 3 in it; first byte replaced by (, \\r added', async () => {
    const { t, dev } = transport('krauler', krauler({ 3: 'X' + Q1.slice(1) }));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.transfers, [
      { kind: 'controlIn', setup: { bmRequestType: 0x80, bRequest: 0x06, wValue: 0x0300, wIndex: 0 }, length: 255, timeoutMs: 1000 },
      { kind: 'controlIn', setup: { bmRequestType: 0x80, bRequest: 0x06, wValue: 0x0303, wIndex: 0x0409 }, length: 255, timeoutMs: 1000 },
    ]);
  });

  test('each command has its string index; F/I get #, commands an empty reply; unknown commands echoed unsent', async () => {
    const { t, dev } = transport('krauler', krauler({ 0x0d: '?220.0 000 024.0 50.0', 0x0c: '?MUSTEK  UPS  1.0', 4: 'done', 0x0b: 'ok' }, [0x0407]));
    assert.equal(await t.query('F\r', LONG), '#220.0 000 024.0 50.0');
    assert.equal(await t.query('I\r', LONG), '#MUSTEK  UPS  1.0');
    assert.equal(await t.query('T\r', LONG), '');
    assert.equal(await t.query('CT\r', LONG), '');
    const indices = dev.of('controlIn').map((x) => x.setup.wValue & 0xff).filter((i) => i !== 0);
    assert.deepEqual(indices, [0x0d, 0x0c, 0x04, 0x0b]);
    assert.ok(dev.of('controlIn').filter((x) => x.setup.wValue !== 0x0300).every((x) => x.setup.wIndex === 0x0407), 'in the language string 0 gives');
    dev.clear();
    assert.equal(await t.query('Q6\r', LONG), 'Q6');
    assert.equal(dev.transfers.length, 0);
  });

  test('langid_fix: one raw GET_DESCRIPTOR with that language and 511 bytes; a bLength mismatch retries', async () => {
    let n = 0;
    const good = stringDescriptor('#' + Q1.slice(1));
    const { t, dev } = transport(
      'krauler',
      stringChip((i) => (i === 3 ? (n++ === 0 ? [good.length + 4, ...good.slice(1)] : good) : undefined)),
      { langidFix: 0x4095 },
    );
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(
      dev.transfers.map((x) => (x.kind === 'controlIn' ? [x.setup.wValue, x.setup.wIndex, x.length] : x.kind)),
      [
        [0x0303, 0x4095, 511],
        [0x0303, 0x4095, 511],
      ],
    );
  });

  test('langid_fix: a character with a high byte becomes ?', async () => {
    const { t } = transport('krauler', stringChip((i) => (i === 0x0c ? '#ACME\u0141UPS' : undefined)), { langidFix: 0x409 });
    assert.equal(await t.query('I\r', LONG), '#ACME?UPS');
  });

  test('UPS No Ack is retried, 10 tries in all, then no reply', async () => {
    const { t, dev } = transport('krauler', krauler({ 3: 'UPS No Ack' }), );
    assert.equal(await t.query('Q1\r', LONG), '');
    assert.equal(dev.of('controlIn').filter((x) => x.setup.wValue === 0x0303).length, 10);
  });

  test('garbage descriptors are a missed poll; a silent device a timeout', async () => {
    const a = transport('krauler', krauler({ 3: [9, 1, 2, 3] }));
    await assert.rejects(a.t.query('Q1\r', LONG), DeviceReplyError);
    const b = transport('krauler', krauler({}));
    await assert.rejects(b.t.query('Q1\r', { timeoutMs: 300 }), DeviceTimeoutError);
  });
});

describe('snr', () => {
  test('wakes the device with a 102-byte interrupt read, then 102-byte GET_DESCRIPTOR with langid_fix; no \\r added', async () => {
    const { t, dev } = transport('snr', stringChip((i) => (i === 3 ? 'x' + Q1.slice(1) : undefined)), { langidFix: 0x0409 });
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.transfers[0], { kind: 'interruptIn', endpoint: 0x81, length: 102, timeoutMs: 1000 });
    assert.deepEqual(dev.transfers.slice(1).map((x) => (x.kind === 'controlIn' ? [x.setup.wValue, x.setup.wIndex, x.length] : x.kind)), [[0x0303, 0x0409, 102]]);
  });
});

describe('fabula', () => {
  test('Q1 is string 3 read as ASCII; \\r added; no prefix change', async () => {
    const { t, dev } = transport('fabula', stringChip((i) => (i === 3 ? Q1 : undefined)));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlIn').map((x) => x.setup.wValue), [0x0300, 0x0303]);
  });

  test('shutdowns are string indices: delay and return encoded', async () => {
    assert.deepEqual(parseShutdown('S.5R0000\r'), { delay: 0.5, restart: 0 });
    assert.deepEqual(parseShutdown('S.3\r'), { delay: 0.3, restart: -1 });
    assert.equal(shutdownIndex(0.5, 0), 0x10);
    assert.equal(shutdownIndex(0.3, -1), 0x18, 'a plain Sn counts as shutdown.return (NUT val2 starts at -1)');
    assert.equal(shutdownIndex(0.7, 0), 0x30);
    assert.equal(shutdownIndex(1, 1), 0x68);
    assert.equal(shutdownIndex(10, 0), 0xf0);
    assert.equal(shutdownIndex(25, 0), 0xf0);
    const { t, dev } = transport('fabula', stringChip(() => 'UPS No Ack'));
    assert.equal(await t.query('S01R0001\r', LONG), '', 'UPS No Ack: no reply (the command succeeds)');
    assert.equal(dev.of('controlIn').at(-1)?.setup.wValue, 0x0368);
    dev.clear();
    assert.equal(await t.query('M\r', LONG), 'M', 'unknown: echoed');
    assert.equal(dev.transfers.length, 0);
  });
});

describe('hunnox', () => {
  test('lock-step string reads before each command, then the command capped at 102 bytes', async () => {
    const { t, dev } = transport('hunnox', stringChip((i) => (i === 3 ? Q1 : i === 0xf3 ? '100' : 'x')));
    const seq = async (cmd: string): Promise<Array<[number, number, number]>> => {
      dev.clear();
      await t.query(cmd, LONG);
      return dev.of('controlIn').map((x) => [x.setup.wValue & 0xff, x.setup.wIndex, x.length]);
    };
    assert.deepEqual(await seq('Q1\r'), [
      [0, 0x409, 1026],
      [0, 0x409, 1026],
      [1, 0x409, 1026],
      [0, 0, 255],
      [3, 0x409, 255],
    ]);
    assert.deepEqual(await seq('Q1\r'), [[0x0d, 0x409, 102], [0, 0, 255], [3, 0x409, 255]]);
    assert.deepEqual(await seq('Q1\r'), [[0, 0, 255], [3, 0x409, 255]], 'step 2 skips string 3: it is the command');
    assert.deepEqual(await seq('BL\r'), [[0x0c, 0x409, 102], [0, 0, 255], [0xf3, 0x409, 255]]);
    assert.deepEqual(await seq('Q1\r'), [[0x0d, 0x409, 102], [0, 0, 255], [3, 0x409, 255]], 'back to step 1');
  });

  test('novendor skips string 0x0c; langid_fix: raw 102-byte read, a length mismatch is no reply', async () => {
    const { t, dev } = transport('hunnox', stringChip((i) => (i === 3 ? Q1 : 'x')), { novendor: true, langidFix: 0x0409 });
    for (let i = 0; i < 3; i++) await t.query('Q1\r', LONG);
    dev.clear();
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlIn').map((x) => [x.setup.wValue & 0xff, x.length]), [[3, 102]]);
    const bad = transport('hunnox', stringChip((i) => (i === 3 ? [50, 3, 0x28, 0] : 'x')), { langidFix: 0x0409 });
    assert.equal(await bad.t.query('Q1\r', LONG), '');
  });
});

describe('fuji', () => {
  test('one 8-byte interrupt OUT on 0x02 with length and expected answer length; reply in NUL-padded chunks', async () => {
    // A Fuji unit: the query is in the packet (bytes 4..6), the reply comes NUL-padded to 8.
    let pending: number[] = [];
    const { t, dev } = transport('fuji', (x) => {
      if (x.kind === 'interruptOut') {
        if (String.fromCharCode(...x.data.slice(4, 6)) === 'Q1') pending = latin1(Q1_REPLY);
        return 8;
      }
      if (x.kind === 'interruptIn' && pending.length) return pad(String.fromCharCode(...pending.splice(0, 8)), 8);
      return undefined;
    });
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('interruptOut'), [{ kind: 'interruptOut', endpoint: 0x02, data: [0x80, 0x06, 3, 0x03, 0x51, 0x31, 0, 47], timeoutMs: 5000 }]);
    assert.ok(dev.of('interruptIn').every((r) => r.endpoint === 0x81 && r.length === 8));
  });

  test('packets: F 22, I 39, commands 0; SnRm cut to Sn; too long commands echoed unsent', async () => {
    assert.deepEqual([...(fujiPacket(Buffer.from('F\r')) ?? [])], [0x80, 6, 2, 3, 0x46, 0, 0, 22]);
    assert.deepEqual([...(fujiPacket(Buffer.from('I\r')) ?? [])], [0x80, 6, 2, 3, 0x49, 0, 0, 39]);
    assert.deepEqual([...(fujiPacket(Buffer.from('S05R0002\r')) ?? [])], [0x80, 6, 4, 3, 0x53, 0x30, 0x35, 0]);
    assert.equal(fujiPacket(Buffer.from('S05R0000\r')), undefined, 'stayoff cannot be sent');
    const { t, dev } = transport('fuji', () => undefined);
    assert.equal(await t.query('QVFW\r', LONG), 'QVFW');
    assert.equal(dev.transfers.length, 0);
  });
});

describe('ablerex', () => {
  test('SET_REPORT id 5 (47 bytes), 500 ms, GET_REPORT id 5; Q1 retried until 47 bytes', async () => {
    let gets = 0;
    const { t, dev } = transport('ablerex', (x) => {
      if (x.kind === 'controlIn') return ++gets === 1 ? pad('(short\r', 47) : latin1(Q1_REPLY);
      return undefined;
    });
    const start = Date.now();
    assert.equal(await t.query('Q1\r', { timeoutMs: 1000 }), Q1);
    assert.ok(Date.now() - start >= 1000, 'two tries of 500 ms');
    const w = dev.of('controlOut')[0];
    assert.deepEqual(w?.setup, { bmRequestType: 0x21, bRequest: 0x09, wValue: 0x0305, wIndex: 0 });
    assert.deepEqual(w?.data.slice(0, 6), [0x05, 0x00, 3, 0x51, 0x31, 0x0d]);
    assert.equal(w?.data.length, 47);
    assert.deepEqual(dev.of('controlIn')[0]?.setup, { bmRequestType: 0xa1, bRequest: 0x01, wValue: 0x0305, wIndex: 0 });
    assert.equal(gets, 2);
  });
});

describe('armac', () => {
  /** An armac unit: answers in reads of `[0xa0 | n, n bytes]`, 5 at a time, then `[0xa0]`. */
  const armacChip = (reply: string): Responder => {
    let pending: number[] = [];
    return (x) => {
      if (x.kind === 'controlOut' || x.kind === 'interruptOut') {
        if (x.data.slice(1).includes(0x0d)) pending = latin1(reply);
        return x.data.length;
      }
      if (x.kind === 'interruptIn') {
        if (pending.length === 0) return x.timeoutMs <= 100 ? 'timeout' : [0xa0, 0, 0, 0, 0, 0];
        const part = pending.splice(0, Math.min(5, x.length - 1));
        return [0xa0 | part.length, ...part];
      }
      return undefined;
    };
  };

  test('old units: drain, 3 command bytes per 4-byte SET_REPORT, 8-byte reads with a count byte', async () => {
    const { t, dev } = transport('armac', armacChip(Q1_REPLY));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.transfers[0], { kind: 'interruptIn', endpoint: 0x81, length: 8, timeoutMs: 100 });
    assert.deepEqual(dev.of('controlOut').map((w) => [w.setup.bmRequestType, w.setup.wValue, ...w.data]), [[0x21, 0x0200, 0xa3, 0x51, 0x31, 0x0d]]);
    dev.clear();
    await t.query('Q1\r', LONG);
    await t.send('S.5R0001\r');
    assert.deepEqual(dev.of('controlOut').slice(1).map((w) => w.data[0]), [0xa3, 0xa3, 0xa3]);
  });

  test('new units (IN 0x82 / OUT 0x02, 64 bytes): one interrupt write, 64-byte reads on 0x82', async () => {
    const { t, dev } = transport('armac', armacChip(Q1_REPLY));
    dev.eps = [
      { address: 0x82, type: 'interrupt', packetSize: 64 },
      { address: 0x02, type: 'interrupt', packetSize: 64 },
    ];
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('interruptOut'), [{ kind: 'interruptOut', endpoint: 0x02, data: [0xa3, 0x51, 0x31, 0x0d], timeoutMs: 5000 }]);
    assert.ok(dev.of('interruptIn').every((r) => r.endpoint === 0x82 && r.length === 64));
  });

  test('a NUL first means the UPS is off (no reply); from byte 38 on a NUL reads as 0; unsupported commands echoed', async () => {
    const off = transport('armac', armacChip('\0\0\0'));
    assert.equal(await off.t.query('Q1\r', LONG), '');
    const vultech = transport('armac', armacChip(Q1_REPLY.slice(0, 40) + '\0' + Q1_REPLY.slice(41)));
    assert.equal(await vultech.t.query('Q1\r', LONG), Q1.slice(0, 40) + '0' + Q1.slice(41));
    assert.equal(await off.t.query('QGS\r', LONG), 'QGS');
  });

  test('an endless stream is a missed poll', async () => {
    const { t } = transport('armac', armacChip('y'.repeat(800)));
    await assert.rejects(t.query('Q1\r', LONG), DeviceReplyError);
  });
});

describe('phoenixtec', () => {
  test('the whole command in one vendor control transfer; commands without answer return at once', async () => {
    const { t, dev } = transport('phoenixtec', (x) => (x.kind === 'interruptIn' ? latin1(Q1_REPLY) : undefined));
    assert.equal(await t.query('Q1\r', LONG), Q1);
    assert.deepEqual(dev.of('controlOut'), [
      { kind: 'controlOut', setup: { bmRequestType: 0x42, bRequest: 0x0d, wValue: 0, wIndex: 0 }, data: latin1('Q1\r'), timeoutMs: 1000 },
    ]);
    assert.deepEqual(dev.of('interruptIn')[0], { kind: 'interruptIn', endpoint: 0x81, length: 511, timeoutMs: 1000 });
    dev.clear();
    assert.equal(await t.query('T\r', LONG), '');
    assert.equal(dev.of('interruptIn').length, 0);
    assert.ok(expectsNoAnswer('S05R0001\r') && expectsNoAnswer('M\r') && !expectsNoAnswer('MSO\r') && !expectsNoAnswer('Q1\r'));
  });
});

describe('deadlines', () => {
  test("each transfer gets NUT's timeout or what is left of the deadline, whichever is less", async () => {
    const { t, dev } = transport('cypress', serialChip(() => Q1_REPLY));
    await t.query('Q1\r', { timeoutMs: 300 });
    const w = dev.of('controlOut')[0];
    assert.ok(w && w.timeoutMs <= 300 && w.timeoutMs > 150, `write timeout ${w?.timeoutMs}`);
    assert.ok(dev.of('interruptIn').every((r) => r.timeoutMs <= 300));
  });

  test('a hung string request (krauler) and a pause (ablerex) end at the deadline or on abort', async () => {
    const k = transport('krauler', (x) => (x.kind === 'controlIn' ? 'hang' : undefined));
    await assert.rejects(k.t.query('Q1\r', { timeoutMs: 60 }), DeviceTimeoutError);
    const a = transport('ablerex', () => undefined);
    const ac = new AbortController();
    const start = Date.now();
    const p = a.t.query('Q1\r', { timeoutMs: 1000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('shutdown')), 50);
    await assert.rejects(p, /shutdown/);
    assert.ok(Date.now() - start < 400, 'the 500 ms pause was cut');
  });

  test('send ignores silence but not an unplugged device', async () => {
    const { t, dev } = transport('cypress', () => undefined);
    await t.send('T\r');
    dev.unplugged = true;
    await assert.rejects(t.send('T\r'), DeviceGoneError);
  });
});
