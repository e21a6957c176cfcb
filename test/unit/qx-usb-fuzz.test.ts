/**
 * Garbage from the device never crashes a bridge: for every bridge, many
 * exchanges against a device answering random bytes, random lengths and
 * random failures. Each one resolves a reply or rejects with one of the
 * transport's errors (timeout, truncated, reply, gone); nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError } from '../../src/drivers/runtime/errors';
import { QX_USB_SUBDRIVERS } from '../../src/drivers/qx/usb/bridge';
import { bridgeFor } from '../../src/drivers/qx/usb/index';
import { UsbQxTransport } from '../../src/drivers/qx/usb/transport';
import type { UsbFailureKind } from '../../src/drivers/qx/usb/usb-like';
import { FakeUsbDevice, type Responder } from './qx-usb-fake';

/** mulberry32: the same garbage on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAILURES: UsbFailureKind[] = ['timeout', 'stall', 'overflow', 'gone', 'io'];
const COMMANDS = ['Q1\r', 'F\r', 'I\r', 'T\r', 'S.5R0001\r', 'QGS\r', 'BL\r', 'Q\r', '\r', ''];

function garbage(r: () => number): Responder {
  return (t) => {
    const roll = r();
    if (roll < 0.08) return FAILURES[Math.floor(r() * FAILURES.length)];
    if (t.kind === 'controlOut' || t.kind === 'interruptOut') return roll < 0.15 ? Math.floor(r() * 9) : t.data.length;
    if (t.kind === 'controlIn' || t.kind === 'interruptIn') {
      const n = Math.floor(r() * Math.min(t.length + 1, 80));
      const bytes = Array.from({ length: n }, () => (r() < 0.15 ? 0x0d : r() < 0.1 ? 0 : Math.floor(r() * 256)));
      // Sometimes a plausible string descriptor header.
      if (t.kind === 'controlIn' && n >= 2 && r() < 0.5) {
        bytes[0] = r() < 0.5 ? n : Math.floor(r() * 256);
        bytes[1] = 3;
      }
      return bytes;
    }
    return undefined;
  };
}

test('random answers: every bridge resolves a string or rejects with a transport error', async () => {
  const r = rng(0x5eed);
  for (const name of QX_USB_SUBDRIVERS) {
    const rounds = name === 'ablerex' ? 2 : 60;
    for (let i = 0; i < rounds; i++) {
      const dev = new FakeUsbDevice(garbage(r));
      const langidFix = r() < 0.5 || name === 'snr' ? 0x0409 : undefined;
      const t = new UsbQxTransport(dev, { description: name, bridge: bridgeFor(name), ...(langidFix !== undefined ? { langidFix } : {}) });
      const command = COMMANDS[Math.floor(r() * COMMANDS.length)] as string;
      try {
        const reply = await t.query(command, { timeoutMs: 200 });
        assert.equal(typeof reply, 'string');
        assert.ok(!reply.includes('\r'), `${name}: a reply never holds its \\r`);
      } catch (err) {
        assert.ok(
          err instanceof DeviceTimeoutError || err instanceof DeviceReplyError || err instanceof DeviceGoneError,
          `${name} ${JSON.stringify(command)}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        );
      }
    }
  }
});
