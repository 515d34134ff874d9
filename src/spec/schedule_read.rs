//! Reading a learning-rate [`Schedule`] object by hand with [`TaggedVisitor`], as the layer
//! objects are read: serde's derive for this small tagged enum was 13 kB of the page's wasm.
//! The messages are the derive's ("unknown variant `linear`, expected one of …", "missing
//! field `every`"); `min_lr` defaults to 0 as before.

use serde::de;
use serde::{Deserialize, Deserializer};

use super::Schedule;
use crate::input::{Fields, Read, TagSeed, TaggedVisitor};

#[derive(Clone, Copy)]
enum Kind {
    Constant,
    Step,
    Exponential,
    Cosine,
}

const KINDS: &[(&str, Kind)] = &[
    ("constant", Kind::Constant),
    ("step", Kind::Step),
    ("exponential", Kind::Exponential),
    ("cosine", Kind::Cosine),
];

const NAMES: &[&str] = &["constant", "step", "exponential", "cosine"];

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (kind, mut f) = d.deserialize_map(TaggedVisitor {
            tag: TagSeed {
                kinds: KINDS,
                names: NAMES,
                what: "a schedule type",
            },
            expecting: "a schedule object with a `type`",
        })?;
        read(kind, &mut f).map_err(de::Error::custom)
    }
}

/// The schedule of `kind` from its fields.
fn read(kind: Kind, f: &mut Fields) -> Read<Schedule> {
    Ok(match kind {
        Kind::Constant => Schedule::Constant,
        Kind::Step => Schedule::Step {
            every: f.required(&["every"])?,
            factor: f.required(&["factor"])?,
        },
        Kind::Exponential => Schedule::Exponential {
            decay_steps: f.required(&["decay_steps"])?,
            rate: f.required(&["rate"])?,
        },
        Kind::Cosine => Schedule::Cosine {
            decay_steps: f.required(&["decay_steps"])?,
            min_lr: f.or(&["min_lr"], 0.0)?,
        },
    })
}
