// The worklist: sign-in, studies flagged first, filters, live updates from /api/events, alerts for new flagged studies.
import { api, ApiError, el, decisionBadge, pct, when, shortWhen, seconds, topSubtypes } from './util.js';
import { showStudy, leaveStudy } from './study.js';

const $ = id => document.getElementById(id);
const state = { session: null, studies: new Map(), flagged: new Set(), events: null, refreshTimer: 0, pollTimer: 0, loaded: false, loads: 0 };

function show(section) {
  for (const id of ['signin', 'worklist', 'study']) $(id).hidden = id !== section;
}

async function boot() {
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('alert-toggle').addEventListener('click', toggleAlerts);
  $('filters').addEventListener('change', () => loadWorklist());
  $('f-q').addEventListener('input', () => { clearTimeout(state.searchTimer); state.searchTimer = setTimeout(loadWorklist, 300); });
  $('f-clear').addEventListener('click', () => { $('filters').reset(); loadWorklist(); });
  $('filters').addEventListener('submit', e => { e.preventDefault(); loadWorklist(); });
  $('studies').querySelector('tbody').addEventListener('keydown', e => {
    if (e.key === 'Enter' && e.target.closest('tr')?.dataset.uid) location.hash = '#/study/' + e.target.closest('tr').dataset.uid;
  });
  window.addEventListener('hashchange', route);
  if (location.hash === '#signin-failed') {
    $('signin-error').textContent = 'Signing in with your organisation failed or was cancelled; try again or use an API key.';
    history.replaceState(null, '', '/');
  }
  setAlerts(localStorage.getItem('headsup.alerts') !== 'off');
  await loadSession();
  await route();
}

// Who is signed in (the cookie is HttpOnly: only the service can say); when nobody is, whether OIDC sign-in is offered.
async function loadSession() {
  try {
    const s = await api('/api/session');
    state.session = s.signed_in ? s : null;
    $('oidc-signin').hidden = !s.oidc;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn('session check failed:', e.message);
    state.session = null;
  }
}

async function signIn(event) {
  event.preventDefault();
  const key = $('key').value;
  $('signin-error').textContent = '';
  try {
    state.session = await api('/api/session', { json: { key } });
    $('key').value = '';
    await route();
  } catch (e) {
    $('signin-error').textContent = e.status === 401 ? e.message : 'Sign-in failed: ' + e.message;
  }
}

async function signOut() {
  try { await api('/api/session', { method: 'DELETE' }); } catch { /* already gone */ }
  await loadSession();
  stopLive();
  state.studies.clear();
  state.flagged.clear();
  state.loaded = false;
  location.hash = '';
  await route();
}

async function route() {
  const s = state.session;
  $('sign-out').hidden = !s;
  $('alert-toggle').hidden = !s || !s.worklist;
  $('who').textContent = s ? `${s.name} · ${s.role || 'no role'}` : '';
  $('signin-form').hidden = false;
  $('role-message').hidden = true;
  if (!s) {
    show('signin');
    $('key').focus();
    return;
  }
  document.body.classList.toggle('hide-phi', !s.identifiers);
  $('f-q-label').hidden = !s.identifiers;
  if (!s.worklist) {
    show('signin');
    $('signin-form').hidden = true;
    $('role-message').textContent = `Signed in as ${s.name}, whose role (${s.role}) may not read the worklist. Sign out and use a reader key.`;
    $('role-message').hidden = false;
    return;
  }
  startLive();
  const m = location.hash.match(/^#\/study\/([0-9A-Za-z._-]+)/);
  if (m) {
    show('study');
    await showStudy($('study'), m[1], state.session);
  } else {
    leaveStudy();
    show('worklist');
    await loadWorklist();
  }
}

function query() {
  const p = new URLSearchParams({ limit: '500' });
  for (const [id, name] of [['f-status', 'status'], ['f-decision', 'decision'], ['f-from', 'from'], ['f-to', 'to'], ['f-q', 'q']]) {
    const v = $(id).value.trim();
    if (!v) continue;
    if (name === 'q' && !state.session.identifiers) continue;
    if (name === 'to') {
      // An inclusive end date: everything before the next day.
      const d = new Date(v + 'T00:00:00'); d.setDate(d.getDate() + 1); p.set('to', d.toISOString());
    } else if (name === 'from') {
      p.set('from', new Date(v + 'T00:00:00').toISOString());
    } else {
      p.set(name, v);
    }
  }
  return p;
}

async function loadWorklist() {
  if (!state.session || $('worklist').hidden) return;
  // Live events can start loads that overlap; only the newest one may render (an older answer arriving last would
  // show rows from before a change, e.g. without the feedback just saved).
  const mine = ++state.loads;
  let data;
  try {
    data = await api('/api/studies?' + query());
    if (mine !== state.loads) return;
  } catch (e) {
    if (mine !== state.loads) return;
    if (e.status === 401) { state.session = null; await route(); return; }
    $('count').textContent = 'Could not load the worklist: ' + e.message;
    return;
  }
  renderRows(data.studies);
}

function renderRows(studies) {
  const tbody = $('studies').querySelector('tbody');
  const before = new Set(state.studies.keys());
  const rows = studies.map(s => row(s, state.loaded && !before.has(s.study_instance_uid)));
  tbody.replaceChildren(...rows);
  state.studies = new Map(studies.map(s => [s.study_instance_uid, s]));
  for (const s of studies) if (s.decision === 'ich_likely') state.flagged.add(s.study_instance_uid);
  state.loaded = true;
  const flagged = studies.filter(s => s.decision === 'ich_likely').length;
  const undecided = studies.filter(s => s.decision === 'no_decision').length;
  $('count').textContent = `${studies.length} ${studies.length === 1 ? 'study' : 'studies'}, ${flagged} flagged` + (undecided ? `, ${undecided} without a decision` : '');
  $('calibration-note').hidden = undecided === 0;
  $('empty').hidden = studies.length > 0;
}

function row(s, isNew) {
  const subtypes = topSubtypes(s.subtypes).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ');
  const fb = !s.feedback ? '—'
    : s.feedback.agree === null || s.feedback.agree === undefined
      ? el('span', { class: 'fb-read', title: `${s.feedback.by} · ${when(s.feedback.at)}` }, s.feedback.hemorrhage ? 'read: bleed' : 'read: no bleed')
      : el('span', { class: s.feedback.agree ? 'fb-agree' : 'fb-disagree', title: `${s.feedback.by} · ${when(s.feedback.at)}` }, s.feedback.agree ? '✓ agree' : '✗ disagree');
  const status = el('td', { class: 'status-' + s.status }, s.status);
  if (s.status === 'failed' && s.error) status.append(el('span', { class: 'reason' }, s.error));
  const description = s.study_description || s.study_instance_uid.slice(-16);
  const tr = el('tr', { class: (s.decision === 'ich_likely' ? 'flagged' : '') + (isNew ? ' new' : ''), dataset: { uid: s.study_instance_uid, status: s.status, decision: s.decision || '' } },
    el('td', {}, decisionBadge(s.decision)),
    el('td', { class: 'num' }, pct(s.probability)),
    el('td', { class: 'phi' }, s.patient_id ?? ''),
    el('td', { class: 'phi' }, s.accession_number ?? ''),
    el('td', { class: 'desc' }, el('a', { href: '#/study/' + s.study_instance_uid }, description),
      s.out_of_distribution_warning ? el('span', { class: 'ood', title: s.out_of_distribution_warning, 'aria-label': 'warning: unlike the training data' }, ' ⚠ unlike training data') : null),
    status,
    el('td', {}, subtypes || '—'),
    el('td', { title: when(s.last_received) }, shortWhen(s.last_received)),
    el('td', { class: 'num' }, seconds(s.time_to_result_seconds)),
    el('td', {}, fb));
  tr.addEventListener('click', e => { if (!e.target.closest('a')) location.hash = '#/study/' + s.study_instance_uid; });
  return tr;
}

// Live updates: the event stream says which study changed; the worklist is re-read (through the audited API) at
// most every 400 ms. When the stream cannot be held, the worklist is polled every 5 s instead.
function startLive() {
  if (state.events) return;
  const source = new EventSource('/api/events');
  state.events = source;
  source.addEventListener('open', () => { $('live').hidden = false; clearInterval(state.pollTimer); state.pollTimer = 0; });
  source.addEventListener('study', e => {
    let s;
    try { s = JSON.parse(e.data); } catch { return; }
    if (s.decision === 'ich_likely' && !state.flagged.has(s.study_instance_uid)) {
      state.flagged.add(s.study_instance_uid);
      raiseAlert(s);
    }
    scheduleRefresh();
    document.dispatchEvent(new CustomEvent('headsup:study', { detail: s }));
  });
  source.addEventListener('error', () => {
    $('live').hidden = true;
    if (source.readyState === EventSource.CLOSED) {
      state.events = null;
      if (!state.pollTimer) state.pollTimer = setInterval(() => { loadWorklist(); if (!state.events && state.session) startLive(); }, 5000);
    }
  });
}

function stopLive() {
  state.events?.close();
  state.events = null;
  clearInterval(state.pollTimer);
  state.pollTimer = 0;
  $('live').hidden = true;
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => { state.refreshTimer = 0; loadWorklist(); }, 400);
}

let alertsOn = true;
function setAlerts(on) {
  alertsOn = on;
  const b = $('alert-toggle');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Alerts: on' : 'Alerts: off';
  localStorage.setItem('headsup.alerts', on ? 'on' : 'off');
}
function toggleAlerts() { setAlerts(!alertsOn); if (!alertsOn) $('alert').hidden = true; }

function raiseAlert(s) {
  if (!alertsOn) return;
  const box = $('alert');
  const open = el('a', { href: '#/study/' + s.study_instance_uid }, 'open');
  box.replaceChildren(`New flagged study: ICH likely (P ${pct(s.probability)}) · ${s.study_description || s.study_instance_uid.slice(-16)} · `, open,
    el('button', { type: 'button', class: 'secondary', onclick: () => { box.hidden = true; } }, 'Dismiss'));
  box.hidden = false;
  beep();
}

function beep() {
  try {
    const ctx = new AudioContext();
    for (const [i, f] of [880, 660, 880].entries()) {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.18);
      g.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + i * 0.18 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.18 + 0.16);
      o.connect(g).connect(ctx.destination);
      o.start(ctx.currentTime + i * 0.18);
      o.stop(ctx.currentTime + i * 0.18 + 0.17);
    }
    setTimeout(() => ctx.close(), 1000);
  } catch { /* no audio device: the visual alert stays */ }
}

boot();
