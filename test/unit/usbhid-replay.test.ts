/** The replay transport: a recorded device answering as it did. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ParseError } from '../../src/core/errors';
import { parseHidDump } from '../../src/drivers/usbhid/hid/dump';
import { ReplayTransport, loadHidDump } from '../../src/drivers/usbhid/transport/replay';
import { HidTransportError, type HidTransportHandlers } from '../../src/drivers/usbhid/types';
import { CS500, FIXTURES, fixtureDump, hex } from './usbhid-helpers';

function handlers(log: string[] = []): HidTransportHandlers {
  return { onInput: (d) => log.push(`input ${hex(d)}`), onDisconnect: (e) => log.push(`gone ${e.message}`) };
}

const isDisconnected = (e: unknown): boolean => e instanceof HidTransportError && e.disconnected;

void describe('replay transport on our own recordings', () => {
  test('device info, descriptor and Feature reports as recorded', async () => {
    const t = await ReplayTransport.fromFile(resolve(FIXTURES, 'simple-ups.dev'));
    const info = await t.open(handlers());
    assert.deepEqual(info, {
      vendorId: 0xf055,
      productId: 0x0001,
      manufacturer: 'Upsagent Test Works',
      product: 'Simple UPS 650',
      serialNumber: 'SU650-0001',
      release: 0x0100,
      path: resolve(FIXTURES, 'simple-ups.dev'),
    });
    const desc = await t.getReportDescriptor();
    assert.equal(desc.length, 325);
    assert.equal(hex(desc.subarray(0, 6)), '05 84 09 04 a1 01');
    assert.equal(hex(await t.getFeatureReport(2, 4)), '02 5f 08 07');
    assert.equal(hex(await t.getFeatureReport(7, 5)), '07 ff ff ff ff');
    // A shorter read gets the first bytes, as a device answers a short request.
    assert.equal(hex(await t.getFeatureReport(7, 3)), '07 ff ff');
    await assert.rejects(t.getFeatureReport(0x33, 2), (e: unknown) => e instanceof HidTransportError && !e.disconnected && /report 51 was not recorded/.test(e.message));
    assert.deepEqual(t.reads, [2, 7, 7, 0x33]);
  });

  test('the last recording of a report wins (a dump spanning several polls ends in the device\'s last state)', async () => {
    const text = readFileSync(resolve(FIXTURES, 'simple-ups.dev'), 'latin1') + '# [D3] Report[get]: (4 bytes) => 02 32 10 0e\n# [D3] Report[int]: (2 bytes) => 05 04\n';
    const t = new ReplayTransport(parseHidDump(text));
    await t.open(handlers());
    assert.equal(hex(await t.getFeatureReport(2, 4)), '02 32 10 0e');
    assert.equal(hex(await t.getFeatureReport(5, 2)), '05 03', 'interrupt data is not a Feature report');
  });

  test('SET writes change the report, so a later GET reads them back', async () => {
    const t = new ReplayTransport(fixtureDump('simple-ups.dev'));
    await t.open(handlers());
    await t.sendFeatureReport(Uint8Array.from([0x03, 0x14, 0x32]));
    assert.equal(hex(await t.getFeatureReport(3, 3)), '03 14 32');
    assert.deepEqual(t.writes.map(hex), ['03 14 32']);
  });

  test('a device without report IDs: report 0, data without an ID byte; writes carry a leading 0 that is not stored', async () => {
    const t = new ReplayTransport(fixtureDump('no-report-ids.dev'));
    await t.open(handlers());
    assert.equal(hex(await t.getFeatureReport(0, 4)), '32 2c 01 02');
    await t.sendFeatureReport(Uint8Array.from([0x00, 0x31, 0x2c, 0x01, 0x02]));
    assert.equal(hex(await t.getFeatureReport(0, 4)), '31 2c 01 02');
  });

  test('strings: the indexes the dump decoded for iManufacturer/iProduct/iSerialNumber, plus given ones', async () => {
    const t = new ReplayTransport(fixtureDump('simple-ups.dev'), { strings: new Map([[4, 'PbAc']]) });
    await t.open(handlers());
    assert.equal(await t.getString(1), 'Upsagent Test Works');
    assert.equal(await t.getString(2), 'Simple UPS 650');
    assert.equal(await t.getString(3), 'SU650-0001');
    assert.equal(await t.getString(4), 'PbAc');
    assert.equal(await t.getString(5), undefined);
  });

  test('scripted input reports, recorded interrupts, unplug and replug', async () => {
    const text = readFileSync(resolve(FIXTURES, 'simple-ups.dev'), 'latin1') + '# [D3] Report[int]: (2 bytes) => 05 04\n# [D3] Report[int]: (2 bytes) => 0a 2a\n';
    const t = new ReplayTransport(parseHidDump(text));
    const log: string[] = [];
    await t.open(handlers(log));
    t.input([0x05, 0x01]);
    assert.equal(t.playInterrupts(), 2);
    t.unplug(new Error('cable pulled'));
    assert.deepEqual(log, ['input 05 01', 'input 05 04', 'input 0a 2a', 'gone cable pulled']);
    assert.equal(t.isOpen, false);
    await assert.rejects(t.getFeatureReport(2, 4), isDisconnected);
    await assert.rejects(t.open(handlers()), isDisconnected);
    t.input([0x05, 0x01]);
    assert.equal(log.length, 4, 'a closed transport delivers nothing');
    t.replug();
    await t.open(handlers(log));
    assert.equal(hex(await t.getFeatureReport(2, 4)), '02 5f 08 07');
  });

  test('vanishAfterReads: gone in the middle of a poll', async () => {
    const t = new ReplayTransport(fixtureDump('simple-ups.dev'));
    const log: string[] = [];
    await t.open(handlers(log));
    t.vanishAfterReads(2);
    await t.getFeatureReport(2, 4);
    await t.getFeatureReport(3, 3);
    await assert.rejects(t.getFeatureReport(4, 5), isDisconnected);
    assert.deepEqual(log, ['gone device vanished during a read']);
  });

  test('a closed transport refuses I/O', async () => {
    const t = new ReplayTransport(fixtureDump('simple-ups.dev'));
    await assert.rejects(t.getReportDescriptor(), isDisconnected);
    await t.open(handlers());
    await t.close();
    await assert.rejects(t.sendFeatureReport(Uint8Array.from([3, 1, 2])), isDisconnected);
  });

  test('recordings it cannot play are ParseErrors naming the file', async () => {
    await assert.rejects(loadHidDump(resolve(FIXTURES, 'missing.dev')), (e: unknown) => e instanceof ParseError && /missing\.dev: cannot read the recording/.test(e.message));
    await assert.rejects(loadHidDump(resolve(FIXTURES, 'README.md')), (e: unknown) => e instanceof ParseError && /no "Report Descriptor/.test(e.message));
    assert.throws(
      () => new ReplayTransport(parseHidDump('# [D3] Report Descriptor: (2 bytes) => 05 84\n'), { source: 'x.dev' }),
      (e: unknown) => e instanceof ParseError && /x\.dev: no "Report\[get\]"/.test(e.message),
    );
    // A report line that stops early is one damaged line: left out and named, not fatal to the dump.
    assert.deepEqual(parseHidDump('# [D3] Report[get]: (3 bytes) => 01 02\n', 'y.dev').warnings, [{ line: 1, message: 'Report[get]: 3 bytes announced, 2 found' }]);
    assert.throws(() => parseHidDump('# [D3] Report[get]: (3 bytes) => 01 02\n', 'y.dev', { strict: true }), (e: unknown) => e instanceof ParseError && e.line === 1);
  });
});

// Runs where NUT's device library is checked out beside the project (../shared).
if (existsSync(CS500)) {
  void describe('replay transport on the APC Back-UPS CS 500 of nut-ddl', () => {
    test('descriptor, identity and the reports NUT read', async () => {
      const t = await ReplayTransport.fromFile(CS500);
      const info = await t.open(handlers());
      assert.equal(info.vendorId, 0x051d);
      assert.equal(info.productId, 0x0002);
      assert.equal(info.manufacturer, 'American Power Conversion');
      assert.equal(info.product, 'Back-UPS 500 FW: 6.5.I USB FW: c1 ');
      assert.equal(info.serialNumber, 'AB0427******');
      assert.equal((await t.getReportDescriptor()).length, 374);
      assert.equal(hex(await t.getFeatureReport(0x0c, 6)), '0c 64 00 00 14 0a');
      assert.equal(hex(await t.getFeatureReport(0x1c, 4)), '1c 04 03 07');
      // iProduct = 1, iSerialNumber = 2 in the decoded Path lines; iManufacturer printed as 0.03 is no index.
      assert.equal(await t.getString(1), 'Back-UPS 500 FW: 6.5.I USB FW: c1 ');
      assert.equal(await t.getString(2), 'AB0427******');
      assert.equal(await t.getString(3), undefined);
    });
  });
}
