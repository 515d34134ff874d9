// End-to-end tests of CSV files as bytes: an upload in UTF-16 (with and without its last
// newline) reads as its UTF-8 twin does, other bytes are refused in words, and the data and
// prediction downloads write formula cells as text a spreadsheet will not run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const SLOW = 60_000;

/** `text` as UTF-16 with a byte-order mark. */
function utf16(text, bigEndian) {
  const units = [0xfeff, ...Array.from(text, (c) => c.charCodeAt(0))];
  const out = Buffer.alloc(units.length * 2);
  units.forEach((u, i) => (bigEndian ? out.writeUInt16BE(u, 2 * i) : out.writeUInt16LE(u, 2 * i)));
  return out;
}

async function upload(page, name, buffer) {
  await page.setInputFiles(`${APP} .upload input[type=file]`, { name, mimeType: 'text/csv', buffer });
}

test('a UTF-16 file reads as its UTF-8 twin; other bytes are refused in words', async (t) => {
  const s = await openApp(server, t, '/index.html');
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  const rows = ['size,colour,label'];
  for (let i = 0; i < 12; i++) rows.push(`${i * 1.5},${['red', 'blue', 'grün'][i % 3]},${i % 2 ? 'yes' : 'no'}`);
  const text = `${rows.join('\n')}\n`;
  const cells = () => page.locator(`${APP} .preview td`).allTextContents();
  await upload(page, 'plain.csv', Buffer.from(text));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 3, 'the UTF-8 preview');
  const want = await cells();
  assert.ok(want.includes('grün'), want.join(' '));
  for (const [name, bytes] of [
    ['le.csv', utf16(text, false)],
    ['le-no-newline.csv', utf16(text.trimEnd(), false)],
    ['be.csv', utf16(text, true)],
  ]) {
    await upload(page, name, bytes);
    await waitFor(async () => JSON.stringify(await cells()) === JSON.stringify(want), `${name} previewed as the UTF-8 file`);
    assert.deepEqual(await page.locator(`${APP} .preview th`).allTextContents(), ['size', 'colour', 'label'], name);
    assert.equal(await page.textContent(`${APP} .csv-error`), '', name);
  }
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await appState(page)).points === '12', 'the UTF-16 table loaded', SLOW);
  // Latin-1 bytes are not guessed at: the message says what to do.
  await upload(page, 'latin1.csv', Buffer.from('x,name,label\n1,caf\xe9,a\n2,b,b\n', 'latin1'));
  await waitFor(async () => /not UTF-8 or UTF-16 text \(byte 19 cannot be read\); save it as CSV UTF-8/.test(await page.textContent(`${APP} .csv-error`)), 'the encoding refusal');
  assertClean(s);
});

test('downloads write formula cells as quoted text and numbers as numbers', async (t) => {
  const s = await openApp(server, t, '/index.html');
  const { page } = s;
  await page.click(`${APP} .upload summary`);
  const rows = ['x,z,note,label'];
  const notes = ["=cmd|' /C calc'!A0", '@SUM(A1)', 'plain', '-x'];
  for (let i = 0; i < 24; i++) rows.push(`${(i % 6) - 3.5},${i % 5},${notes[i % 4]},${i % 2 ? '=1+2' : '@SUM(A1)'}`);
  await upload(page, 'formulas.csv', Buffer.from(rows.join('\n')));
  await waitFor(async () => (await page.locator(`${APP} .column-list input`).count()) === 4, 'the preview');
  await page.click(`${APP} button:has-text("Use this data")`);
  await waitFor(async () => (await appState(page)).table === 'true', 'the table to load', SLOW);
  await page.click(`${APP} button[aria-label="Train one epoch"]`);

  const download = async (button) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(`${APP} button:has-text("${button}")`)]);
    return readFileSync(await file.path(), 'utf8');
  };
  // A cell a spreadsheet would run: starts with = + - @ tab or CR and is not a number.
  const runnable = (csv) => csv.split('\n').flatMap((l) => l.split(',')).filter((c) => /^[=+\-@\t\r]/.test(c) && !Number.isFinite(Number(c)));
  const data = await download('Download data (CSV)');
  assert.deepEqual(runnable(data), [], data);
  const lines = data.trim().split('\n');
  assert.equal(lines[0], 'x,z,note,label');
  assert.equal(lines[1], `-3.5,0,"'=cmd|' /C calc'!A0","'@SUM(A1)"`);
  assert.equal(lines[2], `-2.5,1,"'@SUM(A1)","'=1+2"`);
  assert.equal(lines[4], `-0.5,3,"'-x","'=1+2"`);

  const predictions = await download('Download predictions');
  assert.deepEqual(runnable(predictions), [], predictions);
  // The class names in truth and prediction are text too; negative inputs stay numbers.
  assert.match(predictions, /,"'=1\+2",/);
  assert.match(predictions, /"'@SUM\(A1\)"/);
  assert.match(predictions, /\n-\d\.5,/);
  assertClean(s);
});
