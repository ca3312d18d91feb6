// The study page: decision and probability, key slices with their overlays, the per-slice probability plot (a click
// opens that slice), subtype scores, the slice viewer, feedback, the model card, processing, series and downloads.
import { api, el, svg, decisionBadge, pct, when, seconds, SUBTYPES } from './util.js';
import { SliceViewer } from './viewer.js';

let current = null; // { uid, listener }

export function leaveStudy() {
  if (current?.listener) document.removeEventListener('headsup:study', current.listener);
  current = null;
}

export async function showStudy(root, uid, session) {
  leaveStudy();
  // A new result version re-renders the page. While the XRAI overlays are still being computed (the worker's second
  // pass), a change of the study swaps them in place: the slice, window and overlay settings stay as the reader left them.
  const listener = e => {
    if (e.detail.study_instance_uid !== uid || current?.uid !== uid) return;
    if (e.detail.version !== current.version) render(root, uid, session);
    else if (current.overlayPending) swapInOverlays(uid);
  };
  current = { uid, listener, version: undefined, overlayPending: false, viewer: null };
  document.addEventListener('headsup:study', listener);
  await render(root, uid, session);
}

async function render(root, uid, session) {
  let d;
  try {
    d = await api(`/api/studies/${encodeURIComponent(uid)}`);
  } catch (e) {
    root.replaceChildren(back(), el('h1', { id: 'study-title' }, 'Study'), el('p', { class: 'error', role: 'alert' }, `Cannot open this study: ${e.message}`));
    return;
  }
  if (current?.uid !== uid) return;
  current.version = d.version;
  const files = `/api/studies/${encodeURIComponent(uid)}/versions/${d.version}/files/`;
  const head = el('div', { class: 'study-head' },
    el('h1', { id: 'study-title', class: 'big' }, d.study_description || 'Head CT'),
    decisionBadge(d.decision),
    el('span', {}, 'P(ICH) ', el('strong', {}, pct(d.probability))),
    session.identifiers ? el('span', {}, 'Patient ID ', el('strong', { class: 'phi', 'data-field': 'patient_id' }, d.patient_id ?? '—')) : null,
    session.identifiers && d.accession_number ? el('span', {}, 'Accession ', el('strong', {}, d.accession_number)) : null,
    el('span', { class: 'muted' }, `status ${d.status}`, d.version ? ` · result version ${d.version}` : ''),
    el('span', { class: 'muted' }, `arrived ${when(d.last_received)}`));
  const banner = el('p', { class: 'banner', role: 'note' }, 'NOT FOR DIAGNOSTIC USE. Research software: the probability and the overlays are aids to prioritise reading, not findings. A radiologist reads every study.',
    d.decision === 'no_decision' ? ' No decision: the model\u2019s study calibration rests on insufficient real data, so this study is ranked by probability, not flagged.' : '');
  const ood = d.out_of_distribution;
  const oodBanner = ood && ood.warning ? el('p', { class: 'banner ood-banner', role: 'alert' }, '⚠ ' + ood.message[0].toUpperCase() + ood.message.slice(1) + '. Its probability is less trustworthy than on the data the model was tested on.') : null;
  if (!d.version || !d.slices) {
    const reason = d.status === 'failed' ? `Triage failed: ${d.error || 'no reason recorded'}` : `No result yet (status: ${d.status}). This page updates when the result is ready.`;
    root.replaceChildren(back(), head, banner, el('p', { class: d.status === 'failed' ? 'error' : 'muted', role: 'status' }, reason));
    return;
  }

  // Slices of the analysed series in order, the key slices marked, heatmaps by SOP Instance UID.
  const slices = d.slices.map(s => ({ ...s }));
  const heatmaps = new Map();
  const overlays = new Map();
  const outputs = d.outputs || {};
  (d.key_slices || []).forEach((k, i) => {
    const s = slices.find(x => x.sop_instance_uid === k.sop_instance_uid);
    if (s) s.key_rank = i + 1;
  });
  // The overlays of the worker's second pass (XRAI by default) when they are ready, else the result's own (Grad-CAM).
  const second = d.overlay_explanation;
  current.overlayPending = second?.status === 'pending';
  const method = second?.status === 'done' ? second.method : d.explanation;
  if (second?.status === 'done') {
    for (const s of second.slices || []) {
      overlays.set(s.sop_instance_uid, files + s.overlay);
      heatmaps.set(s.sop_instance_uid, files + s.heatmap);
    }
  } else {
    for (const [list, map] of [[outputs.heatmaps || [], heatmaps], [outputs.overlays || [], overlays]]) {
      for (const path of list) {
        const m = path.match(/key(\d+)-/);
        const k = m && d.key_slices?.[Number(m[1]) - 1];
        if (k) map.set(k.sop_instance_uid, files + path);
      }
    }
  }
  const secondNote = overlayNote(d);

  const viewerRoot = el('div');
  const plotRoot = el('div', { class: 'plot' });
  const keysRoot = el('div', { class: 'keys' });
  let viewer;
  const onSlice = i => { drawPlot(plotRoot, slices, d.threshold, i, j => viewer.go(j)); markKeys(keysRoot, slices[i]?.sop_instance_uid); };
  viewer = new SliceViewer(viewerRoot, { study: uid, slices, heatmaps, onSlice });
  current.viewer = viewer;
  current.files = files;

  for (const k of d.key_slices || []) {
    const idx = slices.findIndex(s => s.sop_instance_uid === k.sop_instance_uid);
    const src = overlays.get(k.sop_instance_uid);
    keysRoot.append(el('button', { type: 'button', dataset: { sop: k.sop_instance_uid }, title: `Open key slice ${idx + 1} in the viewer`, onclick: () => viewer.go(idx) },
      src ? el('img', { src, alt: `Key slice ${idx + 1} with its ${explanationName(method)} overlay`, loading: 'lazy' }) : el('span', {}, 'no overlay'),
      el('span', {}, `slice ${idx + 1} · ${pct(k.probability)}`)));
  }

  const left = el('div', {},
    el('section', { class: 'card', 'aria-labelledby': 'viewer-title' }, el('h2', { id: 'viewer-title' }, `Slices · ${d.series_description || 'selected series'}`), viewerRoot),
    el('section', { class: 'card', 'aria-labelledby': 'plot-title' }, el('h2', { id: 'plot-title' }, 'Probability per slice (click a point to open the slice)'), plotRoot));
  const right = el('div', {},
    el('section', { class: 'card', 'aria-labelledby': 'keys-title' }, el('h2', { id: 'keys-title' }, `Key slices · ${explanationName(method)}`), keysRoot.childElementCount ? keysRoot : el('p', { class: 'muted' }, 'No key slices.'), secondNote),
    subtypeCard(d),
    session.feedback ? feedbackCard(uid, d, () => slices[viewer.index]) : null,
    modelCard(d),
    processingCard(d),
    downloadsCard(d, files, session));
  root.replaceChildren(...[back(), head, banner, oodBanner, el('div', { class: 'grid' }, left, right)].filter(Boolean));
  const first = d.key_slices?.length ? slices.findIndex(s => s.sop_instance_uid === d.key_slices[0].sop_instance_uid) : 0;
  await viewer.go(Math.max(0, first));
}

function overlayNote(d) {
  const second = d.overlay_explanation;
  const text = second?.status === 'pending'
    ? `${explanationName(second.method)} overlays are being computed in the background; the ${explanationName(d.explanation)} overlays of the result are shown until then. They replace them here by themselves.`
    : second?.status === 'failed'
      ? `${explanationName(second.method)} overlays could not be made (${second.error || 'no reason recorded'}); the ${explanationName(d.explanation)} overlays of the result are shown.`
      : null;
  return text ? el('p', { class: 'muted', id: 'overlay-note', role: 'status' }, text) : null;
}

// The second pass finished (or failed): its overlays replace the result's in the key slices and the viewer.
async function swapInOverlays(uid) {
  let d;
  try {
    d = await api(`/api/studies/${encodeURIComponent(uid)}`);
  } catch {
    return; // the next event tries again
  }
  if (current?.uid !== uid || d.version !== current.version || !current.overlayPending) return;
  const second = d.overlay_explanation;
  if (second?.status === 'pending') return;
  current.overlayPending = false;
  const note = document.getElementById('overlay-note');
  const replacement = overlayNote(d);
  if (note) replacement ? note.replaceWith(replacement) : note.remove();
  if (second?.status !== 'done') return;
  const viewer = current.viewer;
  for (const s of second.slices || []) {
    viewer.heatmaps.set(s.sop_instance_uid, current.files + s.heatmap);
    viewer.heatCache.delete(s.sop_instance_uid);
    const img = document.querySelector(`.keys button[data-sop="${CSS.escape(s.sop_instance_uid)}"] img`);
    if (img) {
      img.src = current.files + s.overlay;
      img.alt = img.alt.replace(/with its .* overlay$/, `with its ${explanationName(second.method)} overlay`);
    }
  }
  const title = document.getElementById('keys-title');
  if (title) title.textContent = `Key slices · ${explanationName(second.method)}`;
  await viewer.go(viewer.index);
}

function back() {
  return el('p', {}, el('a', { href: '#/' }, '← Worklist'));
}

function explanationName(e) {
  return { xrai: 'XRAI', 'xrai-fast': 'XRAI (fast)', gradcam: 'Grad-CAM', ig: 'Integrated Gradients', none: 'no explanation' }[e] || e || 'overlay';
}

function markKeys(root, sop) {
  for (const b of root.querySelectorAll('button')) b.classList.toggle('current', b.dataset.sop === sop);
}

function drawPlot(root, slices, threshold, currentIndex, open) {
  const W = 600, H = 170, L = 34, R = 8, T = 8, B = 22;
  const n = slices.length;
  const x = i => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const y = p => T + (1 - p) * (H - T - B);
  const nodes = [
    svg('line', { class: 'axis', x1: L, y1: y(0), x2: W - R, y2: y(0) }),
    svg('line', { class: 'axis', x1: L, y1: y(0), x2: L, y2: y(1) }),
    ...[0, 0.5, 1].map(p => svg('text', { x: 4, y: y(p) + 3 }, p.toFixed(1))),
    svg('text', { x: W - R - 70, y: H - 6 }, `slice 1…${n}`),
    svg('line', { class: 'cursor', x1: x(currentIndex), y1: y(0), x2: x(currentIndex), y2: y(1) }),
    svg('polyline', { points: slices.map((s, i) => `${x(i)},${y(s.probability)}`).join(' ') }),
  ];
  slices.forEach((s, i) => {
    const cls = [s.key_rank ? 'key' : '', s.in_study_score === false ? 'out' : '', i === currentIndex ? 'cur' : ''].join(' ').trim();
    nodes.push(svg('circle', { cx: x(i), cy: y(s.probability), r: s.key_rank ? 4.5 : 3, class: cls, 'data-index': i, onclick: () => open(i) },
      svg('title', {}, `slice ${i + 1}: P ${(s.probability * 100).toFixed(1)} %${s.in_study_score === false ? ' (little brain: not in the study score)' : ''}`)));
  });
  root.replaceChildren(svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Probability of hemorrhage on each of ${n} slices; red points are key slices, gray points do not count in the study score` }, nodes));
}

function subtypeCard(d) {
  const entries = Object.entries(d.subtypes || {}).sort((a, b) => b[1] - a[1]);
  const bars = el('div', { class: 'bars' });
  for (const [name, p] of entries) {
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${Math.round(p * 100)}%`; // CSSOM, not a style attribute: the page's CSP allows no inline styles
    bars.append(el('span', {}, name), el('span', { class: 'track', role: 'presentation' }, fill), el('span', {}, pct(p)));
  }
  return el('section', { class: 'card', 'aria-labelledby': 'subtypes-title' }, el('h2', { id: 'subtypes-title' }, 'Subtype scores'),
    entries.length ? bars : el('p', { class: 'muted' }, 'This model gives no subtype scores.'),
    el('p', { class: 'muted' }, 'Subtype scores are uncalibrated (sigmoid of the subtype outputs).'));
}

function feedbackCard(uid, d, currentSlice) {
  const noDecision = d.decision === 'no_decision';
  const status = el('p', { class: 'muted', role: 'status' });
  const sliceLabels = new Map();
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': 'Slice labels to send' });
  const renderChips = () => chips.replaceChildren(...[...sliceLabels.entries()].map(([sop, v]) =>
    el('button', { type: 'button', title: 'Remove this slice label', onclick: () => { sliceLabels.delete(sop); renderChips(); } }, `${v.label}: ${v.hemorrhage ? 'bleed' : 'no bleed'} ✕`)));
  const labelSlice = hemorrhage => {
    const s = currentSlice();
    if (!s) return;
    sliceLabels.set(s.sop_instance_uid, { hemorrhage, label: `slice ${d.slices.findIndex(x => x.sop_instance_uid === s.sop_instance_uid) + 1}` });
    renderChips();
  };
  const form = el('form', { class: 'fb-form', 'aria-labelledby': 'fb-title' },
    noDecision
      ? el('fieldset', {}, el('legend', {}, 'The model made no decision on this study. Intracranial hemorrhage is'),
        el('label', {}, el('input', { type: 'radio', name: 'hemorrhage', value: 'yes', required: true }), 'present'),
        el('label', {}, el('input', { type: 'radio', name: 'hemorrhage', value: 'no' }), 'absent'))
      : el('fieldset', {}, el('legend', {}, `The decision "${d.decision === 'ich_likely' ? 'ICH likely' : 'no ICH flagged'}" is`),
        el('label', {}, el('input', { type: 'radio', name: 'agree', value: 'yes', required: true }), 'right (agree)'),
        el('label', {}, el('input', { type: 'radio', name: 'agree', value: 'no' }), 'wrong (disagree)')),
    el('fieldset', {}, el('legend', {}, 'Hemorrhage types I see'),
      SUBTYPES.map(s => el('label', {}, el('input', { type: 'checkbox', name: 'subtype', value: s }), s))),
    el('div', { class: 'controls' }, el('span', { class: 'muted' }, 'Label the slice in the viewer:'),
      el('button', { type: 'button', class: 'secondary', onclick: () => labelSlice(true) }, 'Bleed on this slice'),
      el('button', { type: 'button', class: 'secondary', onclick: () => labelSlice(false) }, 'No bleed on this slice')),
    chips,
    el('label', { for: 'fb-comment' }, 'Comment (optional)'),
    el('textarea', { id: 'fb-comment', name: 'comment', maxlength: '4000' }),
    el('button', { type: 'submit' }, 'Send feedback'),
    status);
  const list = el('ul', { class: 'plain' });
  const refresh = async () => {
    try {
      const r = await api(`/api/studies/${encodeURIComponent(uid)}/feedback`);
      list.replaceChildren(...r.feedback.map(f => el('li', {}, `${when(new Date(f.created).toISOString())} · ${f.actor} · ${f.agree === true ? 'agree' : f.agree === false ? 'disagree' : f.hemorrhage ? 'hemorrhage present' : 'no hemorrhage'}`,
        f.subtypes.length ? ` · ${f.subtypes.join(', ')}` : '', f.slices.length ? ` · ${f.slices.length} slice label(s)` : '', f.comment ? ` · “${f.comment}”` : '')));
    } catch (e) { list.replaceChildren(el('li', {}, `Cannot read earlier feedback: ${e.message}`)); }
  };
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const data = new FormData(form);
    const body = {
      ...(noDecision ? { hemorrhage: data.get('hemorrhage') === 'yes' } : { agree: data.get('agree') === 'yes' }),
      version: d.version,
      subtypes: data.getAll('subtype'),
      slices: [...sliceLabels.entries()].map(([sop, v]) => ({ sop_instance_uid: sop, hemorrhage: v.hemorrhage })),
      comment: data.get('comment') || null,
    };
    try {
      await api(`/api/studies/${encodeURIComponent(uid)}/feedback`, { json: body });
      status.textContent = 'Feedback saved. Thank you.';
      form.reset();
      sliceLabels.clear();
      renderChips();
      refresh();
    } catch (err) { status.textContent = `Not saved: ${err.message}`; }
  });
  refresh();
  return el('section', { class: 'card', 'aria-labelledby': 'fb-title' }, el('h2', { id: 'fb-title' }, 'Your read'), form, el('h2', {}, 'Earlier feedback'), list);
}

function modelCard(d) {
  const m = d.model || {};
  const kv = (k, v) => [el('dt', {}, k), el('dd', {}, v ?? '—')];
  return el('section', { class: 'card', 'aria-labelledby': 'model-title' }, el('h2', { id: 'model-title' }, 'Model card'),
    el('p', { class: 'banner' }, 'NOT FOR DIAGNOSTIC USE'),
    el('dl', { class: 'kv' },
      kv('Model', `${m.name ?? '?'} ${m.version ?? ''}`),
      kv('Architecture', m.architecture), kv('Input', m.input),
      kv('Weights SHA-256', m.weights_sha256 ? m.weights_sha256.slice(0, 16) + '…' : null),
      kv('Slice calibration', m.slice_calibration), kv('Study aggregation', m.study_aggregation),
      kv('Operating point', d.decision === 'no_decision' ? 'none: the study calibration rests on too few real studies, so the model flags nothing' : d.threshold != null ? `study probability ≥ ${d.threshold.toFixed(3)} flags the study` : null),
      kv('Study calibration', d.calibration ? d.calibration + (d.calibration_detail ? ` (${d.calibration_detail})` : '') : null),
      kv('Precision', m.inference_precision),
      kv('Intended use', 'Research: prioritising non-contrast head CT for reading when bleeding is suspected. Not a diagnosis, not a rule-out.'),
      kv('Known limits', 'Trained on few real studies: probabilities and the operating point were fitted on development data (largely synthetic phantoms), not on this site. Accuracy drops on scanners, kernels and display formats not seen in training; small bleeds, post-operative heads and motion are not handled. Overlays show where the model looked, not the bleed’s extent.')));
}

function processingCard(d) {
  const secs = Object.entries(d.seconds || {}).map(([k, v]) => `${k} ${Number(v).toFixed(2)} s`).join(' · ');
  const skipped = (d.skipped || []).map(s => el('li', {}, `${s.description || s.series_instance_uid} (${s.instances} instances): ${s.reasons.join('; ')}`));
  const failed = (d.failed_slices || []).map(f => el('li', {}, `slice ${f.instance_number ?? '?'}: ${f.reason}`));
  return el('section', { class: 'card', 'aria-labelledby': 'proc-title' }, el('h2', { id: 'proc-title' }, 'Processing and series'),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Time to result'), el('dd', {}, seconds(d.time_to_result_seconds)),
      el('dt', {}, 'Stages'), el('dd', {}, secs || '—'),
      el('dt', {}, 'Series used'), el('dd', {}, `${d.series_description || '—'} · ${d.slices.length} slices${d.selection ? ` · ${d.selection}` : ''}`),
      el('dt', {}, 'Explanation'), el('dd', {}, explanationName(d.explanation) + ' (result, Secondary Captures)' +
        (d.overlay_explanation?.status === 'done' ? ` · ${explanationName(d.overlay_explanation.method)} (study page, ${d.overlay_explanation.precision}, ${seconds(d.overlay_explanation.seconds)})` : ''))),
    skipped.length ? [el('h2', {}, 'Series not used'), el('ul', { class: 'plain' }, skipped)] : null,
    failed.length ? [el('h2', {}, 'Slices that could not be read'), el('ul', { class: 'plain' }, failed)] : null,
    (d.series_problems || []).length ? el('ul', { class: 'plain' }, d.series_problems.map(p => el('li', {}, p))) : null);
}

function downloadsCard(d, files, session) {
  const o = d.outputs || {};
  const links = [];
  if (session.identifiers) {
    if (o.structured_report) links.push(el('li', {}, el('a', { href: files + o.structured_report, download: 'headsup-sr.dcm' }, 'DICOM Structured Report')));
    (o.secondary_captures || []).forEach((p, i) => links.push(el('li', {}, el('a', { href: files + p, download: `headsup-sc-${i + 1}.dcm` }, `Secondary Capture ${i + 1}`))));
  }
  if (o.panel) links.push(el('li', {}, el('a', { href: files + o.panel, target: '_blank', rel: 'noopener' }, 'Summary panel (PNG)')));
  links.push(el('li', {}, el('a', { href: d.links?.results, target: '_blank', rel: 'noopener' }, 'results.json')));
  return el('section', { class: 'card', 'aria-labelledby': 'dl-title' }, el('h2', { id: 'dl-title' }, 'Downloads'), el('ul', { class: 'plain' }, links),
    session.identifiers ? null : el('p', { class: 'muted' }, 'DICOM downloads carry patient identifiers and need the reader role.'));
}
