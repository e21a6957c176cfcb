/** apcsmart's keys in a `ups:` entry: NUT's names, NUT's allowed values, refused on other drivers. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/app/config';
import { UpsAgentError } from '../../src/core/errors';

function problems(ups: Record<string, unknown>): string[] {
  try {
    validateConfig({ ups: { u: { driver: 'apcsmart', port: '/dev/ttyS0', ...ups } } });
    return [];
  } catch (err) {
    assert.ok(err instanceof UpsAgentError, String(err));
    return err.message.split('\n').slice(1).map((l) => l.trim());
  }
}

describe('apcsmart configuration', () => {
  test("NUT's options are accepted with NUT's values", () => {
    const cfg = validateConfig({ ups: { u: { driver: 'apcsmart', port: '/dev/ttyS0', cable: '940-0095B', ttymode: 'raw', sdtype: 4, advorder: '0123', awd: '05', cshdelay: 2.5, ignorelb: true } } });
    const u = cfg.ups.u!;
    assert.equal(u.cable, '940-0095B');
    assert.equal(u.sdtype, 4);
    assert.equal(u.advorder, '0123');
    assert.equal(u.awd, '05');
    assert.equal(u.cshdelay, 2.5);
    assert.deepEqual(problems({ advorder: 'no' }), []);
    assert.deepEqual(problems({ advorder: 'NO' }), []);
  });

  test('values NUT would exit on are refused, naming the key', () => {
    assert.ok(problems({ sdtype: 6 }).some((p) => p.startsWith('ups.u.sdtype')), problems({ sdtype: 6 }).join('\n'));
    assert.ok(problems({ advorder: '05' }).some((p) => p.startsWith('ups.u.advorder')));
    assert.ok(problems({ advorder: '012340' }).some((p) => p.startsWith('ups.u.advorder')));
    assert.ok(problems({ awd: '1000' }).some((p) => p.startsWith('ups.u.awd')));
    assert.ok(problems({ awd: 'x' }).some((p) => p.startsWith('ups.u.awd')));
    assert.ok(problems({ cshdelay: 10 }).some((p) => p.startsWith('ups.u.cshdelay')));
    assert.ok(problems({ cshdelay: 1.25 }).some((p) => p.startsWith('ups.u.cshdelay')));
  });

  test('apcsmart keys on another driver are named as such', () => {
    let msg = '';
    try {
      validateConfig({ ups: { d: { driver: 'dummy', port: 'x.dev', sdtype: 1 } } });
    } catch (err) {
      msg = String(err);
    }
    assert.match(msg, /sdtype/);
  });
});
