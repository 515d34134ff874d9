// Attention maps: one query × key heat map per layer and head for a chosen sequence. Row i
// is the query at position i, column j the key at position j, the shade the weight that
// query gives that key (each row sums to 1). Tokens label both axes; the largest weight of
// each row is outlined, so "where does this position look" reads at a glance.

import { fitCanvas } from './canvas.js';

const FONT = '10px system-ui, sans-serif';
const LABEL = 14;

/**
 * Paints one head's map.
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array|number[]} weights  length·length, row-major (query rows)
 * @param {number} length
 * @param {string[]} tokens  the sequence's tokens, one per position
 * @returns {{cell: number, x0: number, y0: number}} the geometry, for hover lookups
 */
export function paintAttention(canvas, weights, length, tokens) {
  const { ctx, w, h } = fitCanvas(canvas);
  const side = Math.max(1, Math.min(w, h) - LABEL);
  const cell = side / Math.max(1, length);
  const x0 = LABEL;
  const y0 = LABEL;
  const st = getComputedStyle(canvas);
  const ink = st.getPropertyValue('--text').trim() || '#222';
  const muted = st.getPropertyValue('--muted').trim() || '#777';
  for (let i = 0; i < length; i++) {
    let best = 0;
    for (let j = 0; j < length; j++) {
      const v = weights[i * length + j];
      if (v > weights[i * length + best]) best = j;
      // Blue of the playground's positive end, opacity by weight: 0 is the background.
      ctx.fillStyle = `rgba(8,119,189,${Math.max(0, Math.min(1, v)).toFixed(3)})`;
      ctx.fillRect(x0 + j * cell, y0 + i * cell, Math.ceil(cell), Math.ceil(cell));
    }
    if (length > 0) {
      ctx.strokeStyle = ink;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + best * cell + 0.5, y0 + i * cell + 0.5, Math.max(1, cell - 1), Math.max(1, cell - 1));
    }
  }
  ctx.font = FONT;
  ctx.fillStyle = muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const every = Math.max(1, Math.ceil(10 / cell));
  for (let p = 0; p < length; p += every) {
    const label = tokens[p] ?? '';
    ctx.fillText(label, x0 + (p + 0.5) * cell, LABEL / 2);
    ctx.fillText(label, LABEL / 2, y0 + (p + 0.5) * cell);
  }
  return { cell, x0, y0 };
}

/** The (query, key) cell under a pointer event, or null. */
export function attentionCellAt(canvas, geometry, length, ev) {
  const r = canvas.getBoundingClientRect();
  const j = Math.floor((ev.clientX - r.left - geometry.x0) / geometry.cell);
  const i = Math.floor((ev.clientY - r.top - geometry.y0) / geometry.cell);
  return i >= 0 && j >= 0 && i < length && j < length ? { query: i, key: j } : null;
}
