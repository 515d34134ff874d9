//! `BatchNorm`: per-feature normalisation over the batch with learned scale/shift and
//! running statistics for inference.
//!
//! Shapes: `X, Y: batch×features`; `gamma, beta, running_*: features`.

use crate::Matrix;

#[derive(Debug, Clone)]
pub struct BatchNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
    pub momentum: f32,
    pub epsilon: f32,
    pub dgamma: Vec<f32>,
    pub dbeta: Vec<f32>,
    xhat: Matrix,
    inv_std: Vec<f32>,
    /// Input-gradient buffer for when no caller wants it (batch norm as the first layer).
    scratch: Matrix,
}

impl BatchNorm {
    pub fn new(features: usize, momentum: f32, epsilon: f32) -> Self {
        Self {
            gamma: vec![1.0; features],
            beta: vec![0.0; features],
            running_mean: vec![0.0; features],
            running_var: vec![1.0; features],
            momentum,
            epsilon,
            dgamma: vec![0.0; features],
            dbeta: vec![0.0; features],
            xhat: Matrix::default(),
            inv_std: vec![0.0; features],
            scratch: Matrix::default(),
        }
    }

    /// Training: `Y = γ·(X − μ_B)/√(σ²_B + ε) + β` with batch statistics (biased variance),
    /// and `running ← momentum·running + (1 − momentum)·batch`. Inference uses the running
    /// statistics.
    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix, training: bool) {
        let (m, f) = x.shape();
        y.resize(m, f);
        self.xhat.resize(m, f);
        if training && m > 0 {
            for j in 0..f {
                let mut mean = 0.0f32;
                for i in 0..m {
                    mean += x.get(i, j);
                }
                mean /= m as f32;
                let mut var = 0.0f32;
                for i in 0..m {
                    let d = x.get(i, j) - mean;
                    var += d * d;
                }
                var /= m as f32;
                let inv = 1.0 / (var + self.epsilon).sqrt();
                self.inv_std[j] = inv;
                let new_mean = self.momentum * self.running_mean[j] + (1.0 - self.momentum) * mean;
                let new_var = self.momentum * self.running_var[j] + (1.0 - self.momentum) * var;
                // A non-finite batch is a diverging step, which training refuses; it must not
                // poison the statistics that inference (and a rolled-back model) relies on.
                if new_mean.is_finite() && new_var.is_finite() {
                    self.running_mean[j] = new_mean;
                    self.running_var[j] = new_var;
                }
                for i in 0..m {
                    let h = (x.get(i, j) - mean) * inv;
                    self.xhat.set(i, j, h);
                    y.set(i, j, self.gamma[j] * h + self.beta[j]);
                }
            }
        } else {
            for j in 0..f {
                let inv = 1.0 / (self.running_var[j] + self.epsilon).sqrt();
                self.inv_std[j] = inv;
                for i in 0..m {
                    let h = (x.get(i, j) - self.running_mean[j]) * inv;
                    self.xhat.set(i, j, h);
                    y.set(i, j, self.gamma[j] * h + self.beta[j]);
                }
            }
        }
    }

    /// Backward through a training-mode forward:
    /// `dX = (γ/σ)/m · (m·dY − Σ dY − X̂·Σ(dY⊙X̂))`, `dγ = Σ dY⊙X̂`, `dβ = Σ dY`.
    pub fn backward(&mut self, dy: &Matrix, dx: &mut Matrix) {
        let (m, f) = dy.shape();
        dx.resize(m, f);
        let mf = m as f32;
        for j in 0..f {
            let mut sum_dy = 0.0f32;
            let mut sum_dy_xhat = 0.0f32;
            for i in 0..m {
                let g = dy.get(i, j);
                sum_dy += g;
                sum_dy_xhat += g * self.xhat.get(i, j);
            }
            self.dbeta[j] = sum_dy;
            self.dgamma[j] = sum_dy_xhat;
            let scale = self.gamma[j] * self.inv_std[j] / mf;
            for i in 0..m {
                let v = scale * (mf * dy.get(i, j) - sum_dy - self.xhat.get(i, j) * sum_dy_xhat);
                dx.set(i, j, v);
            }
        }
    }

    /// `backward` when the input gradient is not needed; reuses an internal buffer.
    pub fn backward_params_only(&mut self, dy: &Matrix) {
        let mut scratch = std::mem::take(&mut self.scratch);
        self.backward(dy, &mut scratch);
        self.scratch = scratch;
    }
}
