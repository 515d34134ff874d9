// Where the time goes: samples Chromium's CPU profiler while our wasm runs one benchmark
// workload, and prints the functions with the most self time. Needs a built pkg-bench/.
//   node bench/profile.mjs [a|a-4-2|b|grid100|grid256|load10k|load100k|table10k|table100k]
//     [--relaxed] [--seconds 2]
// `load…` repeats `Session.loadCsv` of the generated table of that many rows (bench/tables.js),
// `table…` its training (`trainEpochs`, the table model). Function names need a build that
// keeps them: `NN_PLAYGROUND_KEEP_NAMES=1 cargo xtask build`.
// Uses BENCH_URL when set, otherwise starts `xtask serve --no-build --port 0` itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const work = args.find((a) => !a.startsWith('--') && !/^\d/.test(a)) ?? 'a';
const pkg = args.includes('--relaxed') ? 'pkg-relaxed' : 'pkg-bench';
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 2;
const TOP = 15;

async function server() {
  if (process.env.BENCH_URL) return { url: process.env.BENCH_URL, close() {} };
  const bin = join(root, 'target', 'debug', 'xtask');
  const [cmd, a] = existsSync(bin) ? [bin, []] : ['cargo', ['xtask']];
  const child = spawn(cmd, [...a, 'serve', '--no-build', '--port', '0', '--quiet'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; const m = /^serving (http:\/\/\S+)\s*$/m.exec(out); if (m) ok(m[1]); });
    child.on('exit', (c) => fail(new Error(`server exited (${c})`)));
  });
  return { url, close: () => child.kill('SIGTERM') };
}

// Runs in the page: loads our build and repeats the workload for `ms` milliseconds.
async function workload({ pkg, work, ms }) {
  const m = await import(`/${pkg}/nn_playground.js`);
  await m.default();
  const grid = /^grid(\d+)$/.exec(work);
  const table = /^(load|table)(\d+)k$/.exec(work);
  let b;
  if (table) {
    // Text and session are made in the warm-up call and kept, so that the profiled call
    // holds only the workload itself.
    const t = await import('/bench/tables.js');
    window.__tableBench ??= {};
    b = window.__tableBench[work];
    if (!b) {
      const text = t.tableCsv(Number(table[2]) * 1000);
      const s = new m.Session(undefined);
      s.loadCsv(text, t.LOAD_OPTIONS);
      s.setConfig(t.tableConfig(s.config()));
      const run = table[1] === 'load' ? () => s.loadCsv(text, t.LOAD_OPTIONS) : () => s.trainEpochs(1);
      b = window.__tableBench[work] = { run, free: () => {} };
    }
  } else {
    b = grid ? new m.WasmGridBench(Number(grid[1])) : new m.WasmTrainBench(work, 1);
  }
  b.run(1);
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < ms) { b.run(grid || table ? 1 : 25); calls++; }
  b.free();
  return { calls, ms: performance.now() - t0 };
}

const srv = await server();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
try {
  const page = await browser.newPage();
  // Any same-origin document will do; a script file carries no CSP of its own.
  await page.goto(new URL('bench/measure.js', srv.url).href);
  await page.evaluate(workload, { pkg, work, ms: 300 }); // compile and warm up first
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const done = await page.evaluate(workload, { pkg, work, ms: seconds * 1000 });
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'program'})`;
    self.set(name, (self.get(name) ?? 0) + (n.hitCount ?? 0));
    total += n.hitCount ?? 0;
  }
  console.log(`${work} on ${pkg}: ${done.calls} calls in ${done.ms.toFixed(0)} ms; self time by function:`);
  for (const [name, hits] of [...self].sort((x, y) => y[1] - x[1]).slice(0, TOP)) {
    console.log(`${((100 * hits) / total).toFixed(1).padStart(6)} %  ${name}`);
  }
} finally {
  await browser.close();
  srv.close();
}
