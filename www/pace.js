// The worker's pace: how many epochs the next training slice may finish at the chosen
// epochs per second, how long to sleep until the next one is due, and the rates the speed
// readout shows (what training achieves, and what "max" would reach, from the time the
// training itself took: the engine's own timing of its steps, sleeps and snapshots aside).

// Epochs owed pile up while a slow machine lags behind its pace; a quarter second's worth
// at most, so catching up never turns into a burst the eye sees as a jump.
const CATCH_UP_S = 0.25;
// The longest sleep: a pace of one epoch a second still looks at the clock often enough
// to notice a change of pace or a pause promptly.
const MAX_SLEEP_MS = 250;
const WINDOW_MS = 500;

export class Pacer {
  constructor() {
    this.speed = null;
    this.reset();
    this.rates = { epochsPerSec: 0, stepsPerSec: 0, samplesPerSec: 0, maxEpochsPerSec: 0 };
    this.window = { since: performance.now(), epochs: 0, steps: 0, samples: 0, timedSteps: 0, trainMs: 0 };
  }

  /** Epochs per second, or null for max (the config's `speed`). */
  setSpeed(speed) {
    const s = speed ?? null;
    if (s === this.speed) return;
    this.speed = s;
    this.reset();
  }

  /** Starts counting afresh (play, or a new pace): the first epoch is due at once. */
  reset() {
    this.owed = 1;
    this.last = performance.now();
  }

  /** Starts a fresh measuring window (play), keeping the last rates on screen meanwhile. */
  restartWindow() {
    this.window = { since: performance.now(), epochs: 0, steps: 0, samples: 0, timedSteps: 0, trainMs: 0 };
  }

  /**
   * Epochs the next slice may finish: Infinity at max, 0 when none is due yet. An epoch in
   * progress (large data trains in chunks) goes on until it finishes, then counts.
   */
  allowance(midEpoch) {
    if (this.speed === null) return Infinity;
    const now = performance.now();
    this.owed = Math.min(this.owed + ((now - this.last) * this.speed) / 1000, Math.max(2, this.speed * CATCH_UP_S));
    this.last = now;
    const due = Math.floor(this.owed);
    if (due >= 1) return due;
    return midEpoch ? 1 : 0;
  }

  /** Milliseconds until the next epoch is due (0: train now). */
  sleep(midEpoch) {
    if (this.speed === null || midEpoch || this.owed >= 1) return 0;
    const ms = ((1 - this.owed) * 1000) / this.speed;
    return Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(ms)));
  }

  /**
   * A slice trained `epochs` epochs and `steps` steps of `batch` rows; `timedSteps` of them
   * took `trainMs` of training proper (the engine's `trainTiming`, or a GPU epoch's time),
   * which says what max would reach at any pace: a paced run's sleeps, the replay's
   * snapshots of the early epochs and the drawing are not in it.
   */
  trained(epochs, steps, batch, stepsPerEpoch, timedSteps, trainMs) {
    if (this.speed !== null) this.owed = Math.max(-1, this.owed - epochs);
    const w = this.window;
    w.epochs += epochs;
    w.steps += steps;
    w.samples += steps * batch;
    w.timedSteps += timedSteps;
    w.trainMs += trainMs;
    const now = performance.now();
    if (now - w.since < WINDOW_MS) return;
    const dt = (now - w.since) / 1000;
    // Max is what the training itself reaches per millisecond, sleeping and drawing aside.
    const max = w.trainMs > 0 && stepsPerEpoch > 0 ? (w.timedSteps / w.trainMs) * 1000 / stepsPerEpoch : this.rates.maxEpochsPerSec;
    this.rates = { epochsPerSec: w.epochs / dt, stepsPerSec: w.steps / dt, samplesPerSec: w.samples / dt, maxEpochsPerSec: max };
    this.restartWindow();
  }
}
