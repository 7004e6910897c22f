// Small DOM helpers: elements built with text nodes only (no HTML strings), times in the browser's zone.

/** An element: h('a', {href: '#/x', class: 'c'}, 'text', child...). Attributes with null values are left out. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.substring(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const LOCAL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** An instant as a time element: the browser's zone shown, UTC on hover. */
export function time(instant) {
  if (!instant) {
    return h('span', { class: 'empty' }, 'never');
  }
  const date = new Date(instant);
  return h('time', { datetime: date.toISOString(), title: `${date.toISOString().replace('.000Z', 'Z')} UTC` },
    LOCAL.format(date));
}

/** A table of rows; each column {label, cell: row => node or text, num}; the empty text in words when no rows. */
export function table(columns, rows, emptyText, attributes = {}) {
  if (!rows || rows.length === 0) {
    return h('p', { class: 'empty' }, emptyText);
  }
  return h('table', attributes,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', {},
      columns.map((c) => h('td', { class: c.num ? 'num' : null, 'data-column': c.key || null }, c.cell(row)))))));
}

export function card(title, ...children) {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...children);
}

export function errorBox(error) {
  const text = error && error.message ? error.message : String(error);
  return h('p', { class: 'error', role: 'alert' }, `Could not load this: ${text}`);
}

/** Replaces the main area's content and moves focus there (for keyboard and screen-reader users). */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat());
  main.focus({ preventScroll: true });
  return main;
}

export function number(n) {
  return new Intl.NumberFormat().format(n);
}

/** A duration in seconds as words: "45 s", "3 min", "2 h 5 min", "3 d". */
export function duration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${Math.round(seconds / 86400)} d`;
}
