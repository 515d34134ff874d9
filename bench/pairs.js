// The target ratios, measured once more as interleaved pairs (ours, peer, ours, peer …) so
// that load drifting on a shared machine during the session cannot skew them.
import { paired } from './measure.js';
import { tfMatmul, tfTrain } from './peers.js';

const SIZE = 256;
const PEAK_ITERS = 1 << 16;

/**
 * `ctx`: `{ ours, relaxed, data, tfBackends, bestTf, brainSet }` — our plain module, the
 * relaxed one (or null), the training data, working TF.js backends, the TF.js backend
 * fastest on problem (a), and brain.js's training set. Returns `[{ id, stats }]`.
 */
export async function pairedRatios(ctx, note) {
  const out = [];
  const add = async (id, f) => {
    try {
      out.push({ id, stats: await f() });
    } catch (e) {
      note(`paired ${id}: ${e.message}`);
    }
  };
  const gemm = (mod, shape) => {
    const b = new mod.WasmGemmBench(shape, SIZE, SIZE, SIZE, 'fast');
    return { fn: (n) => b.run(n), flops: b.flopsPerIter(), free: () => b.free() };
  };
  const withTf = async (backend, make, f) => {
    await tf.setBackend(backend);
    await tf.ready();
    const job = await make();
    try {
      return await f(job);
    } finally {
      job.dispose();
    }
  };
  const ours = ctx.ours;
  if (ours.WasmGemmBench) {
    const nn = gemm(ours, 'nn');
    if (ctx.tfBackends.includes('wasm')) {
      for (const [mod, label] of [[ours, 'SIMD128'], [ctx.relaxed, 'relaxed-SIMD']]) {
        if (!mod) continue;
        for (const shape of ['nn', 'tn', 'nt']) {
          if (label !== 'SIMD128' && shape !== 'nn') continue;
          const g = gemm(mod, shape);
          await add(`Matmul ${shape.toUpperCase()} ${SIZE}: ours ${label} ÷ TF.js wasm`, () =>
            withTf('wasm', () => tfMatmul(shape, SIZE), (t) => paired(g.fn, t.fn, { maxB: 1 << 16 })));
          g.free();
        }
      }
    }
    for (const shape of ['tn', 'nt']) {
      const g = gemm(ours, shape);
      await add(`Matmul ${shape.toUpperCase()} ${SIZE} ÷ our NN ${SIZE}`, () => paired(g.fn, nn.fn));
      g.free();
    }
    if (ours.peakSimdMadd) {
      const peak = (n) => { for (let i = 0; i < n; i++) ours.peakSimdMadd(PEAK_ITERS); };
      const peakFlops = ours.peakFlopsPerIter() * PEAK_ITERS;
      await add(`Matmul NN ${SIZE}: ours SIMD128 ÷ SIMD128 peak`, () => paired(nn.fn, peak, { scale: nn.flops / peakFlops }));
    }
    nn.free();
  }
  if (!ctx.data || !ours.WasmTrainBench) return out;
  const train = (problem) => {
    const t = new ours.WasmTrainBench(problem, 1);
    return { fn: (n) => t.run(n), batch: t.batchSize(), free: () => t.free() };
  };
  const tfPair = (problem, backend) => async () => {
    const o = train(problem);
    try {
      return await withTf(backend, () => tfTrain(problem, ctx.data[problem]),
        (job) => paired(o.fn, job.fn, { maxB: 64, scale: o.batch / job.samples }));
    } finally {
      o.free();
    }
  };
  if (ctx.tfBackends.includes('wasm')) await add('Training (b): ours ÷ TF.js wasm', tfPair('b', 'wasm'));
  if (ctx.brainSet) {
    await add('Training (a) 2-8-8-1: ours ÷ brain.js', async () => {
      const o = train('a');
      const net = new brain.NeuralNetwork({ hiddenLayers: [8, 8], activation: 'tanh' });
      const opts = (n) => ({ iterations: n, errorThresh: 1e-12, learningRate: 0.03, momentum: 1e-9, log: false });
      try {
        return await paired(o.fn, (n) => net.train(ctx.brainSet, opts(n)), { scale: o.batch / ctx.brainSet.length });
      } finally {
        o.free();
      }
    });
  }
  if (ctx.bestTf) await add(`Training (a) 2-8-8-1: ours ÷ best TF.js (${ctx.bestTf})`, tfPair('a', ctx.bestTf));
  return out;
}
