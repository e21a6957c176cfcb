/**
 * `upsagent shutdown-ups` (upsdrvctl shutdown): which command each UPS gets
 * and in what order they are tried (a fake driver records the requests and
 * refuses on demand), waiting for the device, dry runs, exit codes, that the
 * driver is always stopped; then once through the real dummy driver.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryIO } from '../../src/cli/io';
import {
  DEFAULT_SHUTDOWN_COMMANDS,
  runShutdownUps,
  shutdownCommandsFor,
  type ShutdownDriverFor,
} from '../../src/cli/commands/shutdown-ups';
import { parseConfig } from '../../src/app/config';
import type { UpsConfig } from '../../src/core/config';
import { ConfigError, RequestError, type RequestFailure } from '../../src/core/errors';
import type { Module } from '../../src/core/module';
import type { DriverDeps } from '../../src/drivers/types';

const dir = mkdtempSync(join(tmpdir(), 'upsagent-shutdown-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Writes a configuration; `upses` maps a UPS name to extra YAML lines of its entry. */
function config(upses: Record<string, string[]>): string {
  const file = join(dir, `cfg-${++n}.yaml`);
  const body = Object.entries(upses)
    .map(([name, extra]) => [`  ${name}:`, '    driver: dummy', `    port: ${name}.dev`, ...extra.map((l) => `    ${l}`)].join('\n'))
    .join('\n');
  writeFileSync(file, `ups:\n${body}\n`);
  return file;
}

interface FakePlan {
  commands: string[];
  /** Commands the device refuses, with the failure. */
  refuse?: Record<string, RequestFailure>;
  /** When the device is seen: 0 = during start(), n = n ms later, null = never. */
  attachAfterMs?: number | null;
  startError?: Error;
}

/** A driver that publishes the plan's commands once "its device is seen" and records every instant command. */
class FakeShutdownDriver implements Module {
  readonly name: string;
  readonly sent: string[] = [];
  started = false;
  stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: DriverDeps,
    private readonly plan: FakePlan,
  ) {
    this.name = `driver:${deps.ups}`;
  }

  start(): Promise<void> {
    this.started = true;
    if (this.plan.startError) return Promise.reject(this.plan.startError);
    this.deps.bus.handle('ups.instcmd', this.deps.ups, this, (req) => {
      this.sent.push(req.name);
      const refusal = this.plan.refuse?.[req.name];
      if (refusal) throw new RequestError(refusal, `${req.name} refused by the test device`);
    });
    const seen = (): void => {
      for (const c of this.plan.commands) this.deps.publisher.addCommand(c);
      this.deps.publisher.setAttached(true);
      this.deps.publisher.dataOk();
    };
    const after = this.plan.attachAfterMs === undefined ? 0 : this.plan.attachAfterMs;
    if (after === 0) seen();
    else if (after !== null) this.timer = setTimeout(seen, after);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.deps.bus.removeAll(this);
    this.deps.publisher.setAttached(false);
    return Promise.resolve();
  }
}

/** driverFor building fakes from per-UPS plans; `built` keeps them for the assertions, in creation order. */
function fakes(plans: Record<string, FakePlan>): { driverFor: ShutdownDriverFor; built: Record<string, FakeShutdownDriver>; order: string[] } {
  const built: Record<string, FakeShutdownDriver> = {};
  const order: string[] = [];
  return {
    built,
    order,
    driverFor: (ups, _cfg: UpsConfig, deps) => {
      order.push(ups);
      const d = new FakeShutdownDriver(deps, plans[ups] ?? { commands: [] });
      built[ups] = d;
      return d;
    },
  };
}

void describe('shutdown-ups: the commands tried', () => {
  test("the default list: the driver's own shutdown.default, then NUT usbhid-ups order, then load.off", () => {
    assert.deepEqual(DEFAULT_SHUTDOWN_COMMANDS, ['shutdown.return', 'shutdown.reboot', 'load.off.delay', 'shutdown.stayoff', 'load.off']);
    assert.deepEqual(shutdownCommandsFor({ driver: 'dummy', port: 'x' }), ['shutdown.default', ...DEFAULT_SHUTDOWN_COMMANDS]);
  });

  test('sdcommands replaces the list; shutdown.default stands for the default list, without repeats', () => {
    assert.deepEqual(shutdownCommandsFor({ driver: 'dummy', port: 'x', sdcommands: ['beeper.toggle'] }), ['beeper.toggle']);
    assert.deepEqual(shutdownCommandsFor({ driver: 'dummy', port: 'x', sdcommands: ['load.off', 'shutdown.default'] }), [
      'load.off',
      'shutdown.default',
      'shutdown.return',
      'shutdown.reboot',
      'load.off.delay',
      'shutdown.stayoff',
    ]);
  });

  test('sdcommands in the configuration: a list, or NUT\'s comma-separated word; names are checked', async () => {
    const base = (v: string) => `ups:\n  u:\n    driver: dummy\n    port: u.dev\n    sdcommands: ${v}\n`;
    assert.deepEqual((await parseConfig(base('[shutdown.stayoff, load.off]'))).ups.u!.sdcommands, ['shutdown.stayoff', 'load.off']);
    assert.deepEqual((await parseConfig(base('"shutdown.return, load.off"'))).ups.u!.sdcommands, ['shutdown.return', 'load.off']);
    assert.deepEqual((await parseConfig(base('load.off'))).ups.u!.sdcommands, ['load.off']);
    assert.equal((await parseConfig('ups:\n  u:\n    driver: dummy\n    port: u.dev\n')).ups.u!.sdcommands, undefined, 'unset by default');
    for (const [bad, why] of [
      ['[]', /needs at least 1/],
      ['["load off"]', /is not an instant command name/],
      ['[load.off, LOAD.OFF]', /listed twice/],
    ] as const) {
      await assert.rejects(parseConfig(base(bad)), (err: unknown) => err instanceof ConfigError && why.test(err.message) && err.message.includes('ups.u.sdcommands'));
    }
  });
});

void describe('shutdown-ups with a fake driver', () => {
  test('sends the first default command the UPS lists, and only that one', async () => {
    const f = fakes({ myups: { commands: ['beeper.toggle', 'load.off', 'shutdown.stayoff', 'load.off.delay'] } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }) }, io, f), 0, io.stderr);
    assert.deepEqual(f.built.myups!.sent, ['load.off.delay']);
    assert.equal(io.stdout, 'myups: sent load.off.delay; the UPS accepted it\n');
    assert.equal(io.stderr, '');
    assert.equal(f.built.myups!.stopped, true);
  });

  test('a refused command falls back to the next the UPS lists, in order', async () => {
    const f = fakes({
      myups: {
        commands: ['shutdown.return', 'shutdown.stayoff', 'load.off'],
        refuse: { 'shutdown.return': 'INSTCMD-FAILED', 'shutdown.stayoff': 'CMD-NOT-SUPPORTED' },
      },
    });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }) }, io, f), 0);
    assert.deepEqual(f.built.myups!.sent, ['shutdown.return', 'shutdown.stayoff', 'load.off']);
    assert.match(io.stderr, /myups: shutdown\.return failed: shutdown\.return refused/);
    assert.match(io.stderr, /myups: shutdown\.stayoff failed/);
    assert.equal(io.stdout, 'myups: sent load.off; the UPS accepted it\n');
  });

  test('every command refused: exit 1 naming each failure; the driver is stopped', async () => {
    const f = fakes({ myups: { commands: ['shutdown.return', 'load.off'], refuse: { 'shutdown.return': 'INSTCMD-FAILED', 'load.off': 'INSTCMD-FAILED' } } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }) }, io, f), 1);
    assert.deepEqual(f.built.myups!.sent, ['shutdown.return', 'load.off']);
    assert.match(io.stderr, /myups: every shutdown command failed \(shutdown\.return: .*; load\.off: .*\)/);
    assert.equal(io.stdout, '');
    assert.equal(f.built.myups!.stopped, true);
  });

  test('sdcommands: only those, in their order', async () => {
    const f = fakes({ myups: { commands: ['shutdown.return', 'beeper.toggle', 'load.off'], refuse: { 'beeper.toggle': 'INSTCMD-FAILED' } } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: ['sdcommands: [beeper.toggle, load.off]'] }) }, io, f), 0);
    assert.deepEqual(f.built.myups!.sent, ['beeper.toggle', 'load.off']);
  });

  test('no shutdown command the UPS lists: exit 1, nothing sent, its commands named', async () => {
    const f = fakes({ myups: { commands: ['beeper.toggle', 'test.battery.start'] } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }) }, io, f), 1);
    assert.deepEqual(f.built.myups!.sent, []);
    assert.match(io.stderr, /myups: the UPS supports none of the shutdown commands tried \(shutdown\.default, shutdown\.return, .*load\.off\); it lists beeper\.toggle, test\.battery\.start/);
    assert.match(io.stderr, /sdcommands/);
    assert.equal(f.built.myups!.stopped, true);
  });

  test("a UPS that lists the driver's own shutdown.default gets it first (apcsmart's sdtype logic, qx, genericups)", async () => {
    const f = fakes({ myups: { commands: ['shutdown.return', 'shutdown.default', 'load.off'] } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }) }, io, f), 0, io.stderr);
    assert.deepEqual(f.built.myups!.sent, ['shutdown.default']);
  });

  test('--dry-run: says what it would send, sends nothing', async () => {
    const f = fakes({ myups: { commands: ['load.off', 'shutdown.return'] } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }), dryRun: true }, io, f), 0);
    assert.deepEqual(f.built.myups!.sent, []);
    assert.equal(io.stdout, 'myups: would send shutdown.return (dry run: nothing sent); if the UPS refused it: load.off\n');
    assert.equal(f.built.myups!.stopped, true);
  });

  test('waits for a device seen after start(), within the wait', async () => {
    const f = fakes({ myups: { commands: ['load.off'], attachAfterMs: 80 } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }), waitMs: 2000 }, io, f), 0, io.stderr);
    assert.deepEqual(f.built.myups!.sent, ['load.off']);
  });

  test('a device not seen in time: exit 1 saying so, nothing sent, the driver stopped', async () => {
    const f = fakes({ myups: { commands: ['load.off'], attachAfterMs: null } });
    const io = new MemoryIO();
    const t0 = Date.now();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }), waitMs: 150 }, io, f), 1);
    assert.ok(Date.now() - t0 >= 140, 'waited for the device');
    assert.match(io.stderr, /myups: the device \(dummy on .*myups\.dev\) did not answer within 0\.1[05]? s/);
    assert.deepEqual(f.built.myups!.sent, []);
    assert.equal(f.built.myups!.stopped, true);
  });

  test('a driver that fails to start: exit 1 with its error, at once', async () => {
    const f = fakes({ myups: { commands: [], startError: new Error('no hidraw module') } });
    const io = new MemoryIO();
    const t0 = Date.now();
    assert.equal(await runShutdownUps({ config: config({ myups: [] }), waitMs: 5000 }, io, f), 1);
    assert.ok(Date.now() - t0 < 2000, 'did not wait out the device wait');
    assert.match(io.stderr, /myups: its dummy driver failed to start: no hidraw module/);
    assert.equal(f.built.myups!.stopped, true);
  });

  test('every UPS in configuration order; one failing does not stop the others; exit 1', async () => {
    const f = fakes({
      a: { commands: ['load.off'] },
      b: { commands: ['beeper.toggle'] },
      c: { commands: ['shutdown.return'] },
    });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ c: [], a: [], b: [] }) }, io, f), 1);
    assert.deepEqual(f.order, ['c', 'a', 'b']);
    assert.deepEqual(f.built.c!.sent, ['shutdown.return']);
    assert.deepEqual(f.built.a!.sent, ['load.off']);
    assert.deepEqual(f.built.b!.sent, []);
    for (const d of Object.values(f.built)) assert.equal(d.stopped, true);
    assert.match(io.stderr, /1 of 3 UPS\(es\) could not be told to shut down/);
  });

  test('a named UPS: only that one (names compared as the server compares them)', async () => {
    const f = fakes({ a: { commands: ['load.off'] }, b: { commands: ['load.off'] } });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ a: [], b: [] }), ups: 'B' }, io, f), 0);
    assert.deepEqual(f.order, ['b']);
    assert.equal(io.stdout, 'b: sent load.off; the UPS accepted it\n');
  });

  test('exit 2: an unknown UPS (the known ones listed), a bad or missing configuration', async () => {
    const f = fakes({});
    let io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ a: [], b: [] }), ups: 'zz' }, io, f), 2);
    assert.match(io.stderr, /zz is not a UPS of .*; known: a, b/);
    io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: join(dir, 'missing.yaml') }, io, f), 2);
    assert.match(io.stderr, /cannot read the file/);
    io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: config({ a: ['sdcommands: [load off]'] }) }, io, f), 2);
    assert.match(io.stderr, /ups\.a\.sdcommands/);
    assert.deepEqual(f.order, [], 'no driver was started');
  });
});

void describe('shutdown-ups through the real dummy driver', () => {
  test('dummy-ups lists only load.off: the default list reaches it and the driver takes it', async () => {
    const file = config({ myups: [] });
    writeFileSync(join(dir, 'myups.dev'), 'ups.status: OB LB\nbattery.charge: 5\n');
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: file, waitMs: 5000 }, io), 0, io.stderr);
    assert.equal(io.stdout, 'myups: sent load.off; the UPS accepted it\n');
    assert.equal(io.stderr, '');
  });

  test('sdcommands the dummy does not list: exit 1 naming what it lists', async () => {
    const file = config({ myups: ['sdcommands: [shutdown.stayoff]'] });
    writeFileSync(join(dir, 'myups.dev'), 'ups.status: OB LB\n');
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: file, waitMs: 5000 }, io), 1);
    assert.match(io.stderr, /none of the shutdown commands tried \(shutdown\.stayoff\); it lists load\.off/);
  });

  test('a missing .dev file: not found in time, with the driver\'s own reason', async () => {
    const file = config({ gone: [] });
    const io = new MemoryIO();
    assert.equal(await runShutdownUps({ config: file, waitMs: 300 }, io), 1);
    assert.match(io.stderr, /gone: the device \(dummy on .*gone\.dev\) did not answer within 0\.3 s/);
    assert.match(io.stderr, /gone\.dev.*(ENOENT|no such file)/i);
  });
});
