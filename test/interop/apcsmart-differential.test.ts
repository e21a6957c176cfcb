/**
 * Differential: Debian's real NUT 2.8.0 apcsmart (with the real upsd) and
 * our apcsmart driver (with our server) each talk to an APC Smart
 * simulator on a pty; the two simulators start identical. The real NUT
 * clients (upsc, upsrw, upscmd) read and drive both, and we compare:
 *
 *  - what each publishes (upsc; driver.* dropped, and nothing here is
 *    timing-dependent: the simulator's values stand still);
 *  - the settable variables with their choices (upsrw);
 *  - the instant commands each lists (upscmd -l);
 *  - the bytes each put on the wire: discovery and the first full read,
 *    every instant command (with NUT's confirmation window for the
 *    dangerous ones), an EEPROM SET cycled with `-`, a string SET;
 *  - the status after the UPS's alerts (on battery, low battery, back).
 *
 * Polls go on meanwhile (every 2 s on both sides); each one is the same
 * burst of bytes (Q and the polled variables), cut out before comparing
 * a command's bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import type { SerialLink } from '../../src/drivers/serial/link';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventBus } from '../../src/core/bus';
import { UpsStore } from '../../src/core/state';
import { ApcSmartDriver } from '../../src/drivers/apcsmart/driver';
import { openSerialPort } from '../../src/drivers/serial/link';
import { ApcSimulator, ST, attachToPty, simulatorFromFixture } from '../helpers/apc-simulator';
import { socatAvailable, startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { freePort, launch, nutAvailable, startRealNut, UPSC, UPSCMD, UPSRW, type RealNut } from '../helpers/real-nut';

const APCSMART = '/lib/nut/apcsmart';
const skip = !nutAvailable() || !existsSync(APCSMART) || !socatAvailable() ? 'the real NUT apcsmart (nut-server) or socat is not installed' : false;

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A quick poll, as both drivers send it: Q, then the polled variables in table order. */
const POLL = 'QCPXLF9GMNOfBjT';
/** The wire without its polls, including one still going on at the end of the capture (its first bytes only). */
const withoutPolls = (wire: string): string => {
  const rest = wire.split(POLL).join('');
  const q = rest.lastIndexOf('Q');
  return q >= 0 && POLL.startsWith(rest.slice(q)) ? rest.slice(0, q) : rest;
};

/** upsc output without driver.* (our driver's name, version and parameters are its own). */
function vars(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('driver.'))
    .sort();
}

describe('apcsmart: real NUT 2.8.0 apcsmart vs ours, on identical simulators', { skip, timeout: 90_000 }, () => {
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;
  const ptys: PtyPair[] = [];
  const links: SerialLink[] = [];
  const simReal = new ApcSimulator();
  const simOurs = new ApcSimulator();
  // An old unit from a report (nut#180): no usable `a`, so both drivers take NUT's old-unit path.
  const RT = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/apcsmart/smart-ups-rt-10000-xl.json'), 'utf8')) as { values: Record<string, string>; oldFirmware: string; upsc: Record<string, string> };
  const rtReal = simulatorFromFixture(RT);
  const rtOurs = simulatorFromFixture(RT);
  const at = (side: 'real' | 'ours', ups = 'apc') => (side === 'real' ? `${ups}@127.0.0.1:${real.port}` : `${ups}@127.0.0.1:${ourPort}`);

  before(async () => {
    for (const sim of [simReal, simOurs, rtReal, rtOurs]) {
      const pty = await startPtyPair();
      ptys.push(pty);
      links.push(await attachToPty(sim, pty.peer));
    }
    ourPort = await freePort();
    const config = validateConfig({
      ups: { apc: { driver: 'apcsmart', port: ptys[1]!.device }, rt: { driver: 'apcsmart', port: ptys[3]!.device } },
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    // Both start together, so neither simulator's clock is ahead.
    const [r, o] = await Promise.all([
      startRealNut({ devices: {}, drivers: { apc: { driver: 'apcsmart', port: ptys[0]!.device }, rt: { driver: 'apcsmart', port: ptys[2]!.device } }, users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } }, maxAge: 60 }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    real = r;
    ours = o;
    for (let i = 0; i < 100 && !(ours.store.get('apc')?.health.dumpDone && ours.store.get('rt')?.health.dumpDone); i++) await sleep(100);
  });

  after(async () => {
    await ours?.stop();
    await real?.stop();
    for (const l of links) await l.close();
    for (const p of ptys) await p.stop();
  });

  test('discovery and the first full read put the same bytes on the wire', () => {
    // Up to the end of the first full read: the second Q after the ^Z table starts the first quick poll.
    const prefix = (w: string): string => {
      const caps = w.indexOf('\x1a');
      const firstQ = w.indexOf('Q', caps);
      const secondQ = w.indexOf('Q', firstQ + 1);
      return secondQ < 0 ? w : w.slice(0, secondQ);
    };
    const r = prefix(simReal.wire());
    const o = prefix(simOurs.wire());
    assert.ok(r.startsWith('YVba'), JSON.stringify(r));
    assert.equal(JSON.stringify(o), JSON.stringify(r));
  });

  test('upsc shows the same variables and values', async () => {
    const [r, o] = await Promise.all([run(UPSC, [at('real')]), run(UPSC, [at('ours')])]);
    assert.equal(r.code, 0, r.err);
    assert.equal(o.code, 0, o.err);
    assert.ok(vars(r.out).length > 30, r.out);
    assert.deepEqual(vars(o.out), vars(r.out));
  });

  test('an old unit (the answers of nut#180): the same bytes and variables on the old-unit path, and what NUT published for it', async () => {
    const [r, o] = await Promise.all([run(UPSC, [at('real', 'rt')]), run(UPSC, [at('ours', 'rt')])]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(vars(o.out), vars(r.out));
    const want = Object.entries(RT.upsc).map(([k, v]) => `${k}: ${v}`.trimEnd());
    // upsc prints values as they are; the report's trailing blanks are kept in the fixture, upsc's lines too.
    assert.deepEqual(vars(o.out).map((l) => l.trimEnd()), want.sort());
    // Up to the first quick poll (the second Q), or all of it when none came yet.
    const upTo = (w: string) => {
      const second = w.indexOf('Q', w.indexOf('Q') + 1);
      return second < 0 ? w : w.slice(0, second);
    };
    assert.equal(JSON.stringify(upTo(rtOurs.wire())), JSON.stringify(upTo(rtReal.wire())));
  });

  test('upsrw lists the same settable variables, types and choices', async () => {
    const [r, o] = await Promise.all([run(UPSRW, [at('real')]), run(UPSRW, [at('ours')])]);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes('[input.transfer.high]'), r.out);
    // Descriptions come from each server's table (NUT's cmdvartab, ours), not from the driver.
    const strip = (s: string) => s.split('\n').filter((l) => /^(\[|Type:|Option:|Value:|Maximum length:)/.test(l));
    assert.deepEqual(strip(o.out), strip(r.out));
  });

  test('upscmd -l lists the same instant commands', async () => {
    const [r, o] = await Promise.all([run(UPSCMD, ['-l', at('real')]), run(UPSCMD, ['-l', at('ours')])]);
    const names = (s: string) => s.split('\n').filter((l) => / - /.test(l)).map((l) => l.split(' - ')[0]!).sort();
    assert.ok(names(r.out).includes('load.off'), r.out);
    // Ours also lists shutdown.default (the driver's sdtype shutdown), as NUT 2.8.2+ drivers do; 2.8.0 has no such command.
    assert.ok(names(o.out).includes('shutdown.default'));
    assert.deepEqual(names(o.out).filter((n) => n !== 'shutdown.default'), names(r.out));
  });

  /** Runs the same client command against both, waits until both wires are quiet, and returns what each sent meanwhile (polls cut out). */
  async function both(tool: string, args: string[], oursRefuses = false, settleMs = 600, maxMs = 9000): Promise<{ real: string; ours: string }> {
    const r0 = simReal.received.length;
    const o0 = simOurs.received.length;
    const argsFor = (side: 'real' | 'ours') => args.map((a) => (a === '@UPS' ? at(side) : a));
    const [r, o] = await Promise.all([run(tool, argsFor('real')), run(tool, argsFor('ours'))]);
    assert.equal(r.code, 0, `real: ${r.err}`);
    if (oursRefuses) {
      // upsd 2.8.0 answers OK as soon as it passed the command on; ours waits for the driver and says when the UPS refused.
      assert.notEqual(o.code, 0, 'ours reports the refusal');
      assert.match(o.err, /INSTCMD-FAILED/);
    } else assert.equal(o.code, 0, `ours: ${o.err}`);
    // A capture that starts in the middle of a poll begins at that poll's Q, so the whole poll is cut out.
    const since = (sim: ApcSimulator, n: number) => {
      const wire = sim.received.map((b) => b.byte).join('');
      const q = wire.lastIndexOf('Q', n);
      const from = q >= 0 && POLL.startsWith(wire.slice(q, n)) ? q : n;
      return withoutPolls(wire.slice(from));
    };
    const start = Date.now();
    let last = '';
    let stableSince = Date.now();
    // The real upsd answers before its driver acts; wait until the wires agree and stay quiet, or give up and compare.
    while (Date.now() - start < maxMs) {
      const now = `${since(simReal, r0)}|${since(simOurs, o0)}`;
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= settleMs && since(simReal, r0) === since(simOurs, o0) && since(simReal, r0) !== '') break;
      await sleep(50);
    }
    return { real: since(simReal, r0), ours: since(simOurs, o0) };
  }

  // K, Z and ^N go out twice 1.3 s apart: wait longer than that gap before calling a wire quiet.
  const REPEATED = ['load.on', 'load.off', 'shutdown.stayoff'];
  const cmd = (name: string, extra: string[] = [], oursRefuses = false) =>
    both(UPSCMD, ['-u', 'admin', '-p', 'sekret', '@UPS', name, ...extra], oursRefuses, REPEATED.includes(name) ? 1600 : 600);

  test('plain instant commands: the same single byte', async () => {
    for (const [name, byte] of [
      ['test.panel.start', 'A'],
      ['test.battery.start', 'W'],
      ['test.failure.start', 'U'],
    ] as const) {
      const w = await cmd(name);
      assert.equal(w.real, byte, name);
      assert.equal(w.ours, w.real, name);
    }
  });

  test('calibrate.start and calibrate.stop read Q first, then send D', async () => {
    const w = await cmd('calibrate.start');
    assert.equal(w.real, 'QD');
    assert.equal(w.ours, w.real);
    const stop = await cmd('calibrate.stop');
    assert.equal(stop.real, 'QD');
    assert.equal(stop.ours, stop.real);
    assert.equal(simOurs.status & ST.CAL, 0);
  });

  test('load.on: ^N twice', async () => {
    const w = await cmd('load.on');
    assert.equal(JSON.stringify(w.real), JSON.stringify('\x0e\x0e'));
    assert.equal(JSON.stringify(w.ours), JSON.stringify(w.real));
  });

  test('SET of an EEPROM choice: cycled with - and read back; SET of ups.id: - and 8 characters', async () => {
    const w = await both(UPSRW, ['-s', 'input.transfer.high=261', '-u', 'admin', '-p', 'sekret', '@UPS']);
    assert.equal(w.real, 'u-u-uu');
    assert.equal(w.ours, w.real);
    const id = await both(UPSRW, ['-s', 'ups.id=RACK7', '-u', 'admin', '-p', 'sekret', '@UPS']);
    assert.equal(JSON.stringify(id.real), JSON.stringify('c-RACK7\r\r\rc'));
    assert.equal(JSON.stringify(id.ours), JSON.stringify(id.real));
    const [r, o] = await Promise.all([run(UPSC, [at('real'), 'input.transfer.high']), run(UPSC, [at('ours'), 'input.transfer.high'])]);
    assert.equal(r.out.trim(), '261');
    assert.equal(o.out.trim(), '261');
    assert.equal(simOurs.values.c, 'RACK7');
  });

  test('alerts: on battery, low battery, back on line reach ups.status on both', async () => {
    const status = async (side: 'real' | 'ours') => (await run(UPSC, [at(side), 'ups.status'])).out.trim();
    const until = async (want: string) => {
      for (let i = 0; i < 80; i++) {
        const [r, o] = await Promise.all([status('real'), status('ours')]);
        if (r === want && o === want) return;
        await sleep(100);
      }
      assert.deepEqual([await status('real'), await status('ours')], [want, want]);
    };
    for (const sim of [simReal, simOurs]) sim.onBattery();
    await until('OB');
    for (const sim of [simReal, simOurs]) sim.lowBattery();
    await until('OB LB');
    // On battery and low, every value (charge, runtime, transfer cause) as well.
    for (let i = 0; i < 40; i++) {
      const [r, o] = await Promise.all([run(UPSC, [at('real')]), run(UPSC, [at('ours')])]);
      if (vars(r.out).join() === vars(o.out).join() && r.out.includes('battery.charge: 010.0')) break;
      await sleep(100);
    }
    const [r, o] = await Promise.all([run(UPSC, [at('real')]), run(UPSC, [at('ours')])]);
    assert.ok(r.out.includes('battery.runtime: 120'), r.out);
    assert.deepEqual(vars(o.out), vars(r.out));
    for (const sim of [simReal, simOurs]) sim.powerBack();
    await until('OL');
    assert.equal(simReal.status, ST.OL);
  });

  test('dangerous commands: nothing on the first ask; confirmed 3-15 s later: Z twice, K twice, S, @005', async () => {
    // NUT keeps one confirmation time for all of them: each ask in the window is carried out and restarts it.
    // NUT answers the arming ask as handled; ours refuses it with the reason, so nobody takes it for a shutdown done.
    const first = await cmd('load.off', [], true);
    assert.equal(first.real, '', 'the first ask only arms the command');
    assert.equal(first.ours, '');
    await sleep(3300);
    const off = await cmd('load.off');
    assert.equal(off.real, 'ZZ');
    assert.equal(off.ours, off.real);
    await sleep(1500);
    const stay = await cmd('shutdown.stayoff');
    assert.equal(stay.real, 'KK');
    assert.equal(stay.ours, stay.real);
    await sleep(1500);
    // The UPS is off after Z, not on battery: it answers S with NO.
    const ret = await cmd('shutdown.return', [], true);
    assert.equal(ret.real, 'S');
    assert.equal(ret.ours, ret.real);
    await sleep(3000);
    const at5 = await cmd('shutdown.return', ['at:5']);
    assert.equal(at5.real, '@005');
    assert.equal(at5.ours, at5.real);
  });
});

/**
 * `upsdrvctl shutdown`: the real `apcsmart -k` (kill power, then exit) and
 * our driver's shutdown (shutdown.default) with the same sdtype, each on a
 * simulator in the given state; the bytes after smart mode are compared.
 * One difference, on purpose: NUT 2.8.0 (and NUT today) checks the length
 * of the Q reply against 1 while the reply is two hex digits, so it always
 * logs "status read failed, assuming LB+OB" and, on line with sdtype 0,
 * sends S, which a UPS on mains ignores (it then never cycles the power:
 * the host stays off after a power race). Ours reads the status and sends
 * @000, the hard hibernate that sdtype 0 is documented to send on line.
 */
describe('apcsmart shutdown: real apcsmart -k vs ours, per sdtype', { skip, timeout: 60_000 }, () => {
  async function realKill(sdtype: number, status: number): Promise<string> {
    const pty = await startPtyPair();
    const sim = new ApcSimulator({ status });
    const link = await attachToPty(sim, pty.peer);
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-apck-'));
    try {
      writeFileSync(join(dir, 'ups.conf'), `[k]\n  driver = apcsmart\n  port = ${realpathSync(pty.device)}\n  sdtype = ${sdtype}\n`);
      const drv = launch(dir, APCSMART, ['-a', 'k', '-k', '-u', 'root'], 'apcsmart-k.log');
      const exited = new Promise<void>((r) => drv.once('exit', () => r()));
      const timer = setTimeout(() => drv.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      return sim.wire();
    } finally {
      await link.close();
      await pty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function ourShutdown(sdtype: number, status: number): Promise<string> {
    const pty = await startPtyPair();
    const sim = new ApcSimulator({ status });
    const link = await attachToPty(sim, pty.peer);
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const driver = new ApcSmartDriver({ driver: 'apcsmart', port: pty.device, sdtype, pollInterval: 60 }, { ups: 'k', bus, publisher: store.addUps('k'), log: new MemoryLogger() }, { openSerial: openSerialPort });
    try {
      await driver.start();
      const mark = sim.received.length;
      await driver.shutdown();
      return sim.since(mark);
    } finally {
      await driver.stop();
      await link.close();
      await pty.stop();
    }
  }

  test('sdtype 0 on battery and on line, 1 on line, 3 on battery', async () => {
    const cases = [
      [0, ST.OB, 'QS', 'QS'],
      [0, ST.OL, 'QS', 'Q@000'],
      [1, ST.OL, 'QS@000', 'Q@000'],
      [3, ST.OB, 'QKK', 'QKK'],
    ] as const;
    // Each case has its own pty pairs and simulators: all of them at once.
    const got = await Promise.all(cases.map(([sd, st]) => Promise.all([realKill(sd, st), ourShutdown(sd, st)])));
    for (const [i, [sd, st, real, ours]] of cases.entries()) {
      const [r, o] = got[i]!;
      const what = `sdtype ${sd}, ${st === ST.OB ? 'on battery' : 'on line'}`;
      // The real driver starts with Y (smart mode) and ends with R (dumb mode): it runs alone for this.
      assert.equal(r, `Y${real}R`, what);
      assert.equal(o, ours, what);
    }
  });
});
