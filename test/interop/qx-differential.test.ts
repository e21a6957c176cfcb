/**
 * Differential: Debian's real NUT 2.8.0 nutdrv_qx (and blazer_ser) with the
 * real upsd, and our qx driver with our server, each on a pty with its own
 * Megatec simulator (test/helpers/q1-simulator.ts); the simulators start
 * identical and are switched together. The real clients read and drive
 * both, and we compare:
 *
 *  - what each publishes (upsc; driver.* dropped) online, on battery, on
 *    low battery and back. Nothing compared is timing-dependent: without
 *    runtimecal the charge follows the simulator's battery voltage alone;
 *  - the settable variables with their ranges (upsrw) and a SET's rounding;
 *  - the instant commands each lists (upscmd -l) and the bytes every one of
 *    them puts on the wire (upscmd against each server).
 *
 * Differences that remain are deliberate and named where they are allowed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { socatAvailable } from '../helpers/pty-pair';
import { LOW_BATTERY, ONLINE, ON_BATTERY, Q1Simulator, type Q1State } from '../helpers/q1-simulator';
import { nutAvailable, UPSC, UPSRW } from '../helpers/real-nut';
import { bothAnswered, runTool as run, sleep, started, startSideBySide, upscVars as vars, upsrwLines, type SideBySide } from '../helpers/real-nut-serial';

const NUTDRV_QX = '/lib/nut/nutdrv_qx';
const BLAZER_SER = '/lib/nut/blazer_ser';
const skip = !nutAvailable() || !existsSync(NUTDRV_QX) || !existsSync(BLAZER_SER) || !socatAvailable() ? 'the real NUT nutdrv_qx/blazer_ser (nut-server) or socat is not installed' : false;

/**
 * Where ours differs from nutdrv_qx 2.8.0 on purpose. Only the names here
 * may differ, and only as said.
 *  - none so far for values: every variable nutdrv_qx 2.8.0 publishes for
 *    a Megatec unit, ours publishes with the same text.
 */
const ALLOWED_VALUE_DIFFERENCES: Record<string, string> = {};

describe('qx: real NUT 2.8.0 nutdrv_qx (and blazer_ser) vs ours, on identical Megatec simulators', { skip, timeout: 120_000 }, () => {
  let sb: SideBySide<Q1Simulator>;
  const at = (side: 'real' | 'ours' | 'blazer'): string => (side === 'blazer' ? sb.at('bz', 'real') : sb.at('qx', side));
  const q1 = started((peer) => new Q1Simulator(peer));

  before(async () => {
    // Polls every second, a full update every 2 s, on both sides, so state changes show quickly.
    sb = await startSideBySide({
      units: {
        qx: { attach: q1, real: { driver: 'nutdrv_qx', conf: ['pollinterval = 1', 'pollfreq = 2'] }, ours: { driver: 'qx', pollInterval: 1, pollfreq: 2 } },
        bz: { attach: q1, real: { driver: 'blazer_ser', conf: ['pollinterval = 1'] } },
      },
      startTimeoutMs: 40_000,
    });
  });

  after(async () => sb?.stop());

  /** Switches every simulator to `state` and waits until both servers show `status`. */
  async function switchTo(state: Q1State, status: string): Promise<void> {
    for (const s of sb.sims()) s.set(state);
    await sb.untilStatus('qx', status);
  }

  /**
   * upsc on both until they agree (or 6 s pass, then the differences fail
   * the test). nutdrv_qx refreshes all but the status bits only in its full
   * update (every pollfreq); ours parses the whole reply every poll, so
   * right after a change the real side may lag by one full update.
   */
  const compareVars = (label: string): Promise<Record<string, string>> => sb.untilSame('qx', { label, within: 6000, allowed: Object.keys(ALLOWED_VALUE_DIFFERENCES), check: bothAnswered });

  test('online: the same variables and values', async () => {
    const rv = await compareVars('online');
    assert.equal(rv['ups.status'], 'OL');
    assert.equal(rv['device.mfr'], 'UPSAGENT SIM');
    assert.equal(rv['battery.charge'], '100');
  });

  test('on battery, low battery and back: the same status and values at each step', async () => {
    await switchTo(ON_BATTERY, 'OB');
    assert.equal((await compareVars('on battery'))['battery.charge'], '77');
    await switchTo(LOW_BATTERY, 'OB LB');
    assert.equal((await compareVars('low battery'))['battery.charge'], '15');
    await switchTo({ ...ONLINE, bypassBoostBuck: true, inputVoltage: 205.0, outputVoltage: 229.0 }, 'OL BOOST');
    await compareVars('online, boosting');
    await switchTo({ ...ONLINE, upsFailed: true }, 'ALARM OL');
    assert.equal((await compareVars('UPS failed'))['ups.alarm'], 'UPS selftest failed!');
    await switchTo({ ...ONLINE, testing: true, inputVoltage: 240.0, outputVoltage: 221.0, bypassBoostBuck: true }, 'OL TRIM CAL');
    await compareVars('trimming, in a battery test');
    await switchTo({ ...ON_BATTERY, shutdownActive: true }, 'ALARM OB FSD');
    assert.equal((await compareVars('shutdown active'))['ups.alarm'], 'Shutdown imminent!');
    await switchTo(ONLINE, 'OL');
    await compareVars('back online');
  });

  test('blazer_ser, nutdrv_qx\'s predecessor, agrees on every variable both publish', async () => {
    const [b, o] = await Promise.all([run(UPSC, [at('blazer')]), run(UPSC, [at('ours')])]);
    assert.equal(b.code, 0, b.err);
    const bv = vars(b.out);
    const ov = vars(o.out);
    // blazer_ser names the vendor reply ups.mfr/ups.model (device.* copied by NUT's core) and publishes no ups.type; the rest is the same reading.
    const shared = Object.keys(bv).filter((k) => k in ov);
    assert.ok(shared.length > 15, b.out);
    const diffs = shared.filter((k) => bv[k] !== ov[k]).map((k) => `${k}: blazer ${bv[k]}, ours ${ov[k]}`);
    assert.deepEqual(diffs, []);
  });

  test('upsrw lists the same settable variables with their ranges; a SET rounds the same', async () => {
    const [r, o] = await Promise.all([run(UPSRW, [at('real')]), run(UPSRW, [at('ours')])]);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes('[ups.delay.shutdown]'), r.out);
    assert.deepEqual(upsrwLines(o.out), upsrwLines(r.out));
    const set = ['-s', 'ups.delay.shutdown=100', '-u', 'admin', '-p', 'sekret'];
    const [rs, os] = await Promise.all([run(UPSRW, [...set, at('real')]), run(UPSRW, [...set, at('ours')])]);
    assert.equal(rs.code, 0, rs.err);
    assert.equal(os.code, 0, os.err);
    const end = Date.now() + 5000;
    let rv = '';
    while (Date.now() < end && (rv = (await run(UPSC, [at('real'), 'ups.delay.shutdown'])).out.trim()) !== '60') await sleep(100);
    assert.equal(rv, '60');
    assert.equal((await run(UPSC, [at('ours'), 'ups.delay.shutdown'])).out.trim(), '60');
    // Out of the published range: upsd 2.8.0 refuses it itself (ERR INVALID-VALUE), so does ours; both keep the value.
    const bad = ['-s', 'ups.delay.shutdown=5', '-u', 'admin', '-p', 'sekret'];
    const [rb, ob] = await Promise.all([run(UPSRW, [...bad, at('real')]), run(UPSRW, [...bad, at('ours')])]);
    assert.notEqual(rb.code, 0);
    assert.match(rb.err + rb.out, /INVALID-VALUE/);
    assert.notEqual(ob.code, 0);
    assert.equal(ob.err + ob.out, rb.err + rb.out);
    await sleep(1500);
    assert.equal((await run(UPSC, [at('real'), 'ups.delay.shutdown'])).out.trim(), '60');
    assert.equal((await run(UPSC, [at('ours'), 'ups.delay.shutdown'])).out.trim(), '60');
  });

  test('upscmd -l lists the same instant commands (ours adds shutdown.default)', async () => {
    // shutdown.default is upsdrv_shutdown offered as a command, as NUT 2.8.1+ drivers do; 2.8.0 has none.
    await sb.sameCommands('qx', 'shutdown.return');
  });

  test('every instant command puts the same bytes on the wire', async () => {
    // ups.delay.shutdown is 60 s now (the SET above); ups.delay.start 180 s.
    const cases: Array<[string, string[], string]> = [
      ['beeper.toggle', [], 'Q\r'],
      ['test.battery.start.quick', [], 'T\r'],
      ['test.battery.stop', [], 'CT\r'],
      ['test.battery.start', ['120'], 'T02\r'],
      ['test.battery.start.deep', [], 'TL\r'],
      ['test.battery.stop', [], 'CT\r'],
      ['shutdown.return', [], 'S01R0003\r'],
      ['shutdown.stop', [], 'C\r'],
      ['shutdown.stayoff', [], 'S01R0000\r'],
      ['load.on', [], 'C\r'],
      ['load.off', [], 'S00R0000\r'],
      ['load.on', [], 'C\r'],
    ];
    for (const [name, extra, bytes] of cases) {
      const w = await sb.instcmd('qx', name, extra);
      assert.deepEqual(w.real, [bytes], `real ${name}`);
      assert.deepEqual(w.ours, w.real, name);
    }
    // The beeper was toggled once on both: the same state again after the commands.
    await switchTo(ONLINE, 'OL');
    await compareVars('after the commands');
  });
});
