/**
 * `upsagent init`: the automatic configuration written out. Its output
 * passes `config check`, reads back as exactly the configuration the
 * automatic run starts, and an existing file is only replaced with --force.
 * Also: with no configuration the explicit `--config missing.yaml` still
 * gets the getting-started guide (no automatic run).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInit } from '../../src/cli/commands/init';
import { runConfigCheck } from '../../src/cli/commands/config-check';
import { runAgent } from '../../src/cli/commands/run';
import { autoConfig, mergeFound } from '../../src/app/auto-config';
import { loadConfig } from '../../src/app/config';
import { sameValue } from '../../src/app/reload-plan';
import { suggestHidUps } from '../../src/drivers/usbhid/scan';
import type { ListedHidDevice } from '../../src/drivers/usbhid/matcher';
import type { CliIO } from '../../src/cli/io';

function memIO(): CliIO & { out_: string; err_: string } {
  const io = {
    out_: '',
    err_: '',
    out: (t: string) => void (io.out_ += t),
    err: (t: string) => void (io.err_ += t),
    prompt: async () => '',
  };
  return io;
}

const DEVICES: ListedHidDevice[] = [
  { path: '/dev/hidraw3', vendorId: 0x051d, productId: 0x0002, manufacturer: 'American Power Conversion', product: 'Back-UPS ES 700 FW:871.O2 .I USB FW:O2', serialNumber: '4B1234P56789', usagePage: 0x84 },
  // Not a UPS: a keyboard.
  { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, product: 'USB Keyboard', usagePage: 0x01 },
];

void describe('upsagent init', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-init-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void test('stdout: the commented automatic configuration, which config check accepts', async () => {
    const io = memIO();
    assert.equal(await runInit({ force: false, listHid: async () => DEVICES }, io), 0, io.err_);
    assert.match(io.out_, /^# upsagent configuration: the automatic one/);
    assert.match(io.out_, /back-ups-es-700:\n {4}driver: usbhid\n {4}port: "auto"\n {4}vendorid: "051d"/);
    assert.match(io.out_, /chargeAtMost: 10\n {4}runtimeAtMost: 180/);
    assert.match(io.out_, /shutdownCommand: "\/sbin\/shutdown -h \+0"/);
    assert.doesNotMatch(io.out_, /keyboard/i);
    const file = join(dir, 'stdout.yaml');
    writeFileSync(file, io.out_);
    const check = memIO();
    assert.equal(await runConfigCheck(file, check, { lookup: async () => undefined }), 0, check.err_);
    assert.match(check.out_, /OK \(1 UPS: back-ups-es-700; 0 user\(s\)\)/);
    // The same configuration the automatic run uses (run --config FILE behaves the same).
    const fromFile = await loadConfig(file);
    const auto = await autoConfig(mergeFound([], suggestHidUps(DEVICES)).all);
    assert.ok(sameValue(fromFile, auto), 'init output and the automatic configuration differ');
    // Loopback only.
    const listen = fromFile.server?.listen ?? [];
    assert.ok(listen.length > 0 && listen.every((l) => /^(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?$/.test(l)), listen.join());
    assert.equal(fromFile.monitor?.ups[0]?.role, 'primary');
    assert.deepEqual(fromFile.users, {});
  });

  void test('-o writes the file; an existing one is refused without --force and replaced with it', async () => {
    const file = join(dir, 'upsagent.yaml');
    const io = memIO();
    assert.equal(await runInit({ output: file, force: false, listHid: async () => DEVICES }, io), 0, io.err_);
    assert.equal(io.out_, '');
    assert.match(readFileSync(file, 'utf8'), /back-ups-es-700/);
    writeFileSync(file, 'mine\n');
    const again = memIO();
    assert.equal(await runInit({ output: file, force: false, listHid: async () => DEVICES }, again), 1);
    assert.match(again.err_, /exists; not replaced \(--force replaces it\)/);
    assert.equal(readFileSync(file, 'utf8'), 'mine\n');
    const forced = memIO();
    assert.equal(await runInit({ output: file, force: true, listHid: async () => DEVICES }, forced), 0, forced.err_);
    assert.match(readFileSync(file, 'utf8'), /back-ups-es-700/);
  });

  void test('no UPS found: nothing written, exit 1, says what to do', async () => {
    const file = join(dir, 'none.yaml');
    const io = memIO();
    assert.equal(await runInit({ output: file, force: false, listHid: async () => [DEVICES[1]!] }, io), 1);
    assert.match(io.err_, /no UPS found on USB HID/);
    assert.throws(() => readFileSync(file));
  });

  void test('run --config missing.yaml (explicit) still prints the guide, no automatic run', async () => {
    const io = memIO();
    assert.equal(await runAgent({ config: join(dir, 'missing.yaml'), demo: false }, io), 2);
    assert.match(io.err_, /there is no configuration file here/);
    assert.match(io.err_, /upsagent run --demo/);
  });
});
