//! Permutation importance on tables the tests generate: the column that decides the label
//! ranks first and the noise column last, one-hot groups are shuffled together, runs are
//! reproducible, progress and cancellation work step by step, and bad settings are errors.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::dense;
use nn_playground::data::Task;
use nn_playground::model::importance::{
    single_columns, ImportanceOptions, ImportanceScore, PermutationImportance,
};
use nn_playground::{
    Activation, CompileSpec, Error, FitOptions, LossKind, Matrix, MetricKind, ModelSpec,
    OptimizerKind, OptimizerSpec, Rng, Sequential,
};

/// Columns: 0 decides the label (weight 1), 1 helps a little (weight 0.4), 2 is noise, and
/// 3–5 are the one-hot encoding of a three-valued category that shifts the boundary.
/// Classification: label `x0 + 0.4·x1 + shift > 0`; regression: target `2·x0 + 0.8·x1 + shift`.
fn table(n: usize, seed: u64, task: Task) -> (Matrix, Matrix) {
    let mut rng = Rng::new(seed);
    let mut x = Vec::with_capacity(n * 6);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b, noise) = (
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
        );
        let cat = rng.below(3);
        let shift = [-0.5, 0.0, 0.5][cat];
        x.extend([a, b, noise]);
        x.extend((0..3).map(|k| f32::from(u8::from(k == cat))));
        y.push(match task {
            Task::Regression => 2.0 * a + 0.8 * b + shift,
            _ => f32::from(u8::from(a + 0.4 * b + shift > 0.0)),
        });
    }
    (
        Matrix::from_vec(n, 6, x).unwrap(),
        Matrix::from_vec(n, 1, y).unwrap(),
    )
}

fn trained(task: Task) -> (Sequential, Matrix, Matrix) {
    let (x, y) = table(800, 1, task);
    let (out, loss, metric) = match task {
        Task::Regression => (Activation::Linear, LossKind::Mse, MetricKind::R2),
        _ => (
            Activation::Sigmoid,
            LossKind::BinaryCrossentropy,
            MetricKind::Accuracy,
        ),
    };
    let spec = ModelSpec {
        input_dim: 6,
        layers: vec![dense(16, Activation::Tanh), dense(1, out)],
    };
    let mut m = Sequential::new(spec, 3).unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..OptimizerSpec::default()
        },
        loss,
        metrics: vec![metric],
        ..CompileSpec::default()
    })
    .unwrap();
    let opts = FitOptions {
        epochs: 60,
        batch_size: 32,
        ..FitOptions::default()
    };
    m.fit(&x, &y, &opts, &mut []).unwrap();
    let (tx, ty) = table(400, 2, task);
    (m, tx, ty)
}

fn groups() -> Vec<Vec<usize>> {
    vec![vec![0], vec![1], vec![2], vec![3, 4, 5]]
}

fn run(
    model: &mut Sequential,
    x: &Matrix,
    y: &Matrix,
    options: ImportanceOptions,
) -> PermutationImportance {
    let mut pi = PermutationImportance::new(model, x, y, &groups(), options).unwrap();
    while !pi.step(model).unwrap() {}
    pi
}

#[test]
fn classification_ranks_the_deciding_column_first_and_noise_last() {
    let (mut m, x, y) = trained(Task::Binary);
    let options = ImportanceOptions {
        score: ImportanceScore::for_task(Task::Binary),
        repeats: 5,
        seed: 9,
    };
    let pi = run(&mut m, &x, &y, options);
    let r = pi.result();
    assert_eq!(r.score, ImportanceScore::Accuracy);
    assert!(r.baseline > 0.95, "test accuracy {}", r.baseline);
    let ranking = r.ranking();
    assert_eq!(ranking[0], 0, "{r:?}");
    assert_eq!(ranking[3], 2, "{r:?}");
    assert!(r.groups[0].mean > 0.25, "{r:?}");
    assert!(
        r.groups[3].mean > r.groups[2].mean + 0.05,
        "the one-hot group matters: {r:?}"
    );
    assert!(r.groups[2].mean.abs() < 0.03, "noise: {r:?}");
    assert!(r.groups.iter().all(|g| g.drops.len() == 5));

    // The loss-based score agrees on the order.
    let by_loss = run(
        &mut m,
        &x,
        &y,
        ImportanceOptions {
            score: ImportanceScore::Loss,
            ..options
        },
    );
    let ranking = by_loss.result().ranking();
    assert_eq!((ranking[0], ranking[3]), (0, 2), "{:?}", by_loss.result());
}

#[test]
fn regression_by_r2() {
    let (mut m, x, y) = trained(Task::Regression);
    let options = ImportanceOptions {
        score: ImportanceScore::for_task(Task::Regression),
        repeats: 3,
        seed: 1,
    };
    let r = run(&mut m, &x, &y, options).result();
    assert_eq!(r.score, ImportanceScore::R2);
    assert!(r.baseline > 0.95, "test R² {}", r.baseline);
    let ranking = r.ranking();
    assert_eq!((ranking[0], ranking[3]), (0, 2), "{r:?}");
    assert!(
        r.groups[0].mean > 1.0,
        "shuffling the main column costs more than R² 1: {r:?}"
    );
    assert!(r.groups[2].mean.abs() < 0.02, "noise: {r:?}");
}

/// Same seed: same drops, bit for bit; another seed: other shuffles. Progress counts one
/// group per step; stepping a finished run is a no-op.
#[test]
fn steps_are_deterministic_and_report_progress() {
    let (mut m, x, y) = trained(Task::Binary);
    let options = ImportanceOptions {
        score: ImportanceScore::Loss,
        repeats: 2,
        seed: 5,
    };
    let mut pi = PermutationImportance::new(&mut m, &x, &y, &single_columns(6), options).unwrap();
    assert_eq!(pi.progress(), (0, 6));
    assert!(pi.result().groups.is_empty());
    for k in 1..=6 {
        assert_eq!(pi.step(&mut m).unwrap(), k == 6);
        assert_eq!(pi.progress(), (k, 6));
        assert_eq!(pi.result().groups.len(), k);
    }
    assert!(pi.is_done() && pi.step(&mut m).unwrap());
    assert_eq!(pi.progress(), (6, 6));
    let again = run(&mut m, &x, &y, options).result();
    let first = run(&mut m, &x, &y, options).result();
    assert_eq!(first, again);
    let other = run(&mut m, &x, &y, ImportanceOptions { seed: 6, ..options }).result();
    assert_ne!(first.groups[0].drops, other.groups[0].drops);
    assert_eq!(first.baseline, other.baseline);
}

#[test]
fn bad_settings_and_a_changed_model_are_errors() {
    let (mut m, x, y) = trained(Task::Binary);
    let opts = ImportanceOptions::default();
    let new = |m: &mut Sequential, x: &Matrix, y: &Matrix, g: &[Vec<usize>], o| {
        PermutationImportance::new(m, x, y, g, o).map(|_| ())
    };
    let cfg = |r: Result<(), Error>| matches!(r, Err(Error::InvalidConfig(_)));
    assert!(cfg(new(&mut m, &x, &y, &[vec![]], opts)));
    assert!(cfg(new(&mut m, &x, &y, &[vec![6]], opts)));
    assert!(cfg(new(&mut m, &x, &y, &[vec![3, 3]], opts)));
    assert!(cfg(new(
        &mut m,
        &x,
        &y,
        &groups(),
        ImportanceOptions { repeats: 0, ..opts }
    )));
    assert!(cfg(new(
        &mut m,
        &x,
        &y,
        &groups(),
        ImportanceOptions {
            repeats: 101,
            ..opts
        }
    )));
    let short = Matrix::zeros(3, 1);
    assert!(matches!(
        new(&mut m, &x, &short, &groups(), opts),
        Err(Error::Shape(_))
    ));
    let narrow = Matrix::zeros(400, 5);
    assert!(matches!(
        new(&mut m, &narrow, &y, &groups(), opts),
        Err(Error::Shape(_))
    ));
    let one = Matrix::zeros(1, 6);
    assert!(matches!(
        new(&mut m, &one, &Matrix::zeros(1, 1), &groups(), opts),
        Err(Error::InvalidData(_))
    ));
    // No groups: done at once.
    let mut none = PermutationImportance::new(&mut m, &x, &y, &[], opts).unwrap();
    assert!(none.step(&mut m).unwrap() && none.progress() == (0, 0));

    // Training between steps is refused.
    let mut pi = PermutationImportance::new(&mut m, &x, &y, &groups(), opts).unwrap();
    pi.step(&mut m).unwrap();
    m.fit(
        &x,
        &y,
        &FitOptions {
            epochs: 1,
            ..FitOptions::default()
        },
        &mut [],
    )
    .unwrap();
    assert!(cfg(pi.step(&mut m).map(|_| ())));
}

/// Accuracy needs a classifier's outputs; a regression model is scored by R² or loss.
#[test]
fn accuracy_of_a_regression_model_is_refused() {
    let (mut m, x, y) = trained(Task::Regression);
    let r = PermutationImportance::new(&mut m, &x, &y, &groups(), ImportanceOptions::default());
    assert!(matches!(r, Err(Error::InvalidConfig(_))), "{r:?}");
}

/// Options read from the worker's JSON: missing fields take their defaults.
#[test]
fn options_from_json() {
    let o: ImportanceOptions = serde_json::from_str(r#"{"score": "r2", "seed": 4}"#).unwrap();
    assert_eq!(
        o,
        ImportanceOptions {
            score: ImportanceScore::R2,
            repeats: 5,
            seed: 4
        }
    );
    let loss: ImportanceScore = serde_json::from_str(r#""loss""#).unwrap();
    assert_eq!(loss, ImportanceScore::Loss);
}

#[test]
fn a_column_the_model_barely_reads_is_exactly_unimportant_not_rounding_noise() {
    let (mut m, x, y) = trained(Task::Regression);
    // Column 2's weights into every hidden unit become tiny: shuffling it moves the loss
    // by about 1e-9 of itself, f32 rounding, which must read as no importance at all.
    for unit in 0..16 {
        m.set_weight(0, 2, unit, 1e-9).unwrap();
    }
    let options = ImportanceOptions {
        score: ImportanceScore::Loss,
        repeats: 5,
        seed: 4,
    };
    let r = run(&mut m, &x, &y, options).result();
    assert!(
        r.groups[2].drops.iter().all(|&d| d == 0.0),
        "{:?}",
        r.groups[2]
    );
    assert_eq!(r.groups[2].mean, 0.0);
    assert!(r.groups[0].mean > 0.0, "{r:?}");
}
