// Paired speed of two wasm builds in one Node process: the same kernel, decision-grid and
// training workloads on build A and build B, interleaved round by round, printed as rates
// and as the per-round ratio B ÷ A (median [min–max]), so that a build change (a profile
// lever, a trimmed dependency) is judged on the same machine, load and V8 at once.
//
//   node bench/compare.mjs <dirA> <dirB> [--reps 7] [--target-ms 60]
//   e.g. keep a copy of the old build: cp -r pkg-bench ../old-bench, rebuild, then
//        node bench/compare.mjs ../old-bench pkg-bench
//
// Both directories must be builds with the benchmark exports (`pkg-bench/`, or a `pkg/`
// from before the exports moved out of the page's build).

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { paired } from './measure.js';

function parseArgs(argv) {
  const opts = { dirs: [], reps: 7, targetMs: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return Number(argv[++i]);
    };
    if (a === '--reps') opts.reps = next();
    else if (a === '--target-ms') opts.targetMs = next();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.dirs.push(a);
  }
  if (opts.dirs.length !== 2) throw new Error('usage: node bench/compare.mjs <dirA> <dirB> [--reps N] [--target-ms MS]');
  if (!(opts.reps >= 1) || !(opts.targetMs > 0)) throw new Error('--reps and --target-ms must be positive');
  return opts;
}

async function load(dir) {
  const js = path.resolve(dir, 'nn_playground.js');
  const bin = path.resolve(dir, 'nn_playground_bg.wasm');
  if (!fs.existsSync(js) || !fs.existsSync(bin)) throw new Error(`no wasm build in ${dir}`);
  // A query string makes each directory its own module instance even for equal paths.
  const m = await import(`${pathToFileURL(js).href}?${encodeURIComponent(dir)}`);
  m.initSync({ module: fs.readFileSync(bin) });
  for (const name of ['WasmGemmBench', 'WasmGridBench', 'WasmTrainBench']) {
    if (typeof m[name] !== 'function') throw new Error(`${dir} has no ${name} export: build it with the feature \`bench\` (pkg-bench/)`);
  }
  return m;
}

/** The workloads: `make(m)` returns `{ run(n), perCall, unit }` (work units per call). */
const CASES = [
  ...['nn', 'tn', 'nt'].flatMap((shape) => [64, 256].map((s) => ({
    name: `matmul ${shape.toUpperCase()} ${s}³`,
    unit: 'GFLOPS',
    make: (m) => {
      const b = new m.WasmGemmBench(shape, s, s, s, 'fast');
      return { run: (n) => b.run(n), perCall: b.flopsPerIter() / 1e9, free: () => b.free() };
    },
  }))),
  ...[100, 256].map((side) => ({
    name: `decision grid ${side}×${side}`,
    unit: 'grids/s',
    make: (m) => {
      const b = new m.WasmGridBench(side);
      return { run: (n) => b.run(n), perCall: 1, free: () => b.free() };
    },
  })),
  ...['a', 'b'].map((problem) => ({
    name: `train (${problem})`,
    unit: 'samples/s',
    make: (m) => {
      const b = new m.WasmTrainBench(problem, 1);
      return { run: (n) => b.run(n), perCall: b.batchSize(), free: () => b.free() };
    },
  })),
];

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [a, b] = await Promise.all(opts.dirs.map(load));
  console.log(`A = ${opts.dirs[0]}, B = ${opts.dirs[1]}; ${opts.reps} rounds of A, B per case`);
  console.log('| case | A | B | B ÷ A median [min–max] |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const c of CASES) {
    const ja = c.make(a);
    const jb = c.make(b);
    // `paired` times its first job then its second each round and gives first ÷ second as
    // a ratio of rates: B goes first, so the ratio reads B ÷ A.
    const p = await paired((n) => jb.run(n), (n) => ja.run(n), { minMs: opts.targetMs, reps: opts.reps });
    ja.free();
    jb.free();
    const ra = ja.perCall / p.b.median;
    const rb = jb.perCall / p.a.median;
    const f = (v) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));
    console.log(`| ${c.name} | ${f(ra)} ${c.unit} | ${f(rb)} ${c.unit} | ${p.median.toFixed(3)} [${p.min.toFixed(3)}–${p.max.toFixed(3)}] |`);
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
