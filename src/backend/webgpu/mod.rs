//! The WebGPU backend (feature `webgpu`): the whole training step on the GPU through `wgpu`
//! (browser WebGPU on wasm32; Vulkan, Metal or DX12 natively), with the CPU engine as the
//! reference it is tested against and the fallback when no adapter is found.
//!
//! - [`GpuContext`]: adapter and device, found once (`GpuContext::new().await`).
//! - [`GpuTrainer`]: a compiled `Sequential` trained K steps per submit, predicting on the GPU.
//! - [`KernelRunner`]: the single kernels on their own, for tests and the benchmark.
//! - [`MatmulJob`], [`DispatchJob`]: clock-free benchmark jobs the browser page times.

mod batch_norm;
mod codes;
mod context;
mod dispatch;
mod jobs;
mod kernels;
mod matmul;
mod matmul_direct;
mod ops;
mod ops_bn;
mod ops_train;
#[cfg(not(target_arch = "wasm32"))]
mod timing;
mod trainer;

pub use context::GpuContext;
pub use jobs::{DispatchJob, MatmulJob};
pub use matmul::MatmulShape;
pub use ops::KernelRunner;
pub use ops_bn::BatchNormStep;
pub use trainer::{GpuTrainer, MAX_STEPS_PER_SUBMIT};
