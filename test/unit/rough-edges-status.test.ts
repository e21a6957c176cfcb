/**
 * A UPS without data says why: the driver runtime keeps its last failure and
 * publishes it (upsagent.driver.error, beside NUT 2.8's driver.state); the
 * server answers those two even while it answers ERR DATA-STALE or
 * DRIVER-NOT-CONNECTED to everything else; `upsagent status` shows the
 * reason and exits 3. The failure is logged again at warn at an interval
 * while it lasts, and at debug in between.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { EventBus } from '../../src/core/bus';
import { DRIVER_ERROR_VAR } from '../../src/core/health-vars';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { DeviceGoneError, DriverRuntime, type DeviceHandler } from '../../src/drivers/runtime/index';
import { createUsbHidDriver } from '../../src/drivers/usbhid/index';
import { matchFromConfig } from '../../src/drivers/usbhid/matcher';
import { HidrawConnector } from '../../src/drivers/usbhid/transport/connector';
import { NutClient, NutProtocolError } from '../../src/client';
import { MemoryIO } from '../../src/cli/io';
import { EXIT_NO_DATA, runStatus } from '../../src/cli/commands/status';
import { FakeTimers } from './usbhid-helpers';

void describe('driver runtime: the reason of a failure', () => {
  function rig(opts: { failureLogIntervalMs?: number } = {}) {
    const timers = new FakeTimers();
    const store = new UpsStore(new EventBus(), () => timers.now);
    const publisher = store.addUps('u');
    const lines: string[] = [];
    let present = false;
    const handler: DeviceHandler<object> = {
      target: 'auto',
      open: () => (present ? Promise.resolve({}) : Promise.reject(new DeviceGoneError('no UPS matching the configuration among 0 HID device(s)'))),
      poll: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const rt = new DriverRuntime(handler, { ups: 'u', publisher, log: new MemoryLogger(lines) }, { pollIntervalMs: 2000, retryMaxMs: 30_000, timers, clock: () => timers.now, ...opts });
    return {
      rt,
      lines,
      get: (name: string) => store.get('u')!.getVar(name)?.value,
      plug: () => (present = true),
      advance: (ms: number) => timers.advance(ms, () => rt.idle()),
    };
  }

  test('published while the device is missing, removed once it answers', async () => {
    const r = rig();
    await r.rt.start();
    assert.equal(r.get(DRIVER_ERROR_VAR), 'auto: no UPS matching the configuration among 0 HID device(s)');
    assert.equal(r.get('driver.state'), 'init.device');
    r.plug();
    await r.advance(2000);
    assert.equal(r.get(DRIVER_ERROR_VAR), undefined);
    assert.equal(r.get('driver.state'), 'quiet');
    assert.ok(r.lines.some((l) => /^info .*auto: device answers again/.test(l)), r.lines.join('\n'));
    await r.rt.stop();
  });

  test('logged at warn when it starts and every 5 minutes while it lasts, at debug in between', async () => {
    const r = rig();
    await r.rt.start();
    await r.advance(11 * 60_000);
    const warns = r.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warns.length, 3, warns.join('\n'));
    assert.match(warns[0]!, /auto: no UPS matching the configuration among 0 HID device\(s\); retrying in 2 s$/);
    assert.match(warns[1]!, /retrying in 30 s \(still failing after 5 min \d+ s, \d+ attempts\)$/);
    assert.match(warns[2]!, /\(still failing after 10 min \d+ s, \d+ attempts\)$/);
    const debug = r.lines.filter((l) => l.startsWith('debug') && /no UPS matching/.test(l));
    assert.ok(debug.length >= 15, `the retries in between are at debug (${debug.length})`);
    await r.rt.stop();
  });

  test('the interval is an option; a new failure after a recovery is logged at once', async () => {
    const r = rig({ failureLogIntervalMs: 60_000 });
    await r.rt.start();
    await r.advance(61_000);
    assert.equal(r.lines.filter((l) => l.startsWith('warn')).length, 2);
    await r.rt.stop();
  });
});

void describe('status says why a UPS has no data', () => {
  let agent: RunningAgent;
  let dir: string;
  let at: string;
  let goneFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upsagent-why-'));
    const okFile = join(dir, 'ok.dev');
    goneFile = join(dir, 'gone.dev');
    writeFileSync(okFile, 'ups.status: OL\nbattery.charge: 100\n');
    writeFileSync(goneFile, 'ups.status: OL\nbattery.charge: 90\n');
    const config = validateConfig({
      ups: {
        ok: { driver: 'dummy', port: okFile },
        gone: { driver: 'dummy', port: goneFile, pollInterval: 0.2 },
        usbups: { driver: 'usbhid', port: 'auto' },
      },
      server: { listen: ['127.0.0.1:0'] },
    });
    agent = await startAgent({
      config,
      log: new MemoryLogger(),
      version: '0.0.0-test',
      // The USB UPS of the report: a machine with no HID device at all, whatever this one has.
      driverFor: (ups, cfg, deps) =>
        ups === 'usbups'
          ? createUsbHidDriver(cfg, deps, {
              connector: new HidrawConnector({ port: 'auto', match: matchFromConfig(cfg as never), list: () => Promise.resolve([]), open: () => assert.fail('nothing to open') }),
            })
          : undefined,
    });
    at = `127.0.0.1:${agent.addresses()[0]!.port}`;
    // The file of a UPS that had data goes away: its data goes stale.
    unlinkSync(goneFile);
    for (let i = 0; i < 200 && !agent.store.get('gone')!.health.staleFlag; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(agent.store.get('gone')!.health.staleFlag, 'gone.dev was deleted: its data must be stale');
  });
  after(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the table, then one line per UPS without data with the reason; exit 3', async () => {
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `@${at}`, json: false }, io), EXIT_NO_DATA);
    const [table, reasons] = io.stdout.split('\n\n');
    assert.match(table!, /\nok\s+On line power \[OL\]/);
    assert.match(table!, /\ngone\s+Data stale/);
    assert.match(table!, /\nusbups\s+Driver not connected/);
    const why = reasons!.trimEnd().split('\n');
    assert.equal(why.length, 2, reasons);
    assert.match(why[0]!, new RegExp(`^gone: no data: ${goneFile.replace(/[.\\/]/g, '\\$&')}: poll failed \\(.*ENOENT.*\\); \\d+ missed in a row \\(driver\\.state [a-z.]+\\)$`));
    assert.equal(why[1], 'usbups: no data: auto: no UPS matching the configuration among 0 HID device(s) (driver.state init.device)');
  });

  test('--json carries the reason and driver.state', async () => {
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `@${at}`, json: true }, io), EXIT_NO_DATA);
    const doc = JSON.parse(io.stdout) as { upses: Array<{ name: string; available: boolean; stale: boolean; driverConnected: boolean; reason: string | null; driverState: string | null }> };
    const by = new Map(doc.upses.map((u) => [u.name, u]));
    const usb = by.get('usbups')!;
    assert.deepEqual(
      [usb.available, usb.driverConnected, usb.reason, usb.driverState],
      [false, false, 'auto: no UPS matching the configuration among 0 HID device(s)', 'init.device'],
    );
    assert.equal(by.get('gone')!.stale, true);
    assert.equal(by.get('gone')!.driverConnected, true, "NUT's meaning: the driver is there, its device is not");
    assert.match(by.get('gone')!.reason!, /poll failed/);
    assert.equal(by.get('ok')!.reason, null);
  });

  test('a UPS with data: exit 0', async () => {
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `ok@${at}`, json: false }, io), 0, io.stdout + io.stderr);
    assert.doesNotMatch(io.stdout, /no data/);
  });

  test('over the NUT protocol: only the two health variables are answered; the rest as upsd does', async () => {
    const [host, port] = [at.split(':')[0]!, Number(at.split(':')[1])];
    const c = await NutClient.connect({ host, port });
    try {
      assert.equal(await c.getVar('usbups', DRIVER_ERROR_VAR), 'auto: no UPS matching the configuration among 0 HID device(s)');
      assert.equal(await c.getVar('usbups', 'driver.state'), 'init.device');
      await assert.rejects(c.getVar('usbups', 'ups.status'), (e: unknown) => e instanceof NutProtocolError && e.code === 'DRIVER-NOT-CONNECTED');
      await assert.rejects(c.listVars('usbups'), (e: unknown) => e instanceof NutProtocolError && e.code === 'DRIVER-NOT-CONNECTED');
      await assert.rejects(c.getVar('gone', 'battery.charge'), (e: unknown) => e instanceof NutProtocolError && e.code === 'DATA-STALE');
      assert.match(await c.getVar('gone', DRIVER_ERROR_VAR), /poll failed/);
      // A UPS with nothing wrong has no such variable.
      await assert.rejects(c.getVar('ok', DRIVER_ERROR_VAR), (e: unknown) => e instanceof NutProtocolError && e.code === 'VAR-NOT-SUPPORTED');
    } finally {
      await c.close();
    }
  });
});
