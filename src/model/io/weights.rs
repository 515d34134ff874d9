//! Reading a model file's `weights` entries (`{"type": "dense", "w": […], "b": […]}`) by hand.
//!
//! serde's derive for an internally tagged enum buffers every entry, megabytes of numbers
//! included, into its private `Content` tree before it reads the variant; its code was the
//! largest deserialiser left in the page's wasm. The engine writes `type` first, so here the
//! arrays that follow it are read in place, as `f32`s, and an error in one names it down to
//! the element (`weights[0].w[3]`); only values written before `type` are buffered as JSON
//! values and read once the entry has ended, as the derive read them. Unknown fields are
//! ignored, as the derive ignores them.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::LayerWeights;
use crate::input::TagSeed;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dense,
    Dropout,
    BatchNorm,
    Tensors,
}

const KINDS: [(&str, Kind); 4] = [
    ("dense", Kind::Dense),
    ("dropout", Kind::Dropout),
    ("batch_norm", Kind::BatchNorm),
    ("tensors", Kind::Tensors),
];
const NAMES: &[&str] = &["dense", "dropout", "batch_norm", "tensors"];

/// The vector fields, in slot order: a dense layer's `w`, `b`, a batch norm's four.
const VECTORS: [(&str, Kind); 6] = [
    ("w", Kind::Dense),
    ("b", Kind::Dense),
    ("gamma", Kind::BatchNorm),
    ("beta", Kind::BatchNorm),
    ("mean", Kind::BatchNorm),
    ("var", Kind::BatchNorm),
];

/// One entry as read so far: the fields after `type` already read, the ones before it kept
/// as JSON values.
#[derive(Default)]
struct Entry {
    kind: Option<Kind>,
    vectors: [Option<Vec<f32>>; 6],
    tensors: Option<Vec<Vec<f32>>>,
    early: Vec<(String, Value)>,
}

impl<'de> Deserialize<'de> for LayerWeights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The buffered values and the missing fields are checked after the reader has left
        // the entry, as with the derive: serde_json then places the error at the array
        // around it, which names the entry (`weights[0]`), not its last key.
        let entry = d.deserialize_map(EntryVisitor)?;
        entry.finish().map_err(de::Error::custom)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a layer's weights with a `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut e = Entry::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "type" {
                if e.kind.is_some() {
                    return Err(de::Error::duplicate_field("type"));
                }
                e.kind = Some(map.next_value_seed(TagSeed {
                    kinds: &KINDS,
                    names: NAMES,
                    what: "a weights type",
                })?);
                continue;
            }
            let Some(kind) = e.kind else {
                e.early.push((key, map.next_value::<Value>()?));
                continue;
            };
            if let Some(i) = vector_slot(kind, &key) {
                if e.vectors[i].is_some() {
                    return Err(de::Error::duplicate_field(VECTORS[i].0));
                }
                e.vectors[i] = Some(map.next_value()?);
            } else if kind == Kind::Tensors && key == "tensors" {
                if e.tensors.is_some() {
                    return Err(de::Error::duplicate_field("tensors"));
                }
                e.tensors = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(e)
    }
}

/// The slot of vector field `key` in a `kind` entry.
fn vector_slot(kind: Kind, key: &str) -> Option<usize> {
    VECTORS
        .iter()
        .position(|&(name, k)| k == kind && name == key)
}

impl Entry {
    fn finish(mut self) -> Result<LayerWeights, serde_json::Error> {
        let kind = self.kind.ok_or_else(|| de::Error::missing_field("type"))?;
        for (key, value) in std::mem::take(&mut self.early) {
            if let Some(i) = vector_slot(kind, &key) {
                if self.vectors[i].is_some() {
                    return Err(de::Error::duplicate_field(VECTORS[i].0));
                }
                self.vectors[i] = Some(Vec::deserialize(value)?);
            } else if kind == Kind::Tensors && key == "tensors" {
                if self.tensors.is_some() {
                    return Err(de::Error::duplicate_field("tensors"));
                }
                self.tensors = Some(Vec::deserialize(value)?);
            }
        }
        let [w, b, gamma, beta, mean, var] = self.vectors;
        let need = |v: Option<Vec<f32>>, name: &'static str| {
            v.ok_or_else(|| de::Error::missing_field(name))
        };
        Ok(match kind {
            Kind::Dense => LayerWeights::Dense {
                w: need(w, "w")?,
                b: need(b, "b")?,
            },
            Kind::Dropout => LayerWeights::Dropout,
            Kind::BatchNorm => LayerWeights::BatchNorm {
                gamma: need(gamma, "gamma")?,
                beta: need(beta, "beta")?,
                mean: need(mean, "mean")?,
                var: need(var, "var")?,
            },
            Kind::Tensors => LayerWeights::Tensors {
                tensors: self
                    .tensors
                    .ok_or_else(|| de::Error::missing_field("tensors"))?,
            },
        })
    }
}
