// Shared declarations, prepended to every kernel module: one binding layout for all kernels.
//
// group 0: `op` (this dispatch's static shape and constants), two read-only inputs, two
// read-write outputs; group 1: `step` (per-step values, bound with a dynamic offset so one
// recording serves every step of a submit).

struct Op {
    m: u32, k: u32, n: u32, flags: u32,
    a_off: u32, a_rs: u32, b_off: u32, b_rs: u32,
    c_off: u32, kind: u32, extra: u32, pad0: u32,
    f0: f32, f1: f32, f2: f32, f3: f32,
    f4: f32, f5: f32, f6: f32, f7: f32,
}

struct Step {
    m: u32, row_off: u32, seed: u32, index: u32,
    lr: f32, bias1: f32, bias2: f32, pad: f32,
}

@group(0) @binding(0) var<uniform> op: Op;
@group(1) @binding(0) var<uniform> step: Step;

// A dimension of 0 in `op` stands for the step's batch rows.
fn dim(d: u32) -> u32 {
    return select(d, step.m, d == 0u);
}

// Inf or NaN: exponent bits all set (WGSL has no isnan; `x != x` may be folded away).
fn non_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

fn sigmoid(x: f32) -> f32 {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// Invocations in a grid-stride loop: the dispatch may be clamped to 65535 workgroups.
fn grid_stride(nwg: vec3<u32>) -> u32 {
    return nwg.x * 256u;
}
