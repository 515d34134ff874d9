// The page's language: the current one, `t(key, vars)` lookups into its strings, and an
// event when it changes, so the UI can redraw its text without a reload.

import en from './en.js';
import zh from './zh.js';

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
 * A key missing in Chinese falls back to English, and a missing one altogether shows the
 * key, so a gap is visible rather than blank.
 */
export function t(key, vars) {
  const s = LANGS[current][key] ?? en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}

/** `[value, name]` options with the name from `prefix.value` where the strings have one. */
export function named(prefix, options) {
  return options.map(([v, n]) => [v, `${prefix}.${v}` in en ? t(`${prefix}.${v}`) : n]);
}

// The kinds the engine puts in front of its messages (its error type's `Display`); the
// detail after the prefix stays as the engine wrote it.
const KINDS = [
  ['invalid configuration: ', 'err.config'],
  ['shape mismatch: ', 'err.shape'],
  ['invalid data: ', 'err.data'],
  ['unreadable file: ', 'err.format'],
  ['too large: ', 'err.limit'],
  ['not available in this build: ', 'err.notCompiled'],
  ['backend error: ', 'err.backend'],
  ['training diverged ', 'err.diverged'],
];

/** An engine message with its kind in the current language and its detail as it came. */
export function engineMessage(text) {
  const s = String(text ?? '');
  if (current === 'en') return s;
  for (const [prefix, key] of KINDS) {
    const at = s.indexOf(prefix);
    if (at >= 0) return `${s.slice(0, at)}${t(key)}${s.slice(at + prefix.length)}`;
  }
  const csv = /^CSV line (\d+)(?:, column (\d+))?: /.exec(s);
  if (csv) return `${t(csv[2] ? 'err.csvCell' : 'err.csvLine', { line: csv[1], column: csv[2] })}${s.slice(csv[0].length)}`;
  return s;
}
