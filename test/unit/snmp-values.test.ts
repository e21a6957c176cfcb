/**
 * The snmp driver's small parts: NUT's number and string formatting,
 * batched GETs (v1 noSuchName, tooBig), mibs=auto against hand-made
 * cards, and the configuration keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMany } from '../../src/drivers/snmp/bulk';
import { parseTarget, snmpSchema } from '../../src/drivers/snmp/config';
import { detectMib } from '../../src/drivers/snmp/detect';
import { MIB2NUT } from '../../src/drivers/snmp/mibs/index';
import { SNMP_STATUS, SnmpStatusError, type SnmpValue } from '../../src/drivers/snmp/transport';
import { decodeInt, decodeString, formatScaled, strtol0, usDateToIso } from '../../src/drivers/snmp/values';
import type { ConfigIssue } from '../../src/core/errors';
import { FakeCard } from '../helpers/snmp-fake';

const int = (value: number): SnmpValue => ({ kind: 'int', value });
const str = (s: string): SnmpValue => ({ kind: 'string', value: Buffer.from(s, 'latin1') });

describe('values as snmp-ups prints them', () => {
  test('value × multiplier: "%i" when whole, else "%.2f" of the C float', () => {
    assert.equal(formatScaled(560, 0.1), '56');
    assert.equal(formatScaled(599, 0.1), '59.90');
    assert.equal(formatScaled(55, 60), '3300');
    assert.equal(formatScaled(-12, 0.1), '-1.20');
    assert.equal(formatScaled(2232, 0.1), '223.20');
    assert.equal(formatScaled(27000 / 100, 3), '810');
  });
  test('strings: printable as they are, else hex as net-snmp prints it; integers through the lookup or in decimal', () => {
    assert.equal(decodeString(str('Smart-UPS 1500'), undefined), 'Smart-UPS 1500');
    assert.equal(decodeString({ kind: 'string', value: Buffer.from([0, 0x80, 0x0a]) }, undefined), '00 80 0A ');
    assert.equal(decodeString(int(2), [[2, 'enabled']]), 'enabled');
    assert.equal(decodeString(int(9), [[2, 'enabled']]), null);
    assert.equal(decodeString(int(9), undefined), '9');
    assert.equal(decodeString({ kind: 'ticks', value: 12345 }, undefined), '123');
    assert.deepEqual(decodeString({ kind: 'oid', value: '1.3.6.1.2.1.33.1.7.7.2' }, undefined), { follow: '1.3.6.1.2.1.33.1.7.7.2' });
    assert.equal(decodeString({ kind: 'other', type: 64 }, undefined), null);
    assert.equal(decodeString({ kind: 'absent' }, undefined), null);
  });
  test('numbers from strings read like C strtol(s, NULL, 0)', () => {
    assert.equal(strtol0(' 42V'), 42);
    assert.equal(strtol0('0x1F'), 31);
    assert.equal(strtol0('010'), 8);
    assert.equal(strtol0('-7'), -7);
    assert.equal(strtol0('N/A'), 0);
    assert.equal(decodeInt(str('230')), 230);
    assert.equal(decodeInt({ kind: 'ticks', value: 999 }), 9);
  });
  test('pw battery.date: mm/dd/yyyy to ISO', () => {
    assert.equal(usDateToIso('09/18/2013'), '2013-09-18');
    assert.equal(usDateToIso('2013-09-18'), '2013-09-18');
  });
});

describe('batched GETs', () => {
  const card = (version: 'v1' | 'v2c') => new FakeCard(new Map([['1.1', int(1)], ['1.2', int(2)], ['1.4', int(4)]]), version);
  test('v2c: one request; a missing OID is absent in place', async () => {
    const c = card('v2c');
    const got = await getMany(c, ['1.1', '1.2', '1.3', '1.4']);
    assert.equal(c.gets.length, 1);
    assert.deepEqual(got.get('1.3'), { kind: 'absent' });
    assert.deepEqual(got.get('1.4'), int(4));
  });
  test('v1: noSuchName names the OID, which is left out, and the rest asked again', async () => {
    const c = card('v1');
    const got = await getMany(c, ['1.1', '1.3', '1.2', '1.5', '1.4']);
    assert.deepEqual(c.gets, [['1.1', '1.3', '1.2', '1.5', '1.4'], ['1.1', '1.2', '1.5', '1.4'], ['1.1', '1.2', '1.4']]);
    assert.deepEqual([...got.entries()].filter(([, v]) => v.kind !== 'absent').map(([k]) => k).sort(), ['1.1', '1.2', '1.4']);
  });
  test('batches of maxVarbinds, and tooBig splits a batch', async () => {
    const c = card('v2c');
    let first = true;
    const orig = c.get.bind(c);
    c.get = async (oids, signal) => {
      if (first && oids.length > 1) {
        first = false;
        throw new SnmpStatusError(SNMP_STATUS.tooBig, 'TooBig');
      }
      return orig(oids, signal);
    };
    const got = await getMany(c, ['1.1', '1.2', '1.4'], { maxVarbinds: 3 });
    assert.deepEqual([...got.values()], [int(1), int(2), int(4)]);
    assert.deepEqual(c.gets, [['1.1', '1.2'], ['1.4']]);
  });
});

describe('mibs=auto', () => {
  const fetchOf = (m: Map<string, SnmpValue>) => (oids: readonly string[]) => getMany(new FakeCard(m), oids);
  test('NUT order: vendor mappings before ietf; sysObjectID first', async () => {
    const apcModel = '1.3.6.1.4.1.318.1.1.1.1.1.1.0';
    const m = new Map<string, SnmpValue>([[apcModel, str('Smart-UPS')], ['1.3.6.1.2.1.33.1.1.2.0', str('UPS')]]);
    assert.equal((await detectMib('auto', fetchOf(m))).mapping.name, 'apcc');
    m.set('1.3.6.1.2.1.1.2.0', { kind: 'oid', value: '1.3.6.1.2.1.33' });
    const d = await detectMib('auto', fetchOf(m));
    assert.deepEqual([d.mapping.name, d.how], ['ietf', 'sysOID']);
    // A sysObjectID match whose model OID does not answer does not count.
    m.set('1.3.6.1.2.1.1.2.0', { kind: 'oid', value: '1.3.6.1.4.1.705.1' });
    assert.equal((await detectMib('auto', fetchOf(m))).mapping.name, 'apcc');
  });
  test('the order of the table is NUT mib2nut[] order for the mappings we have', () => {
    assert.deepEqual(MIB2NUT.map((m) => m.id), ['apc', 'bestpower', 'compaq', 'cyberpower', 'cyberpower2', 'delta_ups', 'eaton_pxg_ups', 'eaton_pw_nm2', 'huawei', 'mge', 'vertiv', 'xppc', 'tripplite_ietf', 'ietf']);
  });
  test('a card that answers nothing at all, and an unknown name', async () => {
    await assert.rejects(detectMib('auto', fetchOf(new Map())), /answered none of the identity OIDs/);
    await assert.rejects(detectMib('nosuch', fetchOf(new Map())), /unknown mibs value "nosuch"/);
    assert.equal((await detectMib('eaton_pw_nm2', fetchOf(new Map([['1.3.6.1.4.1.534.1.1.2.0', str('5PX')]])))).mapping.name, 'pw');
  });
});

describe('configuration', () => {
  const check = (cfg: Record<string, unknown>): string[] => {
    const issues: ConfigIssue[] = [];
    snmpSchema.check!({ driver: 'snmp', port: '10.0.0.9', ...cfg }, 'ups.u', issues);
    return issues.map((i) => `${i.path}: ${i.message}`);
  };
  test('v3 needs its user and pass phrases for its level', () => {
    assert.deepEqual(check({ snmp_version: 'v3' }), ['ups.u.secName: SNMPv3 needs secName (the user)']);
    assert.deepEqual(check({ snmp_version: 'v3', secName: 'nut', secLevel: 'authNoPriv' }), ['ups.u.authPassword: secLevel authNoPriv needs authPassword']);
    assert.deepEqual(check({ snmp_version: 'v3', secName: 'nut', secLevel: 'authPriv', authPassword: 'x'.repeat(8), privPassword: 'y'.repeat(8) }), []);
  });
  test('port: host, host:port, [v6]:port', () => {
    assert.deepEqual(parseTarget('ups1.example.net'), { host: 'ups1.example.net', port: 161 });
    assert.deepEqual(parseTarget('10.0.0.9:1161'), { host: '10.0.0.9', port: 1161 });
    assert.deepEqual(parseTarget('[fd00::9]:1161'), { host: 'fd00::9', port: 1161 });
    assert.deepEqual(parseTarget('fd00::9'), { host: 'fd00::9', port: 161 });
    assert.equal(parseTarget('host:99999'), null);
    assert.deepEqual(check({ mibs: 'apcc' }), []);
    assert.match(check({ mibs: 'apc' })[0]!, /not auto or a mapping/);
  });
});

describe('the mapping tables', () => {
  test('every entry is well formed: a dotted OID (or a NUT template), a multiplier, commands with the value they SET', () => {
    for (const m of MIB2NUT) {
      assert.ok(m.sysOid ?? m.autoCheckOid, `${m.id}: no way to detect it`);
      for (const e of m.entries) {
        const where = `${m.id} ${e.name}`;
        if (e.oid !== undefined) assert.match(e.oid, /^\d+(\.(\d+|%i))+$/, where);
        assert.ok(Number.isFinite(e.len), where);
        // No value: the command's parameter is sent (load.off.delay 30). pxg's test.battery.start.quick has ""
        // as NUT's table has it: snmp-ups refuses to send it, and so do we.
        if (e.flags?.includes('cmd') && !e.name.includes('%')) assert.ok(e.oid !== undefined && (e.dfl === undefined || /^(-?\d+)?$/.test(e.dfl)), `${where}: a command needs an OID and an integer value`);
        if (e.lookup) assert.ok(e.lookup.length > 0, where);
      }
    }
  });
  test('apcc and ietf are complete: every entry of NUT 2.8 tables outside DEBUG blocks (128 and 89)', () => {
    assert.equal(MIB2NUT.find((m) => m.id === 'apc')!.entries.length, 128);
    assert.equal(MIB2NUT.find((m) => m.id === 'ietf')!.entries.length, 89);
  });
});
