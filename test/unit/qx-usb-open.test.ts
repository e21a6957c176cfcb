/**
 * openQxUsb: NUT's qx_usb_id table picks the bridge, `subdriver` forces
 * one, the USB regex matcher (vendorid/productid/vendor/product/serial/
 * bus) chooses the device, a reopen takes only the same device, and the
 * option checks NUT makes fatal at start.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceGoneError } from '../../src/drivers/runtime/errors';
import { QX_USB_IDS, QxUsbConfigError, defaultSubdriver, isQxUsbConfig, openQxUsb, qxUsbCandidates, qxUsbConfigIssues, type QxUsbOptions, type UsbQxTransport } from '../../src/drivers/qx/usb/index';
import { failureKind, listed, loadNodeUsb, nativeSetup, type NativeUsbDevice } from '../../src/drivers/qx/usb/node-usb';
import { UsbTransferError } from '../../src/drivers/qx/usb/usb-like';
import { FakeUsbDevice, Q1_REPLY, fakeUsb, serialChip, stringChip } from './qx-usb-fake';

const dev = (vendorId: number, productId: number, more: { manufacturer?: string; product?: string; serialNumber?: string; bus?: string; device?: string; handle?: FakeUsbDevice } = {}) => ({
  vendorId,
  productId,
  bus: '001',
  device: '002',
  ...more,
});

async function openWith(opts: QxUsbOptions, devices: ReturnType<typeof dev>[]): Promise<UsbQxTransport> {
  return (await openQxUsb({ port: 'auto', ...opts }, { usb: fakeUsb(devices) })()) as UsbQxTransport;
}

describe('the ID table', () => {
  const cases: Array<[string, ReturnType<typeof dev>, string | null]> = [
    ['Voltronic / Belkin', dev(0x0665, 0x5161), 'cypress'],
    ['Agiler', dev(0x05b8, 0x0000), 'cypress'],
    ['Ablerex', dev(0xffff, 0x0000), 'ablerex'],
    ['Legrand Daker', dev(0x1cb0, 0x0035), 'krauler'],
    ['Masterguard (strings)', dev(0x06da, 0x0002, { manufacturer: 'PHOENIXTEC POWER', product: 'usb cable (v2.00)' }), 'phoenixtec'],
    ['Yunto (same IDs, other strings)', dev(0x06da, 0x0002, { manufacturer: 'Phoenixtec Power', product: 'USB Cable' }), 'cypress'],
    ['Mustek Powermust', dev(0x06da, 0x0003), 'ippon'],
    ['Zinto A', dev(0x06da, 0x0601), 'phoenix'],
    ['GE EP', dev(0x14f0, 0x00c9), 'phoenix'],
    ['Unitek', dev(0x0f03, 0x0001), 'cypress'],
    ['TS Shara', dev(0x0483, 0x0035), 'sgs'],
    ['OMRON BN150T', dev(0x0590, 0x00b7), 'omron'],
    ['MEC LUPUS', dev(0x0001, 0x0000, { manufacturer: 'MEC', product: 'MEC0003' }), 'fabula'],
    ['Hunnox', dev(0x0001, 0x0000, { manufacturer: 'HNX', product: 'MEC0003' }), 'hunnox'],
    ['Hunnox without a vendor string', dev(0x0001, 0x0000, { product: 'MEC0003' }), 'hunnox'],
    ['Fuji', dev(0x0001, 0x0000, { manufacturer: 'ATCL FOR UPS', product: 'ATCL FOR UPS' }), 'fuji'],
    ['Krauler (anything else on 0001:0000)', dev(0x0001, 0x0000, { product: 'UPS USB' }), 'krauler'],
    ['Armac', dev(0x0925, 0x1234), 'armac'],
    ['CH340: known, no default', dev(0x1a86, 0x7523), null],
    ['an unknown device', dev(0x046d, 0xc31c), null],
  ];
  for (const [what, d, want] of cases) {
    test(`${what}: ${want ?? 'none'}`, async () => {
      const found = defaultSubdriver(d);
      assert.equal(found.support === 'supported' ? found.subdriver : null, want);
      if (want) assert.equal((await openWith({}, [d])).subdriver, want);
      else await assert.rejects(openWith({}, [d]), DeviceGoneError);
    });
  }

  test('snr is only reached by subdriver (krauler takes 0001:0000 first); a known vendor is "possibly"', () => {
    assert.ok(QX_USB_IDS.some((e) => e.subdriver === 'snr'));
    const r = defaultSubdriver({ vendorId: 0x06da, productId: 0x9999 });
    assert.equal(r.support, 'possibly');
  });
});

describe('subdriver', () => {
  test('forces the bridge on any device the matcher lets through (a CH340 as ippon)', async () => {
    const t = await openWith({ subdriver: 'IPPON', vendorid: '1a86', productid: '7523' }, [dev(0x1a86, 0x7523)]);
    assert.equal(t.subdriver, 'ippon');
    assert.match(t.description, /^usb 1a86:7523 \(ippon\) bus 001 device 002$/);
    assert.deepEqual(t.ids, { 'ups.vendorid': '1a86', 'ups.productid': '7523' });
  });

  test('overrides the table', async () => {
    const t = await openWith({ subdriver: 'phoenix', vendorid: '0665', productid: '5161' }, [dev(0x0665, 0x5161)]);
    assert.equal(t.subdriver, 'phoenix');
  });

  test("NUT's fatal checks: unknown name, no vendorid/productid, snr without langid_fix, a bad regex", () => {
    assert.throws(() => openQxUsb({ subdriver: 'nope', vendorid: '0665', productid: '5161' }), QxUsbConfigError);
    assert.throws(() => openQxUsb({ subdriver: 'cypress' }), /vendorid and productid are mandatory/);
    assert.throws(() => openQxUsb({ subdriver: 'snr', vendorid: '0001', productid: '0000' }), /langid_fix/);
    assert.throws(() => openQxUsb({ serial: '(' }), /serial/);
    assert.deepEqual(qxUsbConfigIssues({ subdriver: 'cypress', vendorid: '0665', productid: '5161', langid_fix: '0x409' }), []);
    assert.deepEqual(
      qxUsbConfigIssues({ subdriver: 'snr', vendorid: '0001', productid: '0000', bus: '[' }).map((i) => i.key),
      ['langid_fix', 'bus'],
    );
  });
});

describe('matching', () => {
  const a = dev(0x0665, 0x5161, { serialNumber: 'A1', product: 'USB to Serial', bus: '001', device: '004' });
  const b = dev(0x0665, 0x5161, { serialNumber: ' B2 ', product: 'USB to Serial', bus: '002', device: '003' });

  test('first by bus and address without options; vendorid/productid, serial (trimmed, whole), product regex, bus', async () => {
    assert.match((await openWith({}, [b, a])).description, /bus 001 device 004/);
    assert.match((await openWith({ serial: 'b2' }, [a, b])).description, /bus 002/);
    assert.match((await openWith({ bus: '00[2-9]' }, [a, b])).description, /bus 002/);
    assert.match((await openWith({ vendorid: '0x0665', productid: '5161', product: 'usb to .*' }, [a])).description, /0665:5161/);
    await assert.rejects(openWith({ serial: 'B' }, [a, b]), /serial/, 'whole-string match');
    await assert.rejects(openWith({ product: 'USB' }, [a]), DeviceGoneError);
    await assert.rejects(openWith({ vendorid: '0001' }, [a]), /vendor ID/);
    await assert.rejects(openWith({ bus: '3' }, [a]), /bus 001 does not match/);
    assert.match((await openWith({ device: '003' }, [a, b])).description, /bus 002 device 003/);
  });

  test('reopening takes only the same device (IDs and strings)', async () => {
    const devices = [a];
    const usb = fakeUsb(devices);
    const open = openQxUsb({ port: 'auto' }, { usb });
    await open();
    devices.splice(0, 1, b);
    await assert.rejects(open(), /serial/);
    devices.splice(0, 1, b, a);
    assert.match((await open()).description, /bus 001 device 004/);
  });

  test('no USB devices / listing fails: DeviceGoneError (the runtime retries)', async () => {
    await assert.rejects(openWith({}, []), DeviceGoneError);
    const open = openQxUsb({}, { usb: { list: () => Promise.reject(new Error('no bus')) } });
    await assert.rejects(open(), /cannot list USB devices: no bus/);
  });

  test('isQxUsbConfig: port auto or any USB option', () => {
    assert.equal(isQxUsbConfig({ port: '/dev/ttyS0' }), false);
    assert.equal(isQxUsbConfig({ port: 'auto' }), true);
    assert.equal(isQxUsbConfig({ port: '/dev/ttyS0', vendorid: '0665' }), true);
    assert.equal(isQxUsbConfig({ port: '/dev/ttyS0', langid_fix: '0x409' }), true);
  });
});

describe('the opened transport', () => {
  test('queries through the chosen bridge; close releases the device', async () => {
    const handle = new FakeUsbDevice(serialChip(() => Q1_REPLY));
    const t = await openWith({}, [dev(0x0665, 0x5161, { handle })]);
    assert.equal(await t.query('Q1\r', { timeoutMs: 1000 }), Q1_REPLY.slice(0, -1));
    await t.close();
    assert.ok(handle.closed);
  });

  test('langid_fix: string 0 read once at open (NUT logs the first language); noscanlangid skips it; the bridge uses the fix', async () => {
    const lines: string[] = [];
    const handle = new FakeUsbDevice(stringChip((i) => (i === 3 ? '(' + Q1_REPLY.slice(1, -1) : undefined), [0x0407]));
    const open = openQxUsb({ langid_fix: '0x4095' }, { usb: fakeUsb([dev(0x0001, 0x0000, { handle })]), log: (l) => lines.push(l) });
    const t = await open();
    assert.deepEqual(handle.transfers[0], { kind: 'controlIn', setup: { bmRequestType: 0x80, bRequest: 0x06, wValue: 0x0300, wIndex: 0 }, length: 255, timeoutMs: 1000 });
    assert.match(lines[0] ?? '', /first supported language ID 0x407/);
    handle.clear();
    await t.query('Q1\r', { timeoutMs: 1000 });
    assert.deepEqual(handle.of('controlIn').map((x) => x.setup.wIndex), [0x4095]);

    const quiet = new FakeUsbDevice(() => undefined);
    await openQxUsb({ langid_fix: '409', noscanlangid: true }, { usb: fakeUsb([dev(0x0001, 0x0000, { handle: quiet })]) })();
    assert.equal(quiet.transfers.length, 0);
  });
});

describe('scan candidates', () => {
  test('known devices with their default bridge; IDs known without one; other devices (even of a known vendor) left out', async () => {
    const list = await fakeUsb([dev(0x0665, 0x5161, { product: 'USB to Serial' }), dev(0x1a86, 0x7523), dev(0x046d, 0xc31c), dev(0x0483, 0x5740)]).list();
    const c = qxUsbCandidates(list);
    assert.deepEqual(c.map((x) => [x.vendorId, x.subdriver]), [[0x0665, 'cypress'], [0x1a86, null]]);
    assert.deepEqual(c[0]?.suggested, { driver: 'qx', port: 'auto', vendorid: '0665', productid: '5161' });
    assert.equal(c[0]?.product, 'USB to Serial');
  });
});

describe('the usb package adapter', () => {
  test('bmRequestType to the library setup; error texts to NUT categories', () => {
    assert.deepEqual(nativeSetup({ bmRequestType: 0x21, bRequest: 9, wValue: 0x200, wIndex: 0 }), { requestType: 'class', recipient: 'interface', request: 9, value: 0x200, index: 0 });
    assert.deepEqual(nativeSetup({ bmRequestType: 0x80, bRequest: 6, wValue: 0x303, wIndex: 0x409 }), { requestType: 'standard', recipient: 'device', request: 6, value: 0x303, index: 0x409 });
    assert.deepEqual(nativeSetup({ bmRequestType: 0x42, bRequest: 0x0d, wValue: 0, wIndex: 0 }), { requestType: 'vendor', recipient: 'endpoint', request: 0x0d, value: 0, index: 0 });
    assert.equal(failureKind('device disconnected'), 'gone');
    assert.equal(failureKind('endpoint stalled'), 'stall');
    assert.equal(failureKind('transfer was cancelled'), 'timeout');
    assert.equal(failureKind('hardware fault or protocol violation'), 'io');
  });

  test('the real library loads (import usb); listing works or fails cleanly (no USB bus in a container)', async () => {
    const usb = await loadNodeUsb();
    try {
      assert.ok(Array.isArray(await usb.list()));
    } catch (err) {
      assert.ok(err instanceof Error);
    }
  });
});

describe('the usb package adapter over a stand-in of its UsbDevice', () => {
  test('listing, opening (detach + claim 0) and every call mapped to the native API', async () => {
    const calls: unknown[][] = [];
    const native: NativeUsbDevice = {
      vendorId: 0x0665,
      productId: 0x5161,
      bus: '3-1.2',
      address: 7,
      manufacturerName: 'Cypress',
      productName: 'USB to Serial',
      serialNumber: null,
      configuration: { interfaces: [{ interfaceNumber: 0, alternate: { endpoints: [{ endpointNumber: 1, direction: 'in', type: 'interrupt', packetSize: 8 }] } }] },
      open: async () => void calls.push(['open']),
      close: async () => void calls.push(['close']),
      reset: async () => void calls.push(['reset']),
      claimInterface: async (n) => void calls.push(['claim', n]),
      releaseInterface: async (n) => void calls.push(['release', n]),
      detachKernelDriver: async () => {
        calls.push(['detach']);
        throw new Error('no kernel driver attached');
      },
      nativeControlTransferIn: async (setup, timeout, length) => {
        calls.push(['controlIn', setup, timeout, length]);
        return setup.value === 0x0304 ? null : Uint8Array.of(4, 3, 0x41, 0);
      },
      nativeControlTransferOut: async (setup, timeout, data) => {
        calls.push(['controlOut', setup, timeout, [...(data ?? [])]]);
        return data?.length ?? 0;
      },
      nativeTransferIn: async (ep, timeout, length) => {
        calls.push(['in', ep, timeout, length]);
        throw new Error('device disconnected');
      },
      nativeTransferOut: async (ep, timeout, data) => {
        calls.push(['out', ep, timeout, data.length]);
        throw new Error('transfer was cancelled');
      },
      clearHalt: async (dir, ep) => void calls.push(['clearHalt', dir, ep]),
    };
    const d = listed(native);
    assert.deepEqual({ bus: d.bus, device: d.device, m: d.manufacturer, p: d.product, s: d.serialNumber }, { bus: '003', device: '007', m: 'Cypress', p: 'USB to Serial', s: undefined });
    const h = await d.open();
    assert.deepEqual(calls.splice(0), [['open'], ['detach'], ['claim', 0]]);
    assert.equal(await h.controlOut({ bmRequestType: 0x21, bRequest: 9, wValue: 0x200, wIndex: 0 }, Uint8Array.of(0x51, 0x31, 0x0d, 0, 0, 0, 0, 0), 5000), 8);
    assert.deepEqual(calls.splice(0), [['controlOut', { requestType: 'class', recipient: 'interface', request: 9, value: 0x200, index: 0 }, 5000, [0x51, 0x31, 0x0d, 0, 0, 0, 0, 0]]]);
    assert.deepEqual([...(await h.controlIn({ bmRequestType: 0x80, bRequest: 6, wValue: 0x0303, wIndex: 0x409 }, 255, 1000))], [4, 3, 0x41, 0]);
    await assert.rejects(h.controlIn({ bmRequestType: 0x80, bRequest: 6, wValue: 0x0304, wIndex: 0x409 }, 255, 1000), (e: unknown) => e instanceof UsbTransferError && e.kind === 'stall');
    calls.splice(0);
    await assert.rejects(h.interruptIn(0x81, 8, 1000), (e: unknown) => e instanceof UsbTransferError && e.kind === 'gone');
    await assert.rejects(h.interruptOut(0x02, Uint8Array.of(1, 2), 5000), (e: unknown) => e instanceof UsbTransferError && e.kind === 'timeout');
    await h.clearHalt(0x81);
    assert.deepEqual(calls.splice(0), [['in', 1, 1000, 8], ['out', 2, 5000, 2], ['clearHalt', 'in', 1]]);
    assert.deepEqual(h.endpoints(), [{ address: 0x81, type: 'interrupt', packetSize: 8 }]);
    await h.close();
    assert.deepEqual(calls.splice(0), [['release', 0], ['close']]);
  });

  test('a claim that fails closes the device again', async () => {
    const closed: string[] = [];
    const native = {
      vendorId: 1, productId: 0, bus: '1', address: 2, manufacturerName: null, productName: null, serialNumber: null, configuration: null,
      open: async () => undefined,
      close: async () => void closed.push('close'),
      detachKernelDriver: async () => undefined,
      claimInterface: async () => {
        throw new Error('resource busy');
      },
    } as unknown as NativeUsbDevice;
    await assert.rejects(listed(native).open(), (e: unknown) => e instanceof UsbTransferError && /claim interface 0: resource busy/.test(e.message));
    assert.deepEqual(closed, ['close']);
  });
});
