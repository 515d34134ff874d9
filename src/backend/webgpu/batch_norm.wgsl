// Batch normalisation over `m×f` row-major batches (m = op.m or the step's rows, f = op.n),
// mirroring `nn::batch_norm::BatchNorm` operation for operation.
//
// Per layer one `stats` buffer of 8·f floats, in blocks of f (see `batch_norm.rs`):
//   [0] running mean μ_r   [1] running variance σ²_r   [2] batch mean μ_B   [3] batch variance σ²_B
//   [4] 1/√(σ²_B + ε)      [5] γ/√(σ²_B + ε)           [6] Σ_i dY          [7] Σ_i dY⊙X̂
// Per-feature kernels run one invocation per column and sum its rows in order, as the CPU
// does, so the statistics agree with the CPU's up to the rounding of `/` and `sqrt`.
// A batch input may be the dataset itself: rows then start at `step.row_off · op.a_rs`.
// f0 = momentum, f1 = ε; flags bit 0 (bn_normalize) = inference (running statistics).

@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
@group(0) @binding(4) var<storage, read_write> out1: array<f32>;

// Batch statistics: X (in0), γ (in1) → μ_B, σ²_B (biased: ÷m), 1/σ and γ/σ into stats (out0).
@compute @workgroup_size(256)
fn bn_stats(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    let m = dim(op.m);
    let base = step.row_off * op.a_rs;
    let mf = f32(m);
    for (var j = gid.x; j < f; j += grid_stride(nwg)) {
        var mean = 0.0;
        for (var i = 0u; i < m; i++) {
            mean += in0[base + i * f + j];
        }
        mean /= mf;
        var v = 0.0;
        for (var i = 0u; i < m; i++) {
            let d = in0[base + i * f + j] - mean;
            v += d * d;
        }
        v /= mf;
        let inv = 1.0 / sqrt(v + op.f1);
        out0[2u * f + j] = mean;
        out0[3u * f + j] = v;
        out0[4u * f + j] = inv;
        out0[5u * f + j] = in1[j] * inv;
    }
}

// Running statistics (out0 = stats): r ← momentum·r + (1 − momentum)·batch, per feature only
// when both new values are finite, and not at all once a step of this submit diverged
// (status in0[0] ≠ 0), where the CPU would have stopped training.
@compute @workgroup_size(256)
fn bn_running(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    if (in0[0] != 0.0) {
        return;
    }
    let f = op.n;
    for (var j = gid.x; j < f; j += grid_stride(nwg)) {
        let mean = op.f0 * out0[j] + (1.0 - op.f0) * out0[2u * f + j];
        let v = op.f0 * out0[f + j] + (1.0 - op.f0) * out0[3u * f + j];
        if (!non_finite(mean) && !non_finite(v)) {
            out0[j] = mean;
            out0[f + j] = v;
        }
    }
}

// X̂ (out0) = (X (in0) − μ) · 1/√(σ² + ε) with the batch statistics of stats (in1), or in
// inference mode with the running ones.
@compute @workgroup_size(256)
fn bn_normalize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    let total = dim(op.m) * f;
    let base = step.row_off * op.a_rs;
    let inference = (op.flags & 1u) != 0u;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        let j = e % f;
        var mean: f32;
        var inv: f32;
        if (inference) {
            mean = in1[j];
            inv = 1.0 / sqrt(in1[f + j] + op.f1);
        } else {
            mean = in1[2u * f + j];
            inv = in1[4u * f + j];
        }
        out0[e] = (in0[base + e] - mean) * inv;
    }
}

// Y (out1) = γ (in0) ⊙ X̂ (out0, only read) + β (in1), per row.
@compute @workgroup_size(256)
fn bn_affine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    let total = dim(op.m) * f;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        let j = e % f;
        out1[e] = in0[j] * out0[e] + in1[j];
    }
}

// Σ_i dY and Σ_i dY⊙X̂ per feature: dY (in0), X̂ (in1) → stats (out0), rows in order.
@compute @workgroup_size(256)
fn bn_sums(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    let m = dim(op.m);
    for (var j = gid.x; j < f; j += grid_stride(nwg)) {
        var s = 0.0;
        var sx = 0.0;
        for (var i = 0u; i < m; i++) {
            let g = in0[i * f + j];
            s += g;
            sx += g * in1[i * f + j];
        }
        out0[6u * f + j] = s;
        out0[7u * f + j] = sx;
    }
}

// dγ (out0) = Σ dY⊙X̂, dβ (out1) = Σ dY, copied from stats (in0).
@compute @workgroup_size(256)
fn bn_param_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    for (var j = gid.x; j < f; j += grid_stride(nwg)) {
        out0[j] = in0[7u * f + j];
        out1[j] = in0[6u * f + j];
    }
}

// dX = (γ/σ)/m · (m·dY − Σ dY − X̂·Σ(dY⊙X̂)), in place on out0 (dY in, dX out);
// X̂ = in0, stats = in1.
@compute @workgroup_size(256)
fn bn_input_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let f = op.n;
    let m = dim(op.m);
    let mf = f32(m);
    let total = m * f;
    for (var e = gid.x; e < total; e += grid_stride(nwg)) {
        let j = e % f;
        let scale = in1[5u * f + j] / mf;
        out0[e] = scale * (mf * out0[e] - in1[6u * f + j] - in0[e] * in1[7u * f + j]);
    }
}
