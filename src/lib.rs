//! # nn-playground
//!
//! A neural-network training engine for the browser: Keras-style [`Sequential`] models,
//! batched SIMD128 kernels for WebAssembly, TensorFlow-Playground datasets and the
//! playground engine that the page drives. The same code builds natively, where most tests run.
//!
//! ```
//! use nn_playground::{Activation, CompileSpec, FitOptions, Init, LayerSpec, LossKind, Matrix,
//!     MetricKind, ModelSpec, OptimizerKind, OptimizerSpec, Sequential};
//!
//! // XOR of two inputs.
//! let x = Matrix::from_rows(&[vec![0., 0.], vec![0., 1.], vec![1., 0.], vec![1., 1.]])?;
//! let y = Matrix::from_vec(4, 1, vec![0., 1., 1., 0.])?;
//! let dense = |units, activation| LayerSpec::Dense { units, activation, init: Init::GlorotUniform, use_bias: true };
//! let spec = ModelSpec { input_dim: 2, layers: vec![dense(8, Activation::Tanh), dense(1, Activation::Sigmoid)] };
//! let mut model = Sequential::new(spec, 7)?;
//! model.compile(CompileSpec {
//!     optimizer: OptimizerSpec { kind: OptimizerKind::Adam, learning_rate: 0.05, ..Default::default() },
//!     loss: LossKind::BinaryCrossentropy,
//!     metrics: vec![MetricKind::Accuracy],
//!     ..Default::default()
//! })?;
//! let history = model.fit(&x, &y, &FitOptions { epochs: 300, batch_size: 4, ..Default::default() }, &mut [])?;
//! assert_eq!(history.epochs.len(), 300);
//! assert_eq!(model.evaluate(&x, &y)?.metrics["accuracy"], 1.0);
//! let restored = Sequential::from_json(&model.to_json())?;
//! assert_eq!(restored.spec(), model.spec());
//! # Ok::<(), nn_playground::Error>(())
//! ```

pub mod activation;
#[cfg(feature = "webgpu")]
pub mod backend;
pub mod bench;
pub mod capabilities;
pub mod choices;
pub mod data;
pub mod error;
pub mod error_detail;
pub mod full_only;
pub mod input;
pub mod kernels;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod nn;
pub mod playground;
pub mod rng;
pub mod session;
pub mod spec;
pub mod tensor;
pub mod train;
pub mod url_state;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use activation::Activation;
pub use error::{Error, Result};
pub use model::{Callback, Evaluation, FitOptions, History, Logs, Sequential};
pub use rng::Rng;
pub use spec::*;
pub use tensor::Matrix;
