// "One step, explained": the engine's forward pass, backward pass and update for one
// training example, laid out as a worked example per layer (z = xW + b, a = σ(z), δ, ΔW = xᵀδ,
// Δb = δ, W ← W − αΔW). Small networks show every number; larger ones one unit at a time.
// Mixed into `Playground.prototype`; `this` is the playground.

import { h, clear, say } from './dom.js';
import { formatNumber } from './format.js';
import { t, tr, phrase } from './i18n/index.js';

// Past this many inputs or units a layer is shown one unit at a time.
const FULL_UP_TO = 8;
const num = (v) => formatNumber(v, 3);

export const explainMethods = {
  buildExplain() {
    const c = this.controls;
    this.explainRow = 0;
    c.explainRow = h('output', { className: 'explain-row' });
    c.explainPick = h('input', { type: 'checkbox', 'aria-label': tr('explain.pick.aria') });
    c.explainUnit = h('input', { type: 'number', min: '1', value: '1', className: 'short', 'aria-label': tr('explain.unit.aria'), onchange: () => this.showExplained() });
    c.explainBody = h('div', { className: 'explain-body' });
    c.explain = h('details', { className: 'explain', dataset: { key: 'explain' } },
      h('summary', { textContent: tr('explain') }),
      h('div', { className: 'explain-bar' },
        h('button', { type: 'button', className: 'small', 'aria-label': tr('explain.prev'), textContent: '◀', onclick: () => this.stepExample(-1) }),
        c.explainRow,
        h('button', { type: 'button', className: 'small', 'aria-label': tr('explain.next'), textContent: '▶', onclick: () => this.stepExample(1) }),
        h('label', {}, c.explainPick, ' ', tr('explain.pick')),
        h('label', {}, ' ', tr('explain.unit'), ' ', c.explainUnit)),
      c.explainBody);
    c.explain.addEventListener('toggle', () => { if (c.explain.open) this.showExplained(); });
    return c.explain;
  },

  stepExample(d) {
    this.explainRow = Math.max(0, this.explainRow + d);
    this.showExplained();
  },

  /** A click on the map while picking: the nearest training example. True if it was used. */
  async pickExample(x, y) {
    if (!this.controls.explain.open || !this.controls.explainPick.checked) return false;
    const row = await this.call('nearestTrainingRow', x, y);
    if (row !== undefined && row !== null) {
      this.explainRow = row;
      await this.showExplained();
    }
    return true;
  },

  async showExplained() {
    const c = this.controls;
    if (!c.explain.open) return;
    let e;
    try {
      e = await this.call('explainStep', this.explainRow);
    } catch (err) {
      clear(c.explainBody);
      c.explainBody.append(h('p', { className: 'error', textContent: () => phrase(err) }));
      return;
    }
    this.explainRow = e.row;
    say(c.explainRow, 'textContent', () => ` ${t('explain.example', { n: e.row + 1, of: e.rows })} `);
    clear(c.explainBody);
    c.explainBody.append(h('p', {}, tr('explain.summary', { target: e.target.map(num).join(', '), loss: num(e.loss), lr: num(e.learning_rate) })));
    const unit = Math.max(0, Number(c.explainUnit.value) - 1);
    e.layers.forEach((l, k) => {
      const last = k === e.layers.length - 1;
      const full = l.units <= FULL_UP_TO && l.inputs <= FULL_UP_TO;
      const units = full ? [...Array(l.units).keys()] : [Math.min(unit, l.units - 1)];
      const inNames = k === 0 ? e.input_names : Array.from({ length: l.inputs }, (_, i) => `a${k}.${i + 1}`);
      const block = h('div', { className: 'explain-layer', dataset: { layer: String(k) } },
        h('h3', { textContent: () => `${last ? t('explain.outputLayer') : t('explain.layer', { n: k + 1 })} (${l.units} ${l.activation})${full ? '' : ` — ${t('explain.unitOf', { n: units[0] + 1, of: l.units })}`}` }));
      block.append(row('x', l.x.slice(0, FULL_UP_TO * 4)));
      block.append(matrix('W', l.w, l.inputs, l.units, units, inNames));
      block.append(row('z = xW + b', units.map((j) => l.z[j])), row(`a = ${l.activation}(z)`, units.map((j) => l.a[j])));
      block.append(row(last ? 'δ = ∂L/∂z' : 'δ = (δ⁽ⁿᵉˣᵗ⁾Wᵀ) ⊙ σ′(z)', units.map((j) => l.delta[j]), 'delta'));
      block.append(matrix('ΔW = xᵀδ', l.dw, l.inputs, l.units, units, inNames, 'dw'), row('Δb = δ', units.map((j) => l.db[j])));
      block.append(matrix(tr('explain.wAfter'), l.w_after, l.inputs, l.units, units, inNames));
      // At a few digits W after the step reads as W; the change itself shows the step.
      if (l.w_change) block.append(matrix(tr('explain.wChange'), l.w_change, l.inputs, l.units, units, inNames, 'wchange'));
      c.explainBody.append(block);
    });
  },
};

function row(label, values, key) {
  return h('div', { className: 'explain-line', dataset: key ? { [key]: values.join(',') } : {} }, h('span', { className: 'explain-label', textContent: `${label} = ` }), `[${values.map(num).join(', ')}]`);
}

/** Columns `units` of an `inputs × out` row-major matrix, one row per input. */
function matrix(label, m, inputs, out, units, names, key) {
  const t = h('table', { className: 'explain-matrix', dataset: key ? { [key]: units.map((j) => Array.from({ length: inputs }, (_, i) => m[i * out + j]).join(',')).join(';') } : {} },
    h('caption', { textContent: label }));
  for (let i = 0; i < Math.min(inputs, 64); i++) {
    t.append(h('tr', {}, h('th', { textContent: names[i] ?? String(i + 1) }), units.map((j) => h('td', { textContent: num(m[i * out + j]) }))));
  }
  return t;
}
