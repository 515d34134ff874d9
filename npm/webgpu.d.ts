// Types of the package's optional GPU entry: the wasm-bindgen declarations of the WebGPU
// build (with `GpuTrainer`), plus `init`.

import type { InitInput, InitOutput } from './pkg-webgpu/nn_playground.js';

export * from './pkg-webgpu/nn_playground.js';

/** Loads `pkg-webgpu/nn_playground_bg.wasm` from beside the module, once. */
export declare function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export default init;
