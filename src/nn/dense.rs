//! `Dense`: the fully connected layer `Y = act(X·W + b)` with its batched forward and backward.
//!
//! Shapes: `X: batch×in`, `W: in×out`, `b: out`, `Z, Y: batch×out`.

use crate::kernels;
use crate::nn::activation::Activation;
use crate::Matrix;

/// A fully connected layer with its own gradient and activation buffers.
#[derive(Debug, Clone)]
pub struct Dense {
    pub w: Matrix,
    pub b: Vec<f32>,
    pub activation: Activation,
    pub use_bias: bool,
    pub dw: Matrix,
    pub db: Vec<f32>,
    /// Pre-activation of the last forward pass.
    z: Matrix,
    /// Gradient w.r.t. the pre-activation.
    dz: Matrix,
}

impl Dense {
    pub fn new(inputs: usize, units: usize, activation: Activation, use_bias: bool) -> Self {
        Self {
            w: Matrix::zeros(inputs, units),
            b: vec![0.0; units],
            activation,
            use_bias,
            dw: Matrix::zeros(inputs, units),
            db: vec![0.0; units],
            z: Matrix::default(),
            dz: Matrix::default(),
        }
    }

    pub fn inputs(&self) -> usize {
        self.w.rows()
    }

    pub fn units(&self) -> usize {
        self.w.cols()
    }

    /// Pre-activation values of the last forward pass (`batch×out`): the logits for a fused loss.
    pub fn logits(&self) -> &Matrix {
        &self.z
    }

    /// `Z = X·W + b`, `Y = act(Z)`.
    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix) {
        let (m, k, n) = (x.rows(), self.inputs(), self.units());
        self.z.resize(m, n);
        kernels::gemm_nn(
            m,
            k,
            n,
            x.as_slice(),
            self.w.as_slice(),
            self.z.as_mut_slice(),
            false,
        );
        y.resize(m, n);
        if self.use_bias {
            kernels::elementwise::forward_biased(
                self.activation,
                self.z.as_mut_slice(),
                &self.b,
                y.as_mut_slice(),
                n,
            );
        } else {
            self.activation
                .forward(self.z.as_slice(), y.as_mut_slice(), n);
        }
    }

    /// Given `dY` (or `dZ` when `grad_is_preactivation`, for fused losses), sets `dW = Xᵀ·dZ`,
    /// `db = Σ_rows dZ` and, when `dx` is given, `dX = dZ·Wᵀ`.
    pub fn backward(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        grad: &Matrix,
        grad_is_preactivation: bool,
        dx: Option<&mut Matrix>,
    ) {
        let (m, k, n) = (x.rows(), self.inputs(), self.units());
        let dz: &Matrix = if grad_is_preactivation {
            grad
        } else {
            self.dz.resize(m, n);
            self.activation.backward(
                self.z.as_slice(),
                y.as_slice(),
                grad.as_slice(),
                self.dz.as_mut_slice(),
                n,
            );
            &self.dz
        };
        kernels::gemm_tn(
            k,
            m,
            n,
            x.as_slice(),
            dz.as_slice(),
            self.dw.as_mut_slice(),
            false,
        );
        if self.use_bias {
            kernels::column_sums(dz.as_slice(), n, &mut self.db, false);
        }
        if let Some(dx) = dx {
            dx.resize(m, k);
            kernels::gemm_nt(
                m,
                n,
                k,
                dz.as_slice(),
                self.w.as_slice(),
                dx.as_mut_slice(),
                false,
            );
        }
    }
}
