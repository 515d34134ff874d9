//! The rules of each sequence task: its vocabulary, how an input is drawn and what its
//! targets are.

use super::{
    SequenceTask, SequenceTaskSpec, MAX_TASK_LENGTH, MAX_TASK_MODULUS, MAX_TASK_VOCAB,
    MIN_TASK_MODULUS,
};
use crate::{config_err, Result, Rng};

/// Addition's tokens after the digits 0–9.
const PLUS: usize = 10;
const ADD_PAD: usize = 11;

/// A task with its settings checked.
#[derive(Debug, Clone)]
pub(super) struct Task {
    pub kind: SequenceTask,
    pub length: usize,
    pub vocab: usize,
    pub classes: usize,
    pub per_position: bool,
    pub padding: Option<usize>,
    pub token_names: Vec<String>,
    offset: usize,
    modulus: usize,
}

fn numbered(n: usize) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

pub(super) fn setup(spec: &SequenceTaskSpec) -> Result<Task> {
    let len = spec.length;
    if !(2..=MAX_TASK_LENGTH).contains(&len) && spec.task != SequenceTask::ModularAddition {
        return Err(config_err!(
            "sequence length must be 2 to {MAX_TASK_LENGTH}, got {len}"
        ));
    }
    let vocab_checked = |min: usize| {
        if (min..=MAX_TASK_VOCAB).contains(&spec.vocab) {
            Ok(spec.vocab)
        } else {
            Err(config_err!(
                "vocabulary must be {min} to {MAX_TASK_VOCAB} tokens for this task, got {}",
                spec.vocab
            ))
        }
    };
    let mut t = Task {
        kind: spec.task,
        length: len,
        vocab: 0,
        classes: 0,
        per_position: true,
        padding: None,
        token_names: Vec::new(),
        offset: spec.offset,
        modulus: spec.modulus,
    };
    match spec.task {
        SequenceTask::Reverse | SequenceTask::Sort => {
            t.vocab = vocab_checked(2)?;
            t.classes = t.vocab;
            t.token_names = numbered(t.vocab);
        }
        SequenceTask::CopyOffset => {
            t.vocab = vocab_checked(3)?;
            if spec.offset == 0 || spec.offset >= len {
                return Err(config_err!(
                    "the copy offset must be 1 to {} for length {len}, got {}",
                    len - 1,
                    spec.offset
                ));
            }
            t.classes = t.vocab;
            t.padding = Some(0);
            t.token_names = std::iter::once("·".to_string())
                .chain(numbered(t.vocab).into_iter().skip(1))
                .collect();
        }
        SequenceTask::MostFrequent => {
            t.vocab = vocab_checked(2)?;
            if len < 3 {
                return Err(config_err!("most-frequent needs length ≥ 3, got {len}"));
            }
            t.classes = t.vocab;
            t.per_position = false;
            t.token_names = numbered(t.vocab);
        }
        SequenceTask::BalancedBrackets => {
            if !len.is_multiple_of(2) {
                return Err(config_err!(
                    "balanced brackets needs an even length, got {len}"
                ));
            }
            t.vocab = 2;
            t.classes = 2;
            t.per_position = false;
            t.token_names = vec!["(".into(), ")".into()];
        }
        SequenceTask::Addition => {
            if len.is_multiple_of(2) || len < 3 {
                return Err(config_err!(
                    "addition writes two n-digit numbers and a plus: the length must be odd (3, 5, … {}), got {len}",
                    MAX_TASK_LENGTH - 1
                ));
            }
            t.vocab = 12;
            t.classes = 12;
            t.padding = Some(ADD_PAD);
            t.token_names = numbered(10);
            t.token_names.extend(["+".to_string(), "·".to_string()]);
        }
        SequenceTask::ModularAddition => {
            let p = spec.modulus;
            if !(MIN_TASK_MODULUS..=MAX_TASK_MODULUS).contains(&p) {
                return Err(config_err!(
                    "the modulus p must be {MIN_TASK_MODULUS} to {MAX_TASK_MODULUS}, got {p}"
                ));
            }
            if !(spec.train_ratio.is_finite() && spec.train_ratio > 0.0 && spec.train_ratio < 100.0)
            {
                return Err(config_err!(
                    "the training share must be between 0 and 100 %, got {}",
                    spec.train_ratio
                ));
            }
            t.length = 4;
            t.vocab = p + 2;
            t.classes = p;
            t.per_position = false;
            t.token_names = numbered(p);
            t.token_names.extend(["+".to_string(), "=".to_string()]);
        }
    }
    Ok(t)
}

/// Every `a + b =` input of modular addition.
pub(super) fn all_pairs(p: usize) -> Vec<Vec<usize>> {
    (0..p * p).map(|i| vec![i / p, p, i % p, p + 1]).collect()
}

impl Task {
    /// How many distinct inputs the task has at most (`None` for modular addition, which
    /// splits its `p²` pairs rather than drawing): a split asking for more cannot be drawn.
    pub fn distinct_inputs(&self) -> Option<f64> {
        let len = self.length as i32;
        let v = self.vocab as f64;
        match self.kind {
            SequenceTask::Reverse | SequenceTask::Sort | SequenceTask::MostFrequent => {
                Some(v.powi(len))
            }
            SequenceTask::CopyOffset => Some((v - 1.0).powi(len)),
            SequenceTask::BalancedBrackets => Some(2f64.powi(len)),
            SequenceTask::Addition => Some(10f64.powi(len - 1)),
            SequenceTask::ModularAddition => None,
        }
    }

    pub fn sample(&self, rng: &mut Rng) -> Vec<usize> {
        let len = self.length;
        match self.kind {
            SequenceTask::Reverse | SequenceTask::Sort => {
                (0..len).map(|_| rng.below(self.vocab)).collect()
            }
            SequenceTask::CopyOffset => (0..len).map(|_| 1 + rng.below(self.vocab - 1)).collect(),
            SequenceTask::MostFrequent => loop {
                let s: Vec<usize> = (0..len).map(|_| rng.below(self.vocab)).collect();
                let counts = counts(&s, self.vocab);
                let max = *counts.iter().max().expect("vocab ≥ 2");
                if counts.iter().filter(|&&c| c == max).count() == 1 {
                    break s;
                }
            },
            SequenceTask::BalancedBrackets => {
                if rng.below(2) == 0 {
                    balanced(len, rng)
                } else {
                    loop {
                        let s: Vec<usize> = (0..len).map(|_| rng.below(2)).collect();
                        if !is_balanced(&s) {
                            break s;
                        }
                    }
                }
            }
            SequenceTask::Addition => {
                let n = (len - 1) / 2;
                let mut s: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
                s.push(PLUS);
                s.extend((0..n).map(|_| rng.below(10)));
                s
            }
            SequenceTask::ModularAddition => {
                let p = self.modulus;
                vec![rng.below(p), p, rng.below(p), p + 1]
            }
        }
    }

    /// Targets of one input: `L` tokens per position, or one class.
    pub fn targets(&self, s: &[usize]) -> Vec<usize> {
        match self.kind {
            SequenceTask::Reverse => s.iter().rev().copied().collect(),
            SequenceTask::Sort => {
                let mut t = s.to_vec();
                t.sort_unstable();
                t
            }
            SequenceTask::CopyOffset => (0..s.len())
                .map(|i| {
                    if i < self.offset {
                        0
                    } else {
                        s[i - self.offset]
                    }
                })
                .collect(),
            SequenceTask::MostFrequent => {
                let c = counts(s, self.vocab);
                let max = *c.iter().max().expect("vocab ≥ 2");
                vec![c.iter().position(|&v| v == max).expect("a maximum exists")]
            }
            SequenceTask::BalancedBrackets => vec![usize::from(is_balanced(s))],
            SequenceTask::Addition => {
                let n = (s.len() - 1) / 2;
                let number = |d: &[usize]| d.iter().fold(0u64, |acc, &x| acc * 10 + x as u64);
                let mut sum = number(&s[..n]) + number(&s[n + 1..]);
                let mut digits = vec![0usize; n + 1];
                for d in digits.iter_mut().rev() {
                    *d = (sum % 10) as usize;
                    sum /= 10;
                }
                let mut t = vec![ADD_PAD; s.len() - (n + 1)];
                t.extend(digits);
                t
            }
            SequenceTask::ModularAddition => vec![(s[0] + s[2]) % self.modulus],
        }
    }
}

fn counts(s: &[usize], vocab: usize) -> Vec<usize> {
    let mut c = vec![0; vocab];
    for &t in s {
        c[t] += 1;
    }
    c
}

fn is_balanced(s: &[usize]) -> bool {
    let mut depth = 0i64;
    for &t in s {
        depth += if t == 0 { 1 } else { -1 };
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// A random balanced string: at each step open or close, keeping the rest closable.
fn balanced(len: usize, rng: &mut Rng) -> Vec<usize> {
    let mut s = Vec::with_capacity(len);
    let mut depth = 0;
    for i in 0..len {
        let left = len - i;
        let open = if depth == 0 {
            true
        } else if depth == left {
            false
        } else {
            rng.below(2) == 0
        };
        depth = if open { depth + 1 } else { depth - 1 };
        s.push(if open { 0 } else { 1 });
    }
    s
}
