// The training-health panel: per dense layer, mean |weight|, mean |gradient|, the update to
// weight ratio, dead or saturated units and a histogram of the activations, as the engine
// measures them a few times a second while the panel is open. Mixed into
// `Playground.prototype`; `this` is the playground.

import { h, clear } from './dom.js';
import { formatNumber } from './format.js';
import { fitCanvas } from './render/canvas.js';

export const healthMethods = {
  buildHealth() {
    const c = this.controls;
    c.healthTable = h('table', { className: 'health-table', 'aria-label': 'Training health per layer' });
    c.health = h('details', { className: 'health', dataset: { key: 'health' } },
      h('summary', { textContent: 'Training health' }),
      h('p', { className: 'muted', textContent: 'Per layer, on a sample of the training rows: gradients that shrink from the output back to the first layer vanish; an update/weight ratio far below 1e-3 learns slowly, far above it jumps.' }),
      c.healthTable);
    c.health.addEventListener('toggle', () => this.call('setView', { health: c.health.open }).catch(() => {}));
    return c.health;
  },

  drawHealth(layers) {
    const t = this.controls.healthTable;
    clear(t);
    if (!layers?.length) return;
    t.append(h('tr', {}, ['layer', 'mean |w|', 'mean |∇w|', 'update / w', 'dead / saturated', 'activations'].map((s) => h('th', { textContent: s }))));
    layers.forEach((l, i) => {
      const name = i === layers.length - 1 ? `output (${l.units})` : `${l.layer + 1} (${l.units} ${l.activation})`;
      const share = l.dead_share ?? l.saturated_share;
      const hist = h('canvas', { className: 'health-hist', width: 64, height: 18 });
      t.append(h('tr', { dataset: { layer: String(l.layer) } }, h('th', { textContent: name }),
        h('td', { textContent: formatNumber(l.mean_abs_weight, 3) }),
        h('td', { textContent: formatNumber(l.mean_abs_grad, 3), dataset: { grad: String(l.mean_abs_grad) } }),
        h('td', { textContent: formatNumber(l.update_ratio, 2) }),
        h('td', { textContent: share === null || share === undefined ? '—' : `${(share * 100).toFixed(0)} % ${l.dead_share !== null && l.dead_share !== undefined ? 'dead' : 'saturated'}` }),
        h('td', {}, hist)));
      paintHistogram(hist, l.hist);
    });
  },
};

function paintHistogram(canvas, counts) {
  const { ctx, w, h: ht } = fitCanvas(canvas);
  const max = Math.max(1, ...counts);
  const bw = w / counts.length;
  ctx.fillStyle = getComputedStyle(canvas).getPropertyValue('--pos').trim() || '#0877bd';
  counts.forEach((n, i) => {
    const bh = (n / max) * ht;
    ctx.fillRect(i * bw, ht - bh, Math.max(1, bw - 1), bh);
  });
}
