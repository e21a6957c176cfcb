import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { compareNames, UpsStore } from '../../src/core/state';

function setup(now = { t: 1000 }) {
  const bus = new EventBus();
  const store = new UpsStore(bus, () => now.t);
  return { bus, store, now };
}

describe('UpsStore', () => {
  test('keeps UPSes in configuration order and finds them case-insensitively', () => {
    const { store } = setup();
    store.addUps('zeta', 'Z');
    store.addUps('Alpha');
    assert.deepEqual(store.names(), ['zeta', 'Alpha']);
    assert.equal(store.get('ALPHA')?.name, 'Alpha');
    assert.equal(store.get('zeta')?.desc, 'Z');
    assert.throws(() => store.addUps('ZETA'));
  });

  test('sorts variables and commands as upsd does (strcasecmp order)', () => {
    const { store } = setup();
    const p = store.addUps('u');
    for (const n of ['ups.status', 'battery.charge', 'Battery.Voltage', 'battery.charge.low', 'battery_x', 'ups.load']) p.setVar(n, '1');
    assert.deepEqual(
      store.get('u')!.vars().map((v) => v.name),
      ['battery.charge', 'battery.charge.low', 'Battery.Voltage', 'battery_x', 'ups.load', 'ups.status'],
    );
    p.addCommand('test.battery.start');
    p.addCommand('load.off');
    p.addCommand('LOAD.OFF');
    assert.deepEqual(store.get('u')!.commands(), ['load.off', 'test.battery.start']);
    assert.ok(compareNames('a.b', 'a_b') < 0);
  });

  test('batches changes into one ups.updated event and reports status transitions', async () => {
    const { bus, store } = setup();
    const p = store.addUps('u');
    const updates: string[][] = [];
    const statuses: string[] = [];
    bus.on('ups.updated', {}, (e) => updates.push([...e.changed]));
    bus.on('ups.status', {}, (e) => statuses.push(`${e.from}->${e.to}`));
    p.setVar('ups.status', 'OL');
    p.setVar('battery.charge', '100');
    await Promise.resolve();
    p.setVar('ups.status', 'OB');
    p.setVar('ups.status', 'OB LB');
    p.setVar('battery.charge', '100'); // unchanged: no event for it
    await Promise.resolve();
    assert.deepEqual(updates, [['ups.status', 'battery.charge'], ['ups.status']]);
    assert.deepEqual(statuses, ['->OL', 'OL->OB LB']);
  });

  test('flags, enums and ranges are kept per variable', () => {
    const { store } = setup();
    const p = store.addUps('u');
    p.setVar('input.transfer.low', '170');
    p.setFlags('input.transfer.low', { rw: true, number: true });
    p.setRanges('input.transfer.low', [[160, 180]]);
    p.setVar('ups.beeper.status', 'enabled');
    p.setFlags('ups.beeper.status', { rw: true, string: true }, 10);
    p.addEnum('ups.beeper.status', 'enabled');
    p.addEnum('ups.beeper.status', 'disabled');
    p.addEnum('ups.beeper.status', 'enabled');
    const v = store.get('u')!;
    assert.deepEqual(v.getVar('INPUT.TRANSFER.LOW')!.ranges, [[160, 180]]);
    assert.equal(v.getVar('input.transfer.low')!.flags.rw, true);
    assert.deepEqual(v.getVar('ups.beeper.status')!.enums, ['enabled', 'disabled']);
    assert.equal(v.getVar('ups.beeper.status')!.maxLength, 10);
  });

  test('staleness: driver flag, or no dataOk for longer than maxAge', () => {
    const { store, now } = setup();
    const p = store.addUps('u');
    const v = store.get('u')!;
    assert.equal(v.isStale(15_000), false, 'no data yet is WAIT, not stale');
    p.setAttached(true);
    p.dataOk();
    assert.equal(v.health.dumpDone, true);
    now.t += 15_000;
    assert.equal(v.isStale(15_000), false);
    now.t += 1;
    assert.equal(v.isStale(15_000), true);
    p.dataOk();
    assert.equal(v.isStale(15_000), false);
    p.dataStale();
    assert.equal(v.isStale(15_000), true);
  });

  test('detaching the driver clears its data; version moves on every change', () => {
    const { store } = setup();
    const p = store.addUps('u');
    const v = store.get('u')!;
    const v0 = v.version;
    p.setAttached(true);
    p.setVar('ups.status', 'OL');
    p.addCommand('load.off');
    p.dataOk();
    assert.ok(v.version > v0);
    p.setAttached(false);
    assert.equal(v.vars().length, 0);
    assert.equal(v.commands().length, 0);
    assert.equal(v.health.dumpDone, false);
  });

  test('announces attach/detach, stale/fresh transitions and command list changes on the bus', async () => {
    const { bus, store } = setup();
    const p = store.addUps('u');
    const events: string[] = [];
    bus.on('driver.attached', events, (e) => void events.push(`attached ${e.ups}`));
    bus.on('driver.detached', events, (e) => void events.push(`detached ${e.ups}`));
    bus.on('ups.stale', events, (e) => void events.push(`stale ${String(e.stale)}`));
    bus.on('ups.commands', events, (e) => void events.push(`commands ${e.commands.join(',')}`));
    p.setAttached(true);
    p.dataOk();
    p.dataStale();
    p.dataStale();
    p.dataOk();
    p.dataOk();
    p.addCommand('load.off');
    p.addCommand('beeper.enable');
    p.addCommand('load.off');
    await Promise.resolve();
    p.deleteCommand('load.off');
    await Promise.resolve();
    p.setAttached(false);
    await Promise.resolve();
    assert.deepEqual(events, [
      'attached u',
      'stale true',
      'stale false',
      'commands beeper.enable,load.off',
      'commands beeper.enable',
      'detached u',
      'commands ',
    ]);
  });

  test('FSD latch is set once and announced', () => {
    const { bus, store } = setup();
    store.addUps('u');
    const seen: string[] = [];
    bus.on('ups.fsd', {}, (e) => seen.push(`${e.ups}:${e.by}`));
    assert.equal(store.latchFsd('U', 'admin'), true);
    assert.equal(store.latchFsd('u', 'admin'), true);
    assert.equal(store.latchFsd('nope', 'admin'), false);
    assert.equal(store.get('u')!.fsd, true);
    assert.deepEqual(seen, ['u:admin']);
  });
});
