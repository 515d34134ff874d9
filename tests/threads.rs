//! The thread pool changes speed, never results: products and training runs on 1, 2 and 3
//! threads give bit-identical outputs and weights. Run:
//! `cargo test --features threads --test threads`.
#![cfg(all(feature = "threads", not(target_arch = "wasm32")))]

use nn_playground::bench::{GridBench, TrainBench};
use nn_playground::kernels::{self, parallel};
use nn_playground::Rng;
use std::collections::HashSet;
use std::sync::Mutex;

/// Rayon's global pool with three threads, whatever the machine has, so that 2 and 3 bands
/// really run on different threads; built once for this test binary.
fn pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build_global();
    assert_eq!(parallel::available(), 3, "the test pool did not start");
}

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every product shape (NN, TN, NT; packed, skinny and transposed-skinny paths) on odd
/// sizes large enough to be split, at 1, 2 and 3 threads.
fn products_at(threads: usize) -> Vec<Vec<u32>> {
    assert_eq!(parallel::set_threads(threads), threads);
    let shapes = [
        (131, 300, 77),
        (257, 33, 129),
        (20001, 2, 8),
        (9001, 8, 5),
        (300, 17, 6),
    ];
    let mut out = Vec::new();
    for (s, &(m, k, n)) in shapes.iter().enumerate() {
        let seed = 10 * s as u64;
        for (g, layout) in kernels::Layout::ALL.into_iter().enumerate() {
            // Every layout stores m·k values of A and k·n of B.
            let (a, b) = (random(m * k, seed + g as u64), random(k * n, seed + 5));
            let mut c = random(m * n, seed + 7);
            kernels::gemm(layout, m, k, n, &a, &b, &mut c, g == 1);
            out.push(bits(&c));
        }
    }
    out
}

/// Problem (b) of the benchmark (784-256-128-10, Adam, softmax cross-entropy) at batch 256
/// for a few steps, then its weights as bits.
fn trained_at(threads: usize) -> Vec<Vec<u32>> {
    assert_eq!(parallel::set_threads(threads), threads);
    let mut bench = TrainBench::new("b", 11).unwrap();
    bench.set_batch_size(256).unwrap();
    let loss = bench.run(6).unwrap();
    assert!(loss.is_finite(), "loss {loss}");
    let mut model = bench.model().clone();
    model.params().iter().map(|p| bits(p)).collect()
}

/// The tests here set the thread count the kernels use, which is global: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn one_two_and_three_threads_give_identical_bits() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    pool();
    // A 256×784×256 product is split in a few bands a thread, so that a thread that is
    // ahead takes bands from one that is behind.
    parallel::set_threads(2);
    assert_eq!(
        parallel::band_count(256, 4, 256 * 784 * 256),
        2 * parallel::BANDS_PER_THREAD
    );
    // The 2-8-8-1 playground net's batch-10 products stay on one thread.
    assert_eq!(parallel::band_count(10, 4, 10 * 8 * 8), 1);

    let one = products_at(1);
    assert_eq!(
        one,
        products_at(2),
        "products differ between 1 and 2 threads"
    );
    assert_eq!(
        one,
        products_at(3),
        "products differ between 1 and 3 threads"
    );

    let grid_at = |threads| {
        parallel::set_threads(threads);
        GridBench::new(100).unwrap().run(1).unwrap().to_bits()
    };
    assert_eq!(grid_at(1), grid_at(2), "the 100×100 decision grid differs");

    let one = trained_at(1);
    assert_eq!(one, trained_at(2), "weights differ between 1 and 2 threads");
    assert_eq!(one, trained_at(3), "weights differ between 1 and 3 threads");
}

/// Inside a training run the pool's threads are kept awake as a team: the bands of a split
/// region run on the calling thread and on a pool thread, each band exactly once, and after
/// a pause longer than a server spins (it parks) the next regions are shared again.
#[test]
fn a_team_shares_every_region_and_wakes_after_a_pause() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    pool();
    parallel::set_threads(2);
    let caller = std::thread::current().id();
    // Runs split regions until a band ran on a thread other than the caller; the threads
    // seen, and whether that happened within the rounds allowed.
    let shared_within = |rounds: usize| {
        let threads = Mutex::new(HashSet::new());
        for _ in 0..rounds {
            let mut out = vec![0u32; 64];
            parallel::row_bands(&mut out, 1, 1, usize::MAX / 2, |r0, band| {
                threads.lock().unwrap().insert(std::thread::current().id());
                // Long enough that the caller cannot take every band before a server does.
                let t0 = std::time::Instant::now();
                while t0.elapsed() < std::time::Duration::from_micros(20) {}
                for (i, v) in band.iter_mut().enumerate() {
                    *v += (r0 + i) as u32 + 1;
                }
            });
            let want: Vec<u32> = (1..=64).collect();
            assert_eq!(out, want, "a band was skipped or run twice");
            if threads.lock().unwrap().iter().any(|&t| t != caller) {
                return true;
            }
        }
        false
    };
    assert!(!parallel::in_team());
    parallel::with_team(usize::MAX, || {
        assert!(parallel::in_team(), "no team started for a large run");
        assert!(shared_within(2000), "no pool thread took a band");
        // Longer than a server spins before it parks.
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            shared_within(2000),
            "no pool thread took a band after the pause"
        );
    });
}
