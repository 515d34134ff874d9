// The page's language: the current one, `t(key, vars)` lookups into its strings (`tr` for
// texts that follow a switch), messages (`phrase`: the page's own and the engine's errors by
// their code), and an event when it changes, so the UI can say its texts again at once.

import en from './en.js';
import zh from './zh.js';
import names from './names.js';

export const LANGS = { en, zh };

/** The browser's choice: any Chinese variant gets Chinese, everything else English. */
function browserLang() {
  const l = (globalThis.navigator?.language || 'en').toLowerCase();
  return l.startsWith('zh') ? 'zh' : 'en';
}

let current = browserLang();
const listeners = new Set();

export function lang() {
  return current;
}

/** The current language as an HTML `lang` value (`zh-CN` picks Simplified Han glyphs). */
export function htmlLang() {
  return current === 'zh' ? 'zh-CN' : 'en';
}

/** Switches the language (`null` follows the browser); listeners run only on a change. */
export function setLang(next) {
  const want = LANGS[next] ? next : browserLang();
  if (want === current) return;
  current = want;
  for (const fn of [...listeners]) fn(current);
}

/** Calls `fn(lang)` after every change; returns the function that stops it. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * The current language's text for `key` with `{name}` placeholders filled from `vars`.
 * A key missing in Chinese falls back to English, then to the names every language writes
 * alike (`names.js`: ReLU, Adam, …), and a missing one altogether shows the key, so a gap is
 * visible rather than blank.
 */
export function t(key, vars) {
  const s = LANGS[current][key] ?? en[key] ?? names[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}

/** `t(key, vars)` as a text that follows the language (for `h` and `say` in dom.js). */
export function tr(key, vars) {
  return () => t(key, vars);
}

/**
 * `[id, label]` options for the engine's ids (from its `choices()`), each labelled by the
 * text `prefix.id` as a text that follows the language.
 */
export function named(prefix, ids) {
  return ids.map((id) => [id, tr(`${prefix}.${id}`)]);
}

/**
 * The prefix of the texts that label each list of the engine's `choices()` and
 * `sequenceChoices()` by id (`act.relu`, `set.circle`, …). Lists of numbers, paces and
 * features (the engine gives their formula) need none.
 */
export const CHOICE_PREFIX = {
  datasets: 'set', activations: 'act', output_activations: 'act', losses: 'loss', optimizers: 'opt', schedules: 'sched', regularizations: 'reg', inits: 'init',
  monitors: 'monitor', backends: 'backend', table_tasks: 'csv', missing: 'csv', tasks: 'seq.tasks',
  metrics: 'metric', click_labels: 'class',
};

/** `named` for the list `list` of `choices` (plain ids or `{id, …}` entries). */
export function choiceOptions(choices, list) {
  return named(CHOICE_PREFIX[list], choices[list].map((c) => (typeof c === 'object' ? c.id : c)));
}

/** True when `key` has a text (in the strings of `lang`, English, or the shared names). */
export function hasText(key, lang = current) {
  return key in LANGS[lang] || key in en || key in names;
}

/** An Error of the page's own (`key`, `vars`), said in the language current when shown. */
export function pageError(key, vars) {
  return Object.assign(new Error(t(key, vars)), { page: { key, vars } });
}

/**
 * A message in the current language. Messages are plain engine text (translated by its
 * code, see `engineMessage`), `{key, vars}` for the page's own strings (vars may be
 * messages too), or an array of messages said one after the other.
 */
export function phrase(msg) {
  if (msg === null || msg === undefined) return '';
  if (Array.isArray(msg)) return msg.map(phrase).filter(Boolean).join(' ');
  if (typeof msg === 'object' && Array.isArray(msg.list)) return msg.list.map(phrase).join(t('list.sep'));
  if (typeof msg === 'object' && 'key' in msg) {
    const vars = {};
    for (const [k, v] of Object.entries(msg.vars || {})) vars[k] = typeof v === 'number' ? v : phrase(v);
    return t(msg.key, vars);
  }
  if (typeof msg === 'object' && msg.page) return phrase(msg.page);
  if (typeof msg === 'object' && 'message' in msg) return engineMessage(msg);
  return engineMessage(String(msg));
}

// The engine's message kinds (its error type's `Display`) with their stable codes, for text
// that reached the page without its code (e.g. inside a stop reason).
const KINDS = [
  ['invalid configuration: ', 'config'],
  ['shape mismatch: ', 'shape'],
  ['invalid data: ', 'data'],
  ['unreadable file: ', 'format'],
  ['too large: ', 'limit'],
  ['not available in this build: ', 'not_compiled'],
  ['backend error: ', 'backend'],
];

/** The code and values of an engine message given as plain text, or null. */
function codeOf(text) {
  for (const [prefix, code] of KINDS) {
    if (text.startsWith(prefix)) return { code, args: { detail: text.slice(prefix.length) } };
  }
  const csv = /^CSV line (\d+)(?:, column (\d+))?: ([\s\S]*)$/.exec(text);
  if (csv) return { code: csv[2] ? 'csv_cell' : 'csv_line', args: { line: csv[1], column: csv[2], detail: csv[3] } };
  const div = /^training diverged \(non-finite loss at epoch (\d+), step (\d+)\); the last finite weights were kept\. ([\s\S]*)$/.exec(text);
  if (div) return { code: 'diverged', args: div[3] === en['err.diverged.hint'] ? { epoch: div[1], step: div[2] } : { epoch: div[1], step: div[2], hint: div[3] } };
  return null;
}

/**
 * An engine error in the current language: by its stable `code` and `args` (see the
 * engine's `Error::code`), the words the engine adds (`detail`) as they came; a code the
 * strings do not know, or English, shows the engine's own message.
 */
export function engineMessage(e) {
  const text = typeof e === 'string' ? e : String(e?.message ?? '');
  if (current === 'en') return text;
  const coded = typeof e === 'object' && e?.code ? { code: e.code, args: e.args || {} } : codeOf(text);
  if (!coded) return text;
  // A divergence with a hint of its own says that hint instead of the usual one.
  const key = coded.code === 'diverged' && coded.args.hint ? 'err.diverged_hint' : `err.${coded.code}`;
  if (!(key in LANGS[current])) return text;
  // One of the common messages: its words too, from their own code (`detail.*`).
  // What a link setting must be, from its own code (`want.*`), before the detail uses it.
  const wantKey = `want.${coded.args.want_code}`;
  if (coded.args.want_code && wantKey in LANGS[current]) coded.args = { ...coded.args, want: t(wantKey, coded.args) };
  const detailKey = `detail.${coded.args.detail_code}`;
  if (coded.args.detail_code && detailKey in LANGS[current]) coded.args = { ...coded.args, detail: t(detailKey, coded.args) };
  // Values may be messages themselves (a monitor's name, say), said in the language too.
  const args = {};
  for (const [k, v] of Object.entries(coded.args)) args[k] = v && typeof v === 'object' ? phrase(v) : v;
  return t(key, args);
}
