//! The model description: `ModelSpec` with its `LayerSpec`s (dense, dropout, batch norm and
//! the sequence layers) and the dense layers' initialisers.

use serde::{Deserialize, Serialize};

use crate::nn::activation::Activation;

/// How a dense layer's weights start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Glorot/Xavier uniform: U(±√(6/(fan_in+fan_out))), zero bias.
    #[default]
    GlorotUniform,
    /// He normal: N(0, 2/fan_in), zero bias.
    HeNormal,
    /// He uniform: U(±√(6/fan_in)), zero bias.
    HeUniform,
    /// TensorFlow Playground's rule: U(-0.5, 0.5) weights, 0.1 bias.
    Playground,
}

impl Init {
    /// Every initialiser, in the order the page lists them (TF Playground's rule first).
    pub const ALL: [Init; 4] = [
        Init::Playground,
        Init::GlorotUniform,
        Init::HeNormal,
        Init::HeUniform,
    ];
}

/// One layer of a [`ModelSpec`]. Serialised with serde's derive (`{"type": "dense", …}`);
/// read by hand in `layer_read.rs`, which also holds the defaults of the optional fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerSpec {
    /// `y = act(x·W + b)` with `W: in×units`.
    Dense {
        units: usize,
        activation: Activation,
        init: Init,
        use_bias: bool,
    },
    /// Inverted dropout: zeroes a fraction `rate` of inputs in training, scales the rest.
    Dropout { rate: f32 },
    /// Batch normalisation over the batch axis, with learned scale and shift.
    BatchNorm { momentum: f32, epsilon: f32 },
    /// Token id → learned vector: tokens `B×L` in, `(B·L)×dim` out. Only as the first layer.
    Embedding { vocab: usize, dim: usize },
    /// Adds a vector per position (learned, or the fixed sinusoids when `sinusoidal`).
    PositionalEmbedding { max_len: usize, sinusoidal: bool },
    /// Scaled dot-product self-attention with `heads` heads; `causal` hides later positions.
    MultiHeadSelfAttention {
        heads: usize,
        causal: bool,
        /// Dropout on the attention weights in training.
        dropout: f32,
    },
    /// Normalises each position's features, with learned scale and shift.
    LayerNorm { epsilon: f32 },
    /// Pre-norm block: attention and a per-position feed-forward of `ff_units`, each with a
    /// residual connection.
    TransformerBlock {
        heads: usize,
        ff_units: usize,
        causal: bool,
        dropout: f32,
    },
    /// Mean over each sequence's positions: `(B·L)×d` → `B×d`.
    #[serde(rename = "global_average_pooling_1d")]
    GlobalAveragePooling1d,
    /// Each sequence's first position: `(B·L)×d` → `B×d`.
    FirstTokenPooling,
}

impl LayerSpec {
    /// The layer's name in messages.
    pub fn name(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Dropout { .. } => "dropout",
            LayerSpec::BatchNorm { .. } => "batch norm",
            LayerSpec::Embedding { .. } => "embedding",
            LayerSpec::PositionalEmbedding { .. } => "positional embedding",
            LayerSpec::MultiHeadSelfAttention { .. } => "multi-head self-attention",
            LayerSpec::LayerNorm { .. } => "layer norm",
            LayerSpec::TransformerBlock { .. } => "transformer block",
            LayerSpec::GlobalAveragePooling1d => "global average pooling",
            LayerSpec::FirstTokenPooling => "first-token pooling",
        }
    }

    /// True for the layers added for token sequences (embeddings, attention, layer norm,
    /// blocks, poolings; layer norm also works in a dense model), which the GPU trainer and
    /// the ONNX export do not have yet.
    pub fn is_sequence_layer(&self) -> bool {
        !matches!(
            self,
            LayerSpec::Dense { .. } | LayerSpec::Dropout { .. } | LayerSpec::BatchNorm { .. }
        )
    }
}

/// The optional fields' defaults, which the reader (`layer_read.rs`) fills in.
pub(super) fn default_ln_epsilon() -> f32 {
    1e-5
}

pub(super) fn default_bn_momentum() -> f32 {
    0.99
}

pub(super) fn default_bn_epsilon() -> f32 {
    1e-3
}

/// A feed-forward model: input width and layers in order. A model whose first layer is an
/// [`LayerSpec::Embedding`] reads token sequences; `input_dim` is then the longest sequence
/// it takes (rows of `input_dim` token ids, or fewer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub input_dim: usize,
    pub layers: Vec<LayerSpec>,
}

impl ModelSpec {
    /// The vocabulary when the model reads tokens (its first layer is an embedding).
    pub fn vocab(&self) -> Option<usize> {
        match self.layers.first() {
            Some(LayerSpec::Embedding { vocab, .. }) => Some(*vocab),
            _ => None,
        }
    }

    /// True for a token model that gives one output per position (no pooling layer).
    pub fn per_position(&self) -> bool {
        self.vocab().is_some()
            && !self.layers.iter().any(|l| {
                matches!(
                    l,
                    LayerSpec::GlobalAveragePooling1d | LayerSpec::FirstTokenPooling
                )
            })
    }
}
