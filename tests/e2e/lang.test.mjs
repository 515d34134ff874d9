// The page in Simplified Chinese: the header's language select re-labels every visible text
// at once while training goes on, nothing English is left, the link keeps `lang=zh` over a
// reload, engine errors are said by their code, and `<nn-playground lang="zh">` is Chinese.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, openPage, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

// Names that stay as they are in Chinese text: methods, formats, products, units, keys.
const NAMES = new Set(`relu leaky elu softplus silu swish gelu tanh sigmoid sgd nesterov rmsprop adagrad adam adamw
  csv onnx onnxruntime webgpu webassembly rust javascript simd cpu gpu nn playground glorot he mae mse rmse roc auc pc
  mb ms webm shift alt ctrl sin cos xw swiftshader english softmax huber`.split(/\s+/).filter(Boolean));

/**
 * Every visible text and every title, aria-label and placeholder of a visible element, in
 * the document and in open shadow roots (the element's), with the words that are English;
 * with `host`, only inside that element's shadow root. With `switchTo`, first picks that
 * language in the select `switchTo.select`, in the same task: what is found then is what
 * the switch itself left, before any frame or timer ran.
 */
function englishLeft([names, host, switchTo]) {
  if (switchTo) {
    const s = document.querySelector(switchTo.select);
    s.value = switchTo.lang;
    s.dispatchEvent(new Event('change'));
  }
  const found = [];
  const visible = (e) => e.checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true }) ?? true;
  const words = (s) => (s.match(/[A-Za-z]{2,}/g) || []).filter((w) => !names.includes(w.toLowerCase()));
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.shadowRoot) walk(e.shadowRoot);
      if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(e.tagName) || !visible(e)) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = e.getAttribute(a);
        if (v && words(v).length) found.push(`${e.tagName.toLowerCase()}[${a}]: ${v}`);
      }
      for (const n of e.childNodes) {
        if (n.nodeType === Node.TEXT_NODE && words(n.data).length) found.push(`${e.tagName.toLowerCase()}: ${n.data.trim()}`);
      }
      // The options of a select are its texts too, shown or not.
      if (e.tagName === 'SELECT') {
        for (const o of e.options) if (words(o.textContent).length) found.push(`option: ${o.textContent}`);
      }
    }
  };
  if (host) {
    walk(document.querySelector(host).shadowRoot);
    return found;
  }
  walk(document);
  if (words(document.title).length) found.push(`title: ${document.title}`);
  return found;
}

const leftovers = (page, host, switchTo) => page.evaluate(englishLeft, [[...NAMES], host, switchTo]);

/** Opens every folded panel, so its texts are on screen and checked too. */
const openPanels = (page) => page.evaluate((sel) => {
  for (const d of document.querySelectorAll(`${sel} details`)) if (!d.open) d.open = true;
}, APP);

test('switching to Chinese says every visible text in Chinese at once, and training goes on', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=spiral&seed=1&networkShape=4,3');
  const { page } = s;
  assert.equal(await page.inputValue(`${APP} select[data-control=lang]`), 'en');
  await openPanels(page);
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) > 30, 'some training');
  // The explain panel's worked step and the health table are drawn by now.
  await page.click(`${APP} .explain button[aria-label="Next example"]`);
  await waitFor(async () => (await page.locator(`${APP} .explain-layer`).count()) > 0, 'the explained step');
  await waitFor(async () => (await page.locator(`${APP} .health-table tr`).count()) > 1, 'the health table');
  const english = await leftovers(page);
  assert.ok(english.length > 50, `the English page has ${english.length} English texts: the walk is broken`);

  const e0 = Number((await appState(page)).epoch);
  // At once: the walk runs in the very task of the change, before any frame is drawn.
  const left = await leftovers(page, undefined, { select: `${APP} select[data-control=lang]`, lang: 'zh' });
  assert.deepEqual(left, [], `English left after switching:\n${left.join('\n')}`);
  assert.equal(await page.getAttribute(`${APP} button.play`, 'aria-label'), '暂停');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.evaluate(() => document.title), 'nn-playground — 在浏览器中训练神经网络');
  assert.equal(await page.inputValue(`${APP} select[data-control=lang]`), 'zh');
  // The run was not touched: still training from where it was, the same model.
  const d = await appState(page);
  assert.equal(d.running, 'true');
  assert.ok(Number(d.epoch) >= e0, `epoch ${d.epoch} after ${e0}`);
  await waitFor(async () => Number((await appState(page)).epoch) > e0 + 20, 'training to go on');
  // Readouts drawn after the switch are Chinese too.
  await waitFor(async () => /轮\/秒/.test(await page.textContent(`${APP} .speed`)), 'the speed line in Chinese');
  assert.match(await page.textContent(`${APP} .metric-list`), /准确率/);
  assert.deepEqual(await leftovers(page), []);

  // And back: English again, still the same run.
  await page.selectOption(`${APP} select[data-control=lang]`, 'en');
  assert.equal(await page.getAttribute(`${APP} button.play`, 'aria-label'), 'Pause');
  assert.match(await page.textContent(`${APP} .losses`), /Test loss/);
  assert.equal((await appState(page)).running, 'true');
  assertClean(s);
});

test('the link keeps lang=zh across a reload, and engine errors are said in Chinese', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=circle&seed=1&epochLimit=5');
  const { page } = s;
  await page.selectOption(`${APP} select[data-control=lang]`, 'zh');
  await waitFor(async () => (await page.evaluate(() => location.hash)).includes('lang=zh'), 'lang=zh in the link');
  await page.reload();
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  assert.equal(await page.inputValue(`${APP} select[data-control=lang]`), 'zh');
  assert.equal(await page.getAttribute(`${APP} button.play`, 'aria-label'), '训练');
  assert.match(await page.textContent('footer'), /单击输入特征/);
  assert.deepEqual(await leftovers(page), []);
  // A stopping rule is said by its code too.
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await page.textContent(`${APP} .status`)) === '已停止：已达到 5 轮的轮次上限', 'the stop in Chinese');

  // A CSV the engine refuses: its code says which message, the values where.
  await page.evaluate((sel) => { document.querySelector(`${sel} details.upload`).open = true; }, APP);
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n1,2,0\n3,4\n') });
  await waitFor(async () => (await page.textContent(`${APP} .csv-error`)) === 'CSV 第 3 行：有 2 个字段，应与第一行一样为 3 个', 'the CSV error in Chinese');
  // A link value the engine refuses is named in Chinese around the engine's detail.
  await page.evaluate(() => { location.hash = 'dataset=circle&lang=zh&learningRate=abc'; });
  await waitFor(async () => /链接中的部分设置未被使用（其余设置已生效）：配置无效：链接设置 learningRate="abc" 无效：应为 /.test(await page.textContent(`${APP} .notice`)), 'the link notice in Chinese');
  assertClean(s);
});

test('<nn-playground lang="zh"> shows Chinese, and its attribute switches without a restart', async (t) => {
  const s = await openPage(server, '/www/embed.html', { viewport: { width: 1280, height: 1000 } });
  t.after(() => s.close());
  const { page } = s;
  await page.waitForSelector('#demo-circle .nnp[data-ready=true][data-epoch]');
  await page.evaluate(() => {
    const e = document.createElement('nn-playground');
    e.id = 'demo-zh';
    e.setAttribute('dataset', 'xor');
    e.setAttribute('lang', 'zh-CN');
    document.body.append(e);
  });
  const Z = '#demo-zh .nnp';
  await page.waitForSelector(`${Z}[data-ready=true][data-epoch]`);
  assert.equal(await page.inputValue(`${Z} select[data-control=lang]`), 'zh');
  assert.equal(await page.getAttribute(`${Z} button.play`, 'aria-label'), '训练');
  assert.match(await page.textContent(`${Z} .losses`), /测试损失/);
  // The page's language is one: the other elements say Chinese as well.
  assert.match(await page.textContent('#demo-circle .nnp .losses'), /测试损失/);
  // The docs page around the elements is the author's English; inside them, none is left.
  assert.deepEqual(await leftovers(page, '#demo-zh'), []);
  assert.deepEqual(await leftovers(page, '#demo-circle'), []);

  // A change of the attribute keeps the element's run.
  await page.click(`${Z} button.play`);
  await waitFor(async () => Number(await page.getAttribute(Z, 'data-epoch')) > 10, 'the element to train');
  await page.evaluate(() => document.getElementById('demo-zh').setAttribute('lang', 'en'));
  await waitFor(async () => (await page.getAttribute(`${Z} button.play`, 'aria-label')) === 'Pause', 'English again');
  assert.equal(await page.getAttribute(Z, 'data-running'), 'true');
  assert.ok(Number(await page.getAttribute(Z, 'data-epoch')) > 10);
  assertClean(s);
});
