//! `Layer`: the closed set of layers a `Sequential` model holds, with one dispatch point for
//! forward, backward and parameter visits.

use crate::nn::sequence::{
    Embedding, LayerNorm, MultiHeadSelfAttention, Pooling, PositionalEmbedding, TransformerBlock,
};
use crate::nn::{batch_norm::BatchNorm, dense::Dense, dropout::Dropout};
use crate::{Matrix, Rng};

#[derive(Debug, Clone)]
pub enum Layer {
    Dense(Dense),
    Dropout(Dropout),
    BatchNorm(BatchNorm),
    Embedding(Embedding),
    PositionalEmbedding(PositionalEmbedding),
    Attention(Box<MultiHeadSelfAttention>),
    LayerNorm(LayerNorm),
    TransformerBlock(Box<TransformerBlock>),
    Pooling(Pooling),
}

/// One trainable tensor handed to the optimiser.
pub struct Param<'a> {
    pub value: &'a mut [f32],
    pub grad: &'a mut [f32],
    /// Weights take L1/L2 penalties and decoupled decay; biases and BN shifts/scales do not.
    pub is_weight: bool,
}

impl Layer {
    /// `seq_len` is the positions per sequence in a token model (rows `b·L .. (b+1)·L` of
    /// `x` are sequence `b`); vector layers ignore it.
    pub fn forward(
        &mut self,
        x: &Matrix,
        y: &mut Matrix,
        training: bool,
        rng: &mut Rng,
        seq_len: usize,
    ) {
        match self {
            Layer::Dense(d) => d.forward(x, y),
            Layer::Dropout(d) => d.forward(x, y, training, rng),
            Layer::BatchNorm(b) => b.forward(x, y, training),
            Layer::Embedding(e) => e.forward(x, y),
            Layer::PositionalEmbedding(p) => p.forward(x, y, seq_len),
            Layer::Attention(a) => a.forward(x, y, seq_len, training, rng),
            Layer::LayerNorm(n) => n.forward(x, y),
            Layer::TransformerBlock(b) => b.forward(x, y, seq_len, training, rng),
            Layer::Pooling(p) => p.forward(x, y, seq_len),
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
            // Token ids have no gradient; the builder keeps embeddings first.
            Layer::Embedding(e) => e.backward(x, grad),
            Layer::PositionalEmbedding(p) => p.backward(grad, dx),
            Layer::Attention(a) => a.backward(x, grad, dx),
            Layer::LayerNorm(n) => n.backward(grad, dx),
            Layer::TransformerBlock(b) => b.backward(grad, dx),
            Layer::Pooling(p) => {
                if let Some(dx) = dx {
                    p.backward(grad, dx)
                }
            }
        }
    }

    /// Calls `f` on every trainable tensor, in a fixed order.
    pub fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        match self {
            Layer::Dense(d) => visit_dense(d, f),
            Layer::Dropout(_) | Layer::Pooling(_) => {}
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
            Layer::Embedding(e) => f(Param {
                value: e.table.as_mut_slice(),
                grad: e.grad.as_mut_slice(),
                is_weight: true,
            }),
            Layer::PositionalEmbedding(p) => {
                if p.learned {
                    f(Param {
                        value: p.table.as_mut_slice(),
                        grad: p.grad.as_mut_slice(),
                        is_weight: true,
                    })
                }
            }
            Layer::Attention(a) => visit_attention(a, f),
            Layer::LayerNorm(n) => visit_layer_norm(n, f),
            Layer::TransformerBlock(b) => {
                visit_layer_norm(&mut b.ln1, f);
                visit_attention(&mut b.attention, f);
                visit_layer_norm(&mut b.ln2, f);
                visit_dense(&mut b.ff1, f);
                visit_dense(&mut b.ff2, f);
            }
        }
    }

    /// Output width given the input width.
    pub fn output_dim(&self, input_dim: usize) -> usize {
        match self {
            Layer::Dense(d) => d.units(),
            Layer::Embedding(e) => e.dim(),
            _ => input_dim,
        }
    }

    /// The attention layer of this layer (itself, or inside a block), if any.
    pub fn attention(&self) -> Option<&MultiHeadSelfAttention> {
        match self {
            Layer::Attention(a) => Some(a),
            Layer::TransformerBlock(b) => Some(&b.attention),
            _ => None,
        }
    }
}

fn visit_dense(d: &mut Dense, f: &mut dyn FnMut(Param<'_>)) {
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

fn visit_attention(a: &mut MultiHeadSelfAttention, f: &mut dyn FnMut(Param<'_>)) {
    f(Param {
        value: a.w_qkv.as_mut_slice(),
        grad: a.dw_qkv.as_mut_slice(),
        is_weight: true,
    });
    f(Param {
        value: &mut a.b_qkv,
        grad: &mut a.db_qkv,
        is_weight: false,
    });
    f(Param {
        value: a.w_o.as_mut_slice(),
        grad: a.dw_o.as_mut_slice(),
        is_weight: true,
    });
    f(Param {
        value: &mut a.b_o,
        grad: &mut a.db_o,
        is_weight: false,
    });
}

fn visit_layer_norm(n: &mut LayerNorm, f: &mut dyn FnMut(Param<'_>)) {
    f(Param {
        value: &mut n.gamma,
        grad: &mut n.dgamma,
        is_weight: false,
    });
    f(Param {
        value: &mut n.beta,
        grad: &mut n.dbeta,
        is_weight: false,
    });
}
