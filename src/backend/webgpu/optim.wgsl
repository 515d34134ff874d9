// Optimiser updates, element-wise over one parameter tensor, mirroring `nn::optim` exactly.
//
// grad (in0) and the loss/status buffer (in1, [0] ≠ 0 once a step diverged: then nothing is
// updated, so the last finite weights survive); value (out0); state (out1): slot 1 at
// [0, len), slot 2 at [len, 2·len). `op.n` = len, flags bit 0 = weight (takes L1/L2 and AdamW
// decay), `op.kind` = OptimizerKind index, `op.extra` = RegularizationKind index.
// f0 momentum, f1 beta1, f2 beta2, f3 epsilon, f4 rho, f5 weight decay, f6 penalty rate,
// f7 clip norm (0 = off; then in1[op.m .. op.m + op.k] hold every tensor's Σg²).

@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
@group(0) @binding(4) var<storage, read_write> out1: array<f32>;

fn penalty_grad(w: f32) -> f32 {
    switch op.extra {
        case 1u: { return op.f6 * select(select(0.0, -1.0, w < 0.0), 1.0, w > 0.0); }
        case 2u: { return 2.0 * op.f6 * w; }
        default: { return 0.0; }
    }
}

@compute @workgroup_size(256)
fn update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    if (in1[0] != 0.0) {
        return;
    }
    let len = op.n;
    let is_weight = (op.flags & 1u) != 0u;
    let lr = step.lr;
    // Global-norm clipping scales the loss gradient only, as on the CPU.
    var scale = 1.0;
    if (op.f7 > 0.0) {
        var sq = 0.0;
        for (var t = 0u; t < op.k; t++) {
            sq += in1[op.m + t];
        }
        let norm = sqrt(sq);
        if (norm > op.f7) {
            scale = op.f7 / norm;
        }
    }
    for (var i = gid.x; i < len; i += grid_stride(nwg)) {
        let w = out0[i];
        var g = in0[i] * scale;
        if (is_weight) {
            g += penalty_grad(w);
        }
        var m = out1[i];
        var v = out1[len + i];
        var nw: f32;
        switch op.kind {
            case 1u: {
                m = op.f0 * m - lr * g;
                nw = w + m;
            }
            case 2u: {
                m = op.f0 * m - lr * g;
                nw = w + op.f0 * m - lr * g;
            }
            case 3u: {
                v = op.f4 * v + (1.0 - op.f4) * g * g;
                nw = w - lr * g / (sqrt(v) + op.f3);
            }
            case 4u: {
                v += g * g;
                nw = w - lr * g / (sqrt(v) + op.f3);
            }
            case 5u, 6u: {
                m = op.f1 * m + (1.0 - op.f1) * g;
                v = op.f2 * v + (1.0 - op.f2) * g * g;
                var decayed = w;
                if (op.kind == 6u && is_weight) {
                    decayed = w - lr * op.f5 * w;
                }
                nw = decayed - lr * (m / step.bias1) / (sqrt(v / step.bias2) + op.f3);
            }
            default: {
                nw = w - lr * g;
            }
        }
        out0[i] = nw;
        out1[i] = m;
        out1[len + i] = v;
    }
}
