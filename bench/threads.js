// The threads benchmark page: runs `threads-worker.js` once on the single-thread build and
// once on the threads build, then TF.js's wasm backend at 1 and N threads on the same
// shapes (`threads-tf-worker.js`), then sets `window.benchResults` (rows, paired ratios and the
// efficiency per core) for `browser.mjs --only threads` and prints a table.

const quick = new URLSearchParams(location.search).has('quick');
const out = document.getElementById('out');

/** A worker running one build; `ask(msg)` posts a message and resolves with its reply. */
function engineWorker(script = './threads-worker.js', type = 'module') {
  const w = new Worker(new URL(script, import.meta.url), { type });
  const ask = (msg) => new Promise((resolve, reject) => {
    w.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(msg);
  });
  return { ask, close: () => w.terminate() };
}

async function main() {
  const cores = navigator.hardwareConcurrency || 1;
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: serve it with cargo xtask serve');
  const counts = [...new Set([1, 2, cores])];
  const single = engineWorker();
  const threaded = engineWorker();
  await single.ask({ type: 'load', build: 'pkg-bench', pool: 1 });
  const { names, env } = await threaded.ask({ type: 'load', build: 'pkg-threads-bench', pool: cores });
  const rows = [];
  // Paired case by case: the single-thread build, then the threads build at each count,
  // then the single-thread build again; its mean is the baseline, so a load that drifts
  // during the run weighs on both sides alike.
  for (let index = 0; index < names.length; index++) {
    const before = await single.ask({ type: 'run', index, threads: 1, quick });
    const runs = [];
    for (const t of counts) runs.push(await threaded.ask({ type: 'run', index, threads: t, quick }));
    const afterRun = await single.ask({ type: 'run', index, threads: 1, quick });
    const base = (before.value + afterRun.value) / 2;
    const one = runs.find((r) => r.threads === 1).value;
    for (const r of runs) rows.push({ ...r, single: base, vsSingle: r.value / base, efficiency: r.value / one / r.threads });
  }
  single.close();
  // TF.js's wasm backend on the same shapes in the same run: its single-thread SIMD binary
  // and its threaded-SIMD binary with one pthread per core, each in its own worker, timed
  // case by case beside our threads build at the same count.
  const tfRows = [];
  const tfEnv = {};
  try {
    const data = await threaded.ask({ type: 'data' });
    const tf1 = engineWorker('./threads-tf-worker.js', 'classic');
    const tfN = engineWorker('./threads-tf-worker.js', 'classic');
    const got1 = await tf1.ask({ type: 'load', threads: 1 });
    const gotN = await tfN.ask({ type: 'load', threads: cores });
    Object.assign(tfEnv, { tfVersion: got1.version, tfOne: `${got1.variant}, ${got1.threads} thread`, tfMany: `${gotN.variant}, ${gotN.threads} threads` });
    for (const [tfCase, index] of [['matmul', 0], ['train', 1]]) {
      const one = await tf1.ask({ type: 'run', case: tfCase, data, quick });
      const many = await tfN.ask({ type: 'run', case: tfCase, data, quick });
      const ours = await threaded.ask({ type: 'run', index, threads: cores, quick });
      tfRows.push({ case: ours.case, unit: ours.unit, tfOne: one.value, tfMany: many.value, tfThreads: gotN.threads, ours: ours.value, oursThreads: ours.threads });
    }
    tf1.close();
    tfN.close();
  } catch (err) {
    tfEnv.tfError = String(err.message ?? err);
  }
  threaded.close();
  const threads = { env: { ...env, ...tfEnv } };
  const lines = [`cores: ${cores}; kernel: ${threads.env.kernel}`, '',
    '| case | threads | value | single-thread build | × single | efficiency per core |', '|---|---|---|---|---|---|'];
  const f = (v) => (v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(2));
  for (const r of rows) lines.push(`| ${r.case} | ${r.threads} | ${f(r.value)} ${r.unit} | ${f(r.single)} | ${r.vsSingle.toFixed(2)}× | ${(100 * r.efficiency).toFixed(0)} % |`);
  if (tfRows.length) {
    lines.push('', `TF.js ${tfEnv.tfVersion} wasm, same shapes, same run (1: ${tfEnv.tfOne}; N: ${tfEnv.tfMany}):`, '',
      '| case | TF.js 1 thread | TF.js N threads | TF.js N ÷ 1 | ours, threads build, N threads | ours ÷ TF.js N |', '|---|---|---|---|---|---|');
    for (const r of tfRows) lines.push(`| ${r.case} | ${f(r.tfOne)} ${r.unit} | ${f(r.tfMany)} (${r.tfThreads}) | ${(r.tfMany / r.tfOne).toFixed(2)}× | ${f(r.ours)} (${r.oursThreads}) | ${(r.ours / r.tfMany).toFixed(2)}× |`);
  } else if (tfEnv.tfError) {
    lines.push('', `TF.js wasm: ${tfEnv.tfError}`);
  }
  out.textContent = lines.join('\n');
  for (const l of lines) console.log(l);
  window.benchResults = { date: new Date().toISOString(), cores, env: threads.env, rows, tfRows, table: lines.join('\n') };
}

main().catch((err) => {
  out.textContent = `error: ${err.message}`;
  window.benchResults = { error: err.message, env: {} };
});
