//! The ROC curve of a binary scorer and the area under it, exact on ties, with the curve
//! thinned to a size the page can draw.

use serde::Serialize;

use crate::Matrix;

/// Points [`roc_curve`] keeps by default: enough for a smooth line on a small chart.
pub const DEFAULT_ROC_POINTS: usize = 200;

/// One operating point: predicting class 1 for every score `≥ threshold` gives these rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// False-positive rate `FP / N`.
    pub fpr: f32,
    /// True-positive rate (recall) `TP / P`.
    pub tpr: f32,
    /// The score cut; `+∞` for the first point `(0, 0)` (JSON: `null`).
    pub threshold: f32,
}

/// A ROC curve and its AUC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocCurve {
    /// From `(0, 0)` at threshold `+∞` through one point per distinct score, in descending
    /// order of threshold, to `(1, 1)` at the lowest score; thinned to at most `max_points`.
    pub points: Vec<RocPoint>,
    /// Area under the full (not thinned) curve by the trapezoid rule; `None` when either
    /// class is absent, where the curve is undefined.
    pub auc: Option<f32>,
    /// Counted examples of class 1 (`P`) and class 0 (`N`).
    pub positives: usize,
    pub negatives: usize,
}

/// The ROC curve of `scores` (higher means more likely class 1) against `truth`.
///
/// Pairs past the shorter slice, a NaN score, and a truth other than 0 or 1 (e.g.
/// `usize::MAX` from [`class_indices`](super::class_indices)) are not counted. Equal scores
/// are one threshold: they enter together, a diagonal step on the curve, so that the
/// trapezoid area equals the Mann–Whitney statistic
/// `AUC = (#{pos > neg} + ½·#{pos = neg}) / (P·N)` over all (positive, negative) pairs,
/// computed here exactly in integers before one division. Rates with a zero denominator
/// are 0 (as elsewhere in [`metrics`](super)).
///
/// When the full curve has more than `max_points` points (at least 2 are always kept) it
/// is thinned to `max_points` spread evenly by rank, keeping both ends; the AUC is always
/// that of the full curve. `O(n log n)`.
pub fn roc_curve(scores: &[f32], truth: &[usize], max_points: usize) -> RocCurve {
    let mut pairs: Vec<(f32, bool)> = scores
        .iter()
        .zip(truth)
        .filter(|(s, t)| !s.is_nan() && **t <= 1)
        .map(|(&s, &t)| (s, t == 1))
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = pairs.iter().filter(|p| p.1).count();
    let negatives = pairs.len() - positives;
    let rate = |k: u64, of: usize| {
        if of == 0 {
            0.0
        } else {
            (k as f64 / of as f64) as f32
        }
    };
    let mut points = vec![RocPoint {
        fpr: 0.0,
        tpr: 0.0,
        threshold: f32::INFINITY,
    }];
    let (mut tp, mut fp) = (0u64, 0u64);
    // Twice the area in units of one (positive, negative) pair: Σ Δfp·(tp_before + tp_after).
    let mut twice_area: u128 = 0;
    let mut i = 0;
    while i < pairs.len() {
        let threshold = pairs[i].0;
        let (tp0, fp0) = (tp, fp);
        while i < pairs.len() && pairs[i].0 == threshold {
            if pairs[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        twice_area += u128::from(fp - fp0) * u128::from(tp0 + tp);
        points.push(RocPoint {
            fpr: rate(fp, negatives),
            tpr: rate(tp, positives),
            threshold,
        });
    }
    let auc = (positives > 0 && negatives > 0)
        .then(|| (twice_area as f64 / (2.0 * positives as f64 * negatives as f64)) as f32);
    RocCurve {
        points: thin(points, max_points.max(2)),
        auc,
        positives,
        negatives,
    }
}

/// The class-1 score of each row of model outputs, for [`roc_curve`]: the only column of a
/// one-output model (a probability, tanh value or logit: any monotone score works), or
/// column 1 (class 1's probability) of a two-or-more-column one; empty for no columns.
pub fn positive_scores(outputs: &Matrix) -> Vec<f32> {
    match outputs.cols() {
        0 => Vec::new(),
        1 => outputs.as_slice().to_vec(),
        _ => (0..outputs.rows()).map(|r| outputs.get(r, 1)).collect(),
    }
}

/// Keeps `max` of `points` at evenly spread ranks `round(k·(m−1)/(max−1))`, both ends included.
fn thin(points: Vec<RocPoint>, max: usize) -> Vec<RocPoint> {
    let m = points.len();
    if m <= max {
        return points;
    }
    (0..max)
        .map(|k| points[(k * (m - 1) + (max - 1) / 2) / (max - 1)])
        .collect()
}
