/**
 * No device input crashes the qx driver: every query parser of the
 * Megatec-family protocols, fed random bytes, real replies with characters
 * changed, cut short or lengthened, either returns values or throws
 * QxParseError (a missed poll). Anything else would be a bug of ours; the
 * runtime would log it with its stack, so this looks for it first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QxParseError } from '../../src/drivers/qx/fields';
import type { QxContext, QxProtocol } from '../../src/drivers/qx/protocol';
import { bestups } from '../../src/drivers/qx/protocols/bestups';
import { mecer } from '../../src/drivers/qx/protocols/mecer';
import { megatec } from '../../src/drivers/qx/protocols/megatec';
import { megatecOld } from '../../src/drivers/qx/protocols/megatec-old';
import { mustek } from '../../src/drivers/qx/protocols/mustek';
import { q1 } from '../../src/drivers/qx/protocols/q1';
import { zinto } from '../../src/drivers/qx/protocols/zinto';

const SEEDS = [
  '(230.0 140.0 230.0 010 50.0 27.0 30.0 00001001',
  '#230.0 004 024.0 50.0',
  '#ACME            UPS-1000   V1.0      ',
  'FOR,750,120,120,20.0,27.6',
  '025',
  '0',
  '(PI98',
  '(NAK',
];

/** A small deterministic generator (xorshift32), so a failure repeats. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function mutants(next: () => number, n: number): string[] {
  const out: string[] = ['', '\u0000', ' ', '('.repeat(200), '\r\r\r'];
  const alphabet = '()#@-.,0123456789 01\u0000\u00ffABCxyz\t';
  for (let i = 0; i < n; i++) {
    const base = SEEDS[Math.floor(next() * SEEDS.length)]!;
    const chars = [...base];
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (chars.length + 1));
      const c = alphabet[Math.floor(next() * alphabet.length)]!;
      const op = next();
      if (op < 0.4) chars[at] = c;
      else if (op < 0.6) chars.splice(at, 1);
      else if (op < 0.8) chars.splice(at, 0, c);
      else chars.length = Math.floor(next() * chars.length);
    }
    out.push(chars.join(''));
    // Pure noise too, of every length up to 64.
    out.push(Array.from({ length: Math.floor(next() * 64) }, () => String.fromCharCode(Math.floor(next() * 256))).join(''));
  }
  return out;
}

const PROTOCOLS: QxProtocol[] = [megatec, megatecOld, mustek, zinto, q1, mecer, bestups];
const contexts: QxContext[] = [
  { options: { norating: false, novendor: false, ignoresab: false, batteryVoltageReportsOnePack: false, raw: {} }, vars: new Map() },
  {
    options: { norating: true, novendor: true, ignoresab: true, batteryVoltageReportsOnePack: true, raw: {} },
    vars: new Map([
      ['battery.packs', '12'],
      ['device.model', 'Patriot Pro'],
      ['input.voltage.nominal', '230'],
    ]),
  },
];

test('every parser returns values or throws QxParseError for any reply', () => {
  const inputs = mutants(rng(20261202), 3000);
  let parsed = 0;
  for (const p of PROTOCOLS) {
    for (const q of p.queries) {
      for (const ctx of contexts) {
        for (const reply of inputs) {
          try {
            const r = q.parse(reply, ctx);
            parsed++;
            for (const v of Object.values(r.vars ?? {})) assert.equal(typeof v, 'string');
            for (const v of Object.values(r.vars ?? {})) assert.ok(!/NaN|undefined|Infinity/.test(v), `${p.name} ${JSON.stringify(q.command)}: ${JSON.stringify(reply)} gave ${v}`);
          } catch (err) {
            if (!(err instanceof QxParseError)) assert.fail(`${p.name} ${JSON.stringify(q.command)} on ${JSON.stringify(reply)}: ${String(err)}`);
          }
        }
      }
    }
  }
  // Some mutants are still good replies: the generator is not only producing noise.
  assert.ok(parsed > 100, `only ${parsed} parsed`);
});

test('command reply judging never throws', () => {
  for (const reply of mutants(rng(7), 500)) {
    const v = mecer.commandReplyValue?.(reply);
    assert.ok(v === null || typeof v === 'string');
  }
});
