//! The kernel tests on wasm32 (SIMD128 and portable kernels against the scalar oracles), run
//! in Node: `cargo test --target wasm32-unknown-unknown --test wasm_kernels`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

mod common {
    pub mod activation_cases;
    pub mod kernel_cases;
}
use common::{activation_cases, kernel_cases};

crate::kernel_tests!(wasm_bindgen_test);
