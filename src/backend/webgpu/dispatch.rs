//! Recording: `Dispatch` (one kernel launch with its bind group and a grid that may scale
//! with the step's batch rows), `OpBuilder` (all `Op` records of a recording in one uniform
//! buffer) and `record` (a step's dispatches into a compute pass).

use super::context::GpuContext;
use super::kernels::{Kernel, Kernels, Op, Step, OP_STRIDE, STEP_STRIDE};

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
    /// A matmul's grid is set here from its variant's block (x along n, y along m): 128×128
    /// for a wide one, 32 columns × 64 rows for the direct one; the callers' `per` is ignored.
    pub fn push(&mut self, kernel: Kernel, op: Op, mut x: Extent, mut y: Extent) -> usize {
        if let Kernel::Matmul { wide, .. } = kernel {
            (x.per, y.per) = if wide { (128, 128) } else { (32, 64) };
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
