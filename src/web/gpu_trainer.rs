//! The WebGPU trainer for JavaScript (wasm32 + feature `webgpu`), for the benchmark page and
//! scripts that drive the GPU step by step (the playground's session and `fit` train through
//! the engine's `train::Engine` instead): built from a model file, it trains K steps per call
//! on the GPU and gives the weights back as a model file to continue on the CPU (after a lost
//! device too). Model files that carry a
//! training state (`Sequential::to_json_with_state`) move the optimiser's step count and
//! moments along, both ways. Errors reject with the engine's message, in words a person can
//! act on.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::backend::webgpu::{GpuContext, GpuTrainer};
use crate::{Error, Matrix, Sequential};

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn js_val(e: Error) -> JsValue {
    JsValue::from(js_err(e))
}

struct State {
    trainer: GpuTrainer,
    /// The CPU model the weights are written back into for `download`.
    model: Sequential,
}

/// A compiled model training on the GPU (`GpuTrainer` in JavaScript).
#[wasm_bindgen(js_name = GpuTrainer)]
pub struct WebGpuTrainer {
    state: Rc<RefCell<State>>,
    adapter: String,
    /// Outside `state`, so that `release` works while a call holds the trainer.
    ctx: GpuContext,
}

fn busy() -> JsValue {
    js_val(Error::Backend(
        "the GPU trainer is busy with another call; await it first".into(),
    ))
}

#[wasm_bindgen(js_class = GpuTrainer)]
impl WebGpuTrainer {
    /// `await GpuTrainer.create(modelJson, maxBatch)`: opens the GPU and uploads a compiled
    /// model file (`Sequential::to_json`, or `to_json_with_state` to continue with the
    /// optimiser's step count and moments). Rejects with the reason when WebGPU is missing
    /// (no `navigator.gpu`, no adapter) or the model does not fit on it.
    pub async fn create(model_json: String, max_batch: usize) -> Result<WebGpuTrainer, JsError> {
        let model = Sequential::from_json(&model_json).map_err(js_err)?;
        let ctx = GpuContext::new().await.map_err(js_err)?;
        let trainer = GpuTrainer::new(&ctx, &model, max_batch).map_err(js_err)?;
        Ok(Self {
            adapter: ctx.adapter_name(),
            state: Rc::new(RefCell::new(State { trainer, model })),
            ctx,
        })
    }

    /// The adapter's name and backend, for the page's status line.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// Optimiser steps so far, those carried in by a model file with state included (the
    /// schedule and Adam's bias correction count on from there).
    #[wasm_bindgen(getter)]
    pub fn iterations(&self) -> f64 {
        self.state
            .try_borrow()
            .map_or(0.0, |s| s.trainer.iterations() as f64)
    }

    /// Uploads the training set once: `x` row-major `rows × inputs`, `y` row-major
    /// `rows × yCols` (targets, or one class index per row for categorical cross-entropy).
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(
        &self,
        x: &[f32],
        rows: usize,
        y: &[f32],
        y_cols: usize,
    ) -> Result<(), JsError> {
        let mut s = self
            .state
            .try_borrow_mut()
            .map_err(|_| JsError::new("the GPU trainer is busy; await the running call first"))?;
        let cols = x.len().checked_div(rows).unwrap_or(0);
        let xm = Matrix::from_vec(rows, cols, x.to_vec()).map_err(js_err)?;
        let ym = Matrix::from_vec(rows, y_cols, y.to_vec()).map_err(js_err)?;
        s.trainer.set_data(&xm, &ym).map_err(js_err)
    }

    /// `await trainer.trainSteps(batchSize, steps)`: the mean batch loss of `steps` steps over
    /// consecutive batches, recorded into one submit (per 512 steps) with one read-back.
    #[wasm_bindgen(js_name = trainSteps)]
    // The borrow is held over the GPU wait on purpose: a second call meanwhile is refused
    // with a message instead of interleaving with this one.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn train_steps(&self, batch_size: usize, steps: usize) -> Promise {
        let state = Rc::clone(&self.state);
        future_to_promise(async move {
            let mut s = state.try_borrow_mut().map_err(|_| busy())?;
            let loss = s
                .trainer
                .train_steps(batch_size, steps)
                .await
                .map_err(js_val)?;
            Ok(JsValue::from_f64(loss as f64))
        })
    }

    /// `await trainer.predict(x, rows)`: outputs (`Float32Array`, row-major `rows × outputs`)
    /// in inference mode, e.g. for the decision-boundary grid.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn predict(&self, x: Vec<f32>, rows: usize) -> Promise {
        let state = Rc::clone(&self.state);
        future_to_promise(async move {
            let s = state.try_borrow().map_err(|_| busy())?;
            let cols = x.len().checked_div(rows).unwrap_or(0);
            let xm = Matrix::from_vec(rows, cols, x).map_err(js_val)?;
            let out = s.trainer.predict(&xm).await.map_err(js_val)?;
            Ok(Float32Array::from(out.as_slice()).into())
        })
    }

    /// Gives the GPU device up now, as if it were lost: every later call rejects, and
    /// `weights()`/`download()` still return the last weights read back. For leaving the GPU
    /// for good, and for testing the fallback to the CPU.
    pub fn release(&self) {
        self.ctx.release();
    }

    /// The weights last read back from the GPU, every tensor concatenated in
    /// `Sequential::params` order (per dense layer W row-major, then b; per batch-norm layer
    /// γ, then β), followed by the batch-norm running statistics (per layer mean, then
    /// variance): what `Session.finishExternalEpoch` takes. Works after the device is lost.
    pub fn weights(&self) -> Result<Float32Array, JsError> {
        let s = self
            .state
            .try_borrow()
            .map_err(|_| JsError::new("the GPU trainer is busy; await the running call first"))?;
        let mut flat: Vec<f32> = s.trainer.last_params().concat();
        flat.extend(s.trainer.last_running_stats().concat());
        Ok(Float32Array::from(flat.as_slice()))
    }

    /// The model file (`to_json`, without training state) with the weights and batch-norm
    /// running statistics last read back from the GPU: what the CPU resumes from after the
    /// device is lost. The optimiser state is not read back with every step, so it is lost
    /// with the device; while the GPU is alive, `downloadWithState` carries it.
    pub fn download(&self) -> Result<String, JsError> {
        let mut s = self
            .state
            .try_borrow_mut()
            .map_err(|_| JsError::new("the GPU trainer is busy; await the running call first"))?;
        let State { trainer, model } = &mut *s;
        trainer.download_into(model).map_err(js_err)?;
        Ok(model.to_json())
    }

    /// `await trainer.downloadWithState()`: the model file (`to_json_with_state`) with the
    /// weights and the optimiser state read back from the GPU now, so the CPU continues
    /// exactly where the GPU stopped. Rejects once the device is lost: then `download()`.
    #[wasm_bindgen(js_name = downloadWithState)]
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn download_with_state(&self) -> Promise {
        let state = Rc::clone(&self.state);
        future_to_promise(async move {
            let mut s = state.try_borrow_mut().map_err(|_| busy())?;
            let State { trainer, model } = &mut *s;
            trainer
                .download_with_state_into(model)
                .await
                .map_err(js_val)?;
            Ok(JsValue::from_str(&model.to_json_with_state()))
        })
    }

    /// Replaces the GPU weights and batch-norm running statistics with those of a model file
    /// of the same architecture (after CPU training or an edited weight). A file with a
    /// training state (same optimiser kind) sets the GPU's step count and moments from it; one
    /// without starts them fresh.
    pub fn upload(&self, model_json: &str) -> Result<(), JsError> {
        let mut s = self
            .state
            .try_borrow_mut()
            .map_err(|_| JsError::new("the GPU trainer is busy; await the running call first"))?;
        let m = Sequential::from_json(model_json).map_err(js_err)?;
        s.trainer.upload_model(&m).map_err(js_err)?;
        s.model = m;
        Ok(())
    }
}
