//! Generators, features, splits, scaling and dataset validation, checked on generated data.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::features::{feature_matrix, feature_name, feature_value, labels};
use nn_playground::data::generators::{
    checker_class, default_count, generate, multi_gauss_label, MOONS_SCALE, MOONS_SHIFT,
};
use nn_playground::data::split::{shuffled_split, Standardizer};
use nn_playground::data::{Dataset, Point, Task};
use nn_playground::{DatasetKind, Error, Feature, Matrix, Rng};

const ALL_KINDS: [DatasetKind; 10] = [
    DatasetKind::Circle,
    DatasetKind::Xor,
    DatasetKind::Gauss,
    DatasetKind::Spiral,
    DatasetKind::Plane,
    DatasetKind::MultiGauss,
    DatasetKind::Moons,
    DatasetKind::Checkerboard,
    DatasetKind::KSpiral,
    DatasetKind::Sine,
];

fn gen(kind: DatasetKind, n: usize, noise: f32) -> Vec<Point> {
    generate(kind, n, noise, 3, &mut Rng::new(7)).unwrap()
}

fn count_label(pts: &[Point], label: f32) -> usize {
    pts.iter().filter(|p| p.label == label).count()
}

#[test]
fn every_generator_gives_n_finite_points_for_odd_and_even_n() {
    for kind in ALL_KINDS {
        for n in [1, 2, 5, 500, 1201] {
            for noise in [0.0, 25.0, 50.0] {
                let pts = gen(kind, n, noise);
                assert_eq!(pts.len(), n, "{kind:?} n={n}");
                assert!(
                    pts.iter()
                        .all(|p| p.x.is_finite() && p.y.is_finite() && p.label.is_finite()),
                    "{kind:?}"
                );
            }
        }
    }
}

#[test]
fn same_seed_same_points_other_seed_other_points() {
    for kind in ALL_KINDS {
        let a = generate(kind, 300, 20.0, 4, &mut Rng::new(42)).unwrap();
        let b = generate(kind, 300, 20.0, 4, &mut Rng::new(42)).unwrap();
        let c = generate(kind, 300, 20.0, 4, &mut Rng::new(43)).unwrap();
        assert_eq!(a, b, "{kind:?}");
        assert_ne!(a, c, "{kind:?}");
    }
}

#[test]
fn bad_settings_are_config_errors() {
    let mut rng = Rng::new(1);
    let bad = [
        (DatasetKind::Circle, 0, 0.0, 3),
        (DatasetKind::Circle, 100_001, 0.0, 3),
        (DatasetKind::Circle, 10, -0.1, 3),
        (DatasetKind::Circle, 10, 50.1, 3),
        (DatasetKind::Circle, 10, f32::NAN, 3),
        (DatasetKind::Circle, 10, f32::INFINITY, 3),
        (DatasetKind::KSpiral, 10, 0.0, 1),
        (DatasetKind::KSpiral, 10, 0.0, 9),
        (DatasetKind::Custom, 10, 0.0, 3),
    ];
    for (kind, n, noise, k) in bad {
        match generate(kind, n, noise, k, &mut rng) {
            Err(Error::InvalidConfig(m)) => assert!(!m.is_empty()),
            other => panic!("{kind:?} n={n} noise={noise} k={k}: {other:?}"),
        }
    }
    assert!(generate(DatasetKind::Circle, 100_000, 50.0, 3, &mut rng).is_ok());
    assert!(generate(DatasetKind::KSpiral, 10, 0.0, 8, &mut rng).is_ok());
}

#[test]
fn default_counts_follow_the_playground() {
    assert_eq!(default_count(DatasetKind::Circle), 500);
    assert_eq!(default_count(DatasetKind::KSpiral), 500);
    assert_eq!(default_count(DatasetKind::Plane), 1200);
    assert_eq!(default_count(DatasetKind::MultiGauss), 1200);
    assert_eq!(default_count(DatasetKind::Sine), 1200);
}

#[test]
fn circle_without_noise_is_labelled_by_radius() {
    let pts = gen(DatasetKind::Circle, 500, 0.0);
    for p in &pts {
        let r = p.x.hypot(p.y);
        assert_eq!(p.label, if r < 2.5 { 1.0 } else { 0.0 }, "{p:?}");
        assert!(
            r <= 2.5 + 1e-5 || (3.5 - 1e-5..=5.0 + 1e-5).contains(&r),
            "{p:?}"
        );
    }
    assert_eq!(count_label(&pts, 1.0), 250);
}

#[test]
fn circle_noise_flips_some_labels() {
    let pts = gen(DatasetKind::Circle, 2000, 50.0);
    let flipped = pts
        .iter()
        .filter(|p| (p.x.hypot(p.y) < 2.5) != (p.label == 1.0))
        .count();
    assert!(flipped > 50 && flipped < 1000, "{flipped}");
}

#[test]
fn xor_without_noise_is_labelled_by_quadrant_and_padded() {
    let pts = gen(DatasetKind::Xor, 1000, 0.0);
    for p in &pts {
        assert!(p.x.abs() >= 0.3 && p.y.abs() >= 0.3, "{p:?}");
        assert!(p.x.abs() <= 5.3 && p.y.abs() <= 5.3, "{p:?}");
        assert_eq!(p.label, if p.x * p.y >= 0.0 { 1.0 } else { 0.0 }, "{p:?}");
    }
    let ones = count_label(&pts, 1.0);
    assert!((400..600).contains(&ones), "{ones}");
}

#[test]
fn gauss_centres_and_variance_follow_noise() {
    for (noise, variance) in [(0.0, 0.5), (50.0, 4.0)] {
        let pts = gen(DatasetKind::Gauss, 20_000, noise);
        assert_eq!(count_label(&pts, 1.0), 10_000);
        for (label, centre) in [(1.0, 2.0), (0.0, -2.0)] {
            let xs: Vec<f32> = pts
                .iter()
                .filter(|p| p.label == label)
                .map(|p| p.x)
                .collect();
            let mean = xs.iter().sum::<f32>() / xs.len() as f32;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / xs.len() as f32;
            assert!((mean - centre).abs() < 0.06, "mean {mean}");
            assert!(
                (var - variance).abs() < 0.1 * variance,
                "var {var} want {variance}"
            );
        }
    }
}

#[test]
fn spiral_without_noise_lies_on_its_arm() {
    let n = 500;
    let pts = gen(DatasetKind::Spiral, n, 0.0);
    let m = n as f32 / 2.0;
    for (i, p) in pts.iter().enumerate() {
        let (j, delta, label) = if i < 250 {
            (i, 0.0, 1.0)
        } else {
            (i - 250, std::f32::consts::PI, 0.0)
        };
        let r = j as f32 / m * 5.0;
        let t = 1.75 * j as f32 / m * 2.0 * std::f32::consts::PI + delta;
        assert_eq!(p.label, label);
        assert!((p.x - r * t.sin()).abs() < 1e-4 && (p.y - r * t.cos()).abs() < 1e-4);
    }
    // With noise each coordinate moves by at most 1·noise.
    let noisy = gen(DatasetKind::Spiral, n, 50.0);
    for (p, q) in pts.iter().zip(&noisy) {
        assert!((p.x - q.x).abs() <= 0.5 + 1e-4 && (p.y - q.y).abs() <= 0.5 + 1e-4);
    }
}

#[test]
fn plane_label_is_the_scaled_sum() {
    let pts = gen(DatasetKind::Plane, 1200, 0.0);
    for p in &pts {
        assert!(p.x.abs() <= 6.0 && p.y.abs() <= 6.0);
        assert!((p.label - (p.x + p.y) / 10.0).abs() < 1e-6, "{p:?}");
    }
    let noisy = gen(DatasetKind::Plane, 1200, 30.0);
    let off = noisy
        .iter()
        .map(|p| (p.label - (p.x + p.y) / 10.0).abs())
        .fold(0.0f32, f32::max);
    assert!(off > 0.1 && off <= 0.36 + 1e-5, "{off}");
}

#[test]
fn multi_gauss_label_by_nearest_strong_centre() {
    assert_eq!(multi_gauss_label(-4.0, 2.5), 1.0);
    assert_eq!(multi_gauss_label(0.0, 2.5), -1.0);
    assert_eq!(multi_gauss_label(4.0, -2.5), -1.0);
    assert!((multi_gauss_label(0.0, -1.5) - 0.5).abs() < 1e-6);
    assert_eq!(multi_gauss_label(6.0, 6.0), 0.0);
    for p in gen(DatasetKind::MultiGauss, 1200, 0.0) {
        assert_eq!(p.label, multi_gauss_label(p.x, p.y));
        assert!((-1.0..=1.0).contains(&p.label));
    }
}

#[test]
fn moons_without_noise_lie_on_their_arcs() {
    let pts = gen(DatasetKind::Moons, 400, 0.0);
    assert_eq!(count_label(&pts, 0.0), 200);
    for p in &pts {
        let mx = p.x / MOONS_SCALE + MOONS_SHIFT.0;
        let my = p.y / MOONS_SCALE + MOONS_SHIFT.1;
        let (cx, cy, upper) = if p.label == 0.0 {
            (0.0, 0.0, true)
        } else {
            (1.0, 0.5, false)
        };
        assert!(((mx - cx).hypot(my - cy) - 1.0).abs() < 1e-4, "{p:?}");
        assert_eq!(my >= cy - 1e-5, upper, "{p:?}");
    }
}

#[test]
fn checkerboard_without_noise_is_labelled_by_cell_parity() {
    assert_eq!(checker_class(-5.0, -5.0), 1.0);
    assert_eq!(checker_class(-2.0, -5.0), 0.0);
    assert_eq!(checker_class(1.0, 1.0), 1.0);
    assert_eq!(checker_class(-1.0, 1.0), 0.0);
    assert_eq!(checker_class(-7.0, -5.0), 0.0);
    let pts = gen(DatasetKind::Checkerboard, 800, 0.0);
    for p in &pts {
        assert_eq!(p.label, checker_class(p.x, p.y));
    }
    let ones = count_label(&pts, 1.0);
    assert!((320..480).contains(&ones), "{ones}");
}

#[test]
fn k_spiral_has_k_balanced_arms() {
    for k in [3, 5] {
        let pts = generate(DatasetKind::KSpiral, 301, 0.0, k, &mut Rng::new(3)).unwrap();
        for c in 0..k {
            let count = count_label(&pts, c as f32);
            assert!(count == 301 / k || count == 301 / k + 1, "{count}");
        }
        // Arm c starts its angle at 2πc/K: the second point of each arm sits there.
        let m = 301.0 / k as f32;
        let mut start = 0;
        for c in 0..k {
            let p = pts[start + 1];
            let t = 1.75 / m * 2.0 * std::f32::consts::PI
                + 2.0 * std::f32::consts::PI * c as f32 / k as f32;
            let r = 5.0 / m;
            assert!((p.x - r * t.sin()).abs() < 1e-5 && (p.y - r * t.cos()).abs() < 1e-5);
            start += count_label(&pts, c as f32);
        }
    }
}

#[test]
fn sine_labels_follow_the_curve_within_noise() {
    for (noise, tol) in [(0.0, 1e-6), (50.0, 0.2 + 1e-6)] {
        for p in gen(DatasetKind::Sine, 1200, noise) {
            assert_eq!(p.y, 0.0);
            assert!(p.x.abs() <= 6.0);
            assert!((p.label - 0.8 * p.x.sin()).abs() <= tol);
            assert!((-1.0..=1.0).contains(&p.label));
        }
    }
}

#[test]
fn features_compute_the_playground_transforms() {
    let (x, y) = (1.5f32, -2.0f32);
    let cases = [
        (Feature::X1, x, "X₁"),
        (Feature::X2, y, "X₂"),
        (Feature::X1Squared, 2.25, "X₁²"),
        (Feature::X2Squared, 4.0, "X₂²"),
        (Feature::X1X2, -3.0, "X₁X₂"),
        (Feature::SinX1, x.sin(), "sin(X₁)"),
        (Feature::SinX2, y.sin(), "sin(X₂)"),
        (Feature::CosX1, x.cos(), "cos(X₁)"),
        (Feature::CosX2, y.cos(), "cos(X₂)"),
    ];
    for (f, want, name) in cases {
        assert_eq!(feature_value(f, x, y), want, "{f:?}");
        assert_eq!(feature_name(f), name);
    }
    let pts = [
        Point {
            x: 1.0,
            y: 2.0,
            label: 1.0,
        },
        Point {
            x: 3.0,
            y: 4.0,
            label: 0.0,
        },
    ];
    let m = feature_matrix(&pts, &[Feature::X1X2, Feature::X1, Feature::X2Squared]);
    assert_eq!(m.shape(), (2, 3));
    assert_eq!(m.as_slice(), &[2.0, 1.0, 4.0, 12.0, 3.0, 16.0]);
    assert_eq!(labels(&pts).as_slice(), &[1.0, 0.0]);
    let ds = Dataset::from_points(&pts, &[Feature::X1, Feature::SinX2], Task::Binary);
    assert_eq!(ds.feature_names, ["X₁", "sin(X₂)"]);
    assert!(ds.validate().is_ok());
}

#[test]
fn split_is_a_disjoint_cover_of_the_right_sizes() {
    let cases = [
        (500, 50.0, 250),
        (10, 33.0, 3),
        (7, 90.0, 6),
        (1, 10.0, 1),
        (5, 0.0, 1),
        (5, 100.0, 5),
        (4, f32::NAN, 1),
    ];
    for (n, pct, train) in cases {
        let (tr, te) = shuffled_split(n, pct, &mut Rng::new(9));
        assert_eq!(tr.len(), train, "n={n} pct={pct}");
        assert_eq!(tr.len() + te.len(), n);
        let mut all: Vec<usize> = tr.iter().chain(&te).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
    }
    assert_eq!(shuffled_split(0, 50.0, &mut Rng::new(1)), (vec![], vec![]));
    let a = shuffled_split(100, 50.0, &mut Rng::new(5));
    assert_eq!(a, shuffled_split(100, 50.0, &mut Rng::new(5)));
    assert_ne!(a.0, (0..50).collect::<Vec<_>>(), "not shuffled");
}

#[test]
fn standardizer_centres_and_scales_columns() {
    let m = Matrix::from_vec(4, 2, vec![1., 5., 2., 5., 3., 5., 4., 5.]).unwrap();
    let s = Standardizer::fit(&m);
    assert_eq!(s.mean, [2.5, 5.0]);
    assert!((s.std[0] - 1.25f32.sqrt()).abs() < 1e-6);
    assert_eq!(s.std[1], 1.0, "constant column keeps std 1");
    let mut z = m.clone();
    s.apply(&mut z).unwrap();
    let col0: Vec<f32> = (0..4).map(|r| z.get(r, 0)).collect();
    assert!(col0.iter().sum::<f32>().abs() < 1e-6);
    assert!((col0.iter().map(|v| v * v).sum::<f32>() / 4.0 - 1.0).abs() < 1e-5);
    assert!((0..4).all(|r| z.get(r, 1) == 0.0));
    let mut wrong = Matrix::zeros(2, 3);
    assert!(matches!(s.apply(&mut wrong), Err(Error::Shape(_))));
    let empty = Standardizer::fit(&Matrix::zeros(0, 2));
    assert_eq!((empty.mean, empty.std), (vec![0.0, 0.0], vec![1.0, 1.0]));
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Standardizer>(&json).unwrap(), s);
}

fn dataset(task: Task, x: Vec<f32>, y: Vec<f32>) -> Dataset {
    let n = y.len();
    Dataset {
        x: Matrix::from_vec(n, x.len() / n.max(1), x).unwrap(),
        y: Matrix::from_vec(n, 1, y).unwrap(),
        task,
        feature_names: vec![],
        class_names: vec![],
    }
}

fn invalid(ds: &Dataset) -> String {
    match ds.validate() {
        Err(Error::InvalidData(m)) => m,
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn validate_reports_what_and_where() {
    let ok = dataset(
        Task::MultiClass(3),
        vec![0., 1., 2., 3., 4., 5.],
        vec![0., 2., 1.],
    );
    assert!(ok.validate().is_ok());
    assert!(ok.subset(&[2, 2]).validate().is_ok());

    let mut d = ok.clone();
    d.x.set(2, 0, f32::INFINITY);
    let m = invalid(&d);
    assert!(m.contains("row 3") && m.contains("column 1"), "{m}");

    let mut d = ok.clone();
    d.y.set(1, 0, f32::NAN);
    assert!(invalid(&d).contains("row 2"));

    let mut d = ok.clone();
    d.y = Matrix::zeros(2, 1);
    assert!(invalid(&d).contains("3 examples but 2 labels"));

    let mut d = ok.clone();
    d.y.set(0, 0, 3.0);
    assert!(invalid(&d).contains("row 1"));

    let mut d = ok.clone();
    d.class_names = vec!["a".into()];
    assert!(invalid(&d).contains("class names"));

    let mut d = ok.clone();
    d.task = Task::MultiClass(1);
    invalid(&d);

    let reg = dataset(Task::Regression, vec![1., 2.], vec![-7.5, 0.25]);
    assert!(reg.validate().is_ok());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn generators_answer_any_settings(
        kind in 0usize..11,
        n in 0usize..3000,
        noise in -10.0f32..60.0,
        classes in 0usize..12,
        seed in proptest::prelude::any::<u64>(),
    ) {
        let kind = ALL_KINDS.get(kind).copied().unwrap_or(DatasetKind::Custom);
        let valid = n >= 1
            && (0.0..=50.0).contains(&noise)
            && kind != DatasetKind::Custom
            && (kind != DatasetKind::KSpiral || (2..=8).contains(&classes));
        match generate(kind, n, noise, classes, &mut Rng::new(seed)) {
            Ok(pts) => {
                proptest::prop_assert!(valid);
                proptest::prop_assert_eq!(pts.len(), n);
            }
            Err(e) => proptest::prop_assert!(!valid && matches!(e, Error::InvalidConfig(_))),
        }
    }
}
