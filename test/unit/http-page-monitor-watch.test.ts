/**
 * The page's monitor-view watch on a fake clock: nothing is sent while the
 * view stands still (poll age and time on battery count by themselves), a
 * real change is sent within the second, and after a notification the view
 * is sent again 100 ms later even if it looks unchanged, so a stale view the
 * API's stream sent with the notification is replaced at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { MonitorWatch } from '../../src/http/page/monitor-watch';
import type { MonitorView } from '../../src/monitor/view';
import { FakeClock } from '../helpers/fake-clock';

function view(status: string, onBatteryForS: number | null, lastPollAgoS: number, next = 'nothing to do'): MonitorView {
  return {
    healthy: 1,
    minSupplies: 1,
    dryRun: true,
    shutdown: null,
    supplies: [
      { name: 'u', role: 'primary', powerValue: 1, status, others: [], comm: 'ok', lastError: '', lastPollAgoS, onBatteryForS, charge: 100, runtime: 2400, policy: { onBatteryForS: null, chargeAtMost: null, runtimeAtMost: null }, critical: null, next },
    ],
  };
}

test('sends the view when it changes, not when only the running figures move; again right after a notification', async () => {
  const clock = new FakeClock();
  const bus = new EventBus();
  let current = view('OL', null, 0);
  const sent: MonitorView[] = [];
  const watch = new MonitorWatch({ view: () => current, events: () => [] }, bus, clock, (v) => sent.push(v));
  watch.start();

  current = view('OL', null, 1);
  await clock.advance(5000);
  assert.equal(sent.length, 0, 'poll age alone is no change');

  current = view('OB', 0, 0, 'shutdown on low battery');
  await clock.advance(1000);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.supplies[0]!.status, 'OB');
  current = view('OB', 7, 0, 'shutdown on low battery');
  await clock.advance(3000);
  assert.equal(sent.length, 1, 'the time on battery counting is no change');

  bus.emit('monitor.notify', { ups: 'u', type: 'ONBATT', message: 'UPS u on battery', at: clock.now() });
  await clock.advance(100);
  assert.equal(sent.length, 2, 'sent again 100 ms after a notification');

  watch.stop();
  current = view('OL', null, 0);
  await clock.advance(5000);
  assert.equal(sent.length, 2, 'nothing after stop');
  assert.equal(clock.pending(), 0);
});
