// Sequence-model benchmark in Node: training throughput (tokens/s) of the 2-block, 4-head,
// width-64, length-16 transformer (`WasmSequenceBench`, the engine's SIMD128 build) against
// the same model written with TF.js ops and `tf.train.adam` on its wasm and cpu backends,
// one thread each, on the same token batches.
//
// Build and run (from the repository root):
//   cargo xtask build && (cd bench && npm ci) && node bench/sequences.mjs
//
// Options: --steps 30 (timed steps per engine)   --pkg <dir> (default ./pkg-bench)
// Method: each engine runs 3 untimed steps, then --steps timed ones; TF.js steps end with
// the loss read back (`dataSync`), so each timed step is finished work. Then the engine's
// `SequenceSession` trains reverse and sort (length 8, 10 tokens, 2 blocks) until 99 % of
// the held-out sequences are right, timed with its measuring every 25 steps included.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const steps = Number(opt('--steps', 30));
const pkg = path.resolve(opt('--pkg', 'pkg-bench'));

const wasmModule = await import(pathToFileURL(path.join(pkg, 'nn_playground.js')).href);
wasmModule.initSync({ module: fs.readFileSync(path.join(pkg, 'nn_playground_bg.wasm')) });
const { WasmSequenceBench, SequenceSession } = wasmModule;

function ours() {
  const b = new WasmSequenceBench(1);
  b.run(3);
  const t0 = performance.now();
  const loss = b.run(steps);
  const secs = (performance.now() - t0) / 1000;
  return { tokensPerSecond: (steps * b.tokensPerStep()) / secs, loss, bench: b };
}

/// The same transformer in TF.js ops: pre-norm blocks, learned positions, final layer norm.
function tfjsModel(tf, [blocks, heads, width, ff, length, vocab], seed) {
  const glorot = (shape) => tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / (shape[0] + shape[1])), Math.sqrt(6 / (shape[0] + shape[1])), 'float32', seed++));
  const zeros = (n) => tf.variable(tf.zeros([n]));
  const ones = (n) => tf.variable(tf.ones([n]));
  const p = {
    emb: tf.variable(tf.randomNormal([vocab, width], 0, 1 / Math.sqrt(width), 'float32', seed++)),
    pos: tf.variable(tf.randomNormal([length, width], 0, 1 / Math.sqrt(width), 'float32', seed++)),
    blocks: Array.from({ length: blocks }, () => ({
      g1: ones(width), b1: zeros(width), wqkv: glorot([width, 3 * width]), bqkv: zeros(3 * width),
      wo: glorot([width, width]), bo: zeros(width), g2: ones(width), b2: zeros(width),
      w1: glorot([width, ff]), c1: zeros(ff), w2: glorot([ff, width]), c2: zeros(width),
    })),
    gf: ones(width), bf: zeros(width), wout: glorot([width, vocab]), bout: zeros(vocab),
  };
  // Functional ops only: tfjs-core registers the method-style ones (`x.add(y)`) separately.
  const { add, sub, mul, div, sqrt, reshape, transpose, matMul } = tf;
  const norm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return add(mul(div(sub(x, mean), sqrt(add(variance, 1e-5))), g), b);
  };
  const dense = (x, w, b) => add(matMul(x, w), b);
  const dh = width / heads;
  const forward = (tokens, batch) => {
    const rows = batch * length;
    // The lookup as one-hot · table: TF.js's wasm backend has no gradient kernel for gather.
    const lookup = matMul(tf.oneHot(reshape(tokens, [-1]), vocab), p.emb);
    let h = add(reshape(lookup, [batch, length, width]), p.pos);
    for (const k of p.blocks) {
      const n = reshape(norm(h, k.g1, k.b1), [rows, width]);
      const qkv = transpose(reshape(dense(n, k.wqkv, k.bqkv), [batch, length, 3, heads, dh]), [2, 0, 3, 1, 4]);
      const [q, kk, v] = tf.split(qkv, 3, 0).map((t) => reshape(t, [batch * heads, length, dh]));
      const a = tf.softmax(mul(matMul(q, kk, false, true), 1 / Math.sqrt(dh)));
      const o = reshape(transpose(reshape(matMul(a, v), [batch, heads, length, dh]), [0, 2, 1, 3]), [rows, width]);
      h = add(h, reshape(dense(o, k.wo, k.bo), [batch, length, width]));
      const n2 = reshape(norm(h, k.g2, k.b2), [rows, width]);
      const f = dense(tf.relu(dense(n2, k.w1, k.c1)), k.w2, k.c2);
      h = add(h, reshape(f, [batch, length, width]));
    }
    return dense(reshape(norm(h, p.gf, p.bf), [rows, width]), p.wout, p.bout);
  };
  return { forward };
}

async function tfjs(backend, bench) {
  // The CommonJS bundles: they register the method-style ops (`x.add(y)`) too.
  const require = createRequire(path.resolve('bench/package.json'));
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  // The layers bundle registers the gradients (as TF.js's union package does).
  require('@tensorflow/tfjs-layers');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.resolve('bench/node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const shape = Array.from(WasmSequenceBench.shape());
  const [, , , , length, vocab, batch] = shape;
  const x = Int32Array.from(bench.x());
  const y = Int32Array.from(bench.y());
  const rows = x.length / length;
  const model = tfjsModel(tf, shape, 7);
  const optimizer = tf.train.adam(1e-3);
  let cursor = 0;
  const step = () => {
    if (cursor + batch > rows) cursor = 0;
    const xs = tf.tensor2d(x.subarray(cursor * length, (cursor + batch) * length), [batch, length], 'int32');
    const ys = tf.oneHot(tf.tensor1d(y.subarray(cursor * length, (cursor + batch) * length), 'int32'), vocab);
    cursor += batch;
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.forward(xs, batch)), true);
    const value = loss.dataSync()[0];
    tf.dispose([xs, ys, loss]);
    return value;
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = step();
  const secs = (performance.now() - t0) / 1000;
  return { tokensPerSecond: (steps * batch * length) / secs, loss, backend: tf.getBackend() };
}

const mine = ours();
const shape = Array.from(WasmSequenceBench.shape());
console.log(`shape [blocks, heads, width, ff, length, vocab, batch] = [${shape}], ${steps} timed steps`);
console.log(`nn-playground (wasm SIMD128): ${mine.tokensPerSecond.toFixed(0)} tokens/s (loss ${mine.loss.toFixed(3)})`);
for (const backend of ['wasm', 'cpu']) {
  try {
    const r = await tfjs(backend, mine.bench);
    console.log(`TF.js ${r.backend}: ${r.tokensPerSecond.toFixed(0)} tokens/s (loss ${r.loss.toFixed(3)}); nn-playground is ${(mine.tokensPerSecond / r.tokensPerSecond).toFixed(1)}×`);
  } catch (e) {
    console.log(`TF.js ${backend}: could not run (${e.message})`);
  }
}

function timeToAccuracy(task) {
  const s = new SequenceSession({
    task: { task, length: 8, vocab: 10, train: 4000, test: 500, seed: 1 },
    blocks: 2, heads: 4, width: 64, ff_units: 128, batch_size: 64,
    optimizer: { kind: 'adam', learning_rate: 3e-3, warmup_steps: 100 },
    seed: 1,
  });
  const t0 = performance.now();
  let point = s.trainSteps(0);
  while (point.test_sequence_accuracy < 0.99 && point.step < 20000) point = s.trainSteps(25);
  const secs = (performance.now() - t0) / 1000;
  console.log(`${task}: held-out sequence accuracy ${point.test_sequence_accuracy.toFixed(3)} after ${point.step} steps, ${secs.toFixed(1)} s (wasm, one thread)`);
}
timeToAccuracy('reverse');
timeToAccuracy('sort');
