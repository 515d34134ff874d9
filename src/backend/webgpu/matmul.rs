//! The matmul kernel family: the tiled WGSL template filled in per shape (NN, TN, NT) and per
//! operand element type (scalar or vec4 loads), the direct kernel beside it
//! (`matmul_direct.rs`), and the choice of variant for an op.

use super::kernels::{Kernel, Op};
use super::matmul_direct::direct_source;

const MATMUL: &str = include_str!("matmul.wgsl");

/// The matmul variant for `op`: an operand is read as `vec4` when the dimension it is
/// contiguous in and all its offsets are multiples of 4 (so no vec4 straddles a row).
pub(crate) fn matmul_kernel(shape: MatmulShape, op: &Op) -> Kernel {
    let fits = |len: u32, off: u32, rs: u32| {
        len != 0 && len.is_multiple_of(4) && off.is_multiple_of(4) && rs.is_multiple_of(4)
    };
    let (a_len, b_len) = match shape {
        MatmulShape::Nn => (op.k, op.n),
        MatmulShape::Tn => (op.m, op.n),
        MatmulShape::Nt => (op.k, op.k),
    };
    // The 128×128 tiles in workgroup memory are for real GPUs at sizes where they keep
    // ≥ 256 workgroups busy (a big GPU has ~100 compute units). Below that the direct
    // kernel: on a software adapter it is 1.5–3× the tiled ones (barriers are expensive
    // there, caches do the staging), and a small product is launch-bound on a real GPU.
    let wide = op.m != 0 && op.n != 0 && op.m as u64 * op.n as u64 >= 2048 * 2048;
    Kernel::Matmul {
        shape,
        vec_a: fits(a_len, op.a_off, op.a_rs),
        vec_b: fits(b_len, op.b_off, op.b_rs),
        wide,
    }
}

/// Most workgroups along one axis of a dispatch (WebGPU's guaranteed limit).
const MAX_GROUPS: usize = 65_535;

/// `Err(Shape)` when an `m×n` product needs more workgroups along an axis than one dispatch
/// may have (the matmul kernels have no grid-stride loop, so the rest would go uncomputed):
/// the direct kernel's block is 64 rows × 32 columns, so up to 4 194 240 rows and 2 097 120
/// columns.
pub(crate) fn check_matmul_grid(m: usize, n: usize) -> crate::Result<()> {
    if m.div_ceil(64) > MAX_GROUPS || n.div_ceil(32) > MAX_GROUPS {
        return Err(crate::Error::Shape(format!(
            "a GPU matmul of {m}×{n} outputs is too large for one dispatch (at most {} rows and {} columns)",
            64 * MAX_GROUPS,
            32 * MAX_GROUPS
        )));
    }
    Ok(())
}

/// The three matmul shapes (see `kernels` for the CPU contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatmulShape {
    /// `C = A·B`, A: m×k, B: k×n.
    Nn,
    /// `C = Aᵀ·B`, A: k×m, B: k×n.
    Tn,
    /// `C = A·Bᵀ`, A: m×k, B: n×k.
    Nt,
}

/// One operand's part of the matmul template.
struct Operand {
    buf: &'static str,
    tile: &'static str,
    /// Tile width in the output dimension (`BM` or `BN`).
    width: &'static str,
    /// First output row/column of the workgroup (`row0` or `col0`).
    first: &'static str,
    /// Output extent (`M` or `N`).
    limit: &'static str,
    /// Flat index of element (g, pk), g along the output dimension, pk along k.
    index: &'static str,
    /// Contiguous in memory along k (else along the output dimension).
    along_k: bool,
}

/// WGSL that stages this operand's BK×width tile in workgroup memory. Loads walk memory
/// contiguously; out-of-range elements load as 0.
fn tile_load(o: &Operand, vec4: bool) -> String {
    let Operand {
        buf,
        tile,
        width,
        first,
        limit,
        index,
        along_k,
    } = *o;
    if !vec4 {
        let map = if along_k {
            "let p = idx % BK; let i = idx / BK;".to_string()
        } else {
            format!("let i = idx % {width}; let p = idx / {width};")
        };
        return format!(
            "for (var l = 0u; l < T; l++) {{ let idx = tid + l * 256u; {map} \
             let g = {first} + i; let pk = t + p; var v = 0.0; \
             if (g < {limit} && pk < K) {{ v = {buf}[{index}]; }} {tile}[p * {width} + i] = v; }}"
        );
    }
    let (map, store) = if along_k {
        (
            "let i = idx / 4u; let p = (idx % 4u) * 4u;".to_string(),
            format!("{tile}[(p + q) * {width} + i] = v[q];"),
        )
    } else {
        (
            format!("let i = (idx % ({width} / 4u)) * 4u; let p = idx / ({width} / 4u);"),
            format!("{tile}[p * {width} + i + q] = v[q];"),
        )
    };
    format!(
        "for (var l = 0u; l < TQ; l++) {{ let idx = tid + l * 256u; {map} \
         let g = {first} + i; let pk = t + p; var v = vec4<f32>(0.0); \
         if (g < {limit} && pk < K) {{ v = {buf}[({index}) / 4u]; }} \
         for (var q = 0u; q < 4u; q++) {{ {store} }} }}"
    )
}

/// The matmul source for one shape and operand element types: the 128×128 tiled kernel when
/// `wide`, else the direct one.
pub(crate) fn matmul_source(shape: MatmulShape, vec_a: bool, vec_b: bool, wide: bool) -> String {
    if !wide {
        return direct_source(shape, vec_a, vec_b);
    }
    tiled_source(shape, vec_a, vec_b)
}

/// The tiled template: 16×16 invocations of 8×8 outputs, K in 16-wide tiles.
fn tiled_source(shape: MatmulShape, vec_a: bool, vec_b: bool) -> String {
    let a_k = Operand {
        buf: "in0",
        tile: "tile_a",
        width: "BM",
        first: "row0",
        limit: "M",
        index: "a_off + g * K + pk",
        along_k: true,
    };
    let a_t = Operand {
        index: "a_off + pk * M + g",
        along_k: false,
        ..a_k
    };
    let b_n = Operand {
        buf: "in1",
        tile: "tile_b",
        width: "BN",
        first: "col0",
        limit: "N",
        index: "b_off + pk * N + g",
        along_k: false,
    };
    let b_t = Operand {
        index: "b_off + g * K + pk",
        along_k: true,
        ..b_n
    };
    let (a, b) = match shape {
        MatmulShape::Nn => (a_k, b_n),
        MatmulShape::Tn => (a_t, b_n),
        MatmulShape::Nt => (a_k, b_t),
    };
    let elem = |v: bool| if v { "vec4<f32>" } else { "f32" };
    MATMUL
        .replace("TILE_T", "8u")
        .replace("ELEM_A", elem(vec_a))
        .replace("ELEM_B", elem(vec_b))
        .replace("TILE_A", &tile_load(&a, vec_a))
        .replace("TILE_B", &tile_load(&b, vec_b))
}
