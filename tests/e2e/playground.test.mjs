// End-to-end tests of the playground page in headless Chromium: training, the network
// view, the URL hash, CSV upload, clicking points, model export/import, accessibility
// basics and main-thread responsiveness (long tasks) while training.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { APP, appState, assertClean, openApp, openPage, repoRoot, screenshot, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

/** Opens the page and waits until the worker has built its session and drawn a frame. */
const open = (t, path = '/index.html') => openApp(server, t, path);

const state = appState;

const clean = assertClean;

test('play on circle: test loss < 0.05 within 1000 epochs; the main thread keeps drawing', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=1&speed=max');
  const { page } = s;
  await page.evaluate(() => {
    globalThis.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  const frames0 = await page.evaluate(() => globalThis.playground.framesDrawn);
  await page.click(`${APP} button.play`);
  const started = Date.now();
  const seen = await waitFor(async () => {
    const d = await state(page);
    return Number(d.testLoss) < 0.05 && Number(d.epoch);
  }, 'test loss below 0.05', 60_000);
  // The page polls every few hundred ms while the worker trains thousands of epochs a
  // second: the loss history (one entry per epoch below 4096 epochs) says when it crossed.
  const epoch = await page.evaluate(() => globalThis.playground.history.test.findIndex((v) => v < 0.05) + 1);
  assert.ok(epoch > 0 && seen < 4096, `the crossing is in the history (seen at epoch ${seen})`);
  // Keep training so the long-task observer sees a few seconds of steady work.
  await page.waitForTimeout(Math.max(0, 3000 - (Date.now() - started)));
  const d = await state(page);
  const longTasks = await page.evaluate(() => globalThis.longTasks);
  const frames = (await page.evaluate(() => globalThis.playground.framesDrawn)) - frames0;
  const seconds = (Date.now() - started) / 1000;
  const speed = await page.textContent(`${APP} .speed`);
  await page.click(`${APP} button.play`);
  console.log(`circle: test loss < 0.05 first at epoch ${epoch} (seen at ${seen}); after ${d.epoch} epochs: ${speed}`);
  const longest = longTasks.length ? Math.max(...longTasks) : 0;
  const longShare = longTasks.reduce((a, b) => a + b, 0) / (seconds * 1000);
  const drawMs = (await page.evaluate(() => globalThis.playground.drawMs.slice(-frames))).sort((a, b) => a - b);
  const median = drawMs[drawMs.length >> 1];
  console.log(`main thread while training: ${frames} frames in ${seconds.toFixed(1)} s, drawing took ${median.toFixed(1)} ms per frame (median), ${longTasks.length} long task(s) over 50 ms${longTasks.length ? ` (longest ${longest.toFixed(0)} ms)` : ''}`);
  assert.ok(epoch <= 1000, `needed ${epoch} epochs`);
  // The long-task figure is printed above and reported, not asserted tightly: on a loaded
  // shared machine the scheduler stretches tasks past 50 ms whatever the page does. These
  // bounds only catch a main thread that trains or blocks (then it draws nothing for seconds).
  assert.ok(median < 50, `median draw ${median} ms`);
  assert.ok(longest < 2000, `longest task ${longest} ms`);
  assert.ok(longShare < 0.8, `long tasks took ${(longShare * 100).toFixed(0)} % of the time`);
  assert.ok(frames / seconds >= 3, `only ${frames} frames in ${seconds} s`);
  assert.match(speed, /[1-9][\d,]* steps\/s · [1-9][\d,]* samples\/s · cpu \(SIMD128, (threads build, )?\d+ threads?\)/);
  const accuracy = await page.textContent(`${APP} [data-metric=accuracy]`);
  assert.ok(parseFloat(accuracy) >= 97, `accuracy ${accuracy}`);
  await screenshot(page, 'playground');
  clean(s);
});

test('the controls offer exactly the engine\'s choices, in its order', async (t) => {
  const wasm = await import(pathToFileURL(join(repoRoot, 'pkg', 'nn_playground.js')).href);
  wasm.initSync({ module: readFileSync(join(repoRoot, 'pkg', 'nn_playground_bg.wasm')) });
  const ch = wasm.choices();
  const ids = (list) => list.map((c) => String(typeof c === 'object' ? c.id : c));
  const s = await open(t, '/index.html#dataset=k_spiral');
  const { page } = s;
  const options = (control) => page.$$eval(`${APP} select[data-control=${control}] option`, (os) => os.map((o) => o.value));
  assert.deepEqual(await options('activation'), ids(ch.activations));
  assert.deepEqual(await options('optimizer'), ids(ch.optimizers));
  assert.deepEqual(await options('schedule'), ids(ch.schedules));
  assert.deepEqual(await options('backend'), ids(ch.backends));
  assert.deepEqual(await options('init'), ids(ch.inits));
  assert.deepEqual(await options('monitor'), ids(ch.monitors));
  assert.deepEqual(await options('classes'), ids(ch.classes));
  assert.deepEqual((await options('learningRate')).map(Number), ch.learning_rates);
  assert.deepEqual((await page.$$eval(`${APP} select[data-control=regularization] option`, (os) => os.map((o) => o.value))).slice(0, ch.regularizations.length), ids(ch.regularizations));
  const datasets = await page.$$eval(`${APP} button.dataset`, (bs) => bs.map((b) => b.dataset.dataset));
  assert.deepEqual(datasets, ids(ch.datasets.filter((d) => d.task === 'classification')).concat(ids(ch.datasets.filter((d) => d.task === 'regression'))));
  const features = await page.$$eval(`${APP} [data-feature]`, (fs) => fs.map((f) => f.dataset.feature));
  assert.deepEqual(features, ids(ch.features));
  const batch = await page.$eval(`${APP} input[data-control=batchSize]`, (r) => [r.min, r.max, r.step].map(Number));
  const b = ch.controls.batch_size;
  assert.deepEqual(batch, [b.min, b.max, b.step]);
  // The "+" button stops at the engine's cap for buttons.
  for (let i = 0; i < ch.controls.hidden_layers + 2; i++) await page.click(`${APP} button[aria-label="Add a hidden layer"]`);
  await waitFor(async () => (await state(page)).layers.split(',').length === ch.controls.hidden_layers, 'layers at the cap');
  await clean(s);
});

test('switching dataset and layers changes the network drawn', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&networkShape=4,2&features=x1,x2');
  const { page } = s;
  const count = async () => ({
    nodes: await page.locator(`${APP} .net .node`).count(),
    links: await page.locator(`${APP} path.link`).count(),
  });
  // 9 candidate features + 4 + 2 hidden + 1 output; links 2·4 + 4·2 + 2·1.
  assert.deepEqual(await count(), { nodes: 16, links: 18 });

  await page.click(`${APP} button[data-dataset=spiral]`);
  await waitFor(async () => (await state(page)).dataset === 'spiral', 'the spiral dataset');
  assert.equal(await page.getAttribute(`${APP} button[data-dataset=spiral]`, 'aria-pressed'), 'true');

  await page.click(`${APP} button[aria-label="Add a hidden layer"]`);
  await waitFor(async () => (await state(page)).layers === '4,2,2', 'a third hidden layer');
  assert.deepEqual(await count(), { nodes: 18, links: 22 });

  await page.click(`${APP} button[aria-label="add a neuron to layer 1"]`);
  await waitFor(async () => (await state(page)).layers === '5,2,2', 'a fifth neuron in layer 1');
  await page.click(`${APP} button[data-feature=x1_x2]`);
  await waitFor(async () => (await count()).links === 3 * 5 + 5 * 2 + 2 * 2 + 2, 'links from the X1X2 feature');
  assert.equal(await page.getAttribute(`${APP} button[data-feature=x1_x2]`, 'aria-pressed'), 'true');

  // Clicking a link opens an editor for that weight; the engine takes the new value.
  await page.locator(`${APP} path.link`).first().click({ force: true });
  await page.fill(`${APP} .edit-pop input`, '2.5');
  await page.press(`${APP} .edit-pop input`, 'Enter');
  await waitFor(async () => (await page.evaluate(() => globalThis.playground.frame?.network?.layers[0].weights[0])) === 2.5, 'the edited weight');

  await page.click(`${APP} button[data-dataset=k_spiral]`);
  await waitFor(async () => (await state(page)).task === 'multiclass', 'the K-class spiral');
  await waitFor(async () => (await count()).nodes === 9 + 9 + 3, 'three output neurons');
  clean(s);
});

test('the URL hash reproduces the setup after a reload, and hides controls', async (t) => {
  const s = await open(t);
  const { page } = s;
  await page.click(`${APP} button[data-dataset=xor]`);
  await page.selectOption(`${APP} select[data-control=learningRate]`, '0.1');
  await page.click(`${APP} button[aria-label="Add a hidden layer"]`);
  await page.click(`${APP} button[data-feature=x1_x2]`);
  await waitFor(async () => {
    const h = await page.evaluate(() => location.hash);
    return h.includes('dataset=xor') && h.includes('learningRate=0.1') && h.includes('networkShape=4,2,2') && h.includes('x1x2');
  }, 'the hash to follow the settings');
  const hash = await page.evaluate(() => location.hash);
  const data = await page.evaluate(() => globalThis.playground.call('dataCsv'));

  await page.reload();
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  const d = await state(page);
  assert.equal(d.dataset, 'xor');
  assert.equal(d.layers, '4,2,2');
  assert.equal(await page.inputValue(`${APP} select[data-control=learningRate]`), '0.1');
  assert.equal(await page.getAttribute(`${APP} button[data-feature=x1_x2]`, 'aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => location.hash), hash);
  assert.equal(await page.evaluate(() => globalThis.playground.call('dataCsv')), data, 'same seed, same points');

  // A share link with weights reproduces the trained model's predictions in a new page.
  for (let i = 0; i < 3; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '3', 'three epochs');
  const probe = (p) => p.evaluate(async () => Array.from(await globalThis.playground.call('predict', new Float32Array([0.5, 0.5, -3, 2]))));
  const shared = await page.evaluate(() => globalThis.playground.shareHash(true));
  assert.match(shared, /&weights=[\w-]+$/);
  const copy = await open(t, `/index.html#${shared}`);
  assert.deepEqual(await probe(copy.page), await probe(page));
  clean(copy);

  const hidden = await open(t, '/index.html#dataset=circle&hide=noise,regularization');
  assert.equal(await hidden.page.isVisible(`${APP} [data-key=noise]`), false);
  assert.equal(await hidden.page.isVisible(`${APP} [data-key=regularization]`), false);
  assert.equal(await hidden.page.isVisible(`${APP} [data-key=learningRate]`), true);
  clean(s);
  clean(hidden);
});

test('a malformed CSV shows an error with its line and leaves the data; a good one loads', async (t) => {
  const s = await open(t);
  const { page } = s;
  const before = await state(page);
  await page.click(`${APP} .upload summary`);
  const file = `${APP} .upload input[type=file]`;
  await page.setInputFiles(file, { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n1,2,0\n3,oops,1\n') });
  // The engine's reader refuses it already in the preview.
  await waitFor(async () => (await page.textContent(`${APP} .csv-error`)).length > 0, 'the CSV error');
  const error = await page.textContent(`${APP} .csv-error`);
  assert.match(error, /line 3/);
  const after = await state(page);
  assert.equal(after.points, before.points);
  assert.equal(after.dataset, 'circle');

  const rows = ['a,b,class'];
  for (let i = 0; i < 30; i++) rows.push(`${i / 3 - 5},${(i % 7) - 3},${i % 2 ? 'yes' : 'no'}`);
  await page.setInputFiles(file, { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await waitFor(async () => (await page.locator(`${APP} .preview tr`).count()) > 1, 'the preview');
  assert.equal(await page.inputValue(`${APP} .upload select`), 'class');
  await page.click(`${APP} button:has-text("Use this data")`);
  // The config comes with the call's reply, the points with the next frame.
  await waitFor(async () => (await state(page)).dataset === 'custom' && (await state(page)).points === '30', 'the uploaded data');
  assert.equal((await state(page)).points, '30');
  assert.equal(await page.textContent(`${APP} .csv-error`), '');
  clean(s);
});

test('clicking the output adds points; shift picks the other class; alt-click deletes', async (t) => {
  const s = await open(t);
  const { page } = s;
  const n0 = Number((await state(page)).points);
  const plot = page.locator(`${APP} canvas.points`);
  const box = await plot.boundingBox();
  // Top-left corner region: (−5, 5) in data coordinates.
  const at = { x: box.width / 12, y: box.height / 12 };
  await plot.click({ position: at });
  await waitFor(async () => Number((await state(page)).points) === n0 + 1, 'a new point');
  await plot.click({ position: { x: at.x + 20, y: at.y }, modifiers: ['Shift'] });
  await waitFor(async () => Number((await state(page)).points) === n0 + 2, 'a second new point');
  const csv = await page.evaluate(() => globalThis.playground.call('dataCsv'));
  const last = csv.trim().split('\n').slice(-2).map((l) => l.split(',').map(Number));
  assert.ok(Math.abs(last[0][0] + 5) < 0.2 && Math.abs(last[0][1] - 5) < 0.2, `first point at ${last[0]}`);
  assert.deepEqual([last[0][2], last[1][2]], [1, 0]);
  assert.equal((await state(page)).dataset, 'custom');
  await plot.click({ position: at, modifiers: ['Alt'] });
  await waitFor(async () => Number((await state(page)).points) === n0 + 1, 'the point to go');
  clean(s);
});

test('export then import gives identical predictions', async (t) => {
  const s = await open(t);
  const { page } = s;
  for (let i = 0; i < 5; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '5', 'five epochs');
  const probe = () => page.evaluate(async () => Array.from(await globalThis.playground.call('predict', new Float32Array([0, 0, 1.5, -2, -4, 3, 5.5, 5.5]))));
  const trained = await probe();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${APP} button:has-text("Export model")`)]);
  const json = readFileSync(await download.path(), 'utf8');
  assert.match(json, /"layers"/);

  await page.click(`${APP} button[aria-label="Reset the network"]`);
  await waitFor(async () => (await state(page)).epoch === '0', 'the reset');
  assert.notDeepEqual(await probe(), trained);

  await page.setInputFiles(`${APP} .model-io input[type=file]`, { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(json) });
  await waitFor(async () => (await page.textContent(`${APP} .status`)).includes('imported'), 'the import');
  assert.deepEqual(await probe(), trained);
  clean(s);
});

test('Export ONNX downloads model.onnx', async (t) => {
  const s = await open(t);
  const { page } = s;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${APP} button:has-text("Export ONNX")`)]);
  assert.equal(download.suggestedFilename(), 'model.onnx');
  const bytes = readFileSync(await download.path());
  // ModelProto field 1, ir_version 8; then the graph with the playground's features.
  assert.deepEqual([...bytes.subarray(0, 2)], [0x08, 0x08]);
  assert.ok(bytes.includes('Gemm') && bytes.includes('input_columns'), 'a dense layer and the column names');
  clean(s);
});

test('every control is labelled and reachable from the keyboard', async (t) => {
  const s = await open(t);
  const { page } = s;
  const unlabelled = await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    return [...root.querySelectorAll('button, select, input')]
      .filter((e) => !e.closest('[hidden]'))
      .filter((e) => {
        const byFor = e.id && root.querySelector(`label[for="${e.id}"]`);
        return !(e.getAttribute('aria-label') || e.closest('label') || byFor || e.textContent.trim());
      })
      .map((e) => e.outerHTML.slice(0, 80));
  }, APP);
  assert.deepEqual(unlabelled, []);
  await page.focus(`${APP} button.play`);
  await page.keyboard.press('Enter');
  await waitFor(async () => Number((await state(page)).epoch) > 0, 'training started from the keyboard');
  await page.keyboard.press('Enter');
  clean(s);
});

test('fits a laptop-width window, follows the dark theme, and shows each task its own legend', async (t) => {
  const s = await openPage(server, '/index.html#dataset=k_spiral&classes=4&networkShape=8,8', { viewport: { width: 1024, height: 768 } });
  t.after(() => s.close());
  const { page } = s;
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  const overflow = await page.evaluate((sel) => {
    const host = document.querySelector(`${sel} .net-host`);
    return { net: host.scrollWidth - host.clientWidth, page: document.documentElement.scrollWidth - innerWidth };
  }, APP);
  assert.deepEqual(overflow, { net: 0, page: 0 }, 'nothing scrolls sideways at 1024 px');
  assert.equal(await page.locator(`${APP} .legend.classes .class-key`).count(), 4);
  assert.equal(await page.isVisible(`${APP} .bar-scale`), false);

  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background expected, got ${bg}`);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = (await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).match(/\d+/g).map(Number);
  assert.ok(light[0] + light[1] + light[2] > 600, `light background expected, got ${light}`);

  await page.click(`${APP} button[data-dataset=plane]`);
  await waitFor(async () => (await state(page)).task === 'regression', 'the regression set');
  assert.equal(await page.isVisible(`${APP} .bar-scale`), true);
  // Regression clicks add +1 or −1 (or delete): the control offers those, for touch too.
  await waitFor(async () => (await page.$$eval(`${APP} select[data-control=addClass] option`, (o) => o.map((e) => e.value))).join() === '1,-1,delete', 'the regression click choices');
  // Shift-click adds the other of the engine's two labels (choices().click_labels).
  const plot = page.locator(`${APP} canvas.points`);
  const box = await plot.boundingBox();
  await plot.click({ position: { x: box.width / 12, y: box.height / 12 }, modifiers: ['Shift'] });
  await waitFor(async () => (await state(page)).dataset === 'custom', 'the clicked point');
  const csv = await page.evaluate(() => globalThis.playground.call('dataCsv'));
  assert.equal(Number(csv.trim().split('\n').at(-1).split(',')[2]), -1);
  await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await page.locator(`${APP} [data-metric=r2]`).count()) === 1, 'R² in the metrics');
  // The metrics rows are the engine's, in its order (choices().metrics).
  const rows = await page.$$eval(`${APP} .metric-list dd`, (d) => d.map((e) => e.dataset.metric));
  const engineRows = await page.evaluate(() => globalThis.playground.choices.metrics.filter((m) => m.task === 'regression').map((m) => m.id));
  assert.deepEqual(rows, engineRows);
  assert.deepEqual(await page.$$eval(`${APP} .metric-list dt`, (d) => d.map((e) => e.textContent)), ['R²', 'MAE', 'MSE']);
  clean(s);
});

test('early stopping watches the chosen monitor, from the controls and from a link', async (t) => {
  const s = await open(t, '/index.html#dataset=gauss&earlyStopping=val_accuracy:3:0.05');
  const { page } = s;
  assert.equal(await page.isChecked(`${APP} input[data-control=stopping]`), true);
  assert.equal(await page.inputValue(`${APP} select[data-control=monitor]`), 'val_accuracy');
  await page.click(`${APP} button.play`);
  // Nothing raises test accuracy by 5 points three epochs running on the easy Gaussian set.
  await waitFor(async () => /the test accuracy did not improve for 3 epochs/.test(await page.textContent(`${APP} .status`)), 'the stop', 60_000);
  assert.equal((await state(page)).running, 'false');
  // Another monitor from the control: it is in the link, and training may go on.
  await page.selectOption(`${APP} select[data-control=monitor]`, 'loss');
  await waitFor(async () => /earlyStopping=loss:3/.test(await page.evaluate(() => location.hash)), 'the link');
  clean(s);
});
