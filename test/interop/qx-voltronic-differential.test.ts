/**
 * Differential: Debian's real NUT 2.8.0 nutdrv_qx with protocol=voltronic
 * and the real upsd, against our qx driver with our server, each on a pty
 * with its own Voltronic simulator (test/helpers/voltronic-simulator.ts);
 * the simulators start identical and are switched together. The real
 * clients read and drive both, and we compare what each publishes, the
 * instant commands each lists and the bytes each one puts on the wire,
 * and the bytes a SET of a capability puts on the wire.
 *
 * Differences that remain are deliberate and named where they are allowed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { socatAvailable } from '../helpers/pty-pair';
import { nutAvailable, UPSC, UPSCMD, UPSRW } from '../helpers/real-nut';
import { bothAnswered, runTool as run, sleep, started, startSideBySide, type SideBySide } from '../helpers/real-nut-serial';
import { VOLTRONIC_LOW_BATTERY, VOLTRONIC_ONLINE, VOLTRONIC_ON_BATTERY, VoltronicSimulator, type VoltronicSimulatorOptions, type VoltronicState } from '../helpers/voltronic-simulator';

const NUTDRV_QX = '/lib/nut/nutdrv_qx';
const skip = !nutAvailable() || !existsSync(NUTDRV_QX) || !socatAvailable() ? 'the real NUT nutdrv_qx (nut-server) or socat is not installed' : false;

/** A Voltronic unit served by nutdrv_qx (protocol=voltronic) and ours, both polling every second, a full update every 2 s. */
function voltronicUnit(simOpts: VoltronicSimulatorOptions = {}) {
  return {
    attach: started((peer) => new VoltronicSimulator(peer, simOpts)),
    real: { driver: 'nutdrv_qx', conf: ['protocol = voltronic', 'pollinterval = 1', 'pollfreq = 2'] },
    ours: { driver: 'qx', protocol: 'voltronic', pollInterval: 1, pollfreq: 2 },
  };
}

/**
 * Where ours differs from nutdrv_qx 2.8.0 on purpose (see the header of
 * src/drivers/qx/protocols/voltronic.ts): none for the values of a unit
 * in any state but one, allowed where it happens (compareVars' `allowed`):
 *  - boost/buck: nutdrv_qx's ups.alarm item for the bypass/boost/buck bit
 *    reuses the status word, so it raises the alarm "BOOST" (or "TRIM")
 *    and shows ALARM; ours sets the flag only.
 * Commands: the same (beeper.enable/disable, bypass.start/stop and
 * outlet.n.load.* from QFLAG and QSKn as NUT), ours adds shutdown.default.
 * upsrw: the same, the ranges NUT computes at run time (battery low, ECO
 * voltage and frequency limits) included.
 */
const EXTRA_COMMANDS = ['shutdown.default'];

describe('qx voltronic: real NUT 2.8.0 nutdrv_qx vs ours, on identical Voltronic simulators', { skip, timeout: 180_000 }, () => {
  let sb: SideBySide<VoltronicSimulator>;
  const at = (side: 'real' | 'ours'): string => sb.at('vt', side);

  before(async () => {
    sb = await startSideBySide({ units: { vt: voltronicUnit() }, startTimeoutMs: 40_000 });
  });

  after(async () => sb?.stop());

  async function switchTo(state: VoltronicState, status: string, realStatus = status): Promise<void> {
    for (const s of sb.sims()) s.set(state);
    await sb.untilStatus('vt', status, realStatus);
  }

  const compareVars = (label: string, allowed: readonly string[] = []): Promise<Record<string, string>> => sb.untilSame('vt', { label, within: 8000, allowed, check: bothAnswered });

  test('online: the same variables and values', async () => {
    const rv = await compareVars('online');
    assert.equal(rv['ups.status'], 'OL');
    assert.equal(rv['ups.firmware.aux'], 'P01');
    assert.equal(rv['outlet.1.status'], 'on');
  });

  test('on battery, low battery (warning), bypass, test, back: the same at each step', async () => {
    await switchTo(VOLTRONIC_ON_BATTERY, 'OB');
    await compareVars('on battery');
    await switchTo(VOLTRONIC_LOW_BATTERY, 'ALARM OB LB');
    assert.equal((await compareVars('low battery'))['ups.alarm'], 'UPS warnings: Low battery.');
    await switchTo({ ...VOLTRONIC_ONLINE, bypassBoostBuck: true, inputVoltage: 195.0, outputVoltage: 229.0 }, 'OL BOOST', 'ALARM OL BOOST');
    assert.equal((await compareVars('boosting', ['ups.alarm', 'ups.status']))['ups.alarm'], 'BOOST');
    await switchTo({ ...VOLTRONIC_ONLINE, testing: true, mode: 'T' }, 'OL CAL');
    await compareVars('in a battery test');
    await switchTo({ ...VOLTRONIC_ONLINE, mode: 'Y', bypassBoostBuck: true }, 'OL BYPASS');
    await compareVars('on bypass');
    // Overload and battery-replace warnings: the same alarm text and flags (OVER, RB). Bits NUT does not know
    // are left out here: nutdrv_qx 2.8.0 then publishes no warning at all (alone), or stops updating
    // ups.status and ups.alarm (with known ones); ours publishes NUT's "Unknown warnings [bit: ...]" text.
    const warnings = [...'0'.repeat(64)].map((c, i) => ([8, 55].includes(i) ? '1' : c)).join('');
    await switchTo({ ...VOLTRONIC_ONLINE, warnings }, 'ALARM OL OVER RB');
    assert.equal((await compareVars('warnings'))['ups.alarm'], 'UPS warnings: Overload alarm. Warning for Battery replace. Replace battery!');
    await switchTo(VOLTRONIC_ONLINE, 'OL');
    await compareVars('back online');
  });

  test('upsrw lists the same settable variables; the run-time ranges too', async () => {
    const [r, o] = await Promise.all([run(UPSRW, [at('real')]), run(UPSRW, [at('ours')])]);
    assert.equal(r.code, 0, r.err);
    const names = (s: string) => s.split('\n').filter((l) => l.startsWith('[')).sort();
    assert.deepEqual(names(o.out), names(r.out));
    // Per variable: its type, options/range and value lines.
    const blocks = (s: string): Record<string, string> => {
      const m: Record<string, string> = {};
      for (const b of s.split(/\n(?=\[)/)) {
        const name = /^\[([^\]]+)\]/.exec(b)?.[1];
        if (name) m[name] = b.split('\n').filter((l) => /^(Type:|Option:|Value:|Maximum length:)/.test(l)).join('\n');
      }
      return m;
    };
    const rb = blocks(r.out);
    const ob = blocks(o.out);
    const differ = Object.keys(rb).filter((k) => rb[k] !== ob[k]).sort();
    // The ranges NUT computes at run time (from the protocol, the nominal output voltage, current and
    // frequency) too: QxSetting.ranges.
    assert.deepEqual(differ, [], differ.map((k) => `${k}: real ${rb[k]} / ours ${ob[k]}`).join('; '));
    assert.match(rb['input.transfer.high']!, /Option: "237-254"/);
    assert.match(rb['battery.voltage.low']!, /Option: "20-24"/);
    assert.match(ob['input.transfer.high']!, /Option: "237-254"/);
  });

  test('upscmd -l lists the same instant commands (ours adds shutdown.default)', async () => {
    await sb.sameCommands('vt', 'shutdown.return', EXTRA_COMMANDS);
  });

  test('every instant command puts the same bytes on the wire', async () => {
    const cases: Array<[string[], string]> = [
      [['load.off'], 'SOFF\r'],
      [['load.on'], 'SON\r'],
      [['shutdown.return'], 'S.5R0003\r'],
      [['shutdown.stop'], 'CS\r'],
      [['shutdown.stayoff'], 'S.5R0000\r'],
      [['shutdown.stop'], 'CS\r'],
      [['test.battery.start', '18'], 'T.3\r'],
      [['test.battery.start', '300'], 'T05\r'],
      [['test.battery.start.deep'], 'TL\r'],
      [['test.battery.start.quick'], 'T\r'],
      [['test.battery.stop'], 'CT\r'],
      [['beeper.toggle'], 'BZOFF\r'],
      [['outlet.1.load.off'], 'SKOFF1\r'],
      [['outlet.1.load.on'], 'SKON1\r'],
      [['bypass.start'], 'PEE\r'],
      [['bypass.stop'], 'PDE\r'],
    ];
    for (const [args, bytes] of cases) {
      const w = await sb.instcmd('vt', args[0]!, args.slice(1));
      assert.deepEqual(w.real, [bytes], `real ${args.join(' ')}`);
      assert.deepEqual(w.ours, w.real, args.join(' '));
    }
  });

  test('a SET of each capability, battery packs and low voltage, ECO limits and outlet delay puts the same bytes on the wire', async () => {
    const cases: Array<[string, string]> = [
      ['ups.start.auto=yes', 'PER\r'],
      ['battery.protection=no', 'PDS\r'],
      ['battery.energysave=yes', 'PEG\r'],
      ['ups.start.battery=no', 'PDC\r'],
      ['battery.packs=2', 'BATGN02\r'],
      ['battery.voltage.low=22', 'W0E22\r'],
      ['input.transfer.high=250', 'HEH250\r'],
      ['input.transfer.low=210', 'HEL210\r'],
      ['input.frequency.high=55', 'FREH55.0\r'],
      ['input.frequency.low=45', 'FREL45.0\r'],
      ['outlet.2.delay.shutdown=600', 'PSK2010\r'],
    ];
    for (const [assignment, bytes] of cases) {
      const w = await sb.setvar('vt', assignment);
      assert.deepEqual(w.real, [bytes], `real ${assignment}`);
      assert.deepEqual(w.ours, w.real, assignment);
    }
    await compareVars('after the SETs');
  });
});

describe('qx voltronic: real NUT 2.8.0 nutdrv_qx vs ours on P09, P10 (multi-phase) and P31 (battery type) units', { skip, timeout: 180_000 }, () => {
  const PROTOCOLS = [9, 10, 31] as const;
  let sb: SideBySide<VoltronicSimulator>;
  const name = (p: number) => `p${p}`;

  before(async () => {
    // P31 units have no ECO mode or outlets in this test: only their battery type.
    const units = PROTOCOLS.map((p) => [name(p), voltronicUnit(p === 31 ? { protocol: p, enabled: 'pshc', disabled: 'rogfl' } : { protocol: p })] as const);
    sb = await startSideBySide({ units: Object.fromEntries(units), startTimeoutMs: 40_000 });
  });

  after(async () => sb?.stop());

  const compare = (p: number): Promise<Record<string, string>> => sb.untilSame(name(p), { label: `P${p}`, within: 10_000, ready: (rv) => Object.keys(rv).length > 20 });

  test('P09: the same two-phase variables and values', async () => {
    const rv = await compare(9);
    assert.equal(rv['ups.firmware.aux'], 'P09');
    assert.equal(rv['output.bypass.L2-N.voltage'], '245.4');
    assert.equal(rv['input.L3-N.voltage'], undefined);
  });

  test('P10: the same three-phase variables and values', async () => {
    const rv = await compare(10);
    assert.equal(rv['output.L3-N.voltage'], '23.4');
    assert.equal(rv['output.bypass.L1-L3.voltage'], '321.4');
  });

  test('P31: the same variables (battery.type), the same bytes for a SET of it', async () => {
    assert.equal((await compare(31))['battery.type'], 'Flooded');
    const w = await sb.setvar(name(31), 'battery.type=AGM');
    assert.deepEqual(w.real, ['PBT02\r']);
    assert.deepEqual(w.ours, ['PBT02\r']);
    assert.equal((await compare(31))['battery.type'], 'AGM');
  });
});

describe('qx voltronic: real NUT 2.8.0 vs ours on a unit with alarm control (QFLAG letter a)', { skip, timeout: 120_000 }, () => {
  let sb: SideBySide<VoltronicSimulator>;
  const at = (side: 'real' | 'ours'): string => sb.at('va', side);

  before(async () => {
    sb = await startSideBySide({ units: { va: voltronicUnit({ enabled: 'pashc', disabled: 'robegfl' }) }, startTimeoutMs: 40_000 });
  });

  after(async () => sb?.stop());

  const beeper = async (side: 'real' | 'ours') => (await run(UPSC, [at(side), 'ups.beeper.status'])).out.trim();

  test('both list beeper.enable/disable; a silenced beeper is "muted" on both; the same BZOFF/BZON bytes', async () => {
    const [r, o] = await Promise.all([run(UPSCMD, ['-l', at('real')]), run(UPSCMD, ['-l', at('ours')])]);
    for (const out of [r.out, o.out]) for (const c of ['beeper.enable', 'beeper.disable']) assert.ok(out.includes(c), `${c} in ${out}`);
    assert.equal(await beeper('real'), 'enabled');
    assert.equal(await beeper('ours'), 'enabled');
    const toggle = () => sb.instcmd('va', 'beeper.toggle');
    assert.deepEqual(await toggle(), { real: ['BZOFF\r'], ours: ['BZOFF\r'] });
    const end = Date.now() + 10_000;
    while ((await beeper('real')) !== 'muted' || (await beeper('ours')) !== 'muted') {
      if (Date.now() > end) assert.fail(`real ${await beeper('real')}, ours ${await beeper('ours')}`);
      await sleep(200);
    }
    // Muted across quick polls too (ours restates it from QFLAG, NUT from its alarm_control global).
    await sleep(3000);
    assert.equal(await beeper('ours'), 'muted');
    assert.deepEqual(await toggle(), { real: ['BZON\r'], ours: ['BZON\r'] });
    const end2 = Date.now() + 10_000;
    while ((await beeper('real')) !== 'enabled' || (await beeper('ours')) !== 'enabled') {
      if (Date.now() > end2) assert.fail(`real ${await beeper('real')}, ours ${await beeper('ours')}`);
      await sleep(200);
    }
  });
});
