//! Training health per dense layer, for the page's panel: mean |weight|, mean |gradient| on
//! a sample of training rows, the update-to-weight ratio, the share of dead ReLU or
//! saturated tanh/sigmoid units, and a histogram of the layer's outputs. It shows the
//! vanishing gradient of a deep sigmoid net and what batch norm changes.

use serde::Serialize;

use super::Session;
use crate::{Activation, LayerSpec, Matrix, Result};

/// Training rows the statistics are measured on: an even sample, so a 100 000-row table
/// costs what a small set does.
pub const HEALTH_ROWS: usize = 256;
/// Bins of each layer's output histogram.
pub const HEALTH_BINS: usize = 16;
/// A tanh output beyond ±0.97 (a sigmoid one below 0.015 or above 0.985) is saturated: its
/// derivative is under 6 % of its largest.
const SATURATED_TANH: f32 = 0.97;
const SATURATED_SIGMOID: f32 = 0.015;
/// A unit is saturated when at least this share of the sample saturates it.
const SATURATED_UNIT_SHARE: f32 = 0.9;

/// One dense layer's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerHealth {
    pub units: usize,
    pub activation: Activation,
    pub mean_abs_weight: f32,
    pub mean_abs_gradient: f32,
    /// The learning rate × mean |gradient| / mean |weight|: how far one plain gradient step
    /// moves the weights relative to their size (around 10⁻³ is healthy).
    pub update_ratio: f32,
    /// `"dead"` (ReLU units outputting 0 on every sampled row), `"saturated"` (tanh or
    /// sigmoid units saturated on at least 90 % of it), or `None` for other activations.
    pub inactive_kind: Option<&'static str>,
    /// Share of the layer's units that are dead or saturated (0 without a kind).
    pub inactive_share: f32,
    /// Counts of the layer's outputs on the sample in [`HEALTH_BINS`] equal bins over
    /// `range` (tanh: −1…1, sigmoid: 0…1, otherwise the outputs' own span).
    pub histogram: Vec<u32>,
    pub range: [f32; 2],
}

/// Every dense layer's health, first hidden layer first, the output layer last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub layers: Vec<LayerHealth>,
    /// Mean |gradient| of the last dense layer over that of the first: far above 1 when the
    /// gradient vanishes on its way back (NaN without gradients).
    pub gradient_ratio: f32,
    /// Training rows measured.
    pub rows: usize,
}

impl Session {
    /// The training-health figures of the model now. Measured on a copy of the model, so
    /// neither batch-norm statistics nor dropout's random stream of the run move.
    pub fn health(&self) -> Result<HealthReport> {
        let (x, y) = self.health_sample();
        let rows = x.rows();
        let spec = self.model.spec().clone();
        let mut model = self.model.clone();
        let grads = if rows > 0 {
            model.gradients(&x, &y)?.1
        } else {
            Vec::new()
        };
        let params = model.params();
        let outputs = if rows > 0 {
            model.layer_outputs(&x)?
        } else {
            Vec::new()
        };
        let lr = self.config.optimizer.learning_rate;
        let mut layers = Vec::new();
        let mut tensor = 0;
        for layer in &spec.layers {
            match layer {
                LayerSpec::Dense {
                    units,
                    activation,
                    use_bias,
                    ..
                } => {
                    let w = &params[tensor];
                    let g = grads.get(tensor).map_or(&[][..], Vec::as_slice);
                    tensor += if *use_bias { 2 } else { 1 };
                    let out = outputs.get(layers.len());
                    layers.push(layer_health(*units, *activation, w, g, out, lr));
                }
                LayerSpec::BatchNorm { .. } => tensor += 2,
                LayerSpec::Dropout { .. } => {}
            }
        }
        let gradient_ratio = match (layers.first(), layers.last()) {
            (Some(a), Some(b)) if a.mean_abs_gradient > 0.0 => {
                b.mean_abs_gradient / a.mean_abs_gradient
            }
            _ => f32::NAN,
        };
        Ok(HealthReport {
            layers,
            gradient_ratio,
            rows,
        })
    }

    /// At most [`HEALTH_ROWS`] training rows, evenly spaced.
    fn health_sample(&self) -> (Matrix, Matrix) {
        let (x, y) = self.data.train_xy();
        let n = x.rows();
        let take = n.min(HEALTH_ROWS);
        let idx: Vec<usize> = (0..take).map(|i| i * n / take.max(1)).collect();
        let mut sx = Matrix::default();
        let mut sy = Matrix::default();
        sx.gather_rows(x, &idx);
        sy.gather_rows(y, &idx);
        (sx, sy)
    }
}

fn mean_abs(v: &[f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    (v.iter().map(|x| f64::from(x.abs())).sum::<f64>() / v.len() as f64) as f32
}

fn layer_health(
    units: usize,
    activation: Activation,
    w: &[f32],
    g: &[f32],
    out: Option<&Matrix>,
    lr: f32,
) -> LayerHealth {
    let mean_abs_weight = mean_abs(w);
    let mean_abs_gradient = mean_abs(g);
    let update_ratio = if mean_abs_weight > 0.0 {
        lr * mean_abs_gradient / mean_abs_weight
    } else {
        f32::NAN
    };
    let (inactive_kind, inactive_share) = match out {
        Some(a) => inactive(activation, a),
        None => (None, 0.0),
    };
    let (histogram, range) = match out {
        Some(a) => histogram(activation, a.as_slice()),
        None => (vec![0; HEALTH_BINS], [0.0, 0.0]),
    };
    LayerHealth {
        units,
        activation,
        mean_abs_weight,
        mean_abs_gradient,
        update_ratio,
        inactive_kind,
        inactive_share,
        histogram,
        range,
    }
}

/// Which units do nothing useful: dead ReLUs, saturated tanh or sigmoid units.
fn inactive(activation: Activation, a: &Matrix) -> (Option<&'static str>, f32) {
    let (rows, cols) = (a.rows(), a.cols());
    if rows == 0 || cols == 0 {
        return (None, 0.0);
    }
    let saturated = |v: f32| match activation {
        Activation::Tanh => v.abs() > SATURATED_TANH,
        _ => !(SATURATED_SIGMOID..=1.0 - SATURATED_SIGMOID).contains(&v),
    };
    let column = |j: usize| (0..rows).map(move |i| a.as_slice()[i * cols + j]);
    let count = match activation {
        Activation::Relu => (0..cols).filter(|&j| column(j).all(|v| v <= 0.0)).count(),
        Activation::Tanh | Activation::Sigmoid => (0..cols)
            .filter(|&j| {
                column(j).filter(|&v| saturated(v)).count() as f32
                    >= SATURATED_UNIT_SHARE * rows as f32
            })
            .count(),
        _ => return (None, 0.0),
    };
    let kind = if activation == Activation::Relu {
        "dead"
    } else {
        "saturated"
    };
    (Some(kind), count as f32 / cols as f32)
}

fn histogram(activation: Activation, v: &[f32]) -> (Vec<u32>, [f32; 2]) {
    let finite = v.iter().copied().filter(|x| x.is_finite());
    let [lo, hi] = match activation {
        Activation::Tanh => [-1.0, 1.0],
        Activation::Sigmoid | Activation::Softmax => [0.0, 1.0],
        _ => {
            let (lo, hi) = finite
                .clone()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
            if lo.is_finite() && hi > lo {
                [lo, hi]
            } else if lo.is_finite() {
                [lo - 0.5, lo + 0.5]
            } else {
                [0.0, 1.0]
            }
        }
    };
    let mut bins = vec![0u32; HEALTH_BINS];
    for x in finite {
        let t = ((x - lo) / (hi - lo) * HEALTH_BINS as f32).floor();
        bins[(t.max(0.0) as usize).min(HEALTH_BINS - 1)] += 1;
    }
    (bins, [lo, hi])
}
