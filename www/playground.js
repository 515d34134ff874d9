// The playground UI: builds every control into a root (the page or a shadow root), talks to
// its own training worker, and draws the frames the worker posts. No training happens here.

import { h, select, slider, checkbox, clear, say, relabel, setOptions } from './dom.js';
import { paintGrid, paintPoints, paintThumbnail, eventToData, setDomain } from './render/heatmap.js';
import { NetworkView } from './render/network.js';
import { panelMethods } from './panels.js';
import { fileMethods } from './files.js';
import { tableMethods } from './table.js';
import { healthMethods } from './health.js';
import { explainMethods } from './explain.js';
import { watchMethods } from './watch.js';
import { replayMethods } from './replay.js';
import { formatNumber } from './format.js';
import { t, tr, choiceOptions, phrase, lang, htmlLang, setLang, onLangChange, LANGS } from './i18n/index.js';
import { RestartBudget } from './restarts.js';


/** How long a worker has to answer after a thread of its pool died before it counts as stuck. */
const POOL_PROBE_MS = 3000;
// The threads build's watchdog: an engine silent this long while it trains or owes an answer
// is probed (POOL_PROBE_MS); a pool thread that stops without a panic sends no report, and
// the engine's thread then waits on its band for good. Longer than any call the page makes
// (a large table's upload takes a few seconds), so a slow call is never taken for a hang.
const SILENCE_MS = 15_000;

export class Playground {
  /**
   * @param {HTMLElement} host  where the UI is built
   * @param {{hash?: string, hide?: string[], onChange?: (p: Playground) => void, compact?: boolean,
   *   restore?: object, onSnapshot?: (p: Playground, snapshot: object) => void}} opts
   *   `restore`: a snapshot to start from (the page's own, kept over a reload); `onSnapshot`
   *   receives every snapshot the worker posts.
   */
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.config = null;
    this.hide = [];
    this.frame = null;
    this.history = { train: [], test: [], validation: [] };
    this.points = null;
    this.calls = new Map();
    this.nextId = 1;
    this.pendingDraw = false;
    this.hover = null;
    this.build();
    // One language for the whole document: every playground in it says its texts again.
    this.stopLang = onLangChange(() => this.relabel());
    // The worker's last good state ({config, model, data?}), posted every few seconds; a
    // worker that dies is restarted from it.
    this.lastGood = null;
    this.restarts = new RestartBudget();
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
    this.startWorker(opts.restore
      ? { type: 'init', restore: opts.restore, hash: opts.hash || '' }
      : { type: 'init', hash: opts.hash || '' });
  }

  startWorker(initMessage) {
    this.listenForPoolDeaths();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.lastHeard = Date.now();
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
    this.worker.onmessage = (e) => {
      this.lastHeard = Date.now();
      this.onMessage(e.data);
    };
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.workerDied(e.message || 'unknown error');
    };
    this.worker.postMessage({ ...initMessage, poolChannel: this.poolChannel.name });
  }

  /**
   * A thread of the engine's pool that dies says so on a BroadcastChannel of this playground
   * (the engine's worker may be blocked waiting for that thread's band, and then says
   * nothing). One call then probes the worker: an answer means it went on alone (it tells
   * the user itself); none within POOL_PROBE_MS means it is stuck, and it is restarted from
   * the last snapshot on the single-thread build, like a worker that died.
   */
  listenForPoolDeaths() {
    if (this.poolChannel) return;
    const id = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
    this.poolChannel = new BroadcastChannel(`nnp-pool-${id}`);
    this.poolChannel.onmessage = ({ data }) => {
      if (data?.type !== 'poolThreadStopped') return;
      this.probe(t('threads.poolBlocked'));
    };
  }

  /**
   * One call to the worker: an answer within POOL_PROBE_MS means it is alive; none means it
   * is stuck, and it is restarted from the last snapshot, `reason` told to the user.
   */
  probe(reason) {
    if (this.probing) return;
    this.probing = true;
    const worker = this.worker;
    const answered = this.call('status').then(() => true, () => true);
    const late = new Promise((resolve) => setTimeout(() => resolve(false), POOL_PROBE_MS));
    Promise.race([answered, late]).then((alive) => {
      this.probing = false;
      if (!alive && this.worker === worker) this.workerDied(reason);
    });
  }

  /**
   * The watchdog (threads build only, where a pool thread can stop without a word): an
   * engine that has said nothing for SILENCE_MS while it trains or owes an answer is probed.
   */
  checkSilence() {
    if (this.root.dataset.engineBuild !== 'threads') return;
    const busy = this.root.dataset.running === 'true' || this.calls.size > 0;
    if (busy && Date.now() - this.lastHeard > SILENCE_MS) this.probe(t('threads.poolSilent'));
  }

  /**
   * The worker trapped, ran out of memory or threw outside any call. Its wasm instance cannot
   * be trusted any more: replace it with a fresh worker built from the last good model and
   * settings, tell the user, and train on if it was training. Three deaths within a minute
   * stop the retries, so a fault that recurs at once cannot loop forever.
   */
  workerDied(reason) {
    const wasRunning = this.root.dataset.running === 'true';
    this.worker.terminate();
    for (const p of this.calls.values()) p.reject(new Error(t('worker.stoppedCall')));
    this.calls.clear();
    this.setRunning(false);
    if (!this.lastGood) {
      this.showError({ key: 'worker.failedStart', vars: { reason } });
      return;
    }
    if (!this.restarts.allow()) {
      this.showError({ key: 'worker.keepsFailing', vars: { reason } });
      return;
    }
    this.restarting = { reason, wasRunning };
    this.root.dataset.workerRestarts = String((Number(this.root.dataset.workerRestarts) || 0) + 1);
    // A worker of the thread pool that dies takes the engine's worker with it (its error
    // reaches here through it): the restart runs the single-thread build from then on.
    if (this.root.dataset.engineBuild === 'threads') this.singleThread = true;
    this.startWorker({ type: 'init', restore: this.lastGood, hide: this.hide, singleThread: Boolean(this.singleThread) });
  }

  /**
   * Test hook: makes the worker fail the way a wasm trap does, to exercise the restart.
   * Changes nothing else; the UI never calls it.
   */
  __crashWorkerForTest() {
    return this.call('crashForTest').catch(() => {});
  }

  /** Test hook: stops one worker of the engine's thread pool (threads build only). */
  __crashPoolThreadForTest() {
    return this.call('crashPoolThreadForTest');
  }

  /** Test hook: a worker of the pool stops inside a band of the next split product. */
  __crashPoolBandForTest() {
    return this.call('crashPoolBandForTest');
  }

  /** Test hook: a worker of the pool never finishes the next band, and says nothing. */
  __hangPoolBandForTest() {
    return this.call('hangPoolBandForTest');
  }

  /** Calls a worker method; resolves with its value or rejects with its message. */
  call(method, ...args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'call', id, method, args });
    });
  }

  destroy() {
    clearInterval(this.watchdog);
    this.poolChannel?.close();
    this.stopLang();
    this.stopReplay();
    this.worker.terminate();
    clear(this.host);
  }

  // ---------------------------------------------------------------- building the UI

  build() {
    const c = (this.controls = {});
    const root = (this.root = h('div', { className: 'nnp' + (this.opts.compact ? ' compact' : ''), lang: htmlLang() }));
    const bar = h('header', { className: 'bar', dataset: { key: 'controls' } });
    c.reset = h('button', { type: 'button', className: 'round', 'aria-label': tr('reset.aria'), title: tr('reset.title'), textContent: '⟲', onclick: () => this.act('reset') });
    c.play = h('button', { type: 'button', className: 'round play', 'aria-label': tr('play.train'), title: tr('play.title'), textContent: '▶', onclick: () => this.togglePlay() });
    c.step = h('button', { type: 'button', className: 'round', 'aria-label': tr('step.aria'), title: tr('step.title'), textContent: '▶|', onclick: () => this.act('step') });
    c.epoch = h('output', { className: 'epoch', 'aria-live': 'off', textContent: '000,000' });
    bar.append(h('div', { className: 'transport' }, c.reset, c.play, c.step), h('div', { className: 'field epoch-box' }, h('span', { className: 'caption', textContent: tr('epoch') }), c.epoch), this.buildPace());
    // Every list of options is the engine's (`choices` of the worker's ready message, see
    // `applyChoices`); the selects start empty.
    const lr = select(tr('learningRate'), 'learningRate', [], (v) => this.edit((cfg) => { cfg.optimizer.learning_rate = Number(v); }));
    const act = select(tr('activation'), 'activation', [], (v) => this.edit((cfg) => { cfg.activation = v; }));
    const reg = select(tr('regularization'), 'regularization', [], (v) => this.edit((cfg) => { cfg.regularization.kind = v; }));
    const regRate = select(tr('regularizationRate'), 'regularization', [], (v) => this.edit((cfg) => { cfg.regularization.rate = Number(v); }));
    const opt = select(tr('optimizer'), 'optimizer', [], (v) => this.edit((cfg) => { cfg.optimizer.kind = v; }));
    const sched = select(tr('schedule'), 'schedule', [], (v) => this.edit((cfg) => { cfg.optimizer.schedule = this.choices.schedules.find((p) => p.id === v).schedule; }));
    const backend = select(tr('backend'), 'backend', [], (v) => this.edit((cfg) => { cfg.backend = v; }));
    // Each language is named in itself, so a reader finds theirs whatever the page says.
    const language = select(tr('page.lang'), 'lang', Object.keys(LANGS).map((k) => [k, LANGS[k]['lang.name']]), (v) => this.setLanguage(v));
    language.input.value = lang();
    Object.assign(c, { lr: lr.input, act: act.input, reg: reg.input, regRate: regRate.input, opt: opt.input, sched: sched.input, backend: backend.input, lang: language.input });
    bar.append(lr.el, act.el, reg.el, regRate.el, opt.el, sched.el, backend.el, language.el);

    // Data column.
    const data = h('section', { className: 'col data', 'aria-label': tr('data'), dataset: { key: 'data' } }, h('h2', { textContent: tr('data') }));
    // The dataset buttons, grouped by task, and the sliders' ranges come with the choices.
    c.datasets = h('div', { className: 'datasets', dataset: { key: 'dataset' }, role: 'group', 'aria-label': tr('dataset') });
    c.datasetButtons = new Map();
    const sets = c.datasets;
    const classes = select(tr('classes'), 'classes', [], (v) => this.edit((cfg) => { cfg.classes = Number(v); }));
    c.classes = classes.input;
    c.classesField = classes.el;
    c.ratio = slider(tr('ratio'), 'ratio', 0, 1, 1, (v) => this.edit((cfg) => { cfg.train_ratio = v; }));
    c.validation = slider(tr('validation'), 'validation', 0, 1, 1, (v) => this.edit((cfg) => { cfg.validation_ratio = v; }));
    c.noise = slider(tr('noise'), 'noise', 0, 1, 1, (v) => this.edit((cfg) => { cfg.noise = v; }));
    c.batch = slider(tr('batchSize'), 'batchSize', 0, 1, 1, (v) => this.edit((cfg) => { cfg.batch_size = v; }));
    const regen = h('button', { type: 'button', className: 'text', dataset: { key: 'regenerate' }, textContent: tr('regenerate'), onclick: () => this.act('regenerate') });
    data.append(sets, classes.el, c.ratio.el, c.validation.el, c.noise.el, c.batch.el, regen, this.buildUpload());

    // Network column.
    const net = h('section', { className: 'col network', 'aria-label': tr('network'), dataset: { key: 'network' } });
    c.layerCount = h('span', { className: 'layer-count', textContent: '' });
    const layerButtons = h('div', { className: 'layer-buttons', dataset: { key: 'layers' } },
      h('button', { type: 'button', className: 'small', 'aria-label': tr('layers.add'), textContent: '+', onclick: () => this.layers(+1) }),
      h('button', { type: 'button', className: 'small', 'aria-label': tr('layers.remove'), textContent: '−', onclick: () => this.layers(-1) }));
    net.append(h('div', { className: 'net-head' }, h('h2', { textContent: tr('features') }), layerButtons, c.layerCount));
    const netHost = h('div', { className: 'net-host', dataset: { key: 'features' } });
    net.append(netHost, this.buildAdvanced());
    this.network = new NetworkView(netHost, {
      onToggleFeature: (key) => this.toggleFeature(key),
      onUnits: (layer, d) => this.units(layer, d),
      onEditWeight: (d, i, j, v) => this.editParameter('setWeight', d, i, j, v),
      onEditBias: (d, j, v) => this.editParameter('setBias', d, j, v),
      onHover: (col, row, canvas) => this.showHover(col, row, canvas),
      linkInfo: async (d, i, j) => {
        const [w, g] = await this.call('linkInfo', d, i, j);
        return tr('hover.link', { layer: d + 1, from: i + 1, to: j + 1, w: formatNumber(w), g: formatNumber(g) });
      },
    });
    c.hoverCard = h('canvas', { className: 'hover-card', width: 160, height: 160, 'aria-hidden': 'true' });
    c.hoverCard.hidden = true;
    c.hoverInfo = h('output', { className: 'hover-info', 'aria-live': 'polite' });
    c.hoverInfo.hidden = true;
    net.append(c.hoverCard, c.hoverInfo);

    // Output column.
    const out = h('section', { className: 'col output', 'aria-label': tr('output') }, h('h2', { textContent: tr('output') }));
    c.testLoss = h('output', { className: 'loss test', textContent: '—' });
    c.trainLoss = h('output', { className: 'loss train', textContent: '—' });
    c.validationLoss = h('output', { className: 'loss validation', textContent: '—' });
    c.validationRow = h('div', { hidden: true }, tr('validationLoss'), ' ', c.validationLoss);
    // A standardised regression target: the losses are in its standard units, the error
    // metrics in the target's own; this line says so.
    c.lossUnits = h('p', { className: 'loss-units', dataset: { key: 'lossUnits' }, hidden: true, textContent: tr('loss.standardised') });
    out.append(h('div', { className: 'losses' }, h('div', {}, tr('testLoss'), ' ', c.testLoss), c.validationRow, h('div', {}, tr('trainLoss'), ' ', c.trainLoss), c.lossUnits));
    out.append(this.buildChart());
    c.heat = h('canvas', { className: 'heat', width: 64, height: 64 });
    c.pointsLayer = h('canvas', { className: 'points', tabIndex: 0, role: 'img', 'aria-label': tr('plot.aria') });
    c.pointsLayer.addEventListener('click', (ev) => this.canvasClick(ev));
    c.pointsLayer.addEventListener('contextmenu', (ev) => { if (ev.ctrlKey) ev.preventDefault(); });
    out.append(h('div', { className: 'plot' }, c.heat, c.pointsLayer), this.buildReplay(), this.buildSlice());
    c.legend = h('div', { className: 'legend', 'aria-hidden': 'true' }, h('span', { className: 'neg', textContent: '−1' }), h('span', { className: 'bar-scale' }), h('span', { className: 'pos', textContent: '+1' }));
    c.classLegend = h('div', { className: 'legend classes', 'aria-hidden': 'true' });
    out.append(c.legend, c.classLegend);
    // Filled by `updateAddClass` from the engine's `choices().click_labels`.
    c.addClass = select(tr('addClass'), 'addClass', [], () => {});
    const showTest = checkbox(tr('showTest'), 'showTest', (v) => this.edit((cfg) => { cfg.show_test = v; }, { local: true }));
    const disc = checkbox(tr('discretize'), 'discretize', (v) => this.edit((cfg) => { cfg.discretize = v; }, { local: true }));
    Object.assign(c, { showTest: showTest.input, discretize: disc.input });
    out.append(showTest.el, disc.el, c.addClass.el);
    out.append(this.buildMetrics(), this.buildStopping(), this.buildModelIo());
    // The wide panels: below the network, where the centre column has room (after
    // everything else on a narrow screen).
    const more = h('section', { className: 'col more' }, this.buildInsight(), this.buildHealth(), this.buildExplain());
    c.speed = h('p', { className: 'speed', dataset: { key: 'speed' }, 'aria-live': 'off', textContent: '' });
    out.append(c.speed);

    c.status = h('p', { className: 'status', role: 'status' });
    c.error = h('p', { className: 'error', role: 'alert' });
    // What the link or a restore could not use stays until the person dismisses it: the
    // next click must not wipe the only word on why a setting is not as linked.
    c.noticeText = h('span', { className: 'notice-text' });
    c.notice = h('p', { className: 'notice', role: 'alert' }, c.noticeText,
      h('button', { type: 'button', className: 'text dismiss', 'aria-label': tr('dismiss.aria'), textContent: tr('dismiss'), onclick: () => this.showNotice('') }));
    c.notice.hidden = true;
    root.append(bar, h('div', { className: 'messages' }, c.notice, c.status, c.error), h('div', { className: 'cols' }, data, net, out, more));
    this.host.appendChild(root);
    this.resizeObserver = new ResizeObserver(() => this.schedule(true));
    this.resizeObserver.observe(root);
  }

  /**
   * Fills every control from the engine's description of its choices and limits (the
   * wasm module's `choices()`, with `featureGrids` added by the worker): the options of
   * each select, the dataset buttons by task, the sliders' ranges and the buttons' caps.
   * Labels come from the string tables by id. Runs at every ready (a restarted worker's too).
   */
  applyChoices(ch) {
    this.choices = ch;
    setDomain(ch.domain);
    const c = this.controls;
    setOptions(c.lr, ch.learning_rates);
    setOptions(c.act, choiceOptions(ch, 'activations'));
    setOptions(c.reg, choiceOptions(ch, 'regularizations'));
    setOptions(c.regRate, ch.regularization_rates);
    setOptions(c.opt, choiceOptions(ch, 'optimizers'));
    setOptions(c.sched, choiceOptions(ch, 'schedules'));
    setOptions(c.backend, choiceOptions(ch, 'backends'));
    setOptions(c.classes, ch.classes);
    setOptions(c.init, choiceOptions(ch, 'inits'));
    setOptions(c.outputActivation, [['', tr('auto')], ...choiceOptions(ch, 'output_activations')]);
    setOptions(c.loss, [['', tr('auto')], ...choiceOptions(ch, 'losses')]);
    setOptions(c.monitor, choiceOptions(ch, 'monitors'));
    if (!c.patience.value) c.patience.value = String(ch.early_stopping.patience);
    setOptions(c.taskKind, [['', tr('csv.detect')], ...choiceOptions(ch, 'table_tasks')]);
    setOptions(c.missing, choiceOptions(ch, 'missing'));
    this.setPaceChoices(ch.speeds);
    const ctl = ch.controls;
    for (const [s, r] of [[c.ratio, ctl.train_ratio], [c.validation, ctl.validation_ratio], [c.noise, ctl.noise], [c.batch, ctl.batch_size]]) {
      Object.assign(s.input, { min: String(r.min), max: String(r.max), step: String(r.step) });
    }
    clear(c.datasets);
    c.datasetButtons.clear();
    const addSet = ({ id }) => {
      const cv = h('canvas', { width: 48, height: 48, className: 'dthumb' });
      const b = h('button', { type: 'button', className: 'dataset', title: tr(`set.${id}`), 'aria-label': tr(`set.${id}`), 'aria-pressed': 'false', dataset: { dataset: id }, onclick: () => this.edit((cfg) => { cfg.dataset = id; }) }, cv);
      c.datasetButtons.set(id, { button: b, canvas: cv });
      return b;
    };
    for (const task of ['classification', 'regression']) {
      const sets = ch.datasets.filter((d) => d.task === task);
      if (sets.length) c.datasets.append(h('div', { className: 'caption', textContent: tr(task) }), h('div', { className: 'thumbs' }, sets.map(addSet)));
    }
  }

  /** The engine's entry for a built-in dataset (`{id, task, class_count}`), or undefined. */
  datasetChoice(id) {
    return this.choices?.datasets.find((d) => d.id === id);
  }






  // ---------------------------------------------------------------- worker messages

  onMessage(m) {
    if (m.type === 'reply') {
      const p = this.calls.get(m.id);
      this.calls.delete(m.id);
      if (p) (m.ok ? p.resolve(m.value) : p.reject(engineError(m.error)));
    } else if (m.type === 'ready') {
      this.hide = [...new Set([...(m.hide || []), ...(this.opts.hide || [])])];
      this.backend = m.backend;
      this.applyChoices(m.choices);
      this.applyHide();
      for (const [kind, pts] of Object.entries(m.previews || {})) {
        const b = this.controls.datasetButtons.get(kind);
        if (b) paintThumbnail(b.canvas, pts, this.datasetChoice(kind).task);
      }
      if (m.warning) this.showNotice(m.warning);
      if (m.restored && this.opts.restore) this.showStatus({ key: 'restored' });
      if (m.unknown?.length) this.showStatus({ key: 'unknownKeys', vars: { keys: m.unknown.join(', ') } });
      this.setConfig(m.config);
      this.root.dataset.ready = 'true';
      this.resolveReady();
      if (this.restarting) {
        const { reason, wasRunning } = this.restarting;
        this.restarting = null;
        this.showError([{ key: wasRunning ? 'worker.restartedRunning' : 'worker.restarted', vars: { reason } }, m.warning]);
        if (wasRunning) {
          this.setRunning(true);
          // Not `act`: it would clear the message just shown.
          this.call('play').catch((err) => this.showError(err));
        }
      }
    } else if (m.type === 'crashed') {
      this.workerDied(m.message);
    } else if (m.type === 'frame') {
      this.acceptFrame(m);
    } else if (m.type === 'error') {
      this.showError(m.message);
      this.setRunning(false);
    } else if (m.type === 'notice') {
      this.showStatus(m.message);
    }
  }

  acceptFrame(f) {
    if (f.snapshot) {
      this.lastGood = f.snapshot;
      this.opts.onSnapshot?.(this, f.snapshot);
    }
    if (f.historyFrom === 0) this.history = { train: [], test: [], validation: [] };
    // Entries come as [train, test, validation] triples (NaN for a split without rows).
    for (let i = 0; i + 2 < f.history.length; i += 3) {
      this.history.train.push(f.history[i]);
      this.history.test.push(f.history[i + 1]);
      this.history.validation.push(f.history[i + 2]);
    }
    if (f.points) this.points = f.points;
    if (f.table !== undefined) this.setTableInfo(f.table);
    if (f.config) this.setConfig(f.config);
    this.updateReplayLength(f.replayLength ?? 0);
    this.frame = f;
    this.schedule(false);
  }

  schedule(resized) {
    this.resized ||= resized;
    if (this.pendingDraw) return;
    this.pendingDraw = true;
    requestAnimationFrame(() => {
      this.pendingDraw = false;
      const t0 = performance.now();
      this.draw();
      // Main-thread cost of each frame, for the speed readout's tests and for tuning.
      this.framesDrawn = (this.framesDrawn || 0) + 1;
      (this.drawMs ||= []).push(performance.now() - t0);
      if (this.drawMs.length > 1000) this.drawMs.splice(0, 500);
      this.worker.postMessage({ type: 'ack' });
    });
  }

  // ---------------------------------------------------------------- drawing

  draw() {
    const f = this.frame;
    const c = this.controls;
    if (this.resized && this.config) {
      this.resized = false;
      this.layoutGen = (this.layoutGen || 0) + 1;
      this.network.setStructure(this.structure());
    }
    if (!f) return;
    if (f.task !== this.lastTask || f.outputs !== this.lastOutputs) {
      this.lastTask = f.task;
      this.lastOutputs = f.outputs;
      this.updateAddClass();
      this.updateLegend(f);
    }
    const discretize = c.discretize.checked;
    const channels = f.task === 'multiclass' ? f.outputs : 1;
    // A replayed snapshot replaces the live map until the scrubber is back at its end.
    const shown = this.replayGrid();
    if (shown) paintGrid(c.heat, shown.grid, shown.res, shown.channels, { discretize });
    else paintGrid(c.heat, f.grid, f.gridRes, channels, { discretize });
    // Points change rarely; repainting hundreds of circles every frame is wasted raster work.
    const pointsKey = [this.points, c.showTest.checked, f.task, this.layoutGen];
    if (!sameKey(pointsKey, this.pointsKey)) {
      this.pointsKey = pointsKey;
      paintPoints(c.pointsLayer, this.points, f.task, { showTest: c.showTest.checked, radius: this.opts.compact ? 2.5 : 3 });
    }
    this.drawChart(f);
    c.epoch.textContent = String(f.epoch).padStart(6, '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    c.testLoss.textContent = formatNumber(f.testLoss);
    c.trainLoss.textContent = formatNumber(f.trainLoss);
    c.validationRow.hidden = !(f.splitSizes?.[1] > 0);
    c.validationLoss.textContent = formatNumber(f.validationLoss);
    if (f.metrics) c.lossUnits.hidden = !f.metrics.standardized_target;
    Object.assign(this.root.dataset, { epoch: String(f.epoch), testLoss: String(f.testLoss), trainLoss: String(f.trainLoss), points: String(this.points ? this.points.length / 4 : 0), task: f.task });
    // Where training and the decision grid ran, for people (speed line) and tests alike.
    Object.assign(this.root.dataset, { backend: f.backend.startsWith('webgpu') ? 'webgpu' : 'cpu', gridOn: f.gridOn, engineBuild: f.engineBuild, threads: String(f.threads) });
    if (f.network) this.network.setWeights(f.network);
    if (f.neurons) {
      this.network.setNeuronGrids(f.neurons, f.neuronRes, this.activeFeatureRows());
      this.paintHover();
    }
    if (f.insight !== undefined) this.drawInsight(f.insight);
    if (f.health) this.drawHealth(f.health);
    if (f.importance !== undefined) this.drawImportance(f.importance);
    if (f.metrics) {
      this.drawMetrics(f);
      this.drawSpeed(f);
    }
    this.setRunning(f.running);
    if (f.stopReason) this.showStatus({ key: 'stopped', vars: { reason: stopMessage(f) } });
  }


  showHover(col, row, canvas) {
    const card = this.controls.hoverCard;
    const info = this.controls.hoverInfo;
    if (col === null || col === undefined) {
      this.hover = null;
      card.hidden = true;
      info.hidden = true;
      return;
    }
    // The node's output range on the training data, from the engine (inputs: the active
    // ones only, in the model's order).
    const unit = col === 0 ? this.activeFeatureRows().indexOf(row) : row;
    if (unit < 0) {
      info.hidden = true;
    } else this.call('unitRange', col, unit).then(([lo, hi]) => {
      if (this.hover !== canvas) return;
      say(info, 'textContent', () => t('hover.range', { lo: formatNumber(lo), hi: formatNumber(hi) }));
      info.hidden = false;
    }, () => { info.hidden = true; });
    this.hover = canvas;
    card.hidden = false;
    const r = canvas.getBoundingClientRect();
    const host = card.parentElement.getBoundingClientRect();
    card.style.left = `${Math.min(r.right - host.left + 8, host.width - 170)}px`;
    card.style.top = `${r.top - host.top}px`;
    info.style.left = card.style.left;
    info.style.top = `${r.top - host.top + 162}px`;
    this.paintHover();
  }

  paintHover() {
    if (!this.hover) return;
    const ctx = this.controls.hoverCard.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    ctx.clearRect(0, 0, 160, 160);
    ctx.drawImage(this.hover, 0, 0, 160, 160);
  }

  // ---------------------------------------------------------------- config edits

  structure() {
    const cfg = this.config;
    if (this.tableInfo) {
      // A table's inputs are its (encoded) columns: named, always on.
      return {
        features: this.tableInfo.inputNames.map((name) => ({ key: name, label: name, active: true, fixed: true })),
        hidden: cfg.hidden.map((l) => l.units),
        outputs: this.frame?.outputs ?? 1,
      };
    }
    const active = new Set(cfg.features);
    // The engine's features, each with its values over the map (switched-off inputs show them).
    const { features, featureGrids, feature_grid_resolution: res } = this.choices;
    const per = res * res;
    return {
      features: features.map((f, i) => ({ key: f.id, label: f.label, active: active.has(f.id), formula: featureGrids.subarray(i * per, (i + 1) * per) })),
      formulaRes: res,
      hidden: cfg.hidden.map((l) => l.units),
      outputs: this.frame?.outputs ?? 1,
    };
  }

  activeFeatureRows() {
    if (this.tableInfo) return this.tableInfo.inputNames.map((_, i) => i);
    // The engine orders feature inputs as the config lists them.
    const ids = this.choices.features.map((f) => f.id);
    return this.config.features.map((f) => ids.indexOf(f)).filter((i) => i >= 0);
  }

  setConfig(cfg) {
    const before = this.config ? JSON.stringify(this.structureKey(this.config)) : '';
    this.config = cfg;
    const c = this.controls;
    setNumber(c.lr, cfg.optimizer.learning_rate);
    c.act.value = cfg.activation;
    c.reg.value = cfg.regularization.kind;
    setNumber(c.regRate, cfg.regularization.rate);
    c.opt.value = cfg.optimizer.kind;
    c.sched.value = cfg.optimizer.schedule?.type || 'constant';
    c.backend.value = cfg.backend;
    for (const [kind, b] of c.datasetButtons) b.button.setAttribute('aria-pressed', String(kind === cfg.dataset));
    c.classes.value = String(cfg.classes);
    c.classesField.hidden = !this.datasetChoice(cfg.dataset)?.class_count || this.hide.includes('classes');
    c.ratio.set(cfg.train_ratio);
    c.validation.set(cfg.validation_ratio ?? 0);
    c.noise.set(cfg.noise);
    c.batch.set(cfg.batch_size);
    c.showTest.checked = !!cfg.show_test;
    c.discretize.checked = !!cfg.discretize;
    this.showPace(cfg.speed);
    c.init.value = cfg.init;
    c.outputActivation.value = cfg.output_activation || '';
    c.loss.value = cfg.loss || '';
    c.standardize.checked = !!cfg.standardize;
    c.epochLimit.value = cfg.epoch_limit ? String(cfg.epoch_limit) : '';
    c.earlyStopping.checked = !!cfg.early_stopping;
    if (cfg.early_stopping) {
      c.patience.value = String(cfg.early_stopping.patience);
      c.monitor.value = cfg.early_stopping.monitor;
    }
    say(c.layerCount, 'textContent', tr(cfg.hidden.length === 1 ? 'layers.one' : 'layers.many', { n: cfg.hidden.length }));
    this.updateAddClass();
    this.buildLayerTable();
    if (JSON.stringify(this.structureKey(cfg)) !== before || !this.network.structure) {
      this.network.setStructure(this.structure());
    }
    // A link's or an element's `lang` sets the language; a config without one leaves the
    // language as it is unless this playground had set one before.
    if (cfg.lang !== this.configLang) {
      const first = this.configLang === undefined;
      this.configLang = cfg.lang;
      if (cfg.lang || !first) setLang(cfg.lang);
    }
    c.lang.value = lang();
    this.root.dataset.dataset = cfg.dataset;
    this.root.dataset.layers = cfg.hidden.map((l) => l.units).join(',');
    this.opts.onChange?.(this);
  }

  structureKey(cfg) {
    return [cfg.features, cfg.hidden.map((l) => l.units), cfg.dataset, cfg.classes, this.frame?.outputs, this.tableInfo?.inputNames];
  }

  updateAddClass() {
    const s = this.controls.addClass.input;
    const cfg = this.config;
    // A table's rows cannot be clicked in: its map is a slice through many inputs. The last
    // choice deletes, so a touch screen (no shift or alt) can do everything a mouse can.
    this.controls.addClass.el.hidden = this.hide.includes('addClass') || !!this.tableInfo;
    const k = this.classCount();
    const names = this.tableInfo?.classNames ?? [];
    // Multi-class data adds its class indices; two-class and regression data the engine's
    // labels for a click (`choices().click_labels`).
    const classes = k ? Array.from({ length: k }, (_, i) => [i, names[i] ?? t('class.n', { i })]) : this.clickLabels().map((c) => [c.label, t(`class.${c.id}`)]);
    const want = [...classes, ['delete', t('class.delete')]];
    if (s.options.length !== want.length || s.options[0].value !== String(want[0][0]) || s.options[0].textContent !== want[0][1]) {
      const keep = s.value;
      clear(s);
      for (const [v, t] of want) s.append(h('option', { value: String(v), textContent: t }));
      if ([...s.options].some((o) => o.value === keep)) s.value = keep;
    }
  }



  /** What a click adds on this data when it is not multi-class: `[{id, task, label}]`. */
  clickLabels() {
    const task = this.frame?.task === 'regression' ? 'regression' : 'binary';
    return (this.choices?.click_labels ?? []).filter((c) => c.task === task);
  }

  /** Classes of multi-class data (the engine's output units), 0 for binary and regression. */
  classCount() {
    if (this.frame) return this.frame.task === 'multiclass' ? this.frame.outputs : 0;
    return this.datasetChoice(this.config.dataset)?.class_count ? this.config.classes : 0;
  }

  /** The language select: switches at once and keeps the choice in the config (the link). */
  setLanguage(value) {
    setLang(value);
    return this.edit((cfg) => { cfg.lang = value; }, { local: true });
  }

  /**
   * Says every text again in the page's language (see `relabel` in dom.js), and repaints
   * what canvases and option lists say; the model, the data and the run are not touched.
   */
  relabel() {
    relabel(this.root);
    this.root.lang = htmlLang();
    this.controls.lang.value = lang();
    this.network.closeEditor();
    this.lossChart.paint();
    if (this.frame) this.updateAddClass();
    if (this.lastInsight) this.drawInsight(this.lastInsight);
    this.opts.onLangChange?.(lang());
  }

  /** Applies `fn` to a copy of the config and sends it; the worker's answer is the truth. */
  /**
   * Applies a pasted link that differs from this run only in display settings (the thread
   * count, the pace, the language) as an edit of those, keeping the model and the run; false
   * when the link describes another run (the page then starts it).
   */
  async keepRunFor(hash) {
    let next;
    try {
      next = await this.call('linkKeepsRun', hash);
    } catch {
      return false;
    }
    if (!next) return false;
    if (next.lang && next.lang !== this.config.lang) setLang(next.lang);
    await this.edit((cfg) => Object.assign(cfg, { threads: next.threads, speed: next.speed, lang: next.lang }), { local: true });
    this.linkHash = hash;
    return true;
  }

  async edit(fn, { local = false } = {}) {
    if (!this.config) return;
    const cfg = structuredClone(this.config);
    fn(cfg);
    if (local) {
      // Display-only settings still go to the engine (they are part of the link).
      this.config = cfg;
      this.schedule(false);
    }
    try {
      const { config } = await this.call('setConfig', cfg);
      this.clearError();
      this.setConfig(config);
    } catch (err) {
      this.showError(err);
      this.setConfig(this.config);
    }
  }

  /**
   * A field the engine reads (`parse`, a worker call that turns the typed text into a value
   * or refuses it in the field's words), then `apply(cfg, value)`. A refusal is shown and the
   * field goes back to the config's value.
   */
  async editFromText(parse, text, apply, opts) {
    let value;
    try {
      value = await this.call(parse, text);
    } catch (err) {
      this.showError(err);
      this.setConfig(this.config);
      return;
    }
    await this.edit((cfg) => apply(cfg, value), opts);
  }

  toggleFeature(key) {
    if (this.tableInfo) {
      // A table's input leaves the chosen columns (a one-hot input takes its whole column);
      // the column picker adds columns back.
      const columns = this.tableInfo.slice.held.map((v) => v.name);
      const column = columns.find((n) => key === n || key.startsWith(`${n}=`));
      if (!column || columns.length < 2) return;
      this.edit((cfg) => { cfg.table.features = columns.filter((n) => n !== column); });
      return;
    }
    this.edit((cfg) => {
      const on = new Set(cfg.features);
      if (on.has(key)) on.delete(key);
      else on.add(key);
      // The engine's order, in which a config lists its inputs.
      cfg.features = this.choices.features.map((f) => f.id).filter((f) => on.has(f));
    });
  }

  layers(delta) {
    this.edit((cfg) => {
      if (delta > 0 && cfg.hidden.length < this.choices.controls.hidden_layers) cfg.hidden.push(structuredClone(this.choices.new_hidden_layer));
      if (delta < 0 && cfg.hidden.length > 0) cfg.hidden.pop();
    });
  }

  units(layer, delta) {
    this.edit((cfg) => {
      const l = cfg.hidden[layer];
      if (l) l.units = Math.max(1, Math.min(this.choices.controls.hidden_units, l.units + delta));
    });
  }

  async act(method, ...args) {
    try {
      await this.call(method, ...args);
      this.clearError();
      this.opts.onChange?.(this);
    } catch (err) {
      this.showError(err);
    }
  }

  /**
   * A weight or bias typed in. The engine's replay then ends on the edited map (a snapshot
   * of this epoch replaced, or one added); a snapshot on screen is fetched again.
   */
  async editParameter(method, ...args) {
    await this.act(method, ...args);
    if (this.replay.index !== null) await this.showReplay(this.replay.index);
  }

  togglePlay() {
    const running = this.controls.play.classList.contains('playing');
    this.setRunning(!running);
    this.act(running ? 'pause' : 'play');
  }

  setRunning(on) {
    const b = this.controls.play;
    b.classList.toggle('playing', !!on);
    b.textContent = on ? '❚❚' : '▶';
    say(b, 'aria-label', tr(on ? 'play.pause' : 'play.train'));
    this.root.dataset.running = String(!!on);
  }

  async canvasClick(ev) {
    const { x, y } = eventToData(this.controls.pointsLayer, ev);
    try {
      if (await this.pickExample(x, y)) return;
      if (ev.altKey || ev.ctrlKey || ev.metaKey || this.controls.addClass.input.value === 'delete') {
        const n = await this.call('removePointsNear', x, y, 0.4);
        this.showStatus({ key: n ? (n === 1 ? 'removed.one' : 'removed.many') : 'removed.none', vars: { n } });
        return;
      }
      let label = Number(this.controls.addClass.input.value);
      if (ev.shiftKey) {
        // The next class, or the other of the two labels a click adds.
        const k = this.classCount();
        const labels = this.clickLabels().map((c) => c.label);
        label = k ? (label + 1) % k : labels[(labels.indexOf(label) + 1) % labels.length];
      }
      const cfg = await this.call('addPoint', x, y, label);
      this.setConfig(cfg);
      this.clearError();
    } catch (err) {
      this.showError(err);
    }
  }

  // ---------------------------------------------------------------- files and links









  applyHide() {
    for (const e of this.root.querySelectorAll('[data-key]')) e.hidden = this.hide.includes(e.dataset.key);
  }

  // Messages are kept as said (see `phrase`), so a change of language says them again.

  showStatus(msg) {
    say(this.controls.status, 'textContent', () => phrase(msg));
  }

  showError(msg) {
    say(this.controls.error, 'textContent', () => phrase(msg));
  }

  /** A message that stays until dismissed (none hides it). */
  showNotice(msg) {
    say(this.controls.noticeText, 'textContent', () => phrase(msg));
    this.controls.notice.hidden = !msg;
  }

  clearError() {
    this.showError('');
  }
}

/** A frame's stop reason as the engine's message with its code (`stop_epoch_limit`, …). */
function stopMessage(f) {
  if (!f.stop) return f.stopReason;
  const { monitor, ...args } = f.stop.args;
  // A stop that put the best epoch's weights back says which epoch it was.
  const code = `stop_${f.stop.code}${args.best !== undefined ? '_restored' : ''}`;
  return { message: f.stopReason, code, args: monitor ? { ...args, monitor: { key: `monitor.${monitor}` } } : args };
}

/** An Error with the engine's message, its code and values kept for `phrase`. */
function engineError(e) {
  const err = new Error(typeof e === 'string' ? e : e.message);
  if (typeof e === 'object' && e) Object.assign(err, { code: e.code, args: e.args });
  return err;
}

function sameKey(a, b) {
  return !!b && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Selects the option nearest to `v` (configs carry f32 values such as 0.029999999). */
function setNumber(sel, v) {
  const near = [...sel.options].find((o) => Math.abs(Number(o.value) - v) <= 1e-6 + Math.abs(v) * 1e-5);
  if (near) {
    sel.value = near.value;
    return;
  }
  const text = String(Number(v.toPrecision(6)));
  sel.append(h('option', { value: text, textContent: text }));
  sel.value = text;
}

Object.assign(Playground.prototype, panelMethods, fileMethods, tableMethods, healthMethods, explainMethods, watchMethods, replayMethods);
