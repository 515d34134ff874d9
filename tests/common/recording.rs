//! A trainer wrapper for tests: records the rows every call walks and counts batch
//! callbacks, then hands the call to the trainer inside.

use nn_playground::train::Trainer;
use nn_playground::{Matrix, Result, Sequential};

pub struct Recording<T> {
    pub inner: T,
    /// The rows of every `train_rows` call, in order.
    pub calls: Vec<Vec<usize>>,
}

impl<T: Trainer> Recording<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            calls: Vec::new(),
        }
    }

    /// Every row visited, all calls in order.
    pub fn rows(&self) -> Vec<usize> {
        self.calls.concat()
    }
}

impl<T: Trainer> Trainer for Recording<T> {
    fn label(&self) -> String {
        self.inner.label()
    }

    async fn train_rows(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>> {
        self.calls.push(rows.to_vec());
        self.inner
            .train_rows(model, x, y, rows, batch, on_batch)
            .await
    }

    async fn predict(&mut self, model: &mut Sequential, x: &Matrix) -> Result<Matrix> {
        self.inner.predict(model, x).await
    }
}

/// Counts `on_batch_end` calls (and their batch indices); never stops training, or stops
/// once `stop_at` (epoch, batch) is reached.
#[derive(Default)]
pub struct BatchCounter {
    pub batches: Vec<usize>,
    pub epochs: usize,
    pub stop_at: Option<usize>,
}

impl nn_playground::Callback for BatchCounter {
    fn on_batch_end(&mut self, batch: usize, loss: f32) -> bool {
        assert!(loss.is_finite());
        self.batches.push(batch);
        self.stop_at != Some(self.batches.len())
    }

    fn on_epoch_end(&mut self, _epoch: usize, _logs: &nn_playground::Logs) -> bool {
        self.epochs += 1;
        true
    }
}
