// End-to-end tests of wide uploaded tables in the page: the column picker from the engine's
// reader, training to an epoch limit, the metrics and model report, the map's axes and held
// values, prediction downloads checked against the page's metrics, a regression table's
// scatter, and a bad table that keeps the old data.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, rng, screenshot, startServer, waitFor } from './harness.mjs';

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

/** 17 numeric columns (informative, redundant, noise), a text column, missing cells, label. */
function clusterCsv(rows, seed) {
  const r = rng(seed);
  const names = [...Array.from({ length: 17 }, (_, j) => `f${j}`), 'shape', 'species'];
  const lines = [names.join(',')];
  const species = ['setosa', 'versicolor', 'virginica'];
  for (let i = 0; i < rows; i++) {
    const c = i % 3;
    const info = Array.from({ length: 6 }, (_, j) => (j % 3 === c ? 2 : -0.5) + 0.8 * r.normal());
    const cells = [...info, ...info.map((v, j) => 0.5 * v + 0.5 * info[(j + 1) % 6]), ...Array.from({ length: 5 }, () => 3 * r.normal())].map((v) => v.toFixed(4));
    cells.push(['round', 'square', 'star'][(c + (r.next() < 0.2 ? 1 : 0)) % 3]);
    if (i % 11 === 3) cells[(i * 7) % 18] = ['', 'NA', '?'][i % 3];
    cells.push(species[c]);
    lines.push(cells.join(','));
  }
  return lines.join('\n');
}

async function upload(page, name, text) {
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

async function trainTo(page, epochs) {
  const field = `${APP} input[data-control=epochLimit]`;
  await page.fill(field, String(epochs));
  await page.press(field, 'Enter');
  await page.locator(field).dispatchEvent('change');
  await waitFor(async () => (await page.evaluate((sel) => document.querySelector(sel).value, field)) === String(epochs), 'the epoch limit');
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await state(page)).epoch) >= epochs && (await state(page)).running === 'false', `${epochs} epochs`, 60_000);
}

test('a 20-column table with text and missing cells trains; views, slice and predictions agree', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=3');
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  await upload(page, 'clusters.csv', clusterCsv(300, 7));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 19, 'the column picker');
  assert.equal(await page.inputValue(`${APP} .upload select[aria-label="Label column"]`), 'species');
  assert.match(await page.textContent(`${APP} .column-list`), /shape text, 3 values/);
  await page.selectOption(`${APP} .upload select[aria-label="Missing cells"]`, 'fill');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).table === 'true', 'the table to load');
  assert.match(await page.textContent(`${APP} .csv-report`), /Using 300 of 300 rows\. .* missing cell\(s\) filled/);
  // The network names its 17 + 3 inputs.
  const net = await page.textContent(`${APP} .net-host`);
  assert.match(net, /shape=star/);

  await trainTo(page, 40);
  const accuracyText = await page.textContent(`${APP} [data-metric=accuracy]`);
  const accuracy = parseFloat(accuracyText) / (accuracyText.includes('%') ? 100 : 1);
  assert.ok(accuracy > 0.85, `accuracy ${accuracyText}`);
  // The per-class table names the classes.
  const classes = await page.locator(`${APP} .class-table tr[data-class]`).allTextContents();
  assert.deepEqual(classes.map((r) => r.split(/\d/)[0]), ['setosa', 'versicolor', 'virginica']);

  // Predictions of the test rows, checked against the page's accuracy.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${APP} button:has-text("Download predictions")`)]);
  const rows = readFileSync(await download.path(), 'utf8').trim().split('\n');
  const header = rows[0].split(',');
  assert.deepEqual(header.slice(-5), ['truth', 'prediction', 'p(setosa)', 'p(versicolor)', 'p(virginica)']);
  assert.equal(rows.length - 1, 150);
  const ti = header.indexOf('truth');
  const right = rows.slice(1).filter((l) => { const f = l.split(','); return f[ti] === f[ti + 1]; }).length;
  assert.ok(Math.abs(right / 150 - accuracy) < 0.01, `downloaded ${right}/150 against ${accuracyText}`);

  // A new file with the same columns (no label needed) gets predictions; one without a
  // trained column is refused, naming it.
  const fresh = clusterCsv(30, 99).split('\n').map((l) => l.split(',').slice(0, -1).join(',')).join('\n');
  const [pred] = await Promise.all([page.waitForEvent('download'), page.setInputFiles(`${APP} .insight input[type=file]`, { name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from(fresh) })]);
  const predicted = readFileSync(await pred.path(), 'utf8').trim().split('\n');
  assert.equal(predicted.length, 31);
  assert.match(predicted[0], /,prediction,p\(setosa\),p\(versicolor\),p\(virginica\)$/);
  await page.setInputFiles(`${APP} .insight input[type=file]`, { name: 'short.csv', mimeType: 'text/csv', buffer: Buffer.from('f0,f1\n1,2\n') });
  await waitFor(async () => /Prediction failed: .*"f2"/.test(await page.textContent(`${APP} .messages`)), 'the refusal naming f2');

  // Switching the map's axes and a held value changes the map.
  const grid = async () => page.evaluate((sel) => document.querySelector(`${sel} canvas.heat`).toDataURL(), APP);
  const before = await grid();
  await page.selectOption(`${APP} select[aria-label="Map horizontal axis"]`, 'column:5');
  await waitFor(async () => (await grid()) !== before, 'the map on a new axis');
  const onF5 = await grid();
  await page.selectOption(`${APP} select[aria-label="Map vertical axis"]`, 'component:1');
  await waitFor(async () => (await page.inputValue(`${APP} select[aria-label="Map horizontal axis"]`)) === 'component:0', 'PC1 across');
  await waitFor(async () => (await grid()) !== onF5, 'the map on the principal components');
  await page.selectOption(`${APP} select[aria-label="Map horizontal axis"]`, 'column:0');
  await page.click(`${APP} .held summary`).catch(() => {});
  const pcs = await grid();
  const slider = page.locator(`${APP} input[aria-label="Held value of f3"]`);
  await slider.evaluate((e) => { e.value = e.max; e.dispatchEvent(new Event('change')); });
  await waitFor(async () => (await grid()) !== pcs, 'the map after moving a held value');

  // Feature importance ranks the informative columns above the noise.
  await page.click(`${APP} button:has-text("Feature importance")`);
  await waitFor(async () => (await state(page)).importance?.length > 2, 'feature importance', 60_000);
  const imp = JSON.parse((await state(page)).importance);
  const mean = Object.fromEntries(imp);
  assert.ok(mean.f0 > mean.f16, JSON.stringify(imp));
  await screenshot(page, 'table-upload');
  clean(s);
});

test('a regression table shows the scatter and errors in its own units', async (t) => {
  const s = await open(t);
  const { page } = s;
  const r = rng(5);
  const lines = ['a,b,c,noise,price'];
  for (let i = 0; i < 300; i++) {
    const [a, b, c, n] = [r.normal(), r.normal(), r.normal(), r.normal()];
    lines.push([a, b, c, n, 1000 + 300 * a - 200 * b + 150 * Math.sin(2 * c)].map((v) => v.toFixed(4)).join(','));
  }
  await page.click(`${APP} .upload summary`);
  await upload(page, 'prices.csv', lines.join('\n'));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 5, 'the column picker');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).task === 'regression' && (await state(page)).table === 'true', 'the regression table');
  await page.selectOption(`${APP} select[data-control=optimizer]`, 'adam').catch(() => {});
  await trainTo(page, 60);
  await waitFor(async () => Number((await state(page)).r2) > 0.8, 'R² above 0.8', 30_000);
  assert.match(await page.textContent(`${APP} .insight-text`), /R² .* MAE .* RMSE/);
  const mae = Number((await page.textContent(`${APP} .insight-text`)).match(/MAE ([\d.e+-]+)/)[1]);
  assert.ok(mae > 5 && mae < 200, `MAE ${mae} in the price's units`);
  clean(s);
});

test('a bad table says what is wrong and keeps the data and model', async (t) => {
  const s = await open(t, '/index.html#dataset=xor&seed=2');
  const { page } = s;
  const before = await state(page);
  await page.click(`${APP} .upload summary`);
  await upload(page, 'dup.csv', 'a,b,a\n1,2,3\n4,5,6\n');
  await waitFor(async () => (await page.textContent(`${APP} .csv-error`)).length > 0, 'the header refusal');
  assert.match(await page.textContent(`${APP} .csv-error`), /column 1 and column 3 both "a"/);
  await upload(page, 'one-class.csv', 'x,y,z,label\n1,2,3,a\n4,5,6,a\n7,8,9,a\n');
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 4, 'the column picker');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => /single class|at least two/.test(await page.textContent(`${APP} .csv-error`)), 'the one-class refusal');
  const after = await state(page);
  assert.equal(after.dataset, 'xor');
  assert.equal(after.points, before.points);
  assert.notEqual(after.table, 'true');
  clean(s);
});

test('a reload keeps an uploaded table that fits, and says so plainly for one that does not', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&seed=4');
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  await upload(page, 'small.csv', clusterCsv(120, 3));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 19, 'the column picker');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).table === 'true', 'the table');
  const saved = () => page.evaluate(() => JSON.parse(sessionStorage.getItem('nn-playground:before-reload') || 'null'));
  // The address follows the new data a moment later (and the snapshot is saved for it):
  // a reload before that would load the old address, which the snapshot no longer matches.
  await waitFor(async () => {
    const v = await saved();
    return v?.snapshot?.bytes64 && v.hash.includes('dataset=custom') && v.hash === (await page.evaluate(() => location.hash.slice(1)));
  }, 'the packed snapshot for the new address', 20_000);
  const rowsUsed = (await state(page)).points;
  await page.reload();
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  await waitFor(async () => (await state(page)).table === 'true' && (await state(page)).points === rowsUsed, 'the table after a reload', 20_000);
  await page.click(`${APP} .upload summary`);

  // 100 000 rows of 8 random numbers: about 5 MB of text, too much for the tab's storage.
  const r = rng(11);
  const lines = ['a,b,c,d,e,f,g,h,label'];
  for (let i = 0; i < 100_000; i++) lines.push([...Array.from({ length: 8 }, () => r.next().toFixed(4)), i % 2].join(','));
  await upload(page, 'big.csv', lines.join('\n'));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 9, 'the big column picker', 60_000);
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).points === '100000', 'the big table', 60_000);
  await waitFor(async () => {
    const v = await saved();
    return v?.snapshot?.dataLost && v.hash.includes('label=label') && v.hash === (await page.evaluate(() => location.hash.slice(1)));
  }, 'a snapshot without the data, for the new address', 30_000);
  await page.reload();
  await page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  await waitFor(async () => /too large to keep over a reload/.test(await page.textContent(`${APP} .messages`)), 'the message', 20_000);
  assert.match(await page.textContent(`${APP} .messages`), /100,000 rows.*load the CSV file again/);
  clean(s);
});

test('a link to uploaded data says that links do not carry data', async (t) => {
  const s = await open(t, '/index.html#dataset=custom&seed=2');
  await waitFor(async () => /links do not carry data/.test(await s.page.textContent(`${APP} .messages`)), 'the message');
  clean(s);
});

test('semicolon and tab files preview with the engine\'s reader, quoted fields included', async (t) => {
  const s = await open(t);
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  const rows = ['x;y;"name; with semicolon";label'];
  for (let i = 0; i < 20; i++) rows.push(`${i % 5};${i % 3};"a ""quoted""; field ${i % 2}";${i % 2 ? 'yes' : 'no'}`);
  await upload(page, 'semi.csv', rows.join('\n'));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 4, 'four columns');
  const heads = await page.locator(`${APP} .preview th`).allTextContents();
  assert.deepEqual(heads, ['x', 'y', 'name; with semicolon', 'label']);
  assert.match(await page.textContent(`${APP} .csv-report`), /delimiter ;/);
  assert.equal(await page.textContent(`${APP} .preview tr:nth-child(2) td:nth-child(3)`), 'a "quoted"; field 0');
  const tabs = ['a\tb\tlabel', ...Array.from({ length: 12 }, (_, i) => `${i}\t${i % 4}\t${i % 2}`)];
  await upload(page, 'tabs.tsv', tabs.join('\n'));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 3, 'three tab-separated columns');
  assert.match(await page.textContent(`${APP} .csv-report`), /delimiter tab/);
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await state(page)).points === '12', 'the tab-separated data');
  clean(s);
});
