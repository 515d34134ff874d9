// End-to-end tests of the views at the engine's sizes: the network view of the largest
// network a link may ask for (16 × 256) and of many inputs, the confusion matrix of 200
// classes, and the class controls for multi-class data. Bounds: docs/limits.md.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

// Generous: the test machine may be shared and slow. The old view blocked for ~60 s here.
const FRAME_BOUND_MS = 250;
const SVG_CAP = 2000;
const NODE_CAP = 1500;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const open = (t, path = '/index.html') => openApp(server, t, path);
const state = appState;
const clean = assertClean;

/** Gaps between animation frames over `ms`, measured in the page. */
function frameGaps(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const end = last + ms;
    const tick = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(tick);
      else resolve(gaps);
    };
    requestAnimationFrame(tick);
  }), ms);
}

/** Elements under the network view: all of them, and those inside its SVG. */
const netCounts = (page) => page.evaluate((sel) => {
  const net = document.querySelector(`${sel} .net`);
  return { all: net.querySelectorAll('*').length, svg: net.querySelectorAll('svg *').length, strips: net.querySelectorAll('.net-strip').length };
}, APP);

test('a 16 × 256 network from a link: few elements, frames within the bound while training', async (t) => {
  const shape = Array(16).fill(256).join(',');
  const started = Date.now();
  const s = await open(t, `/index.html#dataset=xor&networkShape=${shape}&speed=max`);
  const { page } = s;
  t.diagnostic(`ready after ${Date.now() - started} ms`);
  assert.equal((await state(page)).layers, shape);
  const counts = await netCounts(page);
  t.diagnostic(`elements under the network view: ${JSON.stringify(counts)}`);
  assert.ok(counts.svg <= SVG_CAP, `SVG elements: ${counts.svg}`);
  assert.ok(counts.all <= NODE_CAP, `elements: ${counts.all}`);
  assert.equal(counts.strips, 16, 'each 256-unit layer is a strip');

  // A click is handled at once: training starts.
  const t0 = Date.now();
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).running === 'true', 'training');
  const clickMs = Date.now() - t0;
  // Weights and thumbnails arrive a few times a second; measure frames across several.
  const drawn0 = await page.evaluate(() => globalThis.playground.drawMs.length);
  const gaps = await frameGaps(page, 4000);
  const draws = await page.evaluate((n) => globalThis.playground.drawMs.slice(n), drawn0);
  const worst = Math.max(...gaps);
  const worstDraw = Math.max(...draws);
  t.diagnostic(`click → running ${clickMs} ms; ${gaps.length} frames in 4 s, longest gap ${worst.toFixed(1)} ms; ${draws.length} draws, longest ${worstDraw.toFixed(1)} ms`);
  assert.ok(Number((await state(page)).epoch) > 0 || draws.length > 0, 'training ran');
  assert.ok(worst < FRAME_BOUND_MS, `longest frame gap ${worst.toFixed(1)} ms`);
  assert.ok(worstDraw < FRAME_BOUND_MS, `longest draw ${worstDraw.toFixed(1)} ms`);
  assert.ok(clickMs < 5000, `click handled after ${clickMs} ms`);

  // Hovering a strip row shows that neuron's thumbnail.
  const strip = page.locator(`${APP} .net-strip`).nth(3);
  await strip.scrollIntoViewIfNeeded();
  await strip.hover({ position: { x: 10, y: 40 } });
  await waitFor(async () => !(await page.locator(`${APP} .hover-card`).isHidden()), 'the hover card');
  assert.match(await strip.getAttribute('title'), /^layer 4 neuron \d+ · bias -?\d/);
  // From the keyboard: arrows pick a unit, Enter edits its bias, and the engine takes it
  // (paused, so the next step cannot move the bias before a frame reports it).
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).running === 'false', 'the pause');
  await page.mouse.move(0, 0);
  await strip.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.match(await strip.getAttribute('aria-label'), /layer 4 neuron 3 · bias/);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${APP} .edit-pop`);
  assert.match(await page.textContent(`${APP} .edit-pop label`), /bias of layer 4 neuron 3/);
  await page.fill(`${APP} .edit-pop input`, '0.5');
  await page.press(`${APP} .edit-pop input`, 'Enter');
  await waitFor(async () => (await page.evaluate(() => globalThis.playground.frame?.network?.layers[3].biases[2])) === 0.5, 'the edited bias', 60_000);
  clean(s);
});

test('past the SVG cap links are on a canvas and still edit their weight', async (t) => {
  // 2·32 + 2·32·32 + 32 links: over the SVG cap, with every unit still a box.
  const s = await open(t, '/index.html#dataset=xor&features=x1,x2&networkShape=32,32,32');
  const { page } = s;
  const counts = await netCounts(page);
  assert.equal(counts.svg, 0, 'no SVG links');
  assert.equal(await page.locator(`${APP} .net .node`).count(), 9 + 96 + 1);
  await waitFor(() => page.evaluate(() => !!globalThis.playground.network.linkCanvas?.network), 'the weights');
  // Just right of layer 1's first neuron: a link from it into layer 2.
  const at = await page.evaluate(() => {
    const lc = globalThis.playground.network.linkCanvas;
    lc.canvas.scrollIntoView({ block: 'start' });
    const col = lc.geo.columns[1];
    const x = col.right + 3;
    const y = col.y(0);
    const r = lc.canvas.getBoundingClientRect();
    return { x: r.left + x, y: r.top + y, hit: lc.hit(x, y) };
  });
  assert.equal(at.hit?.d, 1);
  assert.equal(at.hit?.i, 0);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector(`${APP} .edit-pop`);
  assert.match(await page.textContent(`${APP} .edit-pop label`), new RegExp(`weight 2: 1 → ${at.hit.j + 1}`));
  await page.fill(`${APP} .edit-pop input`, '2.5');
  await page.press(`${APP} .edit-pop input`, 'Enter');
  await waitFor(async () => (await page.evaluate((j) => globalThis.playground.frame?.network?.layers[1].weights[j], at.hit.j)) === 2.5, 'the edited weight');
  clean(s);
});

test('64 inputs: a scrollable list of names, drawn in a few ms', async (t) => {
  const s = await open(t, '/index.html');
  const { page } = s;
  const r = await page.evaluate(async () => {
    const { NetworkView } = await import('/www/render/network.js');
    const host = document.createElement('div');
    host.className = 'net-host';
    host.style.width = '600px';
    document.querySelector('#app .nnp .network').append(host);
    const toggled = [];
    const view = new NetworkView(host, { onToggleFeature: (k) => toggled.push(k) });
    const features = Array.from({ length: 64 }, (_, i) => ({ key: `c${i}`, label: `column ${i}`, active: i % 4 !== 3 }));
    const structure = { features, hidden: [8, 8], outputs: 1 };
    const sizes = [[48, 8], [8, 8], [8, 1]];
    const network = { layers: sizes.map(([inputs, units]) => ({ inputs, units, weights: Float32Array.from({ length: inputs * units }, (_, i) => Math.sin(i * 12.9898) * 1.5), biases: new Float32Array(units).fill(0.1) })) };
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      view.setStructure(structure);
      view.setWeights(network);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const list = host.querySelector('.net-inputs');
    list.scrollTop = 200;
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    host.querySelectorAll('.input-row')[20].click();
    return {
      median: times[3],
      rows: host.querySelectorAll('.input-row').length,
      svg: host.querySelectorAll('svg *').length,
      all: host.querySelectorAll('*').length,
      scrolls: list.scrollHeight > list.clientHeight,
      scrolled: list.scrollTop,
      toggled,
    };
  });
  t.diagnostic(`64 inputs: median ${r.median.toFixed(2)} ms for structure + weights; ${r.all} elements`);
  assert.equal(r.rows, 64, 'one named row per input');
  assert.equal(r.svg, 0);
  assert.ok(r.all < 200, `elements: ${r.all}`);
  assert.ok(r.scrolls && r.scrolled > 0, 'the list scrolls');
  assert.deepEqual(r.toggled, ['c20']);
  assert.ok(r.median < 16, `median ${r.median.toFixed(2)} ms`);
  clean(s);
});

test('the classes control offers the engine\'s range, and a link with 2 or 8 classes shows it', async (t) => {
  for (const k of ['2', '8']) {
    const s = await open(t, `/index.html#dataset=k_spiral&classes=${k}`);
    const { page } = s;
    const sel = `${APP} select[data-control=classes]`;
    const options = await page.$$eval(`${sel} option`, (os) => os.map((o) => o.value));
    assert.deepEqual(options, ['2', '3', '4', '5', '6', '7', '8']);
    assert.equal(await page.inputValue(sel), k);
    await waitFor(async () => (await page.$$(`${APP} select[data-control=addClass] option:not([value=delete])`)).length === Number(k), `${k} classes to add`);
    clean(s);
  }
});

/** Uploads a table with `k` classes (labels `label0`… or integers) through the page. */
async function upload(page, k, { integers = false, perClass = 6 } = {}) {
  const rows = ['x,y,label'];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < perClass; i++) {
      const a = (2 * Math.PI * c) / k;
      rows.push(`${(4 * Math.cos(a) + 0.1 * i).toFixed(3)},${(4 * Math.sin(a) - 0.1 * i).toFixed(3)},${integers ? c : `label${c}`}`);
    }
  }
  await page.click(`${APP} .upload summary`);
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name: 'many.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await waitFor(async () => !(await page.isDisabled(`${APP} button:has-text("Use this data")`)), 'the preview');
  await page.selectOption(`${APP} .upload select`, 'label');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).dataset === 'custom' && (await state(page)).task === 'multiclass', 'the uploaded data');
  assert.equal(await page.textContent(`${APP} .csv-error`), '');
}

test('"Class added by a click" offers every class of uploaded multi-class data', async (t) => {
  const s = await open(t, '/index.html');
  const { page } = s;
  await upload(page, 5, { integers: true });
  const sel = `${APP} select[data-control=addClass]`;
  await waitFor(async () => (await page.$$(`${sel} option:not([value=delete])`)).length === 5, 'five classes to add');
  await page.selectOption(sel, '4');
  const n0 = Number((await state(page)).points);
  const plot = page.locator(`${APP} canvas.points`);
  const box = await plot.boundingBox();
  await plot.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await waitFor(async () => Number((await state(page)).points) === n0 + 1, 'a point of class 4');
  const labels = await page.evaluate(() => Array.from(globalThis.playground.points.filter((_, i) => i % 4 === 2)));
  assert.ok(labels.includes(4), 'class 4 was added');
  assert.equal(await page.textContent(`${APP} .error`), '');
  clean(s);
});

test('200 classes: the confusion matrix is a canvas heat map with a hover readout', async (t) => {
  const s = await open(t, '/index.html');
  const { page } = s;
  await upload(page, 200, { perClass: 3 });
  await waitFor(async () => !(await page.locator(`${APP} .confusion-map`).isHidden()), 'the heat map');
  assert.equal(await page.locator(`${APP} .confusion td`).count(), 0, 'no table cells');
  assert.match(await page.textContent(`${APP} .confusion-readout`), /200 classes/);
  const map = page.locator(`${APP} .confusion-map canvas`);
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  await map.hover({ position: { x: box.width * 0.75, y: box.height * 0.25 } });
  await waitFor(async () => /^true \d+ → predicted \d+: \d+/.test(await page.textContent(`${APP} .confusion-readout`)), 'the readout of a cell');
  await waitFor(async () => (await page.$$(`${APP} select[data-control=addClass] option:not([value=delete])`)).length === 200, '200 classes to add');
  // Its cost per update, beside the 60–120 ms of the 40 000-cell table it replaces; and a
  // few classes keep the table. On a view of its own, so the page's frames cannot interfere.
  const r = await page.evaluate(async () => {
    const { ConfusionView } = await import('/www/render/confusion.js');
    const host = document.createElement('div');
    document.querySelector('#app .nnp .output').append(host);
    const view = new ConfusionView(host);
    const k = 200;
    const cm = { classes: k, counts: Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 9 : i % 7 === 0 ? 1 : 0)) };
    const times = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      view.draw(cm);
      times.push(performance.now() - t0);
    }
    view.draw({ classes: 3, counts: [5, 1, 0, 0, 4, 2, 1, 0, 6] });
    return { median: times.sort((a, b) => a - b)[4], cells: host.querySelectorAll('td').length, mapHidden: host.querySelector('.confusion-map').hidden };
  });
  t.diagnostic(`200-class confusion matrix: median ${r.median.toFixed(2)} ms per update`);
  assert.ok(r.median < 16, `median ${r.median.toFixed(2)} ms`);
  assert.equal(r.cells, 9, 'three classes: a table');
  assert.equal(r.mapHidden, true);
  clean(s);
});
