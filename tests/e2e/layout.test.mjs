// The page's layout from a phone to eight hidden layers, measured on the real page: no
// sideways page scroll, the whole network reachable (it fits, or it scrolls in its own box
// with a cue), touch targets of at least 24 px and the map near ▶ on a phone, the wide
// panels in the centre below the network, a compact <nn-playground> whose `panels` opens
// the rest, a typed layer width, no interactive element inside an image role and no console
// warning on a clean load. Screenshots land in tests/e2e/artifacts/.

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

const EIGHT = '/index.html#dataset=spiral&networkShape=8,8,8,8,8,8,8,8&seed=3';
const PHONE = { viewport: { width: 390, height: 844 }, touch: true };
// "Within a thumb's reach": the map's top no more than one phone screen below ▶'s.
const MAP_BELOW_PLAY_PX = 844;
// The element on the embed page without `panels`: the compact playground (it was ~1500 px).
const ELEMENT_MAX_PX = 950;

/** Every console warning and error of the page and of its workers (nested ones included). */
function recordConsole(s) {
  const seen = [];
  const add = (where) => (m) => {
    if (m.type() === 'warning' || m.type() === 'error') seen.push(`${where} ${m.type()}: ${m.text()}`);
  };
  s.context.on('console', add('page'));
  const watch = (w) => w.on('console', add(`worker ${w.url()}`));
  s.page.on('worker', watch);
  s.page.workers().forEach(watch);
  return seen;
}

/** The page's width against the window's: nothing may scroll the page sideways. */
const pageWidth = (page) => page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: innerWidth }));

/**
 * Whether the output neuron can be seen: inside the window, or its network box scrolls
 * with the cue shown and brings it inside when scrolled to the end. Leaves the box scrolled
 * back to its start.
 */
async function outputReachable(page, root = APP) {
  return page.evaluate((sel) => {
    const app = document.querySelector(sel);
    const host = app.querySelector('.net-host');
    const nodes = app.querySelectorAll('.net-host div.node');
    const out = nodes[nodes.length - 1];
    const cue = app.querySelector('.net-scroll-cue');
    const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1;
    const hostBox = host.getBoundingClientRect();
    const win = { left: 0, right: innerWidth };
    const fits = inside(out.getBoundingClientRect(), hostBox) && inside(hostBox, win);
    const scrolls = host.scrollWidth > host.clientWidth + 1;
    const cueShown = !!cue && !cue.hidden && cue.getBoundingClientRect().height > 0 && inside(cue.getBoundingClientRect(), win);
    host.scrollLeft = host.scrollWidth;
    const afterScroll = inside(out.getBoundingClientRect(), host.getBoundingClientRect()) && inside(host.getBoundingClientRect(), win);
    host.scrollLeft = 0;
    return { fits, scrolls, cueShown, afterScroll, hostWidth: host.clientWidth, netWidth: host.scrollWidth };
  }, root);
}

/** Interactive elements inside an element with role="img" (there must be none). */
const insideImages = (page) => page.evaluate(() => {
  const roots = [document, ...[...document.querySelectorAll('nn-playground')].map((e) => e.shadowRoot).filter(Boolean)];
  return roots.flatMap((r) => [...r.querySelectorAll('[role=img] :is(button, input, select, textarea, a[href], [tabindex], [role=button])')].map((e) => e.outerHTML.slice(0, 80)));
});

test('a clean load logs no warning; nor does the move into a fuller build', async (t) => {
  const s = await openPage(server, '/index.html', { goto: false, viewport: { width: 1400, height: 900 } });
  t.after(() => s.close());
  const seen = recordConsole(s);
  await s.page.goto(new URL('/index.html', server.url).href);
  await s.page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  await s.page.waitForTimeout(500);
  assert.deepEqual(seen, [], 'the first build loads without a word in the console');
  // The health panel needs the full engine (the threads build here, cross-origin isolated).
  await s.page.click(`${APP} details.health > summary`);
  await waitFor(async () => (await appState(s.page)).engineBuild !== 'core', 'the move into a fuller build', 60_000);
  await waitFor(() => s.page.evaluate((sel) => document.querySelectorAll(`${sel} .health-table tr`).length > 1, APP), 'the health table', 30_000);
  await s.page.waitForTimeout(500);
  assert.deepEqual(seen, [], 'nor does the fuller build');
  assertClean(s);
});

test('eight hidden layers at 1400 px: the whole network in view, every panel open, no page overflow', async (t) => {
  const s = await openApp(server, t, EIGHT, { viewport: { width: 1400, height: 900 } });
  const { page } = s;
  assert.equal((await appState(page)).layers, '8,8,8,8,8,8,8,8');
  // Every panel open, the health table filled, and a step explained.
  await page.evaluate((sel) => document.querySelectorAll(`${sel} details`).forEach((d) => { if (!d.open) d.open = true; }), APP);
  await waitFor(() => page.evaluate((sel) => document.querySelectorAll(`${sel} .health-table tr`).length >= 10, APP), 'the health table of nine layers', 60_000);
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) > 5, 'a few epochs');
  await page.click(`${APP} button.play`);
  const width = await pageWidth(page);
  assert.ok(width.doc <= width.win, `the page is ${width.doc} px wide in a ${width.win} px window`);
  const reach = await outputReachable(page);
  assert.ok(reach.fits, `the output neuron fits at 1400 px: ${JSON.stringify(reach)}`);
  // The last layer's −/+ buttons are inside the network's box as well.
  const buttons = await page.evaluate((sel) => {
    const host = document.querySelector(`${sel} .net-host`).getBoundingClientRect();
    const groups = document.querySelectorAll(`${sel} .unit-buttons`);
    const last = groups[groups.length - 1].getBoundingClientRect();
    return { count: groups.length, inside: last.left >= host.left && last.right <= host.right };
  }, APP);
  assert.deepEqual(buttons, { count: 8, inside: true });
  // The wide panels sit in the centre column, below the network, not in the right one.
  const place = await page.evaluate((sel) => {
    const box = (q) => document.querySelector(`${sel} ${q}`).getBoundingClientRect();
    const net = box('.col.network');
    const out = box('.col.output');
    return Object.fromEntries(['details.health', 'details.explain'].map((q) => {
      const b = box(q);
      return [q, b.left >= net.left - 1 && b.right <= out.left && b.top >= net.bottom - 1];
    }));
  }, APP);
  assert.deepEqual(place, { 'details.health': true, 'details.explain': true });
  // The health table scrolls inside its panel if it must, never past it.
  const health = await page.evaluate((sel) => {
    const panel = document.querySelector(`${sel} details.health`).getBoundingClientRect();
    const host = document.querySelector(`${sel} .health-host`).getBoundingClientRect();
    return host.right <= panel.right + 1;
  }, APP);
  assert.ok(health, 'the health table stays inside its panel');
  assert.deepEqual(await insideImages(page), [], 'no interactive element inside an image role');
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'layout-eight-layers-1400');
  assertClean(s);
});

test('eight hidden layers at 390 px: the network scrolls in its own box with a cue', async (t) => {
  const s = await openApp(server, t, EIGHT, PHONE);
  const { page } = s;
  const width = await pageWidth(page);
  assert.ok(width.doc <= width.win, `the page is ${width.doc} px wide in a ${width.win} px window`);
  const reach = await outputReachable(page);
  assert.ok(reach.scrolls && reach.cueShown && reach.afterScroll, `the network scrolls with a cue: ${JSON.stringify(reach)}`);
  assertClean(s);
});

test('eight hidden layers at every width from 390 px up: no page overflow, the output fits or scrolls with a cue', async (t) => {
  const s = await openApp(server, t, EIGHT, { viewport: { width: 1400, height: 900 } });
  const { page } = s;
  for (const width of [390, 480, 640, 760, 900, 901, 1024, 1200, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    // The view lays itself out again on the next frame after a resize.
    await page.waitForTimeout(300);
    const w = await pageWidth(page);
    assert.ok(w.doc <= w.win, `at ${width} px the page is ${w.doc} px wide`);
    const reach = await outputReachable(page);
    assert.ok(reach.fits || (reach.scrolls && reach.cueShown && reach.afterScroll), `at ${width} px: ${JSON.stringify(reach)}`);
    if (reach.fits) assert.ok(!reach.cueShown, `at ${width} px a network that fits shows no cue`);
  }
  assertClean(s);
});

for (const lang of ['en', 'zh']) {
  test(`a phone (390 × 844, touch, ${lang}): no sideways page, the network whole, taps of 24 px, the map near ▶`, async (t) => {
    const s = await openApp(server, t, `/index.html#dataset=xor&seed=5&lang=${lang}`, PHONE);
    const { page } = s;
    const width = await pageWidth(page);
    assert.ok(width.doc <= width.win, `the page is ${width.doc} px wide in a ${width.win} px window`);
    const reach = await outputReachable(page);
    assert.ok(reach.fits || (reach.scrolls && reach.cueShown && reach.afterScroll), `the output neuron is reachable: ${JSON.stringify(reach)}`);
    // The input names are whole inside the network's box (not cut by its left edge).
    const cut = await page.evaluate((sel) => {
      const host = document.querySelector(`${sel} .net-host`).getBoundingClientRect();
      return [...document.querySelectorAll(`${sel} .node-label`)].filter((l) => {
        const b = l.getBoundingClientRect();
        return b.left < host.left - 1 || l.scrollWidth > l.clientWidth + 1;
      }).map((l) => l.textContent);
    }, APP);
    assert.deepEqual(cut, [], 'input names cut');
    // Every control one can tap is at least 24 × 24 px.
    const small = await page.evaluate((sel) => {
      const seen = [];
      for (const e of document.querySelectorAll(`${sel} :is(button, input, select, summary, label.button)`)) {
        if (e.closest('[hidden]') || e.classList.contains('visually-hidden') || e.type === 'file') continue;
        const b = e.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        if (b.width < 24 || b.height < 24) seen.push(`${e.tagName.toLowerCase()}.${e.className}[${e.type || ''}] ${e.getAttribute('aria-label') || e.textContent.trim().slice(0, 20)}: ${b.width.toFixed(0)}×${b.height.toFixed(0)}`);
      }
      return seen;
    }, APP);
    assert.deepEqual(small, [], 'touch targets under 24 px');
    const gap = await page.evaluate((sel) => {
      const top = (q) => document.querySelector(`${sel} ${q}`).getBoundingClientRect().top + scrollY;
      return top('.plot') - top('button.play');
    }, APP);
    assert.ok(gap <= MAP_BELOW_PLAY_PX, `the map starts ${gap} px below ▶`);
    assert.deepEqual(await insideImages(page), [], 'no interactive element inside an image role');
    await screenshot(page, `layout-phone-${lang}`);
    assertClean(s);
  });
}

test('<nn-playground> is compact by default; `panels` opens the panels it names', async (t) => {
  const s = await openPage(server, '/www/embed.html', { viewport: { width: 1280, height: 1000 } });
  t.after(() => s.close());
  const { page } = s;
  await page.waitForSelector('#demo-spiral .nnp[data-ready=true][data-epoch]');
  const height = await page.evaluate(() => document.getElementById('demo-spiral').getBoundingClientRect().height);
  t.diagnostic(`the spiral element is ${height.toFixed(0)} px tall`);
  assert.ok(height <= ELEMENT_MAX_PX, `the element is ${height} px tall`);
  for (const key of ['metrics', 'insight', 'health', 'explain', 'stopping']) {
    assert.equal(await page.locator(`#demo-spiral .nnp [data-key=${key}]`).first().isVisible(), false, `${key} is left out`);
  }
  await page.evaluate(() => {
    const e = document.createElement('nn-playground');
    e.id = 'demo-panels';
    e.setAttribute('dataset', 'xor');
    e.setAttribute('panels', 'metrics, stopping');
    document.querySelector('main').append(e);
  });
  const P = '#demo-panels .nnp';
  await page.waitForSelector(`${P}[data-ready=true][data-epoch]`);
  for (const key of ['metrics', 'stopping']) assert.equal(await page.locator(`${P} [data-key=${key}]`).first().isVisible(), true, `${key} is shown`);
  for (const key of ['insight', 'health', 'explain']) assert.equal(await page.locator(`${P} [data-key=${key}]`).first().isVisible(), false, `${key} is left out`);
  // In a narrow column of a wide page, the element goes to one column by its own width.
  await page.evaluate(() => {
    const box = document.createElement('div');
    box.style.width = '380px';
    box.id = 'narrow-box';
    const e = document.createElement('nn-playground');
    e.id = 'demo-narrow';
    e.setAttribute('dataset', 'xor');
    box.append(e);
    document.querySelector('main').append(box);
  });
  await page.waitForSelector('#demo-narrow .nnp[data-ready=true][data-epoch]');
  const narrow = await page.evaluate(() => {
    const root = document.getElementById('demo-narrow').shadowRoot.querySelector('.nnp');
    const box = document.getElementById('narrow-box').getBoundingClientRect();
    const right = Math.max(...[...root.querySelectorAll('.cols > *')].map((c) => c.getBoundingClientRect().right));
    return { right, box: box.right, page: document.documentElement.scrollWidth <= innerWidth };
  });
  assert.ok(narrow.right <= narrow.box + 1 && narrow.page, `a 380 px element keeps inside its box: ${JSON.stringify(narrow)}`);
  await page.evaluate(() => document.getElementById('demo-panels').setAttribute('panels', 'all'));
  await waitFor(() => page.locator(`${P}[data-ready=true] [data-key=health]`).first().isVisible(), 'every panel with panels="all"');
  assert.deepEqual(await insideImages(page), [], 'no interactive element inside an image role');
  await page.locator('#demo-spiral').screenshot({ path: await screenshot(page, 'layout-element').then((f) => f.replace(/\.png$/, '-only.png')) });
  assertClean(s);
});

test('a layer width is typed; the output activation and the loss are the engine\'s lists', async (t) => {
  const s = await openApp(server, t, '/index.html#dataset=circle&seed=2', { viewport: { width: 1400, height: 900 } });
  const { page } = s;
  await page.click(`${APP} details.advanced > summary`);
  await page.fill(`${APP} input[data-control=units][data-layer="0"]`, '32');
  await page.press(`${APP} input[data-control=units][data-layer="0"]`, 'Enter');
  await waitFor(async () => (await appState(page)).layers === '32,2', 'a 32-unit first layer');
  const config = await page.evaluate(() => globalThis.playground.config.hidden.map((l) => l.units));
  assert.deepEqual(config, [32, 2]);
  await waitFor(() => page.evaluate(() => /networkShape=32,2(&|$)/.test(location.hash)), 'the link says 32,2');
  // Past the engine's cap: its message, and the layer stays as it was.
  await page.fill(`${APP} input[data-control=units][data-layer="0"]`, '100000');
  await page.press(`${APP} input[data-control=units][data-layer="0"]`, 'Enter');
  await waitFor(async () => /256/.test(await page.textContent(`${APP} .error`)), 'the engine refuses 100000 units');
  assert.equal((await appState(page)).layers, '32,2');
  assert.equal(await page.inputValue(`${APP} input[data-control=units][data-layer="0"]`), '32');

  const ch = await page.evaluate(() => globalThis.playground.choices);
  const options = (key) => page.evaluate(([sel, k]) => [...document.querySelectorAll(`${sel} select[data-control=${k}] option`)].map((o) => o.value), [APP, key]);
  assert.deepEqual(await options('outputActivation'), ['', ...ch.output_activations]);
  assert.deepEqual(await options('loss'), ['', ...ch.losses]);
  assert.ok(ch.losses.includes('mae') && ch.output_activations.includes('sigmoid'));
  await page.selectOption(`${APP} select[data-control=loss]`, 'mae');
  await waitFor(() => page.evaluate(() => globalThis.playground.config.loss === 'mae'), 'the loss in the config');
  await waitFor(() => page.evaluate(() => /(^|[#&])loss=mae(&|$)/.test(location.hash)), 'the loss in the link');
  await page.selectOption(`${APP} select[data-control=outputActivation]`, 'sigmoid');
  await waitFor(() => page.evaluate(() => globalThis.playground.config.output_activation === 'sigmoid'), 'the output activation in the config');
  assertClean(s);
});
