// Timing: warm up, grow the iteration count until one repetition is long enough for the
// clock, then time at least five repetitions and report seconds per iteration.

const REPS = 5;

const yieldToBrowser = () => new Promise((r) => setTimeout(r, 0));

/**
 * `fn(iters)` does `iters` units of work (it may return a Promise). Returns seconds per
 * unit as `{ median, min, max, reps, iters, samples }`.
 *
 * `minMs`: the shortest repetition worth timing; `maxIters`: a cap for slow work, so that
 * slow peers still finish (then a repetition may be longer than `minMs`).
 */
export async function measure(fn, { minMs = 60, maxIters = 1 << 20, reps = REPS } = {}) {
  await fn(1); // warm-up: compilation, first-touch allocation, shader builds
  let iters = 1;
  let ms = 0;
  for (;;) {
    const t0 = performance.now();
    await fn(iters);
    ms = performance.now() - t0;
    if (ms >= minMs || iters >= maxIters) break;
    // Aim a little past minMs so the next try usually suffices.
    const grow = ms > 0 ? Math.ceil((1.3 * minMs) / ms) : 8;
    iters = Math.min(maxIters, iters * Math.min(64, Math.max(2, grow)));
  }
  const samples = [];
  for (let i = 0; i < reps; i++) {
    await yieldToBrowser();
    const t0 = performance.now();
    await fn(iters);
    samples.push((performance.now() - t0) / 1e3 / iters);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted[sorted.length - 1], reps, iters, samples };
}

/** Grows `fn`'s iteration count (after one warm-up call) until a call lasts `minMs`. */
async function sizeIters(fn, minMs, maxIters) {
  await fn(1);
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    await fn(iters);
    const ms = performance.now() - t0;
    if (ms >= minMs || iters >= maxIters) return iters;
    const grow = ms > 0 ? Math.ceil((1.3 * minMs) / ms) : 8;
    iters = Math.min(maxIters, iters * Math.min(64, Math.max(2, grow)));
  }
}

/**
 * A ratio robust to a machine whose load drifts: `a` and `b` are timed alternately, `reps`
 * rounds, and each round gives one ratio of rates, `(unitsA / timeA) ÷ (unitsB / timeB)`
 * per iteration. Returns `{ median, min, max, reps }` of those ratios, and in `a` and `b`
 * each side's seconds per iteration (`measure`'s shape), so that one interleaved run also
 * gives both absolute figures.
 */
export async function paired(a, b, { minMs = 60, maxA = 1 << 20, maxB = 1 << 20, reps = REPS, scale = 1 } = {}) {
  const ia = await sizeIters(a, minMs, maxA);
  const ib = await sizeIters(b, minMs, maxB);
  const ratios = [];
  const [sa, sb] = [[], []];
  for (let i = 0; i < reps; i++) {
    await yieldToBrowser();
    let t0 = performance.now();
    await a(ia);
    const ta = (performance.now() - t0) / ia;
    t0 = performance.now();
    await b(ib);
    const tb = (performance.now() - t0) / ib;
    ratios.push((scale * tb) / ta);
    sa.push(ta / 1e3);
    sb.push(tb / 1e3);
  }
  const stat = (xs, iters) => {
    const t = [...xs].sort((x, y) => x - y);
    return { median: t[t.length >> 1], min: t[0], max: t[t.length - 1], reps, iters, samples: xs };
  };
  const s = [...ratios].sort((x, y) => x - y);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], reps, ratios, a: stat(sa, ia), b: stat(sb, ib) };
}
