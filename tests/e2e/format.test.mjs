// The page's number formatting (www/format.js), alone in Node: losses and metrics of any
// size come out short, so a diverging regression cannot push the layout apart.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber } from '../../www/format.js';

test('losses of every size fit in a few characters', () => {
  assert.equal(formatNumber(5.2449039623034866e35), '5.24e+35');
  assert.equal(formatNumber(-5.2449039623034866e35), '-5.24e+35');
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(12.3456), '12.35');
  assert.equal(formatNumber(1234.56), '1235');
  assert.equal(formatNumber(0.0012), '0.001200');
  assert.equal(formatNumber(1.5e-7), '1.50e-7');
  assert.equal(formatNumber(0), '0');
  // Closer to 0 than f32 noise: one wording everywhere.
  assert.equal(formatNumber(2e-9), '< 1e-8');
  assert.equal(formatNumber(-3e-12), '> -1e-8');
  assert.equal(formatNumber(1e-8), '1.00e-8');
  for (const v of [NaN, Infinity, -Infinity, undefined, null, '3']) assert.equal(formatNumber(v), '—');
  for (let e = -320; e <= 308; e += 7) {
    for (const v of [1.2345678 * 10 ** e, -9.87654321 * 10 ** e]) {
      const s = formatNumber(v);
      assert.ok(s.length <= 10, `${v} → ${s}`);
      if (Math.abs(v) < 1e-8) assert.match(s, /^[<>] -?1e-8$/, `${v} → ${s}`);
      else if (Number.isFinite(v) && v !== 0) assert.ok(Math.abs(Number(s) - v) <= Math.abs(v) * 1e-2, `${v} → ${s}`);
    }
  }
});
