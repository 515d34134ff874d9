//! The WebGPU backend against the CPU engine, natively (lavapipe in CI, any Vulkan/Metal/DX12
//! GPU elsewhere): each kernel vs the scalar oracle, training runs vs the CPU run, and the
//! clock-free jobs the browser benchmark times.
//!
//! Run with `cargo test --features webgpu --test gpu`. Without an adapter every test fails
//! with a message saying how to get one; nothing is skipped.
#![cfg(all(feature = "webgpu", not(target_arch = "wasm32")))]

mod batch_norm;
mod bench_jobs;
#[path = "../common/mod.rs"]
mod common;
mod gradcheck;
mod kernels;
mod path;
mod state;
mod training;

use std::sync::OnceLock;

use nn_playground::backend::webgpu::{GpuContext, KernelRunner};

/// One device and one set of compiled kernels for the whole test binary.
pub fn gpu() -> &'static (GpuContext, KernelRunner) {
    static GPU: OnceLock<(GpuContext, KernelRunner)> = OnceLock::new();
    GPU.get_or_init(|| {
        let ctx = pollster::block_on(GpuContext::new()).unwrap_or_else(|e| {
            panic!(
                "WebGPU tests need a GPU adapter and found none: {e}\n\
                 Install a software Vulkan driver (Debian/Ubuntu: apt-get install mesa-vulkan-drivers) \
                 or run on a machine with a GPU."
            )
        });
        eprintln!("GPU tests run on {}", ctx.adapter_name());
        let runner = KernelRunner::new(&ctx).expect("kernels compile");
        (ctx, runner)
    })
}

/// Asserts `|a − b| ≤ abs + rel·|b|` element-wise, naming the first offending index.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], abs: f32, rel: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= abs + rel * w.abs(),
            "{what}: element {i}: GPU {g} vs CPU {w} (tolerance {abs} + {rel}·|cpu|)"
        );
    }
}
