// The package's wasm loader for Node: reads an entry's .wasm from disk (Node's fetch cannot
// read file: URLs) and instantiates it synchronously, or fails naming the missing file.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Instantiates a wasm-bindgen build from the .wasm at `url` (resolved by the entry from its
 * own `import.meta.url`).
 * @param {Function} initSync  the bindings' `initSync`
 * @param {URL} url            where the .wasm lies
 * @param {string} folder      the build's folder, for the message (`pkg`)
 */
export async function loadFromDisk(initSync, url, folder) {
  const path = fileURLToPath(url);
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(
      `nn-playground: cannot read the engine's nn_playground_bg.wasm at ${path} (${e.code || e.message}); ` +
        `reinstall the package or put the file back beside ${folder}/nn_playground.js`,
    );
  }
  return initSync({ module: bytes });
}
