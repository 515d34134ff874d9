//! Activation functions: the per-layer choice and its scalar maths (the oracle). It sits with
//! the specs, below the kernels, which take it without importing `nn`; the batched
//! forward/backward entry points are in `nn::activation`.
//!
//! Definitions: `leaky_relu(x) = x` for `x > 0`, else `0.01·x` (Keras' `LeakyReLU` default
//! was 0.3 and TF.js uses 0.2; we use 0.01, the value of the original paper and PyTorch);
//! `elu` with α = 1; `gelu` is the tanh approximation
//! `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`; `silu(x) = x·σ(x)`;
//! `softplus(x) = ln(1 + eˣ)` computed stably; `sine(x) = sin x`. At the kinks of `relu`
//! and `leaky_relu` (x = 0) the derivative taken is the left one (0 and 0.01).

use serde::{Deserialize, Serialize};

/// A layer's activation. `Softmax` is only valid on the output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    #[default]
    Linear,
    Relu,
    LeakyRelu,
    Elu,
    Tanh,
    Sigmoid,
    Softplus,
    Silu,
    Gelu,
    Sine,
    Softmax,
}

impl Activation {
    /// Every activation, in the order the UI lists them.
    pub const ALL: [Activation; 11] = [
        Activation::Linear,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Elu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Softplus,
        Activation::Silu,
        Activation::Gelu,
        Activation::Sine,
        Activation::Softmax,
    ];

    /// True for the activations only an output layer may take (`Softmax`, which couples
    /// the units of a row): a hidden layer's choices are the others.
    pub fn output_only(self) -> bool {
        self == Activation::Softmax
    }

    /// The snake_case name used in configs and files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Elu => "elu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Softplus => "softplus",
            Activation::Silu => "silu",
            Activation::Gelu => "gelu",
            Activation::Sine => "sine",
            Activation::Softmax => "softmax",
        }
    }

    /// The activation of one value: the scalar oracle. `Softmax` of a single value is
    /// its one-column row, i.e. `1`.
    pub fn apply_scalar(self, x: f32) -> f32 {
        match self {
            Activation::Linear => x,
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            Activation::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => sigmoid(x),
            // max(x, 0) + ln(1 + e^−|x|): no overflow for large |x|.
            Activation::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Activation::Silu => x * sigmoid(x),
            Activation::Gelu => 0.5 * x * (1.0 + gelu_inner(x).tanh()),
            Activation::Sine => x.sin(),
            Activation::Softmax => 1.0,
        }
    }

    /// `act'(x)`: the scalar oracle of the derivative. `Softmax` of a single value is
    /// constant, so its derivative is `0`.
    pub fn derivative_scalar(self, x: f32) -> f32 {
        match self {
            Activation::Linear => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Elu => {
                if x > 0.0 {
                    1.0
                } else {
                    x.exp()
                }
            }
            Activation::Tanh => {
                let t = x.tanh();
                1.0 - t * t
            }
            Activation::Sigmoid => {
                let s = sigmoid(x);
                s * (1.0 - s)
            }
            Activation::Softplus => sigmoid(x),
            Activation::Silu => {
                let s = sigmoid(x);
                s * (1.0 + x * (1.0 - s))
            }
            Activation::Gelu => {
                let t = gelu_inner(x).tanh();
                let du = GELU_C * (1.0 + 3.0 * GELU_K * x * x);
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du
            }
            Activation::Sine => x.cos(),
            Activation::Softmax => 0.0,
        }
    }
}

/// The negative-side slope of [`Activation::LeakyRelu`].
pub const LEAKY_SLOPE: f32 = 0.01;

/// √(2/π), the scale inside the tanh approximation of GELU.
pub(crate) const GELU_C: f32 = 0.797_884_6;
/// The cubic coefficient of the GELU approximation.
pub(crate) const GELU_K: f32 = 0.044_715;

/// `√(2/π)·(x + 0.044715·x³)`.
fn gelu_inner(x: f32) -> f32 {
    GELU_C * (x + GELU_K * x * x * x)
}

/// `1 / (1 + e^−x)`, without overflow or cancellation on either side.
pub(crate) fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
