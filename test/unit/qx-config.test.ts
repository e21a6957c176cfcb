/** The qx driver's keys: NUT's names accepted, bad values named with what is allowed, every key documented in config.example.yaml. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../../src/app/config';
import { ConfigError } from '../../src/core/errors';
import { QX_OPTIONS } from '../../src/drivers/qx/config';
import { createDriver } from '../../src/drivers/registry';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';

async function problems(entry: string): Promise<string[]> {
  try {
    await parseConfig(`ups:\n  u:\n    driver: qx\n${entry.split('\n').map((l) => `    ${l}`).join('\n')}\n`, 'test.yaml');
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('qx configuration', () => {
  test('a ups.conf-like entry is accepted with NUT\'s option names', async () => {
    assert.deepEqual(
      await problems(
        [
          'port: /dev/ttyS0',
          'protocol: Megatec',
          'pollfreq: 30',
          'ondelay: 180',
          'offdelay: 30',
          'novendor: true',
          'norating: true',
          'ignoresab: true',
          'stayoff: true',
          'cablepower: reverse',
          'runtimecal: "240,100,720,50"',
          'chargetime: 43200',
          'idleload: 10',
          'battery_voltage_reports_one_pack: true',
          'override.battery.packs: 12',
          'default.battery.voltage.high: 27.4',
          'default.battery.voltage.low: 21',
        ].join('\n'),
      ),
      [],
    );
    assert.deepEqual(await problems('port: auto\nsubdriver: cypress\nvendorid: "0665"\nproductid: "5161"\nlangid_fix: "0x409"'), []);
  });

  test('bad values say what is allowed', async () => {
    const p = await problems('port: /dev/ttyS0\nprotocol: megatek');
    assert.equal(p.length, 1);
    assert.match(p[0]!, /^ups\.u\.protocol: "megatek" is not a qx protocol; known: .*megatec.*q1/);
    assert.match((await problems('port: /dev/ttyS0\nruntimecal: "240,100,120,50"'))[0]!, /^ups\.u\.runtimecal: runtimecal: parameter out of range \(runtime\)/);
    assert.match((await problems('port: /dev/ttyS0\nruntimecal: "240"'))[0]!, /four numbers/);
    assert.match((await problems('port: /dev/ttyS0\ndefault.battery.voltage.high: 20\ndefault.battery.voltage.low: 21'))[0]!, /must be above default\.battery\.voltage\.low/);
    assert.match((await problems('port: ttyS0'))[0]!, /^ups\.u\.port: "ttyS0" is neither a serial device path/);
    assert.match((await problems('port: /dev/ttyS0\ncablepower: dtr'))[0]!, /^ups\.u\.cablepower: /);
  });

  test('USB: what nutdrv_qx refuses at start is a config problem; port auto with no such device is retried, logged, no crash', async () => {
    // The wording is the qx usb module's; the key and the list of bridges are what matter here.
    assert.match((await problems('port: auto\nsubdriver: nosuch'))[0]!, /^ups\.u\.subdriver: .*"nosuch".*known: cypress, /);
    assert.match((await problems('port: auto\nvendor: "(["'))[0]!, /^ups\.u\.vendor: .* is not a valid regular expression/);
    assert.match((await problems('port: auto\nsubdriver: cypress'))[0]!, /vendorid and productid are mandatory/);
    // A USB key with a serial port means USB, as in NUT.
    assert.match((await problems('port: /dev/ttyS0\nsubdriver: cypress'))[0]!, /vendorid and productid are mandatory/);
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const lines: string[] = [];
    // No such device on any test machine: 0000:0001 is not a UPS.
    const m = await createDriver({ driver: 'qx', port: 'auto', vendorid: '0000', productid: '0001', subdriver: 'cypress' }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines) });
    await m.start();
    try {
      assert.ok(lines.some((l) => /no .*USB device|cannot (load the usb library|list USB devices)/.test(l)), lines.join('\n'));
      store.flush();
      assert.equal(store.get('u')?.health.attached, false);
    } finally {
      await m.stop();
    }
  });

  test('config.example.yaml documents every qx key in its qx example', () => {
    const text = readFileSync(resolve(__dirname, '../../config.example.yaml'), 'utf8');
    const start = text.indexOf('  # megatec:\n  #   driver: qx');
    assert.ok(start > 0, 'the qx example is there');
    const section = text.slice(start, text.indexOf('\n# server:', start));
    for (const key of Object.keys(QX_OPTIONS)) assert.ok(section.includes(`# ${key}:`), `${key} is documented`);
  });
});
