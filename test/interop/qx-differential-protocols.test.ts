/**
 * Differential across the Megatec family: for each dialect, a simulator
 * speaking it (status command D or QS, vendor FW?, no vendor at all,
 * (ACK/(NAK replies, BestUPS' ID/RT/M, a per-cell battery) on two ptys,
 * one served by Debian's real nutdrv_qx 2.8.0 with upsd and one by ours.
 * Both autodetect the protocol; we compare which one each chose
 * (driver.version.data) and every variable each publishes (upsc).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { socatAvailable } from '../helpers/pty-pair';
import { ONLINE, ON_BATTERY, Q1Simulator, type Q1SimulatorOptions } from '../helpers/q1-simulator';
import { nutAvailable, UPSC } from '../helpers/real-nut';
import { differences, runTool as run, sleep, started, startSideBySide, upscVars as vars, type SideBySide } from '../helpers/real-nut-serial';

const NUTDRV_QX = '/lib/nut/nutdrv_qx';
const skip = !nutAvailable() || !existsSync(NUTDRV_QX) || !socatAvailable() ? 'the real NUT nutdrv_qx (nut-server) or socat is not installed' : false;

interface Dialect {
  name: string;
  /** NUT's subdriver name as driver.version.data shows it, for ours; 2.8.0's version may differ. */
  protocol: string;
  sim: Q1SimulatorOptions;
  /** Replies beyond the simulator's own (command without \r -> line with \r). */
  extra?: Record<string, string>;
  /** Driver options, as ups.conf lines for the real one and as keys for ours. */
  options?: Record<string, string>;
}

const DIALECTS: Dialect[] = [
  { name: 'old', protocol: 'Megatec/old', sim: { statusCommand: 'D' } },
  { name: 'mustek', protocol: 'Mustek', sim: { statusCommand: 'QS' } },
  { name: 'zinto', protocol: 'Zinto', sim: { vendorCommand: 'FW?' } },
  { name: 'mecer', protocol: 'Mecer', sim: { ack: '(ACK' }, extra: { QPI: '(NAK\r' } },
  { name: 'best', protocol: 'BestUPS', sim: { state: { ...ONLINE, beeper: false } }, extra: { ID: 'FOR,750,120,120,20.0,27.6\r', RT: '025\r', M: '0\r' } },
  { name: 'percell', protocol: 'Megatec', sim: { state: { ...ONLINE, batteryVoltage: 2.18 } } },
  { name: 'bare', protocol: 'Q1', sim: { vendor: null, rating: null } },
  // A unit whose I reply is all blanks: NUT refuses the megatec claim ("non significant" firmware) and
  // falls back to q1 (no F ratings, no charge estimate); so do we.
  { name: 'blankid', protocol: 'Q1', sim: { vendor: { company: '', model: '', version: '' } } },
  // Online and full, the runtime estimate is deterministic: 240 s nominal / max(0.23^1.585, idle 10 %) = 2400 s.
  { name: 'cal', protocol: 'Megatec', sim: {}, options: { runtimecal: '240,100,720,50', chargetime: '28800', idleload: '10' } },
];

describe('qx dialects: real nutdrv_qx 2.8.0 vs ours, each autodetecting', { skip, timeout: 120_000 }, () => {
  let sb: SideBySide<Q1Simulator>;

  before(async () => {
    const unit = (d: Dialect) => {
      const opts = Object.entries(d.options ?? {});
      return {
        attach: started((peer) => {
          const sim = new Q1Simulator(peer, d.sim);
          for (const [k, v] of Object.entries(d.extra ?? {})) sim.override.set(k, v);
          return sim;
        }),
        real: { driver: 'nutdrv_qx', conf: ['pollinterval = 1', 'pollfreq = 2', ...opts.map(([k, v]) => `${k} = ${v}`)] },
        ours: { driver: 'qx', pollInterval: 1, pollfreq: 2, ...Object.fromEntries(opts.map(([k, v]) => [k, k === 'runtimecal' ? v : Number(v)])) },
      };
    };
    sb = await startSideBySide({ units: Object.fromEntries(DIALECTS.map((d) => [d.name, unit(d)])), startTimeoutMs: 90_000 });
  });

  after(async () => sb?.stop());

  for (const d of DIALECTS) {
    /*
     * Compared until they agree, for up to 8 s: nutdrv_qx 2.8.0 computes a
     * per-cell unit's first battery.charge before it has guessed the number
     * of packs (2.18 V against 20.8..26 V: "0"), and gets it right only at
     * its first full update (pollfreq); ours estimates with the packs from
     * the start. Every other value must match at once and stay matched.
     */
    test(`${d.name}: the same protocol chosen and the same variables`, async () => {
      const end = Date.now() + 8000;
      for (;;) {
        const [r, o] = await sb.both(UPSC, d.name);
        assert.equal(r.code, 0, r.err);
        assert.equal(o.code, 0, o.err);
        const proto = (out: string) => /^driver\.version\.data: (\S+)/m.exec(out)?.[1];
        assert.equal(proto(r.out), d.protocol, r.out);
        assert.equal(proto(o.out), d.protocol, o.out);
        const rv = vars(r.out);
        const ov = vars(o.out);
        const diffs = differences(rv, ov);
        if (diffs.length === 0) {
          if (d.name === 'percell') assert.equal(ov['battery.charge'], '100', '12 packs of 2.18 V: full');
          if (d.name === 'cal') assert.equal(ov['battery.runtime'], '2400');
          return;
        }
        // The estimates only: nutdrv_qx publishes them at its full updates.
        assert.ok(diffs.every((x) => x.startsWith('battery.charge:') || x.startsWith('battery.runtime:')), diffs.join('\n'));
        if (Date.now() > end) assert.fail(diffs.join('\n'));
        await sleep(250);
      }
    });
  }

  test('cal on battery: the runtime estimate falls the same way on both (within the seconds between their polls)', async () => {
    for (const side of ['real', 'ours'] as const) sb.sim('cal', side).set(ON_BATTERY);
    const read = async (side: 'real' | 'ours') => vars((await run(UPSC, [sb.at('cal', side)])).out);
    const end = Date.now() + 10_000;
    let r: Record<string, string> = {};
    let o: Record<string, string> = {};
    // Both at OB with an estimate made on battery (the full update after the change).
    while (Date.now() < end) {
      [r, o] = await Promise.all([read('real'), read('ours')]);
      if (r['ups.status'] === 'OB' && o['ups.status'] === 'OB' && Number(r['battery.runtime']) < 2400 && Number(o['battery.runtime']) < 2400) break;
      await sleep(250);
    }
    await sleep(3000);
    [r, o] = await Promise.all([read('real'), read('ours')]);
    // 24.8 V is 77 % of 20.8..26 V: the estimate drops to 0.77 × 240 s of full load, 1846 s at 10 % load,
    // then falls a second per second on battery.
    for (const [side, v] of [['real', r], ['ours', o]] as const) {
      const rt = Number(v['battery.runtime']);
      assert.ok(rt <= 1846 && rt > 1846 - 30, `${side}: battery.runtime ${v['battery.runtime']}`);
      assert.equal(v['battery.charge'], '77', side);
    }
    assert.ok(Math.abs(Number(r['battery.runtime']) - Number(o['battery.runtime'])) <= 5, `real ${r['battery.runtime']}, ours ${o['battery.runtime']}`);
  });
});
