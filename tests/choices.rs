//! The page's one description of choices and limits (`nn_playground::choices`): every
//! variant of every enum the page offers is listed (the variants read from serde's own list,
//! so a new one cannot be forgotten), every listed id is one the engine accepts, and the
//! feature grids are the engine's feature maths on the map's grid.

use nn_playground::choices::{choices, feature_grids, FEATURE_GRID_RESOLUTION};
use nn_playground::data::features::feature_value;
use nn_playground::session::{grid_points, Session, MAX_GRID_RESOLUTION};
use nn_playground::{PlaygroundConfig, Schedule};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Every variant name of the unit-variant enum `T`, from the message serde gives for an
/// unknown one ("expected `a` or `b`", "expected one of `a`, `b`, …"): the derive's own
/// list, not ours.
fn variants<T: DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
    let err = serde_json::from_value::<T>(json!("no such variant")).unwrap_err();
    let text = err.to_string();
    let list = text
        .split("expected ")
        .nth(1)
        .unwrap_or_else(|| panic!("serde's message changed: {text}"));
    let list = list.strip_prefix("one of ").unwrap_or(list);
    let names: Vec<String> = list
        .split(", ")
        .flat_map(|s| s.split(" or "))
        .map(|s| s.trim_matches(|c| c == '`' || c == ' ').to_string())
        .collect();
    assert!(names.len() >= 2, "{text}");
    names
}

/// The ids of `choices()[key]`, whether plain ids or `{id, …}` entries.
fn ids(key: &str) -> Vec<String> {
    let all = serde_json::to_value(choices()).unwrap();
    all[key]
        .as_array()
        .unwrap_or_else(|| panic!("choices has no list {key}"))
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Object(o) => o["id"].as_str().expect("an id").to_string(),
            other => panic!("{key}: {other}"),
        })
        .collect()
}

fn assert_lists_all<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(
    key: &str,
    left_out: &[&str],
) {
    let listed = ids(key);
    for v in variants::<T>() {
        // Serde's list holds aliases too (`rms_prop`); an alias names a listed variant.
        let canonical = serde_json::to_value(serde_json::from_value::<T>(json!(v)).unwrap());
        let canonical = canonical.unwrap().as_str().unwrap().to_string();
        if left_out.contains(&canonical.as_str()) {
            assert!(!listed.contains(&canonical), "{key} lists {canonical}");
            continue;
        }
        assert!(
            listed.contains(&canonical),
            "{key} lacks {canonical}: {listed:?}"
        );
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "{key} lists an id twice");
}

#[test]
fn every_variant_is_offered() {
    use nn_playground::data::csv::{encoding::MissingPolicy, prepare::TaskKind};
    use nn_playground::spec::*;
    // `custom` is the data a person brings, not a choice; softmax only fits an output layer.
    assert_lists_all::<DatasetKind>("datasets", &["custom"]);
    assert_lists_all::<Feature>("features", &[]);
    assert_lists_all::<nn_playground::Activation>("activations", &["softmax"]);
    assert_lists_all::<OptimizerKind>("optimizers", &[]);
    assert_lists_all::<RegularizationKind>("regularizations", &[]);
    assert_lists_all::<Init>("inits", &[]);
    assert_lists_all::<Monitor>("monitors", &[]);
    // The output layer may take every activation, softmax included; every loss is offered.
    assert_lists_all::<nn_playground::Activation>("output_activations", &[]);
    assert_lists_all::<LossKind>("losses", &[]);
    assert_lists_all::<BackendChoice>("backends", &[]);
    assert_lists_all::<TaskKind>("table_tasks", &[]);
    assert_lists_all::<MissingPolicy>("missing", &[]);
}

/// `cfg` with `key` set to `value` (JSON paths through objects), as the page edits it.
fn with(key: &[&str], value: Value) -> PlaygroundConfig {
    let mut cfg = serde_json::to_value(PlaygroundConfig::default()).unwrap();
    let mut at = &mut cfg;
    for k in &key[..key.len() - 1] {
        at = &mut at[*k];
    }
    at[key[key.len() - 1]] = value;
    serde_json::from_value(cfg).unwrap_or_else(|e| panic!("{key:?}: {e}"))
}

#[test]
fn every_offered_value_builds_a_session() {
    let c = serde_json::to_value(choices()).unwrap();
    let each = |list: &str| c[list].as_array().unwrap().clone();
    for d in each("datasets") {
        let cfg = with(&["dataset"], d["id"].clone());
        let s = Session::new(cfg).unwrap();
        let regression = s.task() == nn_playground::data::Task::Regression;
        assert_eq!(d["task"] == "regression", regression, "{d}");
        assert_eq!(d["class_count"] == true, d["id"] == "k_spiral", "{d}");
    }
    for k in each("classes") {
        let mut cfg = with(&["dataset"], json!("k_spiral"));
        cfg.classes = k.as_u64().unwrap() as usize;
        Session::new(cfg).unwrap();
    }
    for f in each("features") {
        Session::new(with(&["features"], json!([f["id"]]))).unwrap();
    }
    for a in each("activations") {
        Session::new(with(&["activation"], a)).unwrap();
    }
    for o in each("optimizers") {
        Session::new(with(&["optimizer", "kind"], o)).unwrap();
    }
    for s in each("schedules") {
        let cfg = with(&["optimizer", "schedule"], s["schedule"].clone());
        assert_eq!(
            s["id"], s["schedule"]["type"],
            "a preset is named by its kind"
        );
        Session::new(cfg).unwrap();
    }
    for r in each("regularizations") {
        Session::new(with(&["regularization", "kind"], r)).unwrap();
    }
    for r in each("regularization_rates") {
        Session::new(with(&["regularization", "rate"], r)).unwrap();
    }
    for r in each("learning_rates") {
        Session::new(with(&["optimizer", "learning_rate"], r)).unwrap();
    }
    for d in each("dropout_rates") {
        let mut cfg = PlaygroundConfig::default();
        cfg.hidden[0].dropout = d.as_f64().unwrap() as f32;
        Session::new(cfg).unwrap();
    }
    for i in each("inits") {
        Session::new(with(&["init"], i)).unwrap();
    }
    for m in each("monitors") {
        let es = json!({ "monitor": m, "patience": 3 });
        Session::new(with(&["early_stopping"], es)).unwrap();
    }
    for b in each("backends") {
        Session::new(with(&["backend"], b)).unwrap();
    }
    for s in each("speeds") {
        nn_playground::url_state::parse_speed(s.as_str().unwrap()).unwrap();
    }
    // What the page adds for "+" and turning early stopping on is a config the engine takes.
    let mut cfg = PlaygroundConfig::default();
    cfg.hidden
        .push(serde_json::from_value(c["new_hidden_layer"].clone()).unwrap());
    cfg.early_stopping = Some(serde_json::from_value(c["early_stopping"].clone()).unwrap());
    Session::new(cfg).unwrap();
    assert_eq!(c["domain"], json!(nn_playground::session::DOMAIN));
    assert_eq!(
        c["schedules"][0]["schedule"],
        serde_json::to_value(Schedule::Constant).unwrap()
    );
}

#[test]
fn every_control_range_is_valid_at_both_ends_and_the_caps_hold_it() {
    let c = choices();
    let ctl = c.controls;
    for (key, r) in [
        ("train_ratio", ctl.train_ratio),
        ("validation_ratio", ctl.validation_ratio),
        ("noise", ctl.noise),
        ("batch_size", ctl.batch_size),
    ] {
        for v in [r.min, r.max] {
            // Whole numbers as integers: the batch size is a count.
            let v = if v.fract() == 0.0 {
                json!(v as i64)
            } else {
                json!(v)
            };
            Session::new(with(&[key], v.clone())).unwrap_or_else(|e| panic!("{key} {v}: {e}"));
        }
        assert!(r.step > 0.0 && r.min < r.max, "{key}");
    }
    for k in [ctl.train_ratio.min - 1.0, ctl.train_ratio.max + 1.0] {
        assert!(with(&["train_ratio"], json!(k)).validate().is_err(), "{k}");
    }
    for k in [-1.0, ctl.validation_ratio.max + 1.0] {
        assert!(
            with(&["validation_ratio"], json!(k)).validate().is_err(),
            "{k}"
        );
    }
    assert!(with(&["noise"], json!(ctl.noise.max + 1.0))
        .validate()
        .is_err());
    assert!(ctl.hidden_layers <= c.limits.max_hidden_layers);
    assert!(ctl.hidden_units <= c.limits.max_hidden_units);
    let mut cfg = PlaygroundConfig {
        hidden: vec![Default::default(); c.limits.max_hidden_layers + 1],
        ..PlaygroundConfig::default()
    };
    assert!(
        cfg.validate().is_err(),
        "the layer cap is the one validate enforces"
    );
    cfg.hidden = vec![Default::default(); c.limits.max_hidden_layers];
    cfg.validate().unwrap();
}

#[test]
fn feature_grids_are_the_engine_features_on_the_map_grid() {
    let res = FEATURE_GRID_RESOLUTION;
    let grids = feature_grids(res).unwrap();
    let features = choices().features;
    assert_eq!(grids.len(), features.len() * res * res);
    let points = grid_points(res).unwrap();
    for (k, f) in features.iter().enumerate() {
        for (i, p) in points.iter().enumerate() {
            assert_eq!(grids[k * res * res + i], feature_value(f.id, p.x, p.y));
        }
    }
    // The top-left cell is (−6, 6) plus half a cell: x₁ rises to the right, x₂ upwards.
    let half = 6.0 / res as f32;
    assert_eq!(grids[0], -6.0 + half);
    assert_eq!(grids[res * res], 6.0 - half);
    assert!(feature_grids(0).is_err());
    assert!(feature_grids(MAX_GRID_RESOLUTION + 1).is_err());
}

#[test]
fn the_metrics_panel_rows_are_what_each_task_measures() {
    use nn_playground::data::Task;
    let c = choices();
    for (kind, task) in [
        ("classification", Task::Binary),
        ("regression", Task::Regression),
    ] {
        let mut shown: Vec<_> = c
            .metrics
            .iter()
            .filter(|m| m.task == kind)
            .map(|m| m.id)
            .collect();
        let mut measured = PlaygroundConfig::default().compile_spec(task).metrics;
        shown.sort_by_key(|m| m.name());
        measured.sort_by_key(|m| m.name());
        assert_eq!(shown, measured, "{kind}");
    }
    assert!(c
        .metrics
        .iter()
        .all(|m| m.task == "classification" || m.task == "regression"));
    // A share is shown in per cent; an error or R² as it is.
    for m in &c.metrics {
        let share = matches!(m.id.name(), "accuracy" | "precision" | "recall" | "f1");
        assert_eq!(m.percent, share, "{}", m.id.name());
    }
    let ids: Vec<_> = c.metrics.iter().map(|m| m.id.name()).collect();
    assert_eq!(ids[0], "accuracy", "the panel leads with accuracy");
}

#[test]
fn a_click_adds_labels_the_data_takes() {
    let c = choices();
    for (task, dataset) in [("binary", "circle"), ("regression", "multi_gauss")] {
        let labels: Vec<f32> = c
            .click_labels
            .iter()
            .filter(|l| l.task == task)
            .map(|l| l.label)
            .collect();
        assert_eq!(
            labels.len(),
            2,
            "{task}: two labels, shift-click swaps them"
        );
        assert_ne!(labels[0], labels[1], "{task}");
        let mut s = Session::new(with(&["dataset"], json!(dataset))).unwrap();
        let existing: Vec<f32> = s.points_flat().chunks(4).map(|p| p[2]).collect();
        let (lo, hi) = (labels[0].min(labels[1]), labels[0].max(labels[1]));
        for &l in &labels {
            s.add_point(0.5, -0.5, l)
                .unwrap_or_else(|e| panic!("{task} {l}: {e}"));
        }
        if task == "binary" {
            // The engine's two class indices.
            assert_eq!((lo, hi), (0.0, 1.0));
        } else {
            // Either end of the regression sets' targets.
            assert!(
                existing.iter().all(|&y| (lo..=hi).contains(&y)),
                "{existing:?}"
            );
        }
    }
    for l in &c.click_labels {
        assert!(l.task == "binary" || l.task == "regression", "{}", l.id);
    }
}

#[test]
fn the_sequence_inputs_reach_exactly_as_far_as_the_link() {
    use nn_playground::choices::sequence_choices;
    use nn_playground::url_state::read_sequence_hash;
    let c = sequence_choices();
    let takes = |key: &str, v: f64| {
        let st = read_sequence_hash(&format!("mode=sequence&{key}={v}")).unwrap();
        st.rejected.is_empty()
    };
    for (key, r) in [
        ("learningRate", c.learning_rate),
        ("warmup", c.warmup),
        ("seed", c.seed),
    ] {
        assert!(r.min < r.max && r.step > 0.0, "{key}");
        assert!(takes(key, r.min), "{key} {}", r.min);
        assert!(takes(key, r.max), "{key} {}", r.max);
        assert!(!takes(key, r.max * 2.0), "{key} above {}", r.max);
    }
    assert!(!takes("learningRate", c.learning_rate.min / 2.0));
    // The modulus: the link, the control and the task take one range.
    let modulus = |v: f64| {
        read_sequence_hash(&format!("mode=sequence&task=modular_addition&modulus={v}"))
            .unwrap()
            .rejected
            .is_empty()
    };
    assert!(modulus(c.modulus.min) && modulus(c.modulus.max));
    assert!(!modulus(c.modulus.max + 1.0) && !modulus(c.modulus.min - 1.0));
    let mut task = nn_playground::data::sequence::SequenceTaskSpec {
        task: nn_playground::data::sequence::SequenceTask::ModularAddition,
        ..Default::default()
    };
    for p in [c.modulus.min, c.modulus.max] {
        task.modulus = p as usize;
        nn_playground::data::sequence::check(&task).unwrap();
    }
    // Every value of the ranges builds a session (the seed: JavaScript's exact integers).
    let mut cfg = nn_playground::spec::SequenceConfig::default();
    cfg.optimizer.learning_rate = c.learning_rate.max as f32;
    cfg.optimizer.warmup_steps = c.warmup.max as usize;
    cfg.seed = c.seed.max as u64;
    cfg.validate().unwrap();
    assert_eq!(c.seed.max, 2f64.powi(53));
}
