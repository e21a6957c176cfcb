/**
 * The MQTT bridge against a real Mosquitto broker: Home Assistant discovery
 * documents, retained state and its updates on change, instant commands
 * from the command topics (allowed ones reach the driver, others are
 * refused), per-UPS availability, and everything published again after the
 * broker restarts without persistence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { DummyDriver } from '../../src/drivers/dummy';
import { MqttBridge } from '../../src/mqtt/bridge';
import { validateWith } from '../../src/core/config';
import { mqttSectionSchema, type MqttConfig } from '../../src/mqtt/config';
import { FakeDriver } from '../helpers/fake-driver';
import { MOSQUITTO, Mosquitto, Watcher } from '../helpers/mosquitto';
import { devWith, until } from '../helpers/surface-rig';

const NODE = 'testnode';
const DISC = `homeassistant/sensor/${NODE}_u`;

test('mosquitto is installed (test/run.sh installs it)', () => {
  assert.ok(existsSync(MOSQUITTO), `${MOSQUITTO} missing: apt-get install mosquitto`);
});

test('discovery, retained state, a change, commands allowed and refused: an agent with a dummy UPS and a real broker', async () => {
  const broker = await Mosquitto.start();
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mqtt-'));
  const dev = join(dir, 'u.dev');
  writeFileSync(dev, devWith('OL CHRG', '100'));
  const log = new MemoryLogger();
  const heard = (cmd: string): boolean => log.lines.some((l) => l.includes(`instant command ${cmd} received`));
  let agent: RunningAgent | undefined;
  let w: Watcher | undefined;
  try {
    // A retained command waits on the broker: it would run at every reconnect, so it must not run at all.
    const early = await Watcher.connect(broker.url, 'nothing/here');
    await early.publish('upsagent/u/command/beeper.disable', 'PRESS', true);
    await early.close();
    const config = validateConfig({
      ups: { u: { driver: 'dummy', port: dev, pollInterval: 0.5, desc: 'Rack UPS' } },
      server: { listen: ['127.0.0.1:0'] },
      mqtt: { url: broker.url, nodeId: NODE, commands: ['beeper.disable'] },
    });
    agent = await startAgent({
      config,
      log,
      version: '9.9-test',
      // #CMD lines declare the commands, so the UPS has one allowed and one not.
      driverFor: (_n, cfg, deps) => new DummyDriver(cfg, deps, { declarations: 'apply' }),
    });
    w = await Watcher.connect(broker.url);
    await until('the retained command to be refused', () => log.lines.some((l) => l.includes('ignoring a retained message on upsagent/u/command/beeper.disable')));
    // Clearing it is an empty retained message, which is no command either.
    await w.publish('upsagent/u/command/beeper.disable', '', true);

    // Discovery: the device block and the sensors HA needs, with HA's classes and units.
    const charge = JSON.parse(await w.waitFor(`${DISC}/battery_charge/config`)) as Record<string, unknown>;
    assert.equal(charge.device_class, 'battery');
    assert.equal(charge.unit_of_measurement, '%');
    assert.equal(charge.state_class, 'measurement');
    assert.equal(charge.state_topic, 'upsagent/u/battery.charge');
    assert.equal(charge.unique_id, `${NODE}_u_battery_charge`);
    assert.deepEqual(charge.availability, [{ topic: 'upsagent/status' }, { topic: 'upsagent/u/availability' }]);
    assert.equal(charge.availability_mode, 'all');
    assert.deepEqual(charge.device, { identifiers: [`upsagent_${NODE}_u`], name: 'Rack UPS', manufacturer: 'Testing Corp', model: 'TC-650', serial_number: 'TC0001', sw_version: '1.0.3' });
    assert.deepEqual(charge.origin, { name: 'upsagent', sw_version: '9.9-test' });
    const doc = async (t: string): Promise<Record<string, unknown>> => JSON.parse(await w!.waitFor(t)) as Record<string, unknown>;
    const runtime = await doc(`${DISC}/battery_runtime/config`);
    assert.deepEqual([runtime.device_class, runtime.unit_of_measurement], ['duration', 's']);
    const load = await doc(`${DISC}/ups_load/config`);
    assert.deepEqual([load.unit_of_measurement, load.state_class], ['%', 'measurement']);
    const vin = await doc(`${DISC}/input_voltage/config`);
    assert.deepEqual([vin.device_class, vin.unit_of_measurement], ['voltage', 'V']);
    const vout = await doc(`${DISC}/output_voltage/config`);
    assert.deepEqual([vout.device_class, vout.unit_of_measurement], ['voltage', 'V']);
    for (const [key, cls] of [['on_battery', undefined], ['low_battery', 'battery'], ['replace_battery', 'problem']] as const) {
      const b = await doc(`homeassistant/binary_sensor/${NODE}_u/${key}/config`);
      assert.equal(b.state_topic, 'upsagent/u/ups.status');
      assert.equal(b.device_class, cls);
      assert.equal(b.payload_on, 'ON');
    }
    const button = await doc(`homeassistant/button/${NODE}_u/cmd_beeper_disable/config`);
    assert.equal(button.command_topic, 'upsagent/u/command');
    assert.equal(button.payload_press, 'beeper.disable');
    assert.ok(!w.topics('homeassistant/button/').some((t) => t.includes('test_battery')), 'no button for a command that is not allowed');

    // Retained state: a subscriber that comes now gets every value at once.
    const late = await Watcher.connect(broker.url, 'upsagent/#');
    try {
      assert.equal(await late.waitFor('upsagent/status'), 'online');
      assert.equal(await late.waitFor('upsagent/u/availability'), 'online');
      assert.equal(await late.waitFor('upsagent/u/battery.charge'), '100');
      assert.equal(await late.waitFor('upsagent/u/ups.status'), 'OL CHRG');
      const state = JSON.parse(await late.waitFor('upsagent/u/state')) as { vars: Record<string, string>; flags: string[]; available: boolean };
      assert.equal(state.vars['device.model'], 'TC-650');
      assert.deepEqual(state.flags, ['OL', 'CHRG']);
      assert.equal(state.available, true);
      assert.ok(late.messages.filter((m) => m.topic.startsWith('upsagent/u/')).every((m) => m.retain), 'state is retained');
    } finally {
      await late.close();
    }

    // A change: on battery, charge falls.
    const mark = w.messages.length;
    writeFileSync(dev, devWith('OB DISCHRG', '80'));
    assert.equal(await w.waitFor('upsagent/u/ups.status', (p) => p === 'OB DISCHRG', 15_000, mark), 'OB DISCHRG');
    assert.equal(await w.waitFor('upsagent/u/battery.charge', (p) => p === '80', 15_000, mark), '80');
    await w.waitFor('upsagent/u/state', (p) => (JSON.parse(p) as { flags: string[] }).flags.includes('OB'), 15_000, mark);
    // Only what changed: ups.load did not.
    assert.ok(!w.messages.slice(mark).some((m) => m.topic === 'upsagent/u/ups.load'), 'unchanged variables are not sent again');

    assert.ok(!heard('beeper.disable'), 'neither the retained command nor the empty message that cleared it ran');
    // Commands: the allowed one reaches the driver, in both topic forms; the other is refused.
    await w.publish('upsagent/u/command', 'beeper.disable');
    const r1 = JSON.parse(await w.waitFor('upsagent/u/result')) as { ok: boolean; command: string };
    assert.deepEqual([r1.ok, r1.command], [true, 'beeper.disable']);
    await until('the driver to get beeper.disable', () => heard('beeper.disable'));
    const before = log.lines.filter((l) => l.includes('instant command beeper.disable received')).length;
    const m2 = w.messages.length;
    await w.publish('upsagent/u/command/beeper.disable', 'PRESS');
    await w.waitFor('upsagent/u/result', (p) => (JSON.parse(p) as { ok: boolean }).ok, 15_000, m2);
    await until('the second beeper.disable', () => log.lines.filter((l) => l.includes('instant command beeper.disable received')).length === before + 1);

    const m3 = w.messages.length;
    await w.publish('upsagent/u/command', 'test.battery.start.quick');
    const refused = JSON.parse(await w.waitFor('upsagent/u/result', () => true, 15_000, m3)) as { ok: boolean; error: string };
    assert.deepEqual([refused.ok, refused.error], [false, 'ACCESS-DENIED']);
    assert.ok(!heard('test.battery.start.quick'), 'a command not in mqtt.commands never reaches the driver');
    assert.ok(log.lines.some((l) => /warn .*test\.battery\.start\.quick.*refused: not in mqtt\.commands/.test(l)));

    // Bad input: an answer, no crash, nothing sent to the driver.
    const m4 = w.messages.length;
    await w.publish('upsagent/u/command', '{"command": 3}');
    const bad = JSON.parse(await w.waitFor('upsagent/u/result', () => true, 15_000, m4)) as { ok: boolean; error: string };
    assert.deepEqual([bad.ok, bad.error], [false, 'INVALID-ARGUMENT']);

  } finally {
    await w?.close();
    await agent?.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

function mqttConfig(doc: Record<string, unknown>): MqttConfig {
  return validateWith(mqttSectionSchema, doc) as MqttConfig;
}

test('per-UPS availability follows stale data; after a broker restart (retained messages lost) everything is published again, changes made during the outage included', async () => {
  const broker = await Mosquitto.start();
  const log = new MemoryLogger();
  const bus = new EventBus(log);
  const store = new UpsStore(bus);
  const driver = new FakeDriver(bus, store.addUps('u'));
  const second = new FakeDriver(bus, store.addUps('b2'));
  const bridge = new MqttBridge({
    config: mqttConfig({ url: broker.url, nodeId: NODE, reconnectMin: 0.2, reconnectMax: 0.5, topicPrefix: 'site1/ups', commands: ['*'] }),
    store,
    bus,
    log,
    version: 't',
    maxAgeMs: 60_000,
  });
  let w: Watcher | undefined;
  try {
    driver.attach({ 'ups.status': 'OL', 'battery.charge': '90', 'device.model': 'M1', 'device.mfr': 'Acme' }, ['load.off']);
    second.attach({ 'ups.status': 'OL', 'battery.charge': '50' });
    store.flush();
    await bridge.start();
    w = await Watcher.connect(broker.url, ['site1/#', 'homeassistant/#']);
    assert.equal(await w.waitFor('site1/ups/u/availability', (p) => p === 'online'), 'online');
    assert.equal(await w.waitFor('site1/ups/status'), 'online');

    // Stale: this UPS goes offline, the other stays online.
    const mark = w.messages.length;
    driver.pub.dataStale();
    await w.waitFor('site1/ups/u/availability', (p) => p === 'offline', 15_000, mark);
    assert.equal(w.last('site1/ups/b2/availability'), 'online');
    driver.pub.dataOk();
    await w.waitFor('site1/ups/u/availability', (p) => p === 'online', 15_000, mark);

    // A command the UPS no longer has loses its button: an empty retained config removes it in HA.
    const buttonTopic = `homeassistant/button/${NODE}_u/cmd_load_off/config`;
    assert.equal((JSON.parse(await w.waitFor(buttonTopic)) as { payload_press: string }).payload_press, 'load.off');
    const m1 = w.messages.length;
    driver.pub.deleteCommand('load.off');
    store.flush();
    assert.equal(await w.waitFor(buttonTopic, (p) => p === '', 15_000, m1), '');

    // The broker goes away and comes back empty.
    await broker.halt();
    await until('the bridge to notice', () => !bridge.link.connected);
    driver.pub.setVar('battery.charge', '42');
    driver.pub.setVar('ups.status', 'OB DISCHRG');
    driver.pub.dataOk();
    store.flush();
    await broker.restart();
    await w.close();
    w = await Watcher.connect(broker.url, ['site1/#', 'homeassistant/#']);
    // A subscriber that arrives after the restart finds it all retained again.
    assert.equal(await w.waitFor('site1/ups/status'), 'online');
    assert.equal(await w.waitFor('site1/ups/u/battery.charge'), '42');
    assert.equal(await w.waitFor('site1/ups/u/ups.status'), 'OB DISCHRG');
    assert.equal(await w.waitFor('site1/ups/b2/battery.charge'), '50');
    assert.equal(await w.waitFor('site1/ups/u/availability'), 'online');
    const d = JSON.parse(await w.waitFor(`homeassistant/sensor/${NODE}_u/battery_charge/config`)) as { state_topic: string; device: { model: string } };
    assert.equal(d.state_topic, 'site1/ups/u/battery.charge');
    assert.equal(d.device.model, 'M1');
    assert.ok(log.lines.some((l) => l.includes(`reconnected to ${broker.url}`)));

    // A clean stop says offline for the agent and each UPS.
    const m2 = w.messages.length;
    await bridge.stop();
    await w.waitFor('site1/ups/status', (p) => p === 'offline', 15_000, m2);
    await w.waitFor('site1/ups/b2/availability', (p) => p === 'offline', 15_000, m2);
  } finally {
    await w?.close();
    await bridge.stop();
    await broker.stop();
  }
});
