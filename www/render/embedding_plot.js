// The token embeddings on their first two principal components: one labelled dot per
// token. For `a + b mod p` a trained model's tokens fall on a circle in order, the picture
// of the structure it learned; untrained ones are a cloud.

import { fitCanvas } from './canvas.js';
import { classCss } from './colors.js';

const PAD = 14;
const FONT = '11px system-ui, sans-serif';

/**
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array|number[]} xy  per token its (pc1, pc2), interleaved
 * @param {string[]} names  the tokens' names
 * @param {number[]} [explained]  the share of variance of each component, for the caption
 */
export function paintEmbedding(canvas, xy, names, explained) {
  const { ctx, w, h } = fitCanvas(canvas);
  const n = Math.floor(xy.length / 2);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 2 * n; i++) {
    if (xy[i] < lo) lo = xy[i];
    if (xy[i] > hi) hi = xy[i];
  }
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const side = Math.min(w, h) - 2 * PAD;
  const toP = (v) => PAD + ((v - lo) / (hi - lo)) * side;
  const st = getComputedStyle(canvas);
  const muted = st.getPropertyValue('--muted').trim() || '#777';
  ctx.font = FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < n; i++) {
    const x = toP(xy[2 * i]);
    const y = PAD + side - (toP(xy[2 * i + 1]) - PAD);
    ctx.fillStyle = classCss(i);
    ctx.beginPath();
    ctx.arc(x, y, 3, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = muted;
    ctx.fillText(names[i] ?? String(i), x + 4, y);
  }
  if (explained?.length >= 2) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`PC1 ${(explained[0] * 100).toFixed(0)}% · PC2 ${(explained[1] * 100).toFixed(0)}%`, w - 2, h - 2);
  }
  canvas.dataset.points = String(n);
}
