// End-to-end tests of the validation split: an uploaded table starts with one and with early
// stopping on it, the chart draws its loss, the stop names the best epoch whose weights came
// back, the link carries the share, and the chart says when the held-out loss keeps rising.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, rng, startServer, waitFor } from './harness.mjs';

const configOf = (page) => page.evaluate(() => globalThis.playground.config);

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

/** 240 rows of 10 inputs where y depends on 3 of them, with noise as large as the signal. */
function noisyCsv(rows, seed) {
  const { normal } = rng(seed);
  const lines = [[...Array.from({ length: 10 }, (_, j) => `x${j}`), 'y'].join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 10 }, normal);
    const y = 3 * x[0] - 2 * x[1] * x[2] + 4 * normal();
    lines.push([...x, y].map((v) => v.toFixed(4)).join(','));
  }
  return lines.join('\n');
}

async function uploadTable(page) {
  await page.click(`${APP} .upload summary`);
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name: 'noisy.csv', mimeType: 'text/csv', buffer: Buffer.from(noisyCsv(240, 5)) });
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await appState(page)).table === 'true', 'the table to load');
}

test('an uploaded table stops on its validation loss and puts the best epoch back', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=circle&seed=3&speed=max&networkShape=32,32');
  const { page } = s;
  await uploadTable(page);
  const cfg = await configOf(page);
  assert.equal(cfg.validation_ratio, 20);
  assert.equal(cfg.early_stopping.monitor, 'val_loss');
  assert.equal(await page.inputValue(`${APP} input[data-control=validation]`), '20');
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await appState(page)).running === 'false' && Number((await appState(page)).epoch) > 0, 'early stopping', 60_000);
  const notice = await page.textContent(`${APP} .notice, ${APP} [data-key=notice]`).catch(() => '');
  const text = (await page.textContent(APP)) + notice;
  const m = /the validation loss did not improve for 30 epochs; the weights of its best epoch, (\d+), are back/.exec(text);
  assert.ok(m, 'the stop names the validation loss and the best epoch');
  const epoch = Number((await appState(page)).epoch);
  assert.equal(epoch, Number(m[1]) + 30);
  // The chart marks that epoch as the best and shows the validation line's legend.
  assert.equal(await page.getAttribute(`${APP} canvas.chart`, 'data-best'), m[1]);
  assert.equal(await page.isVisible(`${APP} .chart-legend .swatch.validation`), true);
  assert.equal(await page.isVisible(`${APP} .losses output.validation`), true);
  // A regression table's losses are on the standardised target: the page says so.
  assert.match(await page.textContent(`${APP} [data-key=lossUnits]`), /standardised target/);
  assert.equal(await page.isVisible(`${APP} [data-key=lossUnits]`), true);
  assertClean(s);
});

test('the validation share is in the link, and a rising held-out loss is named in the chart', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=xor&noise=50&samples=80&percValData=25&speed=max&networkShape=16,16&seed=2');
  const { page } = s;
  assert.equal((await configOf(page)).validation_ratio, 25);
  assert.equal(await page.inputValue(`${APP} input[data-control=validation]`), '25');
  await page.click(`${APP} button.play`);
  await waitFor(async () => page.isVisible(`${APP} [data-key=overfitNote]`), 'the overfitting note', 60_000);
  assert.match(await page.textContent(`${APP} [data-key=overfitNote]`), /The validation loss has risen for [\d,]+ epochs since its best, at epoch [\d,]+/);
  await page.click(`${APP} button.play`);
  // Editing the share rebuilds the split; the link follows.
  await page.locator(`${APP} input[data-control=validation]`).fill('10');
  await page.locator(`${APP} input[data-control=validation]`).dispatchEvent('change');
  await waitFor(async () => (await configOf(page)).validation_ratio === 10, 'the new share');
  await waitFor(async () => /percValData=10/.test(await page.evaluate(() => location.hash)), 'the link');
  assertClean(s);
});
