// The worker's WebGPU backend. The GPU build (`pkg-webgpu/`) is imported only when a person
// picks WebGPU, so the CPU page never pays for it. The session stays the single source of
// truth (data, history, stopping rules, views): the GPU trains whole epochs on the epoch's
// shuffled training set and the session adopts each epoch's weights, so a switch back to
// the CPU, or a lost device, continues from the last weights read back.

let gpuModule = null;

/** The GPU build, loaded once. Rejects with the reason, in words, when WebGPU is missing. */
function loadModule() {
  if (!gpuModule) {
    gpuModule = (async () => {
      if (typeof navigator === 'undefined' || !navigator.gpu) {
        throw new Error('this browser does not offer WebGPU (navigator.gpu is missing)');
      }
      const m = await import('../pkg-webgpu/nn_playground.js');
      await m.default();
      return m;
    })();
    // A failed load may be a passing network or memory problem: the next choice retries.
    gpuModule.catch(() => { gpuModule = null; });
  }
  return gpuModule;
}

/** Smallest batch capacity a trainer is built with, so small batch changes reuse it. */
const MIN_CAPACITY = 32;

export class GpuBackend {
  constructor() {
    this.trainer = null;
    this.capacity = 0;
    // True when the session's weights changed since the GPU last matched them.
    this.stale = true;
    this.adapter = '';
    // Auto's verdict (see the worker): set once both backends were timed.
    this.measured = false;
    // Settings the trainer was built with changed: build a new one at the next sync.
    this.rebuild = false;
  }

  /** `webgpu (adapter)` for the speed line. */
  label() {
    return `webgpu (${this.adapter || 'starting'})`;
  }

  /**
   * Makes the GPU copy match the session's model, optimiser state included: uploads it when
   * the trainer's settings and architecture are unchanged and the batch fits, otherwise
   * builds a new trainer. Rejects with the reason
   * (no WebGPU, no adapter, a model the GPU cannot hold, a lost device).
   */
  async sync(session) {
    if (this.rebuild) {
      this.dispose();
      this.rebuild = false;
    }
    const batch = session.effectiveBatchSize();
    if (this.trainer && !this.stale && batch <= this.capacity) return;
    const json = session.exportModelWithState();
    if (this.trainer && batch <= this.capacity) {
      try {
        this.trainer.upload(json);
        this.stale = false;
        return;
      } catch (err) {
        // A lost device is news for the page; another architecture is built afresh below.
        if (/device was lost/.test(err.message)) throw err;
      }
    }
    this.dispose();
    const m = await loadModule();
    const capacity = Math.max(batch, MIN_CAPACITY);
    const trainer = await m.GpuTrainer.create(json, capacity);
    this.trainer = trainer;
    this.capacity = capacity;
    this.adapter = await describeAdapter(trainer.adapter);
    this.stale = false;
  }

  /**
   * One epoch on the GPU over the session's shuffled training set (synced first when the
   * session's weights moved); the session then adopts
   * the weights (recording the losses, applying the stopping rules) unless `stillCurrent()`
   * says the session changed meanwhile. Returns the optimiser steps taken.
   */
  async trainEpoch(session, stillCurrent) {
    if (this.stale) await this.sync(session);
    if (!stillCurrent()) return 0;
    const set = session.epochTrainingSet();
    const steps = session.stepsPerEpoch();
    const batch = session.effectiveBatchSize();
    this.trainer.setData(set.x, set.rows, set.y, set.yCols);
    try {
      await this.trainer.trainSteps(batch, steps);
    } catch (err) {
      // The GPU copy may now hold diverged weights: the session's are the ones to keep.
      this.stale = true;
      throw err;
    }
    if (!stillCurrent()) {
      this.stale = true;
      return 0;
    }
    // Weights and optimiser state together, so the session could continue on the CPU from
    // exactly here (a backend switch, a lost device before the next epoch).
    const trained = await this.trainer.downloadWithState();
    if (!stillCurrent()) {
      this.stale = true;
      return 0;
    }
    try {
      session.finishExternalEpoch(trained);
    } catch (err) {
      this.stale = true;
      throw err;
    }
    return steps;
  }

  /** The decision grid predicted on the GPU (the session maps outputs to the display scale). */
  async decisionGrid(session, res) {
    const inputs = session.gridInputs(res);
    const out = await this.trainer.predict(inputs, res * res);
    return session.gridFromOutputs(res, out);
  }

  /** Test hook: gives the device up as if it were lost. */
  loseDevice() {
    this.trainer?.release();
  }

  dispose() {
    try {
      this.trainer?.release();
      this.trainer?.free();
    } catch {
      // Already gone.
    }
    this.trainer = null;
    this.capacity = 0;
    this.stale = true;
  }
}

/**
 * Browsers hide the adapter's name from wgpu, but `GPUAdapterInfo` says whose it is (e.g.
 * "google swiftshader", the software adapter), which tells a person what speed to expect.
 */
async function describeAdapter(fallback) {
  try {
    const info = (await navigator.gpu.requestAdapter())?.info;
    const words = [info?.vendor, info?.architecture, info?.description].filter(Boolean);
    if (words.length) return [...new Set(words)].join(' ');
  } catch {
    // Keep wgpu's description.
  }
  return fallback;
}

/** What a GPU failure says, without the error-kind prefix, ready for a sentence. */
export function failureText(message) {
  return message.replace(/^backend error: /, '').replace(/\.$/, '');
}

/** True for the error a diverged GPU run reports (handled like a CPU divergence). */
export function isDivergence(message) {
  return message.startsWith('training diverged');
}
