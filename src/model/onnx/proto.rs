//! The protobuf wire format, as far as an ONNX file needs it: varints, length-delimited
//! fields, fixed32 floats and packed int64s, written into a byte buffer.
//!
//! Why our own and not a crate: an ONNX export only *writes* seven message types
//! (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, AttributeProto,
//! OperatorSetIdProto and the small messages inside them), which takes the four wire
//! types below. A protobuf crate would bring a code generator or a runtime with decoding,
//! reflection and a dependency tree for that, and weigh on the page's wasm; these few
//! functions add a few kilobytes and nothing to `Cargo.lock`.

/// Wire type of varint fields (`int64`, `int32`, enums).
const VARINT: u64 = 0;
/// Wire type of length-delimited fields (strings, bytes, messages, packed repeats).
const LEN: u64 = 2;
/// Wire type of `float` fields.
const FIXED32: u64 = 5;

/// One message being written: fields are appended in the order the caller gives them
/// (protobuf readers accept any order; we keep the schema's for readable dumps).
#[derive(Debug, Default, Clone)]
pub struct Msg {
    buf: Vec<u8>,
}

impl Msg {
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn key(&mut self, field: u32, wire: u64) {
        self.varint((u64::from(field) << 3) | wire);
    }

    /// An `int64` / `int32` / enum field. Negative values take ten bytes, as protobuf's
    /// two's-complement varints do.
    pub fn int(&mut self, field: u32, v: i64) -> &mut Self {
        self.key(field, VARINT);
        self.varint(v as u64);
        self
    }

    /// A `float` field.
    pub fn float(&mut self, field: u32, v: f32) -> &mut Self {
        self.key(field, FIXED32);
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A `bytes` field.
    pub fn bytes(&mut self, field: u32, v: &[u8]) -> &mut Self {
        self.key(field, LEN);
        self.varint(v.len() as u64);
        self.buf.extend_from_slice(v);
        self
    }

    /// A `string` field.
    pub fn str(&mut self, field: u32, v: &str) -> &mut Self {
        self.bytes(field, v.as_bytes())
    }

    /// An embedded message field.
    pub fn msg(&mut self, field: u32, m: &Msg) -> &mut Self {
        self.bytes(field, &m.buf)
    }

    /// A `repeated int64` field, packed (the proto3 default encoding).
    pub fn packed_ints(&mut self, field: u32, vs: &[i64]) -> &mut Self {
        let mut inner = Msg::new();
        for &v in vs {
            inner.varint(v as u64);
        }
        self.bytes(field, &inner.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_wire_format_of_the_protobuf_docs() {
        // `int32 a = 1; a = 150` is 08 96 01 in the protobuf encoding guide.
        let mut m = Msg::new();
        m.int(1, 150);
        assert_eq!(m.clone().into_bytes(), [0x08, 0x96, 0x01]);
        // `string b = 2; b = "testing"` is 12 07 74 65 73 74 69 6e 67.
        let mut s = Msg::new();
        s.str(2, "testing");
        assert_eq!(s.into_bytes(), b"\x12\x07testing");
        // Packed `repeated int32 d = 4; [3, 270, 86942]` is 22 06 03 8E 02 9E A7 05.
        let mut p = Msg::new();
        p.packed_ints(4, &[3, 270, 86942]);
        assert_eq!(
            p.into_bytes(),
            [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]
        );
        let mut f = Msg::new();
        f.float(2, 1.0);
        assert_eq!(f.into_bytes(), [0x15, 0x00, 0x00, 0x80, 0x3F]);
        let mut n = Msg::new();
        n.int(1, -1);
        assert_eq!(n.into_bytes().len(), 11);
    }
}
