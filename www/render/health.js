// The training-health panel: one row per dense layer with the engine's figures (mean
// |weight|, mean |gradient|, update-to-weight ratio, dead or saturated units) and a small
// histogram of the layer's outputs, plus the last-to-first gradient ratio. Rows are built
// once per layer count and updated in place.

import { h, clear } from '../dom.js';
import { formatNumber } from '../format.js';

const HIST_W = 48;
const HIST_H = 18;

export class HealthView {
  constructor(host) {
    this.host = host;
    this.summary = h('p', { className: 'health-summary' });
    this.body = h('tbody');
    const cols = [['Layer', ''], ['Units', ''], ['|W|', 'mean |weight|'], ['|∇W|', 'mean |gradient| on the sampled training rows'], ['Step/|W|', 'learning rate × mean |gradient| ÷ mean |weight|: around 1e-3 is healthy'], ['Inactive', 'dead ReLU units (0 on every sampled row) or saturated tanh / sigmoid units'], ['Outputs', 'histogram of the layer\'s outputs on the sampled rows']];
    const head = h('thead', {}, h('tr', {}, cols.map(([t, title]) => h('th', { scope: 'col', textContent: t, title: title || undefined }))));
    this.table = h('table', { className: 'health' }, head, this.body);
    host.append(this.summary, this.table);
    this.rows = [];
  }

  draw(report) {
    if (!report) return;
    const n = report.layers.length;
    if (this.rows.length !== n) this.build(n);
    report.layers.forEach((l, i) => {
      const r = this.rows[i];
      r.name.textContent = i === n - 1 ? 'out' : String(i + 1);
      r.units.textContent = `${l.units} ${l.activation}`;
      r.w.textContent = formatNumber(l.mean_abs_weight);
      r.g.textContent = formatNumber(l.mean_abs_gradient);
      r.ratio.textContent = Number.isFinite(l.update_ratio) ? l.update_ratio.toExponential(1) : '—';
      r.inactive.textContent = l.inactive_kind ? `${Math.round(l.inactive_share * 100)} % ${l.inactive_kind}` : '—';
      paintHistogram(r.hist, l.histogram, l.range);
    });
    const ratio = report.gradient_ratio;
    this.summary.textContent = Number.isFinite(ratio)
      ? `Gradient, last layer ÷ first: ${ratio >= 100 ? ratio.toExponential(1) : formatNumber(ratio)} (far above 1: it vanishes on its way back) · ${report.rows} training rows`
      : 'No gradient yet: add training data.';
    this.host.dataset.gradientRatio = String(ratio);
  }

  build(n) {
    clear(this.body);
    this.rows = [];
    for (let i = 0; i < n; i++) {
      const cells = { name: h('th', { scope: 'row' }), units: h('td'), w: h('td'), g: h('td'), ratio: h('td'), inactive: h('td') };
      cells.hist = h('canvas', { className: 'health-hist', width: HIST_W, height: HIST_H, role: 'img', 'aria-label': `Histogram of the outputs of layer ${i + 1}` });
      this.body.append(h('tr', {}, cells.name, cells.units, cells.w, cells.g, cells.ratio, cells.inactive, h('td', {}, cells.hist)));
      this.rows.push(cells);
    }
  }
}

function paintHistogram(canvas, bins, range) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, HIST_W, HIST_H);
  const max = Math.max(1, ...bins);
  const bw = HIST_W / bins.length;
  if (!canvas.barColor) canvas.barColor = getComputedStyle(canvas).getPropertyValue('--test-line').trim() || '#444';
  ctx.fillStyle = canvas.barColor;
  bins.forEach((c, i) => {
    const bh = Math.round((c / max) * (HIST_H - 1));
    if (bh > 0) ctx.fillRect(i * bw + 0.5, HIST_H - bh, Math.max(1, bw - 1), bh);
  });
  canvas.title = `outputs from ${formatNumber(range[0])} to ${formatNumber(range[1])}`;
}
