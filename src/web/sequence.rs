//! The Sequences mode's wasm API: `SequenceSession` (see `crate::session::sequence`), its
//! default config and the choices and limits the page's controls offer.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{from_js, js_err, string_arg, to_js, CodedMessage};
use crate::session::sequence::{whole_number, SequenceSession, MAX_STEPS_PER_CALL};
use crate::spec::SequenceConfig;
use crate::url_state;

fn sequence_config_from_js(v: JsValue) -> Result<SequenceConfig, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(SequenceConfig::default());
    }
    from_js(v, "the sequence configuration")
}

/// The Sequences-mode defaults, in the serde form `new SequenceSession(config)` takes.
#[wasm_bindgen(js_name = defaultSequenceConfig)]
pub fn default_sequence_config() -> Result<JsValue, JsError> {
    to_js(&SequenceConfig::default())
}

/// `{tasks, max_length, max_vocab, max_blocks, max_heads, max_width, max_ff_units,
/// max_batch_size, max_dropout, optimizers, backends, speeds, learning_rate, warmup, seed}`
/// (the last three `{min, max, step}`): what the controls offer, so the page copies no list
/// or cap (see [`crate::choices::sequence_choices`]).
#[wasm_bindgen(js_name = sequenceChoices)]
pub fn sequence_choices() -> Result<JsValue, JsError> {
    to_js(&crate::choices::sequence_choices())
}

#[derive(Serialize)]
struct SequenceHashState {
    config: SequenceConfig,
    speed: Option<u32>,
    lang: Option<crate::spec::Lang>,
    unknown: Vec<String>,
    rejected: Vec<CodedMessage>,
}

/// True when a link hash is for the Sequences mode (`mode=sequence`).
#[wasm_bindgen(js_name = isSequenceHash)]
pub fn is_sequence_hash(hash: JsValue) -> Result<bool, JsValue> {
    Ok(url_state::is_sequence_hash(&string_arg(
        &hash,
        "isSequenceHash's hash",
    )?))
}

/// Reads a Sequences-mode hash into `{config, speed, unknown, rejected}`: every valid setting
/// is kept, each bad one left out and explained as `{message, code, args}`, so the page says
/// it in its language (see `url_state::read_sequence_hash`). Throws only for a hash past the
/// length cap.
#[wasm_bindgen(js_name = sequenceConfigFromHash)]
pub fn sequence_config_from_hash(hash: JsValue) -> Result<JsValue, JsValue> {
    let hash = string_arg(&hash, "sequenceConfigFromHash's hash")?;
    let st = url_state::read_sequence_hash(&hash).map_err(js_err)?;
    Ok(to_js(&SequenceHashState {
        config: st.config,
        speed: st.speed,
        lang: st.lang,
        unknown: st.unknown,
        rejected: st.rejected.iter().map(CodedMessage::from).collect(),
    })?)
}

/// The link hash (without `#`) of a Sequences-mode config, its pace (steps per second,
/// `null` for max) and language (`"en"`, `"zh"`, or `null` for none in the link).
#[wasm_bindgen(js_name = sequenceConfigToHash)]
pub fn sequence_config_to_hash(
    config: JsValue,
    speed: Option<u32>,
    lang: JsValue,
) -> Result<String, JsError> {
    let lang = if lang.is_null() || lang.is_undefined() {
        None
    } else {
        Some(from_js(lang, "the language")?)
    };
    Ok(url_state::sequence_to_hash(
        &sequence_config_from_js(config)?,
        speed,
        lang,
    ))
}

/// `predictTokens`'s ids: an array of numbers or a typed array, each a whole number (the
/// session checks them against its vocabulary).
fn token_ids(tokens: &JsValue) -> Result<Vec<usize>, JsValue> {
    let values: Vec<JsValue> = if js_sys::Array::is_array(tokens) {
        js_sys::Array::from(tokens).iter().collect()
    } else if js_sys::ArrayBuffer::is_view(tokens) && !tokens.is_instance_of::<js_sys::DataView>() {
        // Any typed array, as numbers (a Float64Array holds every element type exactly).
        js_sys::Float64Array::new(tokens)
            .to_vec()
            .into_iter()
            .map(JsValue::from)
            .collect()
    } else {
        return Err(
            js_sys::TypeError::new("predictTokens's tokens must be an array of token ids").into(),
        );
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let what = format!("predictTokens's token {}", i + 1);
            let Some(x) = v.as_f64() else {
                let got = v.js_typeof().as_string().unwrap_or_default();
                return Err(
                    js_sys::TypeError::new(&format!("{what} must be a number, got {got}")).into(),
                );
            };
            whole_number(x, &what, u32::MAX as usize).map_err(|e| js_err(e).into())
        })
        .collect()
}

#[wasm_bindgen(js_name = SequenceSession)]
pub struct WebSequenceSession {
    pub(super) inner: SequenceSession,
}

impl WebSequenceSession {
    pub(super) fn wrap(inner: SequenceSession) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = SequenceSession)]
impl WebSequenceSession {
    /// Generates the task and builds the model (`undefined` = defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<WebSequenceSession, JsError> {
        let cfg = sequence_config_from_js(config)?;
        Ok(Self::wrap(SequenceSession::new(cfg).map_err(js_err)?))
    }

    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.config())
    }

    /// `{task, length, vocab, classes, per_position, padding, token_names, train_size,
    /// test_size}`.
    #[wasm_bindgen(js_name = taskInfo)]
    pub fn task_info(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.task_info())
    }

    /// The `ModelSpec` the config builds (the model file's form).
    #[wasm_bindgen(js_name = modelSpec)]
    pub fn model_spec(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.model_spec())
    }

    pub fn step(&self) -> f64 {
        self.inner.step() as f64
    }

    /// `steps` optimiser steps, then the figures: `{step, epoch, batch_loss, train_loss,
    /// test_loss, train_token_accuracy, test_token_accuracy, train_sequence_accuracy,
    /// test_sequence_accuracy, learning_rate}`.
    /// The count arrives as a plain JS number, checked here: `-1` or `1.5` is refused in
    /// words rather than wrapped or cut by a `u32` conversion.
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, steps: f64) -> Result<JsValue, JsError> {
        let steps =
            whole_number(steps, "trainSteps's steps", MAX_STEPS_PER_CALL).map_err(js_err)?;
        to_js(&self.inner.train_steps(steps).map_err(js_err)?)
    }

    /// Steps for about `ms` milliseconds (at least one), then the figures as `trainSteps`.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, ms: f64) -> Result<JsValue, JsError> {
        let mut now = js_sys::Date::now;
        to_js(&self.inner.train_for(ms, &mut now).map_err(js_err)?)
    }

    /// Every point `trainSteps` / `trainFor` returned (thinned when long).
    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.history())
    }

    /// Test sequence `index`: `{input, target, predicted, correct, attention: [{layer, batch,
    /// heads, len, weights}]}`, `weights[(h·len + query)·len + key]`.
    pub fn example(&mut self, index: f64) -> Result<JsValue, JsError> {
        let index = whole_number(index, "example's index", u32::MAX as usize).map_err(js_err)?;
        to_js(&self.inner.example(index).map_err(js_err)?)
    }

    /// The model on typed text (token names, spaced or run together), as `example` with
    /// `target: null`; throws a message for unknown tokens or too long input.
    #[wasm_bindgen(js_name = predictText)]
    pub fn predict_text(&mut self, text: JsValue) -> Result<JsValue, JsValue> {
        let text = string_arg(&text, "text")?;
        let e = self.inner.predict_text(&text).map_err(js_err)?;
        Ok(to_js(&e)?)
    }

    /// As `predictText`, for token ids (an array or a typed array). Each id is checked as
    /// the number it is: `NaN`, `1.5` and `-1` are refused, not read as 0, 1 and 2³²−1.
    #[wasm_bindgen(js_name = predictTokens)]
    pub fn predict_tokens(
        &mut self,
        #[wasm_bindgen(
            unchecked_param_type = "number[] | Uint32Array | Int32Array | Float64Array"
        )]
        tokens: JsValue,
    ) -> Result<JsValue, JsValue> {
        let ids = token_ids(&tokens)?;
        Ok(to_js(&self.inner.predict_tokens(&ids).map_err(js_err)?)?)
    }

    /// `{names, x, y, explained}`: the token embeddings on two principal axes.
    #[wasm_bindgen(js_name = embeddingMap)]
    pub fn embedding_map(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.embedding_map().map_err(js_err)?)
    }

    /// Back to the initial weights, keeping the task; clears the history.
    pub fn reset(&mut self) -> Result<(), JsError> {
        self.inner.reset().map_err(js_err)
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<(), JsError> {
        self.inner.set_learning_rate(lr).map_err(js_err)
    }

    /// The trained model as a model file (JSON text), loadable by `Sequential.fromJSON`.
    #[wasm_bindgen(js_name = modelJSON)]
    pub fn model_json(&self) -> String {
        self.inner.model().to_json()
    }
}
