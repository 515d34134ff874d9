// Smoke test of the served page: it loads, the engine's wasm arrives with the right type
// and cross-origin-isolation headers, nothing errors, the CSP holds, nothing leaves the origin.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { isSameOrigin, openPage, screenshot, startServer, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

test('index.html loads the engine under cross-origin isolation and a strict CSP', async (t) => {
  const s = await openPage(server, '/index.html');
  t.after(() => s.close());

  assert.equal(s.response.status(), 200);
  const html = s.response.headers();
  assert.match(html['content-type'], /^text\/html/);
  assert.match(html['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);

  const isWasm = (r) => new URL(r.url).pathname.endsWith('.wasm');
  const wasm = await waitFor(() => s.responses.find(isWasm), 'the engine .wasm to be fetched');
  assert.equal(wasm.status, 200, wasm.url);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(wasm.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(wasm.headers['x-content-type-options'], 'nosniff');

  await s.page.waitForLoadState('networkidle');
  assert.equal(await s.page.evaluate(() => globalThis.crossOriginIsolated), true);

  await screenshot(s.page, 'smoke');
  assert.deepEqual(s.pageErrors, [], 'page errors');
  assert.deepEqual(s.consoleErrors, [], 'console errors');
  assert.deepEqual(s.cspViolations, [], 'CSP violations');
  const foreign = s.requests.filter((u) => !isSameOrigin(server, u));
  assert.deepEqual(foreign, [], 'requests that left the origin');
  const failed = s.responses.filter((r) => r.status >= 400).map((r) => `${r.status} ${r.url}`);
  assert.deepEqual(failed, [], 'failed requests');
});

// Browsers and fetch() normalise `..` away, so speak raw HTTP to test what the server does.
function rawGet(target) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => {
      sock.end(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    });
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve(data.split('\r\n')[0]));
    sock.on('error', reject);
  });
}

test('the server refuses traversal and hidden files', async () => {
  assert.equal(await rawGet('/../Cargo.toml'), 'HTTP/1.1 400 Bad Request');
  assert.equal(await rawGet('/%2e%2e/%2e%2e/etc/passwd'), 'HTTP/1.1 400 Bad Request');
  assert.equal(await rawGet('/.git/HEAD'), 'HTTP/1.1 404 Not Found');
  assert.equal(await rawGet('/no-such-file.js'), 'HTTP/1.1 404 Not Found');
  assert.equal(await rawGet('/'), 'HTTP/1.1 200 OK');
});
