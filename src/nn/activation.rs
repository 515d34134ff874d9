//! Activation functions: the per-layer choice, with forward and derivative maths.

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
}
