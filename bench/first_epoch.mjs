// Navigation → first trained epoch of the playground page, as served (it starts on the core
// build `pkg-core/`) against the same page with the full build `pkg/` in the core build's
// place, so the figure says what the smaller first download buys. Both are served without
// the isolation headers (no threads build), from copies of the page's files, and opened in
// fresh browser contexts (nothing cached), alternating A, B, A, B….
//
//   cargo xtask build && node bench/first_epoch.mjs [--runs 9]

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { watchFirstEpoch } from './page_watch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 9;
if (!(RUNS >= 1)) throw new Error('--runs needs a positive count');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A copy of what the page loads, with `coreFrom` as its `pkg-core/`. */
function pageCopy(dir, coreFrom) {
  for (const f of ['index.html', 'www', 'pkg']) cpSync(join(root, f), join(dir, f), { recursive: true });
  cpSync(join(root, coreFrom), join(dir, 'pkg-core'), { recursive: true });
  return dir;
}

function serve(dir) {
  const built = join(root, 'target', 'debug', 'xtask');
  const args = ['serve', '--no-build', '--no-isolation', '--port', '0', '--quiet', '--root', dir];
  const [cmd, argv] = existsSync(built) ? [built, args] : ['cargo', ['xtask', ...args]];
  const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/\S+)\s*$/m.exec(out);
      if (m) ok({ url: m[1], close: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before serving`)));
  });
}

async function once(browser, url) {
  const context = await browser.newContext();
  await context.addInitScript(watchFirstEpoch);
  try {
    const page = await context.newPage();
    await page.goto(new URL('index.html', url).href);
    const h = await page.waitForFunction(() => window.__firstEpoch.epoch && window.__firstEpoch, null, { timeout: 30_000 });
    return await h.jsonValue();
  } finally {
    await context.close();
  }
}

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
};
const ms = (x) => `${Math.round(x)} ms`;
const kb = (file) => `${(statSync(file).size / 1000).toFixed(0)} kB / ${(gzipSync(readFileSync(file), { level: 9 }).length / 1000).toFixed(0)} kB`;

async function main() {
  for (const dir of ['pkg', 'pkg-core']) {
    if (!existsSync(join(root, dir, 'nn_playground_bg.wasm'))) throw new Error(`${dir}/ is not built: run \`cargo xtask build\``);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'nnp-first-epoch-'));
  const cases = [
    { name: 'the page as served (pkg-core/ first)', dir: pageCopy(join(tmp, 'core'), 'pkg-core'), wasm: join(root, 'pkg-core/nn_playground_bg.wasm') },
    { name: 'the full build in its place (pkg/)', dir: pageCopy(join(tmp, 'full'), 'pkg'), wasm: join(root, 'pkg/nn_playground_bg.wasm') },
  ];
  const servers = await Promise.all(cases.map((c) => serve(c.dir)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  const load = loadavg()[0];
  try {
    const runs = cases.map(() => []);
    for (let r = 0; r < RUNS; r++) {
      for (let i = 0; i < cases.length; i++) runs[i].push(await once(browser, servers[i].url));
    }
    console.log(`navigation → first trained epoch, ${RUNS} fresh contexts each, alternating; load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
    console.log('| page | wasm raw / zlib level 9 | ready, median [min–max] | first epoch, median [min–max] |');
    console.log('| --- | ---: | ---: | ---: |');
    cases.forEach((c, i) => {
      const ready = stat(runs[i].map((x) => x.ready));
      const epoch = stat(runs[i].map((x) => x.epoch));
      console.log(`| ${c.name} | ${kb(c.wasm)} | ${ms(ready.median)} [${ms(ready.min)}–${ms(ready.max)}] | ${ms(epoch.median)} [${ms(epoch.min)}–${ms(epoch.max)}] |`);
    });
  } finally {
    await browser.close();
    servers.forEach((s) => s.close());
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
