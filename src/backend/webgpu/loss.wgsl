// Losses on a batch: per-row loss terms and the gradient w.r.t. the predictions (logits for
// the cross-entropies), then a one-workgroup reduction into the step's loss slot.
//
// Shapes: P (in0) m×n; targets (in1) m×t_cols starting at row `step.row_off` (t_cols =
// op.extra: n, or 1 for sparse class labels); G (out0) m×n; row terms (out1) m.
// `op.kind`: 0 MSE, 1 MAE, 2 Huber (δ = f0), 3 BCE on logits, 4 softmax CE on logits.
// Every loss is a mean over the batch (and over outputs except for softmax CE).

@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
@group(0) @binding(4) var<storage, read_write> out1: array<f32>;

fn sign0(d: f32) -> f32 {
    return select(select(0.0, -1.0, d < 0.0), 1.0, d > 0.0);
}

@compute @workgroup_size(256)
fn loss_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n = op.n;
    let m = dim(op.m);
    let tc = op.extra;
    let t_off = step.row_off * tc;
    let count = select(f32(m) * f32(n), f32(m), op.kind == 4u);
    for (var i = gid.x; i < m; i += grid_stride(nwg)) {
        let base = i * n;
        var s = 0.0;
        if (op.kind == 4u) {
            var mx = -3.4e38;
            for (var j = 0u; j < n; j++) {
                mx = max(mx, in0[base + j]);
            }
            var se = 0.0;
            for (var j = 0u; j < n; j++) {
                se += exp(in0[base + j] - mx);
            }
            let lse = mx + log(se);
            let sparse = tc == 1u && n > 1u;
            for (var j = 0u; j < n; j++) {
                var t: f32;
                if (sparse) {
                    t = select(0.0, 1.0, u32(in1[t_off + i]) == j);
                } else {
                    t = in1[t_off + i * tc + j];
                }
                let lp = in0[base + j] - lse;
                out0[base + j] = (exp(lp) - t) / count;
                s -= t * lp;
            }
        } else {
            for (var j = 0u; j < n; j++) {
                let p = in0[base + j];
                let t = in1[t_off + i * tc + j];
                let d = p - t;
                var g: f32;
                switch op.kind {
                    case 0u: {
                        s += d * d;
                        g = 2.0 * d;
                    }
                    case 1u: {
                        s += abs(d);
                        g = sign0(d);
                    }
                    case 2u: {
                        let delta = op.f0;
                        if (abs(d) <= delta) {
                            s += 0.5 * d * d;
                            g = d;
                        } else {
                            s += delta * (abs(d) - 0.5 * delta);
                            g = delta * sign0(d);
                        }
                    }
                    default: {
                        s += max(p, 0.0) - p * t + log(1.0 + exp(-abs(p)));
                        g = sigmoid(p) - t;
                    }
                }
                out0[base + j] = g / count;
            }
        }
        out1[i] = s / count;
    }
}

var<workgroup> partial: array<f32, 256>;

// losses (out0): [0] = 1 + index of the first step with a non-finite loss (0 = none, sticky
// within a submit), [1 + step.index] = this step's loss. Row terms in in0.
@compute @workgroup_size(256)
fn reduce_loss(@builtin(local_invocation_index) li: u32) {
    let m = dim(op.m);
    var s = 0.0;
    for (var i = li; i < m; i += 256u) {
        s += in0[i];
    }
    partial[li] = s;
    workgroupBarrier();
    for (var w = 128u; w > 0u; w >>= 1u) {
        if (li < w) {
            partial[li] += partial[li + w];
        }
        workgroupBarrier();
    }
    if (li == 0u) {
        let loss = partial[0];
        out0[1u + step.index] = loss;
        if (non_finite(loss) && out0[0] == 0.0) {
            out0[0] = f32(step.index + 1u);
        }
    }
}

// Σ g² of one gradient tensor (in0, op.n values) into out0[op.c_off]: the pieces of the
// global gradient norm that clipping needs. One workgroup.
@compute @workgroup_size(256)
fn sum_squares(@builtin(local_invocation_index) li: u32) {
    var s = 0.0;
    for (var i = li; i < op.n; i += 256u) {
        let g = in0[i];
        s += g * g;
    }
    partial[li] = s;
    workgroupBarrier();
    for (var w = 128u; w > 0u; w >>= 1u) {
        if (li < w) {
            partial[li] += partial[li + w];
        }
        workgroupBarrier();
    }
    if (li == 0u) {
        out0[op.c_off] = partial[0];
    }
}
