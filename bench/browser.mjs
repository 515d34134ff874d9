// Drives the benchmark page in headless Chromium and writes bench/results.json,
// bench/results.md and bench/chart.svg. Builds and installs nothing: `cargo xtask bench`
// builds pkg/ (and runs `npm ci` here when node_modules is missing) and passes BENCH_URL.
// By hand: `node bench/browser.mjs [--quick] [--only tables]` starts `xtask serve --no-build
// --port 0`. `--only tables` (or BENCH_ONLY=tables) runs the uploaded-table benchmark alone
// (`--only sequence`: the sequence-model benchmark; `--only gpu`: our WebGPU rows and TF.js
// webgpu's on the same adapter, with the paired ratios)
// and merges its rows into the existing results.json instead of replacing the full run's.
// `--only threads` runs the threads page (threads.html: the single-thread build against the
// threads build at 1, 2 and hardwareConcurrency threads) and writes bench/threads.json
// and bench/threads.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { watchFirstEpoch } from './page_watch.mjs';
import { writeReports } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const QUICK = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const ONLY = (onlyAt >= 0 ? process.argv[onlyAt + 1] : process.env.BENCH_ONLY) || null;
if (ONLY && !['tables', 'sequence', 'threads', 'gpu'].includes(ONLY)) throw new Error(`--only ${ONLY}: only 'tables', 'sequence', 'threads' or 'gpu' can run alone`);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const BENCH_TIMEOUT_MS = 30 * 60_000;
const FIRST_EPOCH_RUNS = 5;

async function startServer() {
  if (process.env.BENCH_URL) return { url: process.env.BENCH_URL, close: async () => {} };
  const built = join(root, 'target', 'debug', 'xtask');
  const [cmd, args] = existsSync(built)
    ? [built, ['serve', '--no-build', '--port', '0', '--quiet']]
    : ['cargo', ['xtask', 'serve', '--no-build', '--port', '0', '--quiet']];
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/\S+)\s*$/m.exec(out);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before serving`)));
    child.on('error', fail);
  });
  return { url, close: async () => { child.kill('SIGTERM'); } };
}

async function withBrowser(f) {
  const profile = mkdtempSync(join(tmpdir(), 'nnp-bench-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile } });
  try {
    return await f(browser);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function runBenchPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    else if (m.type() === 'log') process.stdout.write(`  ${m.text()}\n`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  const query = new URLSearchParams();
  if (QUICK) query.set('quick', '');
  if (ONLY) query.set('only', ONLY);
  const search = query.toString().replace(/=(&|$)/g, '$1');
  const path = ONLY === 'threads' ? 'bench/threads.html' : 'bench/';
  await page.goto(new URL(`${path}${search ? `?${search}` : ''}`, url).href);
  await page.waitForFunction(() => window.benchResults, null, { timeout: BENCH_TIMEOUT_MS, polling: 500 });
  const results = await page.evaluate(() => window.benchResults);
  await context.close();
  return { ...results, browserProblems: problems };
}

async function firstEpoch(browser, url) {
  const runs = [];
  for (let i = 0; i < FIRST_EPOCH_RUNS; i++) {
    const context = await browser.newContext();
    await context.addInitScript(watchFirstEpoch);
    const page = await context.newPage();
    try {
      await page.goto(new URL('index.html', url).href);
      const hasHost = await page.waitForFunction(() => document.querySelector('[data-ready]'), null, { timeout: 15_000 })
        .then(() => true, () => false);
      if (!hasHost) return { error: 'index.html has no element with data-ready (the playground page is not merged yet)' };
      const got = await page.waitForFunction(() => window.__firstEpoch.epoch && window.__firstEpoch, null, { timeout: 30_000 })
        .then((h) => h.jsonValue(), () => null);
      if (!got) return { error: 'the playground page reported no trained epoch within 30 s' };
      runs.push(got);
    } finally {
      await context.close();
    }
  }
  const stat = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], reps: s.length };
  };
  return { epochMs: stat(runs.map((r) => r.epoch)), readyMs: stat(runs.map((r) => r.ready)) };
}

function sizes() {
  const out = {};
  const files = {
    'ours pkg-core/ wasm (the page\'s first build)': 'pkg-core/nn_playground_bg.wasm',
    'ours pkg/ wasm': 'pkg/nn_playground_bg.wasm',
    'ours pkg/ JS glue': 'pkg/nn_playground.js',
    'ours pkg-relaxed/ wasm': 'pkg-relaxed/nn_playground_bg.wasm',
    'TF.js wasm SIMD binary': 'bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    'TF.js core+cpu+layers JS': ['tfjs-core/dist/tf-core.min.js', 'tfjs-backend-cpu/dist/tf-backend-cpu.min.js', 'tfjs-layers/dist/tf-layers.min.js']
      .map((p) => `bench/node_modules/@tensorflow/${p}`),
    'TF.js wasm backend JS': 'bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
    'brain.js browser bundle': 'bench/node_modules/brain.js/browser.min.js',
  };
  for (const [name, rel] of Object.entries(files)) {
    const paths = [rel].flat().map((p) => join(root, p));
    if (!paths.every(existsSync)) continue;
    const bytes = Buffer.concat(paths.map((p) => readFileSync(p)));
    out[name] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return out;
}

const isTableRow = (r) => r.group === 'table' || (r.group === 'paired' && r.id.startsWith('Table '));
const isSequenceRow = (r) => r.group === 'sequence';

/** A sequence-only run's rows in place of those of the committed results.json. */
function mergeSequence(page, run) {
  const file = join(here, 'results.json');
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { date: run.date, rows: [], notes: [], env: {} };
  return {
    ...old,
    env: { ...old.env, sequenceShape: page.env.sequenceShape },
    rows: [...old.rows.filter((r) => !isSequenceRow(r)), ...page.rows.filter(isSequenceRow)],
    notes: [...new Set([...(old.notes ?? []).filter((n) => !n.startsWith('sequence ')), ...page.notes])],
    sequenceRun: { ...run, tfVersion: page.env.tfVersion, tfWasmVariant: page.env.tfWasmVariant },
    ...(page.error ? { error: page.error } : {}),
  };
}

/** The rows a `--only gpu` run measures: ours WebGPU, TF.js webgpu, the raw API and their
 *  paired ratios. */
const isGpuRow = (r) => r.impl === 'ours WebGPU' || r.impl === 'TF.js webgpu' || r.impl === 'raw WebGPU (JS)'
  || (r.group === 'paired' && r.id.includes('WebGPU'));
const rowKey = (r) => `${r.group}\u0000${r.id}\u0000${r.impl}`;

/** A GPU-only run's rows in place of the same rows of the committed results.json (TF.js
 *  webgpu's rows at sizes this run skips stay those of the last full run). */
function mergeGpu(page, run) {
  const file = join(here, 'results.json');
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { date: run.date, rows: [], notes: [], env: {} };
  const fresh = page.rows.filter(isGpuRow);
  const replaced = new Set(fresh.map(rowKey));
  const gpuEnv = Object.fromEntries(Object.entries(page.env).filter(([k]) => /webgpu/i.test(k)));
  return {
    ...old,
    env: { ...old.env, ...gpuEnv },
    rows: [...old.rows.filter((r) => !replaced.has(rowKey(r)) && !(r.impl === 'ours WebGPU')), ...fresh],
    notes: [...new Set([...(old.notes ?? []).filter((n) => !n.startsWith('ours WebGPU')), ...page.notes])],
    gpuRun: { ...run, tfVersion: page.env.tfVersion },
    ...(page.error ? { error: page.error } : {}),
  };
}

/** A table-only run's rows and environment in place of the table rows of the committed
 *  results.json (the other figures stay those of the last full run). */
function mergeTables(page, tablesRun) {
  const file = join(here, 'results.json');
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { date: tablesRun.date, rows: [], notes: [], env: {} };
  const tableEnv = Object.fromEntries(Object.entries(page.env).filter(([k]) => k.startsWith('table')));
  return {
    ...old,
    env: { ...old.env, ...tableEnv },
    rows: [...old.rows.filter((r) => !isTableRow(r)), ...page.rows.filter(isTableRow)],
    notes: [...new Set([...(old.notes ?? []).filter((n) => !n.startsWith('table ')), ...page.notes])],
    tablesRun: { ...tablesRun, tfVersion: page.env.tfVersion, tfWasmVariant: page.env.tfWasmVariant, problems: page.browserProblems },
    ...(page.error ? { error: page.error } : {}),
  };
}

async function main() {
  // The page's pkg/ is weighed; the benchmark runs pkg-bench/ (the same engine with the
  // benchmark exports).
  for (const dir of ['pkg', 'pkg-bench']) {
    if (!existsSync(join(root, dir, 'nn_playground_bg.wasm'))) {
      throw new Error(`${dir}/ is not built: run \`cargo xtask build\` (it builds pkg/ and pkg-bench/)`);
    }
  }
  const server = await startServer();
  console.log(`benchmark page: ${new URL('bench/', server.url).href}`);
  try {
    // The 1-minute load average around the run: the figures are only as quiet as the machine.
    const loadStart = loadavg()[0];
    const { page, first } = await withBrowser(async (browser) => {
      const version = browser.version();
      const page = await runBenchPage(browser, server.url);
      page.env.browserVersion = version;
      const first = ONLY ? null : await firstEpoch(browser, server.url);
      return { page, first };
    });
    if (ONLY === 'threads') {
      const run = { ...page, browserVersion: page.env.browserVersion, quick: QUICK, loadavg: [loadStart, loadavg()[0]], cpus: cpus().length };
      writeFileSync(join(here, 'threads.json'), `${JSON.stringify(run, null, 2)}\n`);
      if (page.error) throw new Error(`the threads page failed: ${page.error}`);
      const note = `Headless Chromium ${run.browserVersion}, ${run.cpus} cores, 1-minute load average ${run.loadavg.map((v) => v.toFixed(2)).join(' → ')}${QUICK ? ', quick run' : ''}; \`node bench/browser.mjs --only threads\`.`;
      writeFileSync(join(here, 'threads.md'), `# Threads benchmark (${run.date})\n\n${note}\n\n${page.table}\n`);
      console.log(page.table);
      return;
    }
    const date = new Date().toISOString();
    const tablesRun = { date, quick: QUICK, browserVersion: page.env.browserVersion, alone: Boolean(ONLY),
      loadavg: [loadStart, loadavg()[0]], cpus: cpus().length };
    const results = ONLY === 'sequence'
      ? mergeSequence(page, tablesRun)
      : ONLY === 'gpu'
      ? mergeGpu(page, tablesRun)
      : ONLY
      ? mergeTables(page, tablesRun)
      : { date, quick: QUICK, ...page, firstEpoch: first, sizes: sizes(), tablesRun };
    writeReports(here, results);
    if (results.error) throw new Error(`the benchmark page failed: ${results.error}`);
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  console.error(String(e?.stack ?? e));
  process.exit(1);
});
