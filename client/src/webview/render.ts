/**
 * A laid-out layer graph as SVG markup (the content of the viewport group). Pure string building, so it is
 * tested in Node; every text from the file is escaped.
 */
import { edgeId, LINE_HEIGHT, nodeLines, PADDING_X, PADDING_Y, typeCategory, type ElkNode, type LayerGraph, type GraphNode } from '../graphModel';
import { escapeHtml, formatCount, formatSi } from '../summary';

const num = (v: number | undefined) => (Math.round((v ?? 0) * 10) / 10).toString();

export function nodeTooltip(n: GraphNode): string {
  const lines = [`${n.name} (${n.type})`];
  for (const t of n.tops) lines.push(`top ${t.name}: ${t.shape || '?'}`);
  if (n.params !== undefined || n.macs !== undefined) {
    lines.push(`params ${formatCount(n.params)} · MACs ${formatSi(n.macs)}`);
  }
  if (n.folded.length) lines.push(`in place: ${n.folded.map((f) => `${f.name} (${f.type})`).join(', ')}`);
  return lines.join('\n');
}

export function renderSvg(graph: Pick<LayerGraph, 'nodes' | 'edges'>, layout: ElkNode): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const parts: string[] = ['<g class="edges">'];
  const edgesById = new Map(graph.edges.map((e, i) => [edgeId(i), e]));
  for (const le of layout.edges ?? []) {
    const e = edgesById.get(le.id);
    if (!e) continue;
    const d = (le.sections ?? [])
      .map((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p.x)} ${num(p.y)}`).join(' '))
      .join(' ');
    if (!d) continue;
    const title = escapeHtml(`${e.blob}${e.shape ? ` ${e.shape}` : ''}`);
    parts.push(`<g class="edge" data-edge="${escapeHtml(le.id)}"><title>${title}</title><path class="edge-line" d="${d}" marker-end="url(#arrow)"/>`);
    for (const label of le.labels ?? []) {
      const y = (label.y ?? 0) + (label.height ?? LINE_HEIGHT.edge) * 0.78;
      parts.push(`<text class="edge-label" x="${num((label.x ?? 0) + 2)}" y="${num(y)}">${escapeHtml(label.text ?? '')}</text>`);
    }
    parts.push('</g>');
  }
  parts.push('</g><g class="nodes">');
  for (const ln of layout.children ?? []) {
    const n = byId.get(ln.id);
    if (!n) continue;
    const w = num(ln.width);
    const h = num(ln.height);
    parts.push(`<g class="node cat-${typeCategory(n.type)}" data-id="${escapeHtml(n.id)}" transform="translate(${num(ln.x)},${num(ln.y)})">`);
    parts.push(`<title>${escapeHtml(nodeTooltip(n))}</title>`);
    parts.push(`<rect class="box" width="${w}" height="${h}" rx="4" ry="4"/><rect class="stripe" width="4" height="${h}" rx="2" ry="2"/>`);
    let y = PADDING_Y;
    for (const line of nodeLines(n)) {
      const baseline = y + LINE_HEIGHT[line.kind] * 0.78;
      const folded = line.folded !== undefined ? ` data-folded="${line.folded}"` : '';
      parts.push(`<text class="t-${line.kind}"${folded} x="${PADDING_X}" y="${num(baseline)}">${escapeHtml(line.text)}</text>`);
      y += LINE_HEIGHT[line.kind];
    }
    parts.push('</g>');
  }
  parts.push('</g>');
  return parts.join('');
}
