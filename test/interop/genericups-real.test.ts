/**
 * Our genericups against the REAL NUT 2.8.0 genericups, side by side.
 *
 * Not on a pty: a pty has no modem lines, and the real driver stops at its
 * first TIOCMSET there. The real program runs instead with a stand-in for
 * the port's line ioctls (test/helpers/real-genericups.ts, LD_PRELOAD):
 * the same input bits go to both drivers (ours through the fake link of
 * test/helpers/fake-modem-link.ts), and what each publishes and each sets
 * on the lines is compared. Skipped without /lib/nut/genericups or gcc.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { CABLES, GenericUpsDriver } from '../../src/drivers/genericups/index';
import { FakeClock, flush } from '../helpers/fake-clock';
import { FakeModemPort, type LineChange } from '../helpers/fake-modem-link';
import { RealGenericups, realGenericupsMissing, type LineEvent } from '../helpers/real-genericups';

const missing = realGenericupsMissing();
const TIOCM = { DTR: 0x002, RTS: 0x004, CTS: 0x020, CD: 0x040, RNG: 0x080, DSR: 0x100 };
const COMBOS = Array.from({ length: 16 }, (_, i) => (i & 1 ? TIOCM.CTS : 0) | (i & 2 ? TIOCM.CD : 0) | (i & 4 ? TIOCM.RNG : 0) | (i & 8 ? TIOCM.DSR : 0));

const inputsOf = (bits: number) => ({ cts: (bits & TIOCM.CTS) !== 0, dcd: (bits & TIOCM.CD) !== 0, ri: (bits & TIOCM.RNG) !== 0, dsr: (bits & TIOCM.DSR) !== 0 });

/** Our driver with the same options (as the config would give them), the lines at `bits`. */
async function ours(opts: Record<string, string>, bits: number, port = '/dev/ttyS0') {
  const clock = new FakeClock();
  const now = (): number => clock.now();
  const bus = new EventBus();
  const store = new UpsStore(bus, now);
  const modem = new FakeModemPort(port, now);
  modem.inputs = inputsOf(bits);
  const cfg: UpsConfig = { driver: 'genericups', port };
  for (const [k, v] of Object.entries(opts)) cfg[k] = k === 'upstype' || k === 'sdtime' ? Number(v) : v;
  const driver = new GenericUpsDriver(cfg, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(), clock: now }, { openSerial: modem.open, timers: clock, version: '2.8.0', ring: () => Promise.resolve(null) });
  await driver.start();
  const view = store.get('u')!;
  // driver.state is our runtime's (NUT 2.8.0's -d dump has none).
  const vars = new Map(view.vars().filter((v) => v.name !== 'driver.state').map((v) => [v.name, v.value] as const));
  return { clock, modem, driver, bus, view, vars };
}

/** Our recorded line changes as TIOCMSET words / BREAKs, the real driver's way. */
function asEvents(changes: LineChange[], t0: number): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.brk) out.push(`tcsendbreak at ${c.at - t0}`);
    else if (out.length > 0 && out[out.length - 1]!.startsWith('tcsendbreak')) continue; // the end of the BREAK
    else out.push(`TIOCMSET ${(c.dtr ? TIOCM.DTR : 0) | (c.rts ? TIOCM.RTS : 0)}`);
  }
  return out;
}

function realEvents(events: LineEvent[]): string[] {
  return events.filter((e) => e.what !== 'exit').map((e) => (e.what === 'tcsendbreak' ? `tcsendbreak at 0` : `TIOCMSET ${e.value}`));
}

void describe('genericups: ours and the real NUT 2.8.0 genericups, the same lines in', { skip: missing ?? false, timeout: 240_000 }, () => {
  let real: RealGenericups;
  before(() => {
    real = RealGenericups.build();
  });
  after(() => real?.remove());

  async function compareAll(opts: Record<string, string>): Promise<void> {
    const runs = await Promise.all(COMBOS.map((bits) => real.run(opts, bits)));
    for (const [i, bits] of COMBOS.entries()) {
      const r = runs[i]!;
      assert.equal(r.code, 0, r.output);
      const o = await ours(opts, bits, r.vars.get('driver.parameter.port'));
      assert.deepEqual(Object.fromEntries(o.vars), Object.fromEntries(r.vars), `${JSON.stringify(opts)} lines 0x${bits.toString(16)}`);
      // The cable power set at start: the same TIOCMSET.
      assert.deepEqual(asEvents(o.modem.changes, 0), realEvents(r.events), `cable power, ${JSON.stringify(opts)}`);
      await o.driver.stop();
    }
  }

  for (const c of CABLES) {
    test(`upstype ${c.type}: every combination of CTS, DCD, RNG, DSR publishes the same variables`, async () => {
      await compareAll({ upstype: String(c.type) });
    });
  }

  const overrides: Array<Record<string, string>> = [
    { upstype: '7', OL: '-DCD', LB: 'DSR' },
    { upstype: '7', OL: 'none', LB: 'NULL' },
    { upstype: '7', RB: 'DSR', BYPASS: '-RNG' },
    { upstype: '7', LB: 'DCD+-DSR' },
    { upstype: '23', RB: '-DCD', BYPASS: 'CTS' },
    { upstype: '1', CP: 'DTR+RTS', OL: 'CTS' },
    { upstype: '9', CP: 'RTS' },
    { upstype: '0', CP: 'none' },
    { upstype: '4', mfr: 'Belkin', model: 'F6H500-SER', serial: 'BK0001', sdtime: '3' },
  ];
  for (const o of overrides) {
    test(`overrides ${JSON.stringify(o)}: the same variables and cable power`, async () => {
      await compareAll(o);
    });
  }

  for (const c of CABLES) {
    test(`upstype ${c.type}: the shutdown sends the same line sequence`, async () => {
      const r = await real.run({ upstype: String(c.type) }, 0, 'kill');
      const o = await ours({ upstype: String(c.type) }, 0);
      if (c.shutdown === 'unknown') {
        assert.notEqual(r.code, 0);
        assert.match(r.output, /No shutdown command defined for this model/);
        assert.deepEqual([...o.view.commands()], []);
      } else {
        const t0 = o.clock.now();
        const sent = o.bus.request('ups.instcmd', { ups: 'u', name: 'shutdown.default' });
        await flush();
        await o.clock.advance(5000);
        await sent;
        assert.deepEqual(asEvents(o.modem.changes, t0), realEvents(r.events), r.output);
        const brk = r.events.find((e) => e.what === 'tcsendbreak');
        // tcsendbreak(fd, 4901): glibc asks Linux for (4901 + 99) / 100 tenths of a second, which we hold as 5000 ms.
        if (brk) {
          assert.equal(brk.value, 4901);
          const ends = o.modem.changes.slice(1).map((ch) => ch.at - t0);
          assert.deepEqual(ends, [0, 5000]);
        }
      }
      await o.driver.stop();
    });
  }

  for (const sd of ['none', 'DTR -RTS', 'RTS+DTR', 'ST', 'RTS']) {
    test(`SD=${sd}: the same shutdown lines`, async () => {
      const opts = { upstype: '8', SD: sd };
      const r = await real.run(opts, 0, 'kill');
      const o = await ours(opts, 0);
      const t0 = o.clock.now();
      const sent = o.bus.request('ups.instcmd', { ups: 'u', name: 'load.off' });
      await flush();
      await o.clock.advance(5000);
      await sent;
      assert.deepEqual(asEvents(o.modem.changes, t0), realEvents(r.events), r.output);
      await o.driver.stop();
    });
  }

  test('sdtime=1: the real driver holds the signal about 1 s before it returns; ours exactly 1000 ms', async () => {
    const r = await real.run({ upstype: '7', sdtime: '1' }, 0, 'kill');
    const set = r.events.filter((e) => e.what === 'TIOCMSET');
    const exit = r.events.find((e) => e.what === 'exit');
    assert.equal(set.length, 2);
    assert.ok(exit);
    const held = exit.ms - set[1]!.ms;
    assert.ok(held >= 990 && held < 5000, `held ${held} ms`);
    const o = await ours({ upstype: '7', sdtime: '1' }, 0);
    const t0 = o.clock.now();
    let done: number | undefined;
    const sent = o.bus.request('ups.instcmd', { ups: 'u', name: 'load.off' }).then(() => (done = o.clock.now()));
    await o.clock.advance(999);
    assert.equal(done, undefined);
    await o.clock.advance(1);
    await sent;
    assert.equal(done! - t0, 1000);
    await o.driver.stop();
  });
});
