// The Sequences mode inside the training worker: owns the wasm `SequenceSession`, trains in
// slices at the chosen pace (steps per second, or max), and posts frames with the newest
// figures, and a few times a second the history, the chosen held-out example with its
// attention maps and the token embeddings. worker.js hands it every `seq-*` message.
//
// Protocol — main → worker:
//   {type: 'seq-init', hash, restore?}        build a session from a Sequences-mode link, or
//                                             from a snapshot's bytes (a reload, a restart)
//   {type: 'seq-call', id, method, args}      reply {type: 'seq-reply', id, ok, value | error}
//   {type: 'seq-ack'}                         the last frame was drawn; the next may come
// worker → main:
//   {type: 'seq-ready', config, speed, lang, info, choices, warning?}  (warning: messages)
//   {type: 'seq-frame', running, step, point, rates, history?, example?, embedding?,
//    snapshot?}                               (the session's bytes every few seconds)
//   {type: 'seq-error', message}              training stopped (e.g. divergence)
//   {type: 'seq-crashed', message}            the wasm instance trapped; this worker closes

import { loadWith } from '../engine.js';
import { Pacer } from '../pace.js';

// A slice at max pace: long enough that the figures measured after it (about a thousand
// sequences) stay a small share of the time.
const MAX_SLICE_MS = 60;
const VIEW_MS = 250;
const SNAPSHOT_MS = 2000;

// The full single-thread build, which has the capability `sequences` (see engine.js), loaded
// at the first init.
let wasm = null;
let session = null;
let speed = null;
let running = false;
let awaitingAck = false;
let exampleIndex = 0;
let lastView = -Infinity;
let viewDirty = true;
// Something a frame shows changed since the last one.
let dirty = true;
let batchSize = 1;
let lastPoint = null;
let ready = null;
const pacer = new Pacer();
const pending = [];
let sleepTimer = null;
let lastSnapshot = -Infinity;
// Set by the test hook `crashForTest`: the next training slice fails as a trap would.
let crashNext = false;
let snapshotDirty = true;

const message = (err) => (err && err.message) || String(err);
// An engine error as a message the page says in its language (by its code and values).
const errorInfo = (err) => (err && typeof err.code === 'string' ? { message: err.message, code: err.code, args: err.args ?? {} } : message(err));

export function handleSequence(msg) {
  if (msg.type === 'seq-init') {
    ready = start(msg.hash, msg.restore);
    ready.then(() => pending.splice(0).forEach(handleSequence));
    return;
  }
  if (!session) {
    pending.push(msg);
    return;
  }
  if (msg.type === 'seq-ack') {
    awaitingAck = false;
    if (!running) maybeFrame();
    return;
  }
  if (msg.type === 'seq-call') {
    let reply;
    try {
      reply = { type: 'seq-reply', id: msg.id, ok: true, value: calls[msg.method](...(msg.args || [])) };
    } catch (err) {
      reply = { type: 'seq-reply', id: msg.id, ok: false, error: message(err) };
    }
    self.postMessage(reply);
    dirty = snapshotDirty = true;
    maybeFrame();
  }
}

async function start(hash, restore) {
  // On one thread: the threads build's watchdog for a stuck pool lives in the playground's
  // page, and the default transformer's largest product (256 token rows × 32 × 64) is about
  // the least work the pool gives one band, so it would gain little.
  if (!wasm) wasm = (await loadWith('sequences', { threadsOk: false })).wasm;
  // Warnings travel as page messages ({key, vars}, engine errors as {message, code, args}):
  // the page says them in its language.
  const warnings = [];
  let parsed;
  try {
    parsed = wasm.sequenceConfigFromHash(hash || 'mode=sequence');
  } catch (err) {
    // A link the engine will not read at all (longer than it reads): the defaults, said.
    warnings.push({ key: 'seq.linkNotUsed', vars: { name: errorInfo(err) } });
    parsed = wasm.sequenceConfigFromHash('mode=sequence');
  }
  if (parsed.rejected.length) warnings.push({ key: 'seq.linkSomeNotUsed', vars: { name: { list: parsed.rejected } } });
  if (parsed.unknown.length) warnings.push({ key: 'unknownKeys', vars: { keys: parsed.unknown.join(', ') } });
  let warning;
  try {
    session = null;
    if (restore) {
      try {
        session = wasm.SequenceSession.fromSnapshot(restore);
        lastPoint = session.history().at(-1) ?? null;
      } catch (err) {
        warning = { key: 'restore.failed', vars: { why: errorInfo(err) } };
      }
    }
    session ??= new wasm.SequenceSession(parsed.config);
  } catch (err) {
    // Only what generating finds (too few distinct sequences for the counts asked).
    warning = { key: 'seq.linkNotUsed', vars: { name: errorInfo(err) } };
    parsed = wasm.sequenceConfigFromHash('mode=sequence');
    session = new wasm.SequenceSession(parsed.config);
  }
  if (warning) warnings.push(warning);
  batchSize = session.config().batch_size;
  speed = parsed.speed ?? null;
  pacer.setSpeed(speed);
  self.postMessage({
    type: 'seq-ready',
    config: session.config(),
    speed,
    lang: parsed.lang ?? null,
    info: session.taskInfo(),
    choices: wasm.sequenceChoices(),
    warning: warnings.length ? warnings : undefined,
  });
  viewDirty = true;
  maybeFrame();
}

const calls = {
  /** Test hook (see the page's crash restart): fails as a wasm trap would, on the next slice. */
  crashForTest() {
    crashNext = true;
  },
  /** A new setup: the old session stays if the engine refuses it (the error says why). */
  setConfig(config) {
    const next = new wasm.SequenceSession(config);
    session.free();
    session = next;
    batchSize = session.config().batch_size;
    exampleIndex = 0;
    lastPoint = null;
    viewDirty = true;
    return { config: session.config(), info: session.taskInfo() };
  },
  play() {
    running = true;
    pacer.reset();
    pacer.restartWindow();
    scheduleNext(0);
  },
  pause() {
    running = false;
    viewDirty = true;
  },
  step() {
    lastPoint = session.trainSteps(1);
    viewDirty = true;
    return lastPoint;
  },
  reset() {
    session.reset();
    lastPoint = null;
    viewDirty = true;
  },
  setSpeed(s) {
    speed = s ?? null;
    pacer.setSpeed(speed);
  },
  setLearningRate(lr) {
    session.setLearningRate(lr);
  },
  /** Which held-out sequence the views show: an index, or 'next'. */
  setExample(which) {
    const n = session.taskInfo().test_size;
    exampleIndex = which === 'next' ? (exampleIndex + 1) % n : Math.max(0, Math.min(n - 1, Math.floor(Number(which) || 0)));
    viewDirty = true;
    return exampleIndex;
  },
  /** The model on typed text: `{input, predicted, attention, …}`; throws the engine's message. */
  predict(text) {
    return session.predictText(text);
  },
  /** The link of the setup, with `lang` ('en', 'zh') when the page was given one. */
  shareHash(lang) {
    return wasm.sequenceConfigToHash(session.config(), speed, lang ?? null);
  },
  modelJSON() {
    return session.modelJSON();
  },
  state() {
    return { step: session.step(), point: lastPoint, running, speed, config: session.config() };
  },
};

function scheduleNext(ms) {
  if (sleepTimer !== null) clearTimeout(sleepTimer);
  sleepTimer = setTimeout(() => {
    sleepTimer = null;
    tick();
  }, ms);
}

function tick() {
  if (!running || !session) return;
  const t0 = performance.now();
  let steps = 0;
  try {
    if (crashNext) {
      crashNext = false;
      throw new WebAssembly.RuntimeError('unreachable executed (forced by a test)');
    }
    if (speed === null) {
      const before = session.step();
      lastPoint = session.trainFor(MAX_SLICE_MS);
      steps = session.step() - before;
    } else {
      const due = pacer.allowance(false);
      if (due > 0) {
        steps = Math.min(due, 1000);
        lastPoint = session.trainSteps(steps);
      }
    }
  } catch (err) {
    running = false;
    if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
      // The instance cannot be trusted any more: the page restarts from the last snapshot.
      session = null;
      self.postMessage({ type: 'seq-crashed', message: message(err) });
      self.close();
      return;
    }
    self.postMessage({ type: 'seq-error', message: message(err) });
    viewDirty = dirty = true;
    maybeFrame();
    return;
  }
  if (steps > 0) {
    snapshotDirty = true;
    // The pace counts steps: one step is this mode's unit, timed as a whole slice.
    pacer.trained(steps, steps, batchSize, 1, steps, performance.now() - t0);
    viewDirty = dirty = true;
  }
  maybeFrame();
  scheduleNext(speed === null ? 0 : pacer.sleep(false));
}

function maybeFrame() {
  if (awaitingAck || !session || !(dirty || viewDirty)) return;
  const now = performance.now();
  const frame = {
    type: 'seq-frame',
    running,
    step: session.step(),
    point: lastPoint,
    rates: pacer.rates,
  };
  // The heavier views a few times a second while training, at once when idle.
  if (viewDirty && (!running || now - lastView >= VIEW_MS)) {
    try {
      frame.history = session.history();
      frame.exampleIndex = exampleIndex;
      frame.example = session.example(exampleIndex);
      frame.embedding = session.embeddingMap();
    } catch (err) {
      frame.viewError = message(err);
    }
    lastView = now;
    viewDirty = false;
  }
  const transfer = [];
  if (snapshotDirty && (!running || now - lastSnapshot >= SNAPSHOT_MS)) {
    frame.snapshot = session.snapshot();
    transfer.push(frame.snapshot.buffer);
    lastSnapshot = now;
    snapshotDirty = false;
  }
  awaitingAck = true;
  dirty = false;
  self.postMessage(frame, transfer);
}
