// A tiny DOM builder: elements from tag, properties and children, without markup strings,
// and texts that follow the page's language (a function given for a text is evaluated now
// and again by `relabel` after the language changes).

/**
 * h('button', {className: 'x', textContent: 'Go', onclick: f, 'aria-label': 'go'}, …children)
 * Keys starting with "on" are listeners, `dataset` is merged, `className`/`textContent`/
 * `type`/`value`/`checked`/… are set as properties, the rest as attributes. Any other value
 * or child that is a function is a text in the page's language (see `say`).
 */
export function h(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (typeof v === 'function') say(e, k, v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else setProp(e, k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === 'function') {
      const node = document.createTextNode('');
      e.appendChild(node);
      say(node, 'data', c, e);
    } else e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function setProp(e, k, v) {
  if (k in PROPS || k === 'data') e[k] = v;
  else e.setAttribute(k, v === true ? '' : String(v));
}

/**
 * Sets `target[prop]` (a property or attribute) to `text()` now and again at every
 * `relabel` of a root holding it, so the text follows the page's language; a later `say` of
 * the same prop replaces the earlier one. Text nodes are kept on their element `host`.
 */
export function say(target, prop, text, host = target) {
  const list = (host.i18nTexts ||= []);
  const at = list.findIndex(([t, p]) => t === target && p === prop);
  if (at >= 0) list.splice(at, 1);
  list.push([target, prop, text]);
  if (!host.hasAttribute('data-tr')) host.setAttribute('data-tr', '');
  setProp(target, prop, text());
}

/** Evaluates again every language-following text under `root` (root included). */
export function relabel(root) {
  for (const e of [root, ...root.querySelectorAll('[data-tr]')]) {
    for (const [target, prop, text] of e.i18nTexts || []) {
      // A text node replaced since (its parent cleared) is dropped rather than written.
      if (target !== e && target.parentNode !== e) continue;
      setProp(target, prop, text());
    }
  }
}

const PROPS = { className: 1, textContent: 1, type: 1, value: 1, checked: 1, min: 1, max: 1, step: 1, id: 1, htmlFor: 1, title: 1, disabled: 1, accept: 1, width: 1, height: 1, tabIndex: 1, selected: 1, name: 1 };

/** A labelled <select>; options are [value, text] pairs or plain values (texts as in `h`). */
export function select(label, key, options, onchange) {
  const id = uid(key);
  const s = h('select', { id, dataset: { control: key }, onchange: () => onchange(s.value) });
  setOptions(s, options);
  return { el: h('div', { className: 'field', dataset: { key } }, h('label', { htmlFor: id, textContent: label }), s), input: s };
}

/**
 * Replaces the options of select `s` (given as for `select`), keeping its value where the
 * new options still have it.
 */
export function setOptions(s, options) {
  const keep = s.value;
  clear(s);
  s.append(...options.map((o) => (Array.isArray(o) ? h('option', { value: String(o[0]), textContent: o[1] }) : h('option', { value: String(o), textContent: String(o) }))));
  if ([...s.options].some((o) => o.value === keep)) s.value = keep;
}

/** A labelled range slider with a live value readout. */
export function slider(label, key, min, max, step, onchange) {
  const id = uid(key);
  const out = h('output', { htmlFor: id });
  const r = h('input', { id, type: 'range', min: String(min), max: String(max), step: String(step), dataset: { control: key } });
  r.addEventListener('input', () => { out.textContent = r.value; });
  r.addEventListener('change', () => onchange(Number(r.value)));
  const el = h('div', { className: 'field slider', dataset: { key } }, h('label', { htmlFor: id }, label, ' ', out), r);
  return { el, input: r, set(v) { r.value = String(v); out.textContent = String(v); } };
}

/** A labelled checkbox. */
export function checkbox(label, key, onchange) {
  const id = uid(key);
  const c = h('input', { id, type: 'checkbox', dataset: { control: key }, onchange: () => onchange(c.checked) });
  return { el: h('div', { className: 'field check', dataset: { key } }, c, h('label', { htmlFor: id, textContent: label })), input: c };
}

let counter = 0;
/** Ids must be unique per document; two embedded playgrounds share none. */
export function uid(key) {
  counter += 1;
  return `nnp-${key}-${counter}`;
}

/** Removes every child of `e`. */
export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
}
