//! `News`: what the engine says about its backend (the GPU started, auto's verdict, a
//! fallback to the CPU), as English text and as the page's phrase parts (stable keys with
//! their values), so the page says it in its own language.

use serde_json::{json, Value};

/// One notice: `text` in English; `parts` the same as `[{key, vars}]` phrases for the page's
/// string tables (a var is a plain value, or `{key}` for a phrase of its own). The engine's
/// own reasons (`detail`) stay as the engine wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct News {
    pub text: String,
    pub parts: Value,
}

impl News {
    /// "Training on the CPU."
    pub fn cpu() -> Self {
        Self {
            text: "Training on the CPU.".into(),
            parts: json!([{ "key": "gpu.cpu" }]),
        }
    }

    /// "Training on WebGPU (adapter)."
    pub fn on_gpu(adapter: &str) -> Self {
        Self {
            text: format!("Training on WebGPU ({adapter})."),
            parts: json!([{ "key": "gpu.on", "vars": { "adapter": adapter } }]),
        }
    }

    /// The GPU is not used (`auto`: auto chose the CPU) because of `why`; the CPU trains on,
    /// from the weights read back at `from` (epoch, step) when the GPU had trained.
    pub fn fell_back(auto: bool, why: &str, from: Option<(usize, u64)>) -> Self {
        let (who, who_key) = if auto {
            ("Auto chose the CPU", "gpu.autoChoseCpu")
        } else {
            ("WebGPU is not used", "gpu.notUsed")
        };
        let (next, next_part) = match from {
            // The reason already says how training goes on ("… continue on the CPU").
            None if why.contains("on the CPU") => (String::new(), Value::Null),
            None => (
                " Training continues on the CPU.".to_string(),
                json!({ "key": "gpu.continues" }),
            ),
            Some((epoch, step)) => (
                format!(
                    " Training continues on the CPU from the last weights read back (epoch {epoch}, step {step})."
                ),
                json!({ "key": "gpu.continuesFromWeights", "vars": { "epoch": epoch, "step": step } }),
            ),
        };
        Self {
            text: format!("{who}: {why}.{next}"),
            parts: json!([
                { "key": "gpu.failed", "vars": { "why": { "key": who_key }, "detail": why } },
                next_part
            ]),
        }
        .without_nulls()
    }

    fn without_nulls(mut self) -> Self {
        if let Value::Array(parts) = &mut self.parts {
            parts.retain(|p| !p.is_null());
        }
        self
    }

    /// Auto's verdict: `gpu` kept or not, with a step's time on the chosen backend (`here`)
    /// and on the other (`there`), already formatted.
    pub fn verdict(text: String, gpu: bool, adapter: &str, here: &str, there: &str) -> Self {
        let key = if gpu { "gpu.autoGpu" } else { "gpu.autoCpu" };
        Self {
            text,
            parts: json!([{ "key": key, "vars": { "adapter": adapter, "here": here, "there": there } }]),
        }
    }
}
