// Types of the package's Sequences entry (browser and Node): the wasm-bindgen declarations
// of the build with the Sequences mode's bindings (`SequenceSession`, …), plus `init`.

import type { InitInput, InitOutput } from './pkg-sequences/nn_playground.js';

export * from './pkg-sequences/nn_playground.js';

/** Loads `pkg-sequences/nn_playground_bg.wasm` from beside the module, once (in Node, on import). */
export declare function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export default init;
