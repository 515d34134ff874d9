//! The training-health panel: its statistics against hand-computed values on a tiny net, and
//! the vanishing gradient of a deep sigmoid net against the same net with batch norm.

use nn_playground::session::{Session, HEALTH_BINS};
use nn_playground::spec::HiddenLayer;
use nn_playground::{Activation, DatasetKind, PlaygroundConfig};

fn deep(batch_norm: bool) -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Circle,
        activation: Activation::Sigmoid,
        init: nn_playground::Init::GlorotUniform,
        hidden: vec![
            HiddenLayer {
                units: 8,
                batch_norm,
                ..HiddenLayer::default()
            };
            8
        ],
        ..PlaygroundConfig::default()
    }
}

/// |∂L/∂W| of the last dense layer over that of the first.
fn gradient_ratio(cfg: PlaygroundConfig) -> f32 {
    let mut s = Session::new(cfg).unwrap();
    let h = s.health().unwrap();
    h.last().unwrap().mean_abs_grad / h[0].mean_abs_grad
}

#[test]
fn a_deep_sigmoid_net_vanishes_and_batch_norm_helps() {
    let plain = gradient_ratio(deep(false));
    let normed = gradient_ratio(deep(true));
    eprintln!("last/first gradient: sigmoid {plain}, with batch norm {normed}");
    assert!(plain > 10.0, "{plain}");
    assert!(plain > 5.0 * normed, "{plain} vs {normed}");
}

#[test]
fn looking_does_not_change_the_run() {
    let mut a = Session::new(deep(true)).unwrap();
    let mut b = Session::new(deep(true)).unwrap();
    a.health().unwrap();
    a.train_epochs(2).unwrap();
    b.train_epochs(2).unwrap();
    assert_eq!(a.export_model(), b.export_model());
}

#[test]
fn statistics_match_a_hand_computed_layer() {
    // One hidden tanh layer; weights set by hand.
    let cfg = PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 2,
            ..HiddenLayer::default()
        }],
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg).unwrap();
    for (from, to, v) in [(0, 0, 0.5), (0, 1, -1.5), (1, 0, 2.0), (1, 1, -0.0)] {
        s.set_weight(0, from, to, v).unwrap();
    }
    let h = s.health().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].units, 2);
    assert!((h[0].mean_abs_weight - (0.5 + 1.5 + 2.0 + 0.0) / 4.0).abs() < 1e-6);
    assert_eq!(h[0].hist.len(), HEALTH_BINS);
    let rows: u32 = h[0].hist.iter().sum();
    assert_eq!(rows as usize % 2, 0, "two units per row");
    assert!(h[0].saturated_share.is_some() && h[0].dead_share.is_none());
    // The gradient by hand from the model on the same rows (all 250 training points fit in
    // one sample); plain SGD moves W by exactly lr·∂L/∂W.
    let (tx, ty, _, _) = s.split_matrices();
    let (tx, ty) = (tx.clone(), ty.clone());
    let mut m = s.model().clone();
    let (_, g) = m.gradients(&tx, &ty).unwrap();
    let mean: f32 = g[0].iter().map(|v| v.abs()).sum::<f32>() / 4.0;
    assert!(
        (h[0].mean_abs_grad - mean).abs() <= 1e-6 * mean.max(1.0),
        "{h:?}"
    );
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let lr = s.config().optimizer.learning_rate;
    let want = lr * norm(&g[0]) / norm(&[0.5, -1.5, 2.0, 0.0]);
    assert!(
        (h[0].update_ratio - want).abs() <= 1e-4 * want,
        "{} vs {want}",
        h[0].update_ratio
    );
}

#[test]
fn a_links_gradient_and_a_nodes_range_come_from_the_engine() {
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    s.train_epochs(2).unwrap();
    let (w, g) = s.link_info(1, 0, 1).unwrap();
    let net = s.network();
    assert_eq!(w, net.layers[1].weights[1]);
    // The gradient of the same weight on the same rows (all 250 training points).
    let (tx, ty, _, _) = s.split_matrices();
    let (tx, ty) = (tx.clone(), ty.clone());
    let (_, grads) = s.model().clone().gradients(&tx, &ty).unwrap();
    assert_eq!(g, grads[2][1]);
    let (lo, hi) = s.unit_range(1, 0).unwrap();
    assert!(
        -1.0 <= lo && lo <= hi && hi <= 1.0,
        "tanh outputs: {lo} … {hi}"
    );
    assert!(s.link_info(9, 0, 0).is_err());
    assert!(s.unit_range(1, 99).is_err());
}
