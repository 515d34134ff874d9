// The package's Sequences entry for browsers and bundlers: the JS API of the build with the
// Sequences mode's bindings (`SequenceSession`, `sequenceChoices`, `defaultSequenceConfig`,
// the link functions) beside the main entry's, loading pkg-sequences/nn_playground_bg.wasm
// from beside this module. Import it instead of the main entry, never both: each has its
// own wasm instance.

import wasmInit from './pkg-sequences/nn_playground.js';
import { wrapInit } from './loader.js';

export * from './pkg-sequences/nn_playground.js';

export const init = wrapInit(wasmInit, new URL('./pkg-sequences/nn_playground_bg.wasm', import.meta.url));
export default init;
