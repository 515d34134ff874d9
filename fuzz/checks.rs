//! The invariants each fuzz target checks, shared by the libFuzzer targets and by the native
//! regression test that replays every committed seed (`tests/fuzz_seeds.rs`).
//!
//! Each check takes raw bytes. Refusing the input with an error is always fine; a panic (or a
//! failed assertion below) is a finding.
#![allow(dead_code)]

use nn_playground::data::csv::encoding::MissingPolicy;
use nn_playground::data::csv::prepare::TaskKind;
use nn_playground::data::csv::table::read_table;
use nn_playground::data::csv::{parse_csv, to_csv, CsvOptions};
use nn_playground::input::{
    describe_field_error, dimension, epoch_limit_from_text, EXCERPT_CHARS, MAX_DIMENSION,
};
use nn_playground::playground::MAX_EPOCH_LIMIT;
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
    table(opt, text, opts);
}

/// The table path of the same text: the typed reader round-trips through its own CSV, and
/// the session loads it with the option byte's table choices (task, missing cells, a subset
/// of columns), then trains, draws, reports and predicts, or refuses it and keeps its data.
fn table(opt: u8, text: &str, mut opts: CsvOptions) {
    let Ok(raw) = read_table(text, opts.has_header) else {
        return;
    };
    let again = read_table(&raw.to_csv(), Some(true))
        .unwrap_or_else(|e| panic!("the table's own CSV is refused: {e}"));
    assert_eq!(again.names, raw.names, "names after a round trip");
    for (a, b) in raw.columns.iter().zip(&again.columns) {
        for r in 0..raw.rows() {
            assert_eq!(a.text(r), b.text(r), "cell after a round trip");
        }
    }
    opts.missing = if opt & 0x08 == 0 {
        MissingPolicy::Drop
    } else {
        MissingPolicy::Fill
    };
    opts.kind = match opt >> 6 & 1 {
        0 => None,
        _ => Some(TaskKind::Classification),
    };
    if opt & 0x80 != 0 {
        opts.features = Some(raw.names.iter().step_by(2).cloned().collect());
    }
    let mut s = Session::new(PlaygroundConfig {
        dataset: nn_playground::DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .expect("the default custom session builds");
    let before = s.points_flat();
    if s.load_csv(text, &opts).is_err() {
        assert_eq!(s.points_flat(), before, "a refused table changed the data");
        return;
    }
    let _ = s.train_epochs(1);
    let grid = s.decision_grid(8).expect("an 8 × 8 grid is within limits");
    assert_eq!(grid.len(), 64 * s.grid_channels(), "grid size");
    let _ = s.metrics();
    let _ = s.insight();
    let _ = s.predictions_csv(true);
    if s.is_table() {
        let _ = s.predict_csv(text);
        let info = s.slice_info().expect("a table has a slice");
        let held: Vec<f32> = info.held.iter().map(|h| h.max).collect();
        let _ = s.set_slice(info.x, info.y, &held);
        let _ = s.decision_grid(8);
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
/// to the same settings; an embedded weights blob decodes or is refused. The forgiving
/// reading keeps only a config that validates, lists at most `MAX_REJECTED` + 1 refusals,
/// and what it keeps round-trips too.
pub fn url_state(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(read) = url_state::read_hash(text) {
        read.config
            .validate()
            .unwrap_or_else(|e| panic!("read_hash kept a config that does not validate: {e}"));
        assert!(read.rejected.len() <= url_state::MAX_REJECTED + 1);
        let hash = url_state::to_hash(&read.config, &read.hide);
        let again = url_state::from_hash(&hash)
            .unwrap_or_else(|e| panic!("to_hash wrote {hash:?}, which does not parse: {e}"));
        assert_eq!(
            again.config, read.config,
            "hash {hash:?} changed the settings"
        );
    }
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

/// Sizes from outside near overflow: bytes 0–7 and 8–15 are a `rows × cols` claim (any
/// `u64`, so products past `usize` come up), byte 16 the values actually given, bytes
/// 16–23 a JS number for a shape entry, the rest text for the epoch-limit field and a
/// serde message. Nothing panics; what is accepted is what was claimed; messages stay short.
pub fn shapes(data: &[u8]) {
    let word = |at: usize| {
        let mut b = [0u8; 8];
        for (i, v) in data.iter().skip(at).take(8).enumerate() {
            b[i] = *v;
        }
        u64::from_le_bytes(b)
    };
    let (rows, cols) = (word(0) as usize, word(8) as usize);
    let given = usize::from(data.get(16).copied().unwrap_or(0));
    match Matrix::from_vec(rows, cols, vec![0.0; given]) {
        Ok(m) => assert_eq!(m.rows().checked_mul(m.cols()), Some(given)),
        Err(e) => assert!(e.to_string().len() < 200, "{e}"),
    }
    let d = f64::from_bits(word(16));
    if let Ok(n) = dimension(Some(d), "x") {
        assert!(
            (1..=MAX_DIMENSION).contains(&n) && n as f64 == d,
            "{d} → {n}"
        );
    }
    let text = String::from_utf8_lossy(data.get(24..).unwrap_or(&[]));
    match epoch_limit_from_text(&text) {
        Ok(Some(n)) => assert!((1..=MAX_EPOCH_LIMIT).contains(&n)),
        Ok(None) => assert!(text.trim().is_empty()),
        Err(e) => assert!(e.to_string().chars().count() < 200, "{e}"),
    }
    let half = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(text.len(), |(i, _)| i);
    let (path, message) = text.split_at(half);
    let said = describe_field_error(path, message);
    let bound = path.chars().count() + 3 * EXCERPT_CHARS + 80;
    assert!(
        said.chars().count() <= bound,
        "{} characters",
        said.chars().count()
    );
}
