// The threads benchmark page: runs `threads-worker.js` once on the single-thread build and
// once on the threads build, then sets `window.benchResults` (rows, paired ratios and the
// efficiency per core) for `browser.mjs --only threads` and prints a table.

const quick = new URLSearchParams(location.search).has('quick');
const out = document.getElementById('out');

/** A worker running one build; `ask(msg)` posts a message and resolves with its reply. */
function engineWorker() {
  const w = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
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
  threaded.close();
  const threads = { env };
  const lines = [`cores: ${cores}; kernel: ${threads.env.kernel}`, '',
    '| case | threads | value | single-thread build | × single | efficiency per core |', '|---|---|---|---|---|---|'];
  const f = (v) => (v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(2));
  for (const r of rows) lines.push(`| ${r.case} | ${r.threads} | ${f(r.value)} ${r.unit} | ${f(r.single)} | ${r.vsSingle.toFixed(2)}× | ${(100 * r.efficiency).toFixed(0)} % |`);
  out.textContent = lines.join('\n');
  for (const l of lines) console.log(l);
  window.benchResults = { date: new Date().toISOString(), cores, env: threads.env, rows, table: lines.join('\n') };
}

main().catch((err) => {
  out.textContent = `error: ${err.message}`;
  window.benchResults = { error: err.message, env: {} };
});
