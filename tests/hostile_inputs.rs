//! Hostile inputs from the page, the link and the JS API, natively: shape lies near
//! overflow, partly bad links, seeds past 2^53, oversized text in messages, empty model
//! files, the epoch-limit field, Keras' patience 0 and huge integer labels.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::csv::{parse_csv, CsvOptions};
use nn_playground::data::Task;
use nn_playground::input::{describe_field_error, dimension, epoch_limit_from_text, excerpt};
use nn_playground::playground::{MAX_EPOCH_LIMIT, MAX_SEED};
use nn_playground::session::Session;
use nn_playground::url_state::{from_hash, read_hash, MAX_REJECTED};
use nn_playground::{DatasetKind, EarlyStoppingSpec, Error, Matrix, PlaygroundConfig, Sequential};

#[test]
fn a_shape_whose_product_overflows_is_an_error_not_a_panic() {
    for (rows, cols) in [(usize::MAX, 2), (2, usize::MAX), (1 << 33, 1 << 33)] {
        let err = Matrix::from_vec(rows, cols, vec![0.0; 4]).unwrap_err();
        assert!(matches!(err, Error::Shape(_)), "{rows}×{cols}: {err:?}");
        assert!(err.to_string().contains("4 values"), "{err}");
    }
    // The wasm32 case of the report: 2147483650 × 2 wraps to 4 on 32 bits.
    assert!(Matrix::from_vec(2_147_483_650, 2, vec![0.0; 4]).is_err());
    assert!(Matrix::from_vec(2, 2, vec![0.0; 4]).is_ok());
}

#[test]
fn a_grid_resolution_past_the_cap_is_refused_before_it_is_squared() {
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    for res in [0, 513, 1 << 32, usize::MAX] {
        let err = s.decision_grid(res).unwrap_err();
        assert!(matches!(err, Error::Limit(_)), "{res}: {err:?}");
    }
    assert_eq!(s.decision_grid(2).unwrap().len(), 4);
}

#[test]
fn shape_dimensions_must_be_whole_and_positive() {
    assert_eq!(dimension(Some(3.0), "x").unwrap(), 3);
    for bad in [
        Some(-1.0),
        Some(0.0),
        Some(3.9),
        Some(f64::NAN),
        Some(f64::INFINITY),
        Some(2f64.powi(40)),
        None,
    ] {
        let err = dimension(bad, "x").unwrap_err().to_string();
        assert!(
            err.contains("x.shape") && err.contains("whole numbers"),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn one_bad_value_in_a_link_drops_only_that_value() {
    let st = read_hash("dataset=xor&networkShape=8,8&learningRate=0.1&noise=55").unwrap();
    assert_eq!(st.config.dataset, DatasetKind::Xor);
    assert_eq!(
        st.config.hidden.iter().map(|h| h.units).collect::<Vec<_>>(),
        [8, 8]
    );
    assert_eq!(st.config.optimizer.learning_rate, 0.1);
    assert_eq!(st.config.noise, PlaygroundConfig::default().noise);
    assert_eq!(st.rejected.len(), 1, "{:?}", st.rejected);
    let msg = st.rejected[0].to_string();
    assert!(msg.contains("noise") && msg.contains("55"), "{msg}");
    // Whatever was kept is a config the engine runs.
    Session::new(st.config.clone()).unwrap();
    // The strict reading still refuses the whole link, with the same message.
    assert_eq!(
        from_hash("noise=55&dataset=xor").unwrap_err().to_string(),
        msg
    );

    // A bad per-layer list costs only that list; the layers stay.
    let st = read_hash("networkShape=4,4&dropout=0.1&activation=relu").unwrap();
    assert_eq!(st.config.hidden.len(), 2);
    assert_eq!(st.config.activation, nn_playground::Activation::Relu);
    assert!(st.rejected[0].to_string().contains("dropout"));
}

#[test]
fn thousands_of_bad_pairs_make_a_short_list() {
    let hash = vec!["noise=99"; 6_000].join("&");
    let st = read_hash(&hash).unwrap();
    assert_eq!(st.rejected.len(), MAX_REJECTED + 1);
    assert!(st.rejected[MAX_REJECTED]
        .to_string()
        .contains(&format!("{} more", 6_000 - MAX_REJECTED)));
}

#[test]
fn a_seed_past_two_to_the_53_names_the_seed() {
    let err = from_hash(&format!("seed={}", MAX_SEED + 1))
        .unwrap_err()
        .to_string();
    assert!(err.contains("seed"), "{err}");
    let cfg = PlaygroundConfig {
        seed: u64::MAX,
        ..PlaygroundConfig::default()
    };
    let err = Session::new(cfg).err().unwrap().to_string();
    assert!(err.contains("seed") && err.contains("2^53"), "{err}");
    assert!(from_hash(&format!("seed={MAX_SEED}")).is_ok());
}

#[test]
fn megabyte_csv_fields_and_header_names_are_quoted_short() {
    let field = "z".repeat(5_000_000);
    let text = format!("a,b,label\n1,2,0\n{field},3,1\n4,5,0\n");
    let err = parse_csv(&text, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.len() < 200, "{} characters", err.len());
    assert!(err.contains("line 3") && err.contains('…'), "{err}");

    let name = "h".repeat(9_000_000);
    let text = format!("{name},b,label\n1,2,0\n3,4,1\n");
    let opts = CsvOptions {
        label_column: Some("nope".into()),
        ..CsvOptions::default()
    };
    let err = parse_csv(&text, &opts).unwrap_err().to_string();
    assert!(err.len() < 300, "{} characters", err.len());

    let opts = CsvOptions {
        label_column: Some(name.clone()),
        has_header: Some(true),
        ..CsvOptions::default()
    };
    let err = parse_csv("a,b\n1,2\n", &opts).unwrap_err().to_string();
    assert!(err.len() < 300, "{} characters", err.len());
    assert_eq!(excerpt(&name).chars().count(), 41);
}

#[test]
fn an_empty_model_file_says_it_is_empty() {
    for text in ["", "  \n"] {
        let err = Sequential::from_json(text).err().unwrap().to_string();
        assert!(err.contains("empty"), "{err}");
    }
    // A megabyte string where a number belongs is quoted short.
    let text = format!(
        "{{\"format\": \"nn-playground-model\", \"version\": \"{}\"}}",
        "9".repeat(1_000_000)
    );
    let err = Sequential::from_json(&text).err().unwrap().to_string();
    assert!(err.len() < 300, "{} characters", err.len());
    let text = format!(
        "{{\"format\": \"{}\", \"version\": 1}}",
        "f".repeat(1_000_000)
    );
    let err = Sequential::from_json(&text).err().unwrap().to_string();
    assert!(err.len() < 300, "{} characters", err.len());
}

#[test]
fn the_epoch_limit_field_reads_numbers_as_numbers() {
    assert_eq!(epoch_limit_from_text("").unwrap(), None);
    assert_eq!(epoch_limit_from_text(" 300 ").unwrap(), Some(300));
    assert_eq!(epoch_limit_from_text("1e9").unwrap(), Some(1_000_000_000));
    assert_eq!(epoch_limit_from_text("2.0").unwrap(), Some(2));
    for (text, why) in [
        ("99999999999", "above the largest"),
        ("2.5", "not a whole number"),
        ("0", "below 1"),
        ("-4", "below 1"),
        ("ten", "not a number"),
        ("Infinity", "not a finite"),
    ] {
        let err = epoch_limit_from_text(text).unwrap_err().to_string();
        assert!(
            err.contains("epoch limit") && err.contains(why),
            "{text}: {err}"
        );
        assert!(!err.contains("usize"), "{err}");
        assert!(err.contains(&MAX_EPOCH_LIMIT.to_string()), "{err}");
    }
    let cfg = PlaygroundConfig {
        epoch_limit: Some(MAX_EPOCH_LIMIT + 1),
        ..PlaygroundConfig::default()
    };
    assert!(cfg
        .validate()
        .unwrap_err()
        .to_string()
        .contains("epoch limit"));
}

#[test]
fn serde_messages_name_the_setting_in_words() {
    let m = describe_field_error(
        "epochs",
        "invalid type: floating point `2.5`, expected usize",
    );
    assert_eq!(m, "`epochs` must be a whole number ≥ 0, got 2.5");
    let m = describe_field_error(
        "layers[0].units",
        "invalid value: integer `-3`, expected usize",
    );
    assert_eq!(m, "`layers[0].units` must be a whole number ≥ 0, got -3");
    let long = format!(
        "invalid type: string \"{}\", expected f32",
        "x".repeat(100_000)
    );
    let m = describe_field_error("learningRate", &long);
    assert!(
        m.len() < 120 && m.contains("learningRate") && m.contains("a finite number"),
        "{m}"
    );
}

#[test]
fn patience_zero_stops_at_the_first_epoch_without_improvement_as_in_keras() {
    let stops = |patience: usize| {
        let mut s = Session::new(PlaygroundConfig {
            early_stopping: Some(EarlyStoppingSpec {
                patience,
                // Nothing can improve by this much: every epoch after the first fails.
                min_delta: 1e6,
                ..EarlyStoppingSpec::default()
            }),
            ..PlaygroundConfig::default()
        })
        .unwrap();
        s.train_epochs(20).unwrap();
        (s.epoch(), s.stop_reason().unwrap_or_default())
    };
    let (zero, why) = stops(0);
    assert_eq!(zero, 2, "the first epoch sets the best, the second stops");
    assert_eq!(
        stops(1).0,
        zero,
        "Keras stops patience 0 and 1 at the same epoch"
    );
    assert!(
        why.contains("did not improve for 1 epoch") && !why.contains("0 epochs"),
        "{why}"
    );
    assert_eq!(stops(3).0, 4);
}

#[test]
fn huge_integer_labels_are_a_regression_target() {
    let text = "a,b,label\n1,2,1e18\n3,4,2e18\n5,6,1e18\n";
    let ds = parse_csv(text, &CsvOptions::default()).unwrap();
    assert_eq!(ds.task, Task::Regression);
    let ds = parse_csv("a,b,label\n1,2,1\n3,4,0\n", &CsvOptions::default()).unwrap();
    assert_eq!(ds.task, Task::Binary);
}
