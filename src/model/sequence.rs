//! What a `Sequential` does differently for token sequences: checks on token ids and
//! per-position targets, the attention weights per layer and head, and the token and
//! sequence accuracies.

use serde::Serialize;

use super::Sequential;
use crate::metrics::argmax_rows;
use crate::{Error, Matrix, Result};

/// Most attention weights one layer keeps for a batch (`B·H·L²`, 64 MiB of `f32`): training
/// batches above it are refused, and `predict` splits its input to stay below it.
pub const MAX_ATTENTION_WEIGHTS: usize = 1 << 24;

/// The attention weights of one attention layer (or transformer block) for a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttentionMap {
    /// Index of the layer in `ModelSpec::layers`.
    pub layer: usize,
    pub batch: usize,
    pub heads: usize,
    /// Positions per sequence.
    pub len: usize,
    /// `[b][h][query][key]` flattened; each query's `len` weights sum to 1.
    pub weights: Vec<f32>,
}

impl AttentionMap {
    /// How much position `query` of sequence `b` attends to `key` in head `h`.
    pub fn get(&self, b: usize, h: usize, query: usize, key: usize) -> f32 {
        self.weights[((b * self.heads + h) * self.len + query) * self.len + key]
    }

    /// The `len×len` map of sequence `b`, head `h` (rows are queries).
    pub fn head(&self, b: usize, h: usize) -> &[f32] {
        let size = self.len * self.len;
        let start = (b * self.heads + h) * size;
        &self.weights[start..start + size]
    }
}

impl Sequential {
    /// True when the model reads token sequences (its first layer is an embedding).
    pub fn is_token_model(&self) -> bool {
        self.spec.vocab().is_some()
    }

    /// Errors unless the model reads tokens, for callers that hold token sequences: a dense
    /// model would read the ids as numbers.
    pub fn expect_token_model(&self) -> Result<()> {
        if self.is_token_model() {
            return Ok(());
        }
        let first = self.spec.layers.first().map_or("no", |l| l.name());
        Err(Error::InvalidConfig(format!(
            "this data is token sequences, but the model starts with a {first} layer; start the model with an embedding layer ({{ type: 'embedding', vocab, dim }})"
        )))
    }

    fn max_heads(&self) -> usize {
        self.layers
            .iter()
            .filter_map(|l| l.attention().map(|a| a.heads))
            .max()
            .unwrap_or(0)
    }

    /// Sequences of `len` tokens one forward pass may hold (`usize::MAX` without attention).
    pub(super) fn sequences_per_pass(&self, len: usize) -> usize {
        match self.max_heads() {
            0 => usize::MAX,
            h => (MAX_ATTENTION_WEIGHTS / (h * len * len).max(1)).max(1),
        }
    }

    /// Refuses a training batch whose attention weights would pass the cap.
    pub(super) fn check_attention_size(&self, batch: usize, len: usize) -> Result<()> {
        let fits = self.sequences_per_pass(len);
        if self.is_token_model() && batch > fits {
            return Err(Error::Limit(format!(
                "a batch of {batch} sequences of {len} tokens needs more than {MAX_ATTENTION_WEIGHTS} attention weights per layer; use batches of at most {fits}"
            )));
        }
        Ok(())
    }

    /// The token embedding table (`vocab×dim`) of a token model.
    pub fn embedding_table(&self) -> Option<&Matrix> {
        match self.layers.first() {
            Some(crate::nn::layer::Layer::Embedding(e)) => Some(&e.table),
            _ => None,
        }
    }

    /// Runs `tokens` (`B×L`) in inference mode and returns the attention weights of every
    /// attention layer and transformer block, in layer order.
    pub fn attention_maps(&mut self, tokens: &Matrix) -> Result<Vec<AttentionMap>> {
        self.expect_token_model()?;
        self.check_inputs(tokens)?;
        self.forward(tokens, false);
        Ok(self.last_attention())
    }

    /// The attention weights left by the last forward pass (training or inference).
    pub fn last_attention(&self) -> Vec<AttentionMap> {
        self.layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let (w, batch, heads, len) = l.attention()?.attention();
                Some(AttentionMap {
                    layer: i,
                    batch,
                    heads,
                    len,
                    weights: w.to_vec(),
                })
            })
            .collect()
    }
}

/// Token ids must be whole numbers in `0..vocab`, at most `max_len` per row.
pub(super) fn check_tokens(x: &Matrix, vocab: usize, max_len: usize) -> Result<()> {
    if x.cols() == 0 || x.cols() > max_len {
        return Err(Error::Shape(format!(
            "sequences of {} tokens; this model takes 1 to {max_len}",
            x.cols()
        )));
    }
    if let Some((i, &bad)) = x
        .as_slice()
        .iter()
        .enumerate()
        .find(|(_, &v)| !(v >= 0.0 && v.fract() == 0.0 && (v as usize) < vocab))
    {
        return Err(Error::InvalidData(format!(
            "token {bad} at sequence {}, position {} is not a token id in 0..{vocab}; the embedding has {vocab} tokens",
            i / x.cols() + 1,
            i % x.cols() + 1
        )));
    }
    Ok(())
}

/// Per-position targets: one token id in `0..classes` (or the padding token) per input token.
pub(super) fn check_token_targets(
    x: &Matrix,
    y: &Matrix,
    classes: usize,
    padding: Option<usize>,
) -> Result<()> {
    if y.shape() != x.shape() {
        return Err(Error::Shape(format!(
            "targets are {}×{} but the inputs are {}×{}; a per-position model needs one target token per input token",
            y.rows(),
            y.cols(),
            x.rows(),
            x.cols()
        )));
    }
    if let Some(&bad) = y.as_slice().iter().find(|&&v| {
        let ok =
            v >= 0.0 && v.fract() == 0.0 && ((v as usize) < classes || Some(v as usize) == padding);
        !ok
    }) {
        return Err(Error::InvalidData(format!(
            "target token {bad} is not an id in 0..{classes}; the output layer has {classes} units"
        )));
    }
    Ok(())
}

/// Token and whole-sequence accuracy of per-position outputs `(B·L)×V` against targets
/// `B×L`, leaving out padding targets; a sequence of padding only counts as right.
pub(super) fn token_accuracies(outputs: &Matrix, y: &Matrix, padding: Option<usize>) -> (f32, f32) {
    let pred = argmax_rows(outputs);
    let (mut right, mut counted, mut whole) = (0usize, 0usize, 0usize);
    for (t_row, p_row) in y
        .as_slice()
        .chunks(y.cols().max(1))
        .zip(pred.chunks(y.cols().max(1)))
    {
        let mut all = true;
        for (&t, &p) in t_row.iter().zip(p_row) {
            if Some(t as usize) == padding {
                continue;
            }
            counted += 1;
            if t as usize == p {
                right += 1;
            } else {
                all = false;
            }
        }
        whole += all as usize;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    (ratio(right, counted), ratio(whole, y.rows()))
}
