// The security team's console: hash routes over the public JSON API.
//   #/signin  #/refused  #/overview?range=24h|1h|7d (or from, to)  #/events?<events API filters>
//   #/key/<id>  #/address/<client address>  #/fingerprint/<fingerprint>
import { ApiError, get, post, query } from './api.js';
import { card, duration, errorBox, h, number, show, table, time } from './view.js';
import { lines, stacked } from './charts.js';

const ROLES = ['security', 'admin'];
const FILTERS = ['type', 'outcome', 'reason', 'key_id', 'key_name', 'user_id', 'client_address', 'path', 'fingerprint'];
const RANGES = { '1h': 3600, '24h': 86400, '7d': 7 * 86400 };
const PAGE = 50;
const OUTCOME_LABELS = { success: 'uses', failure: 'failed attempts' };
const TYPES = ['api_key.used', 'api_key.rejected', 'api_key.created', 'api_key.deactivated', 'api_key.rotated',
  'api_key.deleted', 'api_key.imported', 'token.rejected', 'token.refresh_reused', 'token.refreshed',
  'token.logged_out', 'login.succeeded', 'login.failed'];

let me = null;

// ---------------------------------------------------------------- routing

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?');
  const params = new URLSearchParams(search || '');
  const [page, ...rest] = path.split('/');
  return { page: page || 'overview', arg: rest.length ? decodeURIComponent(rest.join('/')) : null, params };
}

export function href(page, params = {}, arg = null) {
  return `#/${page}${arg === null ? '' : `/${encodeURIComponent(arg)}`}${query(params)}`;
}

async function render() {
  const { page, arg, params } = route();
  if (page === 'signin') {
    return signInPage();
  }
  if (!me) {
    try {
      me = await get('/api/v1/whoami/');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        location.hash = '#/signin';
        return undefined;
      }
      return show(h('h1', {}, 'Console'), errorBox(e));
    }
  }
  header();
  if (!allowed(me)) {
    return refusedPage();
  }
  const pages = { overview: overviewPage, events: eventsPage, key: keyPage, address: addressPage,
    fingerprint: fingerprintPage, refused: overviewPage };
  const build = pages[page];
  if (!build) {
    return show(h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. '), h('a', { href: '#/overview' }, 'Go to the overview'));
  }
  return build(arg, params);
}

function allowed(who) {
  return who && who.type === 'user' && (who.roles || []).some((r) => ROLES.includes(r));
}

function header() {
  document.getElementById('nav').hidden = false;
  document.getElementById('who').textContent = me && me.username ? `Signed in as ${me.username}` : '';
}

// ---------------------------------------------------------------- sign-in and refusal

function signInPage() {
  document.getElementById('nav').hidden = true;
  const message = h('p', { id: 'signin-message', role: 'status' });
  const form = h('form', { class: 'signin', id: 'signin-form' },
    h('label', {}, 'Username', h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true })),
    h('label', {}, 'Password', h('input', { name: 'password', id: 'password', type: 'password',
      autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in'),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.className = 'status';
    message.textContent = 'Signing in…';
    try {
      await post('/api/v1/token/', { username: form.username.value, password: form.password.value });
      me = await get('/api/v1/whoami/');
      location.hash = allowed(me) ? '#/overview' : '#/refused';
      if (!allowed(me)) {
        render();
      }
    } catch (e) {
      message.className = 'error';
      message.textContent = e.status === 401 ? 'That username and password do not match an active account.'
        : e.status === 429 ? 'Too many failed attempts: wait a few minutes and try again.'
          : `Could not sign in: ${e.message}`;
    }
  });
  show(h('h1', {}, 'Sign in'), h('p', {}, 'Sign in with your account. The console is for people with the security or admin role.'), form);
  form.username.focus();
}

function refusedPage() {
  show(h('h1', { id: 'refused' }, 'You need the security role'),
    h('p', {}, `Your account${me && me.username ? ` (${me.username})` : ''} does not have the security or admin role, `
      + 'so the console cannot show you the audit trail. Ask an administrator to give you the security role, then sign in again.'));
}

async function signOut() {
  try {
    await post('/api/v1/token/logout/', {});
  } catch (ignored) {
    // signed out either way: the cookies are cleared or already gone
  }
  me = null;
  location.hash = '#/signin';
}

// ---------------------------------------------------------------- time ranges

/** The range of the page's parameters: from and to (ISO), the bucket that suits its length, its label. */
function rangeOf(params, fallback = '24h') {
  const now = Date.now();
  let from;
  let to;
  let name = params.get('range');
  if (params.get('from') && params.get('to') && !name) {
    from = Date.parse(params.get('from'));
    to = Date.parse(params.get('to'));
    name = 'custom';
  } else {
    name = RANGES[name] ? name : fallback;
    to = now;
    from = now - RANGES[name] * 1000;
  }
  const seconds = (to - from) / 1000;
  const bucket = seconds <= 3 * 3600 ? '1m' : seconds <= 2 * 86400 ? '5m' : seconds <= 31 * 86400 ? '1h' : '1d';
  return { name, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket, seconds };
}

function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function isoOfLocal(value) {
  return value ? new Date(value).toISOString() : '';
}

/** Range buttons (last hour, 24 h, 7 days) and a from-to form; each leads to the same page with the range. */
function rangeForm(page, arg, range, extra = {}) {
  const links = Object.keys(RANGES).map((r) => h('a', {
    href: href(page, { ...extra, range: r }, arg), 'aria-current': range.name === r ? 'true' : null,
    class: range.name === r ? 'current' : null,
  }, { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' }[r]));
  const form = h('form', { class: 'range', id: 'range-form' },
    h('span', {}, ...links.flatMap((l) => [l, ' '])),
    h('label', {}, 'From', h('input', { type: 'datetime-local', name: 'from', value: localInput(range.from) })),
    h('label', {}, 'To', h('input', { type: 'datetime-local', name: 'to', value: localInput(range.to) })),
    h('button', { type: 'submit' }, 'Show range'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = isoOfLocal(form.from.value);
    const to = isoOfLocal(form.to.value);
    if (!from || !to || from >= to) {
      form.append(h('p', { class: 'error', role: 'alert' }, 'Choose a start before the end.'));
      return;
    }
    location.hash = href(page, { ...extra, from, to }, arg);
  });
  return form;
}

// ---------------------------------------------------------------- overview

async function overviewPage(arg, params) {
  const range = rangeOf(params);
  const unusedDays = params.get('unused_days') || '30';
  const expiringDays = params.get('expiring_days') || '14';
  const chartCard = h('section', { class: 'card wide', 'aria-label': 'Uses and failed attempts' },
    h('h2', {}, 'Key uses and failed attempts'), h('p', { class: 'legend-note' },
      'Every audited attempt: API keys, tokens and sign-ins. Times in your time zone.'));
  const reasonCard = h('section', { class: 'card wide', 'aria-label': 'Failures by reason' },
    h('h2', {}, 'Failed attempts by reason'));
  const addresses = card('Client addresses with the most failures');
  const fingerprints = card('Bad-key fingerprints tried most');
  const uses = card('Uses per key');
  const unused = card(`Keys not used for ${unusedDays} days`);
  const expiring = card(`Keys expiring within ${expiringDays} days`);
  const lag = card('Pipeline lag');
  show(h('h1', {}, 'Overview'), rangeForm('overview', null, range),
    h('div', { class: 'grid' }, chartCard, reasonCard, addresses, fingerprints, uses, unused, expiring, lag));

  const span = { from: range.from, to: range.to };
  await Promise.all([
    get(`/api/v1/audit/timeseries/${query({ ...span, bucket: range.bucket, group_by: 'outcome' })}`)
      .then((a) => { lines(chartCard, a, OUTCOME_LABELS, 'Uses and failed attempts').id = 'outcome-chart'; },
        (e) => chartCard.append(errorBox(e))),
    get(`/api/v1/audit/timeseries/${query({ ...span, bucket: range.bucket, group_by: 'reason', outcome: 'failure' })}`)
      .then((a) => {
        if (a.total === 0) {
          reasonCard.append(h('p', { class: 'empty' }, 'No failed attempts in this range.'));
        } else {
          stacked(reasonCard, a, 'Failed attempts by reason').id = 'reason-chart';
        }
      }, (e) => reasonCard.append(errorBox(e))),
    get(`/api/v1/audit/summary/${query({ ...span, unused_days: unusedDays })}`).then((s) => {
      summaryCards(s, range, { addresses, fingerprints, uses, unused });
      lagCard(lag, s);
      if (Array.isArray(s.expiring_keys)) {
        expiringCard(expiring, s.expiring_keys);
        return undefined;
      }
      return get(`/api/v1/keys/${query({ status: 'active', expiring_within_days: expiringDays })}`)
        .then((k) => expiringCard(expiring, k.keys || k), (e) => expiring.append(errorBox(e)));
    }, (e) => [addresses, fingerprints, uses, unused, expiring, lag].forEach((c) => c.append(errorBox(e)))),
  ]);
  document.getElementById('main').dataset.loaded = 'overview';
}

function rangeParams(range) {
  return range.name === 'custom' ? { from: range.from, to: range.to } : { range: range.name };
}

function summaryCards(s, range, cards) {
  const r = rangeParams(range);
  cards.addresses.append(table([
    { label: 'Client address', cell: (a) => h('a', { href: href('address', r, a.client_address) }, a.client_address) },
    { label: 'Failures', num: true, cell: (a) => number(a.failures) },
  ], s.top_failing_client_addresses, 'No failed attempts in this range.', { id: 'top-addresses' }));
  cards.fingerprints.append(table([
    { label: 'Fingerprint', key: 'fingerprint', cell: (f) => h('a', { href: href('fingerprint', r, f.fingerprint) }, short(f.fingerprint)) },
    { label: 'Attempts', num: true, cell: (f) => number(f.attempts) },
    { label: 'Addresses', num: true, cell: (f) => number(f.client_addresses) },
    { label: 'First seen', cell: (f) => time(f.first_seen) },
    { label: 'Last seen', cell: (f) => time(f.last_seen) },
  ], s.top_failed_key_fingerprints, 'No bad key was presented in this range.', { id: 'top-fingerprints' }));
  cards.uses.append(table([
    { label: 'Key', cell: (k) => keyLink(k.key_id, k.key_name) },
    { label: 'Uses', num: true, cell: (k) => number(k.uses) },
    { label: 'Last used', cell: (k) => time(k.last_used_at) },
  ], s.uses_per_key, 'No key was used in this range.', { id: 'uses-per-key' }));
  cards.unused.append(table([
    { label: 'Key', cell: (k) => keyLink(k.key_id, k.key_name) },
    { label: 'Prefix', cell: (k) => h('code', {}, k.key_prefix) },
    { label: 'Created', cell: (k) => time(k.created_at) },
    { label: 'Last used', cell: (k) => time(k.last_used_at) },
  ], s.unused_keys, `Every active key was used in the last ${s.unused_days} days.`, { id: 'unused-keys' }));
}

function expiringCard(element, keys) {
  element.append(table([
    { label: 'Key', cell: (k) => keyLink(k.id ?? k.key_id, k.name ?? k.key_name) },
    { label: 'Expires', cell: (k) => time(k.expires_at) },
    { label: 'Last used', cell: (k) => time(k.last_used_at) },
  ], keys, 'No active key expires in this time.', { id: 'expiring-keys' }));
}

function lagCard(element, s) {
  const lag = s.pipeline_lag || s.pipeline || null;
  const newest = (lag && (lag.newest_event_at || lag.newest_stored_at)) || s.newest_event_at || null;
  const seconds = lag && typeof lag.seconds === 'number' ? lag.seconds
    : typeof s.pipeline_lag_seconds === 'number' ? s.pipeline_lag_seconds : null;
  if (newest === null && seconds === null) {
    get(`/api/v1/audit/events/${query({ limit: 1 })}`).then((page) => {
      const event = page.events[0];
      element.append(event
        ? h('p', { id: 'pipeline-lag' }, 'The newest stored event is ', h('strong', {}, duration((Date.now() - Date.parse(event.occurred_at)) / 1000)),
          ' old (', time(event.occurred_at), ').')
        : h('p', { class: 'empty', id: 'pipeline-lag' }, 'No event is stored yet.'));
    }, (e) => element.append(errorBox(e)));
    return;
  }
  const age = seconds !== null ? seconds : (Date.now() - Date.parse(newest)) / 1000;
  element.append(h('p', { id: 'pipeline-lag' }, 'The newest stored event is ', h('strong', {}, duration(age)), ' old',
    newest ? [' (', time(newest), ')'] : '', '.'));
}

function short(fingerprint) {
  return fingerprint && fingerprint.length > 30 ? `${fingerprint.substring(0, 30)}…` : fingerprint;
}

function keyLink(id, name) {
  if (id === null || id === undefined) {
    return h('span', { class: 'empty' }, 'none');
  }
  return h('a', { href: href('key', {}, id) }, name ? `${name} (#${id})` : `#${id}`);
}

// ---------------------------------------------------------------- events

function filtersOf(params) {
  const filters = {};
  for (const name of [...FILTERS, 'from', 'to']) {
    if (params.get(name)) filters[name] = params.get(name);
  }
  return filters;
}

function narrowed(filters, name, value) {
  return h('a', { href: href('events', { ...filters, [name]: value }), class: `narrow-${name}`, title: `Only events with this ${name.replace('_', ' ')}` },
    name === 'fingerprint' ? short(value) : String(value));
}

function eventColumns(filters) {
  const link = (name, value, text) => (value === null || value === undefined ? '' : narrowed(filters, name, value, text));
  return [
    { label: 'Time', cell: (e) => time(e.occurred_at) },
    { label: 'Type', key: 'type', cell: (e) => link('type', e.type) },
    { label: 'Outcome', key: 'outcome', cell: (e) => link('outcome', e.outcome) },
    { label: 'Reason', key: 'reason', cell: (e) => link('reason', e.reason) },
    { label: 'Key', key: 'key_id', cell: (e) => (e.key_id == null ? '' : h('span', {}, link('key_id', e.key_id), ' ',
      h('a', { href: href('key', {}, e.key_id), title: 'The key’s page' }, e.key_name || 'page'))) },
    { label: 'User', key: 'user_id', cell: (e) => link('user_id', e.user_id) },
    { label: 'Client address', key: 'client_address', cell: (e) => link('client_address', e.client_address) },
    { label: 'Request', cell: (e) => (e.path ? `${e.method || ''} ${e.path} → ${e.status ?? ''}` : (e.actor || '')) },
    { label: 'Fingerprint', key: 'fingerprint', cell: (e) => link('fingerprint', e.fingerprint) },
  ];
}

function filterForm(filters) {
  const field = (name, label, input) => h('label', {}, label, input || h('input', { name, id: `filter-${name}`, value: filters[name] || '' }));
  const select = (name, options) => {
    const s = h('select', { name, id: `filter-${name}` }, h('option', { value: '' }, 'any'),
      options.map((o) => h('option', { value: o, selected: filters[name] === o }, o)));
    return s;
  };
  const form = h('form', { class: 'filters', id: 'events-filters', 'aria-label': 'Event filters' },
    field('type', 'Type', select('type', TYPES)),
    field('outcome', 'Outcome', select('outcome', ['success', 'failure'])),
    field('reason', 'Reason'), field('key_id', 'Key id'), field('key_name', 'Key name'), field('user_id', 'User id'),
    field('client_address', 'Client address'), field('path', 'Path'), field('fingerprint', 'Fingerprint'),
    field('from', 'From', h('input', { type: 'datetime-local', name: 'from', id: 'filter-from', value: localInput(filters.from) })),
    field('to', 'To', h('input', { type: 'datetime-local', name: 'to', id: 'filter-to', value: localInput(filters.to) })),
    h('button', { type: 'submit', id: 'filter-submit' }, 'Filter'),
    h('a', { href: '#/events' }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) next[name] = value;
    }
    if (form.elements.from.value) next.from = isoOfLocal(form.elements.from.value);
    if (form.elements.to.value) next.to = isoOfLocal(form.elements.to.value);
    location.hash = href('events', next);
  });
  return form;
}

function exportLinks(filters) {
  return h('p', { class: 'actions' }, 'Export exactly these events: ',
    h('a', { id: 'export-csv', href: `/api/v1/audit/events/${query({ ...filters, format: 'csv' })}`, download: 'audit-events.csv' }, 'CSV'),
    h('a', { id: 'export-ndjson', href: `/api/v1/audit/events/${query({ ...filters, format: 'ndjson' })}`, download: 'audit-events.ndjson' }, 'NDJSON'));
}

/** A table of events with "load more" by cursor; each key, address and fingerprint narrows the view. */
function eventList(filters, emptyText) {
  const holder = h('div', { class: 'events' });
  const columns = eventColumns(filters);
  let body = null;
  const more = h('button', { type: 'button', id: 'load-more', hidden: true }, 'Load more');
  const status = h('p', { class: 'status', role: 'status', id: 'events-status' }, 'Loading events…');
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await get(`/api/v1/audit/events/${query({ ...filters, limit: PAGE, cursor })}`);
      if (!body && page.events.length === 0) {
        status.replaceWith(h('p', { class: 'empty', id: 'events-empty' }, emptyText));
        holder.dataset.loaded = 'true';
        return;
      }
      if (!body) {
        const t = table(columns, page.events, emptyText, { id: 'events-table' });
        body = t.querySelector('tbody');
        holder.prepend(t);
      } else {
        const t = table(columns, page.events, '');
        body.append(...t.querySelectorAll('tbody tr'));
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = `${body.children.length} events shown${cursor ? '; more are stored' : ', all there are'}.`;
      holder.dataset.loaded = 'true';
    } catch (e) {
      status.replaceWith(errorBox(e));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  holder.append(status, more);
  load();
  return holder;
}

function eventsPage(arg, params) {
  const filters = filtersOf(params);
  show(h('h1', {}, 'Events'), filterForm(filters), exportLinks(filters),
    h('section', { class: 'card wide', 'aria-label': 'Events' }, eventList(filters, 'No event matches these filters.')));
}

// ---------------------------------------------------------------- a key, an address, a fingerprint

/** How many values a subject's "touched" card lists. */
const TOUCHED = 20;

/** Fills one "touched" card from the breakdown API: every event of the range counted by the database. */
async function breakdownCard(element, filter, range, by, columns, empty, id) {
  try {
    const answer = await get(`/api/v1/audit/breakdown/${query({ ...filter, from: range.from, to: range.to, by, limit: TOUCHED })}`);
    element.append(table(columns, answer.groups, empty, { id }),
      answer.more ? h('p', { class: 'legend-note' }, `The ${TOUCHED} with the most events; `,
        h('a', { href: href('events', filter) }, 'all events'), '.') : '');
  } catch (e) {
    element.append(errorBox(e));
  }
}

const COUNT_COLUMNS = [
  { label: 'Events', num: true, key: 'events', cell: (g) => number(g.events) },
  { label: 'Failures', num: true, key: 'failures', cell: (g) => number(g.failures) },
  { label: 'Last seen', cell: (g) => time(g.last_seen) },
];

async function subjectCharts(chartCard, filter, range) {
  try {
    const answer = await get(`/api/v1/audit/timeseries/${query({ ...filter, from: range.from, to: range.to, bucket: range.bucket, group_by: 'outcome' })}`);
    if (answer.total === 0) {
      chartCard.append(h('p', { class: 'empty' }, 'No events in this range.'));
    } else {
      lines(chartCard, answer, OUTCOME_LABELS, 'Uses and failed attempts').id = 'subject-chart';
    }
  } catch (e) {
    chartCard.append(errorBox(e));
  }
}

function touchedCards(filter, range, keysCard, usersCard, addressesCard) {
  const cards = [];
  if (keysCard) {
    cards.push(breakdownCard(keysCard, filter, range, 'key_id',
      [{ label: 'Key', cell: (g) => keyLink(g.value, g.key_name) }, ...COUNT_COLUMNS], 'No key in this range.', 'touched-keys'));
  }
  if (usersCard) {
    cards.push(breakdownCard(usersCard, filter, range, 'user_id',
      [{ label: 'User id', cell: (g) => h('a', { href: href('events', { user_id: g.value }) }, String(g.value)) }, ...COUNT_COLUMNS],
      'No user in this range.', 'touched-users'));
  }
  if (addressesCard) {
    cards.push(breakdownCard(addressesCard, filter, range, 'client_address',
      [{ label: 'Client address', key: 'value', cell: (g) => h('a', { href: href('address', rangeParams(range), g.value) }, g.value) }, ...COUNT_COLUMNS],
      'Not used from any address in this range.', 'touched-addresses'));
  }
  return Promise.all(cards);
}

function subjectPage(title, page, arg, params, filter, keyDetails) {
  const range = rangeOf(params, '7d');
  const chartCard = h('section', { class: 'card wide', 'aria-label': 'Over time' }, h('h2', {}, 'Over time'));
  const keysCard = filter.key_id ? null : card('Keys it touched');
  const usersCard = filter.key_id ? null : card('Users it touched');
  const addressesCard = filter.client_address ? null : card('Client addresses');
  const recent = h('section', { class: 'card wide', 'aria-label': 'Recent events' }, h('h2', {}, 'Recent events'),
    h('p', {}, h('a', { href: href('events', filter) }, 'All its events, with filters and export')),
    eventList(filter, 'No events stored for it.'));
  show(h('h1', {}, title), keyDetails || '', rangeForm(page, arg, range),
    h('div', { class: 'grid' }, chartCard, addressesCard, keysCard, usersCard, recent));
  subjectCharts(chartCard, filter, range);
  touchedCards(filter, range, keysCard, usersCard, addressesCard);
}

function addressPage(address, params) {
  subjectPage(`Client address ${address}`, 'address', address, params, { client_address: address });
}

function fingerprintPage(fingerprint, params) {
  subjectPage(`Fingerprint ${short(fingerprint)}`, 'fingerprint', fingerprint, params, { fingerprint },
    h('p', {}, 'A fingerprint stands for one presented value that failed (an HMAC of it, never the value itself).'));
}

function keyPage(id, params) {
  const details = h('section', { class: 'card', 'aria-label': 'Key details', id: 'key-details' }, h('h2', {}, 'Details'),
    h('p', { class: 'status' }, 'Loading the key…'));
  subjectPage(`Key #${id}`, 'key', id, params, { key_id: id }, details);
  get(`/api/v1/keys/${encodeURIComponent(id)}/`).then((key) => keyDetails(details, key),
    (e) => details.replaceChildren(h('h2', {}, 'Details'), e.status === 404 ? h('p', { class: 'empty' }, 'No key has this id.') : errorBox(e)));
}

function keyDetails(element, key) {
  const active = key.is_active ?? key.active;
  const status = key.status || (active ? (key.expires_at && Date.parse(key.expires_at) <= Date.now() ? 'expired' : 'active') : 'inactive');
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  const dl = h('dl', { class: 'details' },
    row('Name', key.name), row('Prefix', h('code', {}, key.prefix ?? key.key_prefix ?? '')),
    row('Scopes', (key.scopes || []).length ? key.scopes.join(', ') : h('span', { class: 'empty' }, 'none')),
    row('Status', h('span', { id: 'key-status' }, status)), row('Created', time(key.created_at)),
    row('Expires', key.expires_at ? time(key.expires_at) : h('span', { class: 'empty' }, 'never')),
    row('Last used', time(key.last_used_at)),
    row('Replaced by', key.replaced_by == null ? h('span', { class: 'empty' }, 'none') : keyLink(key.replaced_by, null)));
  element.replaceChildren(h('h2', {}, `Details of ${key.name}`), dl);
  if (active) {
    element.append(deactivation(key));
  }
}

function deactivation(key) {
  const holder = h('div', { class: 'actions' });
  const start = h('button', { type: 'button', class: 'danger', id: 'deactivate' }, 'Deactivate…');
  holder.append(start);
  start.addEventListener('click', () => {
    const confirmButton = h('button', { type: 'submit', class: 'danger', id: 'deactivate-confirm' }, `Yes, deactivate ${key.name}`);
    const cancel = h('button', { type: 'button', id: 'deactivate-cancel' }, 'Cancel');
    const message = h('p', { role: 'status', id: 'deactivate-message' });
    const form = h('form', { id: 'deactivate-form', 'aria-label': 'Confirm deactivation' },
      h('p', {}, `Deactivating ${key.name} refuses every request with it, on every instance within the revocation delay. It cannot be undone.`),
      h('p', {}, 'The audit trail records you as the one who deactivated it.'), confirmButton, ' ', cancel, message);
    cancel.addEventListener('click', () => holder.replaceChildren(start));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirmButton.disabled = true;
      try {
        await post(`/api/v1/keys/${encodeURIComponent(key.id)}/deactivate/`, {});
        holder.replaceChildren(h('p', { class: 'notice', role: 'status', id: 'deactivated' },
          `${key.name} is deactivated. Requests with it are refused from now on (on other instances within the revocation delay).`));
        const status = document.getElementById('key-status');
        if (status) status.textContent = 'inactive';
      } catch (e) {
        message.className = 'error';
        message.textContent = `Not deactivated: ${e.message}`;
        confirmButton.disabled = false;
      }
    });
    holder.replaceChildren(form);
    confirmButton.focus();
  });
  return holder;
}

// ---------------------------------------------------------------- start

document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => { render(); });
render();
