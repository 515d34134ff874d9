// Watching a run: the pace control (epochs per second, offered as the engine lists them),
// the speed readout (the pace, what training reaches, and what max would reach), and the
// loss chart's box (legend, log-scale toggle, hover readout). Mixed into
// `Playground.prototype`; `this` is the playground.

import { h, select, checkbox, clear, say } from './dom.js';
import { LossChart } from './render/loss_chart.js';
import { t, tr } from './i18n/index.js';

export const watchMethods = {
  /** The speed select; its options come with the worker's ready message. */
  buildPace() {
    const pace = select(tr('pace'), 'pace', [], (v) => this.setPace(v));
    this.controls.pace = pace.input;
    return pace.el;
  },

  /** Fills the speed select with the engine's paces (`"60"`, …, `"max"`). */
  setPaceChoices(values) {
    const s = this.controls.pace;
    clear(s);
    for (const v of values) s.append(h('option', { value: v, textContent: v === 'max' ? tr('pace.max') : v }));
    if (this.config) this.showPace(this.config.speed);
  },

  /** Selects the config's pace; one only a link asked for gets its own option. */
  showPace(speed) {
    const s = this.controls.pace;
    const v = speed === null || speed === undefined ? 'max' : String(speed);
    if (![...s.options].some((o) => o.value === v)) s.append(h('option', { value: v, textContent: v }));
    s.value = v;
  },

  setPace(text) {
    return this.editFromText('speedFromText', text, (cfg, speed) => { cfg.speed = speed; }, { local: true });
  },

  /** The chart canvas (its data-key kept) with its legend, scale toggle and readout. */
  buildChart() {
    const c = this.controls;
    c.chart = h('canvas', { className: 'chart', dataset: { key: 'chart' }, role: 'img', 'aria-label': tr('chart.aria') });
    c.chartReadout = h('output', { className: 'chart-readout', 'aria-live': 'off' });
    const log = checkbox(tr('logScale'), 'logScale', (v) => this.lossChart.setLog(v));
    c.logScale = log.input;
    this.lossChart = new LossChart(c.chart, c.chartReadout);
    c.validationKey = h('span', { className: 'key', hidden: true }, h('span', { className: 'swatch validation' }), tr('chart.validation'));
    const legend = h('div', { className: 'chart-legend' },
      h('span', { className: 'key' }, h('span', { className: 'swatch train' }), tr('chart.training')),
      c.validationKey,
      h('span', { className: 'key' }, h('span', { className: 'swatch test' }), tr('chart.test')),
      log.el);
    // Says when the held-out loss has risen for a while (the engine decides when).
    c.overfitNote = h('p', { className: 'chart-note', dataset: { key: 'overfitNote' }, hidden: true });
    return h('div', { className: 'chart-box', dataset: { key: 'chart' } }, legend, c.chart, c.chartReadout, c.overfitNote);
  },

  drawChart(f) {
    const c = this.controls;
    const validation = f.splitSizes?.[1] > 0 ? this.history.validation : [];
    c.validationKey.hidden = validation.length === 0 && !(f.splitSizes?.[1] > 0);
    this.lossChart.setData(this.history.train, this.history.test, f.historyStride, f.stop?.code === 'early_stopping', null, validation);
    const r = f.overfitting;
    c.overfitNote.hidden = !r;
    if (r) {
      const args = { epochs: r.epochs_since.toLocaleString('en'), best: r.best_epoch.toLocaleString('en') };
      say(c.overfitNote, 'textContent', () => t(r.split === 'validation' ? 'chart.overfitValidation' : 'chart.overfitTest', args));
    }
  },

  /** The speed line: the pace and the rate reached, what max would reach, steps, backend. */
  drawSpeed(f) {
    const rate = (v) => (v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en'));
    const reached = () => t('speed.epochs', { n: rate(f.epochsPerSec) });
    const pace = () => (f.pace === null || f.pace === undefined
      ? t('speed.atMax', { reached: reached() })
      : f.maxEpochsPerSec > 0 ? t('speed.pacedMax', { reached: reached(), pace: f.pace.toLocaleString('en'), max: rate(f.maxEpochsPerSec) }) : t('speed.paced', { reached: reached(), pace: f.pace.toLocaleString('en') }));
    say(this.controls.speed, 'textContent', () => t('speed.line', { pace: pace(), steps: Math.round(f.stepsPerSec).toLocaleString('en'), samples: Math.round(f.samplesPerSec).toLocaleString('en'), backend: backendText(f.backend) }));
    Object.assign(this.root.dataset, { epochsPerSec: String(f.epochsPerSec), maxEpochsPerSec: String(f.maxEpochsPerSec) });
  },
};

/** The worker's CPU label (`cpu (SIMD128, threads build, 2 threads)`) in the page's language. */
function backendText(label) {
  const m = /^cpu \(SIMD128(, threads build)?, (\d+) threads?\)$/.exec(label || '');
  if (!m) return label;
  const n = Number(m[2]);
  if (!m[1]) return t('speed.cpuSingle');
  return n === 1 ? t('speed.cpuThreadsOne') : t('speed.cpuThreads', { n });
}
