//! Metrics against values computed by hand, including every zero-division case.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::metrics::{
    accuracy, argmax_rows, class_indices, mae, mse, predicted_classes, r2, threshold_classes,
    ConfusionMatrix,
};
use nn_playground::Matrix;

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn binary_confusion_matrix_by_hand() {
    // truth: 1 1 1 0 0 0 0 1 ; pred: 1 0 1 0 1 0 0 1  → TP=3 FN=1 FP=1 TN=3
    let truth = [1, 1, 1, 0, 0, 0, 0, 1];
    let pred = [1, 0, 1, 0, 1, 0, 0, 1];
    let cm = ConfusionMatrix::from_labels(&truth, &pred, 2);
    assert_eq!(cm.counts, [3, 1, 1, 3]);
    assert_eq!((cm.get(1, 1), cm.get(1, 0), cm.get(0, 1)), (3, 1, 1));
    assert_eq!(cm.total(), 8);
    assert!(close(cm.accuracy(), 0.75));
    assert!(close(cm.precision(1), 0.75));
    assert!(close(cm.recall(1), 0.75));
    assert!(close(cm.f1(1), 0.75));
    // Binary summaries report class 1.
    assert_eq!(cm.macro_precision(), cm.precision(1));
    assert_eq!(cm.macro_recall(), cm.recall(1));
    assert_eq!(cm.macro_f1(), cm.f1(1));

    // TP=1, FP=2, FN=0 → precision 1/3, recall 1, F1 = 2·(1/3)/(4/3) = 0.5
    let cm = ConfusionMatrix::from_labels(&[1, 0, 0, 0], &[1, 1, 1, 0], 2);
    assert!(close(cm.precision(1), 1.0 / 3.0));
    assert!(close(cm.recall(1), 1.0));
    assert!(close(cm.f1(1), 0.5));
    assert!(close(cm.precision(0), 1.0) && close(cm.recall(0), 1.0 / 3.0));
}

#[test]
fn multiclass_macro_averages_by_hand() {
    // 3 classes. truth 0 0 1 1 2 2 ; pred 0 1 1 1 0 2
    let cm = ConfusionMatrix::from_labels(&[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 0, 2], 3);
    assert_eq!(cm.counts, [1, 1, 0, 0, 2, 0, 1, 0, 1]);
    assert!(close(cm.accuracy(), 4.0 / 6.0));
    // precision: c0 1/2, c1 2/3, c2 1/1 ; recall: c0 1/2, c1 2/2, c2 1/2
    let p = [0.5, 2.0 / 3.0, 1.0];
    let r = [0.5, 1.0, 0.5];
    for c in 0..3 {
        assert!(
            close(cm.precision(c), p[c]) && close(cm.recall(c), r[c]),
            "class {c}"
        );
        let f = 2.0 * p[c] * r[c] / (p[c] + r[c]);
        assert!(close(cm.f1(c), f));
    }
    assert!(close(cm.macro_precision(), (0.5 + 2.0 / 3.0 + 1.0) / 3.0));
    assert!(close(cm.macro_recall(), 2.0 / 3.0));
    let f: [f32; 3] = [0.5, 0.8, 2.0 / 3.0];
    assert!(close(cm.macro_f1(), f.iter().sum::<f32>() / 3.0));
}

#[test]
fn zero_divisions_are_zero() {
    // Class 1 never predicted and never true.
    let cm = ConfusionMatrix::from_labels(&[0, 0], &[0, 0], 2);
    assert_eq!((cm.precision(1), cm.recall(1), cm.f1(1)), (0.0, 0.0, 0.0));
    assert_eq!(cm.accuracy(), 1.0);
    // Class 1 true but never predicted: precision 0 (no predicted positives), recall 0.
    let cm = ConfusionMatrix::from_labels(&[1, 1], &[0, 0], 2);
    assert_eq!((cm.precision(1), cm.recall(1), cm.f1(1)), (0.0, 0.0, 0.0));
    // Nothing counted at all.
    let empty = ConfusionMatrix::from_labels(&[], &[], 3);
    assert_eq!(empty.accuracy(), 0.0);
    assert_eq!(empty.macro_f1(), 0.0);
    let none = ConfusionMatrix::from_labels(&[], &[], 0);
    assert_eq!((none.accuracy(), none.macro_precision()), (0.0, 0.0));
    // Out-of-range class queries and labels are ignored, not panics.
    assert_eq!(cm.precision(7), 0.0);
    assert_eq!(cm.get(5, 0), 0);
    let skipped = ConfusionMatrix::from_labels(&[0, 9, 1, usize::MAX], &[0, 0, 5, 1, 1], 2);
    assert_eq!(skipped.total(), 1);
}

#[test]
fn confusion_matrix_serialises_for_the_page() {
    let cm = ConfusionMatrix::from_labels(&[0, 1], &[1, 1], 2);
    let json = serde_json::to_string(&cm).unwrap();
    assert_eq!(json, r#"{"classes":2,"counts":[0,1,0,1]}"#);
}

#[test]
fn regression_errors_by_hand() {
    let pred = [1.0, 2.0, 3.0, 4.0];
    let truth = [1.5, 2.0, 2.0, 5.0];
    // errors: -0.5, 0, 1, -1 → squared 0.25, 0, 1, 1
    assert!(close(mse(&pred, &truth), 2.25 / 4.0));
    assert!(close(mae(&pred, &truth), 2.5 / 4.0));
    // mean 2.625; SS_tot = 1.265625+0.390625+0.390625+5.640625 = 7.6875
    assert!(close(r2(&pred, &truth), 1.0 - 2.25 / 7.6875));
    assert_eq!(r2(&truth, &truth), 1.0);
    // Predicting the mean scores 0; worse than the mean is negative.
    assert!(close(r2(&[2.625; 4], &truth), 0.0));
    assert!(r2(&[10.0; 4], &truth) < 0.0);
}

#[test]
fn regression_edge_cases_are_defined() {
    assert_eq!(
        (mse(&[], &[]), mae(&[], &[]), r2(&[], &[])),
        (0.0, 0.0, 0.0)
    );
    // Constant truth: perfect → 1, otherwise 0.
    assert_eq!(r2(&[3.0, 3.0], &[3.0, 3.0]), 1.0);
    assert_eq!(r2(&[3.0, 4.0], &[3.0, 3.0]), 0.0);
    assert_eq!(r2(&[2.0], &[2.0]), 1.0);
    // Mismatched lengths use the common prefix.
    assert_eq!(mse(&[1.0, 100.0], &[0.0]), 1.0);
}

#[test]
fn predicted_classes_from_outputs() {
    let m = Matrix::from_vec(
        4,
        3,
        vec![
            0.1,
            0.7,
            0.2, //
            0.5,
            0.5,
            0.0, //
            f32::NAN,
            -1.0,
            -2.0, //
            f32::NAN,
            f32::NAN,
            f32::NAN,
        ],
    )
    .unwrap();
    assert_eq!(argmax_rows(&m), [1, 0, 1, 0]);
    assert_eq!(predicted_classes(&m, 0.0), [1, 0, 1, 0]);
    let scores = Matrix::from_vec(4, 1, vec![-0.2, 0.0, 0.9, f32::NAN]).unwrap();
    assert_eq!(predicted_classes(&scores, 0.0), [0, 1, 1, 0]);
    assert_eq!(threshold_classes(&[0.4, 0.5, 0.6], 0.5), [0, 1, 1]);
    assert_eq!(argmax_rows(&Matrix::zeros(2, 0)), [0, 0]);
}

#[test]
fn class_indices_and_accuracy() {
    let idx = class_indices(&[0.0, 1.0, 2.0, -1.0, f32::NAN, 0.9999]);
    assert_eq!(idx, [0, 1, 2, usize::MAX, usize::MAX, 1]);
    assert!(close(accuracy(&[0, 1, 2, 1], &[0, 1, 1, 1]), 0.75));
    assert_eq!(accuracy(&[], &[]), 0.0);
}
