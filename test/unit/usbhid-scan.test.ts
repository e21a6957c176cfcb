import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/app/config';
import type { UsbHidConfig } from '../../src/drivers/usbhid/config';
import { MemoryIO } from '../../src/cli/io';
import { runScan } from '../../src/cli/commands/scan';
import { matchFromConfig, matches, type ListedHidDevice } from '../../src/drivers/usbhid/matcher';
import { literalRegex, upsNameFor, type ListedSerialPort, type OtherUsbUps } from '../../src/drivers/usbhid/scan';

const APC: ListedHidDevice = {
  vendorId: 0x051d,
  productId: 0x0002,
  manufacturer: 'American Power Conversion',
  product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ',
  serialNumber: 'AB0427******',
  path: '/dev/hidraw3',
  usagePage: 0x84,
};
const CPS_A: ListedHidDevice = { vendorId: 0x0764, productId: 0x0501, manufacturer: 'CPS', product: 'CP1500PFCLCD', path: '/dev/hidraw5', usagePage: 0x84 };
const CPS_B: ListedHidDevice = { ...CPS_A, path: '/dev/hidraw6' };
const KEYBOARD: ListedHidDevice = { vendorId: 0x046d, productId: 0xc31c, product: 'USB Keyboard', path: '/dev/hidraw0', usagePage: 0x01 };
const FTDI: ListedSerialPort = { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'A1B2' };

/** Paste the scan output under a config with a server section, as a user would: it must validate. */
async function configFrom(yaml: string) {
  return parseConfig(`${yaml}\nlog:\n  level: info\n`, 'scan.yaml');
}

async function run(hid: ListedHidDevice[] | Error, serial: ListedSerialPort[] | Error) {
  const io = new MemoryIO();
  const code = await runScan(io, {
    hid: async () => {
      if (hid instanceof Error) throw hid;
      return hid;
    },
    serial: async () => {
      if (serial instanceof Error) throw serial;
      return serial;
    },
  });
  return { code, out: io.stdout, err: io.stderr };
}

void describe('upsagent scan', () => {
  test('a UPS on USB HID: a ready-to-paste ups: section that our validator accepts and that matches the device', async () => {
    const r = await run([KEYBOARD, APC], []);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.equal(
      r.out,
      [
        '# 1 UPS found on USB by upsagent scan; paste into the configuration file.',
        'ups:',
        '  # /dev/hidraw3, usage page 0x84, APC',
        '  back-ups-500:',
        '    driver: usbhid',
        '    port: "auto"',
        '    vendorid: "051d"',
        '    productid: "0002"',
        '    serial: "AB0427\\\\*\\\\*\\\\*\\\\*\\\\*\\\\*"',
        '    desc: "American Power Conversion Back-UPS 500 FW: 6.5.I USB FW: c1"',
        '',
      ].join('\n'),
    );
    const cfg = await configFrom(r.out);
    const u = cfg.ups['back-ups-500']! as UsbHidConfig;
    assert.equal(u.driver, 'usbhid');
    assert.equal(u.serial, 'AB0427\\*\\*\\*\\*\\*\\*');
    // The serial (with its regex characters) matches this device, literally.
    assert.ok(matches(matchFromConfig(u), APC));
    assert.ok(!matches(matchFromConfig(u), { ...APC, serialNumber: 'AB0427123456' }));
  });

  test('identical UPSes without a serial get their hidraw node as port and distinct names; serial ports as comments', async () => {
    const r = await run([CPS_B, CPS_A], [FTDI, { path: '/dev/ttyS0' }]);
    assert.equal(r.code, 0);
    const cfg = await configFrom(r.out);
    assert.deepEqual(Object.keys(cfg.ups), ['cp1500pfclcd', 'cp1500pfclcd-2']);
    assert.equal(cfg.ups.cp1500pfclcd!.port, '/dev/hidraw5');
    assert.equal(cfg.ups['cp1500pfclcd-2']!.port, '/dev/hidraw6');
    assert.equal(cfg.ups.cp1500pfclcd!.serial, undefined);
    assert.match(r.out, /^# 2 serial port\(s\); a UPS on one needs a serial driver/m);
    assert.match(r.out, /^# {3}\/dev\/ttyS0$/m);
    assert.match(r.out, /^# {3}\/dev\/ttyUSB0 \(FTDI, USB 0403:6001, serial A1B2\)$/m);
  });

  test('nothing found: says so, exit 0', async () => {
    const r = await run([KEYBOARD], []);
    assert.deepEqual(r, { code: 0, out: '# No UPS found on USB, and no serial ports.\n', err: '' });
  });

  test('only serial ports: says no UPS on USB, lists the ports', async () => {
    const r = await run([], [FTDI]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^# No UPS found on USB\.\n# 1 serial port/);
  });

  test('a source that cannot be listed is reported on stderr; the other still scans', async () => {
    const r = await run(new Error('no node-hid binary'), [FTDI]);
    assert.equal(r.code, 0);
    assert.equal(r.err, 'upsagent scan: USB HID devices could not be listed: no node-hid binary\n');
    assert.match(r.out, /ttyUSB0/);
    const both = await run(new Error('a'), new Error('udevadm: not found'));
    assert.match(both.err, /serial ports could not be listed: udevadm: not found/);
    assert.equal(both.out, '# No UPS found on USB, and no serial ports.\n');
  });

  test('qx USB bridges: listed by ID with the subdriver they need; one that also enumerates as HID (not a Power Device) is not a usbhid UPS; an ID shared with other devices only as a comment', async () => {
    const cypressHid: ListedHidDevice = { vendorId: 0x0665, productId: 0x5161, product: 'USB to Serial', path: '/dev/hidraw2', usagePage: 0xff00 };
    const cypress: OtherUsbUps = { vendorId: 0x0665, productId: 0x5161, product: 'USB to Serial', bus: '001', device: '004', suggested: { driver: 'qx', port: 'auto', vendorid: '0665', productid: '5161', subdriver: 'cypress' }, known: 'Voltronic Power UPSes' };
    const ch340: OtherUsbUps = { vendorId: 0x1a86, productId: 0x7523, bus: '001', device: '007', suggested: { driver: 'qx', port: 'auto', vendorid: '1a86', productid: '7523' }, subdriverChoices: ['cypress', 'armac'], known: 'QinHeng CH340' };
    const io = new MemoryIO();
    const code = await runScan(io, { hid: async () => [cypressHid, APC], otherUsb: async () => [cypress, ch340], serial: async () => [] });
    assert.equal(code, 0);
    assert.equal(io.stderr, '');
    const cfg = await configFrom(io.stdout);
    assert.deepEqual(Object.keys(cfg.ups), ['back-ups-500', 'usb-to-serial']);
    assert.deepEqual({ ...cfg.ups['usb-to-serial'] }, { driver: 'qx', port: 'auto', vendorid: '0665', productid: '5161', subdriver: 'cypress', desc: 'USB to Serial' });
    assert.match(io.stdout, /^# 2 UPS found on USB by upsagent scan/m);
    assert.match(io.stdout, /^ {2}# USB 0665:5161 on bus 001 device 004: Voltronic Power UPSes$/m);
    assert.match(io.stdout, /^# {3}USB 1a86:7523 on bus 001 device 007: QinHeng CH340: driver: qx, port: auto, vendorid: 1a86, productid: 7523, subdriver: one of cypress, armac$/m);
    const failing = new MemoryIO();
    await runScan(failing, { hid: async () => [APC], otherUsb: async () => Promise.reject(new Error('LIBUSB_ERROR_ACCESS')), serial: async () => [] });
    assert.equal(failing.stderr, 'upsagent scan: USB devices could not be listed: LIBUSB_ERROR_ACCESS\n');
    assert.match(failing.stdout, /back-ups-500:/);
  });

  test('names: from the product string without firmware, else the vendor', () => {
    assert.equal(upsNameFor(APC), 'back-ups-500');
    assert.equal(upsNameFor({ vendorId: 0x0463, productId: 1, path: '/dev/hidraw1', product: '  ' }), 'eaton');
    assert.equal(upsNameFor({ vendorId: 0x1234, productId: 1, path: '/dev/hidraw1' }), 'ups');
    assert.equal(literalRegex('a.b*c(d)'), 'a\\.b\\*c\\(d\\)');
  });
});
