// The engine build the page picks: it starts on the single-thread core build, and moves into
// the threads build with a pool of one thread per core when the server sends the
// cross-origin-isolation headers and the session's work would split over the pool; both
// train, and the `threads` setting caps the pool's use.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, appState, assertClean, openApp, startServer, waitFor } from './harness.mjs';

let isolated;
let plain;
before(async () => {
  [isolated, plain] = await Promise.all([startServer(), startServer({ isolation: false })]);
});
after(async () => {
  await Promise.all([isolated?.close(), plain?.close()]);
});

/** Trains a few hundred epochs of a 2-8-8-1 net at max speed; returns the state and speed line. */
async function train(s) {
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= 200, '200 epochs', 60_000);
  const speedLine = () => page.textContent(`${APP} .speed`);
  await waitFor(async () => /[1-9][\d,]* steps\/s/.test(await speedLine()), 'a measured speed', 30_000);
  const speed = await speedLine();
  const state = await appState(page);
  await page.click(`${APP} button.play`);
  return { state, speed };
}

const HASH = '#dataset=circle&networkShape=8,8&speed=max';
// Six layers of 32 units: a chunk of the map's rows is work the pool splits.
const WIDE = '#dataset=circle&networkShape=32,32,32,32,32,32&speed=max';

/**
 * Trains 300 epochs on the threads build, then waits past one snapshot period, so that a
 * restart has a trained model to come back to; returns the state then.
 */
async function trainedOnThreads(page) {
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= 300, '300 epochs', 60_000);
  await page.waitForTimeout(3000);
  const state = await appState(page);
  assert.equal(state.engineBuild, 'threads');
  return state;
}

test('cross-origin isolated: a net whose work splits starts on the threads build with one thread per core, training', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}`);
  const cores = await s.page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await s.page.evaluate(() => globalThis.crossOriginIsolated), true);
  const { state, speed } = await train(s);
  console.log(`isolated (${cores} cores): ${speed}`);
  if (cores > 1) {
    assert.equal(state.engineBuild, 'threads');
    assert.equal(state.threads, String(cores));
    assert.match(speed, new RegExp(`cpu \\(SIMD128, threads build, ${cores} threads\\)`));
    assert.ok(s.responses.some((r) => r.url.includes('/pkg-threads/nn_playground_bg.wasm')), 'pkg-threads/ fetched');
  } else {
    assert.equal(state.engineBuild, 'single');
  }
  assert.ok(Number(state.trainLoss) < 0.5, `train loss ${state.trainLoss}`);
  assertClean(s);
});

test('cross-origin isolated, a small net: the core build and no pool; a wider net moves into the threads build', async (t) => {
  const s = await openApp(isolated, t, `/index.html${HASH}`);
  const { page } = s;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const { state } = await train(s);
  assert.equal(state.engineBuild, 'core');
  assert.ok(!s.responses.some((r) => r.url.includes('/pkg-threads/')), 'pkg-threads/ not fetched for a net that does not split');
  if (cores < 2) return;
  const epoch = Number(state.epoch);
  await page.evaluate(async () => {
    const p = globalThis.playground;
    const cfg = structuredClone(p.config);
    cfg.hidden = Array.from({ length: 6 }, () => ({ ...cfg.hidden[0], units: 32 }));
    await p.call('setConfig', cfg);
  });
  await waitFor(async () => (await appState(page)).engineBuild === 'threads', 'the threads build', 30_000);
  assert.ok(s.responses.some((r) => r.url.includes('/pkg-threads/nn_playground_bg.wasm')), 'pkg-threads/ fetched');
  assert.equal((await appState(page)).threads, String(cores));
  // The wider net is a new model: it trains from epoch 0 in the threads build.
  assert.ok(Number((await appState(page)).epoch) < epoch, 'the new model starts again');
  const after = await train(s);
  assert.match(after.speed, new RegExp(`threads build, ${cores} threads`));
  assertClean(s);
});

test('the threads setting caps the threads in use: a net that splits stays on the core build at 1', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}&threads=1`);
  const { state, speed } = await train(s);
  console.log(`isolated, threads=1: ${speed}`);
  assert.equal(state.threads, '1');
  assert.equal(state.engineBuild, 'core');
  assert.match(speed, /cpu \(SIMD128, 1 thread\)/);
  assertClean(s);
});

test('without the isolation headers: the single-thread core build, training', async (t) => {
  const s = await openApp(plain, t, `/index.html${HASH}`);
  assert.equal(await s.page.evaluate(() => globalThis.crossOriginIsolated), false);
  const { state, speed } = await train(s);
  console.log(`not isolated: ${speed}`);
  assert.equal(state.engineBuild, 'core');
  assert.equal(state.threads, '1');
  assert.match(speed, /cpu \(SIMD128, 1 thread\)/);
  assert.ok(!s.responses.some((r) => r.url.includes('/pkg-threads/')), 'pkg-threads/ not fetched');
  assert.ok(Number(state.trainLoss) < 0.5, `train loss ${state.trainLoss}`);
  assertClean(s);
});

test('a worker of the pool that dies is reported; the session goes on on one thread with its model', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}`);
  const { page } = s;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores < 2) return t.skip('one core: no pool');
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= 100, '100 epochs', 60_000);
  assert.equal((await appState(page)).threads, String(cores));
  await page.evaluate(() => globalThis.playground.__crashPoolThreadForTest());
  await waitFor(async () => (await appState(page)).threads === '1', 'one thread in use', 30_000);
  const at = Number((await appState(page)).epoch);
  await waitFor(async () => /thread pool stopped/.test(await page.textContent(APP)), 'the notice', 30_000);
  await waitFor(async () => Number((await appState(page)).epoch) > at + 100, 'training going on', 60_000);
  const speedLine = () => page.textContent(`${APP} .speed`);
  await waitFor(async () => /[1-9][\d,]* steps\/s .*threads build, 1 thread\)/.test(await speedLine()), 'the speed line on one thread', 30_000);
  const state = await appState(page);
  console.log(`after the pool worker died at epoch ${at}: epoch ${state.epoch}; ${await speedLine()}`);
  assert.equal(state.workerRestarts, undefined, 'the same worker and model went on');
  assert.ok(Number(state.trainLoss) < 0.5, `train loss ${state.trainLoss}`);
  // The panic and the stopped worker's trap are reported in the console; nothing else.
  assert.ok(s.pageErrors.every((e) => /unreachable/.test(e)), s.pageErrors.join('\n'));
  assert.deepEqual(s.cspViolations, []);
});

test('a worker of the pool that dies in the middle of a product: the page restarts the engine on one thread from its snapshot', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}`);
  const { page } = s;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores < 2) return t.skip('one core: no pool');
  const before = await trainedOnThreads(page);
  const started = Date.now();
  // The engine's thread now waits for the dead thread's band for good; only the page can act.
  await page.evaluate(() => globalThis.playground.__crashPoolBandForTest());
  await waitFor(async () => (await appState(page)).workerRestarts === '1', 'the engine restarted', 30_000);
  await waitFor(async () => (await appState(page)).engineBuild === 'single', 'the single-thread build', 30_000);
  const restored = await appState(page);
  const recoveredMs = Date.now() - started;
  await waitFor(async () => /middle of a product/.test(await page.textContent(APP)), 'the report', 30_000);
  // The model came back from the snapshot (its epoch count starts again, as after any
  // restart), not from scratch: its loss is that of the trained net, far below a fresh
  // net's, and training goes on.
  const from = Number(restored.epoch);
  const limit = Math.max(10 * Number(before.trainLoss), 1e-3);
  assert.ok(Number(restored.trainLoss) < limit, `restored train loss ${restored.trainLoss} (before: ${before.trainLoss})`);
  await waitFor(async () => Number((await appState(page)).epoch) > from + 100, 'training going on', 60_000);
  const after = await appState(page);
  console.log(`pool thread died in a band at epoch ~${before.epoch} (train loss ${before.trainLoss}); restarted on one thread in ${recoveredMs} ms, train loss ${restored.trainLoss} at its epoch ${from}; now epoch ${after.epoch}, train loss ${after.trainLoss}`);
  assert.equal(after.threads, '1');
  assert.equal(after.running, 'true');
  assert.ok(Number(after.trainLoss) < 0.5, `train loss ${after.trainLoss}`);
  // The speed line is redrawn with the next measured speed.
  const speedLine = () => page.textContent(`${APP} .speed`);
  await waitFor(async () => /[1-9][\d,]* steps\/s .*cpu \(SIMD128, 1 thread\)/.test(await speedLine()), 'the speed line of the single-thread build', 30_000);
  // The panic and the stopped worker's trap are reported in the console; nothing else.
  assert.ok(s.pageErrors.every((e) => /unreachable|middle of a band/.test(e)), s.pageErrors.join('\n'));
  assert.deepEqual(s.cspViolations, []);
});

test('a worker of the pool that hangs in a band without a word: the watchdog restarts the engine on one thread', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}`);
  const { page } = s;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores < 2) return t.skip('one core: no pool');
  const before = await trainedOnThreads(page);
  const started = Date.now();
  // No panic, no report on the channel: the engine's thread waits on that band for good,
  // and only the page's watchdog (silence while training, then an unanswered probe) acts.
  await page.evaluate(() => globalThis.playground.__hangPoolBandForTest());
  await waitFor(async () => (await appState(page)).workerRestarts === '1', 'the engine restarted', 60_000);
  const recoveredMs = Date.now() - started;
  await waitFor(async () => (await appState(page)).engineBuild === 'single', 'the single-thread build', 30_000);
  await waitFor(async () => /stopped answering/.test(await page.textContent(APP)), 'the report', 30_000);
  const restored = await appState(page);
  const limit = Math.max(10 * Number(before.trainLoss), 1e-3);
  assert.ok(Number(restored.trainLoss) < limit, `restored train loss ${restored.trainLoss} (before: ${before.trainLoss})`);
  const from = Number(restored.epoch);
  await waitFor(async () => Number((await appState(page)).epoch) > from + 100, 'training going on', 60_000);
  console.log(`pool thread hung in a band at epoch ~${before.epoch}; restarted on one thread after ${recoveredMs} ms`);
  assert.ok(recoveredMs >= 10_000, `restarted after ${recoveredMs} ms: sooner than the watchdog's silence`);
  assert.equal((await appState(page)).running, 'true');
  assert.deepEqual(s.pageErrors, []);
  assert.deepEqual(s.cspViolations, []);
});

test('editing threads= in the address while training keeps the run, on the new thread count', async (t) => {
  const s = await openApp(isolated, t, `/index.html${WIDE}`);
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => Number((await appState(page)).epoch) >= 20, 'some epochs');
  const before = Number((await appState(page)).epoch);
  const hash = await page.evaluate(() => location.hash.slice(1));
  await page.evaluate((h) => { location.hash = `${h.replace(/&threads=[^&]*/, '')}&threads=1`; }, hash);
  await waitFor(async () => (await page.evaluate(() => globalThis.playground.config.threads)) === 1, 'the new thread count');
  // The run goes on from where it was: no restart at epoch 0.
  const after = Number((await appState(page)).epoch);
  assert.ok(after >= before, `epoch ${after} after the edit, ${before} before`);
  assert.equal((await appState(page)).running, 'true');
  // Another setting in a pasted link is another run: it starts again.
  await page.evaluate((h) => { location.hash = `${h.replace(/&noise=[^&]*/, '')}&noise=10`; }, hash);
  await waitFor(async () => (await page.evaluate(() => globalThis.playground?.config?.noise)) === 10, 'the new link');
  await waitFor(async () => Number((await appState(page)).epoch) < after, 'a new run from epoch 0');
  assertClean(s);
});
