/**
 * A device that never answers must not hold up the agent: the server
 * answers the other UPSes at once, the hung UPS is listed and answered
 * DRIVER-NOT-CONNECTED (as upsd while a driver cannot start), and stop()
 * returns without waiting for the device. Two hung devices: a USB HID
 * transport whose every call never settles, and a dummy-ups file that is a
 * FIFO nobody writes (a read that blocks for ever).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/app/config';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { MemoryLogger } from '../../src/core/logger';
import { createUsbHidDriver } from '../../src/drivers/usbhid/index';
import type { HidConnector } from '../../src/drivers/usbhid/transport/connector';
import type { HidTransport } from '../../src/drivers/usbhid/types';
import { NutClient } from '../helpers/fake-driver';
import { UPSC } from '../helpers/real-nut';

function upsc(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(UPSC, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

/** A transport whose every operation stays pending for ever (a USB control transfer that never completes). */
function hungTransport(): HidTransport {
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
  return { open: never, close: async () => undefined, getReportDescriptor: never, getFeatureReport: never, sendFeatureReport: never };
}

const hungConnector: HidConnector = { target: '/dev/hidraw-hung', connect: async () => hungTransport() };

describe('agent with devices that never answer', () => {
  let dir: string;
  let agent: RunningAgent;
  let startMs: number;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upsagent-hung-'));
    writeFileSync(join(dir, 'good.dev'), 'ups.status: OL\nbattery.charge: 100\n');
    execFileSync('mkfifo', [join(dir, 'silent.dev')]);
    const config = validateConfig({
      ups: {
        good: { driver: 'dummy', port: join(dir, 'good.dev') },
        // Deadlines far longer than the test: only not waiting for them lets it pass.
        hidhung: { driver: 'usbhid', port: 'auto', timeout: 60 },
        fifo: { driver: 'dummy', port: join(dir, 'silent.dev'), timeout: 60 },
      },
      server: { listen: ['127.0.0.1:0'] },
    });
    const t0 = Date.now();
    agent = await startAgent({
      config,
      log: new MemoryLogger(lines),
      version: 'test',
      driverFor: (name, cfg, deps) => (name === 'hidhung' ? createUsbHidDriver(cfg, deps, { connector: hungConnector }) : undefined),
    });
    startMs = Date.now() - t0;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the server listens without waiting for the hung devices (their deadline is 60 s)', () => {
    assert.ok(startMs < 5000, `startAgent took ${startMs} ms`);
  });

  test('every configured UPS is listed; the good one is served, the hung ones answer DRIVER-NOT-CONNECTED', async () => {
    const port = agent.addresses()[0]!.port;
    const c = await NutClient.connect(port);
    const list = await c.request('LIST UPS');
    for (const name of ['good', 'hidhung', 'fifo']) assert.match(list, new RegExp(`^UPS ${name} `, 'm'));
    assert.equal(await c.request('GET VAR good ups.status'), 'VAR good ups.status "OL"');
    assert.equal(await c.request('GET VAR hidhung ups.status'), 'ERR DRIVER-NOT-CONNECTED');
    assert.equal(await c.request('GET VAR fifo ups.status'), 'ERR DRIVER-NOT-CONNECTED');
    assert.equal(await c.request('LIST VAR fifo'), 'ERR DRIVER-NOT-CONNECTED');
    c.sock.destroy();
  });

  test('the real upsc reads the good UPS and says "Driver not connected" for the hung ones, as against upsd', async () => {
    assert.ok(existsSync(UPSC), `${UPSC} is missing: install nut-client (test/run.sh does)`);
    const port = agent.addresses()[0]!.port;
    const good = await upsc([`good@127.0.0.1:${port}`, 'ups.status']);
    assert.deepEqual([good.code, good.out], [0, 'OL\n']);
    for (const name of ['hidhung', 'fifo']) {
      const r = await upsc([`${name}@127.0.0.1:${port}`]);
      assert.equal(r.code, 1, name);
      assert.match(r.err, /Error: Driver not connected/, name);
    }
  });

  test('stop() returns promptly, with reads still pending on both devices', async () => {
    const t0 = Date.now();
    await agent.stop();
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `stop took ${ms} ms`);
  });
});

describe('usbhid: a device that hangs while being opened is closed at the deadline', () => {
  test('the transport is closed when the open is given up, and again tried later', async () => {
    let closed = 0;
    let opened = 0;
    const connector: HidConnector = {
      target: '/dev/hidraw-slow',
      connect: async () => {
        opened++;
        return { ...hungTransport(), close: async () => void closed++ };
      },
    };
    const config = validateConfig({ ups: { slow: { driver: 'usbhid', port: 'auto', timeout: 0.1 } }, server: { listen: ['127.0.0.1:0'] } });
    const a = await startAgent({ config, log: new MemoryLogger(), version: 'test', driverFor: (_n, cfg, deps) => createUsbHidDriver(cfg, deps, { connector }) });
    // The open deadline is three operation deadlines (0.3 s); the retry comes 2 s later.
    for (let i = 0; i < 100 && closed === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(opened, 1);
    assert.ok(closed >= 1, 'closed at the deadline');
    await a.stop();
  });
});
