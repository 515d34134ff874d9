// Faults forced on the running page: the training worker dies (a trap), a run diverges, a
// broken model file and a broken CSV are offered, a reload. Each must leave the page working
// and the user's model, data and settings intact, with a message saying what happened.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

// Generous: this suite runs on small shared machines.
const SLOW = 90_000;
let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const open = (t, path = '/index.html') => openApp(server, t, path, { timeout: SLOW });

const state = appState;
const errorText = (page) => page.textContent(`${APP} .error`);
// What a link or a saved snapshot could not use: it stays until dismissed.
const noticeText = (page) => page.textContent(`${APP} .notice-text`);
const PROBE = [0, 0, 1.5, -2, -4, 3, 5.5, 5.5];
const probe = (page) => page.evaluate(async (xy) => Array.from(await globalThis.playground.call('predict', new Float32Array(xy))), PROBE);

/** Waits until the page holds a snapshot taken after `epoch` epochs. */
const snapshotAt = (page, epoch) =>
  waitFor(() => page.evaluate((e) => globalThis.playground.lastGood && document.querySelector('#app .nnp').dataset.epoch === String(e), epoch), 'a snapshot', SLOW);

const clean = (s) => assertClean(s, { console: false });

test('a worker that traps is restarted with the last good model, settings and data; training continues', async (t) => {
  const s = await open(t, '/index.html#dataset=xor&seed=3');
  const { page } = s;
  await page.selectOption(`${APP} select[data-control=learningRate]`, '0.1');
  await page.click(`${APP} button[aria-label="Add a hidden layer"]`);
  // A point added by hand makes the data custom: it must survive the restart too.
  await page.evaluate(() => globalThis.playground.act('addPoint', -5, 5, 1));
  await waitFor(async () => (await state(page)).dataset === 'custom', 'the added point');
  for (let i = 0; i < 3; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await snapshotAt(page, 3);
  const before = { preds: await probe(page), data: await page.evaluate(() => globalThis.playground.call('dataCsv')), st: await state(page) };

  // 1. Idle: the restarted worker has exactly the model, settings and points of before.
  await page.evaluate(() => globalThis.playground.__crashWorkerForTest());
  await waitFor(async () => (await state(page)).workerRestarts === '1', 'the restart', SLOW);
  await waitFor(async () => /restarted with the last saved model/.test(await errorText(page)), 'the message', SLOW);
  assert.deepEqual(await probe(page), before.preds, 'same model');
  assert.equal(await page.evaluate(() => globalThis.playground.call('dataCsv')), before.data, 'same points');
  assert.equal(await page.inputValue(`${APP} select[data-control=learningRate]`), '0.1');
  assert.equal((await state(page)).layers, before.st.layers);

  // 2. Training: it dies mid-run, comes back and keeps training.
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await state(page)).epoch) >= 10, 'training', SLOW);
  await waitFor(() => page.evaluate(() => globalThis.playground.lastGood?.bytes), 'a snapshot while training', SLOW);
  await page.evaluate(() => globalThis.playground.__crashWorkerForTest());
  await waitFor(async () => (await state(page)).workerRestarts === '2', 'the second restart', SLOW);
  await waitFor(async () => /training continues/.test(await errorText(page)), 'the message', SLOW);
  const resumed = Number((await state(page)).epoch);
  await waitFor(async () => Number((await state(page)).epoch) > resumed + 5, 'training after the restart', SLOW);
  assert.equal((await state(page)).running, 'true');
  assert.ok(Number.isFinite(Number((await state(page)).trainLoss)));
  await page.click(`${APP} button.play`);
  clean(s);
});

test('a diverging run stops, keeps finite weights, suggests a fix, and training goes on at a lower rate', async (t) => {
  const s = await open(t, '/index.html#dataset=plane&activation=linear&learningRate=10&seed=2');
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => /diverged/.test(await errorText(page)), 'the divergence message', SLOW);
  const msg = await errorText(page);
  assert.match(msg, /last finite weights were kept/);
  assert.match(msg, /lower learning rate/);
  await waitFor(async () => (await state(page)).running === 'false', 'the run to stop', SLOW);
  const preds = await probe(page);
  assert.ok(preds.every(Number.isFinite), `predictions after divergence: ${preds}`);
  // The loader refuses non-finite weights: the exported model loading again shows none.
  await page.evaluate(async () => globalThis.playground.call('importModel', await globalThis.playground.call('exportModel')));

  await page.selectOption(`${APP} select[data-control=learningRate]`, '0.01');
  const stopped = Number((await state(page)).epoch);
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await state(page)).epoch) > stopped + 20, 'training at 0.01', SLOW);
  await page.click(`${APP} button.play`);
  const d = await state(page);
  assert.ok(Number.isFinite(Number(d.trainLoss)), `train loss ${d.trainLoss}`);
  assert.ok(!/diverged/.test(await errorText(page)), 'the old message is gone');
  clean(s);
});

test('broken model files leave the model as it was', async (t) => {
  const s = await open(t);
  const { page } = s;
  for (let i = 0; i < 2; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '2', 'two epochs');
  const trained = await probe(page);
  const good = await page.evaluate(() => globalThis.playground.call('exportModel'));
  const broken = [
    '',
    'not json',
    good.slice(0, good.length >> 1),
    good.replace(/"units":\s*\d+/, '"units": 10000'),
    good.replace(/\d\.\d+/, '1e999'),
    JSON.stringify({ ...JSON.parse(good), format: 'something-else' }),
  ];
  for (const [i, text] of broken.entries()) {
    await page.setInputFiles(`${APP} .model-io input[type=file]`, { name: `broken${i}.json`, mimeType: 'application/json', buffer: Buffer.from(text || ' ') });
    await waitFor(async () => /Import failed/.test(await errorText(page)), `the refusal of broken file ${i}`);
    assert.deepEqual(await probe(page), trained, `model changed by broken file ${i}`);
    await page.evaluate(() => globalThis.playground.clearError());
  }
  clean(s);
});

test('a 50 MB CSV is refused from its size without being read; the data stays', async (t) => {
  const s = await open(t);
  const { page } = s;
  const before = await page.evaluate(() => globalThis.playground.call('dataCsv'));
  // Count reads of any file's contents.
  await page.evaluate(() => {
    globalThis.fileReads = 0;
    for (const m of ['text', 'arrayBuffer', 'stream']) {
      const orig = Blob.prototype[m];
      Blob.prototype[m] = function (...a) {
        globalThis.fileReads++;
        return orig.apply(this, a);
      };
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'nnp-big-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.csv');
  const row = '0.5,0.25,1\n';
  writeFileSync(big, row.repeat(Math.ceil((50 * 1024 * 1024) / row.length)));
  await page.click(`${APP} .upload summary`);
  await page.setInputFiles(`${APP} .upload input[type=file]`, big);
  await waitFor(async () => (await page.textContent(`${APP} .csv-error`)).length > 0, 'the refusal');
  assert.match(await page.textContent(`${APP} .csv-error`), /big\.csv is 50\.0 MB; files up to 32\.0 MB/);
  assert.equal(await page.evaluate(() => globalThis.fileReads), 0, 'the file was read');
  assert.equal(await page.isDisabled(`${APP} button:has-text("Use this data")`), true);
  assert.equal(await page.evaluate(() => globalThis.playground.call('dataCsv')), before);

  // A 10 000-unit layer from a link is refused with a message; the page runs the defaults.
  const wide = await open(t, '/index.html#networkShape=10000');
  assert.match(await noticeText(wide.page), /settings were not used.*networkShape.*10000/);
  assert.equal((await state(wide.page)).layers, '4,2');
  clean(s);
  clean(wide);
});

test('a link restores settings, data and model; a reload keeps them all', async (t) => {
  const s = await open(t, '/index.html#dataset=spiral&seed=9&networkShape=6,3&learningRate=0.01&noise=10');
  const { page } = s;
  for (let i = 0; i < 2; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '2', 'two epochs');
  const data = await page.evaluate(() => globalThis.playground.call('dataCsv'));
  const shared = await page.evaluate(() => globalThis.playground.shareHash(true));
  const preds = await probe(page);
  const check = async (what) => {
    await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
    const d = await state(page);
    assert.equal(d.dataset, 'spiral', what);
    assert.equal(d.layers, '6,3', what);
    assert.equal(await page.inputValue(`${APP} select[data-control=learningRate]`), '0.01', what);
    assert.equal(await page.evaluate(() => globalThis.playground.call('dataCsv')), data, what);
  };
  await page.goto('about:blank');
  await page.goto(new URL(`/index.html#${shared}`, server.url).href);
  await check('the link');
  assert.deepEqual(await probe(page), preds, 'the linked model');
  // The address keeps only the settings (weights make links long); the tab's session storage
  // keeps the last snapshot, so a reload brings back the trained model too.
  for (let i = 0; i < 3; i++) await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '3', 'three more epochs');
  await waitFor(() => page.evaluate(() => {
    const saved = JSON.parse(sessionStorage.getItem('nn-playground:before-reload') || 'null');
    const bytes = globalThis.playground.lastGood?.bytes;
    return saved?.hash === location.hash.slice(1) && bytes && saved.snapshot.bytes64?.length === Math.ceil(bytes.length / 3) * 4;
  }), 'the snapshot saved for this address');
  const trained = await probe(page);
  assert.notDeepEqual(trained, preds, 'training moved the model');
  await page.reload();
  await check('the reload');
  assert.deepEqual(await probe(page), trained, 'the model trained before the reload');
  assert.match(await page.textContent(`${APP} .status`), /Restored the model/);
  // A snapshot from a newer engine, or one cut short, falls back to the address alone,
  // with a message that says which.
  const saved = await page.evaluate(() => sessionStorage.getItem('nn-playground:before-reload'));
  const tamper = (how) => page.evaluate(([text, how]) => {
    const s = JSON.parse(text);
    const raw = atob(s.snapshot.bytes64);
    s.snapshot.bytes64 = how === 'newer' ? btoa(raw.slice(0, 4) + String.fromCharCode(99) + raw.slice(5)) : btoa(raw.slice(0, raw.length >> 1));
    sessionStorage.setItem('nn-playground:before-reload', JSON.stringify(s));
  }, [saved, how]);
  for (const [how, says] of [['newer', /newer version/], ['cut', /broken/]]) {
    await tamper(how);
    await page.reload();
    await check(`a reload with a ${how} snapshot`);
    await waitFor(async () => /could not be restored/.test(await noticeText(page)) && says.test(await noticeText(page)), `the message for a ${how} snapshot`);
  }
  clean(s);
});
