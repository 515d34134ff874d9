//! Turning a `ModelSpec` into layers, and the checks on specs, compile settings and targets
//! that keep bad input from ever reaching a kernel.

use crate::nn::activation::Activation;
use crate::nn::batch_norm::BatchNorm;
use crate::nn::dense::Dense;
use crate::nn::dropout::Dropout;
use crate::nn::init::initialize;
use crate::nn::layer::Layer;
use crate::nn::sequence::{
    Embedding, LayerNorm, MultiHeadSelfAttention, Pooling, PoolingKind, PositionalEmbedding,
    TransformerBlock,
};
use crate::spec::{CompileSpec, LayerSpec, LossKind, ModelSpec};
use crate::{config_err, Error, Matrix, Result, Rng};

/// Largest width of any layer or input.
pub const MAX_UNITS: usize = 4096;
/// Largest number of layers in a model.
pub const MAX_LAYERS: usize = 64;
/// Largest number of trainable parameters.
pub const MAX_PARAMS: usize = 16 * 1024 * 1024;
/// Longest token sequence a model takes (attention keeps `L²` weights per head).
pub const MAX_SEQUENCE_LEN: usize = 256;
/// Largest token vocabulary.
pub const MAX_VOCAB: usize = 65536;
/// Most heads of one attention layer.
pub const MAX_HEADS: usize = 16;

pub(super) fn build_layers(spec: &ModelSpec, rng: &mut Rng) -> Result<Vec<Layer>> {
    validate_spec(spec)?;
    let mut width = spec.input_dim;
    let mut layers = Vec::with_capacity(spec.layers.len());
    for l in &spec.layers {
        let layer = match *l {
            LayerSpec::Dense {
                units,
                activation,
                init,
                use_bias,
            } => {
                let mut d = Dense::new(width, units, activation, use_bias);
                initialize(init, width, units, d.w.as_mut_slice(), &mut d.b, rng);
                if !use_bias {
                    d.b.fill(0.0);
                }
                width = units;
                Layer::Dense(d)
            }
            LayerSpec::Dropout { rate } => Layer::Dropout(Dropout::new(rate)),
            LayerSpec::BatchNorm { momentum, epsilon } => {
                Layer::BatchNorm(BatchNorm::new(width, momentum, epsilon))
            }
            LayerSpec::Embedding { vocab, dim } => {
                width = dim;
                Layer::Embedding(Embedding::new(vocab, dim, rng))
            }
            LayerSpec::PositionalEmbedding {
                max_len,
                sinusoidal,
            } => Layer::PositionalEmbedding(PositionalEmbedding::new(
                max_len,
                width,
                !sinusoidal,
                rng,
            )),
            LayerSpec::MultiHeadSelfAttention {
                heads,
                causal,
                dropout,
            } => Layer::Attention(Box::new(MultiHeadSelfAttention::new(
                width, heads, causal, dropout, rng,
            ))),
            LayerSpec::LayerNorm { epsilon } => Layer::LayerNorm(LayerNorm::new(width, epsilon)),
            LayerSpec::TransformerBlock {
                heads,
                ff_units,
                causal,
                dropout,
            } => Layer::TransformerBlock(Box::new(TransformerBlock::new(
                width, heads, ff_units, causal, dropout, rng,
            ))),
            LayerSpec::GlobalAveragePooling1d => Layer::Pooling(Pooling::new(PoolingKind::Average)),
            LayerSpec::FirstTokenPooling => Layer::Pooling(Pooling::new(PoolingKind::FirstToken)),
        };
        layers.push(layer);
    }
    Ok(layers)
}

/// Checks a model description: sizes, rates and where softmax may stand.
pub fn validate_spec(spec: &ModelSpec) -> Result<()> {
    if spec.input_dim == 0 {
        return Err(config_err!("the model needs at least one input feature"));
    }
    if spec.input_dim > MAX_UNITS {
        return Err(Error::Limit(format!(
            "{} input features; the limit is {MAX_UNITS}",
            spec.input_dim
        )));
    }
    if spec.layers.is_empty() {
        return Err(config_err!(
            "the model has no layers: add at least one dense layer"
        ));
    }
    if spec.layers.len() > MAX_LAYERS {
        return Err(Error::Limit(format!(
            "{} layers; the limit is {MAX_LAYERS}",
            spec.layers.len()
        )));
    }
    let token_model = spec.vocab().is_some();
    if token_model && spec.input_dim > MAX_SEQUENCE_LEN {
        return Err(Error::Limit(format!(
            "sequences of {} tokens; the limit is {MAX_SEQUENCE_LEN}",
            spec.input_dim
        )));
    }
    let mut width = spec.input_dim;
    let mut params = 0usize;
    let mut pooled = false;
    let last_dense = spec
        .layers
        .iter()
        .rposition(|l| matches!(l, LayerSpec::Dense { .. }));
    for (i, l) in spec.layers.iter().enumerate() {
        check_sequence_order(l, i, &spec.layers[0], pooled)?;
        match *l {
            LayerSpec::Dense {
                units, activation, ..
            } => {
                if units == 0 {
                    return Err(config_err!(
                        "layer {} has 0 units; a dense layer needs at least 1",
                        i + 1
                    ));
                }
                if units > MAX_UNITS {
                    return Err(Error::Limit(format!(
                        "layer {} has {units} units; the limit is {MAX_UNITS}",
                        i + 1
                    )));
                }
                if activation == Activation::Softmax && Some(i) != last_dense {
                    return Err(config_err!(
                        "softmax is only allowed on the output layer (layer {} uses it)",
                        i + 1
                    ));
                }
                params += width * units + units;
                width = units;
            }
            LayerSpec::Dropout { rate } => {
                if !(rate.is_finite() && (0.0..1.0).contains(&rate)) {
                    return Err(config_err!(
                        "dropout rate must be in [0, 1), got {rate} at layer {}",
                        i + 1
                    ));
                }
            }
            LayerSpec::BatchNorm { momentum, epsilon } => {
                if !(momentum.is_finite() && (0.0..1.0).contains(&momentum)) {
                    return Err(config_err!(
                        "batch-norm momentum must be in [0, 1), got {momentum}"
                    ));
                }
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return Err(config_err!("batch-norm epsilon must be > 0, got {epsilon}"));
                }
                params += 2 * width;
            }
            LayerSpec::Embedding { vocab, dim } => {
                if !(2..=MAX_VOCAB).contains(&vocab) {
                    return Err(config_err!(
                        "the embedding's vocabulary must be 2 to {MAX_VOCAB} tokens, got {vocab}"
                    ));
                }
                if dim == 0 || dim > MAX_UNITS {
                    return Err(config_err!(
                        "the embedding's dim must be 1 to {MAX_UNITS}, got {dim}"
                    ));
                }
                params += vocab * dim;
                width = dim;
            }
            LayerSpec::PositionalEmbedding {
                max_len,
                sinusoidal,
            } => {
                if spec.input_dim > max_len {
                    return Err(config_err!(
                        "sequences are up to {} tokens long but the positional embedding (layer {}) has max_len {max_len}; raise max_len to at least {}",
                        spec.input_dim,
                        i + 1,
                        spec.input_dim
                    ));
                }
                if max_len > MAX_SEQUENCE_LEN {
                    return Err(Error::Limit(format!(
                        "positional embedding max_len {max_len}; the limit is {MAX_SEQUENCE_LEN}"
                    )));
                }
                if !sinusoidal {
                    params += max_len * width;
                }
            }
            LayerSpec::MultiHeadSelfAttention { heads, dropout, .. } => {
                check_heads(width, heads, dropout, i)?;
                params += 4 * width * width + 4 * width;
            }
            LayerSpec::LayerNorm { epsilon } => {
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return Err(config_err!("layer-norm epsilon must be > 0, got {epsilon}"));
                }
                params += 2 * width;
            }
            LayerSpec::TransformerBlock {
                heads,
                ff_units,
                dropout,
                ..
            } => {
                check_heads(width, heads, dropout, i)?;
                if ff_units == 0 || ff_units > MAX_UNITS {
                    return Err(config_err!(
                        "the transformer block (layer {}) needs 1 to {MAX_UNITS} feed-forward units, got {ff_units}",
                        i + 1
                    ));
                }
                params += 4 * width * width + 4 * width + 4 * width;
                params += 2 * width * ff_units + ff_units + width;
            }
            LayerSpec::GlobalAveragePooling1d | LayerSpec::FirstTokenPooling => pooled = true,
        }
        if params > MAX_PARAMS {
            return Err(Error::Limit(format!(
                "the model has more than {MAX_PARAMS} parameters"
            )));
        }
    }
    if last_dense.is_none() {
        return Err(config_err!("the model has no dense layer"));
    }
    Ok(())
}

/// Token layers need tokens: an embedding first, then sequence layers until one pooling.
fn check_sequence_order(l: &LayerSpec, i: usize, first: &LayerSpec, pooled: bool) -> Result<()> {
    let token_model = matches!(first, LayerSpec::Embedding { .. });
    let n = i + 1;
    let name = l.name();
    match l {
        LayerSpec::Embedding { .. } if i > 0 => Err(config_err!(
            "layer {n} is an embedding, which reads token ids: it must be the first layer"
        )),
        LayerSpec::Dense { .. }
        | LayerSpec::Dropout { .. }
        | LayerSpec::BatchNorm { .. }
        | LayerSpec::LayerNorm { .. }
        | LayerSpec::Embedding { .. } => Ok(()),
        _ if !token_model => Err(config_err!(
            "layer {n} ({name}) works on token sequences, but the model starts with a {} layer; start the model with an embedding layer",
            first.name()
        )),
        _ if pooled => Err(config_err!(
            "layer {n} ({name}) comes after the pooling, where each sequence is one vector; put it before the pooling"
        )),
        _ => Ok(()),
    }
}

fn check_heads(width: usize, heads: usize, dropout: f32, i: usize) -> Result<()> {
    if heads == 0 {
        return Err(config_err!(
            "layer {} needs at least 1 attention head",
            i + 1
        ));
    }
    if heads > MAX_HEADS {
        return Err(Error::Limit(format!(
            "layer {} has {heads} attention heads; the limit is {MAX_HEADS}",
            i + 1
        )));
    }
    if !width.is_multiple_of(heads) {
        return Err(config_err!(
            "layer {}: the model width {width} is not divisible by {heads} heads; pick a width that is a multiple of {heads}",
            i + 1
        ));
    }
    if !(dropout.is_finite() && (0.0..1.0).contains(&dropout)) {
        return Err(config_err!(
            "dropout rate must be in [0, 1), got {dropout} at layer {}",
            i + 1
        ));
    }
    Ok(())
}

/// Checks that the loss fits the output layer.
pub(super) fn validate_compile(spec: &CompileSpec, layers: &[Layer], out_dim: usize) -> Result<()> {
    crate::nn::optim::validate(&spec.optimizer)?;
    let r = spec.regularization.rate;
    if !(r.is_finite() && r >= 0.0) {
        return Err(config_err!("regularisation rate must be ≥ 0, got {r}"));
    }
    if !(spec.huber_delta.is_finite() && spec.huber_delta > 0.0) {
        return Err(config_err!(
            "Huber delta must be > 0, got {}",
            spec.huber_delta
        ));
    }
    if spec.loss.is_cross_entropy() {
        let Some(Layer::Dense(last)) = layers.last() else {
            return Err(config_err!(
                "cross-entropy needs a dense output layer (the last layer is not dense)"
            ));
        };
        match spec.loss {
            LossKind::BinaryCrossentropy => {
                if !matches!(last.activation, Activation::Sigmoid | Activation::Linear) {
                    return Err(config_err!(
                        "binary cross-entropy needs a sigmoid (or linear, logits) output, not {}",
                        last.activation.name()
                    ));
                }
            }
            _ => {
                if !matches!(last.activation, Activation::Softmax | Activation::Linear) {
                    return Err(config_err!(
                        "categorical cross-entropy needs a softmax (or linear, logits) output, not {}",
                        last.activation.name()
                    ));
                }
                if out_dim < 2 {
                    return Err(config_err!("categorical cross-entropy needs at least 2 output units; use binary cross-entropy for one"));
                }
            }
        }
    } else if let Some(Layer::Dense(last)) = layers.last() {
        if last.activation == Activation::Softmax && out_dim < 2 {
            return Err(config_err!("a softmax output needs at least 2 units"));
        }
    }
    Ok(())
}

/// Checks targets against the loss and output width.
pub(super) fn check_targets(loss: LossKind, out_dim: usize, rows: usize, y: &Matrix) -> Result<()> {
    if y.rows() != rows {
        return Err(Error::Shape(format!(
            "{rows} input rows but {} label rows; every row needs one label",
            y.rows()
        )));
    }
    if !y.all_finite() {
        return Err(Error::InvalidData(
            "labels contain NaN or infinite values".into(),
        ));
    }
    let sparse = loss == LossKind::CategoricalCrossentropy && y.cols() == 1 && out_dim > 1;
    if sparse {
        if let Some(bad) = y
            .as_slice()
            .iter()
            .find(|&&v| v < 0.0 || v.fract() != 0.0 || v as usize >= out_dim)
        {
            return Err(Error::InvalidData(format!(
                "class label {bad} is not an integer in 0..{out_dim}; the output layer has {out_dim} units"
            )));
        }
    } else if y.cols() != out_dim {
        return Err(Error::Shape(format!(
            "labels have {} columns but the model outputs {out_dim}",
            y.cols()
        )));
    }
    if loss == LossKind::BinaryCrossentropy
        && y.as_slice().iter().any(|&v| !(0.0..=1.0).contains(&v))
    {
        return Err(Error::InvalidData(
            "binary cross-entropy needs labels in [0, 1]".into(),
        ));
    }
    Ok(())
}
