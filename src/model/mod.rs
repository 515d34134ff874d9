//! `Sequential`: a Keras-style stack of layers with compile / fit / evaluate / predict and
//! the step-wise training the interactive page drives.
//!
//! Buffers for activations and gradients live in the model and are reused every step; a
//! batch of the same size allocates nothing.

mod build;
mod evaluate;
pub(crate) mod fit;
pub mod importance;
mod io;
pub mod onnx;
mod running_stats;
mod sequence;
mod state;
pub mod trace;

pub use build::{MAX_HEADS, MAX_LAYERS, MAX_PARAMS, MAX_SEQUENCE_LEN, MAX_UNITS, MAX_VOCAB};
pub use evaluate::Evaluation;
pub(crate) use fit::EarlyStopper;
pub use fit::{Callback, FitOptions, History, Logs};
pub use io::{MAX_MODEL_BYTES, MODEL_FORMAT, MODEL_VERSION};
#[cfg(feature = "webgpu")]
pub(crate) use running_stats::check_running_stats;
pub use sequence::AttentionMap;
pub use sequence::MAX_ATTENTION_WEIGHTS;

use crate::kernels::parallel;
use crate::nn::layer::Layer;
use crate::nn::loss::loss_and_grad;
use crate::nn::optim::Optimizer;
use crate::spec::{CompileSpec, ModelSpec};
use crate::{Error, Matrix, Result, Rng};

/// Rows per forward pass in `predict`: bounds memory for large inputs, and keeps a narrow
/// network's activations in L1 (256 rows × 8 units is 8 KiB per buffer) between layers.
const PREDICT_CHUNK: usize = 256;

/// A feed-forward model built from a [`ModelSpec`].
#[derive(Debug, Clone)]
pub struct Sequential {
    spec: ModelSpec,
    layers: Vec<Layer>,
    compiled: Option<Compiled>,
    rng: Rng,
    seed: u64,
    epochs_trained: usize,
    /// `acts[0]` is the input batch, `acts[i + 1]` the output of layer `i`.
    acts: Vec<Matrix>,
    grad_a: Matrix,
    grad_b: Matrix,
    batch_y: Matrix,
    order: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Compiled {
    spec: CompileSpec,
    optimizer: Optimizer,
}

impl Sequential {
    /// Builds the layers and initialises weights from `seed`.
    pub fn new(spec: ModelSpec, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let layers = build::build_layers(&spec, &mut rng)?;
        let depth = layers.len();
        Ok(Self {
            spec,
            layers,
            compiled: None,
            rng,
            seed,
            epochs_trained: 0,
            acts: vec![Matrix::default(); depth + 1],
            grad_a: Matrix::default(),
            grad_b: Matrix::default(),
            batch_y: Matrix::default(),
            order: Vec::new(),
        })
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The compile settings, once compiled.
    pub fn compile_spec(&self) -> Option<&CompileSpec> {
        self.compiled.as_ref().map(|c| &c.spec)
    }

    /// Epochs completed through `fit` / `train_epoch`.
    pub fn epochs_trained(&self) -> usize {
        self.epochs_trained
    }

    /// Optimiser updates applied so far.
    pub fn iterations(&self) -> u64 {
        self.compiled.as_ref().map_or(0, |c| c.optimizer.iterations)
    }

    /// The learning rate of update `t` (0-based; warm-up and schedule applied), once compiled.
    pub fn learning_rate_at(&self, t: u64) -> Option<f32> {
        self.compiled
            .as_ref()
            .map(|c| c.optimizer.learning_rate_at(t))
    }

    /// Sets the optimiser's step count (after steps were taken by another backend), so that
    /// schedules and bias corrections continue from there. No effect before `compile`.
    pub fn set_iterations(&mut self, iterations: u64) {
        if let Some(c) = self.compiled.as_mut() {
            c.optimizer.iterations = iterations;
        }
    }

    pub fn input_dim(&self) -> usize {
        self.spec.input_dim
    }

    pub fn output_dim(&self) -> usize {
        self.layers
            .iter()
            .fold(self.spec.input_dim, |d, l| l.output_dim(d))
    }

    /// Sets optimiser, loss, metrics and penalty; the optimiser state starts fresh.
    pub fn compile(&mut self, spec: CompileSpec) -> Result<()> {
        build::validate_compile(&spec, &self.layers, self.output_dim())?;
        if self.spec.per_position() && spec.loss != crate::spec::LossKind::CategoricalCrossentropy {
            return Err(Error::InvalidConfig(
                "a model with an output per position is trained with categorical cross-entropy over its tokens; choose that loss, or pool the sequence first".into(),
            ));
        }
        let optimizer = Optimizer::new(spec.optimizer.clone())?;
        self.compiled = Some(Compiled { spec, optimizer });
        Ok(())
    }

    /// Changes the base learning rate, keeping weights and optimiser state.
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        let c = self.compiled_mut()?;
        let mut spec = c.optimizer.spec.clone();
        spec.learning_rate = lr;
        crate::nn::optim::validate(&spec)?;
        c.optimizer.spec.learning_rate = lr;
        c.spec.optimizer.learning_rate = lr;
        Ok(())
    }

    fn compiled_ref(&self) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(not_compiled)
    }

    fn compiled_mut(&mut self) -> Result<&mut Compiled> {
        self.compiled.as_mut().ok_or_else(not_compiled)
    }

    /// Model outputs for `x` (`n×input_dim` → `n×output_dim`), in inference mode.
    pub fn predict(&mut self, x: &Matrix) -> Result<Matrix> {
        self.predict_impl(x, false)
    }

    /// `predict`, or with `logits` the output layer's pre-activation (dense output only).
    fn predict_impl(&mut self, x: &Matrix, logits: bool) -> Result<Matrix> {
        self.check_inputs(x)?;
        let out_dim = self.output_dim();
        let per_row = self.outputs_per_row(x.cols());
        let mut out = Matrix::zeros(x.rows() * per_row, out_dim);
        let cols = x.cols();
        let chunk = PREDICT_CHUNK.min(self.sequences_per_pass(cols));
        let work = self.step_work(chunk.min(x.rows()));
        parallel::with_team(work, || self.predict_chunks(x, logits, chunk, &mut out));
        Ok(out)
    }

    /// Output rows per input row: one, or one per token for a per-position token model.
    fn outputs_per_row(&self, cols: usize) -> usize {
        if self.spec.per_position() {
            cols
        } else {
            1
        }
    }

    /// The passes of [`predict_impl`](Self::predict_impl): `chunk` rows of `x` at a time
    /// into `out`.
    fn predict_chunks(&mut self, x: &Matrix, logits: bool, chunk: usize, out: &mut Matrix) {
        let (cols, out_dim) = (x.cols(), self.output_dim());
        let per_row = self.outputs_per_row(cols);
        let mut start = 0;
        while start < x.rows() {
            let end = (start + chunk).min(x.rows());
            // Rows are contiguous: copy the chunk straight into the input buffer.
            self.acts[0].resize(end - start, cols);
            self.acts[0]
                .as_mut_slice()
                .copy_from_slice(&x.as_slice()[start * cols..end * cols]);
            self.forward_from_acts(false);
            let y = match (logits, self.layers.last()) {
                (true, Some(Layer::Dense(d))) => d.logits(),
                _ => self.acts.last().expect("model has an output buffer"),
            };
            out.as_mut_slice()[start * per_row * out_dim..end * per_row * out_dim]
                .copy_from_slice(y.as_slice());
            start = end;
        }
    }

    /// Inference-mode output of every `Dense` layer (after its activation), in order.
    pub fn layer_outputs(&mut self, x: &Matrix) -> Result<Vec<Matrix>> {
        self.check_inputs(x)?;
        self.forward(x, false);
        Ok(self
            .layers
            .iter()
            .zip(&self.acts[1..])
            .filter(|(l, _)| matches!(l, Layer::Dense(_)))
            .map(|(_, a)| a.clone())
            .collect())
    }

    /// Runs the layers on `x` (copied into `acts[0]`).
    fn forward(&mut self, x: &Matrix, training: bool) {
        self.acts[0].resize(x.rows(), x.cols());
        self.acts[0].as_mut_slice().copy_from_slice(x.as_slice());
        self.forward_from_acts(training);
    }

    fn forward_from_acts(&mut self, training: bool) {
        // A token batch `B×L` holds one sequence per row.
        let seq_len = self.acts[0].cols().max(1);
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let (head, tail) = self.acts.split_at_mut(i + 1);
            layer.forward(&head[i], &mut tail[0], training, &mut self.rng, seq_len);
        }
    }

    /// One optimiser step on the batch already in `acts[0]` / `batch_y`; returns the batch
    /// loss. On a non-finite loss or gradient the weights are left untouched.
    fn train_batch_in_place(&mut self) -> Result<f32> {
        let loss = self.forward_backward()?;
        self.apply_update()?;
        Ok(loss)
    }

    /// Training-mode forward pass, loss, and backward pass into the layers' gradient buffers.
    fn forward_backward(&mut self) -> Result<f32> {
        self.forward_from_acts(true);
        let compiled = self.compiled.as_ref().ok_or_else(not_compiled)?;
        let (loss_kind, delta) = (compiled.spec.loss, compiled.spec.huber_delta);
        let fused = loss_kind.is_cross_entropy();
        let depth = self.layers.len();
        let loss = {
            let pred = if fused {
                match &self.layers[depth - 1] {
                    Layer::Dense(d) => d.logits(),
                    _ => unreachable!("compile checks that cross-entropy follows a Dense layer"),
                }
            } else {
                &self.acts[depth]
            };
            if self.spec.per_position() {
                crate::nn::token_loss::token_cross_entropy(
                    pred,
                    self.batch_y.as_slice(),
                    compiled.spec.padding_token,
                    &mut self.grad_a,
                )
            } else {
                loss_and_grad(loss_kind, delta, pred, &self.batch_y, &mut self.grad_a)
            }
        };
        if !loss.is_finite() {
            return Err(self.diverged());
        }
        for i in (0..depth).rev() {
            let dx = if i > 0 { Some(&mut self.grad_b) } else { None };
            self.layers[i].backward(
                &self.acts[i],
                &self.acts[i + 1],
                &self.grad_a,
                fused && i == depth - 1,
                dx,
            );
            std::mem::swap(&mut self.grad_a, &mut self.grad_b);
        }
        Ok(loss)
    }

    /// Clips and applies the gradients in the layers' buffers. A non-finite gradient leaves
    /// every weight untouched. The squared norm (in f64) is only computed when clipping needs
    /// it; otherwise a cheaper f32 pass checks finiteness alone.
    fn apply_update(&mut self) -> Result<()> {
        let clip = self.compiled_ref()?.spec.optimizer.clip_norm;
        let mut sq = 0.0f64;
        let mut finite = true;
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| {
                if clip.is_some() {
                    sq += p
                        .grad
                        .iter()
                        .map(|g| (*g as f64) * (*g as f64))
                        .sum::<f64>();
                } else {
                    finite &= crate::tensor::all_finite(p.grad);
                }
            });
        }
        if !(finite && sq.is_finite()) {
            return Err(self.diverged());
        }
        let compiled = self.compiled.as_mut().ok_or_else(not_compiled)?;
        let scale = match clip {
            Some(c) if sq.sqrt() > c as f64 => (c as f64 / sq.sqrt()) as f32,
            _ => 1.0,
        };
        let reg = compiled.spec.regularization;
        let ctx = compiled.optimizer.begin_step();
        let mut idx = 0;
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| {
                compiled.optimizer.update(idx, p, ctx, reg, scale);
                idx += 1;
            });
        }
        Ok(())
    }

    /// The training-mode loss on `(x, y)` and the gradient of every parameter tensor (in
    /// [`params`](Self::params) order), without updating anything but batch-norm running
    /// statistics. Used by gradient checks.
    pub fn gradients(&mut self, x: &Matrix, y: &Matrix) -> Result<(f32, Vec<Vec<f32>>)> {
        self.check_training_data(x, y, 1)?;
        self.acts[0] = x.clone();
        self.batch_y = y.clone();
        let loss = self.forward_backward()?;
        let mut grads = Vec::new();
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| grads.push(p.grad.to_vec()));
        }
        Ok((loss, grads))
    }

    /// Copies of every trainable tensor, in a fixed order (per layer: weights then bias; batch
    /// norm: gamma then beta).
    pub fn params(&mut self) -> Vec<Vec<f32>> {
        let mut out = Vec::new();
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| out.push(p.value.to_vec()));
        }
        out
    }

    /// Replaces every trainable tensor (same order and sizes as [`params`](Self::params)).
    pub fn set_params(&mut self, values: &[Vec<f32>]) -> Result<()> {
        let current = self.params();
        if current.len() != values.len()
            || current.iter().zip(values).any(|(a, b)| a.len() != b.len())
        {
            return Err(Error::Shape(
                "parameter list does not match the model".into(),
            ));
        }
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::InvalidData("parameters must be finite".into()));
        }
        let mut i = 0;
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| {
                p.value.copy_from_slice(&values[i]);
                i += 1;
            });
        }
        Ok(())
    }

    /// `(W: in×out, bias)` of every dense layer, in order.
    pub fn dense_params(&self) -> Vec<(Matrix, Vec<f32>)> {
        self.layers
            .iter()
            .filter_map(|l| {
                if let Layer::Dense(d) = l {
                    Some((d.w.clone(), d.b.clone()))
                } else {
                    None
                }
            })
            .collect()
    }

    fn dense_mut(&mut self, dense_index: usize) -> Result<&mut crate::nn::dense::Dense> {
        let count = self
            .layers
            .iter()
            .filter(|l| matches!(l, Layer::Dense(_)))
            .count();
        self.layers
            .iter_mut()
            .filter_map(|l| {
                if let Layer::Dense(d) = l {
                    Some(d)
                } else {
                    None
                }
            })
            .nth(dense_index)
            .ok_or_else(|| {
                Error::InvalidConfig(format!(
                    "no dense layer {dense_index}; the model has {count}"
                ))
            })
    }

    /// Sets one weight `W[from][to]` of dense layer `dense_index`.
    pub fn set_weight(
        &mut self,
        dense_index: usize,
        from: usize,
        to: usize,
        value: f32,
    ) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::InvalidData(format!(
                "weight must be a finite number, got {value}"
            )));
        }
        let d = self.dense_mut(dense_index)?;
        if from >= d.inputs() || to >= d.units() {
            return Err(Error::InvalidConfig(format!(
                "no weight {from}→{to}: the layer is {}×{}",
                d.inputs(),
                d.units()
            )));
        }
        d.w.set(from, to, value);
        Ok(())
    }

    /// Sets the bias of unit `unit` of dense layer `dense_index`.
    pub fn set_bias(&mut self, dense_index: usize, unit: usize, value: f32) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::InvalidData(format!(
                "bias must be a finite number, got {value}"
            )));
        }
        let d = self.dense_mut(dense_index)?;
        if unit >= d.units() {
            return Err(Error::InvalidConfig(format!(
                "no unit {unit}: the layer has {}",
                d.units()
            )));
        }
        d.b[unit] = value;
        Ok(())
    }

    fn diverged(&self) -> Error {
        Error::Diverged {
            epoch: self.epochs_trained + 1,
            step: self.iterations() as usize + 1,
            hint: crate::error::DIVERGENCE_HINT.into(),
        }
    }

    /// Trains on `x`, `y` for one pass in mini-batches (in the order
    /// [`crate::train::epoch_order`] gives for this model's seed and epoch count); returns
    /// the mean training loss, each batch weighted by its rows.
    pub fn train_epoch(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        batch_size: usize,
        shuffle: bool,
    ) -> Result<f32> {
        self.check_training_data(x, y, batch_size)?;
        let order = crate::train::epoch_order(self.seed, self.epochs_trained, x.rows(), shuffle);
        let losses = self.train_rows(x, y, &order, batch_size, &mut |_, _| true)?;
        self.count_epoch();
        Ok(crate::train::mean_batch_loss(
            &losses,
            order.len(),
            batch_size,
        ))
    }

    /// Runs `steps` optimiser steps on consecutive (wrapping) mini-batches, without
    /// shuffling; returns the mean batch loss. For benchmarks and fine-grained stepping.
    pub fn train_steps(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        batch_size: usize,
        steps: usize,
    ) -> Result<f32> {
        self.check_training_data(x, y, batch_size)?;
        let n = x.rows();
        let mut total = 0.0;
        let mut start = 0;
        let work = self.step_work(batch_size);
        parallel::with_team(work, || {
            for _ in 0..steps {
                let end = (start + batch_size).min(n);
                self.order.clear();
                self.order.extend(start..end);
                self.load_batch(x, y);
                total += self.train_batch_in_place()?;
                start = if end == n { 0 } else { end };
            }
            Ok::<_, Error>(())
        })?;
        Ok(if steps == 0 {
            0.0
        } else {
            total / steps as f32
        })
    }

    /// One optimiser step per batch of `batch_size` consecutive entries of `rows` (row
    /// indices of `x`, `y`, already checked by the caller); returns each batch's loss.
    /// `on_batch(b, loss)` follows every batch; `false` stops after that batch. What the CPU
    /// trainer runs.
    pub(crate) fn train_rows(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch_size: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>> {
        let mut losses = Vec::with_capacity(rows.len().div_ceil(batch_size.max(1)));
        let work = self.step_work(batch_size);
        parallel::with_team(work, || {
            for (b, chunk) in rows.chunks(batch_size.max(1)).enumerate() {
                self.order.clear();
                self.order.extend_from_slice(chunk);
                self.load_batch(x, y);
                let loss = self.train_batch_in_place()?;
                losses.push(loss);
                if !on_batch(b, loss) {
                    break;
                }
            }
            Ok::<_, Error>(())
        })?;
        Ok(losses)
    }

    /// About the multiply-adds of one forward pass over a batch of `batch` rows (rows ×
    /// positions × parameters; a token model applies its weights at every position): what
    /// decides whether a run of steps is worth keeping the pool awake for.
    fn step_work(&mut self, batch: usize) -> usize {
        let mut params = 0;
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| params += p.value.len());
        }
        let positions = if self.spec.vocab().is_some() {
            self.spec.input_dim
        } else {
            1
        };
        batch.saturating_mul(positions).saturating_mul(params)
    }

    /// Whether training at `batch` rows a step, or predicting (a chunk of the map's rows at
    /// a time), is work the threads build would split over its pool: what the page asks
    /// before it loads that build.
    pub fn splits_over_threads(&mut self, batch: usize) -> bool {
        parallel::team_pays(self.step_work(batch.max(PREDICT_CHUNK)))
    }

    /// Counts one finished epoch (whichever backend trained it).
    pub(crate) fn count_epoch(&mut self) {
        self.epochs_trained += 1;
    }

    fn load_batch(&mut self, x: &Matrix, y: &Matrix) {
        let order = std::mem::take(&mut self.order);
        self.acts[0].gather_rows(x, &order);
        self.batch_y.gather_rows(y, &order);
        self.order = order;
    }

    fn check_inputs(&self, x: &Matrix) -> Result<()> {
        if let Some(vocab) = self.spec.vocab() {
            return sequence::check_tokens(x, vocab, self.spec.input_dim);
        }
        if x.cols() != self.spec.input_dim {
            return Err(Error::Shape(format!(
                "the model takes {} input features per row, but the data has {}",
                self.spec.input_dim,
                x.cols()
            )));
        }
        if !x.all_finite() {
            return Err(Error::InvalidData(
                "inputs contain NaN or infinite values; clean or drop those rows".into(),
            ));
        }
        Ok(())
    }

    pub(crate) fn check_training_data(
        &self,
        x: &Matrix,
        y: &Matrix,
        batch_size: usize,
    ) -> Result<()> {
        let compiled = self.compiled_ref()?;
        if batch_size == 0 {
            return Err(Error::InvalidConfig("batch size must be at least 1".into()));
        }
        self.check_inputs(x)?;
        if x.rows() == 0 {
            return Err(Error::InvalidData(
                "no training rows: add data before training".into(),
            ));
        }
        self.check_attention_size(batch_size.min(x.rows()), x.cols())?;
        if self.spec.per_position() {
            return sequence::check_token_targets(
                x,
                y,
                self.output_dim(),
                compiled.spec.padding_token,
            );
        }
        build::check_targets(compiled.spec.loss, self.output_dim(), x.rows(), y)
    }
}

fn not_compiled() -> Error {
    Error::InvalidConfig(
        "the model is not compiled: call compile(optimizer, loss, metrics) first".into(),
    )
}
