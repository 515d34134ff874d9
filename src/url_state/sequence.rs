//! The URL hash form of the Sequences mode: `mode=sequence` and the [`SequenceConfig`] keys
//! with the pace, read as forgivingly as the playground's (a bad value costs that setting
//! only, and says why).
//!
//! ```
//! use nn_playground::{url_state, SequenceConfig};
//! let cfg = SequenceConfig::default();
//! let hash = url_state::sequence_to_hash(&cfg, None, None);
//! assert!(hash.starts_with("mode=sequence&task=reverse"));
//! assert!(url_state::is_sequence_hash(&hash));
//! assert_eq!(url_state::read_sequence_hash(&hash).unwrap().config, cfg);
//! ```

use super::values::{
    bad, name_of, num, parse_bool, parse_name, parse_num, parse_range, percent_decode,
};
use super::{parse_speed, refuse, speed_key, MAX_HASH_LEN, MAX_REJECTED};
use crate::data::sequence::{self, SequenceTask, SequenceTaskSpec};
use crate::spec::{Lang, SequenceConfig, SequencePooling};
use crate::{Error, Result};

/// The pace the Sequences mode opens at, in steps per second. The default reverse is solved
/// after 130–200 steps, under two seconds at "max": at 20 a second its loss falls and its
/// attention forms over about ten seconds that can be watched, as the playground's
/// [`crate::spec::DEFAULT_SPEED`] lets a boundary form. One of the pace control's steps.
pub const DEFAULT_SEQUENCE_SPEED: u32 = 20;

/// The task's keys in a link, the dependent settings first: when the engine refuses the
/// task's settings together, the first given one whose default makes them valid is the one
/// named and left out (so `task=copy_offset&length=6&offset=6` keeps the task and length).
const TASK_KEYS: [&str; 9] = [
    "offset",
    "modulus",
    "length",
    "vocab",
    "percTrainData",
    "trainSize",
    "testSize",
    "taskSeed",
    "task",
];

/// What a Sequences-mode hash decodes to.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceUrlState {
    pub config: SequenceConfig,
    /// Training steps per second; `None` is max. A link without `speed` opens at
    /// [`DEFAULT_SEQUENCE_SPEED`].
    pub speed: Option<u32>,
    /// The page's language, when the link sets one.
    pub lang: Option<Lang>,
    /// Keys this form does not have.
    pub unknown: Vec<String>,
    /// Settings that were given but not valid, and so not used.
    pub rejected: Vec<Error>,
}

impl Default for SequenceUrlState {
    fn default() -> Self {
        Self {
            config: SequenceConfig::default(),
            speed: Some(DEFAULT_SEQUENCE_SPEED),
            lang: None,
            unknown: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

/// True when the hash asks for the Sequences mode (`mode=sequence`).
pub fn is_sequence_hash(hash: &str) -> bool {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    hash.split('&').any(|p| p == "mode=sequence")
}

/// Encodes a Sequences-mode setup, its pace (`None`: max) and language (when set), without
/// the leading `#`. The task's own settings are written where they apply or differ from
/// the defaults.
pub fn sequence_to_hash(cfg: &SequenceConfig, speed: Option<u32>, lang: Option<Lang>) -> String {
    let d = SequenceConfig::default();
    let t = &cfg.task;
    let mut out = vec![
        ("mode", "sequence".to_string()),
        ("task", name_of(&t.task)),
        ("length", t.length.to_string()),
        ("vocab", t.vocab.to_string()),
    ];
    if t.task == SequenceTask::CopyOffset || t.offset != d.task.offset {
        out.push(("offset", t.offset.to_string()));
    }
    if t.task == SequenceTask::ModularAddition || t.modulus != d.task.modulus {
        out.push(("modulus", t.modulus.to_string()));
    }
    for (key, v, dv) in [
        ("trainSize", t.train, d.task.train),
        ("testSize", t.test, d.task.test),
    ] {
        if v != dv {
            out.push((key, v.to_string()));
        }
    }
    if t.train_ratio != d.task.train_ratio {
        out.push(("percTrainData", num(t.train_ratio)));
    }
    if t.seed != d.task.seed {
        out.push(("taskSeed", t.seed.to_string()));
    }
    out.extend([
        ("blocks", cfg.blocks.to_string()),
        ("heads", cfg.heads.to_string()),
        ("width", cfg.width.to_string()),
        ("ffUnits", cfg.ff_units.to_string()),
        ("dropout", num(cfg.dropout)),
        ("causal", cfg.causal.to_string()),
    ]);
    if cfg.sinusoidal {
        out.push(("sinusoidal", "true".into()));
    }
    if cfg.pooling != d.pooling {
        out.push(("pooling", name_of(&cfg.pooling)));
    }
    out.extend([
        ("optimizer", name_of(&cfg.optimizer.kind)),
        ("learningRate", num(cfg.optimizer.learning_rate)),
        ("warmup", cfg.optimizer.warmup_steps.to_string()),
        ("batchSize", cfg.batch_size.to_string()),
        ("seed", cfg.seed.to_string()),
        ("speed", speed_key(speed)),
    ]);
    if let Some(lang) = lang {
        out.push(("lang", name_of(&lang)));
    }
    out.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Reads a Sequences-mode hash, keeping every valid setting. A value that does not parse
/// is refused by its key. Task settings the engine refuses together (an odd length for
/// balanced brackets) cost the one key that breaks them (see [`TASK_KEYS`]), which takes
/// its default, and say so; a length not given is the task's own
/// ([`SequenceTask::default_length`]). A model shape the engine refuses (a width not
/// divisible by the heads) goes back to the defaults, and says why.
pub fn read_sequence_hash(hash: &str) -> Result<SequenceUrlState> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    if hash.len() > MAX_HASH_LEN {
        return Err(Error::Limit(format!(
            "the link's settings are {} characters long; at most {MAX_HASH_LEN} are read",
            hash.len()
        )));
    }
    let mut st = SequenceUrlState::default();
    let mut refused = 0usize;
    // The task keys applied, with their values as given, for `fit_task`.
    let mut given: Vec<(String, String)> = Vec::new();
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw);
        match apply(&mut st, key, &value) {
            None => st.unknown.push(key.to_string()),
            Some(Ok(())) => {
                if TASK_KEYS.contains(&key) {
                    given.push((key.to_string(), value));
                }
            }
            Some(Err(e)) => refuse(&mut st.rejected, &mut refused, e),
        }
    }
    if !given.iter().any(|(k, _)| k == "length") {
        st.config.task.length = st.config.task.task.default_length();
    }
    if let Some(e) = fit_task(&mut st.config.task, &given) {
        refuse(&mut st.rejected, &mut refused, e);
    }
    if let Err(e) = st.config.validate() {
        let d = SequenceConfig::default();
        refuse(
            &mut st.rejected,
            &mut refused,
            Error::InvalidConfig(format!(
                "the link's model shape was not used ({e}); blocks, heads and widths are the defaults"
            )),
        );
        let cfg = &mut st.config;
        (cfg.blocks, cfg.heads, cfg.width, cfg.ff_units) = (d.blocks, d.heads, d.width, d.ff_units);
        if cfg.validate().is_err() {
            st.config = SequenceConfig {
                task: st.config.task.clone(),
                ..d
            };
        }
    }
    if refused > MAX_REJECTED {
        st.rejected.push(Error::InvalidConfig(format!(
            "{} more link settings were not valid and were not used",
            refused - MAX_REJECTED
        )));
    }
    Ok(st)
}

/// Makes the task's settings ones the engine takes, when they are not: the first key of
/// [`TASK_KEYS`] given in the link whose default makes them valid takes that default (a
/// length the task's own), and the error names it with the engine's reason; when no one key
/// does, the task's settings are the defaults. `None` when they were valid.
fn fit_task(task: &mut SequenceTaskSpec, given: &[(String, String)]) -> Option<Error> {
    let why = sequence::check(task).err()?;
    let why = match &why {
        Error::InvalidConfig(m) | Error::Limit(m) => m.clone(),
        other => other.to_string(),
    };
    let d = SequenceTaskSpec::default();
    for key in TASK_KEYS {
        let Some((_, value)) = given.iter().rev().find(|(k, _)| k == key) else {
            continue;
        };
        let mut t = task.clone();
        match key {
            "offset" => t.offset = d.offset,
            "modulus" => t.modulus = d.modulus,
            "length" => t.length = t.task.default_length(),
            "vocab" => t.vocab = d.vocab,
            "percTrainData" => t.train_ratio = d.train_ratio,
            "trainSize" => t.train = d.train,
            "testSize" => t.test = d.test,
            "taskSeed" => t.seed = d.seed,
            _ => {
                t.task = d.task;
                if !given.iter().any(|(k, _)| k == "length") {
                    t.length = d.length;
                }
            }
        }
        if sequence::check(&t).is_ok() {
            *task = t;
            return Some(Error::InvalidConfig(format!(
                "link setting {key}={value} was not used: {why}"
            )));
        }
    }
    *task = d;
    Some(Error::InvalidConfig(format!(
        "the link's task settings were not used: {why}"
    )))
}

/// Applies one `key=value`; `None` for a key this form does not have.
fn apply(st: &mut SequenceUrlState, key: &str, v: &str) -> Option<Result<()>> {
    use crate::data::sequence::{
        MAX_TASK_LENGTH, MAX_TASK_MODULUS, MAX_TASK_VOCAB, MIN_TASK_MODULUS,
    };
    use crate::playground::MAX_SEED;
    use crate::spec::{
        MAX_SEQUENCE_BATCH, MAX_SEQUENCE_BLOCKS, MAX_SEQUENCE_DROPOUT, MAX_SEQUENCE_FF,
        MAX_SEQUENCE_HEADS, MAX_SEQUENCE_LEARNING_RATE, MAX_SEQUENCE_WARMUP, MAX_SEQUENCE_WIDTH,
        MIN_SEQUENCE_LEARNING_RATE,
    };
    if key == "lang" {
        return Some(parse_name(key, v).map(|l| st.lang = Some(l)));
    }
    if key == "speed" {
        return Some(parse_speed(v).and_then(|s| {
            if s.is_some() && !crate::playground::SPEED_CHOICES.contains(&s) {
                return Err(bad(
                    key,
                    v,
                    "one of the pace control's steps per second, or max",
                ));
            }
            st.speed = s;
            Ok(())
        }));
    }
    let cfg = &mut st.config;
    let r = (|| -> Result<bool> {
        let t: &mut SequenceTaskSpec = &mut cfg.task;
        match key {
            "mode" if v == "sequence" => {}
            "mode" => return Err(bad(key, v, "sequence")),
            "task" => t.task = parse_name(key, v)?,
            "length" => t.length = in_range(key, v, 2, MAX_TASK_LENGTH)?,
            "vocab" => t.vocab = in_range(key, v, 2, MAX_TASK_VOCAB)?,
            "offset" => t.offset = in_range(key, v, 1, MAX_TASK_LENGTH - 1)?,
            "modulus" => t.modulus = in_range(key, v, MIN_TASK_MODULUS, MAX_TASK_MODULUS)?,
            "trainSize" => t.train = in_range(key, v, 1, 1_000_000)?,
            "testSize" => t.test = in_range(key, v, 1, 1_000_000)?,
            "percTrainData" => t.train_ratio = parse_range(key, v, 10.0, 90.0)?,
            "taskSeed" => t.seed = parse_num(key, v)?,
            "blocks" => cfg.blocks = in_range(key, v, 1, MAX_SEQUENCE_BLOCKS)?,
            "heads" => cfg.heads = in_range(key, v, 1, MAX_SEQUENCE_HEADS)?,
            "width" => cfg.width = in_range(key, v, 1, MAX_SEQUENCE_WIDTH)?,
            "ffUnits" => cfg.ff_units = in_range(key, v, 1, MAX_SEQUENCE_FF)?,
            "dropout" => cfg.dropout = parse_range(key, v, 0.0, MAX_SEQUENCE_DROPOUT)?,
            "causal" => cfg.causal = parse_bool(key, v)?,
            "sinusoidal" => cfg.sinusoidal = parse_bool(key, v)?,
            "pooling" => cfg.pooling = parse_name::<SequencePooling>(key, v)?,
            "optimizer" => cfg.optimizer.kind = parse_name(key, v)?,
            "learningRate" => {
                cfg.optimizer.learning_rate = parse_range(
                    key,
                    v,
                    MIN_SEQUENCE_LEARNING_RATE as f32,
                    MAX_SEQUENCE_LEARNING_RATE as f32,
                )?
            }
            "warmup" => cfg.optimizer.warmup_steps = in_range(key, v, 0, MAX_SEQUENCE_WARMUP)?,
            "batchSize" => cfg.batch_size = in_range(key, v, 1, MAX_SEQUENCE_BATCH)?,
            // Up to 2^53, the largest whole number JavaScript keeps exact (the page's input).
            "seed" => cfg.seed = in_range(key, v, 0, MAX_SEED)?,
            _ => return Ok(false),
        }
        Ok(true)
    })();
    match r {
        Ok(false) => None,
        Ok(true) => Some(Ok(())),
        Err(e) => Some(Err(e)),
    }
}

fn in_range<T>(key: &str, v: &str, lo: T, hi: T) -> Result<T>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match v.parse::<T>() {
        Ok(x) if (lo..=hi).contains(&x) => Ok(x),
        _ => Err(bad(key, v, &format!("a whole number from {lo} to {hi}"))),
    }
}
