// The npm package's check for freed handles (npm/disposed.js) on the real bindings of the
// full build (pkg/, loaded in Node from its .wasm): a model or session used after `free()`
// says it was disposed, where wasm-bindgen alone says "null pointer passed to rust".

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './harness.mjs';

const api = await import(pathToFileURL(join(repoRoot, 'pkg', 'nn_playground.js')).href);
api.initSync({ module: readFileSync(join(repoRoot, 'pkg', 'nn_playground_bg.wasm')) });
const { guardDisposed } = await import(pathToFileURL(join(repoRoot, 'npm', 'disposed.js')).href);

const session = () => new api.SequenceSession({ task: { task: 'reverse', length: 4, vocab: 5, train: 50, test: 10 }, width: 8, heads: 2 });
const model = () => new api.Sequential({ inputDim: 2, layers: [{ type: 'dense', units: 1 }] });

test('a freed session or model says it was disposed', () => {
  // Without the check: wasm-bindgen's words (what the package said before).
  const bare = session();
  bare.free();
  assert.throws(() => bare.trainSteps(1), /null pointer passed to rust/);

  guardDisposed(api);
  guardDisposed(api); // once is enough; a second call changes nothing
  const s = session();
  assert.equal(s.trainSteps(2).step, 2);
  s.free();
  for (const call of [() => s.trainSteps(1), () => s.config(), () => s.predictTokens([1]), () => s.step()]) {
    assert.throws(call, (e) => e.code === 'disposed' && /this SequenceSession was disposed \(free\(\) was called\); make a new one/.test(e.message));
  }
  const m = model();
  m.free();
  assert.throws(() => m.toJSON(), /this Sequential was disposed/);
  // A live handle is untouched.
  const live = model();
  assert.match(live.toJSON(), /"format"/);
  live.free();
});
