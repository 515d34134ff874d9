// The benchmark chart as hand-written SVG: each target's measured ÷ required on a log axis
// (right of the line passes), and matmul GFLOPS at 256 for NN, TN and NT per implementation.

const W = 900;
const ROW = 22;
const LABEL_W = 330;
const COLORS = { pass: '#2e7d32', miss: '#c62828', NN: '#1565c0', TN: '#ef6c00', NT: '#6a1b9a' };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));

function targetsPanel(targets, y0) {
  const list = targets.filter((t) => t.measured != null);
  const x0 = LABEL_W;
  const x1 = W - 90;
  // log10 of (how many times the requirement is met), clamped to ±2 decades.
  const span = 2;
  const xOf = (score) => x0 + ((Math.max(-span, Math.min(span, score)) + span) / (2 * span)) * (x1 - x0);
  const mid = xOf(0);
  const out = [`<text x="10" y="${y0 + 14}" class="h">Targets: measured ÷ required (log scale; right of the line passes)</text>`];
  let y = y0 + 26;
  for (const t of list) {
    const score = Math.log10(t.lower ? t.required / t.measured : t.measured / t.required);
    const x = xOf(score);
    const [a, b] = x >= mid ? [mid, x] : [x, mid];
    out.push(`<text x="${x0 - 6}" y="${y + 14}" text-anchor="end">${esc(t.name)}</text>`,
      `<rect x="${a.toFixed(1)}" y="${y + 3}" width="${Math.max(1, b - a).toFixed(1)}" height="${ROW - 8}" fill="${t.ok ? COLORS.pass : COLORS.miss}"/>`,
      `<text x="${(x >= mid ? b + 4 : a - 4).toFixed(1)}" y="${y + 14}" text-anchor="${x >= mid ? 'start' : 'end'}">${num(10 ** score)}×</text>`);
    y += ROW;
  }
  out.push(`<line x1="${mid}" y1="${y0 + 24}" x2="${mid}" y2="${y}" stroke="#000"/>`,
    `<text x="${xOf(-span)}" y="${y + 14}">0.01×</text>`, `<text x="${mid}" y="${y + 14}" text-anchor="middle">1× (target)</text>`,
    `<text x="${xOf(span)}" y="${y + 14}" text-anchor="end">100×</text>`);
  return { svg: out, height: y + 24 - y0 };
}

function matmulPanel(res, y0) {
  const rows = res.rows.filter((r) => r.group === 'matmul' && r.size === 256 && r.value != null);
  // WebGPU bars on a software adapter are a CPU emulating a GPU: say so on the label.
  const label = (impl) => (/webgpu/i.test(impl) && res.env?.webgpuSoftware ? `${impl} (software adapter)` : impl);
  const impls = [...new Set(rows.map((r) => r.impl))];
  const shapes = ['NN', 'TN', 'NT'];
  const max = Math.max(1, ...rows.map((r) => r.value), ...res.rows.filter((r) => r.group === 'calibration').map((r) => r.value));
  const x0 = LABEL_W;
  const x1 = W - 90;
  const xOf = (v) => x0 + (v / max) * (x1 - x0);
  const out = [`<text x="10" y="${y0 + 14}" class="h">Matmul 256³, GFLOPS, single thread (linear scale)</text>`];
  let y = y0 + 26;
  const bar = 11;
  for (const impl of impls) {
    out.push(`<text x="${x0 - 6}" y="${y + 14}" text-anchor="end">${esc(label(impl))}</text>`);
    shapes.forEach((s, i) => {
      const r = rows.find((q) => q.impl === impl && q.shape === s.toLowerCase());
      if (!r) return;
      const yy = y + 1 + i * bar;
      out.push(`<rect x="${x0}" y="${yy}" width="${Math.max(1, xOf(r.value) - x0).toFixed(1)}" height="${bar - 1}" fill="${COLORS[s]}"/>`,
        `<text x="${(xOf(r.value) + 4).toFixed(1)}" y="${yy + 9}" class="s">${s} ${num(r.value)}</text>`);
    });
    y += 3 * bar + 8;
  }
  for (const c of res.rows.filter((r) => r.group === 'calibration')) {
    out.push(`<line x1="${xOf(c.value).toFixed(1)}" y1="${y0 + 22}" x2="${xOf(c.value).toFixed(1)}" y2="${y}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${xOf(c.value).toFixed(1)}" y="${y + 12}" text-anchor="middle" class="s">${c.impl === 'ours' ? 'SIMD128' : 'relaxed'} peak ${num(c.value)}</text>`);
  }
  return { svg: out, height: y + 20 - y0 };
}

/** The whole chart; `targets` is `evaluateTargets(res)`. */
export function chartSvg(res, targets) {
  const a = targetsPanel(targets, 10);
  const b = matmulPanel(res, 20 + a.height);
  const h = 30 + a.height + b.height;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif" font-size="12">`,
    '<style>.h{font-weight:bold;font-size:14px}.s{font-size:10px}</style>',
    `<rect width="${W}" height="${h}" fill="#fff"/>`,
    ...a.svg,
    ...b.svg,
    '</svg>',
    '',
  ].join('\n');
}
