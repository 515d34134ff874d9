//! The batched activation entry points the layers call, run by the kernels in
//! [`crate::kernels::elementwise`]; the enum and its scalar maths live in
//! [`crate::activation`] (re-exported here), below the kernels.

pub use crate::activation::*;

impl Activation {
    /// `y = act(z)` element-wise; `Softmax` is taken row-wise over rows of `cols` values
    /// (stable: the row maximum is subtracted first). Other activations ignore `cols`.
    ///
    /// Panics if `z` and `y` differ in length, or (softmax only) `cols` does not divide it:
    /// the layers size these buffers, so a mismatch is a broken invariant.
    pub fn forward(self, z: &[f32], y: &mut [f32], cols: usize) {
        crate::kernels::elementwise::forward(self, z, y, cols)
    }

    /// `dz = dy ⊙ act'(z)`, given the pre-activation `z` and the output `y = act(z)` (some
    /// derivatives are cheaper from `y`). `Softmax` applies the Jacobian-vector product
    /// `dz_i = y_i·(dy_i − Σ_j dy_j·y_j)` to each row of `cols` values.
    ///
    /// Panics if the four slices differ in length (a broken invariant, see [`Self::forward`]).
    pub fn backward(self, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], cols: usize) {
        crate::kernels::elementwise::backward(self, z, y, dy, dz, cols)
    }
}
