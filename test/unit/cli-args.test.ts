/**
 * Argument parsing of upsc/upsrw/upscmd: getopt, `ups[@host[:port]]` as
 * upsclient reads it, and `-t` as NUT's str_to_uint reads it. The expected
 * values were checked against NUT 2.8.0's tools.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getopt } from '../../src/cli/commands/getopt';
import { parseTimeout } from '../../src/cli/commands/nut-tool';
import { splitAddr, splitName } from '../../src/client/target';

void describe('getopt', () => {
  void test('flags, clusters, attached and separate values, operands', () => {
    assert.deepEqual(getopt(['-lL', 'host:1'], '+hlLcVW:j', 'upsc'), {
      ok: true,
      options: [{ opt: 'l' }, { opt: 'L' }],
      operands: ['host:1'],
    });
    assert.deepEqual(getopt(['-sups.load=5', '-u', 'admin', '-wpsecret', 'ups1'], '+hls:p:t:u:wV', 'upsrw'), {
      ok: true,
      options: [{ opt: 's', arg: 'ups.load=5' }, { opt: 'u', arg: 'admin' }, { opt: 'w' }, { opt: 'p', arg: 'secret' }],
      operands: ['ups1'],
    });
  });

  void test('stops at the first operand (the "+" in NUT option strings) and after --', () => {
    assert.deepEqual(getopt(['ups1', '-l'], '+hlLc', 'upsc'), { ok: true, options: [], operands: ['ups1', '-l'] });
    assert.deepEqual(getopt(['--', '-l'], '+hlLc', 'upsc'), { ok: true, options: [], operands: ['-l'] });
    assert.deepEqual(getopt(['-', 'x'], '+hlLc', 'upsc'), { ok: true, options: [], operands: ['-', 'x'] });
  });

  void test("glibc's messages for an unknown option and a missing value", () => {
    assert.deepEqual(getopt(['-x'], '+hlLc', 'upsc'), { ok: false, options: [], message: "upsc: invalid option -- 'x'" });
    assert.deepEqual(getopt(['-w', '-s'], '+s:w', 'upsrw'), { ok: false, options: [{ opt: 'w' }], message: "upsrw: option requires an argument -- 's'" });
  });
});

void describe('splitName / splitAddr (upsclient rules)', () => {
  const name = (t: string | undefined) => splitName(t);
  const addr = (t: string) => splitAddr(t);

  void test('defaults: localhost and 3493', () => {
    assert.deepEqual(name('ups1'), { ok: true, value: { ups: 'ups1', host: 'localhost', port: 3493 } });
    assert.deepEqual(name('ups1@nas'), { ok: true, value: { ups: 'ups1', host: 'nas', port: 3493 } });
    assert.deepEqual(addr('nas'), { ok: true, value: { host: 'nas', port: 3493 } });
  });

  void test('host:port, [IPv6]:port, [IPv6] alone', () => {
    assert.deepEqual(name('ups1@10.0.0.2:3500'), { ok: true, value: { ups: 'ups1', host: '10.0.0.2', port: 3500 } });
    assert.deepEqual(name('ups1@[::1]:3500'), { ok: true, value: { ups: 'ups1', host: '::1', port: 3500 } });
    assert.deepEqual(addr('[fe80::1]'), { ok: true, value: { host: 'fe80::1', port: 3493 } });
    // Text after "]" that does not start with ":" is ignored, as upsclient does.
    assert.deepEqual(addr('[::1]x'), { ok: true, value: { host: '::1', port: 3493 } });
  });

  void test('a port is read like strtol: junk after the digits is ignored', () => {
    assert.deepEqual(addr('nas:3493abc'), { ok: true, value: { host: 'nas', port: 3493 } });
    assert.deepEqual(name('ups1@nas:3493:'), { ok: true, value: { ups: 'ups1', host: 'nas', port: 3493 } });
  });

  void test('bad ports print upsclient\'s diagnostic', () => {
    const noPort = { ok: false, diagnostic: "upscli_splitaddr: no port specified after ':' separator" };
    for (const bad of ['nas:', 'nas:abc', 'nas:0', 'nas:-5', 'nas:70000', 'nas::5', '[::1]:abc']) assert.deepEqual(addr(bad), noPort, bad);
  });

  void test('empty strings, missing brackets, nothing at all', () => {
    assert.deepEqual(name(''), { ok: false, diagnostic: "upscli_splitname: can't parse empty string" });
    assert.deepEqual(name('ups1@'), { ok: false, diagnostic: "upscli_splitaddr: can't parse empty string" });
    assert.deepEqual(addr('[::1'), { ok: false, diagnostic: 'upscli_splitaddr: missing closing bracket in [domain literal]' });
    assert.deepEqual(name(undefined), { ok: false });
    // NUT's upsc crashes on these; we refuse them.
    assert.deepEqual(name('@@'), { ok: false });
    assert.deepEqual(addr(':'), { ok: false });
  });

  void test("strtok's skipping of empty fields is kept", () => {
    // "@host:port": the UPS name becomes "host:port" (upsd then says Unknown UPS).
    assert.deepEqual(name('@nas:3500'), { ok: true, value: { ups: 'nas:3500', host: 'nas', port: 3500 } });
    // ":port": the port text doubles as the host name.
    assert.deepEqual(addr(':3500'), { ok: true, value: { host: '3500', port: 3500 } });
    assert.deepEqual(addr('[]:3500'), { ok: true, value: { host: ':3500', port: 3493 } });
  });
});

void describe('-t (str_to_uint)', () => {
  void test('digits, with optional leading blanks', () => {
    assert.equal(parseTimeout('5'), 5);
    assert.equal(parseTimeout(' 30'), 30);
  });
  void test('signs and junk are refused, as NUT does', () => {
    const invalid = "Could not convert the provided value for timeout ('-t' option) to unsigned int: Invalid argument";
    for (const bad of ['abc', '5x', '-1', '+5', '']) assert.equal(parseTimeout(bad), invalid, bad);
    assert.equal(parseTimeout('99999999999'), "Could not convert the provided value for timeout ('-t' option) to unsigned int: Numerical result out of range");
  });
});
