//! Report tables for the metrics panel: per-class precision / recall / F1 / support with
//! the caller's class names, and the regression summary (R², MAE, RMSE).

use serde::Serialize;

use super::{mae, mse, r2, ConfusionMatrix};
use crate::{Error, Result};

/// One class's line of a [`ClassReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassRow {
    pub name: String,
    /// `TP / (TP + FP)`, [`ConfusionMatrix::precision`].
    pub precision: f32,
    /// `TP / (TP + FN)`, [`ConfusionMatrix::recall`].
    pub recall: f32,
    /// Harmonic mean of the two, [`ConfusionMatrix::f1`].
    pub f1: f32,
    /// Examples whose true class this is.
    pub support: u64,
}

/// Precision, recall and F1 averaged over classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Averages {
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
}

/// scikit-learn's `classification_report` as a value: one row per class, then accuracy
/// and the macro and support-weighted averages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassReport {
    pub rows: Vec<ClassRow>,
    /// Share of examples on the diagonal.
    pub accuracy: f32,
    /// Unweighted mean over **all** classes, two classes included (unlike
    /// [`ConfusionMatrix::macro_precision`], which reports class 1 for a binary task).
    pub macro_avg: Averages,
    /// Mean over classes weighted by support; 0 when nothing was counted.
    pub weighted_avg: Averages,
    /// Examples counted.
    pub total: u64,
}

/// The per-class table of `cm`, row `k` named `names[k]`.
///
/// [`Error::Shape`] when `names` does not have one entry per class. Zero denominators give
/// 0, as in [`ConfusionMatrix`]; no classes give an empty table with zero averages.
pub fn class_report<S: AsRef<str>>(cm: &ConfusionMatrix, names: &[S]) -> Result<ClassReport> {
    let k = cm.classes;
    if names.len() != k {
        return Err(Error::Shape(format!(
            "{} class names for {k} classes",
            names.len()
        )));
    }
    let rows: Vec<ClassRow> = names
        .iter()
        .enumerate()
        .map(|(c, name)| ClassRow {
            name: name.as_ref().to_string(),
            precision: cm.precision(c),
            recall: cm.recall(c),
            f1: cm.f1(c),
            support: (0..k).map(|p| u64::from(cm.get(c, p))).sum(),
        })
        .collect();
    let total = cm.total();
    let average = |weight: &dyn Fn(&ClassRow) -> f64| {
        let w: f64 = rows.iter().map(weight).sum();
        let mean = |f: fn(&ClassRow) -> f32| {
            if w == 0.0 {
                0.0
            } else {
                (rows
                    .iter()
                    .map(|r| weight(r) * f64::from(f(r)))
                    .sum::<f64>()
                    / w) as f32
            }
        };
        Averages {
            precision: mean(|r| r.precision),
            recall: mean(|r| r.recall),
            f1: mean(|r| r.f1),
        }
    };
    let macro_avg = average(&|_| 1.0);
    let weighted_avg = average(&|r| r.support as f64);
    Ok(ClassReport {
        accuracy: cm.accuracy(),
        macro_avg,
        weighted_avg,
        total,
        rows,
    })
}

/// The regression panel: all values in the units of the numbers passed in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegressionReport {
    /// Pairs counted (the shorter slice).
    pub n: usize,
    /// [`r2`]: unitless, unchanged by an affine rescaling of both slices.
    pub r2: f32,
    /// [`mae`]: mean `|pred − truth|`.
    pub mae: f32,
    /// `√`[`mse`]: root mean squared error.
    pub rmse: f32,
}

/// R², MAE and RMSE of `pred` against `truth`. To report in the target's original units,
/// undo any target scaling on both slices first (`y = y'·std + mean`: MAE and RMSE scale by
/// `std`, R² is unchanged). Empty input gives zeros.
pub fn regression_report(pred: &[f32], truth: &[f32]) -> RegressionReport {
    RegressionReport {
        n: pred.len().min(truth.len()),
        r2: r2(pred, truth),
        mae: mae(pred, truth),
        rmse: mse(pred, truth).sqrt(),
    }
}
