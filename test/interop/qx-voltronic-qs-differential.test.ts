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
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { socatAvailable, startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { LOW_BATTERY, ONLINE, ON_BATTERY } from '../helpers/q1-simulator';
import { freePort, nutAvailable, startRealNut, UPSC, UPSCMD, type RealNut } from '../helpers/real-nut';
import { HEX_LOW_BATTERY, HEX_ONLINE, HEX_ON_BATTERY, VoltronicQsSimulator } from '../helpers/voltronic-qs-simulator';

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

function vars(out: string): Record<string, string> {
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0 || line.startsWith('driver.')) continue;
    m[line.slice(0, i)] = line.slice(i + 2);
  }
  return m;
}

const UPSES = ['qs', 'hex', 'hext'] as const;
type Ups = (typeof UPSES)[number];

describe('qx voltronic-qs and -qs-hex: real NUT 2.8.0 nutdrv_qx vs ours, on identical QS simulators', { skip, timeout: 180_000 }, () => {
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;
  const ptys: PtyPair[] = [];
  // [real qs, ours qs, real hex, ours hex, real hex T unit, ours hex T unit]
  const sims: VoltronicQsSimulator[] = [];
  const sim = (ups: Ups, side: 'real' | 'ours'): VoltronicQsSimulator => sims[UPSES.indexOf(ups) * 2 + (side === 'real' ? 0 : 1)]!;
  const at = (ups: Ups, side: 'real' | 'ours'): string => `${ups}@127.0.0.1:${side === 'real' ? real.port : ourPort}`;

  before(async () => {
    for (let i = 0; i < 6; i++) {
      const pty = await startPtyPair();
      ptys.push(pty);
      const s = new VoltronicQsSimulator(pty.peer, i < 2 ? { dialect: 'text' } : { dialect: 'hex', letter: i < 4 ? 'P' : 'T' });
      await s.start();
      sims.push(s);
    }
    ourPort = await freePort();
    const config = validateConfig({
      ups: {
        qs: { driver: 'qx', port: ptys[1]!.device, protocol: 'voltronic-qs', pollInterval: 1, pollfreq: 2 },
        hex: { driver: 'qx', port: ptys[3]!.device, protocol: 'voltronic-qs-hex', pollInterval: 1, pollfreq: 2 },
        hext: { driver: 'qx', port: ptys[5]!.device, protocol: 'voltronic-qs-hex', pollInterval: 1, pollfreq: 2 },
      },
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: { admin: { password: 'sekret', actions: ['set'], instcmds: ['all'] } },
    });
    const [r, o] = await Promise.all([
      startRealNut({
        devices: {},
        drivers: {
          qs: { driver: 'nutdrv_qx', port: ptys[0]!.device, conf: ['protocol = voltronic-qs', 'pollinterval = 1', 'pollfreq = 2'] },
          hex: { driver: 'nutdrv_qx', port: ptys[2]!.device, conf: ['protocol = voltronic-qs-hex', 'pollinterval = 1', 'pollfreq = 2'] },
          hext: { driver: 'nutdrv_qx', port: ptys[4]!.device, conf: ['protocol = voltronic-qs-hex', 'pollinterval = 1', 'pollfreq = 2'] },
        },
        users: { admin: { password: 'sekret', actions: ['SET'], instcmds: ['ALL'] } },
        maxAge: 60,
        startTimeoutMs: 40_000,
      }),
      startAgent({ config, log: new MemoryLogger(), version: 'test' }),
    ]);
    real = r;
    ours = o;
    for (let i = 0; i < 100 && !UPSES.every((u) => ours.store.get(u)?.health.dumpDone); i++) await sleep(100);
  });

  after(async () => {
    await ours?.stop();
    await real?.stop();
    for (const s of sims) await s.stop();
    for (const p of ptys) await p.stop();
  });

  async function compare(ups: Ups, label: string, status: string): Promise<Record<string, string>> {
    const end = Date.now() + 15_000;
    for (;;) {
      const [r, o] = await Promise.all([run(UPSC, [at(ups, 'real')]), run(UPSC, [at(ups, 'ours')])]);
      const rv = vars(r.out);
      const ov = vars(o.out);
      const diffs: string[] = [];
      for (const k of new Set([...Object.keys(rv), ...Object.keys(ov)])) if (rv[k] !== ov[k]) diffs.push(`${k}: real ${JSON.stringify(rv[k])}, ours ${JSON.stringify(ov[k])}`);
      if (diffs.length === 0 && rv['ups.status'] === status) return rv;
      if (Date.now() > end) assert.fail(`${ups} ${label} (want ${status}):\n${diffs.join('\n') || JSON.stringify(rv)}\n${r.err}${o.err}`);
      await sleep(250);
    }
  }

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
    const names = (s: string) =>
      s
        .split('\n')
        .filter((l) => / - /.test(l))
        .map((l) => l.split(' - ')[0]!)
        .filter((n) => n !== 'shutdown.default')
        .sort();
    for (const ups of UPSES) {
      const [r, o] = await Promise.all([run(UPSCMD, ['-l', at(ups, 'real')]), run(UPSCMD, ['-l', at(ups, 'ours')])]);
      const realNames = names(r.out);
      // NUT lists test.battery.start.quick on T units only; ours lists it (and refuses it) on P units too.
      const ourNames = names(o.out).filter((n) => !(ups === 'hex' && n === 'test.battery.start.quick'));
      assert.deepEqual(ourNames, realNames, ups);
      for (const name of realNames) {
        const r0 = sim(ups, 'real').actions().length;
        const o0 = sim(ups, 'ours').actions().length;
        const args = (side: 'real' | 'ours') => ['-u', 'admin', '-p', 'sekret', at(ups, side), name];
        await Promise.all([run(UPSCMD, args('real')), run(UPSCMD, args('ours'))]);
        const end = Date.now() + 8000;
        while ((sim(ups, 'real').actions().length === r0 || sim(ups, 'ours').actions().length === o0) && Date.now() < end) await sleep(50);
        await sleep(200);
        const realBytes = sim(ups, 'real').actions().slice(r0);
        assert.equal(realBytes.length, 1, `${ups} real ${name}: ${JSON.stringify(realBytes)}`);
        assert.deepEqual(sim(ups, 'ours').actions().slice(o0), realBytes, `${ups} ${name}`);
      }
    }
  });
});
