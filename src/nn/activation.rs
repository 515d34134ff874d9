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

const LEAKY_SLOPE: f32 = 0.01;

impl Activation {
    /// `y = act(z)` element-wise; softmax is row-wise over `cols` columns.
    pub fn forward(self, z: &[f32], y: &mut [f32], cols: usize) {
        if self == Activation::Softmax {
            for (zr, yr) in z
                .chunks_exact(cols.max(1))
                .zip(y.chunks_exact_mut(cols.max(1)))
            {
                let max = zr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0;
                for (o, &v) in yr.iter_mut().zip(zr) {
                    *o = (v - max).exp();
                    sum += *o;
                }
                yr.iter_mut().for_each(|o| *o /= sum);
            }
            return;
        }
        for (o, &v) in y.iter_mut().zip(z) {
            *o = self.apply_scalar(v);
        }
    }

    /// `dz = dy ⊙ act'(z)`, given pre-activation `z` and output `y`; softmax is the
    /// row-wise Jacobian-vector product.
    pub fn backward(self, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], cols: usize) {
        if self == Activation::Softmax {
            let c = cols.max(1);
            for ((yr, gr), dr) in y
                .chunks_exact(c)
                .zip(dy.chunks_exact(c))
                .zip(dz.chunks_exact_mut(c))
            {
                let dot: f32 = yr.iter().zip(gr).map(|(a, b)| a * b).sum();
                for ((d, &yy), &g) in dr.iter_mut().zip(yr).zip(gr) {
                    *d = yy * (g - dot);
                }
            }
            return;
        }
        for (((d, &zz), &yy), &g) in dz.iter_mut().zip(z).zip(y).zip(dy) {
            *d = g * match self {
                Activation::Tanh => 1.0 - yy * yy,
                Activation::Sigmoid => yy * (1.0 - yy),
                _ => self.derivative_scalar(zz),
            };
        }
    }

    /// Scalar reference `act(x)` (not for softmax).
    pub fn apply_scalar(self, x: f32) -> f32 {
        match self {
            Activation::Linear | Activation::Softmax => x,
            Activation::Relu => x.max(0.0),
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
            Activation::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Activation::Silu => x * sigmoid(x),
            Activation::Gelu => {
                let u = GELU_C * (x + 0.044715 * x * x * x);
                0.5 * x * (1.0 + u.tanh())
            }
            Activation::Sine => x.sin(),
        }
    }

    /// Scalar reference `act'(x)` (not for softmax).
    pub fn derivative_scalar(self, x: f32) -> f32 {
        match self {
            Activation::Linear | Activation::Softmax => 1.0,
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
            Activation::Tanh => 1.0 - x.tanh().powi(2),
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
                let u = GELU_C * (x + 0.044715 * x * x * x);
                let t = u.tanh();
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044715 * x * x)
            }
            Activation::Sine => x.cos(),
        }
    }
}

const GELU_C: f32 = 0.797_884_6;

fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
