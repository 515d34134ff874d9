// Smoke test of the served page in headless Firefox (Debian's firefox-esr, driven through
// geckodriver by selenium-webdriver): the page loads under its strict CSP, the circle trains
// to a test loss under 0.05, a CSV loads, and two <nn-playground> elements train on one page.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Builder, By } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { startServer, waitFor } from '../e2e/harness.mjs';

const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
const GECKODRIVER = process.env.GECKODRIVER || 'geckodriver';
const APP = '#app .nnp';

let server;
let driver;
const scratch = mkdtempSync(join(tmpdir(), 'nnp-firefox-'));
before(async () => {
  server = await startServer();
  // Paths given for both, so Selenium Manager never tries to download anything.
  const options = new firefox.Options().setBinary(FIREFOX).addArguments('-headless');
  driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(GECKODRIVER))
    .build();
  const caps = await driver.getCapabilities();
  console.log(`firefox ${caps.getBrowserVersion()}`);
});
after(async () => {
  await driver?.quit();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The `.nnp` root's data attributes: in the document, or inside an element's shadow root. */
const state = (host = null) =>
  driver.executeScript(
    (h, app) => {
      const root = h ? document.querySelector(h)?.shadowRoot?.querySelector('.nnp') : document.querySelector(app);
      return root ? { ...root.dataset } : null;
    },
    host,
    APP,
  );

/**
 * Opens `path` and records CSP violations from then on, in an attribute: WebDriver scripts
 * see the page's DOM, not objects a previous script left on its globals.
 */
async function open(path) {
  await driver.get(new URL(path, server.url).href);
  await driver.executeScript(() => {
    const html = document.documentElement;
    html.dataset.csp = '';
    document.addEventListener('securitypolicyviolation', (e) => {
      html.dataset.csp += `${e.effectiveDirective} ${e.blockedURI}\n`;
    });
  });
}

async function assertCleanCsp() {
  assert.equal(await driver.executeScript(() => document.documentElement.dataset.csp), '', 'CSP violations');
}

test('the page loads cross-origin isolated under its CSP and trains the circle below 0.05', async () => {
  const res = await fetch(new URL('/index.html', server.url));
  assert.match(res.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval';/);
  await open('/index.html#dataset=circle&seed=1');
  await waitFor(async () => (await state())?.ready === 'true', 'the worker to be ready', 60_000);
  assert.equal(await driver.executeScript(() => globalThis.crossOriginIsolated), true);
  await driver.findElement(By.css(`${APP} button.play`)).click();
  const d = await waitFor(async () => {
    const s = await state();
    return Number(s.testLoss) < 0.05 && s;
  }, 'test loss below 0.05', 90_000);
  await driver.findElement(By.css(`${APP} button.play`)).click();
  console.log(`firefox: circle test loss ${Number(d.testLoss).toFixed(4)} at epoch ${d.epoch}`);
  await assertCleanCsp();
});

test('a CSV file loads', async () => {
  await open('/index.html');
  await waitFor(async () => (await state())?.ready === 'true', 'the worker to be ready', 60_000);
  await driver.findElement(By.css(`${APP} .upload summary`)).click();
  const rows = ['a,b,class'];
  for (let i = 0; i < 30; i++) rows.push(`${i / 3 - 5},${(i % 7) - 3},${i % 2 ? 'yes' : 'no'}`);
  const file = join(scratch, 'good.csv');
  writeFileSync(file, rows.join('\n'));
  await driver.findElement(By.css(`${APP} .upload input[type=file]`)).sendKeys(file);
  await waitFor(
    () => driver.executeScript((app) => document.querySelectorAll(`${app} .preview tr`).length > 1, APP),
    'the preview',
  );
  await driver.executeScript((app) => {
    const use = [...document.querySelectorAll(`${app} button`)].find((b) => b.textContent.includes('Use this data'));
    use.click();
  }, APP);
  await waitFor(async () => {
    const s = await state();
    return s.dataset === 'custom' && s.points === '30';
  }, 'the 30 uploaded points');
  assert.equal(await driver.findElement(By.css(`${APP} .csv-error`)).getText(), '');
  await assertCleanCsp();
});

test('two <nn-playground> elements on one page train', async () => {
  await open('/www/embed.html');
  for (const id of ['#demo-spiral', '#demo-circle']) {
    await waitFor(async () => (await state(id))?.ready === 'true', `${id} to be ready`, 60_000);
    await driver.executeScript((h) => document.querySelector(h).shadowRoot.querySelector('button.play').click(), id);
  }
  for (const id of ['#demo-spiral', '#demo-circle']) {
    await waitFor(async () => Number((await state(id)).epoch) > 20, `${id} to train`, 60_000);
  }
  await assertCleanCsp();
});
