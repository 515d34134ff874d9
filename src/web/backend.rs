//! The session's backend for the page's worker: following the config's choice (`cpu`,
//! `webgpu`, `auto`) with the engine's one `Engine`, training slices on it, the decision grid
//! predicted there, the news to show. The worker only forwards: every decision is the engine's.

use wasm_bindgen::prelude::*;

use super::{js_err, to_js, WebSession};
use crate::train::Engine;

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Opens the backend the config names when it changed since the last call (a GPU that
    /// failed stays given up until the choice changes). Without a GPU, `webgpu` trains on
    /// the CPU and the news says why. Never rejects for want of a GPU.
    #[wasm_bindgen(js_name = followBackend)]
    pub async fn follow_backend(&mut self) -> Result<(), JsError> {
        let choice = self.inner.config().backend;
        if choice == self.engine_for {
            return Ok(());
        }
        let was_gpu = self.engine.on_gpu();
        self.engine_for = choice;
        let mut engine = Engine::for_page(choice, super::clock(), was_gpu).await;
        self.inner.prepare_engine(&mut engine);
        self.engine = engine;
        Ok(())
    }

    /// Trains on the session's backend for about `ms` milliseconds but at most until
    /// `epochs` more epochs have finished (`Infinity`: no limit); returns optimiser steps
    /// taken. The page's one training call, for either backend.
    #[wasm_bindgen(js_name = trainSlice)]
    pub async fn train_slice(&mut self, ms: f64, epochs: f64) -> Result<u32, JsError> {
        let epochs = if epochs.is_finite() && epochs >= 0.0 {
            epochs.min(u32::MAX as f64) as usize
        } else {
            usize::MAX
        };
        // The page's fine clock: the paced run's training time is tens of microseconds per
        // epoch, below `Date.now`'s millisecond.
        let mut now = super::clock();
        let steps = self
            .inner
            .train_paced_with(&mut self.engine, ms, epochs, &mut now)
            .await
            .map_err(js_err)?;
        Ok(steps as u32)
    }

    /// The decision grid predicted by the GPU (`null` on the CPU: `decisionGrid` there).
    #[wasm_bindgen(js_name = gpuDecisionGrid)]
    pub async fn gpu_decision_grid(&mut self, res: u32) -> Result<Option<Box<[f32]>>, JsError> {
        if !self.engine.on_gpu() {
            return Ok(None);
        }
        let grid = self
            .inner
            .decision_grid_with(&mut self.engine, res as usize)
            .await
            .map_err(js_err)?;
        // A GPU lost while predicting: the CPU's grid is as good.
        Ok(self.engine.on_gpu().then(|| grid.into_boxed_slice()))
    }

    /// `"cpu"`, `"webgpu (adapter)"` or `"webgpu (adapter), then cpu"`.
    #[wasm_bindgen(js_name = backendLabel)]
    pub fn backend_label(&self) -> String {
        self.engine.label()
    }

    /// True while training runs on the GPU.
    #[wasm_bindgen(js_name = onGpu)]
    pub fn on_gpu(&self) -> bool {
        self.engine.on_gpu()
    }

    /// What the backend has to say since the last call (the GPU started, auto's verdict, a
    /// fallback to the CPU) as the page's phrase parts `[{key, vars}]`, or `undefined`.
    #[wasm_bindgen(js_name = takeBackendNews)]
    pub fn take_backend_news(&mut self) -> Result<JsValue, JsError> {
        match self.engine.take_news_parts() {
            Some(news) => to_js(&news.parts),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Test hook: gives the GPU device up as if it were lost; true when one was in use.
    #[wasm_bindgen(js_name = loseGpuForTest)]
    pub fn lose_gpu_for_test(&self) -> bool {
        #[cfg(feature = "webgpu")]
        if let Some(gpu) = self.engine.gpu() {
            gpu.context().release();
            return true;
        }
        false
    }

    /// Optimiser steps in one epoch (training rows ÷ batch size, rounded up).
    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.inner.steps_per_epoch() as u32
    }
}
