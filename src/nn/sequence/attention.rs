//! `MultiHeadSelfAttention`: scaled dot-product self-attention with `H` heads, each a pair of
//! per-sequence products on the shared GEMM kernels.
//!
//! Shapes: `X, Y: (B·L)×d`, `W_qkv: d×3d`, `b_qkv: 3d`, `W_o: d×d`, `b_o: d`, head width
//! `dₕ = d/H`; per sequence `b` and head `h`: `Q, K, V, O: L×dₕ`, `S, A: L×L`.

use crate::kernels;
use crate::nn::init::initialize;
use crate::spec::Init;
use crate::{Matrix, Rng};

/// `[Q K V] = X·W_qkv + b_qkv`; per head `A = softmax(Q·Kᵀ/√dₕ + M)` with `M[i, j] = −∞`
/// for `j > i` when causal; `O = dropout(A)·V`; heads side by side, `Y = O·W_o + b_o`.
/// The softmax subtracts each row's maximum, so large scores do not overflow.
#[derive(Debug, Clone)]
pub struct MultiHeadSelfAttention {
    pub heads: usize,
    pub causal: bool,
    pub dropout: f32,
    pub w_qkv: Matrix,
    pub b_qkv: Vec<f32>,
    pub w_o: Matrix,
    pub b_o: Vec<f32>,
    pub dw_qkv: Matrix,
    pub db_qkv: Vec<f32>,
    pub dw_o: Matrix,
    pub db_o: Vec<f32>,
    /// Sequences and length of the last forward pass.
    batch: usize,
    seq_len: usize,
    qkv: Matrix,
    /// Head-major `(B·H)×L×dₕ` copies of Q, K, V.
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    /// `(B·H)×L×L` attention weights of the last forward pass (before dropout).
    attn: Vec<f32>,
    /// Dropout's keep-and-scale factors on `attn`; empty when no dropout was applied.
    mask: Vec<f32>,
    dropped: Vec<f32>,
    o_heads: Vec<f32>,
    o: Matrix,
    d_o: Matrix,
    d_oh: Vec<f32>,
    d_a: Vec<f32>,
    dq: Vec<f32>,
    dk: Vec<f32>,
    dv: Vec<f32>,
    dqkv: Matrix,
}

impl MultiHeadSelfAttention {
    /// Glorot-uniform projections (fan `d → d` each), zero biases.
    pub fn new(dim: usize, heads: usize, causal: bool, dropout: f32, rng: &mut Rng) -> Self {
        let mut w_qkv = Matrix::zeros(dim, 3 * dim);
        let mut b_qkv = vec![0.0; 3 * dim];
        initialize(
            Init::GlorotUniform,
            dim,
            dim,
            w_qkv.as_mut_slice(),
            &mut b_qkv,
            rng,
        );
        let mut w_o = Matrix::zeros(dim, dim);
        let mut b_o = vec![0.0; dim];
        initialize(
            Init::GlorotUniform,
            dim,
            dim,
            w_o.as_mut_slice(),
            &mut b_o,
            rng,
        );
        Self {
            heads,
            causal,
            dropout,
            dw_qkv: Matrix::zeros(dim, 3 * dim),
            db_qkv: vec![0.0; 3 * dim],
            dw_o: Matrix::zeros(dim, dim),
            db_o: vec![0.0; dim],
            w_qkv,
            b_qkv,
            w_o,
            b_o,
            batch: 0,
            seq_len: 0,
            qkv: Matrix::default(),
            q: Vec::new(),
            k: Vec::new(),
            v: Vec::new(),
            attn: Vec::new(),
            mask: Vec::new(),
            dropped: Vec::new(),
            o_heads: Vec::new(),
            o: Matrix::default(),
            d_o: Matrix::default(),
            d_oh: Vec::new(),
            d_a: Vec::new(),
            dq: Vec::new(),
            dk: Vec::new(),
            dv: Vec::new(),
            dqkv: Matrix::default(),
        }
    }

    pub fn dim(&self) -> usize {
        self.w_o.rows()
    }

    /// The attention weights of the last forward pass, `[b][h][query][key]` flattened
    /// (`B·H·L·L` values; each query's row sums to 1), with `(B, H, L)`.
    pub fn attention(&self) -> (&[f32], usize, usize, usize) {
        (&self.attn, self.batch, self.heads, self.seq_len)
    }

    pub fn forward(
        &mut self,
        x: &Matrix,
        y: &mut Matrix,
        seq_len: usize,
        training: bool,
        rng: &mut Rng,
    ) {
        let (rows, d) = x.shape();
        let (h, l) = (self.heads, seq_len);
        let dh = d / h;
        self.batch = rows / l;
        self.seq_len = l;
        let bh = self.batch * h;
        self.qkv.resize(rows, 3 * d);
        kernels::gemm_nn(
            rows,
            d,
            3 * d,
            x.as_slice(),
            self.w_qkv.as_slice(),
            self.qkv.as_mut_slice(),
            false,
        );
        kernels::add_bias(self.qkv.as_mut_slice(), &self.b_qkv);
        for buf in [&mut self.q, &mut self.k, &mut self.v, &mut self.o_heads] {
            buf.resize(bh * l * dh, 0.0);
        }
        split_heads(&self.qkv, 0, h, l, &mut self.q);
        split_heads(&self.qkv, 1, h, l, &mut self.k);
        split_heads(&self.qkv, 2, h, l, &mut self.v);
        self.attn.resize(bh * l * l, 0.0);
        let scale = 1.0 / (dh as f32).sqrt();
        let (qs, ks) = (l * dh, l * l);
        for s in 0..bh {
            let scores = &mut self.attn[s * ks..(s + 1) * ks];
            kernels::gemm_nt(
                l,
                dh,
                l,
                &self.q[s * qs..(s + 1) * qs],
                &self.k[s * qs..(s + 1) * qs],
                scores,
                false,
            );
            softmax_rows(scores, l, scale, self.causal);
        }
        let apply_dropout = training && self.dropout > 0.0;
        if apply_dropout {
            let keep = 1.0 - self.dropout;
            self.mask.resize(self.attn.len(), 0.0);
            self.dropped.resize(self.attn.len(), 0.0);
            for ((m, o), &a) in self
                .mask
                .iter_mut()
                .zip(self.dropped.iter_mut())
                .zip(&self.attn)
            {
                *m = if rng.next_f32() < keep {
                    1.0 / keep
                } else {
                    0.0
                };
                *o = a * *m;
            }
        } else {
            self.mask.clear();
        }
        let weights = if apply_dropout {
            &self.dropped
        } else {
            &self.attn
        };
        for s in 0..bh {
            kernels::gemm_nn(
                l,
                l,
                dh,
                &weights[s * ks..(s + 1) * ks],
                &self.v[s * qs..(s + 1) * qs],
                &mut self.o_heads[s * qs..(s + 1) * qs],
                false,
            );
        }
        self.o.resize(rows, d);
        merge_heads(&self.o_heads, 0, h, l, &mut self.o);
        y.resize(rows, d);
        kernels::gemm_nn(
            rows,
            d,
            d,
            self.o.as_slice(),
            self.w_o.as_slice(),
            y.as_mut_slice(),
            false,
        );
        kernels::add_bias(y.as_mut_slice(), &self.b_o);
    }

    /// Parameter gradients from `dY` and, with `dx`, `dX`. Per sequence and head, with
    /// `A'` the weights after dropout: `dA' = dO·Vᵀ`, `dV = A'ᵀ·dO`,
    /// `dS = A ⊙ (dA − rowsum(dA ⊙ A))/√dₕ` (`dA = dA' ⊙ mask`), `dQ = dS·K`, `dK = dSᵀ·Q`.
    pub fn backward(&mut self, x: &Matrix, dy: &Matrix, dx: Option<&mut Matrix>) {
        let (rows, d) = x.shape();
        let (h, l) = (self.heads, self.seq_len);
        let dh = d / h;
        let bh = self.batch * h;
        let (qs, ks) = (l * dh, l * l);
        kernels::gemm_tn(
            d,
            rows,
            d,
            self.o.as_slice(),
            dy.as_slice(),
            self.dw_o.as_mut_slice(),
            false,
        );
        kernels::column_sums(dy.as_slice(), d, &mut self.db_o, false);
        self.d_o.resize(rows, d);
        kernels::gemm_nt(
            rows,
            d,
            d,
            dy.as_slice(),
            self.w_o.as_slice(),
            self.d_o.as_mut_slice(),
            false,
        );
        for buf in [&mut self.d_oh, &mut self.dq, &mut self.dk, &mut self.dv] {
            buf.resize(bh * qs, 0.0);
        }
        split_heads(&self.d_o, 0, h, l, &mut self.d_oh);
        self.d_a.resize(ks, 0.0);
        let dropped = !self.mask.is_empty();
        let scale = 1.0 / (dh as f32).sqrt();
        for s in 0..bh {
            let (heads, keys) = (s * qs..(s + 1) * qs, s * ks..(s + 1) * ks);
            let a = &self.attn[keys.clone()];
            let a_used = if dropped {
                &self.dropped[keys.clone()]
            } else {
                a
            };
            kernels::gemm_nt(
                l,
                dh,
                l,
                &self.d_oh[heads.clone()],
                &self.v[heads.clone()],
                &mut self.d_a,
                false,
            );
            kernels::gemm_tn(
                l,
                l,
                dh,
                a_used,
                &self.d_oh[heads.clone()],
                &mut self.dv[heads.clone()],
                false,
            );
            if dropped {
                for (g, &m) in self.d_a.iter_mut().zip(&self.mask[keys.clone()]) {
                    *g *= m;
                }
            }
            for (g_row, a_row) in self.d_a.chunks_exact_mut(l).zip(a.chunks_exact(l)) {
                let dot: f32 = g_row.iter().zip(a_row).map(|(g, a)| g * a).sum();
                for (g, &p) in g_row.iter_mut().zip(a_row) {
                    *g = p * (*g - dot) * scale;
                }
            }
            kernels::gemm_nn(
                l,
                l,
                dh,
                &self.d_a,
                &self.k[heads.clone()],
                &mut self.dq[heads.clone()],
                false,
            );
            kernels::gemm_tn(
                l,
                l,
                dh,
                &self.d_a,
                &self.q[heads.clone()],
                &mut self.dk[heads.clone()],
                false,
            );
        }
        self.dqkv.resize(rows, 3 * d);
        merge_heads(&self.dq, 0, h, l, &mut self.dqkv);
        merge_heads(&self.dk, 1, h, l, &mut self.dqkv);
        merge_heads(&self.dv, 2, h, l, &mut self.dqkv);
        kernels::gemm_tn(
            d,
            rows,
            3 * d,
            x.as_slice(),
            self.dqkv.as_slice(),
            self.dw_qkv.as_mut_slice(),
            false,
        );
        kernels::column_sums(self.dqkv.as_slice(), 3 * d, &mut self.db_qkv, false);
        if let Some(dx) = dx {
            dx.resize(rows, d);
            kernels::gemm_nt(
                rows,
                3 * d,
                d,
                self.dqkv.as_slice(),
                self.w_qkv.as_slice(),
                dx.as_mut_slice(),
                false,
            );
        }
    }
}

/// Row-wise `softmax(scale·s)` in place over `L×L` scores, with keys after the query masked
/// out when `causal` (their weight is exactly 0).
fn softmax_rows(scores: &mut [f32], l: usize, scale: f32, causal: bool) {
    for (i, row) in scores.chunks_exact_mut(l).enumerate() {
        let visible = if causal { i + 1 } else { l };
        let max = row[..visible]
            .iter()
            .fold(f32::NEG_INFINITY, |m, &v| m.max(v * scale));
        let mut sum = 0.0;
        for v in &mut row[..visible] {
            *v = (*v * scale - max).exp();
            sum += *v;
        }
        let inv = 1.0 / sum;
        row[..visible].iter_mut().for_each(|v| *v *= inv);
        row[visible..].fill(0.0);
    }
}

/// Copies part `part` (0, 1, 2 for Q, K, V; width `d`) of each row of `src: (B·L)×(P·d)` into
/// head-major `dst: (B·H)×L×dₕ`.
fn split_heads(src: &Matrix, part: usize, heads: usize, l: usize, dst: &mut [f32]) {
    let d = dst.len() / src.rows();
    let dh = d / heads;
    for (r, row) in (0..src.rows()).map(|r| (r, src.row(r))) {
        let (b, pos) = (r / l, r % l);
        for hd in 0..heads {
            let from = part * d + hd * dh;
            let to = ((b * heads + hd) * l + pos) * dh;
            dst[to..to + dh].copy_from_slice(&row[from..from + dh]);
        }
    }
}

/// The inverse of [`split_heads`]: head-major `src` into part `part` of each row of `dst`.
fn merge_heads(src: &[f32], part: usize, heads: usize, l: usize, dst: &mut Matrix) {
    let d = src.len() / dst.rows();
    let dh = d / heads;
    for r in 0..dst.rows() {
        let (b, pos) = (r / l, r % l);
        let row = dst.row_mut(r);
        for hd in 0..heads {
            let to = part * d + hd * dh;
            let from = ((b * heads + hd) * l + pos) * dh;
            row[to..to + dh].copy_from_slice(&src[from..from + dh]);
        }
    }
}
