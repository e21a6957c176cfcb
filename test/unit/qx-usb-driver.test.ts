/**
 * The qx driver core (megatec protocol, autodetection, polling, commands)
 * over the USB transport and a fake bridge device: a cypress chip that
 * relays Megatec lines, and a krauler unit whose replies are string
 * descriptors. The device is a fake (there is no USB UPS here), the
 * driver and the transport are the real ones.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import type { Module } from '../../src/core/module';
import { createQxDriver } from '../../src/drivers/qx/index';
import { openQxUsb, type QxUsbOptions } from '../../src/drivers/qx/usb/index';
import { ONLINE, RATING, VENDOR, fReply, iReply, q1Reply } from '../helpers/q1-simulator';
import { watchUps, type UpsWatch } from '../helpers/qx-pty-rig';
import { FakeUsbDevice, fakeUsb, serialChip, stringChip } from './qx-usb-fake';

interface Rig extends UpsWatch {
  bus: EventBus;
  usb: ReturnType<typeof fakeUsb>;
  driver: Module;
  log: string[];
}

async function rig(usbOpts: QxUsbOptions, device: Parameters<typeof fakeUsb>[0][number]): Promise<Rig> {
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const log: string[] = [];
  const usb = fakeUsb([device]);
  const cfg = { driver: 'qx', port: 'auto', pollInterval: 0.2, pollfreq: 1, timeout: 2, protocol: 'megatec', ...usbOpts };
  const driver = createQxDriver(cfg, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(log) }, { openTransport: openQxUsb(cfg, { usb }) });
  await driver.start();
  return { bus, usb, ...watchUps(store, log), driver, log };
}

const megatec = (cmd: string): string | undefined => {
  if (cmd === 'Q1\r') return `${q1Reply(ONLINE)}\r`;
  if (cmd === 'F\r') return `${fReply(RATING)}\r`;
  if (cmd === 'I\r') return `${iReply(VENDOR)}\r`;
  return undefined;
};

describe('qx driver over USB', () => {
  test('cypress 0665:5161: Megatec over SET_REPORT / interrupt IN; unplugged goes stale, comes back', async () => {
    const handle = new FakeUsbDevice(serialChip(megatec));
    const r = await rig({}, { vendorId: 0x0665, productId: 0x5161, bus: '001', device: '002', handle });
    try {
      await r.until('first read', () => r.v('input.voltage') !== undefined);
      assert.equal(r.v('ups.status'), 'OL');
      assert.equal(r.v('input.voltage'), q1Reply(ONLINE).slice(1, 6).replace(/^0+(?=\d)/, ''));
      assert.equal(r.v('device.mfr'), VENDOR.company);
      assert.ok(handle.of('controlOut').every((w) => w.setup.bmRequestType === 0x21 && w.setup.wValue === 0x0200 && w.data.length === 8));
      handle.unplugged = true;
      await r.until('lost', () => r.log.some((l) => /lost usb 0665:5161 .*the device is gone/.test(l)));
      handle.unplugged = false;
      await r.until('reopened', () => r.usb.opened.length >= 2);
      const before = handle.transfers.length;
      await r.until('polled again', () => handle.transfers.length > before + 10);
    } finally {
      await r.driver.stop();
    }
  });

  test('krauler 0001:0000: Megatec queries as string descriptors; instant command T as its index', async () => {
    const replies: Record<number, string> = { 3: 'x' + q1Reply(ONLINE).slice(1), 0x0d: 'x' + fReply(RATING).slice(1), 0x0c: 'x' + iReply(VENDOR).slice(1), 4: 'ok', 7: 'ok' };
    const handle = new FakeUsbDevice(stringChip((i) => replies[i]));
    const r = await rig({}, { vendorId: 0x0001, productId: 0x0000, product: 'UPS USB', bus: '001', device: '003', handle });
    try {
      await r.until('first read', () => r.v('input.voltage') !== undefined);
      assert.equal(r.v('ups.status'), 'OL');
      assert.equal(r.v('device.model'), VENDOR.model);
      handle.clear();
      await r.bus.request('ups.instcmd', { ups: 'u', name: 'test.battery.start.quick' });
      assert.ok(handle.of('controlIn').some((x) => x.setup.wValue === 0x0304), 'T is string 4');
      // The reply's first byte becomes \r: an empty reply, the command done (no INSTCMD-FAILED).
      await r.bus.request('ups.instcmd', { ups: 'u', name: 'beeper.toggle' });
      assert.ok(handle.of('controlIn').some((x) => x.setup.wValue === 0x0307), 'Q is string 7');
    } finally {
      await r.driver.stop();
    }
  });
});
