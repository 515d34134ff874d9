// Tiled matmul for big products on real GPUs, one template for the three shapes (the host
// fills in each operand's element type and tile load: scalar, or vec4 when its contiguous
// dimension and offsets are multiples of 4; and T, the outputs per invocation along each
// axis, 8 today). Shape legend (row-major):
// NN `A m×k · B k×n`; TN `Aᵀ` with `A k×m`; NT `Bᵀ` with `B n×k`; `C m×n` at `op.c_off`.
//
// A 16×16 workgroup computes a (16·T)×(16·T) block of C; each invocation T×T outputs, strided
// by 16 so that neighbouring invocations read neighbouring workgroup-memory words and store
// neighbouring columns. K advances in 16-wide tiles staged in workgroup memory; out-of-range
// elements load as 0, so any shape is correct.

@group(0) @binding(1) var<storage, read> in0: array<ELEM_A>;
@group(0) @binding(2) var<storage, read> in1: array<ELEM_B>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;

const T: u32 = TILE_T;
const TQ: u32 = T / 4u;
const BM: u32 = 16u * T;
const BN: u32 = 16u * T;
const BK: u32 = 16u;

var<workgroup> tile_a: array<f32, BK * BM>; // [p][i]
var<workgroup> tile_b: array<f32, BK * BN>; // [p][j]

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let M = dim(op.m);
    let K = dim(op.k);
    let N = dim(op.n);
    let a_off = op.a_off + step.row_off * op.a_rs;
    let b_off = op.b_off + step.row_off * op.b_rs;
    let tid = lid.y * 16u + lid.x;
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    // acc[r·TQ + q][c] is output (row lid.y + 16r, column lid.x + 16(4q + c)).
    var acc: array<vec4<f32>, T * TQ>;
    for (var t = 0u; t < K; t += BK) {
        TILE_A
        TILE_B
        workgroupBarrier();
        for (var p = 0u; p < BK; p++) {
            var b: array<vec4<f32>, TQ>;
            for (var q = 0u; q < TQ; q++) {
                let j = p * BN + lid.x + 64u * q;
                b[q] = vec4<f32>(tile_b[j], tile_b[j + 16u], tile_b[j + 32u], tile_b[j + 48u]);
            }
            for (var r = 0u; r < T; r++) {
                let a = vec4<f32>(tile_a[p * BM + lid.y + 16u * r]);
                for (var q = 0u; q < TQ; q++) {
                    acc[r * TQ + q] = fma(a, b[q], acc[r * TQ + q]);
                }
            }
        }
        workgroupBarrier();
    }
    let accumulate = (op.flags & 1u) != 0u;
    for (var r = 0u; r < T; r++) {
        let i = row0 + lid.y + 16u * r;
        if (i >= M) {
            continue;
        }
        for (var c = 0u; c < T; c++) {
            let j = col0 + lid.x + 16u * c;
            if (j < N) {
                let o = op.c_off + i * N + j;
                var v = acc[r * TQ + c / 4u][c % 4u];
                if (accumulate) {
                    v += out0[o];
                }
                out0[o] = v;
            }
        }
    }
}
