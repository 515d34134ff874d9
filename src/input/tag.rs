//! The `type` tag of an object read by hand (layer objects, model-file weight entries): read
//! where it stands, so an unknown tag fails at its own key with serde's "unknown variant …,
//! expected one of …".

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// Reads a tag string into its kind `K` from `kinds` (name → kind); `names` lists every
/// name for the error, `what` says what a tag is ("a layer type").
pub struct TagSeed<K: 'static> {
    pub kinds: &'static [(&'static str, K)],
    pub names: &'static [&'static str],
    pub what: &'static str,
}

impl<'de, K: Copy> DeserializeSeed<'de> for TagSeed<K> {
    type Value = K;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K, D::Error> {
        d.deserialize_str(self)
    }
}

impl<K: Copy> Visitor<'_> for TagSeed<K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<K, E> {
        self.kinds
            .iter()
            .find(|(name, _)| *name == v)
            .map(|&(_, kind)| kind)
            .ok_or_else(|| E::unknown_variant(v, self.names))
    }
}
