/** `upsagent doctor`: an addon that loads but cannot list its devices is a warning, never "ok". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryIO } from '../../src/cli/io';
import { renderDoctor, runDoctor } from '../../src/cli/commands/doctor';
import { checkNativeModules, type NativeCheck } from '../../src/platform/native';

test('a listing that failed reads "warn", a load that failed "FAIL" and exit 1', async () => {
  const results: NativeCheck[] = [
    { name: 'serialport', ok: true, detail: '2 serial port(s)' },
    { name: 'usb', ok: true, listingFailed: true, detail: 'loaded, but listing failed: /sys/bus/usb/devices/ not found' },
  ];
  const io = new MemoryIO();
  assert.equal(await runDoctor(io, () => Promise.resolve(results)), 0);
  assert.equal(io.stdout, 'ok   serialport 2 serial port(s)\nwarn usb        loaded, but listing failed: /sys/bus/usb/devices/ not found\n');
  const broken = renderDoctor([...results, { name: 'node-hid', ok: false, detail: 'cannot load' }]);
  assert.equal(broken.code, 1);
  assert.match(broken.text, /^FAIL node-hid {3}cannot load$/m);
});

test('on this machine: no line says ok beside a failed listing', async () => {
  const io = new MemoryIO();
  await runDoctor(io, checkNativeModules);
  const lines = io.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) if (/listing failed/.test(line)) assert.match(line, /^warn /, line);
  for (const r of await checkNativeModules()) assert.equal(r.listingFailed === true, /listing failed/.test(r.detail), r.name);
});
