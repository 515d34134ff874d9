// Shared end-to-end harness: starts the project's static server and opens pages in the
// system Chromium through playwright-core, recording everything a test may want to assert
// on (requests, responses, console errors, page errors, CSP violations).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, 'tests', 'e2e', 'artifacts');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const SERVER_START_TIMEOUT_MS = 180_000;

// `cargo xtask test` passes its own binary in XTASK_BIN; by hand we use the last built one,
// and fall back to `cargo xtask` (which may compile first, hence the long start timeout).
function serverCommand(root, isolation = true) {
  const args = ['serve', '--no-build', '--port', '0', '--quiet', ...(root ? ['--root', root] : []), ...(isolation ? [] : ['--no-isolation'])];
  if (process.env.XTASK_BIN) return [process.env.XTASK_BIN, args];
  const targetDir = process.env.CARGO_TARGET_DIR
    ? resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : join(repoRoot, 'target');
  const built = join(targetDir, 'debug', 'xtask');
  if (existsSync(built)) return [built, args];
  return ['cargo', ['xtask', ...args]];
}

/**
 * Starts `xtask serve --no-build --port 0` (pkg/ must already be built) and waits for its
 * `serving http://127.0.0.1:PORT/` line. `root`: another folder to serve with the same
 * headers instead of the repository (the package tests' temporary projects). `isolation:
 * false` leaves out the cross-origin-isolation headers (a host that does not send them).
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startServer({ root, isolation = true } = {}) {
  const [cmd, args] = serverCommand(root, isolation);
  const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-8000);
  });

  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not start within ${SERVER_START_TIMEOUT_MS} ms\n${stderr}`));
    }, SERVER_START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/\S+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cmd}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code ?? signal})\n${stderr}`));
    });
  });

  const exited = new Promise((r) => child.once('exit', r));
  return {
    url,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

// Runs in every page before its own scripts: forwards CSP violations to the test.
function reportCspViolations() {
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__nnpReportCsp({
      directive: e.effectiveDirective,
      blockedURI: e.blockedURI,
      sourceFile: e.sourceFile,
      line: e.lineNumber,
      sample: e.sample,
    });
  });
}

/**
 * Opens `path` of a started server in a fresh headless Chromium (Playwright gives every
 * launch its own temporary profile directory, removed on close).
 *
 * opts: `viewport` ({width, height}), `waitUntil` (Playwright's, default 'load'),
 * `goto: false` to open a blank page and navigate yourself, `timeout` (ms, default 60000),
 * `args` (extra Chromium flags, e.g. `--enable-precise-memory-info`), `argsOverride` (the
 * whole flag list instead of `CHROMIUM_ARGS` + `args`, e.g. to leave WebGPU off), `touch`
 * (a touch screen with a coarse pointer, for phone-sized tests with `viewport`).
 */
export async function openPage(server, path = '/index.html', opts = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'nnp-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: opts.argsOverride ?? [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
  });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    // A phone: touch events and a coarse pointer (the page's tap-sized controls).
    ...(opts.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  context.setDefaultTimeout(opts.timeout ?? 60_000);

  const requests = [];
  const responses = [];
  const consoleErrors = [];
  const pageErrors = [];
  const cspViolations = [];
  // Context-level events also see requests made by the page's workers.
  context.on('request', (r) => requests.push(r.url()));
  context.on('response', (r) =>
    responses.push({ url: r.url(), status: r.status(), headers: r.headers() }),
  );
  await context.exposeBinding('__nnpReportCsp', (_source, v) => cspViolations.push(v));
  await context.addInitScript(reportCspViolations);

  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    consoleErrors.push(m.text());
    // Violations inside workers never reach the document listener; Chromium logs them.
    if (/Content Security Policy/i.test(m.text())) {
      cspViolations.push({ directive: 'console', sample: m.text() });
    }
  });
  page.on('pageerror', (e) => pageErrors.push(String(e?.stack ?? e)));

  const close = async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  };
  let response = null;
  if (opts.goto !== false) {
    try {
      response = await page.goto(new URL(path, server.url).href, {
        waitUntil: opts.waitUntil ?? 'load',
      });
    } catch (e) {
      await close();
      throw e;
    }
  }
  return {
    browser,
    context,
    page,
    response,
    requests,
    responses,
    consoleErrors,
    pageErrors,
    cspViolations,
    close,
  };
}

/** Polls `predicate` until it is truthy; rejects with `what` after `timeoutMs`. */
export async function waitFor(predicate, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Saves a full-page screenshot to tests/e2e/artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when `url` is on the server's origin (or is page-local data:/blob: content). */
export function isSameOrigin(server, url) {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  return new URL(url).origin === new URL(server.url).origin;
}

/** The playground's root in the page. */
export const APP = '#app .nnp';

/**
 * Opens the playground at `path` and waits until its worker has built a session and drawn
 * a frame; the page closes when test `t` ends. `opts` as for `openPage`.
 */
export async function openApp(server, t, path = '/index.html', opts = {}) {
  const s = await openPage(server, path, opts);
  t.after(() => s.close());
  await s.page.waitForSelector(`${APP}[data-ready=true][data-epoch]`);
  return s;
}

/** The playground root's data attributes (epoch, losses, points, task, …). */
export const appState = (page) => page.evaluate((sel) => ({ ...document.querySelector(sel).dataset }), APP);

/** A call on the page's worker (`playground.call`), its result as the page receives it. */
export const callWorker = (page, method, ...args) => page.evaluate(([m, a]) => globalThis.playground.call(m, ...a), [method, args]);

/**
 * The page's session as its snapshot says it, read here as the engine's format lays it out
 * (8 bytes of envelope; a body, raw DEFLATE when byte 6 is 1, of a u32 length, that much
 * JSON, then the replay's maps as f32): `{build, config, data, model, grids, ...run}`.
 */
export async function snapshotOf(page) {
  const [build, raw] = await page.evaluate(async () => {
    const bytes = await globalThis.playground.call('snapshotForTest');
    return [globalThis.playground.root.dataset.engineBuild, Array.from(bytes)];
  });
  const bytes = Buffer.from(raw);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'NNPS', 'a snapshot of the engine');
  const body = bytes[6] === 1 ? inflateRawSync(bytes.subarray(8)) : bytes.subarray(8);
  const n = body.readUInt32LE(0);
  const json = JSON.parse(body.subarray(4, 4 + n).toString('utf8'));
  const tail = body.subarray(4 + n);
  const grids = Array.from({ length: tail.length / 4 }, (_, i) => tail.readFloatLE(4 * i));
  return { build, config: json.config, data: json.data, model: json.model, grids, ...json.run };
}

/** No page error, CSP violation or (unless `console: false`) console error was seen. */
export function assertClean(s, { console = true } = {}) {
  assert.deepEqual(s.pageErrors, [], 'page errors');
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
  if (console) assert.deepEqual(s.consoleErrors, [], 'console errors');
}

/** A small seeded generator (mulberry32) and a normal deviate from it, for test data. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

/** The Sequences mode's root in the page. */
export const SEQ = '#app .nnp.seq';

/** Opens `/index.html#hash` in the Sequences mode and waits until it is ready (closed after `t`). */
export async function openSequences(server, t, hash) {
  const s = await openPage(server, `/index.html#${hash}`, { viewport: { width: 1280, height: 1400 } });
  t.after(() => s.close());
  await s.page.waitForSelector(`${SEQ}[data-ready=true]`, { timeout: 30_000 });
  return s;
}
