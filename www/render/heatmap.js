// Heatmaps: a Float32Array grid painted into a canvas through ImageData, plus data points.
//
// Grid layout (shared with the engine): row 0 is the top (y = +domain), column 0 the left
// (x = −domain); cell (r, c) is at index (r·res + c)·channels + k.

import { diverging, CLASS_COLORS, labelCss } from './colors.js';
import { fitCanvas } from './canvas.js';

// Half the side of the map's square, the engine's (`choices().domain`, see `setDomain`).
let DOMAIN = NaN;

/** Takes the engine's map square, `[−domain, domain]²`, before anything is drawn. */
export function setDomain(domain) {
  DOMAIN = domain;
}
const ALPHA = 200;

/** Paints a one-channel grid (values in [−1, 1]) or a K-channel probability grid. */
export function paintGrid(canvas, grid, res, channels = 1, { discretize = false, normalize = false } = {}) {
  if (canvas.width !== res || canvas.height !== res) {
    canvas.width = res;
    canvas.height = res;
  }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(res, res);
  const px = img.data;
  const rgb = [0, 0, 0];
  let scale = 1;
  if (normalize && channels === 1) {
    let m = 0;
    for (let i = 0; i < res * res; i++) m = Math.max(m, Math.abs(grid[i]));
    scale = m > 1 ? 1 / m : 1;
  }
  for (let i = 0; i < res * res; i++) {
    if (channels === 1) {
      let v = grid[i] * scale;
      if (discretize) v = v > 0 ? 1 : v < 0 ? -1 : 0;
      diverging(v, rgb);
    } else {
      classMix(grid, i * channels, channels, discretize, rgb);
    }
    const o = i * 4;
    px[o] = rgb[0];
    px[o + 1] = rgb[1];
    px[o + 2] = rgb[2];
    px[o + 3] = ALPHA;
  }
  ctx.putImageData(img, 0, 0);
}

/** Blends class colours by probability toward the neutral grey, by the top class's margin. */
function classMix(grid, base, k, discretize, out) {
  let best = 0;
  for (let j = 1; j < k; j++) if (grid[base + j] > grid[base + best]) best = j;
  const c = CLASS_COLORS[best % CLASS_COLORS.length];
  const p = grid[base + best];
  // Confidence above chance, 0 (uniform) … 1 (certain).
  let s = discretize ? 1 : Math.max(0, Math.min(1, (p - 1 / k) / (1 - 1 / k)));
  s = Number.isNaN(s) ? 0 : s;
  out[0] = 232 + (c[0] - 232) * s;
  out[1] = 234 + (c[1] - 234) * s;
  out[2] = 235 + (c[2] - 235) * s;
}

/** Most data points drawn on the map (docs/limits.md). */
export const MAX_DRAWN_POINTS = 4000;

/**
 * Draws points ([x, y, label, isTest] × n) on a transparent overlay canvas sized in CSS pixels.
 * Test points get a dark outline, train points a white one (as in the playground).
 */
export function paintPoints(canvas, points, task, { showTest = false, radius = 3 } = {}) {
  const { ctx, w, h } = fitCanvas(canvas);
  if (!points) return;
  // A large table draws an even subsample: past a few thousand circles the map is covered
  // anyway, and drawing 100 000 would hold the main thread for a long task.
  const stride = 4 * Math.max(1, Math.ceil(points.length / 4 / MAX_DRAWN_POINTS));
  for (let i = 0; i + 3 < points.length; i += stride) {
    const test = points[i + 3] > 0.5;
    if (test && !showTest) continue;
    const x = ((points[i] + DOMAIN) / (2 * DOMAIN)) * w;
    const y = ((DOMAIN - points[i + 1]) / (2 * DOMAIN)) * h;
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2);
    ctx.fillStyle = labelCss(points[i + 2], task);
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? '#111' : '#fff';
    ctx.stroke();
  }
}

/** Converts a mouse event on `el` to data coordinates in [−6, 6]². */
export function eventToData(el, ev) {
  const r = el.getBoundingClientRect();
  const x = ((ev.clientX - r.left) / r.width) * 2 * DOMAIN - DOMAIN;
  const y = DOMAIN - ((ev.clientY - r.top) / r.height) * 2 * DOMAIN;
  return { x, y };
}

/** Paints a small scatter thumbnail of a dataset preview ([x, y, label] × n). */
export function paintThumbnail(canvas, points, task) {
  const w = canvas.width;
  const h = canvas.height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, w, h);
  for (let i = 0; i + 2 < points.length; i += 3) {
    ctx.fillStyle = labelCss(points[i + 2], task);
    const x = ((points[i] + DOMAIN) / (2 * DOMAIN)) * w;
    const y = ((DOMAIN - points[i + 1]) / (2 * DOMAIN)) * h;
    ctx.fillRect(x - 1, y - 1, 2, 2);
  }
}
