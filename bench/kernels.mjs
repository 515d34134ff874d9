// Kernel benchmark: single-thread GEMM GFLOPS of the wasm build in Node, printed as a
// Markdown table (scalar oracle, portable blocked kernel, SIMD128 kernel; NN/TN/NT at each
// size), each as a fraction of the calibrated register-only SIMD multiply-add peak.
//
// Build and run (from the repository root):
//   cargo build --release --target wasm32-unknown-unknown --lib \
//     && wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/nn_playground.wasm \
//     && node bench/kernels.mjs
//
// Options: --sizes 64,128,256,512   --reps 5   --target-ms 150   --json (machine-readable)
//          --pkg <dir> (default ./pkg)
// Method: per cell, one warm-up call sizes the iteration count so a rep lasts about
// --target-ms, a second warm-up runs at that count, then --reps timed reps; the table shows
// the median with [min–max]. The peak is measured the same way on `peakSimdMadd`.
//
// Other scripts can import `runKernelBench(wasmExports, options)` and get the rows back.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const opts = { sizes: [64, 128, 256, 512], reps: 5, targetMs: 150, json: false, pkg: 'pkg' };
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

// Times `call(iters)`, returning GFLOPS samples; `flopsPerIter` converts calls to FLOPs.
function measure(call, flopsPerIter, { reps, targetMs }) {
  let sink = 0;
  let t0 = performance.now();
  sink += call(1);
  const once = Math.max(performance.now() - t0, 1e-3);
  const iters = Math.max(1, Math.round(targetMs / once));
  sink += call(iters);
  const gflops = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    sink += call(iters);
    const ms = performance.now() - t0;
    gflops.push((iters * flopsPerIter) / (ms * 1e6));
  }
  if (!Number.isFinite(sink)) throw new Error('benchmark checksum is not finite');
  return { median: median(gflops), min: Math.min(...gflops), max: Math.max(...gflops), iters };
}

/** Runs the whole kernel benchmark on an initialised wasm-bindgen module. */
export function runKernelBench(wasm, options = {}) {
  const opts = { sizes: [64, 128, 256, 512], reps: 5, targetMs: 150, ...options };
  const peak = measure((it) => wasm.peakSimdMadd(it * 1000), wasm.peakFlopsPerIter() * 1000, opts);
  const rows = [];
  for (const size of opts.sizes) {
    for (const shape of ['nn', 'tn', 'nt']) {
      const row = { shape, size };
      for (const kernel of ['scalar', 'portable', 'fast']) {
        const b = new wasm.WasmGemmBench(shape, size, size, size, kernel);
        row[kernel] = measure((it) => b.run(it), b.flopsPerIter(), opts);
        b.free();
      }
      rows.push(row);
    }
  }
  return { fastKernel: wasm.fastGemmKernel(), peak, rows };
}

const fmt = (x) => x.toFixed(2);
const cell = (s) => `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;

/** The Markdown table for `runKernelBench`'s result. */
export function toMarkdown({ fastKernel, peak, rows }) {
  const lines = [
    `Single thread, Node ${process.versions.node} (V8 ${process.versions.v8}); fast kernel: ${fastKernel}.`,
    `Calibrated peak (register-only SIMD multiply-add): ${cell(peak)} GFLOPS.`,
    'GFLOPS as median [min–max]; "% peak" is the SIMD median over the peak median.',
    '',
    '| shape | size | scalar | portable | SIMD128 | SIMD % peak | SIMD / scalar | TN,NT / NN |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const nn = rows.find((x) => x.size === r.size && x.shape === 'nn');
    lines.push(
      `| ${r.shape.toUpperCase()} | ${r.size}³ | ${cell(r.scalar)} | ${cell(r.portable)} | ${cell(r.fast)} | ` +
        `${((100 * r.fast.median) / peak.median).toFixed(0)}% | ${(r.fast.median / r.scalar.median).toFixed(1)}× | ` +
        `${(r.fast.median / nn.fast.median).toFixed(2)} |`,
    );
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
  console.log(opts.json ? JSON.stringify(result, null, 2) : toMarkdown(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
