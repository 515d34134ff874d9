//! Reading and writing single values of a link: names, numbers, flags, per-layer lists,
//! schedules and early-stopping settings, each refused with a message naming its key.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::spec::{EarlyStoppingSpec, Feature, Monitor, Schedule};
use crate::Error;
use crate::Result;

/// The short key a feature has in links and in the page (`x1`, `x1sq`, `sinx2` …).
pub fn feature_key(f: Feature) -> &'static str {
    match f {
        Feature::X1 => "x1",
        Feature::X2 => "x2",
        Feature::X1Squared => "x1sq",
        Feature::X2Squared => "x2sq",
        Feature::X1X2 => "x1x2",
        Feature::SinX1 => "sinx1",
        Feature::SinX2 => "sinx2",
        Feature::CosX1 => "cosx1",
        Feature::CosX2 => "cosx2",
    }
}

/// Parses a [`feature_key`] back; also accepts the serde name (`x1_squared`).
pub fn parse_feature(s: &str) -> Result<Feature> {
    Feature::ALL
        .into_iter()
        .find(|f| feature_key(*f) == s)
        .map_or_else(|| parse_name("features", s), Ok)
}

pub(super) fn schedule_key(s: &Schedule) -> String {
    match *s {
        Schedule::Constant => "constant".into(),
        Schedule::Step { every, factor } => format!("step:{every}:{}", num(factor)),
        Schedule::Exponential { decay_steps, rate } => {
            format!("exponential:{decay_steps}:{}", num(rate))
        }
        Schedule::Cosine {
            decay_steps,
            min_lr,
        } => format!("cosine:{decay_steps}:{}", num(min_lr)),
    }
}

pub(super) fn parse_schedule(v: &str) -> Result<Schedule> {
    let parts: Vec<&str> = v.split(':').collect();
    let want = "constant, step:EVERY:FACTOR, exponential:STEPS:RATE or cosine:STEPS:MIN_LR";
    match parts.as_slice() {
        ["constant"] => Ok(Schedule::Constant),
        ["step", a, b] => Ok(Schedule::Step {
            every: pos_int("schedule", a)?,
            factor: parse_positive("schedule", b)?,
        }),
        ["exponential", a, b] => Ok(Schedule::Exponential {
            decay_steps: pos_int("schedule", a)?,
            rate: parse_positive("schedule", b)?,
        }),
        ["cosine", a, b] => Ok(Schedule::Cosine {
            decay_steps: pos_int("schedule", a)?,
            min_lr: parse_range("schedule", b, 0.0, f32::MAX)?,
        }),
        _ => Err(bad("schedule", v, want)),
    }
}

pub(super) fn parse_early_stopping(v: &str) -> Result<EarlyStoppingSpec> {
    let parts: Vec<&str> = v.split(':').collect();
    let (monitor, patience, min_delta) = match parts.as_slice() {
        [m, p, d] => (*m, *p, *d),
        [m, p] => (*m, *p, "0"),
        _ => {
            return Err(bad(
                "earlyStopping",
                v,
                "MONITOR:PATIENCE[:MIN_DELTA], e.g. val_loss:10:0",
            ))
        }
    };
    Ok(EarlyStoppingSpec {
        monitor: parse_name::<Monitor>("earlyStopping", monitor)?,
        patience: parse_num("earlyStopping", patience)?,
        min_delta: parse_range("earlyStopping", min_delta, 0.0, f32::MAX)?,
        restore_best_weights: true,
    })
}

/// A pace in a link: epochs per second, or `max`.
pub fn speed_key(speed: Option<u32>) -> String {
    speed.map_or_else(|| "max".to_string(), |v| v.to_string())
}

/// Reads [`speed_key`] back (the range is checked with the rest of the config).
pub fn parse_speed(v: &str) -> Result<Option<u32>> {
    if v == "max" {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| bad("speed", v, "epochs per second (a whole number) or max"))
}

/// A thread count in a link: `auto`, or a whole number.
pub fn threads_key(threads: Option<u32>) -> String {
    threads.map_or_else(|| "auto".to_string(), |v| v.to_string())
}

/// Reads [`threads_key`] back (the range is checked with the rest of the config).
pub fn parse_threads(v: &str) -> Result<Option<u32>> {
    if v == "auto" {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| bad("threads", v, "auto or a whole number of threads"))
}

/// The serde (snake_case) name of a unit enum variant.
pub(super) fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        // Tagged enums are not written by name; callers only pass unit variants.
        other => format!("{other:?}"),
    }
}

pub(super) fn parse_name<T: DeserializeOwned>(key: &str, v: &str) -> Result<T> {
    // Through the one JSON reader, so the name reads with the deserialiser every spec has.
    let quoted = serde_json::Value::String(v.to_string()).to_string();
    crate::input::from_json(&quoted).map_err(|_| bad(key, v, "a known name"))
}

pub(super) fn parse_num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
    v.parse().map_err(|_| bad(key, v, "a whole number"))
}

pub(super) fn pos_int(key: &str, v: &str) -> Result<usize> {
    match parse_num::<usize>(key, v)? {
        0 => Err(bad(key, v, "a whole number above 0")),
        n => Ok(n),
    }
}

pub(super) fn parse_range(key: &str, v: &str, lo: f32, hi: f32) -> Result<f32> {
    match v.parse::<f32>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(bad(key, v, &format!("a number from {lo} to {hi}"))),
    }
}

pub(super) fn parse_positive(key: &str, v: &str) -> Result<f32> {
    match v.parse::<f32>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(bad(key, v, "a finite number above 0")),
    }
}

pub(super) fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(bad(key, v, "true or false")),
    }
}

pub(super) fn per_layer<'a>(key: &str, v: &'a str, layers: usize) -> Result<Vec<&'a str>> {
    let items: Vec<&str> = list(v).collect();
    if items.len() != layers {
        return Err(bad(
            key,
            v,
            &format!("{layers} comma-separated values, one per hidden layer"),
        ));
    }
    Ok(items)
}

pub(super) fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Shortest text that parses back to the same `f32`.
pub(super) fn num(x: f32) -> String {
    format!("{x}")
}

pub(super) fn bad(key: &str, v: &str, want: &str) -> Error {
    let shown: String = v.chars().take(40).collect();
    Error::InvalidConfig(format!(
        "link setting {key}={shown:?} is not valid: expected {want}"
    ))
}

/// Decodes `%XX` escapes (browsers escape `,` and `:` in some copy paths); bad escapes stay.
/// Escapes every byte but unreserved URL characters as `%XX`, so a value cannot break the
/// `key=value&…` structure; [`percent_decode`] reverses it.
pub(super) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
