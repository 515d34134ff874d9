//! What a second thread can give on this machine, natively: two register-only multiply-add
//! loops on 2 OS threads against one (the ceiling no kernel can beat), then the engine's
//! rayon GEMM NN 512³ and training (b) 784-256-128-10 at batch 256 on 1 and 2 threads.
//! Each row also prints the machine's idle share just before it and, for the loops, the CPU
//! time each thread got, which tells a shared core (each thread slower per CPU-second) from
//! a busy machine (each thread as fast per CPU-second, but waiting for a core).
//! `cargo run --release --features threads --example threads_ceiling [loops] [gemm] [train]`
//! (no argument: all three).

use std::hint::black_box;
use std::time::{Duration, Instant};

use nn_playground::bench::{self, GemmBench, TrainBench};
use nn_playground::kernels::parallel;

/// Rounds of each measurement; the spread over them is the noise of the moment.
const ROUNDS: usize = 5;

/// The share of both cores that was idle over the last half second (from `/proc/stat`;
/// `None` where that file is missing).
fn idle_share() -> Option<f64> {
    let read = || -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        Some((*fields.get(3)?, fields.iter().sum()))
    };
    let (idle0, total0) = read()?;
    std::thread::sleep(Duration::from_millis(500));
    let (idle1, total1) = read()?;
    Some((idle1 - idle0) as f64 / (total1 - total0).max(1) as f64)
}

fn idle_label() -> String {
    idle_share().map_or("idle ?".into(), |s| format!("idle {:3.0} %", 100.0 * s))
}

/// The calling thread's CPU time in seconds (Linux `/proc/thread-self/stat`, in 10 ms
/// ticks), or `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One thread's register-only loop: returns (wall seconds, CPU seconds).
fn spin(iters: u32) -> (f64, Option<f64>) {
    let cpu0 = thread_cpu_seconds();
    let start = Instant::now();
    black_box(bench::peak_simd_madd(black_box(iters)));
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu0.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    (wall, cpu)
}

fn loops() {
    // About a second of one thread: long enough for the 10 ms CPU-time ticks.
    let iters = 100_000_000;
    println!("register-only loop ({iters} iterations a thread):");
    for round in 0..ROUNDS {
        let idle = idle_label();
        let (one_wall, one_cpu) = spin(iters);
        let start = Instant::now();
        let handles: Vec<_> = (0..2)
            .map(|_| std::thread::spawn(move || spin(iters)))
            .collect();
        let runs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let two_wall = start.elapsed().as_secs_f64();
        // Per CPU-second speed of a thread while the other runs, against one alone: about 1
        // on two real cores, about 0.5–0.6 on two hyperthreads of one core.
        let per_cpu = match (one_cpu, runs[0].1, runs[1].1) {
            (Some(c1), Some(a), Some(b)) if a + b > 0.0 => {
                format!("{:.2}", c1 / one_wall * ((runs[0].0 + runs[1].0) / (a + b)))
            }
            _ => "?".into(),
        };
        println!(
            "  round {round} ({idle}): 1 thread {one_wall:.3} s; 2 threads {two_wall:.3} s → {:.2}× the throughput; speed per CPU-second 2 vs 1: {per_cpu}",
            2.0 * one_wall / two_wall
        );
    }
}

/// Median rate of `run` over [`ROUNDS`] timed calls of `units` work units each.
fn rate(mut run: impl FnMut(), units: f64) -> f64 {
    run();
    let mut rates: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            run();
            units / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[ROUNDS / 2]
}

/// Nanoseconds the calling thread has run on a CPU (`/proc/thread-self/schedstat`), or `None`.
fn thread_run_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn paired(name: &str, unit: &str, mut run: impl FnMut(), units: f64) {
    for round in 0..ROUNDS {
        let idle = idle_label();
        parallel::set_threads(1);
        let one = rate(&mut run, units);
        parallel::set_threads(2);
        // The calling thread sleeps while the pool runs bands, so what it runs at 2 threads
        // is the work that stays serial: a figure that a busy machine does not change.
        let run0 = thread_run_ns();
        let two = rate(&mut run, units);
        let serial = run0.zip(thread_run_ns()).map_or("?".into(), |(a, b)| {
            let per_call = (b - a) as f64 / 1e6 / (ROUNDS + 1) as f64;
            format!("{per_call:.1} ms of the caller's own work a call")
        });
        parallel::set_threads(1);
        let one_again = rate(&mut run, units);
        let base = (one + one_again) / 2.0;
        println!(
            "  {name} round {round} ({idle}): 1 thread {base:.1} {unit}, 2 threads {two:.1} {unit} → {:.2}×, {:.0} % per core; at 2 threads {serial}",
            two / base,
            50.0 * two / base
        );
    }
}

fn main() -> nn_playground::Result<()> {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global();
    println!("rayon pool: {} threads", parallel::available());
    let asked: Vec<String> = std::env::args().skip(1).collect();
    let wants = |what: &str| asked.is_empty() || asked.iter().any(|a| a == what);
    if wants("loops") {
        loops();
    }
    println!("engine (1 thread, 2 threads, 1 thread again; the baseline is the mean of the two):");
    if wants("gemm") {
        gemm()?;
    }
    if wants("train") {
        train()?;
    }
    Ok(())
}

fn gemm() -> nn_playground::Result<()> {
    let mut gemm = GemmBench::new("nn", 512, 512, 512, "fast")?;
    let flops = gemm.flops_per_iter();
    paired(
        "matmul NN 512³",
        "GFLOPS",
        || {
            black_box(gemm.run(10));
        },
        10.0 * flops / 1e9,
    );
    Ok(())
}

fn train() -> nn_playground::Result<()> {
    let mut train = TrainBench::new("b", 1)?;
    train.set_batch_size(256)?;
    paired(
        "training (b) batch 256",
        "samples/s",
        || {
            black_box(train.run(20).expect("training (b) runs"));
        },
        20.0 * 256.0,
    );
    Ok(())
}
