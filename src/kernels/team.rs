//! A team of pool threads kept awake through a run of training steps, so that a split
//! product or element-wise pass is handed over in microseconds instead of a pool wake-up.
//!
//! Why: handing a job to rayon's pool from a thread outside it wakes a sleeping worker and
//! later wakes the caller again. In a browser each wake-up is an `Atomics.wait`/`notify`
//! round trip through the page's Web Workers, measured at 60–70 µs per split region with
//! the threads benchmark's threshold sweep (a 32³ product split over two threads ran at
//! 0.95 GFLOPS against 25 whole). A training step of 784-256-128-10 at batch 256 has a few
//! dozen split regions (products, their `B` packing, activations, optimiser updates), so
//! the hand-over alone held two threads to 1.4× of one.
//!
//! How: [`with_team`] runs a closure on the calling thread (the driver) while
//! `threads() − 1` pool threads (the servers) spin on a generation counter. A split region
//! posts one [`Job`] (a band count and a `Fn(band)`); the driver and the servers take band
//! numbers from one atomic counter until none is left, and the driver returns once every
//! server has let go of the job. Between regions the servers spin, so they are already
//! running when the next one is posted; a server idle for longer (the driver busy with
//! something that does not split) parks until the next job. When the closure returns the
//! servers go back to the pool.
//!
//! Determinism: a band is the same arithmetic whichever thread takes it, and bands never
//! share an output value, so results stay bit-identical at any thread count.
//!
//! Faults: on a native build a band that panics on a server is caught there and the driver
//! panics with it once every band is done. In the wasm build a panic aborts that Web Worker
//! (its panic hook reports it to the page); the driver then waits on that band for good and
//! the page restarts the engine from its last snapshot, as it does for a pool without a team.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::parallel;

/// One split region: `bands` calls of `run(band)`, each band taken once.
struct Job<'a> {
    run: &'a (dyn Fn(usize) + Sync),
    bands: usize,
    /// The next band number not yet taken.
    next: AtomicUsize,
    /// Set when a band panicked on a server (native builds, where a panic unwinds).
    panicked: AtomicBool,
}

/// A counter on its own cache line, so the servers' spinning reads do not slow the writes
/// of the counters beside it.
#[repr(align(64))]
struct Line(AtomicUsize);

/// Bumped once per posted job; the servers spin on it.
static POSTED: Line = Line(AtomicUsize::new(0));
/// Servers holding the posted job (taken under [`SLOT`]'s lock, so none can be taken after
/// the driver has cleared the slot and starts waiting for this to reach zero).
static HOLDERS: Line = Line(AtomicUsize::new(0));
/// The team now running (0 = none): a server stops when it changes.
static TEAM: Line = Line(AtomicUsize::new(0));
/// Team numbers handed out.
static TEAMS: AtomicUsize = AtomicUsize::new(0);
/// The posted job, type-erased (null between regions).
static SLOT: Mutex<SlotPtr> = Mutex::new(SlotPtr(std::ptr::null_mut()));
/// Who owns the team: one driver at a time (native tests train on many threads at once;
/// the others split through rayon as they would without a team).
static OWNED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// True on the thread that drives the running team.
    static DRIVING: Cell<bool> = const { Cell::new(false) };
}

struct SlotPtr(*mut Job<'static>);
// SAFETY: the pointer is only dereferenced by holders counted in HOLDERS, and the driver
// keeps the job alive until that count is back to zero.
unsafe impl Send for SlotPtr {}

/// True on the thread driving a team: its splits go to [`run_bands`].
pub fn driving() -> bool {
    DRIVING.with(Cell::get)
}

/// Runs `f` on this thread with a team of `parallel::threads() − 1` pool threads spinning
/// beside it, when `worth_it` (the caller's estimate that its work splits at all) and there
/// is more than one thread; otherwise runs `f` as it is. Nested calls run `f` in the team
/// already there.
pub fn with_team<R>(worth_it: bool, f: impl FnOnce() -> R) -> R {
    let threads = parallel::threads();
    if !worth_it || threads <= 1 || driving() || parallel::on_pool_thread() {
        return f();
    }
    if OWNED
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return f();
    }
    let team = TEAMS.fetch_add(1, Ordering::Relaxed) + 1;
    TEAM.0.store(team, Ordering::Release);
    DRIVING.with(|d| d.set(true));
    let _end = EndTeam;
    for _ in 1..threads {
        rayon::spawn(move || serve(team));
    }
    f()
}

/// Ends the team when its closure returns or unwinds.
struct EndTeam;

impl Drop for EndTeam {
    fn drop(&mut self) {
        DRIVING.with(|d| d.set(false));
        TEAM.0.store(0, Ordering::Release);
        wake_parked();
        OWNED.store(false, Ordering::Release);
    }
}

/// A server: spins on [`POSTED`] and works on each job while its team runs; parks after
/// [`SPINS_BEFORE_PARKING`] idle rounds (a long pause of the driver: a callback, a
/// metric over the whole set), so that it does not take a core from other work.
fn serve(team: usize) {
    let mut seen = POSTED.0.load(Ordering::Acquire);
    let mut idle = 0u32;
    while TEAM.0.load(Ordering::Acquire) == team {
        let now = POSTED.0.load(Ordering::Acquire);
        if now == seen {
            idle += 1;
            if idle < SPINS_BEFORE_PARKING {
                std::hint::spin_loop();
            } else {
                park_unless_posted(team, seen);
                idle = 0;
            }
            continue;
        }
        idle = 0;
        seen = now;
        let job = {
            let slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
            if slot.0.is_null() {
                continue;
            }
            HOLDERS.0.fetch_add(1, Ordering::AcqRel);
            slot.0
        };
        // SAFETY: counted in HOLDERS under the lock, so the driver has not returned from
        // `run_bands` and the job (on its stack) is alive until the fetch_sub below.
        let job = unsafe { &*job };
        take_bands(job, true);
        HOLDERS.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Idle rounds (an atomic load each, a few nanoseconds) a server spins before it parks:
/// about 0.1–0.5 ms, far longer than the gaps between a step's split regions (a few µs),
/// far shorter than a pause worth giving a core away for.
const SPINS_BEFORE_PARKING: u32 = 1 << 17;

/// Parked servers, woken by the next posted job or the team's end.
static PARKED: Mutex<Vec<std::thread::Thread>> = Mutex::new(Vec::new());
/// How many are in [`PARKED`]: the driver only takes its lock when this is not zero.
static PARKED_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Parks this server until a job is posted after `seen` or its team ends. It registers
/// before it checks again, and `unpark` before `park` returns at once, so a job posted in
/// between is not missed.
fn park_unless_posted(team: usize, seen: usize) {
    {
        let mut parked = PARKED.lock().unwrap_or_else(|e| e.into_inner());
        parked.push(std::thread::current());
        PARKED_COUNT.fetch_add(1, Ordering::AcqRel);
    }
    if POSTED.0.load(Ordering::Acquire) == seen && TEAM.0.load(Ordering::Acquire) == team {
        std::thread::park();
    }
    let me = std::thread::current().id();
    let mut parked = PARKED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = parked.iter().position(|t| t.id() == me) {
        parked.swap_remove(i);
        PARKED_COUNT.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Wakes every parked server (they take themselves off the list).
fn wake_parked() {
    if PARKED_COUNT.load(Ordering::Acquire) == 0 {
        return;
    }
    for t in PARKED.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        t.unpark();
    }
}

/// Takes band numbers from the job until none is left, running each.
fn take_bands(job: &Job<'_>, on_server: bool) {
    loop {
        let band = job.next.fetch_add(1, Ordering::AcqRel);
        if band >= job.bands {
            return;
        }
        if on_server {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(band)));
            if caught.is_err() {
                job.panicked.store(true, Ordering::Release);
            }
        } else {
            (job.run)(band);
        }
    }
}

/// Runs `run(0..bands)` over the team: the driver and the servers take bands from one
/// counter. Only on the driving thread (see [`driving`]).
pub fn run_bands(bands: usize, run: &(dyn Fn(usize) + Sync)) {
    let job = Job {
        run,
        bands,
        next: AtomicUsize::new(0),
        panicked: AtomicBool::new(false),
    };
    {
        let mut slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY (lifetime erased): `Withdraw` below clears the slot and waits for every
        // holder before `job` goes out of scope, on return and on unwind alike.
        slot.0 = (&job as *const Job<'_>).cast_mut().cast::<Job<'static>>();
    }
    POSTED.0.fetch_add(1, Ordering::AcqRel);
    wake_parked();
    let withdraw = Withdraw;
    take_bands(&job, false);
    drop(withdraw);
    if job.panicked.load(Ordering::Acquire) {
        panic!("a band of a split product panicked on a thread of the pool");
    }
}

/// Clears the posted job and waits until no server holds it.
struct Withdraw;

impl Drop for Withdraw {
    fn drop(&mut self) {
        SLOT.lock().unwrap_or_else(|e| e.into_inner()).0 = std::ptr::null_mut();
        while HOLDERS.0.load(Ordering::Acquire) != 0 {
            std::hint::spin_loop();
        }
    }
}
