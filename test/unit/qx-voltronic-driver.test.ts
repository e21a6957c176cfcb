/**
 * The qx driver with the voltronic protocol against our Voltronic simulator
 * (test/helpers/voltronic-simulator.ts) over a real pty pair and the real
 * serial link: autodetection, what it publishes online, on battery and on
 * low battery, faults and warnings, the bytes each command and each SET
 * puts on the wire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../src/core/errors';
import { startQxPtyRig, type QxPtyRig } from '../helpers/qx-pty-rig';
import { VOLTRONIC_LOW_BATTERY, VOLTRONIC_ONLINE, VOLTRONIC_ON_BATTERY, VoltronicSimulator, type VoltronicSimulatorOptions } from '../helpers/voltronic-simulator';

type Rig = QxPtyRig<VoltronicSimulator>;
const rig = (cfg: Record<string, unknown> = {}, simOpts: VoltronicSimulatorOptions = {}): Promise<Rig> => startQxPtyRig((peer) => new VoltronicSimulator(peer, simOpts), cfg);

describe('qx driver, voltronic protocol, on a pty with the Voltronic simulator', () => {
  let r: Rig;
  before(async () => {
    // Protocol not set: autodetection must pick voltronic (QGS, then QPI).
    r = await rig();
    await r.until('first read', () => r.v('ups.status') !== undefined && r.v('outlet.1.delay.shutdown') !== undefined);
  });
  after(async () => r?.stop());

  test('autodetected; identity, ratings, status, battery, capabilities and outlets as NUT names them', () => {
    const want: Record<string, string> = {
      'driver.version.data': 'Voltronic 0.14',
      'ups.firmware.aux': 'P01',
      'input.voltage': '231.4',
      'input.frequency': '50.0',
      'output.voltage': '229.9',
      'output.frequency': '50.0',
      'output.current': '1.2',
      'ups.load': '17',
      'battery.voltage': '27.30',
      'ups.temperature': '29.5',
      'ups.type': 'online',
      'ups.beeper.status': 'enabled',
      'ups.status': 'OL',
      'output.voltage.nominal': '230.0',
      'output.current.nominal': '4',
      'battery.voltage.nominal': '24.0',
      'device.model': 'OLHVT1K0',
      'ups.power.nominal': '1000',
      'output.powerfactor': '0.8',
      'input.phases': '1',
      'output.phases': '1',
      'device.mfr': 'VOLTRONIC',
      'ups.firmware': '00322.02',
      'device.serial': '685653211455',
      'battery.packs': '1',
      'battery.charge': '100',
      'battery.runtime': '2760',
      'output.power.minimum.percent': '5',
      'output.power.maximum.percent': '80',
      'battery.voltage.low': '21.0',
      'ups.start.auto': 'no',
      'battery.protection': 'yes',
      'battery.energysave': 'no',
      'ups.start.battery': 'yes',
      'outlet.0.switchable': 'yes',
      'outlet.1.switchable': 'yes',
      'outlet.1.status': 'on',
      'outlet.2.status': 'off',
      'outlet.1.delay.shutdown': '480',
      'outlet.4.delay.shutdown': '420',
      'input.transfer.high': '242',
      'input.transfer.high.min': '237',
      'input.transfer.high.max': '254',
      'input.transfer.low': '218',
      'input.frequency.high': '53.0',
      'input.frequency.low': '47.0',
      'ups.delay.start': '180',
      'ups.delay.shutdown': '30',
    };
    for (const [k, val] of Object.entries(want)) assert.equal(r.v(k), val, k);
    assert.equal(r.v('ups.alarm'), undefined);
    // The first claim tried is voltronic's; no Megatec probe was needed.
    assert.equal(r.sim.received[0], 'QGS\r');
    assert.equal(r.sim.received[1], 'QPI\r');
    assert.ok(!r.sim.received.includes('Q1\r'));
    // Only P03/P09/P10 units are asked the multi-phase queries, only P31 units QBT.
    assert.ok(!r.sim.received.some((c) => c.startsWith('Q3') || c === 'QBT\r'));
  });

  test('on battery, low battery (warning alarm) and back', async () => {
    r.sim.set(VOLTRONIC_ON_BATTERY);
    await r.until('OB', () => r.v('ups.status') === 'OB');
    assert.equal(r.v('input.voltage'), '0.0');
    await r.until('charge 81', () => r.v('battery.charge') === '81');
    r.sim.set(VOLTRONIC_LOW_BATTERY);
    await r.until('OB LB with the warning', () => r.v('ups.status') === 'ALARM OB LB' && r.v('ups.alarm') === 'UPS warnings: Low battery.');
    r.sim.set(VOLTRONIC_ONLINE);
    await r.until('OL again', () => r.v('ups.status') === 'OL' && r.v('ups.alarm') === undefined);
  });

  test('a fault: "UPS Fault!" from QGS, then QFS tells which (Overload fault., OVER)', async () => {
    r.sim.set({ fault: true, faultCode: '43' });
    try {
      await r.until('fault named', () => r.v('ups.alarm') === 'UPS Fault! Overload fault.' && (r.v('ups.status') ?? '').includes('OVER'));
      assert.ok(r.sim.received.includes('QFS\r'));
    } finally {
      r.sim.set({ fault: false, faultCode: 'OK' });
    }
    await r.until('fault gone', () => r.v('ups.alarm') === undefined && r.v('ups.status') === 'OL');
    const asked = r.sim.received.filter((c) => c === 'QFS\r').length;
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(r.sim.received.filter((c) => c === 'QFS\r').length, asked, 'QFS is not asked without a fault');
  });

  test('commands of a capability are listed as the last full poll\'s QFLAG says (NUT unskips them)', async () => {
    const cmds = (): readonly string[] => {
      r.store.flush();
      return r.store.get('u')?.commands() ?? [];
    };
    // The simulator's unit names ECO (`e`) but not alarm control (`a`).
    assert.ok(cmds().includes('bypass.start') && cmds().includes('bypass.stop'));
    assert.ok(!cmds().includes('beeper.enable') && !cmds().includes('beeper.disable'));
    await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'beeper.enable' }), (e: unknown) => e instanceof RequestError && e.failure === 'CMD-NOT-SUPPORTED');
    const { enabled, disabled } = r.sim;
    try {
      r.sim.enabled = `${enabled}a`;
      r.sim.disabled = disabled.replace('e', '');
      await r.until('beeper.enable listed, bypass.start gone', () => cmds().includes('beeper.enable') && !cmds().includes('bypass.start'));
      assert.ok(cmds().includes('beeper.disable') && !cmds().includes('bypass.stop'));
      await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'bypass.start' }), (e: unknown) => e instanceof RequestError && e.failure === 'CMD-NOT-SUPPORTED');
      const before = r.sim.actions().length;
      await r.bus.request('ups.instcmd', { ups: 'u', name: 'beeper.disable' });
      assert.deepEqual(r.sim.actions().slice(before), ['PDA\r']);
    } finally {
      r.sim.enabled = enabled;
      r.sim.disabled = disabled;
    }
    await r.until('back as before', () => cmds().includes('bypass.start') && !cmds().includes('beeper.enable'));
  });

  test('instant commands put NUT\'s bytes on the wire', async () => {
    const cmds = (r.store.get('u')?.commands() ?? []).slice().sort();
    for (const c of ['load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start', 'beeper.toggle', 'outlet.1.load.on', 'bypass.start']) assert.ok(cmds.includes(c), c);
    const cases: Array<[string, string | undefined, string]> = [
      ['load.off', undefined, 'SOFF\r'],
      ['load.on', undefined, 'SON\r'],
      ['shutdown.return', undefined, 'S.5R0003\r'],
      ['shutdown.stayoff', undefined, 'S.5R0000\r'],
      ['shutdown.stop', undefined, 'CS\r'],
      ['test.battery.start', undefined, 'T10\r'],
      ['test.battery.start', '18', 'T.3\r'],
      ['test.battery.start.deep', undefined, 'TL\r'],
      ['test.battery.start.quick', undefined, 'T\r'],
      ['test.battery.stop', undefined, 'CT\r'],
      ['beeper.toggle', undefined, 'BZOFF\r'],
      ['outlet.2.load.on', undefined, 'SKON2\r'],
      ['outlet.1.load.off', undefined, 'SKOFF1\r'],
      ['bypass.start', undefined, 'PEE\r'],
    ];
    for (const [name, param, bytes] of cases) {
      const before = r.sim.actions().length;
      await r.bus.request('ups.instcmd', { ups: 'u', name, ...(param !== undefined ? { param } : {}) });
      assert.deepEqual(r.sim.actions().slice(before), [bytes], name);
    }
    await r.until('beeper off seen', () => r.v('ups.beeper.status') === 'disabled');
    const before = r.sim.actions().length;
    await r.bus.request('ups.instcmd', { ups: 'u', name: 'beeper.toggle' });
    assert.deepEqual(r.sim.actions().slice(before), ['BZON\r']);
    await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'test.battery.start', param: '6' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-ARGUMENT');
    // A command the unit refuses ((NAK) fails.
    r.sim.override.set('SON', '(NAK');
    try {
      await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'load.on' }), (e: unknown) => e instanceof RequestError && e.failure === 'INSTCMD-FAILED');
    } finally {
      r.sim.override.delete('SON');
    }
  });

  test('SET: capabilities (PE/PD), battery packs, battery low, outlet delay, ECO limit; ranges published', async () => {
    const set = async (name: string, value: string, bytes: string): Promise<void> => {
      const before = r.sim.actions().length;
      await r.bus.request('ups.setvar', { ups: 'u', name, value });
      assert.deepEqual(r.sim.actions().slice(before), [bytes], `${name}=${value}`);
    };
    await set('ups.start.auto', 'yes', 'PER\r');
    await r.until('ups.start.auto read back', () => r.v('ups.start.auto') === 'yes');
    await set('battery.energysave', 'yes', 'PEG\r');
    await set('battery.packs', '2', 'BATGN02\r');
    await r.until('packs read back', () => r.v('battery.packs') === '2');
    await set('battery.voltage.low', '22', 'W0E22\r');
    await set('outlet.2.delay.shutdown', '600', 'PSK2010\r');
    await r.until('outlet delay read back', () => r.v('outlet.2.delay.shutdown') === '600');
    await set('input.transfer.high', '250', 'HEH250\r');
    await assert.rejects(r.bus.request('ups.setvar', { ups: 'u', name: 'input.transfer.high', value: '300' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    await assert.rejects(r.bus.request('ups.setvar', { ups: 'u', name: 'ups.start.auto', value: 'maybe' }), (e: unknown) => e instanceof RequestError && e.failure === 'INVALID-VALUE');
    const packs = r.store.get('u')?.getVar('battery.packs');
    assert.equal(packs?.flags.rw, true);
    assert.deepEqual(packs?.ranges, [[1, 99]]);
    assert.deepEqual(r.store.get('u')?.getVar('ups.start.auto')?.enums, ['no', 'yes']);
    assert.deepEqual(r.store.get('u')?.getVar('ups.delay.shutdown')?.ranges, [[12, 5940]]);
    // Ranges NUT computes at run time (QxSetting.ranges): from QRI's nominal output voltage and current, the protocol.
    r.store.flush();
    assert.deepEqual(r.store.get('u')?.getVar('battery.voltage.low')?.ranges, [[20, 24]]);
    assert.deepEqual(r.store.get('u')?.getVar('input.transfer.high')?.ranges, [[237, 254]]);
    assert.equal(r.store.get('u')?.getVar('input.transfer.low')?.ranges?.length, 1);
    assert.equal(r.store.get('u')?.getVar('input.frequency.high')?.ranges?.length, 1);
  });
});

describe('qx driver, voltronic protocol: a P10 three-phase unit', () => {
  let r: Rig;
  before(async () => {
    r = await rig({ protocol: 'voltronic' }, { protocol: 10 });
    await r.until('first read', () => r.v('ups.status') !== undefined);
  });
  after(async () => r?.stop());

  test('asks the Q3 queries; a refused one ((NAK) withdraws only its values', async () => {
    assert.equal(r.v('ups.firmware.aux'), 'P10');
    for (const c of ['Q3PV\r', 'Q3PC\r', 'Q3OV\r', 'Q3OC\r', 'Q3LD\r', 'Q3YV\r']) assert.ok(r.sim.received.includes(c), c);
    await r.until('phase values', () => r.v('input.L1-N.voltage') === '123.4' && r.v('input.L1.current') === '2');
    assert.equal(r.v('output.L3.power.percent'), '89');
    r.sim.override.set('Q3PC', '(NAK');
    try {
      await r.until('Q3PC values withdrawn', () => r.v('input.L1.current') === undefined);
      assert.equal(r.v('input.L1-N.voltage'), '123.4');
      assert.equal(r.v('input.voltage'), '231.4');
      assert.equal(r.v('ups.status'), 'OL');
    } finally {
      r.sim.override.delete('Q3PC');
    }
    await r.until('Q3PC values back', () => r.v('input.L1.current') === '2');
  });
});

describe('qx voltronic: the ups.conf-only options, written once per connection after the first read (NUT QX_FLAG_NONUT setvars)', () => {
  const startupWrites = (sim: VoltronicSimulator): string[] => sim.actions().filter((c) => /^(P[ED][A-Z]|PF|BATN)/.test(c));

  test('a capability in the other state is written (PE/PD + its letter), one already so or absent is not; battery_number when QBV differs; reset_to_default refused unless OFF', async () => {
    // Simulator: b (battery_alarm) and p (bypass_alarm) not reported; e (eco) and o (bypass_when_off) disabled; a (alarm control) enabled.
    const r = await rig(
      { protocol: 'voltronic', eco_mode: 'Enabled', bypass_when_off: 'disabled', alarm_control: 'disabled', battery_alarm: 'enabled', battery_number: 3, reset_to_default: true },
      { enabled: 'ash', disabled: 'eo' },
    );
    try {
      await r.until('written', () => startupWrites(r.sim).length >= 3);
      await r.until('a full poll after', () => r.sim.received.filter((c) => c === 'QFLAG\r').length >= 2);
      // Table order: reset (refused: online, not OFF), then the capabilities, then battery_number.
      assert.deepEqual(startupWrites(r.sim), ['PDA\r', 'PEE\r', 'BATN3\r']);
      assert.equal(r.sim.enabled.includes('e'), true);
      assert.equal(r.sim.disabled.includes('a'), true);
      assert.equal(r.sim.state.batteryNumber, 3);
    } finally {
      await r.stop();
    }
  });

  test('nothing sent without the options, nor when the unit already matches; each written again on a new connection only', async () => {
    const plain = await rig({ protocol: 'voltronic' });
    try {
      await plain.until('a few full polls', () => plain.sim.received.filter((c) => c === 'QFLAG\r').length >= 3);
      assert.deepEqual(startupWrites(plain.sim), []);
    } finally {
      await plain.stop();
    }
    const same = await rig({ protocol: 'voltronic', eco_mode: 'disabled', battery_number: 2 }, { enabled: 'a', disabled: 'e' });
    try {
      await same.until('a few full polls', () => same.sim.received.filter((c) => c === 'QFLAG\r').length >= 3);
      assert.equal(same.sim.state.batteryNumber, 2);
      assert.deepEqual(startupWrites(same.sim), []);
    } finally {
      await same.stop();
    }
  });

  test('reset_to_default: PF while the UPS is in standby (OFF), before the capabilities', async () => {
    const r = await rig({ protocol: 'voltronic', reset_to_default: true, converter_mode: 'enabled' }, { state: { ...VOLTRONIC_ONLINE, mode: 'S' }, enabled: '', disabled: 'v' });
    try {
      await r.until('written', () => startupWrites(r.sim).length >= 2);
      assert.deepEqual(startupWrites(r.sim), ['PF\r', 'PEV\r']);
    } finally {
      await r.stop();
    }
  });

  test('config: values checked as NUT takes them', async () => {
    const { validateConfig } = await import('../../src/app/config');
    const problems = (extra: Record<string, unknown>): string => {
      try {
        validateConfig({ ups: { u: { driver: 'qx', port: '/dev/ttyUSB0', ...extra } } });
        return '';
      } catch (err) {
        return String(err);
      }
    };
    assert.equal(problems({ eco_mode: 'ENABLED', battery_number: 9, reset_to_default: false }), '');
    assert.match(problems({ eco_mode: 'on' }), /ups\.u\.eco_mode: "on" is not one of enabled, disabled/);
    assert.match(problems({ battery_number: 10 }), /ups\.u\.battery_number/);
  });
});

