//! `Layer`: the closed set of layers a `Sequential` model holds, with one dispatch point for
//! forward, backward and parameter visits.

use crate::nn::{batch_norm::BatchNorm, dense::Dense, dropout::Dropout};
use crate::{Matrix, Rng};

#[derive(Debug, Clone)]
pub enum Layer {
    Dense(Dense),
    Dropout(Dropout),
    BatchNorm(BatchNorm),
}

/// One trainable tensor handed to the optimiser.
pub struct Param<'a> {
    pub value: &'a mut [f32],
    pub grad: &'a mut [f32],
    /// Weights take L1/L2 penalties and decoupled decay; biases and BN shifts/scales do not.
    pub is_weight: bool,
}

impl Layer {
    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix, training: bool, rng: &mut Rng) {
        match self {
            Layer::Dense(d) => d.forward(x, y),
            Layer::Dropout(d) => d.forward(x, y, training, rng),
            Layer::BatchNorm(b) => b.forward(x, y, training),
        }
    }

    /// Backpropagates `grad` (w.r.t. this layer's output `y`; w.r.t. the pre-activation when
    /// `grad_is_preactivation`) into parameter gradients and, when `dx` is given, into `dx`.
    pub fn backward(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        grad: &Matrix,
        grad_is_preactivation: bool,
        dx: Option<&mut Matrix>,
    ) {
        match self {
            Layer::Dense(d) => d.backward(x, y, grad, grad_is_preactivation, dx),
            Layer::Dropout(d) => {
                if let Some(dx) = dx {
                    d.backward(grad, dx)
                }
            }
            Layer::BatchNorm(b) => match dx {
                Some(dx) => b.backward(grad, dx),
                None => b.backward_params_only(grad),
            },
        }
    }

    /// Calls `f` on every trainable tensor, in a fixed order.
    pub fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        match self {
            Layer::Dense(d) => {
                f(Param {
                    value: d.w.as_mut_slice(),
                    grad: d.dw.as_mut_slice(),
                    is_weight: true,
                });
                if d.use_bias {
                    f(Param {
                        value: &mut d.b,
                        grad: &mut d.db,
                        is_weight: false,
                    });
                }
            }
            Layer::Dropout(_) => {}
            Layer::BatchNorm(b) => {
                f(Param {
                    value: &mut b.gamma,
                    grad: &mut b.dgamma,
                    is_weight: false,
                });
                f(Param {
                    value: &mut b.beta,
                    grad: &mut b.dbeta,
                    is_weight: false,
                });
            }
        }
    }

    /// Output width given the input width.
    pub fn output_dim(&self, input_dim: usize) -> usize {
        match self {
            Layer::Dense(d) => d.units(),
            _ => input_dim,
        }
    }
}
