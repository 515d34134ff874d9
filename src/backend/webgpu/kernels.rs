//! The compiled kernels: one bind-group layout shared by every WGSL entry point, the
//! pipelines, the per-dispatch `Op` record and the per-step `Step` slot, and `Dispatch` (one
//! recorded kernel launch whose grid may scale with the step's batch rows).

use std::collections::HashMap;
use std::sync::Mutex;

use bytemuck::{Pod, Zeroable};

use super::context::GpuContext;

const COMMON: &str = include_str!("common.wgsl");
const MATMUL: &str = include_str!("matmul.wgsl");
const ELEMENTWISE: &str = include_str!("elementwise.wgsl");
const LOSS: &str = include_str!("loss.wgsl");
const OPTIM: &str = include_str!("optim.wgsl");

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
    /// 8×8 outputs per invocation (else 64×64 of 4×4).
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
}

/// The matmul variant for `op`: an operand is read as `vec4` when the dimension it is
/// contiguous in and all its offsets are multiples of 4 (so no vec4 straddles a row).
pub(crate) fn matmul_kernel(shape: MatmulShape, op: &Op) -> Kernel {
    let fits = |len: u32, off: u32, rs: u32| {
        len != 0 && len.is_multiple_of(4) && off.is_multiple_of(4) && rs.is_multiple_of(4)
    };
    let (a_len, b_len) = match shape {
        MatmulShape::Nn => (op.k, op.n),
        MatmulShape::Tn => (op.m, op.n),
        MatmulShape::Nt => (op.k, op.k),
    };
    // Wide tiles halve the loads per multiply-add but make a quarter as many workgroups:
    // worth it once there are still ≥ 256 of them (a big GPU has ~100 compute units).
    let wide = op.m != 0 && op.n != 0 && op.m as u64 * op.n as u64 >= 2048 * 2048;
    Kernel::Matmul {
        shape,
        vec_a: fits(a_len, op.a_off, op.a_rs),
        vec_b: fits(b_len, op.b_off, op.b_rs),
        wide,
    }
}

/// The three matmul shapes (see `kernels` for the CPU contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatmulShape {
    /// `C = A·B`, A: m×k, B: k×n.
    Nn,
    /// `C = Aᵀ·B`, A: k×m, B: k×n.
    Tn,
    /// `C = A·Bᵀ`, A: m×k, B: n×k.
    Nt,
}

/// One operand's part of the matmul template.
struct Operand {
    buf: &'static str,
    tile: &'static str,
    /// Tile width in the output dimension (`BM` or `BN`).
    width: &'static str,
    /// First output row/column of the workgroup (`row0` or `col0`).
    first: &'static str,
    /// Output extent (`M` or `N`).
    limit: &'static str,
    /// Flat index of element (g, pk), g along the output dimension, pk along k.
    index: &'static str,
    /// Contiguous in memory along k (else along the output dimension).
    along_k: bool,
}

/// WGSL that stages this operand's BK×width tile in workgroup memory. Loads walk memory
/// contiguously; out-of-range elements load as 0.
fn tile_load(o: &Operand, vec4: bool) -> String {
    let Operand {
        buf,
        tile,
        width,
        first,
        limit,
        index,
        along_k,
    } = *o;
    if !vec4 {
        let map = if along_k {
            "let p = idx % BK; let i = idx / BK;".to_string()
        } else {
            format!("let i = idx % {width}; let p = idx / {width};")
        };
        return format!(
            "for (var l = 0u; l < T; l++) {{ let idx = tid + l * 256u; {map} \
             let g = {first} + i; let pk = t + p; var v = 0.0; \
             if (g < {limit} && pk < K) {{ v = {buf}[{index}]; }} {tile}[p * {width} + i] = v; }}"
        );
    }
    let (map, store) = if along_k {
        (
            "let i = idx / 4u; let p = (idx % 4u) * 4u;".to_string(),
            format!("{tile}[(p + q) * {width} + i] = v[q];"),
        )
    } else {
        (
            format!("let i = (idx % ({width} / 4u)) * 4u; let p = idx / ({width} / 4u);"),
            format!("{tile}[p * {width} + i + q] = v[q];"),
        )
    };
    format!(
        "for (var l = 0u; l < TQ; l++) {{ let idx = tid + l * 256u; {map} \
         let g = {first} + i; let pk = t + p; var v = vec4<f32>(0.0); \
         if (g < {limit} && pk < K) {{ v = {buf}[({index}) / 4u]; }} \
         for (var q = 0u; q < 4u; q++) {{ {store} }} }}"
    )
}

/// The matmul template for one shape, operand element types and tile size.
fn matmul_source(shape: MatmulShape, vec_a: bool, vec_b: bool, wide: bool) -> String {
    let a_k = Operand {
        buf: "in0",
        tile: "tile_a",
        width: "BM",
        first: "row0",
        limit: "M",
        index: "a_off + g * K + pk",
        along_k: true,
    };
    let a_t = Operand {
        index: "a_off + pk * M + g",
        along_k: false,
        ..a_k
    };
    let b_n = Operand {
        buf: "in1",
        tile: "tile_b",
        width: "BN",
        first: "col0",
        limit: "N",
        index: "b_off + pk * N + g",
        along_k: false,
    };
    let b_t = Operand {
        index: "b_off + g * K + pk",
        along_k: true,
        ..b_n
    };
    let (a, b) = match shape {
        MatmulShape::Nn => (a_k, b_n),
        MatmulShape::Tn => (a_t, b_n),
        MatmulShape::Nt => (a_k, b_t),
    };
    let elem = |v: bool| if v { "vec4<f32>" } else { "f32" };
    MATMUL
        .replace("TILE_T", if wide { "8u" } else { "4u" })
        .replace("ELEM_A", elem(vec_a))
        .replace("ELEM_B", elem(vec_b))
        .replace("TILE_A", &tile_load(&a, vec_a))
        .replace("TILE_B", &tile_load(&b, vec_b))
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

/// Workgroup count along one axis: `ceil((fixed + batch_mul·m) / per)`, capped at the WebGPU
/// limit (element-wise kernels loop grid-stride over the rest).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extent {
    pub fixed: u32,
    pub batch_mul: u32,
    pub per: u32,
}

impl Extent {
    pub fn fixed(n: u32, per: u32) -> Self {
        Self {
            fixed: n,
            batch_mul: 0,
            per,
        }
    }
    pub fn batch(mul: u32, per: u32) -> Self {
        Self {
            fixed: 0,
            batch_mul: mul,
            per,
        }
    }
    fn groups(self, m: u32) -> u32 {
        (self.fixed + self.batch_mul * m)
            .div_ceil(self.per)
            .clamp(1, 65_535)
    }
}

/// The buffers one dispatch binds (unused slots take dummies).
pub(crate) struct Bindings<'a> {
    pub in0: Option<&'a wgpu::Buffer>,
    pub in1: Option<&'a wgpu::Buffer>,
    pub out0: Option<&'a wgpu::Buffer>,
    pub out1: Option<&'a wgpu::Buffer>,
}

/// Placeholder buffers for unused bindings (two distinct ones: writable bindings may not
/// alias).
pub(crate) struct Dummies {
    ro: wgpu::Buffer,
    rw0: wgpu::Buffer,
    rw1: wgpu::Buffer,
}

impl Dummies {
    pub fn new(ctx: &GpuContext) -> crate::Result<Self> {
        Ok(Self {
            ro: ctx.storage("unused", 4)?,
            rw0: ctx.storage("unused", 4)?,
            rw1: ctx.storage("unused", 4)?,
        })
    }
}

/// One recorded kernel launch.
pub(crate) struct Dispatch {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    x: Extent,
    y: Extent,
}

/// Collects `Op` records into one uniform buffer and makes their bind groups.
pub(crate) struct OpBuilder {
    ops: Vec<(Kernel, Op, Extent, Extent)>,
}

impl OpBuilder {
    pub fn new() -> Self {
        Self { ops: Vec::new() }
    }

    /// Queues a dispatch; returns its index in the op list.
    /// Matmul grids are given in 64-wide tiles; a wide variant's tiles are 128 wide.
    pub fn push(&mut self, kernel: Kernel, op: Op, mut x: Extent, mut y: Extent) -> usize {
        if let Kernel::Matmul { wide: true, .. } = kernel {
            x.per = 128;
            y.per = 128;
        }
        self.ops.push((kernel, op, x, y));
        self.ops.len() - 1
    }

    /// Uploads every `Op` and creates one bind group per dispatch with `bind(index)`.
    pub fn finish<'a>(
        self,
        ctx: &GpuContext,
        kernels: &Kernels,
        dummies: &'a Dummies,
        bind: impl Fn(usize) -> Bindings<'a>,
    ) -> (wgpu::Buffer, Vec<Dispatch>) {
        let mut bytes = vec![0u8; (self.ops.len().max(1) as u64 * OP_STRIDE) as usize];
        for (i, (_, op, _, _)) in self.ops.iter().enumerate() {
            let at = i * OP_STRIDE as usize;
            bytes[at..at + std::mem::size_of::<Op>()].copy_from_slice(bytemuck::bytes_of(op));
        }
        let buffer = wgpu::util::DeviceExt::create_buffer_init(
            &ctx.device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("ops"),
                contents: &bytes,
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let dispatches = self
            .ops
            .into_iter()
            .enumerate()
            .map(|(i, (kernel, _, x, y))| {
                let b = bind(i);
                let whole = |buf: &'a wgpu::Buffer| buf.as_entire_binding();
                let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: None,
                    layout: &kernels.op_layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                buffer: &buffer,
                                offset: i as u64 * OP_STRIDE,
                                size: wgpu::BufferSize::new(std::mem::size_of::<Op>() as u64),
                            }),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: whole(b.in0.unwrap_or(&dummies.ro)),
                        },
                        wgpu::BindGroupEntry {
                            binding: 2,
                            resource: whole(b.in1.unwrap_or(&dummies.ro)),
                        },
                        wgpu::BindGroupEntry {
                            binding: 3,
                            resource: whole(b.out0.unwrap_or(&dummies.rw0)),
                        },
                        wgpu::BindGroupEntry {
                            binding: 4,
                            resource: whole(b.out1.unwrap_or(&dummies.rw1)),
                        },
                    ],
                });
                Dispatch {
                    pipeline: kernels.pipeline(kernel),
                    group,
                    x,
                    y,
                }
            })
            .collect();
        (buffer, dispatches)
    }
}

/// Records `dispatches` for step slot `slot` whose batch has `m` rows.
pub(crate) fn record(
    pass: &mut wgpu::ComputePass<'_>,
    step_group: &wgpu::BindGroup,
    slot: u32,
    m: u32,
    dispatches: &[Dispatch],
) {
    pass.set_bind_group(1, step_group, &[slot * STEP_STRIDE as u32]);
    for d in dispatches {
        pass.set_pipeline(&d.pipeline);
        pass.set_bind_group(0, &d.group, &[]);
        pass.dispatch_workgroups(d.x.groups(m), d.y.groups(m), 1);
    }
}

/// Bytes of `steps` laid out at [`STEP_STRIDE`].
pub(crate) fn step_bytes(steps: &[Step]) -> Vec<u8> {
    let mut bytes = vec![0u8; steps.len().max(1) * STEP_STRIDE as usize];
    for (i, s) in steps.iter().enumerate() {
        let at = i * STEP_STRIDE as usize;
        bytes[at..at + std::mem::size_of::<Step>()].copy_from_slice(bytemuck::bytes_of(s));
    }
    bytes
}

/// The `Op::kind` code of an activation (its index in `Activation::ALL`).
pub(crate) fn activation_code(a: crate::Activation) -> u32 {
    crate::Activation::ALL
        .iter()
        .position(|x| *x == a)
        .expect("ALL lists every activation") as u32
}
