// A grid of attention maps: one row per attention layer, one canvas per head, painted with
// render/attention.js, and a readout of the hovered (query, key) weight.

import { h, clear } from '../dom.js';
import { paintAttention, attentionCellAt } from '../render/attention.js';
import { formatNumber } from '../format.js';
import { t, tr } from '../i18n/index.js';

export class AttentionGrid {
  constructor() {
    this.el = h('div', { className: 'attention-grid' });
    this.rows = h('div', {});
    this.readout = h('output', { className: 'chart-readout', dataset: { value: 'attention-hover' } });
    this.el.append(this.rows, this.readout);
    this.canvases = [];
    this.shape = '';
  }

  /**
   * @param {{layer: number, heads: number, len: number, weights: number[]}[]} maps  the
   *   engine's maps for one sequence, `weights[(h·len + query)·len + key]`
   * @param {string[]} tokens  the sequence's token names
   */
  show(maps, tokens) {
    const shape = maps.map((m) => `${m.heads}x${m.len}`).join(',');
    if (shape !== this.shape) this.rebuild(maps);
    this.maps = maps;
    this.tokens = tokens;
    maps.forEach((m, li) => {
      const n = m.len * m.len;
      for (let hd = 0; hd < m.heads; hd++) {
        const entry = this.canvases[li][hd];
        entry.weights = m.weights.slice(hd * n, (hd + 1) * n);
        entry.geometry = paintAttention(entry.canvas, entry.weights, m.len, tokens);
        entry.canvas.dataset.painted = 'true';
      }
    });
  }

  rebuild(maps) {
    clear(this.rows);
    this.shape = maps.map((m) => `${m.heads}x${m.len}`).join(',');
    this.canvases = maps.map((m, li) => {
      const row = h('div', { className: 'attention-row' }, h('span', { className: 'caption', textContent: tr('seq.attentionLayer', { name: li + 1 }) }));
      const entries = [];
      for (let hd = 0; hd < m.heads; hd++) {
        const canvas = h('canvas', { className: 'attention-map', dataset: { layer: String(li), head: String(hd) }, role: 'img', 'aria-label': () => `${t('seq.attentionLayer', { name: li + 1 })}, ${t('seq.attentionHead', { name: hd + 1 })}` });
        const entry = { canvas, weights: null, geometry: null };
        canvas.addEventListener('mousemove', (ev) => this.hover(entry, m.len, ev));
        canvas.addEventListener('mouseleave', () => { this.readout.textContent = ''; });
        row.append(h('figure', {}, canvas, h('figcaption', { textContent: tr('seq.attentionHead', { name: hd + 1 }) })));
        entries.push(entry);
      }
      this.rows.append(row);
      return entries;
    });
  }

  hover(entry, len, ev) {
    if (!entry.geometry) return;
    const cell = attentionCellAt(entry.canvas, entry.geometry, len, ev);
    if (!cell) {
      this.readout.textContent = '';
      return;
    }
    const t = this.tokens || [];
    this.readout.textContent = t('seq.attentionHover', {
      q: cell.query, qt: t[cell.query] ?? '', k: cell.key, kt: t[cell.key] ?? '',
      w: formatNumber(entry.weights[cell.query * len + cell.key], 3),
    });
  }
}
