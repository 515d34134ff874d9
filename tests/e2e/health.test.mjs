// End-to-end tests of the panels inside the network: the training-health panel (a deep
// sigmoid net's gradients vanish towards the first layer, batch norm keeps them) and one
// step explained (ΔW = xᵀδ per layer; an example picked on the map).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

/** Mean |∇w| of the last layer over that of the first, as the open panel shows them. */
async function gradientRatio(t, batchNorm) {
  const layers = 8;
  const flags = Array(layers).fill(batchNorm ? 1 : 0).join(',');
  const s = await openApp(server, t, `/index.html#dataset=circle&seed=1&activation=sigmoid&init=glorot_uniform&networkShape=${Array(layers).fill(8).join(',')}&batchNorm=${flags}`);
  const { page } = s;
  await page.click(`${APP} .health summary`);
  await waitFor(async () => (await page.locator(`${APP} .health-table tr[data-layer]`).count()) === layers + 1, 'the health table');
  const grads = await page.locator(`${APP} .health-table td[data-grad]`).evaluateAll((tds) => tds.map((td) => Number(td.dataset.grad)));
  assertClean(s);
  return grads[grads.length - 1] / grads[0];
}

test('the health panel shows a deep sigmoid net vanish, and batch norm keep its gradients', async (t) => {
  const plain = await gradientRatio(t, false);
  const normed = await gradientRatio(t, true);
  assert.ok(plain > 10, `last/first gradient without batch norm: ${plain}`);
  assert.ok(plain > 5 * normed, `without ${plain}, with batch norm ${normed}`);
});

test('one step, explained: every layer with ΔW = xᵀδ, and an example picked on the map', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=xor&seed=3&networkShape=3,2');
  const { page } = s;
  await page.click(`${APP} .explain summary`);
  await waitFor(async () => (await page.locator(`${APP} .explain-layer`).count()) === 3, 'three layers');
  for (let k = 0; k < 3; k++) {
    const layer = page.locator(`${APP} .explain-layer[data-layer="${k}"]`);
    const delta = (await layer.locator('[data-delta]').getAttribute('data-delta')).split(',').map(Number);
    const dw = (await layer.locator('[data-dw]').getAttribute('data-dw')).split(';').map((col) => col.split(',').map(Number));
    assert.equal(dw.length, delta.length, `layer ${k}: one ΔW column per unit`);
    // Every column of ΔW is x scaled by that unit's δ: columns are proportional.
    if (delta[0] !== 0 && delta.length > 1 && delta[1] !== 0) {
      const ratio = delta[1] / delta[0];
      dw[0].forEach((v, i) => assert.ok(Math.abs(dw[1][i] - ratio * v) <= 1e-5 * Math.max(1, Math.abs(v)), `layer ${k} ΔW column 2 = (δ₂/δ₁)·column 1`));
    }
  }
  const first = await page.textContent(`${APP} .explain-row`);
  await page.check(`${APP} .explain input[aria-label="Pick the example with a click on the map"]`);
  const n0 = (await appState(page)).points;
  const plot = page.locator(`${APP} canvas.points`);
  const box = await plot.boundingBox();
  await plot.click({ position: { x: box.width * 0.9, y: box.height * 0.9 } });
  await waitFor(async () => (await page.textContent(`${APP} .explain-row`)) !== first, 'another example');
  assert.equal((await appState(page)).points, n0, 'picking adds no point');
  assertClean(s);
});

test('hovering a link shows its weight and gradient; hovering a neuron its output range', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=circle&seed=2');
  const { page } = s;
  // A straight link has no height, which Playwright counts as invisible: the event is sent.
  const link = page.locator(`${APP} path.link`).first();
  await link.dispatchEvent('mouseenter');
  await waitFor(async () => /∂L\/∂w = /.test((await link.locator('title').textContent().catch(() => '')) || ''), 'the link tooltip');
  // The first hidden neuron: after the nine feature boxes.
  const node = page.locator(`${APP} .net-host div.node`).first();
  await node.hover();
  await waitFor(async () => /output on the data: .* … /.test(await page.textContent(`${APP} .hover-info`)), 'the range readout');
  assertClean(s);
});

test('on a 390 px touch screen: taps add points of either class and delete them; the output neuron is reachable', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=xor&seed=5', { viewport: { width: 390, height: 844 }, touch: true });
  const { page } = s;
  const plot = page.locator(`${APP} canvas.points`);
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  const n0 = Number((await appState(page)).points);
  const where = { x: box.width * 0.08, y: box.height * 0.08 };
  await plot.tap({ position: where });
  await waitFor(async () => Number((await appState(page)).points) === n0 + 1, 'a tapped point');
  await page.selectOption(`${APP} select[data-control=addClass]`, '0');
  await plot.tap({ position: { x: where.x + 12, y: where.y } });
  await waitFor(async () => Number((await appState(page)).points) === n0 + 2, 'a tapped point of the other class');
  await page.selectOption(`${APP} select[data-control=addClass]`, 'delete');
  await plot.tap({ position: where });
  await waitFor(async () => Number((await appState(page)).points) < n0 + 2, 'a tapped deletion');
  // The output neuron: inside the network's own scrolling box.
  const output = page.locator(`${APP} .net-host div.node`).last();
  await output.scrollIntoViewIfNeeded();
  assert.ok(await output.isVisible(), 'the output neuron is visible after scrolling its box');
  const hostBox = await page.locator(`${APP} .net-host`).boundingBox();
  const outBox = await output.boundingBox();
  assert.ok(outBox.x >= hostBox.x - 1 && outBox.x + outBox.width <= hostBox.x + hostBox.width + 1, 'the output sits inside the network box');
  const doc = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(doc <= 392, `the page itself does not scroll sideways (${doc} px)`);
  assertClean(s);
});
