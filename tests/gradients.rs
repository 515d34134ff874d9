//! Finite-difference checks of every layer, activation and loss (the bodies are in
//! `common/gradient_cases.rs`, shared with the threads build's browser tests).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gradient_cases as cases;

#[test]
fn every_activation_backpropagates_correctly() {
    cases::every_activation_backpropagates_correctly();
}

#[test]
fn regression_losses_have_correct_gradients() {
    cases::regression_losses_have_correct_gradients();
}

#[test]
fn binary_cross_entropy_on_logits_and_sigmoid() {
    cases::binary_cross_entropy_on_logits_and_sigmoid();
}

#[test]
fn softmax_cross_entropy_sparse_and_one_hot() {
    cases::softmax_cross_entropy_sparse_and_one_hot();
}

#[test]
fn softmax_output_under_mse_uses_the_jacobian() {
    cases::softmax_output_under_mse_uses_the_jacobian();
}

#[test]
fn batch_norm_backpropagates_through_batch_statistics() {
    cases::batch_norm_backpropagates_through_batch_statistics();
}

#[test]
fn dropout_gradients_follow_the_sampled_mask() {
    cases::dropout_gradients_follow_the_sampled_mask();
}

#[test]
fn layers_without_bias_have_no_bias_gradient() {
    cases::layers_without_bias_have_no_bias_gradient();
}
