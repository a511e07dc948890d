// The web console: reads a tenant's jobs, batches, webhook deliveries and usage from the /v1 routes with the API key
// the user pastes. No framework, no build step, nothing loaded from elsewhere (the page's policy forbids it); every
// text that comes from the API is set as text, never parsed as HTML.
'use strict';

(() => {
  const KEY = 'bedrock-jobs.apiKey';
  const OPENED_BATCHES = 'bedrock-jobs.openedBatches';
  const TERMINAL = ['succeeded', 'failed', 'canceled'];
  /** The API's base: the page is served at <base>/console. */
  const base = location.pathname.replace(/\/console\/?$/, '');
  const $ = (id) => document.getElementById(id);

  /** The view on screen: its number, so that an answer for a view already left is dropped, and its refresh. */
  let current = { seq: 0, timer: null };

  // ---- talking to the API ----

  class ApiProblem extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || problem.message || ('HTTP ' + status));
      this.status = status;
      this.title = problem.title || ('HTTP ' + status);
      this.detail = problem.detail || problem.message || '';
      this.code = problem.code || '';
    }
  }

  async function api(path, options = {}) {
    const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) };
    const response = await fetch(base + path, { ...options, headers, cache: 'no-store' });
    const text = await response.text();
    if (!response.ok) {
      let problem = {};
      try { problem = JSON.parse(text); } catch (notJson) { problem = { detail: text }; }
      throw new ApiProblem(response.status, problem);
    }
    const type = response.headers.get('content-type') || '';
    return /^application\/(problem\+)?json/.test(type) ? JSON.parse(text) : text; // NDJSON results stay text
  }

  // ---- building the page ----

  /** An element with attributes (on* and style excluded by design) and children (strings become text). */
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') e.className = value;
      else e.setAttribute(name, value === true ? '' : value);
    }
    for (const c of children.flat()) {
      if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  function fields(dl, pairs) {
    dl.replaceChildren(...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }

  function statusText(status) {
    return el('span', { class: 'status status-' + status }, status);
  }

  const integer = new Intl.NumberFormat('en-US');
  function usd(cost) {
    if (!cost || cost.usd === undefined || cost.usd === null) return '—';
    return Number(cost.usd).toFixed(6).replace(/0{1,4}$/, '');
  }
  function tokens(usage) {
    return usage ? integer.format(usage.inputTokens + usage.outputTokens) : '—';
  }
  function age(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s < 86400) return Math.floor(s / 3600) + ' h';
    return Math.floor(s / 86400) + ' d';
  }
  function duration(seconds) {
    if (seconds === undefined || seconds === null) return null;
    return seconds < 90 ? seconds + ' s' : Math.round(seconds / 60) + ' min';
  }

  function showProblem(error) {
    const box = $('problem');
    if (!error) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const p = error instanceof ApiProblem ? error : new ApiProblem(0, { title: 'The API could not be reached',
      detail: String(error.message || error) });
    box.replaceChildren(el('strong', {}, p.status ? p.status + ' ' + p.title : p.title), el('span', {}, p.detail));
    box.dataset.status = String(p.status);
    box.hidden = false;
  }

  // ---- views ----

  const VIEWS = ['key-view', 'jobs-view', 'job-view', 'batches-view', 'batch-view', 'usage-view'];

  /** Shows one view and starts a new turn: answers for the views before it are dropped from now on. */
  function show(view, navName) {
    clearTimeout(current.timer);
    current = { seq: current.seq + 1, timer: null };
    for (const v of VIEWS) $(v).hidden = v !== view;
    $('nav').hidden = view === 'key-view';
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === navName) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const heading = $(view).querySelector('h2');
    heading.focus({ preventScroll: true });
    return current;
  }

  /**
   * Runs a view's load now, then again {@code ms} after each run while it says to go on (returns true) and the view
   * is shown. Starting it again replaces the earlier loop of the same view.
   */
  function live(turn, load, ms) {
    const loop = {};
    turn.loop = loop;
    clearTimeout(turn.timer);
    const run = async () => {
      let again = false;
      try {
        again = await load();
        if (turn === current) showProblem(null);
      } catch (e) {
        if (turn === current) failed(e);
        again = !(e instanceof ApiProblem && e.status < 500 && e.status !== 429);
      }
      if (turn !== current || turn.loop !== loop) return;
      if (again) turn.timer = setTimeout(run, ms);
    };
    run();
  }

  function failed(e) {
    showProblem(e);
    if (e instanceof ApiProblem && e.status === 401) {
      // the key is not one the API knows: ask for another, with the API's own words about why
      sessionStorage.removeItem(KEY);
      for (const v of VIEWS) $(v).hidden = v !== 'key-view';
      $('nav').hidden = true;
      $('key').value = '';
      $('key').focus();
    }
  }

  // jobs

  let jobsCursor = null;

  function jobRow(j) {
    return el('tr', { 'data-job-id': j.id, 'data-status': j.status },
      el('td', {}, el('a', { href: '#job/' + j.id }, el('code', {}, j.id))),
      el('td', {}, statusText(j.status)),
      el('td', {}, j.model),
      el('td', { class: 'num' }, tokens(j.usage)),
      el('td', { class: 'num' }, usd(j.cost)),
      el('td', {}, age(j.createdAt)));
  }

  function jobsView() {
    const turn = show('jobs-view', 'jobs');
    const status = $('status-filter').value;
    let shown = '';
    live(turn, async () => {
      const page = await api('/v1/jobs?limit=20' + (status ? '&status=' + encodeURIComponent(status) : ''));
      if (turn !== current) return false;
      const body = $('jobs-table').tBodies[0];
      const seen = JSON.stringify(page.items);
      // redrawn only when something changed, so that keyboard focus in the table is kept
      if (seen !== shown || body.rows.length === 0) {
        shown = seen;
        body.replaceChildren(...page.items.map(jobRow));
        jobsCursor = page.nextCursor;
      }
      $('jobs-table').hidden = page.items.length === 0;
      $('jobs-empty').hidden = page.items.length > 0;
      $('jobs-more').hidden = !jobsCursor;
      return true; // new jobs appear and running ones finish: keep looking while the list is shown
    }, 2000);
  }

  async function moreJobs() {
    const turn = current;
    const status = $('status-filter').value;
    try {
      const page = await api('/v1/jobs?limit=20&cursor=' + encodeURIComponent(jobsCursor)
        + (status ? '&status=' + encodeURIComponent(status) : ''));
      if (turn !== current) return;
      // a longer list is kept as loaded: the refresh would cut it back to one page
      turn.loop = null;
      clearTimeout(turn.timer);
      $('jobs-table').tBodies[0].append(...page.items.map(jobRow));
      jobsCursor = page.nextCursor;
      $('jobs-more').hidden = !jobsCursor;
    } catch (e) {
      failed(e);
    }
  }

  // one job

  function jobView(id) {
    const turn = show('job-view', 'jobs');
    $('job-title').textContent = 'Job ' + id;
    $('job-answer').textContent = '';
    $('replay-status').textContent = '';
    $('job-cancel').dataset.jobId = id;
    $('job-replay').dataset.jobId = id;
    const load = async () => {
      const j = await api('/v1/jobs/' + encodeURIComponent(id));
      if (turn !== current) return false;
      renderJob(j);
      if (j.webhook) await renderDeliveries(turn, id);
      // live while the job moves, and for a while after a replay, whose attempts take a moment to show
      return !TERMINAL.includes(j.status) || turn.followUntil > Date.now();
    };
    turn.reload = () => live(turn, load, 1500);
    turn.reload();
  }

  function renderJob(j) {
    const queue = j.queue ? ('position ' + integer.format(j.queue.position)
      + (j.queue.etaSeconds !== undefined ? ', about ' + duration(j.queue.etaSeconds) : '')) : null;
    fields($('job-fields'), [
      ['Status', statusText(j.status)],
      ['In queue', queue],
      ['Model', j.model],
      ['Priority', j.priority],
      ['Batch', j.batchId ? el('a', { href: '#batch/' + j.batchId }, el('code', {}, j.batchId)) : null],
      ['Custom id', j.customId],
      ['Created', j.createdAt],
      ['Started', j.startedAt],
      ['Finished', j.finishedAt],
      ['Attempts', String(j.attempts)],
      ['Tokens', j.usage ? integer.format(j.usage.inputTokens) + ' in, ' + integer.format(j.usage.outputTokens)
        + ' out' : null],
      ['Cost (USD)', j.cost ? usd(j.cost) : null],
      ['Cached answer', j.cached ? 'yes (no model call, no cost)' : null],
      ['Cancel requested', j.cancelRequested ? 'yes' : null],
      ['Error', j.error ? j.error.code + ': ' + j.error.message : null],
    ]);
    $('job-fields').dataset.status = j.status;
    $('job-answer').textContent = j.result ? j.result.text
      : (j.error ? '(no answer: ' + j.error.code + ')' : '(no answer yet)');
    $('job-cancel').hidden = TERMINAL.includes(j.status) || !!j.cancelRequested;
    $('job-webhook').hidden = !j.webhook;
    $('job-replay').disabled = !TERMINAL.includes(j.status);
    if (j.webhook) $('job-webhook-url').textContent = 'To ' + j.webhook.url;
  }

  async function renderDeliveries(turn, id) {
    const list = await api('/v1/jobs/' + encodeURIComponent(id) + '/webhook-deliveries');
    if (turn !== current) return;
    $('deliveries-table').tBodies[0].replaceChildren(...list.items.map((d) => el('tr', { 'data-event-id': d.eventId },
      el('td', {}, d.eventType + ' ', el('code', {}, d.eventId)),
      el('td', { class: 'num' }, String(d.attempt)),
      el('td', {}, d.at),
      el('td', {}, statusText(d.outcome), d.error ? ' ' + d.error : ''),
      el('td', { class: 'num' }, d.httpStatus === null ? '—' : String(d.httpStatus)),
      el('td', { class: 'num' }, String(d.durationMs)))));
    $('deliveries-table').hidden = list.items.length === 0;
    $('deliveries-empty').hidden = list.items.length > 0;
  }

  async function cancelJob() {
    try {
      await api('/v1/jobs/' + encodeURIComponent($('job-cancel').dataset.jobId), { method: 'DELETE' });
      current.reload();
    } catch (e) {
      failed(e);
    }
  }

  async function replayWebhook() {
    const id = $('job-replay').dataset.jobId;
    const turn = current;
    try {
      const sent = await api('/v1/jobs/' + encodeURIComponent(id) + '/webhook-deliveries/replay', { method: 'POST' });
      if (turn !== current) return;
      $('replay-status').textContent = 'Replay queued: ' + sent.type + ' ' + sent.eventId;
      turn.followUntil = Date.now() + 20000;
      turn.reload();
    } catch (e) {
      failed(e);
    }
  }

  // batches

  function openedBatches() {
    try { return JSON.parse(sessionStorage.getItem(OPENED_BATCHES)) || []; } catch (e) { return []; }
  }

  function remember(batchId) {
    const ids = openedBatches().filter((b) => b !== batchId);
    ids.unshift(batchId);
    sessionStorage.setItem(OPENED_BATCHES, JSON.stringify(ids.slice(0, 20)));
  }

  function finishedOf(b) {
    return b.counts.succeeded + b.counts.failed + b.counts.canceled;
  }

  function progressText(b) {
    const finished = finishedOf(b);
    const pct = b.counts.total === 0 ? 100 : Math.floor(100 * finished / b.counts.total);
    const eta = b.etaSeconds !== undefined && b.etaSeconds !== null ? ', about ' + duration(b.etaSeconds) + ' left' : '';
    return integer.format(finished) + ' of ' + integer.format(b.counts.total) + ' (' + pct + '%)' + eta;
  }

  function batchesView() {
    const turn = show('batches-view', 'batches');
    live(turn, async () => {
      const recent = await api('/v1/jobs?limit=100');
      const ids = [...new Set([...openedBatches(), ...recent.items.map((j) => j.batchId).filter(Boolean)])];
      const views = await Promise.all(ids.map((id) => api('/v1/batches/' + id + '?limit=1').catch((e) => {
        if (e instanceof ApiProblem && e.status === 404) return null; // opened with another key, or mistyped
        throw e;
      })));
      if (turn !== current) return false;
      const batches = views.filter(Boolean);
      $('batches-list').replaceChildren(...batches.map((b) => el('li', { 'data-batch-id': b.id },
        el('a', { href: '#batch/' + b.id }, el('code', {}, b.id)), ' ', statusText(b.status),
        el('div', { class: 'progress-row' },
          el('progress', { max: String(Math.max(1, b.counts.total)), value: String(finishedOf(b)),
            'aria-label': 'Progress of ' + b.id }),
          el('span', {}, progressText(b))))));
      $('batches-empty').hidden = batches.length > 0;
      return batches.some((b) => !b.done);
    }, 2000);
  }

  function batchView(id) {
    const turn = show('batch-view', 'batches');
    remember(id);
    $('batch-title').textContent = 'Batch ' + id;
    $('batch-results-text').hidden = true;
    $('batch-download').hidden = true;
    $('batch-results').dataset.batchId = id;
    $('batch-cancel').dataset.batchId = id;
    turn.reload = () => live(turn, load, 1500);
    const load = async () => {
      const b = await api('/v1/batches/' + encodeURIComponent(id) + '?limit=1');
      if (turn !== current) return false;
      const finished = finishedOf(b);
      $('batch-progress').max = Math.max(1, b.counts.total);
      $('batch-progress').value = finished;
      $('batch-progress-label').textContent = progressText(b);
      $('batch-progress').dataset.percent = String(b.counts.total === 0 ? 100
        : Math.floor(100 * finished / b.counts.total));
      fields($('batch-fields'), [
        ['Status', statusText(b.status)],
        ['Created', b.createdAt],
        ['Finished', b.finishedAt],
        ['Jobs', ['queued', 'running', 'succeeded', 'failed', 'canceled']
          .map((s) => s + ' ' + integer.format(b.counts[s])).join(', ')],
        ['Tokens', integer.format(b.usage.inputTokens) + ' in, ' + integer.format(b.usage.outputTokens) + ' out'],
        ['Cost (USD)', usd(b.cost)],
        ['Webhook', b.webhook ? b.webhook.url : null],
      ]);
      $('batch-fields').dataset.status = b.status;
      $('batch-cancel').hidden = b.status !== 'running';
      return !b.done;
    };
    turn.reload();
  }

  async function batchResults() {
    const id = $('batch-results').dataset.batchId;
    try {
      const text = await api('/v1/batches/' + encodeURIComponent(id) + '/results');
      const pre = $('batch-results-text');
      pre.textContent = text || '(no results yet)';
      pre.hidden = false;
      // the results need the key, which a plain link would not send: offer the lines just read as a file
      const link = $('batch-download');
      if (link.href) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
      link.download = id + '.ndjson';
      link.hidden = false;
    } catch (e) {
      failed(e);
    }
  }

  async function cancelBatch() {
    const id = $('batch-cancel').dataset.batchId;
    try {
      await api('/v1/batches/' + encodeURIComponent(id), { method: 'DELETE' });
      current.reload();
    } catch (e) {
      failed(e);
    }
  }

  // usage

  function usageView() {
    const turn = show('usage-view', 'usage');
    const input = $('usage-month');
    if (!input.value) input.value = new Date().toISOString().slice(0, 7);
    live(turn, async () => {
      const u = await api('/v1/usage?by=day&month=' + encodeURIComponent(input.value));
      if (turn !== current) return false;
      renderUsage(u);
      return false;
    }, 0);
  }

  function renderUsage(u) {
    fields($('usage-totals'), [
      ['Input tokens', integer.format(u.inputTokens)],
      ['Output tokens', integer.format(u.outputTokens)],
      ['Cost (USD)', usd(u.cost)],
      ['Jobs', 'submitted ' + integer.format(u.jobs.submitted) + ', succeeded ' + integer.format(u.jobs.succeeded)
        + ', failed ' + integer.format(u.jobs.failed) + ', canceled ' + integer.format(u.jobs.canceled)],
    ]);
    renderDayChart(u);
    const all = u.byModel.reduce((n, m) => n + m.inputTokens + m.outputTokens, 0);
    $('models-table').tBodies[0].replaceChildren(...u.byModel.map((m) => {
      const share = all === 0 ? 0 : (m.inputTokens + m.outputTokens) / all;
      const bar = el('span', { class: 'share' });
      bar.style.width = Math.round(share * 8) + 'rem';
      return el('tr', {},
        el('td', {}, el('code', {}, m.modelId)),
        el('td', { class: 'num' }, integer.format(m.inputTokens)),
        el('td', { class: 'num' }, integer.format(m.outputTokens)),
        el('td', { class: 'num' }, usd(m.cost)),
        el('td', { class: 'num' }, integer.format(m.jobs.succeeded + m.jobs.failed + m.jobs.canceled)),
        el('td', {}, bar, ' ' + Math.round(share * 100) + '%'));
    }));
    $('models-table').hidden = u.byModel.length === 0;
    $('models-empty').hidden = u.byModel.length > 0;
  }

  /** One bar per day of the month; its total is added up from the bars themselves. */
  function renderDayChart(u) {
    const metric = $('usage-metric').value;
    const [year, month] = u.month.split('-').map(Number);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const byDate = new Map((u.byDay || []).map((d) => [d.date, d]));
    const values = [];
    for (let day = 1; day <= days; day++) {
      const d = byDate.get(u.month + '-' + String(day).padStart(2, '0'));
      values.push(!d ? 0 : metric === 'cost' ? Number(d.cost.usd) : d.inputTokens + d.outputTokens);
    }
    const max = Math.max(...values);
    const total = values.reduce((a, b) => a + b, 0);
    const shownTotal = metric === 'cost' ? total.toFixed(6) : String(total);
    const label = metric === 'cost' ? 'USD' : 'tokens';
    const chart = $('day-chart');
    chart.replaceChildren(...values.map((v, i) => {
      const bar = el('div', { class: v === 0 ? 'bar zero' : 'bar', title: u.month + '-'
        + String(i + 1).padStart(2, '0') + ': ' + (metric === 'cost' ? v.toFixed(6) : integer.format(v)) + ' ' + label,
      'data-value': String(v) });
      bar.style.height = (max === 0 ? 0 : Math.max(2, Math.round(100 * v / max))) + '%';
      return bar;
    }));
    $('day-chart-axis').replaceChildren(...[1, 8, 15, 22, days].map((d) => el('span', {}, u.month + '-'
      + String(d).padStart(2, '0'))));
    chart.dataset.total = shownTotal;
    chart.dataset.metric = metric;
    chart.setAttribute('aria-label', (metric === 'cost' ? 'Cost' : 'Tokens') + ' by day of ' + u.month + ', total '
      + shownTotal + ' ' + label);
    $('day-chart-caption').textContent = (metric === 'cost' ? 'Cost (USD)' : 'Tokens') + ' by day: total '
      + (metric === 'cost' ? shownTotal : integer.format(total));
  }

  // ---- wiring ----

  function route() {
    showProblem(null);
    if (!sessionStorage.getItem(KEY)) {
      show('key-view', null);
      $('key').focus();
      return;
    }
    const [name, id] = location.hash.replace(/^#/, '').split('/');
    if (name === 'job' && id) jobView(decodeURIComponent(id));
    else if (name === 'batches') batchesView();
    else if (name === 'batch' && id) batchView(decodeURIComponent(id));
    else if (name === 'usage') usageView();
    else jobsView();
  }

  function start() {
    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, $('key').value.trim());
      $('key').value = '';
      route();
    });
    $('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY);
      route();
    });
    $('status-filter').addEventListener('change', jobsView);
    $('jobs-filter').addEventListener('submit', (e) => e.preventDefault());
    $('jobs-more').addEventListener('click', moreJobs);
    $('job-cancel').addEventListener('click', cancelJob);
    $('job-replay').addEventListener('click', replayWebhook);
    $('batch-open').addEventListener('submit', (e) => {
      e.preventDefault();
      const id = $('batch-id').value.trim();
      if (id) location.hash = '#batch/' + encodeURIComponent(id);
    });
    $('batch-results').addEventListener('click', batchResults);
    $('batch-cancel').addEventListener('click', cancelBatch);
    $('usage-form').addEventListener('submit', (e) => e.preventDefault());
    $('usage-month').addEventListener('change', usageView);
    $('usage-metric').addEventListener('change', usageView);
    window.addEventListener('hashchange', route);
    route();
  }

  start();
})();
