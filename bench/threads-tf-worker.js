// TF.js's wasm backend in a worker for the threads benchmark, one worker per thread count
// (TF.js fixes its pthread count when the backend starts): 1 thread is its single-thread
// SIMD binary, more is its threaded-SIMD binary with that many pthreads. A classic worker,
// because TF.js ships UMD bundles; the shared jobs come from peers.js by dynamic import.
//
// main → worker: {type: 'load', threads}              → {threads, variant, version}
//                {type: 'run', case, data?, quick}    → {case, value, unit}
// any failure → {error}

importScripts(
  'node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js',
  'node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
  'node_modules/@tensorflow/tfjs-layers/dist/tf-layers.min.js',
);

let jobs = null;
let timing = null;

async function load(threads) {
  jobs = await import('./peers.js');
  timing = await import('./measure.js');
  tf.wasm.setWasmPaths(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads > 1) tf.wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend did not start');
  await tf.ready();
  return { threads: tf.wasm.getThreadsCount(), variant: jobs.tfWasmVariant(), version: tf.version_core };
}

/** One case: a 512³ NN product (GFLOPS) or `model.fit` of problem (b) (samples/s). */
async function run(name, data, quick) {
  const reps = quick ? 3 : 7;
  if (name === 'matmul') {
    const job = jobs.tfMatmul('nn', 512);
    const s = await timing.measure(job.fn, { minMs: 300, reps });
    job.dispose();
    return { value: job.flops / s.median / 1e9, unit: 'GFLOPS' };
  }
  const job = await jobs.tfTrain('b', data);
  const s = await timing.measure(job.fn, { minMs: 300, maxIters: 64, reps });
  job.dispose();
  return { value: job.samples / s.median, unit: 'samples/s' };
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') self.postMessage(await load(data.threads));
    else self.postMessage({ case: data.case, ...(await run(data.case, data.data, data.quick)) });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err?.message ?? err) });
  }
};
