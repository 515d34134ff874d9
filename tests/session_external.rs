//! The session's outside-training path (what the page's GPU backend drives): the shuffled
//! epoch, adopting trained weights as a finished epoch, divergence and the grid from
//! outside outputs.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::session::Session;
use nn_playground::{Error, HiddenLayer, Matrix, PlaygroundConfig, Sequential};

fn session(cfg: PlaygroundConfig) -> Session {
    Session::new(cfg).expect("default-like configs build")
}

/// A copy of the session's model trained on one epoch of `epoch_training_set` in order, as
/// the GPU walks it.
fn trained_outside(s: &mut Session) -> Sequential {
    let (x, y) = s.epoch_training_set().unwrap();
    let mut model = s.model().clone();
    model
        .train_epoch(&x, &y, s.effective_batch_size(), false)
        .unwrap();
    model
}

/// [`trained_outside`]'s flat parameters and step count.
fn train_outside(s: &mut Session) -> (Vec<f32>, u64) {
    let mut model = trained_outside(s);
    (model.params().concat(), model.iterations())
}

#[test]
fn an_outside_epoch_counts_like_a_cpu_epoch() {
    let mut s = session(PlaygroundConfig::default());
    let (x, _) = s.epoch_training_set().unwrap();
    assert_eq!(s.steps_per_epoch(), x.rows().div_ceil(10));
    let (flat, iters) = train_outside(&mut s);
    assert_eq!(iters as usize, s.steps_per_epoch());
    let before = s.train_loss();
    s.finish_external_epoch(&flat, iters).unwrap();
    assert_eq!(s.epoch(), 1);
    assert_eq!(s.history().len(), 1);
    assert_eq!(s.model().iterations(), iters);
    let mut adopted = s.model().clone();
    assert_eq!(adopted.params().concat(), flat);
    let after = s.train_loss();
    assert!(after < before, "{after} !< {before}");
    assert_eq!(s.history()[0].train, after);
}

#[test]
fn the_shuffle_differs_per_epoch_but_holds_the_same_rows() {
    let mut s = session(PlaygroundConfig::default());
    let (a, _) = s.epoch_training_set().unwrap();
    let (flat, iters) = train_outside(&mut s);
    s.finish_external_epoch(&flat, iters).unwrap();
    let (b, _) = s.epoch_training_set().unwrap();
    assert_ne!(a.as_slice(), b.as_slice(), "each epoch needs its own order");
    let sorted = |m: &Matrix| {
        let mut rows: Vec<Vec<u32>> = m
            .as_slice()
            .chunks(m.cols())
            .map(|r| r.iter().map(|v| v.to_bits()).collect())
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(sorted(&a), sorted(&b));
}

#[test]
fn diverged_or_misshapen_weights_are_refused_and_nothing_changes() {
    // Regression: a linear output, so huge weights overflow the loss (tanh would saturate).
    let mut s = session(PlaygroundConfig {
        dataset: nn_playground::DatasetKind::Plane,
        ..PlaygroundConfig::default()
    });
    let (mut flat, iters) = train_outside(&mut s);
    let mut kept = s.model().clone();
    let kept = kept.params();
    let err = s.finish_external_epoch(&flat[1..], iters).unwrap_err();
    assert!(matches!(err, Error::Shape(_)), "{err}");
    flat[3] = f32::NAN;
    let err = s.finish_external_epoch(&flat, iters).unwrap_err();
    assert!(matches!(err, Error::Diverged { .. }), "{err}");
    assert!(err.to_string().contains("lower learning rate"), "{err}");
    // Finite but huge: every prediction overflows, so the epoch's loss is not finite.
    flat.iter_mut().for_each(|v| *v = 1e30);
    let err = s.finish_external_epoch(&flat, iters).unwrap_err();
    assert!(matches!(err, Error::Diverged { .. }), "{err}");
    let mut now = s.model().clone();
    assert_eq!(now.params(), kept);
    assert_eq!(s.epoch(), 0);
    assert!(s.history().is_empty());
}

#[test]
fn stopping_rules_apply_to_outside_epochs() {
    let cfg = PlaygroundConfig {
        epoch_limit: Some(2),
        ..PlaygroundConfig::default()
    };
    let mut s = session(cfg);
    for _ in 0..2 {
        assert!(s.may_train());
        let (flat, iters) = train_outside(&mut s);
        s.finish_external_epoch(&flat, iters).unwrap();
    }
    assert!(!s.may_train());
    assert!(s.stop_reason().unwrap().contains("epoch limit"));
}

#[test]
fn the_grid_from_outside_outputs_matches_the_cpu_grid() {
    for dataset in [
        nn_playground::DatasetKind::Circle,
        nn_playground::DatasetKind::KSpiral,
    ] {
        let mut s = session(PlaygroundConfig {
            dataset,
            ..PlaygroundConfig::default()
        });
        s.train_epochs(2).unwrap();
        let res = 9;
        let inputs = s.grid_input_values(res).unwrap();
        let cols = inputs.len() / (res * res);
        let x = Matrix::from_vec(res * res, cols, inputs).unwrap();
        let out = s.model().clone().predict(&x).unwrap();
        let outside = s.grid_from_outputs(res, out.as_slice()).unwrap();
        assert_eq!(outside, s.decision_grid(res).unwrap());
        assert!(s.grid_from_outputs(res, &out.as_slice()[1..]).is_err());
    }
}

#[test]
fn an_outside_model_file_carries_the_optimiser_moments_into_the_session() {
    let cfg = PlaygroundConfig {
        optimizer: nn_playground::OptimizerSpec {
            kind: nn_playground::OptimizerKind::Adam,
            learning_rate: 0.01,
            ..Default::default()
        },
        ..PlaygroundConfig::default()
    };
    let mut s = session(cfg);
    let mut outside = trained_outside(&mut s);
    s.finish_external_epoch_from_model(&outside.to_json_with_state())
        .unwrap();
    assert_eq!(s.epoch(), 1);
    let state = s.model().optimizer_state().unwrap();
    assert_eq!(state, outside.optimizer_state().unwrap());
    assert!(state.iterations > 0 && !state.slot1.is_empty() && !state.slot2.is_empty());
    let mut adopted = s.model().clone();
    assert_eq!(adopted.params(), outside.params());

    // Another architecture is refused with both descriptions, and nothing changes.
    let mut other = session(PlaygroundConfig {
        hidden: vec![Default::default()],
        ..PlaygroundConfig::default()
    });
    let err = other
        .finish_external_epoch_from_model(&outside.to_json_with_state())
        .unwrap_err();
    assert!(err.to_string().contains("other layers"), "{err}");
    assert_eq!(other.epoch(), 0);
}

#[test]
fn batch_norm_running_statistics_come_with_the_outside_weights() {
    let cfg = PlaygroundConfig {
        hidden: vec![
            HiddenLayer {
                units: 5,
                batch_norm: true,
                ..HiddenLayer::default()
            },
            HiddenLayer::default(),
        ],
        ..PlaygroundConfig::default()
    };
    let mut s = session(cfg);
    let mut outside = trained_outside(&mut s);
    // The same epoch's rows again: the order is fixed until the epoch is finished.
    let (x, _) = s.epoch_training_set().unwrap();
    let params = outside.params().concat();
    let stats = outside.running_stats();
    assert_ne!(stats, s.model().running_stats(), "training moved them");
    let with_stats = [params.clone(), stats.concat()].concat();
    let before = s.model().running_stats();
    // Misshapen or negative statistics are refused and change nothing.
    let err = s
        .finish_external_epoch(&with_stats[1..], outside.iterations())
        .unwrap_err();
    assert!(matches!(err, Error::Shape(_)), "{err}");
    let mut negative = with_stats.clone();
    *negative.last_mut().unwrap() = -1.0;
    let err = s
        .finish_external_epoch(&negative, outside.iterations())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidData(_)), "{err}");
    assert_eq!(s.model().running_stats(), before);
    assert_ne!(s.model().clone().params().concat(), params);
    // With them the session's model is the outside one, so it predicts the same.
    s.finish_external_epoch(&with_stats, outside.iterations())
        .unwrap();
    assert_eq!(s.model().running_stats(), stats);
    assert_eq!(
        s.model().clone().predict(&x).unwrap(),
        outside.predict(&x).unwrap()
    );
    // Weights alone leave the statistics where they were.
    s.finish_external_epoch(&params, outside.iterations())
        .unwrap();
    assert_eq!(s.model().running_stats(), stats);
}

#[test]
fn a_model_file_from_outside_brings_its_running_statistics() {
    let cfg = PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 3,
            batch_norm: true,
            ..HiddenLayer::default()
        }],
        ..PlaygroundConfig::default()
    };
    let mut s = session(cfg);
    let mut outside = trained_outside(&mut s);
    // The same epoch's rows again: the order is fixed until the epoch is finished.
    let (x, _) = s.epoch_training_set().unwrap();
    assert_ne!(outside.running_stats(), s.model().running_stats());
    s.finish_external_epoch_from_model(&outside.to_json_with_state())
        .unwrap();
    assert_eq!(s.model().running_stats(), outside.running_stats());
    assert_eq!(
        s.model().clone().predict(&x).unwrap(),
        outside.predict(&x).unwrap()
    );
}
