//! The dispatch plan of one batch-normalisation layer (`batch_norm.wgsl`): which kernels a
//! training forward, an inference forward and a backward pass run, with their `Op`s and grids,
//! over abstract buffers ([`BnBuf`]) that the trainer, the prediction path and the kernel
//! tests map onto their own.
//!
//! Shapes: `X, Y, X̂, dY, dX: m×f` (m = the step's rows, or fixed); `γ, β, dγ, dβ: f`;
//! `stats: STATS_BLOCKS·f` laid out as the `STAT_*` blocks below.

use super::dispatch::Extent;
use super::kernels::{Kernel, Op};

/// Blocks of `f` floats in a layer's stats buffer.
pub(crate) const STATS_BLOCKS: usize = 8;
/// Running mean (block 0) and running variance (block 1): what inference uses and what is
/// read back with the weights.
pub(crate) const STAT_RUNNING_MEAN: usize = 0;
pub(crate) const STAT_RUNNING_VAR: usize = 1;

/// A buffer a batch-norm dispatch binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BnBuf {
    /// The layer's input `X` (the dataset when the layer comes first in training).
    Input,
    /// The layer's output `Y`.
    Output,
    /// The gradient w.r.t. `Y`, overwritten with the gradient w.r.t. `X`.
    Grad,
    Gamma,
    Beta,
    GammaGrad,
    BetaGrad,
    /// The layer's statistics (`STATS_BLOCKS·f`).
    Stats,
    /// The normalised input `X̂` (`m×f`), kept from forward for backward.
    Xhat,
    /// The training status word (`[0] ≠ 0` once a step of the submit diverged).
    Status,
}

/// One dispatch of the plan; its grid is `x` workgroups by one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BnDispatch {
    pub kernel: Kernel,
    pub op: Op,
    pub x: Extent,
    /// `in0, in1, out0, out1`.
    pub binds: [Option<BnBuf>; 4],
}

/// A batch-norm layer as the kernels see it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BnShape {
    pub features: usize,
    pub momentum: f32,
    pub epsilon: f32,
    /// Batch rows; 0 = the step's rows.
    pub rows: u32,
    /// Floats per dataset row when `Input` is the dataset (rows start at `row_off·stride`),
    /// else 0.
    pub input_stride: u32,
}

impl BnShape {
    fn op(&self) -> Op {
        let mut op = Op {
            m: self.rows,
            n: self.features as u32,
            a_rs: self.input_stride,
            ..Op::default()
        };
        op.f[0] = self.momentum;
        op.f[1] = self.epsilon;
        op
    }

    /// One invocation per feature.
    fn per_feature(&self) -> Extent {
        Extent::fixed(self.features as u32, 256)
    }

    /// One invocation per element of the batch.
    fn per_element(&self) -> Extent {
        if self.rows == 0 {
            Extent::batch(self.features as u32, 256)
        } else {
            Extent::fixed(self.rows * self.features as u32, 256)
        }
    }

    fn dispatch(&self, kernel: Kernel, x: Extent, binds: [Option<BnBuf>; 4]) -> BnDispatch {
        BnDispatch {
            kernel,
            op: self.op(),
            x,
            binds,
        }
    }

    /// Training forward: batch statistics, running update, `X̂`, then `Y = γ⊙X̂ + β`.
    pub fn training_forward(&self) -> [BnDispatch; 4] {
        use BnBuf::*;
        [
            self.dispatch(
                Kernel::BnStats,
                self.per_feature(),
                [Some(Input), Some(Gamma), Some(Stats), None],
            ),
            self.dispatch(
                Kernel::BnRunning,
                self.per_feature(),
                [Some(Status), None, Some(Stats), None],
            ),
            self.dispatch(
                Kernel::BnNormalize,
                self.per_element(),
                [Some(Input), Some(Stats), Some(Xhat), None],
            ),
            self.affine(),
        ]
    }

    /// Inference forward with the running statistics (`Stats` is only read).
    pub fn inference_forward(&self) -> [BnDispatch; 2] {
        use BnBuf::*;
        let mut normalize = self.dispatch(
            Kernel::BnNormalize,
            self.per_element(),
            [Some(Input), Some(Stats), Some(Xhat), None],
        );
        normalize.op.flags = 1;
        [normalize, self.affine()]
    }

    fn affine(&self) -> BnDispatch {
        use BnBuf::*;
        self.dispatch(
            Kernel::BnAffine,
            self.per_element(),
            [Some(Gamma), Some(Beta), Some(Xhat), Some(Output)],
        )
    }

    /// Backward through a training forward: the column sums, `dγ` and `dβ`, and (when
    /// `input_grad`) `dX` in place of `dY`.
    pub fn backward(&self, input_grad: bool) -> Vec<BnDispatch> {
        use BnBuf::*;
        let mut plan = vec![
            self.dispatch(
                Kernel::BnSums,
                self.per_feature(),
                [Some(Grad), Some(Xhat), Some(Stats), None],
            ),
            self.dispatch(
                Kernel::BnParamGrads,
                self.per_feature(),
                [Some(Stats), None, Some(GammaGrad), Some(BetaGrad)],
            ),
        ];
        if input_grad {
            plan.push(self.dispatch(
                Kernel::BnInputGrad,
                self.per_element(),
                [Some(Xhat), Some(Stats), Some(Grad), None],
            ));
        }
        plan
    }
}

/// The initial stats buffer: the running statistics in their blocks, the rest zero.
pub(crate) fn initial_stats(running_mean: &[f32], running_var: &[f32]) -> Vec<f32> {
    let f = running_mean.len();
    let mut s = vec![0.0; STATS_BLOCKS * f];
    s[STAT_RUNNING_MEAN * f..(STAT_RUNNING_MEAN + 1) * f].copy_from_slice(running_mean);
    s[STAT_RUNNING_VAR * f..(STAT_RUNNING_VAR + 1) * f].copy_from_slice(running_var);
    s
}
