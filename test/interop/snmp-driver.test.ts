/**
 * The snmp driver over real UDP against real agents on loopback:
 * Debian's snmpsimd serving our ietf and apc recordings (SNMP v1 and v2c,
 * community = recording), and net-snmp's snmpd for SNMPv3 (authPriv with
 * SHA/AES and MD5/DES, authNoPriv). Values, a SET through the card and
 * back, an instant command, and a wrong pass phrase / a dead port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import type { UpsConfig } from '../../src/core/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { createSnmpDriver } from '../../src/drivers/snmp/index';
import { desAvailable } from '../../src/drivers/snmp/net-snmp-transport';
import type { Module } from '../../src/core/module';
import { freeUdpPort, snmpGet, startSnmpsim, type Snmpsim } from '../helpers/snmpsim';
import { startSnmpd, V3_USERS, type Snmpd } from '../helpers/snmpd';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function run(cfg: Partial<UpsConfig> & { port: string }) {
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const lines: string[] = [];
  const driver = createSnmpDriver({ driver: 'snmp', pollInterval: 0.2, snmp_timeout: 0.5, snmp_retries: 1, ...cfg }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines) }) as Module & { status(): { connected: boolean; lastError?: Error } };
  await driver.start();
  const view = () => store.get('u')!;
  return {
    driver,
    lines,
    get: (n: string) => view().getVar(n)?.value,
    view,
    set: (name: string, value: string) => bus.request('ups.setvar', { ups: 'u', name, value }),
    cmd: (name: string) => bus.request('ups.instcmd', { ups: 'u', name }),
    stop: () => driver.stop(),
  };
}

describe('snmp driver against snmpsimd (v1, v2c)', () => {
  let sim: Snmpsim;
  before(async () => {
    sim = await startSnmpsim({ communities: ['ietf', 'apc'] });
  });
  after(async () => {
    await sim?.stop();
  });

  for (const version of ['v1', 'v2c'] as const) {
    test(`ietf over ${version}: detected by sysObjectID, values as NUT maps them, a SET kept by the card`, async () => {
      const r = await run({ port: sim.address, community: 'ietf', snmp_version: version });
      try {
        assert.equal(r.driver.status().connected, true, r.driver.status().lastError?.message);
        assert.equal(r.get('driver.version.data'), 'ietf MIB 1.55');
        assert.equal(r.get('ups.mfr'), 'Tripp Lite');
        assert.equal(r.get('ups.model'), 'SU2200RTXL2Ua');
        assert.equal(r.get('battery.runtime'), '3300');
        assert.equal(r.get('input.frequency'), '59.90');
        assert.equal(r.get('ups.status'), 'OL');
        await r.set('device.location', `Rack ${version}`);
        assert.match((await snmpGet(sim.address, 'ietf', ['1.3.6.1.2.1.1.6.0'], version === 'v1' ? '1' : '2c')) ?? '', new RegExp(`STRING: "?Rack ${version}"?`));
        assert.equal(r.get('device.location'), `Rack ${version}`);
      } finally {
        await r.stop();
      }
    });

    test(`apc over ${version}: PowerNet values, status and the enum of input.sensitivity`, async () => {
      const r = await run({ port: sim.address, community: 'apc', snmp_version: version });
      try {
        assert.equal(r.driver.status().connected, true, r.driver.status().lastError?.message);
        assert.equal(r.get('driver.version.data'), 'apcc MIB 1.61');
        assert.equal(r.get('ups.model'), 'Smart-UPS 5000');
        assert.equal(r.get('input.voltage'), '223.20');
        assert.equal(r.get('ups.status'), 'OL');
        assert.deepEqual(r.view().getVar('input.sensitivity')?.enums, ['auto', 'low', 'medium', 'high']);
        assert.ok(r.view().hasCommand('shutdown.return'));
      } finally {
        await r.stop();
      }
    });
  }

  test('a wrong community gets no answer: not connected, within the deadline, and says why', async () => {
    const t0 = Date.now();
    const r = await run({ port: sim.address, community: 'nosuch', snmp_version: 'v2c', timeout: 1 });
    try {
      assert.equal(r.driver.status().connected, false);
      assert.ok(Date.now() - t0 < 8000);
      assert.match(r.driver.status().lastError!.message, /SNMP GET/);
      assert.ok(!r.lines.some((l) => l.includes('nosuch')), 'the community is not logged');
    } finally {
      await r.stop();
    }
  });
});

describe('snmp driver against snmpd (v3)', () => {
  let d: Snmpd;
  before(async () => {
    d = await startSnmpd();
  });
  after(async () => {
    await d?.stop();
  });

  // MD5/DES: OpenSSL 3 has single DES only in its legacy provider (the next test).
  for (const u of [V3_USERS.sha, V3_USERS.auth]) {
    test(`v3 ${u.level} ${u.authProtocol}${'privProtocol' in u ? `/${u.privProtocol}` : ''}: the ietf values`, async () => {
      const r = await run({
        port: d.address,
        snmp_version: 'v3',
        secLevel: u.level,
        secName: u.name,
        authProtocol: u.authProtocol,
        authPassword: u.authPassword,
        ...('privProtocol' in u ? { privProtocol: u.privProtocol, privPassword: u.privPassword } : {}),
      });
      try {
        assert.equal(r.driver.status().connected, true, r.driver.status().lastError?.message);
        assert.equal(r.get('ups.model'), 'V3 Test UPS');
        assert.equal(r.get('battery.charge'), '97');
        assert.equal(r.get('battery.voltage'), '27.20');
        assert.equal(r.get('ups.status'), 'OL');
        assert.ok(!r.lines.some((l) => l.includes(u.authPassword)), 'pass phrases are not logged');
      } finally {
        await r.stop();
      }
    });
  }

  test('v3 MD5/DES: works where Node has DES; without OpenSSL\'s legacy provider refused with what to do', async () => {
    const u = V3_USERS.md5;
    const r = await run({ port: d.address, snmp_version: 'v3', secLevel: 'authPriv', secName: u.name, authProtocol: 'MD5', authPassword: u.authPassword, privProtocol: 'DES', privPassword: u.privPassword });
    try {
      if (desAvailable()) {
        assert.equal(r.driver.status().connected, true, r.driver.status().lastError?.message);
        assert.equal(r.get('ups.model'), 'V3 Test UPS');
      } else {
        assert.equal(r.driver.status().connected, false);
        assert.match(r.driver.status().lastError!.message, /legacy provider.*privProtocol: AES/);
      }
    } finally {
      await r.stop();
    }
  });

  test('v3 with a wrong privacy pass phrase: not connected', async () => {
    const u = V3_USERS.sha;
    const r = await run({ port: d.address, snmp_version: 'v3', secLevel: 'authPriv', secName: u.name, authProtocol: 'SHA', authPassword: u.authPassword, privProtocol: 'AES', privPassword: 'wrong-pass-phrase', timeout: 1 });
    try {
      assert.equal(r.driver.status().connected, false);
    } finally {
      await r.stop();
    }
  });
});

describe('snmp driver: a card that goes away', () => {
  test('nothing listening: not connected, start returns within its deadline', async () => {
    const port = await freeUdpPort();
    const t0 = Date.now();
    const r = await run({ port: `127.0.0.1:${port}`, snmp_version: 'v2c', timeout: 1 });
    try {
      assert.equal(r.driver.status().connected, false);
      assert.ok(Date.now() - t0 < 6000, `${Date.now() - t0} ms`);
      await sleep(10);
    } finally {
      await r.stop();
    }
  });
});
