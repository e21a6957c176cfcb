/**
 * The apcsmart driver against our APC simulator over an in-memory link
 * (modem lines, unplugging, a fake clock for the confirmation window) and
 * over a real pty pair through the serial link.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { RequestError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { ApcSmartDriver } from '../../src/drivers/apcsmart/driver';
import { openSerialPort, type OpenSerial } from '../../src/drivers/serial/link';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApcSimulator, ST, attachToPty, simLink, simulatorFromFixture } from '../helpers/apc-simulator';
import { startPtyPair } from '../helpers/pty-pair';

/** NUT's delays, shortened: the logic is the same, the tests are quick. */
const FAST = { replyMs: 300, tableMs: 400, shortMs: 150, peekMs: 50, repeatGapMs: 60, paceMs: 1 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function rig(cfg: Partial<UpsConfig> = {}, sim = new ApcSimulator({ repeatMinMs: 40 }), openSerial?: OpenSerial) {
  const bus = new EventBus();
  let now = 1_700_000_000_000;
  const clock = (): number => now;
  const store = new UpsStore(bus);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const log = new MemoryLogger(lines);
  const links: Array<ReturnType<typeof simLink>> = [];
  const open: OpenSerial =
    openSerial ??
    (async (path) => {
      const l = simLink(sim, path);
      links.push(l);
      return l;
    });
  // Our timers are unref'd; this keeps the test's event loop alive while the driver waits on them.
  const keepAlive = setInterval(() => undefined, 1000);
  stops.push(async () => clearInterval(keepAlive));
  const driver = new ApcSmartDriver({ driver: 'apcsmart', port: '/dev/ttyS0', pollInterval: 0.1, ...cfg }, { ups: 'u', bus, publisher, log, clock }, { openSerial: open, timing: FAST });
  stops.push(() => driver.stop());
  const view = () => store.get('u')!;
  return {
    sim,
    driver,
    lines,
    links,
    view,
    advance: (ms: number) => (now += ms),
    get: (n: string) => view().getVar(n)?.value,
    info: (n: string) => view().getVar(n),
    stale: () => view().health.staleFlag,
    set: (name: string, value: string) => bus.request('ups.setvar', { ups: 'u', name, value }),
    cmd: (name: string, param?: string) => bus.request('ups.instcmd', { ups: 'u', name, ...(param !== undefined ? { param } : {}) }),
  };
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const rejectsWith = (p: Promise<unknown>, failure: string) => assert.rejects(p, (e: unknown) => e instanceof RequestError && e.failure === failure);

describe('apcsmart: what it publishes', () => {
  test('smart mode, a, ^Z: values converted as NUT does, EEPROM settings with their choices, strings, commands', async () => {
    const r = rig();
    await r.driver.start();
    assert.equal(r.get('ups.status'), 'OL');
    assert.equal(r.get('ups.mfr'), 'APC');
    assert.equal(r.get('device.mfr'), 'APC');
    assert.equal(r.get('ups.model'), 'SMART-UPS 1000');
    assert.equal(r.get('device.serial'), 'AS0521123456');
    assert.equal(r.get('battery.runtime'), '7620');
    assert.equal(r.get('battery.runtime.low'), '120');
    assert.equal(r.get('ups.test.interval'), '1209600');
    assert.equal(r.get('device.uptime'), '172800', 'T matched the uptime pattern, not the temperature one');
    assert.equal(r.get('ambient.1.temperature'), undefined);
    assert.equal(r.get('input.transfer.reason'), 'no transfers yet since turnon');
    assert.equal(r.get('ups.firmware'), '652.12.I');
    const high = r.info('input.transfer.high')!;
    assert.ok(high.flags.rw);
    assert.deepEqual(high.enums, ['253', '257', '261', '265'], 'the I locale row, not the D one');
    assert.deepEqual(r.info('ups.test.interval')!.enums, ['1209600', '604800', '0']);
    assert.deepEqual(r.info('battery.runtime.low')!.enums, ['120', '300', '420', '600']);
    const id = r.info('ups.id')!;
    assert.ok(id.flags.rw && id.flags.string);
    assert.equal(id.maxLength, 8);
    assert.ok(!r.info('input.voltage')!.flags.rw);
    assert.deepEqual([...r.view().commands()], [
      'calibrate.start',
      'calibrate.stop',
      'load.off',
      'load.on',
      'shutdown.default',
      'shutdown.return',
      'shutdown.stayoff',
      'test.battery.start',
      'test.battery.stop',
      'test.failure.start',
      'test.panel.start',
    ]);
    assert.ok(r.sim.wire().startsWith('YVba'), 'smart mode, then the firmware, then the command set');
  });

  test('quick polls read the status and the polled variables only; the serial number is not re-read', async () => {
    const r = rig();
    await r.driver.start();
    const mark = r.sim.received.length;
    r.sim.values.f = '087.0';
    r.sim.values.n = 'CHANGED';
    await until('the new charge', () => r.get('battery.charge') === '087.0');
    assert.equal(r.get('ups.serial'), 'AS0521123456');
    assert.ok(!r.sim.since(mark).includes('n'));
  });

  test('every variable is read again hourly (NUT), and when the UPS reports an EEPROM change with |', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.values.n = 'NEWSERIAL';
    r.advance(3601_000);
    await until('the hourly full read', () => r.get('ups.serial') === 'NEWSERIAL');
    r.sim.values.p = '180';
    r.sim.alert('|');
    await until('the read after |', () => r.get('ups.delay.shutdown') === '180');
  });

  test('a firmware from the compatibility list: no a, no ^Z, commands from the table, model from the firmware', async () => {
    const sim = new ApcSimulator({ oldFirmware: '6QD', cmdset: null });
    const r = rig({}, sim);
    await r.driver.start();
    assert.equal(r.get('ups.status'), 'OL');
    assert.ok(!sim.wire().includes('a'), 'a is not asked');
    assert.ok(r.view().commands().includes('shutdown.stayoff'));
    assert.ok(!r.info('input.transfer.high')!.flags.rw, 'no ^Z: nothing settable');
  });

  test('a real old unit (nut#180 Smart-UPS RT 10000 XL): what NUT published for it, exactly', async () => {
    const fx = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/apcsmart/smart-ups-rt-10000-xl.json'), 'utf8')) as { values: Record<string, string>; oldFirmware: string; upsc: Record<string, string> };
    const sim = simulatorFromFixture(fx);
    const r = rig({}, sim);
    await r.driver.start();
    const got = Object.fromEntries(r.view().vars().filter((v) => !v.name.startsWith('driver.')).map((v) => [v.name, v.value]));
    assert.deepEqual(got, fx.upsc);
    assert.deepEqual([...r.view().commands()], []);
  });

  test('a unit that answers a with NA: the classic variables only', async () => {
    const sim = new ApcSimulator({ cmdset: null });
    const r = rig({}, sim);
    await r.driver.start();
    assert.equal(r.get('input.voltage'), '229.9');
    assert.equal(r.get('ups.model'), 'SMART-UPS 1000');
    assert.equal(r.get('input.transfer.high'), undefined);
    assert.deepEqual([...r.view().commands()], []);
    assert.ok(r.lines.some((l) => l.includes('very old or unknown APC model')));
  });

  test('cable 940-0095B: DTR set and RTS cleared before the first byte', async () => {
    const r = rig({ cable: '940-0095B' });
    await r.driver.start();
    assert.deepEqual(r.links[0]!.lines, [{ dtr: true, rts: false }]);
    const plain = rig();
    await plain.driver.start();
    assert.deepEqual(plain.links[0]!.lines, []);
  });

  test('ignorelb without any low mark the UPS reports: its own LB is kept, the reason logged once', async () => {
    const r = rig({ ignorelb: true });
    delete r.sim.values.j;
    delete r.sim.values.q;
    delete r.sim.values.f;
    await r.driver.start();
    r.sim.status = ST.OB | ST.LB;
    await until('OB LB from the UPS', () => r.get('ups.status') === 'OB LB');
    assert.equal(r.lines.filter((l) => /ignorelb is set, but neither/.test(l)).length, 1, r.lines.join('\n'));
  });

  test('ignorelb: the UPS LB is ignored, runtime below battery.runtime.low sets LB', async () => {
    const r = rig({ ignorelb: true });
    await r.driver.start();
    r.sim.status = ST.OB | ST.LB;
    await until('OB without LB', () => r.get('ups.status') === 'OB');
    r.sim.values.j = '0001:';
    await until('LB from the runtime', () => r.get('ups.status') === 'OB LB');
  });
});

describe('apcsmart: alerts', () => {
  test('between polls an alert changes ups.status at once; the next Q confirms it', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    assert.equal(r.get('ups.status'), 'OL');
    r.sim.onBattery();
    await until('OB from !', () => r.get('ups.status') === 'OB', 1000);
    r.sim.lowBattery();
    await until('OB LB from %', () => r.get('ups.status') === 'OB LB', 1000);
    r.sim.powerBack();
    await until('OL from $ and +', () => r.get('ups.status') === 'OL', 1000);
    r.sim.alert('#');
    await until('RB', () => r.get('ups.status') === 'OL RB', 1000);
    r.sim.alert('?');
    await until('OVER', () => r.get('ups.status') === 'OL OVER RB', 1000);
    r.sim.alert('=');
    await until('not OVER', () => r.get('ups.status') === 'OL RB', 1000);
  });

  test('an alert inside a reply is taken out of the value and counted', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.status = ST.OB;
    r.sim.replyOnce('B', '!26.10');
    await until('the battery voltage', () => r.get('battery.voltage') === '26.10');
    assert.equal(r.get('ups.status'), 'OB');
  });
});

describe('apcsmart: bad replies never crash and never become values', () => {
  test('an echoed byte glued to a reply: read again, the right value kept', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.values.B = '26.90';
    r.sim.replyOnce('B', 'B26.90');
    await until('the new voltage', () => r.get('battery.voltage') === '26.90');
    assert.ok(!r.stale());
  });

  test('a line that echoes every byte: found at Y (YSM), each reply freed of the echo; values, a SET and a command as without it', async () => {
    const plain = rig({ pollInterval: 60 });
    await plain.driver.start();
    const want = plain.view().vars().filter((v) => !v.name.startsWith('driver.')).map((v) => `${v.name}=${v.value}`);
    const sim = new ApcSimulator({ repeatMinMs: 40 });
    sim.echo = true;
    const r = rig({ pollInterval: 0.2 }, sim);
    await r.driver.start();
    const got = () => r.view().vars().filter((v) => !v.name.startsWith('driver.')).map((v) => `${v.name}=${v.value}`);
    assert.deepEqual(got(), want);
    await r.set('input.transfer.high', '257');
    assert.equal(r.get('input.transfer.high'), '257');
    await r.set('ups.id', 'ECHO1');
    assert.equal(r.get('ups.id'), 'ECHO1');
    await r.cmd('test.battery.start');
    r.advance(100_000);
    await rejectsWith(r.cmd('shutdown.stayoff'), 'INSTCMD-FAILED');
    r.advance(4000);
    await r.cmd('shutdown.stayoff');
    assert.deepEqual(sim.executed, ['W', 'K']);
    sim.values.f = '077.0';
    await until('a polled value', () => r.get('battery.charge') === '077.0');
    assert.ok(!r.stale());
  });

  test('garbage twice: the poll is missed (stale), the old value is never replaced by garbage, and it recovers', async () => {
    const r = rig();
    await r.driver.start();
    // Two bad status replies in a row: the first read and its retry.
    r.sim.replyOnce('Q', 'ZX8', 2);
    await until('stale', () => r.stale());
    assert.equal(r.get('ups.status'), 'OL');
    assert.ok(r.lines.some((l) => /unusable reply/.test(l)), r.lines.join('\n'));
    await until('fresh again', () => !r.stale());
    assert.equal(r.get('ups.status'), 'OL');
  });

  test('random bytes for replies, during polls and from the very start: no crash, no bug, no value of the wrong shape, then recovery', async () => {
    const numeric = /^[+-]?\d+(\.\d+)?$/;
    const NUMERIC_VARS = ['battery.charge', 'battery.voltage', 'battery.runtime', 'input.voltage', 'input.frequency', 'output.voltage', 'ups.load', 'ups.temperature', 'device.uptime'];
    const check = (r: ReturnType<typeof rig>) => {
      for (const n of NUMERIC_VARS) {
        const v = r.get(n);
        if (v !== undefined) assert.match(v, numeric, `${n}=${JSON.stringify(v)}`);
      }
      const st = r.get('ups.status');
      if (st !== undefined) assert.match(st, /^(CAL |TRIM |BOOST )*(OL|OB|OFF)?( ?OVER)?( ?LB)?( ?RB)?$/, st);
      assert.ok(!r.lines.some((l) => l.startsWith('error')), r.lines.filter((l) => l.startsWith('error')).join('\n'));
    };
    for (const seed of [1, 7, 42]) {
      const r = rig();
      await r.driver.start();
      r.sim.garble(6, seed);
      for (let i = 0; i < 30; i++) {
        check(r);
        await sleep(20);
      }
      await until('the noise consumed', () => !r.stale() && r.get('ups.status') !== undefined, 20_000);
      check(r);
    }
    for (const seed of [3, 99]) {
      const sim = new ApcSimulator({ repeatMinMs: 40 });
      sim.garble(6, seed);
      const r = rig({}, sim);
      await r.driver.start();
      await until('a status after noisy discovery', () => r.get('ups.status') !== undefined && !r.stale(), 20_000);
      check(r);
    }
  });

  test('a reply cut short (no line end) is an error, then the next poll reads fine', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.truncateNext = 2;
    r.sim.values.f = '050.0';
    await until('the new charge', () => r.get('battery.charge') === '050.0');
  });

  test('a variable that answers NA later is withdrawn, as NUT does', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.values.C = 'NA';
    await until('no temperature', () => r.get('ups.temperature') === undefined);
    assert.ok(r.lines.some((l) => l.includes('ups.temperature: the UPS answers NA now')));
  });

  test('a UPS that stops answering: stale, then reopened with Y; answering again makes it fresh', async () => {
    const r = rig();
    await r.driver.start();
    r.sim.silent = true;
    await until('stale', () => r.stale());
    await until('the port given up', () => r.lines.some((l) => l.includes('lost /dev/ttyS0')), 8000);
    const mark = r.sim.received.length;
    r.sim.silent = false;
    await until('fresh', () => !r.stale(), 8000);
    assert.ok(r.sim.since(mark).includes('Y'), 'smart mode asked for again');
  });

  test('a port that disappears: stale at once, reopened; the new port works', async () => {
    const r = rig();
    await r.driver.start();
    r.links[0]!.unplug();
    await until('stale', () => r.stale());
    await until('reopened', () => r.links.length >= 2 && !r.stale(), 8000);
    r.sim.values.f = '066.0';
    await until('a value over the new port', () => r.get('battery.charge') === '066.0');
  });

  test('reconnected to a UPS that lacks a variable: the old value is withdrawn', async () => {
    const r = rig();
    await r.driver.start();
    assert.equal(r.get('ups.temperature'), '029.2');
    delete r.sim.values.C;
    r.links[0]!.unplug();
    await until('reopened', () => r.links.length >= 2 && !r.stale(), 8000);
    assert.equal(r.get('ups.temperature'), undefined);
    assert.equal(r.get('ups.status'), 'OL');
    assert.equal(r.get('device.type'), 'ups');
  });

  test('no UPS on the port: the driver retries, never attaches, nothing published', async () => {
    const sim = new ApcSimulator();
    sim.silent = true;
    const r = rig({}, sim);
    await r.driver.start();
    assert.equal(r.get('ups.status'), undefined);
    assert.ok(r.lines.some((l) => l.includes('unable to detect an APC Smart protocol UPS')), r.lines.join('\n'));
  });
});

describe('apcsmart: EEPROM settings and strings', () => {
  test('an EEPROM choice is cycled with - (each step OK) until it reads as wanted, then read back', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await r.set('input.transfer.high', '261');
    assert.equal(r.sim.values.u, '261');
    assert.equal(r.get('input.transfer.high'), '261');
    assert.equal(r.sim.since(mark), 'u-u-uu');
    // Values converted for NUT are compared converted: 300 s of ups.delay.start... and 600 s of battery.runtime.low (10 minutes).
    await r.set('battery.runtime.low', '600');
    assert.equal(r.sim.values.q, '10');
    assert.equal(r.get('battery.runtime.low'), '600');
  });

  test('the same value again: nothing written (easier on the EEPROM)', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await r.set('input.transfer.high', '253');
    assert.equal(r.sim.since(mark), 'u');
  });

  test('a value not among the choices is refused before anything is sent; NO from the UPS fails the SET', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await rejectsWith(r.set('input.transfer.high', '300'), 'INVALID-VALUE');
    assert.equal(r.sim.since(mark), '');
    r.sim.replyOnce('-', 'NO');
    await rejectsWith(r.set('input.transfer.high', '257'), 'SET-FAILED');
    await rejectsWith(r.set('input.voltage', '230'), 'READONLY');
    await rejectsWith(r.set('ups.nothing', '1'), 'VAR-NOT-SUPPORTED');
  });

  test('ups.id: - then the text padded with CRs to 8; too long is refused', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await r.set('ups.id', 'RACK7');
    assert.equal(JSON.stringify(r.sim.since(mark)), JSON.stringify('c-RACK7\r\r\rc'));
    assert.equal(r.get('ups.id'), 'RACK7');
    await rejectsWith(r.set('ups.id', 'NINECHARS'), 'TOO-LONG');
  });
});

describe('apcsmart: instant commands', () => {
  test('plain commands: one byte, OK; a NO is a failure', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    let mark = r.sim.received.length;
    await r.cmd('test.battery.start');
    assert.equal(r.sim.since(mark), 'W');
    mark = r.sim.received.length;
    r.sim.replyOnce('A', 'NO');
    await rejectsWith(r.cmd('test.panel.start'), 'INSTCMD-FAILED');
    assert.equal(r.sim.since(mark), 'A');
  });

  test('calibration: Q first; start only when not calibrating, stop only when calibrating', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    await r.cmd('calibrate.start');
    assert.equal(r.sim.status & ST.CAL, ST.CAL);
    await rejectsWith(r.cmd('calibrate.start'), 'INSTCMD-FAILED');
    await r.cmd('calibrate.stop');
    assert.equal(r.sim.status & ST.CAL, 0);
    await rejectsWith(r.cmd('calibrate.stop'), 'INSTCMD-FAILED');
  });

  test('dangerous commands need a second ask 3 to 15 s after the first; Z goes out twice, the UPS silent in between', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    let mark = r.sim.received.length;
    await rejectsWith(r.cmd('load.off'), 'INSTCMD-FAILED');
    assert.equal(r.sim.since(mark), '', 'the first ask sends nothing');
    r.advance(1000);
    await rejectsWith(r.cmd('load.off'), 'INSTCMD-FAILED');
    r.advance(4000);
    mark = r.sim.received.length;
    await r.cmd('load.off');
    assert.equal(r.sim.since(mark), 'ZZ');
    assert.deepEqual(r.sim.executed, ['Z']);
    r.advance(16_000);
    await rejectsWith(r.cmd('shutdown.stayoff'), 'INSTCMD-FAILED');
    assert.ok(r.lines.some((l) => /ask for it again 3 to 15 s from now/.test(l)));
  });

  test('K twice answered OK; S only on battery; @ with 3 digits; 2 digits try the 2-digit variant; the CS hack', async () => {
    const r = rig({ pollInterval: 60, cshdelay: 0.1 });
    await r.driver.start();
    r.advance(100_000);
    await rejectsWith(r.cmd('shutdown.stayoff'), 'INSTCMD-FAILED');
    r.advance(4000);
    await r.cmd('shutdown.stayoff');
    assert.deepEqual(r.sim.executed, ['K']);
    r.advance(4000);
    await rejectsWith(r.cmd('shutdown.return'), 'INSTCMD-FAILED');
    assert.equal(r.sim.wire().slice(-1), 'S', 'sent, and the UPS on line said NO');
    r.advance(4000);
    let mark = r.sim.received.length;
    // Exactly 2 digits: NUT's 2-digit variant; refused, the sequence is ended with a bogus Y.
    await rejectsWith(r.cmd('shutdown.return', 'at:12'), 'INSTCMD-FAILED');
    assert.equal(r.sim.since(mark), '@12Y');
    r.advance(4000);
    await r.cmd('shutdown.return', 'AT:012');
    assert.deepEqual(r.sim.executed, ['K', '@012']);
    r.advance(4000);
    mark = r.sim.received.length;
    // On line: simulate a power failure (U), wait cshdelay, then S, which the UPS now on battery takes.
    r.sim.status = ST.OB;
    await r.cmd('shutdown.return', 'cs');
    assert.equal(r.sim.since(mark), 'US');
    assert.deepEqual(r.sim.executed, ['K', '@012', 'U', 'S']);
  });

  test('a shutdown answered with * (powering down) counts as OK; an answer to the first K stops the second', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    r.advance(100_000);
    r.sim.status = ST.OB;
    r.sim.replyOnce('S', '*');
    await rejectsWith(r.cmd('shutdown.return'), 'INSTCMD-FAILED');
    r.advance(4000);
    await r.cmd('shutdown.return');
    r.advance(4000);
    const mark = r.sim.received.length;
    r.sim.replyOnce('K', 'NA');
    await rejectsWith(r.cmd('shutdown.stayoff'), 'INSTCMD-FAILED');
    await sleep(100);
    assert.equal(r.sim.since(mark), 'K', 'the second K is not sent after an answer to the first');
    assert.ok(!r.sim.executed.includes('K'));
  });

  test('sdtype 1 on battery S; 2 Z twice; 4 the CS hack on line; 5 @ with awd', async () => {
    for (const [cfg, status, executed] of [
      [{ sdtype: 1 }, ST.OB, ['S']],
      [{ sdtype: 2 }, ST.OL, ['Z']],
      [{ sdtype: 4, cshdelay: 0 }, ST.OL, ['U']],
      [{ sdtype: 5, awd: '7' }, ST.OL, ['@007']],
      [{ advorder: '3' }, ST.OL, ['Z']],
    ] as const) {
      const sim = new ApcSimulator({ repeatMinMs: 40, status });
      const r = rig({ pollInterval: 60, ...cfg }, sim);
      await r.driver.start();
      await r.driver.shutdown();
      assert.deepEqual(sim.executed, executed, JSON.stringify(cfg));
    }
  });

  test('load.on: ^N twice, no answer expected', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await r.cmd('load.on');
    // Our in-memory link hands bytes over on the next tick.
    await until('the second byte', () => r.sim.since(mark).length >= 2);
    await sleep(50);
    assert.equal(JSON.stringify(r.sim.since(mark)), JSON.stringify('\x0e\x0e'));
  });

  test('unknown commands, wrong arguments and commands the UPS lacks are refused without a byte sent', async () => {
    const r = rig({ pollInterval: 60 });
    await r.driver.start();
    const mark = r.sim.received.length;
    await rejectsWith(r.cmd('beeper.toggle'), 'CMD-NOT-SUPPORTED');
    await rejectsWith(r.cmd('shutdown.return', 'soon'), 'INVALID-ARGUMENT');
    await rejectsWith(r.cmd('test.panel.start', '1'), 'INVALID-ARGUMENT');
    await rejectsWith(r.cmd('bypass.start'), 'CMD-NOT-SUPPORTED');
    assert.equal(r.sim.since(mark), '');
  });

  test('shutdown.default follows sdtype: 0 on line is @000, on battery S; 3 is K twice; advorder tries its methods in turn', async () => {
    const r0 = rig({ pollInterval: 60 });
    await r0.driver.start();
    await r0.cmd('shutdown.default');
    assert.deepEqual(r0.sim.executed, ['@000']);
    r0.sim.status = ST.OB;
    await r0.cmd('shutdown.default');
    assert.deepEqual(r0.sim.executed, ['@000', 'S']);

    const r3 = rig({ pollInterval: 60, sdtype: 3 });
    await r3.driver.start();
    await r3.cmd('shutdown.default');
    assert.deepEqual(r3.sim.executed, ['K']);

    // advorder 0 (S, refused on line) then 2 (K).
    const ra = rig({ pollInterval: 60, advorder: '02', sdtype: 2 });
    await ra.driver.start();
    await ra.driver.shutdown();
    assert.deepEqual(ra.sim.executed, ['K']);
    assert.ok(ra.sim.wire().includes('SKK'));
  });
});

describe('apcsmart over a real pty (socat) and the real serial link', () => {
  test('discovery, values, an alert and a command through the pty', async () => {
    // Cleanup here rather than in afterEach: everything this test opened stays open until it ends.
    const keepAlive = setInterval(() => undefined, 1000);
    const pty = await startPtyPair();
    const sim = new ApcSimulator();
    const link = await attachToPty(sim, pty.peer);
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const publisher = store.addUps('u');
    const driver = new ApcSmartDriver({ driver: 'apcsmart', port: pty.device, pollInterval: 0.2 }, { ups: 'u', bus, publisher, log: new MemoryLogger([]) }, { openSerial: openSerialPort, timing: { ...FAST, repeatGapMs: 1300 } });
    const get = (n: string) => store.get('u')!.getVar(n)?.value;
    try {
      await driver.start();
      assert.equal(get('ups.status'), 'OL');
      assert.equal(get('battery.runtime'), '7620');
      sim.onBattery();
      await until('OB', () => get('ups.status') === 'OB');
      await bus.request('ups.instcmd', { ups: 'u', name: 'test.failure.start' });
      assert.ok(sim.executed.includes('U'));
    } finally {
      await driver.stop();
      await link.close();
      await pty.stop();
      clearInterval(keepAlive);
    }
  });
});
