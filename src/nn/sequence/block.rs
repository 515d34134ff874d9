//! `TransformerBlock`: a pre-norm transformer encoder (or, causal, decoder) block.
//!
//! Shapes: `X, H, Y: (B·L)×d`, feed-forward `F: (B·L)×f`.

use super::{LayerNorm, MultiHeadSelfAttention};
use crate::nn::activation::Activation;
use crate::nn::dense::Dense;
use crate::nn::dropout::Dropout;
use crate::nn::init::initialize;
use crate::spec::Init;
use crate::{Matrix, Rng};

/// Layer-norm epsilon inside blocks (as in PyTorch's `nn.LayerNorm`).
pub const BLOCK_LAYER_NORM_EPSILON: f32 = 1e-5;

/// `H = X + MHSA(LN₁(X))`, `Y = H + dropout(W₂·relu(W₁·LN₂(H) + b₁) + b₂)`, the
/// feed-forward applied per position; `dropout` also drops attention weights.
#[derive(Debug, Clone)]
pub struct TransformerBlock {
    pub ln1: LayerNorm,
    pub attention: MultiHeadSelfAttention,
    pub ln2: LayerNorm,
    pub ff1: Dense,
    pub ff2: Dense,
    drop: Dropout,
    n1: Matrix,
    a: Matrix,
    h: Matrix,
    n2: Matrix,
    f1: Matrix,
    f2: Matrix,
    f2_dropped: Matrix,
    g_f2: Matrix,
    g_f1: Matrix,
    g_n2: Matrix,
    g_h: Matrix,
    g_n1: Matrix,
    g_tmp: Matrix,
}

impl TransformerBlock {
    pub fn new(
        dim: usize,
        heads: usize,
        ff_units: usize,
        causal: bool,
        dropout: f32,
        rng: &mut Rng,
    ) -> Self {
        let attention = MultiHeadSelfAttention::new(dim, heads, causal, dropout, rng);
        let mut ff1 = Dense::new(dim, ff_units, Activation::Relu, true);
        initialize(
            Init::HeUniform,
            dim,
            ff_units,
            ff1.w.as_mut_slice(),
            &mut ff1.b,
            rng,
        );
        let mut ff2 = Dense::new(ff_units, dim, Activation::Linear, true);
        initialize(
            Init::GlorotUniform,
            ff_units,
            dim,
            ff2.w.as_mut_slice(),
            &mut ff2.b,
            rng,
        );
        Self {
            ln1: LayerNorm::new(dim, BLOCK_LAYER_NORM_EPSILON),
            attention,
            ln2: LayerNorm::new(dim, BLOCK_LAYER_NORM_EPSILON),
            ff1,
            ff2,
            drop: Dropout::new(dropout),
            n1: Matrix::default(),
            a: Matrix::default(),
            h: Matrix::default(),
            n2: Matrix::default(),
            f1: Matrix::default(),
            f2: Matrix::default(),
            f2_dropped: Matrix::default(),
            g_f2: Matrix::default(),
            g_f1: Matrix::default(),
            g_n2: Matrix::default(),
            g_h: Matrix::default(),
            g_n1: Matrix::default(),
            g_tmp: Matrix::default(),
        }
    }

    pub fn forward(
        &mut self,
        x: &Matrix,
        y: &mut Matrix,
        seq_len: usize,
        training: bool,
        rng: &mut Rng,
    ) {
        self.ln1.forward(x, &mut self.n1);
        self.attention
            .forward(&self.n1, &mut self.a, seq_len, training, rng);
        self.h.resize(x.rows(), x.cols());
        add(x, &self.a, &mut self.h);
        self.ln2.forward(&self.h, &mut self.n2);
        self.ff1.forward(&self.n2, &mut self.f1);
        self.ff2.forward(&self.f1, &mut self.f2);
        self.drop
            .forward(&self.f2, &mut self.f2_dropped, training, rng);
        y.resize(x.rows(), x.cols());
        add(&self.h, &self.f2_dropped, y);
    }

    /// Backpropagates `dY` through both residual branches: `dH = dY + ∂FF-branch`,
    /// `dX = dH + ∂attention-branch`.
    pub fn backward(&mut self, dy: &Matrix, dx: Option<&mut Matrix>) {
        self.drop.backward(dy, &mut self.g_f2);
        self.ff2
            .backward(&self.f1, &self.f2, &self.g_f2, false, Some(&mut self.g_f1));
        self.ff1
            .backward(&self.n2, &self.f1, &self.g_f1, false, Some(&mut self.g_n2));
        self.ln2.backward(&self.g_n2, Some(&mut self.g_tmp));
        self.g_h.resize(dy.rows(), dy.cols());
        add(dy, &self.g_tmp, &mut self.g_h);
        self.attention
            .backward(&self.n1, &self.g_h, Some(&mut self.g_n1));
        let ln1_dx = dx.is_some().then_some(&mut self.g_tmp);
        self.ln1.backward(&self.g_n1, ln1_dx);
        if let Some(dx) = dx {
            dx.resize(dy.rows(), dy.cols());
            add(&self.g_h, &self.g_tmp, dx);
        }
    }
}

fn add(a: &Matrix, b: &Matrix, out: &mut Matrix) {
    for ((o, &p), &q) in out
        .as_mut_slice()
        .iter_mut()
        .zip(a.as_slice())
        .zip(b.as_slice())
    {
        *o = p + q;
    }
}
