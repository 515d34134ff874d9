// Element-wise and row-wise layer kernels on `m×n` row-major batches (m = op.m or the step's
// rows, n = op.n): bias + activation forward, activation backward, bias-gradient column sums,
// dropout. `op.kind` is the activation's index in `Activation::ALL`.

@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
@group(0) @binding(4) var<storage, read_write> out1: array<f32>;

const LEAKY_SLOPE: f32 = 0.01;
const GELU_C: f32 = 0.7978846;

// tanh through exp overflows to NaN on some drivers for large |x|; ±15 is already ±1 in f32.
fn tanh_safe(x: f32) -> f32 {
    return tanh(clamp(x, -15.0, 15.0));
}

fn act(kind: u32, x: f32) -> f32 {
    switch kind {
        case 1u: { return max(x, 0.0); }
        case 2u: { return select(LEAKY_SLOPE * x, x, x > 0.0); }
        case 3u: { return select(exp(x) - 1.0, x, x > 0.0); }
        case 4u: { return tanh_safe(x); }
        case 5u: { return sigmoid(x); }
        case 6u: { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
        case 7u: { return x * sigmoid(x); }
        case 8u: {
            let u = GELU_C * (x + 0.044715 * x * x * x);
            return 0.5 * x * (1.0 + tanh_safe(u));
        }
        case 9u: { return sin(in_one_turn(x)); }
        default: { return x; }
    }
}

// x moved into [−π, π] by whole turns: WGSL bounds `sin` and `cos` (absolute error 2⁻¹¹)
// only there, and software adapters are measurably worse outside it.
fn in_one_turn(x: f32) -> f32 {
    let turn = 6.2831855;
    return x - turn * round(x / turn);
}

// act'(z), with tanh and sigmoid taken from the output y as the CPU does. taken from the output y as the CPU does.
fn act_grad(kind: u32, x: f32, y: f32) -> f32 {
    switch kind {
        case 1u: { return select(0.0, 1.0, x > 0.0); }
        case 2u: { return select(LEAKY_SLOPE, 1.0, x > 0.0); }
        case 3u: { return select(exp(x), 1.0, x > 0.0); }
        case 4u: { return 1.0 - y * y; }
        case 5u: { return y * (1.0 - y); }
        case 6u: { return sigmoid(x); }
        case 7u: {
            let s = sigmoid(x);
            return s * (1.0 + x * (1.0 - s));
        }
        case 8u: {
            let u = GELU_C * (x + 0.044715 * x * x * x);
            let t = tanh_safe(u);
            return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
        }
        case 9u: { return cos(in_one_turn(x)); }
        default: { return 1.0; }
    }
}

// Z (out0) += bias (in0, when flags bit 0); Y (out1) = act(Z). Element-wise kinds only.
@compute @workgroup_size(256)
fn bias_act(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n = op.n;
    let total = dim(op.m) * n;
    let has_bias = (op.flags & 1u) != 0u;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        var z = out0[e];
        if (has_bias) {
            z += in0[e % n];
            out0[e] = z;
        }
        out1[e] = act(op.kind, z);
    }
}

// Softmax rows: Z (out0) += bias; Y (out1) = softmax(Z) row-wise with the max subtracted.
@compute @workgroup_size(256)
fn bias_softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n = op.n;
    let m = dim(op.m);
    let has_bias = (op.flags & 1u) != 0u;
    for (var i = gid.x; i < m; i += grid_stride(nwg)) {
        let base = i * n;
        var mx = -3.4e38;
        for (var j = 0u; j < n; j++) {
            var z = out0[base + j];
            if (has_bias) {
                z += in0[j];
                out0[base + j] = z;
            }
            mx = max(mx, z);
        }
        var sum = 0.0;
        for (var j = 0u; j < n; j++) {
            let e = exp(out0[base + j] - mx);
            out1[base + j] = e;
            sum += e;
        }
        for (var j = 0u; j < n; j++) {
            out1[base + j] = out1[base + j] / sum;
        }
    }
}

// dZ = dY ⊙ act'(Z), in place on out0 (dY in, dZ out); Z = in0, Y = in1.
@compute @workgroup_size(256)
fn act_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let total = dim(op.m) * op.n;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        out0[e] = out0[e] * act_grad(op.kind, in0[e], in1[e]);
    }
}

// Softmax Jacobian-vector product per row: dz = y ⊙ (dy − ⟨y, dy⟩), in place on out0.
@compute @workgroup_size(256)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n = op.n;
    let m = dim(op.m);
    for (var i = gid.x; i < m; i += grid_stride(nwg)) {
        let base = i * n;
        var dot = 0.0;
        for (var j = 0u; j < n; j++) {
            dot += in1[base + j] * out0[base + j];
        }
        for (var j = 0u; j < n; j++) {
            out0[base + j] = in1[base + j] * (out0[base + j] - dot);
        }
    }
}

// db[j] = Σ_i dZ[i, j]: one invocation per column, rows summed in order.
@compute @workgroup_size(256)
fn col_sums(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n = op.n;
    let m = dim(op.m);
    for (var j = gid.x; j < n; j += grid_stride(nwg)) {
        var s = 0.0;
        for (var i = 0u; i < m; i++) {
            s += in0[i * n + j];
        }
        out0[j] = s;
    }
}

// A 32-bit integer hash (lowbias32): the counter-based RNG behind the dropout masks.
fn hash(x0: u32) -> u32 {
    var x = x0;
    x ^= x >> 16u;
    x *= 0x7feb352du;
    x ^= x >> 15u;
    x *= 0x846ca68bu;
    x ^= x >> 16u;
    return x;
}

// The inverted-dropout multiplier of element e: 1/keep with probability keep (= f0), else 0.
// The mask is a pure function of (step seed, layer salt `op.k`, e), so backward recomputes it.
fn keep_scale(e: u32) -> f32 {
    let h = hash(e ^ hash(step.seed ^ hash(op.k)));
    let u = f32(h >> 8u) * (1.0 / 16777216.0);
    return select(0.0, 1.0 / op.f0, u < op.f0);
}

// Y (out0) = X (in0, from row `step.row_off` when it is the dataset) ⊙ mask.
@compute @workgroup_size(256)
fn dropout_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let total = dim(op.m) * op.n;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        out0[e] = in0[e + step.row_off * op.a_rs] * keep_scale(e);
    }
}

// dX = dY ⊙ mask, in place on out0.
@compute @workgroup_size(256)
fn dropout_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let total = dim(op.m) * op.n;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        out0[e] = out0[e] * keep_scale(e);
    }
}
