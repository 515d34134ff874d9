//! Training state in model files: for every optimiser, training that is saved with its state
//! and reloaded continues bit for bit as if never saved (and a plain save does not, so the
//! comparison can fail); malformed state sections give errors that say what is wrong; the
//! playground session keeps a state its file carries.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{dense, random_matrix};
use nn_playground::model::MODEL_VERSION;
use nn_playground::session::Session;
use nn_playground::{
    Activation, CompileSpec, Error, FitOptions, LayerSpec, LossKind, Matrix, ModelSpec,
    OptimizerKind, OptimizerSpec, PlaygroundConfig, Schedule, Sequential,
};

const KINDS: [OptimizerKind; 7] = [
    OptimizerKind::Sgd,
    OptimizerKind::Momentum,
    OptimizerKind::Nesterov,
    OptimizerKind::Rmsprop,
    OptimizerKind::Adagrad,
    OptimizerKind::Adam,
    OptimizerKind::Adamw,
];

/// A small regression net with dropout (so the generator's position matters) under `kind`
/// with a decaying schedule (so the step count matters, for SGD too).
fn model(kind: OptimizerKind) -> Sequential {
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![
            dense(6, Activation::Tanh),
            LayerSpec::Dropout { rate: 0.2 },
            dense(2, Activation::Linear),
        ],
    };
    let mut m = Sequential::new(spec, 7).unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind,
            learning_rate: 0.05,
            weight_decay: 0.01,
            schedule: Schedule::Exponential {
                decay_steps: 5,
                rate: 0.8,
            },
            ..OptimizerSpec::default()
        },
        loss: LossKind::Mse,
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

fn data() -> (Matrix, Matrix) {
    (
        random_matrix(37, 3, -1.0, 1.0, 1),
        random_matrix(37, 2, -1.0, 1.0, 2),
    )
}

fn bits(m: &mut Sequential) -> Vec<Vec<u32>> {
    m.params()
        .iter()
        .map(|t| t.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn every_optimizer_continues_bit_for_bit_after_a_save_with_state() {
    let (x, y) = data();
    // 37 rows in batches of 8 is 5 steps per pass: after k = 10 steps the batch walk is back
    // at row 0, where a new `train_steps` call starts, so k + k steps walk as 2k do.
    let k = 10;
    for kind in KINDS {
        let mut straight = model(kind);
        straight.train_steps(&x, &y, 8, 2 * k).unwrap();

        let mut first = model(kind);
        first.train_steps(&x, &y, 8, k).unwrap();
        let mut resumed = Sequential::from_json(&first.to_json_with_state()).unwrap();
        assert_eq!(resumed.iterations(), k as u64, "{kind:?}");
        assert_eq!(
            resumed.optimizer_state(),
            first.optimizer_state(),
            "{kind:?}: state round trip"
        );
        resumed.train_steps(&x, &y, 8, k).unwrap();
        assert_eq!(bits(&mut resumed), bits(&mut straight), "{kind:?}: resumed");
        assert_eq!(resumed.iterations(), 2 * k as u64);

        // Without the state the optimiser restarts (step count, moments, dropout stream):
        // not the same run, so the comparison above can fail.
        let mut plain = Sequential::from_json(&first.to_json()).unwrap();
        assert_eq!(plain.iterations(), 0);
        plain.train_steps(&x, &y, 8, k).unwrap();
        assert_ne!(
            bits(&mut plain),
            bits(&mut straight),
            "{kind:?}: plain reload"
        );
    }
}

#[test]
fn fit_with_shuffling_and_dropout_resumes_exactly() {
    let (x, y) = data();
    let opts = FitOptions {
        epochs: 2,
        batch_size: 5,
        shuffle: true,
        ..FitOptions::default()
    };
    let one = FitOptions {
        epochs: 1,
        ..opts.clone()
    };
    for kind in KINDS {
        let mut straight = model(kind);
        straight.fit(&x, &y, &opts, &mut []).unwrap();

        let mut half = model(kind);
        half.fit(&x, &y, &one, &mut []).unwrap();
        let mut resumed = Sequential::from_json(&half.to_json_with_state()).unwrap();
        assert_eq!(resumed.epochs_trained(), 1);
        resumed.fit(&x, &y, &one, &mut []).unwrap();
        assert_eq!(bits(&mut resumed), bits(&mut straight), "{kind:?}");
        assert_eq!(resumed.epochs_trained(), 2);

        let mut plain = Sequential::from_json(&half.to_json()).unwrap();
        plain.fit(&x, &y, &one, &mut []).unwrap();
        assert_ne!(
            bits(&mut plain),
            bits(&mut straight),
            "{kind:?}: plain reload"
        );
    }
}

#[test]
fn plain_files_stay_as_they_were_and_fresh_models_save_a_small_state() {
    let (x, y) = data();
    let mut m = model(OptimizerKind::Adam);
    m.train_steps(&x, &y, 8, 3).unwrap();
    let plain = m.to_json();
    assert!(
        !plain.contains("\"training\""),
        "plain files carry no state"
    );
    let v: serde_json::Value = serde_json::from_str(&m.to_json_with_state()).unwrap();
    assert_eq!(v["version"], MODEL_VERSION);
    assert_eq!(v["training"]["iterations"], 3);
    let slot1 = v["training"]["slot1"].as_array().unwrap();
    assert_eq!(slot1.len(), m.params().len());
    // Momentum keeps slot 1 only, RMSProp slot 2 only, SGD neither: only those are written.
    for (kind, has1, has2) in [
        (OptimizerKind::Sgd, false, false),
        (OptimizerKind::Momentum, true, false),
        (OptimizerKind::Rmsprop, false, true),
    ] {
        let mut m = model(kind);
        m.train_steps(&x, &y, 8, 2).unwrap();
        let v: serde_json::Value = serde_json::from_str(&m.to_json_with_state()).unwrap();
        assert_eq!(v["training"].get("slot1").is_some(), has1, "{kind:?}");
        assert_eq!(v["training"].get("slot2").is_some(), has2, "{kind:?}");
    }
    // Never trained: no slots, and it loads as fresh.
    let fresh = model(OptimizerKind::Adam);
    let v: serde_json::Value = serde_json::from_str(&fresh.to_json_with_state()).unwrap();
    assert!(v["training"].get("slot1").is_none());
    let back = Sequential::from_json(&fresh.to_json_with_state()).unwrap();
    assert!(!back.has_optimizer_state());
}

/// A trained Adam model's file with state, edited by `edit`, and the error it loads with.
fn load_edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let (x, y) = data();
    let mut m = model(OptimizerKind::Adam);
    m.train_steps(&x, &y, 8, 3).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&m.to_json_with_state()).unwrap();
    edit(&mut v);
    match Sequential::from_json(&v.to_string()) {
        Err(e @ Error::Format(_)) => e.to_string(),
        other => panic!("expected a format error, got {other:?}"),
    }
}

/// A change to a model file's JSON.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

#[test]
fn malformed_state_sections_are_refused_with_clear_errors() {
    let cases: Vec<(&str, Edit)> = vec![
        (
            "\"iterations\" must be a whole number from 0",
            Box::new(|v| v["training"]["iterations"] = (-1).into()),
        ),
        (
            "\"iterations\" must be a whole number from 0",
            Box::new(|v| v["training"]["iterations"] = 2.5.into()),
        ),
        (
            "\"epochs\" must be a whole number",
            Box::new(|v| v["training"]["epochs"] = (-3).into()),
        ),
        (
            "slot1 has 3 tensors, the model has 4 parameter tensors",
            Box::new(|v| {
                v["training"]["slot1"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "slot2 tensor 1 has 5 values, the parameter has 6",
            Box::new(|v| {
                v["training"]["slot2"][1].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "slot1 tensor 0 contains non-finite values (null)",
            Box::new(|v| v["training"]["slot1"][0][2] = serde_json::Value::Null),
        ),
        (
            "slot1 tensor 2 contains non-finite values",
            // Beyond f32's range: reads as infinity.
            Box::new(|v| v["training"]["slot1"][2][0] = 1e39.into()),
        ),
        (
            "slot2 tensor 3 holds a negative second moment",
            Box::new(|v| v["training"]["slot2"][3][0] = (-0.5).into()),
        ),
        (
            "3 iterations but no moment slots",
            Box::new(|v| {
                let t = v["training"].as_object_mut().unwrap();
                t.remove("slot1");
                t.remove("slot2");
            }),
        ),
        (
            "\"rng\" must be 64 hexadecimal digits",
            Box::new(|v| v["training"]["rng"] = "12ab".into()),
        ),
        (
            "\"rng\" must be 64 hexadecimal digits, not all zero",
            Box::new(|v| v["training"]["rng"] = "0".repeat(64).into()),
        ),
        (
            "no \"compile\" settings",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("compile");
            }),
        ),
        (
            "Momentum keeps no slot2",
            Box::new(|v| v["compile"]["optimizer"]["kind"] = "momentum".into()),
        ),
    ];
    for (want, edit) in cases {
        let msg = load_edited(edit);
        assert!(msg.contains(want), "expected “{want}” in: {msg}");
        assert!(msg.starts_with("unreadable file:"), "{msg}");
    }
    // A step count past what JavaScript can hold exactly.
    let msg = load_edited(|v| v["training"]["iterations"] = (1u64 << 60).into());
    assert!(msg.contains("\"iterations\""), "{msg}");
}

#[test]
fn older_files_without_a_state_load_fresh() {
    // A version-1 file as written before the state section existed.
    let (x, y) = data();
    let mut m = model(OptimizerKind::Momentum);
    m.train_steps(&x, &y, 8, 4).unwrap();
    let old = m.to_json();
    let mut back = Sequential::from_json(&old).unwrap();
    assert_eq!(back.iterations(), 0);
    assert!(!back.has_optimizer_state());
    assert_eq!(bits(&mut back), bits(&mut m), "weights load as before");
}

#[test]
fn set_optimizer_state_checks_and_changes_nothing_on_error() {
    let (x, y) = data();
    let mut m = model(OptimizerKind::Rmsprop);
    m.train_steps(&x, &y, 8, 2).unwrap();
    let before = m.optimizer_state().unwrap();
    let mut bad = before.clone();
    bad.slot2[0][0] = f32::NAN;
    let err = m.set_optimizer_state(bad).unwrap_err();
    assert!(err.to_string().contains("non-finite"), "{err}");
    assert_eq!(m.optimizer_state().unwrap(), before);
    let mut uncompiled = Sequential::new(m.spec().clone(), 1).unwrap();
    assert!(uncompiled.optimizer_state().is_none());
    assert!(uncompiled.set_optimizer_state(before).is_err());
}

fn session_config(kind: OptimizerKind) -> PlaygroundConfig {
    let mut cfg = PlaygroundConfig::default();
    cfg.optimizer.kind = kind;
    cfg
}

#[test]
fn session_import_keeps_a_carried_state_of_the_same_kind() {
    let cfg = session_config(OptimizerKind::Adam);
    let mut a = Session::new(cfg.clone()).unwrap();
    a.train_epochs(3).unwrap();
    let with_state = a.export_model_with_state();
    let plain = a.export_model();

    let mut b = Session::new(cfg.clone()).unwrap();
    b.import_model(&with_state).unwrap();
    assert_eq!(b.model().iterations(), a.model().iterations());
    assert_eq!(b.model().optimizer_state(), a.model().optimizer_state());
    a.train_epochs(2).unwrap();
    b.train_epochs(2).unwrap();
    assert_eq!(a.model().to_json(), b.model().to_json(), "same run on");

    // Files without state import as before: fresh optimiser.
    let mut c = Session::new(cfg).unwrap();
    c.import_model(&plain).unwrap();
    assert_eq!(c.model().iterations(), 0);
    c.train_epochs(2).unwrap();
    assert_ne!(a.model().to_json(), c.model().to_json());

    // A page on another optimiser starts it fresh: the moments would mean something else.
    let mut d = Session::new(session_config(OptimizerKind::Momentum)).unwrap();
    d.import_model(&with_state).unwrap();
    assert_eq!(d.model().iterations(), 0);
    assert!(!d.model().has_optimizer_state());
}
