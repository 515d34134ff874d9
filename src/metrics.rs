//! Evaluation metrics: the confusion matrix and what derives from it (accuracy, precision,
//! recall, F1) for classifiers, and MSE, MAE and R² for regression.
//!
//! Every ratio with a zero denominator is defined as 0, as scikit-learn does with
//! `zero_division=0`; empty inputs give 0 (R²'s constant-target case is documented on [`r2`]).

use serde::{Deserialize, Serialize};

use crate::Matrix;

pub mod report;
pub mod roc;

pub use report::{
    class_report, regression_report, Averages, ClassReport, ClassRow, RegressionReport,
};
pub use roc::{positive_scores, roc_curve, RocCurve, RocPoint, DEFAULT_ROC_POINTS};

/// Counts of (true class, predicted class) pairs: `counts[t * classes + p]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub classes: usize,
    pub counts: Vec<u32>,
}

impl ConfusionMatrix {
    /// Tallies `truth[i]` against `pred[i]`. Pairs past the shorter slice, and pairs with a
    /// class `>= classes` (e.g. `usize::MAX` from [`class_indices`] for an unusable label),
    /// are not counted.
    pub fn from_labels(truth: &[usize], pred: &[usize], classes: usize) -> ConfusionMatrix {
        let mut counts = vec![0u32; classes * classes];
        for (&t, &p) in truth.iter().zip(pred) {
            if t < classes && p < classes {
                counts[t * classes + p] = counts[t * classes + p].saturating_add(1);
            }
        }
        ConfusionMatrix { classes, counts }
    }

    /// Number of examples with true class `t` predicted as `p` (0 out of range).
    pub fn get(&self, t: usize, p: usize) -> u32 {
        if t < self.classes && p < self.classes {
            self.counts[t * self.classes + p]
        } else {
            0
        }
    }

    /// Number of counted examples.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// Share of examples on the diagonal; 0 when nothing was counted.
    pub fn accuracy(&self) -> f32 {
        let correct: u64 = (0..self.classes).map(|k| u64::from(self.get(k, k))).sum();
        ratio(correct, self.total())
    }

    /// `TP / (TP + FP)` for `class`; 0 when nothing was predicted as `class`.
    pub fn precision(&self, class: usize) -> f32 {
        let predicted: u64 = (0..self.classes)
            .map(|t| u64::from(self.get(t, class)))
            .sum();
        ratio(u64::from(self.get(class, class)), predicted)
    }

    /// `TP / (TP + FN)` for `class`; 0 when `class` never occurs in the truth.
    pub fn recall(&self, class: usize) -> f32 {
        let actual: u64 = (0..self.classes)
            .map(|p| u64::from(self.get(class, p)))
            .sum();
        ratio(u64::from(self.get(class, class)), actual)
    }

    /// Harmonic mean of precision and recall for `class`; 0 when both are 0.
    pub fn f1(&self, class: usize) -> f32 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Binary (2 classes): the precision of the positive class 1, as scikit-learn's
    /// `average="binary"`. Otherwise: the unweighted mean over all classes.
    pub fn macro_precision(&self) -> f32 {
        self.summarise(Self::precision)
    }

    /// Like [`Self::macro_precision`], for recall.
    pub fn macro_recall(&self) -> f32 {
        self.summarise(Self::recall)
    }

    /// Like [`Self::macro_precision`], for F1: the mean of per-class F1 scores (not the F1
    /// of the mean precision and recall).
    pub fn macro_f1(&self) -> f32 {
        self.summarise(Self::f1)
    }

    fn summarise(&self, per_class: fn(&Self, usize) -> f32) -> f32 {
        match self.classes {
            0 => 0.0,
            2 => per_class(self, 1),
            k => (0..k).map(|c| per_class(self, c)).sum::<f32>() / k as f32,
        }
    }
}

fn ratio(num: u64, den: u64) -> f32 {
    if den == 0 {
        0.0
    } else {
        (num as f64 / den as f64) as f32
    }
}

/// Mean of `(pred − truth)²` over the pairs (the shorter slice sets the count); 0 when empty.
pub fn mse(pred: &[f32], truth: &[f32]) -> f32 {
    mean_of(pred, truth, |d| d * d)
}

/// Mean of `|pred − truth|` over the pairs; 0 when empty.
pub fn mae(pred: &[f32], truth: &[f32]) -> f32 {
    mean_of(pred, truth, f64::abs)
}

fn mean_of(pred: &[f32], truth: &[f32], f: impl Fn(f64) -> f64) -> f32 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    let sum: f64 = pred
        .iter()
        .zip(truth)
        .map(|(&p, &t)| f(f64::from(p) - f64::from(t)))
        .sum();
    (sum / n as f64) as f32
}

/// Coefficient of determination `1 − SS_res/SS_tot`, with `SS_tot = Σ(truth − mean)²`.
///
/// When the truth is constant (`SS_tot = 0`, including a single example) R² is 1 for a
/// perfect prediction and 0 otherwise (scikit-learn's `force_finite` rule); 0 when empty.
/// It can be negative: a model worse than predicting the mean.
pub fn r2(pred: &[f32], truth: &[f32]) -> f32 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    let (pred, truth) = (&pred[..n], &truth[..n]);
    let mean = truth.iter().map(|&t| f64::from(t)).sum::<f64>() / n as f64;
    let ss_tot: f64 = truth.iter().map(|&t| (f64::from(t) - mean).powi(2)).sum();
    let ss_res: f64 = pred
        .iter()
        .zip(truth)
        .map(|(&p, &t)| (f64::from(p) - f64::from(t)).powi(2))
        .sum();
    if ss_tot == 0.0 {
        return if ss_res == 0.0 { 1.0 } else { 0.0 };
    }
    (1.0 - ss_res / ss_tot) as f32
}

/// The column of each row's largest value; the first on ties, NaN never wins (a row of
/// NaNs, or with no columns, gives 0).
pub fn argmax_rows(m: &Matrix) -> Vec<usize> {
    (0..m.rows())
        .map(|r| {
            let mut best = 0;
            let mut best_v = f32::NEG_INFINITY;
            for (c, &v) in m.row(r).iter().enumerate() {
                if v > best_v {
                    best = c;
                    best_v = v;
                }
            }
            best
        })
        .collect()
}

/// Class 1 where `score >= threshold`, else 0 (NaN gives 0). Use threshold 0 for tanh
/// outputs and logits, 0.5 for probabilities.
pub fn threshold_classes(scores: &[f32], threshold: f32) -> Vec<usize> {
    scores
        .iter()
        .map(|&s| usize::from(s >= threshold))
        .collect()
}

/// Predicted classes from model outputs: one column is a binary score cut at `threshold`,
/// several columns are per-class scores (argmax).
pub fn predicted_classes(outputs: &Matrix, threshold: f32) -> Vec<usize> {
    if outputs.cols() == 1 {
        threshold_classes(outputs.as_slice(), threshold)
    } else {
        argmax_rows(outputs)
    }
}

/// Class indices stored as `f32` labels, rounded to the nearest integer; a negative or
/// non-finite label becomes `usize::MAX`, which [`ConfusionMatrix::from_labels`] skips.
pub fn class_indices(labels: &[f32]) -> Vec<usize> {
    labels
        .iter()
        .map(|&v| {
            if v.is_finite() && v > -0.5 {
                v.round() as usize
            } else {
                usize::MAX
            }
        })
        .collect()
}

/// Accuracy of `pred` against `truth` over the pairs; 0 when empty.
pub fn accuracy(truth: &[usize], pred: &[usize]) -> f32 {
    let n = truth.len().min(pred.len());
    let correct = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
    ratio(correct as u64, n as u64)
}
