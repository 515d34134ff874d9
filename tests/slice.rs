//! Slice grids: the session's decision grid reproduced bit for bit, the layout on column
//! and principal axes, held values, map coordinates of data rows, and bad settings.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::random_matrix;
use nn_playground::data::pca::Pca;
use nn_playground::data::slice::{
    column_medians, map_coords, slice_grid, SliceAxes, MAX_SLICE_RESOLUTION,
};
use nn_playground::session::Session;
use nn_playground::{Error, Feature, Matrix, PlaygroundConfig};

const XY: SliceAxes<'static> = SliceAxes::Columns { u: 0, v: 1 };

/// The session's neuron grids start with the raw X₁ and X₂ of every cell: a two-feature
/// slice over [−6, 6]² must give exactly those bits, at every resolution.
#[test]
fn two_features_reproduce_the_session_grid_bit_for_bit() {
    let mut s = Session::new(PlaygroundConfig {
        features: vec![Feature::X1, Feature::X2],
        ..PlaygroundConfig::default()
    })
    .unwrap();
    for res in [1, 2, 3, 7, 50, 64, 100, 333] {
        let cells = res * res;
        let session = s.neuron_grids(res).unwrap();
        let grid = slice_grid(&[0.0, 0.0], XY, (-6.0, 6.0), (-6.0, 6.0), res).unwrap();
        assert_eq!(grid.shape(), (cells, 2));
        for i in 0..cells {
            assert_eq!(
                grid.get(i, 0).to_bits(),
                session[i].to_bits(),
                "res {res} x of {i}"
            );
            assert_eq!(
                grid.get(i, 1).to_bits(),
                session[cells + i].to_bits(),
                "res {res} y of {i}"
            );
        }
    }
}

/// Row 0 is the top (highest v), column 0 the left (lowest u), cells sampled at centres;
/// the columns not on an axis keep the base row's values.
#[test]
fn column_axes_layout_and_held_values() {
    let base = [9.0, 1.0, -2.0, 3.5];
    let res = 5;
    let g = slice_grid(
        &base,
        SliceAxes::Columns { u: 3, v: 1 },
        (0.0, 10.0),
        (-1.0, 4.0),
        res,
    )
    .unwrap();
    assert_eq!(g.shape(), (25, 4));
    for r in 0..res {
        for c in 0..res {
            let row = g.row(r * res + c);
            assert_eq!(row[3], 1.0 + 2.0 * c as f32, "u at ({r}, {c})");
            assert_eq!(row[1], 3.5 - r as f32, "v at ({r}, {c})");
            assert_eq!((row[0], row[2]), (9.0, -2.0));
        }
    }
}

/// On principal axes each cell projects back to its own (u, v), and differs from the base
/// row only within the span of the two axes.
#[test]
fn principal_axes_cells_project_to_their_centres() {
    let x = random_matrix(300, 4, -1.0, 1.0, 8);
    let pca = Pca::fit(&x, 2).unwrap();
    let base = column_medians(&x);
    let res = 6;
    let g = slice_grid(&base, SliceAxes::Pca(&pca), (-3.0, 3.0), (-1.5, 1.5), res).unwrap();
    let coords = map_coords(&g, SliceAxes::Pca(&pca)).unwrap();
    assert_eq!(coords.shape(), (36, 2));
    for r in 0..res {
        for c in 0..res {
            let (u, v) = (-2.5 + c as f32, 1.25 - 0.5 * r as f32);
            let i = r * res + c;
            assert!((coords.get(i, 0) - u).abs() < 1e-5, "u at ({r}, {c})");
            assert!((coords.get(i, 1) - v).abs() < 1e-5, "v at ({r}, {c})");
            let want = pca.unproject(&base, &[u, v]).unwrap();
            for (a, b) in g.row(i).iter().zip(&want) {
                assert!((a - b).abs() < 1e-6);
            }
        }
    }
    // Rerunning gives the same bits.
    assert_eq!(
        g,
        slice_grid(&base, SliceAxes::Pca(&pca), (-3.0, 3.0), (-1.5, 1.5), res).unwrap()
    );
}

#[test]
fn map_coords_on_columns_and_medians() {
    let x = Matrix::from_rows(&[
        vec![1.0, 5.0, -1.0],
        vec![3.0, 2.0, f32::NAN],
        vec![2.0, 4.0, 7.0],
        vec![10.0, 0.0, 1.0],
    ])
    .unwrap();
    let m = map_coords(&x, SliceAxes::Columns { u: 1, v: 0 }).unwrap();
    assert_eq!(m.as_slice(), &[5.0, 1.0, 2.0, 3.0, 4.0, 2.0, 0.0, 10.0]);
    // Even count: mean of the middle two; NaN ignored (odd count of 3 left).
    assert_eq!(column_medians(&x), [2.5, 3.0, 1.0]);
    assert_eq!(column_medians(&Matrix::zeros(0, 2)), [0.0, 0.0]);
}

#[test]
fn bad_settings_are_errors() {
    let r = (-1.0, 1.0);
    let cfg = |e: Result<Matrix, Error>| matches!(e, Err(Error::InvalidConfig(_)));
    assert!(matches!(
        slice_grid(&[0.0; 2], XY, r, r, 0),
        Err(Error::Limit(_))
    ));
    assert!(matches!(
        slice_grid(&[0.0; 2], XY, r, r, MAX_SLICE_RESOLUTION + 1),
        Err(Error::Limit(_))
    ));
    assert!(matches!(
        slice_grid(&[0.0; 256], XY, r, r, 512),
        Err(Error::Limit(_))
    ));
    assert!(cfg(slice_grid(
        &[0.0; 2],
        SliceAxes::Columns { u: 1, v: 1 },
        r,
        r,
        4
    )));
    assert!(cfg(slice_grid(
        &[0.0; 2],
        SliceAxes::Columns { u: 0, v: 2 },
        r,
        r,
        4
    )));
    assert!(cfg(slice_grid(&[0.0; 2], XY, (1.0, 1.0), r, 4)));
    assert!(cfg(slice_grid(&[0.0; 2], XY, r, (f32::NAN, 1.0), 4)));
    assert!(cfg(slice_grid(&[0.0; 2], XY, (-f32::MAX, f32::MAX), r, 4)));
    assert!(matches!(
        slice_grid(&[0.0, f32::INFINITY], XY, r, r, 4),
        Err(Error::InvalidData(_))
    ));
    let x = random_matrix(20, 3, 0.0, 1.0, 2);
    let one = Pca::fit(&x, 1).unwrap();
    assert!(cfg(slice_grid(&[0.0; 3], SliceAxes::Pca(&one), r, r, 4)));
    let two = Pca::fit(&x, 2).unwrap();
    assert!(matches!(
        slice_grid(&[0.0; 4], SliceAxes::Pca(&two), r, r, 4),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        map_coords(&Matrix::zeros(2, 4), SliceAxes::Pca(&two)),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        map_coords(&Matrix::zeros(2, 1), XY),
        Err(Error::InvalidConfig(_))
    ));
}
