//! `fit` on the GPU for the Keras-style API (wasm32 + feature `webgpu`): opens WebGPU (or
//! explains why not), then trains each epoch in one submit and brings its weights back into
//! the CPU model, where the epoch's logs are computed exactly as a CPU epoch's are.
//!
//! Per epoch: the training rows in the order a CPU epoch would visit them (the model's own
//! shuffle generator), uploaded with `set_data` (same shape: no new GPU objects), then
//! `train_steps(batch, ⌈rows / batch⌉)`, which walks those rows in consecutive batches exactly
//! once, then the weights and the optimiser's state come back into the model. The GPU
//! trainer starts from the model's state, so a model without dropout sees the same batches
//! and the same updates on both backends, and its losses agree up to float rounding.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::backend::{Backend, Epoch, Opened};
use super::WebSequential;
use crate::backend::webgpu::{GpuContext, GpuTrainer};
use crate::model::fit::{split_validation, LabelledData};
use crate::web::js_err;
use crate::{Error, FitOptions, Matrix, Sequential};

/// The model's GPU device, kept between `fit` calls (finding an adapter is slow) and given
/// up by `releaseGpu`.
pub(super) type Slot = Rc<RefCell<Option<GpuContext>>>;

pub(super) fn new_slot() -> Slot {
    Slot::default()
}

/// A `fit` call training on the GPU.
pub(super) struct GpuFit {
    ctx: GpuContext,
    trainer: GpuTrainer,
    train_x: Matrix,
    train_y: Matrix,
    val: Option<LabelledData>,
    batch: usize,
    shuffle: bool,
    /// The epoch's rows in visiting order (reused buffers).
    epoch_x: Matrix,
    epoch_y: Matrix,
}

/// Resolves `choice` for one `fit` on `(x, y)` with `opts` (one epoch's worth; `epochs` is
/// ignored). `'webgpu'` rejects when WebGPU or the model cannot; `'auto'` then picks the
/// CPU and says why.
pub(super) async fn open(
    choice: Backend,
    slot: &Slot,
    model: &RefCell<Sequential>,
    x: &Matrix,
    y: &Matrix,
    opts: &FitOptions,
) -> Result<Opened<GpuFit>, JsValue> {
    if choice == Backend::Cpu {
        return Ok(Opened::cpu(None));
    }
    // Bad data or options are the caller's to fix, whichever backend would train.
    let (train_x, train_y, val) = split_validation(x, y, opts).map_err(to_js)?;
    model
        .borrow()
        .check_training_data(&train_x, &train_y, opts.batch_size)
        .map_err(to_js)?;
    let batch = opts.batch_size.min(train_x.rows());
    let opened = match context(slot).await {
        Ok(ctx) => GpuTrainer::new(&ctx, &model.borrow(), batch).map(|t| (ctx, t)),
        Err(e) => Err(e),
    };
    let (ctx, trainer) = match opened {
        Ok(pair) => pair,
        Err(e) if choice == Backend::Auto => {
            return Ok(Opened::cpu(Some(format!(
                "WebGPU could not train this model ({e}); trained on the CPU"
            ))))
        }
        Err(e) => {
            return Err(JsError::new(&format!("backend \"webgpu\" is unavailable: {e}")).into())
        }
    };
    let label = format!("webgpu ({})", trainer.adapter_name());
    Ok(Opened {
        run: Some(GpuFit {
            ctx,
            trainer,
            train_x,
            train_y,
            val,
            batch,
            shuffle: opts.shuffle,
            epoch_x: Matrix::default(),
            epoch_y: Matrix::default(),
        }),
        label,
        note: None,
    })
}

/// The slot's device while it works, else a new one (stored for the next `fit`).
async fn context(slot: &Slot) -> crate::Result<GpuContext> {
    let cached = slot.borrow().clone();
    if let Some(ctx) = cached {
        if ctx.check_alive().is_ok() {
            return Ok(ctx);
        }
    }
    let ctx = GpuContext::new().await?;
    *slot.borrow_mut() = Some(ctx.clone());
    Ok(ctx)
}

fn to_js(e: Error) -> JsValue {
    js_err(e).into()
}

impl GpuFit {
    /// Trains one epoch on the GPU and writes its weights into `model`. A GPU failure is
    /// [`Epoch::Lost`] (the model keeps the previous epoch's weights); divergence and data
    /// errors reject as on the CPU.
    pub(super) async fn epoch(&mut self, model: &RefCell<Sequential>) -> Result<Epoch, JsValue> {
        // A device already gone costs no shuffle, so the CPU epochs that follow visit the
        // rows as a CPU-only run would.
        if let Err(e) = self.ctx.check_alive() {
            return Ok(Epoch::Lost(e.to_string()));
        }
        let rows = self.train_x.rows();
        let order = model.borrow_mut().epoch_order(rows, self.shuffle);
        self.epoch_x.gather_rows(&self.train_x, &order);
        self.epoch_y.gather_rows(&self.train_y, &order);
        let steps = rows.div_ceil(self.batch);
        let trained = match self.trainer.set_data(&self.epoch_x, &self.epoch_y) {
            Ok(()) => self.trainer.train_steps(self.batch, steps).await,
            Err(e) => Err(e),
        };
        let loss = match trained {
            Ok(loss) => loss,
            Err(e @ Error::Backend(_)) => return Ok(Epoch::Lost(e.to_string())),
            Err(e) => return Err(to_js(e)),
        };
        // The optimiser's moments too, so that CPU epochs after this one (a lost device, the
        // next `fit` on the CPU) continue the same run. Read before the model is borrowed:
        // nothing holds it across the wait.
        let state = match self.trainer.read_state().await {
            Ok(state) => Some(state),
            // Lost after training: the weights read back with the losses are still good.
            Err(Error::Backend(_)) => None,
            Err(e) => return Err(to_js(e)),
        };
        let mut m = model.borrow_mut();
        self.trainer.download_into(&mut m).map_err(to_js)?;
        if let Some(state) = state {
            m.set_optimizer_state(state).map_err(to_js)?;
        }
        m.count_outside_epoch(self.trainer.iterations());
        let logs = m
            .epoch_logs(loss, &self.train_x, &self.train_y, self.val.as_ref())
            .map_err(to_js)?;
        Ok(Epoch::Trained {
            logs,
            last_batch: steps - 1,
        })
    }
}

#[wasm_bindgen(js_class = Sequential)]
impl WebSequential {
    /// `model.releaseGpu()`: gives this model's GPU device up now, as if it were lost. A
    /// `fit` on the GPU finishes its remaining epochs on the CPU (from the last finished
    /// epoch's weights); a later `fit` opens the GPU afresh. No effect without a device.
    #[wasm_bindgen(js_name = releaseGpu)]
    pub fn release_gpu(&self) {
        if let Some(ctx) = self.gpu.borrow_mut().take() {
            ctx.release();
        }
    }
}
