/**
 * The qx driver with the three-phase protocols over a real pty pair: the
 * core engineer's Megatec simulator (test/helpers/q1-simulator.ts), given
 * Q6/Q2 and WA replies through its overrides and no vendor reply, is
 * autodetected as q6 after every Megatec-family claim failed, in NUT's
 * order; what it publishes; WA refused withdraws only its values.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import type { Module } from '../../src/core/module';
import { createQxDriver } from '../../src/drivers/qx/index';
import { startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { ON_BATTERY, ONLINE, Q1Simulator } from '../helpers/q1-simulator';
import { qxFixture } from '../helpers/qx-kit';

const fx = qxFixture<Record<string, string>>('q2-q6.json');

describe('qx driver, q6 protocol, on a pty (Megatec simulator with Q6 and WA replies)', () => {
  let pty: PtyPair;
  let sim: Q1Simulator;
  let store: UpsStore;
  let driver: Module;
  const log: string[] = [];
  const v = (name: string): string | undefined => {
    store.flush();
    return store.get('u')?.getVar(name)?.value;
  };
  const until = async (what: string, ok: () => boolean, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}; ups.status=${String(v('ups.status'))}; log:\n${log.slice(-8).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  before(async () => {
    pty = await startPtyPair();
    sim = new Q1Simulator(pty.peer, { vendor: null, rating: null });
    sim.override.set('Q6', `${fx['Q6']!}\r`);
    sim.override.set('WA', `${fx['WA']!}\r`);
    await sim.start();
    const bus = new EventBus();
    store = new UpsStore(bus);
    driver = createQxDriver(
      { driver: 'qx', port: pty.device, pollInterval: 0.2, pollfreq: 1, timeout: 2 },
      { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(log) },
      { settleMs: 0 },
    );
    await driver.start();
    await until('first read', () => v('ups.status') !== undefined);
  });
  after(async () => {
    await driver?.stop();
    await sim?.stop();
    await pty?.stop();
  });

  test('autodetected as q6 after the Megatec family and q2 failed, in NUT order', () => {
    assert.equal(v('driver.version.data'), 'Q6 0.01');
    const firsts = sim.received.filter((c, i, a) => a.indexOf(c) === i);
    const order = ['QGS\r', 'M\r', 'QS\r', 'D\r', 'ID\r', 'QPI\r', 'I\r', 'FW?\r', 'Q2\r', 'Q6\r'];
    const seen = order.map((c) => firsts.indexOf(c));
    assert.ok(seen.every((x) => x >= 0), JSON.stringify(firsts));
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, JSON.stringify(firsts));
  });

  test('three-phase values from Q6 and WA, status bits from Q1 (not its single-phase voltages)', () => {
    const want: Record<string, string> = {
      'input.phases': '3',
      'output.phases': '3',
      'input.L1-N.voltage': '227.0',
      'output.L1-N.voltage': '229.9',
      'output.frequency': '49.9',
      'battery.voltage': '327.8',
      'battery.runtime': '6932',
      'battery.charge': '100',
      'output.L1.realpower': '1400.00',
      'ups.power': '1400.00',
      'output.L1.current': '6.5',
      'ups.type': 'offline / line interactive',
      'ups.beeper.status': 'enabled',
      'experimental.input.topology': 'star',
      'ups.status': 'OL',
    };
    for (const [k, val] of Object.entries(want)) assert.equal(v(k), val, k);
    assert.equal(v('input.voltage'), undefined);
  });

  test('on battery from the Q1 bits; WA refused withdraws only its values', async () => {
    sim.set(ON_BATTERY);
    await until('OB', () => v('ups.status') === 'OB');
    sim.set(ONLINE);
    await until('OL', () => v('ups.status') === 'OL');
    sim.override.set('WA', 'WA\r');
    try {
      await until('WA values withdrawn', () => v('output.L1.current') === undefined);
      assert.equal(v('input.L1-N.voltage'), '227.0');
      assert.equal(v('ups.status'), 'OL');
    } finally {
      sim.override.set('WA', `${fx['WA']!}\r`);
    }
    await until('WA back', () => v('output.L1.current') === '6.5');
  });
});
