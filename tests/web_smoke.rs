//! Browser smoke test: the crate's basics behave in headless Chromium exactly as natively.
#![cfg(target_arch = "wasm32")]

use nn_playground::{Error, Matrix, Rng};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn simd128_runs_in_the_browser() {
    // Compiles only with the +simd128 rustflags of .cargo/config.toml, so this also proves
    // they reach the test build; then the browser must execute the v128 instructions.
    use core::arch::wasm32::{f32x4, f32x4_extract_lane, f32x4_mul, f32x4_splat};
    let v = f32x4_mul(f32x4(1.0, 2.0, 3.0, 4.0), f32x4_splat(0.5));
    assert_eq!(f32x4_extract_lane::<0>(v), 0.5);
    assert_eq!(f32x4_extract_lane::<3>(v), 2.0);
}

#[wasm_bindgen_test]
fn matrix_shapes_and_errors() {
    let m = Matrix::from_vec(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    assert_eq!(m.shape(), (2, 3));
    assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
    assert_eq!(m.get(0, 2), 3.0);
    assert!(matches!(
        Matrix::from_vec(2, 2, vec![1.0; 3]),
        Err(Error::Shape(_))
    ));
}

#[wasm_bindgen_test]
fn rng_stream_matches_native() {
    // Values taken from a native run: the same seed must give the same stream on every
    // target, or a shared link would train a different model in the browser.
    let mut r = Rng::new(7);
    assert_eq!(r.next_u64(), 0xb358_faf7_4ef9_765a);
    assert_eq!(r.next_u64(), 0x475c_3d96_4f48_2cd2);
    assert_eq!(r.next_f32().to_bits(), 0x3f56_f1d3);
    let (mut a, mut b) = (Rng::new(42), Rng::new(42));
    for _ in 0..100 {
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
