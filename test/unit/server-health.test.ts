 
/**
 * Driver health as clients see it, on an injected clock: DRIVER-NOT-CONNECTED
 * while no driver is attached, ups.status WAIT until the first full dump,
 * DATA-STALE after maxAge without fresh data, and which requests still answer
 * in each state (as a real upsd 2.8.0 answers them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness, type NutClient } from '../helpers/fake-driver';

/** Requests whose answer depends on the UPS being available. */
const GUARDED = [
  'GET VAR u ups.status',
  'GET VAR u no.such',
  'GET TYPE u ups.load',
  'GET DESC u ups.load',
  'GET CMDDESC u load.off',
  'GET NUMLOGINS u',
  'LIST VAR u',
  'LIST RW u',
  'LIST CMD u',
  'LIST ENUM u ups.load',
  'LIST RANGE u ups.load',
  'SET VAR u ups.load 5',
  'SET VAR u no.such 5',
  'INSTCMD u load.off',
  'INSTCMD u no.such',
];

describe('NUT server: driver health', () => {
  let h: Harness;
  let c: NutClient;

  before(async () => {
    h = await startHarness({ ups: { u: 'Health test' }, server: { maxAge: 15 } });
    c = await h.client();
    await c.auth('admin', 'secret');
  });
  after(() => h.stop());

  async function expectAll(requests: string[], want: string): Promise<void> {
    for (const r of requests) assert.equal(await c.request(r), want, r);
  }

  test('no driver attached: DRIVER-NOT-CONNECTED, but UPSDESC, LIST CLIENT, LIST UPS, LOGIN, PRIMARY and FSD still answer', async () => {
    await expectAll(GUARDED, 'ERR DRIVER-NOT-CONNECTED');
    assert.equal(await c.request('GET UPSDESC u'), 'UPSDESC u "Health test"');
    assert.equal(await c.request('LIST CLIENT u'), 'BEGIN LIST CLIENT u\nEND LIST CLIENT u');
    assert.equal(await c.request('LIST UPS'), 'BEGIN LIST UPS\nUPS u "Health test"\nEND LIST UPS');
    assert.equal(await c.request('PRIMARY u'), 'OK PRIMARY-GRANTED');
    assert.equal(await c.request('GET VAR u server.version'), 'VAR u server.version "2.8.0"');
  });

  test('attached, before the first dump: ups.status reads WAIT and the UPS is not stale', async () => {
    const p = h.drivers.u!.pub;
    p.setAttached(true);
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "WAIT"');
    assert.equal(await c.request('LIST VAR u'), 'BEGIN LIST VAR u\nVAR u ups.status "WAIT"\nEND LIST VAR u');
    assert.equal(await c.request('GET TYPE u ups.status'), 'TYPE u ups.status NUMBER');
    assert.equal(await c.request('LIST ENUM u ups.status'), 'BEGIN LIST ENUM u ups.status\nEND LIST ENUM u ups.status');
    assert.equal(await c.request('LIST RW u'), 'BEGIN LIST RW u\nEND LIST RW u');
    assert.equal(await c.request('LIST CMD u'), 'BEGIN LIST CMD u\nEND LIST CMD u');
    assert.equal(await c.request('GET VAR u ups.load'), 'ERR VAR-NOT-SUPPORTED');
    assert.equal(await c.request('SET VAR u ups.status OL'), 'ERR READONLY');
    assert.equal(await c.request('GET NUMLOGINS u'), 'NUMLOGINS u 0');

    // Part of the dump has arrived: those variables answer; ups.status still reads WAIT, in its sorted place.
    p.setVar('battery.charge', '90');
    p.setVar('ups.status', 'OL');
    p.setVar('ups.test.result', 'none');
    h.clock.t += 60_000; // no staleness before the dump is done, however long it takes
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "WAIT"');
    assert.equal(
      await c.request('LIST VAR u'),
      'BEGIN LIST VAR u\nVAR u battery.charge "90"\nVAR u ups.status "WAIT"\nVAR u ups.test.result "none"\nEND LIST VAR u',
    );
  });

  test('WAIT is in its sorted place even when the driver has not sent ups.status yet', async () => {
    const w = await startHarness({ ups: { w: '' } });
    try {
      const cl = await w.client();
      const p = w.drivers.w!.pub;
      p.setAttached(true);
      p.setVar('battery.charge', '90');
      p.setVar('ups.test.result', 'none');
      p.setVar('ups.load', '3');
      assert.equal(
        await cl.request('LIST VAR w'),
        'BEGIN LIST VAR w\nVAR w battery.charge "90"\nVAR w ups.load "3"\nVAR w ups.status "WAIT"\nVAR w ups.test.result "none"\nEND LIST VAR w',
      );
      p.deleteVar('ups.test.result');
      assert.equal(await cl.request('LIST VAR w'), 'BEGIN LIST VAR w\nVAR w battery.charge "90"\nVAR w ups.load "3"\nVAR w ups.status "WAIT"\nEND LIST VAR w');
      // FSD during WAIT shows as "FSD WAIT", as upsd would show it.
      w.store.latchFsd('w', 'test');
      assert.equal(await cl.request('GET VAR w ups.status'), 'VAR w ups.status "FSD WAIT"');
    } finally {
      await w.stop();
    }
  });

  test('after the dump: real data; stale once maxAge passes without fresh data, fresh again on the next update', async () => {
    const p = h.drivers.u!.pub;
    p.setVar('ups.load', '20');
    p.setFlags('ups.load', { rw: true });
    p.addCommand('load.off');
    p.dataOk();
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "OL"');
    assert.equal(await c.request('LIST CMD u'), 'BEGIN LIST CMD u\nCMD u load.off\nEND LIST CMD u');

    h.clock.t += 15_000; // exactly maxAge: still fresh
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "OL"');
    h.clock.t += 1;
    await expectAll(GUARDED, 'ERR DATA-STALE');
    // These never look at the data.
    assert.equal(await c.request('GET UPSDESC u'), 'UPSDESC u "Health test"');
    assert.equal(await c.request('LIST CLIENT u'), 'BEGIN LIST CLIENT u\nEND LIST CLIENT u');
    assert.equal(await c.request('MASTER u'), 'OK MASTER-GRANTED');
    assert.equal(await c.request('GET VAR u server.info'), `VAR u server.info "Network UPS Tools upsd 2.8.0 (upsagent 9.9.9-test) - http://www.networkupstools.org/"`);
    assert.equal(h.drivers.u!.calls.length, 0);

    p.dataOk();
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "OL"');
    assert.equal(await c.request('SET VAR u ups.load 5'), 'OK');
  });

  test('a driver that says its data is stale is DATA-STALE at once', async () => {
    const p = h.drivers.u!.pub;
    p.dataStale();
    assert.equal(await c.request('GET VAR u ups.status'), 'ERR DATA-STALE');
    assert.equal(await c.request('LIST VAR u'), 'ERR DATA-STALE');
    p.dataOk();
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "OL"');
  });

  test('a driver that goes away: DRIVER-NOT-CONNECTED at once; back and re-dumping: WAIT again', async () => {
    const p = h.drivers.u!.pub;
    p.setAttached(false);
    await expectAll(['GET VAR u ups.status', 'LIST VAR u', 'INSTCMD u load.off'], 'ERR DRIVER-NOT-CONNECTED');
    p.setAttached(true);
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "WAIT"');
    p.setVar('ups.status', 'OB');
    p.dataOk();
    assert.equal(await c.request('GET VAR u ups.status'), 'VAR u ups.status "OB"');
  });
});
