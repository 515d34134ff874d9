//! One training step on one example, laid out as a worked example: per dense layer the input
//! `x`, the weights, `z = xW + b`, `a = σ(z)`, the delta `δ = ∂L/∂z`, the gradients
//! `ΔW = xᵀδ`, `Δb = δ`, and the weights after the optimiser's step. Every number is the
//! engine's own: the forward and backward passes are the training ones, run on a copy.
//!
//! Shapes (one example): `x: in`, `W: in×out` (row-major, `W[i·out + j]` links input `i` to
//! unit `j`), `b, z, a, δ, Δb: out`, `ΔW: in×out`.

use serde::Serialize;

use super::Sequential;
use crate::nn::layer::Layer;
use crate::spec::LayerSpec;
use crate::{Activation, Error, Matrix, Result};

/// One dense layer of a traced step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenseStep {
    pub inputs: usize,
    pub units: usize,
    pub activation: Activation,
    pub x: Vec<f32>,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    pub z: Vec<f32>,
    pub a: Vec<f32>,
    pub delta: Vec<f32>,
    pub dw: Vec<f32>,
    pub db: Vec<f32>,
    pub w_after: Vec<f32>,
    pub b_after: Vec<f32>,
    /// `w_after − w`: what the step changed, which `w_after` at a few digits hides.
    pub w_change: Vec<f32>,
}

/// A traced step: the example's loss and target, and each dense layer in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepTrace {
    pub loss: f32,
    pub target: Vec<f32>,
    pub learning_rate: f32,
    pub layers: Vec<DenseStep>,
}

impl Sequential {
    /// Traces one optimiser step on the single example `x: 1×in`, `y: 1×out` (see the module
    /// docs) without changing `self`. Networks with dropout or batch norm are refused: their
    /// step depends on a random mask or on the whole batch, not on one example.
    pub fn trace_step(&self, x: &Matrix, y: &Matrix) -> Result<StepTrace> {
        if x.rows() != 1 || y.rows() != 1 {
            return Err(Error::Shape(format!(
                "a traced step takes one example, not {} rows",
                x.rows()
            )));
        }
        if let Some((i, l)) = self
            .spec
            .layers
            .iter()
            .enumerate()
            .find(|(_, l)| !matches!(l, LayerSpec::Dense { .. }))
        {
            let what = l.name();
            // Named as the page numbers them: batch norm and dropout belong to the hidden
            // layer of the dense layer before them.
            let hidden = self.spec.layers[..i]
                .iter()
                .filter(|l| matches!(l, LayerSpec::Dense { .. }))
                .count();
            let place = if hidden == 0 {
                format!("layer {} of this network", i + 1)
            } else {
                format!("hidden layer {hidden}")
            };
            return Err(Error::InvalidConfig(format!(
                "the worked step covers dense layers only; {place} has {what} (turn it off to see the step)"
            )));
        }
        let mut probe = self.clone();
        let (loss, _) = probe.gradients(x, y)?;
        let mut stepped = self.clone();
        stepped.train_steps(x, y, 1, 1)?;
        let mut layers = Vec::new();
        for (i, (layer, after)) in probe.layers.iter().zip(&stepped.layers).enumerate() {
            let (Layer::Dense(d), Layer::Dense(after)) = (layer, after) else {
                continue;
            };
            let a = probe.acts[i + 1].as_slice().to_vec();
            let z = d.logits().as_slice().to_vec();
            // One example: Δb = Σ_rows δ = δ. Without a bias, δ comes from ΔW = xᵀδ on the
            // input with the largest magnitude.
            let x = probe.acts[i].as_slice().to_vec();
            let delta = if d.use_bias {
                d.db.clone()
            } else {
                let (k, xk) = x
                    .iter()
                    .copied()
                    .enumerate()
                    .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                    .unwrap_or((0, 0.0));
                let n = d.units();
                (0..n)
                    .map(|j| if xk != 0.0 { d.dw.get(k, j) / xk } else { 0.0 })
                    .collect()
            };
            layers.push(DenseStep {
                inputs: d.inputs(),
                units: d.units(),
                activation: d.activation,
                x,
                w: d.w.as_slice().to_vec(),
                b: d.b.clone(),
                z,
                a,
                delta,
                dw: d.dw.as_slice().to_vec(),
                db: d.db.clone(),
                w_after: after.w.as_slice().to_vec(),
                b_after: after.b.clone(),
                w_change: after
                    .w
                    .as_slice()
                    .iter()
                    .zip(d.w.as_slice())
                    .map(|(a, b)| a - b)
                    .collect(),
            });
        }
        let learning_rate = self
            .compile_spec()
            .map_or(0.0, |c| c.optimizer.learning_rate);
        Ok(StepTrace {
            loss,
            target: y.as_slice().to_vec(),
            learning_rate,
            layers,
        })
    }
}
