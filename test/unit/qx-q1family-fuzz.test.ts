/**
 * Seeded random damage to real replies, for every query of voltronic,
 * voltronic-qs, voltronic-qs-hex, q2 and q6: each parse either refuses the
 * reply with QxParseError or returns values that are well formed (numeric
 * variables as NUT prints numbers, never empty, never NaN); it never throws
 * anything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QxParseError } from '../../src/drivers/qx/fields';
import type { QxProtocol } from '../../src/drivers/qx/protocol';
import { q2 } from '../../src/drivers/qx/protocols/q2';
import { q6 } from '../../src/drivers/qx/protocols/q6';
import { voltronic } from '../../src/drivers/qx/protocols/voltronic';
import { voltronicQs } from '../../src/drivers/qx/protocols/voltronic-qs';
import { voltronicQsHex } from '../../src/drivers/qx/protocols/voltronic-qs-hex';
import { qxCtx, qxFixture } from '../helpers/qx-kit';

const V = qxFixture<Record<string, string>>('voltronic.json');
const QS = qxFixture<Record<string, string>>('voltronic-qs.json');
const Q26 = qxFixture<Record<string, string>>('q2-q6.json');

/** Good replies by protocol and command (without \r). */
const GOOD: Array<[QxProtocol, Record<string, string>]> = [
  [
    voltronic,
    {
      'QPI\r': V['QPI']!, 'QRI\r': V['QRI']!, 'QMD\r': V['QMD']!, 'F\r': V['F']!, 'QMF\r': V['QMF']!, 'QVFW\r': V['QVFW']!, 'QID\r': V['QID']!, 'I\r': V['I']!,
      'QGS\r': V['QGS']!, 'QMOD\r': V['QMOD']!, 'QFS\r': V['QFS']!, 'QWS\r': V['QWS_testing']!, 'QBV\r': V['QBV']!, 'QLDL\r': V['QLDL']!,
      'Q3PV\r': V['Q3PV']!, 'Q3PC\r': V['Q3PC']!, 'Q3OV\r': V['Q3OV']!, 'Q3OC\r': V['Q3OC']!, 'Q3LD\r': V['Q3LD']!, 'Q3YV\r': V['Q3YV']!,
      'QFLAG\r': V['QFLAG']!, 'QSK1\r': V['QSK1']!, 'QSKT1\r': V['QSKT1']!, 'QHE\r': V['QHE']!, 'QFRE\r': V['QFRE']!, 'QBT\r': V['QBT']!, 'RE0\r': V['RE0']!,
    },
  ],
  [voltronicQs, { 'M\r': QS['M_V']!, 'QS\r': QS['QS']!, 'F\r': QS['F']!, 'QI\r': QS['QI']! }],
  [voltronicQsHex, { 'M\r': QS['hex_M_T']!, 'QS\r': QS['hex_QS_T']! }],
  [q2, { 'Q2\r': Q26['Q2']!, 'WA\r': Q26['WA']!, 'Q1\r': Q26['Q1']! }],
  [q6, { 'Q6\r': Q26['Q6']!, 'WA\r': Q26['WA']!, 'Q1\r': Q26['Q1']! }],
];

/** Variables whose value is text; every other one must read as a NUT-printed number. */
const TEXT = /^(device\.|ups\.(firmware|type|beeper\.status|power\.nominal|start\.)|battery\.(type|protection|energysave)|outlet\.\d\.(switchable|status)|experimental\..*topology)/;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function damage(good: string, r: () => number): string {
  const chars = '0123456789 .()#-@ABCDEFPIKNOxyz\u0000\u00ff\u0028\u0001';
  const pick = () => chars[Math.floor(r() * chars.length)]!;
  let s = good;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 4);
    if (op === 0) s = s.slice(0, at) + pick() + s.slice(at + 1);
    else if (op === 1) s = s.slice(0, at) + pick() + s.slice(at);
    else if (op === 2) s = s.slice(0, at) + s.slice(at + 1);
    else s = s.slice(0, at);
  }
  return s;
}

test('damaged replies: QxParseError or well-formed values, never another error', () => {
  const r = rng(Number(process.env.QX_FUZZ_SEED ?? 20261202));
  let refused = 0;
  let parsed = 0;
  for (const [p, replies] of GOOD) {
    for (const q of p.queries) {
      const good = replies[q.command];
      if (good === undefined) continue;
      for (const aux of p === voltronic ? ['P01', 'P10', 'P31', 'P09'] : p === voltronicQsHex ? ['PM-T', 'PM-P'] : ['']) {
        const ctx = qxCtx({ 'ups.firmware.aux': aux, 'output.voltage.nominal': '230.0', 'output.frequency.nominal': '50.0' });
        for (let i = 0; i < 150; i++) {
          const reply = damage(good, r);
          let reading;
          try {
            reading = q.parse(reply, ctx);
          } catch (err) {
            assert.ok(err instanceof QxParseError, `${p.name} ${JSON.stringify(q.command)} ${JSON.stringify(reply)}: ${String(err)}`);
            refused++;
            continue;
          }
          parsed++;
          for (const [name, value] of Object.entries(reading.vars ?? {})) {
            const where = `${p.name} ${JSON.stringify(q.command)} ${JSON.stringify(reply)} -> ${name}=${JSON.stringify(value)}`;
            assert.equal(typeof value, 'string', where);
            assert.ok(value.length > 0, where);
            if (!TEXT.test(name)) assert.match(value, /^-?\d+(\.\d+)?$/, where);
            // eslint-disable-next-line no-control-regex
            assert.doesNotMatch(value, /[\u0000-\u001f\u007f]/, `${where}: a control character`);
          }
          for (const a of reading.alarms ?? []) assert.ok(typeof a === 'string' && a.length > 0, `${p.name} alarm`);
        }
      }
    }
  }
  assert.ok(refused > 1000 && parsed > 1000, `refused ${refused}, parsed ${parsed}`);
});
