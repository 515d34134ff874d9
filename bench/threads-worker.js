// One engine build in a worker for the threads benchmark (blocking waits, which the pool
// needs, are not allowed on a page's main thread): loads `pkg/` or `pkg-threads/` (with a
// pool of `pool` threads), then times each case at each thread count and posts the figures.
//
// main → worker: {build: 'pkg' | 'pkg-threads', pool, threads: [1, 2, …], quick}
// worker → main: {rows: [{case, threads, value, unit, reps}], env} or {error}

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
  return [
    ['matmul NN 512³', 'GFLOPS', gemm(512)],
    ['training (b) 784-256-128-10, batch 256', 'samples/s', train('b', 256)],
    ['training (a) 2-8-8-1, batch 10', 'samples/s', train('a', 0)],
    ['decision grid 100×100 (2-8-8-1)', 'grids/s', grid],
    // Where splitting starts to pay: square products around the band threshold, split
    // whatever their size (the threshold set to one multiply-add) at every thread count.
    ...[32, 48, 64, 96, 128].map((s) => [`threshold sweep: matmul NN ${s}³ (${(s ** 3).toLocaleString('en')} multiply-adds), always split`, 'GFLOPS', gemm(s), 1]),
  ];
}

self.onmessage = async ({ data }) => {
  try {
    const m = await import(`../${data.build}/nn_playground.js`);
    await m.default();
    if (data.build === 'pkg-threads') {
      await m.initThreadPool(data.pool);
      m.poolStarted(data.pool);
    }
    const reps = data.quick ? 3 : 7;
    const rows = [];
    for (const [name, unit, make, bandWork] of cases(m)) {
      const c = make();
      for (const t of data.threads) {
        const used = m.setThreads(t);
        m.setMinBandWork(bandWork ?? 0);
        rows.push({ case: name, threads: used, value: measure(c.run, c.perCall, reps), unit, reps });
        m.setMinBandWork(0);
      }
    }
    self.postMessage({ rows, env: { kernel: m.fastGemmKernel(), threadsBuild: m.threadsBuild() } });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
