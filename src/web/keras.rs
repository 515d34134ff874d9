//! The Keras-style JS model API, mirroring TF.js layers models:
//!
//! ```js
//! const model = new Sequential({ inputDim: 2, layers: [
//!   { type: 'dense', units: 8, activation: 'tanh' },
//!   { type: 'dense', units: 1, activation: 'tanh' }] });
//! model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accuracy'] });
//! const history = await model.fit(x, y, { epochs: 20, batchSize: 10, onEpochEnd });
//! ```
//!
//! `x` / `y` are nested arrays (`[[x1, x2], …]`, or `[v, …]` for one column) or
//! `{data: Float32Array, shape: [rows, cols]}`. `predict` returns the latter form.
//!
//! `backend: 'cpu' | 'webgpu' | 'auto'` (in `fit`'s options, or in `compile`'s as the default
//! for every `fit`) picks the engine; the GPU side lives in [`gpu`] (only in builds with the
//! `webgpu` feature), the choice and its report in [`backend`].

mod backend;
#[cfg(all(feature = "webgpu", target_arch = "wasm32"))]
mod gpu;
#[cfg(not(all(feature = "webgpu", target_arch = "wasm32")))]
mod no_gpu;
#[cfg(not(all(feature = "webgpu", target_arch = "wasm32")))]
use no_gpu as gpu;

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{matrix_from_js, parse_name, strip_functions, yield_to_event_loop};
use super::{from_js, js_err, string_arg, to_js};
use crate::spec::{BackendChoice, KerasLayer};
use crate::spec::{
    CompileSpec, LossKind, MetricKind, ModelSpec, OptimizerKind, OptimizerSpec, Regularization,
};
use crate::train::FitRun;
use crate::{FitOptions, Sequential};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelArgs {
    input_dim: usize,
    layers: Vec<KerasLayer>,
    #[serde(default)]
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OptimizerArg {
    Name(String),
    Spec(OptimizerSpec),
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CompileArgs {
    optimizer: Option<OptimizerArg>,
    learning_rate: Option<f32>,
    loss: Option<String>,
    metrics: Vec<String>,
    regularization: Option<Regularization>,
    backend: Option<String>,
    /// Linear learning-rate warm-up over this many updates.
    warmup_steps: Option<usize>,
    /// Target token left out of a per-position model's loss and accuracies.
    padding_token: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct FitArgs {
    epochs: usize,
    batch_size: usize,
    validation_split: f32,
    shuffle: bool,
    backend: Option<String>,
}

impl Default for FitArgs {
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 32,
            validation_split: 0.0,
            shuffle: true,
            backend: None,
        }
    }
}

#[derive(Serialize, Default)]
struct JsHistory {
    epoch: Vec<usize>,
    history: BTreeMap<String, Vec<f32>>,
    /// `"cpu"`, `"webgpu (adapter)"` or `"webgpu (adapter), then cpu"`.
    backend: String,
    /// Why the GPU was not used or stopped being used (absent otherwise).
    #[serde(rename = "backendNote", skip_serializing_if = "Option::is_none")]
    backend_note: Option<String>,
}

/// A Keras-style sequential model.
#[wasm_bindgen(js_name = Sequential)]
pub struct WebSequential {
    model: Rc<RefCell<Sequential>>,
    /// `compile`'s `backend`, the default of every `fit`.
    backend: Cell<BackendChoice>,
    /// The GPU device kept between `fit` calls (nothing in the CPU build).
    gpu: gpu::Slot,
    /// True from a `fit` call until its promise settles: a second `fit` is refused, so two
    /// runs cannot interleave their epochs on one model.
    fitting: Rc<Cell<bool>>,
}

/// Why a call made from inside `onBatchEnd` cannot see the model.
const BUSY: &str = "the model is busy inside fit (this call came from onBatchEnd, in the middle of an epoch); call predict, evaluate, toJSON or spec from onEpochEnd or after fit resolves";
/// Why a second `fit` is refused.
const ALREADY_FITTING: &str = "this model is already training: a fit call has not finished; await its promise before calling fit again";

impl WebSequential {
    fn wrap(model: Sequential) -> Self {
        Self {
            model: Rc::new(RefCell::new(model)),
            backend: Cell::new(BackendChoice::Cpu),
            gpu: gpu::new_slot(),
            fitting: Rc::new(Cell::new(false)),
        }
    }

    /// The model for reading; an error (not a trap) while an epoch holds it.
    pub(super) fn read(&self) -> Result<Ref<'_, Sequential>, JsError> {
        self.model.try_borrow().map_err(|_| JsError::new(BUSY))
    }

    /// The model for a call that updates it (`predict` caches activations).
    fn write(&self) -> Result<RefMut<'_, Sequential>, JsError> {
        self.model.try_borrow_mut().map_err(|_| JsError::new(BUSY))
    }
}

/// Clears the `fitting` flag when the `fit` future ends, however it ends.
struct FitGuard(Rc<Cell<bool>>);

impl Drop for FitGuard {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The model for a step of `fit`; an error (not a trap) while a call from a callback holds it.
fn borrow(model: &RefCell<Sequential>) -> Result<RefMut<'_, Sequential>, JsValue> {
    model
        .try_borrow_mut()
        .map_err(|_| JsValue::from(JsError::new(BUSY)))
}

fn js_val(e: crate::Error) -> JsValue {
    js_err(e).into()
}

#[wasm_bindgen(js_class = Sequential)]
impl WebSequential {
    /// `new Sequential({inputDim, layers: [{type: 'dense', units, activation}, …], seed?})`.
    #[wasm_bindgen(constructor)]
    pub fn new(args: JsValue) -> Result<WebSequential, JsError> {
        let a: ModelArgs = from_js(args, "the model description")?;
        let layers = a.layers.into_iter().map(|l| l.0).collect();
        let spec = ModelSpec {
            input_dim: a.input_dim,
            layers,
        };
        let model = Sequential::new(spec, a.seed.unwrap_or(1)).map_err(js_err)?;
        Ok(Self::wrap(model))
    }

    /// `compile({optimizer: 'adam' | {kind, learning_rate, …}, learningRate?, loss, metrics,
    /// backend?})`. `backend` (`'cpu'` when absent) becomes the default of every `fit`; an
    /// unknown name, or `'webgpu'` in a build without it, throws here already.
    pub fn compile(&self, args: JsValue) -> Result<(), JsError> {
        finite_learning_rate(&args)?;
        let a: CompileArgs = from_js(args, "the compile options")?;
        let choice = a.backend.as_deref().map(backend::parse).transpose()?;
        let mut optimizer = match a.optimizer {
            None => OptimizerSpec::default(),
            Some(OptimizerArg::Spec(s)) => s,
            Some(OptimizerArg::Name(n)) => OptimizerSpec {
                kind: parse_name::<OptimizerKind>(&n, "optimizer")?,
                ..OptimizerSpec::default()
            },
        };
        if let Some(lr) = a.learning_rate {
            optimizer.learning_rate = lr;
        }
        if let Some(w) = a.warmup_steps {
            optimizer.warmup_steps = w;
        }
        let loss = match a.loss.as_deref() {
            None => LossKind::Mse,
            Some(name) => parse_name::<LossKind>(name, "loss")?,
        };
        let metrics = a
            .metrics
            .iter()
            .map(|m| parse_name::<MetricKind>(m, "metric"))
            .collect::<Result<_, _>>()?;
        let spec = CompileSpec {
            optimizer,
            loss,
            metrics,
            regularization: a.regularization.unwrap_or_default(),
            padding_token: a.padding_token,
            ..CompileSpec::default()
        };
        if self.fitting.get() {
            return Err(JsError::new(
                "cannot compile while fit is running; await fit's promise first",
            ));
        }
        self.write()?.compile(spec).map_err(js_err)?;
        self.backend.set(choice.unwrap_or_default());
        Ok(())
    }

    /// Trains and resolves with `{epoch: [...], history: {loss: [...], val_loss: [...], …},
    /// backend, backendNote?}`, yielding to the event loop after every epoch.
    ///
    /// One `fit` at a time: a call while another is running rejects and leaves the first
    /// alone. Inside `onBatchEnd` the model is mid-epoch, so `predict`, `evaluate`, `toJSON`
    /// and `spec` throw a message saying so; inside `onEpochEnd` they work.
    ///
    /// Options: `epochs` (1), `batchSize` (32), `validationSplit` (0: the last rows are held
    /// out, as in Keras), `shuffle` (true), `backend` (`compile`'s, else `'cpu'`),
    /// `onEpochEnd(epoch, logs)` and `onBatchEnd(batch, loss)`; either may return `false` to
    /// stop.
    ///
    /// Backends:
    /// - `'cpu'`: the CPU engine.
    /// - `'webgpu'`: the GPU. Rejects when this build has no GPU backend (use
    ///   `pkg/nn_playground.js`, the full build), when WebGPU is missing (no `navigator.gpu`, no
    ///   adapter) or when the model cannot run on it (e.g. batch normalisation), with the
    ///   reason.
    /// - `'auto'`: the GPU when that works, else the CPU; `backendNote` says why.
    ///
    /// Both backends run the one loop of `crate::train`: the same shuffled batches, the
    /// epoch's `loss` as the mean batch loss weighted by rows, training metrics and `val_*`
    /// evaluated on the CPU model after the epoch, `onBatchEnd(batch, loss)` once per batch.
    /// On the GPU an epoch is one submit per 512 steps, and its weights, batch-norm
    /// statistics and optimiser state come back into this model after it, so `predict`,
    /// `evaluate` and `toJSON` see them and switching backends between `fit`s continues the
    /// same run; there `onBatchEnd` follows the epoch's steps, so `false` stops after that
    /// epoch. `'auto'` trains the first epoch on the GPU (it compiles the pipelines), times
    /// the next on the GPU and the one after on the CPU, and keeps the faster per step,
    /// saying so in `backendNote` (the page's rule too). When the GPU fails mid-fit (device
    /// lost, `releaseGpu()`), that epoch and the rest run on the CPU from the last finished
    /// epoch's weights; `backend` then reads `"webgpu (…), then cpu"`.
    // The model is borrowed over an epoch's GPU wait on purpose: a call from `onBatchEnd`
    // then gets BUSY instead of reading a model mid-epoch.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn fit(&self, x: JsValue, y: JsValue, options: JsValue) -> js_sys::Promise {
        let model = Rc::clone(&self.model);
        let slot = self.gpu.clone();
        let default_backend = self.backend.get();
        if self.fitting.replace(true) {
            return js_sys::Promise::reject(&JsError::new(ALREADY_FITTING).into());
        }
        let guard = FitGuard(Rc::clone(&self.fitting));
        wasm_bindgen_futures::future_to_promise(async move {
            let _guard = guard;
            let x = matrix_from_js(&x, "x").map_err(JsValue::from)?;
            let y = matrix_from_js(&y, "y").map_err(JsValue::from)?;
            let get = |k: &str| {
                js_sys::Reflect::get(&options, &JsValue::from_str(k))
                    .ok()
                    .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            };
            let (on_epoch, on_batch) = if options.is_object() {
                (get("onEpochEnd"), get("onBatchEnd"))
            } else {
                (None, None)
            };
            let args: FitArgs = if options.is_undefined() || options.is_null() {
                FitArgs::default()
            } else {
                from_js(strip_functions(&options), "the fit options").map_err(JsValue::from)?
            };
            let choice = match args.backend.as_deref() {
                Some(name) => backend::parse(name)?,
                None => default_backend,
            };
            let opts = FitOptions {
                epochs: args.epochs,
                batch_size: args.batch_size,
                shuffle: args.shuffle,
                validation_split: args.validation_split,
                ..FitOptions::default()
            };
            // Bad data or options are the caller's to fix, whichever backend would train.
            let mut run = FitRun::new(&*borrow(&model)?, &x, &y, &opts).map_err(js_val)?;
            let mut engine = gpu::open(choice, &slot).await?;
            engine
                .prepare(&mut *borrow(&model)?, run.batch())
                .map_err(js_val)?;
            let mut out = JsHistory::default();
            for epoch in 0..args.epochs {
                let mut hook = BatchHook::new(on_batch.clone());
                let trained = {
                    let mut m = borrow(&model)?;
                    run.train_epoch(&mut engine, &mut m, &mut |b, l| {
                        crate::Callback::on_batch_end(&mut hook, b, l)
                    })
                    .await
                };
                let batch_stop = hook.finish()?;
                let (logs, _) = trained.map_err(js_val)?;
                out.epoch.push(epoch);
                out.history
                    .entry("loss".into())
                    .or_default()
                    .push(logs.loss);
                if let Some(v) = logs.val_loss {
                    out.history.entry("val_loss".into()).or_default().push(v);
                }
                for (k, v) in &logs.metrics {
                    out.history.entry(k.clone()).or_default().push(*v);
                }
                let logs_js = to_js(&logs)?;
                let stop = run.end_epoch(&mut *borrow(&model)?, logs).map_err(js_val)?;
                if let Some(f) = &on_epoch {
                    let r = f.call2(&JsValue::NULL, &JsValue::from(epoch as u32), &logs_js)?;
                    if r == JsValue::FALSE {
                        break;
                    }
                }
                if batch_stop || stop {
                    break;
                }
                yield_to_event_loop().await?;
            }
            out.backend = engine.label();
            out.backend_note = engine.note();
            Ok(to_js(&out)?)
        })
    }

    /// `{loss, metrics: {...}}` on `(x, y)`.
    pub fn evaluate(&self, x: JsValue, y: JsValue) -> Result<JsValue, JsError> {
        let x = matrix_from_js(&x, "x")?;
        let y = matrix_from_js(&y, "y")?;
        let e = self.write()?.evaluate(&x, &y).map_err(js_err)?;
        #[derive(Serialize)]
        struct Out {
            loss: f32,
            metrics: BTreeMap<String, f32>,
        }
        to_js(&Out {
            loss: e.loss,
            metrics: e.metrics,
        })
    }

    /// `{data: Float32Array, shape: [rows, outputs]}`.
    pub fn predict(&self, x: JsValue) -> Result<JsValue, JsError> {
        let x = matrix_from_js(&x, "x")?;
        let out = self.write()?.predict(&x).map_err(js_err)?;
        let obj = js_sys::Object::new();
        let shape = js_sys::Array::of2(
            &JsValue::from(out.rows() as u32),
            &JsValue::from(out.cols() as u32),
        );
        let data = js_sys::Float32Array::from(out.as_slice());
        js_sys::Reflect::set(&obj, &"data".into(), &data)
            .map_err(|_| JsError::new("could not build the result"))?;
        js_sys::Reflect::set(&obj, &"shape".into(), &shape)
            .map_err(|_| JsError::new("could not build the result"))?;
        Ok(obj.into())
    }

    /// For a token model, the attention weights of `x` (`B×L` token ids) in inference mode:
    /// `[{layer, batch, heads, len, weights: Float32Array}]`, one entry per attention layer
    /// or transformer block, `weights[((b·heads + h)·len + query)·len + key]`.
    #[wasm_bindgen(js_name = attentionMaps)]
    pub fn attention_maps(&self, x: JsValue) -> Result<js_sys::Array, JsError> {
        let x = matrix_from_js(&x, "x")?;
        let maps = self.write()?.attention_maps(&x).map_err(js_err)?;
        let out = js_sys::Array::new();
        for m in maps {
            let obj = js_sys::Object::new();
            for (key, value) in [
                ("layer", JsValue::from(m.layer as u32)),
                ("batch", JsValue::from(m.batch as u32)),
                ("heads", JsValue::from(m.heads as u32)),
                ("len", JsValue::from(m.len as u32)),
                (
                    "weights",
                    js_sys::Float32Array::from(m.weights.as_slice()).into(),
                ),
            ] {
                js_sys::Reflect::set(&obj, &key.into(), &value)
                    .map_err(|_| JsError::new("could not build the result"))?;
            }
            out.push(&obj);
        }
        Ok(out)
    }

    /// The versioned model file (architecture, compile settings, weights) as JSON text.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsError> {
        Ok(self.read()?.to_json())
    }

    /// Loads a model file written by `toJSON`; `text` must be that file's text (a
    /// `TypeError` otherwise: pass `JSON.stringify(obj)` for a parsed file).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: JsValue) -> Result<WebSequential, JsValue> {
        let text = string_arg(&text, "Sequential.fromJSON's text")?;
        Ok(Self::wrap(Sequential::from_json(&text).map_err(js_err)?))
    }

    /// The layer description as a plain object (`{input_dim, layers}`).
    pub fn spec(&self) -> Result<JsValue, JsError> {
        to_js(self.read()?.spec())
    }
}

/// Refuses a `learningRate` (or `optimizer.learning_rate`) of `NaN`, `±Infinity` or `null`:
/// the JSON path reads those as absent, which would train at the default rate unsaid.
fn finite_learning_rate(args: &JsValue) -> Result<(), JsError> {
    let get = |obj: &JsValue, key: &str| -> JsValue {
        if obj.is_object() {
            js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        }
    };
    let optimizer = get(args, "optimizer");
    for (name, v) in [
        ("learningRate", get(args, "learningRate")),
        ("optimizer.learning_rate", get(&optimizer, "learning_rate")),
    ] {
        let bad = v.is_null() || v.as_f64().is_some_and(|x| !x.is_finite());
        if bad {
            let got = if v.is_null() {
                "null".to_string()
            } else {
                format!("{}", v.as_f64().unwrap_or(f64::NAN)).replace("inf", "Infinity")
            };
            return Err(js_err(crate::Error::InvalidConfig(format!(
                "compile's {name} must be a finite number, got {got}"
            ))));
        }
    }
    Ok(())
}

/// `onBatchEnd` as a `Callback`: remembers a `false` (stop) and a thrown error.
struct BatchHook {
    f: Option<js_sys::Function>,
    error: Option<JsValue>,
    stopped: bool,
}

impl BatchHook {
    fn new(f: Option<js_sys::Function>) -> Self {
        Self {
            f,
            error: None,
            stopped: false,
        }
    }

    /// Whether the callback asked to stop, or the error it threw.
    fn finish(self) -> Result<bool, JsValue> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.stopped),
        }
    }
}

impl crate::Callback for BatchHook {
    fn on_batch_end(&mut self, batch: usize, loss: f32) -> bool {
        let Some(f) = &self.f else { return true };
        match f.call2(
            &JsValue::NULL,
            &JsValue::from(batch as u32),
            &JsValue::from(loss),
        ) {
            Ok(r) => {
                self.stopped |= r == JsValue::FALSE;
                !self.stopped
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}
