//! The cache-blocked, packed GEMM driver shared by every fast micro-kernel.
//!
//! Shape legend: `A: m×k` (logical), `B: k×n` (logical), `C: m×n` row-major. The three
//! products differ only in how the logical `A` and `B` sit in memory, which [`Operand`]
//! describes with two strides; packing copies both into the one layout the micro-kernel
//! reads, so NN, TN and NT all run the same inner loop at the same speed.
//!
//! Loop nest (BLIS order): `jc` over `n` by `NC`, `pc` over `k` by `KC` (pack a `KC×NC`
//! block of `B` into `NR`-wide strips), `ic` over `m` by `MC` (pack an `MC×KC` block of `A`
//! into `MR`-tall slivers), then the `MR×NR` tiles. A `KC×NR` strip of `B` (8 KiB at
//! `KC = 256`, `NR = 8`) stays in L1 while the `A` block streams from L2.

use super::{parallel, Layout};
use std::cell::Cell;

/// Depth of one packed block: a `KC×NR` strip of `B` plus an `MR×KC` sliver of `A` fit in L1.
const KC: usize = 256;
/// Rows of `A` packed at once (`MC×KC` floats, 64 KiB, sized for L2).
const MC: usize = 64;
/// Columns of `B` packed at once; bounds the packing buffer at `KC×NC` floats (1 MiB).
const NC: usize = 1024;
/// Products with at most this many multiply-adds skip packing: for the playground's tiny
/// layers (batch 10, widths 2–8) copying panels would cost more than the arithmetic.
pub(crate) const SMALL_WORK: usize = 4096;
/// Products with an inner dimension or a column count at most this take the unpacked path
/// at any size.
pub(crate) const SKINNY: usize = 8;

/// A logical matrix `X` stored as `X[r][c] = data[r·rs + c·cs]`.
#[derive(Clone, Copy)]
pub(crate) struct Operand<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

/// An `MR×NR` register tile: `C_tile (+)= Ap·Bp`.
pub(crate) trait MicroKernel {
    const MR: usize;
    const NR: usize;

    /// `C[i][j] (+)= Σ_p ap[p·MR + i] · bp[p·NR + j]` for `i < mr`, `j < nr`, where `C[i][j]`
    /// is `c[i·ldc + j]`. `ap` holds `kc·MR` floats, `bp` holds `kc·NR` floats; rows and
    /// columns past `mr`/`nr` are zero padding and are neither read from nor written to `c`.
    ///
    /// # Safety
    /// `ap`/`bp` must be valid for those reads and `c` for `mr` rows of `nr` floats at
    /// stride `ldc`; `mr ≤ MR`, `nr ≤ NR`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
        accumulate: bool,
    );
}

// Reusable packing buffers, one of each per thread: grown on first use, never shrunk, so
// steady-state training steps do not allocate. `B` is packed once per product into the
// calling thread's buffer and read by every band; each band packs its own rows of `A` into
// the buffer of the thread it runs on. A product takes a buffer out while it runs (and puts
// it back after), so a nested or re-entrant product can never find it borrowed — it would
// only allocate its own.
thread_local! {
    static PACK_A: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    static PACK_B: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

fn with_pack<R>(
    which: &'static std::thread::LocalKey<Cell<Vec<f32>>>,
    f: impl FnOnce(&mut Vec<f32>) -> R,
) -> R {
    let mut buf = which.with(Cell::take);
    let r = f(&mut buf);
    which.with(|cell| cell.set(buf));
    r
}

impl<'a> Operand<'a> {
    /// The same matrix from logical row `i0` on.
    fn rows_from(self, i0: usize) -> Self {
        Operand {
            data: &self.data[i0 * self.rs..],
            ..self
        }
    }
}

/// `C (+)= A·B` with `A` (m×k) and `B` (k×n) given as strided operands; `C` is m×n with
/// row stride `n`. The caller has checked that every index lies inside the slices.
///
/// Large products are cut into bands of rows of `C` run on the thread pool (see
/// [`super::parallel`]); which path runs (unpacked or packed) is chosen from the whole
/// shape first, so every element gets the same arithmetic at any thread count.
pub(crate) fn gemm<K: MicroKernel>(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    assert!(c.len() >= m * n, "gemm output too small");
    let c = &mut c[..m * n];
    let work = m.saturating_mul(k).saturating_mul(n);
    // Skinny products (the playground's 2-input and 1-output layers at any batch or grid
    // size) also skip packing: with k ≤ 8 or n ≤ 8 a packed panel is mostly padding and
    // copies, while the row kernels below keep every output of a row in registers.
    let skinny = k <= SKINNY || n <= SKINNY;
    if skinny || work <= SMALL_WORK {
        if b.cs != 1 && m >= 4 && n >= 4 {
            // NT with several rows: transpose B once (k·n ≤ 1024 floats here) so every row
            // takes the register row-block path instead of n short dot products.
            return with_pack(&PACK_B, |bt| {
                grow(bt, k * n);
                for (p, row) in bt.chunks_exact_mut(n).take(k).enumerate() {
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = b.data[p * b.rs + j * b.cs];
                    }
                }
                let bt = Operand {
                    data: &bt[..k * n],
                    rs: n,
                    cs: 1,
                };
                parallel::row_bands(c, n, 4, work, |i0, band| {
                    small(k, n, a.rows_from(i0), bt, band, accumulate)
                })
            });
        }
        return parallel::row_bands(c, n, 4, work, |i0, band| {
            small(k, n, a.rows_from(i0), b, band, accumulate)
        });
    }
    for jc in (0..n).step_by(NC) {
        packed_columns::<K>(m, k, n, jc, a, b, c, accumulate);
    }
}

/// Cost of packing one float of `B`, in multiply-adds of the micro-kernel, for the band
/// threshold: in a native profile of training (b) at one thread, packing took about a tenth
/// of the GEMM's time while moving about 1/160 as many floats as it did multiply-adds, so a
/// float costs about 16. The 784×256 weights of training (b) (2·10⁵ floats) then pack in
/// several bands instead of on the calling thread alone, while the pool waits.
const PACK_WORK: usize = 16;

/// Columns `jc..jc+NC` of `C (+)= A·B` through the packed BLIS loop nest. `B`'s columns
/// there are packed once, whole depth, as `NR`-wide strips (strip `s` holds
/// `bp[s·k·NR + p·NR + j] = B[p][jc+s·NR+j]`, so a `KC`-deep piece of it is contiguous);
/// then bands of rows of `C` run the `pc`, `ic` and tile loops on it, each packing its own
/// rows of `A`. Both steps split over the pool; a tile's sum runs over `pc` in order in
/// whichever band, so the result does not depend on the cut.
#[allow(clippy::too_many_arguments)]
fn packed_columns<K: MicroKernel>(
    m: usize,
    k: usize,
    n: usize,
    jc: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accumulate: bool,
) {
    let nc = NC.min(n - jc);
    let strips = nc.div_ceil(K::NR);
    with_pack(&PACK_B, |bp| {
        grow(bp, k * strips * K::NR);
        let bp = &mut bp[..k * strips * K::NR];
        parallel::row_bands(bp, k * K::NR, 1, k * nc * PACK_WORK, |s0, part| {
            for (s, strip) in part.chunks_exact_mut(k * K::NR).enumerate() {
                let j0 = (s0 + s) * K::NR;
                pack_b::<K>(b, 0, k, jc + j0, K::NR.min(nc - j0), strip);
            }
        });
        let bp = &*bp;
        parallel::row_bands(c, n, K::MR, m * k * nc, |i0, band| {
            packed_rows::<K>(k, n, jc, nc, a.rows_from(i0), bp, band, accumulate)
        });
    })
}

/// Rows of `C` (a band, row stride `n`) over columns `jc..jc+nc`, from `B` packed by
/// [`packed_columns`], on the calling thread.
#[allow(clippy::too_many_arguments)]
fn packed_rows<K: MicroKernel>(
    k: usize,
    n: usize,
    jc: usize,
    nc: usize,
    a: Operand<'_>,
    bp: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let m = c.len() / n;
    with_pack(&PACK_A, |ap| {
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            let acc = accumulate || pc > 0;
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                grow(ap, kc * mc.div_ceil(K::MR) * K::MR);
                pack_a::<K>(a, ic, mc, pc, kc, ap);
                for jr in (0..nc).step_by(K::NR) {
                    let nr = K::NR.min(nc - jr);
                    let strip = jr / K::NR * k * K::NR;
                    let bs = &bp[strip + pc * K::NR..strip + (pc + kc) * K::NR];
                    for ir in (0..mc).step_by(K::MR) {
                        let mr = K::MR.min(mc - ir);
                        let as_ = &ap[ir * kc..(ir + K::MR) * kc];
                        let off = (ic + ir) * n + jc + jr;
                        // The last touched element of C is (mr-1)·n + nr-1 past `off`.
                        let tile = &mut c[off..off + (mr - 1) * n + nr];
                        // SAFETY: `as_`/`bs` hold exactly kc·MR / kc·NR floats and `tile`
                        // covers mr rows of nr floats at stride n.
                        unsafe {
                            K::run(
                                kc,
                                as_.as_ptr(),
                                bs.as_ptr(),
                                tile.as_mut_ptr(),
                                n,
                                mr,
                                nr,
                                acc,
                            )
                        };
                    }
                }
            }
        }
    })
}

/// The unpacked path for tiny and skinny products. With contiguous rows of `B` (NN, TN) it
/// keeps 8, 4 or 1 outputs of four rows in registers while walking `p`, which vectorises
/// over `j` and overlaps four rows' add chains; with `B` stored
/// transposed (NT) both operands are contiguous along `p`, so it takes row·row dot
/// products. Leftover columns get plain dot products.
fn small(k: usize, n: usize, a: Operand<'_>, b: Operand<'_>, c: &mut [f32], accumulate: bool) {
    let m = c.len() / n;
    // One check for the whole product (m, k, n ≥ 1 here), so the inner loops index the
    // operands without per-element bounds checks.
    assert!(
        (m - 1) * a.rs + (k - 1) * a.cs < a.data.len()
            && (k - 1) * b.rs + (n - 1) * b.cs < b.data.len(),
        "gemm operand too small"
    );
    // SAFETY (both closures): every (i, p, j) the loops below pass lies inside the shapes
    // just checked.
    let at = |i: usize, p: usize| unsafe { *a.data.get_unchecked(i * a.rs + p * a.cs) };
    let bt = |p: usize, j: usize| unsafe { *b.data.get_unchecked(p * b.rs + j * b.cs) };
    let store = |x: &mut f32, s: f32| *x = if accumulate { *x + s } else { s };
    if b.cs == 1 {
        // Four rows at a time give four independent multiply-add chains per output column,
        // so the loop is not bound by the add latency; each output still sums in `p` order
        // (training is chaotic enough that reordering a sum changes where a run ends up).
        let m4 = m / 4 * 4;
        for i in (0..m4).step_by(4) {
            row_blocks::<4>(k, n, i, a, b, c, accumulate);
        }
        for i in m4..m {
            row_blocks::<1>(k, n, i, a, b, c, accumulate);
        }
    } else if a.cs == 1 && b.rs == 1 {
        // NT: rows of A and of the stored B are both contiguous along p.
        for (i, crow) in c.chunks_exact_mut(n).enumerate() {
            let arow = &a.data[i * a.rs..i * a.rs + k];
            for (j, x) in crow.iter_mut().enumerate() {
                store(x, dot(arow, &b.data[j * b.cs..j * b.cs + k]));
            }
        }
    } else {
        for (i, crow) in c.chunks_exact_mut(n).enumerate() {
            for (j, x) in crow.iter_mut().enumerate() {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += at(i, p) * bt(p, j);
                }
                store(x, s);
            }
        }
    }
}

/// Rows `i..i+R` of `C` (`n` columns, contiguous rows of `B`): column blocks of 8 and 4,
/// then single columns.
#[inline(always)]
fn row_blocks<const R: usize>(
    k: usize,
    n: usize,
    i: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accumulate: bool,
) {
    let mut j = 0;
    while j + 8 <= n {
        row_block::<R, 8>(k, n, i, j, a, b, c, accumulate);
        j += 8;
    }
    if j + 4 <= n {
        row_block::<R, 4>(k, n, i, j, a, b, c, accumulate);
        j += 4;
    }
    while j < n {
        row_block::<R, 1>(k, n, i, j, a, b, c, accumulate);
        j += 1;
    }
}

/// `C[i+r][j..j+W] (+)= Σ_p A[i+r][p]·B[p][j..j+W]` for `r < R`, with the `R×W` sums held
/// in registers for the whole `p` loop (one vector multiply-add per four lanes per step);
/// `B` rows must be contiguous and the caller has checked that every `A[i+r][p]` and
/// `B[p][j..j+W]` is inside, and that `C` holds rows `i..i+R` of `n ≥ j + W` floats.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn row_block<const R: usize, const W: usize>(
    k: usize,
    n: usize,
    i: usize,
    j: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accumulate: bool,
) {
    debug_assert!((k - 1) * b.rs + j + W <= b.data.len() && (i + R) * n <= c.len());
    let mut acc = [[0.0f32; W]; R];
    let (ap, bp) = (a.data.as_ptr(), b.data.as_ptr());
    for p in 0..k {
        // SAFETY: `small` checked the extent of both operands; `j + W ≤ n`, `i + R ≤ m`.
        let brow = unsafe { &*(bp.add(p * b.rs + j) as *const [f32; W]) };
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // SAFETY: as above.
            let air = unsafe { *ap.add((i + r) * a.rs + p * a.cs) };
            for (s, &y) in acc_r.iter_mut().zip(brow) {
                *s += air * y;
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        let start = (i + r) * n + j;
        let out: &mut [f32; W] = (&mut c[start..start + W]).try_into().expect("W floats");
        if accumulate {
            out.iter_mut().zip(acc_r).for_each(|(o, s)| *o += s);
        } else {
            *out = *acc_r;
        }
    }
}

/// `Σ x_p·y_p` over equal-length slices, in four interleaved partial sums so that LLVM
/// turns the loop into one vector multiply-add per four elements.
#[inline(always)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: f32 = xc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (xs, ys) in xc.zip(yc) {
        for l in 0..4 {
            acc[l] += xs[l] * ys[l];
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail
}

/// Writes the valid `mr×nr` corner of a row-major `MR×NR` register tile to `C`.
///
/// # Safety
/// `c` must be valid for `mr` rows of `nr` floats at stride `ldc`, `tile` must hold
/// `MR·NR` floats.
#[inline(always)]
pub(crate) unsafe fn store_edge<K: MicroKernel>(
    tile: &[f32],
    c: *mut f32,
    ldc: usize,
    mr: usize,
    nr: usize,
    accumulate: bool,
) {
    // Fixed-length loops with guards, not copies of run-time length, which LLVM would
    // turn into `memory.copy` calls costing more than these few stores.
    for (i, row) in tile.chunks_exact(K::NR).enumerate().take(K::MR) {
        for (j, &v) in row.iter().enumerate() {
            if i < mr && j < nr {
                // SAFETY: i < mr and j < nr lie inside the caller's tile.
                unsafe {
                    let d = c.add(i * ldc + j);
                    *d = if accumulate { *d + v } else { v };
                }
            }
        }
    }
}

/// `dst[j] = src[j]`, zero past `src.len()`. `dst` is one tile row (`MR` or `NR` long, a
/// constant after monomorphisation), so this unrolls into selects; `copy_from_slice` with
/// a run-time length would become a `memory.copy` call, which costs more than the copy.
#[inline(always)]
fn copy_padded(dst: &mut [f32], src: &[f32]) {
    for (j, d) in dst.iter_mut().enumerate() {
        *d = src.get(j).copied().unwrap_or(0.0);
    }
}

fn grow(v: &mut Vec<f32>, len: usize) {
    if v.len() < len {
        v.resize(len, 0.0);
    }
}

/// Packs `B[pc..pc+kc][jc..jc+nc]` as `NR`-wide strips: strip `s` holds
/// `dst[s·kc·NR + p·NR + j] = B[pc+p][jc+s·NR+j]`, zero past column `nc`.
fn pack_b<K: MicroKernel>(
    b: Operand<'_>,
    pc: usize,
    kc: usize,
    jc: usize,
    nc: usize,
    dst: &mut [f32],
) {
    // Lines are B's columns; the depth runs down its rows.
    pack_strips(b.data, b.cs, b.rs, jc, nc, pc, kc, K::NR, dst);
}

/// Packs `A[ic..ic+mc][pc..pc+kc]` as `MR`-tall slivers: sliver `t` holds
/// `dst[t·kc·MR + p·MR + i] = A[ic+t·MR+i][pc+p]`, zero past row `mc`.
fn pack_a<K: MicroKernel>(
    a: Operand<'_>,
    ic: usize,
    mc: usize,
    pc: usize,
    kc: usize,
    dst: &mut [f32],
) {
    // Lines are A's rows; the depth runs along its columns.
    pack_strips(a.data, a.rs, a.cs, ic, mc, pc, kc, K::MR, dst);
}

/// The packing both operands share. A "line" is an index along the strip axis (stride
/// `line_stride`), the depth the summation axis (stride `depth_stride`). Lines
/// `start..start+len`, depths `d0..d0+kc` go into `width`-wide strips:
/// `dst[s·kc·width + p·width + j] = X[line start+s·width+j][depth d0+p]`, zero past `len`.
#[allow(clippy::too_many_arguments)]
fn pack_strips(
    data: &[f32],
    line_stride: usize,
    depth_stride: usize,
    start: usize,
    len: usize,
    d0: usize,
    kc: usize,
    width: usize,
    dst: &mut [f32],
) {
    for (s, strip) in dst
        .chunks_exact_mut(kc * width)
        .take(len.div_ceil(width))
        .enumerate()
    {
        let l0 = start + s * width;
        let w = width.min(start + len - l0);
        if line_stride == 1 {
            // Lines are contiguous within one depth (B in NN/TN, A in TN): copy pieces.
            for (p, piece) in strip.chunks_exact_mut(width).enumerate() {
                let src = (d0 + p) * depth_stride + l0;
                copy_padded(piece, &data[src..src + w]);
            }
        } else {
            // Depths are contiguous within one line: transpose while packing.
            for j in 0..width {
                if j < w {
                    let line = &data[(l0 + j) * line_stride + d0 * depth_stride..];
                    for p in 0..kc {
                        strip[p * width + j] = line[p * depth_stride];
                    }
                } else {
                    for p in 0..kc {
                        strip[p * width + j] = 0.0;
                    }
                }
            }
        }
    }
}

/// `C (+)= op(A)·op(B)` with the operands stored as `layout` says: the slices' lengths
/// checked (a panic when short), the layout's strides, then [`gemm`].
#[allow(clippy::too_many_arguments)] // the product's shape, operands and mode, no fewer
pub(crate) fn gemm_in<K: MicroKernel>(
    layout: Layout,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    super::check(m, k, n, a, b, c);
    let ((ars, acs), (brs, bcs)) = layout.strides(m, k, n);
    let a = Operand {
        data: a,
        rs: ars,
        cs: acs,
    };
    let b = Operand {
        data: b,
        rs: brs,
        cs: bcs,
    };
    gemm::<K>(m, k, n, a, b, c, accumulate)
}
