/**
 * The qx driver against our Megatec simulator (test/helpers/q1-simulator.ts)
 * over a real pty pair and the real serial link: what it publishes online,
 * on battery, on low battery and back; the bytes each command puts on the
 * wire; a device that stops answering goes stale and is found again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../src/core/errors';
import { LOW_BATTERY, ONLINE, ON_BATTERY, Q1Simulator } from '../helpers/q1-simulator';
import { startQxPtyRig, type QxPtyRig } from '../helpers/qx-pty-rig';

type Rig = QxPtyRig<Q1Simulator>;
const rig = (cfg: Record<string, unknown> = {}): Promise<Rig> => startQxPtyRig((peer) => new Q1Simulator(peer), cfg);

describe('qx driver on a pty with the Megatec simulator', () => {
  let r: Rig;
  before(async () => {
    r = await rig();
    await r.until('first read', () => r.v('ups.status') !== undefined);
  });
  after(async () => r?.stop());

  test('online: every Q1, F and I value as NUT names and prints it, protocol megatec', () => {
    const want: Record<string, string> = {
      'input.voltage': '229.8',
      'input.voltage.fault': '140.0',
      'output.voltage': '229.8',
      'ups.load': '23',
      'input.frequency': '50.1',
      'battery.voltage': '27.20',
      'ups.temperature': '31.5',
      'ups.type': 'offline / line interactive',
      'ups.beeper.status': 'enabled',
      'input.voltage.nominal': '230',
      'input.current.nominal': '4.0',
      'battery.voltage.nominal': '24.0',
      'input.frequency.nominal': '50',
      'device.mfr': 'UPSAGENT SIM',
      'device.model': 'Q1-1000',
      'ups.firmware': 'V2.01',
      'ups.status': 'OL',
      'ups.delay.start': '180',
      'ups.delay.shutdown': '30',
      'driver.version.data': 'Megatec 0.10',
      // 24 V nominal: low 20.80, high 26.00 (NUT's guess); 27.2 V is full.
      'battery.voltage.low': '20.80',
      'battery.voltage.high': '26.00',
      'battery.charge': '100',
    };
    for (const [k, val] of Object.entries(want)) assert.equal(r.v(k), val, k);
    assert.equal(r.v('ups.alarm'), undefined);
    // Autodetection went through NUT's order: mustek's QS and megatec/old's D were echoed, bestups' ID too.
    for (const c of ['QS\r', 'D\r', 'ID\r', 'QPI\r']) assert.ok(r.sim.received.includes(c), c);
  });

  test('on battery, low battery and back: status, charge from the voltage', async () => {
    r.sim.set(ON_BATTERY);
    await r.until('OB', () => r.v('ups.status') === 'OB');
    assert.equal(r.v('input.voltage'), '0.0');
    await r.until('charge from 24.8 V', () => r.v('battery.charge') === '77');
    r.sim.set(LOW_BATTERY);
    await r.until('OB LB', () => r.v('ups.status') === 'OB LB');
    await r.until('charge from 21.6 V', () => r.v('battery.charge') === '15');
    r.sim.set(ONLINE);
    await r.until('OL again', () => r.v('ups.status') === 'OL');
    await r.until('full again', () => r.v('battery.charge') === '100');
  });

  test('instant commands put NUT\'s bytes on the wire', async () => {
    const cmds = (r.store.get('u')?.commands() ?? []).slice().sort();
    assert.deepEqual(cmds, ['beeper.toggle', 'load.off', 'load.on', 'shutdown.default', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start', 'test.battery.start.deep', 'test.battery.start.quick', 'test.battery.stop']);
    const cases: Array<[string, string | undefined, string]> = [
      ['beeper.toggle', undefined, 'Q\r'],
      ['load.off', undefined, 'S00R0000\r'],
      ['load.on', undefined, 'C\r'],
      ['shutdown.return', undefined, 'S.5R0003\r'],
      ['shutdown.stayoff', undefined, 'S.5R0000\r'],
      ['shutdown.stop', undefined, 'C\r'],
      ['test.battery.start', undefined, 'T10\r'],
      ['test.battery.start', '120', 'T02\r'],
      ['test.battery.start.deep', undefined, 'TL\r'],
      ['test.battery.start.quick', undefined, 'T\r'],
      ['test.battery.stop', undefined, 'CT\r'],
    ];
    for (const [name, param, bytes] of cases) {
      const before = r.sim.actions().length;
      await r.bus.request('ups.instcmd', { ups: 'u', name, ...(param !== undefined ? { param } : {}) });
      assert.deepEqual(r.sim.actions().slice(before), [bytes], name);
    }
    await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'test.battery.start', param: '30' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-ARGUMENT');
  });

  test('SET ups.delay.*: NUT\'s rounding and range, then used by shutdown.return', async () => {
    await r.bus.request('ups.setvar', { ups: 'u', name: 'ups.delay.shutdown', value: '100' });
    assert.equal(r.v('ups.delay.shutdown'), '60');
    await r.bus.request('ups.setvar', { ups: 'u', name: 'ups.delay.start', value: '0' });
    assert.equal(r.v('ups.delay.start'), '0');
    await assert.rejects(r.bus.request('ups.setvar', { ups: 'u', name: 'ups.delay.shutdown', value: '5' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    await assert.rejects(r.bus.request('ups.setvar', { ups: 'u', name: 'ups.delay.start', value: 'soon' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    const before = r.sim.actions().length;
    await r.bus.request('ups.instcmd', { ups: 'u', name: 'shutdown.return' });
    assert.deepEqual(r.sim.actions().slice(before), ['S01\r']);
    const info = r.store.get('u')?.getVar('ups.delay.shutdown');
    assert.equal(info?.flags.rw, true);
    assert.deepEqual(info?.ranges, [[12, 600]]);
  });

  test('a command the unit echoes back is INSTCMD-FAILED', async () => {
    r.sim.override.set('CT', 'CT\r');
    try {
      await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'test.battery.stop' }), (e: unknown) => e instanceof RequestError && e.failure === 'INSTCMD-FAILED');
    } finally {
      r.sim.override.delete('CT');
    }
  });
});

describe('qx driver: a unit that stops answering, a truncated reply, a unit that vanishes', () => {
  test('silence: stale at once, reopened with backoff, fresh when the unit answers again (same protocol)', async () => {
    const r = await rig({ protocol: 'megatec' });
    try {
      await r.until('first read', () => r.v('ups.status') === 'OL');
      r.sim.silent = true;
      await r.until('stale', () => {
        r.store.flush();
        return r.store.get('u')!.health.staleFlag;
      });
      assert.ok(r.log.some((l) => /lost \/.*ttyUPS/.test(l)), r.log.join('\n'));
      const reopenFrom = r.sim.received.length;
      r.sim.silent = false;
      r.sim.set(ON_BATTERY);
      await r.until('fresh again, on battery', () => {
        r.store.flush();
        return !r.store.get('u')!.health.staleFlag && r.v('ups.status') === 'OB';
      }, 20_000);
      // The reopen claimed megatec again (Q1 then I), not every protocol.
      const reopen = r.sim.received.slice(reopenFrom);
      assert.equal(reopen.includes('QS\r'), false, JSON.stringify(reopen.slice(0, 8)));
      assert.ok(reopen.includes('I\r'));
    } finally {
      await r.stop();
    }
  });

  test('a reply cut short (no \\r) on the real link is a missed poll, not a value', async () => {
    const r = await rig({ protocol: 'megatec' });
    try {
      await r.until('first read', () => r.v('ups.status') === 'OL');
      r.sim.override.set('Q1', '(233.0 000.0 233.0 016 50.0 27.0 20.8 00001');
      await r.until('stale', () => {
        r.store.flush();
        return r.store.get('u')!.health.staleFlag;
      });
      assert.equal(r.v('input.voltage'), '229.8');
      r.sim.override.delete('Q1');
      await r.until('fresh again', () => {
        r.store.flush();
        return !r.store.get('u')!.health.staleFlag;
      });
    } finally {
      await r.stop();
    }
  });

  test('bytes nobody asked for are flushed before each command (NUT ser_flush_io), never read as a reply', async () => {
    const r = await rig({ protocol: 'megatec' });
    try {
      await r.until('first read', () => r.v('ups.status') === 'OL');
      for (let i = 0; i < 5; i++) {
        const n = r.sim.received.length;
        await r.until('a poll went by', () => r.sim.received.length > n);
        // Between polls: a stale reply with other values, and noise.
        await r.sim.inject('(999.9 140.0 999.9 099 60.0 99.9 99.9 10000000\r\u0000\u00ffnoise\r');
        await new Promise((res) => setTimeout(res, 60));
      }
      const n = r.sim.received.length;
      await r.until('two more polls', () => r.sim.received.length > n + 1);
      assert.equal(r.v('input.voltage'), '229.8');
      assert.equal(r.v('ups.status'), 'OL');
      r.store.flush();
      assert.equal(r.store.get('u')!.health.staleFlag, false);
    } finally {
      await r.stop();
    }
  });

  test('the pty vanishes (socat ends): stale, and reconnect attempts fail without crashing', async () => {
    const r = await rig({ protocol: 'megatec' });
    try {
      await r.until('first read', () => r.v('ups.status') === 'OL');
      await r.sim.stop();
      await r.pty.stop();
      await r.until('stale', () => {
        r.store.flush();
        return r.store.get('u')!.health.staleFlag;
      });
      await r.until('a failed reopen logged', () => r.log.filter((l) => /retrying in/.test(l)).length > 0 || r.log.some((l) => /lost/.test(l)));
      assert.equal(r.v('input.voltage'), '229.8', 'the last values stay, marked stale');
    } finally {
      await r.driver.stop();
    }
  });
});

