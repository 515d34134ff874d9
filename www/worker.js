// The training worker: owns the wasm `Session`, trains in slices of about one frame, and
// posts progress (losses, metrics, speed, decision grid as a transferred Float32Array,
// neuron grids and weights when visible). The main thread only draws.
//
// Protocol — main → worker:
//   {type: 'init', hash}                      build a session from a URL-hash config
//   {type: 'init', restore, hide}             rebuild from a snapshot (after a crash)
//   {type: 'init', restore, hash}             the same after a reload (hide from the hash;
//                                             a snapshot that fails falls back to the hash)
//   (any init may carry `singleThread: true`: the single-thread build only, after a worker
//   of the thread pool died)
//   {type: 'call', id, method, args}          reply {type: 'reply', id, ok, value | error}
//   {type: 'ack'}                             the last frame was drawn; the next may come
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
// A frame carries `snapshot: {config, model, data?}` every few seconds (and whenever idle):
// the last good state the page restarts a crashed worker from.
//
// Backends: `config.backend` is 'cpu', 'webgpu' or 'auto' (the faster of the two, timed). On the GPU
// the session still owns everything; `gpu.js` trains whole epochs and the session adopts
// them. Whatever stops the GPU (no WebGPU, no adapter, a lost device) is said in words and
// training goes on on the CPU from the last weights read back.

import { cpuLabel, loadEngine } from './engine.js';
import { GpuBackend, failureText, isDivergence } from './gpu.js';
import { MAX_SAVED_CHARS } from './storage.js';
import { Pacer } from './pace.js';

const SLICE_MS = 12;
const HEAVY_MS = 250;
const SNAPSHOT_MS = 2000;

// The engine build in use (see `engine.js`) and its exports, once loaded.
let engine = null;
let wasm = null;
let engineNoticed = false;
// Set by the page after a worker of the thread pool died: the single-thread build only.
let singleThread = false;
let poolFailureNoticed = false;

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
let heavyDirty = true;
let view = { gridRes: 100, neurons: true, neuronRes: 20, network: true, insight: true, health: false };
const pacer = new Pacer();
// The sleep of a paced run until its next epoch is due.
let sleepTimer = null;
let ready = null;
// Cached so the training loop does not convert the whole config every slice.
let batchSize = 1;
let backendChoice = 'cpu';
// The GPU backend while WebGPU is chosen and working; null on the CPU.
let gpu = null;
// Bumped by every call that changes the session: GPU work begun before is not adopted.
let version = 0;
// A decision grid the GPU predicted for the session as of `version` and `epoch`.
let gpuGrid = null;
let gpuBusy = false;
// The data of the last snapshot, deflated; null when the data changed since.
let packedData = null;
// The text of the table last loaded (a table's rows never change after loading).
let tableText = null;
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
      ready = msg.restore ? restore(msg.restore, msg.hide, msg.hash) : start(msg.hash);
      await ready;
      for (const m of pending.splice(0)) handle(m);
      break;
    case 'ack':
      awaitingAck = false;
      guarded(maybeFrame);
      break;
    case 'call': {
      await ready;
      let reply;
      try {
        reply = { type: 'reply', id: msg.id, ok: true, value: calls[msg.method](...(msg.args || [])) };
      } catch (err) {
        if (fatal(err)) return;
        reply = { type: 'reply', id: msg.id, ok: false, error: message(err) };
      }
      self.postMessage(reply);
      guarded(maybeFrame);
      break;
    }
    default:
      break;
  }
}

/** Loads the engine build once; later sessions of this worker reuse it. */
async function init() {
  if (engine) return;
  engine = await loadEngine({ single: singleThread });
  wasm = engine.wasm;

}

/**
 * A thread of the pool that panicked is gone; the engine then keeps every product on this
 * thread (the session and model stay as they are). Said once, in words.
 */
function noticePoolFailure() {
  if (poolFailureNoticed || engine.build !== 'threads' || !wasm.poolFailed()) return;
  poolFailureNoticed = true;
  notice('A worker of the thread pool stopped: training goes on on one thread, with the same model.');
}

/** Says once, after the page is ready, why the threads build is not running. */
function noticeEngine() {
  if (engineNoticed || !engine.reason) return;
  engineNoticed = true;
  notice(`${engine.reason[0].toUpperCase()}${engine.reason.slice(1)}.`);
}

async function start(hash, earlierWarning) {
  await init();
  let warning = earlierWarning;
  let parsed;
  try {
    parsed = wasm.configFromHash(hash || '');
  } catch (err) {
    warning = `The link's settings were not used: ${message(err)}`;
    parsed = wasm.configFromHash('');
  }
  try {
    session = new wasm.Session(parsed.config);
  } catch (err) {
    warning = `The link's settings were not used: ${message(err)}`;
    parsed = wasm.configFromHash('');
    session = new wasm.Session(parsed.config);
  }
  if (parsed.rejected?.length) {
    warning = `Some of the link's settings were not used (the others were): ${parsed.rejected.join('; ')}`;
  }
  if (parsed.weights) {
    try {
      session.importModel(wasm.decodeWeights(parsed.weights));
    } catch (err) {
      warning = `${warning ? `${warning} ` : ''}The link's weights were not loaded: ${message(err)}`;
    }
  }
  if (session.config().dataset === 'custom' && session.rowCount() === 0 && !warning) {
    warning = 'This link is for data that was uploaded or clicked in, and links do not carry data: load the CSV file under "Your own data" (ask whoever shared the link for it), or pick a dataset.';
  }
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

/** The engine's lists of allowed values that the page's controls offer. */
function choices() {
  return { classes: Array.from(wasm.spiralClassChoices()), speeds: Array.from(wasm.speedChoices()) };
}

/**
 * Rebuilds the session from a page snapshot; anything that does not fit falls back (to the
 * link's `hash` when given, as after a reload).
 */
async function restore(snap, hide, hash) {
  await init();
  let warning;
  const lost = snap.dataLost ? dataLostText(snap.dataLost) : '';
  try {
    session = new wasm.Session(snap.config);
    const data = snap.dataPacked ? wasm.unpackText(snap.dataPacked) : snap.data;
    if (data) {
      tableText = data;
      // Points travel as `x1,x2,label`; a table as its own columns, read with its choices.
      session.loadCsv(data, snap.table ? snap.config.table : { label_column: 'label', has_header: true });
      session.setConfig(snap.config);
    }
    if (snap.model) {
      try {
        session.importModel(snap.model);
      } catch (err) {
        // Without its data a table's model has nothing to read; the settings still hold.
        if (!lost) throw err;
      }
    }
    if (lost) warning = lost;
  } catch (err) {
    warning = `The saved model could not be restored (${message(err)}); training starts afresh.`;
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
    if (!fatal(err)) self.postMessage({ type: 'error', message: message(err) });
  }
}

function previews() {
  const out = {};
  for (const kind of ['circle', 'xor', 'gauss', 'spiral', 'moons', 'checkerboard', 'k_spiral', 'plane', 'multi_gauss', 'sine']) {
    try {
      out[kind] = wasm.datasetPreview(kind, 3, 200, 7);
    } catch {
      // A generator this build lacks simply gets no thumbnail.
    }
  }
  return out;
}

/** What a reload could not keep of the uploaded data, and how to get it back. */
function dataLostText(lost) {
  const rows = lost.rows ? `${Number(lost.rows).toLocaleString('en')} rows` : 'it';
  return `Your own data (${rows}) was too large to keep over a reload (the tab keeps about 2 MB), so it is not here: load the CSV file again. Before leaving a page, "Download data (CSV)" and "Export model" take both with you.`;
}

function message(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Picks up the config's batch size and backend choice (starting or stopping the GPU). */
function followConfig() {
  const cfg = session.config();
  batchSize = cfg.batch_size;
  // The engine clamps the count to its pool (1 in the single-thread build).
  wasm.setThreads(cfg.threads ?? 0);
  pacer.setSpeed(cfg.speed);
  // After a GPU failure the choice stays but the CPU trains, until the person chooses again.
  if (cfg.backend === backendChoice) return;
  backendChoice = cfg.backend;
  if (backendChoice === 'cpu') {
    if (gpu) {
      gpu.dispose();
      gpu = null;
      notice('Training on the CPU.');
    }
  } else if (!gpu) {
    gpu = new GpuBackend();
  }
}

function backendLabel() {
  return gpu ? gpu.label() : cpuLabel(engine);
}

function notice(text) {
  self.postMessage({ type: 'notice', message: text });
}

/**
 * After a call: redraw what changed. `gpu` says what the GPU copy needs: 'upload' (the
 * session's weights or data moved) or 'rebuild' (settings the GPU trainer was built with
 * changed); either way GPU work in flight is dropped.
 */
function touched({ points = false, structure = false, gpu: needs } = {}) {
  followConfig();
  if (needs) {
    version += 1;
    gpuGrid = null;
    if (gpu) {
      gpu.stale = true;
      if (needs === 'rebuild') gpu.rebuild = true;
    }
  }
  dirty = true;
  snapshotDirty = true;
  heavyDirty = true;
  pointsDirty ||= points;
  structureDirty ||= structure;
  if (points) packedData = null;
}

/** The settings a GPU trainer is built with (batch size aside: it only has to fit). */
function trainingKey(cfg) {
  const { optimizer, regularization, hidden, features, activation, output_activation, loss, init, standardize } = cfg;
  return JSON.stringify({ optimizer, regularization, hidden, features, activation, output_activation, loss, init, standardize });
}

function resetHistory() {
  historySent = 0;
}

const calls = {
  setConfig(config) {
    const before = trainingKey(session.config());
    const change = session.setConfig(config);
    if (change !== 'kept') resetHistory();
    // Display, stopping and backend settings leave the GPU trainer as it is.
    const retrain = change !== 'kept' || trainingKey(session.config()) !== before;
    touched({ points: change === 'regenerated', structure: true, gpu: retrain ? 'rebuild' : undefined });
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
    touched({ gpu: 'upload' });
    return session.epoch();
  },
  trainEpochs(n) {
    session.trainEpochs(n);
    touched({ gpu: 'upload' });
    return session.epoch();
  },
  reset() {
    running = false;
    session.reset();
    resetHistory();
    touched({ structure: true, gpu: 'rebuild' });
    return true;
  },
  regenerate() {
    session.regenerate();
    resetHistory();
    touched({ points: true, gpu: 'rebuild' });
    return true;
  },
  setView(v) {
    view = { ...view, ...v };
    touched({ structure: true });
    return view;
  },
  setWeight(d, from, to, value) {
    session.setWeight(d, from, to, value);
    touched({ gpu: 'upload' });
    return true;
  },
  setBias(d, unit, value) {
    session.setBias(d, unit, value);
    touched({ gpu: 'upload' });
    return true;
  },
  addPoint(x, y, label) {
    session.addPoint(x, y, label);
    touched({ points: true, structure: true, gpu: 'upload' });
    return session.config();
  },
  removePointsNear(x, y, r) {
    const n = session.removePointsNear(x, y, r);
    touched({ points: true, structure: true, gpu: 'upload' });
    return n;
  },
  loadCsv(text, options) {
    running = false;
    session.loadCsv(text, options);
    tableText = text;
    resetHistory();
    touched({ points: true, structure: true, gpu: 'rebuild' });
    return session.config();
  },
  dataCsv: () => session.dataCsv(),
  csvPreview: (text) => wasm.csvPreview(text),
  csvLimits: () => wasm.csvLimits(),
  tableInfo: () => tableInfo(),
  setSlice(x, y, held) {
    session.setSlice(x, y, held);
    touched({ points: true });
    return true;
  },
  insight: () => session.insight(),
  explainStep: (row) => session.explainStep(row),
  linkInfo: (d, i, j) => Array.from(session.linkInfo(d, i, j)),
  unitRange: (c, u) => Array.from(session.unitRange(c, u)),
  nearestTrainingRow: (x, y) => session.nearestTrainingRow(x, y),
  predictionsCsv: (all) => session.predictionsCsv(!!all),
  predictCsv: (text) => session.predictCsv(text),
  startImportance(repeats) {
    // Importance measures one fixed model: training pauses while it runs.
    running = false;
    session.startImportance(repeats);
    importanceRunning = true;
    scheduleTick();
    touched();
    return true;
  },
  cancelImportance() {
    session.cancelImportance();
    importanceRunning = false;
    touched();
    return true;
  },
  // With the optimiser's state, so an imported file resumes the run exactly.
  exportModel: () => session.exportModelWithState(),
  exportOnnx: () => session.exportOnnx(),
  importModel(json) {
    session.importModel(json);
    resetHistory();
    touched({ structure: true, gpu: 'rebuild' });
    return session.config();
  },
  hash(hide, withWeights) {
    return withWeights
      ? wasm.configToHashWithWeights(session.config(), hide || [], session.exportModel())
      : wasm.configToHash(session.config(), hide || []);
  },
  predict(xy) {
    return session.predict(xy);
  },
  decisionGrid(res) {
    return session.decisionGrid(res);
  },
  /** Test hook: the GPU device goes away as if lost (true when the GPU was in use). */
  loseGpuForTest() {
    if (!gpu) return false;
    gpu.loseDevice();
    return true;
  },
  /** Test hook (see the page's `__crashWorkerForTest`): fails as a wasm trap would. */
  crashForTest() {
    throw new WebAssembly.RuntimeError('unreachable executed (forced by a test)');
  },
  crashPoolThreadForTest() {
    if (!wasm.crashPoolThreadForTest) throw new Error('the single-thread build has no thread pool');
    wasm.crashPoolThreadForTest();
  },
  status() {
    return { epoch: session.epoch(), running, trainLoss: session.trainLoss(), testLoss: session.testLoss(), backend: backendLabel(), gpuAdapter: gpu?.trainer ? gpu.adapter : null };
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
  if (!running || !session) return;
  if (gpu) {
    if (gpuBusy) return;
    // Nothing due at this pace: sleep without a slice (and without a frame of no change).
    if (pacer.allowance(false) === 0) scheduleNext(pacer.sleep(false));
    else gpuTick();
    return;
  }
  const allowed = pacer.allowance(session.midEpoch());
  if (allowed === 0) {
    scheduleNext(pacer.sleep(false));
    return;
  }
  try {
    const e0 = session.epoch();
    const r0 = session.replayLength();
    const t0 = performance.now();
    const steps = allowed === Infinity ? session.trainFor(SLICE_MS) : session.trainPaced(SLICE_MS, allowed);
    const ms = performance.now() - t0;
    pacer.trained(session.epoch() - e0, steps, batchSize, ms, session.stepsPerEpoch(), session.replayLength() === r0);
  } catch (err) {
    if (fatal(err)) return;
    running = false;
    self.postMessage({ type: 'error', message: message(err) });
  }
  afterSlice();
}

/**
 * A slice of GPU training: whole epochs for about `SLICE_MS` (at least one), then the
 * decision grid predicted on the GPU. Work begun before a call changed the session, or
 * before the GPU was switched off, is dropped.
 */
async function gpuTick() {
  gpuBusy = true;
  const g = gpu;
  const v = version;
  const current = () => gpu === g && version === v && running;
  try {
    if (g.stale) {
      const first = !g.trainer;
      await g.sync(session);
      if (first && gpu === g && backendChoice !== 'auto') notice(`Training on WebGPU (${g.adapter}).`);
    }
    if (backendChoice === 'auto' && !g.measured && gpu === g) await autoChoose(g, current);
    const start = performance.now();
    const allowed = pacer.allowance(false);
    let trained = 0;
    while (gpu === g && current() && trained < allowed && performance.now() - start < SLICE_MS) {
      if (!session.mayTrain()) {
        running = false;
        break;
      }
      const t0 = performance.now();
      const steps = await g.trainEpoch(session, current);
      trained += 1;
      pacer.trained(1, steps, batchSize, performance.now() - t0, session.stepsPerEpoch());
    }
    if (trained > 0 && gpu === g && g.trainer && !g.stale && version === v) {
      const res = view.gridRes;
      const grid = await g.decisionGrid(session, res);
      if (gpu === g && version === v) gpuGrid = { grid, res, version: v, epoch: session.epoch() };
    }
  } catch (err) {
    if (fatal(err)) return;
    // Errors of a GPU already switched off are not news.
    if (gpu === g) gpuFailed(g, message(err));
  } finally {
    gpuBusy = false;
  }
  afterSlice();
}

/**
 * Auto: trains one epoch on each backend (real training, after a first GPU epoch that
 * compiles its pipelines) and keeps the faster, saying so with both times. A software
 * adapter or a tiny network usually loses to the CPU; a large network on a real GPU wins.
 */
async function autoChoose(g, current) {
  if (!session.mayTrain()) return;
  await g.trainEpoch(session, current);
  if (!current() || !session.mayTrain()) return;
  const t0 = performance.now();
  await g.trainEpoch(session, current);
  const gpuMs = performance.now() - t0;
  if (!current() || !session.mayTrain()) return;
  const t1 = performance.now();
  session.trainEpochs(1);
  const cpuMs = performance.now() - t1;
  // The CPU moved the weights: the GPU copy must follow before its next epoch.
  g.stale = true;
  g.measured = true;
  const times = (a, b) => `an epoch took ${ms(a)} there and ${ms(b)}`;
  if (gpuMs < cpuMs) {
    notice(`Auto chose WebGPU (${g.adapter}): ${times(gpuMs, cpuMs)} on the CPU.`);
  } else {
    g.dispose();
    gpu = null;
    notice(`Auto chose the CPU: ${times(cpuMs, gpuMs)} on WebGPU (${g.adapter}).`);
  }
}

function ms(t) {
  return t < 10 ? `${t.toFixed(2)} ms` : `${Math.round(t).toLocaleString('en')} ms`;
}

/** Divergence stops training as on the CPU; anything else moves training to the CPU. */
function gpuFailed(g, text) {
  if (isDivergence(text)) {
    running = false;
    self.postMessage({ type: 'error', message: text });
    return;
  }
  const hadTrainer = !!g.trainer;
  g.dispose();
  gpu = null;
  const why = backendChoice === 'auto' ? 'Auto chose the CPU' : 'WebGPU is not used';
  const detail = failureText(text);
  // The engine's own message often says already how training goes on.
  const next = /on the CPU/.test(detail) ? '' : ` Training continues on the CPU${hadTrainer ? ' from the last weights read back' : ''}.`;
  notice(`${why}: ${detail}.${next}`);
  touched();
}

/** One column of permutation importance per tick, so calls (cancel) get in between. */
function importanceTick() {
  try {
    if (session.importanceStep()) importanceRunning = false;
  } catch (err) {
    if (fatal(err)) return;
    importanceRunning = false;
    self.postMessage({ type: 'error', message: message(err) });
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
  if (running) scheduleNext(pacer.sleep(!gpu && session.midEpoch()));
}

function maybeFrame() {
  if (!session || awaitingAck || !dirty) return;
  dirty = false;
  awaitingAck = true;
  const f = frame();
  self.postMessage(f, f.transfer);
  delete f.transfer;
}

/**
 * The data for the snapshot, deflated once per change of the data (a table can be tens of
 * megabytes): a table as the file it came from, points as CSV. Data that could never fit
 * the tab's storage is not packed or posted at all, only counted.
 */
function packData() {
  const rows = session.rowCount();
  const text = session.isTable() && tableText ? tableText : session.dataCsv();
  // Deflated numbers take about a third of their text, and base64 adds a third.
  if (text.length > 4 * MAX_SAVED_CHARS) return { packed: null, rows };
  const packed = wasm.packText(text);
  return { packed: packed.length <= MAX_SAVED_CHARS ? packed : null, rows };
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
  historySent += hist.length / 2;
  noticePoolFailure();
  const f = {
    type: 'frame',
    epoch: session.epoch(),
    trainLoss: session.trainLoss(),
    testLoss: session.testLoss(),
    history: hist,
    historyFrom,
    historyStride: stride,
    replayLength: session.replayLength(),
    running,
    stopReason: session.stopReason() || null,
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
  if (snapshotDirty && (!running || now - lastSnapshot >= SNAPSHOT_MS)) {
    lastSnapshot = now;
    snapshotDirty = false;
    const config = session.config();
    f.snapshot = { config, model: session.exportModelWithState() };
    // Generated data comes back from the seed; points added or uploaded must travel.
    if (config.dataset === 'custom') {
      packedData ||= packData();
      if (packedData.packed) f.snapshot.dataPacked = packedData.packed;
      else f.snapshot.dataLost = { rows: packedData.rows };
      f.snapshot.dataRows = packedData.rows;
      f.snapshot.table = session.isTable();
    }
  }
  return f;
}
