//! The scalar reference kernels: naive, obviously correct, the oracle every fast kernel is
//! tested against. Shapes as in [`super`]: NN `A m×k, B k×n`; TN `A k×m, B k×n`;
//! NT `A m×k, B n×k`; `C m×n` always.

/// `C (+)= A·B`. A: m×k, B: k×n, C: m×n.
pub fn gemm_nn(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a[i * k + p] * b[p * n + j];
            }
            c[i * n + j] = if accumulate { c[i * n + j] + s } else { s };
        }
    }
}

/// `C (+)= Aᵀ·B`. A: k×m, B: k×n, C: m×n.
pub fn gemm_tn(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a[p * m + i] * b[p * n + j];
            }
            c[i * n + j] = if accumulate { c[i * n + j] + s } else { s };
        }
    }
}

/// `C (+)= A·Bᵀ`. A: m×k, B: n×k, C: m×n.
pub fn gemm_nt(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a[i * k + p] * b[j * k + p];
            }
            c[i * n + j] = if accumulate { c[i * n + j] + s } else { s };
        }
    }
}

/// The three oracles behind the one GEMM signature ([`super::GemmFn`]).
#[allow(clippy::too_many_arguments)] // the product's shape, operands and mode, no fewer
pub fn gemm(
    layout: super::Layout,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let product = match layout {
        super::Layout::Nn => gemm_nn,
        super::Layout::Tn => gemm_tn,
        super::Layout::Nt => gemm_nt,
    };
    product(m, k, n, a, b, c, accumulate)
}
