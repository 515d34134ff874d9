//! # nn-playground
//!
//! A neural-network training engine for the browser: Keras-style `Sequential` models,
//! batched SIMD128 kernels for WebAssembly, TensorFlow-Playground datasets and a
//! `Session` that the playground page drives.

pub mod data;
pub mod error;
pub mod kernels;
pub mod metrics;
pub mod nn;
pub mod rng;
pub mod session;
pub mod spec;
pub mod tensor;
pub mod url_state;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
pub use nn::activation::Activation;
pub use rng::Rng;
pub use spec::*;
pub use tensor::Matrix;
pub mod model;
pub use model::{Callback, Evaluation, FitOptions, History, Logs, Sequential};
