// Which engine build the training worker runs: the threads build (`pkg-threads/`, a pool of
// Web Workers sharing one wasm memory) when the page is cross-origin isolated on a machine
// with more than one core, the single-thread SIMD128 core build (`pkg-core/`) everywhere
// else, and also when the threads build is missing or its pool does not start (the reason
// is kept for the page to show). The core build lacks the table upload, the explain,
// health and importance views, ONNX and the model-file and run readers; the worker moves
// its session into the full single-thread build (`pkg/`, see `loadFullEngine`) the first
// time one of them is used, so a first visit downloads the smaller build. The Sequences mode's worker loads its own build instead
// (`pkg-sequences/`, see `loadSequenceEngine`), so the playground's builds do not carry it.

/** How long the pool's workers may take to start before the single-thread build is used. */
const POOL_START_MS = 10_000;

/**
 * Loads and instantiates one build. Resolves to `{wasm, build, pool, reason}`: the module's
 * exports, 'threads', 'core' or 'single' (the full single-thread build), the pool's thread count (1 without one), and why the
 * threads build is not running as a phrase `{key, vars}` for the page's languages (null when
 * it is, or when the page cannot have it at all).
 * `single`: a single-thread build whatever the page allows (after the worker died).
 * `full`: the full build where the core build would be (a snapshot to restore needs it).
 */
export async function loadEngine({ single = false, full = false } = {}) {
  const cores = navigator.hardwareConcurrency || 1;
  let reason = single ? { key: 'threads.stoppedEarlier' } : null;
  if (!single && self.crossOriginIsolated && cores > 1) {
    try {
      const wasm = await import('../pkg-threads/nn_playground.js');
      await wasm.default();
      await withTimeout(wasm.initThreadPool(cores), POOL_START_MS, 'the thread pool did not start');
      wasm.poolStarted(cores);
      return { wasm, build: 'threads', pool: cores, reason };
    } catch (err) {
      reason = { key: 'threads.notStarted', vars: { detail: String(err?.message ?? err) } };
    }
  }
  if (full) return loadFullEngine(reason);
  const wasm = await import('../pkg-core/nn_playground.js');
  await wasm.default();
  return { wasm, build: 'core', pool: 1, reason };
}

/**
 * The full single-thread build (`pkg/`), instantiated: what the core build moves into, and
 * what a restart from a snapshot (which carries a model file to read) starts on. `reason`
 * as `loadEngine` gives it.
 */
export async function loadFullEngine(reason = null) {
  const wasm = await import('../pkg/nn_playground.js');
  await wasm.default();
  return { wasm, build: 'single', pool: 1, reason };
}

/**
 * The Sequences mode's build (`pkg-sequences/`: the engine with the feature `sequences`),
 * instantiated. It is single-threaded: the default model's largest product (256 token rows
 * × 32 × 64) is about the least work the threads build gives one band, so a pool would gain
 * it little and cost a third build, its start and a thread that can die; larger models
 * train on one thread too.
 */
export async function loadSequenceEngine() {
  const wasm = await import('../pkg-sequences/nn_playground.js');
  await wasm.default();
  return wasm;
}

/** The CPU's part of the speed line: the build and the threads it uses now. */
export function cpuLabel(engine) {
  if (engine.build !== 'threads') return 'cpu (SIMD128, 1 thread)';
  const n = engine.wasm.threadsInUse();
  return `cpu (SIMD128, threads build, ${n} thread${n === 1 ? '' : 's'})`;
}

function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
