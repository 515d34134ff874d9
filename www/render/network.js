// The network view: feature nodes, hidden neurons and outputs as small heatmap thumbnails,
// links as SVG curves whose width and colour show each weight; clicking a link or a bias
// opens a small editor. Built with DOM APIs only (no markup strings). Past a size it keeps
// to a frame budget: wide layers become strips, many inputs a scrollable list, and links
// move to one canvas (network_links.js).

import { diverging, divergingCss } from './colors.js';
import { paintGrid } from './heatmap.js';
import { LinkCanvas, linkWidth } from './network_links.js';
import { t, tr } from '../i18n/index.js';
import { say } from '../dom.js';

const SVG = 'http://www.w3.org/2000/svg';

const NODE = 34;
const GAP = 12;
// Room for the feature names left of the first column: at least this, more for longer names
// (up to LEFT_SHARE of the view), and a name that is still longer is shortened in its middle.
const LEFT = 64;
const LEFT_SHARE = 0.3;
// The narrowest step between two columns: a node and its layer's −/+ buttons with room to
// spare (tap-sized buttons on a touch screen need more). A network too wide for its view at
// this step scrolls inside it, with a cue.
const PITCH = 58;
const PITCH_COARSE = 70;
// From a label's room to the edge of the view: the 6 px to its box and a margin.
const LABEL_GAP = 10;
const LABEL_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// Level of detail. Up to these sizes the view is TF Playground's (every node a box, every
// link an SVG path); past them one element per weight would block the page for seconds.
export const VIEW_LIMITS = {
  // Units shown as boxes with thumbnails; a wider layer is a strip with one row per unit.
  nodesPerColumn: 32,
  // Inputs shown as boxes; more become a scrollable list of names.
  inputNodes: 16,
  // SVG paths, one per weight; more and every link is drawn on one canvas.
  svgLinks: 2000,
};
// Row height of the input list and the tallest a strip or the list grows.
const ROW = 18;
const STRIP_MAX = 480;

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
   *          onEditBias?: Function, onHover?: Function, linkInfo?: Function}} handlers
   *   `linkInfo(d, i, j)` resolves to the text a hovered link shows (its weight and gradient),
   *   as a function that says it in the page's language.
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
    this.strips = []; // [column] → strip of a layer too wide for boxes
    this.structure = null;
    this.network = null;
    this.pop = null;
  }

  /**
   * features: [{key, label, active, formula?}] (all candidates, in display order; `formula`:
   * the feature's values over the map at `formulaRes²` cells, from the engine);
   * hidden: [units…]; outputs: number of output units.
   */
  setStructure(s) {
    this.structure = s;
    this.closeEditor();
    while (this.root.lastChild !== this.svg) this.root.removeChild(this.root.lastChild);
    while (this.svg.firstChild) this.svg.removeChild(this.svg.firstChild);
    this.linkCanvas?.remove();
    this.linkCanvas = null;
    this.svg.style.display = '';
    this.links = [];
    this.nodes = [];
    this.strips = [];
    this.inputList = null;
    const columns = [s.features.length, ...s.hidden, s.outputs];
    const listed = s.features.length > VIEW_LIMITS.inputNodes;
    const striped = columns.map((n, c) => c > 0 && n > VIEW_LIMITS.nodesPerColumn);
    const nodeRows = columns.filter((n, c) => !striped[c] && !(c === 0 && listed));
    const boxes = Math.max(0, ...nodeRows) * (NODE + GAP);
    const stripH = (n) => Math.max(NODE, Math.min(STRIP_MAX, n * 2, Math.max(boxes - GAP, 120)));
    const listH = listed ? Math.min(s.features.length * ROW, Math.max(boxes - GAP, STRIP_MAX)) : 0;
    const tallest = Math.max(boxes, listH + GAP, ...columns.map((n, c) => (striped[c] ? stripH(n) + GAP : 0)));
    const height = tallest + 40;
    const view = this.host.clientWidth || 420;
    const left = listed ? LEFT : labelRoom(s.features, view);
    const coarse = globalThis.matchMedia?.('(pointer: coarse)').matches;
    const steps = Math.max(columns.length - 1, 1);
    const width = Math.max(view, left + steps * (coarse ? PITCH_COARSE : PITCH) + NODE + 16);
    this.root.style.height = `${height}px`;
    this.root.style.width = `${width}px`;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    const colX = (c) => left + (c * (width - left - 16 - NODE)) / steps;
    // Per column, for the canvas links: left and right edge, and the centre y of each unit.
    const geoColumns = [];
    columns.forEach((count, c) => {
      const col = [];
      const isFeature = c === 0;
      const isOutput = c === columns.length - 1;
      if (!isFeature && !isOutput) this.addUnitButtons(c - 1, colX(c));
      if (isFeature && listed) {
        geoColumns.push(this.buildInputList(s.features, colX(0) + NODE, listH));
        this.nodes.push(col);
        return;
      }
      if (striped[c]) {
        geoColumns.push(this.buildStrip(c, count, colX(c), stripH(count), isOutput));
        this.nodes.push(col);
        return;
      }
      geoColumns.push({ x: colX(c), right: colX(c) + NODE, y: (r) => 32 + r * (NODE + GAP) + NODE / 2 });
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
          say(box, 'aria-label', tr(f.active ? 'net.featureOn' : 'net.featureOff', { name: f.label }));
          box.dataset.feature = f.key;
          const label = el('span', 'node-label', box);
          // The label ends 6 px left of its box (style.css): the rest of `left` is its room.
          label.textContent = shorten(f.label, left - LABEL_GAP);
          if (label.textContent !== f.label) label.title = f.label;
          label.style.maxWidth = `${left - LABEL_GAP}px`;
          box.addEventListener('click', () => this.h.onToggleFeature?.(f.key));
        } else {
          // A group, not an image: it holds the bias button, and an image role would hide
          // that from assistive technology. The thumbnail alone is the image.
          box.setAttribute('role', 'group');
          const name = () => (isOutput ? t('net.output', { n: r + 1 }) : t('net.neuron', { layer: c, n: r + 1 }));
          say(box, 'aria-label', name);
          canvas.setAttribute('role', 'img');
          say(canvas, 'aria-label', name);
          box.tabIndex = 0;
          const bias = el('button', 'bias', box);
          bias.type = 'button';
          say(bias, 'aria-label', () => t('net.biasOf', { name: name() }));
          bias.addEventListener('click', (ev) => {
            ev.stopPropagation();
            this.openEditor(bias, t('net.biasOf', { name: name() }), this.biasValue(c - 1, r), (v) =>
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
    const activeRows = s.features.map((f, i) => (f.active ? i : -1)).filter((i) => i >= 0);
    const sources = [activeRows, ...columns.slice(1, -1).map((n) => Array.from({ length: n }, (_, i) => i))];
    const svgLinks = sources.reduce((sum, src, d) => sum + src.length * columns[d + 1], 0);
    if (listed || striped.some(Boolean) || svgLinks > VIEW_LIMITS.svgLinks) {
      this.linkCanvas = new LinkCanvas(this.root, { width, height, columns: geoColumns, sources });
      this.listenCanvasLinks();
    } else {
      this.buildLinks();
    }
    this.paintFeatureFormulas();
    if (this.network) this.setWeights(this.network);
    this.showScrollCue(width > view + 1);
  }

  /**
   * A network wider than its view scrolls inside it: say so above the view (the words stay
   * in sight whatever is scrolled) and shade the edge that hides more.
   */
  showScrollCue(on) {
    this.host.classList.toggle('scrolls', on);
    if (!this.cue) {
      this.cue = el('p', 'net-scroll-cue');
      say(this.cue, 'textContent', tr('net.scrollCue'));
      this.host.before(this.cue);
      this.host.addEventListener('scroll', () => this.edgeShades(), { passive: true });
    }
    this.cue.hidden = !on;
    this.edgeShades();
  }

  edgeShades() {
    const h = this.host;
    h.classList.toggle('more-left', h.scrollLeft > 1);
    h.classList.toggle('more-right', h.scrollLeft + h.clientWidth < h.scrollWidth - 1);
  }

  addUnitButtons(layer, x) {
    const wrap = el('div', 'unit-buttons', this.root);
    wrap.style.left = `${x - 8}px`;
    const minus = el('button', 'small', wrap);
    minus.type = 'button';
    minus.textContent = '−';
    say(minus, 'aria-label', tr('net.removeNeuron', { n: layer + 1 }));
    minus.addEventListener('click', () => this.h.onUnits?.(layer, -1));
    const plus = el('button', 'small', wrap);
    plus.type = 'button';
    plus.textContent = '+';
    say(plus, 'aria-label', tr('net.addNeuron', { n: layer + 1 }));
    plus.addEventListener('click', () => this.h.onUnits?.(layer, +1));
  }

  /**
   * Many inputs: a scrollable list of names (toggling like the feature boxes). Returns the
   * column's geometry; a row scrolled out of view sits at the list's nearer edge.
   */
  buildInputList(features, right, height) {
    const top = 32;
    const list = el('div', 'net-inputs', this.root);
    list.style.top = `${top}px`;
    list.style.width = `${right}px`;
    list.style.height = `${height}px`;
    list.setAttribute('role', 'group');
    say(list, 'aria-label', tr('net.inputs', { n: features.length }));
    features.forEach((f) => {
      const row = el('button', 'input-row', list);
      row.type = 'button';
      row.textContent = f.label;
      row.title = f.label;
      row.classList.toggle('inactive', !f.active);
      row.setAttribute('aria-pressed', String(f.active));
      say(row, 'aria-label', tr(f.active ? 'net.featureOn' : 'net.featureOff', { name: f.label }));
      row.dataset.feature = f.key;
      row.addEventListener('click', () => this.h.onToggleFeature?.(f.key));
    });
    // Links follow the rows; one redraw per frame however fast the wheel turns.
    let queued = false;
    list.addEventListener('scroll', () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.linkCanvas?.draw();
      });
    }, { passive: true });
    this.inputList = list;
    const rowY = (r) => top + r * ROW + ROW / 2 - list.scrollTop;
    return {
      x: 0,
      right,
      y: (r) => Math.max(top, Math.min(top + height, rowY(r))),
      shown: (r) => rowY(r) >= top && rowY(r) <= top + height,
    };
  }

  /**
   * A layer too wide for boxes: a strip with one row per unit, coloured by its bias; hovering
   * a row shows that unit's thumbnail and clicking it edits the bias.
   */
  buildStrip(c, units, x, height, isOutput) {
    const top = 32;
    const strip = el('div', 'net-strip', this.root);
    strip.style.left = `${x}px`;
    strip.style.top = `${top}px`;
    strip.style.height = `${height}px`;
    const what = () => (isOutput ? t('net.outputs') : t('net.layerNeurons', { layer: c }));
    strip.setAttribute('role', 'img');
    say(strip, 'aria-label', () => t('net.strip', { units, what: what() }));
    strip.dataset.units = String(units);
    const canvas = el('canvas', 'strip', strip);
    canvas.width = 1;
    canvas.height = units;
    // Stands in for the hovered unit's thumbnail: the hover card copies it and places itself
    // beside it, so it sits on the hovered row.
    const thumb = el('canvas', 'strip-thumb', strip);
    thumb.width = 24;
    thumb.height = 24;
    const info = { c, units, top, height, canvas, thumb, hovered: -1 };
    const unitAt = (ev) => {
      const r = canvas.getBoundingClientRect();
      return Math.max(0, Math.min(units - 1, Math.floor(((ev.clientY - r.top) / r.height) * units)));
    };
    const name = (u) => (isOutput ? t('net.output', { n: u + 1 }) : t('net.neuron', { layer: c, n: u + 1 }));
    const show = (u) => {
      if (u === info.hovered) return;
      info.hovered = u;
      thumb.style.top = `${((u + 0.5) * height) / units - 12}px`;
      const b = this.biasValue(c - 1, u).toFixed(3);
      const text = () => `${name(u)} · ${t('net.bias', { b })}`;
      say(strip, 'title', text);
      say(strip, 'aria-label', () => `${units} ${what()}: ${text()}`);
      this.paintStripThumb(info);
      this.h.onHover?.(c, u, thumb);
    };
    const hide = () => {
      info.hovered = -1;
      this.h.onHover?.(null);
    };
    const edit = (u, anchor) => this.openEditor(anchor, t('net.biasOf', { name: name(u) }), this.biasValue(c - 1, u), (v) => this.h.onEditBias?.(c - 1, u, v));
    strip.addEventListener('mousemove', (ev) => show(unitAt(ev)));
    strip.addEventListener('mouseleave', hide);
    strip.addEventListener('click', (ev) => {
      edit(unitAt(ev), { getBoundingClientRect: () => new DOMRect(ev.clientX, ev.clientY, 0, 0) });
    });
    // From the keyboard: arrows walk the units, Enter edits the bias of the one shown.
    strip.tabIndex = 0;
    strip.addEventListener('focus', () => show(Math.max(0, info.hovered)));
    strip.addEventListener('blur', hide);
    strip.addEventListener('keydown', (ev) => {
      const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 16, PageUp: -16 }[ev.key];
      if (step) {
        ev.preventDefault();
        show(Math.max(0, Math.min(units - 1, Math.max(0, info.hovered) + step)));
      } else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        edit(Math.max(0, info.hovered), thumb);
      }
    });
    this.strips[c] = info;
    return { x, right: x + NODE, y: (u) => top + ((u + 0.5) * height) / units };
  }

  /** A hovered strip row's thumbnail, from the last neuron grids. */
  paintStripThumb(info) {
    const g = this.grids;
    if (!g || info.hovered < 0) return;
    const per = g.res * g.res;
    const k = g.offsets[info.c] + info.hovered;
    if ((k + 1) * per > g.data.length) return;
    paintGrid(info.thumb, g.data.subarray(k * per, (k + 1) * per), g.res, 1, { normalize: true });
  }

  /** Canvas links: a click on a drawn link opens its editor, hovering names its weight. */
  listenCanvasLinks() {
    const canvas = this.linkCanvas.canvas;
    // The (empty) SVG sits above the canvas and would take its clicks.
    this.svg.style.display = 'none';
    const at = (ev) => {
      const r = canvas.getBoundingClientRect();
      return this.linkCanvas.hit(ev.clientX - r.left, ev.clientY - r.top);
    };
    let last = '';
    canvas.addEventListener('mousemove', (ev) => {
      const hit = at(ev);
      canvas.classList.toggle('on-link', !!hit);
      const key = hit ? `${hit.d}:${hit.i}:${hit.j}` : '';
      if (key === last) return;
      last = key;
      say(canvas, 'title', () => (hit ? `${t('net.weight', { layer: hit.d + 1, from: hit.i + 1, to: hit.j + 1 })} = ${hit.w.toFixed(3)}` : ''));
      if (hit) this.h.linkInfo?.(hit.d, hit.i, hit.j).then((text) => { if (last === key) say(canvas, 'title', text); }, () => {});
    });
    canvas.addEventListener('click', (ev) => {
      const hit = at(ev);
      if (!hit) return;
      const { d, i, j } = hit;
      const anchor = { getBoundingClientRect: () => new DOMRect(ev.clientX, ev.clientY, 0, 0) };
      this.openEditor(anchor, `weight ${d + 1}: ${i + 1} → ${j + 1}`, this.weightValue(d, i, j), (v) =>
        this.h.onEditWeight?.(d, i, j, v));
    });
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
          const name = tr('net.weight', { layer: d + 1, from: fi + 1, to: ti + 1 });
          say(path, 'aria-label', name);
          const open = () => this.openEditor(path, name(), this.weightValue(d, fi, ti), (v) =>
            this.h.onEditWeight?.(d, fi, ti, v));
          path.addEventListener('click', open);
          path.addEventListener('mouseenter', () => this.describeLink(path, d, fi, ti));
          path.addEventListener('focus', () => say(path, 'aria-label', () => `${name()} = ${path.dataset.weight ?? '?'}`));
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
    if (!network) return;
    if (this.linkCanvas) {
      this.linkCanvas.draw(network);
      this.paintBiases(network);
      return;
    }
    if (!this.links.length) return;
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
          say(col[j].bias, 'title', tr('net.bias', { b: b.toFixed(3) }));
        }
      });
    });
  }

  /** Bias squares of the boxes and the rows of the strips. */
  paintBiases(network) {
    network.layers.forEach((layer, d) => {
      const col = this.nodes[d + 1];
      layer.biases.forEach((b, j) => {
        if (col?.[j]?.bias) {
          col[j].bias.style.background = divergingCss(b);
          say(col[j].bias, 'title', tr('net.bias', { b: b.toFixed(3) }));
        }
      });
      const strip = this.strips[d + 1];
      if (!strip) return;
      const ctx = strip.canvas.getContext('2d');
      const img = ctx.createImageData(1, strip.units);
      const rgb = [0, 0, 0];
      for (let j = 0; j < strip.units && j < layer.biases.length; j++) {
        diverging(layer.biases[j], rgb);
        img.data.set([rgb[0], rgb[1], rgb[2], 255], j * 4);
      }
      ctx.putImageData(img, 0, 0);
    });
  }

  /** Puts the link's weight and gradient, from the engine, in its SVG tooltip. */
  describeLink(path, d, i, j) {
    this.h.linkInfo?.(d, i, j).then((text) => {
      let title = path.querySelector('title');
      if (!title) title = path.appendChild(document.createElementNS(SVG, 'title'));
      say(title, 'textContent', text);
    }, () => {});
  }

  weightValue(d, i, j) {
    const l = this.network?.layers[d];
    return l ? l.weights[i * l.units + j] : 0;
  }

  biasValue(d, j) {
    return this.network?.layers[d]?.biases[j] ?? 0;
  }

  /** Paints each inactive feature's own values (the engine's), so the column shows what it would add. */
  paintFeatureFormulas() {
    const res = this.structure.formulaRes;
    this.structure.features.forEach((f, r) => {
      // Listed inputs have no thumbnails; uploaded columns have no formula.
      if (f.active || !f.formula || !this.nodes[0][r]) return;
      paintGrid(this.nodes[0][r].canvas, f.formula, res, 1, { normalize: true });
    });
  }

  /** grids: Float32Array of every node's res² values, features (active only) first. */
  setNeuronGrids(grids, res, activeFeatureRows) {
    if (!this.structure) return;
    const per = res * res;
    // Where each column's units start in `grids`; strips and the input list paint none but
    // keep their place, and a strip's hovered row reads its own.
    const offsets = [0];
    const counts = [activeFeatureRows.length, ...this.structure.hidden, this.structure.outputs];
    for (let c = 1; c < counts.length; c++) offsets.push(offsets[c - 1] + counts[c - 1]);
    this.grids = { data: grids, res, offsets };
    const paint = (item, k) => {
      if (!item || k * per + per > grids.length) return;
      paintGrid(item.canvas, grids.subarray(k * per, (k + 1) * per), res, 1, { normalize: true });
    };
    activeFeatureRows.forEach((r, i) => paint(this.nodes[0][r], i));
    for (let c = 1; c < this.nodes.length; c++) this.nodes[c].forEach((item, r) => paint(item, offsets[c] + r));
    for (const strip of this.strips) if (strip) this.paintStripThumb(strip);
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
    ok.textContent = t('net.set');
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

let measure = null;
function textWidth(text) {
  measure ||= document.createElement('canvas').getContext('2d');
  measure.font = LABEL_FONT;
  return measure.measureText(text).width;
}

/** Room left of the first column for the longest feature name, within LEFT_SHARE of the view. */
function labelRoom(features, view) {
  const longest = Math.max(0, ...features.map((f) => textWidth(f.label)));
  return Math.round(Math.max(LEFT, Math.min(longest + LABEL_GAP + 2, view * LEFT_SHARE)));
}

/** `text` shortened in its middle to fit `room` px: both ends stay, so names stay apart. */
function shorten(text, room) {
  if (textWidth(text) <= room) return text;
  const chars = [...text];
  for (let keep = chars.length - 1; keep > 2; keep--) {
    const head = Math.ceil(keep / 2);
    const cut = `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
    if (textWidth(cut) <= room) return cut;
  }
  return `${chars[0]}…${chars[chars.length - 1]}`;
}
