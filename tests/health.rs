//! The training-health figures against hand-computed values: mean |weight| and |gradient|
//! from the model's own parameters and `Sequential::gradients`, the update ratio, dead and
//! saturated units, histograms, and the vanishing gradient of a deep sigmoid net.

use nn_playground::session::{Session, HEALTH_BINS, HEALTH_ROWS};
use nn_playground::*;

fn mean_abs(v: &[f32]) -> f32 {
    (v.iter().map(|x| f64::from(x.abs())).sum::<f64>() / v.len() as f64) as f32
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6 + 1e-4 * b.abs()
}

#[test]
fn figures_are_the_models_own_weights_and_gradients() {
    let cfg = PlaygroundConfig {
        num_samples: Some(200),
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg).unwrap();
    s.train_epochs(2).unwrap();
    let report = s.health().unwrap();
    // 4, 2 hidden units and the output.
    assert_eq!(
        report.layers.iter().map(|l| l.units).collect::<Vec<_>>(),
        [4, 2, 1]
    );
    assert_eq!(
        report.rows, 100,
        "every training row (fewer than the sample)"
    );
    const { assert!(HEALTH_ROWS >= 100) };

    // By hand: the same rows through the model's gradient check, on a copy.
    let mut model = s.model().clone();
    // Every training row, as the model sees them (in another order: the means are the same).
    let (x, y) = s.epoch_training_set().unwrap();
    assert_eq!(x.rows(), 100);
    let (_, grads) = model.gradients(&x, &y).unwrap();
    let params = model.params();
    let lr = s.config().optimizer.learning_rate;
    for (i, l) in report.layers.iter().enumerate() {
        // Per dense layer: weights then bias.
        let (w, g) = (&params[2 * i], &grads[2 * i]);
        assert!(close(l.mean_abs_weight, mean_abs(w)), "layer {i} |W|");
        assert!(close(l.mean_abs_gradient, mean_abs(g)), "layer {i} |∇W|");
        assert!(close(l.update_ratio, lr * mean_abs(g) / mean_abs(w)));
        assert_eq!(l.histogram.len(), HEALTH_BINS);
        assert_eq!(
            l.histogram.iter().sum::<u32>() as usize,
            100 * l.units,
            "every output counted"
        );
    }
    assert_eq!(report.layers[0].range, [-1.0, 1.0], "tanh's range");
    assert_eq!(report.layers[0].inactive_kind, Some("saturated"));
    assert!(close(
        report.gradient_ratio,
        report.layers[2].mean_abs_gradient / report.layers[0].mean_abs_gradient
    ));
    // Measuring moves nothing: the next epoch is the one it would have been.
    let mut twin = s.clone();
    s.health().unwrap();
    s.train_epochs(1).unwrap();
    twin.train_epochs(1).unwrap();
    assert_eq!(s.model().clone().params(), twin.model().clone().params());
}

#[test]
fn dead_relus_and_saturated_units_are_counted() {
    let cfg = PlaygroundConfig {
        activation: Activation::Relu,
        hidden: vec![HiddenLayer {
            units: 4,
            ..HiddenLayer::default()
        }],
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg).unwrap();
    // Units 0 and 2 get a bias no input on the square overcomes: dead.
    s.set_bias(0, 0, -100.0).unwrap();
    s.set_bias(0, 2, -100.0).unwrap();
    s.set_bias(0, 1, 100.0).unwrap();
    let l = &s.health().unwrap().layers[0];
    assert_eq!(l.inactive_kind, Some("dead"));
    assert_eq!(l.inactive_share, 0.5);
    // Outputs span 0 … ~100: the histogram's range is theirs.
    assert_eq!(l.range[0], 0.0);
    assert!(l.range[1] > 99.0);

    let mut t = Session::new(PlaygroundConfig::default()).unwrap();
    t.set_bias(0, 3, 50.0).unwrap();
    let l = &t.health().unwrap().layers[0];
    assert_eq!(l.inactive_kind, Some("saturated"));
    assert!(l.inactive_share >= 0.25, "{}", l.inactive_share);
    assert_eq!(
        t.health().unwrap().layers[2].inactive_kind,
        Some("saturated")
    );
    let lin = Session::new(PlaygroundConfig {
        activation: Activation::Linear,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    assert_eq!(lin.health().unwrap().layers[0].inactive_kind, None);
}

fn deep_sigmoid(batch_norm: bool) -> PlaygroundConfig {
    PlaygroundConfig {
        activation: Activation::Sigmoid,
        init: Init::GlorotUniform,
        hidden: vec![
            HiddenLayer {
                units: 8,
                batch_norm,
                ..HiddenLayer::default()
            };
            6
        ],
        ..PlaygroundConfig::default()
    }
}

#[test]
fn a_deep_sigmoid_net_loses_its_gradient_and_batch_norm_keeps_it() {
    let plain = Session::new(deep_sigmoid(false)).unwrap().health().unwrap();
    let normed = Session::new(deep_sigmoid(true)).unwrap().health().unwrap();
    println!(
        "last/first gradient: plain {}, batch norm {}",
        plain.gradient_ratio, normed.gradient_ratio
    );
    assert!(plain.gradient_ratio > 10.0, "{}", plain.gradient_ratio);
    assert!(
        plain.gradient_ratio > 5.0 * normed.gradient_ratio,
        "{} vs {}",
        plain.gradient_ratio,
        normed.gradient_ratio
    );
}
