// Playground panels that are plain forms and tables: CSV upload, layer options, metrics,
// stopping rules and model files. Mixed into `Playground.prototype`; `this` is the playground.

import { h, select, checkbox, clear } from './dom.js';
import { classCss } from './render/colors.js';
import { ConfusionView } from './render/confusion.js';
import { ACTIVATIONS, MONITORS } from './options.js';
import { formatNumber } from './format.js';
import { t, named } from './i18n/index.js';

export const panelMethods = {
  buildAdvanced() {
    const c = this.controls;
    c.layerTable = h('div', { className: 'layer-table' });
    const init = select(t('init'), 'init', [['playground', t('init.playground')], ['glorot_uniform', t('init.glorot')], ['he_normal', t('init.heNormal')], ['he_uniform', t('init.heUniform')]], (v) => this.edit((cfg) => { cfg.init = v; }));
    const std = checkbox(t('standardize'), 'standardize', (v) => this.edit((cfg) => { cfg.standardize = v; }));
    c.init = init.input;
    c.standardize = std.input;
    return h('details', { className: 'advanced', dataset: { key: 'advanced' } }, h('summary', { textContent: t('layerOptions') }), c.layerTable, init.el, std.el);
  },

  buildMetrics() {
    const c = this.controls;
    c.metricList = h('dl', { className: 'metric-list' });
    c.confusion = h('div', { className: 'confusion-host' });
    this.confusionView = new ConfusionView(c.confusion);
    return h('details', { className: 'metrics', open: true, dataset: { key: 'metrics' } }, h('summary', { textContent: t('metrics') }), c.metricList, c.confusion);
  },

  buildStopping() {
    const c = this.controls;
    // Plain text, read by the engine: a number field would hand over "" for what it cannot
    // parse, and parseInt reads "1e9" as 1.
    c.epochLimit = h('input', { type: 'text', inputmode: 'numeric', placeholder: t('epochLimit.placeholder'), className: 'short', dataset: { control: 'epochLimit' }, 'aria-label': t('epochLimit.aria'), onchange: () => this.setEpochLimit(c.epochLimit.value) });
    c.monitor = h('select', { 'aria-label': t('monitor.aria'), dataset: { control: 'monitor' }, onchange: () => { if (c.earlyStopping.checked) this.edit((cfg) => { cfg.early_stopping.monitor = c.monitor.value; }); } },
      named('monitor', MONITORS).map(([v, text]) => h('option', { value: v, textContent: text })));
    const es = checkbox(t('earlyStopping'), 'stopping', (v) => this.edit((cfg) => { cfg.early_stopping = v ? { monitor: c.monitor.value, min_delta: 0, patience: Number(c.patience.value) || 10, restore_best_weights: true } : null; }));
    c.earlyStopping = es.input;
    c.patience = h('input', { type: 'number', min: '1', step: '1', value: '10', 'aria-label': t('patience.aria'), className: 'short', onchange: () => { if (c.earlyStopping.checked) this.edit((cfg) => { cfg.early_stopping.patience = Math.max(1, parseInt(c.patience.value, 10) || 10); }); } });
    es.el.append(' ', c.monitor, ` ${t('patience.before')}`, c.patience, t('patience.after'));
    return h('div', { className: 'stopping', dataset: { key: 'stopping' } }, h('label', {}, `${t('epochLimit')} `, c.epochLimit), es.el);
  },

  setEpochLimit(text) {
    return this.editFromText('epochLimitFromText', text, (cfg, limit) => { cfg.epoch_limit = limit ?? null; });
  },

  buildModelIo() {
    const c = this.controls;
    c.importFile = h('input', { type: 'file', accept: '.json,application/json', className: 'visually-hidden', onchange: () => this.importModel() });
    c.withWeights = h('input', { type: 'checkbox', 'aria-label': t('withWeights.aria') });
    return h('div', { className: 'model-io' },
      h('div', { dataset: { key: 'model' } },
        h('button', { type: 'button', textContent: t('exportModel'), onclick: () => this.exportModel() }),
        h('button', { type: 'button', textContent: t('exportOnnx'), title: t('exportOnnx.title'), onclick: () => this.exportOnnx() }),
        h('label', { className: 'button' }, t('importModel'), c.importFile)),
      h('div', { dataset: { key: 'share' } },
        h('button', { type: 'button', textContent: t('copyLink'), onclick: () => this.copyLink() }),
        h('label', {}, c.withWeights, ` ${t('withWeights')}`)));
  },

  drawMetrics(f) {
    const c = this.controls;
    const m = f.metrics || {};
    clear(c.metricList);
    const names = f.task === 'regression' ? [['r2', 'R²'], ['mae', 'MAE'], ['mse', 'MSE']] : [['accuracy', t('metric.accuracy')], ['precision', t('metric.precision')], ['recall', t('metric.recall')], ['f1', 'F1']];
    for (const [k, label] of names) {
      if (typeof m[k] !== 'number') continue;
      c.metricList.append(h('dt', { textContent: label }), h('dd', { textContent: k === 'mae' || k === 'mse' || k === 'r2' ? formatNumber(m[k]) : `${formatNumber(m[k] * 100, 3)} %`, dataset: { metric: k } }));
    }
    this.confusionView.draw(m.confusion, this.tableInfo?.classNames || []);
  },

  /** Diverging scale for binary and regression outputs, one swatch per class otherwise. */
  updateLegend(f) {
    const c = this.controls;
    const multi = f.task === 'multiclass';
    c.legend.hidden = multi;
    c.classLegend.hidden = !multi;
    clear(c.classLegend);
    if (!multi) return;
    for (let k = 0; k < f.outputs; k++) {
      const chip = h('span', { className: 'chip' });
      chip.style.background = classCss(k);
      c.classLegend.append(h('span', { className: 'class-key' }, chip, this.tableInfo?.classNames?.[k] ?? t('class.n', { i: k })));
    }
  },

  buildLayerTable() {
    const table = this.controls.layerTable;
    clear(table);
    this.config.hidden.forEach((layer, i) => {
      const act = h('select', { 'aria-label': t('layer.activation', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].activation = act.value || null; }) },
        h('option', { value: '', textContent: t('layer.default') }), named('act', ACTIVATIONS).map(([v, n]) => h('option', { value: v, textContent: n })));
      act.value = layer.activation || '';
      const drop = h('select', { 'aria-label': t('layer.dropout', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].dropout = Number(drop.value); }) },
        [0, 0.1, 0.2, 0.3, 0.5].map((v) => h('option', { value: String(v), textContent: v ? t('layer.dropoutN', { v }) : t('layer.noDropout') })));
      drop.value = String(layer.dropout);
      const bn = h('input', { type: 'checkbox', checked: !!layer.batch_norm, 'aria-label': t('layer.batchNorm', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].batch_norm = bn.checked; }) });
      table.append(h('div', { className: 'layer-row' }, h('span', { textContent: t('layer.name', { n: i + 1, units: layer.units }) }), act, drop, h('label', {}, bn, ` ${t('layer.bn')}`)));
    });
  },
};
