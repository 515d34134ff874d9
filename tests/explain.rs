//! "One step, explained": the traced numbers are the engine's own (its gradients and its
//! update) and hold the textbook relations between them.

use nn_playground::session::Session;
use nn_playground::spec::HiddenLayer;
use nn_playground::{DatasetKind, Matrix, PlaygroundConfig};

fn session() -> Session {
    Session::new(PlaygroundConfig {
        dataset: DatasetKind::Xor,
        hidden: vec![
            HiddenLayer {
                units: 3,
                ..HiddenLayer::default()
            },
            HiddenLayer {
                units: 2,
                ..HiddenLayer::default()
            },
        ],
        ..PlaygroundConfig::default()
    })
    .unwrap()
}

#[test]
fn the_traced_step_is_the_engines_gradient_and_update() {
    let mut s = session();
    s.train_epochs(3).unwrap();
    let e = s.explain_step(7).unwrap();
    assert_eq!(e.input_names, ["X₁", "X₂"]);
    let (tx, ty, _, _) = s.split_matrices();
    let x = Matrix::from_vec(1, 2, tx.row(7).to_vec()).unwrap();
    let y = Matrix::from_vec(1, 1, ty.row(7).to_vec()).unwrap();
    let mut m = s.model().clone();
    let (loss, grads) = m.gradients(&x, &y).unwrap();
    assert_eq!(e.step.loss, loss);
    let lr = e.step.learning_rate;
    for (k, l) in e.step.layers.iter().enumerate() {
        // Gradients in params order: weights then bias per dense layer.
        assert_eq!(l.dw, grads[2 * k], "ΔW of layer {k}");
        assert_eq!(l.db, grads[2 * k + 1], "Δb of layer {k}");
        // ΔW = xᵀ·δ and Δb = δ for one example.
        for i in 0..l.inputs {
            for j in 0..l.units {
                let want = l.x[i] * l.delta[j];
                assert!((l.dw[i * l.units + j] - want).abs() <= 1e-6 * want.abs().max(1.0));
            }
        }
        // z = xW + b, and the next layer reads this layer's a.
        for j in 0..l.units {
            let z: f32 = (0..l.inputs)
                .map(|i| l.x[i] * l.w[i * l.units + j])
                .sum::<f32>()
                + l.b[j];
            assert!(
                (l.z[j] - z).abs() <= 1e-5 * z.abs().max(1.0),
                "z of layer {k}"
            );
        }
        if let Some(next) = e.step.layers.get(k + 1) {
            assert_eq!(next.x, l.a);
        }
        // Plain SGD: W ← W − α·ΔW.
        for (i, w) in l.w.iter().enumerate() {
            let want = w - lr * l.dw[i];
            assert!((l.w_after[i] - want).abs() <= 1e-6 * want.abs().max(1.0));
            // The change shown beside it is the step itself: −α·ΔW.
            assert_eq!(l.w_change[i], l.w_after[i] - w);
            assert!((l.w_change[i] + lr * l.dw[i]).abs() <= 1e-6);
        }
    }
    // The trace changes nothing.
    let before = s.export_model();
    s.explain_step(0).unwrap();
    assert_eq!(s.export_model(), before);
}

#[test]
fn networks_it_cannot_trace_and_rows_that_do_not_exist_are_named() {
    let s = session();
    let e = s.explain_step(100_000).unwrap_err().to_string();
    assert!(e.contains("does not exist"), "{e}");
    let bn = Session::new(PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 3,
            batch_norm: true,
            ..HiddenLayer::default()
        }],
        ..PlaygroundConfig::default()
    })
    .unwrap();
    let e = bn.explain_step(0).unwrap_err().to_string();
    // The page's numbering: the first hidden layer, not the model's second layer.
    assert!(e.contains("hidden layer 1 has batch norm"), "{e}");
    assert!(s.nearest_training_row(0.0, 0.0).is_some());
}
