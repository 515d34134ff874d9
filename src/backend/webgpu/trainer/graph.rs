//! The recording of one training step: forward, loss, backward, clipping norms and updates,
//! as a list of dispatches over the trainer's buffers and the uploaded dataset.

use super::{GpuTrainer, Stage, MAX_STEPS_PER_SUBMIT};
use crate::backend::webgpu::batch_norm::{BnBuf, BnDispatch};
use crate::backend::webgpu::codes::{activation_code, loss_code, update_op};
use crate::backend::webgpu::dispatch::{Bindings, Dispatch, Extent, OpBuilder};
use crate::backend::webgpu::kernels::{Kernel, Op};
use crate::backend::webgpu::matmul::{matmul_kernel, MatmulShape};
use crate::Activation;

impl GpuTrainer {
    /// Records one training step's dispatches over the dataset buffers.
    pub(super) fn build_training(
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
            BnStats(usize),
            BnXhat(usize),
        }
        let mut ops = OpBuilder::new();
        let mut binds: Vec<[Option<B>; 4]> = Vec::new();
        let mut push = |k: Kernel, op: Op, x: Extent, y: Extent, b: [Option<B>; 4]| {
            ops.push(k, op, x, y);
            binds.push(b);
        };
        let input = |i: usize| if i == 0 { B::X } else { B::Act(i - 1) };
        // A batch-norm dispatch of stage `i` on this recording's buffers.
        let bn = |d: BnDispatch, i: usize| {
            let Stage::BatchNorm { param, layer, .. } = self.stages[i] else {
                unreachable!("batch-norm plans come from batch-norm stages")
            };
            let map = |b: BnBuf| match b {
                BnBuf::Input => input(i),
                BnBuf::Output => B::Act(i),
                BnBuf::Grad => B::Grad(self.grad_slot[i]),
                BnBuf::Gamma => B::Value(param),
                BnBuf::Beta => B::Value(param + 1),
                BnBuf::GammaGrad => B::PGrad(param),
                BnBuf::BetaGrad => B::PGrad(param + 1),
                BnBuf::Stats => B::BnStats(layer),
                BnBuf::Xhat => B::BnXhat(layer),
                BnBuf::Status => B::Losses,
            };
            (
                d.kernel,
                d.op,
                d.x,
                Extent::fixed(1, 1),
                d.binds.map(|b| b.map(map)),
            )
        };
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
                Stage::BatchNorm { .. } => {
                    let shape = s.bn_shape(rs).expect("a batch-norm stage");
                    for d in shape.training_forward() {
                        let (k, op, x, y, b) = bn(d, i);
                        push(k, op, x, y, b);
                    }
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
                Stage::BatchNorm { .. } => {
                    let shape = s.bn_shape(rs).expect("a batch-norm stage");
                    for d in shape.backward(i > 0) {
                        let (k, op, x, y, b) = bn(d, i);
                        push(k, op, x, y, b);
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
                B::BnStats(l) => self.bn.stats(l),
                B::BnXhat(l) => self.bn.xhat(l),
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
}
