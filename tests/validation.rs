//! The validation split: its rows (stratified, seeded, never a test row), early stopping
//! that watches it and puts the best weights back, the defaults of an uploaded table, the
//! link key, the snapshot, and the chart's overfitting note.

use nn_playground::session::{Session, Watched};
use nn_playground::url_state::{from_hash, to_hash};
use nn_playground::{DatasetKind, EarlyStoppingSpec, Monitor, PlaygroundConfig, Rng};

/// A small noisy regression table: 10 inputs, of which 3 matter, and noise as large as the
/// signal, so a wide net overfits it within a few hundred epochs.
fn noisy_table(rows: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = (0..10)
        .map(|j| format!("x{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + ",y\n";
    for _ in 0..rows {
        let x: Vec<f32> = (0..10).map(|_| rng.normal()).collect();
        let y = 3.0 * x[0] - 2.0 * x[1] * x[2] + 4.0 * rng.normal();
        let cells: Vec<String> = x.iter().map(|v| format!("{v:.4}")).collect();
        out += &format!("{},{y:.4}\n", cells.join(","));
    }
    out
}

fn table_session(rows: usize) -> Session {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    s.load_csv(&noisy_table(rows, 7), &Default::default())
        .unwrap();
    s
}

#[test]
fn the_validation_rows_come_from_the_training_rows_and_keep_class_shares() {
    let cfg = PlaygroundConfig {
        dataset: DatasetKind::Gauss,
        num_samples: Some(400),
        train_ratio: 50.0,
        validation_ratio: 25.0,
        ..PlaygroundConfig::default()
    };
    let s = Session::new(cfg.clone()).unwrap();
    assert_eq!(s.split_sizes(), [150, 50, 200]);
    // The test split is the one the seed gave before a validation split existed.
    let without = Session::new(PlaygroundConfig {
        validation_ratio: 0.0,
        ..cfg.clone()
    })
    .unwrap();
    assert_eq!(without.split_sizes(), [200, 0, 200]);
    let tests = |s: &Session| -> Vec<bool> { s.points().iter().map(|(_, t)| *t).collect() };
    assert_eq!(tests(&s), tests(&without));
    // Same seed, same split; another seed, another one.
    let again = Session::new(cfg.clone()).unwrap();
    assert_eq!(again.split_sizes(), s.split_sizes());
    // Stratified: the two classes of the Gaussian set (±1) each give a quarter.
    let mut s = s;
    let (x, y) = s.validation_xy();
    assert_eq!(x.rows(), 50);
    let positives = y.as_slice().iter().filter(|&&v| v > 0.0).count();
    assert!((20..=30).contains(&positives), "{positives} of 50 positive");
    assert!(s.validation_loss().is_finite());
}

#[test]
fn a_bad_validation_share_is_refused_in_words_and_changes_nothing() {
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    for bad in [-1.0, 51.0, f32::NAN, f32::INFINITY] {
        let err = s
            .set_config(PlaygroundConfig {
                validation_ratio: bad,
                ..PlaygroundConfig::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains("validation share"), "{err}");
        assert_eq!(s.config().validation_ratio, 0.0);
    }
    let err = from_hash("percValData=60").unwrap_err().to_string();
    assert!(err.contains("percValData"), "{err}");
}

#[test]
fn the_link_carries_the_validation_share() {
    let cfg = PlaygroundConfig {
        validation_ratio: 15.0,
        ..PlaygroundConfig::default()
    };
    let hash = to_hash(&cfg, &[]);
    assert!(hash.contains("percValData=15"), "{hash}");
    assert_eq!(from_hash(&hash).unwrap().config.validation_ratio, 15.0);
    // The default writes nothing, so old links keep their meaning.
    assert!(!to_hash(&PlaygroundConfig::default(), &[]).contains("percValData"));
}

#[test]
fn an_uploaded_table_starts_with_a_validation_split_and_early_stopping() {
    let s = table_session(300);
    let cfg = s.config();
    assert_eq!(cfg.validation_ratio, 20.0);
    let rule = cfg.early_stopping.expect("early stopping is on");
    assert_eq!(rule.monitor, Monitor::ValLoss);
    assert!(rule.restore_best_weights);
    let [train, val, test] = s.split_sizes();
    assert_eq!(train + val + test, 300);
    assert_eq!(val, 30, "20 % of the 150 training rows");
    // A second upload keeps what the user chose in between.
    let mut s = s;
    let mut cfg = s.config().clone();
    cfg.validation_ratio = 0.0;
    cfg.early_stopping = None;
    s.set_config(cfg).unwrap();
    s.load_csv(&noisy_table(200, 9), &Default::default())
        .unwrap();
    assert_eq!(s.config().validation_ratio, 0.0);
    assert!(s.config().early_stopping.is_none());
}

#[test]
fn early_stopping_watches_the_validation_loss_and_puts_the_best_epoch_back() {
    let mut s = table_session(240);
    let mut cfg = s.config().clone();
    cfg.hidden = vec![
        nn_playground::spec::HiddenLayer {
            units: 32,
            ..Default::default()
        };
        2
    ];
    cfg.early_stopping = Some(EarlyStoppingSpec {
        patience: 15,
        ..Default::default()
    });
    s.set_config(cfg).unwrap();
    s.train_epochs(3000).unwrap();
    let stop = s.stop().expect("the run overfits and stops");
    let nn_playground::session::Stop::EarlyStopping {
        split, restored, ..
    } = stop
    else {
        panic!("stopped by {stop:?}");
    };
    assert_eq!(split, Watched::Validation);
    let best = restored.expect("the best weights are back");
    // The best epoch is the one with the lowest validation loss in the history, and the
    // model now has that loss again.
    let history = s.history().to_vec();
    assert_eq!(s.history_stride(), 1);
    let (argmin, min) = history
        .iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e.val))
        .fold((0, f32::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
    assert_eq!(best, argmin);
    assert_eq!(s.epoch(), best + 15);
    let (x, y) = s.validation_xy();
    let (x, y) = (x.clone(), y.clone());
    let now = s.model().clone().evaluate(&x, &y).unwrap().loss;
    assert!((now - min).abs() < 1e-6, "{now} vs best {min}");
    // The losses the page reads are the restored model's.
    assert!((s.validation_loss() - min).abs() < 1e-6);
    assert_eq!(s.test_loss(), history[best - 1].test);
    let reason = s.stop_reason().unwrap();
    assert!(reason.contains("validation loss"), "{reason}");
    assert!(reason.contains(&format!("epoch, {best},")), "{reason}");
    let args = stop.args();
    assert!(
        args.contains(&("monitor", "val_loss".to_string())),
        "{args:?}"
    );
    assert!(args.contains(&("best", best.to_string())), "{args:?}");
}

#[test]
fn without_a_validation_split_early_stopping_says_it_watched_the_test_loss() {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Xor,
        noise: 50.0,
        num_samples: Some(60),
        early_stopping: Some(EarlyStoppingSpec {
            patience: 5,
            ..Default::default()
        }),
        hidden: vec![
            nn_playground::spec::HiddenLayer {
                units: 16,
                ..Default::default()
            };
            2
        ],
        ..PlaygroundConfig::default()
    })
    .unwrap();
    s.train_epochs(5000).unwrap();
    let stop = s.stop().expect("stops");
    assert!(stop.args().contains(&("monitor", "test_loss".to_string())));
    assert!(s.stop_reason().unwrap().contains("test loss"));
}

#[test]
fn the_chart_says_when_the_validation_loss_has_risen_for_a_while() {
    let mut s = table_session(240);
    let mut cfg = s.config().clone();
    cfg.early_stopping = None;
    cfg.hidden = vec![
        nn_playground::spec::HiddenLayer {
            units: 32,
            ..Default::default()
        };
        2
    ];
    s.set_config(cfg).unwrap();
    assert!(s.overfitting().is_none(), "nothing trained yet");
    s.train_epochs(5).unwrap();
    assert!(s.overfitting().is_none(), "too early to say");
    s.train_epochs(600).unwrap();
    let r = s
        .overfitting()
        .expect("a wide net on 144 noisy rows overfits");
    assert_eq!(r.split, Watched::Validation);
    assert!(r.now > r.best * 1.05, "{r:?}");
    assert_eq!(r.epochs_since, s.epoch() - r.best_epoch);
    assert!(r.epochs_since >= 10);
}

#[test]
fn a_snapshot_keeps_the_validation_split_and_its_history() {
    let mut s = table_session(200);
    s.train_epochs(12).unwrap();
    let back = Session::from_snapshot(&s.snapshot()).unwrap();
    assert_eq!(back.split_sizes(), s.split_sizes());
    assert_eq!(back.config().validation_ratio, 20.0);
    let vals = |s: &Session| {
        s.history()
            .iter()
            .map(|e| e.val.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(vals(&back), vals(&s));
    assert!(s.history().iter().all(|e| e.val.is_finite()));
}
