import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { publishSampleVars, startHarness, type Harness } from '../helpers/fake-driver';

/** The monitor (a primary waiting for its secondaries to log out) and the page follow NUMLOGINS through the bus. */
describe('NUT server: login counts on the bus', () => {
  let h: Harness;
  const seen: string[] = [];

  before(async () => {
    h = await startHarness({ ups: { ups1: 'One' } });
    const p = h.drivers.ups1!.pub;
    publishSampleVars(p);
    p.setAttached(true);
    p.dataOk();
    h.bus.on('ups.logins', seen, (e) => void seen.push(`${e.ups}=${e.count}`));
  });
  after(() => h.stop());

  test('each LOGIN and each logged-in client leaving publishes the new count', async () => {
    const a = await h.client();
    const b = await h.client();
    for (const c of [a, b]) {
      assert.equal(await c.request('USERNAME mon'), 'OK');
      assert.equal(await c.request('PASSWORD pw'), 'OK');
      assert.equal(await c.request('LOGIN UPS1'), 'OK');
    }
    assert.equal(await a.request('GET NUMLOGINS ups1'), 'NUMLOGINS ups1 2');
    a.destroy();
    await b.request('LOGOUT');
    for (let i = 0; i < 50 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, ['ups1=1', 'ups1=2', 'ups1=1', 'ups1=0']);
  });
});
