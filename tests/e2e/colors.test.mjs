// The class palette (www/render/colors.js), alone in Node: twenty classes keep apart, the
// first eight also for the two common colour-vision deficiencies, and none looks like the
// map's grey midpoint.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLASS_COLORS, classCss } from '../../www/render/colors.js';

const linear = (c) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
const encode = (v) => {
  const x = Math.min(1, Math.max(0, v));
  return 255 * (x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055);
};

/** sRGB → CIELAB (D65). */
function lab([r, g, b]) {
  const [R, G, B] = [r, g, b].map(linear);
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
const distance = (a, b) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

/** Machado, Oliveira and Fernandes (2009) at full severity, in linear RGB. */
const DEFICIENCIES = {
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
};
const seenWith = (m, c) => {
  const l = c.map(linear);
  return m.map((row) => encode(row[0] * l[0] + row[1] * l[1] + row[2] * l[2]));
};

function closestPair(colors) {
  let best = Infinity;
  for (let i = 0; i < colors.length; i++) for (let j = i + 1; j < colors.length; j++) best = Math.min(best, distance(colors[i], colors[j]));
  return best;
}

test('twenty classes get twenty colours that keep apart', () => {
  assert.equal(CLASS_COLORS.length, 20);
  assert.equal(new Set(Array.from({ length: 20 }, (_, k) => classCss(k))).size, 20);
  assert.ok(closestPair(CLASS_COLORS) >= 20, `closest pair ${closestPair(CLASS_COLORS)}`);
  for (const c of CLASS_COLORS) assert.ok(distance(c, [232, 234, 235]) >= 30, `${c} is near the map's grey`);
  // Binary sets keep the playground's orange and blue.
  assert.equal(classCss(0), 'rgb(245,147,34)');
  assert.equal(classCss(1), 'rgb(8,119,189)');
});

test('the first eight stay apart for deuteranopia and protanopia', () => {
  for (const [name, m] of Object.entries(DEFICIENCIES)) {
    const seen = CLASS_COLORS.slice(0, 8).map((c) => seenWith(m, c));
    assert.ok(closestPair(seen) >= 15, `${name}: closest pair ${closestPair(seen)}`);
  }
});
