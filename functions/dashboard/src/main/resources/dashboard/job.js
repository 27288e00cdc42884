// One job: what it was asked to do and what came of it, its timeline (every attempt with its error), and retry
// or cancel, each after a confirmation. Refreshed every 2 s while the tab is visible.

import {api, session, ApiError} from './api.js';
import {confirmDialog, duration, fill, h, json, say, stateBadge, time} from './dom.js';
import {live} from './live.js';

const RETRYABLE = ['FAILED', 'DEAD_LETTERED', 'CANCELLED'];
const CANCELLABLE = ['PENDING', 'RETRYING'];

export function render(main, {id}) {
  const view = h('div', {id: 'job'});
  fill(main, h('p', {class: 'crumbs'}, h('a', {href: '#/jobs'}, '← Jobs')), view);
  let shown = null;
  const refresh = live(async () => {
    try {
      const [job, history] = await Promise.all([api.job(id), api.events(id)]);
      const fingerprint = JSON.stringify([job, history]);
      if (fingerprint !== shown) {
        shown = fingerprint;
        draw(view, job, history.events, () => refresh.now());
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        fill(view, h('h1', {}, 'Job not found'), h('p', {}, e.message));
        refresh.stop();
      } else {
        say(e.message, 'error');
      }
      throw e;
    }
  }, 2000);
  return () => refresh.stop();
}

function draw(view, job, events, reload) {
  const facts = [
    ['State', stateBadge(job.state)],
    ['Type', h('span', {class: 'type'}, job.type)],
    ['Attempts', `${job.attempt} of ${job.max_retries + 1}`],
    ['Created', time(job.created_at, true)],
    ['Started', time(job.started_at, true)],
    ['Finished', time(job.finished_at, true)],
    ['Duration', duration(job.duration_seconds)],
    ['Next attempt', time(job.next_attempt_at, true)],
    ['Updated', time(job.updated_at, true)],
    ['Retry delay', `${job.retry_delay_seconds} s, doubling`],
    ['Timeout', `${job.timeout_seconds} s`],
    ['Trace id', job.trace_id ? h('code', {id: 'trace-id'}, job.trace_id) : '—'],
  ];
  fill(view,
    h('div', {class: 'title-row'}, h('h1', {}, 'Job ', h('code', {class: 'job-id'}, job.id)), actions(job, reload)),
    h('dl', {class: 'facts'}, facts.map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    job.last_error ? h('section', {'aria-labelledby': 'error-title'},
      h('h2', {id: 'error-title'}, 'Last error'), h('pre', {class: 'error', id: 'last-error'}, job.last_error)) : null,
    h('div', {class: 'columns'},
      h('section', {'aria-labelledby': 'payload-title'}, h('h2', {id: 'payload-title'}, 'Payload'),
        Object.assign(json(job.payload), {id: 'payload'})),
      h('section', {'aria-labelledby': 'result-title'}, h('h2', {id: 'result-title'}, 'Result'),
        Object.assign(json(job.result), {id: 'result'}))),
    h('section', {'aria-labelledby': 'timeline-title'},
      h('h2', {id: 'timeline-title'}, 'Timeline'),
      h('ol', {class: 'timeline', id: 'timeline'}, events.map(event =>
        h('li', {class: `event event-${event.event}`, 'data-event': event.event},
          h('span', {class: 'event-name'}, event.event.replace('_', ' ')),
          event.attempt ? h('span', {class: 'muted'}, ` attempt ${event.attempt}`) : null,
          ' · ', time(event.at, true),
          event.next_attempt_at && event.next_attempt_at !== event.at
            ? [' · next attempt ', time(event.next_attempt_at, true)] : null,
          event.error ? h('pre', {class: 'error'}, event.error) : null)))));
}

function actions(job, reload) {
  const buttons = [];
  if (RETRYABLE.includes(job.state) && session.can('retry')) {
    buttons.push(action('retry', 'Retry', `Retry job ${job.id}?`,
      'It runs again with a fresh attempt budget.', () => api.retry(job.id)));
  }
  if (CANCELLABLE.includes(job.state) && session.can('cancel')) {
    buttons.push(action('cancel', 'Cancel', `Cancel job ${job.id}?`,
      'It will not run; a retry can run it later.', () => api.cancel(job.id)));
  }
  return h('div', {class: 'actions'}, buttons);

  function action(name, label, title, message, run) {
    const b = h('button', {type: 'button', id: `${name}-job`, class: name === 'cancel' ? 'danger' : ''}, label);
    b.addEventListener('click', async () => {
      if (!await confirmDialog(title, message, label)) return;
      b.disabled = true;
      try {
        await run();
        say(`Job ${name === 'retry' ? 'requeued' : 'cancelled'}.`, 'success');
      } catch (e) {
        say(e.message, 'error');
      }
      reload();
    });
    return b;
  }
}
