// UserData operator dashboard: signs in with the API, polls the admin-only snapshot while the page is visible,
// and derives rates and percentiles from the difference between snapshots (the server keeps no history).
'use strict';

const SNAPSHOT_URL = '/api/v1/admin/dashboard/snapshot';
const POLL_MS = 2000;
const WINDOW_MS = 30000;
const HISTORY = 90;

const session = { accessToken: null, refreshToken: null };
const snapshots = [];
const trend = { calls: [], errors: [], p50: [], p95: [], p99: [], s2xx: [], s4xx: [], s5xx: [], cpu: [], activations: [] };
let pollTimer = null;
let polling = false;

const $ = (id) => document.getElementById(id);

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (event) => { event.preventDefault(); signIn(); });
  $('sign-out').addEventListener('click', () => signOut('Signed out'));
  document.addEventListener('visibilitychange', () => {
    // No viewer, no polling: the server does nothing for the dashboard while the page is hidden.
    if (document.hidden) { stopPolling(); setStatus('Paused while hidden', 'stale'); } else if (session.accessToken) { startPolling(); }
  });
});

async function signIn() {
  $('error').textContent = '';
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: $('email').value, password: $('password').value }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    $('error').textContent = body?.error?.message ?? `Sign-in failed (${response.status})`;
    return;
  }

  session.accessToken = body.data.access_token;
  session.refreshToken = body.data.refresh_token;
  $('password').value = '';
  startPolling();
}

function signOut(message, error) {
  stopPolling();
  session.accessToken = session.refreshToken = null;
  snapshots.length = 0;
  Object.values(trend).forEach((series) => { series.length = 0; });
  $('board').hidden = true;
  $('login').hidden = false;
  $('sign-out').hidden = true;
  $('error').textContent = error ?? '';
  setStatus(message);
}

function startPolling() {
  if (!pollTimer && !polling) { poll(); }
}

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = null;
}

async function poll() {
  pollTimer = null;
  polling = true;
  try {
    let response = await fetchSnapshot();
    if (response.status === 401 && await refresh()) { response = await fetchSnapshot(); }
    if (response.status === 401) { signOut('Signed out', 'Your session ended: sign in again.'); return; }
    if (response.status === 403) { signOut('Signed out', 'Forbidden: this account does not have the admin role.'); return; }
    if (!response.ok) { setStatus(`Data unavailable (${response.status})`, 'stale'); } else { render((await response.json()).data); }
  } catch (failure) {
    setStatus(`Gateway unreachable (${failure.message})`, 'stale');
  } finally {
    polling = false;
  }

  if (session.accessToken && !document.hidden) { pollTimer = setTimeout(poll, POLL_MS); }
}

function fetchSnapshot() {
  return fetch(SNAPSHOT_URL, { headers: { Authorization: `Bearer ${session.accessToken}` }, cache: 'no-store' });
}

async function refresh() {
  if (!session.refreshToken) { return false; }
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: session.refreshToken }),
  });
  if (!response.ok) { return false; }
  const body = await response.json();
  session.accessToken = body.data.access_token;
  session.refreshToken = body.data.refresh_token;
  return true;
}

function render(snapshot) {
  snapshot.at = Date.parse(snapshot.time);
  snapshots.push(snapshot);
  while (snapshots.length > 2 && snapshot.at - snapshots[1].at >= WINDOW_MS) { snapshots.shift(); }
  const windowStart = snapshots.length > 1 ? snapshots[0] : null;
  const previous = snapshots.length > 1 ? snapshots[snapshots.length - 2] : null;

  $('login').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  // Silos that did not answer their figures: the counts lack them for this poll.
  const missing = snapshot.missing_metrics ?? [];
  const updated = `Live, updated ${new Date(snapshot.at).toLocaleTimeString()}`;
  setStatus(missing.length ? `${updated}; no figures from ${missing.join(', ')}` : updated, missing.length ? 'stale' : 'live');

  const bounds = snapshot.latency_bounds;
  const methods = snapshot.grain_methods.map((method) => withRates(method, windowStart, snapshot, 'grain_methods', bounds));
  const storage = snapshot.storage.map((operation) => withRates(operation, windowStart, snapshot, 'storage', bounds));
  renderTiles(snapshot, previous, bounds);
  renderSilos(snapshot);
  renderTable('grain-types', snapshot.grain_types.map((type) => [type.grain_type, num(type.activations), num(type.queue_length)]));
  renderTable('grain-methods', methods.map((m) => [m.group, m.name, num(m.calls), rate(m.rate), pctCell(m.errorRate), ms(m.p50), ms(m.p95), ms(m.p99)]));
  renderTable('storage', storage.map((s) => [s.group, s.name, num(s.calls), rate(s.rate), errors(s.errors), ms(s.p50), ms(s.p95), ms(s.p99)]));
  renderHttp(snapshot);
  drawChart('chart-calls', [['calls/s', trend.calls, '#58a6ff'], ['errors/s', trend.errors, '#f85149']]);
  drawChart('chart-latency', [['p50', trend.p50, '#3fb950'], ['p95', trend.p95, '#d29922'], ['p99', trend.p99, '#f85149']]);
  drawChart('chart-http', [['2xx', trend.s2xx, '#3fb950'], ['4xx', trend.s4xx, '#d29922'], ['5xx', trend.s5xx, '#f85149']]);
  drawChart('chart-silo', [['mean CPU %', trend.cpu, '#bc8cff'], ['activations', trend.activations, '#58a6ff']]);
}

// Rates and percentiles over the window: the difference of cumulative counts and buckets between two snapshots.
function withRates(operation, windowStart, snapshot, list, bounds) {
  const before = windowStart?.[list].find((o) => o.group === operation.group && o.name === operation.name);
  const seconds = windowStart ? (snapshot.at - windowStart.at) / 1000 : 0;
  const result = { ...operation, rate: null, errorRate: null, p50: null, p95: null, p99: null };
  if (!windowStart || seconds <= 0) { return result; }
  const calls = operation.calls - (before?.calls ?? 0);
  const buckets = operation.buckets.map((count, i) => count - (before?.buckets[i] ?? 0));
  result.rate = calls / seconds;
  result.errorRate = calls > 0 ? (operation.errors - (before?.errors ?? 0)) / calls : null;
  result.p50 = quantile(0.5, bounds, buckets);
  result.p95 = quantile(0.95, bounds, buckets);
  result.p99 = quantile(0.99, bounds, buckets);
  return result;
}

// Like Prometheus' histogram_quantile: linear interpolation inside the bucket that holds the rank.
function quantile(q, bounds, buckets) {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) { return null; }
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const below = cumulative;
    cumulative += buckets[i];
    if (cumulative >= rank && buckets[i] > 0) {
      if (i >= bounds.length) { return bounds[bounds.length - 1]; }
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * ((rank - below) / buckets[i]);
    }
  }
  return bounds[bounds.length - 1];
}

function renderTiles(snapshot, previous, bounds) {
  const totals = sumOperations(snapshot.grain_methods);
  const activations = snapshot.silos.reduce((sum, silo) => sum + silo.activations, 0);
  $('tile-total').textContent = num(totals.calls);
  $('tile-activations').textContent = num(activations);
  if (!previous) { return; }
  const seconds = (snapshot.at - previous.at) / 1000;
  if (seconds <= 0) { return; }
  const before = sumOperations(previous.grain_methods);
  const calls = totals.calls - before.calls;
  const failed = totals.errors - before.errors;
  const buckets = totals.buckets.map((count, i) => count - (before.buckets[i] ?? 0));
  const httpNow = httpByClass(snapshot);
  const httpBefore = httpByClass(previous);
  const httpRate = (key) => (httpNow[key] - httpBefore[key]) / seconds;
  // Each silo reports its CPU over its last heartbeat interval as a percent of its machine; the chart shows their mean.
  const reported = snapshot.silos.map((silo) => silo.cpu_percent_of_machine).filter((value) => value !== null && value !== undefined);
  const cpu = reported.length > 0 ? reported.reduce((sum, value) => sum + value, 0) / reported.length : null;

  $('tile-calls').textContent = rate(calls / seconds);
  $('tile-errors').textContent = calls > 0 ? pct(failed / calls) : '0%';
  $('tile-p95').textContent = ms(quantile(0.95, bounds, buckets));
  $('tile-http').textContent = rate((httpNow.total - httpBefore.total) / seconds);
  push(trend.calls, calls / seconds);
  push(trend.errors, failed / seconds);
  push(trend.p50, toMs(quantile(0.5, bounds, buckets)));
  push(trend.p95, toMs(quantile(0.95, bounds, buckets)));
  push(trend.p99, toMs(quantile(0.99, bounds, buckets)));
  push(trend.s2xx, httpRate('2xx'));
  push(trend.s4xx, httpRate('4xx'));
  push(trend.s5xx, httpRate('5xx'));
  push(trend.cpu, cpu);
  push(trend.activations, activations);
}

function sumOperations(operations) {
  const buckets = [];
  let calls = 0;
  let failed = 0;
  for (const operation of operations) {
    calls += operation.calls;
    failed += operation.errors;
    operation.buckets.forEach((count, i) => { buckets[i] = (buckets[i] ?? 0) + count; });
  }
  return { calls, errors: failed, buckets };
}

function httpByClass(snapshot) {
  const classes = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0, total: 0 };
  for (const status of snapshot.http) {
    const key = /^[2-5]\d\d$/.test(status.status) ? `${status.status[0]}xx` : 'other';
    classes[key] += status.requests;
    classes.total += status.requests;
  }
  return classes;
}

// Every silo of the cluster as of its last heartbeat; CPU and memory are null for a silo that does not report them.
function renderSilos(snapshot) {
  renderTable('silos', snapshot.silos.map((silo) => {
    const status = document.createElement('span');
    status.className = `pill ${silo.status}`;
    status.textContent = silo.status;
    const cpu = silo.cpu_percent_of_machine ?? null;
    return [silo.address, status, `${silo.heartbeat_age_seconds.toFixed(1)} s`, cpu === null ? '-' : `${cpu.toFixed(1)}%`,
      bytes(silo.working_set_bytes), bytes(silo.gc_heap_bytes), num(silo.activations), new Date(silo.started_at).toLocaleString()];
  }));
}

function renderHttp(snapshot) {
  const classes = httpByClass(snapshot);
  const mix = $('http-mix');
  mix.replaceChildren(...['2xx', '3xx', '4xx', '5xx', 'other'].filter((key) => classes[key] > 0).map((key) => {
    const part = document.createElement('div');
    part.className = `s${key}`;
    part.style.width = `${(100 * classes[key]) / classes.total}%`;
    part.title = `${key}: ${classes[key]}`;
    return part;
  }));
  renderTable('http', snapshot.http.map((status) => [status.status, num(status.requests), pct(status.requests / Math.max(1, classes.total))]));
}

function renderTable(id, rows) {
  const body = $(id).tBodies[0];
  body.replaceChildren(...rows.map((cells) => {
    const row = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) { td.append(cell); } else if (cell && typeof cell === 'object') { td.textContent = cell.text; td.className = cell.className; } else { td.textContent = cell; }
      row.append(td);
    }
    return row;
  }));
}

// A small line chart on a canvas: no library, redrawn only when new data arrives.
function drawChart(id, series) {
  const canvas = $(id);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const values = series.flatMap(([, points]) => points.filter((v) => v !== null && Number.isFinite(v)));
  const max = niceMax(Math.max(1e-9, ...values));
  const left = 44;
  const top = 16;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - 18;
  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#2a3440';
  g.fillStyle = '#8a97a6';
  for (let i = 0; i <= 5; i++) {
    const y = top + plotHeight - (plotHeight * i) / 5;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotWidth, y); g.stroke();
    g.fillText(short((max * i) / 5), 2, y + 4);
  }
  let legendX = left;
  for (const [name, points, color] of series) {
    g.strokeStyle = color;
    g.lineWidth = 1.6;
    g.beginPath();
    let drawing = false;
    const dots = [];
    points.forEach((value, i) => {
      if (value === null || !Number.isFinite(value)) { drawing = false; return; }
      const x = left + (plotWidth * (i + HISTORY - points.length)) / (HISTORY - 1);
      const y = top + plotHeight - (plotHeight * value) / max;
      if (drawing) { g.lineTo(x, y); } else { g.moveTo(x, y); drawing = true; }
      dots.push([x, y]);
    });
    g.stroke();
    g.fillStyle = color;
    // Points as dots too while the line is short, so the first polls are visible.
    if (dots.length < 10) { dots.forEach(([x, y]) => g.fillRect(x - 2, y - 2, 4, 4)); }
    g.fillText(name, legendX, 11);
    legendX += g.measureText(name).width + 16;
  }
}

function niceMax(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value);
}

function push(series, value) {
  series.push(value);
  if (series.length > HISTORY) { series.shift(); }
}

function setStatus(text, kind) {
  $('status').textContent = text;
  $('status').className = kind ?? '';
}

const toMs = (seconds) => (seconds === null ? null : seconds * 1000);
const num = (value) => Math.round(value).toLocaleString('en-US');
const short = (value) => (value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value >= 10 ? value.toFixed(0) : value.toFixed(value >= 1 ? 1 : 2));
const rate = (value) => (value === null ? '-' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const pct = (value) => (value === null ? '-' : `${(100 * value).toFixed(1)}%`);
const pctCell = (value) => ({ text: pct(value), className: value > 0 ? 'bad' : '' });
const errors = (value) => ({ text: num(value), className: value > 0 ? 'bad' : '' });
const ms = (seconds) => (seconds === null ? '-' : seconds < 0.001 ? `${(seconds * 1e6).toFixed(0)} \u00b5s` : `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`);
const bytes = (value) => (value === null || value === undefined ? '-' : value >= 2 ** 30 ? `${(value / 2 ** 30).toFixed(2)} GiB` : `${(value / 2 ** 20).toFixed(0)} MiB`);
