import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { RequestError, UpsAgentError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore, type VarInfo } from '../../src/core/state';
import { DummyDriver, resolveMode, type DummyOptions } from '../../src/drivers/dummy/driver';
import { MemorySource, type DummySource } from '../../src/drivers/dummy/source';
import { createDriver } from '../../src/drivers/registry';

const FIXTURES = resolve(__dirname, '../fixtures/dummy');
const fixture = (name: string): string => readFileSync(resolve(FIXTURES, name), 'latin1');

/** Lets pending promises (file reads) and the store's batched events run. */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** What upsd answers to GET TYPE for a variable with these flags. */
function typeOf(v: VarInfo): string {
  const parts: string[] = [];
  if (v.flags.rw) parts.push('RW');
  if (v.enums.length) parts.push('ENUM');
  if (v.ranges.length) parts.push('RANGE');
  parts.push(v.flags.string ? `STRING:${v.maxLength}` : 'NUMBER');
  return parts.join(' ');
}

function setup(text: string | DummySource, cfg: Partial<UpsConfig> = {}, opts: DummyOptions = {}) {
  const bus = new EventBus();
  let now = 1_700_000_000_000;
  const clock = (): number => now;
  const store = new UpsStore(bus, clock);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const log = new MemoryLogger(lines);
  const port = cfg.port ?? 'test.dev';
  const source = typeof text === 'string' ? new MemorySource(port, text) : text;
  const config: UpsConfig = { driver: 'dummy', port, ...cfg };
  const driver = new DummyDriver(config, { ups: 'u', bus, publisher, log, clock }, { source, version: '2.8.0', ...opts });
  const view = () => store.get('u')!;
  return {
    bus,
    store,
    driver,
    source,
    lines,
    view,
    advanceClock: (ms: number) => (now += ms),
    get: (name: string) => view().getVar(name)?.value,
    list: () => view().vars().map((v) => `${v.name}=${v.value}`),
    types: () => view().vars().map((v) => `${v.name} ${typeOf(v)}`),
    set: (name: string, value: string) => bus.request('ups.setvar', { ups: 'u', name, value }),
    cmd: (name: string, param?: string) => bus.request('ups.instcmd', { ups: 'u', name, param }),
  };
}

async function rejectsWith(p: Promise<unknown>, failure: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof RequestError && err.failure === failure);
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));
afterEach(() => mock.timers.reset());

void describe('DummyDriver publishes what dummy-ups 2.8.0 publishes (golden data from the real driver)', () => {
  void test('a .dev dump: variables, values, GET TYPE answers and commands', async () => {
    const t = setup(fixture('basic.dev'), { port: 'basic.dev' });
    await t.driver.start();
    assert.deepEqual(t.list(), [
      'battery.charge=100',
      'battery.charge.low=10',
      'battery.runtime=2400',
      'battery.type=PbAc',
      'battery.voltage=13.6',
      'device.mfr=Testing Corp',
      'device.model=TC-650',
      'device.serial=TC0001',
      'device.type=ups',
      'driver.name=dummy-ups',
      'driver.parameter.mode=dummy-once',
      'driver.parameter.pollinterval=2',
      'driver.parameter.port=basic.dev',
      'driver.parameter.synchronous=auto',
      'driver.state=quiet',
      'driver.version=2.8.0',
      'driver.version.internal=0.15',
      'input.transfer.high=280',
      'input.transfer.low=170',
      'input.voltage=232.0',
      'input.voltage.nominal=230',
      'output.voltage=230.0',
      'ups.beeper.status=enabled',
      'ups.delay.shutdown=20',
      'ups.firmware=1.0.3',
      'ups.load=12',
      'ups.mfr=Testing Corp',
      'ups.model=TC-650',
      'ups.serial=TC0001',
      'ups.status=OL CHRG',
      'ups.test.result=No test initiated',
    ]);
    assert.deepEqual(t.types(), [
      'battery.charge RW NUMBER',
      'battery.charge.low RW NUMBER',
      'battery.runtime RW NUMBER',
      'battery.type RW STRING:32',
      'battery.voltage RW NUMBER',
      'device.mfr RW STRING:32',
      'device.model RW STRING:32',
      'device.serial RW STRING:32',
      'device.type RW STRING:32',
      'driver.name NUMBER',
      'driver.parameter.mode NUMBER',
      'driver.parameter.pollinterval NUMBER',
      'driver.parameter.port NUMBER',
      'driver.parameter.synchronous NUMBER',
      'driver.state NUMBER',
      'driver.version NUMBER',
      'driver.version.internal NUMBER',
      'input.transfer.high RW NUMBER',
      'input.transfer.low RW NUMBER',
      'input.voltage RW NUMBER',
      'input.voltage.nominal RW NUMBER',
      'output.voltage RW NUMBER',
      'ups.beeper.status RW STRING:32',
      'ups.delay.shutdown RW NUMBER',
      'ups.firmware RW STRING:16',
      'ups.load RW NUMBER',
      'ups.mfr RW STRING:32',
      'ups.model RW STRING:32',
      'ups.serial RW STRING:32',
      'ups.status RW STRING:32',
      'ups.test.result RW STRING:16',
    ]);
    // #RW/#CMD are comments to dummy-ups: no enums, no ranges, only load.off.
    assert.ok(t.view().vars().every((v) => v.enums.length === 0 && v.ranges.length === 0));
    assert.deepEqual(t.view().commands(), ['load.off']);
    assert.equal(t.view().health.attached, true);
    assert.equal(t.view().health.dumpDone, true);
    assert.equal(t.view().health.driverState, 'connected');
    await t.driver.stop();
  });

  void test('an empty file: the driver defaults and the driver core variables', async () => {
    const t = setup('', { port: 'empty.dev' });
    await t.driver.start();
    assert.deepEqual(t.list(), [
      'device.mfr=Dummy Manufacturer',
      'device.model=Dummy UPS',
      'device.type=ups',
      'driver.name=dummy-ups',
      'driver.parameter.mode=dummy-once',
      'driver.parameter.pollinterval=2',
      'driver.parameter.port=empty.dev',
      'driver.parameter.synchronous=auto',
      'driver.state=quiet',
      'driver.version=2.8.0',
      'driver.version.internal=0.15',
      'ups.mfr=Dummy Manufacturer',
      'ups.model=Dummy UPS',
      'ups.status=OL',
    ]);
    assert.deepEqual(
      t.types().filter((x) => x.startsWith('ups.') || x.startsWith('device.')),
      ['device.mfr NUMBER', 'device.model NUMBER', 'device.type NUMBER', 'ups.mfr RW STRING:32', 'ups.model RW STRING:32', 'ups.status RW STRING:32'],
    );
    await t.driver.stop();
  });

  void test('the sizes dummy-ups gives the variables it knows by name', async () => {
    const t = setup('input.sensitivity: x\ninput.quality: x\nups.id: x\nambient.humidity: x\nBattery.Packs: x\n');
    await t.driver.start();
    const types = t.types();
    for (const expected of ['input.sensitivity RW STRING:1', 'input.quality RW STRING:6', 'ups.id RW STRING:16', 'ambient.humidity RW NUMBER', 'Battery.Packs RW STRING:32']) {
      assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
    }
    await t.driver.stop();
  });

  void test('device.* copies of ups.mfr/model/serial are made at each read of the file (not on SET), keeping a type the file gave', async () => {
    const t = setup('device.mfr: FileMfr\ndevice.serial: FileSerial\nups.mfr: UpsMfr\n');
    await t.driver.start();
    assert.equal(t.get('device.mfr'), 'UpsMfr');
    assert.equal(t.get('device.serial'), 'FileSerial');
    assert.equal(t.types().find((x) => x.startsWith('device.mfr ')), 'device.mfr RW STRING:32');
    await t.set('ups.mfr', 'Changed');
    assert.equal(t.get('ups.mfr'), 'Changed');
    assert.equal(t.get('device.mfr'), 'UpsMfr');
    (t.source as MemorySource).set('ups.mfr: Edited\n');
    await flush();
    assert.equal(t.get('ups.mfr'), 'Edited');
    // The file changed: what it gives now, as if the agent had started with it.
    assert.equal(t.get('device.mfr'), 'Edited');
    assert.equal(t.get('device.serial'), undefined, 'the file no longer names device.serial or ups.serial');
    assert.equal(t.types().find((x) => x.startsWith('device.mfr ')), 'device.mfr NUMBER', 'no longer named by the file: no flags, as a copy made by the driver core');
    await t.driver.stop();
  });
});

void describe('DummyDriver modes', () => {
  void test('the mode follows dummy-ups: .seq loops, .dev reads once, other names loop as "dummy"; config wins', () => {
    assert.deepEqual(resolveMode({}, 'a.seq'), { mode: 'loop', label: 'dummy-loop' });
    assert.deepEqual(resolveMode({}, 'a.dev'), { mode: 'once', label: 'dummy-once' });
    assert.deepEqual(resolveMode({}, 'a.txt'), { mode: 'loop', label: 'dummy' });
    assert.deepEqual(resolveMode({ mode: 'once' }, 'a.seq'), { mode: 'once', label: 'dummy-once' });
    assert.deepEqual(resolveMode({ mode: 'loop' }, 'a.dev'), { mode: 'loop', label: 'dummy-loop' });
  });

  void test('once: a changed file is applied again from the top; variables it no longer names are removed', async () => {
    const t = setup('ups.mfr: A\nbattery.charge: 100\na.keep: 1\n');
    await t.driver.start();
    (t.source as MemorySource).set('ups.mfr: B\nbattery.charge: 90\na.new: 2\n');
    await flush();
    assert.equal(t.get('ups.mfr'), 'B');
    assert.equal(t.get('battery.charge'), '90');
    assert.equal(t.get('a.new'), '2');
    assert.equal(t.get('a.keep'), undefined);
    await t.driver.stop();
  });

  void test('once: a value set by a client stays until the file changes (polls do not re-read)', async () => {
    const t = setup('battery.charge: 100\n');
    await t.driver.start();
    await t.set('battery.charge', '42');
    mock.timers.tick(10_000);
    await flush();
    assert.equal(t.get('battery.charge'), '42');
    (t.source as MemorySource).set('battery.charge: 100\n');
    await flush();
    assert.equal(t.get('battery.charge'), '100');
    await t.driver.stop();
  });

  void test('loop: TIMER steps follow each other, then the file is read again and the loop starts over', async () => {
    const t = setup(fixture('cycle.seq'), { port: 'cycle.seq' });
    const statuses: string[] = [];
    t.bus.on('ups.status', {}, (e) => statuses.push(e.to));
    await t.driver.start();
    await flush();
    assert.equal(t.get('driver.parameter.mode'), 'dummy-loop');
    assert.deepEqual([t.get('ups.status'), t.get('battery.charge')], ['OL', '100']);
    assert.deepEqual(t.driver.status(), { mode: 'loop', step: 0, steps: 3, nextStepAt: 1_700_000_003_000, healthy: true });

    mock.timers.tick(2999);
    assert.equal(t.get('ups.status'), 'OL');
    mock.timers.tick(1);
    assert.deepEqual([t.get('ups.status'), t.get('battery.charge'), t.get('battery.runtime')], ['OB DISCHRG', '60', '700']);
    await flush();
    mock.timers.tick(2000);
    assert.deepEqual([t.get('ups.status'), t.get('battery.charge'), t.get('battery.runtime')], ['OB DISCHRG LB', '15', '700']);

    // The loop re-reads the file: an edit shows up at the next pass.
    (t.source as MemorySource).set(fixture('cycle.seq').replace('battery.charge: 100', 'battery.charge: 99'));
    mock.timers.tick(1000);
    await flush();
    assert.deepEqual([t.get('ups.status'), t.get('battery.charge')], ['OL', '99']);
    await flush();
    assert.deepEqual(statuses, ['OL', 'OB DISCHRG', 'OB DISCHRG LB', 'OL']);
    await t.driver.stop();
  });

  void test('loop without a final TIMER: starts over at the next poll, forgetting values set by clients (as dummy-loop does)', async () => {
    const t = setup('battery.charge: 100\n', { port: 'x.seq', pollInterval: 5 });
    await t.driver.start();
    await t.set('battery.charge', '7');
    assert.equal(t.get('battery.charge'), '7');
    mock.timers.tick(5000);
    await flush();
    assert.equal(t.get('battery.charge'), '100');
    await t.driver.stop();
  });

  void test('once with TIMER lines: the steps run once and the last one stays', async () => {
    const t = setup('ups.status: OL\nTIMER 1\nups.status: OB\nTIMER 1\nups.status: OB LB\n');
    await t.driver.start();
    mock.timers.tick(1000);
    assert.equal(t.get('ups.status'), 'OB');
    mock.timers.tick(1000);
    assert.equal(t.get('ups.status'), 'OB LB');
    mock.timers.tick(60_000);
    await flush();
    assert.equal(t.get('ups.status'), 'OB LB');
    assert.equal(t.driver.status().nextStepAt, null);
    await t.driver.stop();
  });

  void test('a heartbeat every poll interval keeps the data fresh', async () => {
    const t = setup('ups.status: OL\n', { pollInterval: 3 });
    await t.driver.start();
    const first = t.view().health.lastUpdate;
    t.advanceClock(3000);
    mock.timers.tick(3000);
    await flush();
    assert.equal(t.view().health.lastUpdate, first + 3000);
    t.advanceClock(3000);
    mock.timers.tick(3000);
    await flush();
    assert.equal(t.view().isStale(5000), false);
    await t.driver.stop();
  });
});

void describe('DummyDriver SET VAR and INSTCMD', () => {
  const text = 'ups.mfr: Orig\nups.model: OrigModel\nbattery.charge: 100\ninput.sensitivity: M\nups.alarm: Alarm!\n';

  void test('SET changes a value at once; numbers are not checked (as dummy-ups)', async () => {
    const t = setup(text);
    await t.driver.start();
    await t.set('ups.mfr', 'NewMfr');
    await t.set('battery.charge', 'abc');
    await t.set('UPS.MODEL', '01234567890123456789012345678901');
    assert.deepEqual([t.get('ups.mfr'), t.get('battery.charge'), t.get('ups.model')], ['NewMfr', 'abc', '01234567890123456789012345678901']);
    assert.ok(t.lines.some((l) => l.includes('SET ups.mfr = "NewMfr"')));
    await t.driver.stop();
  });

  void test('SET ups.status takes the text as given and announces the change', async () => {
    const t = setup(text);
    const seen: string[] = [];
    t.bus.on('ups.status', {}, (e) => seen.push(`${e.from}->${e.to}`));
    await t.driver.start();
    await flush();
    await t.set('ups.status', 'OB LB');
    await flush();
    assert.equal(t.get('ups.status'), 'OB LB');
    assert.deepEqual(seen, ['->OL', 'OL->OB LB']);
    await t.set('ups.status', '');
    assert.equal(t.get('ups.status'), '');
    await t.driver.stop();
  });

  void test('SET with an empty value removes the variable', async () => {
    const t = setup(text);
    await t.driver.start();
    await t.set('ups.alarm', '');
    assert.equal(t.view().getVar('ups.alarm'), undefined);
    await rejectsWith(t.set('ups.alarm', 'again'), 'VAR-NOT-SUPPORTED');
    await t.driver.stop();
  });

  void test('SET is refused for unknown, read-only and too long values with the NUT error', async () => {
    const t = setup(text);
    await t.driver.start();
    await rejectsWith(t.set('nonexist', '1'), 'VAR-NOT-SUPPORTED');
    await rejectsWith(t.set('driver.name', 'x'), 'READONLY');
    await rejectsWith(t.set('device.type', 'x'), 'READONLY');
    await rejectsWith(t.set('device.mfr', 'x'), 'READONLY');
    await rejectsWith(t.set('ups.model', '0123456789012345678901234567890123'), 'TOO-LONG');
    await rejectsWith(t.set('input.sensitivity', 'ab'), 'TOO-LONG');
    assert.equal(t.get('ups.model'), 'OrigModel');
    await t.driver.stop();
  });

  void test('INSTCMD load.off (any case, with or without a parameter) is accepted and logged; others are not supported', async () => {
    const t = setup(text);
    await t.driver.start();
    await t.cmd('load.off');
    await t.cmd('LOAD.OFF', '5');
    assert.ok(t.lines.some((l) => l.includes('instant command load.off received')));
    assert.ok(t.lines.some((l) => l.includes('instant command load.off [5] received')));
    await rejectsWith(t.cmd('load.on'), 'CMD-NOT-SUPPORTED');
    await t.driver.stop();
  });
});

void describe('DummyDriver with a bad or missing file', () => {
  void test('once: an unreadable file marks the data stale and keeps it; a readable one brings it back', async () => {
    const t = setup('ups.status: OL\nbattery.charge: 100\n');
    await t.driver.start();
    const src = t.source as MemorySource;
    src.fail();
    await flush();
    assert.equal(t.view().health.staleFlag, true);
    assert.equal(t.view().health.driverState, 'disconnected');
    assert.equal(t.get('battery.charge'), '100');
    // Retries every poll, but says so once.
    mock.timers.tick(10_000);
    await flush();
    assert.equal(t.lines.filter((l) => l.startsWith('error') && l.includes('cannot use test.dev')).length, 1);

    src.set('ups.status: OB\nbattery.charge: 50\n');
    await flush();
    assert.equal(t.view().health.staleFlag, false);
    assert.equal(t.view().health.driverState, 'connected');
    assert.deepEqual([t.get('ups.status'), t.get('battery.charge')], ['OB', '50']);
    assert.ok(t.lines.some((l) => l.includes('readable again')));
    await t.driver.stop();
  });

  void test('a file that is not a dump is logged with file:line, and the last good data stays', async () => {
    const t = setup('ups.status: OL\n');
    await t.driver.start();
    (t.source as MemorySource).set('\x7fELF\x02\x01\x01\n');
    await flush();
    assert.equal(t.view().health.staleFlag, true);
    assert.equal(t.get('ups.status'), 'OL');
    assert.ok(t.lines.some((l) => l.startsWith('error') && l.includes('test.dev:1: no "name: value" line')));
    await t.driver.stop();
  });

  void test('a source unreadable at start: DRIVER-NOT-CONNECTED (as upsd while dummy-ups cannot start) until it reads', async () => {
    let readable = false;
    const source: DummySource = {
      name: 'late.dev',
      read: async () => {
        if (!readable) throw new Error('ENOENT: no such file');
        return 'ups.status: OB\n';
      },
    };
    const t = setup(source, { port: 'late.dev' });
    await t.driver.start();
    assert.equal(t.view().health.attached, false);
    assert.equal(t.get('ups.status'), undefined, 'nothing is published that the file did not say');
    await rejectsWith(t.set('ups.status', 'OL'), 'DRIVER-NOT-CONNECTED');
    readable = true;
    mock.timers.tick(2000);
    await flush();
    assert.equal(t.view().health.attached, true);
    assert.equal(t.view().health.staleFlag, false);
    assert.equal(t.view().health.dumpDone, true);
    assert.equal(t.get('ups.status'), 'OB');
    await t.driver.stop();
  });

  void test('loop: an unreadable file at the start of a pass pauses the loop until it is back', async () => {
    const t = setup('ups.status: OL\nTIMER 1\nups.status: OB\nTIMER 1\n', { port: 'x.seq', pollInterval: 1 });
    await t.driver.start();
    const src = t.source as MemorySource;
    mock.timers.tick(1000);
    assert.equal(t.get('ups.status'), 'OB');
    src.fail();
    await flush();
    assert.equal(t.view().health.staleFlag, true);
    mock.timers.tick(5000);
    await flush();
    assert.equal(t.get('ups.status'), 'OB');
    src.set('ups.status: OL\nTIMER 1\nups.status: OB\nTIMER 1\n');
    await flush();
    assert.equal(t.view().health.staleFlag, false);
    assert.equal(t.get('ups.status'), 'OL');
    await t.driver.stop();
  });

  void test('warnings are logged with file:line once per file text, not at every loop pass', async () => {
    const t = setup('ups.status: OL\n: nameless\nTIMER 1\n', { port: 'w.seq' });
    await t.driver.start();
    for (let i = 0; i < 5; i++) {
      mock.timers.tick(1000);
      await flush();
    }
    assert.deepEqual(
      t.lines.filter((l) => l.startsWith('warn')),
      ['warn [test] w.seq:2: no variable name before ":"; line ignored'],
    );
    await t.driver.stop();
  });
});

void describe('DummyDriver stop', () => {
  void test('removes its handlers, watcher and timers, and detaches (the store drops the data)', async () => {
    const t = setup('ups.status: OL\nTIMER 1\nups.status: OB\nTIMER 1\n', { port: 'x.seq' });
    await t.driver.start();
    const src = t.source as MemorySource;
    assert.equal(src.watcherCount(), 1);
    assert.equal(t.bus.hasHandler('ups.setvar', 'u'), true);
    await t.driver.stop();
    assert.equal(src.watcherCount(), 0);
    assert.equal(t.bus.hasHandler('ups.setvar', 'u'), false);
    assert.equal(t.bus.hasHandler('ups.instcmd', 'u'), false);
    assert.equal(t.view().health.attached, false);
    assert.equal(t.view().vars().length, 0);
    const version = t.view().version;
    mock.timers.tick(60_000);
    await flush();
    assert.equal(t.view().version, version);
    await rejectsWith(t.set('ups.status', 'OB'), 'DRIVER-NOT-CONNECTED');
  });

  void test('a read still in flight when stop() is called publishes nothing', async () => {
    let release!: (text: string) => void;
    const source: DummySource = { name: 'slow.dev', read: () => new Promise<string>((r) => (release = r)) };
    const t = setup(source, { port: 'slow.dev' });
    const started = t.driver.start();
    await flush();
    const stopped = t.driver.stop();
    release('ups.status: OB\n');
    await started;
    await stopped;
    assert.equal(t.view().vars().length, 0);
    assert.equal(t.view().health.attached, false);
  });

  void test('can start again after stop', async () => {
    const t = setup('ups.status: OB\n');
    await t.driver.start();
    await t.driver.stop();
    await t.driver.start();
    assert.equal(t.get('ups.status'), 'OB');
    assert.deepEqual(t.view().commands(), ['load.off']);
    await t.driver.stop();
  });
});

void describe('DummyDriver with declarations applied', () => {
  const text = fixture('declared.nds') + 'var.4: four\n';

  void test('only declared variables are writable, with their enums, ranges and sizes; declared commands only', async () => {
    const t = setup(text, { port: 'declared.nds', mode: 'once' }, { declarations: 'apply' });
    await t.driver.start();
    const v1 = t.view().getVar('var.1')!;
    assert.deepEqual([typeOf(v1), v1.enums], ['RW ENUM NUMBER', ['one', 'uno']]);
    const v2 = t.view().getVar('var.2')!;
    assert.deepEqual([typeOf(v2), v2.ranges], ['RW RANGE NUMBER', [[1, 10]]]);
    assert.equal(typeOf(t.view().getVar('var.4')!), 'NUMBER');
    assert.equal(t.view().getVar('var.3'), undefined);
    assert.deepEqual(t.view().commands(), ['command.1']);

    await t.set('var.1', 'uno');
    await t.set('var.2', '7.5');
    assert.deepEqual([t.get('var.1'), t.get('var.2')], ['uno', '7.5']);
    await rejectsWith(t.set('var.1', 'two'), 'INVALID-VALUE');
    await rejectsWith(t.set('var.2', '11'), 'INVALID-VALUE');
    await rejectsWith(t.set('var.2', 'x'), 'INVALID-VALUE');
    await rejectsWith(t.set('var.4', 'x'), 'READONLY');
    await t.cmd('command.1');
    await rejectsWith(t.cmd('load.off'), 'CMD-NOT-SUPPORTED');
    await t.driver.stop();
  });

  void test('a changed file changes the declared types and commands', async () => {
    const t = setup('a.b: 1\n#CMD:load.on\n', { mode: 'once' }, { declarations: 'apply' });
    await t.driver.start();
    assert.equal(typeOf(t.view().getVar('a.b')!), 'NUMBER');
    (t.source as MemorySource).set('a.b: 1\n#RW:a.b:STRING:8\n#CMD:load.off\n');
    await flush();
    assert.equal(typeOf(t.view().getVar('a.b')!), 'RW STRING:8');
    assert.deepEqual(t.view().commands(), ['load.off']);
    await t.driver.stop();
  });
});

void describe('driver registry', () => {
  void test('creates the dummy driver for driver: dummy (imported on demand)', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const m = await createDriver({ driver: 'dummy', port: '/nonexistent/x.dev' }, { ups: 'r', bus, publisher: store.addUps('r'), log: new MemoryLogger() });
    assert.ok(m instanceof DummyDriver);
    assert.equal(m.name, 'driver:r');
  });

  void test('an unknown driver name is a typed error', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const cfg = { driver: 'nosuch', port: 'x' } as unknown as UpsConfig;
    await assert.rejects(createDriver(cfg, { ups: 'r', bus, publisher: store.addUps('r'), log: new MemoryLogger() }), (err: unknown) => err instanceof UpsAgentError && err.code === 'UNKNOWN-DRIVER');
  });
});
