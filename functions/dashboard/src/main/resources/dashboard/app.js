// The dashboard's shell: sign-in, the hash router (#/, #/jobs?..., #/jobs/<id>, #/new) and the header.
// Each view is a module whose render(main, params) draws it and returns a function that stops its live updates.

import {api, base, session, ApiError} from './api.js';
import {fill, h, field} from './dom.js';
import * as overview from './overview.js';
import * as jobs from './jobs.js';
import * as job from './job.js';
import * as create from './create.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sessionBox = document.getElementById('session');
let stopView = () => {};

document.getElementById('docs-link').href = `${base}/docs`;
document.getElementById('sign-out').addEventListener('click', () => {
  session.key = null;
  session.access = null;
  route();
});
window.addEventListener('hashchange', route);
window.addEventListener('conveyor:key-refused', () => {
  session.key = null;
  session.access = null;
  route();
});

/** Where the hash points: a view and its parameters. */
function parse(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const match = path.match(/^\/jobs\/([^/]+)$/);
  if (match) return {view: 'job', id: decodeURIComponent(match[1]), params};
  if (path === '/jobs') return {view: 'jobs', params};
  if (path === '/new') return {view: 'new', params};
  return {view: 'overview', params};
}

async function route() {
  stopView();
  stopView = () => {};
  if (!session.key) {
    signIn();
    return;
  }
  if (!session.access) {
    try {
      session.access = await api.access(session.key);
    } catch (e) {
      session.key = null;
      signIn(e);
      return;
    }
  }
  header();
  const target = parse(location.hash);
  for (const link of nav.querySelectorAll('a[data-view]')) {
    const current = link.dataset.view === target.view || (target.view === 'job' && link.dataset.view === 'jobs');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const view = {overview, jobs, job, new: create}[target.view];
  if (target.view === 'new' && !session.can('submit')) {
    fill(main, h('p', {class: 'notice'}, 'This API key is read-only: it cannot submit jobs.'));
    return;
  }
  stopView = view.render(main, target) ?? (() => {});
  document.title = `${main.querySelector('h1')?.textContent ?? 'Dashboard'} · Conveyor`;
}

function header() {
  nav.hidden = false;
  sessionBox.hidden = false;
  for (const link of nav.querySelectorAll('[data-needs]')) link.hidden = !session.can(link.dataset.needs);
  const readOnly = session.access.access === 'read_only';
  const badge = document.getElementById('access');
  badge.textContent = readOnly ? 'read-only key' : 'read-write key';
  badge.className = `badge ${readOnly ? 'badge-warn' : ''}`;
}

function signIn(error) {
  nav.hidden = true;
  sessionBox.hidden = true;
  const input = h('input', {id: 'api-key', name: 'key', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false'});
  const form = h('form', {class: 'card sign-in', 'aria-labelledby': 'sign-in-title'},
    h('h1', {id: 'sign-in-title'}, 'Sign in'),
    h('p', {}, 'Use an API key of this Conveyor: the one sent as x-api-key. It is kept for this tab only.'),
    field('API key', input, './conveyor local prints it; on AWS: aws apigateway get-api-key --include-value'),
    h('button', {type: 'submit'}, 'Sign in'));
  if (error) {
    form.querySelector('#api-key-error').textContent = error instanceof ApiError && error.status === 403
      ? 'This key is not valid for this API.' : error.message;
    input.setAttribute('aria-invalid', 'true');
  }
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const key = input.value.trim();
    try {
      session.access = await api.access(key);
      session.key = key;
      route();
    } catch (e) {
      signIn(e);
    }
  });
  fill(main, form);
  document.title = 'Sign in · Conveyor';
  input.focus();
}

route();
