// Tests of the packed npm package (`cargo xtask pack`'s tarball), each installed into a fresh
// project under the system temp dir: (a) bundled by Vite and served, (b) a static page with
// an import map, both training the circle in the element in headless Chromium under the
// strict CSP of `xtask serve`; (c) Node importing the JS API and training XOR, and the
// Sequences entry training a SequenceSession; (d) its
// TypeScript types checked by tsc; and a package without its wasm failing at init with the
// file's name.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { build } from 'vite';
import { isSameOrigin, openPage, repoRoot, startServer, waitFor } from '../e2e/harness.mjs';

const tarball = process.env.NNP_TARBALL || (() => {
  const dir = join(repoRoot, 'pkg-npm');
  const found = readdirSync(dir).filter((f) => /^nn-playground-.*\.tgz$/.test(f));
  assert.equal(found.length, 1, `one tarball in pkg-npm/ (run cargo xtask pack): ${found}`);
  return join(dir, found[0]);
})();

const projects = [];
after(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A fresh project with the tarball installed (no registry needed: it has no dependencies). */
function project(name, files = {}) {
  const dir = mkdtempSync(join(tmpdir(), `nnp-${name}-`));
  projects.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `nnp-${name}`, private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: dir, stdio: 'pipe' });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const ELEMENT_PAGE = (head) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>nn-playground package test</title>
  <link rel="icon" href="data:,">
  ${head}
</head>
<body>
  <nn-playground id="demo" dataset="circle" seed="1"></nn-playground>
</body>
</html>
`;

/** Serves `root` with `xtask serve`'s headers, opens `path`, trains the element's circle. */
async function trainCircle(t, root, path = '/index.html') {
  const server = await startServer({ root });
  t.after(() => server.close());
  const s = await openPage(server, path);
  t.after(() => s.close());
  const { page } = s;
  assert.match(s.response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(s.response.headers()['content-security-policy'], /'unsafe-inline'|'unsafe-eval'/);
  const el = '#demo .nnp';
  await page.waitForSelector(`${el}[data-ready=true][data-epoch]`);
  await page.click(`${el} button.play`);
  const loss = await waitFor(async () => {
    const d = await page.evaluate((sel) => ({ ...document.querySelector('#demo').shadowRoot.querySelector('.nnp').dataset }), el);
    return Number(d.testLoss) < 0.05 && d;
  }, 'the element to train the circle to a test loss under 0.05', 90_000);
  await page.click(`${el} button.play`);
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
  assert.deepEqual(s.pageErrors, [], 'page errors');
  assert.deepEqual(s.consoleErrors, [], 'console errors');
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
  assert.deepEqual(s.requests.filter((u) => !isSameOrigin(server, u)), [], 'requests that left the origin');
  const failed = s.responses.filter((r) => r.status >= 400).map((r) => `${r.status} ${r.url}`);
  assert.deepEqual(failed, [], 'failed requests');
  return { s, loss };
}

test('(a) Vite bundles the element; the build trains the circle under the strict CSP', async (t) => {
  const dir = project('vite', {
    'index.html': ELEMENT_PAGE('<script type="module" src="./main.js"></script>'),
    'main.js': "// The Vite project's entry: the package's element.\nimport 'nn-playground/element';\n",
  });
  // The worker imports the GPU build on demand: code splitting needs ES-module workers.
  await build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: join(dir, 'dist'), emptyOutDir: true },
  });
  const assets = readdirSync(join(dir, 'dist', 'assets'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 3, `the core, full (with WebGPU and Sequences) and threads wasm: ${assets}`);
  assert.ok(assets.some((f) => f.startsWith('worker')), `the worker: ${assets}`);
  const { s, loss } = await trainCircle(t, join(dir, 'dist'));
  const wasm = s.responses.filter((r) => r.url.endsWith('.wasm'));
  // One CPU build: the threads build where the page is cross-origin isolated (it is here).
  assert.equal(wasm.length, 1, 'only one CPU build is fetched');
  assert.match(wasm[0].url, /\/assets\//);
  const engineBuild = await s.page.evaluate(() => document.querySelector('nn-playground').shadowRoot.querySelector('.nnp').dataset.engineBuild);
  console.log(`vite: the ${engineBuild} build; test loss ${Number(loss.testLoss).toFixed(4)} at epoch ${loss.epoch}`);
});

const IMPORT_MAP = `<script type="importmap">{"imports": {
    "nn-playground": "./node_modules/nn-playground/index.js",
    "nn-playground/webgpu": "./node_modules/nn-playground/webgpu.js",
    "nn-playground/element": "./node_modules/nn-playground/www/element.js"
  }}</script>`;

test('(b) a static page with an import map: the element trains, the JS API fits', async (t) => {
  const dir = project('static', {
    'index.html': ELEMENT_PAGE(`${IMPORT_MAP}\n  <script type="module" src="./app.js"></script>`),
    'app.js': `// The static page's script: the element, and the JS API next to it.
import 'nn-playground/element';
import init, { Sequential } from 'nn-playground';

await init();
const model = new Sequential({ inputDim: 2, layers: [
  { type: 'dense', units: 8, activation: 'tanh' }, { type: 'dense', units: 1, activation: 'sigmoid' }] });
model.compile({ optimizer: 'adam', learningRate: 0.05, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
await model.fit(x, [0, 1, 1, 0], { epochs: 400, batchSize: 4 });
document.body.dataset.xor = JSON.stringify(model.evaluate(x, [0, 1, 1, 0]));
`,
  });
  const { s } = await trainCircle(t, dir);
  const xor = JSON.parse(await waitFor(() => s.page.evaluate(() => document.body.dataset.xor), 'the JS API to fit XOR'));
  assert.equal(xor.metrics.accuracy, 1, JSON.stringify(xor));
});

test('(b) the GPU entry loads its own wasm beside it and trains on WebGPU', async (t) => {
  const dir = project('webgpu', {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>GPU entry</title><link rel="icon" href="data:,">
  ${IMPORT_MAP}
  <script type="module" src="./gpu.js"></script></head><body></body></html>`,
    'gpu.js': `// The GPU entry's JS API on the (software) WebGPU adapter.
import init, { Sequential } from 'nn-playground/webgpu';
try {
  await init();
  const model = new Sequential({ inputDim: 2, layers: [
    { type: 'dense', units: 4, activation: 'tanh' }, { type: 'dense', units: 1, activation: 'sigmoid' }] });
  model.compile({ optimizer: 'adam', learningRate: 0.05, loss: 'binaryCrossentropy' });
  const h = await model.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], { epochs: 3, batchSize: 4, backend: 'webgpu' });
  document.body.dataset.backend = h.backend;
} catch (e) {
  document.body.dataset.backend = \`error: \${e.message}\`;
}
`,
  });
  const server = await startServer({ root: dir });
  t.after(() => server.close());
  const s = await openPage(server, '/index.html');
  t.after(() => s.close());
  const backend = await waitFor(() => s.page.evaluate(() => document.body.dataset.backend), 'the GPU fit', 120_000);
  assert.match(backend, /^webgpu \(/);
  const wasm = s.responses.filter((r) => r.url.endsWith('.wasm')).map((r) => new URL(r.url).pathname);
  assert.deepEqual(wasm, ['/node_modules/nn-playground/pkg/nn_playground_bg.wasm']);
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
  assert.deepEqual(s.pageErrors, [], 'page errors');
});

test('(b) without its wasm the package fails at init, naming the file', async (t) => {
  const dir = project('nowasm', {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>missing wasm</title><link rel="icon" href="data:,">
  ${IMPORT_MAP}
  <script type="module" src="./app.js"></script></head><body></body></html>`,
    'app.js': `// Records what init says when the wasm is missing.
import init from 'nn-playground';
init().then(() => { document.body.dataset.init = 'ok'; }, (e) => { document.body.dataset.init = e.message; });
`,
  });
  rmSync(join(dir, 'node_modules/nn-playground/pkg/nn_playground_bg.wasm'));
  const server = await startServer({ root: dir });
  t.after(() => server.close());
  const s = await openPage(server, '/index.html');
  t.after(() => s.close());
  const message = await waitFor(() => s.page.evaluate(() => document.body.dataset.init), 'init to settle');
  assert.match(message, /nn_playground_bg\.wasm is missing: .*answered HTTP 404/);
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
});

test('(c) Node: import { Sequential } from "nn-playground" trains XOR; without the wasm the import names it', () => {
  const dir = project('node', {
    'xor.mjs': `// Node: the package's node entry, ready on import.
import { Sequential } from 'nn-playground';
const model = new Sequential({ inputDim: 2, layers: [
  { type: 'dense', units: 8, activation: 'tanh' }, { type: 'dense', units: 1, activation: 'sigmoid' }] });
model.compile({ optimizer: 'adam', learningRate: 0.05, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [0, 1, 1, 0];
const history = await model.fit(x, y, { epochs: 500, batchSize: 4 });
console.log(JSON.stringify({ evaluation: model.evaluate(x, y), backend: history.backend }));
`,
  });
  const run = () => spawnSync(process.execPath, ['xor.mjs'], { cwd: dir, encoding: 'utf8' });
  const ok = run();
  assert.equal(ok.status, 0, ok.stderr);
  const { evaluation, backend } = JSON.parse(ok.stdout);
  assert.equal(backend, 'cpu');
  assert.equal(evaluation.metrics.accuracy, 1, ok.stdout);
  assert.ok(evaluation.loss < 0.05, ok.stdout);

  const wasm = join(dir, 'node_modules/nn-playground/pkg/nn_playground_bg.wasm');
  renameSync(wasm, `${wasm}.away`);
  const missing = run();
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /cannot read the engine's nn_playground_bg\.wasm at .*nn_playground_bg\.wasm \(ENOENT\)/);
});

test('(c) Node: the Sequences entry trains a SequenceSession; it is the main entry itself', () => {
  const dir = project('node-sequences', {
    'reverse.mjs': `// Node: the package's Sequences entry, ready on import.
import { SequenceSession, sequenceChoices } from 'nn-playground/sequences';
import * as main from 'nn-playground';
const s = new SequenceSession({ task: { task: 'reverse', length: 5, vocab: 8, train: 200, test: 50 }, width: 16 });
const point = s.trainSteps(3);
console.log(JSON.stringify({ step: point.step, tasks: sequenceChoices().tasks.length, sameModule: main.SequenceSession === SequenceSession }));
`,
  });
  const r = spawnSync(process.execPath, ['reverse.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.step, 3, r.stdout);
  assert.ok(out.tasks > 0, r.stdout);
  assert.equal(out.sameModule, true, 'one wasm instance: the Sequences entry is the main entry');
});

test('(d) the types: tsc checks a program against the JS API, the GPU entry and the element', () => {
  const dir = project('types', {
    'main.ts': `// A TypeScript user of the package: each entry's types, and the element's tag.
import init, { Sequential } from 'nn-playground';
import gpuInit, { GpuTrainer } from 'nn-playground/webgpu';
import seqInit, { SequenceSession } from 'nn-playground/sequences';
import type { NnPlayground, NnPlaygroundAttributes } from 'nn-playground/element';

await init();
await gpuInit();
await seqInit();
const model: Sequential = new Sequential({ inputDim: 2, layers: [{ type: 'dense', units: 1, activation: 'sigmoid' }] });
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
const el: NnPlayground | null = document.querySelector('nn-playground');
const hash: string | undefined = el?.hash();
const attrs: NnPlaygroundAttributes = { dataset: 'circle', layers: '4,2', 'learning-rate': '0.03' };
console.log(hash, attrs, typeof GpuTrainer, typeof SequenceSession);
// @ts-expect-error: the element has no such method
el?.noSuchMethod();
`,
    // esnext: wasm-bindgen's declarations use Symbol.dispose.
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, lib: ['esnext', 'dom'] },
      files: ['main.ts'],
    }),
  });
  const tsc = createRequire(import.meta.url).resolve('typescript/package.json').replace(/package\.json$/, 'bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
