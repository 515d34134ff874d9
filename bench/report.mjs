// Turns the benchmark's raw results into bench/results.json, the Markdown table with ratios
// and targets (bench/results.md, with the uploaded-table section) and an SVG chart
// (bench/chart.svg), with no library.
// `node bench/report.mjs` rebuilds the Markdown and the chart from an existing results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartSvg } from './chart.mjs';

const MATMUL_IMPLS = ['ours scalar', 'ours SIMD128', 'ours relaxed-SIMD', 'TF.js cpu', 'TF.js wasm', 'TF.js webgpu'];
const TRAIN_IMPLS = ['ours SIMD128', 'ours relaxed-SIMD', 'TF.js cpu', 'TF.js wasm', 'TF.js webgpu', 'brain.js'];
const TF_IMPLS = ['TF.js cpu', 'TF.js wasm', 'TF.js webgpu'];
const PROBLEMS = { a: '(a) 2-8-8-1, batch 10', 'a-4-2': '(a) 2-4-2-1, batch 10', b: '(b) 784-256-128-10, batch 64' };
/** Training points of problem (a): samples/s ÷ this = epochs/s. */
const A_POINTS = 250;
/** The uploaded table whose load time has a target. */
const TABLE_TARGET = '100k × 64';

const lookup = (res) => (group, id, impl) => res.rows.find((r) => r.group === group && r.id === id && r.impl === impl);
const div = (a, b) => (a != null && b != null && b !== 0 ? a / b : null);

function fmt(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toPrecision(digits);
}
const cell = (r) => (r ? `${fmt(r.value)} (${fmt(r.min)}–${fmt(r.max)})` : '–');
const ratio = (v) => (v == null ? '–' : `${fmt(v)}×`);

/** Every target of the benchmark issue: a measured figure, the requirement and a direction. */
export function evaluateTargets(res) {
  const v = (...k) => lookup(res)(...k)?.value ?? null;
  const bestTf = (problem) => {
    const vals = TF_IMPLS.map((i) => v('train', problem, i)).filter((x) => x != null);
    return vals.length ? Math.max(...vals) : null;
  };
  const t = [];
  const add = (name, separate, required, unit, lower = false) => {
    // Prefer the interleaved measurement of the same ratio where the page took one.
    const pair = res.rows.find((r) => r.group === 'paired' && r.id.startsWith(name));
    const measured = pair ? pair.value : separate;
    const range = pair ? [pair.min, pair.max] : null;
    const ok = measured == null ? null : lower ? measured <= required : measured >= required;
    // How far off: the factor by which the measured figure must improve.
    const gap = measured == null || ok ? null : lower ? measured / required : required / measured;
    t.push({ name: pair ? pair.id : name, measured, separate, range, required, unit, lower, ok, gap });
  };
  add('Matmul NN 256: ours SIMD128 ÷ TF.js wasm', div(v('matmul', 'NN 256', 'ours SIMD128'), v('matmul', 'NN 256', 'TF.js wasm')), 1.0, '×');
  add('Matmul NN 256: ours SIMD128 ÷ SIMD128 peak', div(v('matmul', 'NN 256', 'ours SIMD128'), v('calibration', 'peak madd', 'ours')), 0.65, '× peak');
  add('Matmul NN 256: ours relaxed-SIMD ÷ TF.js wasm', div(v('matmul', 'NN 256', 'ours relaxed-SIMD'), v('matmul', 'NN 256', 'TF.js wasm')), 1.3, '×');
  for (const s of ['TN', 'NT']) {
    add(`Matmul ${s} 256: ours SIMD128 ÷ TF.js wasm`, div(v('matmul', `${s} 256`, 'ours SIMD128'), v('matmul', `${s} 256`, 'TF.js wasm')), 10, '×');
    add(`Matmul ${s} 256 ÷ our NN 256`, div(v('matmul', `${s} 256`, 'ours SIMD128'), v('matmul', 'NN 256', 'ours SIMD128')), 0.8, '×');
  }
  add('Training (b): ours ÷ TF.js wasm', div(v('train', 'b', 'ours SIMD128'), v('train', 'b', 'TF.js wasm')), 5, '×');
  add('Training (a) 2-8-8-1: ours ÷ brain.js', div(v('train', 'a', 'ours SIMD128'), v('train', 'a', 'brain.js')), 5, '×');
  add('Training (a) 2-8-8-1: ours ÷ best TF.js', div(v('train', 'a', 'ours SIMD128'), bestTf('a')), 100, '×');
  add('Training (a) 2-8-8-1: epochs/s of 250 points', div(v('train', 'a', 'ours SIMD128'), A_POINTS), 15000, 'epochs/s');
  add('Decision grid 100×100', v('grid', '100×100', 'ours SIMD128'), 0.5, 'ms', true);
  // The page's first download: the core build (the full `pkg/` in runs from before it existed).
  const gz = (res.sizes?.["ours pkg-core/ wasm (the page's first build)"] ?? res.sizes?.['ours pkg/ wasm'])?.gzip;
  add("Wasm payload, gzip (the page's first CPU build)", gz == null ? null : gz / 1000, 250, 'kB', true);
  add('Navigation → first trained epoch', res.firstEpoch?.epochMs?.median ?? null, 1000, 'ms', true);
  add(`Session.loadCsv of ${TABLE_TARGET} CSV`, v('table', `load ${TABLE_TARGET}`, 'ours SIMD128'), 2000, 'ms', true);
  return t;
}

function targetsTable(targets) {
  const out = ['| target | measured | from separate runs | required | result |', '| --- | ---: | ---: | ---: | --- |'];
  for (const t of targets) {
    const req = `${t.lower ? '≤' : '≥'} ${fmt(t.required)} ${t.unit}`;
    const short = t.gap != null && t.gap < 1.1 ? `${fmt(100 * (t.gap - 1), 2)} % short` : `needs ${fmt(t.gap, 2)}× better`;
    const res = t.ok == null ? 'not measured' : t.ok ? '**pass**' : `**miss** (${short})`;
    const measured = t.measured == null ? '–' : `${fmt(t.measured)} ${t.unit}${t.range ? ` (${fmt(t.range[0])}–${fmt(t.range[1])}), paired` : ''}`;
    const separate = t.range && t.separate != null ? `${fmt(t.separate)} ${t.unit}` : '';
    out.push(`| ${t.name} | ${measured} | ${separate} | ${req} | ${res} |`);
  }
  return out;
}

function matmulTable(res) {
  const get = lookup(res);
  const impls = MATMUL_IMPLS.filter((i) => res.rows.some((r) => r.group === 'matmul' && r.impl === i));
  const ids = [...new Set(res.rows.filter((r) => r.group === 'matmul').map((r) => r.id))];
  const peak = get('calibration', 'peak madd', 'ours')?.value;
  const relaxedPeak = get('calibration', 'peak madd', 'relaxed')?.value;
  const head = ['shape', ...impls, 'SIMD128 % peak', 'SIMD128 ÷ TF.js wasm'];
  if (relaxedPeak) head.push('relaxed % relaxed peak');
  const out = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`];
  for (const id of ids) {
    const simd = get('matmul', id, 'ours SIMD128')?.value;
    const line = [id, ...impls.map((i) => cell(get('matmul', id, i))),
      peak && simd ? `${fmt((100 * simd) / peak)} %` : '–', ratio(div(simd, get('matmul', id, 'TF.js wasm')?.value))];
    if (relaxedPeak) line.push(`${fmt((100 * (get('matmul', id, 'ours relaxed-SIMD')?.value ?? NaN)) / relaxedPeak)} %`);
    out.push(`| ${line.join(' | ')} |`);
  }
  return out;
}

function trainTable(res) {
  const get = lookup(res);
  const impls = TRAIN_IMPLS.filter((i) => res.rows.some((r) => r.group === 'train' && r.impl === i));
  const head = ['problem', ...impls, 'ours ÷ best TF.js', 'ours ÷ brain.js'];
  const out = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`];
  for (const [p, label] of Object.entries(PROBLEMS)) {
    if (!res.rows.some((r) => r.group === 'train' && r.id === p)) continue;
    const ours = get('train', p, 'ours SIMD128')?.value;
    const tfBest = Math.max(...TF_IMPLS.map((i) => get('train', p, i)?.value ?? -Infinity));
    out.push(`| ${label} | ${[...impls.map((i) => cell(get('train', p, i))),
      ratio(div(ours, Number.isFinite(tfBest) ? tfBest : null)), ratio(div(ours, get('train', p, 'brain.js')?.value))].join(' | ')} |`);
    if (p !== 'b') {
      const eps = impls.map((i) => { const r = get('train', p, i); return r ? fmt(r.value / A_POINTS) : '–'; });
      out.push(`| ${label}: epochs/s of ${A_POINTS} points | ${eps.join(' | ')} | | |`);
    }
  }
  return out;
}

/** The uploaded-table benchmark (bench/tables.js): load time, then training beside TF.js
 *  wasm `fit` on the same arrays; epochs/s is samples/s ÷ the training split's rows. */
function tableSection(res) {
  const get = lookup(res);
  const loads = res.rows.filter((r) => r.group === 'table' && r.id.startsWith('load '));
  if (!loads.length) return [];
  const e = res.env ?? {};
  const run = res.tablesRun ?? {};
  const pct = (x) => (x == null ? '?' : `${fmt(100 * x, 2)} %`);
  const out = [
    `## Uploaded tables: ${e.tableColumns ?? 64} numeric columns + a ${e.tableClasses ?? 3}-class label`,
    '',
    `Measured ${run.date ?? res.date}${run.quick ? ', **quick run**' : ''}${run.alone ? ' by `node bench/browser.mjs --only tables` (the other sections are from the full run above)' : ''}.`,
    'Tables generated by `bench/tables.js` from a fixed seed: one-decimal values (0.0–9.9) around per-class means,',
    `with ${pct(e.tableMissingShare)} of the feature cells empty (\`missing: 'fill'\`). Load = \`Session.loadCsv(text, options)\`:`,
    'reading, filling, the split and standardising',
    '(the first load in a fresh session, which also grows wasm memory, has its own column).',
    'Training: 64 → 16 → 16 → 3 softmax, ReLU,',
    `Adam 0.001, batch 32, on the session's ${e.tableTrainRatio ?? 80} % training split; ours = \`setConfig\` then`,
    '`trainEpochs` (shuffled epochs in 64-step chunks, and after each epoch the loss over the training and the test',
    'split, as the page does), TF.js wasm = `model.fit` on the same arrays (`Session.benchTrainingSet`), shuffled,',
    '`yieldEvery: \'never\'` (no animation-frame waits), one epoch per timing.',
    `Ours and TF.js were timed interleaved (${res.rows.find((r) => r.group === 'table' && r.impl === 'TF.js wasm')?.reps ?? 5} rounds, median and range).`,
    '`csvPreview` is the engine\'s read of a picked file for the page\'s preview, before "Use this data" loads it.',
    ...(run.loadavg ? [`Machine load average (1 min) at the start and end of this run: ${run.loadavg.map((x) => x.toFixed(2)).join(' → ')}, on ${run.cpus} cores.`] : []),
    '',
    '| table | CSV | `loadCsv`, ms | first load, ms | `csvPreview`, ms | training rows | ours epochs/s | ours samples/s | TF.js wasm epochs/s | TF.js wasm samples/s | ours ÷ TF.js wasm, paired |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const l of loads) {
    const id = l.id.slice('load '.length);
    const [o, t] = [get('table', `train ${id}`, 'ours SIMD128'), get('table', `train ${id}`, 'TF.js wasm')];
    const n = o?.trainRows ?? t?.trainRows;
    const eps = (r) => (r && n ? `${fmt(r.value / n)} (${fmt(r.min / n)}–${fmt(r.max / n)})` : '–');
    const p = res.rows.find((r) => r.group === 'paired' && r.id === `Table ${id} training: ours ÷ TF.js wasm`);
    out.push(`| ${id} | ${fmt(l.bytes / 1e6)} MB | ${cell(l)} | ${fmt(l.firstMs)} | ${cell(get('table', `preview ${id}`, 'ours SIMD128'))} | ${n == null ? '–' : fmt(n)} | ${eps(o)} | ${cell(o)} | ${eps(t)} | ${cell(t)} | ${p ? `${ratio(p.value)} (${fmt(p.min)}–${fmt(p.max)})` : '–'} |`);
  }
  return out;
}

const GPU = 'ours WebGPU';

/** A ratio that may be tiny (a software adapter against the CPU): also as 1/x. */
const smallRatio = (v) => (v != null && v > 0 && v < 0.1 ? `${ratio(v)} (1/${fmt(1 / v)})` : ratio(v));

/** A WebGPU row's cell: the figure, or why our backend has none ("no adapter …"). */
const gpuCell = (r) => (r && r.value == null && r.note ? r.note : cell(r));

/** Our WebGPU backend beside TF.js webgpu and the CPU builds, and the platform's overheads. */
/** The sequence-model benchmark (bench/sequence.js): training tokens/s beside the same
 *  transformer in TF.js ops with `tf.train.adam`. */
function sequenceSection(res) {
  const get = lookup(res);
  const ours = get('sequence', 'train', 'ours SIMD128');
  if (!ours) return [];
  const sh = res.env?.sequenceShape ?? {};
  const run = res.sequenceRun ?? {};
  const row = (impl) => {
    const r = get('sequence', 'train', impl);
    return r ? `| ${impl} | ${cell(r)} | ${impl.startsWith('ours') ? '1×' : ratio(div(ours.value, r.value))} |` : `| ${impl} | not measured | – |`;
  };
  return [
    `## Sequence model: ${sh.blocks ?? 2} blocks × ${sh.heads ?? 4} heads, width ${sh.width ?? 64}, feed-forward ${sh.ffUnits ?? 128}, length ${sh.length ?? 16}, ${sh.vocab ?? 32} tokens, batch ${sh.batch ?? 32}`,
    '',
    `Measured ${run.date ?? res.date}${run.quick ? ', **quick run**' : ''}${run.alone ? ' by `node bench/browser.mjs --only sequence` (the other sections are from the full run above)' : ''}.`,
    'Training on reverse, Adam 1e-3; TF.js runs the same pre-norm transformer written with its ops (`bench/sequence.js`) on the same batches.',
    '',
    '| implementation | training tokens/s (median, range) | ours ÷ it |',
    '| --- | --- | --- |',
    row('ours SIMD128'),
    row('TF.js wasm'),
    row('TF.js cpu'),
  ];
}

function webgpuSection(res) {
  const e = res.env ?? {};
  const get = lookup(res);
  const ours = res.rows.filter((r) => r.impl === GPU);
  const adapter = e.webgpuAdapter ?? (e.oursWebgpu && e.oursWebgpu !== 'measured' ? e.oursWebgpu : 'n/a');
  const kind = e.webgpuSoftware === true ? '**software adapter**' : e.webgpuSoftware === false ? 'hardware adapter' : 'adapter kind unknown';
  const out = [
    `## WebGPU in the page: ${e.webgpuSoftware ? 'software adapter ' : ''}${adapter}`,
    '',
    `Adapter: ${adapter} (${kind}; our engine: ${e.oursWebgpuAdapter ?? e.oursWebgpu ?? 'n/a'}; TF.js webgpu: ${e.tfWebgpuAdapter ?? 'n/a'}).`,
  ];
  if (e.webgpuSoftware) {
    out.push('These are **not GPU figures**: a software adapter runs the shaders on the CPU, so they show',
      'fixed costs and how our kernels compare with TF.js webgpu on the same adapter only.',
      'Native figures on a real GPU: `cargo run --release --features webgpu --example gpu_bench`.');
  }
  if (res.gpuRun) {
    const run = res.gpuRun;
    const load = run.loadavg ? `, 1-minute load average ${run.loadavg.map((v) => v.toFixed(2)).join(' → ')}` : '';
    out.push('', `This section was measured alone (\`node bench/browser.mjs --only gpu\`${run.quick ? ' --quick' : ''}) on ${run.date}${run.cpus ? `, ${run.cpus} cores` : ''}${load}; the CPU columns beside it are those of the last full run.`);
  }
  out.push('', '### Matmul, GFLOPS (square; ours: N products in one submit, one read-back)', '',
    '| shape | ours WebGPU | TF.js webgpu | ours ÷ TF.js webgpu | ours SIMD128 (CPU) |', '| --- | ---: | ---: | ---: | ---: |');
  for (const id of [...new Set(ours.filter((r) => r.group === 'matmul').map((r) => r.id))]) {
    const [o, t] = [get('matmul', id, GPU), get('matmul', id, 'TF.js webgpu')];
    out.push(`| ${id} | ${gpuCell(o)} | ${cell(t)} | ${smallRatio(div(o?.value, t?.value))} | ${cell(get('matmul', id, 'ours SIMD128'))} |`);
  }
  out.push('', '### Fixed costs, ms (each awaited to completion)', '',
    '| operation | ours (wgpu) | raw WebGPU (JS) |', '| --- | ---: | ---: |');
  const ops = [...new Set(res.rows.filter((r) => r.group === 'webgpu').map((r) => r.id))];
  for (const id of ops) out.push(`| ${id} | ${gpuCell(get('webgpu', id, GPU))} | ${cell(get('webgpu', id, 'raw WebGPU (JS)'))} |`);
  out.push('', '"dispatch in a shared submit": one submit of N tiny dispatches, per dispatch.');
  const trainRows = ours.filter((r) => r.group === 'train');
  if (trainRows.length) {
    out.push('', '### Training, samples/s (ours: `GpuTrainer.trainSteps`, up to 512 steps per submit)', '',
      '| problem | ours WebGPU | ours SIMD128 (CPU) | TF.js webgpu | TF.js wasm | ours WebGPU ÷ TF.js webgpu | ours WebGPU ÷ ours SIMD128 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of trainRows) {
      const [o, c, tg, tw] = [r, get('train', r.id, 'ours SIMD128'), get('train', r.id, 'TF.js webgpu'), get('train', r.id, 'TF.js wasm')];
      out.push(`| ${PROBLEMS[r.id] ?? r.id} | ${gpuCell(o)} | ${cell(c)} | ${cell(tg)} | ${cell(tw)} | ${smallRatio(div(o.value, tg?.value))} | ${smallRatio(div(o.value, c?.value))} |`);
    }
  }
  const pairs = res.rows.filter((r) => r.group === 'paired' && r.id.includes(GPU));
  if (pairs.length) {
    out.push('', 'Timed interleaved (ours, TF.js, ours, TF.js …, 5 rounds; median and range of the per-round ratios):', '');
    for (const p of pairs) out.push(`- ${p.id}: **${fmt(p.value)}×** (${fmt(p.min)}–${fmt(p.max)})`);
  }
  return out;
}

export function markdown(res) {
  const e = res.env ?? {};
  const md = [
    '# Benchmark results',
    '',
    `One headless Chromium page session (${e.browserVersion ?? 'Chromium'}), ${res.date}${res.quick ? ', **quick run**' : ''}. ` +
      'Each figure is the median of 5 timed repetitions after warm-up, with (min–max). ' +
      'Ratios compare figures from this same session. Generated by `cargo xtask bench` (`bench/browser.mjs`).',
    '',
    `- cross-origin isolated: ${e.crossOriginIsolated}; cores reported: ${e.hardwareConcurrency}`,
    `- ours: \`pkg/\` (SIMD128; fast kernel: ${e['ours kernel'] ?? 'n/a'}); relaxed SIMD: ${e.relaxedSimd ?? 'n/a'}` +
      (e['relaxed kernel'] ? ` (kernel: ${e['relaxed kernel']})` : ''),
    `- TF.js ${e.tfVersion ?? ''}: wasm variant loaded **${e.tfWasmVariant ?? 'n/a'}**, threads ${e.tfWasmThreads ?? 'n/a'}; webgpu adapter: ${e.tfWebgpuAdapter ?? 'n/a'}`,
    '',
    '## Targets',
    '',
    'Ratios marked *paired* were timed interleaved (ours, peer, ours, peer …, 5 rounds; median and range of the',
    'per-round ratios), so load drifting on the machine cannot skew them; the column beside it divides the two',
    'separately timed medians from the tables below.',
    '',
    ...targetsTable(evaluateTargets(res)),
    '',
    '## Calibration (single thread, register-only multiply-add)',
    '',
    '| loop | GFLOPS |',
    '| --- | ---: |',
    ...res.rows.filter((r) => r.group === 'calibration').map((r) => `| ${r.impl === 'ours' ? 'SIMD128 mul+add' : 'relaxed-SIMD madd'} | ${cell(r)} |`),
    '',
    '## Matmul, GFLOPS (single thread, square m = k = n)',
    '',
    ...matmulTable(res),
    '',
    '## Training throughput, samples/s (forward, backward, update)',
    '',
    ...trainTable(res),
    '',
    'brain.js updates after every sample (its only mode), TF.js runs `model.fit` for whole epochs, ours runs `train_steps`.',
    '',
    '## Interactive cost',
    '',
    '| figure | value |',
    '| --- | ---: |',
    ...res.rows.filter((r) => r.group === 'grid').map((r) => `| decision grid ${r.id}, 2-8-8-1 (${r.impl}) | ${cell(r)} ms |`),
    ...(res.firstEpoch?.epochMs
      ? [`| navigation → first trained epoch (index.html) | ${cell({ value: res.firstEpoch.epochMs.median, ...res.firstEpoch.epochMs })} ms |`,
        `| navigation → page ready | ${cell({ value: res.firstEpoch.readyMs.median, ...res.firstEpoch.readyMs })} ms |`]
      : [`| navigation → first trained epoch | not measured: ${res.firstEpoch?.error ?? 'n/a'} |`]),
    ...Object.entries(res.sizes ?? {}).map(([k, s]) => `| ${k}: raw / gzip -9 | ${fmt(s.raw / 1000)} kB / ${fmt(s.gzip / 1000)} kB |`),
    '',
    ...tableSection(res),
    '',
    ...sequenceSection(res),
    '',
    ...webgpuSection(res),
    '',
    '## Notes',
    '',
    ...(res.notes ?? []).map((n) => `- ${n}`),
    ...(res.browserProblems ?? []).map((n) => `- browser: ${n}`),
    ...(res.error ? [`- the page failed: ${res.error}`] : []),
    '',
  ];
  return md.join('\n');
}

export function writeReports(dir, res) {
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(res, null, 1)}\n`);
  writeFileSync(join(dir, 'results.md'), markdown(res));
  writeFileSync(join(dir, 'chart.svg'), chartSvg(res, evaluateTargets(res)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = dirname(fileURLToPath(import.meta.url));
  writeReports(dir, JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
}
