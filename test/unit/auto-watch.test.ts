/**
 * The automatic run's look for UPSes (src/app/auto-watch.ts) on its own: a
 * listing that fails or never answers is a failed look (said once, not on
 * every look), a UPS seen again is not added twice, one that is gone stays,
 * and an add that fails is offered again at the next look.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoWatch } from '../../src/app/auto-watch';
import { mergeFound, type AutoUps } from '../../src/app/auto-config';
import { suggestHidUps } from '../../src/drivers/usbhid/scan';
import { MemoryLogger } from '../../src/core/logger';
import type { ListedHidDevice } from '../../src/drivers/usbhid/matcher';

const ups = (serial: string, path: string): ListedHidDevice => ({ path, vendorId: 0x0764, productId: 0x0501, manufacturer: 'CPS', product: 'CP1500PFCLCD', serialNumber: serial, usagePage: 0x84 });

void describe('AutoWatch', () => {
  void test('a failing and a hung listing are failed looks, each said once; nothing is added', async () => {
    const log = new MemoryLogger();
    let mode: 'throw' | 'hang' = 'throw';
    const added: string[] = [];
    const w = new AutoWatch({
      log,
      scanTimeoutMs: 200,
      listHid: () => (mode === 'throw' ? Promise.reject(new Error('no hidraw')) : new Promise<ListedHidDevice[]>(() => undefined)),
      onAdded: async (_all, a) => void added.push(...a.map((u) => u.name)),
    });
    await w.look();
    await w.look();
    mode = 'hang';
    await w.look();
    await w.look();
    const text = log.lines.join('\n');
    assert.equal(text.match(/no hidraw/g)?.length, 1, text);
    assert.equal(text.match(/no answer in 0.2 s/g)?.length, 1, text);
    assert.equal(text.match(/no UPS found on USB; looking again/g)?.length, 1, text);
    assert.deepEqual(added, []);
    assert.deepEqual(w.upses, []);
  });

  void test('seen again: not added twice; gone: kept; a failed add is retried', async () => {
    const log = new MemoryLogger();
    let devices = [ups('A1', '/dev/hidraw0')];
    let fail = true;
    const calls: string[][] = [];
    const w = new AutoWatch({
      log,
      listHid: async () => devices,
      onAdded: async (all, a) => {
        calls.push(a.map((u) => u.name));
        if (fail) throw new Error('reload refused');
        assert.ok(all.length >= a.length);
      },
    });
    assert.deepEqual(await w.look(), []);
    assert.match(log.lines.join('\n'), /could not add cp1500pfclcd: reload refused/);
    fail = false;
    assert.deepEqual((await w.look()).map((u) => u.name), ['cp1500pfclcd']);
    assert.deepEqual((await w.look()).map((u) => u.name), []);
    devices = [ups('B2', '/dev/hidraw1')];
    assert.deepEqual((await w.look()).map((u) => u.name), ['cp1500pfclcd-2']);
    devices = [];
    await w.look();
    assert.deepEqual(w.upses.map((u) => u.name), ['cp1500pfclcd', 'cp1500pfclcd-2']);
    assert.deepEqual(calls, [['cp1500pfclcd'], ['cp1500pfclcd'], ['cp1500pfclcd-2']]);
    await w.stop();
  });

  void test('mergeFound: same IDs and serial on another node is the same UPS', () => {
    const known: AutoUps[] = mergeFound([], suggestHidUps([ups('A1', '/dev/hidraw0')])).all;
    assert.deepEqual(mergeFound(known, suggestHidUps([ups('A1', '/dev/hidraw5')])).added, []);
  });
});
