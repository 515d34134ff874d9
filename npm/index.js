// The package's main entry for browsers and bundlers: the engine's JS API (wasm-bindgen
// bindings of the full build: tables, ONNX, the Sequences mode and WebGPU) and `init`, which loads pkg/nn_playground_bg.wasm from beside
// this module wherever a bundler or a CDN has put it.

import wasmInit from './pkg/nn_playground.js';
import * as api from './pkg/nn_playground.js';
import { guardDisposed } from './disposed.js';
import { wrapInit } from './loader.js';

export * from './pkg/nn_playground.js';

// A freed model or session says so (see disposed.js).
guardDisposed(api);

// Written as one `new URL(literal, import.meta.url)` so that bundlers see and copy the file.
export const init = wrapInit(wasmInit, new URL('./pkg/nn_playground_bg.wasm', import.meta.url));
export default init;
