// Playground panels that are plain forms and tables: CSV upload, layer options, metrics,
// stopping rules and model files. Mixed into `Playground.prototype`; `this` is the playground.

import { h, select, checkbox, clear } from './dom.js';
import { classCss } from './render/colors.js';
import { ConfusionView } from './render/confusion.js';
import { formatNumber } from './format.js';
import { tr, choiceOptions } from './i18n/index.js';

export const panelMethods = {
  buildAdvanced() {
    const c = this.controls;
    c.layerTable = h('div', { className: 'layer-table' });
    // Its options, as the monitor's below, are the engine's (see `applyChoices`).
    const init = select(tr('init'), 'init', [], (v) => this.edit((cfg) => { cfg.init = v; }));
    const std = checkbox(tr('standardize'), 'standardize', (v) => this.edit((cfg) => { cfg.standardize = v; }));
    // The output layer's activation and the loss: the engine's lists, and "auto" (none in
    // the config) for what the engine derives from the task.
    const outAct = select(tr('outputActivation'), 'outputActivation', [], (v) => this.edit((cfg) => { cfg.output_activation = v || null; }));
    const loss = select(tr('loss'), 'loss', [], (v) => this.edit((cfg) => { cfg.loss = v || null; }));
    c.init = init.input;
    c.standardize = std.input;
    c.outputActivation = outAct.input;
    c.loss = loss.input;
    return h('details', { className: 'advanced', dataset: { key: 'advanced' } }, h('summary', { textContent: tr('layerOptions') }), c.layerTable, outAct.el, loss.el, init.el, std.el);
  },

  buildMetrics() {
    const c = this.controls;
    c.metricList = h('dl', { className: 'metric-list' });
    c.confusion = h('div', { className: 'confusion-host' });
    this.confusionView = new ConfusionView(c.confusion);
    return h('details', { className: 'metrics', open: true, dataset: { key: 'metrics' } }, h('summary', { textContent: tr('metrics') }), c.metricList, c.confusion);
  },

  buildStopping() {
    const c = this.controls;
    // Plain text, read by the engine: a number field would hand over "" for what it cannot
    // parse, and parseInt reads "1e9" as 1.
    c.epochLimit = h('input', { type: 'text', inputmode: 'numeric', placeholder: tr('epochLimit.placeholder'), className: 'short', dataset: { control: 'epochLimit' }, 'aria-label': tr('epochLimit.aria'), onchange: () => this.setEpochLimit(c.epochLimit.value) });
    c.monitor = h('select', { 'aria-label': tr('monitor.aria'), dataset: { control: 'monitor' }, onchange: () => { if (c.earlyStopping.checked) this.edit((cfg) => { cfg.early_stopping.monitor = c.monitor.value; }); } });
    // Turned on: the engine's default rule (`choices().early_stopping`) with the controls' monitor and patience.
    const es = checkbox(tr('earlyStopping'), 'stopping', (v) => this.edit((cfg) => {
      const rule = this.choices.early_stopping;
      cfg.early_stopping = v ? { ...rule, monitor: c.monitor.value, patience: Number(c.patience.value) || rule.patience } : null;
    }));
    c.earlyStopping = es.input;
    c.patience = h('input', { type: 'number', min: '1', step: '1', 'aria-label': tr('patience.aria'), className: 'short', onchange: () => { if (c.earlyStopping.checked) this.edit((cfg) => { cfg.early_stopping.patience = Math.max(1, parseInt(c.patience.value, 10) || this.choices.early_stopping.patience); }); } });
    es.el.append(' ', c.monitor, ' ', h('span', {}, tr('patience.before')), c.patience, h('span', {}, tr('patience.after')));
    return h('div', { className: 'stopping', dataset: { key: 'stopping' } }, h('label', {}, tr('epochLimit'), ' ', c.epochLimit), es.el);
  },

  setEpochLimit(text) {
    return this.editFromText('epochLimitFromText', text, (cfg, limit) => { cfg.epoch_limit = limit ?? null; });
  },

  buildModelIo() {
    const c = this.controls;
    c.importFile = h('input', { type: 'file', accept: '.json,application/json', className: 'visually-hidden', onchange: () => this.importModel() });
    c.withWeights = h('input', { type: 'checkbox', 'aria-label': tr('withWeights.aria') });
    return h('div', { className: 'model-io' },
      h('div', { dataset: { key: 'model' } },
        h('button', { type: 'button', textContent: tr('exportModel'), onclick: () => this.exportModel() }),
        h('button', { type: 'button', textContent: tr('exportOnnx'), title: tr('exportOnnx.title'), onclick: () => this.exportOnnx() }),
        h('label', { className: 'button' }, tr('importModel'), c.importFile)),
      h('div', { dataset: { key: 'share' } },
        h('button', { type: 'button', textContent: tr('copyLink'), onclick: () => this.copyLink() }),
        h('label', {}, c.withWeights, ' ', tr('withWeights'))));
  },

  drawMetrics(f) {
    const c = this.controls;
    const m = f.metrics || {};
    clear(c.metricList);
    // The rows, their order and which are shares come from the engine (`choices().metrics`).
    const kind = f.task === 'regression' ? 'regression' : 'classification';
    for (const { id, task, percent } of this.choices.metrics) {
      if (task !== kind || typeof m[id] !== 'number') continue;
      c.metricList.append(h('dt', { textContent: tr(`metric.${id}`) }), h('dd', { textContent: percent ? `${formatNumber(m[id] * 100, 3)} %` : formatNumber(m[id]), dataset: { metric: id } }));
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
      c.classLegend.append(h('span', { className: 'class-key' }, chip, this.tableInfo?.classNames?.[k] ?? tr('class.n', { i: k })));
    }
  },

  buildLayerTable() {
    const table = this.controls.layerTable;
    clear(table);
    this.config.hidden.forEach((layer, i) => {
      const act = h('select', { 'aria-label': tr('layer.activation', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].activation = act.value || null; }) },
        h('option', { value: '', textContent: tr('layer.default') }), choiceOptions(this.choices, 'activations').map(([v, n]) => h('option', { value: v, textContent: n })));
      act.value = layer.activation || '';
      const drop = h('select', { 'aria-label': tr('layer.dropout', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].dropout = Number(drop.value); }) },
        this.choices.dropout_rates.map((v) => h('option', { value: String(v), textContent: v ? tr('layer.dropoutN', { v }) : tr('layer.noDropout') })));
      drop.value = String(layer.dropout);
      const bn = h('input', { type: 'checkbox', checked: !!layer.batch_norm, 'aria-label': tr('layer.batchNorm', { n: i + 1 }), onchange: () => this.edit((cfg) => { cfg.hidden[i].batch_norm = bn.checked; }) });
      // Its width, typed: the engine checks it (a refusal is shown and the field goes back).
      const units = h('input', { type: 'number', className: 'short', min: '1', max: String(this.choices.controls.hidden_units), step: '1', value: String(layer.units), 'aria-label': tr('layer.units', { n: i + 1 }), dataset: { control: 'units', layer: String(i) },
        onchange: () => this.edit((cfg) => { cfg.hidden[i].units = units.value.trim() === '' ? layer.units : Number(units.value); }) });
      table.append(h('div', { className: 'layer-row' }, h('span', { textContent: tr('layer.name', { n: i + 1, units: layer.units }) }), units, act, drop, h('label', {}, bn, ' ', tr('layer.bn'))));
    });
  },
};
