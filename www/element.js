// <nn-playground>: the playground as a custom element for documentation pages. Each element
// has its own shadow DOM and its own training worker, so several train independently.
//
//   <script type="module" src="www/element.js"></script>
//   <nn-playground dataset="spiral" layers="8,8" activation="tanh" hide="regularization,noise">
//
// Attributes: dataset, layers ("8,8"), activation, learning-rate, noise, train-ratio and
// validation (percent of the rows; of the training rows), seed, features
// ("x1,x2,sinx1"), batch-size, speed (epochs per second, or max), lang (en or zh; zh-CN and
// en-US read as those), threads (auto, a number, or 1; more than one needs a cross-origin
// isolated page), hide (control keys), panels (the optional panels to show, below, or
// "all"), autoplay, or config (a full link hash). The language is the document's: every
// playground on a page shows the one set last.
//
// An element is the compact playground: controls, data, network, map and loss chart. The
// panels below it leaves out unless `panels` names them, so a page of docs stays short:
//   <nn-playground dataset="xor" panels="metrics,stopping">
//
// mode="sequence" (or "sequences") embeds the Sequences mode instead (an attention demo; any
// other mode is named in a notice above the playground):
//   <nn-playground mode="sequence" task="reverse" length="6" vocab="8" blocks="1" heads="2" autoplay>
// with task, length, vocab, offset, modulus, blocks, heads, width, ff-units, dropout, causal,
// optimizer, learning-rate, warmup, batch-size, seed, speed (steps per second, or max), lang.

import { Playground } from './playground.js';
import { SequencePage } from './sequence/page.js';
import { h } from './dom.js';
import { tr } from './i18n/index.js';

// The `mode` values each mode answers to (case and spaces aside).
const MODES = { playground: ['', 'playground'], sequence: ['sequence', 'sequences'] };

const STYLE_URL = new URL('./style.css', import.meta.url).href;

const ATTRS = {
  dataset: 'dataset',
  layers: 'networkShape',
  activation: 'activation',
  'learning-rate': 'learningRate',
  noise: 'noise',
  'train-ratio': 'percTrainData',
  validation: 'percValData',
  seed: 'seed',
  features: 'features',
  'batch-size': 'batchSize',
  regularization: 'regularization',
  optimizer: 'optimizer',
  speed: 'speed',
  lang: 'lang',
  threads: 'threads',
};

/**
 * The optional panels by their keys (as `hide` names controls): the metrics, the model
 * report (ROC, importance, predictions), training health, one step explained, the stopping
 * rules, the model files and the share link.
 */
export const OPTIONAL_PANELS = ['metrics', 'insight', 'health', 'explain', 'stopping', 'model', 'share'];

const SEQUENCE_ATTRS = {
  task: 'task',
  length: 'length',
  vocab: 'vocab',
  offset: 'offset',
  modulus: 'modulus',
  blocks: 'blocks',
  heads: 'heads',
  width: 'width',
  'ff-units': 'ffUnits',
  dropout: 'dropout',
  causal: 'causal',
  optimizer: 'optimizer',
  'learning-rate': 'learningRate',
  warmup: 'warmup',
  'batch-size': 'batchSize',
  seed: 'seed',
  speed: 'speed',
  lang: 'lang',
};

/** `zh-CN`, `zh-Hans`, … read as `zh`, `en-GB` as `en`; anything else goes to the engine. */
function langKey(v) {
  const l = v.trim().toLowerCase();
  return l.startsWith('zh') ? 'zh' : l.startsWith('en') ? 'en' : v;
}

export class NnPlayground extends HTMLElement {
  static get observedAttributes() {
    return [...new Set(['config', 'hide', 'panels', 'mode', ...Object.keys(ATTRS), ...Object.keys(SEQUENCE_ATTRS)])];
  }

  connectedCallback() {
    if (!this.shadowRoot) {
      const shadow = this.attachShadow({ mode: 'open' });
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = STYLE_URL;
      shadow.appendChild(link);
      this.mount = document.createElement('div');
      this.mount.className = 'embed';
      shadow.appendChild(this.mount);
    }
    this.start();
  }

  disconnectedCallback() {
    this.playground?.destroy();
    this.playground = null;
  }

  attributeChangedCallback(name, before, after) {
    if (!this.playground || before === after) return;
    // A display setting: the model, data and run stay.
    if (name === 'lang' && after !== null) this.playground.setLanguage(langKey(after));
    else this.start();
  }

  /** `mode="sequence"` (or `"sequences"`, as the mode's tab reads) embeds the Sequences mode. */
  isSequence() {
    return MODES.sequence.includes(this.getAttribute('mode')?.trim().toLowerCase());
  }

  /** A `mode` that is neither mode: said above the playground shown instead, not dropped unsaid. */
  sayMode() {
    this.modeNote?.remove();
    this.modeNote = null;
    const mode = this.getAttribute('mode');
    if (mode === null || [...MODES.sequence, ...MODES.playground].includes(mode.trim().toLowerCase())) return;
    this.modeNote = h('p', { className: 'error', role: 'alert', dataset: { value: 'mode-note' }, textContent: tr('element.badMode', { mode }) });
    this.mount.before(this.modeNote);
  }

  /** The link hash the attributes describe (the engine reads it, in either mode). */
  hash() {
    const parts = this.isSequence() ? ['mode=sequence'] : [];
    const base = this.getAttribute('config');
    if (base) parts.push(base.replace(/^#/, ''));
    for (const [attr, key] of Object.entries(this.isSequence() ? SEQUENCE_ATTRS : ATTRS)) {
      let v = this.getAttribute(attr);
      if (attr === 'lang' && v !== null) v = langKey(v);
      if (v !== null) parts.push(`${key}=${encodeURIComponent(v.trim()).replace(/%2C/gi, ',')}`);
    }
    return parts.join('&');
  }

  start() {
    this.playground?.destroy();
    this.sayMode();
    if (this.isSequence()) {
      this.playground = new SequencePage(this.mount, { hash: this.hash(), compact: true });
      if (this.hasAttribute('autoplay')) this.playground.ready.then(() => this.playground?.togglePlay());
      return;
    }
    const list = (attr) => (this.getAttribute(attr) || '').split(',').map((s) => s.trim()).filter(Boolean);
    const panels = list('panels');
    const closed = panels.includes('all') ? [] : OPTIONAL_PANELS.filter((p) => !panels.includes(p));
    const hide = [...list('hide'), ...closed];
    this.playground = new Playground(this.mount, { hash: this.hash(), hide, compact: true });
    if (this.hasAttribute('autoplay')) this.playground.ready.then(() => this.playground?.togglePlay());
  }
}

if (!customElements.get('nn-playground')) customElements.define('nn-playground', NnPlayground);
