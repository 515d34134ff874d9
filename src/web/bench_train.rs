//! The wasm-bindgen face of [`crate::bench::train`]: training and decision-grid benchmark
//! problems exported to JavaScript, with no timing inside (the page's clock measures calls).

use crate::bench::train::{GridBench, TrainBench};
use wasm_bindgen::prelude::*;

fn js_err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A compiled training problem (see [`TrainBench`]); `run` is the call to time.
#[wasm_bindgen]
pub struct WasmTrainBench {
    inner: TrainBench,
}

#[wasm_bindgen]
impl WasmTrainBench {
    /// `problem`: `"a"` (2-8-8-1), `"a-4-2"` (2-4-2-1) or `"b"` (784-256-128-10).
    #[wasm_bindgen(constructor)]
    pub fn new(problem: &str, seed: u32) -> Result<WasmTrainBench, JsError> {
        TrainBench::new(problem, u64::from(seed))
            .map(|inner| WasmTrainBench { inner })
            .map_err(js_err)
    }

    /// Runs `steps` full training steps; returns the mean batch loss.
    pub fn run(&mut self, steps: u32) -> Result<f32, JsError> {
        self.inner.run(steps as usize).map_err(js_err)
    }

    /// Trains on mini-batches of `batch` samples from now on.
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&mut self, batch: u32) -> Result<(), JsError> {
        self.inner.set_batch_size(batch as usize).map_err(js_err)
    }

    #[wasm_bindgen(js_name = batchSize)]
    pub fn batch_size(&self) -> u32 {
        self.inner.batch_size() as u32
    }

    pub fn samples(&self) -> u32 {
        self.inner.samples() as u32
    }

    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.inner.steps_per_epoch() as u32
    }

    /// The compiled model file (`Sequential::to_json`) with the initial weights, so that
    /// `GpuTrainer.create` trains the same network as `run`.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> String {
        self.inner.model().to_json()
    }

    /// Layer widths, input first.
    pub fn widths(&self) -> Box<[u32]> {
        self.inner.widths().iter().map(|&w| w as u32).collect()
    }

    /// The training inputs, row-major `samples × widths[0]`, for peers to train on.
    pub fn x(&self) -> Box<[f32]> {
        self.inner.x().as_slice().into()
    }

    /// The training targets, row-major `samples × widths[last]`.
    pub fn y(&self) -> Box<[f32]> {
        self.inner.y().as_slice().into()
    }
}

/// The 2-8-8-1 decision grid (see [`GridBench`]); `run` is the call to time.
#[wasm_bindgen]
pub struct WasmGridBench {
    inner: GridBench,
}

#[wasm_bindgen]
impl WasmGridBench {
    #[wasm_bindgen(constructor)]
    pub fn new(side: u32) -> Result<WasmGridBench, JsError> {
        GridBench::new(side as usize)
            .map(|inner| WasmGridBench { inner })
            .map_err(js_err)
    }

    /// Computes the grid `iters` times; returns a checksum of the outputs.
    pub fn run(&mut self, iters: u32) -> Result<f32, JsError> {
        self.inner.run(iters as usize).map_err(js_err)
    }

    pub fn points(&self) -> u32 {
        self.inner.points() as u32
    }
}

/// The sequence-model workload (see [`crate::bench::sequence::SequenceBench`]); `run` is the
/// call to time.
#[wasm_bindgen]
pub struct WasmSequenceBench {
    inner: crate::bench::sequence::SequenceBench,
}

#[wasm_bindgen]
impl WasmSequenceBench {
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u32) -> Result<WasmSequenceBench, JsError> {
        crate::bench::sequence::SequenceBench::new(u64::from(seed))
            .map(|inner| WasmSequenceBench { inner })
            .map_err(js_err)
    }

    /// Runs `steps` training steps; returns the mean batch loss.
    pub fn run(&mut self, steps: u32) -> Result<f32, JsError> {
        self.inner.run(steps as usize).map_err(js_err)
    }

    #[wasm_bindgen(js_name = tokensPerStep)]
    pub fn tokens_per_step(&self) -> u32 {
        self.inner.tokens_per_step() as u32
    }

    /// `[blocks, heads, width, ffUnits, length, vocab, batch]`.
    pub fn shape() -> Box<[u32]> {
        crate::bench::sequence::SEQUENCE_BENCH_SHAPE
            .iter()
            .map(|&v| v as u32)
            .collect()
    }

    /// The training inputs and targets, row-major `sequences × length`, for peers.
    pub fn x(&self) -> Box<[f32]> {
        self.inner.inputs().as_slice().into()
    }

    pub fn y(&self) -> Box<[f32]> {
        self.inner.targets().as_slice().into()
    }
}
