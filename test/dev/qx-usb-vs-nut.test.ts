/**
 * Differential against NUT's own bridge code: the *_command functions of
 * nutdrv_qx.c (from /work/nut-src, compiled with gcc against a libusb
 * stand-in that records every call and answers from a script,
 * test/fixtures/qx-usb/) and our bridges run the same seeded scripts of
 * device answers. The transfers (setup bytes, lengths, data, endpoints,
 * timeouts) must be the same, in the same order, and the outcome must
 * agree: NUT's reply (up to its `\r`) is ours; NUT's error is our
 * rejection; NUT's 0 is our empty reply or a timeout.
 *
 * This is NUT's code against ours, not hardware: no real USB UPS is
 * here. libusb's own get_string_descriptor_ascii is re-written in the
 * stand-in (it is libusb's, not NUT's). Deliberate differences are
 * avoided by the script generator and listed: sgs count bytes >= 0x80
 * (NUT moves backwards in its buffer), ippon's `0x00 0x0d` (an empty reply
 * for us), garbage string descriptors (NUT: I/O error and reconnect; us:
 * a missed poll).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError } from '../../src/drivers/runtime/errors';
import { bridgeFor } from '../../src/drivers/qx/usb/index';
import { UsbQxTransport } from '../../src/drivers/qx/usb/transport';
import type { QxUsbSubdriver } from '../../src/drivers/qx/usb/bridge';
import type { UsbFailureKind } from '../../src/drivers/qx/usb/usb-like';
import { FakeUsbDevice, type Transfer } from '../unit/qx-usb-fake';

/** NUT's source is not part of this project: point NUT_SRC at an unpacked NUT tree (its drivers/nutdrv_qx.c). */
const NUT_QX = join(process.env.NUT_SRC ?? '/work/nut-src', 'drivers/nutdrv_qx.c');
const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const skip = !existsSync(NUT_QX) ? `${NUT_QX} is not here` : !hasGcc ? 'gcc is not installed' : false;

type Answer = { kind: 'data'; bytes: number[] } | { kind: 'count'; n: number } | { kind: 'err'; code: number };

const ERRORS: Record<number, UsbFailureKind> = { [-7]: 'timeout', [-9]: 'stall', [-8]: 'overflow', [-4]: 'gone', [-1]: 'io' };

let binary = '';

/** NUT's bridge functions cut out of nutdrv_qx.c (from the Cypress one to the subdriver setters), ablerex's setter left out. */
function buildNut(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nut-qx-usb-'));
  const fixtures = resolve(__dirname, '../fixtures/qx-usb');
  const lines = readFileSync(NUT_QX, 'latin1').split('\n');
  const start = lines.findIndex((l) => l.startsWith('/* Cypress communication subdriver */'));
  const end = lines.findIndex((l) => l.startsWith('static void\t*cypress_subdriver(USBDevice_t *device)'));
  const step = lines.find((l) => l.startsWith('static int\thunnox_step = 0;'));
  assert.ok(start > 0 && end > start && step, 'nutdrv_qx.c has the bridge functions where expected');
  const body: string[] = [];
  let skipping = false;
  for (const l of lines.slice(start, end)) {
    if (l.startsWith('static void\t*ablerex_subdriver_fun(')) skipping = true;
    if (!skipping) body.push(l);
    else if (l.startsWith('}')) skipping = false;
  }
  writeFileSync(join(dir, 'bridges.c'), [readFileSync(join(fixtures, 'prelude.h'), 'latin1'), step, ...body].join('\n'), 'latin1');
  copyFileSync(join(fixtures, 'main.c'), join(dir, 'main.c'));
  execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'nutusb'), join(dir, 'main.c'), '-lm'], { cwd: dir });
  return join(dir, 'nutusb');
}

interface NutRun {
  transfers: string[];
  ret: number;
  buf: number[];
}

function runNut(bridge: string, langidFix: number | undefined, command: string, script: Answer[]): NutRun {
  const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');
  const input = [
    `${bridge} ${langidFix ?? -1} 0 1`,
    hex([...Buffer.from(command, 'latin1')]),
    ...script.map((a) => (a.kind === 'data' ? `D ${hex(a.bytes)}` : a.kind === 'count' ? `N ${a.n}` : `E ${a.code}`)),
  ].join('\n');
  const out = execFileSync(binary, { input: input + '\n' }).toString('latin1').trim().split('\n');
  const r = out.pop() ?? '';
  const m = /^R (-?\d+) ?([0-9a-f]*)$/.exec(r);
  assert.ok(m, `NUT's run ended with ${r}`);
  return { transfers: out, ret: Number(m[1]), buf: (m[2]!.match(/../g) ?? []).map((x) => parseInt(x, 16)) };
}

/** Our transfer in the harness's line format. */
function line(t: Transfer): string | undefined {
  const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');
  switch (t.kind) {
    case 'controlOut':
      return `T controlOut ${t.setup.bmRequestType} ${t.setup.bRequest} ${t.setup.wValue} ${t.setup.wIndex} ${t.data.length} ${t.timeoutMs} ${hex(t.data)}`;
    case 'controlIn':
      return `T controlIn ${t.setup.bmRequestType} ${t.setup.bRequest} ${t.setup.wValue} ${t.setup.wIndex} ${t.length} ${t.timeoutMs}`;
    case 'interruptIn':
      return `T interruptIn ${t.endpoint} 0 0 0 ${t.length} ${t.timeoutMs}`;
    case 'interruptOut':
      return `T interruptOut ${t.endpoint} 0 0 0 ${t.data.length} ${t.timeoutMs} ${hex(t.data)}`;
    case 'clearHalt':
      return `T clearHalt ${t.endpoint} 0 0 0 0 0`;
    default:
      return undefined;
  }
}

async function runOurs(bridge: QxUsbSubdriver, langidFix: number | undefined, command: string, script: Answer[]): Promise<{ transfers: string[]; reply?: string; error?: unknown }> {
  const queue = [...script];
  const dev = new FakeUsbDevice((t) => {
    if (t.kind === 'reset' || t.kind === 'close') return undefined;
    if (t.kind === 'clearHalt') return 0;
    const a = queue.shift();
    if (!a) return 'timeout';
    if (a.kind === 'err') return ERRORS[a.code];
    const out = t.kind === 'controlOut' || t.kind === 'interruptOut';
    if (a.kind === 'count') return out ? a.n : new Array(a.n).fill(0);
    return out ? t.data.length : a.bytes;
  });
  const t = new UsbQxTransport(dev, { description: bridge, bridge: bridgeFor(bridge), ...(langidFix !== undefined ? { langidFix } : {}) });
  const result: { transfers: string[]; reply?: string; error?: unknown } = { transfers: [] };
  try {
    result.reply = await t.query(command, { timeoutMs: 10_000 });
  } catch (err) {
    result.error = err;
  }
  // The bridge's transfers: the transport's own clean-up after a failure (clear halt, reset) is qx_command's in NUT, not the bridge's.
  let transfers = dev.transfers;
  if (result.error !== undefined) {
    while (transfers.length && ['clearHalt', 'reset', 'close'].includes(transfers.at(-1)!.kind)) transfers = transfers.slice(0, -1);
  }
  result.transfers = transfers.map(line).filter((l): l is string => l !== undefined);
  return result;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Q1 = [...Buffer.from('(215.0 195.0 230.0 014 49.0 2.27 48.0 00000001\r', 'latin1')];
const utf16 = (b: number[]): number[] => [2 + b.length * 2, 3, ...b.flatMap((c) => [c, 0])];

/** One script: mostly plausible answers (a Q1 line in chunks, string descriptors), with noise, errors and silence. */
function script(bridge: QxUsbSubdriver, r: () => number): Answer[] {
  const out: Answer[] = [];
  const n = 1 + Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (roll < 0.1) out.push({ kind: 'err', code: [-7, -9, -8, -4, -1][Math.floor(r() * 5)]! });
    else if (roll < 0.15) out.push({ kind: 'count', n: Math.floor(r() * 9) });
    else if (roll < 0.3) out.push({ kind: 'data', bytes: [4, 3, 0x09, 0x04] });
    else if (roll < 0.45) out.push({ kind: 'data', bytes: utf16(Q1.slice(0, Math.floor(r() * Q1.length) + 1)) });
    else if (roll < 0.55) out.push({ kind: 'data', bytes: utf16([...Buffer.from('UPS No Ack')]) });
    else {
      const from = Math.floor(r() * Q1.length);
      const bytes = Q1.slice(from, from + 1 + Math.floor(r() * 64));
      if (r() < 0.2) bytes.push(...new Array(Math.floor(r() * 8)).fill(0));
      if (r() < 0.15) bytes[0] = Math.floor(r() * 256);
      out.push({ kind: 'data', bytes });
    }
  }
  // Deliberate differences kept out (see the header).
  return out.map((a) => {
    if (a.kind !== 'data' || a.bytes.length === 0) return a;
    const b = [...a.bytes];
    if (bridge === 'sgs' && (b[0] as number) >= 0x80) b[0] = (b[0] as number) & 0x07;
    if (bridge === 'ippon' && b[0] === 0 && b[1] === 0x0d) b[0] = 0x28;
    return { kind: 'data', bytes: b };
  });
}

const COMMANDS = ['Q1\r', 'F\r', 'I\r', 'T\r', 'Q\r', 'C\r', 'S.5R0001\r', 'S01\r', 'BL\r', 'QGS\r', 'M\r', 'Q6\r'];
const BRIDGES: QxUsbSubdriver[] = ['cypress', 'phoenixtec', 'phoenix', 'ippon', 'omron', 'krauler', 'fabula', 'hunnox', 'fuji', 'sgs', 'snr', 'ablerex', 'armac', 'gtec'];

describe("our bridges against NUT's nutdrv_qx.c bridge functions", { skip }, () => {
  before(() => {
    binary = buildNut();
  });

  test('hunnox lock-step over consecutive commands (NUT keeps its step between calls), with and without novendor', async () => {
    for (const novendor of [0, 1]) {
      for (const langid of [-1, 0x0409]) {
        // Answers that always parse, so no failure closes our transport between commands.
        const answers = Array.from({ length: 80 }, (_, i) => (i % 3 === 0 ? 'D 04030904' : `D ${Buffer.from(utf16(Q1)).toString('hex')}`));
        const input = [`hunnox ${langid} ${novendor} 6`, Buffer.from('Q1\r').toString('hex'), ...answers].join('\n') + '\n';
        const out = execFileSync(binary, { input }).toString('latin1').trim().split('\n');
        const nutTransfers = out.filter((l) => l.startsWith('T '));
        // Ours: the same six commands on one transport, answered from the same queue.
        const queue = answers.map((a) => [...Buffer.from(a.slice(2), 'hex')]);
        const dev = new FakeUsbDevice((t) => (t.kind === 'controlIn' ? (queue.shift() ?? 'timeout') : undefined));
        const t = new UsbQxTransport(dev, { description: 'hunnox', bridge: bridgeFor('hunnox'), novendor: novendor === 1, ...(langid !== -1 ? { langidFix: langid } : {}) });
        for (let i = 0; i < 6; i++) await t.query('Q1\r', { timeoutMs: 10_000 }).catch(() => undefined);
        assert.ok(nutTransfers.length > 8, out.join('\n'));
        assert.deepEqual(dev.transfers.map(line).filter((l) => l !== undefined), nutTransfers, `novendor ${novendor} langid ${langid}`);
      }
    }
  });

  for (const bridge of BRIDGES) {
    test(`${bridge}: same transfers and the same outcome on seeded scripts`, async () => {
      const r = rng(0xc0ffee ^ bridge.length * 7919 ^ bridge.charCodeAt(0));
      const rounds = bridge === 'ablerex' ? 3 : 80;
      for (let i = 0; i < rounds; i++) {
        const command = COMMANDS[Math.floor(r() * COMMANDS.length)]!;
        const langidFix = bridge === 'snr' || r() < 0.4 ? 0x0409 : undefined;
        const s = script(bridge, r);
        const nut = runNut(bridge, langidFix, command, s);
        const ours = await runOurs(bridge, langidFix, command, s);
        const what = `${bridge} ${JSON.stringify(command)} langid ${langidFix ?? '-'} script ${JSON.stringify(s)}`;
        assert.deepEqual(ours.transfers, nut.transfers, `transfers differ: ${what}`);
        const nutReply = (() => {
          const cr = nut.buf.indexOf(0x0d);
          return Buffer.from(cr < 0 ? nut.buf : nut.buf.slice(0, cr)).toString('latin1');
        })();
        if (nut.ret > 0) {
          assert.equal(ours.error, undefined, `NUT replied ${JSON.stringify(nutReply)}, we failed (${String(ours.error)}): ${what}`);
          assert.equal(ours.reply, nutReply, what);
        } else if (nut.ret === 0) {
          assert.ok(ours.reply === '' || ours.error instanceof DeviceTimeoutError || ours.error instanceof DeviceReplyError, `NUT: no reply; ours ${JSON.stringify(ours.reply)} ${String(ours.error)}: ${what}`);
        } else {
          assert.ok(ours.error instanceof DeviceTimeoutError || ours.error instanceof DeviceReplyError || ours.error instanceof DeviceGoneError, `NUT failed ${nut.ret}; ours ${JSON.stringify(ours.reply)}: ${what}`);
        }
      }
    });
  }
});
