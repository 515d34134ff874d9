// The uploaded-table benchmark: wide CSV tables generated here from a fixed seed, read by
// the page's own path (`Session.loadCsv`) and trained by it (`Session.trainEpochs` after
// `setConfig`), interleaved with TF.js wasm `model.fit` on the very training arrays the
// session holds (`Session.benchTrainingSet`), same architecture, optimiser and batch size.
import { measure, paired } from './measure.js';

export const TABLE_COLS = 64;
export const TABLE_CLASSES = 3;
/** Rows of the generated tables. */
export const TABLE_ROWS = [10_000, 100_000];
/** Share of rows the session trains on, in percent (the rest is its test split). */
export const TRAIN_RATIO = 80;
export const HIDDEN = [16, 16];
export const BATCH = 32;
const SEED = 0x7ab1e64;
// Every cell a number with one decimal (`4.3`): a row is about 260 bytes, 26 MB for the
// 100 000-row table, within the engine's 32 MiB cap. A few cells are left empty so the
// load also exercises the missing-cell fill (`missing: 'fill'`).
export const MISSING_SHARE = 0.01;
export const LOAD_OPTIONS = { label_column: 'label', has_header: true, missing: 'fill', kind: 'classification' };

/** A small seeded generator (mulberry32): the tables are the same in every run. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CSV text of `rows` rows: `c1 … c64` numbers (0.0–9.9) around a per-class,
 * per-column mean, so that the label is learnable, with `MISSING_SHARE` of them empty,
 * and a `label` column of 0, 1 or 2.
 */
export function tableCsv(rows, cols = TABLE_COLS, seed = SEED) {
  const r = rng(seed);
  const means = Array.from({ length: TABLE_CLASSES }, () => Array.from({ length: cols }, () => 2 + 5 * r()));
  const lines = [[...Array.from({ length: cols }, (_, j) => `c${j + 1}`), 'label'].join(',')];
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(r() * TABLE_CLASSES);
    const mu = means[c];
    let line = '';
    for (let j = 0; j < cols; j++) {
      if (r() >= MISSING_SHARE) {
        // Roughly normal noise (sum of three uniforms), sd ≈ 1.5.
        const v = mu[j] + 3 * (r() + r() + r() - 1.5);
        line += Math.max(0, Math.min(9.9, v)).toFixed(1);
      }
      line += ',';
    }
    lines.push(line + c);
  }
  return `${lines.join('\n')}\n`;
}

/** Seconds per call of `fn` over `reps` calls, one at a time (`measure`'s shape). */
async function timeCalls(fn, reps) {
  const secs = [];
  for (let i = 0; i < reps; i++) {
    await new Promise((r) => setTimeout(r, 0));
    const t0 = performance.now();
    fn();
    secs.push((performance.now() - t0) / 1e3);
  }
  const s = [...secs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], reps, iters: 1, samples: secs };
}

/** The playground config the page would send for the table model: 64 → 16 → 16 → 3
 *  softmax (derived for 3 classes), ReLU, Adam 0.001, batch 32. */
export function tableConfig(cfg) {
  return {
    ...cfg,
    hidden: HIDDEN.map((units) => ({ units, activation: null, dropout: 0, batch_norm: false })),
    activation: 'relu',
    optimizer: { ...cfg.optimizer, kind: 'adam', learning_rate: 0.001 },
    batch_size: BATCH,
    train_ratio: TRAIN_RATIO,
  };
}

/** TF.js `model.fit` on the session's training arrays; one call = `epochs` whole epochs. */
function tfTableJob(set) {
  const { rows, xCols, yCols } = set;
  // The session holds class indices or one-hot rows; `fit` gets one-hot rows either way.
  let y = set.y;
  if (yCols === 1) {
    y = new Float32Array(rows * TABLE_CLASSES);
    for (let i = 0; i < rows; i++) y[i * TABLE_CLASSES + set.y[i]] = 1;
  }
  const classes = yCols === 1 ? TABLE_CLASSES : yCols;
  const model = tf.sequential();
  HIDDEN.forEach((units, i) => model.add(tf.layers.dense({ units, activation: 'relu', inputShape: i === 0 ? [xCols] : undefined })));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(set.x, [rows, xCols]);
  const ys = tf.tensor2d(y, [rows, classes]);
  return {
    // Shuffled like the session's epochs (it trains each epoch in a fresh seeded order).
    // `yieldEvery: 'never'`: by default `fit` waits for an animation frame every 125 ms (up
    // to a tenth of an epoch's time here), which `trainEpochs` has no counterpart of.
    fn: async (epochs) => { await model.fit(xs, ys, { batchSize: BATCH, epochs, shuffle: true, verbose: 0, yieldEvery: 'never' }); },
    dispose: () => { tf.dispose([xs, ys]); model.dispose(); },
  };
}

/**
 * Runs the table benchmark with our module `mod` (`pkg-bench/`: the page's engine and the
 * benchmark exports). `ctx`:
 * `{ record, rows, note, log, tfWasm, quick }`; `tfWasm` says whether TF.js wasm works.
 * Rows go to group `table` (`load <id>`, `preview <id>`, `train <id>`) and `paired`.
 */
export async function tableBench(mod, { record, rows, note, log, tfWasm, quick }) {
  if (typeof mod.Session !== 'function' || typeof mod.Session.prototype.loadCsv !== 'function') {
    note('this build has no Session.loadCsv; the table rows are skipped');
    return {};
  }
  const env = { tableColumns: TABLE_COLS, tableClasses: TABLE_CLASSES, tableMissingShare: MISSING_SHARE, tableTrainRatio: TRAIN_RATIO };
  for (const n of TABLE_ROWS) {
    const id = `${n / 1000}k × ${TABLE_COLS}`;
    const text = tableCsv(n);
    const bytes = new TextEncoder().encode(text).length;
    const session = new mod.Session(undefined);
    const load = () => session.loadCsv(text, LOAD_OPTIONS);
    // The first load in a session also grows wasm memory; a person's upload is that one.
    let t0 = performance.now();
    load();
    const first = performance.now() - t0;
    const loadReps = quick || n > 10_000 ? 3 : 5;
    const loads = await timeCalls(load, loadReps);
    const report = session.loadReport();
    record('table', `load ${id}`, 'ours SIMD128', loads, (s) => s * 1e3, 'ms', 'lower',
      { rows: n, cols: TABLE_COLS, bytes, firstMs: first, rowsUsed: report?.rows_used, filledCells: report?.filled_cells });
    log(`table       ${id}: ${(bytes / 1e6).toFixed(2)} MB of CSV, first load ${first.toFixed(0)} ms, ${report?.filled_cells} cells filled`);
    // The page previews a picked file with the engine's reader (`csvPreview`) before the
    // person presses "Use this data", so an upload reads the text twice: time that too.
    if (typeof mod.csvPreview === 'function') {
      mod.csvPreview(text, true);
      record('table', `preview ${id}`, 'ours SIMD128', await timeCalls(() => mod.csvPreview(text, true), loadReps),
        (s) => s * 1e3, 'ms', 'lower', { rows: n, cols: TABLE_COLS, bytes });
    }

    const change = session.setConfig(tableConfig(session.config()));
    const steps = session.stepsPerEpoch();
    const set = session.benchTrainingSet();
    const batch = set.batch;
    const trainRows = set.rows;
    if (set.xCols !== TABLE_COLS) note(`table ${id}: the session has ${set.xCols} inputs, expected ${TABLE_COLS}`);
    const ours = (epochs) => {
      const took = session.trainEpochs(epochs);
      // A stopping rule or divergence would make the timing meaningless: say so loudly.
      if (took !== epochs * steps) throw new Error(`trainEpochs(${epochs}) took ${took} steps, expected ${epochs * steps} (stopped: ${session.stopReason()})`);
    };
    const extra = { rows: n, trainRows, batch, stepsPerEpoch: steps, setConfig: change };
    const reps = quick ? 3 : 5;
    try {
      if (!tfWasm) {
        note(`table ${id}: TF.js wasm is not available; only our training is timed`);
        const s = await measure(ours, { maxIters: 64, reps });
        record('table', `train ${id}`, 'ours SIMD128', s, (sec) => trainRows / sec, 'samples/s', 'higher', extra);
        continue;
      }
      await tf.setBackend('wasm');
      await tf.ready();
      const job = tfTableJob(set);
      try {
        // Ours: as many epochs as make ≥ 60 ms; TF.js: one epoch per timing. Interleaved.
        const s = await paired(ours, job.fn, { minMs: 60, maxA: 64, maxB: 1, reps });
        record('table', `train ${id}`, 'ours SIMD128', s.a, (sec) => trainRows / sec, 'samples/s', 'higher', extra);
        record('table', `train ${id}`, 'TF.js wasm', s.b, (sec) => trainRows / sec, 'samples/s', 'higher', extra);
        const pid = `Table ${id} training: ours ÷ TF.js wasm`;
        rows.push({ group: 'paired', id: pid, impl: 'ratio', value: s.median, min: s.min, max: s.max, unit: '×', better: 'higher', reps: s.reps });
        log(`paired      ${pid}: ${s.median.toPrecision(3)}× [${s.min.toPrecision(3)} … ${s.max.toPrecision(3)}]`);
      } finally {
        job.dispose();
      }
    } finally {
      session.free();
    }
  }
  return env;
}
