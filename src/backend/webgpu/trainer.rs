//! `GpuTrainer`: a compiled `Sequential` (dense and dropout layers) trained on the GPU.
//!
//! Everything is created once: parameter, optimiser-state, activation and gradient buffers
//! for `max_batch` rows, the pipelines, and one bind group per dispatch. `train_steps`
//! records K steps (forward, loss, backward, update) into one command buffer, submits it
//! once, and reads the K losses and the weights back with one asynchronous map. The weights
//! read back are kept, so a lost device loses nothing that was reported.

use super::context::GpuContext;
use super::kernels::{
    activation_code, matmul_kernel, record, step_bytes, Bindings, Dispatch, Dummies, Extent,
    Kernel, Kernels, MatmulShape, Op, OpBuilder, Step, STEP_STRIDE,
};
use super::ops::{initial_state, loss_code, update_op};
use crate::nn::optim::Optimizer;
use crate::spec::{CompileSpec, LayerSpec, LossKind};
use crate::{Activation, Error, Matrix, Result, Sequential};

/// Most optimiser steps recorded into one submit; `train_steps` splits longer runs.
pub const MAX_STEPS_PER_SUBMIT: usize = 512;

/// Floats of activations per prediction chunk (bounds the prediction buffers).
const PREDICT_BUDGET: usize = 1 << 22;

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
}

impl Stage {
    fn width(&self) -> usize {
        match *self {
            Stage::Dense { units, .. } => units,
            Stage::Dropout { width, .. } => width,
        }
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
    _x: wgpu::Buffer,
    _y: wgpu::Buffer,
    rows: usize,
    _ops: wgpu::Buffer,
    dispatches: Vec<Dispatch>,
}

/// Prediction buffers and recording (inference mode: dropout is the identity).
struct Predict {
    chunk: usize,
    input: wgpu::Buffer,
    output: usize,
    bufs: Vec<wgpu::Buffer>,
    _ops: wgpu::Buffer,
    dispatches: Vec<Dispatch>,
    steps: wgpu::Buffer,
    step_group: wgpu::BindGroup,
    staging: wgpu::Buffer,
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
    /// `max_batch` rows. The optimiser state starts fresh, as after `compile`.
    pub fn new(ctx: &GpuContext, model: &Sequential, max_batch: usize) -> Result<Self> {
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
                LayerSpec::BatchNorm { .. } => {
                    return Err(Error::NotCompiled(
                        "batch normalisation is not implemented on the GPU backend yet; \
                         train this model on the CPU"
                            .into(),
                    ))
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
            if let Stage::Dense { use_bias, .. } = *s {
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
                push(&initial[p], true)?;
                if use_bias {
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
                Stage::Dropout { .. } => None,
            });
        }
        let mut grad_slot = vec![0; stages.len()];
        let mut grad_bufs = Vec::new();
        let last = stages.len() - 1;
        grad_bufs.push(ctx.storage("gradients", max_batch * stages[last].width())?);
        for i in (1..stages.len()).rev() {
            grad_slot[i - 1] = if matches!(stages[i], Stage::Dropout { .. }) {
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
        let param_floats: usize = params.iter().map(|p| p.len).sum();
        let staging = ctx.staging(
            "training read-back",
            ((losses_len(params.len()) + param_floats) * 4) as u64,
        );
        let predict = build_predict(ctx, &kernels, &dummies, &stages, &params, spec.input_dim)?;
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

    /// Optimiser steps applied on the GPU so far.
    pub fn iterations(&self) -> u64 {
        self.optimizer.iterations
    }

    /// The weights as last read back (per dense: W then b), in `Sequential::params` order.
    pub fn last_params(&self) -> &[Vec<f32>] {
        &self.last_params
    }

    /// Writes the last read-back weights into `model` (same architecture). Works after the
    /// device is lost: this is the CPU fallback's resume point.
    pub fn download_into(&self, model: &mut Sequential) -> Result<()> {
        model.set_params(&self.last_params)
    }

    /// Replaces the GPU weights (e.g. after the CPU trained or the user edited a weight);
    /// the optimiser state starts fresh.
    pub fn upload_params(&mut self, values: &[Vec<f32>]) -> Result<()> {
        self.ctx.check_alive()?;
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

    /// Uploads the training set once (features `n×input_dim`, targets `n×outputs`, or `n×1`
    /// class indices for categorical cross-entropy) and records the training step on it.
    pub fn set_data(&mut self, x: &Matrix, y: &Matrix) -> Result<()> {
        self.ctx.check_alive()?;
        self.check_data(x, y)?;
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
            _x: xb,
            _y: yb,
            rows: x.rows(),
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

    /// Records one training step's dispatches over the dataset buffers.
    fn build_training(
        &self,
        xb: &wgpu::Buffer,
        yb: &wgpu::Buffer,
        t_cols: usize,
    ) -> (wgpu::Buffer, Vec<Dispatch>) {
        #[derive(Clone, Copy)]
        enum B {
            X,
            Y,
            Act(usize),
            Z(usize),
            Grad(usize),
            Value(usize),
            PGrad(usize),
            State(usize),
            RowTerms,
            Losses,
        }
        let mut ops = OpBuilder::new();
        let mut binds: Vec<[Option<B>; 4]> = Vec::new();
        let mut push = |k: Kernel, op: Op, x: Extent, y: Extent, b: [Option<B>; 4]| {
            ops.push(k, op, x, y);
            binds.push(b);
        };
        let input = |i: usize| if i == 0 { B::X } else { B::Act(i - 1) };
        let loss = self.compile.loss;
        let fused = loss.is_cross_entropy();
        let last = self.stages.len() - 1;
        // Forward.
        for (i, s) in self.stages.iter().enumerate() {
            let rs = if i == 0 { self.input_dim as u32 } else { 0 };
            match *s {
                Stage::Dense {
                    inputs,
                    units,
                    activation,
                    use_bias,
                    param,
                } => {
                    let op = Op {
                        m: 0,
                        k: inputs as u32,
                        n: units as u32,
                        a_rs: rs,
                        ..Op::default()
                    };
                    push(
                        matmul_kernel(MatmulShape::Nn, &op),
                        op,
                        Extent::fixed(units as u32, 64),
                        Extent::batch(1, 64),
                        [Some(input(i)), Some(B::Value(param)), Some(B::Z(i)), None],
                    );
                    let op = Op {
                        n: units as u32,
                        flags: use_bias as u32,
                        kind: activation_code(activation),
                        ..Op::default()
                    };
                    let bias = use_bias.then_some(B::Value(param + 1));
                    if activation == Activation::Softmax {
                        push(
                            Kernel::BiasSoftmax,
                            op,
                            Extent::batch(1, 256),
                            Extent::fixed(1, 1),
                            [bias, None, Some(B::Z(i)), Some(B::Act(i))],
                        );
                    } else {
                        push(
                            Kernel::BiasAct,
                            op,
                            Extent::batch(units as u32, 256),
                            Extent::fixed(1, 1),
                            [bias, None, Some(B::Z(i)), Some(B::Act(i))],
                        );
                    }
                }
                Stage::Dropout { width, rate } => {
                    let mut op = Op {
                        n: width as u32,
                        k: i as u32 + 1,
                        a_rs: rs,
                        ..Op::default()
                    };
                    op.f[0] = 1.0 - rate;
                    push(
                        Kernel::DropoutForward,
                        op,
                        Extent::batch(width as u32, 256),
                        Extent::fixed(1, 1),
                        [Some(input(i)), None, Some(B::Act(i)), None],
                    );
                }
            }
        }
        // Loss.
        let out = self.output_dim as u32;
        let mut op = Op {
            n: out,
            kind: loss_code(loss),
            extra: t_cols as u32,
            ..Op::default()
        };
        op.f[0] = self.compile.huber_delta;
        let pred = if fused { B::Z(last) } else { B::Act(last) };
        push(
            Kernel::LossRows,
            op,
            Extent::batch(1, 256),
            Extent::fixed(1, 1),
            [
                Some(pred),
                Some(B::Y),
                Some(B::Grad(self.grad_slot[last])),
                Some(B::RowTerms),
            ],
        );
        push(
            Kernel::ReduceLoss,
            Op::default(),
            Extent::fixed(1, 1),
            Extent::fixed(1, 1),
            [Some(B::RowTerms), None, Some(B::Losses), None],
        );
        // Backward.
        for (i, s) in self.stages.iter().enumerate().rev() {
            let g = B::Grad(self.grad_slot[i]);
            let rs = if i == 0 { self.input_dim as u32 } else { 0 };
            match *s {
                Stage::Dense {
                    inputs,
                    units,
                    activation,
                    use_bias,
                    param,
                } => {
                    if !(fused && i == last) && activation != Activation::Linear {
                        let op = Op {
                            n: units as u32,
                            kind: activation_code(activation),
                            ..Op::default()
                        };
                        let (k, x) = if activation == Activation::Softmax {
                            (Kernel::SoftmaxBackward, Extent::batch(1, 256))
                        } else {
                            (Kernel::ActBackward, Extent::batch(units as u32, 256))
                        };
                        push(
                            k,
                            op,
                            x,
                            Extent::fixed(1, 1),
                            [Some(B::Z(i)), Some(B::Act(i)), Some(g), None],
                        );
                    }
                    let op = Op {
                        m: inputs as u32,
                        k: 0,
                        n: units as u32,
                        a_rs: rs,
                        ..Op::default()
                    };
                    push(
                        matmul_kernel(MatmulShape::Tn, &op),
                        op,
                        Extent::fixed(units as u32, 64),
                        Extent::fixed(inputs as u32, 64),
                        [Some(input(i)), Some(g), Some(B::PGrad(param)), None],
                    );
                    if use_bias {
                        let op = Op {
                            n: units as u32,
                            ..Op::default()
                        };
                        push(
                            Kernel::ColSums,
                            op,
                            Extent::fixed(units as u32, 256),
                            Extent::fixed(1, 1),
                            [Some(g), None, Some(B::PGrad(param + 1)), None],
                        );
                    }
                    if i > 0 {
                        let op = Op {
                            m: 0,
                            k: units as u32,
                            n: inputs as u32,
                            ..Op::default()
                        };
                        push(
                            matmul_kernel(MatmulShape::Nt, &op),
                            op,
                            Extent::fixed(inputs as u32, 64),
                            Extent::batch(1, 64),
                            [
                                Some(g),
                                Some(B::Value(param)),
                                Some(B::Grad(self.grad_slot[i - 1])),
                                None,
                            ],
                        );
                    }
                }
                Stage::Dropout { width, rate } => {
                    if i > 0 {
                        let mut op = Op {
                            n: width as u32,
                            k: i as u32 + 1,
                            ..Op::default()
                        };
                        op.f[0] = 1.0 - rate;
                        push(
                            Kernel::DropoutBackward,
                            op,
                            Extent::batch(width as u32, 256),
                            Extent::fixed(1, 1),
                            [None, None, Some(g), None],
                        );
                    }
                }
            }
        }
        // Clipping norms, then updates.
        let clip = self.compile.optimizer.clip_norm.unwrap_or(0.0);
        let norm_base = 1 + MAX_STEPS_PER_SUBMIT;
        if clip > 0.0 {
            for (j, p) in self.params.iter().enumerate() {
                let op = Op {
                    n: p.len as u32,
                    c_off: (norm_base + j) as u32,
                    ..Op::default()
                };
                push(
                    Kernel::SumSquares,
                    op,
                    Extent::fixed(1, 1),
                    Extent::fixed(1, 1),
                    [Some(B::PGrad(j)), None, Some(B::Losses), None],
                );
            }
        }
        for (j, p) in self.params.iter().enumerate() {
            let mut op = update_op(
                &self.compile.optimizer,
                self.compile.regularization,
                p.is_weight,
                p.len,
            );
            op.m = norm_base as u32;
            op.k = self.params.len() as u32;
            op.f[7] = clip;
            push(
                Kernel::Update,
                op,
                Extent::fixed(p.len as u32, 256),
                Extent::fixed(1, 1),
                [
                    Some(B::PGrad(j)),
                    Some(B::Losses),
                    Some(B::Value(j)),
                    Some(B::State(j)),
                ],
            );
        }
        let resolve = |b: Option<B>| -> Option<&wgpu::Buffer> {
            b.map(|b| match b {
                B::X => xb,
                B::Y => yb,
                B::Act(i) => &self.acts[i],
                B::Z(i) => self.zs[i]
                    .as_ref()
                    .expect("dense stages have pre-activations"),
                B::Grad(i) => &self.grad_bufs[i],
                B::Value(j) => &self.params[j].value,
                B::PGrad(j) => &self.params[j].grad,
                B::State(j) => &self.params[j].state,
                B::RowTerms => &self.row_terms,
                B::Losses => &self.losses,
            })
        };
        ops.finish(&self.ctx, &self.kernels, &self.dummies, |i| {
            let [a, b, c, d] = binds[i];
            Bindings {
                in0: resolve(a),
                in1: resolve(b),
                out0: resolve(c),
                out1: resolve(d),
            }
        })
    }

    /// Runs `steps` optimiser steps on consecutive (wrapping) batches of `batch_size` rows
    /// of the uploaded data, exactly as `Sequential::train_steps` walks them; returns the mean
    /// batch loss. Up to [`MAX_STEPS_PER_SUBMIT`] steps share one submit and one read-back.
    pub async fn train_steps(&mut self, batch_size: usize, steps: usize) -> Result<f32> {
        self.ctx.check_alive()?;
        let rows = self
            .data
            .as_ref()
            .ok_or_else(|| {
                Error::InvalidConfig("no training data on the GPU: call set_data first".into())
            })?
            .rows;
        if batch_size == 0 || batch_size > self.max_batch {
            return Err(Error::InvalidConfig(format!(
                "batch size must be between 1 and {} (the size the GPU trainer was built for), got {batch_size}",
                self.max_batch
            )));
        }
        let mut total = 0.0f64;
        let mut done = 0;
        let mut start = 0;
        while done < steps {
            let k = (steps - done).min(MAX_STEPS_PER_SUBMIT);
            let mut slots = Vec::with_capacity(k);
            let mut row_counts = Vec::with_capacity(k);
            for s in 0..k {
                let end = (start + batch_size).min(rows);
                let ctx = self.optimizer.begin_step();
                slots.push(Step {
                    m: (end - start) as u32,
                    row_off: start as u32,
                    seed: self.step_seed(),
                    index: s as u32,
                    lr: ctx.lr,
                    bias1: ctx.bias1,
                    bias2: ctx.bias2,
                    pad: 0.0,
                });
                row_counts.push((end - start) as u32);
                start = if end == rows { 0 } else { end };
            }
            let per_epoch = rows.div_ceil(batch_size) as u64;
            let losses = self.submit_steps(&slots, &row_counts, per_epoch).await?;
            total += losses.iter().map(|&l| l as f64).sum::<f64>();
            done += k;
        }
        Ok(if steps == 0 {
            0.0
        } else {
            (total / steps as f64) as f32
        })
    }

    /// A fresh 32-bit dropout seed per step (splitmix64 over the model seed and step count).
    fn step_seed(&self) -> u32 {
        let mut z = self.seed
            ^ self
                .optimizer
                .iterations
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as u32
    }

    /// One submit of `slots.len()` steps, one read-back of their losses and the weights.
    /// `per_epoch`: steps per pass over the data, to say in which epoch a divergence happened.
    async fn submit_steps(
        &mut self,
        slots: &[Step],
        rows: &[u32],
        per_epoch: u64,
    ) -> Result<Vec<f32>> {
        let first_step = self.optimizer.iterations - slots.len() as u64;
        let data = self.data.as_ref().expect("checked by train_steps");
        let q = &self.ctx.queue;
        q.write_buffer(&self.steps, 0, &step_bytes(slots));
        q.write_buffer(&self.losses, 0, bytemuck::cast_slice(&[0.0f32]));
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("training steps"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("training steps"),
                timestamp_writes: None,
            });
            for (slot, &m) in rows.iter().enumerate() {
                record(
                    &mut pass,
                    &self.step_group,
                    slot as u32,
                    m,
                    &data.dispatches,
                );
            }
        }
        let head = (1 + slots.len()) as u64 * 4;
        enc.copy_buffer_to_buffer(&self.losses, 0, &self.staging, 0, Some(head));
        let mut at = (losses_len(self.params.len()) * 4) as u64;
        for p in &self.params {
            enc.copy_buffer_to_buffer(&p.value, 0, &self.staging, at, Some((p.len * 4) as u64));
            at += (p.len * 4) as u64;
        }
        q.submit([enc.finish()]);
        let total = at as usize / 4;
        let all = self.ctx.read_staging(&self.staging, total).await?;
        let mut off = losses_len(self.params.len());
        for (dst, p) in self.last_params.iter_mut().zip(&self.params) {
            dst.copy_from_slice(&all[off..off + p.len]);
            off += p.len;
        }
        let status = all[0];
        if status != 0.0 {
            let step = first_step + status as u64;
            return Err(Error::Diverged {
                epoch: ((step - 1) / per_epoch.max(1) + 1) as usize,
                step: step as usize,
                hint: "Try a lower learning rate (e.g. ÷10), gradient clipping, or standardised inputs."
                    .into(),
            });
        }
        Ok(all[1..1 + slots.len()].to_vec())
    }

    /// Model outputs for `x` (`n×input_dim` → `n×outputs`, after the output activation), in
    /// inference mode, computed on the GPU in chunks.
    pub async fn predict(&self, x: &Matrix) -> Result<Matrix> {
        self.ctx.check_alive()?;
        if x.cols() != self.input_dim {
            return Err(Error::Shape(format!(
                "the model takes {} input features per row, but the data has {}",
                self.input_dim,
                x.cols()
            )));
        }
        if !x.all_finite() {
            return Err(Error::InvalidData(
                "inputs contain NaN or infinite values; clean or drop those rows".into(),
            ));
        }
        let p = &self.predict;
        let out_dim = self.output_dim;
        let mut out = Vec::with_capacity(x.rows() * out_dim);
        let mut start = 0;
        while start < x.rows() {
            let end = (start + p.chunk).min(x.rows());
            let m = (end - start) as u32;
            let q = &self.ctx.queue;
            q.write_buffer(
                &p.input,
                0,
                bytemuck::cast_slice(&x.as_slice()[start * self.input_dim..end * self.input_dim]),
            );
            q.write_buffer(
                &p.steps,
                0,
                &step_bytes(&[Step {
                    m,
                    ..Step::default()
                }]),
            );
            let mut enc = self.ctx.device.create_command_encoder(&Default::default());
            {
                let mut pass = enc.begin_compute_pass(&Default::default());
                record(&mut pass, &p.step_group, 0, m, &p.dispatches);
            }
            let len = (end - start) * out_dim;
            enc.copy_buffer_to_buffer(
                &p.bufs[p.output],
                0,
                &p.staging,
                0,
                Some((len.max(1) * 4) as u64),
            );
            q.submit([enc.finish()]);
            out.extend_from_slice(&self.ctx.read_staging(&p.staging, len).await?);
            start = end;
        }
        Matrix::from_vec(x.rows(), out_dim, out)
    }
}

/// Prediction buffers for chunks of rows, and the forward recording over them.
fn build_predict(
    ctx: &GpuContext,
    kernels: &Kernels,
    dummies: &Dummies,
    stages: &[Stage],
    params: &[Param],
    input_dim: usize,
) -> Result<Predict> {
    let widest: usize = input_dim + stages.iter().map(|s| 2 * s.width()).sum::<usize>();
    let chunk = (PREDICT_BUDGET / widest.max(1)).clamp(64, 16_384);
    let input = ctx.storage("prediction inputs", chunk * input_dim)?;
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Input,
        Param(usize),
        Buf(usize),
    }
    let mut bufs = Vec::new();
    let mut ops = OpBuilder::new();
    let mut binds: Vec<[Option<P>; 4]> = Vec::new();
    let mut cur = P::Input;
    for s in stages {
        if let Stage::Dense {
            inputs,
            units,
            activation,
            use_bias,
            param,
        } = *s
        {
            bufs.push(ctx.storage("prediction pre-activations", chunk * units)?);
            let z = P::Buf(bufs.len() - 1);
            bufs.push(ctx.storage("prediction outputs", chunk * units)?);
            let y = P::Buf(bufs.len() - 1);
            let op = Op {
                m: 0,
                k: inputs as u32,
                n: units as u32,
                ..Op::default()
            };
            ops.push(
                matmul_kernel(MatmulShape::Nn, &op),
                op,
                Extent::fixed(units as u32, 64),
                Extent::batch(1, 64),
            );
            binds.push([Some(cur), Some(P::Param(param)), Some(z), None]);
            let op = Op {
                n: units as u32,
                flags: use_bias as u32,
                kind: activation_code(activation),
                ..Op::default()
            };
            let bias = use_bias.then_some(P::Param(param + 1));
            if activation == Activation::Softmax {
                ops.push(
                    Kernel::BiasSoftmax,
                    op,
                    Extent::batch(1, 256),
                    Extent::fixed(1, 1),
                );
            } else {
                ops.push(
                    Kernel::BiasAct,
                    op,
                    Extent::batch(units as u32, 256),
                    Extent::fixed(1, 1),
                );
            }
            binds.push([bias, None, Some(z), Some(y)]);
            cur = y;
        }
    }
    // Dropout is the identity at inference, so the last dense output is the model's.
    let P::Buf(output) = cur else {
        return Err(Error::InvalidConfig("the model has no dense layer".into()));
    };
    let resolve = |b: Option<P>| -> Option<&wgpu::Buffer> {
        b.map(|b| match b {
            P::Input => &input,
            P::Param(j) => &params[j].value,
            P::Buf(i) => &bufs[i],
        })
    };
    let (ops_buf, dispatches) = ops.finish(ctx, kernels, dummies, |i| {
        let [a, b, c, d] = binds[i];
        Bindings {
            in0: resolve(a),
            in1: resolve(b),
            out0: resolve(c),
            out1: resolve(d),
        }
    });
    let steps = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("prediction step"),
        size: STEP_STRIDE,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let step_group = kernels.step_group(ctx, &steps);
    let out_width = stages.iter().rev().find_map(|s| match *s {
        Stage::Dense { units, .. } => Some(units),
        Stage::Dropout { .. } => None,
    });
    let staging = ctx.staging(
        "prediction read-back",
        (chunk * out_width.unwrap_or(1) * 4) as u64,
    );
    Ok(Predict {
        chunk,
        input,
        output,
        bufs,
        _ops: ops_buf,
        dispatches,
        steps,
        step_group,
        staging,
    })
}
