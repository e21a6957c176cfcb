/**
 * Live updates and the monitor over HTTP: the server-sent event stream
 * (snapshot first, then a status change, the changed variables, the
 * monitor's notification and view), the `ups` filter, the stream limit, and
 * the monitor's history and view as JSON.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { devWith, MONITOR, startRig, until, type Rig } from './http-rig';

let rig: Rig;
before(async () => {
  rig = await startRig({
    upses: ['u', 'b'],
    http: { maxStreams: 3 },
    monitor: MONITOR,
  });
});
after(async () => {
  await rig.stop();
});

interface Sse {
  events: Array<{ event: string; data: unknown }>;
  close(): void;
  status: number;
}

async function openStream(path: string): Promise<Sse> {
  const ac = new AbortController();
  const r = await fetch(rig.base + path, { signal: ac.signal });
  const out: Sse = { events: [], close: () => ac.abort(), status: r.status };
  if (r.status !== 200) {
    await r.arrayBuffer();
    return out;
  }
  assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = r.body!.getReader();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += Buffer.from(value).toString('utf8');
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data !== undefined) out.events.push({ event, data: JSON.parse(data) as unknown });
        }
      }
    } catch {
      // aborted
    }
  })();
  return out;
}

type Obj = Record<string, unknown>;

test('the stream starts with a snapshot, then tells a status change, the changed variables and the monitor\'s notification', async () => {
  const all = await openStream('/api/v1/events/stream');
  const onlyB = await openStream('/api/v1/events/stream?ups=b');
  try {
    await until('snapshots', () => all.events.length > 0 && onlyB.events.length > 0);
    const snap = all.events[0]!;
    assert.equal(snap.event, 'snapshot');
    const devices = (snap.data as { devices: Obj[]; monitor: Obj | null }).devices;
    assert.deepEqual(devices.map((d) => [d.name, d.status, (d.vars as Obj)['battery.charge']]), [
      ['u', 'OL CHRG', 100],
      ['b', 'OL CHRG', 100],
    ]);
    assert.ok((snap.data as { monitor: Obj | null }).monitor, 'the monitor view comes with the snapshot');

    writeFileSync(rig.devFile('u'), devWith('OB DISCHRG').replace('battery.charge: 100', 'battery.charge: 91'));
    await until('the status event', () => all.events.some((e) => e.event === 'status'));
    const status = all.events.find((e) => e.event === 'status')!.data;
    assert.deepEqual(status, { ups: 'u', from: 'OL CHRG', to: 'OB DISCHRG' });
    const vars = all.events.filter((e) => e.event === 'vars').map((e) => e.data as { ups: string; vars: Obj });
    assert.ok(vars.some((v) => v.ups === 'u' && v.vars['ups.status'] === 'OB DISCHRG' && v.vars['battery.charge'] === 91), JSON.stringify(vars));
    await until('the notification', () => all.events.some((e) => e.event === 'notify'));
    const note = all.events.find((e) => e.event === 'notify')!.data as Obj;
    assert.deepEqual([note.ups, note.type], ['u', 'ONBATT']);
    await until('the monitor view', () => all.events.some((e) => e.event === 'monitor'));
    const view = all.events.find((e) => e.event === 'monitor')!.data as { supplies: Obj[] };
    assert.equal(view.supplies[0]!.name, 'u');

    assert.ok(!onlyB.events.some((e) => (e.data as Obj).ups === 'u' && e.event !== 'snapshot'), 'a client watching b hears nothing of u');
  } finally {
    all.close();
    onlyB.close();
  }
});

test("the monitor's event history and view as JSON", async () => {
  await until('ONBATT in the history', async () => ((await rig.get('/api/v1/events')).body as Obj[]).some((e) => e.type === 'ONBATT' && e.ups === 'u'));
  const events = (await rig.get('/api/v1/events?ups=u&limit=1')).body as Obj[];
  assert.equal(events.length, 1);
  assert.equal(typeof events[0]!.at, 'number');
  assert.deepEqual((await rig.get('/api/v1/events?ups=b')).body, []);
  assert.equal((await rig.get('/api/v1/events?limit=-1')).status, 400);
  const m = (await rig.get('/api/v1/monitor')).body as { enabled: boolean; minSupplies: number; supplies: Obj[] };
  assert.equal(m.enabled, true);
  assert.equal(m.minSupplies, 1);
  assert.deepEqual(
    m.supplies.map((s) => [s.name, s.status]),
    [['u', 'OB']],
  );
  assert.match(String(m.supplies[0]!.next), /^shutdown/);
});

test('http.maxStreams bounds the open streams (503); a closed stream frees its place', async () => {
  const open = [await openStream('/api/v1/events/stream'), await openStream('/api/v1/events/stream'), await openStream('/api/v1/events/stream')];
  try {
    await until('three open', () => rig.agent.http!.hub.size === 3);
    const refused = await openStream('/api/v1/events/stream');
    assert.equal(refused.status, 503);
    open.pop()!.close();
    await until('one freed', () => rig.agent.http!.hub.size === 2);
    const again = await openStream('/api/v1/events/stream');
    assert.equal(again.status, 200);
    open.push(again);
  } finally {
    for (const s of open) s.close();
  }
  await until('all closed', () => rig.agent.http!.hub.size === 0);
});
