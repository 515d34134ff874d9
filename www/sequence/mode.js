// The page's mode switch: tabs for the 2-D playground and the Sequences mode, a host for
// each, and the Sequences page started on demand. Each mode's UI stays built while the
// other is shown, so switching back finds it as it was.

import { h, relabel } from '../dom.js';
import { SequencePage } from './page.js';
import { t, tr, onLangChange } from '../i18n/index.js';

/**
 * Whether a link is for the Sequences mode. Only this one key is looked at here, to pick
 * which worker reads the link; every setting in it is read by the engine
 * (`sequenceConfigFromHash`, `url_state::is_sequence_hash`).
 */
export function isSequenceLink(hash) {
  return hash.replace(/^#/, '').split('&').includes('mode=sequence');
}

export class ModeSwitch {
  /** @param {HTMLElement} app  the page's main element; `onPick(mode)` on a tab click */
  constructor(app, onPick) {
    this.tabs = {
      playground: h('button', { type: 'button', role: 'tab', dataset: { mode: 'playground' }, textContent: tr('seq.mode.playground'), onclick: () => onPick('playground') }),
      sequence: h('button', { type: 'button', role: 'tab', dataset: { mode: 'sequence' }, textContent: tr('seq.mode.sequences'), onclick: () => onPick('sequence') }),
    };
    this.hosts = {
      playground: h('div', { className: 'mode-host', dataset: { host: 'playground' } }),
      sequence: h('div', { className: 'mode-host', dataset: { host: 'sequence' } }),
    };
    this.sequence = null;
    const nav = h('nav', { className: 'mode-switch', role: 'tablist', 'aria-label': tr('seq.mode.switch') }, this.tabs.playground, this.tabs.sequence);
    app.append(nav, this.hosts.playground, this.hosts.sequence);
    onLangChange(() => relabel(nav));
  }

  show(mode) {
    for (const [m, tab] of Object.entries(this.tabs)) {
      tab.setAttribute('aria-selected', String(m === mode));
      this.hosts[m].hidden = m !== mode;
    }
    document.documentElement.dataset.mode = mode;
    // Each mode its own help in the page's footer (index.html's `page.foot` is the
    // playground's); app.js says every `data-i18n` text again when the language changes.
    const foot = document.querySelector('.page-foot [data-i18n]');
    if (foot) {
      foot.dataset.i18n = mode === 'sequence' ? 'seq.foot' : 'page.foot';
      foot.textContent = t(foot.dataset.i18n);
    }
  }

  /** A fresh Sequences page from `hash`; `writeHash` receives its link after each change. */
  startSequence(hash, writeHash) {
    this.sequence?.destroy();
    const seq = new SequencePage(this.hosts.sequence, { hash, onChange: async (p) => writeHash(await p.shareHash()) });
    this.sequence = seq;
    globalThis.sequences = seq;
    return seq;
  }

  pauseSequence() {
    if (this.sequence?.root.dataset.running === 'true') this.sequence.togglePlay();
  }
}
