//! Reading an internally tagged object (`{"type": "step", "every": 10, …}`) by hand: the tag
//! in place with [`TagSeed`], the other values buffered as JSON values, and then only the
//! chosen variant's fields read from them, each with serde's reader of its type.
//!
//! serde's derive for an internally tagged enum buffers the object into its private
//! `Content` tree and then instantiates every variant's field reader over it, once per input
//! format: the largest functions of the page's wasm were such readers. The messages stay
//! serde's ("missing field `every`", "invalid type: floating point `2.5`, expected usize");
//! unknown fields are ignored, as the derive ignores them.

use std::fmt;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde_json::Value;

use super::TagSeed;

/// Reads a tagged object: its tag through `tag`, its other entries into [`Fields`].
/// `expecting` names the object for serde's "invalid type" message ("a layer object with
/// a `type`").
pub struct TaggedVisitor<K: 'static> {
    pub tag: TagSeed<K>,
    pub expecting: &'static str,
}

impl<'de, K: Copy> Visitor<'de> for TaggedVisitor<K> {
    type Value = (K, Fields);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(K, Fields), A::Error> {
        let mut kind = None;
        let mut fields = Fields(Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            if key == "type" {
                if kind.is_some() {
                    return Err(de::Error::duplicate_field("type"));
                }
                kind = Some(map.next_value_seed(TagSeed { ..self.tag })?);
            } else {
                let value = map.next_value::<Value>()?;
                fields.0.push((key, value));
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        Ok((kind, fields))
    }
}

/// A tagged object's entries other than `type`, in the order written.
pub struct Fields(Vec<(String, Value)>);

/// A field's value, or serde_json's error about it.
pub type Read<T> = Result<T, serde_json::Error>;

impl Fields {
    /// The field written as any of `names` (`None` when absent), read by `T`'s own reader;
    /// two spellings of one field are a duplicate, as with serde's aliases.
    pub fn get<T: DeserializeOwned>(&mut self, names: &[&'static str]) -> Read<Option<T>> {
        let mut found = None;
        for (key, value) in &mut self.0 {
            if names.contains(&key.as_str()) {
                if found.is_some() {
                    return Err(de::Error::duplicate_field(names[0]));
                }
                found = Some(value.take());
            }
        }
        found.map(T::deserialize).transpose()
    }

    /// The field, or "missing field `names[0]`".
    pub fn required<T: DeserializeOwned>(&mut self, names: &[&'static str]) -> Read<T> {
        self.get(names)?
            .ok_or_else(|| de::Error::missing_field(names[0]))
    }

    /// The field, or `default` when it is absent.
    pub fn or<T: DeserializeOwned>(&mut self, names: &[&'static str], default: T) -> Read<T> {
        Ok(self.get(names)?.unwrap_or(default))
    }
}
