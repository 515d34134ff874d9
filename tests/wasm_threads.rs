//! The threads build in headless Chromium: a pool of two Web Workers, then the kernel oracle
//! tests with every product and activation split over it (band threshold 1), and 1 and 2
//! threads giving bit-identical trained weights. Run by `cargo xtask test --only wasm`
//! (the pinned nightly, `--features threads`, `-Z build-std`; see xtask/src/threads.rs).
#![cfg(all(target_arch = "wasm32", feature = "threads"))]

use nn_playground::bench::TrainBench;
use nn_playground::kernels::parallel;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

// The calling thread blocks while the pool works, which a page's main thread may not do.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

mod common {
    pub mod activation_cases;
    pub mod kernel_cases;
}
use common::{activation_cases, kernel_cases};

async fn start_pool() {
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
