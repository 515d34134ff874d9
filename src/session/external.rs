//! Training done outside the session's own loop (the page's GPU backend): the training set
//! in the order the next epoch visits it, adopting the weights trained on it as a finished
//! epoch (history, stopping rules and divergence handled as for a CPU epoch), and the
//! decision grid from outputs computed elsewhere.

use super::Session;
use crate::{Error, Matrix, Result, Rng, Sequential};

impl Session {
    /// Optimiser steps in one epoch: batches of the configured size over the training split.
    pub fn steps_per_epoch(&self) -> usize {
        let rows = self.data.train_x.rows();
        rows.div_ceil(self.batch_size_for(rows).max(1))
    }

    /// The batch size training uses: the configured one, at most the training rows.
    pub fn effective_batch_size(&self) -> usize {
        self.batch_size_for(self.data.train_x.rows())
    }

    fn batch_size_for(&self, rows: usize) -> usize {
        self.config.batch_size.clamp(1, rows.max(1))
    }

    /// False once a stopping rule (epoch limit, early stopping) holds training back; the
    /// reason is then in [`stop_reason`](Self::stop_reason).
    pub fn may_train(&mut self) -> bool {
        self.may_start_epoch()
    }

    /// The training split (`rows × inputs`, `rows × targets`) shuffled for the next epoch, as
    /// an outside trainer walks it in consecutive batches. A CPU epoch in progress is
    /// abandoned: the outside trainer starts the next epoch from its first batch.
    pub fn epoch_training_set(&mut self) -> Result<(Matrix, Matrix)> {
        let rows = self.data.train_x.rows();
        if rows == 0 {
            return Err(Error::InvalidData(
                "there are no training points: add some by clicking the output, upload a CSV or pick a dataset".into(),
            ));
        }
        self.partial = None;
        self.record_replay_start()?;
        let mut order: Vec<usize> = (0..rows).collect();
        Rng::new(self.config.seed ^ (self.epoch as u64).wrapping_mul(0x9E37_79B9))
            .shuffle(&mut order);
        let mut x = Matrix::default();
        let mut y = Matrix::default();
        x.gather_rows(&self.data.train_x, &order);
        y.gather_rows(&self.data.train_y, &order);
        Ok((x, y))
    }

    /// Adopts the parameters an outside trainer reached after one whole epoch over
    /// [`epoch_training_set`](Self::epoch_training_set), all tensors concatenated in
    /// `Sequential::params` order, optionally followed by the batch-norm running statistics
    /// in `Sequential::running_stats` order (without them those stay as they are), and
    /// `iterations` optimiser steps in all. The epoch is then finished as a CPU one is: losses
    /// recorded, early stopping and the epoch limit applied. When the result has diverged the
    /// previous weights and statistics stay and the error says so.
    pub fn finish_external_epoch(&mut self, flat: &[f32], iterations: u64) -> Result<()> {
        let before = self.model.params();
        let stats_before = self.model.running_stats();
        let params_len: usize = before.iter().map(Vec::len).sum();
        let stats_len: usize = stats_before.iter().map(Vec::len).sum();
        let with_stats = flat.len() == params_len + stats_len && stats_len > 0;
        if flat.len() != params_len && !with_stats {
            return Err(Error::Shape(format!(
                "{} parameters were trained but the model has {params_len}{}",
                flat.len(),
                if stats_len > 0 {
                    format!(
                        " (or {} with its running statistics)",
                        params_len + stats_len
                    )
                } else {
                    String::new()
                }
            )));
        }
        let split = |shapes: &[Vec<f32>], flat: &[f32]| -> Vec<Vec<f32>> {
            let mut at = 0;
            shapes
                .iter()
                .map(|p| {
                    let v = flat[at..at + p.len()].to_vec();
                    at += p.len();
                    v
                })
                .collect()
        };
        let values = split(&before, &flat[..params_len]);
        if flat.iter().any(|v| !v.is_finite()) {
            return Err(self.diverged(iterations));
        }
        self.model.set_params(&values)?;
        if with_stats {
            if let Err(e) = self
                .model
                .set_running_stats(&split(&stats_before, &flat[params_len..]))
            {
                self.model.set_params(&before)?;
                return Err(e);
            }
        }
        self.model.set_iterations(iterations);
        self.partial = None;
        match self.finish_epoch() {
            Err(e @ Error::Diverged { .. }) => {
                self.model.set_params(&before)?;
                self.model.set_running_stats(&stats_before)?;
                Err(e)
            }
            other => other,
        }
    }

    /// [`finish_external_epoch`](Self::finish_external_epoch) from a model file with training
    /// state (`Sequential::to_json_with_state`, as `GpuTrainer.downloadWithState()` gives):
    /// the weights, batch-norm running statistics and the optimiser's step count and moments
    /// are adopted, so that training continues on the CPU exactly where the other backend
    /// stopped.
    pub fn finish_external_epoch_from_model(&mut self, json: &str) -> Result<()> {
        let mut trained = Sequential::from_json(json)?;
        if trained.spec() != self.model.spec() {
            return Err(Error::Shape(format!(
                "the model trained elsewhere ({}) has other layers than the playground's ({})",
                super::views::describe(trained.spec()),
                super::views::describe(self.model.spec())
            )));
        }
        // The running statistics ride along: inference (the losses, the grid) needs them.
        let mut flat = trained.params().concat();
        flat.extend(trained.running_stats().concat());
        let iterations = trained.iterations();
        if let Some(state) = trained.optimizer_state() {
            self.model.set_optimizer_state(state)?;
        }
        self.finish_external_epoch(&flat, iterations)
    }

    fn diverged(&self, iterations: u64) -> Error {
        Error::Diverged {
            epoch: self.epoch + 1,
            step: iterations as usize,
            hint: crate::error::DIVERGENCE_HINT.into(),
        }
    }

    /// The decision grid's inputs (`res² × inputs`, row-major), for an outside predictor.
    pub fn grid_input_values(&mut self, res: usize) -> Result<Vec<f32>> {
        Ok(self.grid_inputs(res)?.into_vec())
    }

    /// [`decision_grid`](Self::decision_grid) from model outputs computed elsewhere on
    /// [`grid_input_values`](Self::grid_input_values) (`res² × outputs`, row-major).
    ///
    /// `res` comes from the caller: it is held to the grid cap before `res²` is formed, so
    /// a huge one is refused instead of wrapping on 32-bit targets.
    pub fn grid_from_outputs(&self, res: usize, outputs: &[f32]) -> Result<Vec<f32>> {
        if res == 0 || res > super::MAX_GRID_RESOLUTION {
            return Err(Error::Limit(format!(
                "grid resolution {res} is outside 1–{}",
                super::MAX_GRID_RESOLUTION
            )));
        }
        let k = self.model.output_dim();
        let out = Matrix::from_vec(res * res, k, outputs.to_vec())?;
        Ok(self.to_display(out))
    }
}
