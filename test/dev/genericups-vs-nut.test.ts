/**
 * Checks the upstab transcription the unit tests use (test/helpers/genericups-upstab.ts)
 * against NUT's own drivers/genericups.h. NUT's source is not part of this
 * project: point NUT_SRC at an unpacked NUT tree.
 *   NUT_SRC=/path/to/nut npx tsx --test test/dev/genericups-vs-nut.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CABLES } from '../../src/drivers/genericups/index';
import { TIOCM, UPSTAB } from '../helpers/genericups-upstab';

const header = join(process.env.NUT_SRC ?? '/work/nut-src', 'drivers/genericups.h');

test('the upstab transcription is NUT genericups.h', () => {
  const text = readFileSync(header, 'latin1').replace(/\/\*[\s\S]*?\*\//g, '');
  const body = text.slice(text.indexOf('upstab[] ='));
  const entries = [...body.matchAll(/\{\s*"([^"]*)",\s*"([^"]*)",\s*"([^"]*)",([^}]*)\}/g)];
  assert.equal(entries.length, 24);
  const num = (expr: string): number =>
    expr
      .split('|')
      .map((t) => t.trim())
      .reduce((a, t) => a | (t.startsWith('TIOCM_') ? TIOCM[t.slice(6) === 'RI' ? 'RNG' : (t.slice(6) as keyof typeof TIOCM)] : Number(t)), 0);
  entries.forEach((m, i) => {
    const v = m[4]!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(num);
    assert.equal(v.length, 10, `entry ${i}`);
    const r = UPSTAB[i]!;
    assert.deepEqual([m[1], m[2]], [r.mfr, r.model], `entry ${i} names`);
    assert.equal(m[3], CABLES[i]!.desc, `entry ${i} desc`);
    assert.deepEqual(v, [r.norm, ...r.ol, ...r.bl, ...r.rb, ...r.bypass, r.sd], `entry ${i} lines`);
  });
});
