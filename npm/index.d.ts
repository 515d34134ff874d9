// Types of the package's main entry (and of its Node entry): the engine's wasm-bindgen
// declarations, plus `init`.

import type { InitInput, InitOutput } from './pkg/nn_playground.js';

export * from './pkg/nn_playground.js';

/**
 * Loads the engine once: with no argument, `pkg/nn_playground_bg.wasm` from beside the
 * module; rejects with a message naming that file when it is missing. In Node the entry
 * has already done this on import and `init()` only resolves.
 */
export declare function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export default init;
