/**
 * Frozen data must never look fresh: through the driver on a recorded
 * device whose answers a test spoils — the wrong report ID, a reply too
 * short for a field, a report that fails, a device that hangs — no value
 * is published that the device did not send this time, and the UPS goes
 * stale (clients get DATA-STALE) when its status cannot be read, fresh
 * again when the device answers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HidTransportError } from '../../src/drivers/usbhid/types';
import { fixtureDump, rig, type Rig } from './usbhid-helpers';

const SIMPLE = fixtureDump('simple-ups.dev');

type Spoil = (id: number, data: Uint8Array) => Uint8Array | Error | 'hang';

/** Replaces the replay's answers for the reports `spoil` changes. */
function spoilReports(r: Rig, spoil: Spoil): () => void {
  const get = r.transport.getFeatureReport.bind(r.transport);
  r.transport.getFeatureReport = async (id, len) => {
    const out = spoil(id, await get(id, len));
    if (out === 'hang') return new Promise<Uint8Array>(() => undefined);
    if (out instanceof Error) throw out;
    return out;
  };
  return () => {
    r.transport.getFeatureReport = get;
  };
}

describe('usbhid: what the device did not send is never fresh', () => {
  test('the status report answered with another report ID: status unknown -> stale; right again -> fresh', async () => {
    const r = rig(SIMPLE, { pollInterval: 2 });
    await r.driver.start();
    const view = r.store.get('u')!;
    assert.equal(view.health.staleFlag, false);
    const restore = spoilReports(r, (id, data) => (id === 5 ? Uint8Array.from([0x06, 0x02]) : data));
    await r.advance(2000);
    assert.equal(view.health.staleFlag, true, 'an old OL must not look fresh');
    assert.equal(view.isStale(15_000), true);
    assert.equal(r.driver.status().connected, true, 'the device answers; it is not reopened for one bad report');
    restore();
    await r.advance(2000);
    assert.equal(view.health.staleFlag, false);
    assert.equal(r.get('ups.status'), 'OL CHRG');
    await r.driver.stop();
  });

  test('a status reply too short for its fields: stale, not the old bits', async () => {
    const r = rig(SIMPLE, { pollInterval: 2 });
    await r.driver.start();
    spoilReports(r, (id, data) => (id === 5 ? data.subarray(0, 1) : data));
    await r.advance(2000);
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    await r.driver.stop();
  });

  test('a report that stops answering takes its values away at the next full update; the rest stays fresh', async () => {
    const r = rig(SIMPLE, { pollInterval: 2, pollfreq: 2 });
    await r.driver.start();
    assert.equal(r.get('battery.charge'), '95');
    const restore = spoilReports(r, (id, data) => (id === 2 ? new HidTransportError('EPIPE', false) : data));
    await r.advance(2000);
    assert.equal(r.get('battery.charge'), undefined, 'no old charge presented as read');
    assert.equal(r.get('battery.runtime'), undefined);
    assert.equal(r.get('input.voltage'), '230.4');
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    restore();
    await r.advance(2000);
    assert.equal(r.get('battery.charge'), '95');
    await r.driver.stop();
  });

  test('a staleAfter of 3 tolerates two bad status polls, not three', async () => {
    const r = rig(SIMPLE, { pollInterval: 2, staleAfter: 3 });
    await r.driver.start();
    spoilReports(r, (id, data) => (id === 5 ? new HidTransportError('EIO', false) : data));
    await r.advance(4000);
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    await r.advance(2000);
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    await r.driver.stop();
  });

  test('a device that stops answering mid-poll is stale at the deadline, reopened, and fresh again', async () => {
    const r = rig(SIMPLE, { pollInterval: 2, timeout: 1 });
    await r.driver.start();
    const restore = spoilReports(r, (id, data) => (id === 5 ? 'hang' : data));
    // Time must run while the hung read holds the queue: fire timers without waiting for the driver.
    await r.timers.advance(2000 + 1000, () => new Promise((res) => setImmediate(res)));
    await r.settle();
    assert.equal(r.store.get('u')!.health.staleFlag, true);
    assert.equal(r.driver.status().connected, false);
    assert.match(r.lines.join('\n'), /no answer within 1000 ms/);
    restore();
    await r.advance(2000);
    assert.equal(r.driver.status().connected, true);
    assert.equal(r.store.get('u')!.health.staleFlag, false);
    assert.equal(r.get('driver.state'), 'quiet');
    await r.driver.stop();
  });
});
