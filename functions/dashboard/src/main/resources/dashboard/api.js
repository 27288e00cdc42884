// The one way the dashboard talks to Conveyor: its public API, with the API key of this tab's session.
// problem+json answers become ApiErrors carrying the problem.

const KEY = 'conveyor.apiKey';

/** Where the API is: the dashboard is served at <base>/dashboard (base is /Prod on an execute-api domain). */
export const base = location.pathname.replace(/\/dashboard(\/.*)?$/, '');

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `the API answered ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** The key is kept in sessionStorage: for this tab only, gone when it closes; never in a URL or a cookie. */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
  },
  access: null,
  can(action) {
    return this.access?.actions?.includes(action) ?? false;
  },
};

/** A request to the API; resolves to the parsed JSON body, rejects with an ApiError. */
export async function call(method, path, {body, query, headers = {}, key = session.key} = {}) {
  let url = base + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== '') params.set(name, value);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const init = {method, headers: {Accept: 'application/json', ...headers}, cache: 'no-store'};
  if (key) init.headers['x-api-key'] = key;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, {detail: 'Conveyor cannot be reached; is it running?'});
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (e) {
    parsed = {detail: text.slice(0, 200)};
  }
  if (response.status === 403 && method === 'GET' && key === session.key) {
    // A read refused: the key was removed or rotated since sign-in. Back to the sign-in form.
    window.dispatchEvent(new CustomEvent('conveyor:key-refused'));
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const api = {
  access: key => call('GET', '/access', {key}),
  metrics: () => call('GET', '/metrics'),
  history: window => call('GET', '/metrics/history', {query: {window}}),
  jobs: query => call('GET', '/jobs', {query}),
  job: id => call('GET', `/jobs/${encodeURIComponent(id)}`),
  events: id => call('GET', `/jobs/${encodeURIComponent(id)}/events`),
  retry: id => call('POST', `/jobs/${encodeURIComponent(id)}/retry`),
  cancel: id => call('POST', `/jobs/${encodeURIComponent(id)}/cancel`),
  bulk: request => call('POST', '/jobs/bulk', {body: request}),
  validate: body => call('POST', '/jobs/validate', {body}),
  submit: (body, idempotencyKey) =>
    call('POST', '/jobs', {body, headers: idempotencyKey ? {'Idempotency-Key': idempotencyKey} : {}}),
};
