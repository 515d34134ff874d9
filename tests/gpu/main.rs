//! The WebGPU backend against the CPU engine, natively (lavapipe in CI, any Vulkan/Metal/DX12
//! GPU elsewhere): the shared bodies of `tests/gpu_cases/` (each kernel vs the scalar oracle,
//! training runs vs the CPU run, batch norm, the clock-free jobs the browser benchmark times),
//! which the browser suite `tests/web_gpu.rs` runs too, and the native-only suites here
//! (finite differences, the one training path, optimiser state across backends).
//!
//! Run with `cargo test --features webgpu --test gpu`. Without an adapter every test fails
//! with a message saying how to get one; nothing is skipped.
#![cfg(all(feature = "webgpu", not(target_arch = "wasm32")))]

#[path = "../common/mod.rs"]
mod common;
#[path = "../gpu_cases/mod.rs"]
mod gpu_cases;
mod gradcheck;
mod path;
mod state;

use std::sync::OnceLock;

pub use gpu_cases::{assert_close, Gpu};

/// One device and one set of compiled kernels for the whole test binary.
pub fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| {
        let gpu = pollster::block_on(gpu_cases::open());
        eprintln!("GPU tests run on {}", gpu.0.adapter_name());
        gpu
    })
}

mod shared {
    crate::gpu_tests!(native);
}
