//! How many threads the kernels may use, and the one way they split work: an output of
//! `rows × row_len` values cut into bands of whole rows, a few bands per thread.
//!
//! Each band is its own task of rayon's pool, so a thread that finishes early (or one that
//! the OS kept waiting) takes the bands the others have not started: a product is not held
//! up for a whole band by one slow thread, which is what equal halves did on a busy machine.
//!
//! Shape legend: `out` is row-major, `rows × row_len`; a band is rows `r0..r0+len` of it,
//! handed to the work function as `(r0, &mut out[r0·row_len..(r0+len)·row_len])`.
//!
//! Determinism: a band never splits a sum. Every output value is computed by the same
//! instructions in the same order whichever band (and thread) it falls in, so a run gives
//! bit-identical results with 1, 2 or 16 threads. Callers must make every choice that
//! changes the arithmetic (which kernel path, padding, blocking along `k`) from the whole
//! problem's shape before they split, never from a band's.
//!
//! Without the `threads` feature, or with one thread set, every call runs the work function
//! once on the whole output, on the calling thread.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Least work (multiply-adds) worth one band: below it, waking a pool thread and joining
/// it costs more than the band saves. Measured in headless Chromium on 2 loaded cores with
/// the threads benchmark's sweep (`node bench/browser.mjs --only threads`: square products
/// split whatever their size, 2 threads against 1): at 64³ (2.6·10⁵ multiply-adds) and below
/// splitting always lost, at 96³–128³ it went either way; so a band gets at least 2¹⁹ and
/// products from about 10⁶ split. The playground's batch-10 products (at most 80) stay whole.
pub const MIN_BAND_WORK: usize = 1 << 19;

/// Bands per thread a large output is cut into: enough that a thread that lost its core for
/// a while holds up at most a quarter of its share, few enough that each band's own packing
/// of `A` and the pool's hand-over stay small against its multiply-adds.
pub const BANDS_PER_THREAD: usize = 4;

/// The band threshold in force: [`MIN_BAND_WORK`] unless a benchmark moved it.
static BAND_WORK: AtomicUsize = AtomicUsize::new(MIN_BAND_WORK);

/// Sets the least work of one band (0 restores [`MIN_BAND_WORK`]); for the benchmark that
/// measures where splitting starts to pay, not for tuning results, which never change.
pub fn set_min_band_work(work: usize) {
    let w = if work == 0 { MIN_BAND_WORK } else { work };
    BAND_WORK.store(w, Ordering::Relaxed);
}

/// Whether [`with_team`] keeps the pool awake (the default); off, every split region wakes
/// the pool as it did before teams, which the threads benchmark measures beside it.
static TEAM_ON: AtomicBool = AtomicBool::new(true);

/// Turns the awake team of [`with_team`] on or off (for the benchmark's paired rows;
/// results never change, only the hand-over).
pub fn set_team(on: bool) {
    TEAM_ON.store(on, Ordering::Relaxed);
}

/// The thread count asked for; 0 means every thread of the pool.
static WANTED: AtomicUsize = AtomicUsize::new(0);
/// Set when a thread of the pool panicked: it is gone, and work handed to the pool might
/// never finish, so every later call stays on the calling thread.
static POOL_FAILED: AtomicBool = AtomicBool::new(false);
/// Set by [`crash_next_pool_band_for_test`]: the next band run on a pool thread panics.
static CRASH_NEXT_BAND: AtomicBool = AtomicBool::new(false);
/// Set by [`hang_next_pool_band_for_test`]: the next band run on a pool thread never ends.
static HANG_NEXT_BAND: AtomicBool = AtomicBool::new(false);
/// Threads in the pool; 0 until a pool exists (wasm: until the page has started one).
static POOL: AtomicUsize = AtomicUsize::new(0);

/// Threads the pool has: natively rayon's global pool (the `threads` feature), on wasm32
/// the Web Workers the page started, and 1 without the feature.
pub fn available() -> usize {
    #[cfg(all(feature = "threads", not(target_arch = "wasm32")))]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(all(feature = "threads", not(target_arch = "wasm32"))))]
    {
        POOL.load(Ordering::Relaxed).max(1)
    }
}

/// Records that a pool of `n` threads is running (the wasm build calls this once its Web
/// Workers are up; before that every call stays on the calling thread, because rayon would
/// otherwise try to spawn threads, which wasm32 cannot).
pub fn pool_started(n: usize) {
    POOL.store(n, Ordering::Relaxed);
}

/// Asks for `n` threads (0 = all the pool has) and returns how many the kernels will use:
/// `n` clamped to `1..=available()`.
pub fn set_threads(n: usize) -> usize {
    WANTED.store(n, Ordering::Relaxed);
    threads()
}

/// Records that a thread of the pool stopped (the panic hook calls this on a pool thread).
pub fn mark_pool_failed() {
    POOL_FAILED.store(true, Ordering::Relaxed);
}

/// Test hook: the next band that runs on a thread of the pool panics there, in the middle of
/// a split product (fault injection for the page's recovery from a pool thread that dies
/// while the engine's thread waits for its band).
pub fn crash_next_pool_band_for_test() {
    CRASH_NEXT_BAND.store(true, Ordering::Relaxed);
}

/// Test hook: the next band that runs on a thread of the pool never ends and says nothing
/// (a thread that stops without a panic, which no panic hook reports: the page's watchdog
/// must notice the silent engine).
pub fn hang_next_pool_band_for_test() {
    HANG_NEXT_BAND.store(true, Ordering::Relaxed);
}

/// The fault points of [`crash_next_pool_band_for_test`] and
/// [`hang_next_pool_band_for_test`], at the start of every band.
#[cfg(feature = "threads")]
#[inline(always)]
fn band_fault_point() {
    if CRASH_NEXT_BAND.load(Ordering::Relaxed)
        && inside_pool()
        && CRASH_NEXT_BAND.swap(false, Ordering::Relaxed)
    {
        panic!("a thread of the pool stopped in the middle of a band (forced by a test)");
    }
    if HANG_NEXT_BAND.load(Ordering::Relaxed)
        && inside_pool()
        && HANG_NEXT_BAND.swap(false, Ordering::Relaxed)
    {
        loop {
            std::hint::spin_loop();
        }
    }
}

/// True once a thread of the pool stopped; [`threads`] answers 1 from then on.
pub fn pool_failed() -> bool {
    POOL_FAILED.load(Ordering::Relaxed)
}

/// True on a thread of the pool (natively, or a Web Worker of the wasm pool).
pub fn on_pool_thread() -> bool {
    inside_pool()
}

/// Threads the kernels use now: at least 1, at most [`available`].
pub fn threads() -> usize {
    if pool_failed() {
        return 1;
    }
    let pool = available();
    match WANTED.load(Ordering::Relaxed) {
        0 => pool,
        n => n.min(pool),
    }
}

/// Inside an awake team a band is handed over through one atomic counter (about a
/// microsecond) instead of a pool wake-up (60–70 µs in a browser), so it pays from this
/// much less work: the element-wise passes and optimiser updates of a 256-row batch split
/// too.
pub const TEAM_BAND_DIVISOR: usize = 8;

/// The least work of one band now: [`MIN_BAND_WORK`] (or the benchmark's setting), divided
/// by [`TEAM_BAND_DIVISOR`] on a thread driving an awake team.
fn band_work() -> usize {
    let work = BAND_WORK.load(Ordering::Relaxed);
    if in_team() {
        work / TEAM_BAND_DIVISOR
    } else {
        work
    }
}

/// How many bands [`row_bands`] cuts `rows` rows (in steps of `align`) of `work` total work
/// into: [`BANDS_PER_THREAD`] per thread, fewer where a band would get less than
/// [`MIN_BAND_WORK`].
pub fn band_count(rows: usize, align: usize, work: usize) -> usize {
    let t = threads();
    if t <= 1 || inside_pool() {
        return 1;
    }
    (t * BANDS_PER_THREAD)
        .min(work / band_work().max(1))
        .min(rows.div_ceil(align.max(1)))
        .max(1)
}

/// Runs `f(r0, band)` on bands of whole rows of `out` (`row_len` values a row), whose first
/// rows are multiples of `align`, in parallel where [`band_count`] says it pays. `work` is
/// the whole output's cost in multiply-adds.
pub fn row_bands<T, F>(out: &mut [T], row_len: usize, align: usize, work: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    if row_len == 0 || out.is_empty() {
        return f(0, out);
    }
    let rows = out.len() / row_len;
    let bands = band_count(rows, align, work);
    if bands <= 1 {
        return f(0, out);
    }
    let align = align.max(1);
    let per = rows.div_ceil(bands).div_ceil(align) * align;
    split(out, per * row_len, per, f)
}

/// [`row_bands`] over two outputs of the same shape cut at the same rows:
/// `f(r0, a_band, b_band)`.
pub fn row_bands2<T, F>(a: &mut [T], b: &mut [T], row_len: usize, work: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T], &mut [T]) + Sync,
{
    assert_eq!(a.len(), b.len(), "banded outputs differ in length");
    if row_len == 0 || a.is_empty() {
        return f(0, a, b);
    }
    let rows = a.len() / row_len;
    let bands = band_count(rows, 1, work);
    if bands <= 1 {
        return f(0, a, b);
    }
    let per = rows.div_ceil(bands);
    split2(a, b, per * row_len, per, f)
}

/// Element-wise work over three outputs and one input of the same length, cut at the same
/// points: `f(a_band, b_band, c_band, d_band)`; `work` is the whole job's cost.
pub fn bands4<F>(a: &mut [f32], b: &mut [f32], c: &mut [f32], d: &[f32], work: usize, f: F)
where
    F: Fn(&mut [f32], &mut [f32], &mut [f32], &[f32]) + Sync,
{
    let len = a.len();
    assert!(
        b.len() == len && c.len() == len && d.len() == len,
        "banded slices differ in length"
    );
    let bands = band_count(len, 1, work);
    if bands <= 1 {
        return f(a, b, c, d);
    }
    split4(a, b, c, d, len.div_ceil(bands), f)
}

#[cfg(feature = "threads")]
fn split4<F>(a: &mut [f32], b: &mut [f32], c: &mut [f32], d: &[f32], chunk: usize, f: F)
where
    F: Fn(&mut [f32], &mut [f32], &mut [f32], &[f32]) + Sync,
{
    use rayon::prelude::*;
    if super::team::driving() {
        let (pa, pb, pc) = (
            Bands::new(a, chunk),
            Bands::new(b, chunk),
            Bands::new(c, chunk),
        );
        let pd = Bands::new_shared(d, chunk);
        // SAFETY: each band number is run once (see `Bands::band`).
        return super::team::run_bands(pa.count, &|i| unsafe {
            band_fault_point();
            f(pa.band(i), pb.band(i), pc.band(i), pd.band(i))
        });
    }
    a.par_chunks_mut(chunk)
        .zip(b.par_chunks_mut(chunk))
        .zip(c.par_chunks_mut(chunk))
        .zip(d.par_chunks(chunk))
        .with_max_len(1)
        .for_each(|(((x, y), z), w)| {
            band_fault_point();
            f(x, y, z, w)
        });
}

/// A slice seen as its `chunk`-long bands by number, so that the team's threads can each
/// take band `i` without a shared iterator (the last band may be shorter).
#[cfg(feature = "threads")]
struct Bands<T> {
    ptr: *mut T,
    len: usize,
    chunk: usize,
    count: usize,
}

// SAFETY: `Bands` hands out disjoint bands of a slice whose elements may move between
// threads (`T: Send`); each band number is taken once per job (the team's counter).
#[cfg(feature = "threads")]
unsafe impl<T: Send> Sync for Bands<T> {}

#[cfg(feature = "threads")]
impl<T> Bands<T> {
    fn new(s: &mut [T], chunk: usize) -> Self {
        let chunk = chunk.max(1);
        Bands {
            ptr: s.as_mut_ptr(),
            len: s.len(),
            chunk,
            count: s.len().div_ceil(chunk),
        }
    }

    /// Read-only bands of a shared slice (only ever handed out as `&[T]` through
    /// [`Bands::band`] taken as shared).
    fn new_shared(s: &[T], chunk: usize) -> Self {
        let chunk = chunk.max(1);
        Bands {
            ptr: s.as_ptr().cast_mut(),
            len: s.len(),
            chunk,
            count: s.len().div_ceil(chunk),
        }
    }

    /// Band `i`: elements `i·chunk .. min((i+1)·chunk, len)`.
    ///
    /// # Safety
    /// `i < count`, each `i` at most once while the slice is borrowed, and a band of a
    /// slice made by [`Bands::new_shared`] only read.
    #[allow(clippy::mut_from_ref)]
    unsafe fn band<'a>(&self, i: usize) -> &'a mut [T] {
        let start = i * self.chunk;
        let len = self.chunk.min(self.len - start);
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }
}

#[cfg(not(feature = "threads"))]
fn split4<F>(a: &mut [f32], b: &mut [f32], c: &mut [f32], d: &[f32], chunk: usize, f: F)
where
    F: Fn(&mut [f32], &mut [f32], &mut [f32], &[f32]) + Sync,
{
    let parts = a.chunks_mut(chunk).zip(b.chunks_mut(chunk));
    for ((x, y), (z, w)) in parts.zip(c.chunks_mut(chunk).zip(d.chunks(chunk))) {
        f(x, y, z, w);
    }
}

#[cfg(feature = "threads")]
fn split2<T: Send, F: Fn(usize, &mut [T], &mut [T]) + Sync>(
    a: &mut [T],
    b: &mut [T],
    chunk: usize,
    per: usize,
    f: F,
) {
    use rayon::prelude::*;
    if super::team::driving() {
        let (pa, pb) = (Bands::new(a, chunk), Bands::new(b, chunk));
        // SAFETY: each band number is run once (see `Bands::band`).
        return super::team::run_bands(pa.count, &|i| unsafe {
            band_fault_point();
            f(i * per, pa.band(i), pb.band(i))
        });
    }
    // One task a band (`with_max_len(1)`), so idle threads can take any band not started.
    a.par_chunks_mut(chunk)
        .zip(b.par_chunks_mut(chunk))
        .enumerate()
        .with_max_len(1)
        .for_each(|(i, (x, y))| {
            band_fault_point();
            f(i * per, x, y)
        });
}

#[cfg(not(feature = "threads"))]
fn split2<T: Send, F: Fn(usize, &mut [T], &mut [T]) + Sync>(
    a: &mut [T],
    b: &mut [T],
    chunk: usize,
    per: usize,
    f: F,
) {
    for (i, (x, y)) in a.chunks_mut(chunk).zip(b.chunks_mut(chunk)).enumerate() {
        f(i * per, x, y);
    }
}

#[cfg(feature = "threads")]
fn split<T: Send, F: Fn(usize, &mut [T]) + Sync>(out: &mut [T], chunk: usize, per: usize, f: F) {
    use rayon::prelude::*;
    if super::team::driving() {
        let bands = Bands::new(out, chunk);
        // SAFETY: each band number is run once (see `Bands::band`).
        return super::team::run_bands(bands.count, &|i| unsafe {
            band_fault_point();
            f(i * per, bands.band(i))
        });
    }
    // One task a band (`with_max_len(1)`), so idle threads can take any band not started.
    out.par_chunks_mut(chunk)
        .enumerate()
        .with_max_len(1)
        .for_each(|(i, band)| {
            band_fault_point();
            f(i * per, band)
        });
}

#[cfg(not(feature = "threads"))]
fn split<T: Send, F: Fn(usize, &mut [T]) + Sync>(out: &mut [T], chunk: usize, per: usize, f: F) {
    // `threads()` is 1 without the feature, so `row_bands` never gets here; kept exact anyway.
    for (i, band) in out.chunks_mut(chunk).enumerate() {
        f(i * per, band);
    }
}

/// Whether steps of `work_per_step` multiply-adds each are worth an awake team: two bands'
/// worth at least (the same rule in every build, so a single-thread build can tell whether
/// the threads build would split the work at all).
pub fn team_pays(work_per_step: usize) -> bool {
    work_per_step >= 2 * BAND_WORK.load(Ordering::Relaxed)
}

/// Runs `f` with the pool's threads kept awake beside this one (see `team.rs`) when
/// `work_per_step` multiply-adds (the caller's estimate of one step) would split at all;
/// a plain call of `f` without the `threads` feature, with one thread, or for small work.
/// Training wraps a run of steps in it, so that each split region is handed over in
/// microseconds rather than a pool wake-up.
pub fn with_team<R>(work_per_step: usize, f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "threads")]
    {
        let worth_it = TEAM_ON.load(Ordering::Relaxed) && team_pays(work_per_step);
        super::team::with_team(worth_it, f)
    }
    #[cfg(not(feature = "threads"))]
    {
        let _ = work_per_step;
        f()
    }
}

/// True on a thread driving a team of [`with_team`]: its splits go to the awake team.
pub fn in_team() -> bool {
    #[cfg(feature = "threads")]
    {
        super::team::driving()
    }
    #[cfg(not(feature = "threads"))]
    {
        false
    }
}

/// True on a thread of the pool: work already split stays on its thread (no nested bands,
/// which would only queue behind the outer ones).
fn inside_pool() -> bool {
    #[cfg(feature = "threads")]
    {
        rayon::current_thread_index().is_some()
    }
    #[cfg(not(feature = "threads"))]
    {
        false
    }
}
