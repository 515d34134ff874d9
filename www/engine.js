// Which engine build the training worker runs. Every page starts on the single-thread SIMD128
// core build (`pkg-core/`), the engine without the table upload, the explain, health and
// importance views, ONNX and the model-file and run readers, so a first visit downloads the
// smallest build. The worker moves its session out of it the first time it needs more:
// into the threads build (`pkg-threads/`, a pool of Web Workers sharing one wasm memory)
// when the page is cross-origin isolated on more than one core (`threadsAllowed`) and
// either a left-out part is used or the session's work is large enough to split
// (`Session.wouldUseThreads`, the engine's rule); into the full single-thread build
// (`pkg/`) for a left-out part everywhere else, and also when the threads build is missing
// or its pool does not start (the reason is kept for the page to show). The Sequences
// mode's worker loads its own build instead (`pkg-sequences/`, see `loadSequenceEngine`),
// so the playground's builds do not carry it.

/** How long the pool's workers may take to start before the single-thread build is used. */
const POOL_START_MS = 10_000;

/** Whether this page can run the threads build: cross-origin isolated on more than one core. */
export function threadsAllowed() {
  return Boolean(self.crossOriginIsolated) && (navigator.hardwareConcurrency || 1) > 1;
}

/**
 * Loads and instantiates the build to start on. Resolves to `{wasm, build, pool, reason}`:
 * the module's exports, 'core', 'threads' or 'single' (the full single-thread build), the
 * pool's thread count (1 without one), and why the threads build is not running as a phrase
 * `{key, vars}` for the page's languages (null when nothing stands in its way).
 * `single`: a single-thread build whatever the page allows (after the worker died).
 * `full`: a build with everything, the threads build where the page can have it (a
 * snapshot to restore carries a model file, which only they read).
 */
export async function loadEngine({ single = false, full = false } = {}) {
  const reason = single ? { key: 'threads.stoppedEarlier' } : null;
  if (full) {
    if (single || !threadsAllowed()) return loadFullEngine(reason);
    try {
      return await loadThreadsEngine();
    } catch (err) {
      return loadFullEngine(threadsNotStarted(err));
    }
  }
  const wasm = await import('../pkg-core/nn_playground.js');
  await wasm.default();
  return { wasm, build: 'core', pool: 1, reason };
}

/** The threads build with its pool of one thread per core started; throws when it cannot. */
export async function loadThreadsEngine() {
  const cores = navigator.hardwareConcurrency || 1;
  const wasm = await import('../pkg-threads/nn_playground.js');
  await wasm.default();
  await withTimeout(wasm.initThreadPool(cores), POOL_START_MS, 'the thread pool did not start');
  wasm.poolStarted(cores);
  return { wasm, build: 'threads', pool: cores, reason: null };
}

/** Why the threads build is not running, after `loadThreadsEngine` failed with `err`. */
export function threadsNotStarted(err) {
  return { key: 'threads.notStarted', vars: { detail: String(err?.message ?? err) } };
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
