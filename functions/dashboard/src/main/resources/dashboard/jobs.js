// Jobs: newest first, filtered by state, type, time range and payload fields. The filter lives in the URL
// (#/jobs?state=FAILED&payload=...), so a view can be bookmarked and shared; pages are keyset cursors; the table
// refreshes every second while the tab is visible. Bulk retry and cancel act on everything the filter matches.

import {api, session, ApiError} from './api.js';
import {clearFieldErrors, confirmDialog, duration, field, fill, h, say, showFieldErrors, stateBadge, time}
  from './dom.js';
import {live} from './live.js';

const STATES = ['PENDING', 'RUNNING', 'RETRYING', 'SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED'];
const FILTERS = ['state', 'type', 'payload', 'created_after', 'created_before'];
const REFRESH_MS = 1000;

export function render(main, {params}) {
  const filter = Object.fromEntries(FILTERS.map(name => [name, params.get(name) ?? '']));
  const cursor = params.get('cursor');

  const form = filterForm(filter);
  const rows = h('tbody', {id: 'job-rows'});
  const liveState = h('span', {id: 'live', class: 'badge'}, 'Live');
  const summary = h('p', {id: 'summary', class: 'muted', 'aria-live': 'polite'});
  const paging = h('nav', {class: 'paging', 'aria-label': 'Pages'});
  const bulk = h('div', {class: 'bulk', id: 'bulk'});
  fill(main,
    h('div', {class: 'title-row'}, h('h1', {}, 'Jobs'), liveState),
    form,
    bulk,
    summary,
    h('div', {class: 'table-wrap'}, h('table', {class: 'jobs'},
      h('caption', {class: 'visually-hidden'}, 'Jobs, newest first'),
      h('thead', {}, h('tr', {},
        ['Job', 'Type', 'State', 'Attempt', 'Created', 'Duration'].map(name => h('th', {scope: 'col'}, name)))),
      rows)),
    paging);

  const query = {...filter, cursor, limit: 25};
  const valid = checkPayload(form, filter.payload);
  if (!valid) {
    fill(summary, 'Fix the filter to see jobs.');
    return () => {};
  }
  bulkActions(bulk, filter);

  const refresh = live(async () => {
    try {
      const page = await api.jobs(query);
      clearFieldErrors(form);
      fill(rows, page.jobs.map(row));
      fill(summary, page.jobs.length === 0 ? 'No jobs match.' : `${page.jobs.length} jobs on this page`
        + (page.next_cursor ? '; older ones on the next.' : '.'));
      fill(paging,
        cursor ? h('a', {href: link(filter, null), class: 'button secondary'}, '⇤ Newest') : null,
        page.next_cursor ? h('a', {href: link(filter, page.next_cursor), class: 'button secondary', rel: 'next'},
          'Older →') : null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const unplaced = showFieldErrors(form, e.problem);
        fill(summary, unplaced.length ? unplaced.join('; ') : e.message);
        refresh.stop();
      } else {
        say(e.message, 'error');
      }
      throw e;
    }
  }, REFRESH_MS, state => {
    liveState.textContent = state === 'live' ? 'Live' : 'Paused';
    liveState.dataset.state = state;
  });
  return () => refresh.stop();
}

function row(job) {
  return h('tr', {'data-id': job.id, 'data-state': job.state},
    h('td', {}, h('a', {href: `#/jobs/${job.id}`, class: 'mono', title: job.id}, job.id.slice(0, 8) + '…')),
    h('td', {class: 'type'}, job.type),
    h('td', {}, stateBadge(job.state)),
    h('td', {}, `${job.attempt} / ${job.max_retries + 1}`),
    h('td', {}, time(job.created_at)),
    h('td', {}, duration(job.duration_seconds)));
}

/** The hash of the list with a filter and a page. */
export function link(filter, cursor) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filter[name]) params.set(name, filter[name]);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `#/jobs?${text}` : '#/jobs';
}

function filterForm(filter) {
  const state = h('select', {id: 'filter-state', name: 'state'},
    h('option', {value: ''}, 'any state'),
    STATES.map(s => h('option', {value: s, selected: s === filter.state}, s)));
  const type = h('input', {id: 'filter-type', name: 'type', value: filter.type, placeholder: 'echo',
    autocomplete: 'off'});
  const payload = h('input', {id: 'filter-payload', name: 'payload', value: filter.payload, class: 'mono',
    placeholder: '{"customer_id": 42}', autocomplete: 'off', spellcheck: 'false'});
  const after = h('input', {id: 'filter-created-after', name: 'created_after', type: 'datetime-local', step: 1,
    value: local(filter.created_after)});
  const before = h('input', {id: 'filter-created-before', name: 'created_before', type: 'datetime-local', step: 1,
    value: local(filter.created_before)});
  const form = h('form', {class: 'filters', 'aria-label': 'Filter jobs', role: 'search'},
    field('State', state),
    field('Type', type),
    field('Payload contains', payload, 'JSON: jobs whose payload has these fields and values'),
    field('Created from', after),
    field('Created before', before),
    h('div', {class: 'filter-actions'},
      h('button', {type: 'submit'}, 'Apply'),
      h('a', {href: '#/jobs', class: 'button secondary'}, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const text = payload.value.trim();
    if (!checkPayload(form, text)) return;
    const next = {
      state: state.value,
      type: type.value.trim(),
      payload: text ? JSON.stringify(JSON.parse(text)) : '',
      created_after: iso(after.value),
      created_before: iso(before.value),
    };
    location.hash = link(next, null);
  });
  return form;
}

/** A payload filter must be a JSON object; says so next to the field when it is not. */
function checkPayload(form, text) {
  if (!text) return true;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    showFieldErrors(form, {errors: [{field: 'payload', message: `is not JSON: ${e.message}`}]});
    return false;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    showFieldErrors(form, {errors: [{field: 'payload', message: 'must be a JSON object, such as {"customer_id": 42}'}]});
    return false;
  }
  return true;
}

/** A datetime-local value (this browser's zone) as an ISO instant, and back. */
function iso(local) {
  return local ? new Date(local).toISOString() : '';
}

function local(isoText) {
  if (!isoText) return '';
  const date = new Date(isoText);
  if (Number.isNaN(date.getTime())) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Retry or cancel every job the filter matches: a dry run first says how many, then it runs in calls until done. */
function bulkActions(container, filter) {
  const request = {};
  for (const name of ['state', 'type', 'created_after', 'created_before']) if (filter[name]) request[name] = filter[name];
  if (filter.payload) request.payload = JSON.parse(filter.payload);
  const buttons = [];
  if (session.can('retry')) buttons.push(button('retry', 'Retry all matching…'));
  if (session.can('cancel')) buttons.push(button('cancel', 'Cancel all matching…'));
  fill(container, buttons);

  function button(action, label) {
    const b = h('button', {type: 'button', class: 'secondary', id: `bulk-${action}`}, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const dry = await api.bulk({action, filter: request, dry_run: true});
        if (dry.matched === 0) {
          say(`No job matching this filter can be ${action === 'retry' ? 'retried' : 'cancelled'}.`);
          return;
        }
        const verb = action === 'retry' ? 'Retry' : 'Cancel';
        const ok = await confirmDialog(`${verb} ${dry.matched} jobs?`,
          `The dry run found ${dry.matched} jobs matching this filter that can be ${action === 'retry'
            ? 'retried (FAILED, DEAD_LETTERED or CANCELLED)' : 'cancelled (PENDING or RETRYING)'}.`
          + ' Each one records it in its events.', `${verb} ${dry.matched} jobs`);
        if (!ok) return;
        let done = 0;
        for (let calls = 0; calls < 1000; calls++) {
          // as_of: the dry run's snapshot, so that the calls never take a job twice (one that failed again).
          const result = await api.bulk({action, filter: request, dry_run: false, as_of: dry.as_of});
          done += result.done;
          say(`${verb}: ${done} done, ${result.remaining} to go…`);
          if (result.remaining === 0 || result.done === 0) break;
        }
        say(`${verb}: ${done} jobs ${action === 'retry' ? 'requeued' : 'cancelled'}.`, 'success');
      } catch (e) {
        say(e.message, 'error');
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }
}
