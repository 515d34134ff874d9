//! GPU test bodies shared by the native suite (`tests/gpu/`, lavapipe or any native adapter)
//! and the browser suite (`tests/web_gpu.rs`, headless Chromium on SwiftShader): each body is
//! an `async fn` of one [`Gpu`], written once; [`gpu_tests!`](crate::gpu_tests) instantiates
//! every one as a native `#[test]` (driven by `pollster`) or as an async `wasm_bindgen_test`.

pub mod batch_norm;
pub mod bench_jobs;
pub mod kernels;
pub mod training;

use nn_playground::backend::webgpu::{GpuContext, KernelRunner};

/// A device with its compiled kernels.
pub type Gpu = (GpuContext, KernelRunner);

/// Opens the adapter's device and compiles the kernel runner; without an adapter it panics
/// saying how to get one (nothing is skipped).
pub async fn open() -> Gpu {
    let ctx = GpuContext::new().await.unwrap_or_else(|e| {
        panic!(
            "WebGPU tests need a GPU adapter and found none: {e}\n\
             Natively install a software Vulkan driver (Debian/Ubuntu: apt-get install \
             mesa-vulkan-drivers) or run on a machine with a GPU; in the browser run Chromium \
             with --enable-unsafe-webgpu (webdriver.json)."
        )
    });
    let runner = KernelRunner::new(&ctx).expect("kernels compile");
    (ctx, runner)
}

/// Asserts `|a − b| ≤ abs + rel·|b|` element-wise, naming the first offending index.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], abs: f32, rel: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= abs + rel * w.abs(),
            "{what}: element {i}: GPU {g} vs CPU {w} (tolerance {abs} + {rel}·|cpu|)"
        );
    }
}

/// Instantiates every shared body: `gpu_tests!(native)` as `#[test]`s on the test binary's
/// one device (`crate::gpu()`), `gpu_tests!(browser)` as `wasm_bindgen_test`s that each open
/// their own. The list below is the one place a shared test is named.
#[macro_export]
macro_rules! gpu_tests {
    ($mode:ident) => {
        $crate::gpu_tests!(@cases $mode:
            batch_norm::batch_norm_training_step_matches_the_cpu_layer,
            batch_norm::batch_norm_inference_uses_the_running_statistics_like_the_cpu,
            batch_norm::running_statistics_skip_non_finite_batches_and_diverged_submits,
            batch_norm::batch_norm_model_with_sgd_follows_the_cpu_curve,
            batch_norm::batch_norm_model_with_adam_follows_the_cpu_curve,
            batch_norm::batch_norm_first_and_last_with_penalties_follows_the_cpu_curve,
            batch_norm::running_statistics_upload_with_the_weights_and_download_back,
            batch_norm::a_diverging_batch_norm_model_stops_where_the_cpu_does_with_its_statistics,
            batch_norm::model_uploads_and_downloads_with_state_carry_the_running_statistics,
            bench_jobs::matmul_job_reads_back_the_product_in_all_three_shapes,
            bench_jobs::matmul_job_refuses_wrong_operands,
            bench_jobs::tiny_dispatch_runs_and_read_back_sees_it,
            kernels::matmul_matches_scalar_oracle_in_all_three_shapes,
            kernels::matmul_rejects_wrong_lengths,
            kernels::matmul_refuses_a_grid_larger_than_one_dispatch,
            kernels::activations_forward_with_bias_match_cpu,
            kernels::activations_backward_match_cpu,
            kernels::column_sums_match_cpu,
            kernels::losses_and_gradients_match_cpu,
            kernels::extreme_logits_stay_finite,
            kernels::optimizer_updates_match_cpu_for_every_kind_and_penalty,
            kernels::dropout_keeps_the_expected_fraction_scaled_and_is_seeded,
            training::small_classifier_adam_bce_follows_the_cpu_curve,
            training::softmax_classifier_with_momentum_l2_and_clipping_follows_the_cpu_curve,
            training::regression_with_rmsprop_huber_and_l1_follows_the_cpu_curve,
            training::mse_sgd_with_sigmoid_output_follows_the_cpu_curve_over_several_submits,
            training::dropout_model_trains_and_predicts_without_dropout,
            training::divergence_is_reported_and_keeps_finite_weights,
            training::invalid_use_gives_clear_errors,
            training::sequence_layers_are_refused_by_name,
            training::a_lost_device_keeps_the_last_weights_for_the_cpu,
        );
    };
    (@cases $mode:ident: $($module:ident::$name:ident,)*) => {
        $( $crate::gpu_tests!(@one $mode $module $name); )*
    };
    (@one native $module:ident $name:ident) => {
        #[test]
        fn $name() {
            pollster::block_on($crate::gpu_cases::$module::$name($crate::gpu()));
        }
    };
    (@one browser $module:ident $name:ident) => {
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            let gpu = $crate::gpu_cases::open().await;
            $crate::gpu_cases::$module::$name(&gpu).await;
        }
    };
}
