//! `GpuContext`: the adapter, device and queue, found once, with the device-lost flag and
//! the buffer utilities (upload, asynchronous read-back) every GPU piece shares.

use std::sync::{Arc, Mutex};

use wgpu::util::DeviceExt;

use crate::{Error, Result};

/// A WebGPU device ready for compute work. Cheap to clone (handles are shared).
#[derive(Clone)]
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    /// Whose adapter it is, in the browser's words (`GPUAdapterInfo`), where wgpu gets none.
    described: Option<String>,
    lost: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.adapter_name())
            .finish()
    }
}

impl GpuContext {
    /// Finds an adapter (high performance preferred) and opens a device with the adapter's own
    /// limits, so large datasets fit in one storage buffer where the hardware allows.
    pub async fn new() -> Result<Self> {
        #[cfg(target_arch = "wasm32")]
        browser_has_webgpu()?;
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| {
                Error::Backend(format!(
                    "no WebGPU adapter: this browser or machine offers no usable GPU ({e}); \
                     training runs on the CPU instead"
                ))
            })?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("nn-playground"),
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| {
                Error::Backend(format!(
                    "the GPU \"{}\" was found but refused to open a device ({e}); \
                     training runs on the CPU instead",
                    info.name
                ))
            })?;
        let lost = Arc::new(Mutex::new(None));
        let flag = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut l) = flag.lock() {
                *l = Some(format!("{reason:?}: {message}"));
            }
        });
        #[cfg(target_arch = "wasm32")]
        let described = browser_adapter_words().await;
        #[cfg(not(target_arch = "wasm32"))]
        let described = None;
        Ok(Self {
            device,
            queue,
            info,
            described,
            lost,
        })
    }

    /// The adapter's name and backend, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)"`.
    pub fn adapter_name(&self) -> String {
        // Browsers keep the adapter's name to themselves: say which API it is instead.
        let name = match (&self.described, self.info.name.is_empty()) {
            (_, false) => &self.info.name,
            (Some(words), true) => words,
            (None, true) => "unnamed adapter",
        };
        format!("{name} ({:?})", self.info.backend)
    }

    /// Device limits (buffer sizes, workgroup counts).
    pub fn limits(&self) -> wgpu::Limits {
        self.device.limits()
    }

    /// Gives the device up now (its memory is freed; every later GPU call on this context
    /// returns [`Error::Backend`]), e.g. when the page switches to the CPU for good. Behaves
    /// like a lost device, so it also exercises the fallback path.
    pub fn release(&self) {
        if let Ok(mut l) = self.lost.lock() {
            l.get_or_insert_with(|| "released by the application".into());
        }
        self.device.destroy();
    }

    /// `Err(Backend)` once the device was lost (driver reset, tab in background, GPU removed).
    pub fn check_alive(&self) -> Result<()> {
        match self.lost.lock().ok().and_then(|l| l.clone()) {
            Some(why) => Err(Error::Backend(format!(
                "the GPU device was lost ({why}); continue on the CPU from the last weights read back"
            ))),
            None => Ok(()),
        }
    }

    /// A storage buffer initialised with `data` (at least 16 bytes, a multiple of 16, so it
    /// can also be viewed as `vec4` and is never a zero-size binding).
    pub(crate) fn storage_init(&self, label: &str, data: &[f32]) -> wgpu::Buffer {
        let mut padded = data.to_vec();
        padded.resize(data.len().div_ceil(4).max(1) * 4, 0.0);
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(&padded),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
            })
    }

    /// A zeroed storage buffer of `len` floats (padded as in [`storage_init`](Self::storage_init)).
    pub(crate) fn storage(&self, label: &str, len: usize) -> Result<wgpu::Buffer> {
        let size = (len.div_ceil(4).max(1) * 16) as u64;
        let limits = self.device.limits();
        let cap = limits
            .max_buffer_size
            .min(limits.max_storage_buffer_binding_size);
        if size > cap {
            return Err(Error::Limit(format!(
                "{label} needs {} MB on the GPU, more than this adapter allows in one buffer ({} MB)",
                size >> 20,
                cap >> 20
            )));
        }
        Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }))
    }

    /// A buffer the CPU can map for reading, `bytes` long.
    pub(crate) fn staging(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(16).div_ceil(16) * 16,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Maps `staging` (already filled by a submitted copy) and returns its first `len` floats.
    /// The only wait: natively a blocking poll, on the web the map callback's promise.
    pub(crate) async fn read_staging(
        &self,
        staging: &wgpu::Buffer,
        len: usize,
    ) -> Result<Vec<f32>> {
        let bytes = (len * 4) as u64;
        let slice = staging.slice(0..bytes.max(4));
        let (tx, rx) = futures_channel::oneshot::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))?;
        let mapped = rx
            .await
            .map_err(|_| Error::Backend("the GPU read-back was cancelled".into()))?;
        mapped.map_err(|e| {
            self.check_alive().err().unwrap_or_else(|| {
                Error::Backend(format!("reading results from the GPU failed: {e}"))
            })
        })?;
        let out = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| Error::Backend(format!("GPU read-back range: {e}")))?;
            bytemuck::cast_slice::<u8, f32>(&view)[..len].to_vec()
        };
        staging.unmap();
        Ok(out)
    }

    /// Copies `len` floats of `src` back to the CPU (one submit, one map).
    pub(crate) async fn read_buffer(&self, src: &wgpu::Buffer, len: usize) -> Result<Vec<f32>> {
        self.check_alive()?;
        let staging = self.staging("read-back", (len * 4) as u64);
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(
            src,
            0,
            &staging,
            0,
            Some(((len * 4) as u64).max(4).div_ceil(4) * 4),
        );
        self.queue.submit([enc.finish()]);
        self.read_staging(&staging, len).await
    }
}

/// `navigator.gpu` must exist before wgpu is asked for an adapter (wgpu panics where there
/// is no navigator at all, e.g. in Node).
#[cfg(target_arch = "wasm32")]
fn browser_has_webgpu() -> Result<()> {
    use wasm_bindgen::JsValue;
    let get = |obj: &JsValue, key: &str| {
        js_sys::Reflect::get(obj, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let gpu = get(&js_sys::global().into(), "navigator").and_then(|n| get(&n, "gpu"));
    match gpu {
        Some(_) => Ok(()),
        None => Err(Error::Backend(
            "no WebGPU in this browser (navigator.gpu is missing; it needs a recent Chrome, Edge \
             or Safari, or Firefox with WebGPU enabled, and a secure https:// page); training \
             runs on the CPU instead"
                .into(),
        )),
    }
}

/// The browser's words for its adapter (`GPUAdapterInfo`: vendor, architecture, description,
/// e.g. "google swiftshader", the software adapter), which tell a person what speed to
/// expect; `None` where it says nothing.
#[cfg(target_arch = "wasm32")]
async fn browser_adapter_words() -> Option<String> {
    use wasm_bindgen::{JsCast, JsValue};
    let get = |obj: &JsValue, key: &str| {
        js_sys::Reflect::get(obj, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let gpu = get(&js_sys::global().into(), "navigator").and_then(|n| get(&n, "gpu"))?;
    let request = get(&gpu, "requestAdapter")?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise = request
        .call0(&gpu)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let info = get(&adapter, "info")?;
    let mut words: Vec<String> = Vec::new();
    for key in ["vendor", "architecture", "description"] {
        if let Some(w) = get(&info, key).and_then(|v| v.as_string()) {
            if !w.is_empty() && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    (!words.is_empty()).then(|| words.join(" "))
}
