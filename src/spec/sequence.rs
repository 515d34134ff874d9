//! `SequenceConfig`: everything the Sequences mode shows and a link reproduces (the task,
//! the transformer's shape, the optimiser), and the `ModelSpec` / `CompileSpec` it means.

use serde::{Deserialize, Serialize};

use crate::data::sequence::{SequenceSplit, SequenceTask, SequenceTaskSpec};
use crate::spec::{
    CompileSpec, Init, LayerSpec, LossKind, MetricKind, ModelSpec, OptimizerKind, OptimizerSpec,
};
use crate::{config_err, Activation, Result};

/// Most transformer blocks in the Sequences mode.
pub const MAX_SEQUENCE_BLOCKS: usize = 4;
/// Most attention heads per block.
pub const MAX_SEQUENCE_HEADS: usize = 4;
/// Widest model (embedding and residual width).
pub const MAX_SEQUENCE_WIDTH: usize = 128;
/// Widest feed-forward layer inside a block.
pub const MAX_SEQUENCE_FF: usize = 512;
/// Largest mini-batch, in sequences.
pub const MAX_SEQUENCE_BATCH: usize = 512;
/// Highest dropout rate of the Sequences mode (past it a small model learns nothing).
pub const MAX_SEQUENCE_DROPOUT: f32 = 0.5;
/// The learning rates the Sequences mode's control and link take (`f64` so that they reach
/// the page as written).
pub const MIN_SEQUENCE_LEARNING_RATE: f64 = 1e-6;
pub const MAX_SEQUENCE_LEARNING_RATE: f64 = 10.0;
/// Longest learning-rate warm-up the Sequences mode's control and link take, in steps.
pub const MAX_SEQUENCE_WARMUP: usize = 100_000;

/// How a classification task turns the sequence into one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SequencePooling {
    #[default]
    Average,
    FirstToken,
}

/// A Sequences-mode setup. The model is: embedding (`width`), positions (learned, or
/// sinusoidal), `blocks` pre-norm transformer blocks, a layer norm, a pooling for
/// classification tasks, and a dense output (a token per position, or a class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceConfig {
    pub task: SequenceTaskSpec,
    pub blocks: usize,
    pub heads: usize,
    pub width: usize,
    pub ff_units: usize,
    pub dropout: f32,
    pub causal: bool,
    pub sinusoidal: bool,
    pub pooling: SequencePooling,
    pub batch_size: usize,
    /// Kind, learning rate, warm-up (`warmup_steps`), weight decay, schedule, clipping.
    pub optimizer: OptimizerSpec,
    /// Weights and dropout masks; the task has its own seed.
    pub seed: u64,
}

impl Default for SequenceConfig {
    fn default() -> Self {
        Self {
            task: SequenceTaskSpec::default(),
            blocks: 1,
            heads: 2,
            width: 32,
            ff_units: 64,
            dropout: 0.0,
            causal: false,
            sinusoidal: false,
            pooling: SequencePooling::Average,
            batch_size: 32,
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                learning_rate: 0.003,
                warmup_steps: 50,
                ..OptimizerSpec::default()
            },
            seed: 1,
        }
    }
}

impl SequenceConfig {
    /// Checks the model settings (the task's are checked when it is generated).
    pub fn validate(&self) -> Result<()> {
        let range = |what: &str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(config_err!("{what} must be {lo} to {hi}, got {v}"))
            }
        };
        range("blocks", self.blocks, 1, MAX_SEQUENCE_BLOCKS)?;
        range("heads", self.heads, 1, MAX_SEQUENCE_HEADS)?;
        range("model width", self.width, 1, MAX_SEQUENCE_WIDTH)?;
        range("feed-forward width", self.ff_units, 1, MAX_SEQUENCE_FF)?;
        range("batch size", self.batch_size, 1, MAX_SEQUENCE_BATCH)?;
        if !self.width.is_multiple_of(self.heads) {
            return Err(config_err!(
                "the model width {} is not divisible by {} heads; pick a multiple of {}",
                self.width,
                self.heads,
                self.heads
            ));
        }
        if !(self.dropout.is_finite() && (0.0..=MAX_SEQUENCE_DROPOUT).contains(&self.dropout)) {
            return Err(config_err!(
                "dropout must be 0 to {MAX_SEQUENCE_DROPOUT}, got {}",
                self.dropout
            ));
        }
        crate::nn::optim::validate(&self.optimizer)
    }

    /// The model for `split` (its vocabulary, classes and length).
    pub fn model_spec(&self, split: &SequenceSplit) -> ModelSpec {
        let length = split.train.inputs.cols();
        let mut layers = vec![
            LayerSpec::Embedding {
                vocab: split.vocab,
                dim: self.width,
            },
            LayerSpec::PositionalEmbedding {
                max_len: length,
                sinusoidal: self.sinusoidal,
            },
        ];
        layers.extend((0..self.blocks).map(|_| LayerSpec::TransformerBlock {
            heads: self.heads,
            ff_units: self.ff_units,
            causal: self.causal,
            dropout: self.dropout,
        }));
        layers.push(LayerSpec::LayerNorm { epsilon: 1e-5 });
        if !split.per_position {
            layers.push(match self.pooling {
                SequencePooling::Average => LayerSpec::GlobalAveragePooling1d,
                SequencePooling::FirstToken => LayerSpec::FirstTokenPooling,
            });
        }
        layers.push(LayerSpec::Dense {
            units: split.classes,
            activation: Activation::Linear,
            init: Init::GlorotUniform,
            use_bias: true,
        });
        ModelSpec {
            input_dim: length,
            layers,
        }
    }

    /// Token-level (or per-sequence) cross-entropy with the task's padding, and both
    /// accuracies.
    pub fn compile_spec(&self, split: &SequenceSplit) -> CompileSpec {
        CompileSpec {
            optimizer: self.optimizer.clone(),
            loss: LossKind::CategoricalCrossentropy,
            metrics: vec![MetricKind::TokenAccuracy, MetricKind::SequenceAccuracy],
            padding_token: split.padding,
            ..CompileSpec::default()
        }
    }
}

/// The task names the Sequences mode offers, in menu order.
pub const SEQUENCE_TASKS: [SequenceTask; 7] = [
    SequenceTask::Reverse,
    SequenceTask::Sort,
    SequenceTask::CopyOffset,
    SequenceTask::MostFrequent,
    SequenceTask::BalancedBrackets,
    SequenceTask::Addition,
    SequenceTask::ModularAddition,
];
