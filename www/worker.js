// The training worker: owns the wasm `Session`, trains in slices of about one frame, and
// posts progress (losses, metrics, speed, decision grid as a transferred Float32Array,
// neuron grids and weights when visible). The main thread only draws.
//
// Protocol — main → worker:
//   {type: 'init', hash}                      build a session from a URL-hash config
//   {type: 'init', restore, hide}             rebuild from a snapshot {bytes} (after a crash),
//                                             or from {config, dataLost} when it was too large
//   {type: 'init', restore, hash}             the same after a reload (hide from the hash;
//                                             a snapshot that fails falls back to the hash)
//   (any init may carry `singleThread: true`: the single-thread build only, after a worker
//   of the thread pool died; and `poolChannel`: the BroadcastChannel a dying pool thread
//   reports on, since this worker may then be blocked waiting for that thread's band)
//   {type: 'call', id, method, args}          reply {type: 'reply', id, ok, value | error}
//   {type: 'ack'}                             the last frame was drawn; the next may come
//   {type: 'seq-…'}                           the Sequences mode (see sequence/worker_side.js)
// worker → main:
//   {type: 'ready', config, hide, unknown, backend, previews, choices, warning?}   (the
//                                             page keeps `warning` on screen until dismissed)
//   {type: 'frame', …}                        see `frame()` below
//   {type: 'error', message}                  a failure outside any call (e.g. divergence)
//   {type: 'notice', message}                 backend news (WebGPU started, or why the CPU)
//   {type: 'crashed', message}                the wasm instance trapped; this worker closes
//
// Pace: `config.speed` epochs per second (null: as fast as it goes). A paced run trains only
// the epochs due (see `pace.js`) and sleeps in between, so neither thread spins.
//
// A frame carries `snapshot: {bytes, rows}` every few seconds (and whenever idle): the
// session's snapshot, the last good state the page restarts a crashed worker from.
//
// Backends: `config.backend` is 'cpu', 'webgpu' or 'auto'. The engine decides everything (which
// backend, auto's timing, the fallback on a lost device, what to say); the worker forwards the
// choice and shows the engine's news. The page starts on a CPU build (`pkg-core/`, or the
// threads build); the first choice of WebGPU moves the whole session into the full build
// (`pkg/`, which holds the GPU backend and the CPU engine) once, so the CPU-only page never
// downloads it. Training is one call either way (`trainSlice`); while it runs, calls wait.
//
// Moves between builds: every build says what it can do (`capabilities()`); a call that
// needs what this build lacks (its `needs` below) first `ensure`s it: the session's one
// snapshot (`snapshot()`, bytes) is read back by the build that has it
// (`Session.fromSnapshot`), with its model, optimiser state and whole run. The page's
// crash restarts and reloads start from the same bytes.

import { cpuLabel, loadEngine, loadThreadsEngine, loadWith, threadsAllowed, threadsMayHave, threadsNotStarted } from './engine.js';
import { Pacer } from './pace.js';
import { handleSequence } from './sequence/worker_side.js';

const SLICE_MS = 12;
const HEAVY_MS = 250;
const SNAPSHOT_MS = 2000;

// The engine build in use (see `engine.js`; the GPU build once WebGPU was chosen) and its
// exports, once loaded.
let engine = null;
let wasm = null;
let engineNoticed = false;
// Set by the page after a worker of the thread pool died: the single-thread build only.
let singleThread = false;
// The BroadcastChannel name the page listens on for a pool thread that dies (see `init`).
let poolChannel = null;
let poolFailureNoticed = false;
// Set once the threads build failed to start here: the worker does not try it again.
let threadsRefused = false;

let session = null;
let running = false;
let awaitingAck = false;
let dirty = true;
let pointsDirty = true;
let structureDirty = true;
let historySent = 0;
let historyStride = 1;
let lastHeavy = 0;
let lastSnapshot = -Infinity;
let snapshotDirty = true;
// How often a running session's snapshot is taken (see `frame`).
let snapshotEvery = SNAPSHOT_MS;
let heavyDirty = true;
let view = { gridRes: 100, neurons: true, neuronRes: 20, network: true, insight: true, health: false };
const pacer = new Pacer();
// The sleep of a paced run until its next epoch is due.
let sleepTimer = null;
let ready = null;
// Cached so the training loop does not convert the whole config every slice.
let batchSize = 1;
// The backend choice last forwarded to the engine; a new one is forwarded before the next slice.
let backendChoice = 'cpu';
let backendDirty = false;
// Bumped by every call: a decision grid the GPU predicted before it is not shown.
let version = 0;
// A decision grid the GPU predicted for the session as of `version` and `epoch`.
let gpuGrid = null;
// The training slice (or backend move) in flight: calls and frames wait for it.
let slicing = null;
// A permutation-importance run takes the ticks until it is done or cancelled.
let importanceRunning = false;
const pending = [];

const tickChannel = new MessageChannel();
tickChannel.port1.onmessage = () => tick();
const scheduleTick = () => tickChannel.port2.postMessage(0);

/** The next tick: at once, or after a paced run's sleep (one sleep pending at most). */
function scheduleNext(ms) {
  if (sleepTimer !== null) clearTimeout(sleepTimer);
  sleepTimer = null;
  if (ms > 0) {
    sleepTimer = setTimeout(() => {
      sleepTimer = null;
      tick();
    }, ms);
  } else {
    scheduleTick();
  }
}

self.onmessage = (e) => {
  // A Sequences-mode worker never gets the playground's messages, nor the other way round.
  if (e.data.type.startsWith('seq-')) {
    handleSequence(e.data);
    return;
  }
  if (!ready && e.data.type !== 'init') {
    pending.push(e.data);
    return;
  }
  handle(e.data);
};

async function handle(msg) {
  switch (msg.type) {
    case 'init':
      singleThread = Boolean(msg.singleThread);
      poolChannel = msg.poolChannel ?? null;
      ready = msg.restore ? restore(msg.restore, msg.hide, msg.hash) : start(msg.hash);
      await ready;
      for (const m of pending.splice(0)) handle(m);
      break;
    case 'ack':
      awaitingAck = false;
      await idle();
      guarded(maybeFrame);
      break;
    case 'call': {
      await ready;
      await idle();
      let reply;
      const fn = calls[msg.method];
      const need = typeof fn?.needs === 'function' ? fn.needs(...(msg.args || [])) : fn?.needs;
      if (need) {
        try {
          await holdingSession(ensure(need));
        } catch (err) {
          if (fatal(err)) return;
          self.postMessage({ type: 'reply', id: msg.id, ok: false, error: errorInfo(new Error(`the engine's build with "${need}" could not be loaded (${message(err)})`)) });
          break;
        }
      }
      try {
        if (!fn) throw new Error(`the engine's worker has no call "${msg.method}"`);
        reply = { type: 'reply', id: msg.id, ok: true, value: await fn(...(msg.args || [])) };
      } catch (err) {
        if (fatal(err)) return;
        reply = { type: 'reply', id: msg.id, ok: false, error: errorInfo(err) };
      }
      self.postMessage(reply);
      await maybeUseThreads();
      guarded(maybeFrame);
      break;
    }
    default:
      break;
  }
}

/**
 * Runs the session's move `p` as a slice would run: ticks and calls wait for it, and a
 * running session trains on in its new build.
 */
async function holdingSession(p) {
  slicing = p;
  try {
    await p;
  } finally {
    slicing = null;
    if (running) scheduleTick();
  }
}

/** Waits until no training slice holds the session. */
async function idle() {
  while (slicing) await slicing.catch(() => {});
}

/**
 * The CPU build (threads, core or single-thread, see `engine.js`), loaded once at start.
 * `needs`: a capability it must have (`restore` to read a snapshot back).
 */
async function loadCpuBuild({ needs = null } = {}) {
  if (engine) return;
  engine = await loadEngine({ single: singleThread, needs });
  wasm = engine.wasm;
  if (engine.build === 'threads' && poolChannel) wasm.watchPoolDeaths(poolChannel);
}

/**
 * A thread of the pool that panicked is gone; the engine then keeps every product on this
 * thread (the session and model stay as they are). Said once.
 */
function noticePoolFailure() {
  if (poolFailureNoticed || engine.build !== 'threads' || !wasm.poolFailed()) return;
  poolFailureNoticed = true;
  notice({ key: 'threads.poolStopped' });
}

/** Says once, after the page is ready, why the threads build is not running. */
function noticeEngine() {
  if (engineNoticed || !engine.reason) return;
  engineNoticed = true;
  notice(engine.reason);
}

async function start(hash, earlierWarning) {
  await loadCpuBuild();
  let warning = earlierWarning;
  let parsed;
  try {
    parsed = wasm.configFromHash(hash || '');
  } catch (err) {
    warning = { key: 'link.notUsed', vars: { why: errorInfo(err) } };
    parsed = wasm.configFromHash('');
  }
  try {
    session = new wasm.Session(parsed.config);
  } catch (err) {
    warning = { key: 'link.notUsed', vars: { why: errorInfo(err) } };
    parsed = wasm.configFromHash('');
    session = new wasm.Session(parsed.config);
  }
  if (parsed.rejected?.length) {
    warning = { key: 'link.someNotUsed', vars: { why: { list: parsed.rejected } } };
  }
  if (parsed.weights) {
    try {
      await ensure('full');
      session.importModel(wasm.decodeWeights(parsed.weights));
    } catch (err) {
      warning = [warning, { key: 'link.weightsNotLoaded', vars: { why: errorInfo(err) } }];
    }
  }
  if (session.config().dataset === 'custom' && session.rowCount() === 0 && !warning) {
    warning = { key: 'link.noData' };
  }
  // A link to a model large enough to split starts on the threads build, as it did before
  // the core build existed.
  await maybeUseThreads();
  followConfig();
  self.postMessage({
    type: 'ready',
    config: session.config(),
    hide: parsed.hide,
    unknown: parsed.unknown,
    backend: backendLabel(),
    previews: previews(),
    choices: choices(),
    warning,
  });
  noticeEngine();
  dirty = pointsDirty = structureDirty = true;
}

/**
 * The engine's description of every choice and limit the page's controls offer (see the
 * wasm module's `choices()`), with the feature thumbnails' values added.
 */
function choices() {
  const c = wasm.choices();
  c.featureGrids = wasm.featureGrids(c.feature_grid_resolution);
  return c;
}

/**
 * Rebuilds the session from a page snapshot: the session's own bytes (read by a build with
 * `restore`), or only its settings when it was too large to keep. Anything that does not fit
 * falls back (to the link's `hash` when given, as after a reload).
 */
async function restore(snap, hide, hash) {
  await loadCpuBuild({ needs: snap.bytes ? 'restore' : null });
  let warning;
  try {
    if (snap.bytes) {
      session = wasm.Session.fromSnapshot(snap.bytes);
    } else {
      session = new wasm.Session(snap.config);
      if (snap.dataLost) warning = dataLostText(snap.dataLost);
    }
  } catch (err) {
    warning = { key: 'restore.failed', vars: { why: errorInfo(err) } };
    if (hash !== undefined) {
      session = null;
      return start(hash, warning);
    }
    if (!session) session = new wasm.Session(wasm.configFromHash('').config);
  }
  if (hash !== undefined) {
    try {
      hide = wasm.configFromHash(hash).hide;
    } catch {
      // The link was read when the snapshot was taken; a bad one now only loses `hide`.
    }
  }
  await maybeUseThreads();
  followConfig();
  self.postMessage({ type: 'ready', config: session.config(), hide: hide || [], unknown: [], backend: backendLabel(), previews: hash === undefined ? {} : previews(), choices: choices(), warning, restored: !warning });
  noticeEngine();
  dirty = pointsDirty = structureDirty = snapshotDirty = true;
}

/**
 * A trap (`RuntimeError`) or failed memory growth (`RangeError`) leaves the wasm instance in
 * an unknown state: report it and close, so the page restarts a fresh worker. True if so.
 */
function fatal(err) {
  if (!(err instanceof WebAssembly.RuntimeError || err instanceof RangeError)) return false;
  running = false;
  session = null;
  self.postMessage({ type: 'crashed', message: message(err) });
  self.close();
  return true;
}

/** Runs `fn`; a fatal error closes the worker, any other is reported to the page. */
function guarded(fn) {
  try {
    fn();
  } catch (err) {
    if (!fatal(err)) self.postMessage({ type: 'error', message: errorInfo(err) });
  }
}

function previews() {
  const out = {};
  for (const { id } of wasm.choices().datasets) out[id] = wasm.datasetPreview(id, 3, 200, 7);
  return out;
}

/** What a reload could not keep of the uploaded data, and how to get it back. */
function dataLostText(lost) {
  const what = lost.rows ? { key: 'restore.rows', vars: { n: Number(lost.rows).toLocaleString('en') } } : { key: 'restore.it' };
  return { key: 'restore.dataLost', vars: { what } };
}

function message(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An engine error as the page says it: its message with the engine's stable `code` and the
 * values it names (`args`), so the page can say it in its language; plain text otherwise.
 */
function errorInfo(err) {
  if (err && typeof err.code === 'string') return { message: err.message, code: err.code, args: err.args ?? {} };
  return message(err);
}

/** Picks up the config's batch size, pace and backend choice (forwarded before the next slice). */
function followConfig() {
  const cfg = session.config();
  batchSize = cfg.batch_size;
  // The engine clamps the count to its pool (1 in the single-thread build).
  wasm.setThreads(cfg.threads ?? 0);
  pacer.setSpeed(cfg.speed);
  if (cfg.backend !== backendChoice) {
    backendChoice = cfg.backend;
    backendDirty = true;
    // Paused, a move back to the CPU is made (and said) now rather than at the next ▶, so
    // the GPU's notice does not stay on a page that no longer uses it.
    if (backendChoice === 'cpu' && !running && !slicing) {
      queueMicrotask(() => {
        if (!backendDirty || running || slicing || !session) return;
        holdingSession(applyBackend().then(backendNews)).catch((err) => {
          if (!fatal(err)) self.postMessage({ type: 'error', message: errorInfo(err) });
        });
      });
    }
  }
}

/**
 * Forwards the backend choice: moves the session into the GPU build first when WebGPU is
 * chosen for the first time, then lets the engine open what the choice names.
 */
async function applyBackend() {
  backendDirty = false;
  if (backendChoice !== 'cpu') {
    try {
      await ensure('webgpu');
    } catch (err) {
      if (fatal(err)) return;
      notice([{ key: 'gpu.failed', vars: { why: { key: 'gpu.notUsed' }, detail: `its build could not be loaded (${message(err)})` } }, { key: 'gpu.continues' }]);
      return;
    }
  }
  await session.followBackend();
}

/**
 * Makes sure the session runs on a build that can do `capability` (see `engine.js`): when
 * this one cannot, the session moves by its snapshot into the first build that can (the
 * threads build where the page allows it and has not tried it, else the full build).
 */
async function ensure(capability) {
  if (wasm.capabilities().includes(capability)) return;
  // A pool that does not start is said once and not tried again (`moveToThreadsBuild`).
  if (engine.build !== 'threads' && threadsMayHave(capability) && (await moveToThreadsBuild()) && wasm.capabilities().includes(capability)) return;
  switchTo(await loadWith(capability, { reason: engine.reason, threadsOk: false }));
}

/**
 * Moves the session from the core build into the threads build when the page can have one
 * and the engine says its work would split over the pool (after a call changed the model or
 * its batch, or at start); a pool that does not start is said once, and the session stays.
 */
async function maybeUseThreads() {
  if (engine?.build !== 'core' || !session || !threadsPossible() || !session.wouldUseThreads()) return;
  await holdingSession(moveToThreadsBuild());
}

function threadsPossible() {
  return !singleThread && !threadsRefused && threadsAllowed();
}

/** Carries the session into the threads build; false (and said) when it cannot start. */
async function moveToThreadsBuild() {
  if (!threadsPossible()) return false;
  let next;
  try {
    next = await loadThreadsEngine();
  } catch (err) {
    threadsRefused = true;
    notice(threadsNotStarted(err));
    return false;
  }
  switchTo(next);
  return true;
}

/**
 * Goes on in the loaded build `next` (`{wasm, build, …}` from `engine.js`): the session's
 * snapshot read back there (config, data, model with its optimiser state and the whole
 * run), the old session freed, and a threads build's pool watched and sized.
 */
function switchTo(next) {
  const moved = next.wasm.Session.fromSnapshot(session.snapshot());
  session.free();
  session = moved;
  engine = next;
  wasm = next.wasm;
  if (engine.build === 'threads') {
    if (poolChannel) wasm.watchPoolDeaths(poolChannel);
    wasm.setThreads(session.config().threads ?? 0);
  }
  dirty = pointsDirty = structureDirty = true;
}

function backendLabel() {
  return session.onGpu() ? session.backendLabel() : cpuLabel(engine);
}

/** Shows what the engine has to say about its backend, if anything. */
function backendNews() {
  const news = session.takeBackendNews();
  if (news) notice(news);
}

/** News for the status line: a page message (`{key, vars}`, said in the page's language). */
function notice(msg) {
  self.postMessage({ type: 'notice', message: msg });
}

/** After a call: redraw what changed; a grid the GPU predicted before it is stale. */
function touched({ points = false, structure = false } = {}) {
  followConfig();
  version += 1;
  gpuGrid = null;
  dirty = true;
  snapshotDirty = true;
  heavyDirty = true;
  pointsDirty ||= points;
  structureDirty ||= structure;
}

function resetHistory() {
  historySent = 0;
}

/**
 * The call `fn`, marked with the capability it needs (a name of the engine's
 * `capabilities()`, or a function of the call's arguments giving one or null): the worker
 * `ensure`s it before the call runs.
 */
function needs(capability, fn) {
  fn.needs = capability;
  return fn;
}

const calls = {
  /**
   * The config of a pasted link when it is this run's but for display settings (pace,
   * language, threads; the engine compares), else null: the page then edits those and the
   * run goes on instead of starting again.
   */
  linkKeepsRun(hash) {
    const parsed = wasm.configFromHash(String(hash));
    if (parsed.rejected.length || parsed.unknown.length || parsed.weights) return null;
    return wasm.sameRun(session.config(), parsed.config) ? parsed.config : null;
  },
  setConfig(config) {
    const change = session.setConfig(config);
    if (change !== 'kept') resetHistory();
    touched({ points: change === 'regenerated', structure: true });
    return { change, config: session.config() };
  },
  speedFromText(text) {
    return wasm.speedFromText(String(text)) ?? null;
  },
  /** Snapshot `i` of the replay with its map, or null past the end. */
  replayFrame(i) {
    const meta = session.replayFrame(i);
    return meta && { ...meta, grid: session.replayGrid(i) };
  },
  epochLimitFromText(text) {
    return wasm.epochLimitFromText(String(text)) ?? null;
  },
  play() {
    if (!running) {
      running = true;
      pacer.reset();
      pacer.restartWindow();
      scheduleNext(0);
    }
    touched();
    return true;
  },
  pause() {
    running = false;
    touched();
    return true;
  },
  step() {
    running = false;
    session.trainEpochs(1);
    touched();
    return session.epoch();
  },
  trainEpochs(n) {
    session.trainEpochs(n);
    touched();
    return session.epoch();
  },
  reset() {
    running = false;
    session.reset();
    resetHistory();
    touched({ structure: true });
    return true;
  },
  regenerate() {
    session.regenerate();
    resetHistory();
    touched({ points: true });
    return true;
  },
  setView: needs((v) => (v?.health ? 'full' : null), function setView(v) {
    view = { ...view, ...v };
    touched({ structure: true });
    return view;
  }),
  setWeight(d, from, to, value) {
    session.setWeight(d, from, to, value);
    touched();
    return true;
  },
  setBias(d, unit, value) {
    session.setBias(d, unit, value);
    touched();
    return true;
  },
  addPoint(x, y, label) {
    session.addPoint(x, y, label);
    touched({ points: true, structure: true });
    return session.config();
  },
  removePointsNear(x, y, r) {
    const n = session.removePointsNear(x, y, r);
    touched({ points: true, structure: true });
    return n;
  },
  loadCsv: needs('full', function loadCsv(text, options) {
    running = false;
    session.loadCsv(text, options);
    resetHistory();
    touched({ points: true, structure: true });
    return session.config();
  }),
  dataCsv: () => session.dataCsv(),
  csvPreview: needs('full', (text) => wasm.csvPreview(text)),
  decodeCsv: needs('full', (bytes) => wasm.decodeCsv(bytes)),
  tableInfo: () => tableInfo(),
  setSlice: needs('full', function setSlice(x, y, held) {
    session.setSlice(x, y, held);
    touched({ points: true });
    return true;
  }),
  insight: () => session.insight(),
  explainStep: needs('full', (row) => session.explainStep(row)),
  linkInfo: needs('full', (d, i, j) => Array.from(session.linkInfo(d, i, j))),
  unitRange: needs('full', (c, u) => Array.from(session.unitRange(c, u))),
  nearestTrainingRow: needs('full', (x, y) => session.nearestTrainingRow(x, y)),
  predictionsCsv: needs('full', (all) => session.predictionsCsv(!!all)),
  predictCsv: needs('full', (text) => session.predictCsv(text)),
  startImportance: needs('full', function startImportance(repeats) {
    // Importance measures one fixed model: training pauses while it runs.
    running = false;
    session.startImportance(repeats);
    importanceRunning = true;
    scheduleTick();
    touched();
    return true;
  }),
  cancelImportance() {
    session.cancelImportance();
    importanceRunning = false;
    touched();
    return true;
  },
  // With the optimiser's state, so an imported file resumes the run exactly.
  exportModel: () => session.exportModelWithState(),
  exportOnnx: needs('full', () => session.exportOnnx()),
  importModel: needs('full', function importModel(json) {
    session.importModel(json);
    resetHistory();
    touched({ structure: true });
    return session.config();
  }),
  hash: needs((hide, withWeights) => (withWeights ? 'full' : null), function hash(hide, withWeights) {
    return withWeights
      ? wasm.configToHashWithWeights(session.config(), hide || [], session.exportModel())
      : wasm.configToHash(session.config(), hide || []);
  }),
  predict(xy) {
    return session.predict(xy);
  },
  decisionGrid(res) {
    return session.decisionGrid(res);
  },
  /** Test hook: the GPU device goes away as if lost (true when the GPU was in use). */
  loseGpuForTest() {
    return session.loseGpuForTest();
  },
  /** Test hook: the session's snapshot (what a move, a reload and a restart carry). */
  snapshotForTest() {
    return session.snapshot();
  },
  /** Test hook: what this build can do. */
  capabilitiesForTest() {
    return wasm.capabilities();
  },
  /** Test hook: what this worker fetched (which builds of the engine, above all). */
  resourcesForTest() {
    return performance.getEntriesByType('resource').map((e) => e.name);
  },
  /** Test hook (see the page's `__crashWorkerForTest`): fails as a wasm trap would. */
  crashForTest() {
    throw new WebAssembly.RuntimeError('unreachable executed (forced by a test)');
  },
  crashPoolThreadForTest() {
    if (!wasm.crashPoolThreadForTest) throw new Error('the single-thread build has no thread pool');
    wasm.crashPoolThreadForTest();
  },
  /** Test hook: the pool thread of the next split product's band stops inside it. */
  crashPoolBandForTest() {
    if (!wasm.crashPoolBandForTest) throw new Error('the single-thread build has no thread pool');
    wasm.crashPoolBandForTest();
  },
  /** Test hook: the pool thread of the next split product's band never ends, silently. */
  hangPoolBandForTest() {
    if (!wasm.hangPoolBandForTest) throw new Error('the single-thread build has no thread pool');
    wasm.hangPoolBandForTest();
  },
  status() {
    return { epoch: session.epoch(), running, trainLoss: session.trainLoss(), testLoss: session.testLoss(), backend: backendLabel(), gpuAdapter: session.onGpu() ? session.backendLabel() : null };
  },
};

/** Table facts the page draws (names, classes, slice, load report), or null for points. */
function tableInfo() {
  if (!session.isTable()) return { isTable: false, report: session.loadReport() };
  return { isTable: true, inputNames: session.inputNames(), classNames: session.classNames(), slice: session.sliceInfo(), report: session.loadReport() };
}

function tick() {
  if (importanceRunning && session) {
    importanceTick();
    return;
  }
  if (!running || !session || slicing) return;
  const allowed = pacer.allowance(session.midEpoch());
  if (allowed === 0 && !backendDirty) {
    scheduleNext(pacer.sleep(false));
    return;
  }
  slicing = slice(allowed);
  slicing.then(() => {
    slicing = null;
    if (session) afterSlice();
  });
}

/**
 * One slice: forward a new backend choice, train on the engine's backend for about
 * `SLICE_MS` (at most `allowed` epochs), and on the GPU predict the decision grid there.
 */
async function slice(allowed) {
  try {
    if (backendDirty) await applyBackend();
    if (!session) return;
    backendNews();
    if (allowed === 0) return;
    const e0 = session.epoch();
    const [steps0, ms0] = session.trainTiming();
    const steps = await session.trainSlice(SLICE_MS, allowed);
    const [steps1, ms1] = session.trainTiming();
    pacer.trained(session.epoch() - e0, steps, batchSize, session.stepsPerEpoch(), steps1 - steps0, ms1 - ms0);
    backendNews();
    if (steps > 0 && session.onGpu()) {
      const v = version;
      const res = view.gridRes;
      const grid = await session.gpuDecisionGrid(res);
      if (grid && version === v) gpuGrid = { grid, res, version: v, epoch: session.epoch() };
    }
    backendNews();
  } catch (err) {
    if (fatal(err)) return;
    running = false;
    self.postMessage({ type: 'error', message: errorInfo(err) });
  }
}

/** One column of permutation importance per tick, so calls (cancel) get in between. */
function importanceTick() {
  try {
    if (session.importanceStep()) importanceRunning = false;
  } catch (err) {
    if (fatal(err)) return;
    importanceRunning = false;
    self.postMessage({ type: 'error', message: errorInfo(err) });
  }
  dirty = true;
  heavyDirty = true;
  guarded(maybeFrame);
  if (importanceRunning) scheduleTick();
}

/** After a training slice: apply a stop, post a frame, and go on while running. */
function afterSlice() {
  if (session.stopReason()) running = false;
  dirty = true;
  snapshotDirty = true;
  guarded(maybeFrame);
  if (running) scheduleNext(pacer.sleep(session.midEpoch()));
}

function maybeFrame() {
  if (!session || awaitingAck || !dirty) return;
  dirty = false;
  awaitingAck = true;
  const f = frame();
  self.postMessage(f, f.transfer);
  delete f.transfer;
}

function frame() {
  const transfer = [];
  // The GPU's grid when it is of this very model state (its buffer travels once).
  const fresh = gpuGrid && gpuGrid.version === version && gpuGrid.epoch === session.epoch() && gpuGrid.res === view.gridRes;
  const grid = fresh ? gpuGrid.grid : session.decisionGrid(view.gridRes);
  gpuGrid = null;
  transfer.push(grid.buffer);
  // The engine thins a long history (and doubles its stride); then the page starts over.
  const stride = session.historyStride();
  if (stride !== historyStride) {
    historyStride = stride;
    historySent = 0;
  }
  const hist = session.lossHistoryFrom(historySent);
  const historyFrom = historySent;
  historySent += hist.length / 3;
  noticePoolFailure();
  const f = {
    type: 'frame',
    epoch: session.epoch(),
    trainLoss: session.trainLoss(),
    testLoss: session.testLoss(),
    validationLoss: session.validationLoss(),
    splitSizes: Array.from(session.splitSizes()),
    overfitting: session.overfitting(),
    history: hist,
    historyFrom,
    historyStride: stride,
    replayLength: session.replayLength(),
    running,
    stopReason: session.stopReason() || null,
    stop: session.stopCode(),
    stepsPerSec: running ? pacer.rates.stepsPerSec : 0,
    samplesPerSec: running ? pacer.rates.samplesPerSec : 0,
    epochsPerSec: running ? pacer.rates.epochsPerSec : 0,
    maxEpochsPerSec: pacer.rates.maxEpochsPerSec,
    pace: pacer.speed,
    backend: backendLabel(),
    engineBuild: engine.build,
    threads: wasm.threadsInUse(),
    gridOn: fresh ? 'gpu' : 'cpu',
    task: session.task(),
    outputs: session.outputs(),
    grid,
    gridRes: view.gridRes,
    transfer,
  };
  // Weights, neuron thumbnails and metrics change the most pixels and DOM nodes per frame;
  // a few updates a second is plenty while training and keeps the main thread light.
  const now = performance.now();
  if (!running || heavyDirty || now - lastHeavy >= HEAVY_MS) {
    lastHeavy = now;
    heavyDirty = false;
    f.metrics = session.metrics();
    f.insight = view.insight ? session.insight() : null;
    f.importance = session.importance();
    if (view.health) f.health = session.health();
    if (view.network) {
      f.network = session.network();
      // Moved, not copied: a 16 × 256 network's million plain numbers took the page ~200 ms
      // to clone from each message.
      for (const l of f.network.layers) {
        l.weights = Float32Array.from(l.weights);
        transfer.push(l.weights.buffer);
      }
    }
    if (view.neurons) {
      f.neurons = session.neuronGrids(view.neuronRes);
      f.neuronRes = view.neuronRes;
      transfer.push(f.neurons.buffer);
    }
  }
  if (pointsDirty) {
    f.points = session.points();
    transfer.push(f.points.buffer);
    pointsDirty = false;
  }
  if (structureDirty) {
    f.config = session.config();
    f.table = tableInfo();
    structureDirty = false;
  }
  if (snapshotDirty && (!running || now - lastSnapshot >= snapshotEvery)) {
    lastSnapshot = now;
    snapshotDirty = false;
    const t0 = performance.now();
    const bytes = session.snapshot();
    // A large table's snapshot takes a while to write: it is then taken less often, so that
    // it never costs more than about 2 % of the time.
    snapshotEvery = Math.max(SNAPSHOT_MS, 50 * (performance.now() - t0));
    f.snapshot = { bytes, config: session.config(), rows: session.rowCount() };
    transfer.push(bytes.buffer);
  }
  return f;
}
