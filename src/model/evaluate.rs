//! `evaluate`: loss and metrics of a model on labelled data, in inference mode.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Sequential;
use crate::metrics::{self, ConfusionMatrix};
use crate::nn::activation::Activation;
use crate::nn::layer::Layer;
use crate::nn::loss::loss_and_grad;
use crate::nn::token_loss::token_cross_entropy;
use crate::spec::{CompileSpec, LossKind, MetricKind};
use crate::{Matrix, Result};

/// Loss and metrics on one dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub loss: f32,
    pub metrics: BTreeMap<String, f32>,
    /// For classification outputs: rows are true classes, columns predicted ones.
    pub confusion: Option<ConfusionMatrix>,
}

impl Sequential {
    /// Mean loss (the data term, without the weight penalty) and the compiled metrics.
    pub fn evaluate(&mut self, x: &Matrix, y: &Matrix) -> Result<Evaluation> {
        self.check_training_data(x, y, 1)?;
        let spec = self.compiled_ref()?.spec.clone();
        if self.spec.per_position() {
            return self.evaluate_tokens(x, y, &spec);
        }
        let outputs = self.predict(x)?;
        let logits = if spec.loss.is_cross_entropy() {
            self.logits_of(x)?
        } else {
            outputs.clone()
        };
        let mut scratch = Matrix::default();
        let loss = loss_and_grad(spec.loss, spec.huber_delta, &logits, y, &mut scratch);
        let classes = self.classify(&outputs, y, spec.loss);
        let mut out = BTreeMap::new();
        for m in &spec.metrics {
            let v = match (m, &classes) {
                (MetricKind::Mse, _) => metrics::mse(outputs.as_slice(), y.as_slice()),
                (MetricKind::Mae, _) => metrics::mae(outputs.as_slice(), y.as_slice()),
                (MetricKind::R2, _) => metrics::r2(outputs.as_slice(), y.as_slice()),
                (_, None) => continue,
                (
                    MetricKind::Accuracy | MetricKind::TokenAccuracy | MetricKind::SequenceAccuracy,
                    Some(c),
                ) => c.accuracy(),
                (MetricKind::Precision, Some(c)) => {
                    if c.classes == 2 {
                        c.precision(1)
                    } else {
                        c.macro_precision()
                    }
                }
                (MetricKind::Recall, Some(c)) => {
                    if c.classes == 2 {
                        c.recall(1)
                    } else {
                        c.macro_recall()
                    }
                }
                (MetricKind::F1, Some(c)) => {
                    if c.classes == 2 {
                        c.f1(1)
                    } else {
                        c.macro_f1()
                    }
                }
            };
            out.insert(m.name().to_string(), v);
        }
        Ok(Evaluation {
            loss,
            metrics: out,
            confusion: classes,
        })
    }

    /// `evaluate` for a model with an output per position: the token-level loss, and
    /// accuracy per token (`accuracy`, `token_accuracy`) and per whole sequence.
    fn evaluate_tokens(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        spec: &CompileSpec,
    ) -> Result<Evaluation> {
        let logits = self.logits_of(x)?;
        let mut scratch = Matrix::default();
        let loss = token_cross_entropy(&logits, y.as_slice(), spec.padding_token, &mut scratch);
        let (token, sequence) = super::sequence::token_accuracies(&logits, y, spec.padding_token);
        let mut out = BTreeMap::new();
        for m in &spec.metrics {
            let v = match m {
                MetricKind::Accuracy | MetricKind::TokenAccuracy => token,
                MetricKind::SequenceAccuracy => sequence,
                _ => continue,
            };
            out.insert(m.name().to_string(), v);
        }
        Ok(Evaluation {
            loss,
            metrics: out,
            confusion: None,
        })
    }

    /// Pre-activation of the output layer, for losses computed on logits.
    fn logits_of(&mut self, x: &Matrix) -> Result<Matrix> {
        self.predict_impl(x, true)
    }

    /// Predicted vs true classes when the output is a classifier; `None` for regression.
    fn classify(&self, outputs: &Matrix, y: &Matrix, loss: LossKind) -> Option<ConfusionMatrix> {
        let out_dim = outputs.cols();
        if loss == LossKind::CategoricalCrossentropy
            || (out_dim > 1 && self.output_activation() == Activation::Softmax)
        {
            let pred = metrics::argmax_rows(outputs);
            let truth: Vec<usize> = if y.cols() == 1 {
                y.as_slice().iter().map(|&v| v as usize).collect()
            } else {
                metrics::argmax_rows(y)
            };
            return Some(ConfusionMatrix::from_labels(&truth, &pred, out_dim));
        }
        if out_dim != 1 {
            return None;
        }
        let threshold = match (loss, self.output_activation()) {
            (LossKind::BinaryCrossentropy, Activation::Sigmoid) => 0.5,
            (LossKind::BinaryCrossentropy, _) => 0.0,
            _ => binary_midpoint(y.as_slice())?,
        };
        let truth: Vec<usize> = y
            .as_slice()
            .iter()
            .map(|&v| (v > threshold) as usize)
            .collect();
        let pred: Vec<usize> = outputs
            .as_slice()
            .iter()
            .map(|&v| (v > threshold) as usize)
            .collect();
        Some(ConfusionMatrix::from_labels(&truth, &pred, 2))
    }

    pub(crate) fn output_activation(&self) -> Activation {
        match self.layers.iter().rev().find_map(|l| {
            if let Layer::Dense(d) = l {
                Some(d.activation)
            } else {
                None
            }
        }) {
            Some(a) => a,
            None => Activation::Linear,
        }
    }
}

/// Targets of a binary task take exactly two values; the threshold is their midpoint.
fn binary_midpoint(targets: &[f32]) -> Option<f32> {
    let first = *targets.first()?;
    let other = targets
        .iter()
        .copied()
        .find(|&v| v != first)
        .unwrap_or(first);
    if targets.iter().any(|&v| v != first && v != other) {
        return None;
    }
    let (lo, hi) = if first < other {
        (first, other)
    } else {
        (other, first)
    };
    if lo == hi {
        // One class present: use the usual 0/1 or ±1 conventions.
        return Some(if lo < 0.0 || hi > 1.0 || lo == -1.0 {
            0.0
        } else {
            0.5
        });
    }
    Some((lo + hi) / 2.0)
}
