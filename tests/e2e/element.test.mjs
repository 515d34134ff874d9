// The <nn-playground> custom element: two on one page (www/embed.html), each with its own
// worker, training independently, under the page's strict CSP.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isSameOrigin, openPage, screenshot, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

test('two custom elements on one page train independently', async (t) => {
  const s = await openPage(server, '/www/embed.html', { viewport: { width: 1280, height: 1000 } });
  t.after(() => s.close());
  const { page } = s;
  const A = '#demo-spiral .nnp';
  const B = '#demo-circle .nnp';
  // Playwright's CSS engine reaches into open shadow roots.
  await page.waitForSelector(`${A}[data-ready=true][data-epoch]`);
  await page.waitForSelector(`${B}[data-ready=true][data-epoch]`);
  const epoch = async (sel) => Number(await page.locator(sel).getAttribute('data-epoch'));

  assert.equal(await page.locator(A).getAttribute('data-dataset'), 'spiral');
  assert.equal(await page.locator(A).getAttribute('data-layers'), '8,8');
  assert.equal(await page.locator(B).getAttribute('data-dataset'), 'circle');
  assert.equal(await page.locator(B).getAttribute('data-layers'), '');
  // Attributes hide controls inside each element only.
  assert.equal(await page.locator(`${A} [data-key=noise]`).isVisible(), false);
  assert.equal(await page.locator(`${B} [data-key=noise]`).isVisible(), true);

  await page.click(`${A} button.play`);
  await waitFor(async () => (await epoch(A)) > 20, 'the first element to train');
  assert.equal(await epoch(B), 0, 'the second element is untouched');

  await page.click(`${B} button.play`);
  await waitFor(async () => (await epoch(B)) > 20, 'the second element to train');
  await page.click(`${A} button.play`);
  await waitFor(async () => (await page.locator(A).getAttribute('data-running')) === 'false', 'the first to pause');
  // A frame already on its way may still land; the count then holds still.
  let paused = -1;
  await waitFor(async () => {
    const e = await epoch(A);
    await new Promise((r) => setTimeout(r, 250));
    paused = await epoch(A);
    return e === paused;
  }, 'the first element to settle', 10_000);
  const b0 = await epoch(B);
  await waitFor(async () => (await epoch(B)) > b0 + 20, 'the second to keep training');
  await page.waitForTimeout(300);
  assert.equal(await epoch(A), paused, 'the paused element stays paused');
  await page.click(`${B} button.play`);

  // Two separate workers, each with the engine.
  const workers = page.workers().map((w) => w.url());
  assert.equal(workers.filter((u) => u.endsWith('/www/worker.js')).length, 2, workers.join(', '));
  await screenshot(page, 'embed');
  assert.deepEqual(s.pageErrors, [], 'page errors');
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
  assert.deepEqual(s.consoleErrors, [], 'console errors');
  assert.deepEqual(s.requests.filter((u) => !isSameOrigin(server, u)), [], 'requests that left the origin');
});
