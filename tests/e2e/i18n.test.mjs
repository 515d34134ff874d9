// The page's string tables (www/i18n/), alone in Node: both languages have the same keys
// with the same placeholders, every key the page code names exists, and the lookups, the
// language switch and the engine-error translation behave as the page relies on.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import en from '../../www/i18n/en.js';
import zh from '../../www/i18n/zh.js';
import { pathToFileURL } from 'node:url';
import { t, lang, setLang, onLangChange, phrase, engineMessage, named, hasText, CHOICE_PREFIX } from '../../www/i18n/index.js';
import names from '../../www/i18n/names.js';
import { repoRoot } from './harness.mjs';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('English and Chinese have the same keys and the same placeholders', () => {
  const missingZh = Object.keys(en).filter((k) => !(k in zh));
  const missingEn = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual(missingZh, [], `keys missing in zh.js: ${missingZh.join(', ')}`);
  assert.deepEqual(missingEn, [], `keys missing in en.js: ${missingEn.join(', ')}`);
  for (const k of Object.keys(en)) {
    assert.equal(typeof en[k], 'string', k);
    assert.equal(typeof zh[k], 'string', k);
    assert.deepEqual(placeholders(zh[k]), placeholders(en[k]), `placeholders of ${k}`);
    // Only the language names and a few formula-like strings read the same in both.
    if (zh[k] === en[k]) assert.ok(!/[a-z]{3,}/.test(en[k]) || k === 'lang.name', `${k} is not translated: ${en[k]}`);
  }
});

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.js') || p.endsWith('.html') ? [p] : [];
  });
}

test('every key the page names is in the tables', () => {
  const used = new Map();
  const sources = [...files(join(repoRoot, 'www')), join(repoRoot, 'index.html')].filter((p) => !p.includes(`${join('www', 'i18n')}`));
  for (const p of sources) {
    const text = readFileSync(p, 'utf8');
    // t('key'), tr('key'), { key: 'key' }, pageError('key'), data-i18n="key"
    for (const m of text.matchAll(/\b(?:t|tr|pageError)\(\s*'([\w.]+)'|(?<!dataset: )\{ key: '([\w.]+)'|data-i18n="([\w.]+)"/g)) {
      used.set(m[1] ?? m[2] ?? m[3], relative(repoRoot, p));
    }
    // Keys picked between two: t(cond ? 'a' : 'b'), { key: cond ? 'a' : 'b' }
    for (const m of text.matchAll(/(?:\b(?:t|tr)\(|\{ key:)\s*[^'(){}]*\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) {
      used.set(m[1], relative(repoRoot, p));
      used.set(m[2], relative(repoRoot, p));
    }
  }
  assert.ok(used.size > 200, `only ${used.size} keys found: the scan is broken`);
  const missing = [...used].filter(([k]) => !(k in en)).map(([k, f]) => `${k} (${f})`);
  assert.deepEqual(missing, [], `keys used but not defined: ${missing.join(', ')}`);
});

test('lookups fill placeholders, fall back to English and follow the switch', () => {
  const before = lang();
  setLang('en');
  const seen = [];
  const stop = onLangChange((l) => seen.push(l));
  setLang('en');
  assert.equal(t('layers.many', { n: 3 }), '3 hidden layers');
  setLang('zh');
  assert.equal(lang(), 'zh');
  assert.equal(t('layers.many', { n: 3 }), '3 个隐藏层');
  assert.equal(t('no.such.key'), 'no.such.key');
  // Names of methods stay as they are; words get their translation.
  const opts = Object.fromEntries(named('opt', ['adam', 'momentum']).map(([v, n]) => [v, n()]));
  assert.deepEqual(opts, { adam: 'Adam', momentum: '动量' });
  // Page messages, nested, with engine errors inside.
  assert.equal(phrase({ key: 'importFailed', vars: { message: { key: 'link.noData' } } }), `导入失败：${zh['link.noData']}`);
  assert.equal(phrase([{ key: 'linkCopied' }, { key: 'modelImported' }]), '链接已复制。 模型已导入。');
  setLang('zh');
  stop();
  setLang('en');
  assert.deepEqual(seen, ['zh'], 'listeners run once per change, and not after they stop');
  setLang(before);
});

test('engine errors are said by their code, unknown codes in the engine\'s own words', () => {
  const before = lang();
  setLang('zh');
  const csv = { message: 'CSV line 3, column 2: "abc" is not a number', code: 'csv_cell', args: { line: 3, column: 2, detail: '"abc" is not a number' } };
  assert.equal(engineMessage(csv), `CSV 第 3 行第 2 列："abc" is not a number`);
  // The same message as plain text (no code) is read by its kind.
  assert.equal(engineMessage(csv.message), engineMessage(csv));
  // A common message: its words from their own code, the values where Chinese puts them.
  const ragged = { message: 'CSV line 3: found 2 fields, expected 3 like the first row', code: 'csv_line', args: { line: '3', detail: 'found 2 fields, expected 3 like the first row', detail_code: 'csv_ragged', found: '2', width: '3' } };
  assert.equal(engineMessage(ragged), 'CSV 第 3 行：有 2 个字段，应与第一行一样为 3 个');
  const unknown = { message: 'something new went wrong', code: 'no_such_code', args: {} };
  assert.equal(engineMessage(unknown), 'something new went wrong');
  assert.equal(engineMessage('plain text from elsewhere'), 'plain text from elsewhere');
  setLang('en');
  assert.equal(engineMessage(csv), csv.message, 'English shows the engine text as it is');
  setLang(before);
});

test('every engine error code has its message in both languages', () => {
  const rust = readFileSync(join(repoRoot, 'src', 'error.rs'), 'utf8');
  const body = rust.slice(rust.indexOf('pub fn code(&self)'), rust.indexOf('pub fn args(&self)'));
  const codes = [...body.matchAll(/=> "(\w+)"/g)].map((m) => m[1]);
  assert.ok(codes.length >= 10, `only ${codes.length} codes found in src/error.rs`);
  for (const c of codes) assert.ok(`err.${c}` in en && `err.${c}` in zh, `err.${c} missing`);
  // The stopping rules' codes too (src/session/train.rs, `Stop::code`).
  const train = readFileSync(join(repoRoot, 'src', 'session', 'train.rs'), 'utf8');
  const stops = [...train.slice(train.indexOf('impl Stop {'), train.indexOf('pub fn args(&self)')).matchAll(/=> "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(stops, ['epoch_limit', 'early_stopping']);
  for (const c of stops) assert.ok(`err.stop_${c}` in en && `err.stop_${c}` in zh, `err.stop_${c} missing`);
  // The common messages' codes (src/error_detail.rs): English is the engine's template.
  const details = readFileSync(join(repoRoot, 'src', 'error_detail.rs'), 'utf8');
  const table = details.slice(details.indexOf('pub const DETAILS'), details.indexOf('];'));
  const templates = [...table.matchAll(/\(\s*"(\w+)",\s*"((?:[^"\\]|\\.)*)",?\s*\)/g)];
  assert.ok(templates.length >= 16, `only ${templates.length} templates found`);
  for (const [, code, template] of templates) {
    assert.equal(en[`detail.${code}`], JSON.parse(`"${template}"`), `detail.${code}`);
    assert.ok(`detail.${code}` in zh, `detail.${code} missing in zh.js`);
  }
  // The usual divergence hint is said by the page; it must be the engine's very words.
  const hint = /DIVERGENCE_HINT: &str =\s*"([^"]*)"/.exec(rust)[1];
  assert.equal(en['err.diverged.hint'], hint);
});

/** One of the engine's builds (`pkg/`, the full one), loaded in Node. */
async function engine(build = 'pkg') {
  const wasm = await import(pathToFileURL(join(repoRoot, build, 'nn_playground.js')).href);
  wasm.initSync({ module: readFileSync(join(repoRoot, build, 'nn_playground_bg.wasm')) });
  return wasm;
}

test('every id the engine offers has a label in both languages', async () => {
  const wasm = await engine();
  const seq = wasm;
  const described = { choices: wasm.choices(), sequenceChoices: seq.sequenceChoices() };
  let checked = 0;
  for (const [from, lists] of Object.entries(described)) {
    for (const [list, value] of Object.entries(lists)) {
      if (!Array.isArray(value) || value.length === 0) continue;
      const ids = value.map((c) => (typeof c === 'object' ? c.id : c));
      // Numbers, paces ("1" … "max") and features (the engine gives their formula) are
      // shown as they are; every other list of ids must have a prefix and a text for each.
      if (ids.every((id) => typeof id === 'number') || list === 'speeds') continue;
      if (list === 'features') {
        for (const f of value) assert.ok(f.label, `feature ${f.id} has no label from the engine`);
        continue;
      }
      const prefix = CHOICE_PREFIX[list];
      assert.ok(prefix, `${from}().${list} is a list of ids the page has no labels for`);
      for (const id of ids) {
        for (const l of ['en', 'zh']) assert.ok(hasText(`${prefix}.${id}`, l), `${prefix}.${id} (${from}().${list}) has no ${l} text`);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 40, `only ${checked} ids checked: the scan is broken`);
  // A shared name is for one language and all: none is also a word of one table.
  const both = Object.keys(names).filter((k) => k in en || k in zh);
  assert.deepEqual(both, [], `names.js keys also in a language's strings: ${both.join(', ')}`);
});

test('the page copies no list of the engine', () => {
  // What options.js held and the feature maths network.js had: gone for the engine's
  // choices() and featureGrids. A list of the engine's ids, quoted, must not come back.
  const sources = files(join(repoRoot, 'www')).filter((p) => !p.includes(`${join('www', 'i18n')}`));
  const lists = [["'relu', 'tanh'", 'activations'], ["'sgd', 'momentum'", 'optimizers'], ["'circle', 'xor'", 'datasets'],
    ["'plane', 'multi_gauss'", 'the regression sets'], ["'x1_squared'", 'features'], ['Math.sin(', 'feature maths'], ["'val_loss', 'loss'", 'monitors'],
    ["'precision'", "the metrics panel's rows (choices().metrics)"], ["'mae'", "the metrics panel's rows (choices().metrics)"]];
  // Copies that are numbers, not quoted ids: a label value paired with its label's key (the
  // labels a click adds, choices().click_labels) and the Sequences mode's input ranges
  // (sequenceChoices().learning_rate, warmup, seed).
  const patterns = [[/\[\s*-?[01]\s*,\s*tr?\('class\./, 'click labels (choices().click_labels)'],
    [/\b100_?000\b/, 'warm-up cap (sequenceChoices().warmup)'], [/\b0\.0000?1\b/, 'learning-rate range (sequenceChoices().learning_rate)'],
    [/MAX_SAFE_INTEGER/, 'seed range (sequenceChoices().seed)']];
  for (const p of sources) {
    const text = readFileSync(p, 'utf8');
    for (const [needle, what] of lists) assert.ok(!text.includes(needle), `${relative(repoRoot, p)} copies the engine's ${what} (${needle})`);
    for (const [re, what] of patterns) assert.ok(!re.test(text), `${relative(repoRoot, p)} copies the engine's ${what} (${re})`);
  }
  // The same scan finds the old copies, so it would catch one coming back.
  const old = "[[1, t('class.plus')], [-1, t('class.minus')]] num('warmup', 0, 100000, 1) num('learningRate', 0.00001, 10) Number.MAX_SAFE_INTEGER";
  for (const [re, what] of patterns) assert.ok(re.test(old), `the pattern for the ${what} finds the old copy`);
});

/** `(code, template)` pairs of a table in src/error_detail.rs (`DETAILS`, `WANTS`). */
function detailTable(name) {
  const text = readFileSync(join(repoRoot, 'src', 'error_detail.rs'), 'utf8');
  const from = text.indexOf(`pub const ${name}`);
  const table = text.slice(from, text.indexOf('];', from));
  return [...table.matchAll(/\(\s*"(\w+)",\s*"((?:[^"\\]|\\.)*)",?\s*\)/g)].map(([, code, t]) => [code, JSON.parse(`"${t}"`)]);
}

// Words a Chinese message keeps as they are: names of formats, APIs, the project, and the
// identifiers a link or a file spells (schedule and early-stopping syntax, JSON keys).
const NAMES = new Set(['CSV', 'UTF', 'JSON', 'base64url', 'NUL', 'nn-playground', 'WebGPU', 'CPU', 'MB', 'format', 'auto', 'max', 'none', 'true', 'false',
  'constant', 'step', 'EVERY', 'FACTOR', 'exponential', 'STEPS', 'RATE', 'cosine', 'MIN_LR', 'MONITOR', 'PATIENCE', 'MIN_DELTA', 'val_loss', 'JavaScript', 'trainFor']);

/** The English words of `text` that are not names. */
function englishWords(text) {
  return [...text.matchAll(/[A-Za-z][\w-]*[A-Za-z]/g)].map((m) => m[0]).filter((w) => !NAMES.has(w));
}

test('under zh every coded engine message reads wholly in Chinese, names aside', () => {
  const before = lang();
  setLang('zh');
  // Sample values: numbers (the engine's values are numbers, names and the user's cells).
  const fill = (template) => template.replace(/\{(\w+)\}/g, '7');
  const values = (template) => Object.fromEntries(placeholders(template).map((p) => [p, '7']));
  const rust = readFileSync(join(repoRoot, 'src', 'error.rs'), 'utf8');
  const codes = [...rust.slice(rust.indexOf('pub fn code(&self)'), rust.indexOf('pub fn args(&self)')).matchAll(/=> "(\w+)"/g)].map((m) => m[1]);
  const said = [];
  // Each kind, with a detail already in Chinese.
  for (const code of codes) said.push([code, engineMessage({ message: 'x', code, args: { detail: '细节', line: 3, column: 2, epoch: 1, step: 2 } })]);
  // Each common message inside each kind that carries it, its values filled in.
  for (const [code, template] of detailTable('DETAILS')) {
    const args = { detail: fill(template), detail_code: code, ...values(template), line: 3, column: 2 };
    for (const kind of ['data', 'csv_line', 'csv_cell', 'format', 'limit', 'config']) said.push([`${kind}/${code}`, engineMessage({ message: 'x', code: kind, args })]);
  }
  // Each thing a link setting must be, inside the link notice.
  for (const [code, template] of detailTable('WANTS')) {
    const detail = `link setting noise="55" is not valid: expected ${fill(template)}`;
    const args = { detail, detail_code: 'link_value', key: 'noise', value: '"55"', want: fill(template), want_code: code, ...values(template) };
    said.push([`link_value/${code}`, engineMessage({ message: detail, code: 'config', args })]);
  }
  assert.ok(said.length > 150, `only ${said.length} messages: the scan is broken`);
  const english = said.map(([c, text]) => [c, text, englishWords(text.replace('noise', ''))]).filter(([, , w]) => w.length);
  assert.deepEqual(english.map(([c, text, w]) => `${c}: ${w.join(' ')} in ${text}`), []);
  // The scan finds English: an uncoded detail stays as the engine wrote it.
  assert.deepEqual(englishWords(engineMessage({ message: 'x', code: 'data', args: { detail: 'something new' } })), ['something', 'new']);
  setLang(before);
});
