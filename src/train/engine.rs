//! `Engine`: the backend a run trains on, chosen once (`cpu`, `webgpu`, `auto`) and held by
//! the page's session and by the Keras `fit` alike. It owns the one `auto` rule (time a unit
//! on each backend, keep the faster) and the fallback (a GPU that stops working hands the
//! unit, untouched, to the CPU), and says what happened in words.

#[cfg(feature = "webgpu")]
use super::GpuEngine;
use super::{Cpu, News, Trainer};
use crate::spec::BackendChoice;
use crate::{Error, Matrix, Result, Sequential};

/// Milliseconds from some fixed start (`performance.now` on the page, a fake in tests).
pub type Clock = Box<dyn FnMut() -> f64>;

/// Where `auto` is in its measurement.
#[cfg_attr(not(feature = "webgpu"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq)]
enum Auto {
    /// Not measuring (`cpu`, `webgpu`, or decided).
    Off,
    /// The first GPU unit compiles pipelines: not timed.
    WarmUp,
    /// The next GPU unit is timed.
    TimeGpu,
    /// The next unit runs on the CPU, timed; the GPU took this many ms per step.
    TimeCpu(f64),
}

/// The backend a run trains on; see the module docs.
pub struct Engine {
    #[cfg(feature = "webgpu")]
    gpu: Option<GpuEngine>,
    /// `"webgpu (adapter)"` once a GPU was opened.
    gpu_label: Option<String>,
    auto: Auto,
    #[cfg_attr(not(feature = "webgpu"), allow(dead_code))]
    clock: Clock,
    gpu_units: usize,
    lost: bool,
    /// Why the CPU trains, or what auto decided (for reports).
    note: Option<String>,
    /// What changed since the caller last asked (for the page's notices).
    news: Option<News>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("label", &self.label())
            .field("auto", &self.auto)
            .finish()
    }
}

/// Why `webgpu` is refused by a build without the GPU backend.
pub const NOT_IN_THIS_BUILD: &str = "this build has no WebGPU backend; import the full \
     build pkg/nn_playground.js (built by `cargo xtask build`) for backend \"webgpu\"";

impl Engine {
    /// The CPU engine.
    pub fn cpu() -> Self {
        Self {
            #[cfg(feature = "webgpu")]
            gpu: None,
            gpu_label: None,
            auto: Auto::Off,
            clock: Box::new(|| 0.0),
            gpu_units: 0,
            lost: false,
            note: None,
            news: None,
        }
    }

    /// The CPU engine with a note saying why the CPU trains.
    fn cpu_because(news: News) -> Self {
        let mut e = Self::cpu();
        e.note = Some(news.text.clone());
        e.news = Some(news);
        e
    }

    /// Opens what `choice` names. `webgpu` fails with the reason when this build, the browser
    /// or the machine has no GPU; `auto` then trains on the CPU and its note says why.
    /// `clock` times auto's units.
    pub async fn open(choice: BackendChoice, clock: Clock) -> Result<Self> {
        match choice {
            BackendChoice::Cpu => Ok(Self::cpu()),
            #[cfg(feature = "webgpu")]
            _ => match GpuEngine::open().await {
                Ok(gpu) => Ok(Self::on(gpu, choice, clock)),
                Err(e) => Self::unavailable(choice, &e.to_string()),
            },
            #[cfg(not(feature = "webgpu"))]
            _ => {
                let _ = clock;
                Self::unavailable(choice, NOT_IN_THIS_BUILD)
            }
        }
    }

    /// What the page's session trains on once `choice` is made (`was_gpu`: the GPU trained
    /// until now). Never an error: without a GPU the CPU trains and the news says why.
    pub async fn for_page(choice: BackendChoice, clock: Clock, was_gpu: bool) -> Self {
        match Self::open(choice, clock).await {
            Ok(mut e) => {
                if choice == BackendChoice::Cpu && was_gpu {
                    e.news = Some(News::cpu());
                }
                e
            }
            Err(e) => {
                let why = e.to_string();
                let why = why
                    .trim_start_matches("backend error: ")
                    .trim_start_matches("backend \"webgpu\" is unavailable: ");
                let why = why.split("; ").next().unwrap_or(why).trim_end_matches('.');
                Self::cpu_because(News::fell_back(false, why, None))
            }
        }
    }

    /// [`prepare`](Self::prepare), but a GPU that cannot train `model` hands over to the CPU
    /// with the reason in the news whatever the choice (the page's rule).
    pub fn prepare_or_fall_back(&mut self, model: &mut Sequential, batch: usize) {
        #[cfg(feature = "webgpu")]
        if let Some(gpu) = self.gpu.as_mut() {
            if let Err(e) = gpu.prepare(model, batch) {
                self.lose(&e.to_string(), model);
            }
        }
        #[cfg(not(feature = "webgpu"))]
        let _ = (model, batch);
    }

    /// No GPU: an error for `webgpu`, the CPU with the reason for `auto`.
    pub fn unavailable(choice: BackendChoice, why: &str) -> Result<Self> {
        let why = why
            .trim_start_matches("backend error: ")
            .trim_end_matches('.');
        match choice {
            BackendChoice::Webgpu => Err(Error::Backend(format!(
                "backend \"webgpu\" is unavailable: {why}"
            ))),
            _ => Ok(Self::cpu_because(News::fell_back(true, why, None))),
        }
    }

    /// Trains on `gpu` (`webgpu`), or lets `auto` measure it against the CPU first.
    #[cfg(feature = "webgpu")]
    pub fn on(gpu: GpuEngine, choice: BackendChoice, clock: Clock) -> Self {
        let label = gpu.label();
        let auto = choice == BackendChoice::Auto;
        let mut e = Self::cpu();
        e.news = (!auto).then(|| News::on_gpu(adapter(&label)));
        e.gpu_label = Some(label);
        e.gpu = Some(gpu);
        e.clock = clock;
        e.auto = if auto { Auto::WarmUp } else { Auto::Off };
        e
    }

    /// Checks that the GPU can train `model` in batches of `batch` rows before the first unit
    /// (building its copy there): `webgpu` fails with the reason when it cannot, `auto` moves
    /// to the CPU and its note says why. Nothing to check on the CPU.
    pub fn prepare(&mut self, model: &mut Sequential, batch: usize) -> Result<()> {
        #[cfg(feature = "webgpu")]
        if let Some(gpu) = self.gpu.as_mut() {
            if let Err(e) = gpu.prepare(model, batch) {
                if self.auto == Auto::Off {
                    let why = e.to_string();
                    let why = why.trim_start_matches("backend error: ");
                    return Err(Error::Backend(format!(
                        "backend \"webgpu\" is unavailable: {why}"
                    )));
                }
                self.lose(&e.to_string(), model);
            }
        }
        #[cfg(not(feature = "webgpu"))]
        let _ = (model, batch);
        Ok(())
    }

    /// True while units go to the GPU.
    pub fn on_gpu(&self) -> bool {
        #[cfg(feature = "webgpu")]
        return self.gpu.is_some();
        #[cfg(not(feature = "webgpu"))]
        false
    }

    /// The GPU device in use, if any (to keep between runs, or to give up).
    #[cfg(feature = "webgpu")]
    pub fn gpu(&self) -> Option<&GpuEngine> {
        self.gpu.as_ref()
    }

    /// `"cpu"`, `"webgpu (adapter)"`, or `"webgpu (adapter), then cpu"` once the GPU
    /// trained some units and the CPU took over.
    pub fn label(&self) -> String {
        match (&self.gpu_label, self.on_gpu()) {
            (Some(l), true) => l.clone(),
            (Some(l), false) if self.gpu_units > 0 => format!("{l}, then cpu"),
            _ => "cpu".into(),
        }
    }

    /// Why the CPU trains, or what `auto` decided; `None` when nothing needs saying.
    pub fn note(&self) -> Option<String> {
        self.note.clone()
    }

    /// What changed since the last call (the GPU started, auto's verdict, a fallback), in
    /// English.
    pub fn take_news(&mut self) -> Option<String> {
        self.news.take().map(|n| n.text)
    }

    /// [`take_news`](Self::take_news) with the page's phrase parts.
    pub fn take_news_parts(&mut self) -> Option<News> {
        self.news.take()
    }

    /// True once the GPU failed and the CPU took over.
    pub fn lost(&self) -> bool {
        self.lost
    }

    #[cfg(feature = "webgpu")]
    fn lose(&mut self, why: &str, model: &Sequential) {
        let auto = self.auto != Auto::Off;
        self.gpu = None;
        self.lost = true;
        self.auto = Auto::Off;
        let why = why
            .trim_start_matches("backend error: ")
            .trim_end_matches('.');
        // The device's own advice ("continue on the CPU …") is what happens next: said below.
        let why = why.split("; ").next().unwrap_or(why);
        let from = (self.gpu_units > 0).then(|| (model.epochs_trained() + 1, model.iterations()));
        let news = News::fell_back(auto, why, from);
        self.note = Some(news.text.clone());
        self.news = Some(news);
    }

    /// Auto's verdict after the timed CPU unit.
    #[cfg(feature = "webgpu")]
    fn decide(&mut self, gpu_ms: f64, cpu_ms: f64) {
        self.auto = Auto::Off;
        let label = self.gpu_label.clone().unwrap_or_default();
        let (keep_gpu, text) = auto_verdict(gpu_ms, cpu_ms, adapter(&label));
        if !keep_gpu {
            self.gpu = None;
        }
        let (here, there) = if keep_gpu {
            (gpu_ms, cpu_ms)
        } else {
            (cpu_ms, gpu_ms)
        };
        self.note = Some(text.clone());
        self.news = Some(News::verdict(
            text,
            keep_gpu,
            adapter(&label),
            &ms(here),
            &ms(there),
        ));
    }
}

/// The adapter part of `"webgpu (adapter)"`.
#[cfg_attr(not(feature = "webgpu"), allow(dead_code))]
fn adapter(label: &str) -> &str {
    label
        .strip_prefix("webgpu (")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(label)
}

/// `auto`'s rule: keep the GPU when its step took less time than the CPU's (`gpu_ms`,
/// `cpu_ms`: milliseconds per optimiser step); the verdict in words, with both times.
pub fn auto_verdict(gpu_ms: f64, cpu_ms: f64, adapter: &str) -> (bool, String) {
    let took = |a: f64, b: f64| format!("a training step took {} there and {}", ms(a), ms(b));
    if gpu_ms < cpu_ms {
        (
            true,
            format!(
                "Auto chose WebGPU ({adapter}): {} on the CPU.",
                took(gpu_ms, cpu_ms)
            ),
        )
    } else {
        (
            false,
            format!(
                "Auto chose the CPU: {} on WebGPU ({adapter}).",
                took(cpu_ms, gpu_ms)
            ),
        )
    }
}

fn ms(t: f64) -> String {
    if t < 10.0 {
        format!("{t:.3} ms")
    } else {
        format!("{} ms", t.round())
    }
}

impl Trainer for Engine {
    fn label(&self) -> String {
        Engine::label(self)
    }

    async fn train_rows(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>> {
        #[cfg(feature = "webgpu")]
        if let Some(gpu) = self.gpu.as_mut() {
            let steps = rows.len().div_ceil(batch.max(1)).max(1) as f64;
            if let Auto::TimeCpu(gpu_ms) = self.auto {
                let t0 = (self.clock)();
                let losses = Cpu.train_rows(model, x, y, rows, batch, on_batch).await?;
                let cpu_ms = ((self.clock)() - t0) / steps;
                self.decide(gpu_ms, cpu_ms);
                return Ok(losses);
            }
            let t0 = (self.clock)();
            match gpu.train_rows(model, x, y, rows, batch, on_batch).await {
                Ok(losses) => {
                    let per_step = ((self.clock)() - t0) / steps;
                    self.gpu_units += 1;
                    self.auto = match self.auto {
                        Auto::WarmUp => Auto::TimeGpu,
                        Auto::TimeGpu => Auto::TimeCpu(per_step),
                        other => other,
                    };
                    return Ok(losses);
                }
                // The model still holds the state before this unit: the CPU trains it.
                Err(Error::Backend(why)) => self.lose(&why, model),
                Err(e) => return Err(e),
            }
        }
        Cpu.train_rows(model, x, y, rows, batch, on_batch).await
    }

    async fn predict(&mut self, model: &mut Sequential, x: &Matrix) -> Result<Matrix> {
        #[cfg(feature = "webgpu")]
        if let Some(gpu) = self.gpu.as_mut() {
            match gpu.predict(model, x).await {
                Err(Error::Backend(why)) => self.lose(&why, model),
                other => return other,
            }
        }
        Cpu.predict(model, x).await
    }
}
