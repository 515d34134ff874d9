//! What the page draws: the decision grid over the playground square, every neuron's grid,
//! the weights for the network diagram, and the metrics panel.
//!
//! Grid layout: row 0 is the top (y = +6), column 0 the left (x = −6); cell `(r, c)` is
//! sampled at its centre and stored at `(r·res + c)·channels + k`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::data::DOMAIN;
use super::Session;
use crate::data::{Point, Task};
use crate::spec::{LayerSpec, LossKind, ModelSpec};
use crate::{Activation, Error, Matrix, Result};

/// Largest grid side accepted (512² cells is one batched pass of 262 144 rows).
pub const MAX_GRID_RESOLUTION: usize = 512;

/// Weights of one dense layer for drawing: `weights[i·units + j]` links input `i` to unit `j`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenseWeights {
    pub inputs: usize,
    pub units: usize,
    pub weights: Vec<f32>,
    pub biases: Vec<f32>,
    pub activation: Activation,
}

/// Every dense layer in order (the last is the output).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkWeights {
    pub layers: Vec<DenseWeights>,
}

/// The metrics panel: measured on the test points (or the training points when there are
/// no test points). Classification: accuracy, precision, recall, F1 (positive class, or
/// macro-averaged for K classes) and the confusion matrix (`counts[true·classes + pred]`);
/// regression: MSE, MAE, R².
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsReport {
    pub split: &'static str,
    pub loss: f32,
    /// True when the loss is on a standardised regression target (mean 0, std 1 over the
    /// training rows) while `mae`, `rmse` and `mse` are in the target's own units: the
    /// page says so beside both.
    pub standardized_target: bool,
    #[serde(flatten)]
    pub values: BTreeMap<String, f32>,
    pub confusion: Option<Confusion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub classes: usize,
    pub counts: Vec<u32>,
}

impl Session {
    /// The model's output over a `res × res` grid of the square, in one batched pass.
    ///
    /// One channel for binary and regression tasks, in the playground's scale (−1 … +1:
    /// tanh as is, sigmoid mapped by `2p − 1`, logits by `tanh(z/2)`); K channels of class
    /// probabilities for K classes.
    pub fn decision_grid(&mut self, res: usize) -> Result<Vec<f32>> {
        crate::train::ready(self.decision_grid_with(&mut crate::train::Cpu, res))
    }

    /// [`decision_grid`](Self::decision_grid) predicted by `trainer` (the GPU's, on the page).
    pub async fn decision_grid_with<T: crate::train::Trainer>(
        &mut self,
        trainer: &mut T,
        res: usize,
    ) -> Result<Vec<f32>> {
        let x = self.grid_inputs(res)?;
        let out = trainer.predict(&mut self.model, &x).await?;
        Ok(self.to_display(out))
    }

    /// Channels per cell of [`decision_grid`](Self::decision_grid).
    pub fn grid_channels(&self) -> usize {
        match self.data.task {
            Task::MultiClass(_) => self.model.output_dim(),
            _ => 1,
        }
    }

    /// A `res × res` grid for every node: the active features (raw values), then each dense
    /// layer's units (after activation; the output in the decision grid's scale for one
    /// output). Node-major: node `n`'s cells start at `n·res²`.
    pub fn neuron_grids(&mut self, res: usize) -> Result<Vec<f32>> {
        let (x, raw) = match (self.data.table(), &self.slice) {
            (Some(t), Some(s)) => {
                check_resolution(res)?;
                s.grid_inputs(t, res)?
            }
            _ => {
                let pts = grid_points(res)?;
                let raw = crate::data::features::feature_matrix(&pts, &self.config.features);
                (self.grid_inputs(res)?, raw)
            }
        };
        let outs = self.model.layer_outputs(&x)?;
        let cells = res * res;
        let nodes = raw.cols() + outs.iter().map(Matrix::cols).sum::<usize>();
        let mut grid = Vec::with_capacity(nodes * cells);
        push_columns(&mut grid, &raw);
        let last = outs.len().saturating_sub(1);
        for (i, m) in outs.into_iter().enumerate() {
            if i == last && m.cols() == 1 {
                let mapped = self.to_display(m);
                grid.extend_from_slice(&mapped);
            } else {
                push_columns(&mut grid, &m);
            }
        }
        Ok(grid)
    }

    /// Model outputs for points given as `[x, y, x, y, …]`, in the decision grid's scale.
    pub fn predict_points(&mut self, xy: &[f32]) -> Result<Vec<f32>> {
        if !xy.len().is_multiple_of(2) {
            return Err(Error::Shape(format!(
                "{} numbers are not (x, y) pairs",
                xy.len()
            )));
        }
        let pts: Vec<Point> = xy
            .chunks(2)
            .map(|c| Point {
                x: c[0],
                y: c[1],
                label: 0.0,
            })
            .collect();
        let x = self.data.inputs_for(&pts, &self.config)?;
        let out = self.model.predict(&x)?;
        Ok(self.to_display(out))
    }

    /// Weights and biases of every dense layer, for the network diagram.
    pub fn network(&self) -> NetworkWeights {
        let acts = self.model.spec().layers.iter().filter_map(|l| match l {
            LayerSpec::Dense { activation, .. } => Some(*activation),
            _ => None,
        });
        let layers = self
            .model
            .dense_params()
            .into_iter()
            .zip(acts)
            .map(|((w, b), activation)| DenseWeights {
                inputs: w.rows(),
                units: w.cols(),
                weights: w.into_vec(),
                biases: b,
                activation,
            })
            .collect();
        NetworkWeights { layers }
    }

    /// The metrics panel, see [`MetricsReport`].
    pub fn metrics(&mut self) -> Result<MetricsReport> {
        let test = self.data.test_x.rows() > 0;
        let (x, y) = self.data.split_xy(test);
        if x.rows() == 0 {
            return Ok(MetricsReport {
                split: "none",
                loss: f32::NAN,
                standardized_target: false,
                values: BTreeMap::new(),
                confusion: None,
            });
        }
        let e = self.model.evaluate(x, y)?;
        let mut values = e.metrics;
        // A standardised regression target trains in its own scale; errors are reported
        // in the target's units (R² does not depend on the scale).
        let target = self.preprocessing().and_then(|p| p.target);
        if let Some(t) = target {
            for (k, v) in values.iter_mut() {
                match k.as_str() {
                    "mae" | "rmse" => *v *= t.std,
                    "mse" => *v *= t.std * t.std,
                    _ => {}
                }
            }
        }
        Ok(MetricsReport {
            split: if test { "test" } else { "train" },
            loss: e.loss,
            standardized_target: target.is_some(),
            values,
            confusion: e.confusion.map(|c| Confusion {
                classes: c.classes,
                counts: c.counts,
            }),
        })
    }

    pub(super) fn grid_inputs(&mut self, res: usize) -> Result<Matrix> {
        if let Some((r, m)) = &self.grid_cache {
            if *r == res {
                return Ok(m.clone());
            }
        }
        let m = self.grid_inputs_uncached(res)?;
        self.grid_cache = Some((res, m.clone()));
        Ok(m)
    }

    /// The model's inputs over a `res × res` grid (the map's slice for a table), not cached.
    pub(super) fn grid_inputs_uncached(&self, res: usize) -> Result<Matrix> {
        Ok(match (self.data.table(), &self.slice) {
            (Some(t), Some(s)) => {
                check_resolution(res)?;
                s.grid_inputs(t, res)?.0
            }
            _ => self.data.inputs_for(&grid_points(res)?, &self.config)?,
        })
    }

    /// Maps raw model outputs to the display scale (see `decision_grid`).
    pub(super) fn to_display(&self, out: Matrix) -> Vec<f32> {
        let act = self.output_activation();
        let loss = self.model.compile_spec().map(|c| c.loss);
        let k = out.cols();
        let mut v = out.into_vec();
        if k > 1 {
            if act != Activation::Softmax {
                for row in v.chunks_mut(k) {
                    softmax(row);
                }
            }
            return v;
        }
        if self.data.task == Task::Regression {
            return v;
        }
        match (act, loss) {
            (Activation::Sigmoid, _) => v.iter_mut().for_each(|p| *p = 2.0 * *p - 1.0),
            (Activation::Tanh, _) => {}
            (_, Some(LossKind::BinaryCrossentropy)) => {
                v.iter_mut().for_each(|z| *z = (*z / 2.0).tanh())
            }
            _ => v.iter_mut().for_each(|z| *z = z.clamp(-1.0, 1.0)),
        }
        v
    }

    fn output_activation(&self) -> Activation {
        self.model
            .spec()
            .layers
            .iter()
            .rev()
            .find_map(|l| match l {
                LayerSpec::Dense { activation, .. } => Some(*activation),
                _ => None,
            })
            .unwrap_or_default()
    }
}

fn check_resolution(res: usize) -> Result<()> {
    if res == 0 || res > MAX_GRID_RESOLUTION {
        return Err(Error::Limit(format!(
            "grid resolution {res} is outside 1–{MAX_GRID_RESOLUTION}"
        )));
    }
    Ok(())
}

/// Cell centres of a `res × res` grid over the square, row 0 at the top.
/// The `res × res` cell centres of the map's square, row-major from the top left, as every
/// grid of the page samples it.
pub fn grid_points(res: usize) -> Result<Vec<Point>> {
    check_resolution(res)?;
    let step = 2.0 * DOMAIN / res as f32;
    Ok((0..res * res)
        .map(|i| Point {
            x: -DOMAIN + (i % res) as f32 * step + step / 2.0,
            y: DOMAIN - (i / res) as f32 * step - step / 2.0,
            label: 0.0,
        })
        .collect())
}

/// Appends each column of `m` as a contiguous run.
fn push_columns(out: &mut Vec<f32>, m: &Matrix) {
    for c in 0..m.cols() {
        out.extend((0..m.rows()).map(|r| m.get(r, c)));
    }
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

/// A short description of a model's layers, for error messages.
pub(super) fn describe(spec: &ModelSpec) -> String {
    let parts: Vec<String> = spec
        .layers
        .iter()
        .map(|l| match l {
            LayerSpec::Dense {
                units, activation, ..
            } => format!("dense {units} {}", activation.name()),
            LayerSpec::Dropout { rate } => format!("dropout {rate}"),
            other => other.name().to_string(),
        })
        .collect();
    format!("{} inputs → {}", spec.input_dim, parts.join(" → "))
}
