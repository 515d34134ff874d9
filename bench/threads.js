// The threads benchmark page: runs `threads-worker.js` once on the single-thread build and
// once on the threads build, then sets `window.benchResults` (rows, paired ratios and the
// efficiency per core) for `browser.mjs --only threads` and prints a table.

const quick = new URLSearchParams(location.search).has('quick');
const out = document.getElementById('out');

function inWorker(msg) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
    w.onmessage = ({ data }) => {
      w.terminate();
      if (data.error) reject(new Error(data.error));
      else resolve(data);
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(msg);
  });
}

async function main() {
  const cores = navigator.hardwareConcurrency || 1;
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: serve it with cargo xtask serve');
  const counts = [...new Set([1, 2, cores])];
  const single = await inWorker({ build: 'pkg', pool: 1, threads: [1], quick });
  const threads = await inWorker({ build: 'pkg-threads', pool: cores, threads: counts, quick });
  const rows = [];
  for (const r of threads.rows) {
    const base = single.rows.find((s) => s.case === r.case)?.value;
    const one = threads.rows.find((s) => s.case === r.case && s.threads === 1)?.value;
    rows.push({
      ...r,
      single: base,
      vsSingle: base ? r.value / base : null,
      efficiency: one ? r.value / one / r.threads : null,
    });
  }
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
