//! Batch-norm state outside the trainable parameters: the running statistics inference uses,
//! and γ/β read without a mutable borrow, so another backend can take a model's full state
//! and hand it back.

use super::Sequential;
use crate::nn::layer::Layer;
use crate::{Error, Result};

impl Sequential {
    /// `(gamma, beta)` of every batch-norm layer, in order.
    pub fn batch_norm_params(&self) -> Vec<(Vec<f32>, Vec<f32>)> {
        self.layers
            .iter()
            .filter_map(|l| match l {
                Layer::BatchNorm(b) => Some((b.gamma.clone(), b.beta.clone())),
                _ => None,
            })
            .collect()
    }

    /// The running statistics of every batch-norm layer, in order: its running mean, then its
    /// running variance (two entries per layer; none without batch norm). Not trainable, so
    /// not part of [`params`](Self::params).
    pub fn running_stats(&self) -> Vec<Vec<f32>> {
        let mut out = Vec::new();
        for l in &self.layers {
            if let Layer::BatchNorm(b) = l {
                out.push(b.running_mean.clone());
                out.push(b.running_var.clone());
            }
        }
        out
    }

    /// Replaces the running statistics (same order and sizes as
    /// [`running_stats`](Self::running_stats)); values must be finite, variances ≥ 0.
    pub fn set_running_stats(&mut self, values: &[Vec<f32>]) -> Result<()> {
        let current = self.running_stats();
        if current.len() != values.len()
            || current.iter().zip(values).any(|(a, b)| a.len() != b.len())
        {
            return Err(Error::Shape(
                "running statistics do not match the model's batch-norm layers".into(),
            ));
        }
        check_running_stats(values)?;
        let bns = self.layers.iter_mut().filter_map(|l| match l {
            Layer::BatchNorm(b) => Some(b),
            _ => None,
        });
        for (b, pair) in bns.zip(values.chunks_exact(2)) {
            b.running_mean.copy_from_slice(&pair[0]);
            b.running_var.copy_from_slice(&pair[1]);
        }
        Ok(())
    }
}

/// Running statistics as pairs `[mean, variance]`: finite, variances ≥ 0 (a negative one
/// would make inference take the square root of a negative number).
pub(crate) fn check_running_stats(values: &[Vec<f32>]) -> Result<()> {
    if values.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::InvalidData(
            "running statistics must be finite".into(),
        ));
    }
    if values.iter().skip(1).step_by(2).flatten().any(|&v| v < 0.0) {
        return Err(Error::InvalidData(
            "running variances must not be negative".into(),
        ));
    }
    Ok(())
}
