//! Every documented cap (docs/limits.md) refuses over-limit input with a message that names
//! the limit, and refuses it before allocating memory in proportion to the request: a
//! counting allocator measures what each refusal allocates.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use nn_playground::data::csv::{parse_csv, CsvOptions, MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS};
use nn_playground::model::MAX_MODEL_BYTES;
use nn_playground::playground::{MAX_BATCH_SIZE, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_SAMPLES};
use nn_playground::session::{Session, MAX_GRID_RESOLUTION, MAX_HISTORY};
use nn_playground::spec::{HiddenLayer, LayerSpec, ModelSpec, PlaygroundConfig};
use nn_playground::{url_state, Error, Sequential};

/// Counts the bytes currently allocated and the peak since the last reset.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Tests share the counters; one measurement at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the most bytes it had allocated at once.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

/// A refusal may build its message and a little state; never anything near the request.
const SMALL: usize = 256 * 1024;

fn assert_limit<T: std::fmt::Debug>(r: nn_playground::Result<T>, needle: &str) -> String {
    match r {
        Err(Error::Limit(m)) => {
            assert!(
                m.contains(needle),
                "message {m:?} does not mention {needle:?}"
            );
            m
        }
        other => panic!("expected a limit error mentioning {needle:?}, got {other:?}"),
    }
}

fn dense(units: usize) -> LayerSpec {
    serde_json::from_value(serde_json::json!({"type": "dense", "units": units}))
        .expect("dense spec")
}

#[test]
fn a_50_mb_csv_is_refused_before_parsing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let row = "0.5,0.25,1\n";
    let text = row.repeat(50 * 1024 * 1024 / row.len() + 1);
    assert!(text.len() > 50 * 1024 * 1024 && text.len() > MAX_CSV_BYTES);
    let (r, peak) = peak_during(|| parse_csv(&text, &CsvOptions::default()));
    let m = assert_limit(r, "MB");
    assert!(
        m.contains(&(MAX_CSV_BYTES / (1024 * 1024)).to_string()),
        "{m}"
    );
    assert!(peak < SMALL, "refusing the file allocated {peak} bytes");
}

#[test]
fn csv_rows_and_columns_are_capped() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rows = "1,0\n".repeat(MAX_ROWS + 1);
    let (r, peak) = peak_during(|| parse_csv(&rows, &CsvOptions::default()));
    assert_limit(r, &MAX_ROWS.to_string());
    assert!(
        peak < SMALL,
        "refusing {} rows allocated {peak} bytes",
        MAX_ROWS + 1
    );
    let wide = vec!["1"; MAX_COLUMNS + 1].join(",") + "\n";
    assert_limit(
        parse_csv(&wide, &CsvOptions::default()),
        &MAX_COLUMNS.to_string(),
    );
}

#[test]
fn a_10000_unit_layer_is_refused_before_allocating_weights() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // 10 000 × 10 000 weights would be 400 MB.
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![dense(10_000), dense(10_000), dense(1)],
    };
    let (r, peak) = peak_during(|| Sequential::new(spec, 1));
    assert_limit(r.map(|_| ()), "10000");
    assert!(peak < SMALL, "refusing the model allocated {peak} bytes");

    let cfg = PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 10_000,
            ..HiddenLayer::default()
        }],
        ..PlaygroundConfig::default()
    };
    let (r, peak) = peak_during(|| Session::new(cfg));
    assert_limit(r.map(|_| ()), &MAX_HIDDEN_UNITS.to_string());
    assert!(peak < SMALL, "refusing the config allocated {peak} bytes");
}

#[test]
fn too_many_layers_are_refused() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![dense(2); nn_playground::model::MAX_LAYERS + 1],
    };
    assert_limit(
        Sequential::new(spec, 1).map(|_| ()),
        &nn_playground::model::MAX_LAYERS.to_string(),
    );
    let shape = vec!["2"; url_state::MAX_LAYERS + 1].join(",");
    assert!(url_state::from_hash(&format!("networkShape={shape}")).is_err());
}

#[test]
fn too_many_parameters_are_refused_even_when_each_layer_fits() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // 4096 units per layer is allowed; 2 × 4096² ≈ 33 M parameters is not.
    let spec = ModelSpec {
        input_dim: 4096,
        layers: vec![dense(4096), dense(4096), dense(1)],
    };
    let (r, peak) = peak_during(|| Sequential::new(spec, 1));
    assert_limit(r.map(|_| ()), "param");
    assert!(peak < SMALL, "refusing the model allocated {peak} bytes");
}

#[test]
fn playground_settings_are_capped() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let base = PlaygroundConfig::default;
    let layers = PlaygroundConfig {
        hidden: vec![HiddenLayer::default(); MAX_HIDDEN_LAYERS + 1],
        ..base()
    };
    assert_limit(layers.validate(), &MAX_HIDDEN_LAYERS.to_string());
    let batch = PlaygroundConfig {
        batch_size: MAX_BATCH_SIZE + 1,
        ..base()
    };
    assert_limit(batch.validate(), &MAX_BATCH_SIZE.to_string());
    let samples = PlaygroundConfig {
        num_samples: Some(MAX_SAMPLES + 1),
        ..base()
    };
    let (r, peak) = peak_during(|| Session::new(samples));
    assert_limit(r.map(|_| ()), &MAX_SAMPLES.to_string());
    assert!(
        peak < SMALL,
        "refusing the sample count allocated {peak} bytes"
    );
}

#[test]
fn grid_resolution_is_capped() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut s = Session::new(PlaygroundConfig::default()).expect("default session");
    let (r, peak) = peak_during(|| s.decision_grid(MAX_GRID_RESOLUTION + 1));
    assert_limit(r, &MAX_GRID_RESOLUTION.to_string());
    assert!(peak < SMALL, "refusing the grid allocated {peak} bytes");
    assert!(s.decision_grid(0).is_err());
}

#[test]
fn oversized_model_files_and_links_are_refused() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let big = " ".repeat(MAX_MODEL_BYTES + 1);
    let (r, peak) = peak_during(|| Sequential::from_json(&big));
    assert_limit(r.map(|_| ()), &MAX_MODEL_BYTES.to_string());
    assert!(
        peak < SMALL,
        "refusing the model file allocated {peak} bytes"
    );

    let hash = "a".repeat(url_state::MAX_HASH_LEN + 1);
    assert_limit(
        url_state::from_hash(&hash).map(|_| ()),
        &url_state::MAX_HASH_LEN.to_string(),
    );
    let units = format!("networkShape={}", url_state::MAX_UNITS + 1);
    assert!(url_state::from_hash(&units).is_err());

    // A small blob that inflates past the cap (a "zip bomb") is refused, not expanded.
    // What is allocated is bounded by the cap (a few growth steps of the output buffer), not
    // by what the blob would inflate to.
    let bomb = url_state::encode_blob(&"0".repeat(8 * url_state::MAX_BLOB_BYTES));
    assert!(
        bomb.len() < url_state::MAX_HASH_LEN,
        "the bomb fits a link: {} bytes",
        bomb.len()
    );
    let (r, peak) = peak_during(|| url_state::decode_blob(&bomb));
    let m = assert_limit(r, "inflate");
    assert!(m.len() < 200, "the message is short: {} bytes", m.len());
    assert!(
        peak < 4 * url_state::MAX_BLOB_BYTES,
        "inflating allocated {peak} bytes"
    );
}

#[test]
fn the_loss_history_is_bounded_and_long_runs_hold_no_more_memory() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cfg = PlaygroundConfig {
        num_samples: Some(20),
        batch_size: 10,
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg).expect("session");
    s.train_epochs(100).expect("warm up");
    let live = LIVE.load(Ordering::SeqCst);
    let epochs = 2 * MAX_HISTORY + 100;
    s.train_epochs(epochs).expect("long run");
    let held = LIVE.load(Ordering::SeqCst) as isize - live as isize;
    // The replay's maps have their own cap and are reserved at the first snapshot.
    assert!(s.replay_bytes() <= nn_playground::session::MAX_REPLAY_BYTES);
    assert!(
        held < 16 * 1024,
        "{epochs} more epochs hold {held} more bytes"
    );
    let (h, stride) = (s.history(), s.history_stride());
    assert!(
        h.len() <= MAX_HISTORY && stride.is_power_of_two() && stride >= 4,
        "{} entries, stride {stride}",
        h.len()
    );
    assert_eq!(h.len(), s.epoch() / stride, "one entry per {stride} epochs");
    assert!(s.train_loss().is_finite());
    s.reset().expect("reset");
    assert_eq!((s.history().len(), s.history_stride()), (0, 1));
}
