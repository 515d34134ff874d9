// End-to-end tests of watching a run learn: the pace (the default trains about one epoch
// per frame, max far faster), the loss chart's axes, scale and hover readout, and the replay
// scrubber showing an earlier map than the final one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, openPage, screenshot, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const open = (t, path) => openApp(server, t, path);

const state = appState;

const clean = assertClean;

/** Plays for `ms` and returns the epochs trained and the speed line. */
async function trainFor(page, ms) {
  await page.click(`${APP} button.play`);
  const started = Date.now();
  await page.waitForTimeout(ms);
  const d = await state(page);
  const seconds = (Date.now() - started) / 1000;
  const speed = await page.textContent(`${APP} .speed`);
  await page.click(`${APP} button.play`);
  return { epoch: Number(d.epoch), seconds, speed, d };
}

test('the default pace trains about 60 epochs a second; max trains far more', async (t) => {
  const s = await open(t, '/index.html#dataset=spiral&seed=1');
  const { page } = s;
  // The speed control offers the engine's paces and shows the default.
  const options = await page.$$eval(`${APP} select[data-control=pace] option`, (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['1', '5', '20', '60', '250', '1000', 'max']);
  assert.equal(await page.inputValue(`${APP} select[data-control=pace]`), '60');
  const paced = await trainFor(page, 3000);
  console.log(`default pace: ${paced.epoch} epochs in ${paced.seconds.toFixed(1)} s; ${paced.speed}`);
  // 60 per second over 3 s (+ the time the clicks take), never a burst past the pace.
  assert.ok(paced.epoch >= 60, `only ${paced.epoch} epochs`);
  assert.ok(paced.epoch <= 60 * paced.seconds + 20, `${paced.epoch} epochs in ${paced.seconds} s`);
  assert.match(paced.speed, /epochs\/s \(pace 60\/s, max ≈ [\d,.]+\/s\) · [\d,]+ steps\/s/);
  const max = Number(paced.d.maxEpochsPerSec);
  assert.ok(max > 600, `max would reach ${max} epochs/s`);

  // A slower pace is slower, and the link keeps it.
  await page.selectOption(`${APP} select[data-control=pace]`, '5');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('speed=5'), 'speed=5 in the link');
  const e0 = Number((await state(page)).epoch);
  const slow = await trainFor(page, 2000);
  assert.ok(slow.epoch - e0 >= 4 && slow.epoch - e0 <= 5 * slow.seconds + 3, `${slow.epoch - e0} epochs at 5/s`);

  await page.selectOption(`${APP} select[data-control=pace]`, 'max');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('speed=max'), 'speed=max in the link');
  const e1 = Number((await state(page)).epoch);
  const fast = await trainFor(page, 3000);
  console.log(`max: ${fast.epoch - e1} epochs in ${fast.seconds.toFixed(1)} s; ${fast.speed}`);
  assert.ok(fast.epoch - e1 > 10 * 60 * fast.seconds, `max trained only ${fast.epoch - e1} epochs`);
  assert.match(fast.speed, /epochs\/s \(max\)/);
  clean(s);
});

test('at 1 epoch a second the max estimate is about what max then reaches', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=1&speed=1');
  const { page } = s;
  // The first epochs each take a replay snapshot; the engine times its training apart
  // from those, so the estimate is there from the first seconds.
  const slow = await trainFor(page, 3500);
  assert.match(slow.speed, /\(pace 1\/s, max ≈ [\d,.]+\/s\)/);
  const estimate = Number(slow.d.maxEpochsPerSec);
  await page.selectOption(`${APP} select[data-control=pace]`, 'max');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('speed=max'), 'speed=max in the link');
  const e0 = Number((await state(page)).epoch);
  const fast = await trainFor(page, 3000);
  const reached = (fast.epoch - e0) / fast.seconds;
  console.log(`pace 1: max ≈ ${estimate.toFixed(0)} epochs/s; max then reached ${reached.toFixed(0)} epochs/s`);
  // A paced epoch runs on a core just back from sleeping, so it reads slower (a third of
  // max on a quiet machine, with the small core build's fast epochs); sleeps and drawing
  // are not in it (then it would read a hundredth of max or less).
  assert.ok(estimate > reached / 8 && estimate < reached * 3, `estimate ${estimate} against ${reached} reached`);
  clean(s);
});

test('a pace below one epoch per slice still trains an uploaded table', async (t) => {
  // 10 000 training rows at batch 1 through 64 × 64 units: an epoch of 10 000 steps takes
  // several 12 ms slices, so it is trained in chunks between which the worker answers.
  const s = await open(t, '/index.html#speed=1&batchSize=1&networkShape=64,64');
  const { page } = s;
  const rows = ['a,b,label'];
  for (let i = 0; i < 20000; i++) {
    const a = ((i * 7919) % 1000) / 100 - 5;
    const b = ((i * 104729) % 1000) / 100 - 5;
    rows.push(`${a},${b},${a * b > 0 ? 1 : 0}`);
  }
  await page.evaluate((text) => globalThis.playground.call('loadCsv', text, { label_column: 'label', has_header: true }), rows.join('\n'));
  await waitFor(async () => (await state(page)).points === '20000', 'the table loaded');
  await page.click(`${APP} button.play`);
  const started = Date.now();
  // The worker answers within a slice or so while it trains.
  const waits = [];
  while (Date.now() - started < 4000) {
    const t0 = Date.now();
    await page.evaluate(() => globalThis.playground.call('status'));
    waits.push(Date.now() - t0);
    await page.waitForTimeout(50);
  }
  const seconds = (Date.now() - started) / 1000;
  const d = await state(page);
  const speed = await page.textContent(`${APP} .speed`);
  await page.click(`${APP} button.play`);
  console.log(`table at 1 epoch/s: ${d.epoch} epochs in ${seconds.toFixed(1)} s; ${speed}; longest call ${Math.max(...waits)} ms`);
  assert.ok(Number(d.epoch) >= 2 && Number(d.epoch) <= seconds + 2, `${d.epoch} epochs in ${seconds} s`);
  assert.ok(Math.max(...waits) < 1000, `a call waited ${Math.max(...waits)} ms`);
  clean(s);
});

test('the loss chart has axes with values, a log scale and a hover readout', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=1&speed=max&earlyStopping=val_loss:5:0');
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).running === 'false' && Number((await state(page)).epoch) > 20, 'early stopping', 60_000);
  const chart = `${APP} canvas.chart`;
  const ds = await page.$eval(chart, (c) => ({ ...c.dataset }));
  const xTicks = ds.xTicks.split(' ');
  const yTicks = ds.yTicks.split(' ');
  assert.ok(xTicks.length >= 3 && xTicks[0] === '0', `epoch ticks ${ds.xTicks}`);
  assert.ok(yTicks.length >= 3, `loss ticks ${ds.yTicks}`);
  assert.equal(ds.scale, 'linear');
  assert.ok(Number(ds.best) > 0, `best epoch ${ds.best}`);
  const legend = await page.textContent(`${APP} .chart-legend`);
  assert.match(legend, /training.*test/);

  await page.check(`${APP} input[data-control=logScale]`);
  const log = await page.$eval(chart, (c) => ({ ...c.dataset }));
  assert.equal(log.scale, 'log');
  // Decades (with 2× and 5× over a short span).
  const mantissa = (v) => Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3));
  assert.ok(log.yTicks.split(' ').map(Number).every((v) => [1, 2, 5].includes(mantissa(v))), `log ticks ${log.yTicks}`);

  const box = await page.locator(chart).boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const readout = await page.textContent(`${APP} .chart-readout`);
  assert.match(readout, /^epoch [\d,]+ · training \d[\d.e+-]* · test \d[\d.e+-]*$/);
  const hovered = Number(await page.$eval(`${APP} .chart-readout`, (o) => o.dataset.epoch));
  const epoch = Number((await state(page)).epoch);
  assert.ok(hovered > epoch * 0.3 && hovered < epoch * 0.7, `hovered epoch ${hovered} of ${epoch}`);
  // The values are the engine's history at that epoch.
  const want = await page.evaluate((e) => globalThis.playground.history.train[e - 1], hovered);
  const shown = Number(/training (\S+)/.exec(readout)[1]);
  assert.ok(Math.abs(shown - want) <= Math.abs(want) * 1e-3, `${readout} (history: ${want})`);
  await page.mouse.move(0, 0);
  assert.equal(await page.textContent(`${APP} .chart-readout`), '');
  await screenshot(page, 'loss-chart');
  clean(s);
});

test('the replay scrubber shows an earlier map that differs from the final one', async (t) => {
  const s = await open(t, '/index.html#dataset=spiral&seed=1&speed=max&networkShape=8,8&learningRate=0.1');
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await state(page)).epoch) > 300, '300 epochs', 60_000);
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).running === 'false', 'paused');
  // The frame of the pause itself (a few more epochs) is drawn last.
  await page.waitForTimeout(300);
  const frames = Number((await state(page)).replayFrames);
  assert.ok(frames > 20 && frames <= 200, `${frames} snapshots`);
  const pixels = () => page.evaluate((sel) => {
    const c = document.querySelector(`${sel} canvas.heat`);
    // A digest of the red channel: enough to tell two maps apart, short in a message.
    let h = 0;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) h = (h * 31 + px[i]) >>> 0;
    return `${c.width}:${h}`;
  }, APP);
  const live = await pixels();
  const scrub = `${APP} input[data-control=replay]`;
  assert.equal(await page.inputValue(scrub), String(frames), 'live at the right end');
  const showSnapshot = async (i) => {
    await page.$eval(scrub, (r, v) => { r.value = String(v); r.dispatchEvent(new Event('input')); }, i);
    await waitFor(async () => (await state(page)).replayEpoch !== undefined && (await page.inputValue(scrub)) === String(i), `snapshot ${i}`);
    await page.waitForTimeout(100);
    return { epoch: Number((await state(page)).replayEpoch), map: await pixels() };
  };
  const last = await showSnapshot(frames - 1);
  const early = await showSnapshot(2);
  assert.equal(early.epoch, 2);
  assert.ok(last.epoch > 250, `the last snapshot is of epoch ${last.epoch}`);
  assert.match(await page.textContent(`${APP} .replay-readout`), /^epoch 2 · training \d/);
  assert.notEqual(early.map, last.map, 'the early map differs from the final one');
  // Play runs through the later snapshots back to live.
  await page.click(`${APP} button.replay-play`);
  await waitFor(async () => Number((await state(page)).replayEpoch) > 100, 'the replay moving on');
  await waitFor(async () => (await state(page)).replayEpoch === undefined, 'back to live', 30_000);
  assert.equal(await page.textContent(`${APP} .replay-readout`), 'live');
  await page.waitForTimeout(100);
  assert.equal(await pixels(), live);

  // "Record clip" plays the replay into a WebM file through the browser's MediaRecorder.
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.click(`${APP} .replay button:has-text("Record clip")`);
  const file = await download;
  assert.equal(file.suggestedFilename(), 'nn-playground-replay.webm');
  const { size } = await import('node:fs').then((fs) => file.path().then((p) => fs.statSync(p)));
  assert.ok(size > 1000, `a clip of ${size} bytes`);
  await waitFor(async () => (await state(page)).replayEpoch === undefined, 'live after the clip');
  clean(s);
});

test('a weight edited in place is the replay\'s newest map, also while it is on screen', async (t) => {
  // 30 epochs: the replay holds epochs 0–20, 21, 23, …, 29, none of epoch 30.
  const s = await open(t, '/index.html#dataset=circle&seed=1&speed=max&epochLimit=30');
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).epoch === '30' && (await state(page)).running === 'false', 'the epoch limit');
  const frames = Number((await state(page)).replayFrames);
  const digest = () => page.evaluate((sel) => {
    const c = document.querySelector(`${sel} canvas.heat`);
    let h = 0;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) h = (h * 31 + px[i]) >>> 0;
    return `${c.width}:${h}`;
  }, APP);
  const editWeight = async (value) => {
    await page.locator(`${APP} path.link`).first().focus();
    await page.keyboard.press('Enter');
    await page.fill(`${APP} .edit-pop input`, String(value));
    await page.press(`${APP} .edit-pop input`, 'Enter');
    await waitFor(async () => (await page.evaluate(() => globalThis.playground.frame?.network?.layers[0].weights[0])) === value, `the weight ${value}`);
  };
  await editWeight(3);
  // The edit at epoch 30 adds its snapshot: the replay ends on the map as edited.
  await waitFor(async () => Number((await state(page)).replayFrames) === frames + 1, 'a snapshot of the edit');
  const scrub = `${APP} input[data-control=replay]`;
  await page.$eval(scrub, (r, v) => { r.value = String(v); r.dispatchEvent(new Event('input')); }, frames);
  await waitFor(async () => (await state(page)).replayEpoch === '30', 'the newest snapshot on screen');
  await page.waitForTimeout(100);
  const edited = await digest();
  // Another edit in the same epoch replaces that snapshot, and the one on screen follows.
  await editWeight(-3);
  await waitFor(async () => (await digest()) !== edited, 'the snapshot on screen redrawn');
  assert.equal(Number((await state(page)).replayFrames), frames + 1);
  assert.equal((await state(page)).replayEpoch, '30');
  clean(s);
});

test('the element takes its pace from the speed attribute', async (t) => {
  const s = await openPage(server, '/www/embed.html', { viewport: { width: 1280, height: 1000 } });
  t.after(() => s.close());
  const { page } = s;
  const A = '#demo-spiral .nnp';
  const B = '#demo-circle .nnp';
  await page.waitForSelector(`${B}[data-ready=true][data-epoch]`);
  assert.equal(await page.inputValue(`${A} select[data-control=pace]`), '60');
  await page.evaluate(() => document.getElementById('demo-circle').setAttribute('speed', 'max'));
  await page.waitForSelector(`${B}[data-ready=true][data-epoch]`);
  await waitFor(async () => (await page.inputValue(`${B} select[data-control=pace]`)) === 'max', 'the max pace');
  await page.evaluate(() => document.getElementById('demo-circle').setAttribute('speed', '5'));
  await waitFor(async () => (await page.inputValue(`${B} select[data-control=pace]`)) === '5', 'a pace of 5');
  clean(s);
});
