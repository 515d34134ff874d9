// The network view's links on one canvas, for networks too large for one SVG path per weight:
// every link where a gap has few, else faint bands between unit groups plus each target's
// strongest link; the strongest few at their width, the rest as hairlines; and the hit test
// that keeps the drawn links clickable.

import { divergingCss } from './colors.js';

// A gap with at most this many weights draws each one; past it, bands and strongest links.
export const DETAIL_LINKS = 4096;
// Units per side of a gap are pooled into at most this many groups for the bands.
const GROUPS = 8;
// Colour and opacity steps: hairlines are bucketed by them, one stroke() per bucket.
const COLOR_STEPS = 20;
const ALPHA_LEVELS = 4;
// The strongest links drawn at their own width (each costs a wide stroke).
const WIDE_LINKS = 300;

/** Link width for a weight, the SVG view's rule (1 px plus a quarter per 0.1, at most 9). */
export function linkWidth(w) {
  return Math.min(1 + Math.round(Math.abs(w) * 10) / 4, 9);
}

/** Where along a gap's curves x lies: the curve parameter t, shared by every link of the gap. */
function curveT(x1, x2, px) {
  // Both control points sit at the gap's middle, so x(t) is monotonic: bisection finds t.
  const mx = (x1 + x2) / 2;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const t = (lo + hi) / 2;
    const u = 1 - t;
    const x = u * u * u * x1 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x2;
    if (x < px) lo = t;
    else hi = t;
  }
  return (lo + hi) / 2;
}

/** y of the curve from (·, y1) to (·, y2) at parameter t (control points share y1 and y2). */
function curveY(y1, y2, t) {
  return y1 * (1 - t) * (1 - t) * (1 + 2 * t) + y2 * t * t * (3 - 2 * t);
}

export class LinkCanvas {
  /**
   * @param {HTMLElement} parent
   * @param {{width: number, height: number, columns: Array<{x: number, right: number,
   *   y: (u: number) => number, shown?: (u: number) => boolean}>,
   *   sources: number[][]}} geo  `sources[d]`: the column-d units feeding dense layer d.
   */
  constructor(parent, geo) {
    this.geo = geo;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'net-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    this.dpr = dpr;
    this.canvas.width = Math.ceil(geo.width * dpr);
    this.canvas.height = Math.ceil(geo.height * dpr);
    this.canvas.style.width = `${geo.width}px`;
    this.canvas.style.height = `${geo.height}px`;
    parent.prepend(this.canvas);
    this.network = null;
    // Per gap: null (every link drawn) or Int32Array of the strongest source per target.
    this.strongest = [];
  }

  remove() {
    this.canvas.remove();
  }

  /** network: {layers: [{inputs, units, weights (inputs×units), biases}]}; null clears. */
  draw(network) {
    if (network !== undefined) this.network = network;
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.geo.width, this.geo.height);
    const net = this.network;
    this.strongest = [];
    if (!net) return;
    // Every drawn link as [x1, y1, x2, y2, w, faint]; bands as [x1, y1, x2, y2, mean, strength].
    const links = [];
    const bands = [];
    const { columns, sources } = this.geo;
    for (let d = 0; d < columns.length - 1 && d < net.layers.length; d++) {
      const layer = net.layers[d];
      const from = columns[d];
      const to = columns[d + 1];
      const src = sources[d];
      const S = Math.min(src.length, layer.inputs);
      const T = layer.units;
      const x1 = from.right;
      const x2 = to.x;
      const W = layer.weights;
      // A link from an input scrolled out of its list is drawn faintly to the list's edge.
      const link = (i, j, w) => links.push([x1, from.y(src[i]), x2, to.y(j), w, !!(from.shown && !from.shown(src[i]))]);
      if (S * T <= DETAIL_LINKS) {
        this.strongest.push(null);
        for (let i = 0; i < S; i++) for (let j = 0; j < T; j++) link(i, j, W[i * T + j]);
        continue;
      }
      // Bands: the mean weight between each pair of unit groups; plus each target's strongest.
      const gs = Math.min(S, GROUPS);
      const gt = Math.min(T, GROUPS);
      const sum = new Float64Array(gs * gt);
      const abs = new Float64Array(gs * gt);
      const n = new Uint32Array(gs * gt);
      const best = new Int32Array(T).fill(-1);
      pool(W, S, T, gs, gt, sum, abs, n, best);
      const groupY = (col, units, g, G, map) => {
        const lo = Math.floor((g * units) / G);
        const hi = Math.max(lo, Math.ceil(((g + 1) * units) / G) - 1);
        return (col.y(map ? map[lo] : lo) + col.y(map ? map[hi] : hi)) / 2;
      };
      for (let a = 0; a < gs; a++) {
        for (let b = 0; b < gt; b++) {
          const k = a * gt + b;
          if (!n[k]) continue;
          const meanAbs = abs[k] / n[k];
          bands.push([x1, groupY(from, S, a, gs, src), x2, groupY(to, T, b, gt, null), sum[k] / n[k] / (meanAbs || 1), meanAbs]);
        }
      }
      for (let j = 0; j < T; j++) if (best[j] >= 0) link(best[j], j, W[best[j] * T + j]);
      this.strongest.push(best);
    }
    // Software rasterisers stroke wide curves ~20× slower than hairlines: only the strongest
    // links get their width; the rest are hairlines whose opacity shows their strength.
    const order = links.map((_, k) => k).sort((a, b) => Math.abs(links[b][4]) - Math.abs(links[a][4]));
    const wide = new Set(order.slice(0, WIDE_LINKS).filter((k) => !links[k][5] && linkWidth(links[k][4]) > 1));
    const hair = new Map();
    const add = (q, alpha, seg) => {
      const key = `${q}|${alpha}`;
      let list = hair.get(key);
      if (!list) hair.set(key, (list = []));
      list.push(seg);
    };
    const step = (v) => Math.max(-COLOR_STEPS, Math.min(COLOR_STEPS, Math.round(v * COLOR_STEPS)));
    const level = (strength) => Math.max(1, Math.min(ALPHA_LEVELS, Math.ceil(strength * ALPHA_LEVELS * 2)));
    for (const b of bands) add(step(b[4]), Math.max(1, level(b[5]) - 2), b);
    links.forEach((l, k) => {
      if (!wide.has(k)) add(step(l[4]), l[5] ? 1 : level(Math.abs(l[4])), l);
    });
    ctx.lineCap = 'round';
    ctx.lineWidth = 1;
    for (const [key, segs] of hair) {
      const [q, alpha] = key.split('|').map(Number);
      ctx.globalAlpha = (0.85 * alpha) / ALPHA_LEVELS;
      ctx.strokeStyle = divergingCss(q / COLOR_STEPS);
      ctx.beginPath();
      for (const seg of segs) curve(ctx, seg);
      ctx.stroke();
    }
    ctx.globalAlpha = 0.85;
    for (const k of [...wide].reverse()) {
      const l = links[k];
      ctx.strokeStyle = divergingCss(step(l[4]) / COLOR_STEPS);
      ctx.lineWidth = linkWidth(l[4]);
      ctx.beginPath();
      curve(ctx, l);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /**
   * The drawn link nearest to (px, py) in canvas pixels, within a few pixels: {d, i, j, w}
   * with `i` the source's index among `sources[d]`, or null.
   */
  hit(px, py) {
    const net = this.network;
    if (!net) return null;
    const { columns, sources } = this.geo;
    for (let d = 0; d < columns.length - 1 && d < net.layers.length; d++) {
      const from = columns[d];
      const to = columns[d + 1];
      if (px <= from.right || px >= to.x) continue;
      const layer = net.layers[d];
      const src = sources[d];
      const S = Math.min(src.length, layer.inputs);
      const T = layer.units;
      const t = curveT(from.right, to.x, px);
      let found = null;
      let bestDist = Infinity;
      const test = (i, j) => {
        const w = layer.weights[i * T + j];
        const dist = Math.abs(curveY(from.y(src[i]), to.y(j), t) - py);
        if (dist <= Math.max(4, linkWidth(w) / 2 + 1) && dist < bestDist) {
          bestDist = dist;
          found = { d, i, j, w };
        }
      };
      const best = this.strongest[d];
      if (best) {
        for (let j = 0; j < T; j++) if (best[j] >= 0) test(best[j], j);
      } else {
        for (let i = 0; i < S; i++) for (let j = 0; j < T; j++) test(i, j);
      }
      return found;
    }
    return null;
  }
}

/**
 * One pass over a gap's S×T weights: per pair of unit groups the sum, the sum of magnitudes
 * and the count; per target the source of its strongest weight. Kept apart from the drawing
 * so the engine optimises this hot loop on its own.
 */
function pool(W, S, T, gs, gt, sum, abs, n, best) {
  const tg = new Int32Array(T);
  for (let j = 0; j < T; j++) tg[j] = Math.floor((j * gt) / T);
  const bestAbs = new Float32Array(T).fill(-1);
  for (let i = 0; i < S; i++) {
    const a = Math.floor((i * gs) / S) * gt;
    const row = i * T;
    for (let j = 0; j < T; j++) {
      const w = W[row + j];
      const k = a + tg[j];
      const m = w < 0 ? -w : w;
      sum[k] += w;
      abs[k] += m;
      n[k] += 1;
      if (m > bestAbs[j]) {
        bestAbs[j] = m;
        best[j] = i;
      }
    }
  }
}

/** Adds the link curve of [x1, y1, x2, y2, …] to the current path. */
function curve(ctx, [x1, y1, x2, y2]) {
  const mx = (x1 + x2) / 2;
  ctx.moveTo(x1, y1);
  ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
}
