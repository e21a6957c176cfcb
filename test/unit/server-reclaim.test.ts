/**
 * The Reclaimer (src/server/reclaim.ts): one full collection shortly after
 * enough clients that held bytes have gone, one for a whole burst; and the
 * OutputBudget tells it only about clients it was tracking, so a client that
 * read its replies never costs a collection.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputBudget, type Holder } from '../../src/server/output-budget';
import { fullCollection, Reclaimer } from '../../src/server/reclaim';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Reclaimer', () => {
  test('V8 hands over its full collection, and it frees unreferenced ArrayBuffers', async () => {
    const gc = fullCollection();
    assert.ok(gc, 'this V8 gives its gc');
    const base = process.memoryUsage().arrayBuffers;
    let garbage: Buffer[] | null = Array.from({ length: 200 }, () => Buffer.alloc(64 * 1024, 1));
    assert.ok(process.memoryUsage().arrayBuffers - base >= 12 * 1024 * 1024);
    garbage = null;
    gc();
    // Backing stores are freed by V8's sweeper, just after the collection.
    await sleep(100);
    assert.equal(garbage, null);
    assert.ok(process.memoryUsage().arrayBuffers - base < 2 * 1024 * 1024, `${process.memoryUsage().arrayBuffers - base} bytes of ArrayBuffers left`);
  });

  test('collects once for a burst of departures, only past the threshold, and again for a later burst', async () => {
    let runs = 0;
    const r = new Reclaimer(() => runs++, 4, 30);
    for (let i = 0; i < 3; i++) r.clientGone();
    await sleep(60);
    assert.equal(runs, 0, 'three clients are not worth a collection');
    r.clientGone();
    for (let i = 0; i < 100; i++) r.clientGone();
    assert.equal(runs, 0, 'not at once: the rest of the flood leaves first');
    await sleep(60);
    assert.equal(runs, 1, 'one collection for the whole burst');
    assert.equal(r.runs, 1);
    for (let i = 0; i < 4; i++) r.clientGone();
    await sleep(60);
    assert.equal(runs, 2);
  });

  test('arrivals: one collection past the threshold, then none sooner than the interval after the last', async () => {
    let runs = 0;
    let now = 1_000_000;
    const r = new Reclaimer(() => runs++, 4, 20, { afterArrivals: 5, arrivalsIntervalMs: 150, now: () => now });
    for (let i = 0; i < 4; i++) r.clientArrived();
    await sleep(50);
    assert.equal(runs, 0, 'four arrivals are not worth a collection');
    r.clientArrived();
    await sleep(50);
    assert.equal(runs, 1);
    // A second burst at once: it waits out the interval since that collection.
    for (let i = 0; i < 5; i++) r.clientArrived();
    await sleep(50);
    assert.equal(runs, 1, 'not again within the interval');
    now += 150;
    await sleep(150);
    assert.equal(runs, 2, 'once the interval has passed');
  });

  test('without a collection to run (V8 refused), nothing is scheduled', async () => {
    const r = new Reclaimer(null, 1, 1);
    r.clientGone();
    await sleep(20);
    assert.equal(r.runs, 0);
  });

  test('the budget reports only connections it was tracking', () => {
    let gone = 0;
    const b = new OutputBudget(1000, { clientGone: () => gone++ });
    const holding: Holder = { heldBytes: () => 10 };
    const reader: Holder = { heldBytes: () => 0 };
    b.forget(reader);
    assert.equal(gone, 0, 'a client that read its replies was never tracked');
    b.track(holding);
    b.track(reader);
    assert.equal(b.bytes, 10);
    // The reader held nothing when the sum was taken: it left the set then, and its close costs nothing.
    b.forget(reader);
    assert.equal(gone, 0);
    b.forget(holding);
    b.forget(holding);
    assert.equal(gone, 1);
  });
});
