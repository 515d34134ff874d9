// The network view: feature nodes, hidden neurons and outputs as small heatmap thumbnails,
// links as SVG curves whose width and colour show each weight; clicking a link or a bias
// opens a small editor. Built with DOM APIs only (no markup strings).

import { divergingCss } from './colors.js';
import { paintGrid } from './heatmap.js';

const SVG = 'http://www.w3.org/2000/svg';

// Display only: what each input feature computes, for the thumbnails of switched-off inputs.
const FEATURE_FNS = {
  x1: (x) => x,
  x2: (x, y) => y,
  x1sq: (x) => x * x,
  x2sq: (x, y) => y * y,
  x1x2: (x, y) => x * y,
  sinx1: (x) => Math.sin(x),
  sinx2: (x, y) => Math.sin(y),
  cosx1: (x) => Math.cos(x),
  cosx2: (x, y) => Math.cos(y),
};
const NODE = 34;
const GAP = 12;
// Room for the feature names left of the first column.
const LEFT = 64;

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

export class NetworkView {
  /**
   * @param {HTMLElement} host
   * @param {{onToggleFeature?: Function, onUnits?: Function, onEditWeight?: Function,
   *          onEditBias?: Function, onHover?: Function}} handlers
   */
  constructor(host, handlers = {}) {
    this.host = host;
    this.h = handlers;
    this.root = el('div', 'net', host);
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'net-links');
    this.svg.setAttribute('aria-hidden', 'false');
    this.root.appendChild(this.svg);
    this.nodes = []; // [column][row] → {box, canvas, bias}
    this.links = []; // [dense][from][to] → path
    this.structure = null;
    this.network = null;
    this.pop = null;
  }

  /**
   * features: [{key, label, active}] (all candidates, in display order);
   * hidden: [units…]; outputs: number of output units.
   */
  setStructure(s) {
    this.structure = s;
    this.closeEditor();
    while (this.root.lastChild !== this.svg) this.root.removeChild(this.root.lastChild);
    while (this.svg.firstChild) this.svg.removeChild(this.svg.firstChild);
    this.nodes = [];
    const columns = [s.features.length, ...s.hidden, s.outputs];
    const tallest = Math.max(...columns);
    const height = tallest * (NODE + GAP) + 40;
    const width = Math.max(this.host.clientWidth || 420, LEFT + 80 * columns.length);
    this.root.style.height = `${height}px`;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    const colX = (c) => LEFT + (c * (width - LEFT - 16 - NODE)) / Math.max(columns.length - 1, 1);
    columns.forEach((count, c) => {
      const col = [];
      const isFeature = c === 0;
      const isOutput = c === columns.length - 1;
      if (!isFeature && !isOutput) this.addUnitButtons(c - 1, colX(c));
      for (let r = 0; r < count; r++) {
        const box = el(isFeature ? 'button' : 'div', 'node', this.root);
        box.style.left = `${colX(c)}px`;
        box.style.top = `${32 + r * (NODE + GAP)}px`;
        const canvas = el('canvas', 'thumb', box);
        canvas.width = 24;
        canvas.height = 24;
        const item = { box, canvas, x: colX(c), y: 32 + r * (NODE + GAP) };
        if (isFeature) {
          const f = s.features[r];
          box.type = 'button';
          box.classList.toggle('inactive', !f.active);
          box.setAttribute('aria-pressed', String(f.active));
          box.setAttribute('aria-label', `feature ${f.label}: ${f.active ? 'on' : 'off'}`);
          box.dataset.feature = f.key;
          const label = el('span', 'node-label', box);
          label.textContent = f.label;
          box.addEventListener('click', () => this.h.onToggleFeature?.(f.key));
        } else {
          box.setAttribute('role', 'img');
          const name = isOutput ? `output ${r + 1}` : `layer ${c} neuron ${r + 1}`;
          box.setAttribute('aria-label', name);
          box.tabIndex = 0;
          const bias = el('button', 'bias', box);
          bias.type = 'button';
          bias.setAttribute('aria-label', `bias of ${name}`);
          bias.addEventListener('click', (ev) => {
            ev.stopPropagation();
            this.openEditor(bias, `bias of ${name}`, this.biasValue(c - 1, r), (v) =>
              this.h.onEditBias?.(c - 1, r, v));
          });
          item.bias = bias;
        }
        box.addEventListener('mouseenter', () => this.h.onHover?.(c, r, canvas));
        box.addEventListener('mouseleave', () => this.h.onHover?.(null));
        box.addEventListener('focus', () => this.h.onHover?.(c, r, canvas));
        box.addEventListener('blur', () => this.h.onHover?.(null));
        col.push(item);
      }
      this.nodes.push(col);
    });
    this.buildLinks();
    this.paintFeatureFormulas();
    if (this.network) this.setWeights(this.network);
  }

  addUnitButtons(layer, x) {
    const wrap = el('div', 'unit-buttons', this.root);
    wrap.style.left = `${x - 8}px`;
    const minus = el('button', 'small', wrap);
    minus.type = 'button';
    minus.textContent = '−';
    minus.setAttribute('aria-label', `remove a neuron from layer ${layer + 1}`);
    minus.addEventListener('click', () => this.h.onUnits?.(layer, -1));
    const plus = el('button', 'small', wrap);
    plus.type = 'button';
    plus.textContent = '+';
    plus.setAttribute('aria-label', `add a neuron to layer ${layer + 1}`);
    plus.addEventListener('click', () => this.h.onUnits?.(layer, +1));
  }

  /** Links from the active features, then between consecutive dense layers. */
  buildLinks() {
    const s = this.structure;
    const activeRows = s.features.map((f, i) => (f.active ? i : -1)).filter((i) => i >= 0);
    const sources = [activeRows, ...this.nodes.slice(1, -1).map((col) => col.map((_, i) => i))];
    this.links = [];
    for (let d = 0; d < this.nodes.length - 1; d++) {
      const from = sources[d];
      const to = this.nodes[d + 1];
      const layer = [];
      from.forEach((row, fi) => {
        const a = this.nodes[d][row];
        const out = [];
        to.forEach((b, ti) => {
          const path = document.createElementNS(SVG, 'path');
          const x1 = a.x + NODE;
          const y1 = a.y + NODE / 2;
          const x2 = b.x;
          const y2 = b.y + NODE / 2;
          const mx = (x1 + x2) / 2;
          path.setAttribute('d', `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
          path.setAttribute('class', 'link');
          path.setAttribute('tabindex', '0');
          path.setAttribute('role', 'button');
          const name = `weight ${d + 1}: ${fi + 1} → ${ti + 1}`;
          path.setAttribute('aria-label', name);
          const open = () => this.openEditor(path, name, this.weightValue(d, fi, ti), (v) =>
            this.h.onEditWeight?.(d, fi, ti, v));
          path.addEventListener('click', open);
          path.addEventListener('focus', () => path.setAttribute('aria-label', `${name} = ${path.dataset.weight ?? '?'}`));
          path.addEventListener('keydown', (ev) => {
            if (ev.key === 'Enter' || ev.key === ' ') {
              ev.preventDefault();
              open();
            }
          });
          this.svg.appendChild(path);
          out.push(path);
        });
        layer.push(out);
      });
      this.links.push(layer);
    }
  }

  /** network: {layers: [{inputs, units, weights (inputs×units row-major), biases}]}. */
  setWeights(network) {
    this.network = network;
    if (!network || !this.links.length) return;
    network.layers.forEach((layer, d) => {
      const links = this.links[d];
      if (!links) return;
      for (let i = 0; i < links.length && i < layer.inputs; i++) {
        for (let j = 0; j < links[i].length && j < layer.units; j++) {
          const w = layer.weights[i * layer.units + j];
          const p = links[i][j];
          // Quantised so that small changes leave the SVG (and its raster) untouched.
          const stroke = divergingCss(Math.round(w * 20) / 20);
          const width = String(Math.min(1 + Math.round(Math.abs(w) * 10) / 4, 9));
          if (p.lastStroke !== stroke) p.style.stroke = p.lastStroke = stroke;
          if (p.lastWidth !== width) p.style.strokeWidth = p.lastWidth = width;
          p.dataset.weight = w.toFixed(3);
        }
      }
      const col = this.nodes[d + 1];
      layer.biases.forEach((b, j) => {
        if (col?.[j]?.bias) {
          col[j].bias.style.background = divergingCss(b);
          col[j].bias.title = `bias ${b.toFixed(3)}`;
        }
      });
    });
  }

  weightValue(d, i, j) {
    const l = this.network?.layers[d];
    return l ? l.weights[i * l.units + j] : 0;
  }

  biasValue(d, j) {
    return this.network?.layers[d]?.biases[j] ?? 0;
  }

  /** Paints each inactive feature's own function, so the column shows what it would add. */
  paintFeatureFormulas() {
    const res = 16;
    const grid = new Float32Array(res * res);
    this.structure.features.forEach((f, r) => {
      if (f.active) return;
      const fn = FEATURE_FNS[f.key];
      for (let i = 0; i < res * res; i++) {
        const x = -6 + ((i % res) + 0.5) * (12 / res);
        const y = 6 - (Math.floor(i / res) + 0.5) * (12 / res);
        grid[i] = fn(x, y);
      }
      paintGrid(this.nodes[0][r].canvas, grid, res, 1, { normalize: true });
    });
  }

  /** grids: Float32Array of every node's res² values, features (active only) first. */
  setNeuronGrids(grids, res, activeFeatureRows) {
    const per = res * res;
    let k = 0;
    const paint = (item) => {
      if (k * per + per > grids.length) return;
      paintGrid(item.canvas, grids.subarray(k * per, (k + 1) * per), res, 1, { normalize: true });
      k++;
    };
    activeFeatureRows.forEach((r) => paint(this.nodes[0][r]));
    for (let c = 1; c < this.nodes.length; c++) this.nodes[c].forEach(paint);
  }

  openEditor(anchor, name, value, apply) {
    this.closeEditor();
    const pop = el('form', 'edit-pop', this.root);
    const label = el('label', '', pop);
    label.textContent = `${name} `;
    const input = el('input', '', label);
    input.type = 'number';
    // Any finite value is a weight: a fixed step makes the browser refuse most values.
    input.step = 'any';
    input.value = String(Number(value).toFixed(3));
    const ok = el('button', '', pop);
    ok.type = 'submit';
    ok.textContent = 'Set';
    const r = anchor.getBoundingClientRect();
    const host = this.root.getBoundingClientRect();
    pop.style.left = `${Math.max(0, r.left - host.left)}px`;
    pop.style.top = `${r.top - host.top + r.height + 4}px`;
    pop.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = Number(input.value);
      if (Number.isFinite(v)) apply(v);
      this.closeEditor();
    });
    pop.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.closeEditor();
    });
    this.pop = pop;
    input.focus();
    input.select();
  }

  closeEditor() {
    this.pop?.remove();
    this.pop = null;
  }
}
