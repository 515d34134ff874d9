// Files and links: data download, model export and import, share links (the CSV upload is
// in table.js). Mixed into `Playground.prototype`; `this` is the playground. Errors from the
// engine are shown as text, never thrown at the page.

import { h } from './dom.js';
import { pageError } from './i18n/index.js';

const mb = (bytes) => (bytes / 1048576).toFixed(1);

export const fileMethods = {
  async downloadCsv() {
    try {
      save(await this.call('dataCsv'), 'data.csv', 'text/csv');
    } catch (err) {
      this.showError(err);
    }
  },

  async exportModel() {
    try {
      save(await this.call('exportModel'), 'model.json', 'application/json');
    } catch (err) {
      this.showError(err);
    }
  },

  /** The model with its features and scalers as `model.onnx` (docs/onnx.md). */
  async exportOnnx() {
    try {
      save(await this.call('exportOnnx'), 'model.onnx', 'application/octet-stream');
    } catch (err) {
      this.showError({ key: 'onnxFailed', vars: { message: err } });
    }
  },

  async importModel(text) {
    const c = this.controls;
    try {
      const file = c.importFile.files?.[0];
      // The engine's cap (`choices().limits`), checked on the size so a huge file is never read.
      const maxBytes = this.choices.limits.max_model_bytes;
      if (text === undefined && file && file.size > maxBytes) {
        throw pageError('modelTooLarge', { name: file.name, size: mb(file.size), max: mb(maxBytes) });
      }
      const json = text ?? (await file?.text());
      // No file chosen: nothing to do. An empty file goes on, so the engine says so.
      if (json === undefined) return false;
      const cfg = await this.call('importModel', json);
      this.setConfig(cfg);
      this.showStatus({ key: 'modelImported' });
      return true;
    } catch (err) {
      this.showError({ key: 'importFailed', vars: { message: err } });
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
        this.showStatus({ key: this.config.dataset === 'custom' ? 'linkCopiedCustom' : 'linkCopied' });
      } catch {
        this.showStatus({ key: 'linkShown', vars: { url } });
      }
    } catch (err) {
      this.showError(err);
    }
  },
};

/** Offers `text` (a string or bytes) as a download named `name`. */
export function save(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
