//! The sequence-model benchmark workload: a 2-block, 4-head, width-64 transformer on
//! length-16 token sequences, with no timing inside (the caller's clock measures `run`).
//!
//! ```
//! use nn_playground::bench::sequence::SequenceBench;
//! let mut b = SequenceBench::new(1)?;
//! let loss = b.run(2)?; // time this call: 2 steps of `b.tokens_per_step()` tokens each
//! assert!(loss.is_finite());
//! # Ok::<(), nn_playground::Error>(())
//! ```

use crate::data::sequence::{generate, SequenceSplit, SequenceTask, SequenceTaskSpec};
use crate::spec::SequenceConfig;
use crate::{OptimizerKind, OptimizerSpec, Result, Sequential};

/// Blocks, heads, width, feed-forward width, length, vocabulary and batch of the workload.
pub const SEQUENCE_BENCH_SHAPE: [usize; 7] = [2, 4, 64, 128, 16, 32, 32];

/// Reverse over 32 tokens of length 16, trained with Adam by whole steps.
pub struct SequenceBench {
    model: Sequential,
    split: SequenceSplit,
    batch: usize,
}

impl SequenceBench {
    pub fn new(seed: u64) -> Result<Self> {
        let [blocks, heads, width, ff_units, length, vocab, batch] = SEQUENCE_BENCH_SHAPE;
        let config = SequenceConfig {
            task: SequenceTaskSpec {
                task: SequenceTask::Reverse,
                length,
                vocab,
                train: 1024,
                test: 32,
                seed,
                ..Default::default()
            },
            blocks,
            heads,
            width,
            ff_units,
            batch_size: batch,
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                learning_rate: 1e-3,
                ..OptimizerSpec::default()
            },
            seed,
            ..SequenceConfig::default()
        };
        config.validate()?;
        let split = generate(&config.task)?;
        let mut model = Sequential::new(config.model_spec(&split), seed)?;
        model.compile(config.compile_spec(&split))?;
        Ok(Self {
            model,
            split,
            batch,
        })
    }

    /// Tokens one step trains on (`batch × length`).
    pub fn tokens_per_step(&self) -> usize {
        self.batch * self.split.train.inputs.cols()
    }

    /// The training inputs, `sequences × length` token ids.
    pub fn inputs(&self) -> &crate::Matrix {
        &self.split.train.inputs
    }

    /// The training targets (the inputs reversed), `sequences × length`.
    pub fn targets(&self) -> &crate::Matrix {
        &self.split.train.targets
    }

    /// `steps` optimiser steps on consecutive batches; the mean batch loss.
    pub fn run(&mut self, steps: usize) -> Result<f32> {
        self.model.train_steps(
            &self.split.train.inputs,
            &self.split.train.targets,
            self.batch,
            steps,
        )
    }
}
