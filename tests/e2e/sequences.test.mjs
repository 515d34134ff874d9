// The Sequences mode in the page: trains reverse at max pace to a stated held-out sequence
// accuracy, paints one attention map per layer and head, answers typed input and refuses
// bad input with the engine's message (the model kept), carries its settings in the link
// across a reload, and runs inside <nn-playground mode="sequence">; it runs on a build that
// says it has the mode (the full build), which the playground alone never fetches.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertClean, openApp, openPage, screenshot, startServer, waitFor, SEQ, openSequences as openSeq } from './harness.mjs';

// Reverse of length 8 over 10 tokens with two blocks of two heads: the task, small
// enough to pass this accuracy in well under a minute on a loaded two-core machine.
const REVERSE = 'mode=sequence&task=reverse&length=8&vocab=10&blocks=2&heads=2&width=32&ffUnits=64&speed=max';
const TARGET_SEQUENCE_ACCURACY = 0.99;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

async function openSequences(t, hash) {
  const s = await openSeq(server, t, hash);
  // Its first frame too: the tests read the step counter.
  await s.page.waitForSelector(`${SEQ}[data-step]`);
  return s;
}

const step = async (page) => Number(await page.locator(SEQ).getAttribute('data-step'));
const accuracy = async (page) => Number((await page.locator(`${SEQ} [data-value=test-sequence-accuracy]`).getAttribute('data-fraction')) ?? 0);
const tokens = (page, where, row) => page.locator(`${SEQ} [data-value=${where}] [data-row=${row}] .tok`).allTextContents();

/** Pauses and waits until no frame changes the step any more. */
async function pause(page) {
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await page.locator(SEQ).getAttribute('data-running')) === 'false', 'training to pause');
  await waitFor(async () => {
    const a = await step(page);
    await page.waitForTimeout(400);
    return a === (await step(page));
  }, 'the step counter to settle', 10_000);
}

test('reverse trains to the stated held-out accuracy, shows attention, answers typed input', async (t) => {
  const s = await openSequences(t, REVERSE);
  const { page } = s;
  assert.equal(await page.locator('nav.mode-switch [data-mode=sequence]').getAttribute('aria-selected'), 'true');
  assert.equal(await step(page), 0);
  // The mode runs on the build that says it can: the full single-thread one.
  assert.ok(s.responses.some((r) => r.url.includes('/pkg/nn_playground_bg.wasm')), 'the full build fetched');
  const t0 = Date.now();
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await accuracy(page)) >= TARGET_SEQUENCE_ACCURACY, `held-out sequence accuracy ≥ ${TARGET_SEQUENCE_ACCURACY}`, 55_000);
  const seconds = (Date.now() - t0) / 1000;
  await pause(page);
  console.log(`# reverse (length 8, 10 tokens, 2 blocks × 2 heads) reached ${(await accuracy(page)) * 100} % held-out sequences after ${await step(page)} steps, ${seconds.toFixed(1)} s at max pace`);

  // One painted map per layer and head, with ink on it.
  const maps = page.locator(`${SEQ} [data-key=example] canvas.attention-map`);
  await waitFor(async () => (await page.locator(`${SEQ} [data-key=example] canvas.attention-map[data-painted=true]`).count()) === 4, 'four painted attention maps');
  for (const [layer, head] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    assert.equal(await maps.nth(layer * 2 + head).getAttribute('data-layer'), String(layer));
    assert.equal(await maps.nth(layer * 2 + head).getAttribute('data-head'), String(head));
  }
  const inked = await maps.first().evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
    return n / (d.length / 4);
  });
  assert.ok(inked > 0.2, `the first map is painted (${inked} of its pixels have ink)`);
  // The example's rows: input, target and prediction, each position marked.
  const input = await tokens(page, 'example', 'input');
  assert.equal(input.length, 8);
  assert.deepEqual(await tokens(page, 'example', 'target'), [...input].reverse());
  assert.equal(await page.locator(`${SEQ} [data-value=example] [data-row=predicted] .tok.ok, ${SEQ} [data-value=example] [data-row=predicted] .tok.bad`).count(), 8);
  // Next shows another held-out sequence.
  await page.click(`${SEQ} [data-key=next]`);
  await waitFor(async () => (await page.locator(`${SEQ} [data-control=example]`).inputValue()) === '1', 'example 1');

  // Typed input: the model's answer, and its attention maps.
  const typed = '3 1 4 1 5 9 2 6';
  await page.fill(`${SEQ} [data-control=try]`, typed);
  await page.click(`${SEQ} [data-key=try-run]`);
  await waitFor(async () => (await tokens(page, 'try', 'predicted')).length === 8, 'the typed input\'s prediction');
  assert.deepEqual(await tokens(page, 'try', 'input'), typed.split(' '));
  const predicted = await tokens(page, 'try', 'predicted');
  const reversed = typed.split(' ').reverse();
  const right = predicted.filter((tok, i) => tok === reversed[i]).length;
  assert.ok(right >= 6, `the typed input comes back mostly reversed: ${predicted.join(' ')}`);
  assert.equal(await page.locator(`${SEQ} [data-key=try] canvas.attention-map[data-painted=true]`).count(), 4);

  // Bad input: the engine's message, the model and its figures unchanged.
  const before = { step: await step(page), acc: await page.locator(`${SEQ} [data-value=test-sequence-accuracy]`).textContent() };
  for (const [bad, words] of [['3 1 z', /z/], ['1 2 3 4 5 6 7 8 9 0', /8/]]) {
    await page.fill(`${SEQ} [data-control=try]`, bad);
    await page.click(`${SEQ} [data-key=try-run]`);
    const error = page.locator(`${SEQ} [data-value=try-error]`);
    await waitFor(() => error.isVisible(), `a message for ${bad}`);
    assert.match(await error.textContent(), words);
    assert.match(await error.textContent(), /unchanged/);
    assert.deepEqual(await tokens(page, 'try', 'input'), typed.split(' '), 'the last answer stays');
  }
  assert.equal(await step(page), before.step);
  assert.equal(await page.locator(`${SEQ} [data-value=test-sequence-accuracy]`).textContent(), before.acc);

  // The WebGPU choice says in words that sequence models train on the CPU.
  await page.selectOption(`${SEQ} [data-control=backend]`, 'webgpu');
  assert.match(await page.locator(`${SEQ} [data-value=backend-note]`).textContent(), /CPU/);
  await screenshot(page, 'sequences');
  assertClean(s);
});

test('the link carries the sequence settings across a reload; a refused setting keeps the model', async (t) => {
  const hash = 'mode=sequence&task=copy_offset&length=7&vocab=6&offset=2&blocks=3&heads=4&width=48&ffUnits=40&dropout=0.1&causal=true&optimizer=adamw&learningRate=0.002&warmup=9&batchSize=24&seed=77&speed=20';
  const s = await openSequences(t, hash);
  const { page } = s;
  const value = (key) => page.locator(`${SEQ} [data-control=${key}]`).inputValue();
  const expected = { task: 'copy_offset', length: '7', vocab: '6', offset: '2', blocks: '3', heads: '4', width: '48', ffUnits: '40', dropout: '0.1', optimizer: 'adamw', learningRate: '0.002', warmup: '9', batchSize: '24', seed: '77', speed: '20' };
  for (const [k, v] of Object.entries(expected)) assert.equal(await value(k), v, k);
  assert.equal(await page.locator(`${SEQ} [data-control=causal]`).isChecked(), true);

  // Train a little, then ask for a width the 4 heads do not divide: refused, model kept.
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await step(page)) >= 5, 'a few steps at 20 per second');
  await pause(page);
  const kept = await step(page);
  await page.fill(`${SEQ} [data-control=width]`, '50');
  await page.locator(`${SEQ} [data-control=width]`).dispatchEvent('change');
  const error = page.locator(`${SEQ} [data-value=error]`);
  await waitFor(() => error.isVisible(), 'the engine\'s message');
  assert.match(await error.textContent(), /not divisible by 4 heads/);
  assert.equal(await value('width'), '48');
  assert.equal(await step(page), kept, 'the trained model is kept');

  // A change goes into the address; a reload brings every setting back.
  await page.selectOption(`${SEQ} [data-control=heads]`, '2');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('heads=2'), 'the link to follow');
  const link = await page.evaluate(() => location.hash);
  for (const part of ['mode=sequence', 'task=copy_offset', 'length=7', 'offset=2', 'blocks=3', 'width=48', 'causal=true', 'speed=20']) {
    assert.ok(link.includes(part), `${part} in ${link}`);
  }
  await page.reload();
  await page.waitForSelector(`${SEQ}[data-ready=true][data-step]`);
  for (const [k, v] of Object.entries({ ...expected, heads: '2' })) assert.equal(await value(k), v, `${k} after reload`);
  assert.equal(await page.evaluate(() => location.hash), link);

  // The playground tab keeps its own link; back to Sequences keeps this one.
  await page.click('nav.mode-switch [data-mode=playground]');
  await page.waitForSelector('#app .nnp:not(.seq)[data-ready=true][data-epoch]');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('dataset='), 'the playground\'s link');
  await page.click('nav.mode-switch [data-mode=sequence]');
  await waitFor(async () => (await page.evaluate(() => location.hash)) === link, 'the sequence link again');
  assert.equal(await value('heads'), '2');

  // Chinese: every text of the mode at once, the run untouched, the choice in the link.
  const steps = await step(page);
  await page.selectOption(`${SEQ} [data-control=lang]`, 'zh');
  await waitFor(async () => (await page.locator('nav.mode-switch [data-mode=sequence]').textContent()) === '序列', 'the tab in Chinese');
  assert.equal(await page.locator(`${SEQ} [data-key=try] h2`).textContent(), '试试你自己的输入');
  assert.equal(await page.locator(`${SEQ} [data-key=example] h3`).textContent(), '注意力');
  assert.equal(await page.locator(`${SEQ} [data-control=task] option[value=copy_offset]`).textContent(), '偏移复制');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('lang=zh'), 'the language in the link');
  assert.equal(await step(page), steps);
  assertClean(s);
});

test('a reload and a crash keep the trained Sequences model, its step and its accuracy', async (t) => {
  const s = await openSequences(t, REVERSE);
  const { page } = s;
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await step(page)) >= 60, 'some training', 30_000);
  await pause(page);
  const [trained, acc] = [await step(page), await accuracy(page)];
  await waitFor(() => page.evaluate(() => Boolean(sessionStorage.getItem('nn-playground:sequence-before-reload'))), 'the snapshot kept for a reload');
  await page.reload();
  await page.waitForSelector(`${SEQ}[data-ready=true][data-step]`);
  await waitFor(async () => (await step(page)) === trained, `step ${trained} after the reload`);
  assert.equal(await accuracy(page), acc, 'the held-out accuracy of the trained model');
  // A trap in the worker: a fresh one goes on from the last snapshot, training on.
  await page.click(`${SEQ} button.play`);
  await page.evaluate(() => globalThis.sequences.crashForTest());
  await waitFor(async () => (await page.locator(SEQ).getAttribute('data-worker-restarts')) === '1', 'the restart');
  await waitFor(async () => (await step(page)) > trained, 'training on after the restart', 30_000);
  assertClean(s, { console: false });
});

test('the playground alone downloads the core build only, not the full one the Sequences mode needs', async (t) => {
  const s = await openApp(server, t);
  await s.page.waitForTimeout(500);
  assert.ok(s.responses.some((r) => /\/pkg-core\/nn_playground_bg\.wasm/.test(r.url)), 'the core build fetched');
  assert.ok(!s.responses.some((r) => /\/pkg(-threads)?\/nn_playground_bg\.wasm/.test(r.url)), 'no full build fetched');
  assertClean(s);
});

test('<nn-playground mode="sequence"> trains in a documentation page', async (t) => {
  const s = await openPage(server, '/www/embed.html');
  t.after(() => s.close());
  const { page } = s;
  await page.evaluate(() => {
    const el = document.createElement('nn-playground');
    el.id = 'attention-demo';
    for (const [k, v] of Object.entries({ mode: 'sequence', task: 'sort', length: '5', vocab: '6', blocks: '1', heads: '2', autoplay: '' })) el.setAttribute(k, v);
    document.body.prepend(el);
  });
  const root = '#attention-demo .nnp.seq';
  await page.waitForSelector(`${root}[data-ready=true]`);
  assert.equal(await page.locator(`${root} [data-control=task]`).inputValue(), 'sort');
  assert.equal(await page.locator(`${root} [data-control=length]`).inputValue(), '5');
  await waitFor(async () => Number(await page.locator(root).getAttribute('data-step')) > 30, 'the element to train');
  await waitFor(async () => (await page.locator(`${root} canvas.attention-map[data-painted=true]`).count()) === 2, 'its two attention maps');
  assertClean(s);
});
