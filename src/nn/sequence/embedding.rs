//! `Embedding` (token id → learned vector) and `PositionalEmbedding` (adds a learned or
//! sinusoidal vector per position).
//!
//! Shapes: tokens `T: B×L`, table `E: vocab×d`, `Y: (B·L)×d`; positions `P: max_len×d`.

use crate::{Matrix, Rng};

/// `Y[b·L + l] = E[T[b, l]]`. The input is token ids, so there is no input gradient.
#[derive(Debug, Clone)]
pub struct Embedding {
    /// `vocab×d`.
    pub table: Matrix,
    pub grad: Matrix,
}

impl Embedding {
    /// Rows start as `N(0, 1/d)`, so that a token's vector has a length near 1.
    pub fn new(vocab: usize, dim: usize, rng: &mut Rng) -> Self {
        let mut table = Matrix::zeros(vocab, dim);
        let std = 1.0 / (dim.max(1) as f32).sqrt();
        table
            .as_mut_slice()
            .iter_mut()
            .for_each(|v| *v = rng.normal() * std);
        Self {
            grad: Matrix::zeros(vocab, dim),
            table,
        }
    }

    pub fn vocab(&self) -> usize {
        self.table.rows()
    }

    pub fn dim(&self) -> usize {
        self.table.cols()
    }

    /// Ids are checked by the model before they get here (`check_tokens`).
    pub fn forward(&self, tokens: &Matrix, y: &mut Matrix) {
        let d = self.dim();
        y.resize(tokens.rows() * tokens.cols(), d);
        for (row, &id) in y.as_mut_slice().chunks_exact_mut(d).zip(tokens.as_slice()) {
            row.copy_from_slice(self.table.row(id as usize));
        }
    }

    /// `dE[v] = Σ_{positions holding v} dY[position]`.
    pub fn backward(&mut self, tokens: &Matrix, dy: &Matrix) {
        let d = self.dim();
        self.grad.fill(0.0);
        for (g, &id) in dy.as_slice().chunks_exact(d).zip(tokens.as_slice()) {
            for (acc, v) in self.grad.row_mut(id as usize).iter_mut().zip(g) {
                *acc += v;
            }
        }
    }
}

/// `Y[b·L + l] = X[b·L + l] + P[l]`, with `P` learned or the fixed sinusoids of
/// "Attention is all you need": `P[l, 2i] = sin(l/10000^{2i/d})`, `P[l, 2i+1] = cos(…)`.
#[derive(Debug, Clone)]
pub struct PositionalEmbedding {
    /// `max_len×d`.
    pub table: Matrix,
    pub grad: Matrix,
    pub learned: bool,
    seq_len: usize,
}

impl PositionalEmbedding {
    pub fn new(max_len: usize, dim: usize, learned: bool, rng: &mut Rng) -> Self {
        let mut table = Matrix::zeros(max_len, dim);
        if learned {
            let std = 1.0 / (dim.max(1) as f32).sqrt();
            table
                .as_mut_slice()
                .iter_mut()
                .for_each(|v| *v = rng.normal() * std);
        } else {
            for l in 0..max_len {
                for i in 0..dim {
                    let rate = 10000f32.powf((i - i % 2) as f32 / dim as f32);
                    let a = l as f32 / rate;
                    table.set(l, i, if i % 2 == 0 { a.sin() } else { a.cos() });
                }
            }
        }
        Self {
            grad: Matrix::zeros(if learned { max_len } else { 0 }, dim),
            table,
            learned,
            seq_len: 0,
        }
    }

    pub fn max_len(&self) -> usize {
        self.table.rows()
    }

    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix, seq_len: usize) {
        self.seq_len = seq_len;
        let d = x.cols();
        y.resize(x.rows(), d);
        for (r, (out, inp)) in y
            .as_mut_slice()
            .chunks_exact_mut(d)
            .zip(x.as_slice().chunks_exact(d))
            .enumerate()
        {
            let p = self.table.row(r % seq_len);
            for ((o, &a), &b) in out.iter_mut().zip(inp).zip(p) {
                *o = a + b;
            }
        }
    }

    /// `dX = dY`; `dP[l] = Σ_b dY[b·L + l]` when learned.
    pub fn backward(&mut self, dy: &Matrix, dx: Option<&mut Matrix>) {
        let d = dy.cols();
        if self.learned {
            self.grad.fill(0.0);
            for (r, g) in dy.as_slice().chunks_exact(d).enumerate() {
                for (acc, v) in self.grad.row_mut(r % self.seq_len).iter_mut().zip(g) {
                    *acc += v;
                }
            }
        }
        if let Some(dx) = dx {
            dx.resize(dy.rows(), d);
            dx.as_mut_slice().copy_from_slice(dy.as_slice());
        }
    }
}
