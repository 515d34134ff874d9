//! Sequence tasks generated from a seed: token inputs `n×L` with per-position targets
//! (`n×L`, padding where nothing is asked) or one class per sequence (`n×1`), split into
//! training and held-out test sequences that share no input.
//!
//! ```
//! use nn_playground::data::sequence::{generate, SequenceTask, SequenceTaskSpec};
//!
//! let split = generate(&SequenceTaskSpec { task: SequenceTask::Reverse, length: 6, vocab: 10, ..Default::default() })?;
//! let (x, y) = (&split.train.inputs, &split.train.targets);
//! assert_eq!((x.cols(), y.cols()), (6, 6));
//! assert_eq!(y.get(0, 0), x.get(0, 5));
//! # Ok::<(), nn_playground::Error>(())
//! ```

mod tasks;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{config_err, Error, Matrix, Result, Rng};

/// Longest sequence a task generates.
pub const MAX_TASK_LENGTH: usize = 16;
/// Largest vocabulary a task uses.
pub const MAX_TASK_VOCAB: usize = 32;
/// Most sequences one split holds (training plus test).
pub const MAX_TASK_SEQUENCES: usize = 200_000;
/// The range of modular addition's `p`: its `p` residues and the tokens `+` and `=` fit in
/// [`MAX_TASK_VOCAB`]. The link reader and the page's control take this range.
pub const MIN_TASK_MODULUS: usize = 2;
pub const MAX_TASK_MODULUS: usize = MAX_TASK_VOCAB - 2;

/// Which task; what each asks is on its variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SequenceTask {
    /// Per position: the input backwards.
    #[default]
    Reverse,
    /// Per position: the input's tokens in ascending order.
    Sort,
    /// Per position: the token `offset` places earlier; the first `offset` positions are
    /// padding. Token 0 is the padding token and never appears in the input.
    CopyOffset,
    /// One class per sequence: the token that occurs most often (inputs have one mode).
    MostFrequent,
    /// One class per sequence: 1 when the brackets `(` (token 0) and `)` (token 1) are
    /// balanced, else 0. Half of the draws are balanced; as sequences are distinct, fewer
    /// are when the length has few balanced strings (42 for length 10, 1430 for 16). The
    /// length must be even.
    BalancedBrackets,
    /// Per position: `a + b` for two `(L−1)/2`-digit numbers written `a₁…aₙ + b₁…bₙ`; the
    /// last `n+1` targets are the sum's digits (most significant first), the others padding.
    Addition,
    /// One class per sequence: `(a + b) mod p` for inputs `a + b =` (length 4, `p` =
    /// `modulus`); every pair is either a training or a test sequence.
    ModularAddition,
}

/// What to generate. `vocab` is the number of input tokens for reverse, sort, copy and
/// most-frequent; the other tasks have a fixed vocabulary (see [`SequenceData::vocab`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceTaskSpec {
    pub task: SequenceTask,
    pub length: usize,
    pub vocab: usize,
    /// Copy-with-offset's shift.
    pub offset: usize,
    /// `p` of modular addition.
    pub modulus: usize,
    /// Training sequences (at most; modular addition splits its `p²` pairs by `train_ratio`).
    pub train: usize,
    pub test: usize,
    /// Share of pairs for training in modular addition, in percent.
    pub train_ratio: f32,
    pub seed: u64,
}

impl Default for SequenceTaskSpec {
    fn default() -> Self {
        Self {
            task: SequenceTask::Reverse,
            length: 8,
            vocab: 10,
            offset: 2,
            modulus: 13,
            train: 2000,
            test: 500,
            train_ratio: 50.0,
            seed: 1,
        }
    }
}

/// Inputs and targets of one split.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceData {
    /// `n×L` token ids.
    pub inputs: Matrix,
    /// `n×L` target tokens for per-position tasks, `n×1` classes otherwise.
    pub targets: Matrix,
}

/// A generated task: both splits and what a model for it needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceSplit {
    pub task: SequenceTask,
    pub train: SequenceData,
    pub test: SequenceData,
    /// Input tokens: ids `0..vocab`.
    pub vocab: usize,
    /// Output classes: target tokens `0..classes`, or classes per sequence.
    pub classes: usize,
    /// True when every position has a target (`targets` is `n×L`).
    pub per_position: bool,
    /// The target token that marks "no target here", to leave out of the loss.
    pub padding: Option<usize>,
    /// How each token id reads, for display (`"("`, `"+"`, `"7"`, …).
    pub token_names: Vec<String>,
}

impl SequenceTask {
    /// The length a task starts at when none is given: 8; 7 for addition (two 3-digit
    /// numbers and a plus), whose length is odd; 12 for balanced brackets, whose 2⁸ inputs
    /// of length 8 are fewer than the default split asks for. Modular addition is always 4.
    pub fn default_length(self) -> usize {
        match self {
            SequenceTask::Addition => 7,
            SequenceTask::BalancedBrackets => 12,
            _ => SequenceTaskSpec::default().length,
        }
    }
}

/// Checks a task's settings together (the length the task needs, the offset within it, the
/// modulus, the counts, and that the task has as many distinct inputs as the split asks
/// for) without generating it. Only a split close to that count may still be found short
/// by generating (its draws are random).
pub fn check(spec: &SequenceTaskSpec) -> Result<()> {
    let task = tasks::setup(spec)?;
    let total = spec.train.saturating_add(spec.test);
    if let Some(n) = task.distinct_inputs() {
        if (total as f64) > n {
            return Err(too_few_distinct(n as usize));
        }
    }
    if spec.train == 0 || spec.test == 0 {
        return Err(config_err!(
            "a task needs at least 1 training and 1 test sequence"
        ));
    }
    if total > MAX_TASK_SEQUENCES {
        return Err(Error::Limit(format!(
            "{total} sequences; the limit is {MAX_TASK_SEQUENCES}"
        )));
    }
    Ok(())
}

/// Generates the task, checking its settings first.
pub fn generate(spec: &SequenceTaskSpec) -> Result<SequenceSplit> {
    check(spec)?;
    let task = tasks::setup(spec)?;
    let mut rng = Rng::new(spec.seed);
    let total = spec.train + spec.test;
    let (train_n, test_n, inputs) = if spec.task == SequenceTask::ModularAddition {
        let mut all = tasks::all_pairs(spec.modulus);
        rng.shuffle(&mut all);
        let train_n = ((all.len() as f32 * spec.train_ratio / 100.0).round() as usize)
            .clamp(1, all.len() - 1);
        (train_n, all.len() - train_n, all)
    } else {
        (
            spec.train,
            spec.test,
            distinct_inputs(&task, total, &mut rng)?,
        )
    };
    let make = |rows: &[Vec<usize>]| -> SequenceData {
        let len = task.length;
        let mut x = Vec::with_capacity(rows.len() * len);
        let mut y = Vec::new();
        for r in rows {
            x.extend(r.iter().map(|&t| t as f32));
            y.extend(task.targets(r).into_iter().map(|t| t as f32));
        }
        let cols = if task.per_position { len } else { 1 };
        SequenceData {
            inputs: Matrix::from_vec(rows.len(), len, x).expect("rows have the task's length"),
            targets: Matrix::from_vec(rows.len(), cols, y).expect("one target per row or token"),
        }
    };
    let train = make(&inputs[..train_n]);
    let test = make(&inputs[train_n..train_n + test_n]);
    Ok(SequenceSplit {
        task: spec.task,
        train,
        test,
        vocab: task.vocab,
        classes: task.classes,
        per_position: task.per_position,
        padding: task.padding,
        token_names: task.token_names.clone(),
    })
}

fn too_few_distinct(n: usize) -> Error {
    config_err!(
        "only about {n} distinct sequences exist for these settings; ask for fewer training and test sequences, or a longer length or larger vocabulary"
    )
}

/// `count` distinct inputs, so that no test sequence is also a training one.
fn distinct_inputs(task: &tasks::Task, count: usize, rng: &mut Rng) -> Result<Vec<Vec<usize>>> {
    let mut seen = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while out.len() < count {
        attempts += 1;
        if attempts > 20 * count + 1000 {
            return Err(too_few_distinct(out.len()));
        }
        let s = task.sample(rng);
        if seen.insert(s.clone()) {
            out.push(s);
        }
    }
    Ok(out)
}
