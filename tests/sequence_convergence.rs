//! Sequence models learn with fixed seeds: copy-with-offset to ≥ 99 % token accuracy on
//! held-out sequences, with a one-block model's attention on the source position; and a
//! trained model saved and loaded predicts the same.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::sequence::{generate, SequenceSplit, SequenceTask, SequenceTaskSpec};
use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, MetricKind, ModelSpec, OptimizerKind,
    OptimizerSpec, Sequential,
};

const OFFSET: usize = 2;

fn copy_task() -> SequenceSplit {
    generate(&SequenceTaskSpec {
        task: SequenceTask::CopyOffset,
        length: 8,
        vocab: 8,
        offset: OFFSET,
        train: 2000,
        test: 300,
        seed: 5,
        ..Default::default()
    })
    .unwrap()
}

/// Embedding, learned positions, one transformer block, a final layer norm and a dense
/// output per position.
fn one_block_model(split: &SequenceSplit, seed: u64) -> Sequential {
    let spec = ModelSpec {
        input_dim: 8,
        layers: vec![
            LayerSpec::Embedding {
                vocab: split.vocab,
                dim: 16,
            },
            LayerSpec::PositionalEmbedding {
                max_len: 8,
                sinusoidal: false,
            },
            LayerSpec::TransformerBlock {
                heads: 1,
                ff_units: 32,
                causal: false,
                dropout: 0.0,
            },
            LayerSpec::LayerNorm { epsilon: 1e-5 },
            LayerSpec::Dense {
                units: split.classes,
                activation: Activation::Linear,
                init: Init::GlorotUniform,
                use_bias: true,
            },
        ],
    };
    let mut model = Sequential::new(spec, seed).unwrap();
    model
        .compile(CompileSpec {
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                learning_rate: 0.01,
                warmup_steps: 20,
                ..Default::default()
            },
            loss: LossKind::CategoricalCrossentropy,
            metrics: vec![MetricKind::TokenAccuracy, MetricKind::SequenceAccuracy],
            padding_token: split.padding,
            ..Default::default()
        })
        .unwrap();
    model
}

#[test]
fn copy_with_offset_learns_and_attends_to_the_source() {
    let split = copy_task();
    let mut model = one_block_model(&split, 3);
    for _ in 0..4 {
        model
            .train_epoch(&split.train.inputs, &split.train.targets, 32, true)
            .unwrap();
    }
    let eval = model
        .evaluate(&split.test.inputs, &split.test.targets)
        .unwrap();
    let token = eval.metrics["token_accuracy"];
    assert!(token >= 0.99, "held-out token accuracy {token}");

    let maps = model.attention_maps(&split.test.inputs).unwrap();
    assert_eq!(maps.len(), 1);
    let map = &maps[0];
    let (mut on_source, mut counted) = (0, 0);
    for b in 0..map.batch {
        for q in OFFSET..map.len {
            let row = &map.head(b, 0)[q * map.len..(q + 1) * map.len];
            let best = (0..map.len)
                .max_by(|&i, &j| row[i].total_cmp(&row[j]))
                .unwrap();
            on_source += usize::from(best == q - OFFSET);
            counted += 1;
        }
    }
    let share = on_source as f32 / counted as f32;
    println!("copy-with-offset: held-out token accuracy {token}, largest attention weight on the source for {share} of positions");
    assert!(
        share >= 0.9,
        "largest weight on the source for {share} of positions"
    );
}

#[test]
fn a_trained_sequence_model_saves_and_loads_to_the_same_predictions() {
    let split = copy_task();
    let mut model = one_block_model(&split, 9);
    model
        .train_steps(&split.train.inputs, &split.train.targets, 16, 20)
        .unwrap();
    let mut loaded = Sequential::from_json(&model.to_json()).unwrap();
    let before = model.predict(&split.test.inputs).unwrap();
    let after = loaded.predict(&split.test.inputs).unwrap();
    assert_eq!(before, after);
    assert_eq!(
        model.attention_maps(&split.test.inputs).unwrap(),
        loaded.attention_maps(&split.test.inputs).unwrap()
    );
    // With the training state too, both continue identically.
    let mut resumed = Sequential::from_json(&model.to_json_with_state()).unwrap();
    let a = model
        .train_steps(&split.train.inputs, &split.train.targets, 16, 3)
        .unwrap();
    let b = resumed
        .train_steps(&split.train.inputs, &split.train.targets, 16, 3)
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(model.params(), resumed.params());
}
