// The Sequences mode's UI: builds the controls from the engine's choices and defaults,
// talks to its own training worker (the `seq-*` side of worker.js), and draws what the
// frames bring: losses, accuracies, a held-out example with its attention maps, a typed
// input's answer and the token embeddings. No training and no rule of the task lives here.

import { h, select, checkbox, clear, relabel, say } from '../dom.js';
import { LossChart } from '../render/loss_chart.js';
import { paintSeries } from '../render/series_chart.js';
import { paintEmbedding } from '../render/embedding_plot.js';
import { formatNumber } from '../format.js';
import { t, tr, choiceOptions, phrase, lang, setLang, htmlLang, onLangChange, LANGS } from '../i18n/index.js';
import { AttentionGrid } from './attention_grid.js';
import { keepSnapshot, keptSnapshot } from '../storage.js';
import { RestartBudget } from '../restarts.js';

// The engine's f32 settings arrive widened (0.1 → 0.10000000149…); shown as typed.
const short = (v) => String(Number(Number(v).toPrecision(6)));
const pct = (v) => (v === undefined || v === null ? '—' : `${(v * 100).toFixed(1)} %`);

export class SequencePage {
  /**
   * @param {HTMLElement} host  where the UI is built
   * @param {{hash?: string, onChange?: (p: SequencePage) => void, compact?: boolean}} opts
   */
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.config = null;
    this.calls = new Map();
    this.nextId = 1;
    this.backend = 'cpu';
    // The language the link or the select set (written back into the link); null: none.
    this.lang = null;
    this.stopLang = onLangChange(() => this.relabel());
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
    this.root = h('div', { className: 'nnp seq' + (opts.compact ? ' compact' : ''), dataset: { mode: 'sequence', running: 'false' } });
    host.appendChild(this.root);
    // The last snapshot the worker posted (the session's bytes): what a reload of this link
    // and a restart after a crash start from.
    this.linkHash = opts.hash || 'mode=sequence';
    this.lastGood = keptSnapshot(SAVED, this.linkHash)?.bytes;
    this.restarts = new RestartBudget();
    this.startWorker(this.lastGood);
  }

  /** A fresh worker for this page's link, from `restore` (a snapshot's bytes) when given. */
  startWorker(restore) {
    this.worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.workerDied(e.message || 'the training worker stopped');
    };
    this.worker.postMessage({ type: 'seq-init', hash: this.opts.hash || 'mode=sequence', restore });
  }

  /**
   * The worker trapped or died: a fresh one goes on from the last snapshot, training on if it
   * was, within the restart budget every mode shares (`restarts.js`).
   */
  workerDied(reason) {
    const wasRunning = this.root.dataset.running === 'true';
    this.worker.terminate();
    for (const p of this.calls.values()) p.reject(new Error(reason));
    this.calls.clear();
    this.setRunning(false);
    if (!this.lastGood) {
      this.showError(t('worker.failedStart', { reason }));
      return;
    }
    if (!this.restarts.allow()) {
      this.showError(t('worker.keepsFailing', { reason }));
      return;
    }
    this.root.dataset.workerRestarts = String((Number(this.root.dataset.workerRestarts) || 0) + 1);
    this.restarting = { wasRunning };
    this.startWorker(this.lastGood);
  }

  /** Test hook: the worker's next training slice fails as a wasm trap would. */
  crashForTest() {
    return this.call('crashForTest');
  }

  destroy() {
    this.stopLang();
    this.worker.terminate();
    clear(this.host);
  }

  call(method, ...args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'seq-call', id, method, args });
    });
  }

  onMessage(m) {
    switch (m.type) {
      case 'seq-ready':
        if (this.restarting) {
          const { wasRunning } = this.restarting;
          this.restarting = null;
          if (wasRunning) this.call('play').then(() => this.setRunning(true), () => {});
          break;
        }
        this.build(m);
        this.resolveReady();
        break;
      case 'seq-crashed':
        this.workerDied(m.message);
        break;
      case 'seq-reply': {
        const p = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new Error(m.error));
        break;
      }
      case 'seq-frame':
        if (m.snapshot) {
          this.lastGood = m.snapshot;
          // Keyed by the link the page shows now (`shareHash` keeps `linkHash`).
          keepSnapshot(SAVED, this.linkHash, m.snapshot);
        }
        this.frame(m);
        requestAnimationFrame(() => this.worker.postMessage({ type: 'seq-ack' }));
        break;
      case 'seq-error':
        this.showError(t('seq.stopped', { name: phrase(m.message) }));
        this.setRunning(false);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- controls

  build(ready) {
    this.config = ready.config;
    this.info = ready.info;
    this.choices = ready.choices;
    const ch = ready.choices;
    const c = (this.controls = {});
    const bar = h('header', { className: 'bar', dataset: { key: 'controls' } });
    c.reset = h('button', { type: 'button', className: 'round', 'aria-label': tr('seq.reset'), title: tr('seq.reset'), textContent: '⟲', onclick: () => this.act('reset') });
    c.play = h('button', { type: 'button', className: 'round play', 'aria-label': tr('seq.play'), title: tr('seq.play'), textContent: '▶', onclick: () => this.togglePlay() });
    c.step = h('button', { type: 'button', className: 'round', 'aria-label': tr('seq.step'), title: tr('seq.step'), textContent: '▶|', onclick: () => this.act('step') });
    c.stepCount = h('output', { className: 'epoch', dataset: { value: 'step' }, textContent: '0' });
    const speed = select(tr('seq.pace'), 'speed', ch.speeds.map((s) => [s, s === 'max' ? tr('seq.paceMax') : s]), (v) => this.setSpeed(v));
    c.speed = speed.input;
    c.speed.value = ready.speed === null ? 'max' : String(ready.speed);
    bar.append(h('div', { className: 'transport' }, c.reset, c.play, c.step),
      h('div', { className: 'field epoch-box' }, h('span', { className: 'caption', textContent: tr('seq.stepCaption') }), c.stepCount), speed.el);
    c.rate = h('output', { className: 'speed', dataset: { value: 'rate' } });
    bar.append(c.rate);

    const num = (key, lo, hi, stepBy, apply) => {
      const input = h('input', { type: 'number', min: String(lo), max: String(hi), step: String(stepBy), dataset: { control: key } });
      input.addEventListener('change', () => this.edit((cfg) => apply(cfg, Number(input.value))));
      const el = h('div', { className: 'field', dataset: { key } }, h('label', {}, tr(`seq.${key}`), ' ', input));
      c[key] = input;
      return el;
    };
    const range = (n) => Array.from({ length: n }, (_, i) => i + 1);
    const task = select(tr('seq.task'), 'task', choiceOptions(ch, 'tasks'), (v) => this.edit((cfg) => { cfg.task.task = v; }));
    c.task = task.input;
    c.offsetField = num('offset', 1, ch.max_length - 1, 1, (cfg, v) => { cfg.task.offset = v; });
    c.modulusField = num('modulus', ch.modulus.min, ch.modulus.max, ch.modulus.step, (cfg, v) => { cfg.task.modulus = v; });
    const taskCol = h('section', { className: 'seq-col', dataset: { key: 'task' } }, h('h2', { textContent: tr('seq.section.task') }), task.el,
      num('length', 2, ch.max_length, 1, (cfg, v) => { cfg.task.length = v; }),
      num('vocab', 2, ch.max_vocab, 1, (cfg, v) => { cfg.task.vocab = v; }),
      c.offsetField, c.modulusField);

    const blocks = select(tr('seq.blocks'), 'blocks', range(ch.max_blocks), (v) => this.edit((cfg) => { cfg.blocks = Number(v); }));
    const heads = select(tr('seq.heads'), 'heads', range(ch.max_heads), (v) => this.edit((cfg) => { cfg.heads = Number(v); }));
    const causal = checkbox(tr('seq.causal'), 'causal', (v) => this.edit((cfg) => { cfg.causal = v; }));
    Object.assign(c, { blocks: blocks.input, heads: heads.input, causal: causal.input });
    const modelCol = h('section', { className: 'seq-col', dataset: { key: 'model' } }, h('h2', { textContent: tr('seq.section.model') }), blocks.el, heads.el,
      num('width', 1, ch.max_width, 1, (cfg, v) => { cfg.width = v; }),
      num('ffUnits', 1, ch.max_ff_units, 1, (cfg, v) => { cfg.ff_units = v; }),
      num('dropout', 0, ch.max_dropout, 0.05, (cfg, v) => { cfg.dropout = v; }), causal.el);

    const opt = select(tr('optimizer'), 'optimizer', choiceOptions(ch, 'optimizers'), (v) => this.edit((cfg) => { cfg.optimizer.kind = v; }));
    const backend = select(tr('backend'), 'backend', choiceOptions(ch, 'backends'), (v) => this.setBackend(v));
    Object.assign(c, { optimizer: opt.input, backend: backend.input });
    c.backendNote = h('p', { className: 'status', dataset: { value: 'backend-note' } });
    const trainCol = h('section', { className: 'seq-col', dataset: { key: 'training' } }, h('h2', { textContent: tr('seq.section.training') }), opt.el,
      num('learningRate', ch.learning_rate.min, ch.learning_rate.max, ch.learning_rate.step, (cfg, v) => { cfg.optimizer.learning_rate = v; }),
      num('warmup', ch.warmup.min, ch.warmup.max, ch.warmup.step, (cfg, v) => { cfg.optimizer.warmup_steps = v; }),
      num('batchSize', 1, ch.max_batch_size, 1, (cfg, v) => { cfg.batch_size = v; }),
      num('seed', ch.seed.min, ch.seed.max, ch.seed.step, (cfg, v) => { cfg.seed = v; }), backend.el, c.backendNote);
    c.error = h('p', { className: 'error', role: 'alert', dataset: { value: 'error' } });
    c.error.hidden = true;
    // Each language is named in itself, so a reader finds theirs whatever the page says.
    const language = select(tr('page.lang'), 'lang', Object.keys(LANGS).map((k) => [k, LANGS[k]['lang.name']]), (v) => this.setLanguage(v));
    c.lang = language.input;
    bar.append(language.el);
    if (ready.lang) {
      this.lang = ready.lang;
      setLang(ready.lang);
    }
    c.lang.value = lang();
    this.root.lang = htmlLang();
    // Said once the link's language is set, so a `lang=zh` link's notice reads in Chinese.
    if (ready.warning) this.showError(phrase(ready.warning));

    // Views.
    c.testSeq = h('output', { className: 'loss', dataset: { value: 'test-sequence-accuracy' }, textContent: '—' });
    c.testTok = h('output', { className: 'loss', dataset: { value: 'test-token-accuracy' }, textContent: '—' });
    const lossCanvas = h('canvas', { className: 'chart', dataset: { chart: 'loss' } });
    const lossReadout = h('output', { className: 'chart-readout' });
    // Each point at the step it was measured at (points come per training slice, not a
    // fixed number of steps apart), the readout saying "step".
    this.lossChart = new LossChart(lossCanvas, lossReadout, { readout: 'seq.lossReadout' });
    c.accuracy = h('canvas', { className: 'chart', dataset: { chart: 'accuracy' } });
    const progress = h('section', { className: 'seq-view', dataset: { key: 'progress' } }, h('h2', { textContent: tr('seq.section.progress') }),
      h('div', { className: 'losses' }, h('div', {}, tr('seq.testSeqAcc'), ' ', c.testSeq), h('div', {}, tr('seq.testTokAcc'), ' ', c.testTok)),
      h('div', { className: 'caption', textContent: tr('seq.lossCaption') }), lossCanvas, lossReadout,
      h('div', { className: 'caption', textContent: tr('seq.accuracyCaption') }), c.accuracy);

    c.exampleIndex = h('input', { type: 'number', min: '0', step: '1', value: '0', dataset: { control: 'example' } });
    c.exampleIndex.addEventListener('change', () => this.call('setExample', Number(c.exampleIndex.value)).then((i) => { c.exampleIndex.value = String(i); }));
    const next = h('button', { type: 'button', className: 'text', dataset: { key: 'next' }, textContent: tr('seq.next'), onclick: () => this.call('setExample', 'next').then((i) => { c.exampleIndex.value = String(i); }) });
    c.tokens = h('div', { className: 'seq-tokens', dataset: { value: 'example' } });
    this.exampleMaps = new AttentionGrid();
    const example = h('section', { className: 'seq-view', dataset: { key: 'example' } }, h('h2', { textContent: tr('seq.section.example') }),
      h('div', { className: 'field inline' }, h('label', {}, tr('seq.exampleIndex'), ' ', c.exampleIndex), next), c.tokens,
      h('h3', { textContent: tr('seq.section.attention') }), h('p', { className: 'status', textContent: tr('seq.attentionHelp') }), this.exampleMaps.el);

    c.tryInput = h('input', { type: 'text', dataset: { control: 'try' }, spellcheck: 'false', autocomplete: 'off' });
    c.tryInput.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') this.tryInput(); });
    const run = h('button', { type: 'button', dataset: { key: 'try-run' }, textContent: tr('seq.tryRun'), onclick: () => this.tryInput() });
    c.tryError = h('p', { className: 'error', role: 'alert', dataset: { value: 'try-error' } });
    c.tryError.hidden = true;
    c.tryTokens = h('div', { className: 'seq-tokens', dataset: { value: 'try' } });
    this.tryMaps = new AttentionGrid();
    const tryBox = h('section', { className: 'seq-view', dataset: { key: 'try' } }, h('h2', { textContent: tr('seq.section.try') }),
      h('div', { className: 'field inline' }, c.tryInput, run), c.tryError, c.tryTokens, this.tryMaps.el);

    c.embedding = h('canvas', { className: 'seq-embedding', dataset: { chart: 'embedding' } });
    const embed = h('section', { className: 'seq-view', dataset: { key: 'embedding' } }, h('h2', { textContent: tr('seq.section.embedding') }), c.embedding);

    this.root.append(bar, c.error, h('div', { className: 'seq-settings' }, taskCol, modelCol, trainCol),
      h('div', { className: 'seq-views' }, progress, example, tryBox, embed));
    this.showConfig(this.config, this.info);
    this.root.dataset.ready = 'true';
  }

  /** Puts a config's values into the controls (after a refusal, the kept one's). */
  showConfig(cfg, info) {
    const c = this.controls;
    c.task.value = cfg.task.task;
    c.length.value = String(cfg.task.length);
    c.vocab.value = String(cfg.task.vocab);
    c.offset.value = String(cfg.task.offset);
    c.modulus.value = String(cfg.task.modulus);
    c.offsetField.hidden = cfg.task.task !== 'copy_offset';
    c.modulusField.hidden = cfg.task.task !== 'modular_addition';
    c.blocks.value = String(cfg.blocks);
    c.heads.value = String(cfg.heads);
    c.width.value = String(cfg.width);
    c.ffUnits.value = String(cfg.ff_units);
    c.dropout.value = short(cfg.dropout);
    c.causal.checked = cfg.causal;
    c.optimizer.value = cfg.optimizer.kind;
    c.learningRate.value = short(cfg.optimizer.learning_rate);
    c.warmup.value = String(cfg.optimizer.warmup_steps);
    c.batchSize.value = String(cfg.batch_size);
    c.seed.value = String(cfg.seed);
    c.exampleIndex.max = String(Math.max(0, info.test_size - 1));
    c.tryInput.placeholder = t('seq.tryPlaceholder', { name: info.token_names.slice(0, Math.min(4, info.token_names.length)).join(' ') });
  }

  async edit(change) {
    const next = structuredClone(this.config);
    change(next);
    try {
      const { config, info } = await this.call('setConfig', next);
      this.config = config;
      this.info = info;
      this.clearError();
      this.controls.exampleIndex.value = '0';
      this.opts.onChange?.(this);
    } catch (err) {
      this.showError(t('seq.notUsed', { name: phrase(err.message) }));
    }
    this.showConfig(this.config, this.info);
  }

  async act(method) {
    try {
      await this.call(method);
    } catch (err) {
      this.showError(err.message);
    }
  }

  togglePlay() {
    const on = this.root.dataset.running !== 'true';
    this.setRunning(on);
    this.call(on ? 'play' : 'pause');
  }

  setRunning(on) {
    this.root.dataset.running = String(on);
    if (this.controls) this.controls.play.textContent = on ? '❚❚' : '▶';
  }

  async setSpeed(v) {
    await this.call('setSpeed', v === 'max' ? null : Number(v));
    this.opts.onChange?.(this);
  }

  setBackend(v) {
    this.backend = v;
    say(this.controls.backendNote, 'textContent', v === 'cpu' ? () => '' : tr('seq.cpuOnly'));
  }

  async tryInput() {
    const c = this.controls;
    try {
      const out = await this.call('predict', c.tryInput.value);
      c.tryError.hidden = true;
      this.showTokens(c.tryTokens, out);
      this.tryMaps.show(out.attention, this.names(out.input));
    } catch (err) {
      c.tryError.textContent = t('seq.tryRefused', { name: phrase(err.message) });
      c.tryError.hidden = false;
    }
  }

  /** The link of the setup; kept as `linkHash`, the key its snapshot is saved under. */
  async shareHash() {
    const hash = await this.call('shareHash', this.lang);
    this.linkHash = hash;
    return hash;
  }

  setLanguage(v) {
    this.lang = v;
    setLang(v);
    this.opts.onChange?.(this);
  }

  /** Says every text again in the page's language and repaints the views' words. */
  relabel() {
    if (!this.controls) return;
    relabel(this.root);
    this.root.lang = htmlLang();
    this.controls.lang.value = lang();
    this.setRunning(this.root.dataset.running === 'true');
    if (this.views) this.paintViews(this.views);
  }

  showError(text) {
    if (!this.controls) return;
    this.controls.error.textContent = text;
    this.controls.error.hidden = false;
  }

  clearError() {
    this.controls.error.hidden = true;
    this.controls.error.textContent = '';
  }

  // ---------------------------------------------------------------- views

  names(ids) {
    return ids.map((t) => this.info.token_names[t] ?? String(t));
  }

  frame(m) {
    const c = this.controls;
    if (!c) return;
    this.lastFrame = m;
    this.setRunning(m.running);
    c.stepCount.textContent = String(m.step);
    this.root.dataset.step = String(m.step);
    c.rate.textContent = m.running ? t('seq.speedReadout', { name: formatNumber(m.rates.stepsPerSec, 3) }) : '';
    if (m.point) {
      c.testSeq.textContent = pct(m.point.test_sequence_accuracy);
      c.testTok.textContent = pct(m.point.test_token_accuracy);
      c.testSeq.dataset.fraction = String(m.point.test_sequence_accuracy);
    } else {
      c.testSeq.textContent = c.testTok.textContent = '—';
      delete c.testSeq.dataset.fraction;
    }
    if (m.history) {
      this.views = { history: m.history, example: m.example, exampleIndex: m.exampleIndex, embedding: m.embedding };
      this.paintViews(this.views);
    }
  }

  paintViews(v) {
    const c = this.controls;
    if (v.history) {
      const hist = v.history;
      const steps = hist.map((p) => p.step);
      this.lossChart.setData(hist.map((p) => p.train_loss), hist.map((p) => p.test_loss), 1, false, steps);
      paintSeries(c.accuracy, [
        { name: t('seq.testSeq'), values: hist.map((p) => p.test_sequence_accuracy), color: '#0877bd' },
        { name: t('seq.trainSeq'), values: hist.map((p) => p.train_sequence_accuracy), color: '#0877bd', dash: [4, 3] },
        { name: t('seq.testTok'), values: hist.map((p) => p.test_token_accuracy), color: '#f59322' },
        { name: t('seq.trainTok'), values: hist.map((p) => p.train_token_accuracy), color: '#f59322', dash: [4, 3] },
      ], 1, steps);
    }
    if (v.example) {
      c.exampleIndex.value = String(v.exampleIndex);
      this.showTokens(c.tokens, v.example);
      this.exampleMaps.show(v.example.attention, this.names(v.example.input));
    }
    if (v.embedding) {
      const e = v.embedding;
      const xy = new Float32Array(e.x.length * 2);
      e.x.forEach((x, i) => { xy[2 * i] = x; xy[2 * i + 1] = e.y[i]; });
      paintEmbedding(c.embedding, xy, e.names, e.explained);
    }
  }

  /** Input, target and predicted tokens; per position right (✓) or wrong. */
  showTokens(host, ex) {
    clear(host);
    const perPosition = this.info.per_position;
    const row = (label, ids, marks) => h('div', { className: 'seq-row', dataset: { row: label } },
      h('span', { className: 'caption', textContent: tr(`seq.row.${label}`) }),
      ...ids.map((id, i) => h('span', {
        className: 'tok' + (marks && marks[i] !== null && marks[i] !== undefined ? (marks[i] ? ' ok' : ' bad') : ''),
        textContent: perPosition || label === 'input' ? (this.info.token_names[id] ?? String(id)) : t('seq.classAnswer', { name: id }),
      })));
    host.append(row('input', ex.input));
    if (ex.target) host.append(row('target', ex.target));
    host.append(row('predicted', ex.predicted, ex.correct));
  }
}

const SAVED = 'nn-playground:sequence-before-reload';
