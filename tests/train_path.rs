//! The one training path on the CPU: the per-batch callback count, the one shuffle rule
//! (the same rows for `fit`, `train_epoch` and the session), the row-weighted epoch loss,
//! and the `auto` rule's verdicts. The GPU side of each is in `tests/gpu/path.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::recording::{BatchCounter, Recording};
use common::{dense, random_classes, random_matrix};
use nn_playground::session::Session;
use nn_playground::train::{
    auto_verdict, epoch_order, fit, mean_batch_loss, ready, Cpu, Engine, Trainer,
};
use nn_playground::{
    Activation, BackendChoice, CompileSpec, FitOptions, LossKind, ModelSpec, OptimizerKind,
    OptimizerSpec, PlaygroundConfig, Sequential,
};

fn classifier(seed: u64) -> Sequential {
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![dense(6, Activation::Tanh), dense(1, Activation::Sigmoid)],
    };
    let mut m = Sequential::new(spec, seed).unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..OptimizerSpec::default()
        },
        loss: LossKind::BinaryCrossentropy,
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

fn opts(epochs: usize, batch_size: usize) -> FitOptions {
    FitOptions {
        epochs,
        batch_size,
        ..FitOptions::default()
    }
}

#[test]
fn fit_calls_on_batch_end_once_per_batch() {
    // 103 rows in batches of 10: ten full batches and one of 3, every epoch.
    let (x, y) = (
        random_matrix(103, 3, -1.0, 1.0, 1),
        random_classes(103, 2, 2),
    );
    let mut m = classifier(5);
    let mut count = BatchCounter::default();
    let h = m.fit(&x, &y, &opts(3, 10), &mut [&mut count]).unwrap();
    assert_eq!(h.epochs.len(), 3);
    assert_eq!(count.epochs, 3);
    let per_epoch: Vec<usize> = (0..11).collect();
    assert_eq!(
        count.batches,
        [per_epoch.clone(), per_epoch.clone(), per_epoch].concat()
    );
}

#[test]
fn on_batch_end_false_stops_after_that_batch_on_the_cpu() {
    let (x, y) = (random_matrix(50, 3, -1.0, 1.0, 3), random_classes(50, 2, 4));
    let mut m = classifier(5);
    let mut stop = BatchCounter {
        stop_at: Some(3),
        ..BatchCounter::default()
    };
    let h = m.fit(&x, &y, &opts(4, 10), &mut [&mut stop]).unwrap();
    assert_eq!(stop.batches, [0, 1, 2]);
    assert_eq!(h.epochs.len(), 1);
    assert_eq!(m.iterations(), 3);
}

#[test]
fn fit_train_epoch_and_the_session_walk_the_one_epoch_order() {
    let (x, y) = (random_matrix(37, 3, -1.0, 1.0, 5), random_classes(37, 2, 6));
    let mut m = classifier(11);
    let mut rec = Recording::new(Cpu);
    ready(fit(&mut rec, &mut m, &x, &y, &opts(3, 8), &mut [])).unwrap();
    let want: Vec<Vec<usize>> = (0..3).map(|e| epoch_order(11, e, 37, true)).collect();
    assert_eq!(rec.calls, want);
    assert_ne!(want[0], want[1], "each epoch shuffles anew");

    // `train_epoch` on a copy from the same start takes the same steps.
    let (mut a, mut b) = (classifier(11), classifier(11));
    for _ in 0..3 {
        a.train_epoch(&x, &y, 8, true).unwrap();
    }
    ready(fit(&mut Cpu, &mut b, &x, &y, &opts(3, 8), &mut [])).unwrap();
    assert_eq!(a.params(), b.params());

    // The session's epochs: the same rule, from its model's seed and epoch count.
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    let (seed, rows) = (
        s.model().seed(),
        s.steps_per_epoch() * s.config().batch_size,
    );
    let mut rec = Recording::new(Cpu);
    ready(s.train_epochs_with(&mut rec, 2)).unwrap();
    assert_eq!(rec.calls.len(), 2, "small epochs train in one unit each");
    for (e, rows_seen) in rec.calls.iter().enumerate() {
        assert!(rows_seen.len() <= rows);
        assert_eq!(*rows_seen, epoch_order(seed, e, rows_seen.len(), true));
    }
}

#[test]
fn a_large_session_epoch_trains_in_chunks_of_one_order() {
    let cfg = PlaygroundConfig {
        num_samples: Some(2000),
        batch_size: 1,
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg).unwrap();
    let seed = s.model().seed();
    let mut rec = Recording::new(Cpu);
    ready(s.train_epochs_with(&mut rec, 1)).unwrap();
    assert!(rec.calls.len() > 1, "{} calls", rec.calls.len());
    assert!(rec
        .calls
        .iter()
        .all(|c| c.len() <= nn_playground::session::CHUNK_STEPS));
    let all = rec.rows();
    assert_eq!(all, epoch_order(seed, 0, all.len(), true));
    assert_eq!(s.epoch(), 1);
}

#[test]
fn the_epoch_loss_weighs_a_short_last_batch_by_its_rows() {
    // Batches of 10, 10 and 2 rows.
    let got = mean_batch_loss(&[1.0, 2.0, 10.0], 22, 10);
    assert!((got - (10.0 + 20.0 + 20.0) / 22.0).abs() < 1e-6, "{got}");
    // A stopped epoch averages the batches it trained.
    assert!((mean_batch_loss(&[1.0, 3.0], 22, 10) - 2.0).abs() < 1e-6);
    // And `fit`'s logged loss is that mean of the batch losses the trainer returned.
    let (x, y) = (random_matrix(22, 3, -1.0, 1.0, 7), random_classes(22, 2, 8));
    let mut m = classifier(3);
    let mut losses = Vec::new();
    let mut rec = Recording::new(Cpu);
    let h = ready(fit(&mut rec, &mut m, &x, &y, &opts(1, 10), &mut [])).unwrap();
    let mut again = classifier(3);
    let order = epoch_order(3, 0, 22, true);
    ready(Cpu.train_rows(&mut again, &x, &y, &order, 10, &mut |_, l| {
        losses.push(l);
        true
    }))
    .unwrap();
    assert_eq!(losses.len(), 3);
    assert_eq!(h.epochs[0].loss, mean_batch_loss(&losses, 22, 10));
}

#[test]
fn auto_keeps_the_backend_whose_step_was_faster_and_says_so() {
    let (gpu, text) = auto_verdict(0.5, 2.0, "llvmpipe");
    assert!(gpu);
    assert_eq!(
        text,
        "Auto chose WebGPU (llvmpipe): a training step took 0.500 ms there and 2.000 ms on the CPU."
    );
    let (gpu, text) = auto_verdict(3.0, 0.25, "swiftshader");
    assert!(!gpu);
    assert_eq!(
        text,
        "Auto chose the CPU: a training step took 0.250 ms there and 3.000 ms on WebGPU (swiftshader)."
    );
    // A tie keeps the CPU: no reason to move.
    assert!(!auto_verdict(1.0, 1.0, "x").0);
}

#[test]
fn without_a_gpu_webgpu_is_refused_and_auto_trains_on_the_cpu_saying_why() {
    let err = Engine::unavailable(BackendChoice::Webgpu, "no adapter here").unwrap_err();
    assert!(err
        .to_string()
        .contains("backend \"webgpu\" is unavailable: no adapter here"));
    let mut auto = Engine::unavailable(BackendChoice::Auto, "no adapter here").unwrap();
    assert!(!auto.on_gpu());
    assert_eq!(auto.label(), "cpu");
    let note = auto.note().unwrap();
    assert!(
        note.starts_with("Auto chose the CPU: no adapter here"),
        "{note}"
    );
    assert_eq!(auto.take_news(), Some(note));
    assert_eq!(auto.take_news(), None);
    // It trains as the CPU does.
    let (x, y) = (
        random_matrix(30, 3, -1.0, 1.0, 9),
        random_classes(30, 2, 10),
    );
    let (mut a, mut b) = (classifier(4), classifier(4));
    let ha = ready(fit(&mut auto, &mut a, &x, &y, &opts(2, 8), &mut [])).unwrap();
    let hb = b.fit(&x, &y, &opts(2, 8), &mut []).unwrap();
    assert_eq!(ha, hb);
}

#[cfg(not(feature = "webgpu"))]
#[test]
fn a_build_without_the_gpu_backend_names_the_package_that_has_it() {
    let clock = || Box::new(|| 0.0) as nn_playground::train::Clock;
    let err = ready(Engine::open(BackendChoice::Webgpu, clock())).unwrap_err();
    assert!(err.to_string().contains("pkg/nn_playground.js"), "{err}");
    let auto = ready(Engine::open(BackendChoice::Auto, clock())).unwrap();
    assert!(auto.note().unwrap().contains("pkg/nn_playground.js"));
}
