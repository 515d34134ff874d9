// The side-by-side benchmark page: ours (pkg-bench/, the page's engine with the benchmark
// exports; pkg-relaxed/ where the browser validates it; our WebGPU backend from pkg-bench/)
// against TF.js (cpu, wasm, webgpu) and brain.js,
// and uploaded wide tables (tables.js), every figure taken in this one page session.
// Results land in `window.benchResults`; `bench/browser.mjs` collects them.
import { measure } from './measure.js';
import { tfSetup, tfMatmul, tfTrain, tfWasmVariant } from './peers.js';
import { webgpuOverheads } from './webgpu.js';
import { oursWebgpu } from './ourgpu.js';
import { pairedRatios } from './pairs.js';
import { tableBench } from './tables.js';
import { sequenceBench } from './sequence.js';

const params = new URLSearchParams(location.search);
const QUICK = params.has('quick');
const SIZES = QUICK ? [64, 128] : [64, 128, 256, 512];
// Our WebGPU kernels on a software adapter take tens of ms per 256³ product: two sizes only
// (the quick run's size also has TF.js webgpu figures to compare with).
const GPU_SIZES = QUICK ? [128] : [256, 512];
const SHAPES = ['nn', 'tn', 'nt'];
// `?tf=cpu,wasm` limits the TF.js backends, `?skip=ours,brain,gpu,ourgpu,tables` skips
// sections (debugging); `?only=tables` runs the uploaded-table benchmark alone (TF.js wasm
// only), which `browser.mjs --only tables` merges into the committed results; `?only=gpu`
// the WebGPU rows alone (ours and TF.js webgpu), merged the same way.
const TF_BACKENDS = (params.get('tf') ?? 'cpu,wasm,webgpu').split(',').filter(Boolean);
const SKIP = new Set((params.get('skip') ?? '').split(','));
const ONLY = params.get('only');

const rows = [];
const notes = [];
const env = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: self.crossOriginIsolated,
  hardwareConcurrency: navigator.hardwareConcurrency,
  quick: QUICK,
};
const logEl = document.getElementById('log');
const stateEl = document.getElementById('state');

function log(line) {
  logEl.textContent += `${line}\n`;
  console.log(line);
}

function note(line) {
  notes.push(line);
  log(`note: ${line}`);
}

/** Records one measured figure; `stats` is `measure`'s answer, `per` turns seconds per
 *  iteration into the reported unit (a rate for `better: 'higher'`). */
function record(group, id, impl, stats, per, unit, better, extra = {}) {
  const conv = (s) => per(s);
  // A rate's best run is the shortest time; a time's best is itself the minimum.
  const [lo, hi] = better === 'higher' ? [conv(stats.max), conv(stats.min)] : [conv(stats.min), conv(stats.max)];
  const row = { group, id, impl, value: conv(stats.median), min: lo, max: hi, unit, better, reps: stats.reps, iters: stats.iters, ...extra };
  rows.push(row);
  const f = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  log(`${group.padEnd(11)} ${id.padEnd(22)} ${impl.padEnd(18)} ${f(row.value)} ${unit} [${f(row.min)} … ${f(row.max)}] ×${stats.reps}`);
  return row;
}

async function loadOurs(dir) {
  const wasmUrl = new URL(`../${dir}/nn_playground_bg.wasm`, import.meta.url);
  const res = await fetch(wasmUrl);
  if (!res.ok) return { dir, missing: true };
  const bytes = await res.arrayBuffer();
  if (!WebAssembly.validate(bytes)) return { dir, invalid: true };
  const mod = await import(new URL(`../${dir}/nn_playground.js`, import.meta.url).href);
  await mod.default({ module_or_path: bytes });
  return { dir, mod, bytes: bytes.byteLength };
}

/** Ours: the calibration loop and the GEMM kernels (exports from the kernels module). */
async function oursKernels(build, label) {
  const m = build.mod;
  if (typeof m.peakSimdMadd === 'function') {
    const flops = m.peakFlopsPerIter();
    const iters = 1 << 16;
    const s = await measure((n) => { for (let i = 0; i < n; i++) m.peakSimdMadd(iters); });
    record('calibration', 'peak madd', label, s, (t) => (flops * iters) / t / 1e9, 'GFLOPS', 'higher');
  } else {
    note(`${label}: this build has no peakSimdMadd export (kernel benchmarks not merged yet)`);
  }
  if (typeof m.WasmGemmBench !== 'function') {
    note(`${label}: this build has no WasmGemmBench export; our matmul rows are skipped`);
    return;
  }
  if (typeof m.fastGemmKernel === 'function') env[`${label} kernel`] = m.fastGemmKernel();
  const kernels = label === 'ours' ? [['scalar', 'ours scalar'], ['fast', 'ours SIMD128']] : [['fast', 'ours relaxed-SIMD']];
  for (const size of SIZES) {
    for (const shape of SHAPES) {
      for (const [kernel, impl] of kernels) {
        const b = new m.WasmGemmBench(shape, size, size, size, kernel);
        const flops = b.flopsPerIter();
        const s = await measure((n) => b.run(n));
        b.free();
        record('matmul', `${shape.toUpperCase()} ${size}`, impl, s, (t) => flops / t / 1e9, 'GFLOPS', 'higher', { shape, size });
      }
    }
  }
}

/** Ours: training throughput on problems (a), (a-4-2) and (b), and the decision grids. */
async function oursTraining(m, impl, dataOnly = false) {
  if (typeof m.WasmTrainBench !== 'function') return null;
  const data = {};
  for (const problem of ['a', 'a-4-2', 'b']) {
    const t = new m.WasmTrainBench(problem, 1);
    const batch = t.batchSize();
    data[problem] = { x: t.x(), y: t.y(), widths: Array.from(t.widths()), batch, samples: t.samples() };
    if (dataOnly) {
      t.free();
      continue;
    }
    const s = await measure((n) => t.run(n));
    t.free();
    record('train', problem, impl, s, (sec) => batch / sec, 'samples/s', 'higher', { problem });
  }
  for (const side of dataOnly ? [] : [100, 256]) {
    const g = new m.WasmGridBench(side);
    const s = await measure((n) => g.run(n));
    g.free();
    record('grid', `${side}×${side}`, impl, s, (sec) => sec * 1e3, 'ms', 'lower', { side });
  }
  return data;
}

async function brainTraining(data) {
  if (typeof brain === 'undefined') { note('brain.js did not load'); return; }
  const d = data.a;
  const [inputs, outputs] = [d.widths[0], d.widths[d.widths.length - 1]];
  const set = [];
  for (let i = 0; i < d.samples; i++) {
    set.push({ input: Array.from(d.x.subarray(i * inputs, (i + 1) * inputs)), output: Array.from(d.y.subarray(i * outputs, (i + 1) * outputs)) });
  }
  for (const [problem, hidden] of [['a', [8, 8]], ['a-4-2', [4, 2]]]) {
    try {
      const net = new brain.NeuralNetwork({ hiddenLayers: hidden, activation: 'tanh' });
      // brain.js refuses 0 for both: a threshold it never reaches and a negligible momentum.
      const opts = (n) => ({ iterations: n, errorThresh: 1e-12, learningRate: 0.03, momentum: 1e-9, log: false });
      net.train(set, opts(1));
      const s = await measure((n) => net.train(set, opts(n)));
      record('train', problem, 'brain.js', s, (sec) => d.samples / sec, 'samples/s', 'higher', { problem, note: 'per-sample updates (batch 1)' });
    } catch (e) {
      note(`brain.js ${problem}: ${e.message}`);
    }
  }
  return set;
}

const tfBackends = [];

async function tfAll(data) {
  const got = await tfSetup(note, TF_BACKENDS);
  Object.assign(env, got.env);
  tfBackends.push(...got.backends);
  for (const backend of TF_BACKENDS) {
    if (!got.backends.includes(backend)) continue;
    await tf.setBackend(backend);
    await tf.ready();
    const impl = `TF.js ${backend}`;
    for (const size of SIZES) {
      for (const shape of SHAPES) {
        const run = tfMatmul(shape, size);
        const s = await measure(run.fn, { maxIters: backend === 'webgpu' ? 4 : 1 << 16 });
        run.dispose();
        record('matmul', `${shape.toUpperCase()} ${size}`, impl, s, (t) => run.flops / t / 1e9, 'GFLOPS', 'higher', { shape, size });
      }
    }
    if (backend === 'wasm') env.tfWasmVariant = tfWasmVariant();
    if (!data) continue;
    for (const problem of ['a', 'a-4-2', 'b']) {
      try {
        const job = await tfTrain(problem, data[problem]);
        const s = await measure(job.fn, { minMs: 150, maxIters: 64 });
        job.dispose();
        record('train', problem, impl, s, (sec) => job.samples / sec, 'samples/s', 'higher', { problem, samplesPerRep: job.samples });
      } catch (e) {
        note(`${impl} training ${problem}: ${e.message}`);
      }
    }
  }
}

/** `?only=gpu`: our WebGPU rows and TF.js webgpu's on the same adapter, in one session
 *  (the matmul sizes of `GPU_SIZES` and training (b)), with both paired ratios. */
async function gpuOnly(plain) {
  // A quick GPU run keeps the size of the paired matmul ratio.
  const sizes = QUICK ? [256] : GPU_SIZES;
  const data = await oursTraining(plain, 'ours SIMD128', true);
  const got = await tfSetup(note, ['webgpu']);
  Object.assign(env, got.env);
  tfBackends.push(...got.backends);
  if (got.backends.includes('webgpu')) {
    await tf.setBackend('webgpu');
    await tf.ready();
    for (const size of sizes) {
      for (const shape of SHAPES) {
        const run = tfMatmul(shape, size);
        const s = await measure(run.fn, { maxIters: 4, reps: size >= 512 ? 3 : 5 });
        run.dispose();
        record('matmul', `${shape.toUpperCase()} ${size}`, 'TF.js webgpu', s, (t) => run.flops / t / 1e9, 'GFLOPS', 'higher', { shape, size });
      }
    }
    const job = await tfTrain('b', data.b);
    const s = await measure(job.fn, { minMs: 150, maxIters: 64 });
    job.dispose();
    record('train', 'b', 'TF.js webgpu', s, (sec) => job.samples / sec, 'samples/s', 'higher', { problem: 'b', samplesPerRep: job.samples });
  }
  const gpu = await webgpuOverheads(measure);
  if (gpu.error) note(`WebGPU overheads: ${gpu.error}`);
  for (const r of gpu.rows ?? []) record('webgpu', r.id, 'raw WebGPU (JS)', r.stats, (t) => t * 1e3, 'ms', 'lower');
  Object.assign(env, gpu.env ?? {}, await oursWebgpu({ load: loadOurs, measure, record, rows, note, log, sizes, data, tfBackends }));
}

async function main() {
  const plain = await loadOurs('pkg-bench');
  if (!plain.mod) throw new Error('pkg-bench/ is missing or invalid: build it first (cargo xtask build)');
  env.oursWasmBytes = plain.bytes;
  const relaxed = await loadOurs('pkg-relaxed');
  env.relaxedSimd = relaxed.mod ? 'validated and loaded' : relaxed.missing ? 'no pkg-relaxed/ build' : 'not supported by this browser';
  env.chosenBuild = relaxed.mod ? 'pkg-relaxed' : 'pkg-bench';
  log(`ours: pkg-bench/ ${plain.bytes} bytes; relaxed SIMD: ${env.relaxedSimd}`);
  const tables = (tfWasm) => tableBench(plain.mod, { record, rows, note, log, tfWasm, quick: QUICK });
  if (ONLY === 'tables') {
    const got = await tfSetup(note, ['wasm']);
    Object.assign(env, got.env, await tables(got.backends.includes('wasm')));
    return;
  }
  if (ONLY === 'sequence') {
    const got = await tfSetup(note, ['wasm', 'cpu']);
    Object.assign(env, got.env, await sequenceBench(plain.mod, { record, note, log, tfBackends: got.backends, quick: QUICK }));
    return;
  }
  if (ONLY === 'gpu') {
    await gpuOnly(plain.mod);
    return;
  }
  if (ONLY) throw new Error(`?only=${ONLY}: only 'tables', 'sequence' or 'gpu' can run alone`);

  if (!SKIP.has('ours')) {
    await oursKernels(plain, 'ours');
    if (relaxed.mod) await oursKernels(relaxed, 'relaxed');
  }
  const data = await oursTraining(plain.mod, 'ours SIMD128', SKIP.has('ours'));
  if (!data) note('this build has no WasmTrainBench export; training rows are skipped');
  if (relaxed.mod && data && !SKIP.has('ours')) await oursTraining(relaxed.mod, 'ours relaxed-SIMD');
  const brainSet = data && !SKIP.has('brain') ? await brainTraining(data) : null;
  await tfAll(data);
  if (!SKIP.has('pairs')) {
    const tfA = rows.filter((r) => r.group === 'train' && r.id === 'a' && r.impl.startsWith('TF.js'));
    const bestTf = tfA.length ? tfA.reduce((x, y) => (y.value > x.value ? y : x)).impl.replace('TF.js ', '') : null;
    const pairs = await pairedRatios({ ours: plain.mod, relaxed: relaxed.mod ?? null, data, tfBackends, bestTf, brainSet }, note);
    for (const { id, stats } of pairs) {
      rows.push({ group: 'paired', id, impl: 'ratio', value: stats.median, min: stats.min, max: stats.max, unit: '×', better: 'higher', reps: stats.reps });
      log(`paired      ${id}: ${stats.median.toPrecision(3)}× [${stats.min.toPrecision(3)} … ${stats.max.toPrecision(3)}]`);
    }
  }
  if (!SKIP.has('tables')) {
    // A failure here is reported, not fatal: the long run's other figures still stand.
    try {
      Object.assign(env, await tables(tfBackends.includes('wasm')));
    } catch (e) {
      note(`table benchmark failed: ${e.message}`);
    }
  }
  if (!SKIP.has('sequence')) {
    try {
      Object.assign(env, await sequenceBench(plain.mod, { record, note, log, tfBackends, quick: QUICK }));
    } catch (e) {
      note(`sequence benchmark failed: ${e.message}`);
    }
  }
  if (!SKIP.has('gpu')) {
    const gpu = await webgpuOverheads(measure);
    if (gpu.error) note(`WebGPU overheads: ${gpu.error}`);
    for (const r of gpu.rows ?? []) record('webgpu', r.id, 'raw WebGPU (JS)', r.stats, (s) => s * 1e3, 'ms', 'lower');
    Object.assign(env, gpu.env ?? {});
  }
  if (!SKIP.has('ourgpu')) {
    Object.assign(env, await oursWebgpu({ load: loadOurs, measure, record, rows, note, log, sizes: GPU_SIZES, data, tfBackends }));
  }
}

main()
  .then(() => {
    window.benchResults = { env, rows, notes };
    stateEl.textContent = 'done';
    document.documentElement.dataset.state = 'done';
  })
  .catch((e) => {
    window.benchResults = { env, rows, notes, error: String(e && e.stack || e) };
    stateEl.textContent = `failed: ${e}`;
    document.documentElement.dataset.state = 'failed';
  });
