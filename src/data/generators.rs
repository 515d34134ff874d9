//! The built-in datasets: TensorFlow Playground's six sets with its generation rules, plus
//! two moons, a checkerboard, a K-arm spiral and a 1-D sine.
//!
//! All coordinates live in the playground's view square `[-6, 6]²`. `noise_percent` (0–50)
//! is the playground's noise slider; the rules below use `noise = noise_percent / 100`.
//! Binary sets label the playground's `+1` as class 1 and its `-1` as class 0.

use std::f32::consts::PI;

use super::Point;
use crate::spec::DatasetKind;
use crate::{Error, Result, Rng};

/// Most points one call may generate.
pub const MAX_POINTS: usize = 100_000;
/// Fewest and most arms of the K-class spiral.
pub const MIN_SPIRAL_CLASSES: usize = 2;
pub const MAX_SPIRAL_CLASSES: usize = 8;

/// The playground's default number of points: 1200 for regression sets, 500 otherwise.
pub fn default_count(kind: DatasetKind) -> usize {
    if kind.is_regression() {
        1200
    } else {
        500
    }
}

/// Generates `n` points of `kind`, deterministically from `rng`.
///
/// `classes` is only read for [`DatasetKind::KSpiral`] (number of arms, 2–8).
/// Errors with [`Error::InvalidConfig`] for `n` outside `1..=100_000`, noise outside
/// 0–50 (or not finite), a bad class count, or [`DatasetKind::Custom`] (which has no rule).
pub fn generate(
    kind: DatasetKind,
    n: usize,
    noise_percent: f32,
    classes: usize,
    rng: &mut Rng,
) -> Result<Vec<Point>> {
    if n == 0 || n > MAX_POINTS {
        return Err(Error::InvalidConfig(format!(
            "cannot generate {n} points; choose between 1 and {MAX_POINTS}"
        )));
    }
    if !(0.0..=50.0).contains(&noise_percent) {
        return Err(Error::InvalidConfig(format!(
            "noise {noise_percent}% is out of range; choose a value from 0 to 50"
        )));
    }
    let noise = noise_percent / 100.0;
    let points = match kind {
        DatasetKind::Circle => circle(n, noise, rng),
        DatasetKind::Xor => xor(n, noise, rng),
        DatasetKind::Gauss => two_gauss(n, noise, rng),
        DatasetKind::Spiral => spiral(n, noise, rng),
        DatasetKind::Plane => plane(n, noise, rng),
        DatasetKind::MultiGauss => multi_gauss(n, noise, rng),
        DatasetKind::Moons => moons(n, noise, rng),
        DatasetKind::Checkerboard => checkerboard(n, noise, rng),
        DatasetKind::KSpiral => {
            if !(MIN_SPIRAL_CLASSES..=MAX_SPIRAL_CLASSES).contains(&classes) {
                return Err(Error::InvalidConfig(format!(
                    "a spiral with {classes} arms is not available; choose {MIN_SPIRAL_CLASSES} to {MAX_SPIRAL_CLASSES} classes"
                )));
            }
            k_spiral(n, classes, noise, rng)
        }
        DatasetKind::Sine => sine(n, noise, rng),
        DatasetKind::Custom => {
            return Err(Error::InvalidConfig(
                "the custom dataset has no generator; upload a CSV file or add points by hand"
                    .into(),
            ))
        }
    };
    Ok(points)
}

/// Splits `n` into two halves; the first gets the odd point. (The playground loops
/// `i < n/2` in floating point, which yields `n + 1` points for odd `n`; we return `n`.)
fn halves(n: usize) -> (usize, usize) {
    (n - n / 2, n / 2)
}

/// The playground's +1 / −1 as class 1 / 0.
fn class_of(positive: bool) -> f32 {
    if positive {
        1.0
    } else {
        0.0
    }
}

/// Circle: class 1 has radius U(0, 2.5), class 0 radius U(3.5, 5); the label is whether the
/// point shifted by `U(-5, 5)·noise` per coordinate lies within radius 2.5.
fn circle(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    const RADIUS: f32 = 5.0;
    let (inner, outer) = halves(n);
    let mut pts = Vec::with_capacity(n);
    for (count, lo, hi) in [(inner, 0.0, RADIUS * 0.5), (outer, RADIUS * 0.7, RADIUS)] {
        for _ in 0..count {
            let r = rng.uniform(lo, hi);
            let angle = rng.uniform(0.0, 2.0 * PI);
            let (x, y) = (r * angle.sin(), r * angle.cos());
            let nx = rng.uniform(-RADIUS, RADIUS) * noise;
            let ny = rng.uniform(-RADIUS, RADIUS) * noise;
            let inside = (x + nx).hypot(y + ny) < RADIUS * 0.5;
            pts.push(Point {
                x,
                y,
                label: class_of(inside),
            });
        }
    }
    pts
}

/// Xor: x, y ∈ U(-5, 5) pushed 0.3 away from the axes; class 1 when `x·y ≥ 0` for the point
/// shifted by `U(-5, 5)·noise` per coordinate.
fn xor(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    const PADDING: f32 = 0.3;
    let pad = |v: f32| if v > 0.0 { v + PADDING } else { v - PADDING };
    (0..n)
        .map(|_| {
            let x = pad(rng.uniform(-5.0, 5.0));
            let y = pad(rng.uniform(-5.0, 5.0));
            let nx = rng.uniform(-5.0, 5.0) * noise;
            let ny = rng.uniform(-5.0, 5.0) * noise;
            Point {
                x,
                y,
                label: class_of((x + nx) * (y + ny) >= 0.0),
            }
        })
        .collect()
}

/// Gauss: class 1 around (2, 2), class 0 around (-2, -2), each coordinate with variance
/// `0.5 + 7·noise` (the playground's linear map of noise [0, 0.5] onto [0.5, 4]).
fn two_gauss(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let sd = (0.5 + noise * (3.5 / 0.5)).sqrt();
    let (a, b) = halves(n);
    let mut pts = Vec::with_capacity(n);
    for (count, c, label) in [(a, 2.0, 1.0), (b, -2.0, 0.0)] {
        for _ in 0..count {
            let x = c + sd * rng.normal();
            let y = c + sd * rng.normal();
            pts.push(Point { x, y, label });
        }
    }
    pts
}

/// Spiral: two arms, point `i` at `r = 5·i/m`, `t = 1.75·(i/m)·2π + δ` with `m = n/2`,
/// `δ = 0` (class 1) and `π` (class 0); each coordinate gets `U(-1, 1)·noise`.
fn spiral(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let (a, b) = halves(n);
    let m = n as f32 / 2.0;
    let mut pts = Vec::with_capacity(n);
    for (count, delta, label) in [(a, 0.0, 1.0), (b, PI, 0.0)] {
        arm(&mut pts, count, m, delta, label, noise, rng);
    }
    pts
}

/// One spiral arm of `count` points; `m` scales the index so radii stay below 5.
fn arm(
    pts: &mut Vec<Point>,
    count: usize,
    m: f32,
    delta: f32,
    label: f32,
    noise: f32,
    rng: &mut Rng,
) {
    for i in 0..count {
        let s = i as f32 / m;
        let r = s * 5.0;
        let t = 1.75 * s * 2.0 * PI + delta;
        let x = r * t.sin() + rng.uniform(-1.0, 1.0) * noise;
        let y = r * t.cos() + rng.uniform(-1.0, 1.0) * noise;
        pts.push(Point { x, y, label });
    }
}

/// Plane: x, y ∈ U(-6, 6); label `(x' + y')/10` — the playground's linear map of
/// [-10, 10] onto [-1, 1], unclamped — for the point shifted by `U(-6, 6)·noise`.
/// So |label| < 1.2 without noise and < 1.8 at 50 % noise, exactly as in the playground.
fn plane(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    regress(n, noise, rng, |x, y| (x + y) / 10.0)
}

/// Multi-gauss: six centres `(±4 or 0, ±2.5)` with alternating signs; each centre proposes
/// `sign·clamp(1 − d/2, 0, 1)` for the distance `d` to it, and the label is the proposal of
/// largest magnitude (the first on ties), for the point shifted by `U(-6, 6)·noise`.
fn multi_gauss(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    regress(n, noise, rng, multi_gauss_label)
}

/// The multi-gauss label at `(x, y)`, in [-1, 1].
pub fn multi_gauss_label(x: f32, y: f32) -> f32 {
    const CENTRES: [(f32, f32, f32); 6] = [
        (-4.0, 2.5, 1.0),
        (0.0, 2.5, -1.0),
        (4.0, 2.5, 1.0),
        (-4.0, -2.5, -1.0),
        (0.0, -2.5, 1.0),
        (4.0, -2.5, -1.0),
    ];
    let mut label = 0.0f32;
    for (cx, cy, sign) in CENTRES {
        let d = (x - cx).hypot(y - cy);
        let proposal = sign * (1.0 - d / 2.0).clamp(0.0, 1.0);
        if proposal.abs() > label.abs() {
            label = proposal;
        }
    }
    label
}

/// Shared body of the playground's two regression sets.
fn regress(n: usize, noise: f32, rng: &mut Rng, f: impl Fn(f32, f32) -> f32) -> Vec<Point> {
    const RADIUS: f32 = 6.0;
    (0..n)
        .map(|_| {
            let x = rng.uniform(-RADIUS, RADIUS);
            let y = rng.uniform(-RADIUS, RADIUS);
            let nx = rng.uniform(-RADIUS, RADIUS) * noise;
            let ny = rng.uniform(-RADIUS, RADIUS) * noise;
            Point {
                x,
                y,
                label: f(x + nx, y + ny),
            }
        })
        .collect()
}

/// Scale and offset that centre scikit-learn's moons (x ∈ [-1, 2], y ∈ [-0.5, 1]) in the view.
pub const MOONS_SCALE: f32 = 2.5;
pub const MOONS_SHIFT: (f32, f32) = (0.5, 0.25);

/// Two moons: class 0 on the upper arc `(cos t, sin t)`, class 1 on the lower arc
/// `(1 − cos t, 0.5 − sin t)`, `t ∈ U(0, π)`, then shifted by `-MOONS_SHIFT` and scaled by
/// `MOONS_SCALE`; each coordinate gets Gaussian jitter with s.d. `MOONS_SCALE·noise`.
fn moons(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let (a, b) = halves(n);
    let sd = MOONS_SCALE * noise;
    let mut pts = Vec::with_capacity(n);
    for (count, label) in [(a, 0.0), (b, 1.0)] {
        for _ in 0..count {
            let t = rng.uniform(0.0, PI);
            let (mx, my) = if label == 0.0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            let x = (mx - MOONS_SHIFT.0) * MOONS_SCALE + sd * rng.normal();
            let y = (my - MOONS_SHIFT.1) * MOONS_SCALE + sd * rng.normal();
            pts.push(Point { x, y, label });
        }
    }
    pts
}

/// Width of one checkerboard cell: 4×4 cells cover [-6, 6]².
pub const CHECKER_CELL: f32 = 3.0;

/// The checkerboard class at `(x, y)`: 1 when the cell's column plus row is even.
pub fn checker_class(x: f32, y: f32) -> f32 {
    let col = ((x + 6.0) / CHECKER_CELL).floor() as i64;
    let row = ((y + 6.0) / CHECKER_CELL).floor() as i64;
    class_of((col + row).rem_euclid(2) == 0)
}

/// Checkerboard: x, y ∈ U(-6, 6), labelled by [`checker_class`] of the point shifted by
/// `U(-3, 3)·noise` per coordinate (the xor rule's noise, scaled to one cell).
fn checkerboard(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    (0..n)
        .map(|_| {
            let x = rng.uniform(-6.0, 6.0);
            let y = rng.uniform(-6.0, 6.0);
            let nx = rng.uniform(-CHECKER_CELL, CHECKER_CELL) * noise;
            let ny = rng.uniform(-CHECKER_CELL, CHECKER_CELL) * noise;
            Point {
                x,
                y,
                label: checker_class(x + nx, y + ny),
            }
        })
        .collect()
}

/// K-arm spiral: arm `k` (class `k`) follows the two-arm rule with `δ = 2πk/K` and
/// `m = n/K`; the first `n mod K` arms get one extra point.
fn k_spiral(n: usize, classes: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let m = n as f32 / classes as f32;
    let mut pts = Vec::with_capacity(n);
    for k in 0..classes {
        let count = n / classes + usize::from(k < n % classes);
        let delta = 2.0 * PI * k as f32 / classes as f32;
        arm(&mut pts, count, m, delta, k as f32, noise, rng);
    }
    pts
}

/// Sine: x ∈ U(-6, 6), y = 0 (unused), label `0.8·sin x + 0.4·noise·U(-1, 1)`, so labels stay
/// within [-1, 1] at every noise level.
fn sine(n: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    (0..n)
        .map(|_| {
            let x = rng.uniform(-6.0, 6.0);
            let jitter = 0.4 * noise * rng.uniform(-1.0, 1.0);
            Point {
                x,
                y: 0.0,
                label: 0.8 * x.sin() + jitter,
            }
        })
        .collect()
}
