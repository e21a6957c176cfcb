/**
 * The usbhid driver over recorded devices (replay transport), with a real
 * EventBus + UpsStore and fake timers: what it publishes, polling, interrupt
 * reports, the Feature report bytes of SET VAR and INSTCMD, disconnects and
 * reconnects, device matching and cleanup.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../src/core/errors';
import type { HidDeviceInfo, HidTransport } from '../../src/drivers/usbhid/types';
import { HidTransportError } from '../../src/drivers/usbhid/types';
import { ReplayTransport } from '../../src/drivers/usbhid/transport/replay';
import type { HidConnector } from '../../src/drivers/usbhid/transport/connector';
import { createDriver } from '../../src/drivers/registry';
import { EventBus } from '../../src/core/bus';
import { UpsStore } from '../../src/core/state';
import { MemoryLogger } from '../../src/core/logger';
import { fixtureDump, hex, rig, typeOf, FIXTURES } from './usbhid-helpers';
import { defaultMapping } from '../../src/drivers/usbhid/index';
import type { MappingLayer } from '../../src/drivers/usbhid/driver';
import { resolve } from 'node:path';

const SIMPLE = fixtureDump('simple-ups.dev');
const NO_IDS = fixtureDump('no-report-ids.dev');

async function rejectsWith(p: Promise<unknown>, failure: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof RequestError && err.failure === failure);
}

void describe('usbhid driver: what it publishes', () => {
  test('every variable of the recording, usbhid-ups driver variables, types and commands', async () => {
    const r = rig(SIMPLE, { pollfreq: 60, vendorid: 'f055' });
    await r.driver.start();
    assert.deepEqual(r.list(), [
      'battery.charge: 95',
      'battery.charge.low: 10',
      'battery.charge.warning: 50',
      'battery.runtime: 1800',
      'battery.voltage: 13.6',
      'battery.voltage.nominal: 12.0',
      'device.mfr: Upsagent Test Works',
      'device.model: Simple UPS 650',
      'device.serial: SU650-0001',
      'device.type: ups',
      'driver.name: usbhid-ups',
      'driver.parameter.pollfreq: 60',
      'driver.parameter.pollinterval: 2',
      'driver.parameter.port: auto',
      'driver.parameter.synchronous: auto',
      'driver.parameter.vendorid: f055',
      'driver.state: quiet',
      'driver.version: 9.9.9',
      'driver.version.data: Generic HID 0.1',
      'input.voltage: 230.4',
      'output.voltage: 230.0',
      'ups.beeper.status: enabled',
      'ups.delay.shutdown: 20',
      'ups.delay.start: 30',
      'ups.load: 23',
      'ups.mfr: Upsagent Test Works',
      'ups.model: Simple UPS 650',
      'ups.productid: 0001',
      'ups.serial: SU650-0001',
      'ups.status: OL CHRG',
      'ups.test.result: Done and passed',
      'ups.timer.shutdown: -1',
      'ups.timer.start: -1',
      'ups.vendorid: f055',
    ]);
    const view = r.store.get('u')!;
    assert.equal(typeOf(view.getVar('battery.charge.low')!), 'RW STRING:10');
    assert.equal(typeOf(view.getVar('ups.delay.shutdown')!), 'RW STRING:10');
    assert.equal(typeOf(view.getVar('battery.charge')!), 'NUMBER');
    assert.deepEqual(view.commands(), [
      'beeper.disable',
      'beeper.enable',
      'beeper.mute',
      'load.off',
      'load.off.delay',
      'load.on',
      'load.on.delay',
      'shutdown.return',
      'shutdown.stayoff',
      'shutdown.stop',
      'test.battery.start.deep',
      'test.battery.start.quick',
      'test.battery.stop',
    ]);
    assert.deepEqual({ ...view.health }, { attached: true, dumpDone: true, staleFlag: false, lastUpdate: r.timers.now, driverState: 'connected' });
    assert.deepEqual(r.driver.status().subdriver, 'Generic HID 0.1');
    assert.match(r.lines.join('\n'), /connected to f055:0001 Upsagent Test Works Simple UPS 650 \(serial SU650-0001\) at test\.dev, subdriver Generic HID 0\.1/);
    await r.driver.stop();
  });

  test('pollonly and onlinedischarge are published as driver flags', async () => {
    const r = rig(SIMPLE, { pollonly: true, onlinedischarge: true, serial: 'SU650-.*' });
    await r.driver.start();
    assert.equal(r.get('driver.flag.pollonly'), 'enabled');
    assert.equal(r.get('driver.flag.onlinedischarge'), 'enabled');
    assert.equal(r.get('driver.parameter.serial'), 'SU650-.*');
    await r.driver.stop();
  });

  test('a device without report IDs', async () => {
    const r = rig(NO_IDS);
    await r.driver.start();
    assert.equal(r.get('battery.charge'), '50');
    assert.equal(r.get('battery.runtime'), '300');
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    // Its Input report has no ID byte either.
    r.transport.input([0x20]);
    assert.equal(r.get('battery.charge'), '32');
    await r.driver.stop();
  });

  test('a string index the transport can resolve is published (battery.type from iDeviceChemistry)', async () => {
    const r = rig(SIMPLE, {}, { strings: new Map([[4, 'PbAc']]) });
    await r.driver.start();
    assert.equal(r.get('battery.type'), 'PbAc');
    await r.driver.stop();
  });

  test('the registry creates it for driver: usbhid with a recording as port', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const publisher = store.addUps('x');
    const d = await createDriver({ driver: 'usbhid', port: resolve(FIXTURES, 'simple-ups.dev') }, { ups: 'x', bus, publisher, log: new MemoryLogger() });
    await d.start();
    assert.equal(store.get('x')?.getVar('ups.status')?.value, 'OL CHRG');
    await d.stop();
  });

  test('a missing recording as port: logged and retried, the agent is not stopped', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const publisher = store.addUps('x');
    const lines: string[] = [];
    const d = await createDriver({ driver: 'usbhid', port: resolve(FIXTURES, 'nope.dev') }, { ups: 'x', bus, publisher, log: new MemoryLogger(lines) });
    await d.start();
    assert.equal(store.get('x')?.health.driverState, 'disconnected');
    assert.match(lines.join('\n'), /warn .*nope\.dev: .*cannot read the recording.*retrying in 2 s/);
    await d.stop();
  });
});

void describe('usbhid driver: polling and interrupt reports', () => {
  test('quick polls read the status reports every pollInterval; everything every pollfreq', async () => {
    const r = rig(SIMPLE, { pollInterval: 2, pollfreq: 10 });
    await r.driver.start();
    assert.deepEqual(new Set(r.transport.reads), new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'start: every report the table uses');
    r.transport.reads.length = 0;
    await r.advance(2000);
    assert.deepEqual(new Set(r.transport.reads), new Set([5, 7]), 'quick: PresentStatus and the timers');
    r.transport.reads.length = 0;
    await r.advance(6000);
    assert.deepEqual([...r.transport.reads].sort(), [5, 5, 5, 7, 7, 7]);
    r.transport.reads.length = 0;
    await r.advance(2000);
    // 10 s after the last full update: a full one.
    for (const id of [2, 3, 4, 5, 6, 7, 8, 9, 10]) assert.ok(r.transport.reads.includes(id), `report ${id} read`);
    assert.equal(r.transport.reads.length, new Set(r.transport.reads).size, 'each report once');
    assert.equal(r.timers.count, 1, 'one poll timer at a time');
    await r.driver.stop();
  });

  test('data stays fresh while polls succeed: dataOk at each poll', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await r.advance(20_000);
    const view = r.store.get('u')!;
    assert.equal(view.health.lastUpdate, r.timers.now);
    assert.equal(view.isStale(15_000, r.timers.now), false);
    await r.driver.stop();
  });

  test('an Input report updates values at once, without waiting for a poll', async () => {
    const r = rig(SIMPLE);
    const statuses: string[] = [];
    r.bus.on('ups.status', r, (e) => statuses.push(`${e.from} -> ${e.to}`));
    await r.driver.start();
    r.store.flush();
    // PresentStatus: ACPresent 0, Charging 0, Discharging 1.
    r.transport.input([0x05, 0x04]);
    r.transport.input([0x02, 0x14, 0x10, 0x0e]);
    // Report 10 as Input carries only the load, at offset 0 (its Feature layout differs).
    r.transport.input([0x0a, 0x2a]);
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    assert.equal(r.get('battery.charge'), '20');
    assert.equal(r.get('battery.runtime'), '3600');
    assert.equal(r.get('ups.load'), '42');
    assert.equal(r.get('output.voltage'), '230.0', 'the Feature field sharing report 10 is untouched');
    r.store.flush();
    assert.deepEqual(statuses, [' -> OL CHRG', 'OL CHRG -> OB DISCHRG']);
    await r.driver.stop();
  });

  test('Input reports the device does not declare, or too short, are ignored', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    const before = r.list();
    r.transport.input([0x63, 1, 2, 3]);
    r.transport.input([0x02]);
    r.transport.input([]);
    r.transport.input([0x01, 0xff]);
    assert.deepEqual(r.list(), before);
    await r.driver.stop();
  });

  test('pollonly: Input reports are ignored', async () => {
    const r = rig(SIMPLE, { pollonly: true });
    await r.driver.start();
    r.transport.input([0x05, 0x04]);
    assert.equal(r.get('ups.status'), 'OL CHRG');
    await r.driver.stop();
  });
});

void describe('usbhid driver: SET VAR and INSTCMD write Feature reports', () => {
  test('SET battery.charge.low writes report 3, keeping the field beside it; the new value is read back', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await r.set('battery.charge.low', '20');
    assert.deepEqual(r.transport.writes.map(hex), ['03 14 32']);
    assert.equal(r.get('battery.charge.low'), '20');
    assert.equal(r.get('battery.charge.warning'), '50');
    assert.match(r.lines.join('\n'), /SET battery\.charge\.low = "20"/);
    await r.driver.stop();
  });

  test('INSTCMD: test.battery.start.quick / test.battery.stop / beeper.disable', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await r.cmd('test.battery.start.quick');
    await r.cmd('test.battery.stop');
    await r.cmd('beeper.disable');
    assert.deepEqual(r.transport.writes.map(hex), ['08 01', '08 03', '06 01']);
    assert.equal(r.get('ups.beeper.status'), 'disabled', 'read back at once after the command');
    await r.driver.stop();
  });

  test('load.off writes DelayBeforeShutdown 0 and keeps DelayBeforeStartup in the same report', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await r.cmd('load.off');
    assert.deepEqual(r.transport.writes.map(hex), ['07 00 00 ff ff']);
    assert.equal(r.get('ups.timer.shutdown'), '0');
    await r.cmd('load.off.delay', '300');
    assert.equal(hex(r.transport.writes[1]), '07 2c 01 ff ff');
    await r.driver.stop();
  });

  test('shutdown.return: start delay then shutdown delay, from the ups.delay.* values (set server side first)', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await r.set('ups.delay.shutdown', '60');
    assert.equal(r.transport.writes.length, 0, 'ups.delay.shutdown is kept by the driver, nothing is written');
    assert.equal(r.get('ups.delay.shutdown'), '60');
    await r.cmd('shutdown.return');
    assert.deepEqual(r.transport.writes.map(hex), ['07 ff ff 1e 00', '07 3c 00 1e 00']);
    await r.cmd('shutdown.stop');
    assert.equal(hex(r.transport.writes[2]), '07 ff ff 1e 00');
    await r.driver.stop();
  });

  test('refused requests: unknown, read-only, invalid, unsupported command; nothing written', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    await rejectsWith(r.set('no.such.var', '1'), 'VAR-NOT-SUPPORTED');
    await rejectsWith(r.set('battery.charge', '50'), 'READONLY');
    await rejectsWith(r.set('battery.charge.low', 'ten'), 'INVALID-VALUE');
    await rejectsWith(r.set('battery.charge.low', '12345678901'), 'TOO-LONG');
    await rejectsWith(r.cmd('shutdown.reboot'), 'CMD-NOT-SUPPORTED');
    await rejectsWith(r.cmd('load.off.delay', 'soon'), 'INVALID-ARGUMENT');
    assert.deepEqual(r.transport.writes, []);
    await r.driver.stop();
  });

  test('a write the device refuses is SET-FAILED / INSTCMD-FAILED; a vanished device also disconnects', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    const send = r.transport.sendFeatureReport.bind(r.transport);
    r.transport.sendFeatureReport = async () => {
      throw new HidTransportError('EPIPE', false);
    };
    await rejectsWith(r.set('battery.charge.low', '20'), 'SET-FAILED');
    await rejectsWith(r.cmd('beeper.mute'), 'INSTCMD-FAILED');
    assert.equal(r.driver.status().connected, true);
    r.transport.sendFeatureReport = async () => {
      throw new HidTransportError('gone', true);
    };
    await rejectsWith(r.cmd('beeper.mute'), 'INSTCMD-FAILED');
    assert.equal(r.driver.status().connected, false);
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    r.transport.sendFeatureReport = send;
    await rejectsWith(r.cmd('beeper.mute'), 'DRIVER-NOT-CONNECTED');
    await r.driver.stop();
  });
});

void describe('usbhid driver: disconnects and reconnects', () => {
  test('the device vanishes mid-poll: stale; it returns: reconnected and fresh, without a restart', async () => {
    const r = rig(SIMPLE, { pollInterval: 2 });
    const states: string[] = [];
    r.bus.on('driver.state', r, (e) => states.push(e.state));
    await r.driver.start();
    const view = r.store.get('u')!;
    // The quick poll reads report 5, then the device is gone before report 7.
    r.transport.vanishAfterReads(1);
    await r.advance(2000);
    assert.equal(view.health.staleFlag, true);
    assert.equal(view.health.driverState, 'disconnected');
    assert.equal(r.get('battery.charge'), '95', 'the last values stay (marked stale)');
    assert.equal(r.driver.status().connected, false);
    assert.match(r.lines.join('\n'), /warn .*lost f055:0001 Upsagent Test Works Simple UPS 650 \(serial SU650-0001\) at test\.dev: test\.dev: the device is unplugged/);
    await rejectsWith(r.set('battery.charge.low', '20'), 'DRIVER-NOT-CONNECTED');

    // Retries while it is away back off: 2 s, 4 s, 8 s...
    assert.deepEqual(r.timers.delays(), [2000]);
    await r.advance(2000);
    assert.deepEqual(r.timers.delays(), [4000]);
    await r.advance(4000);
    assert.deepEqual(r.timers.delays(), [8000]);
    assert.equal(view.health.staleFlag, true);

    r.transport.replug();
    await r.advance(8000);
    assert.equal(view.health.staleFlag, false);
    assert.equal(view.health.driverState, 'connected');
    assert.equal(view.health.lastUpdate, r.timers.now);
    assert.equal(r.driver.status().connected, true);
    assert.match(r.lines.join('\n'), /info .*connected again to f055:0001/);
    assert.deepEqual(states, ['connected', 'disconnected', 'connected']);
    // Polling goes on at the normal interval, and the backoff starts over.
    assert.deepEqual(r.timers.delays(), [2000]);
    r.transport.reads.length = 0;
    await r.advance(2000);
    assert.deepEqual(new Set(r.transport.reads), new Set([5, 7]));
    await r.set('battery.charge.low', '20');
    assert.equal(r.get('battery.charge.low'), '20');
    await r.driver.stop();
  });

  test('an unplug event between polls is handled the same way', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    r.transport.unplug(new Error('USB device removed'));
    await r.settle();
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    r.transport.replug();
    await r.advance(2000);
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    await r.driver.stop();
  });

  test('a device absent at start: start() resolves, data is stale, it is picked up when it appears', async () => {
    const r = rig(SIMPLE);
    r.transport.unplug();
    await r.driver.start();
    const view = r.store.get('u')!;
    assert.equal(view.health.driverState, 'disconnected');
    assert.equal(view.health.dumpDone, false);
    assert.equal(r.get('driver.name'), 'usbhid-ups', 'driver variables are there from the start');
    assert.equal(r.get('ups.status'), undefined);
    r.transport.replug();
    await r.advance(2000);
    assert.equal(r.get('ups.status'), 'OL CHRG');
    assert.equal(view.health.dumpDone, true);
    await r.driver.stop();
  });

  test('reconnecting refuses a device with a different serial, and takes the right one when it returns', async () => {
    const other = new ReplayTransport({ ...SIMPLE, device: { ...SIMPLE.device, serialNumber: 'SU650-0002' } }, { source: 'other.dev' });
    let offer: 'same' | 'other' = 'same';
    const seen: Array<HidDeviceInfo | undefined> = [];
    const r = rig(SIMPLE, {}, {
      connector: (t): HidConnector => ({
        target: 'test',
        connect: async (previous?: HidDeviceInfo): Promise<HidTransport> => {
          seen.push(previous);
          return offer === 'same' ? t : other;
        },
      }),
    });
    await r.driver.start();
    assert.equal(seen[0], undefined, 'the first connection has no device to look for');
    r.transport.unplug();
    await r.settle();
    offer = 'other';
    await r.advance(2000);
    assert.equal(r.driver.status().connected, false);
    assert.equal(seen[1]?.serialNumber, 'SU650-0001', 'reconnects look for the device seen before');
    assert.match(r.lines.join('\n'), /other\.dev is not this UPS: its serial is "SU650-0002", not "SU650-0001"/);
    assert.equal(other.isOpen, false, 'the wrong device is closed again');
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    offer = 'same';
    r.transport.replug();
    await r.advance(4000);
    assert.equal(r.driver.status().connected, true);
    assert.equal(r.get('ups.serial'), 'SU650-0001');
    await r.driver.stop();
  });

  test('configured matching refuses a device whose serial does not match, even the first time', async () => {
    const r = rig(SIMPLE, { serial: 'SU650-0002' });
    await r.driver.start();
    assert.equal(r.driver.status().connected, false);
    assert.match(r.driver.status().lastError?.message ?? '', /serial "SU650-0001" does not match SU650-0002/);
    assert.equal(r.get('ups.status'), undefined);
    await r.driver.stop();
  });

  test('a device that refuses every report is reopened, not polled forever', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    const get = r.transport.getFeatureReport.bind(r.transport);
    r.transport.getFeatureReport = async () => {
      throw new HidTransportError('timeout', false);
    };
    await r.advance(2000);
    assert.equal(r.driver.status().connected, false);
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    assert.match(r.lines.join('\n'), /no feature report could be read \(timeout\)/);
    r.transport.getFeatureReport = get;
    await r.advance(2000);
    assert.equal(r.driver.status().connected, true);
    await r.driver.stop();
  });

  test('repeated failures are logged once at warn, then at debug', async () => {
    const r = rig(SIMPLE);
    r.transport.unplug();
    await r.driver.start();
    await r.advance(2000 + 4000 + 8000);
    const warns = r.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warns.length, 1);
    assert.equal(r.lines.filter((l) => l.startsWith('debug') && /retrying/.test(l)).length, 3);
    await r.driver.stop();
  });
});

void describe('usbhid driver: a failure of ours never stops it', () => {
  test('the mapping throwing during a poll or on an Input report: logged, stale, polling goes on', async () => {
    let failing = false;
    const mapping: MappingLayer = {
      ...defaultMapping,
      createMapper: (sub, desc, info, o) => {
        const m = defaultMapping.createMapper(sub, desc, info, o);
        const compute = m.compute.bind(m);
        m.compute = (values, strings) => {
          if (failing) throw new Error('table bug');
          return compute(values, strings);
        };
        return m;
      },
    };
    const r = rig(SIMPLE, {}, { mapping });
    await r.driver.start();
    failing = true;
    r.transport.input([0x05, 0x04]);
    await r.advance(2000);
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    assert.ok(r.lines.filter((l) => l.startsWith('error') && /table bug/.test(l)).length >= 2, 'both failures logged');
    assert.equal(r.timers.count, 1, 'the next poll is scheduled');
    failing = false;
    await r.advance(2000);
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    assert.equal(r.get('ups.status'), 'OL CHRG');
    await r.driver.stop();
  });
});

void describe('usbhid driver: stop', () => {
  test('stop() clears timers and handlers, closes the device, detaches from the store', async () => {
    const r = rig(SIMPLE);
    await r.driver.start();
    assert.equal(r.timers.count, 1);
    assert.ok(r.bus.hasHandler('ups.setvar', 'u'));
    await r.driver.stop();
    assert.equal(r.timers.count, 0);
    assert.ok(!r.bus.hasHandler('ups.setvar', 'u'));
    assert.ok(!r.bus.hasHandler('ups.instcmd', 'u'));
    assert.equal(r.transport.isOpen, false);
    assert.equal(r.store.get('u')!.health.attached, false);
    r.transport.reads.length = 0;
    await r.advance(60_000);
    assert.deepEqual(r.transport.reads, []);
    // A late event from the device after stop does nothing.
    r.transport.input([0x05, 0x04]);
    assert.equal(r.get('ups.status'), undefined);
  });

  test('stop() while reconnecting cancels the retry', async () => {
    const r = rig(SIMPLE);
    r.transport.unplug();
    await r.driver.start();
    assert.equal(r.timers.count, 1);
    await r.driver.stop();
    assert.equal(r.timers.count, 0);
  });
});
