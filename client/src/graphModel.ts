/**
 * The layer graph as the server sends it (`prototxt/layerGraph`) and its conversion into an ELK graph. Pure: no
 * VS Code, no DOM; used by the extension (cursor → node) and by the webview (layout input, sizes).
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface GraphFolded {
  name: string;
  type: string;
  range: Range;
}

export interface GraphBlob {
  name: string;
  shape: string;
}

export interface GraphNode {
  id: string;
  name: string;
  type: string;
  range: Range;
  folded: GraphFolded[];
  tops: GraphBlob[];
  params?: number | null;
  macs?: number | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  blob: string;
  shape: string;
}

export interface LayerGraph {
  uri: string;
  version: number;
  states: string[];
  state: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The subset of elkjs's types that we produce and read back. */
export interface ElkLabel {
  id?: string;
  text?: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

export interface ElkPoint {
  x: number;
  y: number;
}

export interface ElkEdgeSection {
  id?: string;
  startPoint: ElkPoint;
  endPoint: ElkPoint;
  bendPoints?: ElkPoint[];
}

export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: ElkLabel[];
  sections?: ElkEdgeSection[];
}

export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  layoutOptions?: Record<string, string>;
  children?: ElkNode[];
  edges?: ElkEdge[];
  labels?: ElkLabel[];
}

/** Text styles of a node box, each with its own font size. */
export type TextKind = 'name' | 'type' | 'shape' | 'folded' | 'edge';

/** Width in px of a text in a style; the webview measures with a canvas, tests use {@link approximateMeasure}. */
export type Measure = (text: string, kind: TextKind) => number;

export const FONT_SIZE: Record<TextKind, number> = { name: 13, type: 11, shape: 11, folded: 10, edge: 10 };
export const LINE_HEIGHT: Record<TextKind, number> = { name: 17, type: 15, shape: 15, folded: 13, edge: 13 };
export const PADDING_X = 10;
export const PADDING_Y = 6;
export const MIN_WIDTH = 90;
/** Folded layers listed inside a node before the rest are summarised as "+N more". */
export const MAX_FOLDED_LINES = 6;

/** An average-width estimate: 0.6 em per character (sans-serif digits and lower case are narrower, capitals wider). */
export const approximateMeasure: Measure = (text, kind) => Math.ceil(text.length * FONT_SIZE[kind] * 0.6);

export interface NodeLine {
  kind: TextKind;
  text: string;
  /** For a folded layer's line, its index in `node.folded`. */
  folded?: number;
}

/** The text lines of a node box, top to bottom: name, type, output shape(s), then the folded in-place layers. */
export function nodeLines(node: GraphNode): NodeLine[] {
  const lines: NodeLine[] = [{ kind: 'name', text: node.name || node.id }];
  if (node.type) lines.push({ kind: 'type', text: node.type });
  for (const top of node.tops) {
    // The common case `top: "<layer name>"` needs no blob name; otherwise say which top has which shape.
    const shape = top.shape || '?';
    const text = node.tops.length === 1 && top.name === node.name ? shape : `${top.name} ${shape}`;
    lines.push({ kind: 'shape', text });
  }
  const folded = node.folded.length > MAX_FOLDED_LINES ? node.folded.slice(0, MAX_FOLDED_LINES - 1) : node.folded;
  folded.forEach((f, i) => lines.push({ kind: 'folded', text: `+ ${f.type} ${f.name}`, folded: i }));
  if (folded.length < node.folded.length) lines.push({ kind: 'folded', text: `+ ${node.folded.length - folded.length} more` });
  return lines;
}

export interface NodeSize {
  width: number;
  height: number;
}

export function nodeSize(lines: NodeLine[], measure: Measure): NodeSize {
  const textWidth = Math.max(0, ...lines.map((l) => measure(l.text, l.kind)));
  const height = lines.reduce((h, l) => h + LINE_HEIGHT[l.kind], 0);
  return { width: Math.max(MIN_WIDTH, Math.ceil(textWidth + 2 * PADDING_X)), height: Math.ceil(height + 2 * PADDING_Y) };
}

/** Options for ELK's layered algorithm: top to bottom, file order kept where it does not cost crossings. */
export function layoutOptions(nodeCount: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.spacing.nodeNodeBetweenLayers': '28',
    'elk.layered.spacing.edgeNodeBetweenLayers': '14',
    'elk.spacing.nodeNode': '24',
    'elk.spacing.edgeNode': '14',
    'elk.spacing.edgeEdge': '8',
    'elk.spacing.edgeLabel': '2',
    'elk.edgeLabels.inline': 'true',
    'elk.layered.edgeLabels.sideSelection': 'ALWAYS_DOWN',
    'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    // Crossing minimisation dominates on big nets; fewer passes keep ResNet-152 well under a second.
    'elk.layered.thoroughness': nodeCount > 300 ? '1' : nodeCount > 100 ? '3' : '7',
  };
}

/** Id of the i-th edge; kept stable so that the rendered elements can refer back to the server's edges. */
export function edgeId(index: number): string {
  return `e${index}`;
}

/**
 * The ELK input for a layer graph. Nodes keep the server's ids; edges whose ends are unknown or that loop back to
 * their own node are dropped (ELK rejects the first and draws nothing useful for the second). Each edge carries
 * its blob name as a label.
 */
export function toElkGraph(graph: Pick<LayerGraph, 'nodes' | 'edges'>, measure: Measure = approximateMeasure): ElkNode {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const children: ElkNode[] = graph.nodes.map((n) => ({ id: n.id, ...nodeSize(nodeLines(n), measure) }));
  const edges: ElkEdge[] = [];
  graph.edges.forEach((e, i) => {
    if (!ids.has(e.from) || !ids.has(e.to) || e.from === e.to) return;
    const id = edgeId(i);
    const labels: ElkLabel[] = e.blob
      ? [{ id: `${id}.label`, text: e.blob, width: measure(e.blob, 'edge') + 4, height: LINE_HEIGHT.edge }]
      : [];
    edges.push({ id, sources: [e.from], targets: [e.to], labels });
  });
  return { id: 'root', layoutOptions: layoutOptions(children.length), children, edges };
}

/**
 * What decides the layout: everything but positions in the file, the document version and the uri. An edit that
 * only moves text around (or changes a value that no shape depends on) gives the same key and needs no new layout.
 */
export function layoutKey(graph: Pick<LayerGraph, 'nodes' | 'edges'>): string {
  return JSON.stringify({
    n: graph.nodes.map((n) => [n.id, n.name, n.type, n.tops.map((t) => [t.name, t.shape]), n.folded.map((f) => [f.name, f.type])]),
    e: graph.edges.map((e) => [e.from, e.to, e.blob, e.shape]),
  });
}

/** Everything the webview shows except the uri and version: equal keys mean nothing to redraw or re-send. */
export function contentKey(graph: LayerGraph): string {
  return JSON.stringify({ s: graph.states, st: graph.state, n: graph.nodes, e: graph.edges });
}

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function rangeContains(range: Range, p: Position): boolean {
  return comparePositions(range.start, p) <= 0 && comparePositions(p, range.end) <= 0;
}

/**
 * The node for a cursor position: the node whose folded (in-place) layer contains it, else the node whose own
 * range contains it. Ranges do not nest (layers are siblings), so the first match is the only one.
 */
export function nodeAt(graph: Pick<LayerGraph, 'nodes'>, p: Position): string | undefined {
  for (const n of graph.nodes) {
    if (n.folded.some((f) => rangeContains(f.range, p))) return n.id;
  }
  for (const n of graph.nodes) {
    if (rangeContains(n.range, p)) return n.id;
  }
  return undefined;
}

/** Coarse layer families for the colour stripe of a node. */
export function typeCategory(type: string): string {
  const t = type.toLowerCase();
  if (/conv|deconv|im2col/.test(t)) return 'conv';
  if (/innerproduct|embed|lstm|rnn|^inner_product$/.test(t)) return 'dense';
  if (/pool|spp/.test(t)) return 'pool';
  if (/batchnorm|lrn|mvn|normalize|scale|bias/.test(t)) return 'norm';
  if (/relu|sigmoid|tanh|elu|power|exp|log|bnll|absval|threshold|dropout|swish|clip/.test(t)) return 'act';
  if (/loss|accuracy/.test(t)) return 'loss';
  if (/data|input|dummy|python|memory|window|hdf5/.test(t)) return 'data';
  if (/concat|slice|split|eltwise|flatten|reshape|crop|tile|reduction|argmax|softmax|filter|silence/.test(t)) return 'shape';
  return 'other';
}
