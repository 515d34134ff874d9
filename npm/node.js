// The package's Node entry: the CPU build's JS API, initialised on import from the .wasm on
// disk (Node's fetch cannot read file: URLs), so `import { Sequential } from 'nn-playground'`
// is ready to use. A missing .wasm makes the import fail with a message naming the file.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { initSync } from './pkg/nn_playground.js';

export * from './pkg/nn_playground.js';

const WASM_URL = new URL('./pkg/nn_playground_bg.wasm', import.meta.url);

async function load() {
  const path = fileURLToPath(WASM_URL);
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(
      `nn-playground: cannot read the engine's nn_playground_bg.wasm at ${path} (${e.code || e.message}); ` +
        'reinstall the package or put the file back beside pkg/nn_playground.js',
    );
  }
  return initSync({ module: bytes });
}

const output = await load();

/** Already done on import; kept so that code written for the browser entry runs unchanged. */
export async function init() {
  return output;
}
export default init;
