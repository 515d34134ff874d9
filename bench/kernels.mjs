// Kernel benchmark: single-thread GEMM GFLOPS of the wasm build in Node, printed as a
// Markdown table (scalar oracle, portable blocked kernel, SIMD128 kernel; NN/TN/NT at each
// size), each as a fraction of the calibrated register-only SIMD multiply-add peak.
//
// Build and run (from the repository root): `cargo xtask build` (it makes pkg-bench/, the
// build with the benchmark exports), then `node bench/kernels.mjs`.
//
// Options: --sizes 64,128,256,512   --reps 9   --target-ms 40   --json (machine-readable)
//          --pkg <dir> (default ./pkg-bench)   --no-small (skip the playground-sized table)
// Method: every kernel first runs ~150 ms untimed (so V8's optimising tier is in place);
// then per size, a warm-up call sizes each candidate's iteration count so a rep lasts
// about --target-ms, a second warm-up runs at that count, then --reps rounds each time the
// peak loop (`peakSimdMadd`) and the three kernels on the three shapes back to back. The
// table shows medians with [min–max]; ratios are medians of per-round ratios.
//
// Other scripts can import `runKernelBench(wasmExports, options)` and get the rows back.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const opts = { sizes: [64, 128, 256, 512], reps: 9, targetMs: 40, json: false, small: true, pkg: 'pkg-bench' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--sizes') opts.sizes = next().split(',').map(Number);
    else if (a === '--reps') opts.reps = Number(next());
    else if (a === '--target-ms') opts.targetMs = Number(next());
    else if (a === '--pkg') opts.pkg = next();
    else if (a === '--json') opts.json = true;
    else if (a === '--no-small') opts.small = false;
    else throw new Error(`unknown option ${a}`);
  }
  if (!opts.sizes.every((s) => Number.isInteger(s) && s > 0) || !(opts.reps >= 1)) {
    throw new Error('--sizes must be positive integers and --reps at least 1');
  }
  return opts;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

// Sizes an iteration count so one timed call of `call(iters)` lasts about `targetMs`
// (after a warm-up call, which also lets the engine's optimising tier take over).
function calibrate(call, targetMs) {
  let t0 = performance.now();
  call(1);
  const once = Math.max(performance.now() - t0, 1e-3);
  const iters = Math.max(1, Math.round(targetMs / once));
  call(iters);
  return iters;
}

// Times the candidates round-robin, one rep of each per round, so a burst of load from
// other processes hits every candidate alike; returns GFLOPS samples per candidate.
function measureInterleaved(cands, { reps, targetMs }) {
  const iters = cands.map((c) => calibrate(c.call, targetMs));
  const samples = cands.map(() => []);
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    cands.forEach((c, i) => {
      const t0 = performance.now();
      sink += c.call(iters[i]);
      const ms = performance.now() - t0;
      samples[i].push((iters[i] * c.flopsPerIter) / (ms * 1e6));
    });
  }
  if (!Number.isFinite(sink)) throw new Error('benchmark checksum is not finite');
  return samples;
}

const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

const KERNELS = ['scalar', 'portable', 'fast'];
const SHAPES = ['nn', 'tn', 'nt'];

// Runs every kernel for a while before anything is timed: V8 first runs wasm in its
// baseline tier and swaps in optimised code from a background thread, which on a busy
// machine can take a second.
function warmUp(wasm, ms) {
  for (const kernel of KERNELS) {
    for (const shape of SHAPES) {
      const b = new wasm.WasmGemmBench(shape, 64, 64, 64, kernel);
      const end = performance.now() + ms;
      while (performance.now() < end) b.run(1);
      b.free();
    }
  }
  const end = performance.now() + ms;
  while (performance.now() < end) wasm.peakSimdMadd(10000);
}

/** Runs the whole kernel benchmark on an initialised wasm-bindgen module. */
export function runKernelBench(wasm, options = {}) {
  const opts = { sizes: [64, 128, 256, 512], reps: 9, targetMs: 40, warmUpMs: 150, ...options };
  warmUp(wasm, opts.warmUpMs);
  const peakCand = { call: (it) => wasm.peakSimdMadd(it * 1000), flopsPerIter: wasm.peakFlopsPerIter() * 1000 };
  const peakAll = [];
  const rows = [];
  for (const size of opts.sizes) {
    // One round = the peak loop and all nine (kernel, shape) products, back to back.
    const cells = SHAPES.flatMap((shape) => KERNELS.map((kernel) => ({ shape, kernel })));
    const benches = cells.map((c) => new wasm.WasmGemmBench(c.shape, size, size, size, c.kernel));
    const cands = [peakCand, ...benches.map((b) => ({ call: (it) => b.run(it), flopsPerIter: b.flopsPerIter() }))];
    const [peak, ...per] = measureInterleaved(cands, opts);
    benches.forEach((b) => b.free());
    peakAll.push(...peak);
    const get = (shape, kernel) => per[cells.findIndex((c) => c.shape === shape && c.kernel === kernel)];
    const ratio = (xs, ys) => median(xs.map((x, r) => x / ys[r]));
    for (const shape of SHAPES) {
      const row = { shape, size, peak: stats(peak) };
      for (const kernel of KERNELS) row[kernel] = stats(get(shape, kernel));
      // Per-round ratios: each compares numbers measured within one round.
      row.fastOfPeak = ratio(get(shape, 'fast'), peak);
      row.fastOverScalar = ratio(get(shape, 'fast'), get(shape, 'scalar'));
      row.fastOverNn = ratio(get(shape, 'fast'), get('nn', 'fast'));
      rows.push(row);
    }
  }
  return { fastKernel: wasm.fastGemmKernel(), peak: stats(peakAll), rows };
}

/** The playground's own products (batch 10, layers 2→8→8→1): forward NN, weight-gradient
 * TN, input-gradient NT, as `[shape, m, k, n]`. */
export const PLAYGROUND_SHAPES = [
  ['nn', 10, 2, 8], ['nn', 10, 8, 8], ['nn', 10, 8, 1],
  ['tn', 2, 10, 8], ['tn', 8, 10, 8], ['tn', 8, 10, 1],
  ['nt', 10, 8, 2], ['nt', 10, 8, 8], ['nt', 10, 1, 8],
];

/** Nanoseconds per call on tiny products, where per-call overhead dominates. */
export function runSmallBench(wasm, options = {}) {
  const opts = { reps: 9, targetMs: 15, ...options };
  return PLAYGROUND_SHAPES.map(([shape, m, k, n]) => {
    const benches = KERNELS.map((kernel) => new wasm.WasmGemmBench(shape, m, k, n, kernel));
    // With one "FLOP" per call the samples come out in calls per nanosecond.
    const cands = benches.map((b) => ({ call: (it) => b.run(it), flopsPerIter: 1 }));
    const per = measureInterleaved(cands, opts).map((xs) => xs.map((callsPerNs) => 1 / callsPerNs));
    benches.forEach((b) => b.free());
    const row = { shape, m, k, n };
    KERNELS.forEach((kernel, i) => (row[kernel] = stats(per[i])));
    return row;
  });
}

const fmt = (x) => x.toFixed(2);
const cell = (s) => `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;

/** The Markdown table for `runKernelBench`'s result. */
export function toMarkdown({ fastKernel, peak, rows }) {
  const lines = [
    `Single thread, Node ${process.versions.node} (V8 ${process.versions.v8}); fast kernel: ${fastKernel}.`,
    `Calibrated peak (register-only SIMD multiply-add): ${cell(peak)} GFLOPS.`,
    'GFLOPS as median [min–max] of the reps. Each round times the peak loop and all nine',
    '(kernel, shape) products back to back; "% peak", "SIMD / scalar" and "TN,NT / NN" are',
    'medians of per-round ratios, which keeps them steady when other processes share the machine.',
    '',
    '| shape | size | scalar | portable | SIMD128 | SIMD % peak | SIMD / scalar | TN,NT / NN |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.shape.toUpperCase()} | ${r.size}³ | ${cell(r.scalar)} | ${cell(r.portable)} | ${cell(r.fast)} | ` +
        `${(100 * r.fastOfPeak).toFixed(0)}% | ${r.fastOverScalar.toFixed(1)}× | ` +
        `${r.fastOverNn.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** The Markdown table for `runSmallBench`'s result. */
export function smallToMarkdown(rows) {
  const c = (s) => `${s.median.toFixed(0)} [${s.min.toFixed(0)}–${s.max.toFixed(0)}]`;
  const lines = [
    'Playground-sized products (batch 10, layers 2→8→8→1): nanoseconds per call, median [min–max].',
    '',
    '| shape | m×k×n | scalar | portable | SIMD128 |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.shape.toUpperCase()} | ${r.m}×${r.k}×${r.n} | ${c(r.scalar)} | ${c(r.portable)} | ${c(r.fast)} |`);
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = path.resolve(opts.pkg);
  const js = path.join(dir, 'nn_playground.js');
  const bin = path.join(dir, 'nn_playground_bg.wasm');
  if (!fs.existsSync(js) || !fs.existsSync(bin)) {
    throw new Error(`no wasm build in ${dir}; build it first (see the top of bench/kernels.mjs)`);
  }
  const wasm = await import(pathToFileURL(js).href);
  wasm.initSync({ module: fs.readFileSync(bin) });
  const result = runKernelBench(wasm, opts);
  result.small = opts.small ? runSmallBench(wasm, { reps: opts.reps }) : [];
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else console.log(toMarkdown(result) + (opts.small ? `\n\n${smallToMarkdown(result.small)}` : ''));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
