// The loss chart: training, test and (when there is a split for it) validation loss per
// epoch with axes, ticks and values, a linear or log loss scale, a hover readout (epoch and
// the losses), and markers for the best epoch and an early stop. Many entries per pixel column are drawn as that column's min/max
// envelope, so a spike or a divergence stays visible after 10⁶ epochs.

import { formatNumber } from '../format.js';
import { t, tr } from '../i18n/index.js';
import { say } from '../dom.js';

const PAD = { left: 42, right: 10, top: 8, bottom: 18 };
const FONT = '10px system-ui, sans-serif';

export class LossChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLOutputElement} readout  where the hovered epoch's values are written
   * @param {{readout?: string}} opts  the readout's text key (`{epoch}`, `{train}`, `{test}`)
   */
  constructor(canvas, readout, opts = {}) {
    this.canvas = canvas;
    this.readout = readout;
    this.readoutKey = opts.readout || 'replay.readout';
    this.data = { train: [], test: [], validation: [], stride: 1, stopped: false, xs: null };
    this.log = false;
    this.hoverX = null;
    canvas.addEventListener('mousemove', (ev) => {
      const r = canvas.getBoundingClientRect();
      this.hoverX = ev.clientX - r.left;
      this.paint();
    });
    canvas.addEventListener('mouseleave', () => {
      this.hoverX = null;
      this.paint();
    });
  }

  /**
   * `train`/`test`: entry i is epoch (i + 1)·stride, or `xs[i]` when given (ascending: the
   * Sequences mode's steps); `stopped`: early stopping ended it; `validation`: as `train`,
   * empty without a validation split.
   */
  setData(train, test, stride, stopped, xs, validation = []) {
    this.data = { train, test, validation, stride: stride || 1, stopped: !!stopped, xs: xs?.length ? xs : null };
    this.paint();
  }

  setLog(on) {
    this.log = !!on;
    this.paint();
  }

  paint() {
    const canvas = this.canvas;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = canvas.clientWidth || 240;
    const h = canvas.clientHeight || 120;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    // Reading computed style forces a style pass: the theme colours are read once.
    if (!this.colors) {
      const st = getComputedStyle(canvas);
      const v = (name, fallback) => st.getPropertyValue(name).trim() || fallback;
      this.colors = { train: v('--train-line', '#999'), test: v('--test-line', '#222'), validation: v('--val-line', '#1b7fbd'), axis: v('--muted', '#777'), grid: v('--border', '#ddd'), mark: v('--neg', '#f59322') };
    }
    const { train, test, validation, stride, xs } = this.data;
    const n = Math.max(train.length, test.length);
    const plot = { x: PAD.left, y: PAD.top, w: Math.max(10, w - PAD.left - PAD.right), h: Math.max(10, h - PAD.top - PAD.bottom) };
    // The x of entry i: its own when given, else (i + 1)·stride.
    const at = xs ? Object.assign((i) => xs[i], { byX: true }) : (i) => (i + 1) * stride;
    const lastEpoch = Math.max(1, n ? at(n - 1) : 0);
    const range = valueRange([train, test, validation], this.log);
    const yTicks = this.log ? logTicks(range.lo, range.hi) : linearTicks(0, range.hi);
    const lo = this.log ? range.lo : 0;
    const hi = this.log ? range.hi : Math.max(range.hi, yTicks[yTicks.length - 1] ?? range.hi);
    const toY = (v) => {
      const t = this.log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
      return plot.y + plot.h - Math.min(1, Math.max(0, t)) * plot.h;
    };
    const toX = (epoch) => plot.x + (epoch / lastEpoch) * plot.w;
    const xTicks = linearTicks(0, lastEpoch).filter((e) => e <= lastEpoch);

    // Axes, grid lines and tick values.
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = this.colors.grid;
    ctx.fillStyle = this.colors.axis;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of yTicks) {
      const y = Math.round(toY(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(plot.x, y);
      ctx.lineTo(plot.x + plot.w, y);
      ctx.stroke();
      ctx.fillText(tickText(v), plot.x - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const e of xTicks) {
      const x = Math.round(toX(e)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, plot.y + plot.h);
      ctx.lineTo(x, plot.y + plot.h + 3);
      ctx.stroke();
      ctx.fillText(countText(e), Math.min(Math.max(x, plot.x + 8), plot.x + plot.w - 8), plot.y + plot.h + 4);
    }
    ctx.strokeStyle = this.colors.axis;
    ctx.beginPath();
    ctx.moveTo(plot.x + 0.5, plot.y);
    ctx.lineTo(plot.x + 0.5, plot.y + plot.h + 0.5);
    ctx.lineTo(plot.x + plot.w, plot.y + plot.h + 0.5);
    ctx.stroke();
    Object.assign(this.canvas.dataset, { xTicks: xTicks.map(countText).join(' '), yTicks: yTicks.map(tickText).join(' '), scale: this.log ? 'log' : 'linear' });
    if (n < 1) {
      this.canvas.dataset.best = '';
      return;
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y - 1, plot.w + 1, plot.h + 2);
    ctx.clip();
    drawSeries(ctx, train, at, lastEpoch, plot, toY, this.colors.train);
    drawSeries(ctx, test, at, lastEpoch, plot, toY, this.colors.test);
    drawSeries(ctx, validation, at, lastEpoch, plot, toY, this.colors.validation);
    ctx.restore();

    // The best epoch, as early stopping picks it: lowest validation loss, else test loss,
    // else training loss.
    const watched = hasFinite(validation) ? validation : hasFinite(test) ? test : train;
    let best = -1;
    for (let i = 0; i < watched.length; i++) if (Number.isFinite(watched[i]) && (best < 0 || watched[i] < watched[best])) best = i;
    ctx.fillStyle = this.colors.mark;
    ctx.strokeStyle = this.colors.mark;
    if (best >= 0) {
      const bx = toX(at(best));
      const by = toY(watched[best]);
      ctx.beginPath();
      ctx.arc(bx, by, 3, 0, 2 * Math.PI);
      ctx.fill();
      ctx.textAlign = bx > plot.x + plot.w - 30 ? 'right' : 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(t('chart.best'), bx + (ctx.textAlign === 'left' ? 4 : -4), by - 2);
      this.canvas.dataset.best = String(at(best));
    }
    if (this.data.stopped) {
      const sx = Math.round(toX(lastEpoch)) - 0.5;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(sx, plot.y);
      ctx.lineTo(sx, plot.y + plot.h);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(t('chart.earlyStop'), sx - 3, plot.y);
    }
    this.paintHover(ctx, plot, at, lastEpoch, n, toX, toY);
  }

  /** The crosshair and the readout of the hovered epoch. */
  paintHover(ctx, plot, at, lastEpoch, n, toX, toY) {
    const { train, test, validation } = this.data;
    if (this.hoverX === null || this.hoverX < plot.x || this.hoverX > plot.x + plot.w) {
      say(this.readout, 'textContent', () => '');
      delete this.readout.dataset.epoch;
      return;
    }
    // The entry nearest the pointer (entries are in ascending x).
    const want = ((this.hoverX - plot.x) / plot.w) * lastEpoch;
    let i = 0;
    for (let lo = 0, hi = n - 1; lo <= hi;) {
      const mid = (lo + hi) >> 1;
      if (Math.abs(at(mid) - want) < Math.abs(at(i) - want)) i = mid;
      if (at(mid) < want) lo = mid + 1;
      else hi = mid - 1;
    }
    const epoch = at(i);
    const x = Math.round(toX(epoch)) + 0.5;
    ctx.strokeStyle = this.colors.axis;
    ctx.beginPath();
    ctx.moveTo(x, plot.y);
    ctx.lineTo(x, plot.y + plot.h);
    ctx.stroke();
    for (const [series, color] of [[train, this.colors.train], [test, this.colors.test], [validation, this.colors.validation]]) {
      if (!Number.isFinite(series[i])) continue;
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(x, toY(series[i]), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    const val = (v) => (Number.isFinite(v) ? formatNumber(v) : '—');
    const values = { epoch: epoch.toLocaleString('en'), train: val(train[i]), test: val(test[i]) };
    say(this.readout, 'textContent', hasFinite(validation)
      ? tr('chart.readoutValidation', { ...values, validation: val(validation[i]) })
      : tr(this.readoutKey, values));
    this.readout.dataset.epoch = String(epoch);
  }
}

/**
 * One series as a line; where several entries share a pixel column, the column's lowest and
 * highest value are both drawn (in their order), so nothing between them is lost.
 */
function drawSeries(ctx, series, at, lastEpoch, plot, toY, color) {
  const n = series.length;
  if (!n) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let pen = false;
  const to = (x, v) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    const y = toY(v);
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  };
  const xOf = (i) => plot.x + (at(i) / lastEpoch) * plot.w;
  const columns = Math.max(1, Math.floor(plot.w));
  if (n <= columns * 2) {
    for (let i = 0; i < n; i++) to(xOf(i), series[i]);
  } else {
    let start = 0;
    for (let c = 0; c < columns; c++) {
      // A column's entries: by index when evenly spaced, else those whose x falls in it.
      let end = Math.max(start + 1, Math.round(((c + 1) * n) / columns));
      if (at.byX) {
        for (end = start; end < n && at(end) <= ((c + 1) / columns) * lastEpoch; end++);
        // No entry in this column: the line runs on to the next one.
        if (end === start) continue;
      }
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end && i < n; i++) {
        const v = series[i];
        if (!Number.isFinite(v)) continue;
        if (lo < 0 || v < series[lo]) lo = i;
        if (hi < 0 || v > series[hi]) hi = i;
      }
      const x = plot.x + ((c + 0.5) / columns) * plot.w;
      if (lo < 0) to(x, NaN);
      else if (lo === hi) to(x, series[lo]);
      else if (lo < hi) { to(x, series[lo]); to(x, series[hi]); } else { to(x, series[hi]); to(x, series[lo]); }
      start = end;
    }
  }
  ctx.stroke();
}

function hasFinite(a) {
  for (const v of a) if (Number.isFinite(v)) return true;
  return false;
}

/** The finite values' span; on a log scale whole decades around the positive ones. */
function valueRange(series, log) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return log ? { lo: 0.01, hi: 1 } : { lo: 0, hi: 1 };
  if (!log) return { lo: 0, hi: hi > 0 ? hi : 1 };
  const dLo = Math.floor(Math.log10(lo));
  let dHi = Math.ceil(Math.log10(hi));
  if (dHi <= dLo) dHi = dLo + 1;
  return { lo: 10 ** dLo, hi: 10 ** dHi };
}

/** Round ticks (1, 2 or 5 × 10^k apart) from `lo` up to at least `hi`, about four. */
function linearTicks(lo, hi) {
  const span = hi - lo || 1;
  const raw = span / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 0.999 && out.length < 12; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A tick per decade; with two decades or fewer also 2× and 5×. */
function logTicks(lo, hi) {
  const out = [];
  const d0 = Math.round(Math.log10(lo));
  const d1 = Math.round(Math.log10(hi));
  for (let d = d0; d <= d1; d++) {
    out.push(10 ** d);
    if (d1 - d0 <= 2 && d < d1) out.push(2 * 10 ** d, 5 * 10 ** d);
  }
  return out.map((v) => Number(v.toPrecision(6)));
}

function tickText(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** Epoch counts: 950, 1.5k, 20k, 1.2M. */
function countText(e) {
  if (e < 1000) return String(e);
  if (e < 1e6) return `${Number((e / 1e3).toPrecision(3))}k`;
  return `${Number((e / 1e6).toPrecision(3))}M`;
}
