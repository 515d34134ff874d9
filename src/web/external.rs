//! The `Session` calls the page's worker uses to train on the GPU backend: the shuffled
//! epoch for the GPU, adopting what it trained, and the decision grid from GPU outputs.

use js_sys::{Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{js_err, WebSession};

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Optimiser steps in one epoch (training rows ÷ batch size, rounded up).
    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.inner.steps_per_epoch() as u32
    }

    /// The batch size training uses (the configured one, at most the training rows).
    #[wasm_bindgen(js_name = effectiveBatchSize)]
    pub fn effective_batch_size(&self) -> u32 {
        self.inner.effective_batch_size() as u32
    }

    /// False once the epoch limit or early stopping holds training back (see `stopReason`).
    #[wasm_bindgen(js_name = mayTrain)]
    pub fn may_train(&mut self) -> bool {
        self.inner.may_train()
    }

    /// `{x, y, rows, xCols, yCols}`: the training split shuffled for the next epoch
    /// (`Float32Array`s, row-major).
    #[wasm_bindgen(js_name = epochTrainingSet)]
    pub fn epoch_training_set(&mut self) -> Result<JsValue, JsError> {
        let (x, y) = self.inner.epoch_training_set().map_err(js_err)?;
        let o = Object::new();
        let set = |k: &str, v: JsValue| Reflect::set(&o, &JsValue::from_str(k), &v).map(|_| ());
        let fail = |_| JsError::new("cannot build the training-set object");
        set("rows", JsValue::from(x.rows() as u32)).map_err(fail)?;
        set("xCols", JsValue::from(x.cols() as u32)).map_err(fail)?;
        set("yCols", JsValue::from(y.cols() as u32)).map_err(fail)?;
        set("x", Float32Array::from(x.as_slice()).into()).map_err(fail)?;
        set("y", Float32Array::from(y.as_slice()).into()).map_err(fail)?;
        Ok(o.into())
    }

    /// Adopts the model (a file with training state, e.g. `GpuTrainer.downloadWithState()`)
    /// another backend reached after one epoch over `epochTrainingSet`: weights, step count
    /// and optimiser moments. Records the epoch's losses and applies the stopping rules;
    /// throws (keeping the old weights) when they diverged.
    #[wasm_bindgen(js_name = finishExternalEpoch)]
    pub fn finish_external_epoch(&mut self, model_json: JsValue) -> Result<(), JsValue> {
        let model_json = super::string_arg(&model_json, "finishExternalEpoch's model file text")?;
        Ok(self
            .inner
            .finish_external_epoch_from_model(&model_json)
            .map_err(js_err)?)
    }

    /// The decision grid's model inputs (`res² × inputs`, row-major).
    #[wasm_bindgen(js_name = gridInputs)]
    pub fn grid_inputs(&mut self, res: u32) -> Result<Box<[f32]>, JsError> {
        Ok(self
            .inner
            .grid_input_values(res as usize)
            .map_err(js_err)?
            .into_boxed_slice())
    }

    /// `decisionGrid(res)` from outputs computed elsewhere on `gridInputs(res)`.
    #[wasm_bindgen(js_name = gridFromOutputs)]
    pub fn grid_from_outputs(&self, res: u32, outputs: &[f32]) -> Result<Box<[f32]>, JsError> {
        Ok(self
            .inner
            .grid_from_outputs(res as usize, outputs)
            .map_err(js_err)?
            .into_boxed_slice())
    }
}
