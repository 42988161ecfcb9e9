/**
 * "Prototxt: Show Net Summary": runs `prototxt-lsp summary --format json` on the active file (on a temporary copy
 * when it has unsaved changes) and shows the table in a webview.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { run, withTempFile } from './processes';
import type { ServerCommand } from './serverLocator';
import { cliMessage, escapeHtml, parseSummary, summaryTableHtml } from './summary';

export interface SummaryHost {
  /** The located server, located again when needed; undefined when there is none (the error was shown). */
  server(): Promise<ServerCommand | undefined>;
  log(message: string): void;
}

type FromSummary = { type: 'phase'; phase: string } | { type: 'refresh' } | { type: 'reveal'; name: string };

const PHASES = ['TEST', 'TRAIN'];

/** Runs the summary verb on the document's current text. */
export async function runSummary(server: ServerCommand, document: vscode.TextDocument, phase: string) {
  const args = (file: string) => [...server.args, 'summary', '--format', 'json', '--phase', phase, file];
  if (document.isUntitled || document.isDirty || document.uri.scheme !== 'file') {
    const name = document.isUntitled ? 'untitled.prototxt' : path.basename(document.uri.path);
    return withTempFile(name, document.getText(), (file) => run(server.command, args(file), 60_000));
  }
  return run(server.command, args(document.uri.fsPath), 60_000, { cwd: path.dirname(document.uri.fsPath) });
}

export class SummaryPanel implements vscode.Disposable {
  private static current: SummaryPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private phase = 'TEST';
  private disposed = false;

  static async show(host: SummaryHost, document: vscode.TextDocument): Promise<void> {
    if (SummaryPanel.current) {
      SummaryPanel.current.document = document;
      SummaryPanel.current.panel.reveal(undefined, true);
      await SummaryPanel.current.update();
      return;
    }
    const panel = vscode.window.createWebviewPanel('prototxt.summary', 'Net Summary', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
    SummaryPanel.current = new SummaryPanel(panel, host, document);
    await SummaryPanel.current.update();
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly host: SummaryHost, private document: vscode.TextDocument) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromSummary) => this.onMessage(m)),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === this.document && this.panel.visible) void this.update();
      }),
    );
  }

  private async onMessage(m: FromSummary): Promise<void> {
    if (m.type === 'phase' && PHASES.includes(m.phase)) {
      this.phase = m.phase;
      await this.update();
    } else if (m.type === 'refresh') {
      await this.update();
    } else if (m.type === 'reveal') {
      await this.reveal(m.name);
    }
  }

  private async reveal(name: string): Promise<void> {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', this.document.uri);
    const symbol = symbols?.find((s) => s.name === name && s.kind !== vscode.SymbolKind.Variable) ?? symbols?.find((s) => s.name === name);
    if (!symbol) return;
    const editor = await vscode.window.showTextDocument(this.document, { preserveFocus: true, selection: new vscode.Range(symbol.selectionRange.start, symbol.selectionRange.start) });
    editor.revealRange(symbol.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async update(): Promise<void> {
    const name = path.basename(this.document.uri.path);
    this.panel.title = `Summary: ${name}`;
    const server = await this.host.server();
    if (!server) {
      this.panel.webview.html = this.html(name, '<p class="error">The prototxt-lsp server was not found; see the error message.</p>');
      return;
    }
    const r = await runSummary(server, this.document, this.phase);
    const summary = parseSummary(r.stdout);
    let body: string;
    if (summary) {
      const note = r.code === 1 ? `<p class="note">${escapeHtml(cliMessage(r.stderr) || 'The file has errors; shapes after an error may be unknown.')}</p>` : '';
      body = note + summaryTableHtml(summary);
    } else {
      const why = r.timedOut ? 'timed out' : r.error ?? (r.stderr.trim() || `exit code ${r.code}`);
      this.host.log(`summary failed: ${why}`);
      body = `<p class="error">${escapeHtml(cliMessage(why))}</p>`;
    }
    if (!this.disposed) this.panel.webview.html = this.html(name, body);
  }

  private html(name: string, body: string): string {
    const n = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    const phases = PHASES.map((p) => `<button data-phase="${p}"${p === this.phase ? ' class="active" aria-pressed="true"' : ''}>${p}</button>`).join('');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<title>Net Summary</title>
<style nonce="${n}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
header { display: flex; gap: 8px; align-items: center; position: sticky; top: 0; background: var(--vscode-editor-background); padding: 8px 0; }
h1 { font-size: 1.1em; margin: 0 12px 0 0; }
button { font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 10px; cursor: pointer; }
button.active { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
th, td { padding: 2px 12px 2px 0; text-align: left; white-space: nowrap; }
th { border-bottom: 1px solid var(--vscode-panel-border); position: sticky; top: 40px; background: var(--vscode-editor-background); }
tbody tr:hover { background: var(--vscode-list-hoverBackground); cursor: pointer; }
tfoot td { border-top: 1px solid var(--vscode-panel-border); font-weight: 600; }
.num { text-align: right; }
.dim { color: var(--vscode-descriptionForeground); }
.note { color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
</style>
</head>
<body>
<header><h1>${escapeHtml(name)}</h1>${phases}<button data-refresh>Refresh</button></header>
${body}
<script nonce="${n}">
const vscode = acquireVsCodeApi();
document.querySelectorAll('[data-phase]').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'phase', phase: b.dataset.phase })));
document.querySelector('[data-refresh]').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
document.querySelectorAll('tbody tr').forEach((tr) => tr.addEventListener('click', () => vscode.postMessage({ type: 'reveal', name: tr.firstElementChild.textContent })));
</script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (SummaryPanel.current === this) SummaryPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
