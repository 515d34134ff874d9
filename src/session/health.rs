//! The training-health panel: per dense layer, how large the weights and their gradients
//! are, how far one optimiser step moves the weights, how many units are dead or saturated,
//! and a histogram of the activations. It shows the vanishing gradient of a deep sigmoid net
//! and what batch normalisation changes. Measured on copies of the model, so looking never
//! changes the run (no dropout draw, no batch-norm statistic, no step is taken on the real
//! model).

use serde::Serialize;

use super::Session;
use crate::spec::LayerSpec;
use crate::{Activation, Error, Matrix, Result};

/// Training rows the statistics are measured on (an even subsample of larger sets).
pub const HEALTH_ROWS: usize = 256;
/// Bins of each activation histogram.
pub const HEALTH_BINS: usize = 16;

/// One dense layer's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerHealth {
    /// 0-based among the dense layers (the last is the output layer).
    pub layer: usize,
    pub units: usize,
    pub activation: Activation,
    /// Mean |w| over the layer's weights.
    pub mean_abs_weight: f32,
    /// Mean |∂L/∂w| over the layer's weights, on the sampled rows (one batch of them).
    pub mean_abs_grad: f32,
    /// ‖ΔW‖ / ‖W‖ for one optimiser step on the sampled rows, with the page's optimiser and
    /// its state (around 1e-3 is the usual healthy range).
    pub update_ratio: f32,
    /// ReLU-like layers: the share of units that are 0 on every sampled row.
    pub dead_share: Option<f32>,
    /// tanh / sigmoid layers: the share of unit outputs within 1 % of the ends of the range.
    pub saturated_share: Option<f32>,
    /// Activation counts in [`HEALTH_BINS`] equal bins over `hist_range`.
    pub hist: Vec<u32>,
    pub hist_range: (f32, f32),
}

impl Session {
    /// Up to [`HEALTH_ROWS`] training rows, evenly spaced; `None` without any.
    fn health_sample(&self) -> Option<(Matrix, Matrix)> {
        let (tx, ty) = self.data.train_xy();
        if tx.rows() == 0 {
            return None;
        }
        let step = tx.rows().div_ceil(HEALTH_ROWS).max(1);
        let idx: Vec<usize> = (0..tx.rows()).step_by(step).collect();
        let (mut x, mut y) = (Matrix::default(), Matrix::default());
        x.gather_rows(tx, &idx);
        y.gather_rows(ty, &idx);
        Some((x, y))
    }

    /// Weight `W[from][to]` of dense layer `dense` and its gradient ∂L/∂w on the health
    /// sample (for the network view's hover), measured on a copy of the model.
    pub fn link_info(&self, dense: usize, from: usize, to: usize) -> Result<(f32, f32)> {
        let params = self.model.dense_params();
        let Some((w, _)) = params.get(dense) else {
            return Err(Error::InvalidConfig(format!(
                "dense layer {dense} does not exist; the network has {}",
                params.len()
            )));
        };
        if from >= w.rows() || to >= w.cols() {
            return Err(Error::InvalidConfig(format!(
                "weight {from} → {to} does not exist in a {}×{} layer",
                w.rows(),
                w.cols()
            )));
        }
        let Some((x, y)) = self.health_sample() else {
            return Ok((w.get(from, to), f32::NAN));
        };
        let (_, grads) = self.model.clone().gradients(&x, &y)?;
        let t = self.weight_tensors()[dense];
        Ok((w.get(from, to), grads[t][from * w.cols() + to]))
    }

    /// The smallest and largest output of node `unit` of network column `column` (0: the
    /// inputs, 1…: the dense layers) over the training rows' health sample.
    pub fn unit_range(&self, column: usize, unit: usize) -> Result<(f32, f32)> {
        let Some((x, _)) = self.health_sample() else {
            return Ok((f32::NAN, f32::NAN));
        };
        let m = if column == 0 {
            x
        } else {
            let mut outs = self.model.clone().layer_outputs(&x)?;
            if column > outs.len() {
                return Err(Error::InvalidConfig(format!(
                    "network column {column} does not exist; there are {}",
                    outs.len() + 1
                )));
            }
            outs.swap_remove(column - 1)
        };
        if unit >= m.cols() {
            return Err(Error::InvalidConfig(format!(
                "node {unit} does not exist in a column of {}",
                m.cols()
            )));
        }
        Ok((0..m.rows())
            .map(|r| m.get(r, unit))
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            }))
    }

    /// The index of each dense layer's weight tensor in `Sequential::params` order.
    fn weight_tensors(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = 0;
        for l in &self.model.spec().layers {
            match l {
                LayerSpec::Dense { use_bias, .. } => {
                    out.push(at);
                    at += 1 + usize::from(*use_bias);
                }
                LayerSpec::BatchNorm { .. } | LayerSpec::LayerNorm { .. } => at += 2,
                LayerSpec::Dropout { .. }
                | LayerSpec::GlobalAveragePooling1d
                | LayerSpec::FirstTokenPooling => {}
                LayerSpec::Embedding { .. } => at += 1,
                LayerSpec::PositionalEmbedding { sinusoidal, .. } => {
                    at += usize::from(!*sinusoidal)
                }
                LayerSpec::MultiHeadSelfAttention { .. } => at += 4,
                // Two layer norms, the attention's four tensors, two dense layers with biases.
                LayerSpec::TransformerBlock { .. } => at += 12,
            }
        }
        out
    }

    /// See [`LayerHealth`]; one entry per dense layer. Empty without training rows.
    pub fn health(&mut self) -> Result<Vec<LayerHealth>> {
        let Some((x, y)) = self.health_sample() else {
            return Ok(Vec::new());
        };
        let mut probe = self.model.clone();
        let (_, grads) = probe.gradients(&x, &y)?;
        let outs = probe.layer_outputs(&x)?;
        let mut stepped = self.model.clone();
        let before = stepped.params();
        stepped.train_steps(&x, &y, x.rows(), 1)?;
        let after = stepped.params();

        let weight_tensor = self.weight_tensors();
        let acts = self.model.spec().layers.iter().filter_map(|l| match l {
            LayerSpec::Dense { activation, .. } => Some(*activation),
            _ => None,
        });
        Ok(weight_tensor
            .iter()
            .zip(acts)
            .zip(outs)
            .enumerate()
            .map(|(layer, ((&t, activation), out))| {
                let (w, g) = (&before[t], &grads[t]);
                let delta: f64 = w
                    .iter()
                    .zip(&after[t])
                    .map(|(a, b)| f64::from(b - a).powi(2))
                    .sum();
                let norm: f64 = w.iter().map(|v| f64::from(*v).powi(2)).sum();
                let (hist, hist_range) = histogram(out.as_slice());
                LayerHealth {
                    layer,
                    units: out.cols(),
                    activation,
                    mean_abs_weight: mean_abs(w),
                    mean_abs_grad: mean_abs(g),
                    update_ratio: if norm > 0.0 {
                        (delta / norm).sqrt() as f32
                    } else {
                        0.0
                    },
                    dead_share: dead_share(&out, activation),
                    saturated_share: saturated_share(&out, activation),
                    hist,
                    hist_range,
                }
            })
            .collect())
    }
}

fn mean_abs(v: &[f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    (v.iter().map(|x| f64::from(x.abs())).sum::<f64>() / v.len() as f64) as f32
}

/// Units that output 0 on every row, for activations that have a dead zone.
fn dead_share(out: &Matrix, act: Activation) -> Option<f32> {
    if !matches!(act, Activation::Relu) {
        return None;
    }
    let (n, k) = out.shape();
    let dead = (0..k)
        .filter(|&j| (0..n).all(|r| out.get(r, j) <= 0.0))
        .count();
    Some(dead as f32 / k.max(1) as f32)
}

/// Outputs within 1 % of the ends of a bounded activation's range.
fn saturated_share(out: &Matrix, act: Activation) -> Option<f32> {
    let near = match act {
        Activation::Tanh => |v: f32| v.abs() > 0.98,
        Activation::Sigmoid => |v: f32| !(0.01..=0.99).contains(&v),
        _ => return None,
    };
    let v = out.as_slice();
    Some(v.iter().filter(|&&x| near(x)).count() as f32 / v.len().max(1) as f32)
}

fn histogram(v: &[f32]) -> (Vec<u32>, (f32, f32)) {
    let (lo, hi) = v
        .iter()
        .filter(|x| x.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let mut hist = vec![0u32; HEALTH_BINS];
    if !(lo.is_finite() && hi.is_finite()) {
        return (hist, (0.0, 0.0));
    }
    let width = (hi - lo).max(f32::MIN_POSITIVE);
    for &x in v.iter().filter(|x| x.is_finite()) {
        let b = (((x - lo) / width) * HEALTH_BINS as f32) as usize;
        hist[b.min(HEALTH_BINS - 1)] += 1;
    }
    (hist, (lo, hi))
}
