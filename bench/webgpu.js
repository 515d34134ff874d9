// The platform's WebGPU floor, measured with the raw API: one submit, one tiny dispatch and
// one 4-byte read-back, each awaited to completion. Any WebGPU engine pays at least these.

const SHADER = `
@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&v)) { v[id.x] = v[id.x] + 1.0; }
}`;

/** `measure` is the page's timing helper. Returns `{ rows: [{ id, stats }], env }` or `{ error }`. */
export async function webgpuOverheads(measure) {
  if (!navigator.gpu) return { error: 'navigator.gpu is missing (WebGPU not enabled)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'no WebGPU adapter' };
  const device = await adapter.requestDevice();
  const info = adapter.info ?? {};
  const env = { webgpuAdapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' };
  const storage = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: storage } }] });

  const submitEmpty = async (n) => {
    for (let i = 0; i < n; i++) {
      device.queue.submit([device.createCommandEncoder().finish()]);
      await device.queue.onSubmittedWorkDone();
    }
  };
  const dispatch = async (n) => {
    for (let i = 0; i < n; i++) {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    }
  };
  const readback = async (n) => {
    for (let i = 0; i < n; i++) {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(storage, 0, read, 0, 4);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      new Float32Array(read.getMappedRange())[0];
      read.unmap();
    }
  };
  const rows = [];
  try {
    rows.push({ id: 'submit (empty)', stats: await measure(submitEmpty, { minMs: 30, maxIters: 4096 }) });
    rows.push({ id: 'dispatch + submit', stats: await measure(dispatch, { minMs: 30, maxIters: 4096 }) });
    rows.push({ id: 'readback 4 B', stats: await measure(readback, { minMs: 30, maxIters: 4096 }) });
  } finally {
    storage.destroy();
    read.destroy();
    device.destroy();
  }
  return { rows, env };
}
