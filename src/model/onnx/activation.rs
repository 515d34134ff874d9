//! Every engine activation as ONNX nodes: a standard op where ONNX has one with the same
//! definition, otherwise composed from standard ops in the engine's own order of operations
//! (see `crate::nn::activation` for the definitions), so that f32 results agree to rounding.

use super::graph::{Attr, Graph};
use crate::nn::activation::{Activation, GELU_C, GELU_K, LEAKY_SLOPE};

/// Appends `act(x)` to `g` and returns the result's name; `Linear` adds nothing. Softmax
/// runs over the feature axis (1), row by row, as the output layer's does.
pub fn apply(g: &mut Graph, act: Activation, x: &str) -> String {
    match act {
        Activation::Linear => x.to_string(),
        Activation::Relu => g.op("Relu", &[x], &[]),
        Activation::LeakyRelu => g.op("LeakyRelu", &[x], &[("alpha", Attr::Float(LEAKY_SLOPE))]),
        Activation::Elu => g.op("Elu", &[x], &[("alpha", Attr::Float(1.0))]),
        Activation::Tanh => g.op("Tanh", &[x], &[]),
        Activation::Sigmoid => g.op("Sigmoid", &[x], &[]),
        Activation::Sine => g.op("Sin", &[x], &[]),
        Activation::Softmax => g.op("Softmax", &[x], &[("axis", Attr::Int(1))]),
        // ONNX's `Softplus` is defined as ln(eˣ + 1), which overflows to ∞ for x ≳ 88 in
        // f32; the engine's stable form is max(x, 0) + ln(1 + e^−|x|).
        Activation::Softplus => {
            let abs = g.op("Abs", &[x], &[]);
            let neg = g.op("Neg", &[&abs], &[]);
            let exp = g.op("Exp", &[&neg], &[]);
            let one = g.scalar(1.0);
            let sum = g.op("Add", &[&one, &exp], &[]);
            let log = g.op("Log", &[&sum], &[]);
            let pos = g.op("Relu", &[x], &[]);
            g.op("Add", &[&pos, &log], &[])
        }
        // x·σ(x); opset 17 has no SiLU / Swish op.
        Activation::Silu => {
            let s = g.op("Sigmoid", &[x], &[]);
            g.op("Mul", &[x, &s], &[])
        }
        // The tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): `Gelu` arrived
        // only in opset 20, and the engine's form is the approximation, not erf.
        Activation::Gelu => {
            let k = g.scalar(GELU_K);
            let kx = g.op("Mul", &[&k, x], &[]);
            let kx2 = g.op("Mul", &[&kx, x], &[]);
            let kx3 = g.op("Mul", &[&kx2, x], &[]);
            let inner = g.op("Add", &[x, &kx3], &[]);
            let c = g.scalar(GELU_C);
            let u = g.op("Mul", &[&c, &inner], &[]);
            let t = g.op("Tanh", &[&u], &[]);
            let one = g.scalar(1.0);
            let one_t = g.op("Add", &[&one, &t], &[]);
            let half = g.scalar(0.5);
            let hx = g.op("Mul", &[&half, x], &[]);
            g.op("Mul", &[&hx, &one_t], &[])
        }
    }
}
