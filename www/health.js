// The training-health panel: per dense layer, mean |weight|, mean |gradient|, the update to
// weight ratio, dead or saturated units and a histogram of the activations, as the engine
// measures them a few times a second while the panel is open. Mixed into
// `Playground.prototype`; `this` is the playground.

import { h, clear } from './dom.js';
import { formatNumber } from './format.js';
import { fitCanvas } from './render/canvas.js';
import { t, tr } from './i18n/index.js';

export const healthMethods = {
  buildHealth() {
    const c = this.controls;
    c.healthTable = h('table', { className: 'health-table', 'aria-label': tr('health.aria') });
    c.health = h('details', { className: 'health', dataset: { key: 'health' } },
      h('summary', { textContent: tr('health') }),
      h('p', { className: 'muted', textContent: tr('health.help') }),
      // Its own sideways scroll where the column is narrower than the table.
      h('div', { className: 'health-host' }, c.healthTable));
    c.health.addEventListener('toggle', () => this.call('setView', { health: c.health.open }).catch(() => {}));
    return c.health;
  },

  drawHealth(layers) {
    const table = this.controls.healthTable;
    clear(table);
    if (!layers?.length) return;
    table.append(h('tr', {}, [tr('health.layer'), tr('health.w'), tr('health.grad'), tr('health.ratio'), tr('health.dead'), tr('health.acts')].map((s) => h('th', { textContent: s }))));
    layers.forEach((l, i) => {
      const name = i === layers.length - 1 ? tr('health.outputRow', { units: l.units }) : `${l.layer + 1} (${l.units} ${l.activation})`;
      const share = l.dead_share ?? l.saturated_share;
      const hist = h('canvas', { className: 'health-hist', width: 64, height: 18 });
      table.append(h('tr', { dataset: { layer: String(l.layer) } }, h('th', { textContent: name }),
        h('td', { textContent: formatNumber(l.mean_abs_weight, 3) }),
        h('td', { textContent: formatNumber(l.mean_abs_grad, 3), dataset: { grad: String(l.mean_abs_grad) } }),
        h('td', { textContent: formatNumber(l.update_ratio, 2) }),
        h('td', { textContent: share === null || share === undefined ? '—' : () => `${(share * 100).toFixed(0)} % ${l.dead_share !== null && l.dead_share !== undefined ? t('health.deadWord') : t('health.saturatedWord')}` }),
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
