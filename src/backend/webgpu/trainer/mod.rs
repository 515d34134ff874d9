//! `GpuTrainer`: a compiled `Sequential` (dense, dropout and batch-norm layers) trained on
//! the GPU.
//!
//! Everything is created once: parameter, optimiser-state, activation and gradient buffers
//! for `max_batch` rows, the pipelines, and one bind group per dispatch. `train_steps`
//! records K steps (forward, loss, backward, update) into one command buffer, submits it
//! once, and reads the K losses and the weights back with one asynchronous map. The weights
//! read back are kept, so a lost device loses nothing that was reported.

mod batch_norm;
mod graph;
mod predict;
mod state;
mod steps;

use super::codes::initial_state;
use super::context::GpuContext;
use super::dispatch::{Dispatch, Dummies};
use super::kernels::{Kernels, STEP_STRIDE};
use crate::nn::optim::Optimizer;
use crate::spec::{CompileSpec, LayerSpec, LossKind};
use crate::{Activation, Error, Matrix, Result, Sequential};
use batch_norm::BnLayers;
use predict::{build_predict, Predict};

/// Most optimiser steps recorded into one submit; `train_steps` splits longer runs.
pub const MAX_STEPS_PER_SUBMIT: usize = 512;

#[derive(Debug, Clone, Copy)]
enum Stage {
    Dense {
        inputs: usize,
        units: usize,
        activation: Activation,
        use_bias: bool,
        /// Index of W in the parameter list (b follows when `use_bias`).
        param: usize,
    },
    Dropout {
        width: usize,
        rate: f32,
    },
    BatchNorm {
        width: usize,
        momentum: f32,
        epsilon: f32,
        /// Index of γ in the parameter list (β follows).
        param: usize,
        /// Index among the batch-norm stages (their buffers in `BnLayers`).
        layer: usize,
    },
}

impl Stage {
    fn width(&self) -> usize {
        match *self {
            Stage::Dense { units, .. } => units,
            Stage::Dropout { width, .. } | Stage::BatchNorm { width, .. } => width,
        }
    }

    /// Backward writes the input gradient over the output gradient, so both share a buffer.
    fn in_place_backward(&self) -> bool {
        !matches!(self, Stage::Dense { .. })
    }
}

struct Param {
    value: wgpu::Buffer,
    grad: wgpu::Buffer,
    state: wgpu::Buffer,
    len: usize,
    is_weight: bool,
}

/// The uploaded dataset and the training recording that reads it.
struct Data {
    x: wgpu::Buffer,
    y: wgpu::Buffer,
    rows: usize,
    y_cols: usize,
    _ops: wgpu::Buffer,
    dispatches: Vec<Dispatch>,
}

/// A model's training on the GPU. Build with [`GpuTrainer::new`], upload data with
/// [`set_data`](Self::set_data), then call [`train_steps`](Self::train_steps).
pub struct GpuTrainer {
    ctx: GpuContext,
    kernels: Kernels,
    dummies: Dummies,
    stages: Vec<Stage>,
    compile: CompileSpec,
    input_dim: usize,
    output_dim: usize,
    max_batch: usize,
    params: Vec<Param>,
    bn: BnLayers,
    /// Output of each stage (`max_batch × width`); a stage's input is the previous output or
    /// the dataset.
    acts: Vec<wgpu::Buffer>,
    /// Pre-activation of each dense stage.
    zs: Vec<Option<wgpu::Buffer>>,
    /// Gradient w.r.t. each stage's output: index into `grad_bufs` (dropout shares its
    /// input's buffer, so its backward runs in place).
    grad_slot: Vec<usize>,
    grad_bufs: Vec<wgpu::Buffer>,
    row_terms: wgpu::Buffer,
    /// `[status, loss per step slot …, Σg² per parameter …]`.
    losses: wgpu::Buffer,
    steps: wgpu::Buffer,
    step_group: wgpu::BindGroup,
    staging: wgpu::Buffer,
    data: Option<Data>,
    predict: Predict,
    optimizer: Optimizer,
    seed: u64,
    last_params: Vec<Vec<f32>>,
}

impl std::fmt::Debug for GpuTrainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuTrainer")
            .field("adapter", &self.ctx.adapter_name())
            .field("max_batch", &self.max_batch)
            .finish()
    }
}

fn losses_len(params: usize) -> usize {
    1 + MAX_STEPS_PER_SUBMIT + params
}

impl GpuTrainer {
    /// Builds the GPU copy of `model` (which must be compiled) for batches of up to
    /// `max_batch` rows, with the optimiser state fresh, as after `compile`; `new` (in
    /// `state.rs`) then takes the model's state over.
    fn new_fresh(ctx: &GpuContext, model: &Sequential, max_batch: usize) -> Result<Self> {
        ctx.check_alive()?;
        let compile = model.compile_spec().cloned().ok_or_else(|| {
            Error::InvalidConfig(
                "the model is not compiled: call compile(optimizer, loss, metrics) first".into(),
            )
        })?;
        if max_batch == 0 {
            return Err(Error::InvalidConfig("batch size must be at least 1".into()));
        }
        let spec = model.spec();
        let dense = model.dense_params();
        let mut stages = Vec::new();
        let mut width = spec.input_dim;
        let mut initial = Vec::new();
        let mut dense_iter = dense.into_iter();
        let mut bn_iter = model.batch_norm_params().into_iter().enumerate();
        for layer in &spec.layers {
            match *layer {
                LayerSpec::Dense {
                    units,
                    activation,
                    use_bias,
                    ..
                } => {
                    let (w, b) = dense_iter.next().ok_or_else(|| {
                        Error::Shape("model has fewer dense layers than its spec".into())
                    })?;
                    stages.push(Stage::Dense {
                        inputs: width,
                        units,
                        activation,
                        use_bias,
                        param: initial.len(),
                    });
                    initial.push(w.into_vec());
                    if use_bias {
                        initial.push(b);
                    }
                    width = units;
                }
                LayerSpec::Dropout { rate } => stages.push(Stage::Dropout { width, rate }),
                LayerSpec::BatchNorm { momentum, epsilon } => {
                    let (layer, (gamma, beta)) = bn_iter.next().ok_or_else(|| {
                        Error::Shape("model has fewer batch-norm layers than its spec".into())
                    })?;
                    stages.push(Stage::BatchNorm {
                        width,
                        momentum,
                        epsilon,
                        param: initial.len(),
                        layer,
                    });
                    initial.push(gamma);
                    initial.push(beta);
                }
                ref other => {
                    return Err(Error::InvalidConfig(format!(
                        "the WebGPU trainer has no {} layer yet; train this model on the CPU",
                        other.name()
                    )))
                }
            }
        }
        if stages.is_empty() {
            return Err(Error::InvalidConfig("the model has no layers".into()));
        }
        let kernels = Kernels::new(ctx);
        let dummies = Dummies::new(ctx)?;
        let mut params = Vec::new();
        for s in &stages {
            // Dense: W (a weight), then b; batch norm: γ, then β (neither is a weight, as on
            // the CPU: no L1/L2 penalty, no decoupled decay).
            let tensors = match *s {
                Stage::Dense { use_bias, .. } => Some((true, use_bias)),
                Stage::BatchNorm { .. } => Some((false, true)),
                Stage::Dropout { .. } => None,
            };
            if let Some((first_is_weight, has_second)) = tensors {
                let p = params.len();
                let mut push = |values: &[f32], is_weight: bool| -> Result<()> {
                    params.push(Param {
                        value: ctx.storage_init("param", values),
                        grad: ctx.storage("grad", values.len())?,
                        state: ctx.storage_init(
                            "state",
                            &initial_state(compile.optimizer.kind, values.len()),
                        ),
                        len: values.len(),
                        is_weight,
                    });
                    Ok(())
                };
                push(&initial[p], first_is_weight)?;
                if has_second {
                    push(&initial[p + 1], false)?;
                }
            }
        }
        let mut acts = Vec::new();
        let mut zs = Vec::new();
        for s in &stages {
            acts.push(ctx.storage("activations", max_batch * s.width())?);
            zs.push(match s {
                Stage::Dense { units, .. } => {
                    Some(ctx.storage("pre-activations", max_batch * units)?)
                }
                Stage::Dropout { .. } | Stage::BatchNorm { .. } => None,
            });
        }
        let mut grad_slot = vec![0; stages.len()];
        let mut grad_bufs = Vec::new();
        let last = stages.len() - 1;
        grad_bufs.push(ctx.storage("gradients", max_batch * stages[last].width())?);
        for i in (1..stages.len()).rev() {
            grad_slot[i - 1] = if stages[i].in_place_backward() {
                grad_slot[i]
            } else {
                grad_bufs.push(ctx.storage("gradients", max_batch * stages[i - 1].width())?);
                grad_bufs.len() - 1
            };
        }
        let row_terms = ctx.storage("row losses", max_batch)?;
        let losses = ctx.storage("losses", losses_len(params.len()))?;
        let steps = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("steps"),
            size: MAX_STEPS_PER_SUBMIT as u64 * STEP_STRIDE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let step_group = kernels.step_group(ctx, &steps);
        let bn = BnLayers::new(ctx, model, &stages, max_batch)?;
        let param_floats: usize = params.iter().map(|p| p.len).sum();
        let staging = ctx.staging(
            "training read-back",
            ((losses_len(params.len()) + param_floats + bn.readback_floats()) * 4) as u64,
        );
        let predict = build_predict(
            ctx,
            &kernels,
            &dummies,
            &stages,
            &params,
            &bn,
            spec.input_dim,
        )?;
        let optimizer = Optimizer::new(compile.optimizer.clone())?;
        Ok(Self {
            ctx: ctx.clone(),
            kernels,
            dummies,
            stages,
            compile,
            input_dim: spec.input_dim,
            output_dim: width,
            max_batch,
            params,
            bn,
            acts,
            zs,
            grad_slot,
            grad_bufs,
            row_terms,
            losses,
            steps,
            step_group,
            staging,
            data: None,
            predict,
            optimizer,
            seed: model.seed(),
            last_params: initial,
        })
    }

    /// The adapter this trainer runs on.
    pub fn adapter_name(&self) -> String {
        self.ctx.adapter_name()
    }

    /// Largest batch the buffers hold.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// Optimiser steps so far, including those carried in with the model's state.
    pub fn iterations(&self) -> u64 {
        self.optimizer.iterations
    }

    /// Changes the base learning rate of the steps recorded from now on (the optimiser state
    /// stays).
    pub fn set_learning_rate(&mut self, lr: f32) {
        self.optimizer.spec.learning_rate = lr;
        self.compile.optimizer.learning_rate = lr;
    }

    /// The compile settings this trainer was built with.
    pub fn compile_spec(&self) -> &CompileSpec {
        &self.compile
    }

    /// Kernel launches recorded per training step (forward, loss, backward, updates); `None`
    /// before [`set_data`](Self::set_data). `train_steps` submits up to
    /// [`MAX_STEPS_PER_SUBMIT`] steps of them at once.
    pub fn dispatches_per_step(&self) -> Option<usize> {
        self.data.as_ref().map(|d| d.dispatches.len())
    }

    /// The weights as last read back (per dense: W then b; batch norm: γ then
    /// β), in `Sequential::params` order.
    pub fn last_params(&self) -> &[Vec<f32>] {
        &self.last_params
    }

    /// The batch-norm running statistics as last read back, in `Sequential::running_stats`
    /// order (per layer: mean, then variance).
    pub fn last_running_stats(&self) -> &[Vec<f32>] {
        self.bn.last()
    }

    /// Writes the last read-back weights and batch-norm running statistics into `model`
    /// (same architecture). Works after the device is lost: this is the CPU fallback's resume
    /// point.
    pub fn download_into(&self, model: &mut Sequential) -> Result<()> {
        model.set_params(&self.last_params)?;
        model.set_running_stats(self.bn.last())
    }

    /// Replaces the GPU weights (e.g. after the CPU trained or the user edited a weight);
    /// the optimiser state starts fresh. `values`: `Sequential::params`, optionally followed
    /// by `Sequential::running_stats` to replace the batch-norm running statistics too
    /// (without them those stay as they are, as `Sequential::set_params` leaves them).
    pub fn upload_params(&mut self, values: &[Vec<f32>]) -> Result<()> {
        self.ctx.check_alive()?;
        let (values, running) = values.split_at(values.len().min(self.params.len()));
        if values.len() != self.params.len()
            || values
                .iter()
                .zip(&self.params)
                .any(|(v, p)| v.len() != p.len)
        {
            return Err(Error::Shape(
                "parameter list does not match the model".into(),
            ));
        }
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::InvalidData("parameters must be finite".into()));
        }
        if !running.is_empty() {
            self.bn.check(running)?;
            self.bn.upload(&self.ctx, running);
        }
        for (v, p) in values.iter().zip(&self.params) {
            self.ctx
                .queue
                .write_buffer(&p.value, 0, bytemuck::cast_slice(v));
            let state = initial_state(self.compile.optimizer.kind, p.len);
            self.ctx
                .queue
                .write_buffer(&p.state, 0, bytemuck::cast_slice(&state));
        }
        self.optimizer.reset_state();
        self.last_params = values.to_vec();
        Ok(())
    }

    /// Uploads the training set (features `n×input_dim`, targets `n×outputs`, or `n×1`
    /// class indices for categorical cross-entropy) and records the training step on it.
    /// A set of the same shape as the last one (e.g. the next epoch's shuffle) is written
    /// into the existing buffers: no GPU object is created.
    pub fn set_data(&mut self, x: &Matrix, y: &Matrix) -> Result<()> {
        self.ctx.check_alive()?;
        self.check_data(x, y)?;
        if let Some(d) = &self.data {
            if d.rows == x.rows() && d.y_cols == y.cols() {
                let q = &self.ctx.queue;
                q.write_buffer(&d.x, 0, bytemuck::cast_slice(x.as_slice()));
                q.write_buffer(&d.y, 0, bytemuck::cast_slice(y.as_slice()));
                return Ok(());
            }
        }
        let xb = self.ctx.storage("training inputs", x.as_slice().len())?;
        let yb = self.ctx.storage("training targets", y.as_slice().len())?;
        self.ctx
            .queue
            .write_buffer(&xb, 0, bytemuck::cast_slice(x.as_slice()));
        self.ctx
            .queue
            .write_buffer(&yb, 0, bytemuck::cast_slice(y.as_slice()));
        let (ops, dispatches) = self.build_training(&xb, &yb, y.cols());
        self.data = Some(Data {
            x: xb,
            y: yb,
            rows: x.rows(),
            y_cols: y.cols(),
            _ops: ops,
            dispatches,
        });
        Ok(())
    }

    fn check_data(&self, x: &Matrix, y: &Matrix) -> Result<()> {
        if x.cols() != self.input_dim {
            return Err(Error::Shape(format!(
                "the model takes {} input features per row, but the data has {}",
                self.input_dim,
                x.cols()
            )));
        }
        if x.rows() == 0 {
            return Err(Error::InvalidData(
                "no training rows: add data before training".into(),
            ));
        }
        if y.rows() != x.rows() {
            return Err(Error::Shape(format!(
                "{} input rows but {} label rows; every row needs one label",
                x.rows(),
                y.rows()
            )));
        }
        if !x.all_finite() || !y.all_finite() {
            return Err(Error::InvalidData(
                "inputs or labels contain NaN or infinite values; clean or drop those rows".into(),
            ));
        }
        let out = self.output_dim;
        let sparse =
            self.compile.loss == LossKind::CategoricalCrossentropy && y.cols() == 1 && out > 1;
        if sparse {
            if let Some(bad) = y
                .as_slice()
                .iter()
                .find(|&&v| v < 0.0 || v.fract() != 0.0 || v as usize >= out)
            {
                return Err(Error::InvalidData(format!(
                    "class label {bad} is not an integer in 0..{out}; the output layer has {out} units"
                )));
            }
        } else if y.cols() != out {
            return Err(Error::Shape(format!(
                "labels have {} columns but the model outputs {out}",
                y.cols()
            )));
        }
        Ok(())
    }
}
