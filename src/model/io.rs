//! Saving and loading models: a versioned JSON file with architecture, compile settings
//! (optimiser configuration), weights, and optionally the training state (`state.rs`).

mod weights;

use serde::{Deserialize, Serialize};

use super::state::TrainingSection;
use super::Sequential;
use crate::nn::layer::Layer;
use crate::spec::{CompileSpec, ModelSpec};
use crate::{Error, Result};

/// The `format` field every model file carries.
pub const MODEL_FORMAT: &str = "nn-playground-model";
/// The newest file version this build writes and reads. Version 2 added the sequence
/// layers (their weights as `"type": "tensors"` entries); version-1 files read unchanged.
pub const MODEL_VERSION: u32 = 2;
/// Largest model file accepted, in bytes.
pub const MAX_MODEL_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    spec: ModelSpec,
    #[serde(default)]
    compile: Option<CompileSpec>,
    #[serde(default)]
    seed: u64,
    weights: Vec<LayerWeights>,
    /// Written by `to_json_with_state` only, so plain files (and share links) stay small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    training: Option<TrainingSection>,
}

/// Parameters of one layer, in `ModelSpec::layers` order. Written by serde's derive, `type`
/// first; read by hand (`io/weights.rs`).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum LayerWeights {
    Dense {
        w: Vec<f32>,
        b: Vec<f32>,
    },
    Dropout,
    BatchNorm {
        gamma: Vec<f32>,
        beta: Vec<f32>,
        mean: Vec<f32>,
        var: Vec<f32>,
    },
    /// A sequence layer's trainable tensors in `Layer::visit_params` order.
    Tensors {
        tensors: Vec<Vec<f32>>,
    },
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

impl Sequential {
    /// The model as a versioned JSON document: architecture, compile settings and weights.
    /// Loading it starts the optimiser afresh.
    pub fn to_json(&self) -> String {
        self.to_file(None)
    }

    /// [`to_json`](Self::to_json) plus the training state (optimiser step count and moments,
    /// generator position, epochs), so that the loaded model continues `fit` / `train_steps`
    /// exactly as this one would. Larger: up to three times the weights for Adam.
    pub fn to_json_with_state(&self) -> String {
        self.to_file(self.training_section())
    }

    fn to_file(&self, training: Option<TrainingSection>) -> String {
        let weights = self
            .layers
            .iter()
            .map(|l| match l {
                Layer::Dense(d) => LayerWeights::Dense {
                    w: d.w.as_slice().to_vec(),
                    b: d.b.clone(),
                },
                Layer::Dropout(_) => LayerWeights::Dropout,
                Layer::BatchNorm(b) => LayerWeights::BatchNorm {
                    gamma: b.gamma.clone(),
                    beta: b.beta.clone(),
                    mean: b.running_mean.clone(),
                    var: b.running_var.clone(),
                },
                other => {
                    // Visiting needs `&mut`; a copy keeps `to_json` a read of the model.
                    let mut copy = other.clone();
                    let mut tensors = Vec::new();
                    copy.visit_params(&mut |p| tensors.push(p.value.to_vec()));
                    LayerWeights::Tensors { tensors }
                }
            })
            .collect();
        let file = ModelFile {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            spec: self.spec.clone(),
            compile: self.compile_spec().cloned(),
            seed: self.seed,
            weights,
            training,
        };
        serde_json::to_string(&file).expect("model files contain only serialisable values")
    }

    /// Reads a model written by [`to_json`](Self::to_json) or
    /// [`to_json_with_state`](Self::to_json_with_state), checking format, version, shapes and
    /// that every weight (and saved moment) is finite. The model comes back compiled when the
    /// file says how, with the training state when the file carries one.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() > MAX_MODEL_BYTES {
            return Err(Error::Limit(format!(
                "model file is {} bytes; the limit is {MAX_MODEL_BYTES}",
                text.len()
            )));
        }
        if text.trim().is_empty() {
            return Err(Error::Format(format!(
                "the model file is empty ({} bytes); export a model again, or pick the file that export wrote",
                text.len()
            )));
        }
        let header: Header = crate::input::from_json(text).map_err(|e| {
            // Broken JSON is said by where it breaks, not in serde's English, so a page can
            // say it in its own language; a wrong header value is named (`format`, …).
            let (line, column) = (e.error.line(), e.error.column());
            Error::Format(match e.error.classify() {
                serde_json::error::Category::Syntax => format!(
                    "not a JSON model file: the text stops being JSON at line {line}, column {column}"
                ),
                serde_json::error::Category::Eof => format!(
                    "not a JSON model file: the text ends before its JSON does (line {line}, column {column})"
                ),
                _ => format!("not a JSON model file ({})", crate::input::json_error(&e)),
            })
        })?;
        match header.format.as_deref() {
            Some(MODEL_FORMAT) => {}
            Some(other) => return Err(Error::Format(format!("format is \"{}\", expected \"{MODEL_FORMAT}\"", crate::input::excerpt(other)))),
            None => return Err(Error::Format(format!("missing \"format\": \"{MODEL_FORMAT}\"; is this a model exported from nn-playground?"))),
        }
        match header.version {
            Some(v) if v > MODEL_VERSION => {
                return Err(Error::Format(format!(
                    "the file is version {v}, made by a newer nn-playground; this one reads up to version {MODEL_VERSION}"
                )))
            }
            Some(0) | None => return Err(Error::Format("missing or invalid \"version\"".into())),
            Some(_) => {}
        }
        let file: ModelFile = crate::input::from_json(text)
            .map_err(|e| Error::Format(crate::input::json_error(&e)))?;
        let mut model = Sequential::new(file.spec, file.seed)?;
        if file.weights.len() != model.layers.len() {
            return Err(Error::Format(format!(
                "{} weight entries for {} layers",
                file.weights.len(),
                model.layers.len()
            )));
        }
        for (i, (layer, saved)) in model.layers.iter_mut().zip(file.weights).enumerate() {
            let n = i + 1;
            match (layer, saved) {
                (Layer::Dense(d), LayerWeights::Dense { w, b }) => {
                    copy_checked(d.w.as_mut_slice(), &w, n, "weights")?;
                    copy_checked(&mut d.b, &b, n, "biases")?;
                }
                (Layer::Dropout(_), LayerWeights::Dropout) => {}
                (
                    Layer::BatchNorm(bn),
                    LayerWeights::BatchNorm {
                        gamma,
                        beta,
                        mean,
                        var,
                    },
                ) => {
                    copy_checked(&mut bn.gamma, &gamma, n, "gamma")?;
                    copy_checked(&mut bn.beta, &beta, n, "beta")?;
                    copy_checked(&mut bn.running_mean, &mean, n, "running mean")?;
                    copy_checked(&mut bn.running_var, &var, n, "running variance")?;
                    if bn.running_var.iter().any(|&v| v < 0.0) {
                        return Err(Error::Format(format!(
                            "layer {n}: negative running variance"
                        )));
                    }
                }
                (layer, LayerWeights::Tensors { tensors })
                    if !matches!(
                        layer,
                        Layer::Dense(_) | Layer::Dropout(_) | Layer::BatchNorm(_)
                    ) =>
                {
                    copy_tensors(layer, &tensors, n)?
                }
                _ => {
                    return Err(Error::Format(format!(
                        "layer {n}: weights are for a different layer type"
                    )))
                }
            }
        }
        if let Some(c) = file.compile {
            model.compile(c)?;
        }
        if let Some(t) = file.training {
            model.restore_training(t)?;
        }
        Ok(model)
    }
}

fn copy_tensors(layer: &mut Layer, tensors: &[Vec<f32>], n: usize) -> Result<()> {
    let mut expected = 0;
    layer.visit_params(&mut |_| expected += 1);
    if tensors.len() != expected {
        return Err(Error::Format(format!(
            "layer {n}: {} weight tensors, expected {expected}",
            tensors.len()
        )));
    }
    let mut i = 0;
    let mut result = Ok(());
    layer.visit_params(&mut |p| {
        if result.is_ok() {
            result = copy_checked(p.value, &tensors[i], n, "weights");
        }
        i += 1;
    });
    result
}

fn copy_checked(dst: &mut [f32], src: &[f32], layer: usize, what: &str) -> Result<()> {
    if dst.len() != src.len() {
        return Err(Error::Format(format!(
            "layer {layer}: {} {what}, expected {}",
            src.len(),
            dst.len()
        )));
    }
    if src.iter().any(|v| !v.is_finite()) {
        return Err(Error::Format(format!(
            "layer {layer}: {what} contain non-finite values"
        )));
    }
    dst.copy_from_slice(src);
    Ok(())
}
