/**
 * The hidraw transport against a fake node-hid and a fake sysfs tree (this
 * machine has no USB or HID kernel support, so the real one cannot be opened).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HidTransportError } from '../../src/drivers/usbhid/types';
import { HidrawTransport } from '../../src/drivers/usbhid/transport/hidraw';
import { listHidDevices } from '../../src/drivers/usbhid/transport/device-list';
import { parseUevent, readSysfsInfo } from '../../src/drivers/usbhid/transport/sysfs';
import { FixedConnector, HidrawConnector } from '../../src/drivers/usbhid/transport/connector';
import { connectorFor, isHardwarePort } from '../../src/drivers/usbhid/index';
import type { DeviceMatch, ListedHidDevice } from '../../src/drivers/usbhid/matcher';
import { decodeStringDescriptor, openUsbStrings, type UsbDeviceLike } from '../../src/drivers/usbhid/transport/usb-strings';
import type { NodeHidApi, NodeHidDevice, NodeHidDeviceEntry } from '../../src/drivers/usbhid/transport/node-hid';

const DESCRIPTOR = Uint8Array.from([0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0xc0]);

/** /sys as Linux lays it out for one USB UPS on hidraw3 (device/ is a symlink into /sys/devices). */
function fakeSysfs(root: string, opts: { usbStrings?: boolean } = {}): void {
  const usb = join(root, 'devices/pci0000:00/0000:00:14.0/usb3/3-1');
  const hid = join(usb, '3-1:1.0/0003:051D:0002.0001');
  mkdirSync(join(hid, 'hidraw/hidraw3'), { recursive: true });
  writeFileSync(join(hid, 'report_descriptor'), DESCRIPTOR);
  writeFileSync(join(hid, 'uevent'), 'DRIVER=hid-generic\nHID_ID=0003:0000051D:00000002\nHID_NAME=American Power Conversion Back-UPS 500\nHID_UNIQ=UEVENT-SERIAL\n');
  if (opts.usbStrings !== false) {
    const files: Record<string, string> = {
      idVendor: '051d',
      idProduct: '0002',
      manufacturer: 'American Power Conversion',
      product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ',
      serial: 'AB0427******',
      bcdDevice: '0100',
    };
    for (const [f, v] of Object.entries(files)) writeFileSync(join(usb, f), `${v}\n`);
  }
  mkdirSync(join(root, 'class/hidraw'), { recursive: true });
  symlinkSync(join(hid, 'hidraw/hidraw3'), join(root, 'class/hidraw/hidraw3'));
  symlinkSync('../../../0003:051D:0002.0001', join(hid, 'hidraw/hidraw3/device'));
}

class FakeDevice extends EventEmitter implements NodeHidDevice {
  closed = false;
  sent: number[][] = [];
  features = new Map<number, number[]>();
  failReads: Error | null = null;
  /** Replies returned as they are, whatever length was asked (a device answering short, or more). */
  raw = new Map<number, number[]>();
  asked: Array<[number, number]> = [];
  info: NodeHidDeviceEntry | Error = { vendorId: 0x051d, productId: 2, product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ', manufacturer: '', release: 0x100 };
  async close(): Promise<void> {
    this.closed = true;
  }
  async getFeatureReport(reportId: number, length: number): Promise<Buffer> {
    this.asked.push([reportId, length]);
    if (this.failReads) throw this.failReads;
    const raw = this.raw.get(reportId);
    if (raw) return Buffer.from(raw);
    const data = this.features.get(reportId) ?? [];
    return Buffer.from([reportId, ...data].slice(0, length));
  }
  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    this.sent.push([...data]);
    return data.length;
  }
  async getDeviceInfo(): Promise<NodeHidDeviceEntry> {
    if (this.info instanceof Error) throw this.info;
    return this.info;
  }
}

function fakeHid(device: FakeDevice, opened: string[] = [], entries: NodeHidDeviceEntry[] = []): () => Promise<NodeHidApi> {
  return async () => ({
    devicesAsync: async () => entries,
    HIDAsync: {
      open: async (path: string) => {
        opened.push(path);
        if (path !== '/dev/hidraw3') throw new Error(`cannot open device with path ${path}`);
        return device;
      },
    },
  });
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'upsagent-sysfs-'));
  fakeSysfs(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

void describe('hidraw transport (fake node-hid + fake sysfs)', () => {
  const present = new Set(['/dev/hidraw3']);
  const exists = async (p: string): Promise<boolean> => present.has(p);

  test('open: device info from node-hid, gaps filled from sysfs; descriptor from sysfs', async () => {
    const dev = new FakeDevice();
    const opened: string[] = [];
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev, opened), exists });
    const info = await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    assert.deepEqual(opened, ['/dev/hidraw3']);
    assert.deepEqual(info, {
      vendorId: 0x051d,
      productId: 2,
      path: '/dev/hidraw3',
      // node-hid gave an empty manufacturer and no serial: sysfs (the USB device's files) fills them.
      manufacturer: 'American Power Conversion',
      product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ',
      serialNumber: 'AB0427******',
      release: 0x100,
    });
    assert.deepEqual(await t.getReportDescriptor(), DESCRIPTOR);
    await t.close();
    assert.ok(dev.closed);
  });

  test('node-hid without device info: sysfs alone', async () => {
    const dev = new FakeDevice();
    dev.info = new Error('not supported');
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    const info = await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    assert.equal(info.vendorId, 0x051d);
    assert.equal(info.serialNumber, 'AB0427******');
    assert.equal(info.release, 0x100);
    await t.close();
  });

  test('feature reports: numbered ones as they come, unnumbered ones without hidapi\'s leading 0', async () => {
    const dev = new FakeDevice();
    dev.features.set(0x0c, [0x64, 0x00, 0x00, 0x14, 0x0a]);
    dev.features.set(0, [0x55, 0x66]);
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    assert.deepEqual(await t.getFeatureReport(0x0c, 6), Uint8Array.from([0x0c, 0x64, 0, 0, 0x14, 0x0a]));
    assert.deepEqual(await t.getFeatureReport(0, 2), Uint8Array.from([0x55, 0x66]));
    await t.sendFeatureReport(Uint8Array.from([0x11, 0x0a, 0, 0]));
    assert.deepEqual(dev.sent, [[0x11, 0x0a, 0, 0]]);
    await t.close();
  });

  test('short, over-long and empty feature replies come back exactly as received (ReportBuffer decides)', async () => {
    const dev = new FakeDevice();
    dev.raw.set(0x16, [0x16, 0x0c]);
    dev.raw.set(0x0c, [0x0c, 0x64, 0x58, 0x02, 0x14, 0x0a]);
    dev.raw.set(0x20, []);
    dev.raw.set(0, [0, 0x31]);
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    assert.deepEqual(await t.getFeatureReport(0x16, 5), Uint8Array.from([0x16, 0x0c]), 'not padded to the 5 asked');
    assert.deepEqual(await t.getFeatureReport(0x0c, 8), Uint8Array.from([0x0c, 0x64, 0x58, 0x02, 0x14, 0x0a]));
    assert.deepEqual(await t.getFeatureReport(0x20, 3), new Uint8Array(0));
    // Without report IDs: hidapi's leading 0 dropped, the short data kept.
    assert.deepEqual(await t.getFeatureReport(0, 4), Uint8Array.from([0x31]));
    assert.deepEqual(dev.asked, [
      [0x16, 5],
      [0x0c, 8],
      [0x20, 3],
      [0, 5],
    ]);
    // Nothing to ask for is a typed error, and node-hid (which throws on 0) is not called.
    await assert.rejects(t.getFeatureReport(0x30, 0), (e: unknown) => e instanceof HidTransportError && !e.disconnected && /asked for 0 bytes/.test(e.message));
    assert.equal(dev.asked.length, 4);
    await t.close();
  });

  test('kernel errors: ENODEV / ESHUTDOWN mean gone even while the node still exists; EOVERFLOW says the reply was longer', async () => {
    const dev = new FakeDevice();
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    const gone = (e: unknown): boolean => e instanceof HidTransportError && e.disconnected && /the device is gone/.test(e.message);
    dev.failReads = new Error('could not get feature report from device: ioctl (GFEATURE): No such device');
    await assert.rejects(t.getFeatureReport(0x0c, 6), gone);
    dev.failReads = new Error('could not get feature report from device: ioctl (GFEATURE): Cannot send after transport endpoint shutdown');
    await assert.rejects(t.getFeatureReport(0x0c, 6), gone);
    dev.failReads = new Error('could not get feature report from device: ioctl (GFEATURE): Value too large for defined data type');
    await assert.rejects(
      t.getFeatureReport(0x0c, 6),
      (e: unknown) => e instanceof HidTransportError && !e.disconnected && /Value too large.*\(the reply was longer than the 6 bytes asked for\)/.test(e.message),
    );
    dev.failReads = new Error('could not get feature report from device: ioctl (GFEATURE): Broken pipe');
    await assert.rejects(t.getFeatureReport(0x0c, 6), (e: unknown) => e instanceof HidTransportError && !e.disconnected && /Broken pipe$/.test(e.message));
    // A node check that itself fails does not turn a request error into a disconnect.
    const odd = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists: async () => Promise.reject(new Error('EACCES')) });
    await odd.open({ onInput: () => undefined, onDisconnect: () => undefined });
    await assert.rejects(odd.getFeatureReport(0x0c, 6), (e: unknown) => e instanceof HidTransportError && !e.disconnected);
    await t.close();
  });

  test('input reports arrive through onInput; a read error is a disconnect, reported once', async () => {
    const dev = new FakeDevice();
    const inputs: number[][] = [];
    const gone: string[] = [];
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    await t.open({ onInput: (d) => inputs.push([...d]), onDisconnect: (e) => gone.push(e.message) });
    dev.emit('data', Buffer.from([0x13, 0x00]));
    assert.deepEqual(inputs, [[0x13, 0x00]]);
    dev.emit('error', new Error('could not read from HID device'));
    dev.emit('error', new Error('again'));
    assert.deepEqual(gone, ['could not read from HID device']);
    await new Promise((r) => setImmediate(r));
    assert.ok(dev.closed);
    await assert.rejects(t.getFeatureReport(1, 2), (e: unknown) => e instanceof HidTransportError && e.disconnected);
  });

  test('pollonly: no data listener, so node-hid starts no read thread', async () => {
    const dev = new FakeDevice();
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists, readInput: false });
    await t.open({ onInput: () => assert.fail('no input expected'), onDisconnect: () => undefined });
    assert.equal(dev.listenerCount('data'), 0);
    await t.close();
  });

  test('failures are HidTransportError: disconnected when the node vanished, a request error otherwise', async () => {
    const dev = new FakeDevice();
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: fakeHid(dev), exists });
    await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    dev.failReads = new Error('could not get feature report from device');
    await assert.rejects(t.getFeatureReport(1, 2), (e: unknown) => e instanceof HidTransportError && !e.disconnected && /could not get feature/.test(e.message));
    present.delete('/dev/hidraw3');
    try {
      await assert.rejects(t.getFeatureReport(1, 2), (e: unknown) => e instanceof HidTransportError && e.disconnected && e.code === 'HID-DISCONNECTED');
    } finally {
      present.add('/dev/hidraw3');
    }
    await t.close();
  });

  test('opening a missing node: disconnected; an unreadable one: a plain failure', async () => {
    const missing = new HidrawTransport({ path: '/dev/hidraw9', sysfsRoot: root, hid: fakeHid(new FakeDevice()), exists });
    await assert.rejects(missing.open({ onInput: () => undefined, onDisconnect: () => undefined }), (e: unknown) => e instanceof HidTransportError && e.disconnected);
    const denied = new HidrawTransport({ path: '/dev/hidraw9', sysfsRoot: root, hid: fakeHid(new FakeDevice()), exists: async () => true });
    await assert.rejects(
      denied.open({ onInput: () => undefined, onDisconnect: () => undefined }),
      (e: unknown) => e instanceof HidTransportError && !e.disconnected && /cannot open \/dev\/hidraw9: cannot open device/.test(e.message),
    );
  });

  test('node-hid that cannot load is a typed error too', async () => {
    const t = new HidrawTransport({ path: '/dev/hidraw3', sysfsRoot: root, hid: async () => Promise.reject(new Error('no binary')), exists });
    await assert.rejects(t.open({ onInput: () => undefined, onDisconnect: () => undefined }), (e: unknown) => e instanceof HidTransportError && /node-hid: no binary/.test(e.message));
  });

  test('a descriptor sysfs does not have: typed error', async () => {
    const t = new HidrawTransport({ path: '/dev/hidraw5', sysfsRoot: root, hid: fakeHid(new FakeDevice()), exists });
    await assert.rejects(t.getReportDescriptor(), (e: unknown) => e instanceof HidTransportError && /report descriptor/.test(e.message));
  });
});

void describe('sysfs', () => {
  test('uevent lines', () => {
    assert.deepEqual([...parseUevent('A=1\nHID_NAME=x=y\n\nbad\n')], [
      ['A', '1'],
      ['HID_NAME', 'x=y'],
    ]);
  });

  test('without the USB device files, the HID uevent gives IDs, name and serial', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'upsagent-sysfs-'));
    try {
      fakeSysfs(bare, { usbStrings: false });
      assert.deepEqual(await readSysfsInfo(bare, 'hidraw3'), {
        vendorId: 0x051d,
        productId: 2,
        serialNumber: 'UEVENT-SERIAL',
        product: 'American Power Conversion Back-UPS 500',
      });
      assert.equal(await readSysfsInfo(bare, 'hidraw4'), undefined);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

void describe('listHidDevices', () => {
  test('one entry per node, preferring the Power Device collection; entries without a path dropped', async () => {
    const entries: NodeHidDeviceEntry[] = [
      { vendorId: 0x051d, productId: 2, path: '/dev/hidraw3', usagePage: 0xff86, usage: 1, interface: 0, release: 0x100 },
      { vendorId: 0x051d, productId: 2, path: '/dev/hidraw3', usagePage: 0x84, usage: 4, interface: 0, serialNumber: 'S1', manufacturer: 'APC', product: 'Back-UPS', release: 0x100 },
      { vendorId: 0x051d, productId: 2, path: '/dev/hidraw3', usagePage: 0x01, usage: 6, interface: 0, release: 0x100 },
      { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', usagePage: 1, usage: 6, release: 1 },
      { vendorId: 1, productId: 1 },
    ];
    const list = await listHidDevices(fakeHid(new FakeDevice(), [], entries));
    assert.deepEqual(list, [
      { vendorId: 0x051d, productId: 2, path: '/dev/hidraw3', usagePage: 0x84, usage: 4, interface: 0, serialNumber: 'S1', manufacturer: 'APC', product: 'Back-UPS', release: 0x100 },
      { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', usagePage: 1, usage: 6, release: 1 },
    ]);
  });
});

void describe('HidrawConnector: which node to open', () => {
  const UPS_A: ListedHidDevice = { vendorId: 0x051d, productId: 2, serialNumber: 'A1', manufacturer: 'APC', product: 'Back-UPS', path: '/dev/hidraw3', usagePage: 0x84 };
  const UPS_B: ListedHidDevice = { ...UPS_A, serialNumber: 'B2', path: '/dev/hidraw4' };
  const KBD: ListedHidDevice = { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', usagePage: 1 };

  function connector(port: string, devices: ListedHidDevice[] | Error, match: DeviceMatch = {}) {
    const opened: string[] = [];
    const c = new HidrawConnector({
      port,
      match,
      list: async () => {
        if (devices instanceof Error) throw devices;
        return devices;
      },
      open: (path) => {
        opened.push(path);
        return new HidrawTransport({ path });
      },
    });
    return { c, opened };
  }
  const gone = (e: unknown): boolean => e instanceof HidTransportError && e.disconnected;

  test('auto: the first UPS matching the configuration', async () => {
    const { c, opened } = connector('auto', [KBD, UPS_B, UPS_A], { serial: /^(?:B2)$/i });
    assert.equal(c.target, 'auto');
    await c.connect();
    assert.deepEqual(opened, ['/dev/hidraw4']);
  });

  test('auto: nothing suitable is a disconnected error (retried later)', async () => {
    await assert.rejects(connector('auto', [KBD]).c.connect(), (e: unknown) => gone(e) && /no UPS matching the configuration among 1 HID device/.test((e as Error).message));
    await assert.rejects(connector('auto', new Error('no hidapi')).c.connect(), (e: unknown) => gone(e) && /cannot list HID devices: no hidapi/.test((e as Error).message));
  });

  test('auto after a disconnect: only the device seen before', async () => {
    const { c, opened } = connector('auto', [UPS_A, UPS_B]);
    await c.connect(UPS_B);
    assert.deepEqual(opened, ['/dev/hidraw4']);
    await assert.rejects(connector('auto', [UPS_A]).c.connect(UPS_B), (e: unknown) => gone(e) && /no 051d:0002 APC Back-UPS \(serial B2\) among 1/.test((e as Error).message));
  });

  test('a named node is opened as given the first time, without listing', async () => {
    const { c, opened } = connector('/dev/hidraw9', new Error('must not list'));
    await c.connect();
    assert.deepEqual(opened, ['/dev/hidraw9']);
  });

  test('a named node after a disconnect: the same node if the device is there, else wherever it came back', async () => {
    const same = connector('/dev/hidraw3', [UPS_A, UPS_B]);
    await same.c.connect(UPS_A);
    assert.deepEqual(same.opened, ['/dev/hidraw3']);
    const moved = connector('/dev/hidraw3', [UPS_B, { ...UPS_A, path: '/dev/hidraw7' }]);
    await moved.c.connect(UPS_A);
    assert.deepEqual(moved.opened, ['/dev/hidraw7']);
    await assert.rejects(connector('/dev/hidraw3', [UPS_B]).c.connect(UPS_A), (e: unknown) => gone(e) && /is not present/.test((e as Error).message));
    // Without a listing, the named node is still tried (the driver checks what it finds).
    const blind = connector('/dev/hidraw3', new Error('no udev'));
    await blind.c.connect(UPS_A);
    assert.deepEqual(blind.opened, ['/dev/hidraw3']);
  });
});

void describe('usbhid port: hardware or a recording', () => {
  test('auto and /dev nodes are hardware; anything else is a file to replay', () => {
    assert.ok(isHardwarePort('auto'));
    assert.ok(isHardwarePort('/dev/hidraw0'));
    assert.ok(!isHardwarePort('test/fixtures/usbhid/simple-ups.dev'));
    assert.ok(!isHardwarePort('/var/lib/ups.dev'));
    assert.ok(connectorFor({ driver: 'usbhid', port: 'auto' }) instanceof HidrawConnector);
    assert.ok(connectorFor({ driver: 'usbhid', port: 'x.dev' }) instanceof FixedConnector);
  });
});

void describe('USB string descriptors for a hidraw device', () => {
  /** A string descriptor as a device sends it. */
  const desc = (text: string): number[] => [2 + text.length * 2, 3, ...[...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];

  class FakeUsb implements UsbDeviceLike {
    opened = false;
    requests: string[] = [];
    constructor(
      public vendorId: number,
      public productId: number,
      public serialNumber: string | null,
      private readonly strings: Record<number, number[]>,
      private readonly langs: number[] = [4, 3, 0x09, 0x04],
    ) {}
    async open(): Promise<void> {
      this.opened = true;
    }
    async close(): Promise<void> {
      this.opened = false;
    }
    async controlTransferIn(setup: { request: number; value: number; index: number }, length: number) {
      this.requests.push(`${setup.request}:${setup.value.toString(16)}:${setup.index.toString(16)}:${length}`);
      const index = setup.value & 0xff;
      const bytes = index === 0 ? this.langs : this.strings[index];
      return bytes ? { status: 'ok', data: new DataView(Uint8Array.from(bytes).buffer) } : { status: 'stall' };
    }
  }

  test('decodes UTF-16LE string descriptors; anything else is no string', () => {
    assert.equal(decodeStringDescriptor(Uint8Array.from(desc('PbAc'))), 'PbAc');
    assert.equal(decodeStringDescriptor(Uint8Array.from([10, 3, 0x41, 0])), 'A', 'bLength beyond the data: what is there');
    assert.equal(decodeStringDescriptor(Uint8Array.from([4, 2, 0x41, 0])), undefined);
    assert.equal(decodeStringDescriptor(Uint8Array.from([])), undefined);
  });

  test('asks the USB device with the same IDs and serial, in its first language', async () => {
    const other = new FakeUsb(0x051d, 2, 'ZZ', { 4: desc('NiMH') });
    const mine = new FakeUsb(0x051d, 2, 'AB0427', { 4: desc('PbAc') }, [4, 3, 0x07, 0x04]);
    const reader = await openUsbStrings({ vendorId: 0x051d, productId: 2, serialNumber: 'AB0427' }, async () => [other, mine]);
    assert.ok(reader);
    assert.equal(await reader.read(4), 'PbAc');
    assert.equal(await reader.read(9), undefined, 'a stalled request');
    assert.equal(await reader.read(0), undefined);
    assert.deepEqual(mine.requests, ['6:300:0:255', '6:304:407:255', '6:309:407:255']);
    assert.equal(other.opened, false);
    await reader.close();
    assert.equal(mine.opened, false);
  });

  test('no reader when the device cannot be told apart, found or listed', async () => {
    const a = new FakeUsb(0x051d, 2, null, {});
    const b = new FakeUsb(0x051d, 2, null, {});
    assert.equal(await openUsbStrings({ vendorId: 0x051d, productId: 2 }, async () => [a, b]), undefined);
    assert.equal(await openUsbStrings({ vendorId: 0x0764, productId: 2 }, async () => [a]), undefined);
    assert.equal(await openUsbStrings({ vendorId: 0x051d, productId: 2 }, async () => Promise.reject(new Error('no usb binary'))), undefined);
    const locked = new FakeUsb(0x051d, 2, null, {});
    locked.open = async () => Promise.reject(new Error('EACCES'));
    assert.equal(await openUsbStrings({ vendorId: 0x051d, productId: 2 }, async () => [locked]), undefined);
  });

  test('the hidraw transport reads strings through it once per index, and closes it with the device', async () => {
    const usb = new FakeUsb(0x051d, 2, 'AB0427******', { 4: desc('PbAc') });
    const t = new HidrawTransport({
      path: '/dev/hidraw3',
      sysfsRoot: root,
      hid: fakeHid(new FakeDevice()),
      exists: async () => true,
      strings: (info) => openUsbStrings(info, async () => [usb]),
    });
    await assert.rejects(t.getString(4), (e: unknown) => e instanceof HidTransportError);
    await t.open({ onInput: () => undefined, onDisconnect: () => undefined });
    assert.equal(await t.getString(4), 'PbAc');
    assert.equal(await t.getString(4), 'PbAc');
    assert.equal(await t.getString(5), undefined);
    assert.equal(usb.requests.length, 3, 'languages, 4, 5: each asked once');
    await t.close();
    assert.equal(usb.opened, false);
  });
});
