/**
 * `upsagent scan --snmp` against real SNMP agents on loopback: Debian's
 * snmpsim serving our recordings (./../helpers/snmpsim.ts). Each recording
 * is found as the MIB NUT's snmp-ups picks for it, a /30 around it finds
 * only the address that answers, a wrong community finds nothing, and too
 * big a range is refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runScanSnmp, parseTargets, scanSnmp, formatSnmpYaml } from '../../src/cli/commands/scan-snmp';
import { MemoryIO } from '../../src/cli/io';
import { startSnmpsim, type Snmpsim } from '../helpers/snmpsim';
import { startSnmpd, V3_USERS, type Snmpd } from '../helpers/snmpd';

/** The MIB NUT 2.8.0's snmp-ups detects (mibs=auto) on each recording; checked against the real driver in snmp-differential.test.ts. */
const EXPECTED_MIB: Record<string, string> = { apc: 'apcc', apc3: 'apcc', cyberpower: 'cyberpower', ietf: 'ietf', ietf3: 'ietf', mge: 'mge', pw: 'pw' };

describe('scan --snmp against snmpsim', () => {
  let sim: Snmpsim;
  before(async () => {
    sim = await startSnmpsim();
  });
  after(async () => {
    await sim?.stop();
  });

  it('finds each recording as the MIB snmp-ups detects, with a ready ups: section', async () => {
    for (const community of sim.communities) {
      const io = new MemoryIO();
      const code = await runScanSnmp(io, '127.0.0.1', { community, snmpVersion: 'v2c', port: sim.port });
      assert.equal(code, 0, io.stderr);
      const doc = parse(io.stdout) as { ups: Record<string, Record<string, unknown>> };
      const sections = Object.values(doc.ups);
      assert.equal(sections.length, 1, io.stdout);
      const s = sections[0]!;
      assert.equal(s.driver, 'snmp');
      assert.equal(s.port, `127.0.0.1:${sim.port}`);
      assert.equal(s.mibs, EXPECTED_MIB[community], `${community}: ${io.stdout}`);
      assert.equal(s.community, community);
      assert.equal(s.snmp_version, 'v2c');
      assert.match(String(s.desc), /\S/);
    }
  });

  it('v1 finds the same (a v1 agent fails a whole GET for one missing OID: the driver\'s GETs leave it out and ask again)', async () => {
    const cards = await scanSnmp(['127.0.0.1'], { community: 'apc', snmpVersion: 'v1', port: sim.port });
    assert.equal(cards.length, 1);
    assert.equal(cards[0]!.mib, 'apcc');
    assert.equal(cards[0]!.model, 'Smart-UPS 5000');
    assert.equal(cards[0]!.mfr, 'APC');
    assert.equal(cards[0]!.sysObjectId, '1.3.6.1.4.1.318.1.3.2.7');
  });

  it('a /30 on loopback: only 127.0.0.1 answers', async () => {
    const io = new MemoryIO();
    assert.deepEqual(parseTargets('127.0.0.0/30'), ['127.0.0.1', '127.0.0.2']);
    const code = await runScanSnmp(io, '127.0.0.0/30', { community: 'ietf', snmpVersion: 'v2c', port: sim.port, timeout: 0.5, retries: 0 });
    assert.equal(code, 0, io.stderr);
    const doc = parse(io.stdout) as { ups: Record<string, { port: string; mibs: string }> };
    assert.deepEqual(
      Object.values(doc.ups).map((u) => [u.port, u.mibs]),
      [[`127.0.0.1:${sim.port}`, 'ietf']],
    );
  });

  it('a wrong community: snmpsim stays silent, nothing is found, exit 0', async () => {
    const io = new MemoryIO();
    const code = await runScanSnmp(io, '127.0.0.1', { community: 'nosuch', snmpVersion: 'v2c', port: sim.port, timeout: 0.5, retries: 0 });
    assert.equal(code, 0);
    assert.match(io.stdout, /^# No UPS answered SNMP at 127\.0\.0\.1 \(1 address asked\)\.\n$/);
  });

  it('the printed section passes the configuration check', async () => {
    const cards = await scanSnmp(['127.0.0.1'], { community: 'ietf', snmpVersion: 'v2c', port: sim.port });
    const yaml = formatSnmpYaml(cards, { community: 'ietf', snmpVersion: 'v2c', port: sim.port });
    assert.ok(yaml);
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-scan-snmp-'));
    try {
      const file = join(dir, 'upsagent.yaml');
      writeFileSync(file, yaml);
      const { runConfigCheck } = await import('../../src/cli/commands/config-check');
      const io = new MemoryIO();
      const code = await runConfigCheck(file, io);
      assert.equal(code, 0, `${io.stdout}\n${io.stderr}\n${yaml}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scan --snmp v3 against net-snmp snmpd', () => {
  let agent: Snmpd;
  before(async () => {
    agent = await startSnmpd();
  });
  after(async () => {
    await agent?.stop();
  });

  it('SHA/AES authPriv finds the ietf card and prints the v3 settings; a wrong pass phrase finds nothing', async () => {
    const u = V3_USERS.sha;
    const opts = { snmpVersion: 'v3', port: agent.port, secLevel: u.level, secName: u.name, authProtocol: u.authProtocol, authPassword: u.authPassword, privProtocol: u.privProtocol, privPassword: u.privPassword } as const;
    const io = new MemoryIO();
    assert.equal(await runScanSnmp(io, '127.0.0.1', opts), 0, io.stderr);
    const doc = parse(io.stdout) as { ups: Record<string, Record<string, unknown>> };
    const s = Object.values(doc.ups)[0]!;
    assert.deepEqual(
      [s.mibs, s.snmp_version, s.secLevel, s.secName, s.authProtocol, s.privProtocol, s.community],
      ['ietf', 'v3', 'authPriv', u.name, 'SHA', 'AES', undefined],
    );
    const wrong = await scanSnmp(['127.0.0.1'], { ...opts, authPassword: 'not-the-pass-phrase', timeout: 0.5, retries: 0 });
    assert.deepEqual(wrong, []);
  });

  it('MD5/DES authPriv: found where this Node has DES, else refused up front with what to do', async () => {
    const u = V3_USERS.md5;
    const io = new MemoryIO();
    const code = await runScanSnmp(io, '127.0.0.1', { snmpVersion: 'v3', port: agent.port, secLevel: u.level, secName: u.name, authProtocol: u.authProtocol, authPassword: u.authPassword, privProtocol: u.privProtocol, privPassword: u.privPassword });
    let des = true;
    try {
      createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
    } catch {
      des = false;
    }
    if (des) {
      assert.equal(code, 0, io.stderr);
      assert.match(io.stdout, /mibs: "ietf"[\s\S]*privProtocol: DES/);
    } else {
      assert.equal(code, 2);
      assert.match(io.stderr, /legacy provider/);
      assert.equal(io.stdout, '');
    }
  });
});

describe('scan --snmp arguments', () => {
  it('a range bigger than /22 is refused with the limit, nothing sent', async () => {
    const io = new MemoryIO();
    assert.equal(await runScanSnmp(io, '10.0.0.0/21', {}), 2);
    assert.match(io.stderr, /\/21 is 2048 addresses; a scan covers at most \/22 \(1024 addresses\)/);
    assert.equal(parseTargets('10.0.0.0/22').length, 1022);
    assert.deepEqual(parseTargets('10.1.2.3/32'), ['10.1.2.3']);
    assert.deepEqual(parseTargets('10.1.2.3/31'), ['10.1.2.2', '10.1.2.3']);
    assert.deepEqual(parseTargets('ups1.example.net'), ['ups1.example.net']);
  });

  it('bad ranges and v3 options missing what the level needs', async () => {
    for (const [spec, opts, msg] of [
      ['host/33', {}, /not a prefix length/],
      ['127.0.0.1', { port: Number.NaN }, /--snmp-port must be a UDP port/],
      ['127.0.0.1', { timeout: 0 }, /--timeout must be seconds/],
      ['host/24', {}, /not an IPv4 address/],
      ['127.0.0.1', { snmpVersion: 'v3' }, /needs --sec-name/],
      ['127.0.0.1', { snmpVersion: 'v3', secName: 'u', secLevel: 'authNoPriv' }, /needs --auth-password/],
      ['127.0.0.1', { snmpVersion: 'v3', secName: 'u', secLevel: 'authPriv', authPassword: 'x'.repeat(8) }, /needs --priv-password/],
      ['127.0.0.1', { snmpVersion: 'v3', secName: 'u', secLevel: 'authPriv', authPassword: 'x'.repeat(8), privPassword: 'y'.repeat(8), privProtocol: 'RC4' }, /--priv-protocol must be one of DES, AES/],
    ] as const) {
      const io = new MemoryIO();
      assert.equal(await runScanSnmp(io, spec, opts), 2, spec);
      assert.match(io.stderr, msg);
    }
  });
});
