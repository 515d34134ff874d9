//! The Sequences-mode engine: it trains with warm-up, measures both accuracies, shows an
//! example with its attention, reads typed input with clear errors (keeping the model),
//! maps the token embeddings, and resets to the same weights.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::sequence::{SequenceTask, SequenceTaskSpec};
use nn_playground::session::sequence::SequenceSession;
use nn_playground::{SequenceConfig, SequencePooling};

fn config(task: SequenceTask, length: usize) -> SequenceConfig {
    SequenceConfig {
        task: SequenceTaskSpec {
            task,
            length,
            vocab: 8,
            train: 400,
            test: 50,
            ..Default::default()
        },
        width: 16,
        ff_units: 32,
        ..SequenceConfig::default()
    }
}

#[test]
fn trains_and_reports_both_accuracies() {
    let mut s = SequenceSession::new(config(SequenceTask::CopyOffset, 8)).unwrap();
    let first = s.train_steps(10).unwrap();
    assert_eq!(first.step, 10);
    // Warm-up of 50 steps: step 10 ran at a fifth of the rate.
    let lr = s.config().optimizer.learning_rate;
    assert!(
        (first.learning_rate - lr * 10.0 / 50.0).abs() < 1e-7,
        "{first:?}"
    );
    let later = s.train_steps(300).unwrap();
    assert!(
        later.test_loss < first.test_loss,
        "{first:?} then {later:?}"
    );
    assert!(later.test_token_accuracy > 0.9, "{later:?}");
    assert!(later.test_sequence_accuracy <= later.test_token_accuracy);
    assert_eq!(s.history().len(), 2);
    let info = s.task_info();
    assert_eq!(
        (info.length, info.vocab, info.padding, info.per_position),
        (8, 8, Some(0), true)
    );
}

#[test]
fn an_example_shows_target_prediction_and_one_map_per_block() {
    let mut cfg = config(SequenceTask::Reverse, 6);
    cfg.blocks = 2;
    cfg.heads = 4;
    let mut s = SequenceSession::new(cfg).unwrap();
    s.train_steps(3).unwrap();
    let e = s.example(4).unwrap();
    assert_eq!(e.input.len(), 6);
    let target = e.target.clone().unwrap();
    assert!(e.input.iter().rev().eq(target.iter()));
    assert_eq!(e.predicted.len(), 6);
    assert_eq!(e.correct.len(), 6);
    assert_eq!(e.attention.len(), 2);
    let map = &e.attention[1];
    assert_eq!((map.batch, map.heads, map.len, map.layer), (1, 4, 6, 3));
    for h in 0..4 {
        for q in 0..6 {
            let sum: f32 = map.head(0, h)[q * 6..(q + 1) * 6].iter().sum();
            assert!((sum - 1.0).abs() < 1e-5);
        }
    }
    assert!(s
        .example(50)
        .unwrap_err()
        .to_string()
        .contains("no test example 50"));
}

#[test]
fn typed_input_reads_names_and_refuses_bad_tokens_keeping_the_model() {
    let mut s = SequenceSession::new(config(SequenceTask::Reverse, 6)).unwrap();
    s.train_steps(5).unwrap();
    let before = s.model().clone().params();
    assert_eq!(s.parse_tokens("3 1,4").unwrap(), vec![3, 1, 4]);
    assert_eq!(s.parse_tokens("314").unwrap(), vec![3, 1, 4]);
    let e = s.predict_text("3 1 4").unwrap();
    assert_eq!((e.predicted.len(), e.target.is_none()), (3, true));
    assert_eq!(e.attention[0].len, 3);
    let text = s.predict_text("1 2 3 4 5 6 7").unwrap_err().to_string();
    assert!(
        text.contains("7 tokens is too long") && text.contains("up to 6"),
        "{text}"
    );
    let text = s.predict_text("1 x 2").unwrap_err().to_string();
    assert!(
        text.contains("\"x\" is not a token") && text.contains("0 1 2 3 4 5 6 7"),
        "{text}"
    );
    let text = s.predict_tokens(&[1, 9]).unwrap_err().to_string();
    assert!(
        text.contains("token 9 at position 2 is out of range"),
        "{text}"
    );
    assert!(s.predict_text("  ").is_err());
    assert_eq!(s.model().clone().params(), before);
    // Brackets read character by character, modular addition's names run together.
    let b = SequenceSession::new(config(SequenceTask::BalancedBrackets, 16)).unwrap();
    assert_eq!(b.parse_tokens("(())").unwrap(), vec![0, 0, 1, 1]);
    let mut m = SequenceSession::new(SequenceConfig {
        task: SequenceTaskSpec {
            task: SequenceTask::ModularAddition,
            modulus: 13,
            ..Default::default()
        },
        pooling: SequencePooling::FirstToken,
        ..SequenceConfig::default()
    })
    .unwrap();
    assert_eq!(m.parse_tokens("12+3=").unwrap(), vec![12, 13, 3, 14]);
    assert_eq!(m.predict_text("12+3=").unwrap().predicted.len(), 1);
}

#[test]
fn embedding_map_and_reset() {
    let mut s = SequenceSession::new(config(SequenceTask::Sort, 5)).unwrap();
    let fresh = s.model().clone().params();
    s.train_steps(20).unwrap();
    let map = s.embedding_map().unwrap();
    assert_eq!((map.names.len(), map.x.len(), map.y.len()), (8, 8, 8));
    assert!(map.explained[0] >= map.explained[1] && map.explained[0] > 0.0);
    assert_ne!(s.model().clone().params(), fresh);
    s.reset().unwrap();
    assert_eq!(s.model().clone().params(), fresh);
    assert!(s.history().is_empty());
}

#[test]
fn bad_settings_are_errors_that_name_them() {
    let bad = |f: &dyn Fn(&mut SequenceConfig)| {
        let mut c = SequenceConfig::default();
        f(&mut c);
        SequenceSession::new(c).err().unwrap().to_string()
    };
    assert!(bad(&|c| c.heads = 3).contains("not divisible by 3 heads"));
    assert!(bad(&|c| c.blocks = 5).contains("blocks must be 1 to 4"));
    assert!(bad(&|c| c.dropout = 0.9).contains("dropout"));
    assert!(bad(&|c| c.task.vocab = 40).contains("vocabulary"));
    assert!(bad(&|c| c.optimizer.learning_rate = -1.0).contains("learning rate"));
}

#[test]
fn a_script_s_numbers_are_refused_in_words_not_wrapped_or_waited_on() {
    use nn_playground::session::sequence::{whole_number, MAX_TRAIN_FOR_MS};
    let mut s = SequenceSession::new(config(SequenceTask::Reverse, 4)).unwrap();
    // A budget that is never reached would run the whole step cap: refused before a step.
    let mut calls = 0;
    for ms in [f64::NAN, f64::INFINITY, -1.0, MAX_TRAIN_FOR_MS * 2.0] {
        let mut now = || {
            calls += 1;
            0.0
        };
        let e = s.train_for(ms, &mut now).unwrap_err().to_string();
        assert!(
            e.contains("trainFor's milliseconds must be a number"),
            "{e}"
        );
    }
    assert_eq!((calls, s.step()), (0, 0));
    let e = s.train_for(f64::NAN, &mut || 0.0).unwrap_err().to_string();
    assert!(e.ends_with("got NaN"), "{e}");
    for (x, said) in [
        (-1.0, "-1"),
        (1.5, "1.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (11.0, "11"),
    ] {
        let e = whole_number(x, "example's index", 10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!(
                "example's index must be a whole number from 0 to 10, got {said}"
            )),
            "{e}"
        );
    }
    assert_eq!(whole_number(7.0, "x", 10).unwrap(), 7);
    assert_eq!(whole_number(0.0, "x", 10).unwrap(), 0);
}
