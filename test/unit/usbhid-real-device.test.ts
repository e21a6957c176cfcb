/**
 * What real USB HID UPSes do, through the whole driver: replies shorter or
 * longer than the descriptor declares, another report's bytes, empty
 * replies, a device that vanishes and comes back. Once through the hidraw
 * transport (a fake node-hid device over a fake sysfs tree: this machine has
 * no USB), once through the replay of our recordings of those quirks
 * (test/fixtures/usbhid/README.md says where each fact comes from).
 *
 * The rule everywhere: a value is published only when the device sent every
 * bit of it in this reply. NUT decodes the rest from its buffer (zero fill or
 * an earlier reply) and prints it; we do not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { UsbHidDriver } from '../../src/drivers/usbhid/driver';
import { defaultMapping } from '../../src/drivers/usbhid/index';
import { FixedConnector } from '../../src/drivers/usbhid/transport/connector';
import { HidrawTransport } from '../../src/drivers/usbhid/transport/hidraw';
import type { NodeHidApi, NodeHidDevice, NodeHidDeviceEntry } from '../../src/drivers/usbhid/transport/node-hid';
import { ReplayTransport } from '../../src/drivers/usbhid/transport/replay';
import { EventEmitter } from 'node:events';
import { FakeTimers, fixtureDump, rig } from './usbhid-helpers';

const SIMPLE = fixtureDump('simple-ups.dev');

/** /sys for one UPS on hidraw7 with the SIMPLE recording's descriptor and strings. */
function fakeSysfs(root: string): void {
  const usb = join(root, 'devices/pci0000:00/0000:00:14.0/usb1/1-2');
  const hid = join(usb, '1-2:1.0/0003:F055:0001.0001');
  mkdirSync(join(hid, 'hidraw/hidraw7'), { recursive: true });
  writeFileSync(join(hid, 'report_descriptor'), SIMPLE.descriptor!);
  writeFileSync(join(hid, 'uevent'), 'DRIVER=hid-generic\nHID_ID=0003:0000F055:00000001\nHID_NAME=Upsagent Test Works Simple UPS 650\nHID_UNIQ=SU650-0001\n');
  const files: Record<string, string> = { idVendor: 'f055', idProduct: '0001', manufacturer: 'Upsagent Test Works', product: 'Simple UPS 650', serial: 'SU650-0001', bcdDevice: '0100' };
  for (const [f, v] of Object.entries(files)) writeFileSync(join(usb, f), `${v}\n`);
  mkdirSync(join(root, 'class/hidraw'), { recursive: true });
  symlinkSync(join(hid, 'hidraw/hidraw7'), join(root, 'class/hidraw/hidraw7'));
  symlinkSync('../../../0003:F055:0001.0001', join(hid, 'hidraw/hidraw7/device'));
}

/** A node-hid device answering with the recording's bytes, unless the test says otherwise for a report. */
class FakeUps extends EventEmitter implements NodeHidDevice {
  readonly answers = new ReplayTransport(SIMPLE, { source: 'fake' });
  override: ((id: number, recorded: Uint8Array) => Uint8Array | Error) | null = null;
  unplugged = false;
  private opened: Promise<unknown> | undefined;
  async close(): Promise<void> {}
  async getFeatureReport(reportId: number, length: number): Promise<Buffer> {
    if (this.unplugged) throw new Error('could not get feature report from device: No such device');
    this.opened ??= this.answers.open({ onInput: () => undefined, onDisconnect: () => undefined });
    await this.opened;
    const recorded = await this.answers.getFeatureReport(reportId, length);
    const out = this.override ? this.override(reportId, recorded) : recorded;
    if (out instanceof Error) throw out;
    return Buffer.from(out);
  }
  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    return data.length;
  }
  async getDeviceInfo(): Promise<NodeHidDeviceEntry> {
    if (this.unplugged) throw new Error('No such device');
    return { vendorId: 0xf055, productId: 1, manufacturer: 'Upsagent Test Works', product: 'Simple UPS 650', serialNumber: 'SU650-0001', release: 0x100 };
  }
}

let root: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'upsagent-realdev-'));
  fakeSysfs(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

function hidrawRig() {
  const dev = new FakeUps();
  const hid = async (): Promise<NodeHidApi> => ({
    devicesAsync: async () => [],
    HIDAsync: {
      open: async () => {
        if (dev.unplugged) throw new Error('cannot open device with path /dev/hidraw7');
        return dev;
      },
    },
  });
  const transport = new HidrawTransport({ path: '/dev/hidraw7', sysfsRoot: root, hid, exists: async () => !dev.unplugged, readInput: false, strings: async () => undefined });
  const timers = new FakeTimers();
  const bus = new EventBus();
  const store = new UpsStore(bus, () => timers.now);
  const lines: string[] = [];
  const driver = new UsbHidDriver(
    { driver: 'usbhid', port: '/dev/hidraw7', pollInterval: 2 },
    { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines), clock: () => timers.now },
    { connector: new FixedConnector('/dev/hidraw7', transport), mapping: defaultMapping, timers, version: 'test' },
  );
  return {
    dev,
    driver,
    lines,
    view: () => store.get('u')!,
    get: (n: string) => store.get('u')!.getVar(n)?.value,
    advance: (ms: number) => timers.advance(ms, () => driver.idle()),
  };
}

describe('usbhid on hidraw (fake node-hid): replies as real devices give them', () => {
  test('a status report that came whole and then comes cut short: the status is unknown, so stale; whole again: fresh', async () => {
    const r = hidrawRig();
    await r.driver.start();
    assert.equal(r.get('ups.status'), 'OL CHRG');
    // Report 5 (05 03) carries the PresentStatus bits in its second byte; now only the ID byte comes.
    r.dev.override = (id, data) => (id === 5 ? data.subarray(0, 1) : data);
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, true, 'bits the device sent before and not now are not kept as fresh');
    assert.match(r.lines.join('\n'), /expected 2 bytes, but got 1 instead/);
    r.dev.override = null;
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false);
    await r.driver.stop();
  });

  test('a 16-bit value cut in half by a short reply is not published (NUT would print its zero-filled half)', async () => {
    const r = hidrawRig();
    // Report 9: Input.Voltage, 16 bits, bytes 1-2; the device sends the ID and the low byte only.
    r.dev.override = (id, data) => (id === 9 ? data.subarray(0, 2) : data);
    await r.driver.start();
    assert.equal(r.get('input.voltage'), undefined);
    assert.match(r.lines.join('\n'), /UPS\.Input\.Voltage: not in the whole reply \(NUT would show/);
    assert.match(r.lines.join('\n'), /expected 3 bytes, but got 2 instead/);
    assert.equal(r.get('ups.load'), '23', 'other reports are unaffected');
    await r.driver.stop();
  });

  test('an over-long reply: the declared bytes are decoded, the rest dropped', async () => {
    const r = hidrawRig();
    r.dev.override = (id, data) => (id === 2 ? Uint8Array.from([...data, 0xaa, 0xbb]) : data);
    await r.driver.start();
    assert.equal(r.get('battery.charge'), '95');
    assert.equal(r.get('battery.runtime'), '1800');
    await r.driver.stop();
  });

  test('another report\'s bytes, or nothing, for the status report: stale, and fresh when it answers right again', async () => {
    const r = hidrawRig();
    await r.driver.start();
    r.dev.override = (id, data) => (id === 5 ? Uint8Array.from([0x04, 0x01]) : data);
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, true);
    assert.match(r.lines.join('\n'), /feature report 05: the reply is for report 04/);
    r.dev.override = (id, data) => (id === 5 ? new Uint8Array(0) : data);
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, true);
    r.dev.override = null;
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, false);
    assert.equal(r.get('ups.status'), 'OL CHRG');
    await r.driver.stop();
  });

  test('the device vanishes (ENODEV) and comes back: stale, reconnected, fresh', async () => {
    const r = hidrawRig();
    await r.driver.start();
    r.dev.unplugged = true;
    await r.advance(2000);
    assert.equal(r.view().health.staleFlag, true);
    assert.equal(r.driver.status().connected, false);
    assert.equal(r.get('driver.state'), 'reconnect.trying');
    r.dev.unplugged = false;
    await r.advance(2000);
    assert.equal(r.driver.status().connected, true);
    assert.equal(r.view().health.staleFlag, false);
    await r.driver.stop();
  });
});

describe('usbhid replay of our recordings of real quirks', () => {
  test('APC Back-UPS answering short (status 2 of 5 bytes, a delay 2 of 3) and long (charge 6 of 4)', async () => {
    const r = rig(fixtureDump('apc-short-reports.dev'), { pollInterval: 2 });
    await r.driver.start();
    assert.equal(r.driver.status().subdriver, 'APC HID 0.100');
    // NUT's values for what the replies hold: ACPresent 1 -> OL; charge and runtime from the long reply.
    assert.deepEqual([r.get('ups.status'), r.get('battery.charge'), r.get('battery.runtime')], ['OL', '100', '600']);
    // DelayBeforeShutdown: NUT prints 255 (its low byte from the reply, the high byte zero fill); we publish none.
    assert.equal(r.get('ups.timer.shutdown'), undefined);
    // Overload lies past the 2 status bytes the device sends: never sent, so not a lost status either.
    await r.advance(6000);
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    await r.driver.stop();
  });

  test('a journal-style dump with a wrong-ID reply and damaged lines replays; each costs only itself', async () => {
    const dump = fixtureDump('wrong-id-damaged.dev');
    assert.ok((dump.warnings ?? []).length >= 2, 'the two damaged lines are reported');
    const r = rig(dump);
    await r.driver.start();
    assert.equal(r.driver.status().connected, true);
    // RunTimeToEmpty: the reply to report 02 starts with 01; NUT printed 90, we refuse it.
    assert.equal(r.get('battery.runtime'), undefined);
    assert.deepEqual([r.get('battery.charge'), r.get('battery.charge.low'), r.get('ups.status')], ['89', '20', 'OL']);
    await r.driver.stop();
  });
});
