/**
 * `upsagent run` with no configuration at all: the automatic run, in
 * process, with fake USB HID devices (a listing the test controls, each
 * device a replayed recording whose PresentStatus and charge reports the
 * test rewrites) and a harmless shutdown command that writes a file.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgent } from '../../src/cli/commands/run';
import type { RunningAgent } from '../../src/app/agent';
import { MemoryLogger } from '../../src/core/logger';
import { createUsbHidDriver } from '../../src/drivers/usbhid/index';
import { FixedConnector } from '../../src/drivers/usbhid/transport/connector';
import { ReplayTransport, loadHidDump } from '../../src/drivers/usbhid/transport/replay';
import type { ListedHidDevice } from '../../src/drivers/usbhid/matcher';
import { NutClient } from '../../src/client';
import { runStatus } from '../../src/cli/commands/status';
import type { CliIO } from '../../src/cli/io';
import { DRIVER_ERROR_VAR } from '../../src/core/health-vars';

const FIXTURE = resolve(__dirname, '../fixtures/usbhid/simple-ups.dev');
/** simple-ups.dev's PresentStatus (report 5): bit 0 ACPresent, 1 Charging, 2 Discharging, 3 BelowRemainingCapacityLimit (LB). */
const OB = 0x04;
const OB_LB = 0x0c;

function memIO(): CliIO & { text: () => string } {
  let text = '';
  return {
    out: (t) => void (text += t),
    err: (t) => void (text += t),
    prompt: async () => '',
    text: () => text,
  };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

interface FakeUps {
  listed: ListedHidDevice;
  transport: ReplayTransport;
  setStatus(bits: number): Promise<void>;
  setCharge(pct: number, runtimeS: number): Promise<void>;
}

async function fakeUps(serial: string, path: string): Promise<FakeUps> {
  const dump = await loadHidDump(FIXTURE);
  // Two of the same model told apart by their serial, as the driver's match checks it.
  dump.device.serialNumber = serial;
  const transport = new ReplayTransport(dump, { source: path });
  return {
    listed: { path, vendorId: 0xf055, productId: 0x0001, manufacturer: 'Upsagent Test Works', product: 'Simple UPS 650', serialNumber: serial, usagePage: 0x84 },
    transport,
    // A SET of a Feature report is what later GETs answer (replay.ts): the device "changes".
    setStatus: (bits) => transport.sendFeatureReport(Uint8Array.of(5, bits)),
    setCharge: (pct, runtimeS) => transport.sendFeatureReport(Uint8Array.of(2, pct, runtimeS & 0xff, runtimeS >> 8)),
  };
}

/** One automatic run: a fake bus of HID devices, a shutdown command that writes `flag`. */
function autoRun(devices: FakeUps[]) {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-auto-run-'));
  const flag = join(dir, 'shutdown-ran');
  const log = new MemoryLogger();
  let agent: RunningAgent | null = null;
  const io = memIO();
  const done = runAgent(
    {
      config: join(dir, 'none.yaml'),
      demo: false,
      listen: ['127.0.0.1:0'],
      auto: {
        listHid: async () => devices.map((d) => d.listed),
        scanEveryMs: 200,
        shutdownCommand: `touch ${flag}`,
        stateDir: dir,
        log,
        driverFor: (_name, cfg, deps) => {
          const d = devices.find((x) => cfg.serial === x.listed.serialNumber);
          return d ? createUsbHidDriver(cfg, deps, { connector: new FixedConnector(d.listed.path, d.transport) }) : undefined;
        },
        onAgent: (a) => (agent = a),
      },
    },
    io,
  );
  const logText = (): string => log.lines.join('\n');
  return {
    dir,
    flag,
    log,
    logText,
    io,
    done,
    agent: () => agent,
    async status(): Promise<string> {
      const a = agent;
      const sio = memIO();
      await runStatus({ json: false, target: a ? `@127.0.0.1:${a.addresses()[0]!.port}` : '@127.0.0.1:1', autoFiles: [join(dir, 'auto.json')], stateFiles: [join(dir, 'monitor.json')] }, sio);
      return sio.text();
    },
    async stop(): Promise<number> {
      process.emit('SIGTERM', 'SIGTERM');
      const code = await done;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

async function upsStatus(agent: RunningAgent, ups: string): Promise<string> {
  const c = await NutClient.connect({ host: '127.0.0.1', port: agent.addresses()[0]!.port });
  try {
    return await c.getVar(ups, 'ups.status');
  } finally {
    await c.close();
  }
}

void describe('upsagent run with no configuration (automatic run)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanup) await c().catch(() => undefined);
  });

  void test('a UPS on USB HID is served and watched; OB alone does not shut down, OB LB does', async () => {
    const ups = await fakeUps('SU650-0001', '/dev/hidraw-fake0');
    const run = autoRun([ups]);
    cleanup.push(() => run.stop());
    await until('the agent', () => run.agent() !== null);
    const agent = run.agent()!;
    assert.match(run.logText(), /running on an automatic configuration/);
    assert.match(run.logText(), /UPS found: simple-ups-650 \(Upsagent Test Works Simple UPS 650/);
    assert.match(run.logText(), /shuts down when .*OB LB.*at most 10 %.*at most 180 s/);
    // Loopback only, read-only.
    assert.deepEqual(agent.addresses().map((a) => a.host), ['127.0.0.1']);
    await until('OL served', async () => (await upsStatus(agent, 'simple-ups-650').catch(() => '')) === 'OL CHRG');
    assert.ok(agent.monitor, 'the monitor runs');
    const st = await run.status();
    assert.match(st, /Automatic configuration \(no file at/);
    assert.match(st, /simple-ups-650: Upsagent Test Works Simple UPS 650/);
    assert.match(st, /Shuts the host down when/);

    await ups.setStatus(OB);
    await until('OB served', async () => (await upsStatus(agent, 'simple-ups-650')) === 'OB DISCHRG');
    // Several monitor polls (5 s) on battery at 95 %: not critical.
    await new Promise((r) => setTimeout(r, 12_000));
    assert.equal(existsSync(run.flag), false, 'OB alone must not shut the host down');

    await ups.setStatus(OB_LB);
    await until('the shutdown command', () => existsSync(run.flag), 60_000);
    cleanup.pop();
    assert.equal(await run.stop(), 0);
  });

  void test('on battery at the floor (charge 8 %, no LB flag) the built-in policy shuts down', async () => {
    const ups = await fakeUps('SU650-0002', '/dev/hidraw-fake1');
    const run = autoRun([ups]);
    cleanup.push(() => run.stop());
    await until('the agent', () => run.agent() !== null);
    await until('OL served', async () => (await upsStatus(run.agent()!, 'simple-ups-650').catch(() => '')) === 'OL CHRG');
    await ups.setCharge(8, 1200);
    await ups.setStatus(OB);
    await until('the shutdown command', () => existsSync(run.flag), 60_000);
    assert.match(run.logText(), /POLICY|charge/i);
    cleanup.pop();
    assert.equal(await run.stop(), 0);
  });

  void test('no UPS: it keeps looking, says so, never shuts down; one plugged in later is found; a second one later is added', async () => {
    const devices: FakeUps[] = [];
    const run = autoRun(devices);
    cleanup.push(() => run.stop());
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(run.agent(), null, 'nothing to serve nor watch yet');
    assert.match(run.logText(), /no UPS found on USB; looking again every 0.2 s/);
    // Said once, not on each of the ~10 looks.
    assert.equal(run.logText().match(/no UPS found on USB/g)?.length, 1);
    assert.match(await run.status(), /No UPS found on USB yet; looking again every 0.2 s.*Nothing will shut this host down/s);
    assert.equal(existsSync(run.flag), false);

    const first = await fakeUps('SU650-0003', '/dev/hidraw-fake2');
    devices.push(first);
    await until('the agent', () => run.agent() !== null);
    const agent = run.agent()!;
    await until('first served', async () => (await upsStatus(agent, 'simple-ups-650').catch(() => '')) === 'OL CHRG');

    const second = await fakeUps('SU650-0004', '/dev/hidraw-fake3');
    devices.push(second);
    await until('second served', async () => (await upsStatus(agent, 'simple-ups-650-2').catch(() => '')) === 'OL CHRG');
    assert.match(run.logText(), /UPS found: simple-ups-650-2 .*now served and watched as primary/);
    assert.match(await run.status(), /simple-ups-650-2: /);
    const auto = JSON.parse(readFileSync(join(run.dir, 'auto.json'), 'utf8')) as { upses: Array<{ name: string }> };
    assert.deepEqual(auto.upses.map((u) => u.name), ['simple-ups-650', 'simple-ups-650-2']);
    assert.deepEqual(agent.monitor?.view().supplies.map((u) => u.name).sort(), ['simple-ups-650', 'simple-ups-650-2']);

    // Unplugged: stale, not forgotten (still listed, still watched); no shutdown for a UPS never seen OB.
    devices.splice(0, 1);
    first.transport.unplug();
    // The driver says the device is gone (upsagent.driver.error), and the UPS stays listed.
    await until('the unplugged UPS reported', async () => {
      const c = await NutClient.connect({ host: '127.0.0.1', port: agent.addresses()[0]!.port });
      try {
        return /unplugged/.test(await c.getVar('simple-ups-650', DRIVER_ERROR_VAR).catch(() => ''));
      } finally {
        await c.close();
      }
    });
    assert.deepEqual((await NutClient.connect({ host: '127.0.0.1', port: agent.addresses()[0]!.port }).then(async (c) => {
      try {
        return (await c.listUps()).map(([n]) => n);
      } finally {
        await c.close();
      }
    })), ['simple-ups-650', 'simple-ups-650-2']);
    assert.equal(existsSync(run.flag), false);
    cleanup.pop();
    assert.equal(await run.stop(), 0);
  });
});
