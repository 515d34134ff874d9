//! Faults inside the engine: a diverging run stops with an error that suggests a fix, leaves
//! weights that still predict finite values, and training goes on at a lower rate.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::session::Session;
use nn_playground::spec::PlaygroundConfig;
use nn_playground::{url_state, Error, Sequential};

fn diverging() -> Session {
    let st = url_state::from_hash("dataset=plane&activation=linear&learningRate=10&seed=2")
        .expect("hash parses");
    Session::new(st.config).expect("session")
}

fn finite(v: &[f32]) -> bool {
    v.iter().all(|x| x.is_finite())
}

#[test]
fn divergence_keeps_weights_that_predict_and_training_resumes_at_a_lower_rate() {
    let mut s = diverging();
    let err = (0..100)
        .find_map(|_| s.train_epochs(1).err())
        .expect("learning rate 10 on a linear net diverges");
    let Error::Diverged { hint, .. } = &err else {
        panic!("expected divergence, got {err:?}")
    };
    assert!(hint.contains("lower learning rate"), "{hint}");
    let probe = [0.0, 0.0, 1.5, -2.0, -4.0, 3.0, 5.5, 5.5];
    let preds = s.predict_points(&probe).expect("predict");
    assert!(finite(&preds), "predictions after divergence: {preds:?}");
    assert!(s.train_loss().is_finite(), "train loss {}", s.train_loss());
    assert!(finite(&s.decision_grid(8).expect("grid")));
    // Every weight is finite, so the model file loads again (the loader refuses non-finite).
    let mut model = s.model().clone();
    assert!(model.params().iter().all(|p| finite(p)));
    Sequential::from_json(&s.export_model()).expect("the model file reloads");

    let mut cfg: PlaygroundConfig = s.config().clone();
    cfg.optimizer.learning_rate = 0.001;
    s.set_config(cfg).expect("lower rate");
    let epoch = s.epoch();
    s.train_epochs(20).expect("training at 0.001");
    assert_eq!(s.epoch(), epoch + 20);
    assert!(s.train_loss().is_finite());
}
