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
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { socatAvailable, startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { freePort, nutAvailable, startRealNut, UPSC, UPSCMD, UPSRW, type RealNut } from '../helpers/real-nut';
import { VOLTRONIC_LOW_BATTERY, VOLTRONIC_ONLINE, VOLTRONIC_ON_BATTERY, VoltronicSimulator, type VoltronicState } from '../helpers/voltronic-simulator';

const NUTDRV_QX = '/lib/nut/nutdrv_qx';
const skip = !nutAvailable() || !existsSync(NUTDRV_QX) || !socatAvailable() ? 'the real NUT nutdrv_qx (nut-server) or socat is not installed' : false;

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** upsc output as name -> value, without driver.* (each driver's own name, version and parameters). */
function vars(out: string): Record<string, string> {
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0 || line.startsWith('driver.')) continue;
    m[line.slice(0, i)] = line.slice(i + 2);
  }
  return m;
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
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;
  const ptys: PtyPair[] = [];
  const sims: VoltronicSimulator[] = [];
  const simReal = (): VoltronicSimulator => sims[0]!;
  const simOurs = (): VoltronicSimulator => sims[1]!;
  const at = (side: 'real' | 'ours'): string => (side === 'real' ? `vt@127.0.0.1:${real.port}` : `vt@127.0.0.1:${ourPort}`);

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const pty = await startPtyPair();
      ptys.push(pty);
      const sim = new VoltronicSimulator(pty.peer);
      await sim.start();
      sims.push(sim);
    }
    ourPort = await freePort();
    const config = validateConfig({
      ups: { vt: { driver: 'qx', port: ptys[1]!.device, protocol: 'voltronic', pollInterval: 1, pollfreq: 2 } },
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    const [r, o] = await Promise.all([
      startRealNut({
        devices: {},
        drivers: { vt: { driver: 'nutdrv_qx', port: ptys[0]!.device, conf: ['protocol = voltronic', 'pollinterval = 1', 'pollfreq = 2'] } },
        users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } },
        maxAge: 60,
        startTimeoutMs: 40_000,
      }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    real = r;
    ours = o;
    for (let i = 0; i < 100 && !ours.store.get('vt')?.health.dumpDone; i++) await sleep(100);
  });

  after(async () => {
    await ours?.stop();
    await real?.stop();
    for (const s of sims) await s.stop();
    for (const p of ptys) await p.stop();
  });

  async function switchTo(state: VoltronicState, status: string, realStatus = status): Promise<void> {
    for (const s of sims) s.set(state);
    const end = Date.now() + 15_000;
    for (;;) {
      const [r, o] = await Promise.all([run(UPSC, [at('real'), 'ups.status']), run(UPSC, [at('ours'), 'ups.status'])]);
      if (r.out.trim() === realStatus && o.out.trim() === status) break;
      if (Date.now() > end) assert.fail(`not ${status} within 15 s: real ${r.out.trim()} ${r.err}, ours ${o.out.trim()} ${o.err}`);
      await sleep(200);
    }
  }

  async function compareVars(label: string, allowed: readonly string[] = []): Promise<Record<string, string>> {
    const end = Date.now() + 8000;
    for (;;) {
      const [r, o] = await Promise.all([run(UPSC, [at('real')]), run(UPSC, [at('ours')])]);
      assert.equal(r.code, 0, r.err);
      assert.equal(o.code, 0, o.err);
      const rv = vars(r.out);
      const ov = vars(o.out);
      assert.ok(Object.keys(rv).length > 20, r.out);
      const diffs: string[] = [];
      for (const k of new Set([...Object.keys(rv), ...Object.keys(ov)])) {
        if (rv[k] === ov[k] || allowed.includes(k)) continue;
        diffs.push(`${k}: real ${JSON.stringify(rv[k])}, ours ${JSON.stringify(ov[k])}`);
      }
      if (diffs.length === 0) return rv;
      if (Date.now() > end) assert.fail(`${label}:\n${diffs.join('\n')}`);
      await sleep(250);
    }
  }

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
    const [r, o] = await Promise.all([run(UPSCMD, ['-l', at('real')]), run(UPSCMD, ['-l', at('ours')])]);
    const names = (s: string) => s.split('\n').filter((l) => / - /.test(l)).map((l) => l.split(' - ')[0]!).sort();
    assert.ok(names(r.out).includes('shutdown.return'), r.out);
    assert.deepEqual(names(o.out).filter((n) => !EXTRA_COMMANDS.includes(n)), names(r.out));
    for (const n of EXTRA_COMMANDS) assert.ok(names(o.out).includes(n), n);
  });

  async function onWire(kind: 'cmd' | 'set', args: string[]): Promise<{ real: string[]; ours: string[] }> {
    const r0 = simReal().actions().length;
    const o0 = simOurs().actions().length;
    const full = (side: 'real' | 'ours') => (kind === 'cmd' ? ['-u', 'admin', '-p', 'sekret', at(side), ...args] : ['-s', args[0]!, '-u', 'admin', '-p', 'sekret', at(side)]);
    const prog = kind === 'cmd' ? UPSCMD : UPSRW;
    const [r, o] = await Promise.all([run(prog, full('real')), run(prog, full('ours'))]);
    assert.equal(r.code, 0, `real ${args.join(' ')}: ${r.err}`);
    assert.equal(o.code, 0, `ours ${args.join(' ')}: ${o.err}`);
    const end = Date.now() + 8000;
    while (simReal().actions().length === r0 && Date.now() < end) await sleep(50);
    await sleep(300);
    return { real: simReal().actions().slice(r0), ours: simOurs().actions().slice(o0) };
  }

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
      const w = await onWire('cmd', args);
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
      const w = await onWire('set', [assignment]);
      assert.deepEqual(w.real, [bytes], `real ${assignment}`);
      assert.deepEqual(w.ours, w.real, assignment);
    }
    await compareVars('after the SETs');
  });
});

describe('qx voltronic: real NUT 2.8.0 nutdrv_qx vs ours on P09, P10 (multi-phase) and P31 (battery type) units', { skip, timeout: 180_000 }, () => {
  const PROTOCOLS = [9, 10, 31] as const;
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;
  const ptys: PtyPair[] = [];
  // Two simulators per protocol: [real, ours].
  const sims = new Map<number, [VoltronicSimulator, VoltronicSimulator]>();
  const name = (p: number) => `p${p}`;
  const at = (p: number, side: 'real' | 'ours'): string => `${name(p)}@127.0.0.1:${side === 'real' ? real.port : ourPort}`;

  before(async () => {
    const devices: string[][] = [];
    for (const p of PROTOCOLS) {
      const pair: VoltronicSimulator[] = [];
      const paths: string[] = [];
      for (let i = 0; i < 2; i++) {
        const pty = await startPtyPair();
        ptys.push(pty);
        // P31 units have no ECO mode or outlets in this test: only their battery type.
        const sim = new VoltronicSimulator(pty.peer, p === 31 ? { protocol: p, enabled: 'pshc', disabled: 'rogfl' } : { protocol: p });
        await sim.start();
        pair.push(sim);
        paths.push(pty.device);
      }
      sims.set(p, [pair[0]!, pair[1]!]);
      devices.push(paths);
    }
    ourPort = await freePort();
    const config = validateConfig({
      ups: Object.fromEntries(PROTOCOLS.map((p, i) => [name(p), { driver: 'qx', port: devices[i]![1]!, protocol: 'voltronic', pollInterval: 1, pollfreq: 2 }])),
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    const [r, o] = await Promise.all([
      startRealNut({
        devices: {},
        drivers: Object.fromEntries(PROTOCOLS.map((p, i) => [name(p), { driver: 'nutdrv_qx', port: devices[i]![0]!, conf: ['protocol = voltronic', 'pollinterval = 1', 'pollfreq = 2'] }])),
        users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } },
        maxAge: 60,
        startTimeoutMs: 40_000,
      }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    real = r;
    ours = o;
    for (let i = 0; i < 100 && !PROTOCOLS.every((p) => ours.store.get(name(p))?.health.dumpDone); i++) await sleep(100);
  });

  after(async () => {
    await ours?.stop();
    await real?.stop();
    for (const [a, b] of sims.values()) {
      await a.stop();
      await b.stop();
    }
    for (const p of ptys) await p.stop();
  });

  async function compare(p: number): Promise<Record<string, string>> {
    const end = Date.now() + 10_000;
    for (;;) {
      const [r, o] = await Promise.all([run(UPSC, [at(p, 'real')]), run(UPSC, [at(p, 'ours')])]);
      const rv = vars(r.out);
      const ov = vars(o.out);
      const diffs: string[] = [];
      for (const k of new Set([...Object.keys(rv), ...Object.keys(ov)])) if (rv[k] !== ov[k]) diffs.push(`${k}: real ${JSON.stringify(rv[k])}, ours ${JSON.stringify(ov[k])}`);
      if (diffs.length === 0 && Object.keys(rv).length > 20) return rv;
      if (Date.now() > end) assert.fail(`P${p}:\n${diffs.join('\n')}\n${r.err}${o.err}`);
      await sleep(250);
    }
  }

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
    const [simReal, simOurs] = sims.get(31)!;
    const r0 = simReal.actions().length;
    const o0 = simOurs.actions().length;
    const args = (side: 'real' | 'ours') => ['-s', 'battery.type=AGM', '-u', 'admin', '-p', 'sekret', at(31, side)];
    const [r, o] = await Promise.all([run(UPSRW, args('real')), run(UPSRW, args('ours'))]);
    assert.equal(r.code, 0, r.err);
    assert.equal(o.code, 0, o.err);
    const end = Date.now() + 8000;
    while (simReal.actions().length === r0 && Date.now() < end) await sleep(50);
    await sleep(300);
    assert.deepEqual(simReal.actions().slice(r0), ['PBT02\r']);
    assert.deepEqual(simOurs.actions().slice(o0), ['PBT02\r']);
    assert.equal((await compare(31))['battery.type'], 'AGM');
  });
});

describe('qx voltronic: real NUT 2.8.0 vs ours on a unit with alarm control (QFLAG letter a)', { skip, timeout: 120_000 }, () => {
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;
  const ptys: PtyPair[] = [];
  const sims: VoltronicSimulator[] = [];
  const at = (side: 'real' | 'ours'): string => `va@127.0.0.1:${side === 'real' ? real.port : ourPort}`;

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const pty = await startPtyPair();
      ptys.push(pty);
      const sim = new VoltronicSimulator(pty.peer, { enabled: 'pashc', disabled: 'robegfl' });
      await sim.start();
      sims.push(sim);
    }
    ourPort = await freePort();
    const config = validateConfig({
      ups: { va: { driver: 'qx', port: ptys[1]!.device, protocol: 'voltronic', pollInterval: 1, pollfreq: 2 } },
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    const [r, o] = await Promise.all([
      startRealNut({
        devices: {},
        drivers: { va: { driver: 'nutdrv_qx', port: ptys[0]!.device, conf: ['protocol = voltronic', 'pollinterval = 1', 'pollfreq = 2'] } },
        users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } },
        maxAge: 60,
        startTimeoutMs: 40_000,
      }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    real = r;
    ours = o;
    for (let i = 0; i < 100 && !ours.store.get('va')?.health.dumpDone; i++) await sleep(100);
  });

  after(async () => {
    await ours?.stop();
    await real?.stop();
    for (const s of sims) await s.stop();
    for (const p of ptys) await p.stop();
  });

  const beeper = async (side: 'real' | 'ours') => (await run(UPSC, [at(side), 'ups.beeper.status'])).out.trim();

  test('both list beeper.enable/disable; a silenced beeper is "muted" on both; the same BZOFF/BZON bytes', async () => {
    const [r, o] = await Promise.all([run(UPSCMD, ['-l', at('real')]), run(UPSCMD, ['-l', at('ours')])]);
    for (const out of [r.out, o.out]) for (const c of ['beeper.enable', 'beeper.disable']) assert.ok(out.includes(c), `${c} in ${out}`);
    assert.equal(await beeper('real'), 'enabled');
    assert.equal(await beeper('ours'), 'enabled');
    const toggle = async (): Promise<string[][]> => {
      const before = sims.map((s) => s.actions().length);
      await Promise.all((['real', 'ours'] as const).map((side) => run(UPSCMD, ['-u', 'admin', '-p', 'sekret', at(side), 'beeper.toggle'])));
      const end = Date.now() + 8000;
      while (sims.some((s, i) => s.actions().length === before[i]) && Date.now() < end) await sleep(50);
      return sims.map((s, i) => s.actions().slice(before[i]));
    };
    assert.deepEqual(await toggle(), [['BZOFF\r'], ['BZOFF\r']]);
    const end = Date.now() + 10_000;
    while ((await beeper('real')) !== 'muted' || (await beeper('ours')) !== 'muted') {
      if (Date.now() > end) assert.fail(`real ${await beeper('real')}, ours ${await beeper('ours')}`);
      await sleep(200);
    }
    // Muted across quick polls too (ours restates it from QFLAG, NUT from its alarm_control global).
    await sleep(3000);
    assert.equal(await beeper('ours'), 'muted');
    assert.deepEqual(await toggle(), [['BZON\r'], ['BZON\r']]);
    const end2 = Date.now() + 10_000;
    while ((await beeper('real')) !== 'enabled' || (await beeper('ours')) !== 'enabled') {
      if (Date.now() > end2) assert.fail(`real ${await beeper('real')}, ours ${await beeper('ours')}`);
      await sleep(200);
    }
  });
});
