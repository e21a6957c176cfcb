/** usbhid-ups' options on the driver: subdriver, maxreport, interruptonly, interruptsize, CyberPower's pollfreq. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDump, rig, type Rig } from './usbhid-helpers';

const SIMPLE = fixtureDump('simple-ups.dev');

/** Records the length asked for in every GET_REPORT. */
function recordReads(r: Rig): Array<[number, number]> {
  const reads: Array<[number, number]> = [];
  const get = r.transport.getFeatureReport.bind(r.transport);
  r.transport.getFeatureReport = (id, len) => {
    reads.push([id, len]);
    return get(id, len);
  };
  return reads;
}

describe('usbhid options', () => {
  test('subdriver: a name or the start of one chooses the table; an unknown one is an error, retried', async () => {
    const r = rig(SIMPLE, { subdriver: 'apc' });
    await r.driver.start();
    assert.match(r.driver.status().subdriver ?? '', /^APC HID/);
    await r.driver.stop();
    const bad = rig(SIMPLE, { subdriver: 'no such table' });
    await bad.driver.start();
    assert.equal(bad.driver.status().connected, false);
    assert.match(bad.driver.status().lastError?.message ?? '', /no usbhid subdriver is named "no such table"/);
    await bad.driver.stop();
  });

  test('CyberPower devices get a 12 s full update by default (usbhid-ups 2.8.3 on); pollfreq overrides it', async () => {
    const r = rig(SIMPLE, { subdriver: 'CyberPower', pollInterval: 2 });
    await r.driver.start();
    assert.equal(r.get('driver.parameter.pollfreq'), '12');
    const reads = recordReads(r);
    await r.advance(12_000);
    // Report 1 (strings) is static; report 9 (input voltage) is only read by full updates.
    assert.ok(reads.some(([id]) => id === 9), 'a full update ran within 12 s');
    await r.driver.stop();
    const fixed = rig(SIMPLE, { subdriver: 'CyberPower', pollfreq: 30 });
    await fixed.driver.start();
    assert.equal(fixed.get('driver.parameter.pollfreq'), '30');
    await fixed.driver.stop();
  });

  test('maxreport: every report is asked for with at least 8 bytes, as usbhid-ups asks (never less than declared)', async () => {
    const plain = rig(SIMPLE);
    const plainReads = recordReads(plain);
    await plain.driver.start();
    await plain.driver.stop();
    const declared = new Map(plainReads);
    assert.ok([...declared.values()].some((len) => len < 8), 'the recording has reports shorter than 8 bytes');
    const r = rig(SIMPLE, { maxreport: true });
    const reads = recordReads(r);
    await r.driver.start();
    assert.ok(reads.length > 0);
    for (const [id, len] of reads) assert.equal(len, Math.max(8, declared.get(id)!), `report ${id}`);
    await r.driver.stop();
  });

  test('interruptonly: no report is read; interrupt reports bring the data; without them the UPS goes stale', async () => {
    const r = rig(SIMPLE, { interruptonly: true, pollInterval: 2, pollfreq: 10 });
    const reads = recordReads(r);
    await r.driver.start();
    assert.deepEqual(reads, []);
    r.transport.input([0x05, 0x01]);
    await r.settle();
    assert.equal(r.get('ups.status'), 'OL');
    r.transport.input([0x05, 0x04]);
    await r.settle();
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    await r.advance(12_000);
    assert.deepEqual(reads, [], 'still nothing read');
    assert.equal(r.store.get('u')!.health.staleFlag, true, 'silent for longer than pollfreq');
    r.transport.input([0x05, 0x01]);
    await r.settle();
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    await r.driver.stop();
  });

  test('interruptsize: only that many bytes of an interrupt report are used', async () => {
    const r = rig(SIMPLE, { interruptsize: 1 });
    await r.driver.start();
    const before = r.get('ups.status');
    r.transport.input([0x05, 0x04]);
    await r.settle();
    assert.equal(r.get('ups.status'), before, 'the status byte was cut off: nothing decoded');
    await r.driver.stop();
  });

  test('lowbatt, ondelay and offdelay reach what is published (battery.charge.low, ups.delay.start/shutdown)', async () => {
    const plain = rig(SIMPLE);
    await plain.driver.start();
    assert.deepEqual([plain.get('battery.charge.low'), plain.get('ups.delay.start'), plain.get('ups.delay.shutdown')], ['10', '30', '20']);
    await plain.driver.stop();
    const r = rig(SIMPLE, { lowbatt: 35, ondelay: 45, offdelay: 25 });
    await r.driver.start();
    assert.deepEqual([r.get('battery.charge.low'), r.get('ups.delay.start'), r.get('ups.delay.shutdown')], ['35', '45', '25']);
    await r.driver.stop();
  });
});
