//! The loss and optimiser kernels run on their own (`KernelRunner`), for the tests that hold
//! them to `nn::loss` and `nn::optim`.

use super::codes::{initial_state, loss_code, update_op};
use super::dispatch::{record, Bindings, Extent};
use super::kernels::{Kernel, Op, Step};
use super::ops::KernelRunner;
use crate::spec::{LossKind, OptimizerSpec, Regularization};
use crate::{Error, Matrix, Result};

impl KernelRunner {
    /// Loss and gradient of predictions (logits for the cross-entropies) `p` against `t`, as
    /// `nn::loss::loss_and_grad` defines them.
    pub async fn loss_and_grad(
        &self,
        kind: LossKind,
        huber_delta: f32,
        p: &Matrix,
        t: &Matrix,
    ) -> Result<(f32, Matrix)> {
        let (m, n) = p.shape();
        if t.rows() != m
            || !(t.cols() == n || (kind == LossKind::CategoricalCrossentropy && t.cols() == 1))
        {
            return Err(Error::Shape(format!(
                "targets {}×{} do not match predictions {m}×{n}",
                t.rows(),
                t.cols()
            )));
        }
        let bp = self.ctx.storage_init("p", p.as_slice());
        let bt = self.ctx.storage_init("t", t.as_slice());
        let bg = self.ctx.storage("grad", m * n)?;
        let brows = self.ctx.storage("row terms", m)?;
        let blosses = self.ctx.storage("losses", 2)?;
        let mut op = Op {
            m: m as u32,
            n: n as u32,
            kind: loss_code(kind),
            extra: t.cols() as u32,
            ..Op::default()
        };
        op.f[0] = huber_delta;
        let reduce = Op {
            m: m as u32,
            ..Op::default()
        };
        let p = self.prepare(
            vec![
                (
                    Kernel::LossRows,
                    op,
                    Extent::fixed(m as u32, 256),
                    Extent::fixed(1, 1),
                    Bindings {
                        in0: Some(&bp),
                        in1: Some(&bt),
                        out0: Some(&bg),
                        out1: Some(&brows),
                    },
                ),
                (
                    Kernel::ReduceLoss,
                    reduce,
                    Extent::fixed(1, 1),
                    Extent::fixed(1, 1),
                    Bindings {
                        in0: Some(&brows),
                        in1: None,
                        out0: Some(&blosses),
                        out1: None,
                    },
                ),
            ],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        let loss = self.ctx.read_buffer(&blosses, 2).await?[1];
        let grad = self.ctx.read_buffer(&bg, m * n).await?;
        Ok((loss, Matrix::from_vec(m, n, grad)?))
    }

    /// Applies `grads.len()` optimiser steps (step t uses `grads[t]`, learning rate and bias
    /// corrections as `Optimizer::begin_step` gives them for a fresh optimiser) to `value`, all
    /// in one submit; returns the final values.
    pub async fn optimizer_steps(
        &self,
        spec: &OptimizerSpec,
        reg: Regularization,
        is_weight: bool,
        value: &[f32],
        grads: &[Vec<f32>],
    ) -> Result<Vec<f32>> {
        let len = value.len();
        if grads.iter().any(|g| g.len() != len) {
            return Err(Error::Shape(
                "every gradient must match the parameter".into(),
            ));
        }
        let mut opt = crate::nn::optim::Optimizer::new(spec.clone())?;
        let bv = self.ctx.storage_init("value", value);
        let bstate = self
            .ctx
            .storage_init("state", &initial_state(spec.kind, len));
        let status = self.ctx.storage("status", 1)?;
        // Each step reads its own gradient, so each gets its own buffer and dispatch.
        let per_step: Vec<wgpu::Buffer> = grads
            .iter()
            .map(|g| self.ctx.storage_init("grad", g))
            .collect();
        let op = update_op(spec, reg, is_weight, len);
        let mut steps = Vec::new();
        let mut ops = Vec::new();
        for (i, gbuf) in per_step.iter().enumerate() {
            let ctx = opt.begin_step();
            steps.push(Step {
                index: i as u32,
                lr: ctx.lr,
                bias1: ctx.bias1,
                bias2: ctx.bias2,
                ..Step::default()
            });
            ops.push((
                Kernel::Update,
                op,
                Extent::fixed(len as u32, 256),
                Extent::fixed(1, 1),
                Bindings {
                    in0: Some(gbuf),
                    in1: Some(&status),
                    out0: Some(&bv),
                    out1: Some(&bstate),
                },
            ));
        }
        let p = self.prepare(ops, &steps);
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            for (i, d) in p.dispatches.iter().enumerate() {
                record(
                    &mut pass,
                    &p.step_group,
                    i as u32,
                    0,
                    std::slice::from_ref(d),
                );
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.ctx.read_buffer(&bv, len).await
    }
}
