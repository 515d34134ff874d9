// The Sequences mode's links and details: a link longer than the engine reads opens the
// defaults with a notice and trains; a combination the engine refuses costs only the key
// that breaks it, named (in Chinese too), as are unknown keys; the mode opens at a watchable
// pace; the loss chart's x axis counts steps; the footer is the mode's own help; and the
// element takes mode="sequences" and names a mode it does not have.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertClean, openPage, startServer, waitFor, SEQ, openSequences as openSeq } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const openSequences = (t, hash) => openSeq(server, t, hash);

const step = async (page) => Number(await page.locator(SEQ).getAttribute('data-step'));
const value = (page, key) => page.locator(`${SEQ} [data-control=${key}]`).inputValue();
const notice = (page) => page.locator(`${SEQ} [data-value=error]`);

test('a Sequences link over the engine\'s 64 KiB opens the defaults with a notice, and ▶ trains', async (t) => {
  const s = await openSequences(t, `mode=sequence&task=sort&x=${'a'.repeat(70_000)}`);
  const { page } = s;
  assert.equal(await notice(page).isVisible(), true, 'the notice is shown');
  const text = await notice(page).textContent();
  assert.match(text, /not used/);
  assert.match(text, /at most 65536 are read/);
  assert.equal(await value(page, 'task'), 'reverse');
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await step(page)) > 0, 'training to start');
  assertClean(s);
});

test('a combination the engine refuses keeps every other key and names the refused one', async (t) => {
  const cases = [
    ['task=copy_offset&length=6&offset=6', { task: 'copy_offset', length: '6', offset: '2' }, 'offset=6'],
    ['task=modular_addition&modulus=31', { task: 'modular_addition', modulus: '13' }, 'modulus="31" is not valid: expected a whole number from 2 to 30'],
    ['task=addition&length=6', { task: 'addition', length: '7' }, 'length=6'],
    ['task=balanced_brackets&length=7', { task: 'balanced_brackets', length: '12' }, 'length=7'],
  ];
  for (const [keys, shown, refused] of cases) {
    await t.test(keys, async (t) => {
      const s = await openSequences(t, `mode=sequence&${keys}&blocks=1&heads=4&bogus=1`);
      const { page } = s;
      for (const [key, v] of Object.entries({ ...shown, blocks: '1', heads: '4' })) assert.equal(await value(page, key), v, key);
      const text = await notice(page).textContent();
      assert.ok(text.includes(refused), `${refused} named in: ${text}`);
      assert.match(text, /Ignored unknown link settings: bogus/);
      assertClean(s);
    });
  }
  // The modulus control takes the engine's range.
  const s = await openSequences(t, 'mode=sequence&task=modular_addition&modulus=30&lang=zh');
  assert.equal(await value(s.page, 'modulus'), '30');
  assert.equal(await s.page.locator(`${SEQ} [data-control=modulus]`).getAttribute('max'), '30');
  assert.equal(await notice(s.page).isVisible(), false);
  // In Chinese, the notice reads in Chinese.
  const zh = await openSequences(t, 'mode=sequence&task=balanced_brackets&length=7&lang=zh');
  const text = await notice(zh.page).textContent();
  assert.ok(text.includes('链接设置 length=7 未被采用'), text);
  assert.doesNotMatch(text, /link setting|not used/);
});

test('the Sequences mode opens at a watchable pace, as the playground does', async (t) => {
  const s = await openSequences(t, 'mode=sequence');
  const { page } = s;
  assert.equal(await value(page, 'speed'), '20');
  await page.click(`${SEQ} button.play`);
  await page.waitForTimeout(2000);
  await page.click(`${SEQ} button.play`);
  const steps = await step(page);
  // The pace's catch-up allows a quarter second more; the evaluation after each slice may
  // make it slower on a loaded machine, never faster.
  assert.ok(steps > 0 && steps <= 20 * 2.5 + 10, `about 20 steps a second: ${steps} in 2 s`);
  assertClean(s);
});

test('the loss chart\'s x axis counts training steps, as the step counter does', async (t) => {
  const s = await openSequences(t, 'mode=sequence&task=reverse&length=6&vocab=6&blocks=1&heads=2&width=16&ffUnits=32&speed=max');
  const { page } = s;
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await step(page)) >= 1500, '1500 steps', 45_000);
  await page.click(`${SEQ} button.play`);
  await waitFor(async () => (await page.locator(SEQ).getAttribute('data-running')) === 'false', 'the pause');
  await page.waitForTimeout(800);
  const steps = await step(page);
  const chart = page.locator(`${SEQ} canvas[data-chart=loss]`);
  const ticks = (await chart.getAttribute('data-x-ticks')).split(' ');
  const num = (s) => Number(s.replace('k', 'e3').replace('M', 'e6'));
  const last = num(ticks.at(-1));
  // Ticks run up to the last step (the last round number before it, about a quarter of the
  // span apart), not up to the count of points.
  assert.ok(last > steps * 0.4 && last <= steps, `last tick ${ticks.at(-1)} for step ${steps}`);
  const best = Number(await chart.getAttribute('data-best'));
  assert.ok(best > 0 && best <= steps, `best at step ${best} of ${steps}`);
  // The readout names the step under the pointer.
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2);
  const readout = page.locator(`${SEQ} [data-key=progress] .chart-readout`);
  await waitFor(async () => /^step /.test((await readout.textContent()) ?? ''), 'the step readout');
  assert.ok(Number(await readout.getAttribute('data-epoch')) > steps / 2, await readout.textContent());
  // The accuracy chart beside it runs along the same steps.
  const lastX = Number(await page.locator(`${SEQ} canvas[data-chart=accuracy]`).getAttribute('data-last-x'));
  assert.ok(lastX > steps * 0.5 && lastX <= steps, `accuracy chart ends at ${lastX} for step ${steps}`);
  assertClean(s);
});

test('each mode shows its own help in the footer, in its language', async (t) => {
  const s = await openSequences(t, 'mode=sequence');
  const { page } = s;
  const foot = page.locator('.page-foot p');
  assert.match(await foot.textContent(), /transformer/);
  assert.doesNotMatch(await foot.textContent(), /add a point/);
  await page.selectOption(`${SEQ} [data-control=lang]`, 'zh');
  await waitFor(async () => (await foot.textContent()).includes('Transformer') && (await foot.textContent()).includes('训练'), 'the help in Chinese');
  await page.click('nav.mode-switch [data-mode=playground]');
  await waitFor(async () => (await foot.textContent()).includes('添加一个点'), "the playground's help");
  await page.click('nav.mode-switch [data-mode=sequence]');
  await waitFor(async () => !(await foot.textContent()).includes('添加一个点'), "the Sequences mode's help again");
  assertClean(s);
});

test('<nn-playground mode="sequences"> embeds the Sequences mode; an unknown mode is named', async (t) => {
  const s = await openPage(server, '/www/embed.html');
  t.after(() => s.close());
  const { page } = s;
  await page.evaluate(() => {
    for (const [id, mode] of [['plural', 'sequences'], ['bogus', 'sequencer']]) {
      const el = document.createElement('nn-playground');
      el.id = id;
      el.setAttribute('mode', mode);
      el.setAttribute('length', '5');
      document.body.prepend(el);
    }
  });
  await page.waitForSelector('#plural .nnp.seq[data-ready=true]');
  assert.equal(await page.locator('#plural .nnp.seq [data-control=length]').inputValue(), '5');
  assert.equal(await page.locator('#plural [data-value=mode-note]').count(), 0);
  const note = page.locator('#bogus [data-value=mode-note]');
  await waitFor(() => note.isVisible(), 'the mode named');
  assert.match(await note.textContent(), /mode="sequencer" is not a mode of <nn-playground>/);
  await page.waitForSelector('#bogus .nnp[data-ready=true]');
  assertClean(s);
});
