// Overview: jobs by state, the queue, and jobs finished and failed per minute over the last hour and day.

import uPlot from './vendor/uplot/uPlot.esm.js';
import {api} from './api.js';
import {fill, h, say} from './dom.js';
import {live} from './live.js';

const STATES = ['PENDING', 'RUNNING', 'RETRYING', 'SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED'];

export function render(main) {
  const counts = h('div', {class: 'tiles', id: 'state-counts'});
  const queue = h('div', {class: 'tiles', id: 'queue'});
  const measured = h('p', {class: 'muted', id: 'measured'});
  const hour = h('div', {class: 'chart', id: 'chart-hour'});
  const day = h('div', {class: 'chart', id: 'chart-day'});
  fill(main,
    h('h1', {}, 'Overview'),
    h('section', {'aria-labelledby': 'jobs-title'}, h('h2', {id: 'jobs-title'}, 'Jobs by state'), counts),
    h('section', {'aria-labelledby': 'queue-title'}, h('h2', {id: 'queue-title'}, 'Queue'), queue, measured),
    h('section', {'aria-labelledby': 'hour-title'},
      h('h2', {id: 'hour-title'}, 'Finished per minute, last hour'), hour),
    h('section', {'aria-labelledby': 'day-title'},
      h('h2', {id: 'day-title'}, 'Finished per minute, last 24 hours'), day));

  const charts = {hour: chart(hour), day: chart(day)};
  const metrics = live(async () => {
    try {
      const m = await api.metrics();
      fill(counts, STATES.map(state => tile(state.replace('_', ' ').toLowerCase(), m.jobs?.[state] ?? 0,
        `#/jobs?state=${state}`, `state-${state.toLowerCase()}`)));
      fill(queue,
        tile('queued', m.queue.visible), tile('in flight', m.queue.in_flight), tile('delayed', m.queue.delayed),
        tile('dead letters', m.queue.dead_letter, null, m.queue.dead_letter > 0 ? 'state-dead_lettered' : ''));
      fill(measured, `${m.last_minute.finished} finished in the last minute · measured `,
        new Date(m.measured_at).toLocaleTimeString());
    } catch (e) {
      say(e.message, 'error');
      throw e;
    }
  }, 2000);
  const hourly = live(() => charts.hour.update('1h'), 5000);
  const daily = live(() => charts.day.update('24h'), 60000);
  const resize = () => Object.values(charts).forEach(c => c.resize());
  window.addEventListener('resize', resize);
  return () => {
    metrics.stop();
    hourly.stop();
    daily.stop();
    window.removeEventListener('resize', resize);
    Object.values(charts).forEach(c => c.destroy());
  };
}

function tile(label, value, href, kind = '') {
  const number = h('span', {class: 'value'}, value.toLocaleString());
  const text = h('span', {class: 'label'}, label);
  return href ? h('a', {class: `tile ${kind}`, href}, number, text) : h('div', {class: `tile ${kind}`}, number, text);
}

/** A chart of succeeded and failed (incl. dead-lettered) jobs per minute, drawn when its data first arrives. */
function chart(element) {
  let plot = null;
  const size = () => ({width: Math.max(element.clientWidth, 280), height: 200});
  return {
    async update(window) {
      const history = await api.history(window);
      const data = [
        history.buckets.map(b => Date.parse(b.at) / 1000),
        history.buckets.map(b => b.succeeded),
        history.buckets.map(b => b.failed + b.dead_lettered),
      ];
      element.dataset.buckets = String(history.buckets.length);
      element.dataset.from = history.from;
      element.dataset.succeeded = String(data[1].reduce((a, b) => a + b, 0));
      element.dataset.failed = String(data[2].reduce((a, b) => a + b, 0));
      element.setAttribute('aria-label', `${element.dataset.succeeded} succeeded and ${element.dataset.failed}`
        + ` failed in this window`);
      element.setAttribute('role', 'img');
      if (plot) {
        plot.setData(data);
        return;
      }
      plot = new uPlot({
        ...size(),
        series: [
          {},
          {label: 'succeeded', stroke: '#1a7f37', fill: 'rgba(26,127,55,0.12)', width: 2},
          {label: 'failed', stroke: '#cf222e', fill: 'rgba(207,34,46,0.12)', width: 2},
        ],
        axes: [{}, {label: 'jobs / minute', size: 60}],
        scales: {y: {range: (u, min, max) => [0, Math.max(max, 1)]}},
      }, data, element);
    },
    resize() {
      plot?.setSize(size());
    },
    destroy() {
      plot?.destroy();
    },
  };
}
