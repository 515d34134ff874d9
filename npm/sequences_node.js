// The package's Sequences entry for Node: the Sequences build's JS API, initialised on
// import from the .wasm on disk, as the main Node entry does for pkg/.

import { initSync } from './pkg-sequences/nn_playground.js';
import { loadFromDisk } from './node_loader.js';

export * from './pkg-sequences/nn_playground.js';

const output = await loadFromDisk(
  initSync,
  new URL('./pkg-sequences/nn_playground_bg.wasm', import.meta.url),
  'pkg-sequences',
);

/** Already done on import; kept so that code written for the browser entry runs unchanged. */
export async function init() {
  return output;
}
export default init;
