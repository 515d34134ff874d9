// The package's optional GPU entry: the same JS API built with the WebGPU backend
// (`fit(x, y, { backend: 'webgpu' | 'auto' })`, `GpuTrainer`), loading
// pkg-webgpu/nn_playground_bg.wasm from beside this module. Import it instead of the main
// entry, never both: each has its own wasm instance.

import wasmInit from './pkg-webgpu/nn_playground.js';
import { wrapInit } from './loader.js';

export * from './pkg-webgpu/nn_playground.js';

export const init = wrapInit(wasmInit, new URL('./pkg-webgpu/nn_playground_bg.wasm', import.meta.url));
export default init;
