/**
 * NUT's driver names as `run` creates them (src/drivers/registry.ts), on a
 * real pty with the Megatec simulator (test/helpers/q1-simulator.ts):
 * blazer_ser autodetects among blazer's own four protocols only (NUT's
 * drivers/blazer.c: megatec, mustek, megatec/old, zinto), while nutdrv_qx
 * tries the whole nutdrv_qx list in its order first.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import type { Module } from '../../src/core/module';
import { UpsStore } from '../../src/core/state';
import { createDriver } from '../../src/drivers/registry';
import { startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { Q1Simulator } from '../helpers/q1-simulator';

describe("NUT's qx driver names on a pty", () => {
  let pty: PtyPair;
  let sim: Q1Simulator;
  let driver: Module | undefined;
  let store: UpsStore;
  const log: string[] = [];

  beforeEach(async () => {
    pty = await startPtyPair();
    sim = new Q1Simulator(pty.peer);
    await sim.start();
  });
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
    await sim?.stop();
    await pty?.stop();
  });

  async function run(name: string): Promise<string[]> {
    const bus = new EventBus();
    store = new UpsStore(bus);
    driver = await createDriver({ driver: name, port: pty.device, pollInterval: 0.2, timeout: 2 }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(log) });
    await driver.start();
    const end = Date.now() + 20_000;
    for (;;) {
      store.flush();
      if (store.get('u')?.getVar('ups.status') !== undefined) break;
      if (Date.now() > end) throw new Error(`${name}: no data; log:\n${log.slice(-8).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return sim.received.filter((c, i, a) => a.indexOf(c) === i);
  }

  test("blazer_ser finds the Megatec unit with blazer's first protocol, asking nothing of the other nutdrv_qx protocols", async () => {
    const sent = await run('blazer_ser');
    assert.match(store.get('u')!.getVar('driver.version.data')!.value, /^Megatec/);
    assert.equal(sent[0], 'Q1\r', JSON.stringify(sent));
    for (const other of ['QGS\r', 'M\r', 'QS\r', 'D\r', 'ID\r', 'QPI\r']) assert.ok(!sent.includes(other), `${JSON.stringify(other)} sent: ${JSON.stringify(sent)}`);
  });

  test('nutdrv_qx is qx: the same unit after the claims of the protocols before megatec in its order', async () => {
    const sent = await run('nutdrv_qx');
    assert.match(store.get('u')!.getVar('driver.version.data')!.value, /^Megatec/);
    for (const first of ['QGS\r', 'QS\r', 'D\r']) assert.ok(sent.includes(first), `${JSON.stringify(first)} not sent: ${JSON.stringify(sent)}`);
  });
});
