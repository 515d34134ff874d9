//! Native tests of the fast kernels against the scalar oracles (bodies shared with
//! `wasm_kernels.rs`). Run: `cargo test --test kernels`.
#![cfg(not(target_arch = "wasm32"))]

mod common {
    pub mod activation_cases;
    pub mod kernel_cases;
}
use common::{activation_cases, kernel_cases};

crate::kernel_tests!(test);
