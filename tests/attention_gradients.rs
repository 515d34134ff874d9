//! Finite-difference checks of the sequence layers and the token-level loss (the bodies are
//! in `common/attention_gradient_cases.rs`, shared with the threads build's browser tests).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::attention_gradient_cases as cases;

#[test]
fn embedding_and_dense_per_position() {
    cases::embedding_and_dense_per_position();
}

#[test]
fn learned_positional_embedding() {
    cases::learned_positional_embedding();
}

#[test]
fn self_attention_on_odd_shapes_plain_and_causal() {
    cases::self_attention_on_odd_shapes_plain_and_causal();
}

#[test]
fn attention_dropout_backpropagates_through_its_mask() {
    cases::attention_dropout_backpropagates_through_its_mask();
}

#[test]
fn layer_norm() {
    cases::layer_norm();
}

#[test]
fn whole_transformer_block_with_both_poolings() {
    cases::whole_transformer_block_with_both_poolings();
}

#[test]
fn causal_block_with_dropout_per_position() {
    cases::causal_block_with_dropout_per_position();
}

#[test]
fn padding_positions_carry_no_loss_and_no_gradient() {
    cases::padding_positions_carry_no_loss_and_no_gradient();
}
