/**
 * `prototxt-lsp summary --format json` → an HTML table for the summary webview. Pure (no VS Code), tested.
 */

export interface SummaryTop {
  name: string;
  /** Dimensions, null for an unknown one; null for an unknown rank; [] for a scalar (a loss). */
  shape: (number | null)[] | null;
}

export interface SummaryLayer {
  name: string;
  type: string;
  tops: SummaryTop[];
  params: number | null;
  macs: number | null;
  activationBytes: number | null;
  statistics?: number | null;
}

export interface SummaryTotals {
  params: number | null;
  macs: number | null;
  activationBytes: number | null;
  statistics?: number | null;
  complete: boolean;
}

export interface Summary {
  path: string;
  phase: string;
  layers: SummaryLayer[];
  totals: SummaryTotals;
}

export function parseSummary(json: string): Summary | undefined {
  try {
    const v = JSON.parse(json) as Summary;
    return v && Array.isArray(v.layers) && v.totals ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The CLI's stderr without its `prototxt-lsp summary:` prefix, and paths (maybe of a temporary copy) cut to the file name. */
export function cliMessage(stderr: string): string {
  return stderr.trim().replace(/^prototxt-lsp \w+: /gm, '').replace(/'[^'\n]*[\\/]([^'\\/\n]+)'/g, "'$1'");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 1234567 → "1,234,567"; null → "?". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234 → "1.23 K", 7244068160 → "7.24 G" (SI, for MACs). */
export function formatSi(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units = ['', ' K', ' M', ' G', ' T', ' P'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v}` : `${v.toFixed(2)}${units[i]}`;
}

/** Bytes as the CLI prints them: "40 B", "3.1 KiB", "11.1 MiB", "1.2 GiB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** [10, 96, 55, 55] → "10×96×55×55"; null dims → "?"; [] → "scalar"; null → "?". */
export function formatShape(shape: (number | null)[] | null): string {
  if (shape === null) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (d === null ? '?' : `${d}`)).join('×');
}

function cell(text: string, cls = ''): string {
  return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
}

/** The table (and the notes above it) as an HTML fragment; every value from the file is escaped. */
export function summaryTableHtml(s: Summary): string {
  const rows = s.layers.map((l) => {
    const tops = l.tops.map((t) => `${t.name} ${formatShape(t.shape)}`).join(', ');
    const stats = l.statistics !== undefined && l.statistics !== null ? ` (+${formatCount(l.statistics)} statistics)` : '';
    return `<tr>${cell(l.name, 'name')}${cell(l.type)}${cell(tops, 'shape')}${cell(formatCount(l.params) + stats, 'num')}` +
      `${cell(formatCount(l.macs), 'num')}${cell(formatSi(l.macs), 'num dim')}${cell(formatBytes(l.activationBytes), 'num')}</tr>`;
  });
  const t = s.totals;
  const stats = t.statistics ? ` (+${formatCount(t.statistics)} statistics)` : '';
  const total = `<tr class="total">${cell('Total')}${cell(`${s.layers.length} layers`)}${cell('')}${cell(formatCount(t.params) + stats, 'num')}` +
    `${cell(formatCount(t.macs), 'num')}${cell(formatSi(t.macs), 'num dim')}${cell(formatBytes(t.activationBytes), 'num')}</tr>`;
  const note = t.complete ? '' : '<p class="note">Some sizes are unknown (<code>?</code>); the totals add the known values only.</p>';
  return `${note}<table><thead><tr><th>Layer</th><th>Type</th><th>Top shapes</th><th class="num">Params</th>` +
    `<th class="num">MACs</th><th class="num"></th><th class="num">Activations</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody><tfoot>${total}</tfoot></table>`;
}
