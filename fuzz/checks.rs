//! The invariants each fuzz target checks, shared by the libFuzzer targets and by the native
//! regression test that replays every committed seed (`tests/fuzz_seeds.rs`).
//!
//! Each check takes raw bytes. Refusing the input with an error is always fine; a panic (or a
//! failed assertion below) is a finding.
#![allow(dead_code)]

use nn_playground::data::csv::{parse_csv, to_csv, CsvOptions};
use nn_playground::session::Session;
use nn_playground::{url_state, Matrix, PlaygroundConfig, Sequential};

/// Most points a fuzzed config may generate: keeps one execution well under the time limit
/// while exercising every other setting as given.
const FUZZ_MAX_SAMPLES: usize = 200;

/// The CSV parser: the first byte picks the options, the rest is the text. Whatever parses
/// survives its own round trip.
pub fn csv(data: &[u8]) {
    let (opt, rest) = data.split_first().map_or((0, &[][..]), |(o, r)| (*o, r));
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let opts = CsvOptions {
        label_column: if opt & 1 == 0 {
            None
        } else {
            Some(((opt >> 1) % 4).to_string())
        },
        has_header: match opt >> 4 & 3 {
            0 => None,
            1 => Some(true),
            _ => Some(false),
        },
        ..CsvOptions::default()
    };
    if let Ok(ds) = parse_csv(text, &opts) {
        let again = parse_csv(&to_csv(&ds), &CsvOptions::default());
        assert!(again.is_ok(), "round trip failed: {:?}", again.err());
    }
}

/// The model-file loader: any bytes are a model that predicts and re-loads (its training
/// state too), or an error.
pub fn model_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(mut model) = Sequential::from_json(text) {
        let x = Matrix::zeros(2, model.input_dim());
        let _ = model.predict(&x);
        Sequential::from_json(&model.to_json()).expect("a loaded model re-loads");
        let again = Sequential::from_json(&model.to_json_with_state())
            .expect("a loaded model re-loads with its training state");
        assert_eq!(again.optimizer_state(), model.optimizer_state());
    }
}

/// The URL-state parser: whatever parses is written back by `to_hash` to a hash that parses
/// to the same settings; an embedded weights blob decodes or is refused.
pub fn url_state(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(state) = url_state::from_hash(text) else {
        return;
    };
    let hash = url_state::to_hash(&state.config, &state.hide);
    let again = url_state::from_hash(&hash)
        .unwrap_or_else(|e| panic!("to_hash wrote {hash:?}, which does not parse: {e}"));
    assert_eq!(
        again.config, state.config,
        "hash {hash:?} changed the settings"
    );
    assert_eq!(
        again.hide, state.hide,
        "hash {hash:?} changed the hidden controls"
    );
    if let Some(blob) = &state.weights {
        let _ = url_state::decode_blob(blob);
    }
}

/// A JSON config through the real playground `Session`: refused, or it builds, trains two
/// epochs (divergence is an error, not a panic), draws a grid, reports metrics, and its model
/// file exports and imports back unchanged.
pub fn config_train(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut config) = serde_json::from_str::<PlaygroundConfig>(text) else {
        return;
    };
    config.num_samples = Some(
        config
            .num_samples
            .unwrap_or(FUZZ_MAX_SAMPLES)
            .min(FUZZ_MAX_SAMPLES),
    );
    let Ok(mut session) = Session::new(config) else {
        return;
    };
    let _ = session.train_epochs(2);
    let channels = session.grid_channels();
    let grid = session
        .decision_grid(16)
        .expect("a 16 × 16 grid is within limits");
    assert_eq!(grid.len(), 16 * 16 * channels, "grid size");
    let _ = session.metrics();
    let exported = session.export_model();
    session
        .import_model(&exported)
        .unwrap_or_else(|e| panic!("the session's own model file is refused: {e}"));
    assert_eq!(
        session.export_model(),
        exported,
        "export → import changed the model"
    );
}
