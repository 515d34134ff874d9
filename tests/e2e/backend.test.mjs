// The backend choice in the page: switching CPU → WebGPU → CPU while training keeps
// training (the session moves into the GPU build once, and the GPU predicts the decision grid
// too); a lost GPU device and a browser without WebGPU both leave training going on the CPU,
// with a message that says why; the CPU-only page never fetches the GPU build. WebGPU here
// is Chromium's software adapter (SwiftShader), so these check behaviour, not speed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP, CHROMIUM_ARGS, appState, assertClean, callWorker, openApp, snapshotOf, startServer, waitFor } from './harness.mjs';

// Shader compilation on a software adapter is slow on a small shared machine.
const SLOW = 120_000;
let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const open = (t, path, opts = {}) => openApp(server, t, path, { timeout: SLOW, ...opts });

const state = appState;
const statusText = (page) => page.textContent(`${APP} .status`);
const epoch = async (page) => Number((await state(page)).epoch);
const chooseBackend = (page, v) => page.selectOption(`${APP} select[data-control=backend]`, v);

/** Waits until training has gone `n` epochs past the current one. */
async function trainsOn(page, n, what) {
  const from = await epoch(page);
  await waitFor(async () => (await epoch(page)) >= from + n, what, SLOW);
}

const clean = (s) => assertClean(s, { console: false });

test('switching CPU → WebGPU → CPU mid-training keeps training, and the GPU draws the grid', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&learningRate=0.03&speed=max');
  const { page } = s;
  assert.equal(await page.inputValue(`${APP} select[data-control=backend]`), 'cpu');
  await page.click(`${APP} button.play`);
  await trainsOn(page, 5, 'CPU training');
  assert.equal((await state(page)).backend, 'cpu');
  const cpuLoss = Number((await state(page)).trainLoss);
  // The worker's fetches: the core build only (this net's work does not split over a pool),
  // until WebGPU is chosen.
  const fetched = () => page.evaluate(() => globalThis.playground.call('resourcesForTest'));
  const cpuOnly = await fetched();
  assert.ok(cpuOnly.some((u) => /\/pkg-core\/nn_playground_bg\.wasm/.test(u)), cpuOnly.join(' '));
  assert.ok(!cpuOnly.some((u) => /\/pkg\/nn_playground_bg/.test(u)), `the CPU page fetched the full (GPU) build: ${cpuOnly.join(' ')}`);

  await chooseBackend(page, 'webgpu');
  await waitFor(async () => /Training on WebGPU/.test(await statusText(page)), 'the WebGPU notice', SLOW);
  assert.ok((await fetched()).some((u) => /\/pkg\/nn_playground_bg\.wasm/.test(u)), 'the session moved into the full build, which has the GPU backend');
  await waitFor(async () => (await state(page)).backend === 'webgpu', 'frames from the GPU', SLOW);
  await trainsOn(page, 10, 'WebGPU training');
  await waitFor(async () => (await state(page)).gridOn === 'gpu', 'a decision grid predicted on the GPU', SLOW);
  const st = await state(page);
  assert.equal(st.running, 'true');
  assert.match(await page.textContent(`${APP} .speed`), /webgpu \(/);
  const gpuLoss = Number(st.trainLoss);
  t.diagnostic(`${await statusText(page)} · ${await page.textContent(`${APP} .speed`)}`);
  assert.ok(Number.isFinite(gpuLoss) && gpuLoss < cpuLoss, `loss went on falling on the GPU: ${cpuLoss} → ${gpuLoss}`);

  await chooseBackend(page, 'cpu');
  await waitFor(async () => /Training on the CPU/.test(await statusText(page)), 'the CPU notice', SLOW);
  await waitFor(async () => (await state(page)).backend === 'cpu', 'frames from the CPU', SLOW);
  await trainsOn(page, 10, 'CPU training after the GPU');
  const end = await state(page);
  assert.equal(end.running, 'true');
  assert.equal(end.gridOn, 'cpu');
  assert.ok(Number(end.trainLoss) <= gpuLoss * 1.5, `no jump back after the switch: ${gpuLoss} → ${end.trainLoss}`);
  // The choice is part of the setup a link reproduces (the CPU, the default, is left out).
  assert.doesNotMatch(await page.evaluate(() => globalThis.playground.call('hash', [], false)), /backend=/);
  await page.click(`${APP} button.play`);
  clean(s);
});

test('paused, a switch back to the CPU says so at once; the WebGPU notice is whole', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&learningRate=0.03&speed=max');
  const { page } = s;
  await chooseBackend(page, 'webgpu');
  await page.click(`${APP} button.play`);
  await waitFor(async () => /Training on WebGPU/.test(await statusText(page)), 'the WebGPU notice', SLOW);
  const gpu = await statusText(page);
  t.diagnostic(gpu);
  // Every bracket the notice opens, it closes.
  assert.equal((gpu.match(/\(/g) || []).length, (gpu.match(/\)/g) || []).length, gpu);
  assert.match(gpu, /\)\.$/);
  // ▶ toggles by the page's state: the notice can come before the first frame says it runs.
  await waitFor(async () => (await state(page)).running === 'true', 'training', SLOW);
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).running === 'false', 'the pause', SLOW);
  await chooseBackend(page, 'cpu');
  await waitFor(async () => /Training on the CPU/.test(await statusText(page)), 'the CPU notice without ▶', SLOW);
  // A frame posted just before the pause may show ▶ as running for a moment; the page must
  // settle on paused (a switch that resumed training would stay running).
  await waitFor(async () => (await state(page)).running === 'false', 'still paused', SLOW);
  const epochNow = Number((await state(page)).epoch);
  await page.waitForTimeout(500);
  assert.equal(Number((await state(page)).epoch), epochNow, 'no training after the switch');
  clean(s);
});

test('moving into the GPU build keeps the replay and early stopping\'s best and patience', async (t) => {
  // The CPU trains to an epoch limit, mid-patience; choosing WebGPU then moves the stopped
  // session into the GPU build, where its run must be exactly the one it left.
  const s = await open(t, '/index.html#dataset=circle&learningRate=0.03&speed=max&epochLimit=40&earlyStopping=val_loss:30:0.001');
  const { page } = s;
  const call = (method, ...args) => callWorker(page, method, ...args);
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await epoch(page)) === 40 && (await state(page)).running === 'false', 'the CPU run at its epoch limit', SLOW);
  const before = await snapshotOf(page);
  assert.equal(before.build, 'core', 'taken on the core build');
  assert.ok(before.early, 'early stopping has begun counting');
  assert.ok(before.replay.frames.length > 5, `the replay has ${before.replay.frames.length} snapshots to carry`);
  assert.equal(before.stop.code, 'epoch_limit');
  await chooseBackend(page, 'webgpu');
  await page.click(`${APP} button.play`);
  const fetched = () => page.evaluate(() => globalThis.playground.call('resourcesForTest'));
  await waitFor(async () => (await fetched()).some((u) => /\/pkg\/nn_playground_bg\.wasm/.test(u)), 'the move into the GPU build', SLOW);
  await waitFor(async () => (await state(page)).running === 'false', 'the moved run stopped at its limit again', SLOW);
  const after = await snapshotOf(page);
  assert.equal(after.model, before.model, 'the weights and the optimiser\'s state');
  assert.deepEqual({ ...after.early }, { ...before.early }, 'early stopping\'s best, its epoch, the wait and the best weights');
  assert.deepEqual(after.replay.frames, before.replay.frames, 'the replay\'s snapshots');
  assert.deepEqual(after.grids, before.grids, 'the replay\'s maps');
  assert.deepEqual([after.epoch, after.history, after.stop], [before.epoch, before.history, before.stop]);
  assert.equal((await call('replayFrame', 0)).epoch, 0, 'the replay still starts at the untrained map');
  clean(s);
});

test('a batch-norm network trains on WebGPU and carries its running statistics back to the CPU', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&learningRate=0.03&batchNorm=1,0&backend=webgpu&speed=max');
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).backend === 'webgpu', 'frames from the GPU', SLOW);
  assert.doesNotMatch(await statusText(page), /WebGPU is not used/);
  const start = Number((await state(page)).trainLoss);
  await trainsOn(page, 10, 'WebGPU training with batch norm');
  await waitFor(async () => (await state(page)).gridOn === 'gpu', 'a decision grid predicted on the GPU', SLOW);
  const gpuLoss = Number((await state(page)).trainLoss);
  t.diagnostic(`${start} → ${gpuLoss} · ${await statusText(page)}`);
  // The session measures these losses on its own CPU model in inference mode, with the
  // weights and running statistics it adopted from the GPU after each epoch.
  assert.ok(Number.isFinite(gpuLoss) && gpuLoss < start, `loss fell on the GPU: ${start} → ${gpuLoss}`);

  await chooseBackend(page, 'cpu');
  await waitFor(async () => (await state(page)).backend === 'cpu', 'frames from the CPU', SLOW);
  await trainsOn(page, 5, 'CPU training after the GPU');
  const end = Number((await state(page)).trainLoss);
  assert.ok(end <= gpuLoss * 1.5, `no jump back after the switch: ${gpuLoss} → ${end}`);
  await page.click(`${APP} button.play`);
  clean(s);
});

test('a GPU device lost mid-training: training continues on the CPU from the last weights read back', async (t) => {
  const s = await open(t, '/index.html#dataset=xor&backend=webgpu&speed=max');
  const { page } = s;
  assert.equal(await page.inputValue(`${APP} select[data-control=backend]`), 'webgpu');
  await page.click(`${APP} button.play`);
  await waitFor(async () => (await state(page)).backend === 'webgpu', 'training on the GPU', SLOW);
  await trainsOn(page, 3, 'WebGPU training');
  assert.equal(await page.evaluate(() => globalThis.playground.call('loseGpuForTest')), true);
  await waitFor(async () => /WebGPU is not used: the GPU device was lost .*on the CPU from the last weights read back/.test(await statusText(page)), 'the fallback message', SLOW);
  await waitFor(async () => (await state(page)).backend === 'cpu', 'frames from the CPU', SLOW);
  t.diagnostic(await statusText(page));
  const resumed = await epoch(page);
  await trainsOn(page, 10, 'CPU training after the loss');
  const st = await state(page);
  assert.equal(st.running, 'true');
  assert.ok(Number.isFinite(Number(st.trainLoss)), `finite loss after the fallback: ${st.trainLoss}`);
  assert.ok((await epoch(page)) > resumed);
  // The choice stays (the person asked for WebGPU); picking it again retries.
  assert.equal(await page.inputValue(`${APP} select[data-control=backend]`), 'webgpu');
  assert.match(await page.evaluate(() => globalThis.playground.call('hash', [], false)), /backend=webgpu/);
  await page.click(`${APP} button.play`);
  clean(s);
});

test('auto times a unit on each backend and keeps the faster per step, saying so', async (t) => {
  const s = await open(t, '/index.html#dataset=circle&backend=auto&speed=max');
  const { page } = s;
  await page.click(`${APP} button.play`);
  const verdict = /Auto chose (WebGPU \(.+\)|the CPU): a training step took ([\d.,]+) ms there and ([\d.,]+) ms (on the CPU|on WebGPU \(.+\))\./;
  await waitFor(async () => verdict.test(await statusText(page)), 'the verdict', SLOW);
  const text = await statusText(page);
  t.diagnostic(text);
  const [, chose, mine, other] = verdict.exec(text);
  const num = (v) => Number(v.replace(/,/g, ''));
  assert.ok(num(mine) <= num(other), `the faster one was kept: ${text}`);
  await trainsOn(page, 5, 'training after the choice');
  assert.equal((await state(page)).backend, chose === 'the CPU' ? 'cpu' : 'webgpu');
  assert.equal((await state(page)).running, 'true');
  await page.click(`${APP} button.play`);
  clean(s);
});

test('a browser without WebGPU: auto trains on the CPU and says why', async (t) => {
  // Without the flag that turns WebGPU on, headless Chromium here has no usable adapter.
  const s = await open(t, '/index.html#dataset=circle&backend=auto&speed=max', {
    argsOverride: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu').concat(['--disable-webgpu']),
  });
  const { page } = s;
  await page.click(`${APP} button.play`);
  await waitFor(async () => /Auto chose the CPU: .+ on the CPU/.test(await statusText(page)), 'the fallback message', SLOW);
  await trainsOn(page, 5, 'CPU training');
  t.diagnostic(await statusText(page));
  assert.equal((await state(page)).backend, 'cpu');
  assert.equal((await state(page)).running, 'true');
  await page.click(`${APP} button.play`);
  clean(s);
});
