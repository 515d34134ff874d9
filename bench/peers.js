// TF.js side of the benchmark: backend set-up, matmul and `model.fit` jobs on the same data
// our engine trains on. Uses the global `tf` from the UMD bundles that index.html loads.

const WASM_DIR = new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href;

/** Initialises every TF.js backend it can; returns the ones that work and what loaded. */
export async function tfSetup(note, wanted) {
  const env = { tfVersion: tf.version_core };
  if (typeof tf === 'undefined') {
    note('TF.js did not load');
    return { backends: [], env };
  }
  tf.wasm.setWasmPaths(WASM_DIR);
  // The threaded-SIMD binary starts its pthreads from blob: URLs, which the page's CSP
  // (worker-src 'self') refuses, and the comparison is single-threaded anyway: pin the
  // single-thread SIMD binary. The variant actually fetched is reported below.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  env.tfWasmThreadedNote = 'threaded-SIMD disabled: its blob: workers violate worker-src \'self\'';
  const backends = [];
  for (const b of wanted) {
    try {
      if (await tf.setBackend(b)) {
        await tf.ready();
        backends.push(b);
      } else {
        note(`TF.js backend ${b} failed to initialise`);
      }
    } catch (e) {
      note(`TF.js backend ${b}: ${e.message}`);
    }
  }
  if (backends.includes('wasm')) {
    await tf.setBackend('wasm');
    env.tfWasmVariant = tfWasmVariant();
    env.tfWasmThreads = tf.wasm.getThreadsCount ? tf.wasm.getThreadsCount() : null;
  }
  if (backends.includes('webgpu')) {
    await tf.setBackend('webgpu');
    const info = tf.backend().adapterInfo;
    env.tfWebgpuAdapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' : 'unknown';
  }
  return { backends, env };
}

/** Which TF.js wasm binary the page fetched: plain, SIMD or threaded SIMD. */
export function tfWasmVariant() {
  const names = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('tfjs-backend-wasm'));
  if (names.some((n) => n.includes('threaded-simd'))) return 'threaded-SIMD';
  if (names.some((n) => n.includes('wasm-simd'))) return 'SIMD';
  if (names.some((n) => n.endsWith('tfjs-backend-wasm.wasm'))) return 'plain';
  return 'unknown';
}

/** A square `size³` product in `shape` (`nn`, `tn`, `nt`) on the current backend. */
export function tfMatmul(shape, size) {
  const a = tf.randomUniform([size, size], -1, 1);
  const b = tf.randomUniform([size, size], -1, 1);
  const [ta, tb] = [shape === 'tn', shape === 'nt'];
  return {
    flops: 2 * size ** 3,
    // The read-back of the last product waits for every queued one (GPU work is in order).
    fn: async (iters) => {
      let c = null;
      for (let i = 0; i < iters; i++) {
        if (c) c.dispose();
        c = tf.matMul(a, b, ta, tb);
      }
      await c.data();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** A `model.fit` job for problem `a`, `a-4-2` or `b` on our data (`x`, `y`, `widths`). */
export async function tfTrain(problem, d) {
  const mnist = problem === 'b';
  const w = d.widths;
  const model = tf.sequential();
  for (let i = 1; i < w.length; i++) {
    const last = i === w.length - 1;
    const activation = mnist ? (last ? 'softmax' : 'relu') : 'tanh';
    model.add(tf.layers.dense({ units: w[i], activation, inputShape: i === 1 ? [w[0]] : undefined, kernelInitializer: 'glorotUniform' }));
  }
  model.compile(mnist
    ? { optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' }
    : { optimizer: tf.train.sgd(0.03), loss: 'meanSquaredError' });
  const x = tf.tensor2d(d.x, [d.samples, w[0]]);
  const y = tf.tensor2d(d.y, [d.samples, w[w.length - 1]]);
  const rows = (t, n) => tf.slice(t, [0, 0], [n, -1]);
  const fit = (xs, ys, epochs) => model.fit(xs, ys, { batchSize: d.batch, epochs, shuffle: false, verbose: 0 });
  // Slow backends get a subset (whole batches) so that one repetition stays near a second.
  const [x1, y1] = [rows(x, d.batch), rows(y, d.batch)];
  await fit(x1, y1, 1);
  const t0 = performance.now();
  const probe = Math.min(4, d.samples / d.batch) * d.batch;
  const [xp, yp] = [rows(x, probe), rows(y, probe)];
  await fit(xp, yp, 1);
  const perSample = (performance.now() - t0) / probe;
  tf.dispose([x1, y1, xp, yp]);
  const batches = Math.max(1, Math.min(d.samples / d.batch, Math.floor(800 / (perSample * d.batch))));
  const n = batches * d.batch;
  const xs = n === d.samples ? x : rows(x, n);
  const ys = n === d.samples ? y : rows(y, n);
  return {
    samples: n,
    fn: async (epochs) => { await fit(xs, ys, epochs); },
    dispose: () => { tf.dispose([x, y, xs, ys]); model.dispose(); },
  };
}
