import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyIgnoreLb } from '../../src/drivers/ignorelb';

const vars = (m: Record<string, string>) => (n: string) => m[n];

test('ignorelb: the device LB dropped, LB appended when charge or runtime is below its mark, as strtol reads them', () => {
  assert.deepEqual(applyIgnoreLb(['OB', 'LB'], vars({ 'battery.charge': '50', 'battery.charge.low': '20' })), { words: ['OB'], applied: true });
  assert.deepEqual(applyIgnoreLb(['OB'], vars({ 'battery.charge': '19.9', 'battery.charge.low': '20' })), { words: ['OB', 'LB'], applied: true });
  // strtol: "20.9" is 20, not below 20.
  assert.deepEqual(applyIgnoreLb(['OL'], vars({ 'battery.charge': '20.9', 'battery.charge.low': '20' })).words, ['OL']);
  assert.deepEqual(applyIgnoreLb(['OB', 'LB'], vars({ 'battery.runtime': '100', 'battery.runtime.low': '120' })).words, ['OB', 'LB']);
  // Garbage reads as 0, as strtol leaves it.
  assert.deepEqual(applyIgnoreLb(['OB'], vars({ 'battery.charge': 'n/a', 'battery.charge.low': '10' })).words, ['OB', 'LB']);
});

test('ignorelb with no usable pair keeps the device LB and says it was not applied', () => {
  assert.deepEqual(applyIgnoreLb(['OB', 'LB'], vars({ 'battery.charge': '50' })), { words: ['OB', 'LB'], applied: false });
  assert.deepEqual(applyIgnoreLb(['OB', 'LB'], vars({ 'battery.runtime.low': '50' })), { words: ['OB', 'LB'], applied: false });
});
