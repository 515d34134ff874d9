// Static checks of the shipped page code: no markup strings or code strings are ever turned
// into DOM or code (so no data from a link, a file or a config can be), and the HTML pages
// carry the strict CSP and no inline script or handlers. Runs without a browser.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './harness.mjs';

function files(dir, ext) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

const SCRIPTS = files(join(repoRoot, 'www'), '.js');
const PAGES = [join(repoRoot, 'index.html'), ...files(join(repoRoot, 'www'), '.html')];

// Sinks that parse a string as markup or code.
const SINKS = [
  [/\binnerHTML\b/, 'innerHTML'],
  [/\bouterHTML\b/, 'outerHTML'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
  [/\bcreateContextualFragment\b/, 'createContextualFragment'],
  [/\bDOMParser\b/, 'DOMParser'],
  [/\bdocument\.write(ln)?\s*\(/, 'document.write'],
  [/\beval\s*\(/, 'eval'],
  [/\bnew\s+Function\s*\(/, 'new Function'],
  [/\bset(Timeout|Interval)\s*\(\s*['"`]/, 'setTimeout with a string'],
  [/\bsrcdoc\b/, 'srcdoc'],
  [/setAttribute\(\s*['"`]on/i, 'an inline event handler attribute'],
  [/javascript:/i, 'a javascript: URL'],
];

/** The code without comments, so a comment naming a sink is not a finding. */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

test('the page scripts never parse strings as markup or code', () => {
  assert.ok(SCRIPTS.length >= 5, `found only ${SCRIPTS.length} scripts`);
  const found = [];
  for (const f of SCRIPTS) {
    const lines = code(readFileSync(f, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const [re, what] of SINKS) if (re.test(line)) found.push(`${relative(repoRoot, f)}:${i + 1}: ${what}`);
    });
  }
  assert.deepEqual(found, []);
});

test('the sink patterns catch what they should (the check above can fail)', () => {
  const bad = ['el.innerHTML = x', 'el.insertAdjacentHTML("beforeend", s)', 'eval(s)', 'new Function("a", s)', 'setTimeout("x()", 1)', 'a.setAttribute("onclick", s)'];
  for (const line of bad) assert.ok(SINKS.some(([re]) => re.test(code(line))), line);
  assert.ok(!SINKS.some(([re]) => re.test(code('// innerHTML is never used'))));
});

test('the HTML pages have the strict CSP and no inline script or handlers', () => {
  for (const f of PAGES) {
    const html = readFileSync(f, 'utf8');
    const name = relative(repoRoot, f);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(csp, `${name}: no CSP`);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives['default-src'], ["'self'"], `${name}: default-src`);
    assert.deepEqual(directives['script-src'], ["'self'", "'wasm-unsafe-eval'"], `${name}: script-src`);
    assert.deepEqual(directives['connect-src'], ["'self'"], `${name}: connect-src`);
    assert.deepEqual(directives['object-src'], ["'none'"], `${name}: object-src`);
    assert.ok(!/'unsafe-inline'|'unsafe-eval'|https?:|\*/.test(csp), `${name}: CSP too loose: ${csp}`);
    // Every <script> has a src; no on* attribute on any element.
    for (const m of html.matchAll(/<script\b([^>]*)>/g)) assert.match(m[1], /\bsrc=/, `${name}: inline script`);
    assert.ok(!/<[a-z][^>]*\son[a-z]+\s*=/i.test(html.replace(/<pre>[\s\S]*?<\/pre>/g, '')), `${name}: inline handler`);
  }
});
