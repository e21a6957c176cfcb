/**
 * genericups through a fake modem-line link (test/helpers/fake-modem-link.ts).
 *
 * The real /lib/nut/genericups cannot be compared on a pty: a pty has no
 * modem lines (TIOCMGET/TIOCMSET fail on it), so the real driver stops at
 * start there. The expectations below come from NUT itself instead: its
 * upstab as raw TIOCM numbers (checked against genericups.h when the NUT
 * source is on this machine) and its status expression
 * `(flags & line) == val`, evaluated for every combination of the four
 * input lines, for every upstype. test/interop/genericups-real.test.ts
 * runs the real driver with its line ioctls stood in for (LD_PRELOAD).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/app/config';
import { runShutdownUps } from '../../src/cli/commands/shutdown-ups';
import { MemoryIO } from '../../src/cli/io';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { ConfigError, RequestError } from '../../src/core/errors';
import { DeviceGoneError } from '../../src/drivers/runtime/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { CABLES, GenericUpsDriver, SHUTDOWN_COMMANDS } from '../../src/drivers/genericups/index';
import { procSerialRing, ringFromProcText, type RingSource } from '../../src/drivers/genericups/ring';
import { parseInputSignal, parseOutputLines } from '../../src/drivers/genericups/signals';
import { createDriver } from '../../src/drivers/registry';
import { FakeClock, flush } from '../helpers/fake-clock';
import { FakeModemPort } from '../helpers/fake-modem-link';
import { CD, CTS, DSR, DTR, RNG, RTS, ST, TIOCM, UPSTAB, type RawRow } from '../helpers/genericups-upstab';

// ---------------------------------------------------------------- NUT's table, as numbers

/** genericups.c upsdrv_updateinfo, on a TIOCMGET word. */
function nutStatus(r: RawRow, flags: number): string {
  const ol = (flags & r.ol[0]) === r.ol[1];
  const bl = r.bl[0] !== 0 && (flags & r.bl[0]) === r.bl[1];
  const rb = r.rb[0] !== 0 && (flags & r.rb[0]) === r.rb[1];
  const bypass = r.bypass[0] !== 0 && (flags & r.bypass[0]) === r.bypass[1];
  return [bl ? 'LB' : '', ol ? 'OL' : 'OB', rb ? 'RB' : '', bypass ? 'BYPASS' : ''].filter((s) => s !== '').join(' ');
}

/** The 16 combinations of CTS, DCD, RNG, DSR as a TIOCMGET word and as the link reports them. */
const COMBOS = Array.from({ length: 16 }, (_, i) => {
  const lines = { cts: (i & 1) !== 0, dcd: (i & 2) !== 0, ri: (i & 4) !== 0, dsr: (i & 8) !== 0 };
  const flags = (lines.cts ? CTS : 0) | (lines.dcd ? CD : 0) | (lines.ri ? RNG : 0) | (lines.dsr ? DSR : 0);
  return { lines, flags };
});

// ---------------------------------------------------------------- rig

const PORT = '/dev/ttyS0';

/** `ring`: RI where the link reports none (default: never readable, so tests do not depend on this machine's /proc). */
function rig(extra: Record<string, unknown>, ring: RingSource = () => Promise.resolve(null)) {
  const clock = new FakeClock();
  const now = (): number => clock.now();
  const bus = new EventBus();
  const store = new UpsStore(bus, now);
  const publisher = store.addUps('u');
  const lines: string[] = [];
  const log = new MemoryLogger(lines);
  const port = new FakeModemPort(PORT, now);
  const cfg: UpsConfig = { driver: 'genericups', port: PORT, ...extra };
  const driver = new GenericUpsDriver(cfg, { ups: 'u', bus, publisher, log, clock: now }, { openSerial: port.open, timers: clock, version: '2.8.0', ring });
  const view = () => store.get('u')!;
  return {
    clock,
    port,
    driver,
    lines,
    view,
    get: (name: string) => view().getVar(name)?.value,
    cmd: (name: string) => bus.request('ups.instcmd', { ups: 'u', name }),
    /** Sets the input lines and lets one poll run. */
    async read(l: { cts: boolean; dcd: boolean; ri: boolean | null; dsr: boolean }): Promise<void> {
      port.inputs = { ...l };
      await clock.advance(2000);
    },
  };
}

async function problems(yaml: string): Promise<string[]> {
  try {
    await parseConfig(yaml, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

const ups = (keys: string, port = '/dev/ttyUSB0'): string => `ups:\n  u:\n    driver: genericups\n    port: ${port}\n${keys
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => `    ${l}\n`)
  .join('')}`;

// ---------------------------------------------------------------- tests

void describe('genericups cable table', () => {
  test('24 types, 0..23, with NUT names and lines', () => {
    assert.equal(CABLES.length, 24);
    assert.equal(UPSTAB.length, 24);
    for (const c of CABLES) {
      const r = UPSTAB[c.type]!;
      const bits = (ls: readonly string[]): number => ls.reduce((a, l) => a | TIOCM[(l === 'DCD' ? 'CD' : l) as keyof typeof TIOCM], 0);
      assert.equal(c.mfr, r.mfr, `type ${c.type} mfr`);
      assert.equal(c.model, r.model, `type ${c.type} model`);
      assert.equal(bits(c.power), r.norm, `type ${c.type} cable power`);
      for (const k of ['ol', 'rb', 'bypass'] as const) assert.deepEqual([bits(c[k].lines), bits(c[k].high)], r[k], `type ${c.type} ${k}`);
      assert.deepEqual([bits(c.lb.lines), bits(c.lb.high)], r.bl, `type ${c.type} lb`);
      assert.equal(c.shutdown === 'unknown' ? -1 : bits(c.shutdown), r.sd, `type ${c.type} shutdown`);
    }
  });
});

void describe('genericups status: every upstype, every combination of CTS, DCD, RNG, DSR (a link that reads RI)', () => {
  for (const c of CABLES) {
    test(`upstype ${c.type} (${c.desc})`, async () => {
      const t = rig({ upstype: c.type });
      const r = UPSTAB[c.type]!;
      t.port.inputs = { ...COMBOS[0]!.lines };
      await t.driver.start();
      // The cable power, set at open, every line at once (TIOCMSET line_norm).
      assert.deepEqual(t.port.changes, [{ dtr: (r.norm & DTR) !== 0, rts: (r.norm & RTS) !== 0, brk: false, at: t.clock.now() }]);
      assert.equal(t.get('ups.status'), nutStatus(r, COMBOS[0]!.flags));
      for (const combo of COMBOS) {
        await t.read(combo.lines);
        assert.equal(t.get('ups.status'), nutStatus(r, combo.flags), `lines ${JSON.stringify(combo.lines)}`);
      }
      assert.equal(t.view().health.staleFlag, false);
      // Polls never touch the output lines.
      assert.equal(t.port.changes.length, 1);
      await t.driver.stop();
    });
  }
});

void describe('genericups publishes what NUT does', () => {
  test('identity: the type names, device.* copies, driver.*; no serial unless given', async () => {
    const t = rig({ upstype: 7 });
    await t.driver.start();
    const names = t.view().vars().map((v) => `${v.name}=${v.value}`);
    assert.deepEqual(names, [
      'device.mfr=CyberPower',
      'device.model=Power99',
      'device.type=ups',
      'driver.name=genericups',
      'driver.parameter.pollinterval=2',
      'driver.parameter.port=/dev/ttyS0',
      'driver.parameter.synchronous=auto',
      'driver.parameter.upstype=7',
      'driver.state=quiet',
      'driver.version=2.8.0',
      'driver.version.internal=1.38',
      'ups.mfr=CyberPower',
      'ups.model=Power99',
      // Every line low: CTS off is on battery, DCD off is low battery for this type.
      'ups.status=LB OB',
    ]);
    assert.deepEqual([...t.view().commands()], [...SHUTDOWN_COMMANDS].sort());
    await t.driver.stop();
  });

  test('mfr, model, serial override the names; options show as driver.parameter.*', async () => {
    const t = rig({ upstype: 4, mfr: 'Belkin', model: 'F6H500-SER', serial: 'BK0001', sdtime: 3, OL: '-CTS' });
    await t.driver.start();
    assert.equal(t.get('ups.mfr'), 'Belkin');
    assert.equal(t.get('device.mfr'), 'Belkin');
    assert.equal(t.get('ups.model'), 'F6H500-SER');
    assert.equal(t.get('device.model'), 'F6H500-SER');
    assert.equal(t.get('ups.serial'), 'BK0001');
    assert.equal(t.get('device.serial'), 'BK0001');
    assert.equal(t.get('driver.parameter.sdtime'), '3');
    assert.equal(t.get('driver.parameter.OL'), '-CTS');
    assert.equal(t.get('driver.parameter.mfr'), 'Belkin');
    await t.driver.stop();
  });

  test('types with no known shutdown (8, 16, 17, 18) offer no command; SD gives them one', async () => {
    for (const type of [8, 16, 17, 18]) {
      const t = rig({ upstype: type });
      await t.driver.start();
      assert.deepEqual([...t.view().commands()], [], `type ${type}`);
      await assert.rejects(t.cmd('load.off'), (e: unknown) => e instanceof RequestError && e.failure === 'CMD-NOT-SUPPORTED');
      assert.equal(t.port.changes.length, 1);
      await t.driver.stop();
    }
    const t = rig({ upstype: 8, SD: 'RTS' });
    await t.driver.start();
    assert.deepEqual([...t.view().commands()], [...SHUTDOWN_COMMANDS].sort());
    await t.cmd('shutdown.default');
    assert.deepEqual(t.port.outputs, { dtr: false, rts: true, brk: false, at: t.clock.now() });
    await t.driver.stop();
  });

  test('no writable variables', async () => {
    const t = rig({ upstype: 7 });
    await t.driver.start();
    const bus = (t.driver as unknown as { deps: { bus: EventBus } }).deps.bus;
    await assert.rejects(bus.request('ups.setvar', { ups: 'u', name: 'ups.mfr', value: 'x' }), (e: unknown) => e instanceof RequestError && e.failure === 'VAR-NOT-SUPPORTED');
    await t.driver.stop();
  });
});

void describe('genericups shutdown: NUT upsdrv_shutdown line sequences and timing', () => {
  for (const c of CABLES) {
    const r = UPSTAB[c.type]!;
    if (r.sd === -1) continue;
    test(`upstype ${c.type}: ${r.sd === ST ? '5 s BREAK, cable power kept' : 'set exactly the SD lines'}`, async () => {
      const t = rig({ upstype: c.type });
      await t.driver.start();
      const t0 = t.clock.now();
      let done: number | undefined;
      const sent = t.cmd('load.off').then(() => (done = t.clock.now()));
      await flush();
      if (r.sd === ST) {
        await t.clock.advance(4999);
        assert.equal(done, undefined, 'the BREAK lasts 5 s');
        await t.clock.advance(1);
        await sent;
        const power = { dtr: (r.norm & DTR) !== 0, rts: (r.norm & RTS) !== 0 };
        assert.deepEqual(t.port.changes.slice(1), [
          { ...power, brk: true, at: t0 },
          { ...power, brk: false, at: t0 + 5000 },
        ]);
        assert.equal(done, t0 + 5000);
      } else {
        await sent;
        // No sdtime: the command returns at once and the lines stay at the shutdown levels.
        assert.deepEqual(t.port.changes.slice(1), [{ dtr: (r.sd & DTR) !== 0, rts: (r.sd & RTS) !== 0, brk: false, at: t0 }]);
        assert.equal(done, t0);
        await t.clock.advance(10_000);
        assert.equal(t.port.changes.length, 2, 'nothing restores the cable power afterwards');
      }
      await t.driver.stop();
    });
  }

  test('sdtime holds the signal that many seconds before the command returns; polls go on', async () => {
    const t = rig({ upstype: 7, sdtime: 7 });
    t.port.inputs = { cts: true, dcd: true, ri: false, dsr: false };
    await t.driver.start();
    const t0 = t.clock.now();
    let done: number | undefined;
    const sent = t.cmd('shutdown.default').then(() => (done = t.clock.now()));
    await t.clock.advance(2000);
    t.port.inputs = { cts: false, dcd: false, ri: false, dsr: false };
    await t.clock.advance(4999);
    assert.equal(done, undefined);
    assert.equal(t.get('ups.status'), 'LB OB', 'polled during the hold');
    await t.clock.advance(1);
    await sent;
    assert.equal(done, t0 + 7000);
    assert.deepEqual(t.port.changes.slice(1), [{ dtr: true, rts: false, brk: false, at: t0 }]);
    assert.ok(t.lines.some((l) => l.includes('Holding shutdown signal for 7 seconds')));
    await t.driver.stop();
  });

  test('sdtime is not used for a BREAK (NUT returns after tcsendbreak)', async () => {
    const t = rig({ upstype: 11, sdtime: 30 });
    await t.driver.start();
    const t0 = t.clock.now();
    let done: number | undefined;
    const sent = t.cmd('load.off').then(() => (done = t.clock.now()));
    await t.clock.advance(5000);
    await sent;
    assert.equal(done, t0 + 5000);
    await t.driver.stop();
  });

  test('a port reopened during the hold gets the shutdown levels again, not the cable power', async () => {
    const t = rig({ upstype: 7, sdtime: 20 });
    await t.driver.start();
    const sent = t.cmd('load.off');
    await flush();
    t.port.unplug();
    await t.clock.advance(2000);
    t.port.plug();
    await t.clock.advance(4000);
    assert.equal(t.port.opens, 2);
    assert.deepEqual(
      t.port.changes.map((c) => [c.dtr, c.rts, c.brk]),
      [
        [false, true, false],
        [true, false, false],
        [true, false, false],
      ],
    );
    await t.clock.advance(20_000);
    await sent;
    await t.driver.stop();
  });

  test('SD override: DTR+RTS, -RTS (drop it), none (drop every line), ST (BREAK)', async () => {
    const cases: Array<[string, { dtr: boolean; rts: boolean; brk: boolean }]> = [
      ['DTR+RTS', { dtr: true, rts: true, brk: false }],
      ['DTR -RTS', { dtr: true, rts: false, brk: false }],
      ['none', { dtr: false, rts: false, brk: false }],
      ['ST', { dtr: false, rts: true, brk: true }],
    ];
    for (const [sd, want] of cases) {
      const t = rig({ upstype: 7, SD: sd });
      await t.driver.start();
      const sent = t.cmd('load.off');
      await flush();
      const { at: _at, ...got } = t.port.changes[1]!;
      assert.deepEqual(got, want, `SD=${sd}`);
      await t.clock.advance(5000);
      await sent;
      await t.driver.stop();
    }
  });

  test('the port gone when the command is sent: INSTCMD-FAILED or not connected, never a hang', async () => {
    const t = rig({ upstype: 7 });
    await t.driver.start();
    t.port.unplug();
    await assert.rejects(t.cmd('load.off'), (e: unknown) => e instanceof RequestError && (e.failure === 'INSTCMD-FAILED' || e.failure === 'DRIVER-NOT-CONNECTED'));
    await t.driver.stop();
  });
});

void describe('genericups overrides (CP, OL, LB, RB, BYPASS)', () => {
  test('CP sets the cable power raised at open', async () => {
    for (const [cp, want] of [
      ['DTR+RTS', [true, true]],
      ['RTS', [false, true]],
      ['none', [false, false]],
      ['NULL', [false, false]],
      ['ST', [false, false]],
    ] as const) {
      const t = rig({ upstype: 1, CP: cp, OL: 'CTS' });
      await t.driver.start();
      assert.deepEqual([t.port.changes[0]!.dtr, t.port.changes[0]!.rts, t.port.changes[0]!.brk], [...want, false], `CP=${cp}`);
      await t.driver.stop();
    }
  });

  test('OL/LB polarity: a name is active high, -name active low; none: OL always, LB never', async () => {
    const t = rig({ upstype: 7, OL: '-DCD', LB: 'DSR' });
    await t.driver.start();
    await t.read({ cts: false, dcd: false, ri: false, dsr: false });
    assert.equal(t.get('ups.status'), 'OL');
    await t.read({ cts: true, dcd: true, ri: false, dsr: true });
    assert.equal(t.get('ups.status'), 'LB OB');
    await t.driver.stop();

    const n = rig({ upstype: 7, OL: 'none', LB: null });
    await n.driver.start();
    for (const combo of COMBOS) {
      await n.read(combo.lines);
      assert.equal(n.get('ups.status'), 'OL');
    }
    assert.equal(n.get('driver.parameter.LB'), 'NULL');
    await n.driver.stop();
  });

  test('two lines in one signal: every one at its level', async () => {
    const t = rig({ upstype: 7, LB: 'DCD+-DSR' });
    await t.driver.start();
    await t.read({ cts: true, dcd: true, ri: false, dsr: false });
    assert.equal(t.get('ups.status'), 'LB OL');
    await t.read({ cts: true, dcd: true, ri: false, dsr: true });
    assert.equal(t.get('ups.status'), 'OL');
    await t.driver.stop();
  });

  test('RB and BYPASS on a type without them; their NUT order in ups.status', async () => {
    const t = rig({ upstype: 7, RB: 'DSR', BYPASS: '-RNG' });
    await t.driver.start();
    await t.read({ cts: false, dcd: false, ri: false, dsr: true });
    assert.equal(t.get('ups.status'), 'LB OB RB BYPASS');
    await t.driver.stop();
  });

  test('type 23 with RB moved off RNG works on a port without RI', async () => {
    const t = rig({ upstype: 23, RB: '-DCD' });
    t.port.inputs = { cts: true, dcd: false, ri: null, dsr: false };
    await t.driver.start();
    assert.equal(t.get('ups.status'), 'LB OL RB BYPASS');
    await t.driver.stop();
  });

  test('parsing: NUT spellings, case, and what is refused', () => {
    assert.deepEqual(parseOutputLines('DTR+RTS'), { ok: true, value: ['DTR', 'RTS'] });
    assert.deepEqual(parseOutputLines('rts+dtr'), { ok: true, value: ['DTR', 'RTS'] });
    assert.deepEqual(parseOutputLines('-RTS'), { ok: true, value: [] });
    assert.deepEqual(parseOutputLines(null), { ok: true, value: [] });
    assert.deepEqual(parseInputSignal('-RNG'), { ok: true, value: { lines: ['RNG'], high: [] } });
    assert.deepEqual(parseInputSignal('CTS'), { ok: true, value: { lines: ['CTS'], high: ['CTS'] } });
    assert.deepEqual(parseInputSignal('none'), { ok: true, value: { lines: [], high: [] } });
    for (const bad of ['CTS', 'DCD', 'RNG', 'DSR', 'DTRR', 'DTR+DTR', 'none+DTR', '']) assert.equal(parseOutputLines(bad).ok, false, bad);
    for (const bad of ['DTR', 'RTS', 'ST', 'CD', 'CTS+-CTS', 'NULL CTS', ' ']) assert.equal(parseInputSignal(bad).ok, false, bad);
  });
});

void describe('genericups configuration', () => {
  test('a valid entry; upstype as text as in ups.conf; YAML NULL', async () => {
    const cfg = await parseConfig(ups('upstype: "7"\nOL: -CTS\nLB: NULL\nCP: DTR+RTS\nsdtime: 5\nmfr: Belkin'), 'test.yaml');
    const u = cfg.ups.u!;
    assert.equal(u.upstype, 7);
    assert.equal(u.OL, '-CTS');
    assert.equal(u.LB, null);
    assert.equal(u.sdtime, 5);
  });

  test('upstype is required and must be 0..23', async () => {
    const missing = await problems(ups('mfr: x'));
    assert.equal(missing.length, 1);
    assert.match(missing[0]!, /^ups\.u\.upstype: genericups needs upstype, one of: 0 \(UPSONIC LAN Saver 600\), 1 /);
    assert.deepEqual(await problems(ups('upstype: 24')), ['ups.u.upstype: 24 is not a UPS type from 0 to 23 (see config.example.yaml or NUT\'s genericups(8) for the list)']);
    assert.equal((await problems(ups('upstype: 1.5'))).length, 1);
  });

  test('a wrong line in an override names the key and the lines allowed', async () => {
    assert.deepEqual(await problems(ups('upstype: 7\nOL: DTR')), ['ups.u.OL: DTR is not an input (the host drives it); inputs are CTS, DCD, RNG and DSR']);
    assert.deepEqual(await problems(ups('upstype: 7\nSD: CTS')), ['ups.u.SD: CTS is not an output (the UPS drives it); outputs are DTR, RTS and ST']);
    assert.deepEqual(await problems(ups('upstype: 7\nLB: DCDD')), ['ups.u.LB: "DCDD" is not a line; inputs are CTS, DCD, RNG and DSR']);
    assert.deepEqual(await problems(ups('upstype: 7\nsdtime: -1')), ['ups.u.sdtime: number -1 is not a whole number from 0 to 86400']);
  });

  test('missing RI: types 1 and 23 on a port other than /dev/ttyS<N> are refused, naming the type and RNG; overriding the line makes them usable', async () => {
    const one = await problems(ups('upstype: 1'));
    assert.equal(one.length, 1);
    assert.match(one[0]!, /^ups\.u\.upstype: upstype 1 \(APC Back-UPS \(940-0095A\/C cable\)\) reads OL from RNG \(the ring indicator\)/);
    const t23 = await problems(ups('upstype: 23'));
    assert.match(t23[0]!, /upstype 23 .* reads RB from RNG/);
    assert.deepEqual(await problems(ups('upstype: 1\nOL: -CTS')), []);
    assert.deepEqual(await problems(ups('upstype: 23\nRB: none')), []);
    const moved = await problems(ups('upstype: 7\nLB: -RNG'));
    assert.match(moved[0]!, /^ups\.u\.LB: upstype 7 .* reads LB from RNG/);
    // A built-in port: the kernel reports RI in /proc/tty/driver/serial.
    assert.deepEqual(await problems(ups('upstype: 1', '/dev/ttyS1')), []);
    assert.deepEqual(await problems(ups('upstype: 23', '/dev/ttyS0')), []);
  });

  test('RI from /proc/tty/driver/serial: the port\'s line, its modem status, RI or not; nothing without root or for other ports', async () => {
    const text = [
      'serinfo:1.0 driver revision:',
      '0: uart:16550A port:000003F8 irq:4 tx:218 rx:0 RTS|CTS|DTR|DSR|CD',
      '1: uart:16550A port:000002F8 irq:3 tx:0 rx:0 fe:1 RTS|DTR|RI',
      '2: uart:16550A port:000003E8 irq:4 tx:0 rx:0',
      '3: uart:16550A port:000002E8 irq:3',
      '4: uart:unknown port:00000000 irq:0',
    ].join('\n');
    assert.equal(ringFromProcText(text, 0), false);
    assert.equal(ringFromProcText(text, 1), true);
    assert.equal(ringFromProcText(text, 2), false, 'status shown, no line set');
    assert.equal(ringFromProcText(text, 3), null, 'no status: not read as root');
    assert.equal(ringFromProcText(text, 4), null);
    assert.equal(ringFromProcText(text, 9), null);
    const dir = mkdtempSync(join(tmpdir(), 'genericups-proc-'));
    try {
      const procFile = join(dir, 'serial');
      writeFileSync(procFile, text);
      const links: Record<string, string> = { '/dev/serial/by-path/pci-0:1': '/dev/ttyS1', '/dev/ttyS0': '/dev/ttyS0', '/dev/ttyUSB0': '/dev/ttyUSB0' };
      const ring = procSerialRing({ procFile, realpath: (p) => (links[p] ? Promise.resolve(links[p]!) : Promise.reject(new Error('ENOENT'))) });
      assert.equal(await ring('/dev/serial/by-path/pci-0:1'), true);
      assert.equal(await ring('/dev/ttyS0'), false);
      assert.equal(await ring('/dev/ttyUSB0'), null);
      assert.equal(await ring('/dev/ttyS7'), null);
      assert.equal(await procSerialRing({ procFile: join(dir, 'absent'), realpath: (p) => Promise.resolve(p) })('/dev/ttyS0'), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('type 1 on a link without RI reads RNG from the kernel report: OL while RI is low', async () => {
    let ri = false;
    const t = rig({ upstype: 1 }, () => Promise.resolve(ri));
    t.port.inputs = { cts: false, dcd: false, ri: null, dsr: false };
    await t.driver.start();
    assert.equal(t.get('ups.status'), 'OL');
    ri = true;
    await t.read({ cts: false, dcd: true, ri: null, dsr: false });
    assert.equal(t.get('ups.status'), 'LB OB');
    await t.driver.stop();
  });

  test('missing RI at run time: the port reports no RI, the driver says why and publishes nothing', async () => {
    for (const type of [1, 23]) {
      const t = rig({ upstype: type });
      t.port.inputs = { cts: true, dcd: false, ri: null, dsr: false };
      await t.driver.start();
      assert.equal(t.view().health.attached, false);
      assert.equal(t.get('ups.status'), undefined);
      const warn = t.lines.find((l) => l.startsWith('warn'));
      assert.ok(warn?.includes(`upstype ${type}`) && warn.includes('RNG (the ring indicator)') && warn.includes('cannot report RNG') && warn.includes('/proc/tty/driver/serial'), warn);
      await t.driver.stop();
    }
  });

  test('the registry builds it', async () => {
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const m = await createDriver({ driver: 'genericups', port: PORT, upstype: 7 }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger() });
    assert.equal(m.name, 'driver:u');
  });
});

void describe('genericups: a port that disappears', () => {
  test('gone → stale at once → reopened with backoff → cable power set again, fresh status', async () => {
    const t = rig({ upstype: 7 });
    t.port.inputs = { cts: true, dcd: true, ri: false, dsr: false };
    await t.driver.start();
    assert.equal(t.get('ups.status'), 'OL');
    assert.equal(t.get('driver.state'), 'quiet');
    t.port.unplug();
    await t.clock.advance(2000);
    assert.equal(t.view().health.staleFlag, true);
    assert.equal(t.port.closes, 1);
    // Retries at 2 s, then 4 s... fail while the port is absent.
    await t.clock.advance(2000);
    assert.equal(t.get('driver.state'), 'reconnect.trying');
    assert.equal(t.view().health.staleFlag, true);
    t.port.inputs = { cts: false, dcd: true, ri: false, dsr: false };
    t.port.plug();
    const before = t.port.changes.length;
    await t.clock.advance(4000);
    assert.equal(t.port.opens, 2);
    assert.equal(t.view().health.staleFlag, false);
    assert.equal(t.get('ups.status'), 'OB');
    assert.equal(t.get('driver.state'), 'quiet');
    assert.deepEqual(
      t.port.changes.slice(before).map((c) => [c.dtr, c.rts, c.brk]),
      [[false, true, false]],
    );
    assert.ok(t.lines.some((l) => l.startsWith('warn') && l.includes('lost')));
    await t.driver.stop();
  });

  test('absent at start: not connected, then attached when it appears', async () => {
    const t = rig({ upstype: 5 });
    t.port.unplug();
    await t.driver.start();
    assert.equal(t.view().health.attached, false);
    t.port.plug();
    t.port.inputs = { cts: true, dcd: true, ri: false, dsr: false };
    await t.clock.advance(2000);
    assert.equal(t.view().health.attached, true);
    assert.equal(t.get('ups.status'), 'OL');
    assert.deepEqual(t.port.changes.map((c) => [c.dtr, c.rts]), [[true, false]]);
    await t.driver.stop();
  });
});

void describe('genericups with upsagent shutdown-ups (upsdrvctl shutdown)', () => {
  test('the driver starts, sets the cable power, and load.off sends the shutdown lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genericups-sd-'));
    try {
      const file = join(dir, 'cfg.yaml');
      writeFileSync(file, ups('upstype: 2', PORT));
      const clock = new FakeClock();
      const port = new FakeModemPort(PORT, () => clock.now());
      const io = new MemoryIO();
      const code = await runShutdownUps({ config: file, waitMs: 1000 }, io, {
        driverFor: (_name, cfg, deps) => new GenericUpsDriver(cfg, deps, { openSerial: port.open, timers: clock }),
      });
      assert.equal(code, 0, io.stderr);
      assert.match(io.stdout, /u: sent shutdown\.default; the UPS accepted it/);
      // Type 2: cable power RTS, then shutdown DTR+RTS (NUT: TIOCMSET line_norm, then line_sd).
      assert.deepEqual(
        port.changes.map((c) => [c.dtr, c.rts, c.brk]),
        [
          [false, true, false],
          [true, true, false],
        ],
      );
      assert.equal(port.closes, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('genericups on a port without modem lines', () => {
  test('a pty (ENOTTY on the line ioctls): the error says so, and the port is retried', async () => {
    const clock = new FakeClock();
    const bus = new EventBus();
    const store = new UpsStore(bus, () => clock.now());
    const lines: string[] = [];
    const pty = new FakeModemPort(PORT, () => clock.now());
    const open: typeof pty.open = async (path, o) => {
      const link = await pty.open(path, o);
      link.setLines = () => Promise.reject(new DeviceGoneError(`${PORT}: Error: Inappropriate ioctl for device, cannot set`));
      return link;
    };
    const driver = new GenericUpsDriver({ driver: 'genericups', port: PORT, upstype: 7 }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines), clock: () => clock.now() }, { openSerial: open, timers: clock });
    await driver.start();
    assert.equal(store.get('u')!.health.attached, false);
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('no modem control lines') && l.includes('not a pty')), lines.join('\n'));
    await clock.advance(2000);
    assert.equal(pty.opens, 2);
    assert.equal(pty.closes, 2);
    await driver.stop();
  });
});

void describe('genericups hold on the real timers', () => {
  test('a process whose only work is the sdtime hold lives until the hold ends (the runtime timers alone would let it exit)', async () => {
    const { execFile } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'genericups-hold-'));
    try {
      const script = join(dir, 'hold.ts');
      const root = join(__dirname, '../..');
      writeFileSync(
        script,
        [
          `import { EventBus } from ${JSON.stringify(join(root, 'src/core/bus'))};`,
          `import { UpsStore } from ${JSON.stringify(join(root, 'src/core/state'))};`,
          `import { MemoryLogger } from ${JSON.stringify(join(root, 'src/core/logger'))};`,
          `import { GenericUpsDriver } from ${JSON.stringify(join(root, 'src/drivers/genericups/index'))};`,
          `import { FakeModemPort } from ${JSON.stringify(join(root, 'test/helpers/fake-modem-link'))};`,
          `const port = new FakeModemPort('/dev/ttyS0', Date.now);`,
          `const bus = new EventBus();`,
          `const store = new UpsStore(bus);`,
          `const d = new GenericUpsDriver({ driver: 'genericups', port: '/dev/ttyS0', upstype: 7, sdtime: 1 }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger() }, { openSerial: port.open });`,
          `void (async () => {`,
          `  await d.start();`,
          `  const t0 = Date.now();`,
          `  await bus.request('ups.instcmd', { ups: 'u', name: 'load.off' });`,
          `  console.log('held ' + (Date.now() - t0));`,
          `  await d.stop();`,
          `})();`,
        ].join('\n'),
      );
      const out = await new Promise<string>((resolve, reject) =>
        execFile(join(root, 'node_modules/.bin/tsx'), [script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
      );
      const held = Number(/held (\d+)/.exec(out)?.[1]);
      assert.ok(held >= 990 && held < 10_000, `the process printed ${JSON.stringify(out)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
