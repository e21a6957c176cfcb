import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { validateConfig } from '../../src/app/config';
import { RequestError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { DEMO_SEQUENCE, DEMO_UPS_NAME, demoSetup } from '../../src/drivers/dummy/demo';
import { parseDevFile } from '../../src/drivers/dummy/devfile';
import { DummyDriver } from '../../src/drivers/dummy/driver';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));
afterEach(() => mock.timers.reset());

async function startDemo() {
  const setup = demoSetup();
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const lines: string[] = [];
  const deps = { ups: setup.name, bus, publisher: store.addUps(setup.name, setup.config.desc), log: new MemoryLogger(lines) };
  const driver = setup.driverFor(setup.name, setup.config, deps);
  assert.ok(driver instanceof DummyDriver);
  await driver.start();
  await flush();
  const get = (n: string): string | undefined => store.get(setup.name)?.getVar(n)?.value;
  return { setup, bus, store, driver, lines, get };
}

/** Runs the simulation for `seconds`, one second at a time, recording what a poller would see. */
async function run(seconds: number, get: (n: string) => string | undefined): Promise<Array<{ status: string; charge: number; runtime: number }>> {
  const seen: Array<{ status: string; charge: number; runtime: number }> = [];
  for (let i = 0; i < seconds; i++) {
    mock.timers.tick(1000);
    await flush();
    seen.push({ status: get('ups.status')!, charge: Number(get('battery.charge')), runtime: Number(get('battery.runtime')) });
  }
  return seen;
}

void describe('embedded demo UPS', () => {
  void test('its sequence is clean and its configuration is valid', () => {
    const f = parseDevFile(DEMO_SEQUENCE, 'demo.seq');
    assert.deepEqual(f.warnings, []);
    assert.ok(f.steps.length >= 8);
    const setup = demoSetup();
    assert.equal(setup.name, DEMO_UPS_NAME);
    const cfg = validateConfig({ ups: { [setup.name]: setup.config } });
    assert.equal(cfg.ups[setup.name]!.mode, 'loop');
  });

  void test('describes a 1500 VA line-interactive UPS with device, ups, input, output and battery data', async () => {
    const { get, driver } = await startDemo();
    assert.equal(get('ups.power.nominal'), '1500');
    assert.equal(get('ups.type'), 'line-interactive');
    assert.equal(get('device.type'), 'ups');
    for (const n of ['device.mfr', 'device.model', 'device.serial', 'ups.mfr', 'ups.model', 'input.voltage', 'input.voltage.nominal', 'output.voltage', 'battery.charge', 'battery.runtime', 'battery.voltage', 'ups.load']) {
      assert.ok(get(n), `${n} is published`);
    }
    assert.equal(get('ups.status'), 'OL');
    assert.equal(get('battery.charge'), '100');
    await driver.stop();
  });

  void test('goes OL -> OB (charge and runtime falling) -> OB LB -> OL CHRG (charging) -> OL, and loops', async () => {
    const { get, driver, bus } = await startDemo();
    const statuses: string[] = [];
    bus.on('ups.status', {}, (e) => statuses.push(e.to));
    const seen = await run(130, get);
    // Each distinct status in order, as a client polling every second sees them.
    const order = seen.map((s) => s.status).filter((s, i, a) => i === 0 || a[i - 1] !== s);
    assert.deepEqual(order.slice(0, 9), ['OL', 'OB DISCHRG', 'OB DISCHRG LB', 'OL CHRG', 'OL', 'OB DISCHRG', 'OB DISCHRG LB', 'OL CHRG', 'OL']);
    assert.deepEqual(statuses.slice(0, 4), ['OB DISCHRG', 'OB DISCHRG LB', 'OL CHRG', 'OL']);

    const firstOutage = seen.slice(seen.findIndex((s) => s.status === 'OB DISCHRG'));
    const onBattery = firstOutage.slice(0, firstOutage.findIndex((s) => s.status.startsWith('OL')));
    for (let i = 1; i < onBattery.length; i++) {
      assert.ok(onBattery[i]!.charge <= onBattery[i - 1]!.charge, 'charge never rises on battery');
      assert.ok(onBattery[i]!.runtime <= onBattery[i - 1]!.runtime, 'runtime never rises on battery');
    }
    assert.ok(onBattery[0]!.charge > onBattery.at(-1)!.charge);
    const lb = onBattery.find((s) => s.status.includes('LB'))!;
    assert.ok(lb.charge < Number(get('battery.charge.low')) && lb.runtime < Number(get('battery.runtime.low')), 'LB below the low limits');

    const charging = firstOutage.slice(firstOutage.findIndex((s) => s.status === 'OL CHRG'));
    const chargingPart = charging.slice(0, charging.findIndex((s) => s.status === 'OL'));
    for (let i = 1; i < chargingPart.length; i++) assert.ok(chargingPart[i]!.charge >= chargingPart[i - 1]!.charge, 'charge never falls while charging');
    await driver.stop();
  });

  void test('its settings are writable within their limits and stay set across loops', async () => {
    const { get, driver, bus, store, setup } = await startDemo();
    const set = (name: string, value: string) => bus.request('ups.setvar', { ups: setup.name, name, value });
    const view = store.get(setup.name)!;
    assert.deepEqual(view.getVar('battery.charge.low')!.ranges, [[10, 60]]);
    assert.deepEqual(view.getVar('input.sensitivity')!.enums, ['low', 'medium', 'high']);
    assert.equal(view.getVar('ups.model')!.flags.rw, false);

    await set('battery.charge.low', '25');
    await set('input.sensitivity', 'high');
    await assert.rejects(set('battery.charge.low', '5'), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    await assert.rejects(set('input.sensitivity', 'max'), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    await assert.rejects(set('battery.charge', '50'), (e: unknown) => e instanceof RequestError && e.failure === 'READONLY');
    await run(130, get);
    assert.equal(get('battery.charge.low'), '25');
    assert.equal(get('input.sensitivity'), 'high');
    await driver.stop();
  });

  void test('offers its declared commands and accepts them', async () => {
    const { driver, bus, store, setup, lines } = await startDemo();
    const cmds = store.get(setup.name)!.commands();
    assert.ok(cmds.includes('test.battery.start.quick') && cmds.includes('beeper.disable') && cmds.includes('load.off'));
    await bus.request('ups.instcmd', { ups: setup.name, name: 'beeper.disable' });
    assert.ok(lines.some((l) => l.includes('beeper.disable')));
    await driver.stop();
  });

  void test('driverFor builds nothing for another UPS, and each setup has its own source', () => {
    const a = demoSetup();
    const b = demoSetup();
    const bus = new EventBus();
    const store = new UpsStore(bus);
    assert.equal(a.driverFor('other', a.config, { ups: 'other', bus, publisher: store.addUps('other'), log: new MemoryLogger() }), undefined);
    assert.notEqual(a.source, b.source);
  });
});
