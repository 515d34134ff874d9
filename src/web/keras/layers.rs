//! The layer objects `new Sequential({layers})` takes, in TF.js spelling (camelCase names and
//! fields; the model file's snake_case accepted too), and their [`LayerSpec`]s.

use serde::Deserialize;

use crate::spec::{Init, LayerSpec};
use crate::Activation;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(super) enum LayerArg {
    Dense {
        units: usize,
        #[serde(default)]
        activation: Activation,
        #[serde(default, alias = "kernelInitializer")]
        init: Init,
        #[serde(default = "yes", alias = "useBias")]
        use_bias: bool,
    },
    Dropout {
        rate: f32,
    },
    #[serde(alias = "batch_norm", alias = "batchNorm")]
    BatchNormalization {
        #[serde(default)]
        momentum: Option<f32>,
        #[serde(default)]
        epsilon: Option<f32>,
    },
    /// `{type: 'embedding', vocab, dim}` (TF.js's `inputDim` / `outputDim` too).
    Embedding {
        #[serde(alias = "inputDim")]
        vocab: usize,
        #[serde(alias = "outputDim")]
        dim: usize,
    },
    #[serde(alias = "positional_embedding")]
    PositionalEmbedding {
        #[serde(rename = "maxLen", alias = "max_len")]
        max_len: usize,
        #[serde(default)]
        sinusoidal: bool,
    },
    #[serde(
        alias = "multi_head_self_attention",
        alias = "multiHeadAttention",
        alias = "attention"
    )]
    MultiHeadSelfAttention {
        #[serde(alias = "numHeads")]
        heads: usize,
        #[serde(default)]
        causal: bool,
        #[serde(default)]
        dropout: f32,
    },
    #[serde(alias = "layer_norm", alias = "layerNorm")]
    LayerNormalization {
        #[serde(default)]
        epsilon: Option<f32>,
    },
    #[serde(alias = "transformer_block")]
    TransformerBlock {
        #[serde(alias = "numHeads")]
        heads: usize,
        #[serde(rename = "ffUnits", alias = "ff_units")]
        ff_units: usize,
        #[serde(default)]
        causal: bool,
        #[serde(default)]
        dropout: f32,
    },
    #[serde(
        rename = "globalAveragePooling1d",
        alias = "globalAveragePooling1D",
        alias = "global_average_pooling_1d"
    )]
    GlobalAveragePooling1d,
    #[serde(alias = "first_token_pooling")]
    FirstTokenPooling,
}

fn yes() -> bool {
    true
}

impl From<LayerArg> for LayerSpec {
    fn from(l: LayerArg) -> Self {
        match l {
            LayerArg::Dense {
                units,
                activation,
                init,
                use_bias,
            } => LayerSpec::Dense {
                units,
                activation,
                init,
                use_bias,
            },
            LayerArg::Dropout { rate } => LayerSpec::Dropout { rate },
            LayerArg::BatchNormalization { momentum, epsilon } => LayerSpec::BatchNorm {
                momentum: momentum.unwrap_or(0.99),
                epsilon: epsilon.unwrap_or(1e-3),
            },
            LayerArg::Embedding { vocab, dim } => LayerSpec::Embedding { vocab, dim },
            LayerArg::PositionalEmbedding {
                max_len,
                sinusoidal,
            } => LayerSpec::PositionalEmbedding {
                max_len,
                sinusoidal,
            },
            LayerArg::MultiHeadSelfAttention {
                heads,
                causal,
                dropout,
            } => LayerSpec::MultiHeadSelfAttention {
                heads,
                causal,
                dropout,
            },
            LayerArg::LayerNormalization { epsilon } => LayerSpec::LayerNorm {
                epsilon: epsilon.unwrap_or(1e-5),
            },
            LayerArg::TransformerBlock {
                heads,
                ff_units,
                causal,
                dropout,
            } => LayerSpec::TransformerBlock {
                heads,
                ff_units,
                causal,
                dropout,
            },
            LayerArg::GlobalAveragePooling1d => LayerSpec::GlobalAveragePooling1d,
            LayerArg::FirstTokenPooling => LayerSpec::FirstTokenPooling,
        }
    }
}
