// The confusion matrix of the metrics panel: a table for a few classes, updated in place;
// past TABLE_MAX_CLASSES a canvas heat map (one pixel block per cell) with a hover readout,
// so a 200-class matrix costs one putImageData instead of 40 000 table cells per frame.

import { t, tr } from '../i18n/index.js';
import { say } from '../dom.js';

export const TABLE_MAX_CLASSES = 20;
// The heat map's side in CSS pixels; cells are at least one device pixel.
const MAP_SIDE = 240;

function make(tag, props, parent) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  if (parent) parent.appendChild(e);
  return e;
}

export class ConfusionView {
  /** @param {HTMLElement} host  where the table or the heat map goes */
  constructor(host) {
    this.host = host;
    this.table = make('table', { className: 'confusion' }, host);
    say(this.table, 'aria-label', tr('cm.table'));
    this.map = make('div', { className: 'confusion-map' }, host);
    this.map.hidden = true;
    this.canvas = make('canvas', { className: 'confusion-canvas', tabIndex: 0 }, this.map);
    this.canvas.setAttribute('role', 'img');
    this.readout = make('output', { className: 'confusion-readout' }, this.map);
    this.readout.setAttribute('aria-live', 'polite');
    this.cells = null; // [i][j] → td of the table now built
    this.cm = null;
    this.hover = null;
    this.canvas.addEventListener('mousemove', (ev) => {
      const r = this.canvas.getBoundingClientRect();
      const k = this.cm?.classes || 0;
      if (!k || !r.width) return;
      const i = Math.min(k - 1, Math.floor(((ev.clientY - r.top) / r.height) * k));
      const j = Math.min(k - 1, Math.floor(((ev.clientX - r.left) / r.width) * k));
      this.hover = [i, j];
      this.showReadout();
    });
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      this.showReadout();
    });
  }

  /** cm: {classes, counts (true·classes + pred)} or null/undefined for none; `names`: the
   * classes' names where the data has them (else their indices are shown). */
  draw(cm, names = []) {
    this.cm = cm && cm.classes > 0 ? cm : null;
    this.names = names;
    const k = this.cm ? cm.classes : 0;
    const big = k > TABLE_MAX_CLASSES;
    this.table.hidden = big || !k;
    this.map.hidden = !big;
    if (!k) {
      this.clearTable();
      return;
    }
    if (big) {
      this.clearTable();
      this.paintMap(cm);
      this.showReadout();
    } else {
      this.fillTable(cm);
    }
  }

  clearTable() {
    if (!this.cells) return;
    while (this.table.firstChild) this.table.removeChild(this.table.firstChild);
    this.cells = null;
  }

  /** Builds the table once per class count; later frames only change the numbers. */
  fillTable(cm) {
    const k = cm.classes;
    const key = this.names.join('\u0000');
    if (!this.cells || this.cells.length !== k || this.namesKey !== key) {
      this.clearTable();
      this.namesKey = key;
      const head = make('tr', {}, this.table);
      say(make('th', {}, head), 'textContent', tr('cm.corner'));
      for (let j = 0; j < k; j++) make('th', { textContent: this.name(j) }, head);
      this.cells = [];
      for (let i = 0; i < k; i++) {
        const row = make('tr', {}, this.table);
        make('th', { textContent: this.name(i) }, row);
        const cells = [];
        for (let j = 0; j < k; j++) cells.push(make('td', { className: i === j ? 'diag' : '' }, row));
        this.cells.push(cells);
      }
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const text = String(cm.counts[i * k + j]);
        const td = this.cells[i][j];
        if (td.textContent !== text) td.textContent = text;
      }
    }
  }

  /** Each cell's share of its true class, darker for more; the diagonal in blue, errors in orange. */
  paintMap(cm) {
    const k = cm.classes;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    // Whole device pixels per cell, so every cell shows; at least one.
    const cell = Math.max(1, Math.floor((MAP_SIDE * dpr) / k));
    const side = cell * k;
    if (this.canvas.width !== side) {
      this.canvas.width = side;
      this.canvas.height = side;
      this.canvas.style.width = `${side / dpr}px`;
      this.canvas.style.height = `${side / dpr}px`;
      say(this.canvas, 'aria-label', tr('cm.canvas', { k }));
    }
    const ctx = this.canvas.getContext('2d');
    const img = ctx.createImageData(side, side);
    const px = img.data;
    for (let i = 0; i < k; i++) {
      let total = 0;
      for (let j = 0; j < k; j++) total += cm.counts[i * k + j];
      for (let j = 0; j < k; j++) {
        const share = total ? cm.counts[i * k + j] / total : 0;
        // A square root lifts the small off-diagonal shares into sight.
        const t = Math.sqrt(share);
        const [r, g, b] = i === j ? [8, 119, 189] : [245, 147, 34];
        const cr = 255 + (r - 255) * t;
        const cg = 255 + (g - 255) * t;
        const cb = 255 + (b - 255) * t;
        for (let y = i * cell; y < (i + 1) * cell; y++) {
          let o = (y * side + j * cell) * 4;
          for (let x = 0; x < cell; x++, o += 4) {
            px[o] = cr;
            px[o + 1] = cg;
            px[o + 2] = cb;
            px[o + 3] = 255;
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  name(i) {
    return this.names[i] ?? String(i);
  }

  showReadout() {
    const cm = this.cm;
    if (!cm) return;
    const k = cm.classes;
    if (!this.hover) {
      let right = 0;
      let all = 0;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          all += cm.counts[i * k + j];
          if (i === j) right += cm.counts[i * k + j];
        }
      }
      say(this.readout, 'textContent', tr('cm.summary', { k, right, all }));
      return;
    }
    const [i, j] = this.hover;
    let total = 0;
    for (let c = 0; c < k; c++) total += cm.counts[i * k + c];
    const n = cm.counts[i * k + j];
    const pct = () => (total ? t('cm.pct', { pct: ((100 * n) / total).toFixed(1), name: this.name(i) }) : '');
    say(this.readout, 'textContent', () => `${t('cm.cell', { truth: this.name(i), pred: this.name(j), n })}${pct()}`);
  }
}
