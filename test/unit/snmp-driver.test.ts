/**
 * The snmp driver against a fake card (test/helpers/snmp-fake.ts) loaded
 * with our recordings: what it publishes for the ietf and apc mappings,
 * ups.status, mibs=auto's order, the SETs of commands and writes, a card
 * that stops answering (stale, never blocking), and values that are garbage.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { RequestError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { SnmpDriver } from '../../src/drivers/snmp/driver';
import type { SnmpSessionOptions } from '../../src/drivers/snmp/net-snmp-transport';
import type { SnmpValue } from '../../src/drivers/snmp/transport';
import { FakeCard, fixture } from '../helpers/snmp-fake';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const int = (value: number): SnmpValue => ({ kind: 'int', value });
const str = (s: string): SnmpValue => ({ kind: 'string', value: Buffer.from(s, 'latin1') });

function rig(card: FakeCard, cfg: Partial<UpsConfig> = {}) {
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const log = new MemoryLogger(lines);
  const sessions: SnmpSessionOptions[] = [];
  const keepAlive = setInterval(() => undefined, 1000);
  stops.push(async () => clearInterval(keepAlive));
  const driver = new SnmpDriver({ driver: 'snmp', port: '192.0.2.7', pollInterval: 0.1, ...cfg }, { ups: 'u', bus, publisher, log }, {
    createTransport: (o) => {
      sessions.push(o);
      return card;
    },
  });
  stops.push(() => driver.stop());
  const view = () => store.get('u')!;
  return {
    driver,
    lines,
    sessions,
    view,
    get: (n: string) => view().getVar(n)?.value,
    info: (n: string) => view().getVar(n),
    stale: () => view().health.staleFlag,
    set: (name: string, value: string) => bus.request('ups.setvar', { ups: 'u', name, value }),
    cmd: (name: string, param?: string) => bus.request('ups.instcmd', { ups: 'u', name, ...(param !== undefined ? { param } : {}) }),
  };
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('snmp driver: ietf (RFC 1628 UPS-MIB)', () => {
  test('publishes the recording as NUT maps it: multipliers, "%.2f" for fractions, lookups, flags, phases', async () => {
    const card = new FakeCard(fixture('ietf'));
    const r = rig(card, { snmp_version: 'v2c', community: 'ietf' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'ietf MIB 1.55');
    assert.equal(r.get('ups.mfr'), 'Tripp Lite');
    assert.equal(r.get('device.mfr'), 'Tripp Lite');
    assert.equal(r.get('ups.model'), 'SU2200RTXL2Ua');
    // upsEstimatedMinutesRemaining 55 × 60; upsBatteryVoltage 560 × 0.1 is whole, so "%i".
    assert.equal(r.get('battery.runtime'), '3300');
    assert.equal(r.get('battery.voltage'), '56');
    // upsInputFrequency 599 × 0.1 has a fraction: two decimals, as snmp-ups prints it.
    assert.equal(r.get('input.frequency'), '59.90');
    assert.equal(r.get('input.voltage'), '124');
    assert.equal(r.get('input.phases'), '1');
    // Three-phase entries of a one-phase UPS are not published.
    assert.equal(r.get('input.L1-N.voltage'), undefined);
    assert.equal(r.get('ups.status'), 'OL');
    assert.equal(r.get('battery.current'), '0');
    const contact = r.info('device.contact')!;
    assert.equal(contact.value, 'ops@example.net');
    assert.deepEqual([contact.flags.rw, contact.flags.string, contact.maxLength], [true, true, 128]);
    assert.ok(r.view().hasCommand('beeper.disable'));
    assert.ok(r.view().hasCommand('test.battery.start'));
    assert.ok(r.view().hasCommand('load.off'));
    // Detection is one GET, the command check one, the first walk one (plus OID-valued follow-ups): a few round trips.
    assert.ok(card.gets.length <= 6, `${card.gets.length} GETs to open`);
  });

  test('ups.status from upsOutputSource, upsBatteryStatus, upsTestId and the overload alarm, each word once', async () => {
    const values = fixture('ietf');
    const card = new FakeCard(values);
    const r = rig(card, { snmp_version: 'v2c' });
    await r.driver.start();
    values.set('1.3.6.1.2.1.33.1.4.1.0', int(5)); // battery
    values.set('1.3.6.1.2.1.33.1.2.1.0', int(3)); // batteryLow
    // NUT adds the words in table order: upsBatteryStatus comes before upsOutputSource.
    await until('LB OB', () => r.get('ups.status') === 'LB OB');
    values.set('1.3.6.1.2.1.33.1.4.1.0', int(4)); // bypass: "OL BYPASS"
    values.set('1.3.6.1.2.1.33.1.2.1.0', int(2));
    await until('OL BYPASS', () => r.get('ups.status') === 'OL BYPASS');
    values.set('1.3.6.1.2.1.33.1.4.1.0', int(7)); // reducer
    values.set('1.3.6.1.2.1.33.1.7.1.0', int(5)); // deep calibration
    await until('OL TRIM CAL', () => r.get('ups.status') === 'OL TRIM CAL');
  });

  test('commands and writes send the SETs NUT sends', async () => {
    const card = new FakeCard(fixture('ietf'));
    const r = rig(card, { snmp_version: 'v2c' });
    await r.driver.start();
    await r.cmd('beeper.disable');
    await r.cmd('beeper.mute');
    await r.cmd('load.off');
    // NUT's ietf table sends 0 to upsTestId for every test command.
    await r.cmd('test.battery.start');
    await r.set('device.contact', 'noc@example.org');
    await r.set('ups.timer.shutdown', '60');
    assert.deepEqual(card.sets, [
      { oid: '1.3.6.1.2.1.33.1.9.8.0', type: 'i', value: '1' },
      { oid: '1.3.6.1.2.1.33.1.9.8.0', type: 'i', value: '3' },
      { oid: '1.3.6.1.2.1.33.1.8.2.0', type: 'i', value: '0' },
      { oid: '1.3.6.1.2.1.33.1.7.1.0', type: 'i', value: '0' },
      { oid: '1.3.6.1.2.1.1.4.0', type: 's', value: 'noc@example.org' },
      { oid: '1.3.6.1.2.1.33.1.8.2.0', type: 's', value: '60' },
    ]);
    assert.equal(r.get('device.contact'), 'noc@example.org');
    await assert.rejects(r.set('ups.mfr', 'x'), (e: unknown) => e instanceof RequestError && e.failure === 'READONLY');
    await assert.rejects(r.set('device.contact', 'x'.repeat(129)), (e: unknown) => e instanceof RequestError && e.failure === 'TOO-LONG');
    await assert.rejects(r.cmd('shutdown.reboot'), (e: unknown) => e instanceof RequestError);
  });
});

describe('snmp driver: apc (PowerNet)', () => {
  test('high-precision OIDs win (UNIQUE), status words, writable enums, APC defaults', async () => {
    const card = new FakeCard(fixture('apc'));
    const r = rig(card, { snmp_version: 'v1', community: 'apc' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'apcc MIB 1.61');
    assert.equal(r.get('ups.mfr'), 'APC');
    // upsHighPrecInputLineVoltage 2232 × 0.1 wins over upsAdvInputLineVoltage (UNIQUE), printed "%.2f".
    assert.equal(r.get('input.voltage'), '223.20');
    assert.equal(r.get('battery.voltage'), '54.80');
    assert.equal(r.get('ups.load'), '22.70');
    assert.equal(r.get('ups.status'), 'OL');
    assert.equal(r.get('input.transfer.reason'), 'selfTest');
    // ups.delay.shutdown: TimeTicks in seconds times the table's info_len (3), as snmp-ups publishes it.
    assert.equal(r.get('ups.delay.shutdown'), '810');
    const sens = r.info('input.sensitivity')!;
    assert.equal(sens.value, 'medium');
    assert.deepEqual(sens.enums, ['auto', 'low', 'medium', 'high']);
    assert.ok(sens.flags.rw);
    assert.equal(r.get('ambient.temperature'), '22.0');
    assert.ok(r.view().hasCommand('shutdown.return'));
  });

  test('apc commands: shutdown.return, load.off, bypass and calibration as NUT sends them', async () => {
    const card = new FakeCard(fixture('apc'));
    const r = rig(card, { snmp_version: 'v2c' });
    await r.driver.start();
    for (const c of ['shutdown.return', 'load.off', 'shutdown.stayoff', 'calibrate.start', 'calibrate.stop']) {
      if (r.view().hasCommand(c)) await r.cmd(c);
    }
    const want: Record<string, { oid: string; type: 'i'; value: string }> = {
      'shutdown.return': { oid: '1.3.6.1.4.1.318.1.1.1.6.1.1.0', type: 'i', value: '2' },
      'load.off': { oid: '1.3.6.1.4.1.318.1.1.1.6.2.1.0', type: 'i', value: '2' },
      'shutdown.stayoff': { oid: '1.3.6.1.4.1.318.1.1.1.6.2.1.0', type: 'i', value: '3' },
      'calibrate.start': { oid: '1.3.6.1.4.1.318.1.1.1.7.2.5.0', type: 'i', value: '2' },
      'calibrate.stop': { oid: '1.3.6.1.4.1.318.1.1.1.7.2.5.0', type: 'i', value: '3' },
    };
    const expected = Object.entries(want).filter(([c]) => r.view().hasCommand(c)).map(([, s]) => s);
    assert.ok(expected.length >= 2, 'the recording has the APC command OIDs');
    assert.deepEqual(card.sets, expected);
  });

  test('apc status lookups: onBattery + batteryLow + replace battery + calibration in progress', async () => {
    const values = fixture('apc');
    const card = new FakeCard(values);
    const r = rig(card, { snmp_version: 'v2c' });
    await r.driver.start();
    values.set('1.3.6.1.4.1.318.1.1.1.4.1.1.0', int(3));
    values.set('1.3.6.1.4.1.318.1.1.1.2.1.1.0', int(3));
    values.set('1.3.6.1.4.1.318.1.1.1.2.2.4.0', int(2));
    values.set('1.3.6.1.4.1.318.1.1.1.7.2.6.0', int(3));
    await until('OB LB CAL RB', () => r.get('ups.status') === 'OB LB CAL RB');
    values.set('1.3.6.1.4.1.318.1.1.1.4.1.1.0', int(12));
    values.set('1.3.6.1.4.1.318.1.1.1.2.1.1.0', int(2));
    values.set('1.3.6.1.4.1.318.1.1.1.2.2.4.0', int(1));
    values.set('1.3.6.1.4.1.318.1.1.1.7.2.6.0', int(1));
    await until('OL TRIM', () => r.get('ups.status') === 'OL TRIM');
  });
});

describe('snmp driver: what each poll reads', () => {
  test('static values once, semi-static every semistaticfreq full polls, ups.status at every quick poll', async () => {
    const card = new FakeCard(fixture('apc'));
    const r = rig(card, { snmp_version: 'v2c', pollfreq: 1, pollInterval: 0.2, semistaticfreq: 2 });
    await r.driver.start();
    const asked = (oid: string, from: number) => card.gets.slice(from).filter((g) => g.includes(oid)).length;
    const start = card.gets.length;
    await sleep(3400);
    const model = '1.3.6.1.4.1.318.1.1.1.1.1.1.0'; // ups.model: static
    const testDate = '1.3.6.1.4.1.318.1.1.1.7.2.4.0'; // ups.test.date: semi-static
    const voltage = '1.3.6.1.4.1.318.1.1.1.3.3.1.0'; // input.voltage: every full poll
    const power = '1.3.6.1.4.1.318.1.1.1.4.1.1.0'; // ups.status (power): every poll
    const full = asked(voltage, start);
    assert.ok(full >= 2 && full <= 4, `${full} full polls in 3.4 s at pollfreq 1`);
    assert.equal(asked(model, start), 0);
    const semi = asked(testDate, start);
    assert.ok(semi >= 1 && semi <= Math.ceil(full / 2), `semi-static read ${semi} times in ${full} full polls`);
    assert.ok(asked(power, start) >= full + 5, 'ups.status is read between the full polls too');
  });
});

describe('snmp driver: mibs=auto detection in NUT order', () => {
  const both = (): Map<string, SnmpValue> => {
    const m = fixture('ietf');
    m.set('1.3.6.1.4.1.318.1.1.1.1.1.1.0', str('Smart-UPS 1500'));
    return m;
  };
  test('sysObjectID picks its mapping even when an earlier one would answer', async () => {
    const r = rig(new FakeCard(both()), { snmp_version: 'v2c' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'ietf MIB 1.55');
  });
  test('an unknown sysObjectID: the first mapping whose model OID answers (apcc before ietf)', async () => {
    const m = both();
    m.set('1.3.6.1.2.1.1.2.0', { kind: 'oid', value: '1.3.6.1.4.1.99999.1' });
    const r = rig(new FakeCard(m), { snmp_version: 'v2c' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'apcc MIB 1.61');
  });
  test('an unknown sysObjectID on a plain UPS-MIB card: tripplite comes before ietf in mib2nut[]', async () => {
    const m = fixture('ietf');
    m.set('1.3.6.1.2.1.1.2.0', { kind: 'oid', value: '1.3.6.1.4.1.99999.1' });
    const r = rig(new FakeCard(m), { snmp_version: 'v2c' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'tripplite MIB 1.55');
  });
  test('mibs= forces a mapping; one the card does not answer fails to open with why', async () => {
    const r = rig(new FakeCard(both()), { snmp_version: 'v2c', mibs: 'apcc' });
    await r.driver.start();
    assert.equal(r.get('driver.version.data'), 'apcc MIB 1.61');
    const r2 = rig(new FakeCard(fixture('ietf')), { snmp_version: 'v2c', mibs: 'mge' });
    await r2.driver.start();
    assert.equal(r2.driver.status().connected, false);
    assert.match(r2.driver.status().lastError!.message, /did not match this device/);
  });
});

describe('snmp driver: a card that stops answering', () => {
  test('goes stale within the deadline, requests fail promptly, and it comes back', async () => {
    const card = new FakeCard(fixture('ietf'));
    const r = rig(card, { snmp_version: 'v2c', timeout: 0.3, snmp_timeout: 0.1, snmp_retries: 0 });
    await r.driver.start();
    assert.equal(r.stale(), false);
    card.hang = true;
    await until('stale', () => r.stale(), 2000);
    const t0 = Date.now();
    await assert.rejects(r.cmd('beeper.mute'));
    assert.ok(Date.now() - t0 < 1500, 'a request to a dead card fails within its deadline');
    card.hang = false;
    await until('fresh again', () => !r.stale() && r.driver.status().connected, 5000);
    assert.equal(r.get('ups.status'), 'OL');
    // The community is a secret: never in the log.
    assert.ok(!r.lines.some((l) => l.includes('community') && l.includes('public')));
  });
});

describe('snmp driver: a slow card', () => {
  test('answers slower than the deadline: stale, while another card on its own driver stays fresh', async () => {
    const slow = new FakeCard(fixture('ietf'));
    const fast = new FakeCard(fixture('apc'));
    const a = rig(slow, { snmp_version: 'v2c', timeout: 0.3 });
    const b = rig(fast, { snmp_version: 'v2c', timeout: 0.3 });
    await a.driver.start();
    await b.driver.start();
    slow.delayMs = 600;
    await until('the slow card stale', () => a.stale(), 3000);
    const before = fast.gets.length;
    await sleep(500);
    assert.equal(b.stale(), false);
    assert.ok(fast.gets.length > before + 2, 'the other card kept being polled');
    slow.delayMs = 0;
    await until('the slow card fresh again', () => !a.stale() && a.driver.status().connected, 5000);
  });
});

describe('snmp driver: garbage from the card', () => {
  test('wrong types, unprintable strings, negative values and unknown lookups are handled as NUT does', async () => {
    const values = fixture('ietf');
    values.set('1.3.6.1.2.1.33.1.2.3.0', str('12')); // a number as OCTET STRING: strtol
    values.set('1.3.6.1.2.1.33.1.2.4.0', { kind: 'other', type: 64 }); // IpAddress for a number: nothing
    values.set('1.3.6.1.2.1.33.1.2.6.0', int(-5)); // NEGINVALID
    values.set('1.3.6.1.2.1.33.1.1.3.0', { kind: 'string', value: Buffer.from([0x01, 0xff, 0x41]) });
    values.set('1.3.6.1.2.1.33.1.7.3.0', int(99)); // no such test result
    values.set('1.3.6.1.2.1.33.1.4.1.0', int(42)); // no such output source
    const card = new FakeCard(values);
    const r = rig(card, { snmp_version: 'v2c' });
    await r.driver.start();
    assert.equal(r.get('battery.runtime'), '720');
    assert.equal(r.get('battery.charge'), undefined);
    assert.equal(r.get('battery.current'), undefined);
    assert.equal(r.get('ups.firmware'), '01 FF 41 ');
    assert.equal(r.get('ups.test.result'), undefined);
    assert.equal(r.get('ups.status'), '');
    assert.equal(r.driver.status().connected, true);
  });
});

describe('snmp driver: SNMPv1 batching', () => {
  test('noSuchName drops the OID and asks again; later polls do not ask for what the card lacks', async () => {
    const card = new FakeCard(fixture('ietf'), 'v1');
    const r = rig(card, { snmp_version: 'v1', pollfreq: 1 });
    await r.driver.start();
    assert.equal(r.get('ups.status'), 'OL');
    assert.equal(r.get('battery.charge'), '100');
    const before = card.gets.length;
    await sleep(1300);
    const polls = card.gets.slice(before);
    assert.ok(polls.length > 0);
    // Every GET after start is answered in one go: nothing the card lacks is asked again.
    // (upsTestId's value is an OID, which NUT reads each time and the recording does not have.)
    const pointed = new Set([...card.values.values()].flatMap((v) => (v.kind === 'oid' ? [v.value] : [])));
    for (const g of polls) for (const oid of g) assert.ok(card.values.has(oid) || pointed.has(oid), `asked ${oid} again`);
  });
});
