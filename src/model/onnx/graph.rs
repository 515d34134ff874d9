//! An ONNX graph under construction: float inputs of shape `[N, d]`, constant initializers,
//! nodes of the default (`ai.onnx`) domain, and the `ModelProto` bytes they end up as.
//!
//! Field numbers are those of `onnx.proto3`; only the fields an inference graph of
//! standard ops needs are written.

use std::collections::HashMap;

use super::proto::Msg;

/// The `ai.onnx` operator set the export targets (ONNX 1.12, 2022; read by onnxruntime
/// 1.12 and later, and by most other runtimes).
pub const OPSET: i64 = 17;
/// The IR version that goes with [`OPSET`] (ONNX 1.12's).
pub const IR_VERSION: i64 = 8;
/// The batch dimension's symbolic name in input and output shapes.
pub const BATCH_DIM: &str = "N";

/// `TensorProto.DataType` values used here.
const FLOAT: i64 = 1;
const INT64: i64 = 7;
/// `AttributeProto.AttributeType` values used here.
const ATTR_FLOAT: i64 = 1;
const ATTR_INT: i64 = 2;

/// A node attribute.
#[derive(Debug, Clone, Copy)]
pub enum Attr {
    Float(f32),
    Int(i64),
}

/// The graph being built; names of values are handed out by the builder, so they never
/// collide.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Msg>,
    initializers: Vec<Msg>,
    inputs: Vec<Msg>,
    metadata: Vec<(String, String)>,
    doc: String,
    /// How many values were named so far: the suffix of the next name.
    named: usize,
    /// Scalar constants by bit pattern, so `1.0` used ten times is one initializer.
    scalars: HashMap<u32, String>,
}

impl Graph {
    pub fn new() -> Self {
        Self::default()
    }

    fn fresh(&mut self, hint: &str) -> String {
        self.named += 1;
        format!("{hint}_{}", self.named)
    }

    /// Declares the float input `name` of shape `[N, width]` (a dynamic batch) and
    /// returns its name.
    pub fn input(&mut self, name: &str, width: usize) -> String {
        self.inputs.push(value_info(name, width));
        name.to_string()
    }

    /// A float constant of shape `dims` (row-major `data`, `dims` multiplying to its length).
    pub fn constant(&mut self, hint: &str, dims: &[usize], data: &[f32]) -> String {
        debug_assert_eq!(dims.iter().product::<usize>(), data.len());
        let name = self.fresh(hint);
        let raw: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializers.push(tensor(&name, dims, FLOAT, &raw));
        name
    }

    /// A float scalar constant (shape `[]`, broadcast against anything).
    pub fn scalar(&mut self, v: f32) -> String {
        if let Some(name) = self.scalars.get(&v.to_bits()) {
            return name.clone();
        }
        let name = self.constant("c", &[], &[v]);
        self.scalars.insert(v.to_bits(), name.clone());
        name
    }

    /// A 1-D int64 constant (indices, axes).
    pub fn ints(&mut self, hint: &str, data: &[i64]) -> String {
        let name = self.fresh(hint);
        let raw: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializers
            .push(tensor(&name, &[data.len()], INT64, &raw));
        name
    }

    /// Adds the node `op(inputs…)` with `attrs` and returns the name of its one output.
    pub fn op(&mut self, op: &str, inputs: &[&str], attrs: &[(&str, Attr)]) -> String {
        let out = self.fresh(&op.to_ascii_lowercase());
        self.node(op, inputs, &out, attrs);
        out
    }

    fn node(&mut self, op: &str, inputs: &[&str], output: &str, attrs: &[(&str, Attr)]) {
        let mut n = Msg::new();
        for i in inputs {
            n.str(1, i);
        }
        n.str(2, output)
            .str(3, &format!("{op}_{}", self.nodes.len()));
        n.str(4, op);
        for (name, a) in attrs {
            let mut m = Msg::new();
            m.str(1, name);
            match *a {
                Attr::Float(f) => m.float(2, f).int(20, ATTR_FLOAT),
                Attr::Int(i) => m.int(3, i).int(20, ATTR_INT),
            };
            n.msg(5, &m);
        }
        self.nodes.push(n);
    }

    /// A `metadata_props` entry of the model (shown by Netron, read by `onnx.load`).
    pub fn metadata(&mut self, key: &str, value: &str) {
        self.metadata.push((key.into(), value.into()));
    }

    /// The graph's `doc_string`: what the inputs and outputs mean.
    pub fn doc(&mut self, text: &str) {
        self.doc = text.into();
    }

    /// The `ModelProto` whose graph ends in `last`, exposed as the output `output` of
    /// shape `[N, width]`.
    pub fn finish(mut self, last: &str, width: usize) -> Vec<u8> {
        self.node("Identity", &[last], "output", &[]);
        let mut g = Msg::new();
        for n in &self.nodes {
            g.msg(1, n);
        }
        g.str(2, "nn_playground");
        for t in &self.initializers {
            g.msg(5, t);
        }
        if !self.doc.is_empty() {
            g.str(10, &self.doc);
        }
        for i in &self.inputs {
            g.msg(11, i);
        }
        g.msg(12, &value_info("output", width));

        let mut opset = Msg::new();
        opset.str(1, "").int(2, OPSET);
        let mut m = Msg::new();
        m.int(1, IR_VERSION)
            .str(2, "nn-playground")
            .str(3, env!("CARGO_PKG_VERSION"))
            .msg(7, &g)
            .msg(8, &opset);
        for (k, v) in &self.metadata {
            let mut e = Msg::new();
            e.str(1, k).str(2, v);
            m.msg(14, &e);
        }
        m.into_bytes()
    }
}

/// `TensorProto { dims, data_type, name, raw_data }` (raw data is little-endian).
fn tensor(name: &str, dims: &[usize], data_type: i64, raw: &[u8]) -> Msg {
    let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    let mut t = Msg::new();
    if !dims.is_empty() {
        t.packed_ints(1, &dims);
    }
    t.int(2, data_type).str(8, name).bytes(9, raw);
    t
}

/// `ValueInfoProto` of a float tensor `[N, width]`.
fn value_info(name: &str, width: usize) -> Msg {
    let mut batch = Msg::new();
    batch.str(2, BATCH_DIM);
    let mut cols = Msg::new();
    cols.int(1, width as i64);
    let mut shape = Msg::new();
    shape.msg(1, &batch).msg(1, &cols);
    let mut tensor_type = Msg::new();
    tensor_type.int(1, FLOAT).msg(2, &shape);
    let mut ty = Msg::new();
    ty.msg(1, &tensor_type);
    let mut v = Msg::new();
    v.str(1, name).msg(2, &ty);
    v
}
