// Small helpers shared by the pages: the API (same origin, session cookie), DOM building without innerHTML, formatting.

export class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', headers: { Accept: 'application/json' }, ...options };
  if (options.json !== undefined) {
    init.method = init.method || 'POST';
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.json);
    delete init.json;
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let detail = response.statusText;
    try { const p = await response.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response;
}

// el('td', {class: 'num', title: 'x'}, 'text', childNode …): text children are text nodes, never HTML.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const decisionText = d => d === 'ich_likely' ? 'ICH likely' : d === 'no_ich_flagged' ? 'no ICH flagged' : d === 'no_decision' ? 'no decision' : '—';

export function decisionBadge(decision) {
  if (decision === 'ich_likely') return el('span', { class: 'badge flag' }, 'ICH likely');
  if (decision === 'no_ich_flagged') return el('span', { class: 'badge neg' }, 'no ICH flagged');
  if (decision === 'no_decision') return el('span', { class: 'badge nodecision', title: 'The model\u2019s study calibration rests on insufficient real data: ranked by probability, not flagged' }, 'no decision');
  return el('span', { class: 'badge pending' }, 'pending');
}

export const pct = p => (p === null || p === undefined) ? '—' : (p * 100).toFixed(1) + ' %';

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// Arrival on the worklist: the time today, else month-day and time (the full date is the cell's title).
export function shortWhen(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = n => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === new Date().toDateString() ? `today ${time}` : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export function seconds(s) {
  if (s === null || s === undefined) return '—';
  return s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

export function topSubtypes(subtypes, n = 2) {
  if (!subtypes) return [];
  return Object.entries(subtypes).sort((a, b) => b[1] - a[1]).slice(0, n);
}

export const SUBTYPES = ['epidural', 'intraparenchymal', 'intraventricular', 'subarachnoid', 'subdural'];
