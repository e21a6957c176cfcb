import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, parseConfig } from '../../src/app/config';
import { parseListen } from '../../src/server/config';
import { ConfigError } from '../../src/core/errors';

const base = `ups:\n  myups:\n    driver: dummy\n    port: /tmp/x.dev\n`;

async function problems(yaml: string): Promise<string[]> {
  try {
    await parseConfig(yaml, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  test('the example file is valid and documents every key', async () => {
    const cfg = await loadConfig(resolve(__dirname, '../../config.example.yaml'));
    assert.equal(cfg.ups.myups!.driver, 'dummy');
    assert.deepEqual(cfg.users!.admin!.actions, ['set', 'fsd']);
    assert.equal(cfg.users!.monuser!.upsmon, 'secondary');
  });

  test('defaults: loopback listen, maxAge 15, no users', async () => {
    const cfg = await parseConfig(base);
    assert.deepEqual(cfg.server!.listen, ['127.0.0.1:3493', '[::1]:3493']);
    assert.equal(cfg.server!.maxAge, 15);
    assert.equal(cfg.server!.idleTimeout, 60);
    assert.deepEqual(cfg.users, {});
    assert.equal(cfg.log!.level, 'info');
  });

  test('names the path, the problem and what is allowed', async () => {
    const p = await problems(`${base}users:\n  admin:\n    password: secret\n    actions: [set, FDS]\n`);
    assert.deepEqual(p, ['users.admin.actions[1]: "FDS" is not one of set, fsd']);
  });

  test('unknown keys, wrong types, missing keys and bad enums are all reported at once', async () => {
    const p = await problems(
      `ups:\n  myups:\n    driver: usbhidd\n    desc: 5\n    colour: red\nserver:\n  maxAge: soon\n  listen: ["1.2.3.4:70000", "::1"]\nusers:\n  bob:\n    upsmon: boss\n`,
    );
    assert.ok(p.includes('ups.myups.colour: unknown key; allowed here: driver, port, desc, pollInterval, timeout, staleAfter, sdcommands, mode, vendorid, productid, vendor, product, serial, pollfreq, pollonly, interruptonly, interruptsize, maxreport, onlinedischarge, subdriver, lowbatt, ondelay, offdelay, lbrb_log_delay_sec, lbrb_log_delay_without_calibrating, cable, ttymode, sdtype, advorder, awd, cshdelay, ignorelb, upstype, mfr, model, sdtime, CP, OL, LB, RB, BYPASS, SD, protocol, bus, langid_fix, noscanlangid, cablepower, stayoff, norating, novendor, nooutstats, ignoresab, runtimecal, chargetime, idleload, battery_voltage_reports_one_pack, default.battery.voltage.high, default.battery.voltage.low, default.battery.voltage.nominal, override.battery.voltage.nominal, override.battery.packs, pins_shutdown_mode, reset_to_default, bypass_alarm, battery_alarm, bypass_when_off, alarm_control, converter_mode, eco_mode, battery_open_status_check, bypass_forbidding, site_fault_detection, advanced_eco_mode, constant_phase_angle, limited_runtime_on_battery, battery_number, max_bypass_volt, min_bypass_volt, max_bypass_freq, min_bypass_freq, work_range_type, output_phase_angle, override.battery.charge.low, override.battery.runtime.low, default.battery.charge.low, default.battery.runtime.low, user, password, login, mibs, community, snmp_version, semistaticfreq, snmp_retries, snmp_timeout, notransferoids, symmetrathreephase, secLevel, secName, authPassword, privPassword, authProtocol, privProtocol'), p.join('\n'));
    assert.ok(p.includes('ups.myups.driver: "usbhidd" is not one of dummy, usbhid, apcsmart, genericups, qx, relay, snmp'), p.join('\n'));
    assert.ok(p.includes('ups.myups.port: is required (a string)'), p.join('\n'));
    assert.ok(p.includes('server.maxAge: "soon" is not a number from 1 to 3600'), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith('server.listen[0]: "1.2.3.4:70000" has port "70000"')), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith('server.listen[1]: "::1" has more than one ":"')), p.join('\n'));
    assert.ok(p.includes('users.bob.password: is required (a string)'), p.join('\n'));
    assert.ok(p.includes('users.bob.upsmon: "boss" is not one of primary, secondary'), p.join('\n'));
  });

  test('a config with no UPS, a bad UPS name or a duplicate list item is refused', async () => {
    assert.deepEqual(await problems('ups: {}\n'), ['ups: no UPS is configured; add at least one under ups:']);
    const p = await problems(`ups:\n  "my ups":\n    driver: dummy\n    port: x\n`);
    assert.match(p[0]!, /^ups\.my ups: "my ups" is not a valid name/);
    const d = await problems(`${base}users:\n  a:\n    password: x\n    instcmds: [load.off, LOAD.OFF]\n`);
    assert.deepEqual(d, ['users.a.instcmds[1]: "LOAD.OFF" is listed twice']);
  });

  test('mode belongs to the dummy driver only; aliases master/slave are accepted', async () => {
    const cfg = await parseConfig(`${base}    mode: loop\nusers:\n  m:\n    password: x\n    upsmon: master\n`);
    assert.equal(cfg.ups.myups!.mode, 'loop');
    assert.equal(cfg.users!.m!.upsmon, 'primary');
  });

  test('usbhid options: IDs in hex, regular expressions checked, refused on other drivers', async () => {
    const cfg = await parseConfig(`ups:\n  u:\n    driver: usbhid\n    port: auto\n    vendorid: 051d\n    serial: "^AB04"\n    pollfreq: 30\n`);
    assert.equal(cfg.ups.u!.vendorid, '051d');
    const p = await problems(`ups:\n  u:\n    driver: usbhid\n    port: auto\n    vendorid: 51dz\n    product: "Back(UPS"\n  d:\n    driver: dummy\n    port: x\n    pollonly: true\n`);
    assert.ok(p.includes('ups.u.vendorid: "51dz" is not a USB ID of up to 4 hex digits, e.g. 051d'), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith('ups.u.product: "Back(UPS" is not a valid regular expression')), p.join('\n'));
    assert.ok(p.includes('ups.d.pollonly: only the usbhid driver takes pollonly; dummy does not'), p.join('\n'));
  });

  test('YAML syntax errors carry line and column; duplicate keys are errors', async () => {
    const p = await problems('ups:\n  a: [\n');
    assert.match(p[0]!, /^line \d+, column \d+: /);
    const d = await problems(`${base}server:\n  maxAge: 1\n  maxAge: 2\n`);
    assert.match(d[0]!, /^line 7, column 3: .*[Mm]ap keys must be unique/);
  });

  test('an unreadable file is a ConfigError naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    await assert.rejects(loadConfig(join(dir, 'missing.yaml')), (e: unknown) => e instanceof ConfigError && /missing\.yaml/.test(e.message) && /cannot read/.test(e.message));
    writeFileSync(join(dir, 'ok.yaml'), base);
    assert.equal((await loadConfig(join(dir, 'ok.yaml'))).ups.myups!.port, '/tmp/x.dev');
    writeFileSync(join(dir, 'rel.yaml'), base.replace('/tmp/x.dev', 'devices/x.dev'));
    assert.equal((await loadConfig(join(dir, 'rel.yaml'))).ups.myups!.port, join(dir, 'devices/x.dev'), 'relative dummy files sit beside the config');
    writeFileSync(join(dir, 'hid.yaml'), `ups:\n  a:\n    driver: usbhid\n    port: auto\n  b:\n    driver: usbhid\n    port: rec/ups.dev\n`);
    const hid = await loadConfig(join(dir, 'hid.yaml'));
    assert.equal(hid.ups.a!.port, 'auto');
    assert.equal(hid.ups.b!.port, join(dir, 'rec/ups.dev'), 'a relative usbhid recording sits beside the config');
  });

  test('listen addresses: v4, bracketed v6, host only, any', () => {
    assert.deepEqual(parseListen('127.0.0.1:3493'), { host: '127.0.0.1', port: 3493 });
    assert.deepEqual(parseListen('[::1]:4000'), { host: '::1', port: 4000 });
    assert.deepEqual(parseListen('[::1]'), { host: '::1', port: 3493 });
    assert.deepEqual(parseListen('localhost'), { host: 'localhost', port: 3493 });
    assert.deepEqual(parseListen('*:3493'), { host: '::', port: 3493 });
    assert.equal(typeof parseListen(':3493'), 'string');
    assert.equal(typeof parseListen('a:b'), 'string');
  });
});
