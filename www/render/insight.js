// The model report's small plots on canvases: the ROC curve with its diagonal, the
// predicted-against-actual scatter with its identity line, and horizontal importance bars.

import { formatNumber } from '../format.js';
import { fitCanvas } from './canvas.js';
import { t } from '../i18n/index.js';

/** The canvas fitted and cleared (`fitCanvas`), with the theme's colours read once. */
function prepare(canvas) {
  const { ctx, w, h } = fitCanvas(canvas);
  if (!canvas.themeColors) {
    const s = getComputedStyle(canvas);
    canvas.themeColors = {
      line: s.getPropertyValue('--test-line').trim() || '#222',
      faint: s.getPropertyValue('--train-line').trim() || '#aaa',
      pos: s.getPropertyValue('--pos').trim() || '#0877bd',
      neg: s.getPropertyValue('--neg').trim() || '#f59322',
    };
  }
  return { ctx, w, h, colors: canvas.themeColors };
}

const PAD = 18;

function frame(ctx, w, h, colors, xLabel, yLabel) {
  ctx.strokeStyle = colors.faint;
  ctx.lineWidth = 1;
  ctx.strokeRect(PAD, 2, w - PAD - 2, h - PAD - 2);
  ctx.fillStyle = colors.line;
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(xLabel, PAD + 2, h - 4);
  ctx.save();
  ctx.translate(10, h - PAD - 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}

/** `roc`: `{points: [{fpr, tpr}], auc}` from the engine. */
export function paintRoc(canvas, roc) {
  const { ctx, w, h, colors } = prepare(canvas);
  frame(ctx, w, h, colors, t('roc.fpr'), t('roc.tpr'));
  const X = (v) => PAD + v * (w - PAD - 2);
  const Y = (v) => h - PAD - v * (h - PAD - 4);
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = colors.faint;
  ctx.beginPath();
  ctx.moveTo(X(0), Y(0));
  ctx.lineTo(X(1), Y(1));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = colors.pos;
  ctx.lineWidth = 2;
  ctx.beginPath();
  roc.points.forEach((p, i) => (i ? ctx.lineTo(X(p.fpr), Y(p.tpr)) : ctx.moveTo(X(p.fpr), Y(p.tpr))));
  ctx.stroke();
}

/** `pairs`: `[actual, predicted]` in the target's units. */
export function paintScatter(canvas, pairs) {
  const { ctx, w, h, colors } = prepare(canvas);
  frame(ctx, w, h, colors, 'actual', 'predicted');
  if (!pairs.length) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const [a, p] of pairs) {
    if (Number.isFinite(a)) { lo = Math.min(lo, a); hi = Math.max(hi, a); }
    if (Number.isFinite(p)) { lo = Math.min(lo, p); hi = Math.max(hi, p); }
  }
  if (!(hi > lo)) { hi = lo + 1; }
  const X = (v) => PAD + ((v - lo) / (hi - lo)) * (w - PAD - 2);
  const Y = (v) => h - PAD - ((v - lo) / (hi - lo)) * (h - PAD - 4);
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = colors.faint;
  ctx.beginPath();
  ctx.moveTo(X(lo), Y(lo));
  ctx.lineTo(X(hi), Y(hi));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = colors.pos;
  ctx.globalAlpha = 0.6;
  for (const [a, p] of pairs) ctx.fillRect(X(a) - 1.5, Y(p) - 1.5, 3, 3);
  ctx.globalAlpha = 1;
  ctx.fillStyle = colors.line;
  ctx.fillText(`${formatNumber(lo, 3)} … ${formatNumber(hi, 3)}`, w - 80, h - 4);
}

/** `columns`: `[name, mean drop, std]`, drawn largest first. */
export function paintBars(canvas, columns) {
  const rows = [...columns].sort((a, b) => b[1] - a[1]).slice(0, 40);
  canvas.style.height = `${Math.max(1, rows.length) * 16 + 4}px`;
  const { ctx, w, colors } = prepare(canvas);
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r[1])));
  const left = Math.min(110, w / 2);
  ctx.font = '11px system-ui, sans-serif';
  rows.forEach(([name, mean], i) => {
    const y = 2 + i * 16;
    ctx.fillStyle = colors.line;
    ctx.fillText(name.length > 16 ? `${name.slice(0, 15)}…` : name, 0, y + 11);
    const len = (Math.abs(mean) / max) * (w - left - 50);
    ctx.fillStyle = mean >= 0 ? colors.pos : colors.neg;
    ctx.fillRect(left, y + 2, Math.max(1, len), 11);
    ctx.fillStyle = colors.line;
    ctx.fillText(formatNumber(mean, 2), left + len + 4, y + 11);
  });
}
