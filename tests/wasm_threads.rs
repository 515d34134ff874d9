//! The threads build in headless Chromium: a pool of two Web Workers, then the kernel oracle
//! tests and the finite-difference gradient checks with every product and activation split
//! over it (band threshold 1), and 1 and 2 threads giving bit-identical trained weights. Run by `cargo xtask test --only wasm`
//! (the pinned nightly, `--features threads`, `-Z build-std`; see xtask/src/threads.rs).
#![cfg(all(target_arch = "wasm32", feature = "threads"))]

use nn_playground::bench::TrainBench;
use nn_playground::kernels::parallel;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

// The calling thread blocks while the pool works, which a page's main thread may not do.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[path = "common/activation_cases.rs"]
mod activation_cases;
mod common;
#[path = "common/kernel_cases.rs"]
mod kernel_cases;
use common::{attention_gradient_cases, gradient_cases};

/// Starts the pool of two workers once for this test binary (rayon's global pool can be
/// built once); later calls only set two threads again.
async fn start_pool() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STARTED: AtomicBool = AtomicBool::new(false);
    if STARTED.swap(true, Ordering::SeqCst) {
        assert_eq!(parallel::set_threads(2), 2);
        return;
    }
    let started = wasm_bindgen_futures::JsFuture::from(nn_playground::web::init_thread_pool(2));
    started
        .await
        .expect("the pool of two workers did not start");
    parallel::pool_started(2);
    assert_eq!(parallel::set_threads(2), 2);
}

fn trained_bits(threads: usize) -> Vec<u32> {
    assert_eq!(parallel::set_threads(threads), threads);
    let mut bench = TrainBench::new("b", 5).unwrap();
    bench.set_batch_size(256).unwrap();
    assert!(bench.run(3).unwrap().is_finite());
    let mut model = bench.model().clone();
    model
        .params()
        .concat()
        .iter()
        .map(|x| x.to_bits())
        .collect()
}

#[wasm_bindgen_test]
async fn kernels_on_the_pool_match_the_oracles_and_threads_change_no_bit() {
    start_pool().await;
    // Every product and activation of the oracle suite split in two bands, whatever its size.
    parallel::set_min_band_work(1);
    assert_eq!(parallel::band_count(8, 4, 8), 2);
    for shape in ["nn", "tn", "nt"] {
        kernel_cases::gemm_matches_oracle(shape);
    }
    kernel_cases::gemm_empty_inner_dimension();
    kernel_cases::gemm_known_values();
    kernel_cases::bias_and_column_sums();
    activation_cases::kernels_match_oracle();
    activation_cases::forward_biased_matches_oracle();
    activation_cases::softmax_matches_f64();
    parallel::set_min_band_work(0);

    let one = trained_bits(1);
    assert_eq!(
        one,
        trained_bits(2),
        "weights differ between 1 and 2 threads"
    );
}

#[wasm_bindgen_test]
async fn gradient_checks_hold_with_every_product_split() {
    start_pool().await;
    parallel::set_min_band_work(1);
    assert_eq!(parallel::band_count(8, 4, 8), 2);
    gradient_cases::every_activation_backpropagates_correctly();
    gradient_cases::regression_losses_have_correct_gradients();
    gradient_cases::binary_cross_entropy_on_logits_and_sigmoid();
    gradient_cases::softmax_cross_entropy_sparse_and_one_hot();
    gradient_cases::softmax_output_under_mse_uses_the_jacobian();
    gradient_cases::batch_norm_backpropagates_through_batch_statistics();
    gradient_cases::dropout_gradients_follow_the_sampled_mask();
    gradient_cases::layers_without_bias_have_no_bias_gradient();
    attention_gradient_cases::embedding_and_dense_per_position();
    attention_gradient_cases::learned_positional_embedding();
    attention_gradient_cases::self_attention_on_odd_shapes_plain_and_causal();
    attention_gradient_cases::attention_dropout_backpropagates_through_its_mask();
    attention_gradient_cases::layer_norm();
    attention_gradient_cases::whole_transformer_block_with_both_poolings();
    attention_gradient_cases::causal_block_with_dropout_per_position();
    attention_gradient_cases::padding_positions_carry_no_loss_and_no_gradient();
    parallel::set_min_band_work(0);
}

/// Spins until `flag` is set or `ms` milliseconds pass; true if it was set.
fn wait_for(flag: &std::sync::atomic::AtomicBool, ms: f64) -> bool {
    let start = js_sys::Date::now();
    while !flag.load(std::sync::atomic::Ordering::SeqCst) {
        if js_sys::Date::now() - start > ms {
            return false;
        }
    }
    true
}

/// The pool really runs two bands at once: each half of a `join` waits until it sees the
/// other running, which a pool whose second worker never takes work would fail (after 5 s).
/// Also prints how long two equal register-only loops take split against one after the
/// other (a figure, not a check: the machine may be busy).
#[wasm_bindgen_test]
async fn both_pool_threads_run_at_once() {
    use std::sync::atomic::{AtomicBool, Ordering};
    start_pool().await;
    let (a, b) = (AtomicBool::new(false), AtomicBool::new(false));
    let (saw_b, saw_a) = rayon::join(
        || {
            a.store(true, Ordering::SeqCst);
            wait_for(&b, 5000.0)
        },
        || {
            b.store(true, Ordering::SeqCst);
            wait_for(&a, 5000.0)
        },
    );
    assert!(saw_b && saw_a, "the two halves of a join never ran at once");

    let spin = || std::hint::black_box(nn_playground::bench::peak_simd_madd(20_000_000));
    let start = js_sys::Date::now();
    spin();
    spin();
    let serial = js_sys::Date::now() - start;
    let start = js_sys::Date::now();
    rayon::join(spin, spin);
    let split = js_sys::Date::now() - start;
    wasm_bindgen_test::console_log!(
        "two register-only loops: one after the other {serial:.0} ms, on two pool threads {split:.0} ms ({:.2}×)",
        serial / split
    );
}

/// Inside a run of training steps the pool is kept awake as a team: a split region's bands
/// run on the engine's thread and on a pool worker, each exactly once, and after a pause
/// longer than a server spins (it parks with `Atomics.wait`) the next regions are shared
/// again, so the wake-up from a parked server works in a browser too.
#[wasm_bindgen_test]
async fn an_awake_team_shares_regions_and_wakes_after_a_pause() {
    use std::sync::atomic::{AtomicBool, Ordering};
    start_pool().await;
    let shared_within = |rounds: usize| {
        for _ in 0..rounds {
            let on_pool = AtomicBool::new(false);
            let mut out = vec![0u32; 64];
            parallel::row_bands(&mut out, 1, 1, usize::MAX / 2, |r0, band| {
                if rayon::current_thread_index().is_some() {
                    on_pool.store(true, Ordering::SeqCst);
                }
                // Long enough that the engine's thread cannot take every band first.
                std::hint::black_box(nn_playground::bench::peak_simd_madd(20_000));
                for (i, v) in band.iter_mut().enumerate() {
                    *v += (r0 + i) as u32 + 1;
                }
            });
            let want: Vec<u32> = (1..=64).collect();
            assert_eq!(out, want, "a band was skipped or run twice");
            if on_pool.load(Ordering::SeqCst) {
                return true;
            }
        }
        false
    };
    parallel::with_team(usize::MAX, || {
        assert!(parallel::in_team(), "no team started for a large run");
        assert!(shared_within(2000), "no pool worker took a band");
        // Longer than a server spins before it parks.
        let start = js_sys::Date::now();
        while js_sys::Date::now() - start < 50.0 {}
        assert!(
            shared_within(2000),
            "no pool worker took a band after the pause"
        );
    });
    assert!(!parallel::in_team());
}
