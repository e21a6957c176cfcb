/**
 * Differential: Debian's real NUT 2.8.0 nutdrv_qx with protocol=voltronic-qs
 * and protocol=voltronic-qs-hex, against our qx driver with the same
 * protocols, each on a pty with its own QS simulator
 * (test/helpers/voltronic-qs-simulator.ts); the simulators start identical
 * and are switched together. We compare what each publishes (upsc, driver.*
 * dropped) online, on battery, on low battery and back, the instant
 * commands listed and the bytes each puts on the wire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { socatAvailable } from '../helpers/pty-pair';
import { LOW_BATTERY, ONLINE, ON_BATTERY } from '../helpers/q1-simulator';
import { nutAvailable, UPSCMD } from '../helpers/real-nut';
import { commandNames, started, startSideBySide, type SideBySide } from '../helpers/real-nut-serial';
import { HEX_LOW_BATTERY, HEX_ONLINE, HEX_ON_BATTERY, VoltronicQsSimulator, type QsSimulatorOptions } from '../helpers/voltronic-qs-simulator';

const NUTDRV_QX = '/lib/nut/nutdrv_qx';
const skip = !nutAvailable() || !existsSync(NUTDRV_QX) || !socatAvailable() ? 'the real NUT nutdrv_qx (nut-server) or socat is not installed' : false;

/** A QS unit served by nutdrv_qx and ours with `protocol`, both polling every second, a full update every 2 s. */
function qsUnit(protocol: string, sim: QsSimulatorOptions) {
  return {
    attach: started((peer) => new VoltronicQsSimulator(peer, sim)),
    real: { driver: 'nutdrv_qx', conf: [`protocol = ${protocol}`, 'pollinterval = 1', 'pollfreq = 2'] },
    ours: { driver: 'qx', protocol, pollInterval: 1, pollfreq: 2 },
  };
}

const UPSES = ['qs', 'hex', 'hext'] as const;
type Ups = (typeof UPSES)[number];

describe('qx voltronic-qs and -qs-hex: real NUT 2.8.0 nutdrv_qx vs ours, on identical QS simulators', { skip, timeout: 180_000 }, () => {
  let sb: SideBySide<VoltronicQsSimulator>;
  const sim = (ups: Ups, side: 'real' | 'ours'): VoltronicQsSimulator => sb.sim(ups, side);

  before(async () => {
    sb = await startSideBySide({
      units: {
        qs: qsUnit('voltronic-qs', { dialect: 'text' }),
        hex: qsUnit('voltronic-qs-hex', { dialect: 'hex', letter: 'P' }),
        hext: qsUnit('voltronic-qs-hex', { dialect: 'hex', letter: 'T' }),
      },
      startTimeoutMs: 40_000,
    });
  });

  after(async () => sb?.stop());

  const compare = (ups: Ups, label: string, status: string): Promise<Record<string, string>> => sb.untilSame(ups, { label: `${ups} ${label} (want ${status})`, within: 15_000, ready: (rv) => rv['ups.status'] === status });

  test('voltronic-qs: the same variables and values online, on battery, low battery and back', async () => {
    const rv = await compare('qs', 'online', 'OL');
    assert.equal(rv['ups.firmware.aux'], 'PM-V');
    assert.equal(rv['output.frequency'], '50.1');
    for (const [state, status] of [
      [ON_BATTERY, 'OB'],
      [LOW_BATTERY, 'OB LB'],
      [ONLINE, 'OL'],
    ] as const) {
      sim('qs', 'real').text = { ...state };
      sim('qs', 'ours').text = { ...state };
      await compare('qs', status, status);
    }
  });

  test('voltronic-qs-hex: the same variables and values online, on battery, low battery and back', async () => {
    const rv = await compare('hex', 'online', 'OL');
    assert.equal(rv['ups.firmware.aux'], 'PM-P');
    assert.equal(rv['input.voltage'], '112.2');
    assert.equal(rv['output.frequency'], '59.8');
    for (const [state, status] of [
      [HEX_ON_BATTERY, 'OB'],
      [HEX_LOW_BATTERY, 'OB LB'],
      [HEX_ONLINE, 'OL'],
    ] as const) {
      sim('hex', 'real').hex = { ...state };
      sim('hex', 'ours').hex = { ...state };
      await compare('hex', status, status);
    }
  });

  test('voltronic-qs-hex on a T unit: the rating bits too', async () => {
    const rv = await compare('hext', 'online', 'OL');
    assert.equal(rv['ups.firmware.aux'], 'PM-T');
    assert.equal(rv['output.voltage.nominal'], '220.0');
    assert.equal(rv['battery.voltage.nominal'], '12.0');
    assert.equal(rv['output.frequency.nominal'], '50.0');
  });

  test('the same instant commands, and the same bytes on the wire for each', async () => {
    const names = (s: string) => commandNames(s).filter((n) => n !== 'shutdown.default');
    for (const ups of UPSES) {
      const [r, o] = await sb.both(UPSCMD, ups, (at) => ['-l', at]);
      const realNames = names(r.out);
      // NUT lists test.battery.start.quick on T units only; ours lists it (and refuses it) on P units too.
      const ourNames = names(o.out).filter((n) => !(ups === 'hex' && n === 'test.battery.start.quick'));
      assert.deepEqual(ourNames, realNames, ups);
      for (const name of realNames) {
        const w = await sb.instcmd(ups, name);
        assert.equal(w.real.length, 1, `${ups} real ${name}: ${JSON.stringify(w.real)}`);
        assert.deepEqual(w.ours, w.real, `${ups} ${name}`);
      }
    }
  });
});
