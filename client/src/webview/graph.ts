/**
 * The layer-graph webview: receives the server's graph, lays it out with ELK (in a web worker when the webview
 * allows one, else on this thread), draws SVG, and handles zoom, pan, clicks, the state picker and export.
 */
import ELK from 'elkjs/lib/elk-api.js';
import type { ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import { layoutKey, toElkGraph, type LayerGraph, type ElkNode, type Measure, type TextKind, FONT_SIZE } from '../graphModel';
import { renderSvg } from './render';
import type { FromWebview, ToWebview } from './protocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const elkScriptUrl = document.body.dataset.elk ?? '';

const svg = document.getElementById('graph') as unknown as SVGSVGElement;
const viewport = document.getElementById('viewport') as unknown as SVGGElement;
const canvas = document.getElementById('canvas') as HTMLDivElement;
const stateSelect = document.getElementById('state') as HTMLSelectElement;
const statusText = document.getElementById('status') as HTMLSpanElement;
const overlay = document.getElementById('overlay') as HTMLDivElement;

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function log(level: 'info' | 'error', text: string): void {
  post({ type: 'log', level, text });
}

// ---------------------------------------------------------------- text measuring

const measureContext = document.createElement('canvas').getContext('2d');
const fontFamily = getComputedStyle(document.body).fontFamily || 'sans-serif';
const measureCache = new Map<string, number>();

const measure: Measure = (text: string, kind: TextKind) => {
  const key = `${kind}\u0000${text}`;
  let width = measureCache.get(key);
  if (width === undefined) {
    if (measureContext) {
      measureContext.font = `${kind === 'name' ? '600 ' : ''}${FONT_SIZE[kind]}px ${fontFamily}`;
      width = Math.ceil(measureContext.measureText(text).width);
    } else {
      width = Math.ceil(text.length * FONT_SIZE[kind] * 0.6);
    }
    measureCache.set(key, width);
  }
  return width;
};

// ---------------------------------------------------------------- the layout engine

let enginePromise: Promise<{ elk: ElkApi; mode: string }> | undefined;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

/** A worker made from the script's text: webview resources are cross-origin, so `new Worker(url)` is refused. */
async function workerEngine(): Promise<ElkApi> {
  const response = await fetch(elkScriptUrl);
  if (!response.ok) throw new Error(`fetch ${response.status}`);
  const blobUrl = URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl);
  const failed = new Promise<never>((_, reject) => worker.addEventListener('error', (e) => reject(new Error(e.message || 'worker error'))));
  const elk = new ELK({ workerFactory: () => worker });
  // A tiny layout proves the worker runs (a worker blocked by the CSP only says so through its error event).
  await withTimeout(Promise.race([elk.layout({ id: 'probe', children: [{ id: 'a', width: 10, height: 10 }] }), failed]), 20_000, 'ELK worker');
  return elk;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = scriptNonce;
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

async function mainThreadEngine(): Promise<ElkApi> {
  await loadScript(elkScriptUrl);
  const FakeWorker = (globalThis as { ElkFakeWorker?: new () => Worker }).ElkFakeWorker;
  if (!FakeWorker) throw new Error('ELK did not load');
  return new ELK({ workerFactory: () => new FakeWorker() });
}

function engine(): Promise<{ elk: ElkApi; mode: string }> {
  enginePromise ??= workerEngine().then(
    (elk) => ({ elk, mode: 'worker' }),
    async (e: unknown) => {
      log('info', `ELK web worker unavailable (${e instanceof Error ? e.message : String(e)}); laying out on the webview thread.`);
      return { elk: await mainThreadEngine(), mode: 'main thread' };
    },
  );
  return enginePromise;
}

// ---------------------------------------------------------------- view state: zoom and pan

const view = { x: 0, y: 0, k: 1 };
let layoutSize = { width: 0, height: 0 };
let needsFit = true;

function applyView(): void {
  viewport.setAttribute('transform', `translate(${view.x.toFixed(1)},${view.y.toFixed(1)}) scale(${view.k.toFixed(4)})`);
  document.getElementById('zoom')!.textContent = `${Math.round(view.k * 100)}%`;
}

/** Scale to the width (never above 100%), top of the graph at the top. */
function fit(): void {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (!layoutSize.width || !w) return;
  view.k = Math.min(1, w / layoutSize.width, layoutSize.height < h ? h / layoutSize.height : Infinity);
  view.x = (w - layoutSize.width * view.k) / 2;
  view.y = 0;
  applyView();
}

function zoomAt(factor: number, px: number, py: number): void {
  const k = Math.min(4, Math.max(0.02, view.k * factor));
  const f = k / view.k;
  view.x = px - (px - view.x) * f;
  view.y = py - (py - view.y) * f;
  view.k = k;
  applyView();
}

svg.addEventListener('wheel', (e) => {
  e.preventDefault();
  const r = svg.getBoundingClientRect();
  // Pixel deltas from wheels and touchpads; lines (Firefox) are about 16 px.
  const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
  zoomAt(Math.exp(-dy * 0.0015), e.clientX - r.left, e.clientY - r.top);
}, { passive: false });

let drag: { x: number; y: number; startX: number; startY: number; target: Element | null; moved: boolean } | undefined;

svg.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX, y: e.clientY, startX: view.x, startY: view.y, target: e.target as Element, moved: false };
  svg.setPointerCapture(e.pointerId);
});

svg.addEventListener('pointermove', (e) => {
  if (!drag) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  drag.moved = true;
  svg.classList.add('panning');
  view.x = drag.startX + dx;
  view.y = drag.startY + dy;
  applyView();
});

svg.addEventListener('pointerup', (e) => {
  const d = drag;
  drag = undefined;
  svg.classList.remove('panning');
  if (svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
  if (!d || d.moved || !d.target) return;
  const node = d.target.closest('[data-id]');
  if (!node) return;
  const folded = d.target.closest('[data-folded]');
  const id = node.getAttribute('data-id')!;
  setHighlight(id, false);
  post({ type: 'reveal', id, folded: folded ? Number(folded.getAttribute('data-folded')) : undefined });
});

document.getElementById('fit')!.addEventListener('click', () => fit());
document.getElementById('zoom-in')!.addEventListener('click', () => zoomAt(1.25, canvas.clientWidth / 2, canvas.clientHeight / 2));
document.getElementById('zoom-out')!.addEventListener('click', () => zoomAt(0.8, canvas.clientWidth / 2, canvas.clientHeight / 2));
document.getElementById('zoom')!.addEventListener('click', () => zoomAt(1 / view.k, canvas.clientWidth / 2, canvas.clientHeight / 2));
document.getElementById('export')!.addEventListener('click', () => exportSvg());
stateSelect.addEventListener('change', () => post({ type: 'state', index: Number(stateSelect.value) }));

window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLSelectElement) return;
  if (e.key === '+' || e.key === '=') zoomAt(1.25, canvas.clientWidth / 2, canvas.clientHeight / 2);
  else if (e.key === '-') zoomAt(0.8, canvas.clientWidth / 2, canvas.clientHeight / 2);
  else if (e.key === '0') fit();
});

// ---------------------------------------------------------------- graph, layout, render

let graph: LayerGraph | undefined;
let renderedKey = '';
let highlighted: string | undefined;
let pending: LayerGraph | undefined;
let running = false;

function setStatus(text: string): void {
  statusText.textContent = text;
}

function showOverlay(text: string | undefined, error = false): void {
  overlay.textContent = text ?? '';
  overlay.hidden = text === undefined;
  overlay.classList.toggle('error', error);
}

function updateStates(g: LayerGraph): void {
  const options = g.states.map((s, i) => `${i}\u0000${s}`).join('\u0001');
  if (stateSelect.dataset.options !== options) {
    stateSelect.replaceChildren(...g.states.map((s, i) => new Option(s, String(i))));
    stateSelect.dataset.options = options;
  }
  stateSelect.value = String(g.state);
  stateSelect.disabled = g.states.length < 2;
}

function nodeElement(id: string): SVGGElement | null {
  return viewport.querySelector(`[data-id="${CSS.escape(id)}"]`);
}

function setHighlight(id: string | undefined, reveal: boolean): void {
  if (highlighted === id && !reveal) return;
  if (highlighted) nodeElement(highlighted)?.classList.remove('highlight');
  highlighted = id;
  if (!id) return;
  const el = nodeElement(id);
  if (!el) return;
  el.classList.add('highlight');
  if (reveal) revealNode(el);
}

/** Pans (keeping the zoom) so that the node is in view, when it is not. */
function revealNode(el: SVGGElement): void {
  const box = el.getBBox();
  const m = /translate\(([-\d.e]+)[ ,]([-\d.e]+)\)/.exec(el.getAttribute('transform') ?? '');
  if (!m) return;
  const x = Number(m[1]) * view.k + view.x;
  const y = Number(m[2]) * view.k + view.y;
  const w = box.width * view.k;
  const h = box.height * view.k;
  const cw = canvas.clientWidth;
  const ch = canvas.clientHeight;
  if (x >= 0 && y >= 0 && x + w <= cw && y + h <= ch) return;
  view.x += cw / 2 - (x + w / 2);
  view.y += ch / 2 - (y + h / 2);
  applyView();
}

async function pump(): Promise<void> {
  if (running || !pending) return;
  running = true;
  const g = pending;
  pending = undefined;
  try {
    const key = layoutKey(g);
    if (key !== renderedKey) {
      setStatus(`Laying out ${g.nodes.length} layers…`);
      const started = performance.now();
      const { elk, mode } = await engine();
      const layout = (await elk.layout(toElkGraph(g, measure) as Parameters<ElkApi['layout']>[0])) as unknown as ElkNode;
      const layoutMs = performance.now() - started;
      if (pending) return; // a newer graph came meanwhile: lay that one out instead
      const t = performance.now();
      viewport.innerHTML = renderSvg(g, layout);
      renderedKey = key;
      layoutSize = { width: layout.width ?? 0, height: layout.height ?? 0 };
      const folded = g.nodes.reduce((a, n) => a + n.folded.length, 0);
      setStatus(`${g.nodes.length} nodes (${folded} in-place layers folded), ${g.edges.length} edges · layout ${Math.round(layoutMs)} ms (${mode}), draw ${Math.round(performance.now() - t)} ms`);
      const h = highlighted;
      highlighted = undefined;
      setHighlight(h, false);
      if (needsFit) {
        needsFit = false;
        fit();
        // A new document: show the layer under the cursor if the fitted view does not.
        const el = h ? nodeElement(h) : null;
        if (el) revealNode(el);
      } else {
        applyView();
      }
    }
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    log('error', `Layout failed: ${text}`);
    setStatus(`Layout failed: ${text}`);
  } finally {
    running = false;
    void pump();
  }
}

function onGraph(g: LayerGraph, highlight: string | undefined, reset: boolean): void {
  graph = g;
  updateStates(g);
  if (reset) {
    needsFit = true;
    renderedKey = '';
  }
  if (g.nodes.length === 0) {
    viewport.replaceChildren();
    renderedKey = '';
    showOverlay('No layers to show: this file holds no net (a solver?), or none of its layers exists in this state.');
    setStatus('');
    return;
  }
  showOverlay(undefined);
  // The cursor's layer as of this graph (kept for the drawing that comes if the layout changes).
  setHighlight(highlight, false);
  if (layoutKey(g) === renderedKey) return; // only positions in the file changed: nothing to redraw
  pending = g;
  void pump();
}

// ---------------------------------------------------------------- export

const DRAWN = new Set(['path', 'rect', 'text', 'line', 'polyline', 'polygon', 'circle', 'ellipse']);

/** Copies the computed theme colours and fonts of each live element onto its clone, which loses its classes. */
function inlineStyles(liveRoot: Element, cloneRoot: Element): void {
  const props = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight', 'font-style'];
  const liveEls = [liveRoot, ...liveRoot.querySelectorAll('*')];
  const cloneEls = [cloneRoot, ...cloneRoot.querySelectorAll('*')];
  liveEls.forEach((el, i) => {
    const target = cloneEls[i];
    target.removeAttribute('class');
    if (!DRAWN.has(el.tagName.toLowerCase())) return;
    const style = getComputedStyle(el);
    for (const p of props) {
      const v = style.getPropertyValue(p);
      if (v) target.setAttribute(p, v);
    }
  });
}

/** The drawing as a standalone SVG file: layout coordinates, the theme's colours written into each element. */
function exportSvg(): void {
  if (!graph || !layoutSize.width) return;
  const live = highlighted ? nodeElement(highlighted) : null;
  live?.classList.remove('highlight');
  const clone = viewport.cloneNode(true) as SVGGElement;
  inlineStyles(viewport, clone);
  clone.removeAttribute('transform');
  clone.removeAttribute('id');
  live?.classList.add('highlight');
  const liveDefs = svg.querySelector('defs');
  let defs = '';
  if (liveDefs) {
    const defsClone = liveDefs.cloneNode(true) as Element;
    inlineStyles(liveDefs, defsClone);
    defs = defsClone.outerHTML;
  }
  const background = getComputedStyle(document.body).backgroundColor || '#ffffff';
  const w = Math.ceil(layoutSize.width);
  const h = Math.ceil(layoutSize.height);
  const text = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `${defs}<rect width="100%" height="100%" fill="${background}"/>${clone.outerHTML}</svg>\n`;
  post({ type: 'export', svg: text });
}

// ---------------------------------------------------------------- messages

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'graph':
      onGraph(m.graph, m.highlight, m.reset);
      break;
    case 'highlight':
      setHighlight(m.id, m.reveal);
      break;
    case 'message':
      viewport.replaceChildren();
      renderedKey = '';
      graph = undefined;
      showOverlay(m.text, m.error);
      break;
  }
});

new ResizeObserver(() => {
  if (needsFit && layoutSize.width) fit();
}).observe(canvas);

applyView();
post({ type: 'ready' });
// Start the engine while the first graph is on its way.
void engine().catch((e: unknown) => log('error', `ELK could not start: ${String(e)}`));
