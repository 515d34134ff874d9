//! Kernel test bodies shared by the native and the wasm32 test files: every fast GEMM and
//! activation kernel compiled into the build is compared with the scalar oracle, and the
//! scalar derivatives with finite differences of an independent f64 implementation.
//!
//! GEMM tolerance: each output is a sum of `k` products (plus the old `C` when
//! accumulating). Any summation order in f32 is within `γ_{k+1}·(Σ|a||b| + |c₀|)` of the
//! exact value, with `γ_j = j·u/(1 − j·u)`, `u = 2⁻²⁴` (Higham, *Accuracy and Stability*,
//! §3.1). The fast kernels sum in a different order (blocked, vector lanes, possibly fused)
//! than the oracle, so the two may differ by twice that bound; the test allows exactly that,
//! per element, computed in f64.

#![allow(dead_code)]

use nn_playground::kernels::{self, scalar, GemmFn, Layout};
use nn_playground::Rng;

/// One kernel family: its product in every layout.
pub struct Family {
    pub name: &'static str,
    pub gemm: GemmFn,
}

/// Every fast GEMM family compiled into this build.
pub fn families() -> Vec<Family> {
    #[allow(unused_mut)] // pushed to only in SIMD128 builds
    let mut v = vec![
        Family {
            name: "dispatch",
            gemm: kernels::gemm,
        },
        Family {
            name: "portable",
            gemm: kernels::portable::gemm,
        },
    ];
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    v.push(Family {
        name: "simd128",
        gemm: kernels::simd128::gemm,
    });
    v
}

/// Odd sizes around the 4×8 tile, each paired with every other: products up to
/// `SMALL_WORK` (4096) multiply-adds, or with k ≤ 8 or n ≤ 8, take the unpacked path,
/// larger ones the packed one.
const DIMS: [usize; 7] = [1, 3, 5, 7, 8, 17, 33];

/// `(m, k, n)` shapes that are non-square, long, or cross the cache-block boundaries.
/// The last seven are skinny (k ≤ 8 or n ≤ 8) but larger than `SMALL_WORK`, so they take
/// the unpacked row kernels at sizes where the packed path used to run.
const EXTRA: [(usize, usize, usize); 19] = [
    (1, 300, 17),
    (3, 2000, 1),
    (1, 127, 3),
    (33, 5, 17),
    (127, 33, 7),
    (127, 127, 127),
    (3, 127, 1),
    (65, 300, 9),
    (10, 2, 8),
    (2, 600, 2),
    (4, 8, 1100),
    (129, 257, 40),
    (10, 1, 8),
    (300, 2, 8),
    (700, 8, 1),
    (50, 100, 3),
    (600, 8, 8),
    (64, 8, 10),
    (1000, 1, 3),
];

fn all_shapes() -> Vec<(usize, usize, usize)> {
    let mut v = Vec::new();
    for &m in &DIMS {
        for &k in &DIMS {
            for &n in &DIMS {
                v.push((m, k, n));
            }
        }
    }
    v.extend_from_slice(&EXTRA);
    v
}

fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

/// `Σ_p |A[i][p]|·|B[p][j]|` per output, in f64, for the error bound.
fn abs_product(shape: Layout, m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f64> {
    let ai = |i: usize, p: usize| match shape {
        Layout::Tn => a[p * m + i],
        _ => a[i * k + p],
    };
    let bj = |p: usize, j: usize| match shape {
        Layout::Nt => b[j * k + p],
        _ => b[p * n + j],
    };
    let mut out = vec![0.0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k)
                .map(|p| (ai(i, p) as f64 * bj(p, j) as f64).abs())
                .sum();
        }
    }
    out
}

fn check_gemm(fam: &Family, shape: Layout, m: usize, k: usize, n: usize, rng: &mut Rng) {
    let a = random(rng, m * k);
    let b = random(rng, k * n);
    let mag = abs_product(shape, m, k, n, &a, &b);
    let u = f64::from(f32::EPSILON) / 2.0;
    let j = (k + 1) as f64;
    let gamma = j * u / (1.0 - j * u);
    for accumulate in [false, true] {
        let c0 = if accumulate {
            random(rng, m * n)
        } else {
            vec![f32::NAN; m * n]
        };
        let mut want = c0.clone();
        scalar::gemm(shape, m, k, n, &a, &b, &mut want, accumulate);
        let mut got = c0.clone();
        (fam.gemm)(shape, m, k, n, &a, &b, &mut got, accumulate);
        for idx in 0..m * n {
            let base = if accumulate {
                f64::from(c0[idx]).abs()
            } else {
                0.0
            };
            let tol = 2.0 * gamma * (mag[idx] + base);
            let err = (f64::from(got[idx]) - f64::from(want[idx])).abs();
            assert!(
                err <= tol,
                "{} {shape:?} m={m} k={k} n={n} acc={accumulate} at {idx}: got {} want {} (tol {tol:e})",
                fam.name,
                got[idx],
                want[idx]
            );
        }
    }
}

/// Every fast family, every shape, both forms, against the scalar oracle.
pub fn gemm_matches_oracle(shape_name: &str) {
    let shape = match shape_name {
        "nn" => Layout::Nn,
        "tn" => Layout::Tn,
        _ => Layout::Nt,
    };
    let mut rng = Rng::new(0x5eed);
    for fam in families() {
        for (m, k, n) in all_shapes() {
            check_gemm(&fam, shape, m, k, n, &mut rng);
        }
    }
}

/// `k = 0` means an empty sum: overwrite gives zeros (even over NaN), accumulate keeps C.
pub fn gemm_empty_inner_dimension() {
    for fam in families() {
        for layout in Layout::ALL {
            let mut c = vec![f32::NAN; 6];
            (fam.gemm)(layout, 2, 0, 3, &[], &[], &mut c, false);
            assert!(c.iter().all(|&v| v == 0.0), "{}: {c:?}", fam.name);
            let mut c = vec![1.5f32; 6];
            (fam.gemm)(layout, 2, 0, 3, &[], &[], &mut c, true);
            assert!(c.iter().all(|&v| v == 1.5), "{}: {c:?}", fam.name);
        }
    }
}

/// Exact small case: catches a transposed operand that random tests would also catch, but
/// with a readable failure.
pub fn gemm_known_values() {
    // A = [[1,2,3],[4,5,6]] (2×3), B = [[1,0],[0,1],[1,1]] (3×2): A·B = [[4,5],[10,11]].
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    let bt = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let want = [4.0, 5.0, 10.0, 11.0];
    for fam in families() {
        let mut c = [f32::NAN; 4];
        (fam.gemm)(Layout::Nn, 2, 3, 2, &a, &b, &mut c, false);
        assert_eq!(c, want, "{} nn", fam.name);
        (fam.gemm)(Layout::Tn, 2, 3, 2, &at, &b, &mut c, false);
        assert_eq!(c, want, "{} tn", fam.name);
        (fam.gemm)(Layout::Nt, 2, 3, 2, &a, &bt, &mut c, true);
        assert_eq!(c, [8.0, 10.0, 20.0, 22.0], "{} nt accumulate", fam.name);
    }
}

#[macro_export]
macro_rules! kernel_tests {
    ($attr:meta) => {
        #[$attr]
        fn gemm_nn_matches_oracle() {
            kernel_cases::gemm_matches_oracle("nn")
        }
        #[$attr]
        fn gemm_tn_matches_oracle() {
            kernel_cases::gemm_matches_oracle("tn")
        }
        #[$attr]
        fn gemm_nt_matches_oracle() {
            kernel_cases::gemm_matches_oracle("nt")
        }
        #[$attr]
        fn gemm_empty_inner_dimension() {
            kernel_cases::gemm_empty_inner_dimension()
        }
        #[$attr]
        fn gemm_known_values() {
            kernel_cases::gemm_known_values()
        }
        #[$attr]
        fn bias_and_column_sums() {
            kernel_cases::bias_and_column_sums()
        }
        #[$attr]
        fn activation_kernels_match_oracle() {
            activation_cases::kernels_match_oracle()
        }
        #[$attr]
        fn activation_scalar_matches_f64() {
            activation_cases::scalar_matches_f64()
        }
        #[$attr]
        fn activation_derivatives_match_finite_differences() {
            activation_cases::derivatives_match_finite_differences()
        }
        #[$attr]
        fn activation_backward_uses_the_derivative() {
            activation_cases::backward_uses_the_derivative()
        }
        #[$attr]
        fn activation_forward_biased_matches_oracle() {
            activation_cases::forward_biased_matches_oracle()
        }
        #[$attr]
        fn softmax_rows_match_f64() {
            activation_cases::softmax_matches_f64()
        }
    };
}

/// `add_bias` and `column_sums` on an odd shape, both forms.
pub fn bias_and_column_sums() {
    let (m, n) = (5, 7);
    let mut rng = Rng::new(7);
    let x = random(&mut rng, m * n);
    let bias = random(&mut rng, n);
    let mut y = x.clone();
    kernels::add_bias(&mut y, &bias);
    for i in 0..m * n {
        assert_eq!(y[i], x[i] + bias[i % n]);
    }
    let mut sums = vec![f32::NAN; n];
    kernels::column_sums(&x, n, &mut sums, false);
    let mut again = sums.clone();
    kernels::column_sums(&x, n, &mut again, true);
    for j in 0..n {
        let want: f64 = (0..m).map(|i| f64::from(x[i * n + j])).sum();
        assert!((f64::from(sums[j]) - want).abs() < 1e-5, "column {j}");
        assert!(
            (f64::from(again[j]) - 2.0 * want).abs() < 2e-5,
            "column {j} accumulated"
        );
    }
}
