// Building the page from data without innerHTML: every value from the API becomes text.

/** h('tag#id.class', {attr: value, onclick: fn}, ...children): children are nodes or text. */
export function h(spec, attrs, ...children) {
  const parts = spec.match(/^[^.#]*|[.#][^.#]+/g);
  const el = document.createElement(parts[0] || 'div');
  const classes = parts.slice(1).filter((p) => p[0] === '.').map((p) => p.slice(1));
  const id = parts.slice(1).find((p) => p[0] === '#');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id.slice(1);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function bytes(n) {
  if (n == null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function time(isoText) {
  if (!isoText) return '';
  return h('time', { datetime: isoText, title: new Date(isoText).toLocaleString() }, isoText.replace(/\.\d+Z$/, 'Z'));
}

export function badge(text, kind) {
  return h(`span.badge.${kind || text}`, text);
}

/** A problem shown beside its field: fieldErrors(form, apiError) fills <small data-error-for=...>. */
export function showFieldErrors(root, error) {
  root.querySelectorAll('[data-error-for]').forEach((s) => { s.textContent = ''; });
  const unplaced = [];
  for (const [field, message] of Object.entries((error && error.fields) || {})) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(field)}"]`)
      || root.querySelector(`[data-error-for="${CSS.escape(field.split(/[.[]/)[0])}"]`);
    if (slot) slot.textContent = `${field} ${message}`;
    else unplaced.push(`${field} ${message}`);
  }
  return unplaced;
}
