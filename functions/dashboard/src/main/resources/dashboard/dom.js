// Building the page: elements and text nodes only. Data from jobs (payloads, results, errors, type names) comes
// from clients and handlers, so it is only ever set as text, never parsed as markup.

/**
 * h('a', {href: '#/jobs', class: 'x'}, 'text', child, ...): an element with attributes and children. Attributes
 * starting with "on" are listeners; null and false leave an attribute out; children are nodes or text.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A timestamp for people: local time, to the second (or the millisecond); the ISO value in the title. */
export function time(iso, precise = false) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  const date = new Date(iso);
  return h('time', {datetime: iso, title: iso}, date.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
    fractionalSecondDigits: precise ? 3 : undefined}));
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function stateBadge(state) {
  return h('span', {class: `state state-${state.toLowerCase()}`}, state);
}

/** JSON as indented text in a <pre>. */
export function json(value) {
  return h('pre', {class: 'json'}, value === null || value === undefined ? 'null' : JSON.stringify(value, null, 2));
}

/** Field error messages of a problem+json answer, shown next to the inputs they name, in a form. */
export function showFieldErrors(form, problem, fieldNames = {}) {
  clearFieldErrors(form);
  const unplaced = [];
  for (const error of problem?.errors ?? []) {
    const name = fieldNames[error.field] ?? error.field;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const slot = input && form.querySelector(`#${CSS.escape(input.id)}-error`);
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${error.message}` : `${error.field} ${error.message}`;
      input.setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(`${error.field} ${error.message}`);
    }
  }
  return unplaced;
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** A labelled control with a slot for its error: label, input, hint, error (the error's id is the input's + -error). */
export function field(label, input, hint) {
  const errorId = `${input.id}-error`;
  const hintId = hint ? `${input.id}-hint` : null;
  input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h('div', {class: 'field'},
    h('label', {for: input.id}, label),
    input,
    hint ? h('small', {id: hintId, class: 'hint'}, hint) : null,
    h('span', {id: errorId, class: 'field-error', role: 'alert'}));
}

/**
 * Asks before an action, in a modal dialog: resolves true on confirm. Keyboard: Escape cancels, focus starts
 * on the safe choice.
 */
export function confirmDialog(title, message, confirmLabel) {
  return new Promise(resolve => {
    const keep = h('button', {type: 'button', class: 'secondary'}, 'Keep it');
    const go = h('button', {type: 'button', class: 'danger'}, confirmLabel);
    const dialog = h('dialog', {class: 'confirm', 'aria-labelledby': 'confirm-title'},
      h('h2', {id: 'confirm-title'}, title), h('p', {}, message), h('div', {class: 'actions'}, keep, go));
    const close = answer => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    keep.addEventListener('click', () => close(false));
    go.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', event => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}

/** A short message in the page's status line (read out by screen readers). */
export function say(text, kind = 'info') {
  const status = document.getElementById('status');
  status.textContent = text;
  status.dataset.kind = kind;
}
