// A small line chart of fractions per epoch (token and sequence accuracy, training and
// test) with a 0–100 % axis, epoch ticks and a legend. Like the loss chart, many entries per
// pixel column are drawn as that column's min/max envelope, so a jump stays visible.

import { fitCanvas } from './canvas.js';

const PAD = { left: 34, right: 8, top: 16, bottom: 16 };
const FONT = '10px system-ui, sans-serif';

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{name: string, values: number[], color: string, dash?: number[]}[]} series
 *   entry i of every series is epoch (i + 1)·stride, or at `xs[i]` when given
 * @param {number} stride
 * @param {number[] | null} xs  each entry's own x (ascending: the Sequences mode's steps)
 */
export function paintSeries(canvas, series, stride = 1, xs = null) {
  const { ctx, w, h } = fitCanvas(canvas);
  const st = getComputedStyle(canvas);
  const axis = st.getPropertyValue('--muted').trim() || '#777';
  const grid = st.getPropertyValue('--border').trim() || '#ddd';
  const plot = { x: PAD.left, y: PAD.top, w: Math.max(10, w - PAD.left - PAD.right), h: Math.max(10, h - PAD.top - PAD.bottom) };
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const at = xs?.length ? (i) => xs[i] : (i) => (i + 1) * stride;
  const last = Math.max(1, n ? at(n - 1) : 0);
  const toX = (epoch) => plot.x + (epoch / last) * plot.w;
  const toY = (v) => plot.y + plot.h - Math.min(1, Math.max(0, v)) * plot.h;
  ctx.font = FONT;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of [0, 0.5, 1]) {
    const y = Math.round(toY(v)) + 0.5;
    ctx.strokeStyle = grid;
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
    ctx.stroke();
    ctx.fillStyle = axis;
    ctx.fillText(`${Math.round(v * 100)}%`, plot.x - 4, y);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(String(last), plot.x + plot.w, plot.y + plot.h + 3);
  ctx.textAlign = 'left';
  ctx.fillText('0', plot.x, plot.y + plot.h + 3);
  // Legend along the top.
  let lx = plot.x;
  ctx.textBaseline = 'middle';
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    ctx.moveTo(lx, PAD.top / 2);
    ctx.lineTo(lx + 14, PAD.top / 2);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = axis;
    ctx.fillText(s.name, lx + 17, PAD.top / 2);
    lx += 24 + ctx.measureText(s.name).width;
  }
  for (const s of series) drawEnvelope(ctx, s, at, plot, toX, toY, !!xs?.length);
  canvas.dataset.lastX = String(last);
  canvas.dataset.last = series.map((s) => (s.values.length ? s.values[s.values.length - 1].toFixed(4) : '')).join(' ');
}

function drawEnvelope(ctx, s, at, plot, toX, toY, ownXs) {
  const v = s.values;
  if (!v.length) return;
  ctx.strokeStyle = s.color;
  ctx.setLineDash(s.dash || []);
  ctx.beginPath();
  const columns = Math.max(1, Math.floor(plot.w));
  const perColumn = v.length / columns;
  // Entries at their own x may be unevenly spaced: drawn one by one, not per pixel column.
  if (perColumn <= 1 || ownXs) {
    v.forEach((y, i) => {
      const px = toX(at(i));
      if (i === 0) ctx.moveTo(px, toY(y));
      else ctx.lineTo(px, toY(y));
    });
  } else {
    for (let c = 0; c < columns; c++) {
      const from = Math.floor(c * perColumn);
      const to = Math.min(v.length, Math.floor((c + 1) * perColumn));
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
      }
      if (lo > hi) continue;
      const px = plot.x + c + 0.5;
      if (c === 0) ctx.moveTo(px, toY(lo));
      else ctx.lineTo(px, toY(lo));
      ctx.lineTo(px, toY(hi));
    }
  }
  ctx.stroke();
  ctx.setLineDash([]);
}
