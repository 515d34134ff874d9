// The package's Node entry: the CPU build's JS API, initialised on import from the .wasm on
// disk (Node's fetch cannot read file: URLs), so `import { Sequential } from 'nn-playground'`
// is ready to use. A missing .wasm makes the import fail with a message naming the file.

import { initSync } from './pkg/nn_playground.js';
import * as api from './pkg/nn_playground.js';
import { guardDisposed } from './disposed.js';
import { loadFromDisk } from './node_loader.js';

export * from './pkg/nn_playground.js';

// A freed model or session says so (see disposed.js).
guardDisposed(api);

const output = await loadFromDisk(initSync, new URL('./pkg/nn_playground_bg.wasm', import.meta.url), 'pkg');

/** Already done on import; kept so that code written for the browser entry runs unchanged. */
export async function init() {
  return output;
}
export default init;
