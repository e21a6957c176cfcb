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

  test('port auto: the driver starts and says clearly that USB bridges are not supported yet', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const lines: string[] = [];
    const m = await createDriver({ driver: 'qx', port: 'auto' }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines) });
    await m.start();
    try {
      assert.ok(lines.some((l) => /port auto means a USB-to-serial bridge .* does not support yet/.test(l)), lines.join('\n'));
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
