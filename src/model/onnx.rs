//! ONNX export of a [`Sequential`]: the layers as standard `ai.onnx` ops (opset
//! [`OPSET`], IR version [`IR_VERSION`]) in a graph that takes `input: float[N, d]` and
//! gives `output: float[N, k]`, the values [`Sequential::predict`] returns.
//!
//! Dense layers are `Gemm` (`MatMul` without a bias), batch norm is `BatchNormalization`
//! with the running statistics (inference form), dropout is left out (it is the identity at
//! inference) and activations are in [`activation`]. The playground's features, scalers and
//! target scale wrap this graph in `crate::session`.

mod activation;
mod graph;
mod proto;
#[cfg(test)]
mod tests;

pub(crate) use graph::{Attr, Graph};
pub use graph::{IR_VERSION, OPSET};

use crate::nn::layer::Layer;
use crate::{Error, Result, Sequential};

impl Sequential {
    /// The model as an ONNX file (`ModelProto` bytes): input `input` of shape `[N, d]` with
    /// a dynamic batch `N`, output `output` of shape `[N, k]`, in inference mode.
    ///
    /// Errors: [`Error::InvalidConfig`] for a model without layers, [`Error::InvalidData`]
    /// naming the layer and the value for a weight, bias, scale, shift or running statistic
    /// that is NaN or infinite (ONNX could hold it, but every prediction would be garbage).
    pub fn to_onnx(&self) -> Result<Vec<u8>> {
        let mut g = Graph::new();
        let x = g.input("input", self.input_dim());
        let y = self.append_onnx(&mut g, &x)?;
        g.doc(&format!(
            "nn-playground Sequential: input [N, {}] → output [N, {}]",
            self.input_dim(),
            self.output_dim()
        ));
        Ok(g.finish(&y, self.output_dim()))
    }

    /// Appends the layers to `g`, reading `x` (`[N, input_dim]`), and returns the name of
    /// the output (`[N, output_dim]`). Checks as [`to_onnx`](Self::to_onnx) does.
    pub(crate) fn append_onnx(&self, g: &mut Graph, x: &str) -> Result<String> {
        self.check_exportable()?;
        let mut x = x.to_string();
        for layer in &self.layers {
            x = match layer {
                Layer::Dense(d) => {
                    let w = g.constant("W", &[d.inputs(), d.units()], d.w.as_slice());
                    let z = if d.use_bias {
                        let b = g.constant("b", &[d.units()], &d.b);
                        g.op("Gemm", &[&x, &w, &b], &[])
                    } else {
                        g.op("MatMul", &[&x, &w], &[])
                    };
                    activation::apply(g, d.activation, &z)
                }
                Layer::Dropout(_) => x,
                Layer::BatchNorm(b) => {
                    let f = b.gamma.len();
                    let scale = g.constant("bn_scale", &[f], &b.gamma);
                    let shift = g.constant("bn_shift", &[f], &b.beta);
                    let mean = g.constant("bn_mean", &[f], &b.running_mean);
                    let var = g.constant("bn_var", &[f], &b.running_var);
                    g.op(
                        "BatchNormalization",
                        &[&x, &scale, &shift, &mean, &var],
                        &[("epsilon", Attr::Float(b.epsilon))],
                    )
                }
                _ => unreachable!("check_exportable refuses sequence layers"),
            };
        }
        Ok(x)
    }

    /// Refuses what the export cannot write faithfully; the message names the layer.
    fn check_exportable(&self) -> Result<()> {
        if self.layers.is_empty() {
            return Err(Error::InvalidConfig(
                "cannot export to ONNX: the model has no layers".into(),
            ));
        }
        if let Some((i, l)) = self
            .spec
            .layers
            .iter()
            .enumerate()
            .find(|(_, l)| l.is_sequence_layer())
        {
            return Err(Error::InvalidConfig(format!(
                "cannot export to ONNX: layer {} ({}) is not written by the ONNX export yet; save the model as a JSON file instead",
                i + 1,
                l.name()
            )));
        }
        for (i, layer) in self.layers.iter().enumerate() {
            let tensors: Vec<(&str, &[f32])> = match layer {
                Layer::Dense(d) => vec![("weight", d.w.as_slice()), ("bias", &d.b)],
                Layer::Dropout(_) => Vec::new(),
                Layer::BatchNorm(b) => vec![
                    ("scale (gamma)", &b.gamma),
                    ("shift (beta)", &b.beta),
                    ("running mean", &b.running_mean),
                    ("running variance", &b.running_var),
                ],
                _ => Vec::new(),
            };
            for (what, values) in tensors {
                if let Some((at, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(Error::InvalidData(format!(
                        "cannot export to ONNX: layer {} ({}) has a non-finite {what} ({v} at index {at}); reset or retrain the model",
                        i + 1,
                        layer_name(layer)
                    )));
                }
            }
            if let Layer::BatchNorm(b) = layer {
                if !(b.epsilon.is_finite() && b.epsilon > 0.0) {
                    return Err(Error::InvalidData(format!(
                        "cannot export to ONNX: layer {} (batch norm) has epsilon {}, which must be a positive number",
                        i + 1,
                        b.epsilon
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The layer as the page names it, for messages.
fn layer_name(layer: &Layer) -> String {
    match layer {
        Layer::Dense(d) => {
            let plural = if d.units() == 1 { "" } else { "s" };
            format!("dense, {} unit{plural}, {}", d.units(), d.activation.name())
        }
        Layer::Dropout(_) => "dropout".into(),
        Layer::BatchNorm(_) => "batch norm".into(),
        _ => "sequence layer".into(),
    }
}
