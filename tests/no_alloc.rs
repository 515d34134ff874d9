//! The hot loop allocates nothing: after a warm-up, optimiser steps on same-sized batches make
//! no heap allocation (checked with a counting global allocator, on the training thread).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::random_matrix;
use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, ModelSpec, OptimizerKind, OptimizerSpec,
    Sequential,
};

struct Counting;

thread_local! {
    // Per thread: the test harness's own threads (output capture, timing notes on a busy
    // machine) allocate too, and must not count against the training loop.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs while a thread's locals are being torn down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_do_not_allocate_after_warm_up() {
    let dense = |units, activation| LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    };
    for (input, layers, loss, out) in [
        (
            2,
            vec![
                dense(8, Activation::Tanh),
                dense(8, Activation::Tanh),
                dense(1, Activation::Tanh),
            ],
            LossKind::Mse,
            1,
        ),
        (
            64,
            vec![
                dense(48, Activation::Relu),
                LayerSpec::BatchNorm {
                    momentum: 0.9,
                    epsilon: 1e-3,
                },
                LayerSpec::Dropout { rate: 0.2 },
                dense(10, Activation::Softmax),
            ],
            LossKind::CategoricalCrossentropy,
            10,
        ),
    ] {
        let x = random_matrix(100, input, -1.0, 1.0, 1);
        let y = if loss == LossKind::Mse {
            random_matrix(100, 1, -1.0, 1.0, 2)
        } else {
            common::random_classes(100, out, 3)
        };
        let mut m = Sequential::new(
            ModelSpec {
                input_dim: input,
                layers,
            },
            5,
        )
        .unwrap();
        let opt = OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.01,
            clip_norm: Some(1.0),
            ..OptimizerSpec::default()
        };
        m.compile(CompileSpec {
            optimizer: opt,
            loss,
            ..CompileSpec::default()
        })
        .unwrap();
        m.train_steps(&x, &y, 10, 20).unwrap();
        let before = allocations();
        m.train_steps(&x, &y, 10, 200).unwrap();
        let allocated = allocations() - before;
        assert_eq!(
            allocated, 0,
            "{allocated} allocations in 200 steps of a {input}-input model"
        );
    }
}

#[test]
fn sequence_training_steps_do_not_allocate_after_warm_up() {
    use nn_playground::data::sequence::{generate, SequenceTask, SequenceTaskSpec};
    // Per-position (copy with an offset, padding mask) and per-sequence (most frequent,
    // pooled) models, with dropout in the block so that masks are drawn every step.
    for (task, pooling) in [
        (SequenceTask::CopyOffset, None),
        (
            SequenceTask::MostFrequent,
            Some(LayerSpec::GlobalAveragePooling1d),
        ),
    ] {
        let split = generate(&SequenceTaskSpec {
            task,
            length: 7,
            vocab: 9,
            train: 100,
            test: 10,
            ..Default::default()
        })
        .unwrap();
        let mut layers = vec![
            LayerSpec::Embedding {
                vocab: split.vocab,
                dim: 12,
            },
            LayerSpec::PositionalEmbedding {
                max_len: 7,
                sinusoidal: false,
            },
            LayerSpec::TransformerBlock {
                heads: 3,
                ff_units: 20,
                causal: true,
                dropout: 0.1,
            },
            LayerSpec::MultiHeadSelfAttention {
                heads: 2,
                causal: false,
                dropout: 0.1,
            },
            LayerSpec::LayerNorm { epsilon: 1e-5 },
        ];
        layers.extend(pooling);
        layers.push(LayerSpec::Dense {
            units: split.classes,
            activation: Activation::Linear,
            init: Init::GlorotUniform,
            use_bias: true,
        });
        let mut m = Sequential::new(
            ModelSpec {
                input_dim: 7,
                layers,
            },
            5,
        )
        .unwrap();
        m.compile(CompileSpec {
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                learning_rate: 0.01,
                warmup_steps: 10,
                ..OptimizerSpec::default()
            },
            loss: LossKind::CategoricalCrossentropy,
            padding_token: split.padding,
            ..CompileSpec::default()
        })
        .unwrap();
        let (x, y) = (&split.train.inputs, &split.train.targets);
        m.train_steps(x, y, 10, 20).unwrap();
        let before = allocations();
        m.train_steps(x, y, 10, 100).unwrap();
        let allocated = allocations() - before;
        assert_eq!(
            allocated, 0,
            "{allocated} allocations in 100 steps of {task:?}"
        );
    }
}
