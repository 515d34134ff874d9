// Uploaded tables in the page: the column picker built from the engine's own preview, the
// load report, the map's axes and held values, the model report (per-class table, ROC or
// predicted-vs-actual scatter), feature importance and prediction downloads. Mixed into
// `Playground.prototype`; `this` is the playground. The engine decides; this file draws.

import { h, clear, say } from './dom.js';
import { paintRoc, paintScatter, paintBars } from './render/insight.js';
import { formatNumber } from './format.js';
import { save } from './files.js';
import { t, tr, phrase, pageError } from './i18n/index.js';

const mb = (bytes) => (bytes / 1048576).toFixed(1);
// Sliders for held values are folded away past this many input columns.
const OPEN_HELD_UP_TO = 6;

export const tableMethods = {
  buildUpload() {
    const c = this.controls;
    // The browser's own file button speaks the browser's language, not the page's: it is
    // hidden behind a label in the page's words, with the chosen file's name beside it.
    c.file = h('input', { type: 'file', accept: '.csv,.tsv,text/csv,text/plain', className: 'visually-hidden', onchange: () => this.readCsv() });
    c.fileName = h('span', { className: 'muted file-name' });
    c.labelColumn = h('select', { 'aria-label': tr('csv.label'), onchange: () => this.markLabel() });
    // The task overrides and missing-cell policies are the engine's (see `applyChoices`).
    c.taskKind = h('select', { 'aria-label': tr('csv.task') });
    c.missing = h('select', { 'aria-label': tr('csv.missing') });
    c.columnList = h('div', { className: 'column-list', role: 'group', 'aria-label': tr('csv.columns') });
    c.csvPreview = h('table', { className: 'preview' });
    c.csvError = h('p', { className: 'error csv-error', role: 'alert' });
    c.csvReport = h('p', { className: 'csv-report', role: 'status' });
    c.csvLoad = h('button', { type: 'button', textContent: tr('csv.use'), disabled: true, onclick: () => this.loadCsv() });
    c.download = h('button', { type: 'button', className: 'text', textContent: tr('csv.download'), onclick: () => this.downloadCsv() });
    c.csvOptions = h('div', { className: 'csv-options' },
      h('label', {}, tr('csv.label'), ' ', c.labelColumn), h('label', {}, tr('csv.task'), ' ', c.taskKind), h('label', {}, tr('csv.missing'), ': ', c.missing),
      h('div', { className: 'caption', textContent: tr('csv.columns') }), c.columnList);
    c.csvOptions.hidden = true;
    return h('details', { className: 'upload', dataset: { key: 'upload' } },
      h('summary', { textContent: tr('csv') }),
      h('label', { className: 'button' }, tr('csv.choose'), c.file), ' ', c.fileName,
      c.csvOptions, c.csvPreview, c.csvLoad, c.csvError, c.csvReport, c.download);
  },

  async readCsv() {
    const c = this.controls;
    const file = c.file.files?.[0];
    this.csvSay('');
    c.fileName.textContent = file ? file.name : '';
    if (!file) return;
    // The engine's cap, checked on the file's size so a huge file is never read.
    const maxBytes = this.choices.limits.max_csv_bytes;
    if (file.size > maxBytes) {
      this.csvSay({ key: 'csv.tooLarge', vars: { name: file.name, size: mb(file.size), max: mb(maxBytes) } });
      this.csvText = '';
      c.csvLoad.disabled = true;
      return;
    }
    if (file.size === 0) {
      this.csvSay({ key: 'csv.empty', vars: { name: file.name } });
      c.csvLoad.disabled = true;
      return;
    }
    // The engine decodes the bytes (UTF-8 or UTF-16), the same in every browser.
    let text;
    try {
      text = await this.call('decodeCsv', new Uint8Array(await file.arrayBuffer()));
    } catch (err) {
      this.csvSay(err);
      c.csvLoad.disabled = true;
      return;
    }
    await this.previewCsv(text);
  },

  /** Reads the table with the engine's reader and offers its columns. */
  async previewCsv(text) {
    const c = this.controls;
    this.csvSay('');
    let p;
    try {
      p = await this.call('csvPreview', text);
    } catch (err) {
      this.csvSay(err);
      c.csvLoad.disabled = true;
      return false;
    }
    this.csvText = text;
    this.csvPreviewInfo = p;
    clear(c.csvPreview);
    clear(c.labelColumn);
    clear(c.columnList);
    c.csvPreview.append(h('tr', {}, p.columns.map((col) => h('th', { textContent: col.name }))));
    for (const row of p.head) c.csvPreview.append(h('tr', {}, row.map((v) => h('td', { textContent: v }))));
    p.columns.forEach((col) => {
      c.labelColumn.append(h('option', { value: col.key, textContent: col.name }));
      const box = h('input', { type: 'checkbox', checked: true, value: col.key, dataset: { column: col.name } });
      c.columnList.append(h('label', { className: 'column', title: () => summary(col) }, box, ` ${col.name} `, h('span', { className: 'muted', textContent: () => summary(col) })));
    });
    c.labelColumn.value = c.labelColumn.options[c.labelColumn.options.length - 1]?.value ?? '';
    c.csvOptions.hidden = false;
    this.markLabel();
    c.csvLoad.disabled = false;
    say(c.csvReport, 'textContent', () => t(p.has_header ? 'csv.shapeHeader' : 'csv.shapeNoHeader', { rows: p.rows.toLocaleString('en'), columns: p.columns.length, delimiter: p.delimiter === ',' ? t('csv.comma') : p.delimiter }));
    return true;
  },

  /** The upload's error line (a message as `phrase` takes it; empty clears it). */
  csvSay(msg) {
    say(this.controls.csvError, 'textContent', () => phrase(msg));
  },

  /** The label column cannot also be a feature: its box is unticked and disabled. */
  markLabel() {
    const c = this.controls;
    for (const box of c.columnList.querySelectorAll('input')) {
      const isLabel = box.value === c.labelColumn.value;
      box.disabled = isLabel;
      if (isLabel) box.checked = false;
      else if (box.dataset.wasLabel) box.checked = true;
      box.dataset.wasLabel = isLabel ? '1' : '';
    }
  },

  /** The options the column picker describes: every ticked box, or `null` for all. */
  csvOptionsFromForm() {
    const c = this.controls;
    const boxes = [...c.columnList.querySelectorAll('input')].filter((b) => !b.disabled);
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    return {
      label_column: c.labelColumn.value || null,
      has_header: this.csvPreviewInfo ? this.csvPreviewInfo.has_header : null,
      features: ticked.length === boxes.length ? null : ticked,
      kind: c.taskKind.value || null,
      missing: c.missing.value,
    };
  },

  /** Loads CSV text with the picker's choices. Errors leave the data as it was. */
  async loadCsv(text = this.csvText, options = this.csvOptionsFromForm()) {
    const c = this.controls;
    this.csvSay('');
    try {
      const cfg = await this.call('loadCsv', text, options);
      this.setConfig(cfg);
      const info = await this.call('tableInfo');
      this.setTableInfo(info);
      say(c.csvReport, 'textContent', () => reportText(info.report));
      this.showStatus({ key: 'csv.loaded' });
      this.setRunning(false);
      return true;
    } catch (err) {
      this.csvSay(err);
      return false;
    }
  },

  // ------------------------------------------------------------ the map's slice

  buildSlice() {
    const c = this.controls;
    c.axisX = h('select', { 'aria-label': tr('slice.x'), onchange: () => this.sendSlice(c.axisX) });
    c.axisY = h('select', { 'aria-label': tr('slice.y'), onchange: () => this.sendSlice(c.axisY) });
    c.heldList = h('div', { className: 'held-list' });
    c.held = h('details', { className: 'held' }, h('summary', { textContent: tr('slice.held') }), c.heldList);
    c.slice = h('div', { className: 'slice', dataset: { key: 'slice' } },
      h('label', {}, '→ ', c.axisX), h('label', {}, '↑ ', c.axisY), c.held);
    c.slice.hidden = true;
    return c.slice;
  },

  /** Table facts from the worker: names, classes, slice, load report. */
  setTableInfo(info) {
    const names = JSON.stringify(this.tableInfo?.inputNames);
    this.tableInfo = info && info.isTable ? info : null;
    // The network's inputs are the table's columns: redraw it when they change.
    if (this.config && JSON.stringify(this.tableInfo?.inputNames) !== names) this.network.setStructure(this.structure());
    const c = this.controls;
    this.root.dataset.table = String(!!this.tableInfo);
    c.slice.hidden = !this.tableInfo;
    c.predictFileLabel.hidden = !this.tableInfo;
    // Rows of a table cannot be clicked in: the map is a slice through many inputs.
    c.addClass.el.hidden = !!this.tableInfo || this.frame?.task === 'regression' || this.hide.includes('addClass');
    if (this.frame) this.updateLegend(this.frame);
    if (!this.tableInfo) return;
    const s = info.slice;
    const key = (a) => `${a.kind}:${a.index}`;
    for (const sel of [c.axisX, c.axisY]) {
      clear(sel);
      // A component says its share of the variance where it is picked ("PC1 · 42 %").
      const label = (axis, name) => (axis.kind === 'component' && s.explained[axis.index] !== undefined ? `${name} · ${pct(s.explained[axis.index])}` : name);
      for (const [axis, name] of s.choices) sel.append(h('option', { value: key(axis), textContent: label(axis, name) }));
    }
    c.axisX.value = key(s.x);
    c.axisY.value = key(s.y);
    clear(c.heldList);
    this.heldInputs = s.held.map((v) => {
      let input;
      if (v.categories.length) {
        input = h('select', { 'aria-label': tr('slice.heldValue', { name: v.name }), onchange: () => this.sendSlice() }, v.categories.map((k, i) => h('option', { value: String(i), textContent: k })));
        input.value = String(v.value);
      } else {
        const step = v.max > v.min ? (v.max - v.min) / 100 : 1;
        input = h('input', { type: 'range', min: String(v.min), max: String(v.max), step: String(step), value: String(v.value), 'aria-label': tr('slice.heldValue', { name: v.name }) });
        const out = h('output', { textContent: formatNumber(v.value) });
        input.addEventListener('input', () => { out.textContent = formatNumber(Number(input.value)); });
        input.addEventListener('change', () => this.sendSlice());
        c.heldList.append(h('label', { className: 'held-value' }, `${v.name} `, out, input));
        return input;
      }
      c.heldList.append(h('label', { className: 'held-value' }, `${v.name} `, input));
      return input;
    });
    c.held.open = s.held.length <= OPEN_HELD_UP_TO;
    const explained = () => (s.explained.length ? ` · ${t('slice.explained', { pc1: pct(s.explained[0]), pc2: pct(s.explained[1] ?? 0) })}` : '');
    say(c.held, 'title', () => `${t('slice.heldTitle')}${explained()}`);
  },

  /** Sends the chosen axes; components go together (PC1 across, PC2 up), columns apart. */
  async sendSlice(changed) {
    const c = this.controls;
    const other = changed === c.axisX ? c.axisY : c.axisX;
    if (changed && changed.value.startsWith('component')) {
      c.axisX.value = 'component:0';
      c.axisY.value = 'component:1';
    } else if (changed && (other.value.startsWith('component') || other.value === changed.value)) {
      // Leaving the components (or picking the other axis's column): the other axis takes
      // the first column not in use.
      const free = [...other.options].find((o) => o.value.startsWith('column') && o.value !== changed.value);
      if (free) other.value = free.value;
    }
    const axis = (v) => { const [kind, index] = v.split(':'); return { kind, index: Number(index) }; };
    const held = this.heldInputs.map((i) => Number(i.value));
    try {
      await this.call('setSlice', axis(c.axisX.value), axis(c.axisY.value), held);
      this.clearError();
    } catch (err) {
      this.showError(err);
    }
  },

  // ------------------------------------------------------------ the model report

  buildInsight() {
    const c = this.controls;
    c.classTable = h('table', { className: 'class-table', 'aria-label': tr('report.classes.aria') });
    c.insightCanvas = h('canvas', { className: 'insight-plot', width: 220, height: 160, role: 'img', 'aria-label': tr('report.plot.aria') });
    c.insightText = h('p', { className: 'insight-text' });
    c.importanceBars = h('canvas', { className: 'importance', width: 260, height: 40, role: 'img', 'aria-label': tr('importance.aria') });
    c.importanceStatus = h('p', { className: 'importance-status', 'aria-live': 'polite' });
    c.importanceStart = h('button', { type: 'button', textContent: tr('importance'), onclick: () => this.startImportance() });
    c.importanceCancel = h('button', { type: 'button', className: 'text', textContent: tr('cancel'), hidden: true, onclick: () => this.act('cancelImportance') });
    c.predAll = h('input', { type: 'checkbox', 'aria-label': tr('pred.all.aria') });
    c.predDownload = h('button', { type: 'button', className: 'text', textContent: tr('pred.download'), onclick: () => this.downloadPredictions() });
    c.predictFile = h('input', { type: 'file', accept: '.csv,.tsv,text/csv,text/plain', className: 'visually-hidden', onchange: () => this.predictFile() });
    c.predictFileLabel = h('label', { className: 'button', title: tr('pred.file.title') }, tr('pred.file'), c.predictFile);
    c.insight = h('details', { className: 'insight', open: true, dataset: { key: 'insight' } },
      h('summary', { textContent: tr('report') }), c.classTable, c.insightCanvas, c.insightText,
      h('div', {}, c.importanceStart, c.importanceCancel), c.importanceStatus, c.importanceBars,
      h('div', {}, c.predDownload, h('label', {}, c.predAll, ' ', tr('pred.all'))), h('div', {}, c.predictFileLabel));
    return c.insight;
  },

  drawInsight(r) {
    const c = this.controls;
    // Kept for a change of language: the plot's axis names are painted on its canvas.
    this.lastInsight = r;
    clear(c.classTable);
    if (!r) return;
    if (r.classes) {
      c.classTable.append(h('tr', {}, [tr('report.class'), tr('report.precision'), tr('report.recall'), 'F1', tr('report.support')].map((text) => h('th', { textContent: text }))));
      for (const row of r.classes.rows.slice(0, 50)) {
        c.classTable.append(h('tr', { dataset: { class: row.name } }, h('th', { textContent: row.name }),
          [row.precision, row.recall, row.f1].map((v) => h('td', { textContent: formatNumber(v) })), h('td', { textContent: String(row.support) })));
      }
      if (r.classes.rows.length > 50) c.classTable.append(h('tr', {}, h('td', { colSpan: 5, textContent: tr('report.more', { n: r.classes.rows.length - 50 }) })));
    }
    if (r.roc) {
      paintRoc(c.insightCanvas, r.roc);
      say(c.insightText, 'textContent', () => (r.roc.auc === null ? t('report.oneClass') : `ROC AUC ${formatNumber(r.roc.auc)}`));
      c.insightCanvas.hidden = false;
    } else if (r.regression) {
      paintScatter(c.insightCanvas, r.scatter);
      const g = r.regression;
      say(c.insightText, 'textContent', tr('report.regression', { r2: formatNumber(g.r2), mae: formatNumber(g.mae), rmse: formatNumber(g.rmse) }));
      c.insightCanvas.hidden = false;
    } else {
      c.insightCanvas.hidden = true;
      say(c.insightText, 'textContent', () => '');
    }
    Object.assign(this.root.dataset, { auc: r.roc?.auc ?? '', r2: r.regression?.r2 ?? '' });
  },

  async startImportance() {
    try {
      await this.call('startImportance', 3);
      this.setRunning(false);
      this.clearError();
    } catch (err) {
      this.showError(err);
    }
  },

  drawImportance(imp) {
    const c = this.controls;
    c.importanceCancel.hidden = !imp || imp.done >= imp.total;
    if (!imp) {
      say(c.importanceStatus, 'textContent', () => '');
      return;
    }
    const what = () => (imp.score === 'accuracy' ? t('importance.accuracy') : imp.score === 'r2' ? 'R²' : t('importance.loss'));
    say(c.importanceStatus, 'textContent', () => (imp.done < imp.total
      ? t('importance.running', { n: imp.done + 1, of: imp.total })
      : t('importance.done', { what: what(), baseline: formatNumber(imp.baseline) })));
    paintBars(c.importanceBars, imp.columns);
    this.root.dataset.importance = imp.done >= imp.total ? JSON.stringify(imp.columns.map(([n, m]) => [n, m])) : '';
  },

  /** A new file with the trained columns: the engine encodes its raw cells as in training. */
  async predictFile() {
    const c = this.controls;
    const file = c.predictFile.files?.[0];
    try {
      if (!file) return;
      const maxBytes = this.choices.limits.max_csv_bytes;
      if (file.size > maxBytes) throw pageError('pred.tooLarge', { name: file.name, size: mb(file.size), max: mb(maxBytes) });
      const text = await this.call('decodeCsv', new Uint8Array(await file.arrayBuffer()));
      const csv = await this.call('predictCsv', text);
      save(csv, file.name.replace(/(\.[^.]*)?$/, '-predictions.csv'), 'text/csv');
      this.clearError();
    } catch (err) {
      this.showError({ key: 'pred.failed', vars: { message: err } });
    } finally {
      c.predictFile.value = '';
    }
  },

  async downloadPredictions() {
    try {
      const csv = await this.call('predictionsCsv', this.controls.predAll.checked);
      save(csv, 'predictions.csv', 'text/csv');
    } catch (err) {
      this.showError(err);
    }
  },
};

function summary(col) {
  const missing = col.missing ? t('col.missing', { n: col.missing }) : '';
  if (col.kind === 'numeric') {
    const range = col.min === null ? t('col.noValues') : `${formatNumber(col.min)} … ${formatNumber(col.max)}`;
    return `${t('col.number', { range })}${missing}`;
  }
  return `${t('col.text', { n: col.overflow ? t('col.over256') : col.distinct })}${missing}`;
}

function reportText(r) {
  if (!r) return '';
  const parts = [t('rep.using', { used: r.rows_used.toLocaleString('en'), read: r.rows_read.toLocaleString('en') })];
  if (r.dropped_missing_label) parts.push(t('rep.noLabel', { n: r.dropped_missing_label }));
  if (r.dropped_missing_features) parts.push(t('rep.missingCells', { n: r.dropped_missing_features }));
  if (r.filled_cells) parts.push(t('rep.filled', { n: r.filled_cells }));
  for (const s of r.skipped) parts.push(t('rep.skipped', { what: s }));
  return parts.join(' ');
}

function pct(v) {
  return `${(v * 100).toFixed(0)} %`;
}
