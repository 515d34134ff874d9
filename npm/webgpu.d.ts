// Types of the package's GPU entry: the main entry's (its build `pkg/` carries the
// WebGPU backend and `GpuTrainer`).

export * from './index.js';
export { default } from './index.js';
