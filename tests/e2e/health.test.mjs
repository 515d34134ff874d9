// End-to-end test of the training-health panel: a deep sigmoid net's gradients vanish
// towards the first layer, and the same net with batch norm keeps them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, assertClean, openApp, startServer, waitFor } from './harness.mjs';

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
