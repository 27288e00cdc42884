// Create a job: the fields of POST /jobs. The payload is checked as JSON as you type, and the whole submission
// against the server's own rules (POST /jobs/validate); problem+json errors show next to the field they name.
// The job's page opens on submit.

import {api, ApiError} from './api.js';
import {clearFieldErrors, field, fill, h, say, showFieldErrors} from './dom.js';

const NUMBERS = [
  ['max_retries', 'Max retries', '0 to 10; default 3', '1'],
  ['retry_delay_seconds', 'Retry delay (s)', 'base of the exponential backoff; default 1', 'any'],
  ['timeout_seconds', 'Timeout (s)', 'per attempt', 'any'],
  ['delay_seconds', 'Delay (s)', 'wait before the first attempt', 'any'],
];

export function render(main) {
  const type = h('input', {id: 'job-type', name: 'type', required: true, autocomplete: 'off', list: 'job-types',
    placeholder: 'echo'});
  const payload = h('textarea', {id: 'job-payload', name: 'payload', rows: 8, class: 'mono', spellcheck: 'false'},
    '{\n  "message": "hello"\n}');
  const numbers = NUMBERS.map(([name, label, hint, step]) =>
    field(label, h('input', {id: `job-${name.replaceAll('_', '-')}`, name, type: 'number', step, min: 0,
      inputmode: 'decimal'}), hint));
  const key = h('input', {id: 'job-idempotency-key', name: 'idempotency_key', autocomplete: 'off'});
  const verdict = h('p', {id: 'validation', class: 'muted', 'aria-live': 'polite'});
  const form = h('form', {class: 'card create', 'aria-labelledby': 'create-title', novalidate: true},
    h('h1', {id: 'create-title'}, 'New job'),
    field('Type', type, 'the handler that runs it'),
    h('datalist', {id: 'job-types'}, ['echo', 'sleep', 'fail'].map(t => h('option', {value: t}))),
    field('Payload (JSON)', payload),
    h('div', {class: 'grid'}, numbers),
    field('Idempotency key', key, 'optional: the same key again returns the same job'),
    verdict,
    h('button', {type: 'submit', id: 'submit-job'}, 'Submit job'));
  fill(main, form);

  let pending = null;
  let generation = 0;
  form.addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(check, 300);
  });
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearTimeout(pending);
    const body = submission();
    if (!body) return;
    try {
      const job = await api.submit(body, key.value.trim() || null);
      say(`Job ${job.id} submitted.`, 'success');
      location.hash = `#/jobs/${job.id}`;
    } catch (e) {
      problem(e);
    }
  });
  return () => clearTimeout(pending);

  /** The body of POST /jobs from the form, or null (and the error shown) when the payload is not JSON. */
  function submission() {
    clearFieldErrors(form);
    let value;
    try {
      value = JSON.parse(payload.value);
    } catch (e) {
      showFieldErrors(form, {errors: [{field: 'payload', message: `is not valid JSON: ${e.message}`}]});
      fill(verdict, 'Not valid yet.');
      return null;
    }
    const body = {type: type.value.trim(), payload: value};
    for (const [name] of NUMBERS) {
      const input = form.elements[name];
      if (input.value !== '') body[name] = Number(input.value);
    }
    return body;
  }

  async function check() {
    const body = submission();
    if (!body) return;
    const mine = ++generation;
    try {
      await api.validate(body);
      if (mine === generation) {
        clearFieldErrors(form);
        fill(verdict, '✓ The server accepts this job.');
      }
    } catch (e) {
      if (mine === generation) problem(e);
    }
  }

  function problem(e) {
    if (e instanceof ApiError && e.problem.errors) {
      const unplaced = showFieldErrors(form, e.problem);
      fill(verdict, unplaced.length ? unplaced.join('; ') : 'Not valid yet: see the fields marked.');
    } else {
      fill(verdict, e.message);
      say(e.message, 'error');
    }
  }
}
