//! Input features: the playground's transforms of the two raw coordinates, and the
//! point-list → matrix conversions the model trains on.

use super::Point;
use crate::spec::Feature;
use crate::Matrix;

/// The value of feature `f` at `(x, y)` (`X₁ = x`, `X₂ = y`).
pub fn feature_value(f: Feature, x: f32, y: f32) -> f32 {
    match f {
        Feature::X1 => x,
        Feature::X2 => y,
        Feature::X1Squared => x * x,
        Feature::X2Squared => y * y,
        Feature::X1X2 => x * y,
        Feature::SinX1 => x.sin(),
        Feature::SinX2 => y.sin(),
        Feature::CosX1 => x.cos(),
        Feature::CosX2 => y.cos(),
    }
}

/// The label the page shows for `f`.
pub fn feature_name(f: Feature) -> &'static str {
    match f {
        Feature::X1 => "X₁",
        Feature::X2 => "X₂",
        Feature::X1Squared => "X₁²",
        Feature::X2Squared => "X₂²",
        Feature::X1X2 => "X₁X₂",
        Feature::SinX1 => "sin(X₁)",
        Feature::SinX2 => "sin(X₂)",
        Feature::CosX1 => "cos(X₁)",
        Feature::CosX2 => "cos(X₂)",
    }
}

/// Every feature, in the order the page lists them ([`Feature::ALL`]).
pub const ALL_FEATURES: [Feature; 9] = Feature::ALL;

/// `n × features.len()`: row `i`, column `j` is `feature_value(features[j], pᵢ.x, pᵢ.y)`.
pub fn feature_matrix(points: &[Point], features: &[Feature]) -> Matrix {
    let data = points
        .iter()
        .flat_map(|p| features.iter().map(|&f| feature_value(f, p.x, p.y)))
        .collect();
    Matrix::from_vec(points.len(), features.len(), data)
        .expect("one value per point and feature by construction")
}

/// `n × 1`: the points' labels.
pub fn labels(points: &[Point]) -> Matrix {
    let data = points.iter().map(|p| p.label).collect();
    Matrix::from_vec(points.len(), 1, data).expect("one label per point by construction")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct() {
        for (i, a) in ALL_FEATURES.iter().enumerate() {
            for b in &ALL_FEATURES[i + 1..] {
                assert_ne!(feature_name(*a), feature_name(*b));
            }
        }
    }
}
