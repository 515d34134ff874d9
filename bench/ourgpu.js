// Our WebGPU backend in the benchmark page (the `pkg-bench/` build, features `bench,webgpu`): matmul GFLOPS on our
// WGSL kernels, one dispatch and one read-back through our engine, and `GpuTrainer`
// training throughput, all in the same page session as TF.js webgpu. Where the page has no
// WebGPU (or no pkg-bench/ build) every planned row is still recorded, with no value and
// the reason, so the report says "no adapter" instead of the run failing.

import { paired } from './measure.js';
import { tfMatmul, tfTrain } from './peers.js';

const SHAPES = ['nn', 'tn', 'nt'];
/** The matmul size of the interleaved ratio against TF.js webgpu (else the first size). */
const PAIR_SIZE = 256;
const PROBLEMS = ['a', 'b'];
export const IMPL = 'ours WebGPU';
/** Seconds one matmul product may take before the next size up is skipped. */
const MAX_PRODUCT_S = 6;

/** Adapters that are a CPU behind the WebGPU API. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

/** What the page's raw API says about its adapter: `{ name, software }`, or null. */
async function adapterInfo() {
  if (!navigator.gpu) return null;
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return null;
  const i = adapter.info ?? {};
  const name = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown';
  return { name, software: Boolean(i.isFallbackAdapter) || SOFTWARE.test(name) };
}

/**
 * `ctx`: `{ load, measure, record, rows, note, log, sizes, data, tfBackends }` — `load(dir)`
 * imports one of our builds, `record` is the page's row recorder, `rows` its row list, `sizes`
 * the matmul sizes, `data` the training problems' data (or null) and `tfBackends` the TF.js
 * backends that work (with webgpu, two ratios are also timed interleaved against it).
 * Returns the env entries to merge.
 */
export async function oursWebgpu({ load, measure, record, rows, note, log, sizes, data, tfBackends }) {
  const planned = [
    ...sizes.flatMap((size) => SHAPES.map((shape) => ['matmul', `${shape.toUpperCase()} ${size}`, { shape, size }])),
    ['webgpu', 'dispatch + submit', {}],
    ['webgpu', 'dispatch in a shared submit', {}],
    ['webgpu', 'readback 4 B', {}],
    ...(data ? PROBLEMS.map((problem) => ['train', problem, { problem }]) : []),
  ];
  // `why` goes into every row (a table cell), `detail` only into the notes.
  const unavailable = (why, detail = '') => {
    note(`${IMPL}: ${why}${detail ? ` (${detail})` : ''}; its rows have no value`);
    for (const [group, id, extra] of planned) {
      rows.push({ group, id, impl: IMPL, value: null, min: null, max: null, unit: null, note: why, ...extra });
    }
    return { oursWebgpu: why };
  };

  const build = await load('pkg-bench');
  if (!build.mod) return unavailable(build.missing ? 'no pkg-bench/ build' : 'pkg-bench/ does not validate');
  const m = build.mod;
  if (typeof m.GpuKernelBench !== 'function') return unavailable('pkg-bench/ has no GpuKernelBench export');
  const info = await adapterInfo();
  let gpu;
  try {
    gpu = await m.GpuKernelBench.create();
  } catch (e) {
    return unavailable('no adapter', e.message ?? String(e));
  }
  const env = {
    oursWebgpu: 'measured',
    // wgpu's browser backend often gets no adapter name, only its own backend's.
    oursWebgpuAdapter: gpu.adapter.trim().replace(/^\(/, 'no name ('),
    webgpuAdapter: info?.name ?? 'unknown',
    webgpuSoftware: info ? info.software : null,
  };
  const extra = { adapter: env.webgpuAdapter, software: env.webgpuSoftware };
  const tryRow = async (what, f) => {
    try {
      await f();
    } catch (e) {
      note(`${IMPL} ${what}: ${e.message ?? e}`);
    }
  };

  let [lastSize, lastSecs] = [0, 0];
  for (const size of sizes) {
    // A product costs ~size³: skip a size whose products would take seconds each.
    const predicted = lastSize ? lastSecs * (size / lastSize) ** 3 : 0;
    if (predicted > MAX_PRODUCT_S) {
      const why = `not measured: a ${lastSize}³ product took ${(lastSecs * 1e3).toFixed(0)} ms on this adapter`;
      note(`${IMPL} matmul ${size}: ${why}`);
      for (const shape of SHAPES) {
        rows.push({ group: 'matmul', id: `${shape.toUpperCase()} ${size}`, impl: IMPL, value: null, min: null, max: null, unit: 'GFLOPS', note: why, shape, size, ...extra });
      }
      continue;
    }
    for (const shape of SHAPES) {
      await tryRow(`matmul ${shape} ${size}`, async () => {
        const job = gpu.matmul(shape, size, size, size, 7);
        const flops = job.flopsPerIter();
        let c00 = NaN;
        // Software adapters take 0.1–1 s per product: cap the products per submit, and
        // take 3 repetitions where one product is that slow.
        const s = await measure(async (n) => { c00 = await job.run(n); }, { maxIters: 64, reps: size >= 512 ? 3 : 5 });
        job.free();
        if (!Number.isFinite(c00)) throw new Error(`C[0,0] read back as ${c00}`);
        [lastSize, lastSecs] = [size, Math.max(size === lastSize ? lastSecs : 0, s.median)];
        record('matmul', `${shape.toUpperCase()} ${size}`, IMPL, s, (t) => flops / t / 1e9, 'GFLOPS', 'higher', { shape, size, ...extra });
      });
    }
  }

  // Load on a shared machine drifts over the minutes between our rows and TF.js's: time
  // the headline ratios again as interleaved pairs (ours, TF.js, ours, TF.js …).
  const withTfGpu = tfBackends.includes('webgpu');
  const pushPair = (id, stats) => {
    rows.push({ group: 'paired', id, impl: 'ratio', value: stats.median, min: stats.min, max: stats.max, unit: '×', better: 'higher', reps: stats.reps, ...extra });
    log(`paired      ${id}: ${stats.median.toPrecision(3)}× [${stats.min.toPrecision(3)} … ${stats.max.toPrecision(3)}]`);
  };
  const pairSize = sizes.includes(PAIR_SIZE) ? PAIR_SIZE : sizes[0];
  if (withTfGpu && pairSize) {
    await tryRow('paired matmul', async () => {
      const job = gpu.matmul('nn', pairSize, pairSize, pairSize, 7);
      await tf.setBackend('webgpu');
      await tf.ready();
      const t = tfMatmul('nn', pairSize);
      try {
        pushPair(`Matmul NN ${pairSize}: ${IMPL} ÷ TF.js webgpu`, await paired((n) => job.run(n), t.fn, { maxA: 64, maxB: 64 }));
      } finally {
        t.dispose();
        job.free();
      }
    });
  }

  const ms = (t) => t * 1e3;
  const each = (f) => async (n) => { for (let i = 0; i < n; i++) await f(); };
  await tryRow('dispatch', async () => {
    const s = await measure(each(() => gpu.dispatches(1)), { minMs: 30, maxIters: 4096 });
    record('webgpu', 'dispatch + submit', IMPL, s, ms, 'ms', 'lower', extra);
  });
  await tryRow('shared submit', async () => {
    const s = await measure((n) => gpu.dispatches(n), { minMs: 30, maxIters: 1 << 16 });
    record('webgpu', 'dispatch in a shared submit', IMPL, s, ms, 'ms', 'lower', extra);
  });
  await tryRow('dispatch check', async () => {
    // The tiny dispatch copies 3.0 into the buffer the read-back reads.
    const v = await gpu.readBack();
    if (v !== 3) throw new Error(`the tiny dispatch's output read back as ${v}, not 3`);
  });
  await tryRow('read-back', async () => {
    const s = await measure(each(() => gpu.readBack()), { minMs: 30, maxIters: 4096 });
    record('webgpu', 'readback 4 B', IMPL, s, ms, 'ms', 'lower', extra);
  });
  gpu.free();

  for (const problem of data ? PROBLEMS : []) {
    await tryRow(`training ${problem}`, async () => {
      const d = data[problem];
      const bench = new m.WasmTrainBench(problem, 1);
      const json = bench.modelJson();
      bench.free();
      const out = d.widths[d.widths.length - 1];
      const trainer = await m.GpuTrainer.create(json, d.batch);
      try {
        trainer.setData(d.x, d.samples, d.y, out);
        const run = (n) => trainer.trainSteps(d.batch, n);
        const s = await measure(run, { minMs: 150, maxIters: 4096 });
        record('train', problem, IMPL, s, (sec) => d.batch / sec, 'samples/s', 'higher', { problem, ...extra });
        if (problem === 'b' && withTfGpu) {
          await tf.setBackend('webgpu');
          await tf.ready();
          const job = await tfTrain(problem, d);
          try {
            // Per iteration: one step of `batch` samples (ours), one epoch of `job.samples` (TF.js).
            pushPair(`Training (b): ${IMPL} ÷ TF.js webgpu`, await paired(run, job.fn, { maxA: 4096, maxB: 64, scale: d.batch / job.samples }));
          } finally {
            job.dispose();
          }
        }
      } finally {
        trainer.free();
      }
    });
  }
  return env;
}
