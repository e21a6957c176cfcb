/**
 * What a new user meets before anything runs: the YAML error message,
 * addresses checked by `config check` (literals without DNS, names resolved
 * through an injected resolver: no test asks a real DNS), the getting-started
 * text when there is no configuration, and the warning about the example's
 * placeholder passwords, at `config check` and at `run`.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryIO } from '../../src/cli/io';
import { preflight, runConfigCheck } from '../../src/cli/commands/config-check';
import { runAgent } from '../../src/cli/commands/run';
import { parseConfig } from '../../src/app/config';
import { ConfigError } from '../../src/core/errors';
import { hostProblem, yamlErrorText } from '../../src/core/config';

const dir = mkdtempSync(join(tmpdir(), 'upsagent-rough-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const f = join(dir, `c${++n}.yaml`);
  writeFileSync(f, text);
  return f;
}
const DEV = join(dir, 'ups.dev');
writeFileSync(DEV, 'ups.status: OL\n');
const UPS = `ups:\n  myups:\n    driver: dummy\n    port: ${DEV}\n`;

/** A resolver that knows only `known` and records every name it is asked. */
function fakeDns(known: string[] = []) {
  const asked: string[] = [];
  const lookup = (host: string): Promise<unknown> => {
    asked.push(host);
    if (known.includes(host)) return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
  };
  return { lookup, asked };
}

void describe('YAML syntax errors', () => {
  test('the position is said once, and the message does not end on a colon', async () => {
    const err = await parseConfig('ups:\n  a:\n    driver: dummy\n   port: x\n', 'bad.yaml').catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError);
    assert.equal(err.issues.length, 1);
    assert.equal(err.issues[0]!.path, 'line 4, column 1');
    assert.equal(err.issues[0]!.message, 'All mapping items must start at the same column');
    assert.equal(err.message, 'bad.yaml: 1 problem(s)\n  line 4, column 1: All mapping items must start at the same column');
  });

  test('the yaml package text is cut at its own position', () => {
    assert.equal(yamlErrorText('Map keys must be unique at line 7, column 3:\n\n  a: 1\n  ^\n'), 'Map keys must be unique');
    assert.equal(yamlErrorText('Nested mappings are not allowed in compact mappings'), 'Nested mappings are not allowed in compact mappings');
  });
});

void describe('addresses, checked before anything starts', () => {
  test('a literal that is no IP address is refused without any look-up', async () => {
    const dns = fakeDns();
    const io = new MemoryIO();
    const code = await runConfigCheck(file(`${UPS}server:\n  listen: ["300.1.1.1:3493", "127.0.0.1:3493", "[::1]:3493", "10.0.0:3493"]\n`), io, { lookup: dns.lookup });
    assert.equal(code, 2);
    assert.match(io.stderr, /server\.listen\[0\]: "300\.1\.1\.1" is not an IPv4 address/);
    assert.match(io.stderr, /server\.listen\[3\]: "10\.0\.0" is not an IPv4 address/);
    assert.doesNotMatch(io.stderr, /listen\[1\]|listen\[2\]/);
    assert.deepEqual(dns.asked, []);
    assert.equal(io.stdout, '');
  });

  test('host name syntax and IPv6 literals', () => {
    assert.equal(hostProblem('127.0.0.1'), null);
    assert.equal(hostProblem('::'), null);
    assert.equal(hostProblem('fe80::1'), null);
    assert.equal(hostProblem('nas.lan'), null);
    assert.equal(hostProblem('ups-host'), null);
    assert.match(hostProblem('256.0.0.1')!, /not an IPv4 address/);
    assert.match(hostProblem('fe80:::1:zz')!, /not an IPv6 address/);
    assert.match(hostProblem('bad_name.lan')!, /not a host name/);
    assert.match(hostProblem('-x.lan')!, /not a host name/);
  });

  test('monitored UPSes on other servers: a bad literal is a problem of the file', async () => {
    const io = new MemoryIO();
    const code = await runConfigCheck(file(`monitor:\n  ups:\n    - name: rack@300.1.1.1:3493\n      user: mon\n      password: pw\n`), io, { lookup: fakeDns().lookup });
    assert.equal(code, 2);
    assert.match(io.stderr, /monitor\.ups\[0\]\.name: "300\.1\.1\.1" is not an IPv4 address/);
  });

  test('names are resolved at check time: one that does not resolve is named with where it is used', async () => {
    const dns = fakeDns(['nas.lan']);
    const io = new MemoryIO();
    const cfg = file(
      `${UPS}server:\n  listen: ["nowhere.invalid:3493", "127.0.0.1"]\nmonitor:\n  ups:\n    - name: myups\n    - name: rack@nas.lan\n      user: mon\n      password: pw\n    - name: closet@gone.example:3493\n      user: mon\n      password: pw\n`,
    );
    assert.equal(await runConfigCheck(cfg, io, { lookup: dns.lookup }), 2);
    assert.match(io.stderr, /server\.listen\[0\]: cannot resolve host name "nowhere\.invalid" \(no such host\)/);
    assert.match(io.stderr, /monitor\.ups\[2\]\.name: cannot resolve host name "gone\.example" \(no such host\)/);
    assert.doesNotMatch(io.stderr, /nas\.lan/);
    assert.deepEqual(dns.asked.sort(), ['gone.example', 'nas.lan', 'nowhere.invalid'], 'literals are never looked up');
  });

  test('a file whose names all resolve passes', async () => {
    const io = new MemoryIO();
    const code = await runConfigCheck(file(`${UPS}server:\n  listen: ["ups-host.lan:3493"]\n`), io, { lookup: fakeDns(['ups-host.lan']).lookup });
    assert.equal(code, 0, io.stderr);
    assert.match(io.stdout, /OK \(1 UPS: myups/);
  });

  test('run: a listen name that does not resolve stops it before anything starts (exit 2)', async () => {
    const io = new MemoryIO();
    const code = await runAgent({ config: file(`${UPS}server:\n  listen: ["nowhere.invalid:34939"]\n`), demo: false, lookup: fakeDns().lookup }, io);
    assert.equal(code, 2);
    assert.match(io.stderr, /server\.listen\[0\]: cannot resolve host name "nowhere\.invalid"/);
  });

  test('run: --listen with an address that is none is refused', async () => {
    const io = new MemoryIO();
    const code = await runAgent({ config: file(UPS), demo: false, listen: ['300.1.1.1:34939'], lookup: fakeDns().lookup }, io);
    assert.equal(code, 2);
    assert.match(io.stderr, /--listen: "300\.1\.1\.1" is not an IPv4 address/);
  });

  test('run: a monitored host that does not resolve yet is a warning (the network may come up after the agent)', async () => {
    const { parseConfig: parse } = await import('../../src/app/config');
    const cfg = await parse(`monitor:\n  ups:\n    - name: rack@gone.example\n      user: mon\n      password: pw\n`);
    const atRun = await preflight(cfg, { lookup: fakeDns().lookup, strict: false });
    assert.deepEqual(atRun.problems, []);
    assert.equal(atRun.warnings.length, 1);
    assert.match(atRun.warnings[0]!.message, /cannot resolve host name "gone\.example"/);
    const atCheck = await preflight(cfg, { lookup: fakeDns().lookup, strict: true });
    assert.equal(atCheck.problems.length, 1);
  });
});

void describe('no configuration file', () => {
  test('run says how to start: --demo, config.example.yaml, import-nut', async () => {
    const io = new MemoryIO();
    const missing = join(dir, 'none', 'upsagent.yaml');
    assert.equal(await runAgent({ config: missing, demo: false }, io), 2);
    assert.match(io.stderr, new RegExp(`^${missing.replace(/[.\\/]/g, '\\$&')}: there is no configuration file here\\.`));
    assert.match(io.stderr, /upsagent run --demo/);
    assert.match(io.stderr, /config\.example\.yaml/);
    assert.match(io.stderr, /upsagent import-nut \/etc\/nut -o /);
    assert.doesNotMatch(io.stderr, /ENOENT/);
  });

  test('config check says the same', async () => {
    const io = new MemoryIO();
    assert.equal(await runConfigCheck(join(dir, 'none.yaml'), io), 2);
    assert.match(io.stderr, /upsagent run --demo/);
  });
});

void describe("the example's placeholder passwords", () => {
  test('config check of config.example.yaml warns about each one and still passes', async () => {
    const io = new MemoryIO();
    const example = resolve(__dirname, '../../config.example.yaml');
    const code = await runConfigCheck(example, io, { lookup: fakeDns().lookup });
    assert.equal(code, 0, io.stderr);
    assert.match(io.stderr, /warning: users\.admin\.password: is still the example's "change-me"/);
    assert.match(io.stderr, /warning: users\.monuser\.password: is still the example's "change-me-too"/);
    assert.match(io.stdout, /OK .*; 2 warning\(s\)\)/);
  });

  test('a monitored UPS with the placeholder is warned about too; a real password is not', async () => {
    const cfg = await parseConfig(`monitor:\n  ups:\n    - name: a@10.0.0.5\n      user: mon\n      password: change-me-too\n    - name: b@10.0.0.6\n      user: mon\n      password: s3cret-of-mine\n`);
    const r = await preflight(cfg, { lookup: fakeDns().lookup, strict: true });
    assert.deepEqual(
      r.warnings.map((w) => w.path),
      ['monitor.ups[0].password'],
    );
  });

  test('run warns too (shown before it would start)', async () => {
    const io = new MemoryIO();
    const cfg = file(`${UPS}server:\n  listen: ["nowhere.invalid"]\nusers:\n  admin:\n    password: change-me\n`);
    assert.equal(await runAgent({ config: cfg, demo: false, lookup: fakeDns().lookup }, io), 2);
    assert.match(io.stderr, /warning: users\.admin\.password: is still the example's "change-me"/);
    assert.doesNotMatch(io.stderr, /s3cret/);
  });
});
