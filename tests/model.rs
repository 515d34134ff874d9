//! The Keras-style model API: determinism, save/load, fit/history/callbacks/early stopping,
//! and every bad input producing an error instead of a panic.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{dense, random_classes, random_matrix};
use nn_playground::{
    Activation, Callback, CompileSpec, EarlyStoppingSpec, Error, FitOptions, LayerSpec, Logs,
    LossKind, Matrix, MetricKind, ModelSpec, Monitor, OptimizerKind, OptimizerSpec, Sequential,
};

fn classifier() -> Sequential {
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            dense(8, Activation::Tanh),
            LayerSpec::Dropout { rate: 0.1 },
            dense(8, Activation::Relu),
            dense(1, Activation::Sigmoid),
        ],
    };
    let mut m = Sequential::new(spec, 42).unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..OptimizerSpec::default()
        },
        loss: LossKind::BinaryCrossentropy,
        metrics: vec![MetricKind::Accuracy, MetricKind::F1],
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

/// Points inside the unit circle are class 1.
fn disc_data(n: usize, seed: u64) -> (Matrix, Matrix) {
    let x = random_matrix(n, 2, -2.0, 2.0, seed);
    let y = (0..n)
        .map(|i| ((x.get(i, 0).powi(2) + x.get(i, 1).powi(2)) < 1.5) as u8 as f32)
        .collect();
    (x, Matrix::from_vec(n, 1, y).unwrap())
}

#[test]
fn fit_learns_a_disc_and_reports_history() {
    let (x, y) = disc_data(400, 1);
    let mut m = classifier();
    let opts = FitOptions {
        epochs: 60,
        batch_size: 16,
        validation_split: 0.25,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut []).unwrap();
    assert_eq!(h.epochs.len(), 60);
    let last = h.epochs.last().unwrap();
    assert!(last.loss < h.epochs[0].loss, "training loss fell");
    assert!(last.val_loss.is_some());
    assert!(last.metrics["val_accuracy"] > 0.9, "{:?}", last.metrics);
    assert!(last.metrics.contains_key("f1") && last.metrics.contains_key("val_f1"));
    let ev = m.evaluate(&x, &y).unwrap();
    assert!(ev.metrics["accuracy"] > 0.9);
    let cm = ev.confusion.unwrap();
    assert_eq!(cm.counts.iter().sum::<u32>(), 400);
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    let (x, y) = disc_data(100, 2);
    let train = || {
        let mut m = classifier();
        m.fit(
            &x,
            &y,
            &FitOptions {
                epochs: 5,
                batch_size: 7,
                ..FitOptions::default()
            },
            &mut [],
        )
        .unwrap();
        m.params()
    };
    let (a, b) = (train(), train());
    let bits = |p: &Vec<Vec<f32>>| p.iter().flatten().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a), bits(&b));
}

#[test]
fn save_then_load_predicts_identically() {
    let (x, y) = disc_data(64, 3);
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            dense(6, Activation::Gelu),
            LayerSpec::BatchNorm {
                momentum: 0.9,
                epsilon: 1e-3,
            },
            dense(3, Activation::Softmax),
        ],
    };
    let mut m = Sequential::new(spec, 9).unwrap();
    m.compile(CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        ..CompileSpec::default()
    })
    .unwrap();
    m.train_epoch(&x, &y, 8, true).unwrap();
    let json = m.to_json();
    let mut back = Sequential::from_json(&json).unwrap();
    assert_eq!(m.predict(&x).unwrap(), back.predict(&x).unwrap());
    assert_eq!(back.compile_spec(), m.compile_spec());
    assert_eq!(back.to_json(), json);
}

#[test]
fn running_statistics_move_between_models_and_are_checked() {
    let (x, y) = disc_data(40, 4);
    let bn = |momentum| LayerSpec::BatchNorm {
        momentum,
        epsilon: 1e-3,
    };
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            bn(0.5),
            dense(5, Activation::Tanh),
            LayerSpec::Dropout { rate: 0.1 },
            bn(0.5),
            dense(1, Activation::Sigmoid),
        ],
    };
    let mut trained = Sequential::new(spec.clone(), 2).unwrap();
    trained
        .compile(CompileSpec {
            loss: LossKind::BinaryCrossentropy,
            ..CompileSpec::default()
        })
        .unwrap();
    let mut fresh = trained.clone();
    assert_eq!(
        fresh.running_stats(),
        vec![vec![0.0; 2], vec![1.0; 2], vec![0.0; 5], vec![1.0; 5]],
        "per layer: mean, then variance"
    );
    trained.train_epoch(&x, &y, 8, false).unwrap();
    let (gamma, beta) = &trained.batch_norm_params()[1];
    assert_eq!(trained.params()[4..6], [gamma.clone(), beta.clone()]);
    // Weights alone predict differently; with the running statistics, identically.
    fresh.set_params(&trained.params()).unwrap();
    assert_ne!(fresh.predict(&x).unwrap(), trained.predict(&x).unwrap());
    fresh.set_running_stats(&trained.running_stats()).unwrap();
    assert_eq!(fresh.predict(&x).unwrap(), trained.predict(&x).unwrap());
    let mut bad = trained.running_stats();
    bad.pop();
    assert!(matches!(
        fresh.set_running_stats(&bad),
        Err(Error::Shape(_))
    ));
    let mut bad = trained.running_stats();
    bad[3][0] = -1.0;
    assert!(matches!(
        fresh.set_running_stats(&bad),
        Err(Error::InvalidData(_))
    ));
    bad[3][0] = f32::NAN;
    assert!(matches!(
        fresh.set_running_stats(&bad),
        Err(Error::InvalidData(_))
    ));
    assert_eq!(fresh.running_stats(), trained.running_stats(), "unchanged");
}

#[test]
fn broken_or_newer_model_files_are_clear_errors() {
    use nn_playground::model::MODEL_VERSION;
    let json = classifier().to_json();
    let newer = json.replacen(&format!("\"version\":{MODEL_VERSION}"), "\"version\":7", 1);
    let err = Sequential::from_json(&newer).unwrap_err();
    assert!(
        matches!(err, Error::Format(_)) && err.to_string().contains("newer"),
        "{err}"
    );
    assert!(matches!(
        Sequential::from_json("{not json"),
        Err(Error::Format(_))
    ));
    assert!(
        Sequential::from_json("{\"format\":\"something-else\",\"version\":1}")
            .unwrap_err()
            .to_string()
            .contains("something-else")
    );
    let truncated = json.replacen("\"w\":[", "\"w\":[1.0,", 1);
    assert!(matches!(
        Sequential::from_json(&truncated),
        Err(Error::Format(_))
    ));
    let nan = json.replacen("\"b\":[", "\"b\":[null,", 1);
    assert!(Sequential::from_json(&nan).is_err());
}

#[test]
fn invalid_models_and_data_are_errors() {
    let bad = |layers| {
        Sequential::new(
            ModelSpec {
                input_dim: 2,
                layers,
            },
            1,
        )
        .unwrap_err()
    };
    assert!(bad(vec![dense(0, Activation::Relu)])
        .to_string()
        .contains("0 units"));
    assert!(bad(vec![]).to_string().contains("no layers"));
    assert!(bad(vec![
        dense(4, Activation::Softmax),
        dense(2, Activation::Linear)
    ])
    .to_string()
    .contains("softmax"));
    assert!(matches!(
        bad(vec![dense(10_000, Activation::Relu)]),
        Error::Limit(_)
    ));
    assert!(bad(vec![
        LayerSpec::Dropout { rate: 1.0 },
        dense(1, Activation::Linear)
    ])
    .to_string()
    .contains("dropout"));
    assert!(Sequential::new(
        ModelSpec {
            input_dim: 0,
            layers: vec![dense(1, Activation::Linear)]
        },
        1
    )
    .is_err());

    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 2,
            layers: vec![dense(1, Activation::Tanh)],
        },
        1,
    )
    .unwrap();
    let (x, y) = disc_data(10, 4);
    assert!(m
        .train_epoch(&x, &y, 4, false)
        .unwrap_err()
        .to_string()
        .contains("not compiled"));
    let ce = CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        ..CompileSpec::default()
    };
    assert!(m
        .compile(ce)
        .unwrap_err()
        .to_string()
        .contains("cross-entropy"));
    m.compile(CompileSpec::default()).unwrap();
    assert!(m
        .train_epoch(&x, &y, 0, false)
        .unwrap_err()
        .to_string()
        .contains("batch size"));
    let short_y = Matrix::zeros(9, 1);
    assert!(matches!(
        m.train_epoch(&x, &short_y, 4, false),
        Err(Error::Shape(_))
    ));
    let mut nan_x = x.clone();
    nan_x.set(3, 1, f32::NAN);
    assert!(matches!(
        m.train_epoch(&nan_x, &y, 4, false),
        Err(Error::InvalidData(_))
    ));
    assert!(matches!(
        m.predict(&Matrix::zeros(3, 5)),
        Err(Error::Shape(_))
    ));
    assert!(m.set_learning_rate(-0.1).is_err());
    assert!(m.set_weight(3, 0, 0, 1.0).is_err());
    assert!(m.set_weight(0, 0, 0, f32::INFINITY).is_err());
    let opts = FitOptions {
        validation_split: 1.5,
        ..FitOptions::default()
    };
    assert!(m.fit(&x, &y, &opts, &mut []).is_err());
}

#[test]
fn sparse_labels_out_of_range_are_errors() {
    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 2,
            layers: vec![dense(3, Activation::Softmax)],
        },
        1,
    )
    .unwrap();
    m.compile(CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        ..CompileSpec::default()
    })
    .unwrap();
    let x = random_matrix(4, 2, -1.0, 1.0, 5);
    let y = Matrix::from_vec(4, 1, vec![0.0, 1.0, 3.0, 2.0]).unwrap();
    assert!(m
        .train_epoch(&x, &y, 2, false)
        .unwrap_err()
        .to_string()
        .contains("0..3"));
}

#[test]
fn divergence_stops_with_finite_weights_and_a_hint() {
    let x = random_matrix(32, 2, -100.0, 100.0, 6);
    let y = random_matrix(32, 1, -1e4, 1e4, 7);
    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 2,
            layers: vec![dense(16, Activation::Relu), dense(1, Activation::Linear)],
        },
        3,
    )
    .unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            learning_rate: 1e6,
            ..OptimizerSpec::default()
        },
        ..CompileSpec::default()
    })
    .unwrap();
    let mut err = None;
    for _ in 0..50 {
        if let Err(e) = m.train_epoch(&x, &y, 8, true) {
            err = Some(e);
            break;
        }
    }
    let err = err.expect("a learning rate of 1e6 must diverge");
    assert!(matches!(err, Error::Diverged { .. }));
    assert!(err.to_string().contains("lower learning rate"));
    assert!(m.params().iter().flatten().all(|v| v.is_finite()));
}

#[test]
fn gradient_clipping_bounds_each_update() {
    let x = random_matrix(16, 3, -5.0, 5.0, 8);
    let y = random_matrix(16, 1, -50.0, 50.0, 9);
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![dense(1, Activation::Linear)],
    };
    let mut m = Sequential::new(spec, 4).unwrap();
    let opt = OptimizerSpec {
        learning_rate: 0.1,
        clip_norm: Some(0.5),
        ..OptimizerSpec::default()
    };
    m.compile(CompileSpec {
        optimizer: opt,
        ..CompileSpec::default()
    })
    .unwrap();
    let before: Vec<f32> = m.params().concat();
    m.train_steps(&x, &y, 16, 1).unwrap();
    let after: Vec<f32> = m.params().concat();
    let step: f32 = before
        .iter()
        .zip(&after)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f32>()
        .sqrt();
    assert!(
        step <= 0.1 * 0.5 + 1e-5,
        "update norm {step} exceeds lr·clip"
    );
    assert!(step > 0.04, "update was clipped, not suppressed ({step})");
}

struct StopAfter(usize);
impl Callback for StopAfter {
    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs) -> bool {
        assert!(logs.loss.is_finite());
        epoch + 1 < self.0
    }
}

#[test]
fn callbacks_can_stop_training() {
    let (x, y) = disc_data(50, 10);
    let mut m = classifier();
    let mut cb = StopAfter(3);
    let h = m
        .fit(
            &x,
            &y,
            &FitOptions {
                epochs: 20,
                batch_size: 10,
                ..FitOptions::default()
            },
            &mut [&mut cb],
        )
        .unwrap();
    assert_eq!(h.epochs.len(), 3);
}

#[test]
fn early_stopping_restores_the_best_weights() {
    // Random labels: validation loss stops improving quickly while training memorises.
    let x = random_matrix(120, 2, -1.0, 1.0, 11);
    let y = random_classes(120, 2, 12);
    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 2,
            layers: vec![dense(32, Activation::Relu), dense(1, Activation::Sigmoid)],
        },
        5,
    )
    .unwrap();
    let opt = OptimizerSpec {
        kind: OptimizerKind::Adam,
        learning_rate: 0.05,
        ..OptimizerSpec::default()
    };
    m.compile(CompileSpec {
        optimizer: opt,
        loss: LossKind::BinaryCrossentropy,
        ..CompileSpec::default()
    })
    .unwrap();
    let es = EarlyStoppingSpec {
        monitor: Monitor::ValLoss,
        patience: 3,
        min_delta: 0.0,
        restore_best_weights: true,
    };
    let opts = FitOptions {
        epochs: 300,
        batch_size: 8,
        validation_split: 0.3,
        early_stopping: Some(es),
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts, &mut []).unwrap();
    assert!(h.stopped_early, "ran all {} epochs", h.epochs.len());
    let best = h.best_epoch.unwrap();
    assert_eq!(
        h.epochs.len(),
        best + 1 + 3,
        "stops after 3 epochs without improvement (patience 3)"
    );
    let best_val = h.epochs[best].val_loss.unwrap();
    let (vx, vy) = {
        let idx: Vec<usize> = (84..120).collect();
        let (mut a, mut b) = (Matrix::default(), Matrix::default());
        a.gather_rows(&x, &idx);
        b.gather_rows(&y, &idx);
        (a, b)
    };
    let now = m.evaluate(&vx, &vy).unwrap().loss;
    assert!(
        (now - best_val).abs() < 1e-5,
        "restored weights give val loss {now}, best was {best_val}"
    );
}
