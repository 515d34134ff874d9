//! `SequenceSession`: the engine of the Sequences mode. It owns the generated task, the
//! transformer built from a [`SequenceConfig`], the shuffled batches and the history of
//! losses and accuracies; its views (one example with its attention, typed input, the
//! token-embedding map) are in [`views`].
//!
//! ```
//! use nn_playground::session::sequence::SequenceSession;
//! use nn_playground::SequenceConfig;
//! let mut s = SequenceSession::new(SequenceConfig::default())?;
//! let point = s.train_steps(5)?;
//! assert_eq!(point.step, 5);
//! let example = s.example(0)?;
//! assert_eq!(example.attention.len(), 1);
//! let typed = s.predict_text("3 1 4 1 5")?;
//! assert_eq!(typed.predicted.len(), 5);
//! # Ok::<(), nn_playground::Error>(())
//! ```

mod snapshot;
mod views;

pub use views::{EmbeddingMap, SequenceExample};

use serde::Serialize;

use crate::data::sequence::{generate, SequenceData, SequenceSplit, SequenceTask};
use crate::spec::{ModelSpec, SequenceConfig};
use crate::{Error, Matrix, Result, Rng, Sequential};

/// Most history points kept; older ones are thinned out by half.
pub const MAX_SEQUENCE_HISTORY: usize = 4096;
/// Training sequences the training-set figures are measured on (the first ones).
pub const EVAL_TRAIN_ROWS: usize = 512;
/// Most optimiser steps one `train_steps` call takes.
pub const MAX_STEPS_PER_CALL: usize = 100_000;
/// Longest slice one `train_for` call may ask for, in milliseconds: a minute, far past a
/// page's frame and well short of a tab that looks hung.
pub const MAX_TRAIN_FOR_MS: f64 = 60_000.0;

/// A number as JavaScript writes it (`NaN`, `Infinity`, `1.5`), for messages about a
/// script's arguments.
fn js_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{x}")
    }
}

/// A count or index a script passed as a JS number: a whole number from 0 to `max`, else an
/// error naming `what` and the value (so `-1` is not read as 4 294 967 295, nor `1.5` as 1,
/// nor `NaN` as 0).
pub fn whole_number(value: f64, what: &str, max: usize) -> Result<usize> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= max as f64 {
        return Ok(value as usize);
    }
    Err(Error::InvalidConfig(format!(
        "{what} must be a whole number from 0 to {max}, got {}",
        js_number(value)
    )))
}

/// The figures after a call to [`SequenceSession::train_steps`].
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SequencePoint {
    /// Optimiser steps so far.
    pub step: u64,
    /// Passes over the training sequences so far (fractional).
    pub epoch: f32,
    /// Mean batch loss of the steps of this call.
    pub batch_loss: f32,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_token_accuracy: f32,
    pub test_token_accuracy: f32,
    pub train_sequence_accuracy: f32,
    pub test_sequence_accuracy: f32,
    /// The learning rate of the last step (warm-up and schedule applied).
    pub learning_rate: f32,
}

/// What the page needs to know about the generated task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskInfo {
    pub task: SequenceTask,
    /// Tokens per input sequence (also the longest typed input).
    pub length: usize,
    pub vocab: usize,
    pub classes: usize,
    /// True when the model predicts a token at every position; else one class.
    pub per_position: bool,
    pub padding: Option<usize>,
    /// How each token id reads (`"("`, `"+"`, `"7"`); ids are their positions.
    pub token_names: Vec<String>,
    pub train_size: usize,
    pub test_size: usize,
}

pub struct SequenceSession {
    config: SequenceConfig,
    split: SequenceSplit,
    model: Sequential,
    /// The first [`EVAL_TRAIN_ROWS`] training sequences.
    train_eval: SequenceData,
    order: Vec<usize>,
    cursor: usize,
    shuffle_rng: Rng,
    batch_x: Matrix,
    batch_y: Matrix,
    history: Vec<SequencePoint>,
}

impl SequenceSession {
    /// Generates the task and builds and compiles the model. Errors name the bad setting.
    pub fn new(config: SequenceConfig) -> Result<Self> {
        config.validate()?;
        let split = generate(&config.task)?;
        let mut model = Sequential::new(config.model_spec(&split), config.seed)?;
        model.compile(config.compile_spec(&split))?;
        let rows: Vec<usize> = (0..split.train.inputs.rows().min(EVAL_TRAIN_ROWS)).collect();
        let mut train_eval = SequenceData {
            inputs: Matrix::default(),
            targets: Matrix::default(),
        };
        train_eval.inputs.gather_rows(&split.train.inputs, &rows);
        train_eval.targets.gather_rows(&split.train.targets, &rows);
        // The batch order has its own generator, so that it does not shift with dropout.
        let shuffle_rng = Rng::new(config.seed ^ 0x5e9_u64);
        Ok(Self {
            order: Vec::new(),
            cursor: 0,
            shuffle_rng,
            batch_x: Matrix::default(),
            batch_y: Matrix::default(),
            history: Vec::new(),
            train_eval,
            config,
            split,
            model,
        })
    }

    pub fn config(&self) -> &SequenceConfig {
        &self.config
    }

    pub fn model(&self) -> &Sequential {
        &self.model
    }

    pub fn model_spec(&self) -> &ModelSpec {
        self.model.spec()
    }

    pub fn split(&self) -> &SequenceSplit {
        &self.split
    }

    pub fn task_info(&self) -> TaskInfo {
        let s = &self.split;
        TaskInfo {
            task: s.task,
            length: s.train.inputs.cols(),
            vocab: s.vocab,
            classes: s.classes,
            per_position: s.per_position,
            padding: s.padding,
            token_names: s.token_names.clone(),
            train_size: s.train.inputs.rows(),
            test_size: s.test.inputs.rows(),
        }
    }

    /// Optimiser steps taken so far.
    pub fn step(&self) -> u64 {
        self.model.iterations()
    }

    pub fn history(&self) -> &[SequencePoint] {
        &self.history
    }

    /// Takes `steps` optimiser steps on shuffled mini-batches (reshuffled every pass), then
    /// measures losses and accuracies on the test set and on the first training sequences.
    /// On divergence the weights stay as before the failing step and the error says so.
    pub fn train_steps(&mut self, steps: usize) -> Result<SequencePoint> {
        if steps > MAX_STEPS_PER_CALL {
            return Err(Error::Limit(format!(
                "{steps} steps in one call; the limit is {MAX_STEPS_PER_CALL}"
            )));
        }
        let mut total = 0.0f64;
        for _ in 0..steps {
            total += self.step_once()? as f64;
        }
        self.record(total, steps)
    }

    /// Steps for about `budget_ms` milliseconds of `now()` (at least one step), then
    /// measures as [`train_steps`](Self::train_steps) does: the page's frame-sized slice.
    pub fn train_for(
        &mut self,
        budget_ms: f64,
        now: &mut dyn FnMut() -> f64,
    ) -> Result<SequencePoint> {
        // A NaN or infinite budget would never be reached: the call would run its whole
        // step cap (minutes) with the thread blocked.
        if !(budget_ms.is_finite() && (0.0..=MAX_TRAIN_FOR_MS).contains(&budget_ms)) {
            return Err(Error::InvalidConfig(format!(
                "trainFor's milliseconds must be a number from 0 to {MAX_TRAIN_FOR_MS}, got {}",
                js_number(budget_ms)
            )));
        }
        let start = now();
        let (mut total, mut steps) = (0.0f64, 0usize);
        loop {
            total += self.step_once()? as f64;
            steps += 1;
            if now() - start >= budget_ms || steps >= MAX_STEPS_PER_CALL {
                break;
            }
        }
        self.record(total, steps)
    }

    /// One optimiser step on the next shuffled mini-batch; returns its loss.
    fn step_once(&mut self) -> Result<f32> {
        let n = self.split.train.inputs.rows();
        let batch = self.config.batch_size.min(n);
        if self.cursor + batch > self.order.len() {
            self.order = (0..n).collect();
            self.shuffle_rng.shuffle(&mut self.order);
            self.cursor = 0;
        }
        let rows = &self.order[self.cursor..self.cursor + batch];
        self.batch_x.gather_rows(&self.split.train.inputs, rows);
        self.batch_y.gather_rows(&self.split.train.targets, rows);
        self.cursor += batch;
        self.model
            .train_steps(&self.batch_x, &self.batch_y, batch, 1)
    }

    fn record(&mut self, total: f64, steps: usize) -> Result<SequencePoint> {
        let mean = if steps == 0 {
            0.0
        } else {
            (total / steps as f64) as f32
        };
        let point = self.measure(mean)?;
        if self.history.len() >= MAX_SEQUENCE_HISTORY {
            let kept: Vec<SequencePoint> = self.history.iter().step_by(2).cloned().collect();
            self.history = kept;
        }
        self.history.push(point.clone());
        Ok(point)
    }

    fn measure(&mut self, batch_loss: f32) -> Result<SequencePoint> {
        let train = self
            .model
            .evaluate(&self.train_eval.inputs, &self.train_eval.targets)?;
        let test = self
            .model
            .evaluate(&self.split.test.inputs, &self.split.test.targets)?;
        let step = self.model.iterations();
        let lr = self
            .model
            .learning_rate_at(step.saturating_sub(1))
            .unwrap_or(0.0);
        let n = self.split.train.inputs.rows() as f32;
        Ok(SequencePoint {
            step,
            epoch: step as f32 * self.config.batch_size.min(n as usize) as f32 / n,
            batch_loss,
            train_loss: train.loss,
            test_loss: test.loss,
            train_token_accuracy: train.metrics["token_accuracy"],
            test_token_accuracy: test.metrics["token_accuracy"],
            train_sequence_accuracy: train.metrics["sequence_accuracy"],
            test_sequence_accuracy: test.metrics["sequence_accuracy"],
            learning_rate: lr,
        })
    }

    /// Starts the model afresh from the config's seed (same weights as at `new`), keeping
    /// the task.
    pub fn reset(&mut self) -> Result<()> {
        let mut model = Sequential::new(self.config.model_spec(&self.split), self.config.seed)?;
        model.compile(self.config.compile_spec(&self.split))?;
        self.model = model;
        self.order.clear();
        self.cursor = 0;
        self.shuffle_rng = Rng::new(self.config.seed ^ 0x5e9_u64);
        self.history.clear();
        Ok(())
    }

    /// Changes the learning rate, keeping weights and optimiser state.
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        self.model.set_learning_rate(lr)?;
        self.config.optimizer.learning_rate = lr;
        Ok(())
    }
}
