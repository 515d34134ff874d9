//! The wasm-bindgen API (wasm32 only): thin translation between JS values and the engine.
//! `Session` drives the playground page; `Sequential` (in [`keras`]) is the Keras-style
//! model API for scripts; `gpu_trainer` (feature `webgpu`) is the page's GPU trainer;
//! `bench`, `bench_train` and (with `webgpu`) `gpu_bench` are the benchmark pages' entry
//! points, built only with the feature `bench` so that the page's builds do not carry them. Errors become `JsError`s carrying
//! the engine's message, its stable `code` and its `args` (see [`js_err`]). Without the
//! feature `full` (the page's first build, `pkg-core/`) the bindings of tables, the explain,
//! health and importance views, ONNX, `Sequential` and the model-file and run readers are
//! left out, and the linker drops the engine code only they reach.

mod backend;
#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "bench")]
pub mod bench_train;
mod choices;
#[cfg(feature = "full")]
mod convert;
#[cfg(feature = "full")]
mod explain;
#[cfg(all(feature = "webgpu", feature = "bench"))]
pub mod gpu_bench;
#[cfg(feature = "webgpu")]
pub mod gpu_trainer;
#[cfg(feature = "full")]
mod health;
mod js_json;
#[cfg(feature = "full")]
mod keras;
#[cfg(feature = "full")]
mod onnx;
#[cfg(feature = "sequences")]
mod sequence;
mod snapshot;
pub use snapshot::{capabilities, snapshot_mode};
mod table;
mod threads;

#[cfg(feature = "full")]
pub use keras::WebSequential;
#[cfg(feature = "sequences")]
pub use sequence::{default_sequence_config, sequence_choices, WebSequenceSession};
#[cfg(feature = "threads")]
pub use threads::init_thread_pool;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[cfg(feature = "full")]
use crate::data::csv::CsvOptions;
use crate::data::Task;
use crate::session::Session;
use crate::{url_state, DatasetKind, Error, PlaygroundConfig, Rng};

#[wasm_bindgen]
extern "C" {
    /// The page's and the worker's millisecond clock, finer than `Date.now` (an epoch of a
    /// small network takes well under a millisecond).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Installs the panic hook so a broken invariant shows in the console, not as `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    threads::watch_pool_panics();
}

/// The engine's message as a JS `Error`, with the stable `code` and the `args` of
/// [`Error::code`] and [`Error::args`] as properties, so the page can say it in its language.
pub(crate) fn js_err(e: Error) -> JsError {
    let err = JsError::new(&e.to_string());
    // A clone is another handle on the same JS object: what is set on it, the error has.
    let obj = JsValue::from(err.clone());
    let args = js_sys::Object::new();
    for (name, value) in e.args() {
        let _ = js_sys::Reflect::set(&args, &name.into(), &value.into());
    }
    let _ = js_sys::Reflect::set(&obj, &"code".into(), &e.code().into());
    let _ = js_sys::Reflect::set(&obj, &"args".into(), &args);
    err
}

/// Plain JS objects and arrays (not `Map`s), `null` for `None`.
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not convert a result for JavaScript: {e}")))
}

/// Deserialises `v` through its JSON text (see [`js_json`]) and the engine's one reader,
/// [`crate::input::from_json`]; a failure names the setting it happened at, in words
/// ("the fit options: `epochs` must be a whole number ≥ 0, got 2.5").
pub(crate) fn from_js<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsError> {
    let text = js_json::to_json_text(&v).map_err(|why| JsError::new(&format!("{what}: {why}")))?;
    crate::input::from_json(&text).map_err(|e| {
        JsError::new(&format!(
            "{what}: {}",
            crate::input::describe_field_error(&e.path, &e.message())
        ))
    })
}

/// The text of a string argument, or a `TypeError` naming the argument: a non-string must
/// not reach wasm-bindgen's string copy, which reads it as a pointer.
pub(crate) fn string_arg(v: &JsValue, name: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        let got = if v.is_null() {
            "null".to_string()
        } else {
            v.js_typeof().as_string().unwrap_or_default()
        };
        js_sys::TypeError::new(&format!("{name} must be a string, got {got}")).into()
    })
}

/// Milliseconds from `performance.now()` (the page's clock; `Date.now()` where it is missing),
/// for the engine's `auto` timing.
pub(crate) fn clock() -> crate::train::Clock {
    use wasm_bindgen::JsCast;
    Box::new(|| {
        let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
        perf.and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_into::<js_sys::Function>()
                .ok()?
                .call0(&p)
                .ok()?
                .as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
    })
}

fn config_from_js(v: JsValue) -> Result<PlaygroundConfig, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(PlaygroundConfig::default());
    }
    from_js(v, "the configuration")
}

/// The playground engine for the page (see `crate::session::Session`).
#[wasm_bindgen(js_name = Session)]
pub struct WebSession {
    inner: Session,
    /// The backend the session trains on (see `backend.rs`).
    engine: crate::train::Engine,
    /// The config's backend choice the engine was opened for.
    engine_for: crate::spec::BackendChoice,
}

impl WebSession {
    /// The binding around `inner`, on the CPU until `followBackend` opens the config's choice.
    fn wrap(inner: Session) -> Self {
        Self {
            inner,
            engine: crate::train::Engine::cpu(),
            engine_for: crate::spec::BackendChoice::Cpu,
        }
    }
}

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Builds a session from a config object (the serde form; `undefined` = defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<WebSession, JsError> {
        Ok(Self::wrap(
            Session::new(config_from_js(config)?).map_err(js_err)?,
        ))
    }

    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.config())
    }

    /// Applies a config; returns `"kept"`, `"rebuilt"` or `"regenerated"`.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, config: JsValue) -> Result<String, JsError> {
        let cfg = config_from_js(config)?;
        Ok(self
            .inner
            .set_config(cfg)
            .map_err(js_err)?
            .as_str()
            .to_string())
    }

    /// Trains whole epochs for about `ms` milliseconds; returns optimiser steps taken.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, ms: f64) -> Result<u32, JsError> {
        let mut now = performance_now;
        let steps = self.inner.train_for(ms, &mut now).map_err(js_err)?;
        Ok(steps as u32)
    }

    /// Trains for about `ms` milliseconds but at most until `epochs` more epochs have
    /// finished (the page's pace); returns optimiser steps taken. A large epoch is trained in
    /// chunks, so a slice ends on time even mid-epoch (see `midEpoch`).
    #[wasm_bindgen(js_name = trainPaced)]
    pub fn train_paced(&mut self, ms: f64, epochs: u32) -> Result<u32, JsError> {
        let mut now = performance_now;
        let steps = self
            .inner
            .train_paced(ms, epochs as usize, &mut now)
            .map_err(js_err)?;
        Ok(steps as u32)
    }

    /// `[steps, ms]`: optimiser steps `trainFor` and `trainPaced` ran and the milliseconds
    /// those steps and their epochs' losses took, sleeping, snapshots and drawing aside (see
    /// `TrainTiming`); the page's "max" is `steps / ms` between two readings.
    #[wasm_bindgen(js_name = trainTiming)]
    pub fn train_timing(&self) -> Box<[f64]> {
        let t = self.inner.train_timing();
        Box::new([t.steps as f64, t.ms])
    }

    /// True while an epoch is partly trained: a pace goes on with it before counting.
    #[wasm_bindgen(js_name = midEpoch)]
    pub fn mid_epoch(&self) -> bool {
        self.inner.mid_epoch()
    }

    /// Snapshots of the map kept for the replay (at most `MAX_REPLAY_FRAMES`).
    #[wasm_bindgen(js_name = replayLength)]
    pub fn replay_length(&self) -> u32 {
        self.inner.replay().len() as u32
    }

    /// Snapshot `i` without its grid: `{epoch, train, test, res, channels}`, or `null`.
    #[wasm_bindgen(js_name = replayFrame)]
    pub fn replay_frame(&self, i: u32) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Meta {
            epoch: usize,
            train: f32,
            test: f32,
            res: usize,
            channels: usize,
        }
        match self.inner.replay().get(i as usize) {
            None => Ok(JsValue::NULL),
            Some(f) => to_js(&Meta {
                epoch: f.epoch,
                train: f.train,
                test: f.test,
                res: f.res,
                channels: f.channels,
            }),
        }
    }

    /// Snapshot `i`'s map (`res × res × channels`, row 0 at the top); empty past the end.
    #[wasm_bindgen(js_name = replayGrid)]
    pub fn replay_grid(&self, i: u32) -> Box<[f32]> {
        self.inner
            .replay()
            .get(i as usize)
            .map(|f| f.grid.into())
            .unwrap_or_default()
    }

    /// Trains `n` epochs; returns optimiser steps taken.
    #[wasm_bindgen(js_name = trainEpochs)]
    pub fn train_epochs(&mut self, n: u32) -> Result<u32, JsError> {
        Ok(self.inner.train_epochs(n as usize).map_err(js_err)? as u32)
    }

    pub fn reset(&mut self) -> Result<(), JsError> {
        self.inner.reset().map_err(js_err)
    }

    pub fn regenerate(&mut self) -> Result<(), JsError> {
        self.inner.regenerate().map_err(js_err)
    }

    pub fn epoch(&self) -> u32 {
        self.inner.epoch() as u32
    }

    #[wasm_bindgen(js_name = trainLoss)]
    pub fn train_loss(&mut self) -> f32 {
        self.inner.train_loss()
    }

    #[wasm_bindgen(js_name = testLoss)]
    pub fn test_loss(&mut self) -> f32 {
        self.inner.test_loss()
    }

    /// `{train: [...], test: [...], validation: [...]}` per epoch (NaN, read as `null`, for
    /// a split without rows).
    pub fn losses(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct L {
            train: Vec<f32>,
            test: Vec<f32>,
            validation: Vec<f32>,
        }
        let h = self.inner.history();
        to_js(&L {
            train: h.iter().map(|e| e.train).collect(),
            test: h.iter().map(|e| e.test).collect(),
            validation: h.iter().map(|e| e.val).collect(),
        })
    }

    /// Loss on the validation split now (NaN without one).
    #[wasm_bindgen(js_name = validationLoss)]
    pub fn validation_loss(&mut self) -> f32 {
        self.inner.validation_loss()
    }

    /// Rows in the training, validation and test splits, `[train, validation, test]`.
    #[wasm_bindgen(js_name = splitSizes)]
    pub fn split_sizes(&self) -> Box<[u32]> {
        self.inner.split_sizes().map(|n| n as u32).into()
    }

    /// The chart's overfitting note, `{split, best_epoch, best, now, epochs_since}`, or
    /// `null` while the held-out loss has not risen for a while (see `Session::overfitting`).
    pub fn overfitting(&self) -> Result<JsValue, JsError> {
        match self.inner.overfitting() {
            Some(r) => to_js(&r),
            None => Ok(JsValue::NULL),
        }
    }

    /// Epochs per history entry; when it changes the history was thinned and indices moved,
    /// so a caller reading it incrementally starts again from 0.
    #[wasm_bindgen(js_name = historyStride)]
    pub fn history_stride(&self) -> u32 {
        self.inner.history_stride() as u32
    }

    /// Losses from history entry `start` on, interleaved
    /// `[train, test, validation, train, test, validation, …]`.
    #[wasm_bindgen(js_name = lossHistoryFrom)]
    pub fn loss_history_from(&self, start: u32) -> Box<[f32]> {
        let h = self.inner.history();
        h.get(start as usize..)
            .unwrap_or(&[])
            .iter()
            .flat_map(|e| [e.train, e.test, e.val])
            .collect()
    }

    /// The metrics panel object (see `MetricsReport`).
    pub fn metrics(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.metrics().map_err(js_err)?)
    }

    #[wasm_bindgen(js_name = stopReason)]
    pub fn stop_reason(&self) -> Option<String> {
        self.inner.stop_reason()
    }

    /// `stopReason` as `{code, args}` (`epoch_limit` with `limit`, `early_stopping` with
    /// `monitor` and `epochs`) for the page's languages, or `null`.
    #[wasm_bindgen(js_name = stopCode)]
    pub fn stop_code(&self) -> JsValue {
        let Some(stop) = self.inner.stop() else {
            return JsValue::NULL;
        };
        let args = js_sys::Object::new();
        for (name, value) in stop.args() {
            let _ = js_sys::Reflect::set(&args, &name.into(), &value.into());
        }
        let out = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&out, &"code".into(), &stop.code().into());
        let _ = js_sys::Reflect::set(&out, &"args".into(), &args);
        out.into()
    }

    /// `"binary"`, `"multiclass"` or `"regression"`.
    pub fn task(&self) -> String {
        match self.inner.task() {
            Task::Binary => "binary",
            Task::MultiClass(_) => "multiclass",
            Task::Regression => "regression",
        }
        .to_string()
    }

    pub fn outputs(&self) -> u32 {
        self.inner.outputs() as u32
    }

    #[wasm_bindgen(js_name = gridChannels)]
    pub fn grid_channels(&self) -> u32 {
        self.inner.grid_channels() as u32
    }

    /// The output over a `res × res` grid of [−6, 6]² (row 0 at the top).
    #[wasm_bindgen(js_name = decisionGrid)]
    pub fn decision_grid(&mut self, res: u32) -> Result<Box<[f32]>, JsError> {
        Ok(self
            .inner
            .decision_grid(res as usize)
            .map_err(js_err)?
            .into_boxed_slice())
    }

    /// Every node's `res × res` grid, node-major (features, hidden units, outputs).
    #[wasm_bindgen(js_name = neuronGrids)]
    pub fn neuron_grids(&mut self, res: u32) -> Result<Box<[f32]>, JsError> {
        Ok(self
            .inner
            .neuron_grids(res as usize)
            .map_err(js_err)?
            .into_boxed_slice())
    }

    /// `{layers: [{inputs, units, weights, biases, activation}]}`.
    pub fn network(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.network())
    }

    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(
        &mut self,
        dense: u32,
        from: u32,
        to: u32,
        value: f32,
    ) -> Result<(), JsError> {
        self.inner
            .set_weight(dense as usize, from as usize, to as usize, value)
            .map_err(js_err)
    }

    #[wasm_bindgen(js_name = setBias)]
    pub fn set_bias(&mut self, dense: u32, unit: u32, value: f32) -> Result<(), JsError> {
        self.inner
            .set_bias(dense as usize, unit as usize, value)
            .map_err(js_err)
    }

    /// `[x, y, label, isTest]` per point.
    pub fn points(&self) -> Box<[f32]> {
        self.inner.points_flat().into_boxed_slice()
    }

    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, x: f32, y: f32, label: f32) -> Result<(), JsError> {
        self.inner.add_point(x, y, label).map_err(js_err)
    }

    #[wasm_bindgen(js_name = removePointsNear)]
    pub fn remove_points_near(&mut self, x: f32, y: f32, radius: f32) -> Result<u32, JsError> {
        Ok(self
            .inner
            .remove_points_near(x, y, radius)
            .map_err(js_err)? as u32)
    }

    /// Loads CSV text; `options` = `{label_column, has_header, task, features, kind, missing}`
    /// (all optional; see `CsvOptions`). A `text` that is not a string throws a `TypeError`.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, text: JsValue, options: JsValue) -> Result<(), JsValue> {
        let text = string_arg(&text, "loadCsv's text")?;
        let opts: CsvOptions = if options.is_undefined() || options.is_null() {
            CsvOptions::default()
        } else {
            from_js(options, "the CSV options")?
        };
        Ok(self.inner.load_csv(&text, &opts).map_err(js_err)?)
    }

    #[wasm_bindgen(js_name = dataCsv)]
    pub fn data_csv(&self) -> String {
        self.inner.data_csv()
    }

    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> String {
        self.inner.export_model()
    }

    /// The model file with its training state (optimiser step count and moments), for
    /// `GpuTrainer.create` / `upload` and back through `importModel`.
    #[wasm_bindgen(js_name = exportModelWithState)]
    pub fn export_model_with_state(&self) -> String {
        self.inner.export_model_with_state()
    }

    /// Loads a model file's text; a `json` that is not a string throws a `TypeError`.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&mut self, json: JsValue) -> Result<(), JsValue> {
        let json = string_arg(&json, "importModel's model file text")?;
        Ok(self.inner.import_model(&json).map_err(js_err)?)
    }

    /// Outputs for `[x, y, x, y, …]`, in the decision grid's scale.
    pub fn predict(&mut self, xy: &[f32]) -> Result<Box<[f32]>, JsError> {
        Ok(self
            .inner
            .predict_points(xy)
            .map_err(js_err)?
            .into_boxed_slice())
    }
}

#[derive(Serialize)]
struct HashState {
    config: PlaygroundConfig,
    hide: Vec<String>,
    weights: Option<String>,
    unknown: Vec<String>,
    rejected: Vec<CodedMessage>,
}

/// An engine error as plain data, as [`js_err`] puts it on a thrown error: its message,
/// stable code and values.
#[derive(Serialize)]
pub(crate) struct CodedMessage {
    message: String,
    code: &'static str,
    args: std::collections::BTreeMap<&'static str, String>,
}

impl From<&Error> for CodedMessage {
    fn from(e: &Error) -> Self {
        Self {
            message: e.to_string(),
            code: e.code(),
            args: e.args().into_iter().collect(),
        }
    }
}

/// Parses a URL hash into `{config, hide, weights, unknown, rejected}`: every valid setting
/// is kept, each bad one is left out and explained in `rejected` as `{message, code, args}`
/// (see `url_state::read_hash` and [`js_err`]). Throws only for a hash past the length cap.
#[wasm_bindgen(js_name = configFromHash)]
pub fn config_from_hash(hash: JsValue) -> Result<JsValue, JsValue> {
    let hash = string_arg(&hash, "configFromHash's hash")?;
    let st = url_state::read_hash(&hash).map_err(js_err)?;
    Ok(to_js(&HashState {
        config: st.config,
        hide: st.hide,
        weights: st.weights,
        unknown: st.unknown,
        rejected: st.rejected.iter().map(CodedMessage::from).collect(),
    })?)
}

/// True when config `b` is config `a` but for display settings (pace, language, threads):
/// see `PlaygroundConfig::same_run_as`. Throws for a value that is not a config.
#[wasm_bindgen(js_name = sameRun)]
pub fn same_run(a: JsValue, b: JsValue) -> Result<bool, JsError> {
    Ok(config_from_js(a)?.same_run_as(&config_from_js(b)?))
}

/// Reads the page's epoch-limit field: `null` for empty, else the limit; throws a message
/// in the field's words (see `input::epoch_limit_from_text`).
#[wasm_bindgen(js_name = epochLimitFromText)]
pub fn epoch_limit_from_text(text: JsValue) -> Result<Option<u32>, JsValue> {
    let text = string_arg(&text, "epochLimitFromText's text")?;
    let n = crate::input::epoch_limit_from_text(&text).map_err(js_err)?;
    // The cap (10^9) fits a u32.
    Ok(n.map(|n| n as u32))
}

/// The URL hash (without `#`) for a config and the controls to hide.
#[wasm_bindgen(js_name = configToHash)]
pub fn config_to_hash(config: JsValue, hide: JsValue) -> Result<String, JsError> {
    Ok(url_state::to_hash(
        &config_from_js(config)?,
        &hide_list(hide)?,
    ))
}

/// Like `configToHash`, with a model file compressed into a `weights=` entry.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = configToHashWithWeights)]
pub fn config_to_hash_with_weights(
    config: JsValue,
    hide: JsValue,
    model_json: JsValue,
) -> Result<String, JsValue> {
    let model_json = string_arg(&model_json, "configToHashWithWeights's model file text")?;
    Ok(url_state::to_hash_with_weights(
        &config_from_js(config)?,
        &hide_list(hide)?,
        &model_json,
    ))
}

/// Inflates a link's `weights=` entry back to model JSON.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = decodeWeights)]
pub fn decode_weights(blob: JsValue) -> Result<String, JsValue> {
    let blob = string_arg(&blob, "decodeWeights's blob")?;
    Ok(url_state::decode_blob(&blob).map_err(js_err)?)
}

/// The default playground config object.
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config() -> Result<JsValue, JsError> {
    to_js(&PlaygroundConfig::default())
}

/// `n` points of a built-in dataset as `[x, y, label]` triples, for thumbnails.
#[wasm_bindgen(js_name = datasetPreview)]
pub fn dataset_preview(
    kind: JsValue,
    classes: u32,
    n: u32,
    seed: u32,
) -> Result<Box<[f32]>, JsValue> {
    #[derive(Deserialize)]
    struct K(DatasetKind);
    let kind = string_arg(&kind, "datasetPreview's dataset name")?;
    let K(kind) = from_js(JsValue::from_str(&kind), "the dataset name")?;
    let mut rng = Rng::new(u64::from(seed));
    let pts = crate::data::generators::generate(kind, n as usize, 0.0, classes as usize, &mut rng)
        .map_err(js_err)?;
    Ok(pts.iter().flat_map(|p| [p.x, p.y, p.label]).collect())
}

/// The config's pace from a speed control's value (`"60"`, `"max"`): epochs per second,
/// or `null` for max; throws for anything else.
#[wasm_bindgen(js_name = speedFromText)]
pub fn speed_from_text(text: JsValue) -> Result<Option<u32>, JsValue> {
    let text = string_arg(&text, "speedFromText's text")?;
    Ok(url_state::parse_speed(&text).map_err(js_err)?)
}

fn hide_list(v: JsValue) -> Result<Vec<String>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    from_js(v, "the list of hidden controls")
}
