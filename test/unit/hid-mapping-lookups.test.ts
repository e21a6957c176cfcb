import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFixed, formatG, formatValue } from '../../src/drivers/usbhid/mapping/format';
import {
  beeperStatus,
  divideBy10,
  divideBy100,
  ecoModeStatus,
  enumLookup,
  hexValue,
  hidDate,
  isStringIndexLookup,
  kelvinToCelsius,
  noBatteryStatus,
  offStatus,
  onlineStatus,
  onOff,
  stringIndex,
  testRead,
  testWrite,
  toLong,
  yesNo,
} from '../../src/drivers/usbhid/mapping/lookups';
import { apcDate, apcSplitProduct } from '../../src/drivers/usbhid/mapping/vendors/apc';

describe('formatValue (printf as NUT uses it)', () => {
  test('fixed precision rounds like C: half to even on exact ties, by the binary value otherwise', () => {
    assert.equal(formatValue('%.0f', 0.5), '0');
    assert.equal(formatValue('%.0f', 1.5), '2');
    assert.equal(formatValue('%.0f', 2.5), '2');
    assert.equal(formatValue('%.0f', -2.5), '-2');
    assert.equal(formatValue('%.1f', 0.25), '0.2');
    assert.equal(formatValue('%.1f', 0.35), '0.3'); // 0.35 is 0.34999... in binary
    assert.equal(formatValue('%.1f', 13.58), '13.6');
    assert.equal(formatValue('%.1f', 12), '12.0');
    assert.equal(formatValue('%.2f', 1.005), '1.00');
    assert.equal(formatValue('%.0f', 2580), '2580');
    assert.equal(formatValue('%.0f', -0.3), '-0');
    assert.equal(formatFixed(27.1, 0), '27');
  });

  test('integers, hex, strings, widths and literal text', () => {
    assert.equal(formatValue('%d', 12.7), '12');
    assert.equal(formatValue('%ld', -3.9), '-3');
    assert.equal(formatValue('%04x', 0x51d), '051d');
    assert.equal(formatValue('%02x', 10), '0a');
    assert.equal(formatValue('%08lx', 255), '000000ff');
    assert.equal(formatValue('%X', 255), 'FF');
    assert.equal(formatValue('%02x', -1), 'ffffffffffffffff');
    assert.equal(formatValue('%s', 'PbAc'), 'PbAc');
    assert.equal(formatValue('%.2s', 'PbAc'), 'Pb');
    assert.equal(formatValue('%5.1f', 3.14159), '  3.1');
    assert.equal(formatValue('%-5d|', 42), '42   |');
    assert.equal(formatValue('%05.1f', -3.14), '-03.1');
    assert.equal(formatValue('%.0f%%', 97), '97%');
    assert.equal(formatValue('20', 5), '20');
  });

  test('%g picks fixed or exponent form and drops trailing zeros', () => {
    assert.equal(formatG(13.58, 6), '13.58');
    assert.equal(formatValue('%g', 0.00001), '1e-05');
    assert.equal(formatValue('%g', 1234567), '1.23457e+06');
    assert.equal(formatValue('%g', 100), '100');
    assert.equal(formatValue('%g', 0), '0');
    assert.equal(formatValue('%.3g', 2.0004), '2');
  });

  test('never throws on NaN or infinities', () => {
    assert.equal(formatValue('%.1f', NaN), 'nan');
    assert.equal(formatValue('%d', Infinity), 'inf');
    assert.equal(formatValue('%x', -Infinity), '-inf');
    assert.equal(formatValue('%g', NaN), 'nan');
  });
});

describe('lookups', () => {
  test('toLong truncates toward zero and has no value for NaN', () => {
    assert.equal(toLong(2.9), 2);
    assert.equal(toLong(-2.9), -2);
    assert.equal(toLong(NaN), undefined);
    assert.equal(toLong(Infinity), undefined);
  });

  test('status bits: exactly 1 sets, 0 clears, others say nothing; off and nobattery are inverted', () => {
    assert.equal(onlineStatus.toNut(1), 'online');
    assert.equal(onlineStatus.toNut(0), '!online');
    assert.equal(onlineStatus.toNut(2), undefined);
    assert.equal(onlineStatus.toNut(NaN), undefined);
    assert.equal(offStatus.toNut(0), 'off');
    assert.equal(offStatus.toNut(1), '!off');
    assert.equal(noBatteryStatus.toNut(0), 'nobattery');
    assert.equal(noBatteryStatus.toNut(1), '!nobattery');
    assert.equal(ecoModeStatus.toNut(1), 'ecomode !essmode');
    assert.equal(ecoModeStatus.toNut(0), '!ecomode !essmode');
    assert.equal(ecoModeStatus.toNut(7), undefined);
  });

  test('value tables read and write both ways; unknown values publish nothing', () => {
    assert.equal(beeperStatus.toNut(1), 'disabled');
    assert.equal(beeperStatus.toNut(2), 'enabled');
    assert.equal(beeperStatus.toNut(3), 'muted');
    assert.equal(beeperStatus.toNut(4), undefined);
    assert.equal(beeperStatus.fromNut?.('muted'), 3);
    assert.equal(beeperStatus.fromNut?.('loud'), undefined);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 0].map((v) => testRead.toNut(v)),
      ['Done and passed', 'Done and warning', 'Done and error', 'Aborted', 'In progress', 'No test initiated', 'Test scheduled', undefined],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((v) => testWrite.toNut(v)),
      ['No test', 'Quick test', 'Deep test', 'Abort test'],
    );
    assert.equal(testWrite.fromNut?.('Deep test'), 2);
    assert.equal(yesNo.toNut(1), 'yes');
    assert.equal(yesNo.fromNut?.('no'), 0);
    assert.equal(onOff.toNut(0), 'off');
    assert.equal(onOff.fromNut?.('on'), 1);
    // NUT compares the integer part of the value.
    assert.equal(yesNo.toNut(1.7), 'yes');
  });

  test('enumLookup exposes its texts as an ENUM only when asked', () => {
    const plain = enumLookup([
      [0, 'low'],
      [1, 'high'],
    ]);
    assert.equal(plain.enumValues, undefined);
    const listed = enumLookup(
      [
        [0, 'low'],
        [1, 'high'],
      ],
      { enumerate: true },
    );
    assert.deepEqual(listed.enumValues, ['low', 'high']);
  });

  test('HID packed date (year-1980)*512 + month*32 + day, and back', () => {
    assert.equal(hidDate.toNut(12515), '2004/07/03');
    assert.equal(hidDate.toNut(0), 'not set');
    assert.equal(hidDate.toNut(NaN), undefined);
    assert.equal(hidDate.fromNut?.('2004/07/03'), 12515);
    assert.equal(hidDate.fromNut?.('2024/12/31'), (2024 - 1980) * 512 + 12 * 32 + 31);
    // NUT writes 0 for an impossible date; text that is no date at all is refused.
    assert.equal(hidDate.fromNut?.('2004/13/01'), 0);
    assert.equal(hidDate.fromNut?.('yesterday'), undefined);
    // Pre-1980 dates are negative.
    assert.equal(hidDate.toNut(-512 + 32 + 1), '1979/01/01');
  });

  test('APC dates are hex digits read as decimal', () => {
    assert.equal(apcDate.toNut(0x070304), '2004/07/03');
    assert.equal(apcDate.toNut(0x102202), '2002/10/22');
    assert.equal(apcDate.toNut(0x123199), '1999/12/31');
    assert.equal(apcDate.toNut(0), 'not set');
    assert.equal(apcDate.toNut(NaN), undefined);
  });

  test('conversions: hex, divide by 10/100, kelvin (and Celsius given as kelvin)', () => {
    assert.equal(hexValue.toNut(0x1234), '00001234');
    assert.equal(hexValue.toNut(-1), 'ffffffffffffffff');
    assert.equal(divideBy10.toNut(2301), '230.1');
    assert.equal(divideBy100.toNut(5000), '50.0');
    assert.equal(kelvinToCelsius.toNut(298.15), '25.0');
    assert.equal(kelvinToCelsius.toNut(303), '29.9');
    assert.equal(kelvinToCelsius.toNut(35), '35.0'); // already Celsius (seen on HP)
    assert.equal(kelvinToCelsius.toNut(NaN), undefined);
    assert.equal(divideBy10.toNut(Infinity), undefined);
  });

  test('string indexes are marked for the driver and never guessed', () => {
    assert.ok(isStringIndexLookup(stringIndex));
    assert.ok(!isStringIndexLookup(beeperStatus));
    assert.ok(!isStringIndexLookup(undefined));
    assert.equal(stringIndex.toNut(4), undefined);
  });

  test('APC product string carries the firmware versions', () => {
    assert.deepEqual(apcSplitProduct('Back-UPS 500 FW: 6.5.I USB FW: c1 '), {
      model: 'Back-UPS 500',
      vars: { 'ups.firmware': ' 6.5.I', 'ups.firmware.aux': ' c1 ' },
    });
    assert.deepEqual(apcSplitProduct('Back-UPS RS 900 FW:9.o2 .I'), { model: 'Back-UPS RS 900', vars: { 'ups.firmware': '9.o2 .I' } });
    assert.deepEqual(apcSplitProduct('Smart-UPS 750'), { model: 'Smart-UPS 750', vars: {} });
    assert.deepEqual(apcSplitProduct(undefined), { model: 'unknown', vars: {} });
    assert.deepEqual(apcSplitProduct('FW:1'), { model: '', vars: { 'ups.firmware': '1' } });
  });
});
