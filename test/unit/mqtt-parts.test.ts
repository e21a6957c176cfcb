/**
 * The MQTT bridge's parts without a broker: the mqtt: section's checks,
 * Home Assistant discovery documents built from a UPS in the store, the
 * command messages' forms, and the link's reconnect backoff on a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { EventBus } from '../../src/core/bus';
import { validateWith } from '../../src/core/config';
import { ConfigError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { parseCommand, runCommand } from '../../src/mqtt/commands';
import { mqttSectionSchema, topicSafe, type MqttConfig } from '../../src/mqtt/config';
import { discoveryMessages } from '../../src/mqtt/discovery';
import { MqttLink, MqttOfflineError } from '../../src/mqtt/link';
import { Topics } from '../../src/mqtt/topics';
import { FakeDriver } from '../helpers/fake-driver';
import { FakeClock } from '../helpers/fake-clock';

function mqttConfig(doc: Record<string, unknown>): MqttConfig {
  return validateWith(mqttSectionSchema, doc) as MqttConfig;
}

function problems(doc: Record<string, unknown>): string {
  try {
    mqttConfig(doc);
    return '';
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
}

test('mqtt: section: defaults, and bad values named', () => {
  const c = mqttConfig({ url: 'mqtt://broker.lan' });
  assert.deepEqual(
    [c.topicPrefix, c.discoveryPrefix, c.discovery, c.qos, c.retain, c.commands, c.reconnectMin, c.reconnectMax],
    ['upsagent', 'homeassistant', true, 1, true, [], 1, 60],
  );
  assert.equal(problems({ url: 'mqtts://broker.lan:8883' }), '');
  assert.match(problems({ url: 'http://broker' }), /url: "http:\/\/broker" is not mqtt:\/\/host\[:port\] or mqtts:\/\/host\[:port\]/);
  assert.match(problems({ url: 'mqtt://me:pw@broker' }), /must not hold credentials/);
  assert.match(problems({ url: 'mqtt://b', password: 'x' }), /user: is required with password/);
  assert.match(problems({ url: 'mqtt://b', topicPrefix: 'a/#' }), /topicPrefix: "a\/#" is not a topic/);
  assert.match(problems({ url: 'mqtt://b', qos: 3 }), /qos: number 3 is not a whole number from 0 to 2/);
  assert.match(problems({ url: 'mqtt://b', reconnectMin: 10, reconnectMax: 5 }), /reconnectMax: is 5 s, less than reconnectMin/);
  assert.equal(topicSafe('my ups/1+#'), 'my_ups_1__');
});

function upsWith(vars: Record<string, string>, cmds: string[] = []) {
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const d = new FakeDriver(bus, store.addUps('rack', 'Rack 1'));
  d.attach(vars, cmds);
  store.flush();
  return { view: store.get('rack')!, bus, driver: d };
}

const ctx = { topics: new Topics('upsagent'), discoveryPrefix: 'homeassistant', nodeId: 'n1', version: '1.2', allowed: ['beeper.disable', 'TEST.BATTERY.START.QUICK'] };

test('discovery: one document per variable HA knows, with classes and units; binary sensors from ups.status; buttons only for allowed commands the UPS has', () => {
  const { view } = upsWith(
    { 'ups.status': 'OL', 'battery.charge': '100', 'ups.temperature': '31.5', 'ups.realpower': '120', 'input.frequency': '50.0', 'ups.mfr': 'APC', 'ups.model': 'Smart-UPS 1500', 'ups.serial': 'AS123', 'ups.firmware': '690.1', 'driver.name': 'usbhid-ups' },
    ['beeper.disable', 'load.off', 'test.battery.start.quick'],
  );
  const docs = new Map(discoveryMessages(view, ctx).map((m) => [m.topic, m.payload]));
  const get = (t: string): Record<string, unknown> => {
    const d = docs.get(t);
    assert.ok(d, `no ${t}; have ${[...docs.keys()].join(', ')}`);
    return d;
  };
  const temp = get('homeassistant/sensor/n1_rack/ups_temperature/config');
  assert.deepEqual([temp.device_class, temp.unit_of_measurement, temp.state_class], ['temperature', '°C', 'measurement']);
  const power = get('homeassistant/sensor/n1_rack/ups_realpower/config');
  assert.deepEqual([power.device_class, power.unit_of_measurement], ['power', 'W']);
  const freq = get('homeassistant/sensor/n1_rack/input_frequency/config');
  assert.deepEqual([freq.device_class, freq.unit_of_measurement], ['frequency', 'Hz']);
  // The device block falls back to ups.* when device.* is absent.
  assert.deepEqual(temp.device, { identifiers: ['upsagent_n1_rack'], name: 'Rack 1', manufacturer: 'APC', model: 'Smart-UPS 1500', serial_number: 'AS123', sw_version: '690.1' });
  assert.ok(!docs.has('homeassistant/sensor/n1_rack/battery_runtime/config'), 'no sensor for a variable the UPS does not have');
  assert.ok(![...docs.keys()].some((t) => t.includes('driver_name')), 'no sensor for a variable HA has no class for');
  const ob = get('homeassistant/binary_sensor/n1_rack/on_battery/config');
  assert.equal(ob.value_template, "{{ 'ON' if 'OB' in value.split() else 'OFF' }}");
  const buttons = [...docs.keys()].filter((t) => t.startsWith('homeassistant/button/')).sort();
  assert.deepEqual(buttons, ['homeassistant/button/n1_rack/cmd_beeper_disable/config', 'homeassistant/button/n1_rack/cmd_test_battery_start_quick/config']);
  assert.equal(get(buttons[1]!).payload_press, 'test.battery.start.quick');
  for (const d of docs.values()) assert.match(String(d.unique_id), /^n1_rack_[a-z_]+$/);
  assert.equal(new Set([...docs.values()].map((d) => d.unique_id)).size, docs.size, 'unique ids are unique');
});

test('command messages: name, name and value, JSON, per-command topic; bad ones named', () => {
  assert.deepEqual(parseCommand('beeper.disable'), { command: 'beeper.disable' });
  assert.deepEqual(parseCommand(' load.off.delay 30 '), { command: 'load.off.delay', param: '30' });
  assert.deepEqual(parseCommand('{"command":"load.off.delay","param":30}'), { command: 'load.off.delay', param: '30' });
  assert.deepEqual(parseCommand('PRESS', 'beeper.enable'), { command: 'beeper.enable' });
  assert.deepEqual(parseCommand('20', 'load.off.delay'), { command: 'load.off.delay', param: '20' });
  assert.equal(parseCommand('a b c'), 'expected a command name, optionally followed by one value');
  assert.equal(parseCommand('{nope'), 'not valid JSON');
  assert.equal(parseCommand('{"param": "1"}'), 'a JSON command needs "command" (a string)');
  assert.match(String(parseCommand('x'.repeat(600))), /longer than 512 bytes/);
  const t = new Topics('a/b');
  assert.deepEqual(t.parseCommand('a/b/ups1/command'), { upsPart: 'ups1' });
  assert.deepEqual(t.parseCommand('a/b/ups1/command/load.off'), { upsPart: 'ups1', command: 'load.off' });
  assert.equal(t.parseCommand('a/b/ups1/result'), null);
  assert.equal(t.parseCommand('a/c/ups1/command'), null);
});

test('commands reach the driver through ups.instcmd, with NUT error words for the rest', async () => {
  const { view, bus, driver } = upsWith({ 'ups.status': 'OL' }, ['beeper.disable', 'load.off']);
  const log = new MemoryLogger();
  const deps = { bus, log, allowed: ['beeper.disable', 'shutdown.return'], maxAgeMs: 60_000, now: () => Date.now() };
  assert.deepEqual(await runCommand(deps, view, { command: 'BEEPER.DISABLE' }).then((r) => [r.ok, r.command]), [true, 'beeper.disable']);
  assert.deepEqual(driver.calls, [{ kind: 'instcmd', ups: 'rack', name: 'beeper.disable' }]);
  assert.equal((await runCommand(deps, view, { command: 'load.off' })).error, 'ACCESS-DENIED');
  assert.equal((await runCommand(deps, view, { command: 'shutdown.return' })).error, 'CMD-NOT-SUPPORTED');
  assert.equal((await runCommand(deps, view, { command: 'bad name!' })).error, 'INVALID-ARGUMENT');
  driver.failWith = 'INSTCMD-FAILED';
  assert.equal((await runCommand(deps, view, { command: 'beeper.disable', param: '1' })).error, 'INSTCMD-FAILED');
  driver.failWith = null;
  driver.pub.dataStale();
  assert.equal((await runCommand(deps, view, { command: 'beeper.disable' })).error, 'DATA-STALE');
  assert.equal(driver.calls.length, 2, 'refused commands never reach the driver');
});

/** Enough of an mqtt.js client for the link: connect/close events and reconnect(). */
class FakeClient extends EventEmitter {
  connected = false;
  reconnects = 0;
  reconnect(): this {
    this.reconnects++;
    return this;
  }
  publishAsync(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  endAsync(): Promise<void> {
    return Promise.resolve();
  }
  end(): this {
    return this;
  }
}

test('link: reconnects after 1, 2, 4 ... s up to reconnectMax, starts again at reconnectMin once connected; publish offline rejects', async () => {
  const clock = new FakeClock();
  const client = new FakeClient();
  const log = new MemoryLogger();
  const link = new MqttLink({ config: mqttConfig({ url: 'mqtt://b', reconnectMin: 1, reconnectMax: 8 }), log, clientId: 'c', clock, connect: () => client as unknown as MqttClient });
  let connects = 0;
  link.onConnect(() => {
    connects++;
  });
  link.start();
  await assert.rejects(link.publish('t', 'x'), MqttOfflineError);
  const retryTimes: number[] = [];
  const t0 = clock.now();
  for (let i = 0; i < 6; i++) {
    const before = client.reconnects;
    client.emit('close');
    while (client.reconnects === before) await clock.advance(100);
    retryTimes.push(clock.now() - t0);
  }
  const gaps = retryTimes.map((t, i) => t - (i === 0 ? 0 : retryTimes[i - 1]!));
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 8000, 8000]);
  client.connected = true;
  client.emit('connect');
  await clock.advance(0);
  assert.equal(connects, 1);
  assert.equal(link.nextDelayMs, 1000, 'a good connection resets the backoff');
  assert.equal(log.lines.filter((l) => l.startsWith('warn')).length, 1, 'one warning per outage, not one per retry');
  await link.stop();
});
