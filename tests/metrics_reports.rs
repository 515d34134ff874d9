//! ROC curves and AUC (by hand, against the Mann–Whitney statistic, thinned), the
//! per-class report and the regression report.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::metrics::{
    class_report, positive_scores, regression_report, roc_curve, ConfusionMatrix, RocPoint,
    DEFAULT_ROC_POINTS,
};
use nn_playground::{Error, Matrix, Rng};

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-6
}

fn point(fpr: f32, tpr: f32, threshold: f32) -> RocPoint {
    RocPoint {
        fpr,
        tpr,
        threshold,
    }
}

/// `(#{pos > neg} + ½·#{pos = neg}) / (P·N)` by brute force over all pairs, from the same
/// integer (twice U) and the same one division as the curve's trapezoid sum.
fn mann_whitney(scores: &[f32], truth: &[usize]) -> f32 {
    let pos: Vec<f32> = (0..scores.len())
        .filter(|&i| truth[i] == 1)
        .map(|i| scores[i])
        .collect();
    let neg: Vec<f32> = (0..scores.len())
        .filter(|&i| truth[i] == 0)
        .map(|i| scores[i])
        .collect();
    let mut twice_u: u128 = 0;
    for p in &pos {
        for n in &neg {
            twice_u += if p > n { 2 } else { u128::from(p == n) };
        }
    }
    (twice_u as f64 / (2.0 * pos.len() as f64 * neg.len() as f64)) as f32
}

#[test]
fn roc_by_hand() {
    let scores = [0.4, 0.9, 0.7, 0.8, 0.55, 0.6];
    let truth = [0, 1, 0, 1, 0, 1];
    let roc = roc_curve(&scores, &truth, DEFAULT_ROC_POINTS);
    let (t, h) = (1.0 / 3.0, 2.0 / 3.0);
    assert_eq!((roc.positives, roc.negatives), (3, 3));
    let want = [
        point(0.0, 0.0, f32::INFINITY),
        point(0.0, t, 0.9),
        point(0.0, h, 0.8),
        point(t, h, 0.7),
        point(t, 1.0, 0.6),
        point(h, 1.0, 0.55),
        point(1.0, 1.0, 0.4),
    ];
    assert_eq!(roc.points.len(), want.len());
    for (g, w) in roc.points.iter().zip(&want) {
        assert!(
            close(g.fpr, w.fpr) && close(g.tpr, w.tpr) && g.threshold == w.threshold,
            "{g:?} vs {w:?}"
        );
    }
    assert!(close(roc.auc.unwrap(), 8.0 / 9.0));
}

/// Tied scores are one threshold: a diagonal step, worth half a pair each.
#[test]
fn ties_are_one_step_worth_half() {
    let roc = roc_curve(&[0.5, 0.5, 0.5, 0.1], &[1, 0, 0, 0], 10);
    assert_eq!(roc.points.len(), 3);
    assert!(close(roc.points[1].fpr, 2.0 / 3.0) && close(roc.points[1].tpr, 1.0));
    assert!(close(roc.auc.unwrap(), 2.0 / 3.0));
    let all_tied = roc_curve(&[1.0; 6], &[1, 0, 1, 0, 0, 1], 10);
    assert_eq!(all_tied.auc, Some(0.5));
    assert_eq!(all_tied.points.len(), 2);
    // Perfect and perfectly wrong rankings.
    assert_eq!(roc_curve(&[3.0, 2.0, 1.0], &[1, 1, 0], 10).auc, Some(1.0));
    assert_eq!(roc_curve(&[3.0, 2.0, 1.0], &[0, 1, 1], 10).auc, Some(0.0));
}

/// On random scores with many ties the trapezoid area is exactly the Mann–Whitney value.
#[test]
fn auc_equals_the_mann_whitney_statistic() {
    let mut rng = Rng::new(21);
    for case in 0..40 {
        let n = 2 + rng.below(300);
        let levels = 1 + rng.below(25);
        let truth: Vec<usize> = (0..n).map(|_| rng.below(2)).collect();
        let scores: Vec<f32> = truth
            .iter()
            .map(|&t| (rng.below(levels) as f32 + t as f32 * 2.0 * rng.next_f32()).round() / 4.0)
            .collect();
        let roc = roc_curve(&scores, &truth, usize::MAX);
        match roc.auc {
            Some(auc) => assert_eq!(auc, mann_whitney(&scores, &truth), "case {case}"),
            None => assert!(roc.positives == 0 || roc.negatives == 0),
        }
    }
}

/// A long curve is thinned to the cap, keeping both ends, monotone, with the full AUC.
#[test]
fn long_curves_are_thinned_keeping_the_ends() {
    let mut rng = Rng::new(4);
    let truth: Vec<usize> = (0..5000).map(|_| rng.below(2)).collect();
    let scores: Vec<f32> = truth.iter().map(|&t| rng.normal() + t as f32).collect();
    let full = roc_curve(&scores, &truth, usize::MAX);
    let thin = roc_curve(&scores, &truth, DEFAULT_ROC_POINTS);
    assert_eq!(full.points.len(), 5001);
    assert_eq!(thin.points.len(), DEFAULT_ROC_POINTS);
    assert_eq!(thin.auc, full.auc);
    assert!(full.auc.unwrap() > 0.7);
    assert_eq!(thin.points[0], full.points[0]);
    assert_eq!(thin.points.last(), full.points.last());
    assert_eq!((thin.points[199].fpr, thin.points[199].tpr), (1.0, 1.0));
    for w in thin.points.windows(2) {
        assert!(w[0].fpr <= w[1].fpr && w[0].tpr <= w[1].tpr && w[0].threshold > w[1].threshold);
    }
    assert_eq!(roc_curve(&scores, &truth, 0).points.len(), 2);
}

/// NaN scores and unusable labels are skipped; one class present has no AUC.
#[test]
fn unusable_pairs_and_one_class() {
    let roc = roc_curve(
        &[f32::NAN, 0.2, 0.9, 0.5, 0.1],
        &[1, 0, 1, usize::MAX, 2],
        10,
    );
    assert_eq!((roc.positives, roc.negatives), (1, 1));
    assert_eq!(roc.auc, Some(1.0));
    let one = roc_curve(&[0.2, 0.4], &[1, 1], 10);
    assert_eq!((one.auc, one.negatives), (None, 0));
    assert!(one.points.iter().all(|p| p.fpr == 0.0));
    let empty = roc_curve(&[], &[], 10);
    assert_eq!((empty.auc, empty.points.len()), (None, 1));
}

#[test]
fn class_report_by_hand() {
    // truth 0 0 0 1 ; pred 0 0 1 1 → class 0: P 1, R 2/3; class 1: P 1/2, R 1.
    let cm = ConfusionMatrix::from_labels(&[0, 0, 0, 1], &[0, 0, 1, 1], 2);
    let r = class_report(&cm, &["no", "yes"]).unwrap();
    assert_eq!(
        (r.rows[0].name.as_str(), r.rows[1].name.as_str()),
        ("no", "yes")
    );
    assert_eq!((r.rows[0].support, r.rows[1].support, r.total), (3, 1, 4));
    assert!(close(r.rows[0].precision, 1.0) && close(r.rows[0].recall, 2.0 / 3.0));
    assert!(close(r.rows[0].f1, 0.8) && close(r.rows[1].f1, 2.0 / 3.0));
    assert!(close(r.rows[1].precision, 0.5) && close(r.rows[1].recall, 1.0));
    assert!(close(r.accuracy, 0.75));
    assert!(close(r.macro_avg.precision, 0.75) && close(r.macro_avg.recall, 5.0 / 6.0));
    assert!(close(r.macro_avg.f1, (0.8 + 2.0 / 3.0) / 2.0));
    assert!(close(r.weighted_avg.precision, 0.875) && close(r.weighted_avg.recall, 0.75));
    assert!(close(r.weighted_avg.f1, (3.0 * 0.8 + 2.0 / 3.0) / 4.0));

    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let cm3 = ConfusionMatrix::from_labels(&[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 0, 2], 3);
    let r3 = class_report(&cm3, &names).unwrap();
    assert!(close(r3.macro_avg.precision, cm3.macro_precision()));
    assert_eq!(r3.macro_avg, r3.weighted_avg, "equal supports");
    assert!(matches!(
        class_report(&cm3, &["a", "b"]),
        Err(Error::Shape(_))
    ));
    let empty = class_report(&ConfusionMatrix::from_labels(&[], &[], 2), &["x", "y"]).unwrap();
    assert_eq!(
        (empty.total, empty.weighted_avg.f1, empty.accuracy),
        (0, 0.0, 0.0)
    );
}

#[test]
fn regression_report_by_hand_and_in_other_units() {
    let (pred, truth) = ([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]);
    let r = regression_report(&pred, &truth);
    assert_eq!(r.n, 3);
    assert!(close(r.mae, 2.0 / 3.0) && close(r.rmse, (4.0f32 / 3.0).sqrt()));
    assert!(close(r.r2, 1.0 - 36.0 / 78.0));
    let scale = |v: &[f32]| v.iter().map(|x| x * 10.0 + 3.0).collect::<Vec<_>>();
    let s = regression_report(&scale(&pred), &scale(&truth));
    assert!((s.mae - 10.0 * r.mae).abs() < 1e-4 && (s.rmse - 10.0 * r.rmse).abs() < 1e-4);
    assert!((s.r2 - r.r2).abs() < 1e-5);
    let e = regression_report(&[], &[]);
    assert_eq!((e.n, e.r2, e.mae, e.rmse), (0, 0.0, 0.0, 0.0));
}

#[test]
fn positive_scores_of_one_and_two_column_outputs() {
    let one = Matrix::from_vec(3, 1, vec![0.2, -1.0, 0.9]).unwrap();
    assert_eq!(positive_scores(&one), [0.2, -1.0, 0.9]);
    let two = Matrix::from_vec(2, 2, vec![0.7, 0.3, 0.1, 0.9]).unwrap();
    assert_eq!(positive_scores(&two), [0.3, 0.9]);
    assert!(positive_scores(&Matrix::zeros(4, 0)).is_empty());
}
