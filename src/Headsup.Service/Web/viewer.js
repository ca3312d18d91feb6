// The slice viewer: HU slices from the service windowed in the browser (presets, free window/level by drag), the
// explanation heatmap as an overlay (on/off, opacity) with the outline of its top region, zoom, and scrolling by
// wheel, arrow keys and slider.
import { el } from './util.js';

export const PRESETS = { brain: [40, 80], subdural: [80, 200], bone: [600, 2800] };

export class SliceViewer {
  constructor(root, { study, slices, heatmaps, topFraction = 0.3, onSlice }) {
    this.study = study;
    this.slices = slices;
    this.heatmaps = heatmaps; // Map sop → url of a float32 .npy at the slice's size
    this.topFraction = topFraction;
    this.onSlice = onSlice || (() => {});
    this.cache = new Map();
    this.heatCache = new Map();
    this.index = 0;
    this.center = 40; this.width = 80; this.preset = 'brain';
    this.overlay = true; this.opacity = 0.45; this.outline = true; this.zoom = 1;
    this.build(root);
  }

  build(root) {
    this.canvas = el('canvas', { tabindex: '0', 'aria-label': 'CT slice viewer: mouse wheel or arrow keys scroll slices, drag changes window and level' });
    this.info = el('div', { class: 'viewer-info', 'aria-live': 'polite' });
    this.wl = el('div', { class: 'viewer-wl' });
    this.box = el('div', { class: 'viewer-box' }, this.canvas, this.info, this.wl);
    this.slider = el('input', { id: 'slice-slider', type: 'range', min: '1', max: String(Math.max(1, this.slices.length)), value: '1', 'aria-label': 'Slice' });
    const presetButtons = Object.keys(PRESETS).map(name => el('button', { type: 'button', 'aria-pressed': String(name === this.preset), dataset: { preset: name }, onclick: () => this.setPreset(name) },
      `${name} ${PRESETS[name][0]}/${PRESETS[name][1]}`));
    this.presetButtons = presetButtons;
    this.overlayBox = el('input', { id: 'overlay-on', type: 'checkbox', checked: true, onchange: e => { this.overlay = e.target.checked; this.draw(); } });
    this.outlineBox = el('input', { id: 'outline-on', type: 'checkbox', checked: true, onchange: e => { this.outline = e.target.checked; this.draw(); } });
    this.opacityInput = el('input', { id: 'overlay-opacity', type: 'range', min: '0', max: '100', value: String(this.opacity * 100), oninput: e => { this.opacity = e.target.value / 100; this.draw(); } });
    this.zoomInput = el('input', { id: 'zoom', type: 'range', min: '100', max: '400', step: '25', value: '100', oninput: e => this.setZoom(e.target.value / 100) });
    const controls = el('div', { class: 'controls' },
      el('span', { class: 'seg', role: 'group', 'aria-label': 'Window presets' }, presetButtons),
      el('label', { for: 'overlay-on' }, this.overlayBox, 'Overlay'),
      el('label', { for: 'overlay-opacity' }, 'Opacity', this.opacityInput),
      el('label', { for: 'outline-on' }, this.outlineBox, 'Region outline'),
      el('label', { for: 'zoom' }, 'Zoom', this.zoomInput),
      el('button', { type: 'button', class: 'secondary', onclick: () => this.reset() }, 'Reset'));
    root.replaceChildren(this.box, this.slider, controls);
    this.slider.addEventListener('input', () => this.go(Number(this.slider.value) - 1));
    this.canvas.addEventListener('wheel', e => { e.preventDefault(); this.go(this.index + (e.deltaY > 0 ? 1 : -1)); }, { passive: false });
    this.canvas.addEventListener('keydown', e => this.key(e));
    this.canvas.addEventListener('pointerdown', e => this.dragStart(e));
  }

  key(e) {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 5, PageUp: -5 }[e.key];
    if (step) { e.preventDefault(); this.go(this.index + step); return; }
    if (e.key === 'Home') { e.preventDefault(); this.go(0); }
    if (e.key === 'End') { e.preventDefault(); this.go(this.slices.length - 1); }
    const preset = { 1: 'brain', 2: 'subdural', 3: 'bone' }[e.key];
    if (preset) this.setPreset(preset);
    if (e.key === 'o') { this.overlayBox.click(); }
  }

  dragStart(e) {
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    const start = { x: e.clientX, y: e.clientY, c: this.center, w: this.width };
    const move = ev => {
      this.width = Math.max(1, Math.round(start.w + (ev.clientX - start.x) * 2));
      this.center = Math.round(start.c + (ev.clientY - start.y) * 2);
      this.preset = null;
      this.markPreset();
      this.draw();
    };
    const up = () => { this.canvas.removeEventListener('pointermove', move); this.canvas.removeEventListener('pointerup', up); };
    this.canvas.addEventListener('pointermove', move);
    this.canvas.addEventListener('pointerup', up);
  }

  setPreset(name) {
    [this.center, this.width] = PRESETS[name];
    this.preset = name;
    this.markPreset();
    this.draw();
  }

  markPreset() {
    for (const b of this.presetButtons) b.setAttribute('aria-pressed', String(b.dataset.preset === this.preset));
  }

  setZoom(z) {
    this.zoom = z;
    this.box.classList.toggle('zoomed', z > 1);
    this.canvas.style.width = z > 1 ? `${this.canvas.width * z * (this.box.clientHeight / this.canvas.height)}px` : '';
    this.canvas.style.height = z > 1 ? `${this.box.clientHeight * z}px` : '';
  }

  reset() {
    this.setPreset('brain');
    this.opacity = 0.45; this.opacityInput.value = '45';
    this.overlay = true; this.overlayBox.checked = true;
    this.outline = true; this.outlineBox.checked = true;
    this.zoomInput.value = '100'; this.setZoom(1);
  }

  async go(i) {
    if (!this.slices.length) return;
    i = Math.max(0, Math.min(this.slices.length - 1, i));
    this.index = i;
    this.slider.value = String(i + 1);
    this.onSlice(i);
    await this.load(i);
    if (this.index === i) this.draw();
    for (const j of [i + 1, i - 1, i + 2]) if (j >= 0 && j < this.slices.length) this.load(j).catch(() => {});
  }

  async load(i) {
    const sop = this.slices[i].sop_instance_uid;
    if (!this.cache.has(sop)) {
      const p = fetch(`/api/studies/${encodeURIComponent(this.study)}/instances/${encodeURIComponent(sop)}/hu`, { credentials: 'same-origin' }).then(async r => {
        if (!r.ok) throw new Error(`slice ${i + 1}: HTTP ${r.status}`);
        const rows = Number(r.headers.get('X-Rows')), cols = Number(r.headers.get('X-Columns'));
        return { hu: new Int16Array(await r.arrayBuffer()), rows, cols };
      });
      this.cache.set(sop, p);
      if (this.cache.size > 96) this.cache.delete(this.cache.keys().next().value);
    }
    if (this.heatmaps.has(sop) && !this.heatCache.has(sop)) {
      this.heatCache.set(sop, fetch(this.heatmaps.get(sop), { credentials: 'same-origin' }).then(r => r.ok ? r.arrayBuffer() : null).then(b => b && parseNpy(b)).catch(() => null));
    }
    return this.cache.get(sop);
  }

  async draw() {
    const i = this.index;
    const s = this.slices[i];
    if (!s) return;
    let slice;
    try {
      slice = await this.cache.get(s.sop_instance_uid);
    } catch (err) {
      this.info.textContent = `Slice ${i + 1}/${this.slices.length}: cannot be shown (${err.message})`;
      return;
    }
    if (!slice || this.index !== i) return;
    const heat = this.overlay && this.heatmaps.has(s.sop_instance_uid) ? await this.heatCache.get(s.sop_instance_uid) : null;
    if (this.index !== i) return;
    const { hu, rows, cols } = slice;
    if (this.canvas.width !== cols || this.canvas.height !== rows) { this.canvas.width = cols; this.canvas.height = rows; }
    const ctx = this.canvas.getContext('2d');
    const image = ctx.createImageData(cols, rows);
    const px = image.data;
    const lo = this.center - this.width / 2, scale = 255 / this.width;
    const lut = new Uint8ClampedArray(65536);
    for (let v = -32768; v < 32768; v++) lut[v + 32768] = (v - lo) * scale;
    let region = null, hmax = 0;
    if (heat && heat.length === hu.length) {
      for (let k = 0; k < heat.length; k++) if (heat[k] > hmax) hmax = heat[k];
      region = this.outline ? topRegion(heat, this.topFraction, cols) : null;
    }
    const a = this.opacity;
    for (let k = 0, o = 0; k < hu.length; k++, o += 4) {
      let g = lut[hu[k] + 32768], r = g, gg = g, b = g;
      if (heat && hmax > 0 && heat.length === hu.length) {
        const t = Math.max(0, heat[k]) / hmax;
        if (t > 0.05) {
          const [hr, hg, hb] = hot(t);
          const w = a * Math.min(1, t * 1.5);
          r = r * (1 - w) + hr * w; gg = gg * (1 - w) + hg * w; b = b * (1 - w) + hb * w;
        }
      }
      if (region && region[k] === 2) { r = 0; gg = 255; b = 255; }
      px[o] = r; px[o + 1] = gg; px[o + 2] = b; px[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    const key = s.key_rank ? ` · key slice ${s.key_rank}` : '';
    const expl = this.heatmaps.has(s.sop_instance_uid) ? (this.overlay ? ' · overlay shown' : ' · overlay off') : ' · no explanation on this slice';
    this.info.textContent = `Slice ${i + 1}/${this.slices.length}${s.instance_number != null ? ` · #${s.instance_number}` : ''}${s.z != null ? ` · z ${s.z.toFixed(1)} mm` : ''} · P ${(s.probability * 100).toFixed(1)} %${key}${expl}`;
    this.wl.textContent = `W ${this.width} L ${this.center}${this.preset ? ` (${this.preset})` : ''}`;
    this.canvas.dataset.slice = String(i + 1);
    this.canvas.dataset.window = `${this.center}/${this.width}`;
    this.canvas.dataset.overlay = String(Boolean(heat));
  }
}

// A "hot" colour map: black → red → yellow → white.
function hot(t) {
  return [Math.min(255, t * 3 * 255), Math.min(255, Math.max(0, t * 3 - 1) * 255), Math.min(255, Math.max(0, t * 3 - 2) * 255)];
}

// The top region: pixels whose heat is within the highest `fraction` of the positive heat values (1), and its
// outline (2: a region pixel with a 4-neighbour outside it).
function topRegion(heat, fraction, cols) {
  const positive = [];
  for (let k = 0; k < heat.length; k++) if (heat[k] > 0) positive.push(heat[k]);
  if (!positive.length) return null;
  positive.sort((x, y) => x - y);
  const cut = positive[Math.floor((1 - fraction) * (positive.length - 1))];
  const region = new Uint8Array(heat.length);
  for (let k = 0; k < heat.length; k++) if (heat[k] >= cut && heat[k] > 0) region[k] = 1;
  for (let k = 0; k < heat.length; k++) {
    if (!region[k]) continue;
    const x = k % cols;
    const edge = x === 0 || x === cols - 1 || k < cols || k >= heat.length - cols || !region[k - 1] || !region[k + 1] || !region[k - cols] || !region[k + cols];
    if (edge) region[k] = 2;
  }
  return region;
}

// A NumPy .npy (version 1–3, little-endian float32, C order) → Float32Array.
export function parseNpy(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.slice(1, 6)) !== 'NUMPY') return null;
  const major = bytes[6];
  const view = new DataView(buffer);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const offset = (major === 1 ? 10 : 12) + headerLength;
  const header = new TextDecoder().decode(bytes.slice(major === 1 ? 10 : 12, offset));
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True")) return null;
  return new Float32Array(buffer.slice(offset));
}
