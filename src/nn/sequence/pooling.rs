//! Poolings that turn each sequence into one vector, for sequence classification.
//!
//! Shapes: `X: (B·L)×d`, `Y: B×d`.

use crate::Matrix;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolingKind {
    /// `Y[b] = (1/L)·Σ_l X[b·L + l]`.
    Average,
    /// `Y[b] = X[b·L]`, the first token (a class token the task puts there).
    FirstToken,
}

#[derive(Debug, Clone)]
pub struct Pooling {
    pub kind: PoolingKind,
    seq_len: usize,
}

impl Pooling {
    pub fn new(kind: PoolingKind) -> Self {
        Self { kind, seq_len: 0 }
    }

    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix, seq_len: usize) {
        self.seq_len = seq_len;
        let d = x.cols();
        let batch = x.rows() / seq_len;
        y.resize(batch, d);
        for b in 0..batch {
            let out = y.row_mut(b);
            match self.kind {
                PoolingKind::FirstToken => out.copy_from_slice(x.row(b * seq_len)),
                PoolingKind::Average => {
                    out.fill(0.0);
                    for l in 0..seq_len {
                        for (o, v) in out.iter_mut().zip(x.row(b * seq_len + l)) {
                            *o += v;
                        }
                    }
                    let inv = 1.0 / seq_len as f32;
                    out.iter_mut().for_each(|o| *o *= inv);
                }
            }
        }
    }

    /// Average: `dX[b·L + l] = dY[b]/L`; first token: `dX[b·L] = dY[b]`, zero elsewhere.
    pub fn backward(&self, dy: &Matrix, dx: &mut Matrix) {
        let (batch, d) = dy.shape();
        let len = self.seq_len;
        dx.resize(batch * len, d);
        let inv = 1.0 / len as f32;
        for b in 0..batch {
            for l in 0..len {
                let out = dx.row_mut(b * len + l);
                match self.kind {
                    PoolingKind::Average => {
                        for (o, &g) in out.iter_mut().zip(dy.row(b)) {
                            *o = g * inv;
                        }
                    }
                    PoolingKind::FirstToken if l == 0 => out.copy_from_slice(dy.row(b)),
                    PoolingKind::FirstToken => out.fill(0.0),
                }
            }
        }
    }
}
