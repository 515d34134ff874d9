// The page's first build: without the cross-origin-isolation headers the page starts on the
// core build (`pkg-core/`), trains there without fetching `pkg/`, and moves its session into
// the full build the first time it needs a part the core leaves out (a table, ONNX, the
// health view, a link with weights), with its model and run carried over.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, callWorker, openApp, startServer, waitFor } from './harness.mjs';

let plain;
before(async () => {
  plain = await startServer({ isolation: false });
});
after(async () => {
  await plain?.close();
});

const HASH = '#dataset=xor&networkShape=6,4&speed=max&seed=5';
const fetchedWasm = (s) => s.responses.map((r) => r.url).filter((u) => u.endsWith('_bg.wasm'));
const inFullBuild = (page) => waitFor(async () => (await appState(page)).engineBuild === 'single', 'the full build');
const call = callWorker;

/** Trains to at least `epochs` epochs, pauses, and returns the state once the page settled. */
async function trainThenPause(page, epochs) {
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= epochs, `${epochs} epochs`, 60_000);
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await appState(page)).running === 'false', 'paused');
  return call(page, 'status');
}

test('a first visit trains on the core build alone; ONNX export moves the run into the full build', async (t) => {
  const s = await openApp(plain, t, `/index.html${HASH}`);
  const { page } = s;
  const before = await trainThenPause(page, 150);
  assert.equal((await appState(page)).engineBuild, 'core');
  assert.deepEqual(fetchedWasm(s).map((u) => new URL(u).pathname), ['/pkg-core/nn_playground_bg.wasm'], 'only the core build fetched');
  assert.match(await page.textContent(`${APP} .speed`), /cpu \(SIMD128, 1 thread\)/);

  const onnxBytes = await page.evaluate(async () => (await globalThis.playground.call('exportOnnx')).length);
  assert.ok(onnxBytes > 100, `an ONNX file (${onnxBytes} bytes)`);
  const after = await call(page, 'status');
  await inFullBuild(page);
  assert.ok(fetchedWasm(s).some((u) => u.includes('/pkg/nn_playground_bg.wasm')), 'the full build fetched');
  assert.equal(after.epoch, before.epoch, 'the epoch carried over');
  assert.ok(Math.abs(after.trainLoss - before.trainLoss) <= 1e-6 * Math.max(1, before.trainLoss), `the model carried over: ${before.trainLoss} → ${after.trainLoss}`);

  // Training goes on in the full build from where it was.
  await trainThenPause(page, before.epoch + 50);
  assert.ok(Number((await appState(page)).epoch) >= before.epoch + 50);
  assertClean(s);
});

test('turning on the health view while training moves into the full build, and training goes on', async (t) => {
  const s = await openApp(plain, t, `/index.html${HASH}`);
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= 100, '100 epochs', 60_000);
  const view = await call(page, 'setView', { health: true });
  assert.equal(view.health, true);
  await inFullBuild(page);
  const epoch = Number((await appState(page)).epoch);
  await waitFor(async () => Number((await appState(page)).epoch) >= epoch + 100, 'training goes on after the move', 60_000);
  assert.equal((await appState(page)).running, 'true');
  await page.click(`${APP} button.play`);
  assertClean(s);
});

test('a CSV upload on the core build moves into the full build and loads the table', async (t) => {
  const s = await openApp(plain, t, `/index.html${HASH}`);
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 60; i++) rows.push(`${(i % 7) / 7},${(i % 5) / 5},${(i % 3) / 3},${i % 2}`);
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 4, 'the column picker');
  await inFullBuild(page);
  assertClean(s);
});

test('a link with weights in it starts in the full build with those weights', async (t) => {
  const first = await openApp(plain, t, `/index.html${HASH}`);
  const trained = await trainThenPause(first.page, 100);
  const hash = await first.page.evaluate(() => globalThis.playground.shareHash(true));
  await inFullBuild(first.page);

  const s = await openApp(plain, t, `/index.html#${hash}`);
  await inFullBuild(s.page);
  const loaded = await call(s.page, 'status');
  assert.ok(Math.abs(loaded.trainLoss - trained.trainLoss) <= 1e-3 * Math.max(1, trained.trainLoss), `the link's weights: ${trained.trainLoss} → ${loaded.trainLoss}`);
  assertClean(first);
  assertClean(s);
});
