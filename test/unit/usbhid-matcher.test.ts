import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/app/config';
import type { UsbHidConfig } from '../../src/drivers/usbhid/config';
import {
  describeDevice,
  isLikelyUps,
  matchFromConfig,
  matches,
  mismatch,
  sameDevice,
  selectDevice,
  sortByPath,
  type ListedHidDevice,
} from '../../src/drivers/usbhid/matcher';

const APC: ListedHidDevice = {
  vendorId: 0x051d,
  productId: 0x0002,
  manufacturer: 'American Power Conversion',
  product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ',
  serialNumber: 'AB0427******',
  path: '/dev/hidraw3',
  usagePage: 0x84,
};
const KEYBOARD: ListedHidDevice = { vendorId: 0x046d, productId: 0xc31c, product: 'USB Keyboard', path: '/dev/hidraw0', usagePage: 0x01 };
const VENDOR_PAGE_UPS: ListedHidDevice = { vendorId: 0x0764, productId: 0x0501, product: 'CP1500', path: '/dev/hidraw10', usagePage: 0xff00 };
const GENERIC_POWER: ListedHidDevice = { vendorId: 0x1234, productId: 0x5678, product: 'Mystery UPS', path: '/dev/hidraw2', usagePage: 0x84 };

/** A UPS config entry as the validator produces it. */
function ups(extra: Record<string, unknown>) {
  return validateConfig({ ups: { u: { driver: 'usbhid', port: 'auto', ...extra } } }).ups.u! as UsbHidConfig;
}

void describe('usbhid device matching (usbhid-ups vendorid/productid/vendor/product/serial)', () => {
  test('no options: every device matches', () => {
    assert.ok(matches(matchFromConfig(ups({})), APC));
    assert.ok(matches(matchFromConfig(ups({})), KEYBOARD));
  });

  test('vendorid/productid compare as hex numbers, with or without 0x and in any case', () => {
    assert.ok(matches(matchFromConfig(ups({ vendorid: '051d', productid: '0002' })), APC));
    assert.ok(matches(matchFromConfig(ups({ vendorid: '0x051D', productid: '2' })), APC));
    assert.equal(mismatch(matchFromConfig(ups({ vendorid: '0764' })), APC), 'vendor ID 051d is not 0764');
    assert.equal(mismatch(matchFromConfig(ups({ productid: '0003' })), APC), 'product ID 0002 is not 0003');
  });

  test('vendor/product/serial are case-insensitive regexes over the whole string, blanks trimmed', () => {
    assert.ok(matches(matchFromConfig(ups({ vendor: 'american power.*' })), APC));
    assert.ok(matches(matchFromConfig(ups({ product: 'back-ups 500 fw: 6.5.i usb fw: c1' })), APC), 'trailing blank ignored');
    assert.ok(matches(matchFromConfig(ups({ serial: 'AB0427.*' })), APC));
    // A prefix is not a match: NUT requires the regex to cover the whole string.
    assert.equal(mismatch(matchFromConfig(ups({ serial: 'AB0427' })), APC), 'serial "AB0427******" does not match AB0427');
    assert.ok(!matches(matchFromConfig(ups({ product: 'Back-UPS' })), APC));
    assert.ok(matches(matchFromConfig(ups({ product: 'Back-UPS|Smart-UPS.*' })), APC) === false, 'alternation is grouped, still anchored');
    assert.ok(matches(matchFromConfig(ups({ product: 'Smart-UPS.*|Back-UPS.*' })), APC));
  });

  test('a missing string is matched as empty', () => {
    const noSerial: ListedHidDevice = { ...APC, serialNumber: undefined };
    assert.ok(!matches(matchFromConfig(ups({ serial: 'AB.*' })), noSerial));
    assert.ok(matches(matchFromConfig(ups({ serial: '.*' })), noSerial));
  });

  test('sameDevice: IDs and strings must be equal, the hidraw path may change', () => {
    assert.equal(sameDevice(APC, { ...APC, path: '/dev/hidraw7' }), undefined);
    assert.equal(sameDevice(APC, { ...APC, serialNumber: 'OTHER' }), 'its serial is "OTHER", not "AB0427******"');
    assert.match(sameDevice(APC, { ...APC, productId: 3 }) ?? '', /051d:0003, not 051d:0002/);
  });

  test('UPS-like: Power Device or Battery System usage page, or a UPS maker vendor ID', () => {
    assert.ok(isLikelyUps(APC));
    assert.ok(isLikelyUps(VENDOR_PAGE_UPS));
    assert.ok(isLikelyUps(GENERIC_POWER));
    assert.ok(isLikelyUps({ vendorId: 1, usagePage: 0x85 }));
    assert.ok(!isLikelyUps(KEYBOARD));
  });

  test('port auto: the first UPS-like matching device in numeric path order', () => {
    const list = [VENDOR_PAGE_UPS, KEYBOARD, APC, GENERIC_POWER];
    assert.deepEqual(
      sortByPath(list).map((d) => d.path),
      ['/dev/hidraw0', '/dev/hidraw2', '/dev/hidraw3', '/dev/hidraw10'],
    );
    assert.equal(selectDevice(list, {})?.path, '/dev/hidraw2');
    assert.equal(selectDevice(list, matchFromConfig(ups({ vendorid: '051d' })))?.path, '/dev/hidraw3');
    assert.equal(selectDevice(list, matchFromConfig(ups({ vendorid: '046d' }))), undefined, 'a keyboard is never picked');
    assert.equal(selectDevice(list, {}, APC)?.path, '/dev/hidraw3', 'reconnect: only the device seen before');
    assert.equal(selectDevice([KEYBOARD], {}), undefined);
  });

  test('describeDevice names IDs, strings, serial and path', () => {
    assert.equal(
      describeDevice(APC),
      '051d:0002 American Power Conversion Back-UPS 500 FW: 6.5.I USB FW: c1 (serial AB0427******) at /dev/hidraw3',
    );
    assert.equal(describeDevice({ vendorId: 1, productId: 2 }), '0001:0002');
  });
});
