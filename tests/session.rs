//! The playground engine driven directly, as the page drives it through the worker.

use nn_playground::data::csv::CsvOptions;
use nn_playground::session::{Change, Session, MAX_GRID_RESOLUTION};
use nn_playground::*;

fn circle() -> PlaygroundConfig {
    PlaygroundConfig::default()
}

#[test]
fn circle_reaches_low_test_loss_and_high_accuracy() {
    let mut s = Session::new(circle()).unwrap();
    let mut reached = None;
    for _ in 0..60 {
        s.train_epochs(5).unwrap();
        if s.test_loss() < 0.05 {
            reached = Some(s.epoch());
            break;
        }
    }
    let epoch = reached.unwrap_or_else(|| {
        panic!(
            "test loss still {} after {} epochs",
            s.test_loss(),
            s.epoch()
        )
    });
    let m = s.metrics().unwrap();
    assert_eq!(m.split, "test");
    assert!(
        m.values["accuracy"] >= 0.97,
        "accuracy {} at epoch {epoch}",
        m.values["accuracy"]
    );
    let cm = m.confusion.unwrap();
    assert_eq!(cm.classes, 2);
    assert_eq!(cm.counts.iter().sum::<u32>(), 250);
    eprintln!("circle: test loss < 0.05 after {epoch} epochs");
}

#[test]
fn same_seed_gives_same_losses_and_reset_repeats_the_run() {
    let mut a = Session::new(circle()).unwrap();
    let mut b = Session::new(circle()).unwrap();
    a.train_epochs(5).unwrap();
    b.train_epochs(5).unwrap();
    assert_eq!(a.history(), b.history());
    let first = a.history().to_vec();
    a.reset().unwrap();
    assert_eq!(a.epoch(), 0);
    a.train_epochs(5).unwrap();
    assert_eq!(a.history(), &first[..]);

    let mut c = Session::new(PlaygroundConfig {
        seed: 2,
        ..circle()
    })
    .unwrap();
    c.train_epochs(5).unwrap();
    assert_ne!(c.history(), &first[..]);
}

#[test]
fn learning_rate_change_keeps_weights_and_structure_change_rebuilds() {
    let mut s = Session::new(circle()).unwrap();
    s.train_epochs(3).unwrap();
    let before = s.network();
    let mut cfg = s.config().clone();
    cfg.optimizer.learning_rate = 0.1;
    cfg.batch_size = 20;
    assert_eq!(s.set_config(cfg.clone()).unwrap(), Change::Kept);
    assert_eq!(s.network(), before);
    assert_eq!(s.epoch(), 3);
    assert_eq!(
        s.model().compile_spec().unwrap().optimizer.learning_rate,
        0.1
    );

    cfg.optimizer.kind = OptimizerKind::Adam;
    assert_eq!(s.set_config(cfg.clone()).unwrap(), Change::Kept);
    assert_eq!(s.network(), before);

    cfg.hidden[0].units = 5;
    assert_eq!(s.set_config(cfg.clone()).unwrap(), Change::Rebuilt);
    assert_eq!(s.epoch(), 0);
    assert_eq!(s.network().layers[0].units, 5);

    let points_before = s.points_flat();
    cfg.noise = 20.0;
    assert_eq!(s.set_config(cfg).unwrap(), Change::Regenerated);
    assert_ne!(s.points_flat(), points_before);
}

#[test]
fn invalid_config_is_an_error_and_changes_nothing() {
    let mut s = Session::new(circle()).unwrap();
    s.train_epochs(2).unwrap();
    let before = (s.config().clone(), s.network(), s.epoch());
    let mut cfg = s.config().clone();
    cfg.optimizer.learning_rate = -1.0;
    assert!(s.set_config(cfg).is_err());
    let mut cfg = s.config().clone();
    cfg.features.clear();
    assert!(s.set_config(cfg).is_err());
    assert_eq!((s.config().clone(), s.network(), s.epoch()), before);
}

#[test]
fn grids_have_the_documented_shapes_and_limits() {
    let mut s = Session::new(circle()).unwrap();
    let g = s.decision_grid(20).unwrap();
    assert_eq!(g.len(), 400);
    assert!(g.iter().all(|v| (-1.0..=1.0).contains(v)));
    assert_eq!(s.grid_channels(), 1);
    // 2 features + 4 + 2 hidden + 1 output.
    assert_eq!(s.neuron_grids(8).unwrap().len(), 9 * 64);
    assert!(matches!(s.decision_grid(0), Err(Error::Limit(_))));
    assert!(matches!(
        s.decision_grid(MAX_GRID_RESOLUTION + 1),
        Err(Error::Limit(_))
    ));
    // Row 0 is the top: the X2 feature grid is +6-ish at the top-left cell, X1 −6-ish.
    let n = s.neuron_grids(4).unwrap();
    assert!(n[0] < -4.0 && n[16] > 4.0, "x1 {} x2 {}", n[0], n[16]);
}

#[test]
fn k_class_spiral_gives_one_channel_per_class() {
    let cfg = PlaygroundConfig {
        dataset: DatasetKind::KSpiral,
        classes: 4,
        ..circle()
    };
    let mut s = Session::new(cfg).unwrap();
    assert_eq!(s.outputs(), 4);
    assert_eq!(s.grid_channels(), 4);
    let g = s.decision_grid(5).unwrap();
    assert_eq!(g.len(), 25 * 4);
    let sum: f32 = g[..4].iter().sum();
    assert!((sum - 1.0).abs() < 1e-4);
    s.train_epochs(1).unwrap();
    assert_eq!(s.metrics().unwrap().confusion.unwrap().classes, 4);
}

#[test]
fn export_then_import_gives_identical_predictions() {
    let mut a = Session::new(circle()).unwrap();
    a.train_epochs(10).unwrap();
    let json = a.export_model();
    let mut b = Session::new(circle()).unwrap();
    b.import_model(&json).unwrap();
    assert_eq!(a.decision_grid(32).unwrap(), b.decision_grid(32).unwrap());
    assert_eq!(
        a.predict_points(&[0.5, -1.0, 3.0, 3.0]).unwrap(),
        b.predict_points(&[0.5, -1.0, 3.0, 3.0]).unwrap()
    );
}

#[test]
fn import_adopts_the_models_hidden_layers() {
    let mut a = Session::new(PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 3,
            ..HiddenLayer::default()
        }],
        ..circle()
    })
    .unwrap();
    a.train_epochs(2).unwrap();
    let mut b = Session::new(circle()).unwrap();
    b.import_model(&a.export_model()).unwrap();
    assert_eq!(
        b.config()
            .hidden
            .iter()
            .map(|h| h.units)
            .collect::<Vec<_>>(),
        vec![3]
    );
    assert_eq!(a.decision_grid(8).unwrap(), b.decision_grid(8).unwrap());
}

#[test]
fn failed_import_leaves_the_model_untouched() {
    let mut s = Session::new(circle()).unwrap();
    s.train_epochs(2).unwrap();
    let before = (s.network(), s.config().clone(), s.epoch());
    assert!(s.import_model("{not json").is_err());
    // A model with the wrong number of inputs does not fit the playground's features.
    let other = Session::new(PlaygroundConfig {
        features: vec![Feature::X1, Feature::X2, Feature::X1X2],
        ..circle()
    })
    .unwrap();
    let err = s.import_model(&other.export_model()).unwrap_err();
    assert!(err.to_string().contains("input"), "{err}");
    assert_eq!((s.network(), s.config().clone(), s.epoch()), before);
}

#[test]
fn csv_load_replaces_data_and_a_bad_csv_leaves_it() {
    let mut s = Session::new(circle()).unwrap();
    let before = s.points_flat();
    let err = s
        .load_csv("x,y,label\n1,2,0\n3,oops,1\n", &CsvOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
    assert_eq!(s.points_flat(), before);
    assert_eq!(s.config().dataset, DatasetKind::Circle);

    let err = s
        .load_csv("a,b,c,label\n1,2,3,0\n", &CsvOptions::default())
        .unwrap_err();
    // One row: every column is constant, so nothing is left to learn from.
    assert!(err.to_string().contains("feature column"), "{err}");
    assert_eq!(s.points_flat(), before);

    let mut text = String::from("x,y,label\n");
    for i in 0..40 {
        let v = i as f32 / 10.0 - 2.0;
        text.push_str(&format!("{v},{},{}\n", -v, usize::from(v > 0.0)));
    }
    s.load_csv(&text, &CsvOptions::default()).unwrap();
    assert_eq!(s.config().dataset, DatasetKind::Custom);
    assert_eq!(s.points_flat().len(), 40 * 4);
    s.train_epochs(3).unwrap();
    assert!(s.data_csv().lines().count() >= 40);
}

#[test]
fn csv_outside_the_square_is_scaled_into_it() {
    let mut s = Session::new(circle()).unwrap();
    s.load_csv(
        "x,y,label\n100,2000,a\n300,1000,b\n200,1500,a\n",
        &CsvOptions::default(),
    )
    .unwrap();
    let p = s.points_flat();
    assert!(
        p.chunks(4).all(|c| c[0].abs() <= 6.0 && c[1].abs() <= 6.0),
        "{p:?}"
    );
}

#[test]
fn clicking_adds_and_removes_points_keeping_weights() {
    let mut s = Session::new(circle()).unwrap();
    s.train_epochs(2).unwrap();
    let w = s.network();
    let n = s.points_flat().len() / 4;
    s.add_point(5.5, 5.5, 1.0).unwrap();
    assert_eq!(s.points_flat().len() / 4, n + 1);
    assert_eq!(s.config().dataset, DatasetKind::Custom);
    assert_eq!(s.network(), w);
    assert!(
        s.add_point(0.0, 0.0, 3.0).is_err(),
        "binary data has no class 3"
    );
    assert_eq!(s.remove_points_near(5.5, 5.5, 0.01).unwrap(), 1);
    assert_eq!(s.points_flat().len() / 4, n);
    s.train_epochs(1).unwrap();
}

#[test]
fn empty_custom_data_reports_an_error_instead_of_training() {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..circle()
    })
    .unwrap();
    assert!(s.test_loss().is_nan());
    assert!(matches!(s.train_epochs(1), Err(Error::InvalidData(_))));
    s.add_point(1.0, 1.0, 1.0).unwrap();
    s.add_point(-1.0, -1.0, 0.0).unwrap();
    s.train_epochs(2).unwrap();
    assert_eq!(s.epoch(), 2);
}

#[test]
fn epoch_limit_and_early_stopping_stop_training() {
    let mut s = Session::new(PlaygroundConfig {
        epoch_limit: Some(4),
        ..circle()
    })
    .unwrap();
    s.train_epochs(10).unwrap();
    assert_eq!(s.epoch(), 4);
    assert!(s.stop_reason().unwrap().contains("epoch limit"));
    // The same reason as a stable code with its values, for the page's languages.
    let stop = s.stop().unwrap();
    assert_eq!(stop.code(), "epoch_limit");
    assert_eq!(stop.args(), vec![("limit", "4".to_string())]);
    let mut cfg = s.config().clone();
    cfg.epoch_limit = Some(6);
    assert_eq!(s.set_config(cfg).unwrap(), Change::Kept);
    s.train_epochs(10).unwrap();
    assert_eq!(s.epoch(), 6);

    // A learning rate so small that nothing improves by min_delta stops after patience.
    let cfg = PlaygroundConfig {
        early_stopping: Some(EarlyStoppingSpec {
            patience: 3,
            min_delta: 0.5,
            ..EarlyStoppingSpec::default()
        }),
        ..circle()
    };
    let mut s = Session::new(cfg).unwrap();
    s.train_epochs(50).unwrap();
    assert_eq!(
        s.epoch(),
        4,
        "first epoch sets the best, then 3 without improvement (Keras' rule, as in fit)"
    );
    assert!(s
        .stop_reason()
        .unwrap()
        .contains("the test loss did not improve for 3"));
    let stop = s.stop().unwrap();
    assert_eq!(stop.code(), "early_stopping");
    assert_eq!(
        stop.args(),
        vec![
            // Without a validation split the test split was watched, and says so.
            ("monitor", "test_loss".to_string()),
            ("epochs", "3".to_string()),
            ("best", "1".to_string())
        ]
    );
}

/// Early stopping watches the monitor the config names; accuracy only where there are classes.
#[test]
fn early_stopping_follows_its_monitor() {
    // A trained circle: accuracy is at (or next to) its ceiling, the loss still creeps down.
    let mut trained = Session::new(PlaygroundConfig {
        optimizer: OptimizerSpec {
            learning_rate: 0.003,
            ..OptimizerSpec::default()
        },
        ..circle()
    })
    .unwrap();
    trained.train_epochs(300).unwrap();
    let epochs_until_stop = |monitor: Monitor, min_delta: f32| {
        let mut s = trained.clone();
        let mut cfg = s.config().clone();
        cfg.early_stopping = Some(EarlyStoppingSpec {
            monitor,
            patience: 2,
            min_delta,
            restore_best_weights: true,
        });
        s.set_config(cfg).unwrap();
        let start = s.epoch();
        s.train_epochs(40).unwrap();
        (s.epoch() - start, s.stop_reason().unwrap_or_default())
    };
    // No epoch can raise accuracy by 5 points or cut the loss by 0.5: the first epoch sets
    // the best, two more without improvement stop it.
    for (monitor, delta, name) in [
        (Monitor::ValAccuracy, 0.05, "the test accuracy"),
        (Monitor::Accuracy, 0.05, "the training accuracy"),
        (Monitor::Loss, 0.5, "the training loss"),
        (Monitor::ValLoss, 0.5, "the test loss"),
    ] {
        let (n, why) = epochs_until_stop(monitor, delta);
        assert_eq!(n, 3, "{monitor:?}: {why}");
        assert!(
            why.contains(&format!("{name} did not improve for 2")),
            "{why}"
        );
    }
    // The slowly falling training loss keeps improving where the saturated accuracy cannot.
    let (by_loss, _) = epochs_until_stop(Monitor::Loss, 0.0);
    let (by_accuracy, _) = epochs_until_stop(Monitor::Accuracy, 0.0);
    assert!(
        by_accuracy < by_loss,
        "accuracy {by_accuracy} vs loss {by_loss} epochs"
    );

    // Regression has no accuracy: a clear error instead of a silent substitute.
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Plane,
        early_stopping: Some(EarlyStoppingSpec {
            monitor: Monitor::ValAccuracy,
            ..EarlyStoppingSpec::default()
        }),
        ..circle()
    })
    .unwrap();
    let err = s.train_epochs(1).unwrap_err();
    assert!(
        err.to_string().contains("needs a classification dataset"),
        "{err}"
    );
}

#[test]
fn train_for_respects_the_clock() {
    let mut s = Session::new(circle()).unwrap();
    let mut t = 0.0;
    // Each clock read advances 5 ms: the start, then per epoch one read before and one
    // after its steps (5 ms of training) and the budget's check, 15 ms past the one before.
    let steps = s
        .train_for(32.0, &mut || {
            t += 5.0;
            t
        })
        .unwrap();
    assert_eq!(s.epoch(), 3);
    assert_eq!(steps, 3 * 25);
    assert_eq!(s.train_timing().steps, 3 * 25);
    assert_eq!(s.train_timing().ms, 3.0 * 5.0);
}

#[test]
fn train_timing_counts_the_training_only() {
    let mut s = Session::new(circle()).unwrap();
    let clock = std::cell::Cell::new(0.0);
    let mut now = || {
        clock.set(clock.get() + 1.0);
        clock.get()
    };
    // A pace of one epoch per slice with a long sleep between slices, as the page does at
    // 1 epoch/s: the sleeps and the budget checks are not training time.
    let mut steps = 0;
    for _ in 0..5 {
        steps += s.train_paced(100.0, 1, &mut now).unwrap();
        clock.set(clock.get() + 1000.0);
    }
    assert_eq!(s.epoch(), 5);
    let timing = s.train_timing();
    assert_eq!(timing.steps, steps as u64);
    assert_eq!(
        timing.ms, 5.0,
        "one clock tick per epoch, nothing of the sleeps"
    );
    // Whole epochs outside the page's slices (tests, the GPU's CPU fallback) are not timed.
    s.train_epochs(2).unwrap();
    assert_eq!(s.train_timing(), timing);
    // The replay took its snapshots in those epochs all the same.
    assert_eq!(s.replay().len(), 8);
}

#[test]
fn regenerate_changes_the_seed_and_the_points() {
    let mut s = Session::new(circle()).unwrap();
    let before = s.points_flat();
    s.regenerate().unwrap();
    assert_ne!(s.config().seed, 1);
    assert_ne!(s.points_flat(), before);
    // The new seed reproduces the new points.
    let again = Session::new(s.config().clone()).unwrap();
    assert_eq!(again.points_flat(), s.points_flat());
}

#[test]
fn weights_and_biases_can_be_edited() {
    let mut s = Session::new(circle()).unwrap();
    s.set_weight(0, 1, 2, 0.75).unwrap();
    s.set_bias(1, 0, -0.5).unwrap();
    let n = s.network();
    assert_eq!(n.layers[0].weights[4 + 2], 0.75);
    assert_eq!(n.layers[1].biases[0], -0.5);
    assert!(s.set_weight(0, 9, 0, 1.0).is_err());
    assert!(s.set_bias(0, 0, f32::NAN).is_err());
}

#[test]
fn regression_reports_r2_and_mae_and_uses_one_raw_channel() {
    let cfg = PlaygroundConfig {
        dataset: DatasetKind::Plane,
        ..circle()
    };
    let mut s = Session::new(cfg).unwrap();
    assert_eq!(s.grid_channels(), 1);
    s.train_epochs(20).unwrap();
    let m = s.metrics().unwrap();
    assert!(m.confusion.is_none());
    assert!(m.values["r2"] > 0.9, "r2 {}", m.values["r2"]);
    assert!(m.values.contains_key("mae") && m.values.contains_key("mse"));
}

#[test]
fn standardised_inputs_scale_grid_inputs_like_training_data() {
    let cfg = PlaygroundConfig {
        standardize: true,
        features: vec![Feature::X1, Feature::X2, Feature::X1Squared],
        ..circle()
    };
    let mut a = Session::new(cfg.clone()).unwrap();
    a.train_epochs(30).unwrap();
    // Predictions at the points themselves agree with the test loss being low-ish: the grid
    // and the training data went through the same scaling.
    let m = a.metrics().unwrap();
    assert!(
        m.values["accuracy"] > 0.9,
        "accuracy {}",
        m.values["accuracy"]
    );
    let b = Session::new(PlaygroundConfig {
        standardize: false,
        ..cfg
    })
    .unwrap();
    assert_ne!(a.points_flat(), Vec::<f32>::new());
    assert_eq!(
        a.points_flat(),
        b.points_flat(),
        "scaling changes inputs, not the points"
    );
}

#[test]
fn large_epochs_train_in_chunks_that_the_clock_can_interrupt() {
    use nn_playground::session::CHUNK_STEPS;
    // 4000 training rows at batch 10 is 400 steps: several chunks per epoch.
    let cfg = PlaygroundConfig {
        num_samples: Some(8000),
        ..circle()
    };
    let mut s = Session::new(cfg).unwrap();
    let mut t = 0.0;
    let steps = s
        .train_for(1.0, &mut || {
            t += 1.0;
            t
        })
        .unwrap();
    assert_eq!(steps, CHUNK_STEPS);
    assert_eq!(s.epoch(), 0);
    assert!(s.mid_epoch());
    // Finishing the epoch takes the remaining steps.
    let rest = s.train_epochs(1).unwrap();
    assert_eq!(steps + rest, 400);
    assert_eq!(s.epoch(), 1);
    assert!(!s.mid_epoch());
    assert_eq!(s.history().len(), 1);
    s.train_epochs(2).unwrap();
    assert_eq!(s.epoch(), 3);
}

/// The page loads the threads build only for a session whose work it would split: never for
/// the default 2-8-8-1 net, for a 6 × 32 net (5,409 parameters: a chunk of the map's 256
/// rows is 1.4 M multiply-adds, over two 512 k bands), and never with the threads capped at 1.
#[test]
fn only_a_model_whose_work_splits_would_use_threads() {
    assert!(!Session::new(circle()).unwrap().would_use_threads());
    let wide = PlaygroundConfig {
        hidden: vec![
            HiddenLayer {
                units: 32,
                ..HiddenLayer::default()
            };
            6
        ],
        ..circle()
    };
    assert!(Session::new(wide.clone()).unwrap().would_use_threads());
    let capped = PlaygroundConfig {
        threads: Some(1),
        ..wide
    };
    assert!(!Session::new(capped).unwrap().would_use_threads());
}
