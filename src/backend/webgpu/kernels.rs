//! The compiled kernels: one bind-group layout shared by every WGSL entry point, the
//! pipelines (compiled on first use), the per-dispatch `Op` record and the per-step `Step`
//! slot.

use std::collections::HashMap;
use std::sync::Mutex;

use bytemuck::{Pod, Zeroable};

use super::context::GpuContext;
use super::matmul::{matmul_source, MatmulShape};

const COMMON: &str = include_str!("common.wgsl");
const ELEMENTWISE: &str = include_str!("elementwise.wgsl");
const LOSS: &str = include_str!("loss.wgsl");
const OPTIM: &str = include_str!("optim.wgsl");
const BATCH_NORM: &str = include_str!("batch_norm.wgsl");

/// Bytes between step slots in the step buffer (WebGPU's maximum dynamic-offset alignment).
pub(crate) const STEP_STRIDE: u64 = 256;
/// Bytes between `Op` records in an op buffer (static offsets need the same alignment).
pub(crate) const OP_STRIDE: u64 = 256;

/// Static parameters of one dispatch (mirrors `struct Op` in `common.wgsl`). A dimension of 0
/// means "the step's batch rows"; `a_rs`/`b_rs` add `step.row_off × rs` to the offsets so the
/// first layer reads its batch straight out of the uploaded dataset.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub(crate) struct Op {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub flags: u32,
    pub a_off: u32,
    pub a_rs: u32,
    pub b_off: u32,
    pub b_rs: u32,
    pub c_off: u32,
    pub kind: u32,
    pub extra: u32,
    pub pad0: u32,
    pub f: [f32; 8],
}

/// Per-step values (mirrors `struct Step`): batch rows, first dataset row, dropout seed, the
/// step's slot in the loss buffer, learning rate and Adam's bias corrections.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub(crate) struct Step {
    pub m: u32,
    pub row_off: u32,
    pub seed: u32,
    pub index: u32,
    pub lr: f32,
    pub bias1: f32,
    pub bias2: f32,
    pub pad: f32,
}

/// Every entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kernel {
    /// A matmul; `vec_a`/`vec_b`: that operand is read as `vec4`; `wide`: 128×128 tiles of
    /// 8×8 outputs per invocation in workgroup memory (else the direct kernel, 8×4 outputs
    /// per invocation read straight from storage).
    Matmul {
        shape: MatmulShape,
        vec_a: bool,
        vec_b: bool,
        wide: bool,
    },
    BiasAct,
    BiasSoftmax,
    ActBackward,
    SoftmaxBackward,
    ColSums,
    DropoutForward,
    DropoutBackward,
    LossRows,
    ReduceLoss,
    SumSquares,
    Update,
    /// Batch normalisation (`batch_norm.wgsl`).
    BnStats,
    BnRunning,
    BnNormalize,
    BnAffine,
    BnSums,
    BnParamGrads,
    BnInputGrad,
}

/// Pipelines and layouts, created once per trainer (or per test run).
pub(crate) struct Kernels {
    pub op_layout: wgpu::BindGroupLayout,
    pub step_layout: wgpu::BindGroupLayout,
    device: wgpu::Device,
    layout: wgpu::PipelineLayout,
    cache: Mutex<HashMap<Kernel, wgpu::ComputePipeline>>,
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn uniform_entry(binding: u32, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

impl Kernels {
    pub fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let op_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("op"),
            entries: &[
                uniform_entry(0, false),
                storage_entry(1, true),
                storage_entry(2, true),
                storage_entry(3, false),
                storage_entry(4, false),
            ],
        });
        let step_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("step"),
            entries: &[uniform_entry(0, true)],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("kernels"),
            bind_group_layouts: &[Some(&op_layout), Some(&step_layout)],
            immediate_size: 0,
        });
        Self {
            device: device.clone(),
            op_layout,
            step_layout,
            layout,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The pipeline of `k`, compiled on first use: a trainer compiles only the variants its
    /// layers need (shader compilation dominates start-up on software adapters).
    pub fn pipeline(&self, k: Kernel) -> wgpu::ComputePipeline {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cache.get(&k) {
            return p.clone();
        }
        let (body, entry) = match k {
            Kernel::Matmul {
                shape,
                vec_a,
                vec_b,
                wide,
            } => (matmul_source(shape, vec_a, vec_b, wide), "main"),
            Kernel::BiasAct => (ELEMENTWISE.to_string(), "bias_act"),
            Kernel::BiasSoftmax => (ELEMENTWISE.to_string(), "bias_softmax"),
            Kernel::ActBackward => (ELEMENTWISE.to_string(), "act_backward"),
            Kernel::SoftmaxBackward => (ELEMENTWISE.to_string(), "softmax_backward"),
            Kernel::ColSums => (ELEMENTWISE.to_string(), "col_sums"),
            Kernel::DropoutForward => (ELEMENTWISE.to_string(), "dropout_forward"),
            Kernel::DropoutBackward => (ELEMENTWISE.to_string(), "dropout_backward"),
            Kernel::LossRows => (LOSS.to_string(), "loss_rows"),
            Kernel::ReduceLoss => (LOSS.to_string(), "reduce_loss"),
            Kernel::SumSquares => (LOSS.to_string(), "sum_squares"),
            Kernel::Update => (OPTIM.to_string(), "update"),
            Kernel::BnStats => (BATCH_NORM.to_string(), "bn_stats"),
            Kernel::BnRunning => (BATCH_NORM.to_string(), "bn_running"),
            Kernel::BnNormalize => (BATCH_NORM.to_string(), "bn_normalize"),
            Kernel::BnAffine => (BATCH_NORM.to_string(), "bn_affine"),
            Kernel::BnSums => (BATCH_NORM.to_string(), "bn_sums"),
            Kernel::BnParamGrads => (BATCH_NORM.to_string(), "bn_param_grads"),
            Kernel::BnInputGrad => (BATCH_NORM.to_string(), "bn_input_grad"),
        };
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(entry),
                source: wgpu::ShaderSource::Wgsl(format!("{COMMON}\n{body}").into()),
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&self.layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            });
        cache.insert(k, pipeline.clone());
        pipeline
    }

    /// The step bind group over a buffer of step slots (bound at a dynamic offset per step).
    pub fn step_group(&self, ctx: &GpuContext, steps: &wgpu::Buffer) -> wgpu::BindGroup {
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("step"),
            layout: &self.step_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: steps,
                    offset: 0,
                    size: wgpu::BufferSize::new(std::mem::size_of::<Step>() as u64),
                }),
            }],
        })
    }
}
