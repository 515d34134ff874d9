// Direct matmul, one template for the three shapes: no workgroup memory and no barriers.
// Shape legend (row-major): NN `A m×k · B k×n`; TN `Aᵀ` with `A k×m`; NT `Bᵀ` with `B n×k`;
// `C m×n` at `op.c_off`. The host fills in each operand's element type and loader (`vec4`
// when its contiguous dimension and offsets are multiples of 4, else four guarded scalars)
// and the shape's inner loop.
//
// An 8×8 workgroup covers a 64×32 block of C; each invocation R×4 outputs (R = 8 rows, 4
// neighbouring columns), reading its operands straight from storage in 4-element runs.
// Why not tiles in workgroup memory: where the adapter is a CPU behind the WebGPU API
// (SwiftShader, lavapipe) the caches already do that staging, and every barrier is a switch
// between all the workgroup's invocations; measured there this runs 1.5–3× the tiled kernel.
// Big products (see `matmul_kernel`) take the 128×128 tiled kernel, made for real GPUs.
// Out-of-range elements load as 0, so any shape is correct.

@group(0) @binding(1) var<storage, read> in0: array<ELEM_A>;
@group(0) @binding(2) var<storage, read> in1: array<ELEM_B>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;

const R: u32 = ROWS_U;

// Elements (major, minor .. minor + 4) of a row-major `major_len × minor_len` operand at
// `off`, zero where out of range.
LOAD_A
LOAD_B

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let M = dim(op.m);
    let K = dim(op.k);
    let N = dim(op.n);
    let a_off = op.a_off + step.row_off * op.a_rs;
    let b_off = op.b_off + step.row_off * op.b_rs;
    let row0 = gid.y * R;
    let col0 = gid.x * 4u;
    // No barrier follows, so invocations past the edge may leave at once.
    if (row0 >= M || col0 >= N) {
        return;
    }
    // acc[r][c] is C[row0 + r][col0 + c].
    var acc: array<vec4<f32>, R>;
    INNER
}

// C[i][j .. j + 4] = v (or += v with flags bit 0), the part inside `M × N`.
fn store_row(i: u32, j: u32, M: u32, N: u32, v: vec4<f32>) {
    if (i >= M) {
        return;
    }
    let accumulate = (op.flags & 1u) != 0u;
    for (var c = 0u; c < 4u; c++) {
        if (j + c < N) {
            let o = op.c_off + i * N + j + c;
            var x = v[c];
            if (accumulate) {
                x += out0[o];
            }
            out0[o] = x;
        }
    }
}
