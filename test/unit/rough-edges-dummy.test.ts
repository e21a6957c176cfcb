/**
 * The same .dev/.seq text gives the same data whatever its history: there at
 * start, missing and created later, created empty and then written, or
 * rewritten from another version. Nothing an earlier version gave survives
 * (device.mfr no longer stays "Dummy Manufacturer").
 */
import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore, type VarInfo } from '../../src/core/state';
import { DummyDriver } from '../../src/drivers/dummy/driver';
import { MemorySource } from '../../src/drivers/dummy/source';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

const TEXT = 'ups.mfr: APC\nups.model: Back-UPS 650\nups.serial: AB123\nups.status: OB\nbattery.charge: 80\n';

function typeOf(v: VarInfo): string {
  return `${v.flags.rw ? 'RW ' : ''}${v.flags.string ? `STRING:${v.maxLength}` : 'NUMBER'}`;
}

async function rig(source: MemorySource, cfg: Partial<UpsConfig> = {}) {
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const publisher = store.addUps('u');
  const driver = new DummyDriver({ driver: 'dummy', port: source.name, ...cfg }, { ups: 'u', bus, publisher, log: new MemoryLogger() }, { source, version: '1' });
  const statuses: string[] = [];
  bus.on('ups.status', statuses, (e) => statuses.push(e.to));
  await driver.start();
  const snapshot = () => store.get('u')!.vars().map((v) => `${v.name}=${v.value} ${typeOf(v)}`);
  return { driver, snapshot, statuses, attached: () => store.get('u')!.health.attached };
}

void describe('a .dev file gives the same data whatever its history', () => {
  test('there at start, or missing at start and created later', async () => {
    const atStart = await rig(new MemorySource('ups.dev', TEXT));
    const expected = atStart.snapshot();
    assert.ok(expected.includes('device.mfr=APC NUMBER'), expected.join('\n'));
    await atStart.driver.stop();

    const src = new MemorySource('ups.dev', TEXT);
    src.fail();
    const later = await rig(src);
    assert.equal(later.attached(), false);
    src.set(TEXT);
    await flush();
    assert.deepEqual(later.snapshot(), expected);
    await later.driver.stop();
  });

  test('created empty, then written (as `touch` then an editor does)', async () => {
    const expected = await (async () => {
      const r = await rig(new MemorySource('ups.dev', TEXT));
      const s = r.snapshot();
      await r.driver.stop();
      return s;
    })();
    const src = new MemorySource('ups.dev', '');
    const r = await rig(src);
    assert.ok(r.snapshot().includes('device.mfr=Dummy Manufacturer NUMBER'));
    src.set(TEXT);
    await flush();
    assert.deepEqual(r.snapshot(), expected);
    await r.driver.stop();
  });

  test('rewritten without some variables: they go, defaults come back, and ups.status never passes through the default OL', async () => {
    const src = new MemorySource('ups.dev', TEXT);
    const r = await rig(src);
    src.set('ups.status: OB LB\nbattery.charge: 10\n');
    await flush();
    const now = r.snapshot();
    assert.ok(now.includes('ups.mfr=Dummy Manufacturer RW STRING:32'), now.join('\n'));
    assert.ok(now.includes('device.mfr=Dummy Manufacturer NUMBER'));
    assert.ok(!now.some((l) => l.startsWith('ups.serial=') || l.startsWith('device.serial=')), now.join('\n'));
    assert.ok(now.some((l) => l.startsWith('battery.charge=10 ')), now.join('\n'));
    assert.deepEqual(r.statuses.slice(-1), ['OB LB']);
    assert.ok(!r.statuses.includes('OL'), `status went through ${r.statuses.join(' -> ')}`);
    await r.driver.stop();
  });
});

void describe('a looping .seq file', () => {
  test('read again at the end of a pass: variables no step names any more are removed', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const src = new MemorySource('ups.seq', 'ups.status: OL\nold.value: 1\n');
    const r = await rig(src, { pollInterval: 5 });
    assert.ok(r.snapshot().some((l) => l.startsWith('old.value=1')));
    src.set('ups.status: OL\nnew.value: 2\n');
    await flush();
    assert.ok(r.snapshot().some((l) => l.startsWith('old.value=1')), 'a looping file is read again at the end of its pass');
    // No TIMER line: the pass ends after one poll interval and the file is read again.
    mock.timers.tick(5000);
    await flush();
    await flush();
    mock.timers.reset();
    assert.ok(!r.snapshot().some((l) => l.startsWith('old.value=')), r.snapshot().join('\n'));
    assert.ok(r.snapshot().some((l) => l.startsWith('new.value=2')));
    await r.driver.stop();
  });
});
