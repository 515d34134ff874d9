// Files and links: CSV upload and download, model export and import, share links. Mixed
// into `Playground.prototype`; `this` is the playground. Errors from the engine are shown
// as text, never thrown at the page.

import { h, clear } from './dom.js';

// The engine's caps (docs/limits.md), checked on the file's size before it is read into
// memory, so a huge file costs nothing.
const MAX_CSV_BYTES = 10 * 1024 * 1024;
const MAX_MODEL_BYTES = 64 * 1024 * 1024;
const mb = (bytes) => (bytes / 1048576).toFixed(1);

export const fileMethods = {
  async readCsv() {
    const c = this.controls;
    const file = c.file.files?.[0];
    c.csvError.textContent = '';
    if (!file) return;
    if (file.size > MAX_CSV_BYTES) {
      c.csvError.textContent = `${file.name} is ${mb(file.size)} MB; files up to ${mb(MAX_CSV_BYTES)} MB can be loaded.`;
      this.csvText = '';
      c.csvLoad.disabled = true;
      return;
    }
    this.csvText = await file.text();
    this.previewCsv(this.csvText);
  },

  /** Shows the first rows and offers the header's columns as label candidates. */
  previewCsv(text) {
    const c = this.controls;
    const lines = text.split(/\r?\n/).filter((l) => l.trim()).slice(0, 6);
    const rows = lines.map((l) => l.split(','));
    clear(c.csvPreview);
    clear(c.labelColumn);
    rows.forEach((r, i) => c.csvPreview.append(h('tr', {}, r.map((v) => h(i === 0 ? 'th' : 'td', { textContent: v.trim().slice(0, 24) })))));
    const header = rows[0] || [];
    const numericHeader = header.every((v) => v.trim() !== '' && !Number.isNaN(Number(v)));
    header.forEach((v, i) => c.labelColumn.append(h('option', { value: numericHeader ? String(i) : v.trim(), textContent: numericHeader ? `column ${i + 1}` : v.trim() })));
    c.labelColumn.value = c.labelColumn.options[c.labelColumn.options.length - 1]?.value ?? '';
    c.csvLoad.disabled = !header.length;
    this.csvNumericHeader = numericHeader;
  },

  /** Loads CSV text (from the file picker, or given directly). Errors leave the data as it was. */
  async loadCsv(text = this.csvText, label = this.controls.labelColumn.value) {
    const c = this.controls;
    c.csvError.textContent = '';
    try {
      const options = { label_column: label || null, has_header: this.csvNumericHeader === undefined ? null : !this.csvNumericHeader };
      const cfg = await this.call('loadCsv', text, options);
      this.setConfig(cfg);
      this.showStatus('Loaded your data.');
      this.setRunning(false);
      return true;
    } catch (err) {
      c.csvError.textContent = err.message;
      return false;
    }
  },

  async downloadCsv() {
    try {
      save(await this.call('dataCsv'), 'data.csv', 'text/csv');
    } catch (err) {
      this.showError(err.message);
    }
  },

  async exportModel() {
    try {
      save(await this.call('exportModel'), 'model.json', 'application/json');
    } catch (err) {
      this.showError(err.message);
    }
  },

  async importModel(text) {
    const c = this.controls;
    try {
      const file = c.importFile.files?.[0];
      if (text === undefined && file && file.size > MAX_MODEL_BYTES) {
        throw new Error(`${file.name} is ${mb(file.size)} MB; model files up to ${mb(MAX_MODEL_BYTES)} MB can be loaded`);
      }
      const json = text ?? (await file?.text());
      // No file chosen: nothing to do. An empty file goes on, so the engine says so.
      if (json === undefined) return false;
      const cfg = await this.call('importModel', json);
      this.setConfig(cfg);
      this.showStatus('Model imported.');
      return true;
    } catch (err) {
      this.showError(`Import failed: ${err.message}`);
      return false;
    } finally {
      c.importFile.value = '';
    }
  },

  async shareHash(withWeights = this.controls.withWeights.checked) {
    return this.call('hash', this.hide, withWeights);
  },

  async copyLink() {
    try {
      const hash = await this.shareHash();
      const url = `${location.origin}${location.pathname}#${hash}`;
      try {
        await navigator.clipboard.writeText(url);
        this.showStatus('Link copied.');
      } catch {
        this.showStatus(`Link: ${url}`);
      }
    } catch (err) {
      this.showError(err.message);
    }
  },
};

/** Offers `text` as a download named `name`. */
function save(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
