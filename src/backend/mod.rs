//! Compute backends beside the CPU engine: the WebGPU one when the `webgpu` feature is on.

#[cfg(feature = "webgpu")]
pub mod webgpu;
