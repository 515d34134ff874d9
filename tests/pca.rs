//! PCA against hand-computed cases, its invariants on random data, and the degenerate
//! inputs (one column, constant columns) that must not crash.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::random_matrix;
use nn_playground::data::pca::Pca;
use nn_playground::{Error, Matrix};

fn close(a: f32, b: f32, tol: f32) -> bool {
    (a - b).abs() <= tol
}

fn assert_all_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, *w, tol), "got {got:?}, want {want:?}");
    }
}

/// Rows `(2,2,0), (−2,−2,0), (1,−1,0), (−1,1,0)` shifted by `(1, 2, 3)`: mean `(1, 2, 3)`,
/// covariance `[[2.5, 1.5, 0], [1.5, 2.5, 0], [0, 0, 0]]`, eigenvalues 4, 1, 0 with axes
/// `(1,1,0)/√2` and `(1,−1,0)/√2` (magnitudes tie: the first component is positive).
#[test]
fn three_dimensional_case_by_hand() {
    let rows = [[2., 2., 0.], [-2., -2., 0.], [1., -1., 0.], [-1., 1., 0.]];
    let x = Matrix::from_rows(
        &rows
            .iter()
            .map(|r| vec![r[0] + 1.0, r[1] + 2.0, r[2] + 3.0])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let pca = Pca::fit(&x, 2).unwrap();
    let h = std::f32::consts::FRAC_1_SQRT_2;
    assert_eq!((pca.dim(), pca.k()), (3, 2));
    assert_all_close(pca.mean(), &[1.0, 2.0, 3.0], 1e-6);
    assert_all_close(pca.axis(0).unwrap(), &[h, h, 0.0], 1e-6);
    assert_all_close(pca.axis(1).unwrap(), &[h, -h, 0.0], 1e-6);
    assert!(pca.axis(2).is_none());
    assert_all_close(pca.explained_variance(), &[4.0, 1.0], 1e-5);
    assert_all_close(&pca.explained_variance_ratio(), &[0.8, 0.2], 1e-6);
    let r2 = std::f32::consts::SQRT_2;
    let p = pca.project(&x).unwrap();
    assert_eq!(p.shape(), (4, 2));
    let want = [2.0 * r2, 0.0, -2.0 * r2, 0.0, 0.0, r2, 0.0, -r2];
    assert_all_close(p.as_slice(), &want, 1e-5);
}

/// Points on `y = 2x`: all variance on `(1, 2)/√5`; the second axis `(2, −1)/√5` has none.
#[test]
fn two_dimensional_line_by_hand() {
    let x = Matrix::from_rows(&[vec![-1., -2.], vec![0., 0.], vec![1., 2.]]).unwrap();
    let pca = Pca::fit(&x, 2).unwrap();
    let r5 = 5.0f32.sqrt();
    assert_all_close(pca.axis(0).unwrap(), &[1.0 / r5, 2.0 / r5], 1e-6);
    assert_all_close(pca.axis(1).unwrap(), &[2.0 / r5, -1.0 / r5], 1e-6);
    assert_all_close(pca.explained_variance(), &[10.0 / 3.0, 0.0], 1e-5);
    assert_all_close(&pca.explained_variance_ratio(), &[1.0, 0.0], 1e-6);
    assert_all_close(
        pca.project(&x).unwrap().as_slice(),
        &[-r5, 0.0, 0.0, 0.0, r5, 0.0],
        1e-5,
    );
}

/// Random correlated 10-D data: orthonormal axes, descending variances that sum (over all
/// d axes) to the total, projections whose variance is the eigenvalue, and the same bits
/// from a second fit.
#[test]
fn axes_are_orthonormal_and_fits_reproducible() {
    let (n, d) = (300, 10);
    let mut x = random_matrix(n, d, -1.0, 1.0, 11);
    for r in 0..n {
        let base = x.get(r, 0);
        for c in 1..d {
            let v = x.get(r, c) * 0.3 + base * c as f32 / d as f32;
            x.set(r, c, v);
        }
    }
    let pca = Pca::fit(&x, d).unwrap();
    assert_eq!(pca, Pca::fit(&x, d).unwrap());
    for i in 0..d {
        let ai = pca.axis(i).unwrap();
        for j in 0..d {
            let dot: f32 = ai
                .iter()
                .zip(pca.axis(j).unwrap())
                .map(|(a, b)| a * b)
                .sum();
            assert!(
                close(dot, f32::from(u8::from(i == j)), 1e-5),
                "{i}·{j} = {dot}"
            );
        }
        let lead = ai.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(ai.contains(&lead), "sign convention on axis {i}");
    }
    let var = pca.explained_variance();
    assert!(var.windows(2).all(|w| w[0] >= w[1]), "{var:?}");
    let ratio_sum: f32 = pca.explained_variance_ratio().iter().sum();
    assert!(close(ratio_sum, 1.0, 1e-5));
    let p = pca.project(&x).unwrap();
    for (j, &v) in var.iter().enumerate() {
        let m2 = (0..n).map(|r| p.get(r, j).powi(2)).sum::<f32>() / n as f32;
        assert!(close(m2, v, 1e-4 * (1.0 + v)), "axis {j}: {m2} vs {v}");
    }
    // A top-2 fit is the first two axes of the full fit.
    let two = Pca::fit(&x, 2).unwrap();
    assert_eq!(two.axis(1), pca.axis(1));
    assert_eq!(
        two.explained_variance_ratio()[..],
        pca.explained_variance_ratio()[..2]
    );
}

/// `unproject` replaces the base row's coordinates on the given axes and keeps the rest.
#[test]
fn unproject_puts_the_point_at_the_map_coordinates() {
    let x = random_matrix(200, 5, -2.0, 2.0, 3);
    let pca = Pca::fit(&x, 2).unwrap();
    let base = [0.5, -1.0, 1.5, 0.0, 0.25];
    for (u, v) in [(0.0, 0.0), (1.5, -2.0), (-3.0, 0.7)] {
        let p = pca.unproject(&base, &[u, v]).unwrap();
        let coords = pca
            .project(&Matrix::from_vec(1, 5, p.clone()).unwrap())
            .unwrap();
        assert_all_close(coords.as_slice(), &[u, v], 1e-5);
        // p − base lies in the span of the two axes.
        let diff: Vec<f32> = p.iter().zip(&base).map(|(a, b)| a - b).collect();
        let mut rest = diff.clone();
        for j in 0..2 {
            let a = pca.axis(j).unwrap();
            let c: f32 = diff.iter().zip(a).map(|(d, a)| d * a).sum();
            rest.iter_mut().zip(a).for_each(|(r, a)| *r -= c * a);
        }
        assert_all_close(&rest, &[0.0; 5], 1e-5);
    }
    // Fewer coordinates than axes: only the first axis moves.
    let p = pca.unproject(&base, &[1.0]).unwrap();
    let coords = pca.project(&Matrix::from_vec(1, 5, p).unwrap()).unwrap();
    let base_coords = pca
        .project(&Matrix::from_vec(1, 5, base.to_vec()).unwrap())
        .unwrap();
    assert_all_close(coords.as_slice(), &[1.0, base_coords.get(0, 1)], 1e-5);
    assert!(matches!(
        pca.unproject(&base, &[1.0, 2.0, 3.0]),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        pca.unproject(&base[..4], &[1.0]),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        pca.project(&Matrix::zeros(2, 4)),
        Err(Error::Shape(_))
    ));
}

/// One column, constant columns and all-constant data give zero variances, not a crash.
#[test]
fn degenerate_inputs_are_handled() {
    let one = Matrix::from_rows(&[vec![1.0], vec![3.0]]).unwrap();
    let pca = Pca::fit(&one, 1).unwrap();
    assert_eq!(pca.axis(0).unwrap(), &[1.0]);
    assert_all_close(pca.explained_variance(), &[1.0], 1e-6);
    assert_eq!(pca.explained_variance_ratio(), [1.0]);

    // Column 1 constant: its axis has zero variance and comes last.
    let x = Matrix::from_rows(&[
        vec![1.0, 7.0, 2.0],
        vec![-1.0, 7.0, -2.0],
        vec![0.5, 7.0, 0.0],
    ])
    .unwrap();
    let pca = Pca::fit(&x, 3).unwrap();
    assert_eq!(pca.axis(2).unwrap(), &[0.0, 1.0, 0.0]);
    assert_eq!(pca.explained_variance()[2], 0.0);

    let flat = Matrix::from_rows(&vec![vec![4.0, -1.0]; 5]).unwrap();
    let pca = Pca::fit(&flat, 2).unwrap();
    assert_eq!(pca.explained_variance(), [0.0, 0.0]);
    assert_eq!(pca.explained_variance_ratio(), [0.0, 0.0]);
    assert_eq!(
        (pca.axis(0).unwrap(), pca.axis(1).unwrap()),
        (&[1.0, 0.0][..], &[0.0, 1.0][..])
    );
    assert_eq!(pca.project(&flat).unwrap().as_slice(), &[0.0; 10]);
    // A single row is constant data too.
    assert!(Pca::fit(&Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap(), 2).is_ok());
}

#[test]
fn bad_input_is_an_error() {
    let x = random_matrix(10, 3, 0.0, 1.0, 1);
    assert!(matches!(Pca::fit(&x, 0), Err(Error::InvalidConfig(_))));
    assert!(matches!(Pca::fit(&x, 4), Err(Error::InvalidConfig(_))));
    assert!(matches!(
        Pca::fit(&Matrix::zeros(0, 3), 1),
        Err(Error::InvalidData(_))
    ));
    assert!(matches!(
        Pca::fit(&Matrix::zeros(3, 0), 1),
        Err(Error::InvalidData(_))
    ));
    let mut bad = x.clone();
    bad.set(4, 1, f32::NAN);
    assert!(matches!(Pca::fit(&bad, 1), Err(Error::InvalidData(_))));
    assert!(matches!(
        Pca::fit(&Matrix::zeros(2, 257), 1),
        Err(Error::Limit(_))
    ));
}
