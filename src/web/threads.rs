//! The thread pool seen from JS: which build this is, starting the pool of Web Workers (the
//! threads build only), and how many threads the kernels use.

use wasm_bindgen::prelude::*;

use super::WebSession;
use crate::kernels::parallel;

/// `initThreadPool(n)`: starts `n` Web Workers sharing this module's memory; resolves once
/// they run. Only in the threads build (`pkg-threads/`), and only in a cross-origin isolated
/// page, where `SharedArrayBuffer` exists.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// True in the threads build: it can start a pool with `initThreadPool`.
#[wasm_bindgen(js_name = threadsBuild)]
pub fn threads_build() -> bool {
    cfg!(feature = "threads")
}

/// Tells the kernels that `initThreadPool(n)` has resolved, so they may split work over
/// `n` threads; returns the threads in use. Until then (and always in the single-thread
/// builds, where this answers 1) every product runs on the calling thread.
#[wasm_bindgen(js_name = poolStarted)]
pub fn pool_started(n: u32) -> u32 {
    if cfg!(feature = "threads") {
        parallel::pool_started(n as usize);
    }
    parallel::threads() as u32
}

/// Uses `n` threads of the pool from now on (0 = all of them, clamped to the pool's size);
/// returns the threads in use. Results are bit-identical at any count.
#[wasm_bindgen(js_name = setThreads)]
pub fn set_threads(n: u32) -> u32 {
    parallel::set_threads(n as usize) as u32
}

/// Threads the kernels use now (1 without a pool).
#[wasm_bindgen(js_name = threadsInUse)]
pub fn threads_in_use() -> u32 {
    parallel::threads() as u32
}

/// Sets the least multiply-adds worth a band of work on another thread (0 = the built-in
/// threshold); the threads benchmark sweeps it to measure where splitting pays.
#[wasm_bindgen(js_name = setMinBandWork)]
pub fn set_min_band_work(work: u32) {
    parallel::set_min_band_work(work as usize);
}

/// Keeps the pool awake through a run of training steps (`true`, the default) or wakes it
/// for every split product (`false`); the threads benchmark times both, paired.
#[wasm_bindgen(js_name = setAwakeTeam)]
pub fn set_awake_team(on: bool) {
    parallel::set_team(on);
}

/// True once a thread of the pool stopped (a panic on it); the kernels then run every
/// product on the calling thread, so the session goes on, slower, with the same model.
#[wasm_bindgen(js_name = poolFailed)]
pub fn pool_failed() -> bool {
    parallel::pool_failed()
}

/// The `BroadcastChannel` a dying pool thread reports on (set by [`watch_pool_deaths`]).
#[cfg(feature = "threads")]
static DEATH_CHANNEL: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[cfg(feature = "threads")]
#[wasm_bindgen]
extern "C" {
    type BroadcastChannel;
    #[wasm_bindgen(constructor, catch)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage, catch)]
    fn post_message(this: &BroadcastChannel, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn close(this: &BroadcastChannel);
}

/// `watchPoolDeaths(channel)`: a pool thread that panics posts `{type: 'poolThreadStopped',
/// message}` on the `BroadcastChannel` named `channel` before its worker stops. The engine's
/// own thread may be blocked inside a split product waiting for that thread's band, and then
/// cannot say anything itself; the page hears the channel and restarts the engine from its
/// last snapshot on one thread. A no-op in the single-thread builds.
#[wasm_bindgen(js_name = watchPoolDeaths)]
pub fn watch_pool_deaths(channel: &str) {
    #[cfg(feature = "threads")]
    {
        let mut name = DEATH_CHANNEL.lock().unwrap_or_else(|e| e.into_inner());
        *name = channel.to_owned();
    }
    #[cfg(not(feature = "threads"))]
    let _ = channel;
}

/// Posts the death report of this pool thread, if the page asked for one.
#[cfg(feature = "threads")]
fn report_pool_death(message: &str) {
    let name = DEATH_CHANNEL
        .lock()
        .map(|n| n.clone())
        .unwrap_or_else(|e| e.into_inner().clone());
    if name.is_empty() {
        return;
    }
    // The thread is about to stop: a report that cannot be sent leaves the page's probe
    // (a call that gets no answer) to find the blocked engine.
    if let Ok(channel) = BroadcastChannel::new(&name) {
        let report = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&report, &"type".into(), &"poolThreadStopped".into());
        let _ = js_sys::Reflect::set(&report, &"message".into(), &message.into());
        let _ = channel.post_message(&report);
        channel.close();
    }
}

/// Chains a panic hook that marks the pool failed when the panic is on one of its threads
/// (with `panic = "abort"` that thread's worker then stops) and reports it on the page's
/// channel; called once at start-up.
pub(super) fn watch_pool_panics() {
    #[cfg(feature = "threads")]
    {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if parallel::on_pool_thread() {
                parallel::mark_pool_failed();
                report_pool_death(&info.to_string());
            }
            previous(info)
        }));
    }
}

/// Test hook: stops one thread of the pool the way a trap does (a panic on a pool thread
/// aborts that worker), while it is idle, to exercise the page's fall-back to one thread.
/// The page's controls never call it.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = crashPoolThreadForTest)]
pub fn crash_pool_thread_for_test() {
    rayon::spawn(|| panic!("a thread of the pool stopped (forced by a test)"));
}

/// Test hook: the pool thread that takes the next band of a split product stops there (so
/// the engine's thread waits for a band that never ends), and every product splits from
/// now on, so that the next one is split even for the playground's small net.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = crashPoolBandForTest)]
pub fn crash_pool_band_for_test() {
    parallel::set_min_band_work(1);
    parallel::crash_next_pool_band_for_test();
}

/// Test hook: the pool thread that takes the next band of a split product never finishes
/// it and reports nothing (no panic), and every product splits from now on. Only the page's
/// watchdog, which probes an engine that has been silent while busy, can find it.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = hangPoolBandForTest)]
pub fn hang_pool_band_for_test() {
    parallel::set_min_band_work(1);
    parallel::hang_next_pool_band_for_test();
}

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Whether the threads build would split this session's work over its pool (see
    /// `Session::would_use_threads`): the page moves into that build only when it would.
    #[wasm_bindgen(js_name = wouldUseThreads)]
    pub fn would_use_threads(&mut self) -> bool {
        self.inner.would_use_threads()
    }
}
