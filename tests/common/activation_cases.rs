//! Activation test bodies shared by the native and wasm32 test files: fast slice kernels
//! against the scalar oracle, the scalar maths against an independent f64 implementation,
//! and derivatives against central finite differences of that f64 implementation.

#![allow(dead_code)]

use nn_playground::kernels::elementwise;
use nn_playground::{Activation, Rng};

/// The activation in f64, written independently of the crate's f32 maths.
fn act64(act: Activation, x: f64) -> f64 {
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    match act {
        Activation::Linear => x,
        Activation::Relu => x.max(0.0),
        Activation::LeakyRelu => {
            if x > 0.0 {
                x
            } else {
                0.01 * x
            }
        }
        Activation::Elu => {
            if x > 0.0 {
                x
            } else {
                x.exp() - 1.0
            }
        }
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => sig(x),
        Activation::Softplus => (1.0 + x.exp()).ln(),
        Activation::Silu => x * sig(x),
        Activation::Gelu => {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
        }
        Activation::Sine => x.sin(),
        Activation::Softmax => 1.0,
    }
}

/// Points on a grid over [-8, 8] plus tails; none within 1e-3 of the kinks at 0.
fn points() -> Vec<f32> {
    let mut v: Vec<f32> = (-160..=160).map(|i| i as f32 * 0.05 + 0.0123).collect();
    v.extend_from_slice(&[-30.0, -15.5, 12.25, 25.0, 0.3, -0.3, 0.6, -0.7]);
    v
}

/// `|got − want| ≤ rel·|want| + abs`.
fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= rel * want.abs() + abs
}

fn elementwise_acts() -> impl Iterator<Item = Activation> {
    Activation::ALL
        .into_iter()
        .filter(|a| *a != Activation::Softmax)
}

/// `apply_scalar` agrees with the f64 definition to f32 precision.
pub fn scalar_matches_f64() {
    for act in elementwise_acts() {
        for x in points() {
            let got = f64::from(act.apply_scalar(x));
            let want = act64(act, f64::from(x));
            assert!(
                close(got, want, 2e-6, 1e-7),
                "{act:?}({x}) = {got}, want {want}"
            );
        }
    }
}

/// `derivative_scalar` agrees with a central difference of the f64 definition.
pub fn derivatives_match_finite_differences() {
    let h = 1e-5;
    for act in elementwise_acts() {
        for x in points() {
            let x64 = f64::from(x);
            let fd = (act64(act, x64 + h) - act64(act, x64 - h)) / (2.0 * h);
            let got = f64::from(act.derivative_scalar(x));
            assert!(close(got, fd, 1e-5, 1e-6), "{act:?}'({x}) = {got}, fd {fd}");
        }
    }
}

/// Inputs for the slice kernels: lengths that leave every possible SIMD tail, with signed
/// zeros, tiny and huge magnitudes mixed in.
fn inputs(rng: &mut Rng, len: usize) -> Vec<f32> {
    let special = [
        0.0, -0.0, 1e-6, -1e-6, 0.6249, 0.6251, -0.625, 40.0, -40.0, 100.0, -100.0,
    ];
    (0..len)
        .map(|i| {
            if i % 5 == 0 {
                special[(i / 5) % special.len()]
            } else {
                rng.uniform(-10.0, 10.0)
            }
        })
        .collect()
}

const LENS: [usize; 8] = [0, 1, 3, 4, 5, 17, 127, 1000];

/// Fast forward and backward kernels agree with the scalar slice oracle. Approximated
/// functions (tanh, sigmoid on SIMD128) are allowed 2e-6 relative error; the others match.
pub fn kernels_match_oracle() {
    let mut rng = Rng::new(11);
    for act in Activation::ALL {
        for len in LENS {
            let cols = if len % 5 == 0 && len > 0 { 5 } else { 1 };
            let z = inputs(&mut rng, len);
            let dy: Vec<f32> = (0..len).map(|_| rng.uniform(-2.0, 2.0)).collect();
            let mut want = vec![f32::NAN; len];
            elementwise::forward_scalar(act, &z, &mut want, cols);
            let mut got = vec![f32::NAN; len];
            act.forward(&z, &mut got, cols);
            for i in 0..len {
                let (g, w) = (f64::from(got[i]), f64::from(want[i]));
                assert!(
                    close(g, w, 2e-6, 1e-30),
                    "{act:?} fwd({}) = {g}, want {w}",
                    z[i]
                );
            }
            let mut dz_want = vec![f32::NAN; len];
            elementwise::backward_scalar(act, &z, &want, &dy, &mut dz_want, cols);
            let mut dz = vec![f32::NAN; len];
            act.backward(&z, &want, &dy, &mut dz, cols);
            for i in 0..len {
                let (g, w) = (f64::from(dz[i]), f64::from(dz_want[i]));
                assert!(
                    close(g, w, 2e-6, 1e-30),
                    "{act:?} bwd at {}: {g}, want {w}",
                    z[i]
                );
            }
        }
    }
}

/// The batched backward is `dy ⊙ act'(z)` with the derivative from the scalar oracle (it
/// may read `y` instead of `z`, so allow f32 rounding).
pub fn backward_uses_the_derivative() {
    let mut rng = Rng::new(5);
    for act in elementwise_acts() {
        let z: Vec<f32> = points();
        let dy: Vec<f32> = (0..z.len()).map(|_| rng.uniform(-2.0, 2.0)).collect();
        let mut y = vec![0.0; z.len()];
        act.forward(&z, &mut y, 1);
        let mut dz = vec![f32::NAN; z.len()];
        act.backward(&z, &y, &dy, &mut dz, 1);
        for i in 0..z.len() {
            let want = f64::from(dy[i]) * f64::from(act.derivative_scalar(z[i]));
            let got = f64::from(dz[i]);
            assert!(
                close(got, want, 1e-5, 1e-6),
                "{act:?} at {}: {got}, want {want}",
                z[i]
            );
        }
    }
}

/// The fused `z += bias; y = act(z)` agrees with `add_bias` then the scalar oracle, on row
/// lengths that take the fused SIMD kernel (1, 4, 8, 12) and ones that fall back (3, 5).
pub fn forward_biased_matches_oracle() {
    let mut rng = Rng::new(23);
    for act in Activation::ALL {
        for (rows, cols) in [(9, 1), (1, 1), (6, 4), (10, 8), (3, 12), (7, 3), (4, 5)] {
            let z0 = inputs(&mut rng, rows * cols);
            let bias: Vec<f32> = (0..cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let mut z_want = z0.clone();
            nn_playground::kernels::add_bias(&mut z_want, &bias);
            let mut want = vec![f32::NAN; z0.len()];
            elementwise::forward_scalar(act, &z_want, &mut want, cols);
            let mut z = z0.clone();
            let mut got = vec![f32::NAN; z0.len()];
            elementwise::forward_biased(act, &mut z, &bias, &mut got, cols);
            assert_eq!(z, z_want, "{act:?} {rows}×{cols}: biased pre-activation");
            for i in 0..z.len() {
                let (g, w) = (f64::from(got[i]), f64::from(want[i]));
                assert!(
                    close(g, w, 2e-6, 1e-30),
                    "{act:?} {rows}×{cols} fwd({}) = {g}, want {w}",
                    z[i]
                );
            }
        }
    }
}

fn softmax64(row: &[f64]) -> Vec<f64> {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = row.iter().map(|x| (x - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

/// Softmax rows match f64 (also for huge logits, which need the max shift), and the
/// backward pass matches finite differences of `L(z) = Σ dy_i·softmax(z)_i` in f64.
pub fn softmax_matches_f64() {
    let mut rng = Rng::new(3);
    for cols in [1usize, 2, 3, 7, 10] {
        let rows = 4;
        let mut z: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-5.0, 5.0)).collect();
        z[0] += 1000.0; // a huge logit in the first row
        let dy: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let mut y = vec![f32::NAN; z.len()];
        Activation::Softmax.forward(&z, &mut y, cols);
        let mut dz = vec![f32::NAN; z.len()];
        Activation::Softmax.backward(&z, &y, &dy, &mut dz, cols);
        for r in 0..rows {
            let zr: Vec<f64> = z[r * cols..(r + 1) * cols]
                .iter()
                .map(|&v| v.into())
                .collect();
            let gr: Vec<f64> = dy[r * cols..(r + 1) * cols]
                .iter()
                .map(|&v| v.into())
                .collect();
            let want = softmax64(&zr);
            let loss =
                |zz: &[f64]| -> f64 { softmax64(zz).iter().zip(&gr).map(|(a, b)| a * b).sum() };
            for j in 0..cols {
                let got = f64::from(y[r * cols + j]);
                assert!(close(got, want[j], 1e-5, 1e-7), "softmax row {r} col {j}");
                let h = 1e-6;
                let (mut zp, mut zm) = (zr.clone(), zr.clone());
                zp[j] += h;
                zm[j] -= h;
                let fd = (loss(&zp) - loss(&zm)) / (2.0 * h);
                let g = f64::from(dz[r * cols + j]);
                assert!(
                    close(g, fd, 1e-4, 1e-6),
                    "softmax grad row {r} col {j}: {g} vs {fd}"
                );
            }
        }
    }
}
