//! The generated sequence tasks: targets follow each task's rule (checked here by a second,
//! direct reading of the rule), held-out sequences never occur in training, the same seed
//! gives the same data, and bad settings are clear errors.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use nn_playground::data::sequence::{generate, SequenceSplit, SequenceTask, SequenceTaskSpec};
use nn_playground::Matrix;

fn make(task: SequenceTask, length: usize, vocab: usize) -> SequenceSplit {
    generate(&SequenceTaskSpec {
        task,
        length,
        vocab,
        train: 300,
        test: 100,
        seed: 17,
        ..Default::default()
    })
    .unwrap()
}

fn rows(m: &Matrix) -> Vec<Vec<usize>> {
    (0..m.rows())
        .map(|r| m.row(r).iter().map(|&v| v as usize).collect())
        .collect()
}

const ALL: [SequenceTask; 7] = [
    SequenceTask::Reverse,
    SequenceTask::Sort,
    SequenceTask::CopyOffset,
    SequenceTask::MostFrequent,
    SequenceTask::BalancedBrackets,
    SequenceTask::Addition,
    SequenceTask::ModularAddition,
];

#[test]
fn every_task_follows_its_rule() {
    for task in ALL {
        let split = make(
            task,
            9 + usize::from(task == SequenceTask::BalancedBrackets),
            7,
        );
        for data in [&split.train, &split.test] {
            assert!(data
                .inputs
                .as_slice()
                .iter()
                .all(|&t| (t as usize) < split.vocab));
            let targets = rows(&data.targets);
            for (s, t) in rows(&data.inputs).iter().zip(&targets) {
                match task {
                    SequenceTask::Reverse => assert!(s.iter().rev().eq(t.iter())),
                    SequenceTask::Sort => {
                        assert!(t.windows(2).all(|w| w[0] <= w[1]));
                        let mut a = s.clone();
                        a.sort();
                        assert_eq!(&a, t);
                    }
                    SequenceTask::CopyOffset => {
                        assert!(!s.contains(&0), "token 0 is padding only");
                        assert_eq!(&t[..2], &[0, 0]);
                        assert_eq!(&t[2..], &s[..s.len() - 2]);
                    }
                    SequenceTask::MostFrequent => {
                        let count = |v: usize| s.iter().filter(|&&x| x == v).count();
                        assert!((0..split.vocab).all(|v| v == t[0] || count(v) < count(t[0])));
                    }
                    SequenceTask::BalancedBrackets => {
                        let text: String =
                            s.iter().map(|&x| if x == 0 { '(' } else { ')' }).collect();
                        let mut t2 = text.clone();
                        while t2.contains("()") {
                            t2 = t2.replace("()", "");
                        }
                        assert_eq!(t[0] == 1, t2.is_empty(), "{text}");
                    }
                    SequenceTask::Addition => {
                        // 9 tokens: 4 digits, a plus, 4 digits; the sum's 5 digits at the end.
                        assert_eq!(s[4], 10);
                        let num = |d: &[usize]| d.iter().fold(0, |a, &x| a * 10 + x);
                        assert_eq!(&t[..4], &[11; 4]);
                        assert_eq!(num(&t[4..]), num(&s[..4]) + num(&s[5..]));
                    }
                    SequenceTask::ModularAddition => {
                        let p = split.classes;
                        assert_eq!((s[1], s[3]), (p, p + 1));
                        assert_eq!(t[0], (s[0] + s[2]) % p);
                    }
                }
            }
        }
        assert_eq!(split.token_names.len(), split.vocab, "{task:?}");
        assert_eq!(
            split.per_position,
            split.train.targets.cols() > 1,
            "{task:?}"
        );
    }
}

#[test]
fn held_out_sequences_are_not_training_sequences() {
    for task in ALL {
        let length = match task {
            SequenceTask::BalancedBrackets => 16,
            SequenceTask::Addition => 9,
            _ => 8,
        };
        let split = make(task, length, 6);
        let train: HashSet<Vec<usize>> = rows(&split.train.inputs).into_iter().collect();
        let test = rows(&split.test.inputs);
        assert!(test.iter().all(|s| !train.contains(s)), "{task:?}");
        assert_eq!(
            train.len(),
            split.train.inputs.rows(),
            "{task:?}: training repeats"
        );
    }
    // Modular addition splits all p² pairs.
    let split = make(SequenceTask::ModularAddition, 4, 0);
    assert_eq!(
        split.train.inputs.rows() + split.test.inputs.rows(),
        13 * 13
    );
}

#[test]
fn balanced_brackets_are_about_half() {
    // Length 16 has 1430 balanced strings, enough for half of 400 distinct sequences.
    let split = make(SequenceTask::BalancedBrackets, 16, 2);
    let ones = split
        .train
        .targets
        .as_slice()
        .iter()
        .filter(|&&v| v == 1.0)
        .count();
    assert!((100..200).contains(&ones), "{ones} of 300 balanced");
}

#[test]
fn same_seed_same_data() {
    let a = make(SequenceTask::Sort, 8, 10);
    let b = make(SequenceTask::Sort, 8, 10);
    assert_eq!(a, b);
    let c = generate(&SequenceTaskSpec {
        task: SequenceTask::Sort,
        seed: 18,
        ..Default::default()
    })
    .unwrap();
    assert_ne!(a.train.inputs, c.train.inputs);
}

#[test]
fn bad_settings_are_clear_errors() {
    let err = |spec: SequenceTaskSpec| generate(&spec).unwrap_err().to_string();
    let base = SequenceTaskSpec::default();
    let text = err(SequenceTaskSpec {
        length: 17,
        ..base.clone()
    });
    assert!(text.contains("length must be 2 to 16"), "{text}");
    let text = err(SequenceTaskSpec {
        vocab: 33,
        ..base.clone()
    });
    assert!(text.contains("vocabulary must be"), "{text}");
    let text = err(SequenceTaskSpec {
        task: SequenceTask::BalancedBrackets,
        length: 7,
        ..base.clone()
    });
    assert!(text.contains("even length"), "{text}");
    let text = err(SequenceTaskSpec {
        task: SequenceTask::CopyOffset,
        offset: 8,
        ..base.clone()
    });
    assert!(text.contains("copy offset must be 1 to 7"), "{text}");
    let text = err(SequenceTaskSpec {
        task: SequenceTask::Addition,
        length: 8,
        ..base.clone()
    });
    assert!(text.contains("must be odd"), "{text}");
    let text = err(SequenceTaskSpec {
        length: 2,
        vocab: 2,
        train: 10,
        test: 10,
        ..base.clone()
    });
    assert!(text.contains("distinct sequences"), "{text}");
    let text = err(SequenceTaskSpec {
        task: SequenceTask::ModularAddition,
        modulus: 40,
        ..base
    });
    assert!(text.contains("modulus"), "{text}");
}
