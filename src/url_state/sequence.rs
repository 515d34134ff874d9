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
use crate::data::sequence::{SequenceTask, SequenceTaskSpec};
use crate::spec::{Lang, SequenceConfig, SequencePooling};
use crate::{Error, Result};

/// What a Sequences-mode hash decodes to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SequenceUrlState {
    pub config: SequenceConfig,
    /// Training steps per second; `None` is max.
    pub speed: Option<u32>,
    /// The page's language, when the link sets one.
    pub lang: Option<Lang>,
    /// Keys this form does not have.
    pub unknown: Vec<String>,
    /// Settings that were given but not valid, and so not used.
    pub rejected: Vec<Error>,
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
/// is refused by its key; a combination the engine refuses (a width not divisible by the
/// heads) costs the model's shape, which goes back to the defaults, and says why. The
/// task's own rules are checked when the session generates it.
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
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw);
        match apply(&mut st, key, &value) {
            None => st.unknown.push(key.to_string()),
            Some(Ok(())) => {}
            Some(Err(e)) => refuse(&mut st.rejected, &mut refused, e),
        }
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

/// Applies one `key=value`; `None` for a key this form does not have.
fn apply(st: &mut SequenceUrlState, key: &str, v: &str) -> Option<Result<()>> {
    use crate::data::sequence::{MAX_TASK_LENGTH, MAX_TASK_VOCAB};
    use crate::playground::MAX_SEED;
    use crate::spec::{
        MAX_SEQUENCE_BATCH, MAX_SEQUENCE_BLOCKS, MAX_SEQUENCE_FF, MAX_SEQUENCE_HEADS,
        MAX_SEQUENCE_LEARNING_RATE, MAX_SEQUENCE_WARMUP, MAX_SEQUENCE_WIDTH,
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
            "modulus" => t.modulus = in_range(key, v, 2, MAX_TASK_VOCAB)?,
            "trainSize" => t.train = in_range(key, v, 1, 1_000_000)?,
            "testSize" => t.test = in_range(key, v, 1, 1_000_000)?,
            "percTrainData" => t.train_ratio = parse_range(key, v, 10.0, 90.0)?,
            "taskSeed" => t.seed = parse_num(key, v)?,
            "blocks" => cfg.blocks = in_range(key, v, 1, MAX_SEQUENCE_BLOCKS)?,
            "heads" => cfg.heads = in_range(key, v, 1, MAX_SEQUENCE_HEADS)?,
            "width" => cfg.width = in_range(key, v, 1, MAX_SEQUENCE_WIDTH)?,
            "ffUnits" => cfg.ff_units = in_range(key, v, 1, MAX_SEQUENCE_FF)?,
            "dropout" => cfg.dropout = parse_range(key, v, 0.0, 0.5)?,
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
