// Which of the engine's three page builds the training worker runs. Every page starts on the
// single-thread SIMD128 core build (`pkg-core/`), the engine without the table upload, the
// explain, health and importance views, ONNX, the snapshot and model-file readers and the
// Sequences mode, so a first visit downloads the smallest build. Each build says what it
// can do (`capabilities()`, from the same cfgs that cut it); the worker's `ensure` moves its
// session out by snapshot the first time it needs more: into the threads build
// (`pkg-threads/`, a pool of Web Workers sharing one wasm memory; everything but WebGPU)
// when the page is cross-origin isolated on more than one core (`threadsAllowed`), else into
// the full single-thread build (`pkg/`, everything), also when the threads build is missing
// or its pool does not start (the reason is kept for the page to show).

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
 * `needs`: a capability the build must have (see `loadWith`); none: the core build.
 */
export async function loadEngine({ single = false, needs = null } = {}) {
  const reason = single ? { key: 'threads.stoppedEarlier' } : null;
  if (needs) return loadWith(needs, { single, reason });
  const wasm = await import('../pkg-core/nn_playground.js');
  await wasm.default();
  return { wasm, build: 'core', pool: 1, reason };
}

/**
 * The first build that has `capability` (a name of the engine's `capabilities()`): the
 * threads build where the page can have it (`threadsOk`, default `threadsAllowed()`), else
 * the full single-thread build `pkg/`, which has every capability but `threads`. Each build
 * is asked what it can do; nothing here lists what a build holds. A threads build that does
 * not start is said in `reason` and the full build is used.
 */
export async function loadWith(capability, { single = false, reason = null, threadsOk = !single && threadsAllowed() } = {}) {
  if (threadsOk && threadsMayHave(capability)) {
    try {
      const threads = await loadThreadsEngine();
      if (threads.wasm.capabilities().includes(capability)) return threads;
    } catch (err) {
      reason = threadsNotStarted(err);
    }
  }
  const full = await loadFullEngine(reason);
  if (!full.wasm.capabilities().includes(capability)) throw new Error(`no build of the engine can do "${capability}"`);
  return full;
}

/**
 * Whether the threads build is worth starting for `capability`. Only a hint (each build is
 * still asked): wgpu's browser backend does not build with wasm atomics, so the threads
 * build has no GPU, and a pool started for it would be wasted.
 */
export function threadsMayHave(capability) {
  return capability !== 'webgpu';
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
 * The full single-thread build (`pkg/`: everything, WebGPU and the Sequences mode
 * included), instantiated. `reason` as `loadEngine` gives it.
 */
export async function loadFullEngine(reason = null) {
  const wasm = await import('../pkg/nn_playground.js');
  await wasm.default();
  return { wasm, build: 'single', pool: 1, reason };
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
