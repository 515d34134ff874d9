// Hostile use of the page and its module, end to end: a link with one bad value, the weight
// editor's own values, the epoch-limit field, an empty model file, a huge loss on screen and
// non-string arguments through the generated bindings.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

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
const clean = (s) => assertClean(s, { console: false });

const text = (page, sel) => page.textContent(`${APP} ${sel}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a link with one bad value keeps the rest, keeps its address and its message', async (t) => {
  const link = 'dataset=xor&networkShape=8,8&learningRate=0.1&noise=55';
  const s = await open(t, `/index.html#${link}`);
  const { page } = s;
  const d = await state(page);
  assert.equal(d.dataset, 'xor');
  assert.equal(d.layers, '8,8');
  assert.equal(await page.inputValue(`${APP} select[data-control=learningRate]`), '0.1');
  assert.match(await text(page, '.notice-text'), /noise.*55/);
  assert.equal(await page.isVisible(`${APP} .notice`), true);

  // Training is no change of settings: the pasted address and the message stay.
  await sleep(500);
  await page.click(`${APP} button[aria-label="Train one epoch"]`);
  await waitFor(async () => (await state(page)).epoch === '1', 'one epoch');
  await sleep(500);
  assert.equal(await page.evaluate(() => location.hash), `#${link}`);
  assert.match(await text(page, '.notice-text'), /noise.*55/);

  // A change of settings writes the address; the message still stays until dismissed.
  await page.selectOption(`${APP} select[data-control=learningRate]`, '0.03');
  await waitFor(async () => /learningRate=0\.03/.test(await page.evaluate(() => location.hash)), 'the new address');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /dataset=xor/);
  assert.doesNotMatch(hash, /noise=55/);
  assert.equal(await page.isVisible(`${APP} .notice`), true);
  await page.click(`${APP} .notice button.dismiss`);
  assert.equal(await page.isVisible(`${APP} .notice`), false);
  clean(s);
});

test('the weight editor accepts its own prefill and any finite value', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=2');
  const { page } = s;
  const links = page.locator(`${APP} path.link`);
  // Through the keyboard: a curved link's box centre need not lie on the link.
  const edit = async (i) => {
    await links.nth(i).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${APP} .edit-pop input`);
  };
  for (let i = 0; i < 8; i++) {
    await edit(i);
    const valid = await page.$eval(`${APP} .edit-pop input`, (e) => e.validity.valid);
    assert.equal(valid, true, `the prefilled value of link ${i}`);
    await page.keyboard.press('Escape');
  }
  await edit(0);
  await page.fill(`${APP} .edit-pop input`, '0.125');
  assert.equal(await page.$eval(`${APP} .edit-pop input`, (e) => e.validity.valid), true);
  await page.press(`${APP} .edit-pop input`, 'Enter');
  await waitFor(async () => (await page.evaluate(() => globalThis.playground.frame?.network?.layers[0].weights[0])) === 0.125, 'the weight 0.125');
  clean(s);
});

test('the epoch-limit field reads numbers as numbers and refuses in its own words', async (t) => {
  const s = await open(t);
  const { page } = s;
  const field = `${APP} input[data-control=epochLimit]`;
  const limit = () => page.evaluate(() => globalThis.playground.config.epoch_limit);
  await page.fill(field, '1e9');
  await page.locator(field).blur();
  await waitFor(async () => (await limit()) === 1e9, 'a limit of 10^9');
  for (const [typed, why] of [['99999999999', /epoch limit .*above the largest/], ['2.5', /epoch limit .*not a whole number/]]) {
    await page.fill(field, typed);
    await page.locator(field).blur();
    await waitFor(async () => why.test(await text(page, '.error')), `the refusal of ${typed}`);
    assert.doesNotMatch(await text(page, '.error'), /usize/);
    assert.equal(await limit(), 1e9, 'the limit stays');
    assert.equal(await page.inputValue(field), '1000000000', 'the field shows the limit in force');
  }
  await page.fill(field, '');
  await page.locator(field).blur();
  await waitFor(async () => (await limit()) === null, 'no limit');
  clean(s);
});

test('an empty model file is reported as empty', async (t) => {
  const s = await open(t);
  const { page } = s;
  await page.setInputFiles(`${APP} .model-io input[type=file]`, { name: 'empty.json', mimeType: 'application/json', buffer: Buffer.alloc(0) });
  await waitFor(async () => /Import failed: .*empty/.test(await text(page, '.error')), 'the message');
  clean(s);
});

test('huge losses are shown in a few characters', async (t) => {
  const s = await open(t, '/index.html#dataset=plane');
  const { page } = s;
  // The drawing path with a loss a diverging regression reaches; read in the same task, so
  // no frame from the worker can come between.
  const shown = await page.evaluate((sel) => {
    const p = globalThis.playground;
    p.frame = { ...p.frame, trainLoss: 5.2449039623034866e35, testLoss: -1.5e-9, metrics: { ...(p.frame.metrics || {}), mse: 5.2449039623034866e35, r2: -3.1e30 } };
    p.draw();
    const root = document.querySelector(sel);
    return {
      train: root.querySelector('output.loss.train').textContent,
      test: root.querySelector('output.loss.test').textContent,
      metrics: [...root.querySelectorAll('.metric-list dd')].map((d) => d.textContent),
    };
  }, APP);
  assert.equal(shown.train, '5.24e+35');
  // Closer to 0 than f32 noise reads as such (see format.js).
  assert.equal(shown.test, '> -1e-8');
  assert.ok(shown.metrics.includes('5.24e+35'), shown.metrics.join(' '));
  const metrics = shown.metrics;
  for (const m of metrics) assert.ok(m.length <= 10, m);
  clean(s);
});

test('non-string text arguments throw a TypeError naming the argument', async (t) => {
  const s = await open(t);
  const out = await s.page.evaluate(async () => {
    const m = await import('/pkg/nn_playground.js');
    await m.default();
    const tryIt = (f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const session = new m.Session();
    return [
      tryIt(() => m.Sequential.fromJSON({})),
      tryIt(() => m.Sequential.fromJSON(123)),
      tryIt(() => session.importModel({})),
      tryIt(() => session.loadCsv(42)),
      // The session still works afterwards.
      String(session.trainEpochs(1) > 0),
    ];
  });
  assert.match(out[0], /^TypeError: .*fromJSON.*must be a string/);
  assert.match(out[1], /^TypeError: .*fromJSON.*must be a string/);
  assert.match(out[2], /^TypeError: .*importModel.*must be a string/);
  assert.match(out[3], /^TypeError: .*loadCsv.*must be a string/);
  assert.equal(out[4], 'true');
  clean(s);
});
