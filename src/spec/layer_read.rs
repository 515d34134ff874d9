//! Reading a layer object (`{"type": "dense", "units": 8}`) into a [`LayerSpec`], by hand, in
//! the model file's spelling and in the Keras API's ([`KerasLayer`]).
//!
//! serde's derive for an internally tagged enum instantiates every variant's field reader
//! over a buffered copy of the object: the two layer enums were the largest functions in the
//! page's wasm. They are read with [`crate::input::TaggedVisitor`] instead: the tag in place
//! (so an unknown `type` is named down to its key, `layers[0].type`), then only that
//! variant's fields, each with serde's own reader for its type. As with the derive, a field's
//! error is raised once the reader has left the object, so it names the element
//! (`layers[0]`); unknown fields are ignored, as the derive ignores them.

use serde::de;
use serde::{Deserialize, Deserializer};

use super::layers::{default_bn_epsilon, default_bn_momentum, default_ln_epsilon};
use super::{Init, LayerSpec};
use crate::activation::Activation;
use crate::input::{Fields, Read, TagSeed, TaggedVisitor};

/// The layer kinds, whatever their spelling.
#[derive(Clone, Copy)]
enum Kind {
    Dense,
    Dropout,
    BatchNorm,
    Embedding,
    PositionalEmbedding,
    Attention,
    LayerNorm,
    TransformerBlock,
    AveragePooling,
    FirstTokenPooling,
}

/// One way of writing layer objects: the `type` names and each field's names (the first is
/// the one messages use, as serde's `rename`; the others are its aliases).
struct Spelling {
    kinds: &'static [(&'static str, Kind)],
    /// Every `type` name, for "unknown variant …, expected one of …".
    names: &'static [&'static str],
    keras: bool,
}

/// The model file's: snake_case, as `LayerSpec` serialises.
const FILE: Spelling = Spelling {
    kinds: &[
        ("dense", Kind::Dense),
        ("dropout", Kind::Dropout),
        ("batch_norm", Kind::BatchNorm),
        ("embedding", Kind::Embedding),
        ("positional_embedding", Kind::PositionalEmbedding),
        ("multi_head_self_attention", Kind::Attention),
        ("layer_norm", Kind::LayerNorm),
        ("transformer_block", Kind::TransformerBlock),
        ("global_average_pooling_1d", Kind::AveragePooling),
        ("global_average_pooling1d", Kind::AveragePooling),
        ("first_token_pooling", Kind::FirstTokenPooling),
    ],
    names: &[
        "dense",
        "dropout",
        "batch_norm",
        "embedding",
        "positional_embedding",
        "multi_head_self_attention",
        "layer_norm",
        "transformer_block",
        "global_average_pooling_1d",
        "global_average_pooling1d",
        "first_token_pooling",
    ],
    keras: false,
};

/// TF.js's: camelCase names and fields, the model file's snake_case accepted too.
const KERAS: Spelling = Spelling {
    kinds: &[
        ("dense", Kind::Dense),
        ("dropout", Kind::Dropout),
        ("batchNormalization", Kind::BatchNorm),
        ("batch_norm", Kind::BatchNorm),
        ("batchNorm", Kind::BatchNorm),
        ("embedding", Kind::Embedding),
        ("positionalEmbedding", Kind::PositionalEmbedding),
        ("positional_embedding", Kind::PositionalEmbedding),
        ("multiHeadSelfAttention", Kind::Attention),
        ("multi_head_self_attention", Kind::Attention),
        ("multiHeadAttention", Kind::Attention),
        ("attention", Kind::Attention),
        ("layerNormalization", Kind::LayerNorm),
        ("layer_norm", Kind::LayerNorm),
        ("layerNorm", Kind::LayerNorm),
        ("transformerBlock", Kind::TransformerBlock),
        ("transformer_block", Kind::TransformerBlock),
        ("globalAveragePooling1d", Kind::AveragePooling),
        ("globalAveragePooling1D", Kind::AveragePooling),
        ("global_average_pooling_1d", Kind::AveragePooling),
        ("firstTokenPooling", Kind::FirstTokenPooling),
        ("first_token_pooling", Kind::FirstTokenPooling),
    ],
    names: &[
        "dense",
        "dropout",
        "batchNormalization",
        "batch_norm",
        "batchNorm",
        "embedding",
        "positionalEmbedding",
        "positional_embedding",
        "multiHeadSelfAttention",
        "multi_head_self_attention",
        "multiHeadAttention",
        "attention",
        "layerNormalization",
        "layer_norm",
        "layerNorm",
        "transformerBlock",
        "transformer_block",
        "globalAveragePooling1d",
        "globalAveragePooling1D",
        "global_average_pooling_1d",
        "firstTokenPooling",
        "first_token_pooling",
    ],
    keras: true,
};

impl<'de> Deserialize<'de> for LayerSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read(d, &FILE)
    }
}

/// A layer object in the Keras API's spelling (`new Sequential({layers})`): TF.js's
/// camelCase (`batchNormalization`, `maxLen`, `ffUnits`, `useBias`, `kernelInitializer`,
/// `numHeads`, `inputDim` / `outputDim`), the model file's snake_case names too.
/// Batch and layer normalisation take `null` for a default there.
#[derive(Debug, Clone, PartialEq)]
pub struct KerasLayer(pub LayerSpec);

impl<'de> Deserialize<'de> for KerasLayer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read(d, &KERAS).map(KerasLayer)
    }
}

/// The object first, then its variant's fields. The fields are read after the reader has
/// left the object, as with the derive: serde_json then places the error at the array or
/// object around the layer, which `input::path_at` turns into the layer's own name; an
/// error placed at the layer's `}` would be named by its last key instead.
fn read<'de, D: Deserializer<'de>>(
    d: D,
    spelling: &'static Spelling,
) -> Result<LayerSpec, D::Error> {
    let (kind, fields) = d.deserialize_map(TaggedVisitor {
        tag: TagSeed {
            kinds: spelling.kinds,
            names: spelling.names,
            what: "a layer type",
        },
        expecting: "a layer object with a `type`",
    })?;
    fields
        .layer(kind, spelling.keras)
        .map_err(de::Error::custom)
}

impl Fields {
    /// A normalisation setting: `null` means the default in the Keras spelling only.
    fn setting(&mut self, name: &'static str, default: f32, keras: bool) -> Read<f32> {
        if keras {
            Ok(self
                .get::<Option<f32>>(&[name])?
                .flatten()
                .unwrap_or(default))
        } else {
            self.or(&[name], default)
        }
    }

    /// The layer of `kind` from its fields. The Keras spelling's extra field names
    /// (`useBias`, `numHeads` …) are aliases the model file does not take.
    fn layer(mut self, kind: Kind, keras: bool) -> Read<LayerSpec> {
        let pick = |file: &'static [&'static str], keras_names: &'static [&'static str]| {
            if keras {
                keras_names
            } else {
                file
            }
        };
        Ok(match kind {
            Kind::Dense => LayerSpec::Dense {
                units: self.required(&["units"])?,
                activation: self.or::<Activation>(&["activation"], Activation::default())?,
                init: self.or::<Init>(
                    pick(&["init"], &["init", "kernelInitializer"]),
                    Init::default(),
                )?,
                use_bias: self.or(pick(&["use_bias"], &["use_bias", "useBias"]), true)?,
            },
            Kind::Dropout => LayerSpec::Dropout {
                rate: self.required(&["rate"])?,
            },
            Kind::BatchNorm => LayerSpec::BatchNorm {
                momentum: self.setting("momentum", default_bn_momentum(), keras)?,
                epsilon: self.setting("epsilon", default_bn_epsilon(), keras)?,
            },
            Kind::Embedding => LayerSpec::Embedding {
                vocab: self.required(pick(&["vocab"], &["vocab", "inputDim"]))?,
                dim: self.required(pick(&["dim"], &["dim", "outputDim"]))?,
            },
            Kind::PositionalEmbedding => LayerSpec::PositionalEmbedding {
                max_len: self.required(pick(&["max_len"], &["maxLen", "max_len"]))?,
                sinusoidal: self.or(&["sinusoidal"], false)?,
            },
            Kind::Attention => LayerSpec::MultiHeadSelfAttention {
                heads: self.required(pick(&["heads"], &["heads", "numHeads"]))?,
                causal: self.or(&["causal"], false)?,
                dropout: self.or(&["dropout"], 0.0)?,
            },
            Kind::LayerNorm => LayerSpec::LayerNorm {
                epsilon: self.setting("epsilon", default_ln_epsilon(), keras)?,
            },
            Kind::TransformerBlock => LayerSpec::TransformerBlock {
                heads: self.required(pick(&["heads"], &["heads", "numHeads"]))?,
                ff_units: self.required(pick(&["ff_units"], &["ffUnits", "ff_units"]))?,
                causal: self.or(&["causal"], false)?,
                dropout: self.or(&["dropout"], 0.0)?,
            },
            Kind::AveragePooling => LayerSpec::GlobalAveragePooling1d,
            Kind::FirstTokenPooling => LayerSpec::FirstTokenPooling,
        })
    }
}
