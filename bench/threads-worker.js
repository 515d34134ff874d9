// One engine build in a worker for the threads benchmark (blocking waits, which the pool
// needs, are not allowed on a page's main thread): loads `pkg-bench/` or `pkg-threads-bench/`
// (the benchmark builds of `pkg/` and `pkg-threads/`; the latter with a
// pool of `pool` threads), then times one case at one thread count per message, so that
// the page can interleave the two builds case by case.
//
// main → worker: {type: 'load', build: 'pkg-bench' | 'pkg-threads-bench', pool}  → {names, env}
//                {type: 'run', index, threads, quick}                → {case, threads, value, unit, reps}
//                {type: 'data'}   → problem (b)'s data at batch 256, for TF.js: {x, y, widths, batch, samples}
// any failure → {error}

const TARGET_MS = 300;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Times `run(n)` with `n` grown until one call takes ~TARGET_MS; `perCall(n)` work units. */
function measure(run, perCall, reps) {
  let n = 1;
  run(n);
  for (;;) {
    const t0 = performance.now();
    run(n);
    const ms = performance.now() - t0;
    if (ms >= TARGET_MS / 4 || n > 1e6) {
      n = Math.max(1, Math.round((n * TARGET_MS) / Math.max(ms, 0.01)));
      break;
    }
    n *= 4;
  }
  const rates = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run(n);
    rates.push((perCall(n) * 1000) / (performance.now() - t0));
  }
  return median(rates);
}

/** The cases: name, unit, and a factory giving {run, perCall} on the loaded module. */
function cases(m) {
  const gemm = (side) => () => {
    const b = new m.WasmGemmBench('nn', side, side, side, 'fast');
    return { run: (n) => b.run(n), perCall: (n) => (n * b.flopsPerIter()) / 1e9 };
  };
  const train = (problem, batch) => () => {
    const b = new m.WasmTrainBench(problem, 1);
    if (batch) b.setBatchSize(batch);
    return { run: (n) => b.run(n), perCall: (n) => n * b.batchSize() };
  };
  const grid = () => {
    const b = new m.WasmGridBench(100);
    return { run: (n) => b.run(n), perCall: (n) => n };
  };
  // The same product with the pool kept awake through the run, as training keeps it.
  const gemmInTeam = (side) => () => {
    const b = new m.WasmGemmBench('nn', side, side, side, 'fast');
    return { run: (n) => b.runInTeam(n), perCall: (n) => (n * b.flopsPerIter()) / 1e9 };
  };
  // What the cores give together right now: one register-only loop per thread in use.
  const ceiling = () => ({
    run: (n) => m.peakSimdMaddEachThread(n),
    perCall: (n) => (n * m.threadsInUse() * m.peakFlopsPerIter()) / 1e9,
  });
  return [
    ['matmul NN 512³', 'GFLOPS', gemm(512)],
    ['training (b) 784-256-128-10, batch 256', 'samples/s', train('b', 256)],
    // The same with the pool woken for every split region instead of kept awake through
    // the run of steps: what the awake team gives, paired in the same run.
    ['training (b), pool woken per region (no awake team)', 'samples/s', train('b', 256), 0, false],
    ['matmul NN 512³ in an awake team', 'GFLOPS', gemmInTeam(512)],
    ['ceiling: a register-only multiply-add loop on each thread', 'GFLOPS', ceiling],
    ['training (a) 2-8-8-1, batch 10', 'samples/s', train('a', 0)],
    ['decision grid 100×100 (2-8-8-1)', 'grids/s', grid],
    // Where splitting starts to pay: square products around the band threshold, split
    // whatever their size (the threshold set to one multiply-add) at every thread count.
    ...[32, 48, 64, 96, 128].map((s) => [`threshold sweep: matmul NN ${s}³ (${(s ** 3).toLocaleString('en')} multiply-adds), always split`, 'GFLOPS', gemm(s), 1]),
  ];
}

let mod = null;
const made = new Map();

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      mod = await import(`../${data.build}/nn_playground.js`);
      await mod.default();
      if (data.build === 'pkg-threads-bench') {
        await mod.initThreadPool(data.pool);
        mod.poolStarted(data.pool);
      }
      const names = cases(mod).map(([name]) => name);
      self.postMessage({ names, env: { kernel: mod.fastGemmKernel(), threadsBuild: mod.threadsBuild() } });
      return;
    }
    if (data.type === 'data') {
      const t = new mod.WasmTrainBench('b', 1);
      self.postMessage({ x: t.x(), y: t.y(), widths: Array.from(t.widths()), batch: 256, samples: t.samples() });
      t.free();
      return;
    }
    // {type: 'run', index, threads, quick}: one case at one thread count.
    const [name, unit, make, bandWork, team] = cases(mod)[data.index];
    if (!made.has(name)) made.set(name, make());
    const c = made.get(name);
    const used = mod.setThreads(data.threads);
    mod.setMinBandWork(bandWork ?? 0);
    mod.setAwakeTeam?.(team ?? true);
    const reps = data.quick ? 3 : 7;
    const value = measure(c.run, c.perCall, reps);
    mod.setMinBandWork(0);
    mod.setAwakeTeam?.(true);
    self.postMessage({ case: name, threads: used, value, unit, reps });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
