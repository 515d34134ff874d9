// Page soak: the playground trains for about a minute while the main thread's JS heap is
// sampled after forced garbage collections. Its growth after a warm-up must stay under
// HEAP_BOUND: a leak of frames, grids or history would exceed it. The worker's wasm memory
// is covered by `bench/soak.mjs` (10⁶ steps).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPage, startServer, waitFor } from './harness.mjs';

const APP = '#app .nnp';
const WARM_MS = 10_000;
const RUN_MS = Number(process.env.NNP_SOAK_MS || 50_000);
const SAMPLES = 5;
/** Stated bound on JS-heap growth over the run (bytes, after GC). */
const HEAP_BOUND = 4 * 1024 * 1024;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

test(`a minute of training grows the page's JS heap by less than ${HEAP_BOUND / 1048576} MiB`, { timeout: WARM_MS + RUN_MS + 120_000 }, async (t) => {
  const s = await openPage(server, '/index.html#dataset=spiral&networkShape=8,8&seed=4&speed=max', {
    args: ['--enable-precise-memory-info', '--js-flags=--expose-gc'],
    timeout: 90_000,
  });
  t.after(() => s.close());
  const { page } = s;
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  const heap = () =>
    page.evaluate(() => {
      globalThis.gc();
      globalThis.gc();
      return performance.memory.usedJSHeapSize;
    });
  await page.click(`${APP} button.play`);
  await page.waitForTimeout(WARM_MS);
  const samples = [{ s: 0, epoch: Number(await page.getAttribute(APP, 'data-epoch')), bytes: await heap() }];
  for (let i = 1; i <= SAMPLES; i++) {
    await page.waitForTimeout(RUN_MS / SAMPLES);
    samples.push({ s: (i * RUN_MS) / SAMPLES / 1000, epoch: Number(await page.getAttribute(APP, 'data-epoch')), bytes: await heap() });
  }
  const frames = await page.evaluate(() => globalThis.playground.framesDrawn);
  await page.click(`${APP} button.play`);
  const growth = samples[samples.length - 1].bytes - samples[0].bytes;
  console.log(`page soak: ${frames} frames drawn; JS heap after GC (MiB) at ${samples.map((x) => `${x.s}s/epoch ${x.epoch}: ${(x.bytes / 1048576).toFixed(2)}`).join(', ')}; growth ${(growth / 1048576).toFixed(2)} MiB (bound ${HEAP_BOUND / 1048576})`);
  await waitFor(async () => (await page.getAttribute(APP, 'data-running')) === 'false', 'the pause');
  assert.ok(samples[samples.length - 1].epoch > samples[0].epoch, 'it trained');
  assert.ok(growth < HEAP_BOUND, `JS heap grew ${growth} bytes`);
  assert.deepEqual(s.pageErrors, []);
});
