//! `LayerNorm`: each row normalised over its features, then scaled and shifted.
//!
//! Shapes: `X, Y: n×d`, `γ, β: d`.

use crate::Matrix;

/// `Y = γ ⊙ (X − μ_row)/√(σ²_row + ε) + β`, with `μ`, `σ²` the mean and (biased) variance
/// of each row. The same in training and inference: no running statistics.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub dgamma: Vec<f32>,
    pub dbeta: Vec<f32>,
    pub epsilon: f32,
    /// Normalised input `x̂` of the last forward pass.
    xhat: Matrix,
    /// `1/√(σ² + ε)` per row.
    inv_std: Vec<f32>,
}

impl LayerNorm {
    pub fn new(dim: usize, epsilon: f32) -> Self {
        Self {
            gamma: vec![1.0; dim],
            beta: vec![0.0; dim],
            dgamma: vec![0.0; dim],
            dbeta: vec![0.0; dim],
            epsilon,
            xhat: Matrix::default(),
            inv_std: Vec::new(),
        }
    }

    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix) {
        let (n, d) = x.shape();
        self.xhat.resize(n, d);
        self.inv_std.resize(n, 0.0);
        y.resize(n, d);
        for r in 0..n {
            let row = x.row(r);
            let mean = row.iter().sum::<f32>() / d as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
            let inv = 1.0 / (var + self.epsilon).sqrt();
            self.inv_std[r] = inv;
            let xh = self.xhat.row_mut(r);
            for (h, &v) in xh.iter_mut().zip(row) {
                *h = (v - mean) * inv;
            }
            for (((o, &h), &g), &b) in y
                .row_mut(r)
                .iter_mut()
                .zip(self.xhat.row(r))
                .zip(&self.gamma)
                .zip(&self.beta)
            {
                *o = g * h + b;
            }
        }
    }

    /// `dγ = Σ_rows dY⊙x̂`, `dβ = Σ_rows dY` and, with `dx`,
    /// `dX = inv_std·(g − mean(g) − x̂·mean(g⊙x̂))` where `g = dY⊙γ`.
    pub fn backward(&mut self, dy: &Matrix, dx: Option<&mut Matrix>) {
        let (n, d) = dy.shape();
        self.dgamma.fill(0.0);
        self.dbeta.fill(0.0);
        for r in 0..n {
            for (((dg, db), &g), &h) in self
                .dgamma
                .iter_mut()
                .zip(self.dbeta.iter_mut())
                .zip(dy.row(r))
                .zip(self.xhat.row(r))
            {
                *dg += g * h;
                *db += g;
            }
        }
        let Some(dx) = dx else { return };
        dx.resize(n, d);
        for r in 0..n {
            let (g_row, xh) = (dy.row(r), self.xhat.row(r));
            let mut mean_g = 0.0;
            let mut mean_gx = 0.0;
            for ((&g, &gamma), &h) in g_row.iter().zip(&self.gamma).zip(xh) {
                mean_g += g * gamma;
                mean_gx += g * gamma * h;
            }
            mean_g /= d as f32;
            mean_gx /= d as f32;
            let inv = self.inv_std[r];
            for (((o, &g), &gamma), &h) in
                dx.row_mut(r).iter_mut().zip(g_row).zip(&self.gamma).zip(xh)
            {
                *o = inv * (g * gamma - mean_g - h * mean_gx);
            }
        }
    }
}
