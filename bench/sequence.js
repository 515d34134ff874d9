// The sequence-model benchmark: training tokens per second of a 2-block, 4-head, width-64
// transformer on length-16 reverse (`WasmSequenceBench`, the engine's own workload) against
// the same model written with TF.js ops and `tf.train.adam`, on TF.js's wasm and cpu
// backends, on the very token batches ours trains on.
//
// Both: token embedding + learned positions, pre-norm blocks `h = x + MHSA(LN(x))`,
// `y = h + FF(LN(h))` (FF = dense relu → dense), final layer norm, dense to the vocabulary,
// token-level softmax cross-entropy, Adam at 1e-3, batches taken in order.

import { measure } from './measure.js';

/** The model as TF.js variables and a loss function of one batch. */
function tfTransformer([blocks, heads, width, ff, length, vocab], made) {
  const variable = (t) => {
    const v = tf.variable(t);
    made.push(v);
    return v;
  };
  const dense = (fanIn, fanOut) => ({
    w: variable(tf.randomUniform([fanIn, fanOut], -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)))),
    b: variable(tf.zeros([fanOut])),
  });
  const norm = () => ({ g: variable(tf.ones([width])), b: variable(tf.zeros([width])) });
  const p = {
    tok: variable(tf.randomNormal([vocab, width], 0, 0.02)),
    pos: variable(tf.randomNormal([length, width], 0, 0.02)),
    blocks: Array.from({ length: blocks }, () => ({
      ln1: norm(), q: dense(width, width), k: dense(width, width), v: dense(width, width), o: dense(width, width),
      ln2: norm(), f1: dense(width, ff), f2: dense(ff, width),
    })),
    lnF: norm(),
    out: dense(width, vocab),
  };
  const dh = width / heads;
  // Functional ops only: the UMD core bundle does not register every chained method.
  const ln = (x, n) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), n.g), n.b);
  };
  const lin = (x, d) => tf.add(tf.matMul(x, d.w), d.b);
  // [B·L, d] → [B, H, L, dh]
  const split = (x, b) => tf.transpose(tf.reshape(x, [b, length, heads, dh]), [0, 2, 1, 3]);
  return (ids, targets, b) => {
    // The embedding as a one-hot product: TF.js wasm has no kernel for gather's gradient
    // (UnsortedSegmentSum); the same maths on every backend.
    const emb = tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), vocab), p.tok);
    let x = tf.reshape(tf.add(tf.reshape(emb, [b, length, width]), p.pos), [b * length, width]);
    for (const blk of p.blocks) {
      const a = ln(x, blk.ln1);
      const s = tf.mul(tf.matMul(split(lin(a, blk.q), b), split(lin(a, blk.k), b), false, true), 1 / Math.sqrt(dh));
      const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), split(lin(a, blk.v), b)), [0, 2, 1, 3]), [b * length, width]);
      x = tf.add(x, lin(o, blk.o));
      x = tf.add(x, lin(tf.relu(lin(ln(x, blk.ln2), blk.f1)), blk.f2));
    }
    const logits = lin(ln(x, p.lnF), p.out);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), vocab), logits);
  };
}

/**
 * Measures ours and TF.js on each backend in `tfBackends` (of 'wasm', 'cpu'); rows in
 * group `sequence`, tokens per second. Returns the env entries it adds.
 */
export async function sequenceBench(ours, { record, note, log, tfBackends, quick }) {
  if (typeof ours.WasmSequenceBench !== 'function') {
    note('this build has no WasmSequenceBench export; sequence rows are skipped');
    return {};
  }
  const bench = new ours.WasmSequenceBench(1);
  const shape = Array.from(ours.WasmSequenceBench.shape());
  const [blocks, heads, width, ff, length, vocab, batch] = shape;
  const tokensPerStep = bench.tokensPerStep();
  const inputs = bench.x();
  const targets = bench.y();
  const sequences = inputs.length / length;
  const minMs = quick ? 100 : 400;
  const perStep = (s) => tokensPerStep / s;
  const oursStats = await measure((n) => bench.run(n), { minMs });
  record('sequence', 'train', 'ours SIMD128', oursStats, perStep, 'tokens/s', 'higher');
  bench.free();

  for (const backend of ['wasm', 'cpu'].filter((b) => tfBackends.includes(b))) {
    await tf.setBackend(backend);
    await tf.ready();
    const x = tf.tensor2d(Int32Array.from(inputs), [sequences, length], 'int32');
    const y = tf.tensor2d(Int32Array.from(targets), [sequences, length], 'int32');
    const made = [];
    const loss = tfTransformer(shape, made);
    const opt = tf.train.adam(1e-3);
    let cursor = 0;
    const steps = (n) => {
      let last = 0;
      for (let i = 0; i < n; i++) {
        if (cursor + batch > sequences) cursor = 0;
        const from = cursor;
        cursor += batch;
        const l = opt.minimize(() => tf.tidy(() => loss(tf.slice(x, [from, 0], [batch, length]), tf.slice(y, [from, 0], [batch, length]), batch)), true);
        // Reading the loss waits for the step, as ours returns its loss.
        last = l.dataSync()[0];
        l.dispose();
      }
      if (!Number.isFinite(last)) throw new Error(`TF.js ${backend}: the loss is ${last}`);
    };
    try {
      const stats = await measure(steps, { minMs, maxIters: 64 });
      record('sequence', 'train', `TF.js ${backend}`, stats, perStep, 'tokens/s', 'higher');
    } catch (e) {
      note(`sequence TF.js ${backend}: ${e.message}`);
    }
    opt.dispose();
    x.dispose();
    y.dispose();
    for (const v of made) v.dispose();
  }
  log(`sequence: ${blocks} blocks × ${heads} heads, width ${width}, ff ${ff}, length ${length}, ${vocab} tokens, batch ${batch}`);
  return { sequenceShape: { blocks, heads, width, ffUnits: ff, length, vocab, batch } };
}
