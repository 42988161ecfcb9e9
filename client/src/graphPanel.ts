/**
 * The layer graph webview panel. Follows the active prototxt editor, asks the server for `prototxt/layerGraph`
 * (again ~200 ms after the last edit), highlights the layer under the cursor and reveals a clicked layer.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { contentKey, nodeAt, type LayerGraph, type Range as GraphRange } from './graphModel';
import type { FromWebview, ToWebview } from './webview/protocol';

export const LAYER_GRAPH_REQUEST = 'prototxt/layerGraph';
const EDIT_DEBOUNCE_MS = 200;

export interface GraphPanelHost {
  extensionUri: vscode.Uri;
  /** The running client, or undefined when the server is not running. */
  client(): LanguageClient | undefined;
  log(message: string): void;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

function toRange(r: GraphRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class LayerGraphPanel implements vscode.Disposable {
  private static current: LayerGraphPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private document: vscode.TextDocument;
  private state: number | undefined;
  private graph: LayerGraph | undefined;
  private sentKey = '';
  private highlightId: string | undefined;
  private ready = false;
  private resetView = true;
  private dirty = false;
  private requestSeq = 0;
  private cancel: vscode.CancellationTokenSource | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastColumn: vscode.ViewColumn | undefined;
  private disposed = false;

  /** Opens the panel for the editor's document, or points the open panel at it. */
  static show(host: GraphPanelHost, editor: vscode.TextEditor): void {
    const existing = LayerGraphPanel.current;
    if (existing) {
      existing.setDocument(editor.document, editor.viewColumn);
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('prototxt.layerGraph', 'Layer Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview')],
    });
    LayerGraphPanel.current = new LayerGraphPanel(panel, host, editor);
  }

  /** The server restarted: ask again. */
  static refreshIfOpen(): void {
    LayerGraphPanel.current?.refreshSoon(0);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly host: GraphPanelHost, editor: vscode.TextEditor) {
    this.document = editor.document;
    this.lastColumn = editor.viewColumn;
    panel.webview.html = this.html();
    this.updateTitle();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.dirty) this.refreshSoon(0);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.languageId === 'prototxt' && e.document !== this.document) this.setDocument(e.document, e.viewColumn);
        else if (e && e.document === this.document) this.lastColumn = e.viewColumn;
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document && e.contentChanges.length > 0) this.refreshSoon(EDIT_DEBOUNCE_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document === this.document) this.followCursor(e.selections[0].active, true);
      }),
    );
  }

  private updateTitle(): void {
    const name = this.document.uri.path.split('/').pop() ?? 'prototxt';
    this.panel.title = `Layer Graph: ${name}`;
  }

  private setDocument(document: vscode.TextDocument, column: vscode.ViewColumn | undefined): void {
    this.lastColumn = column ?? this.lastColumn;
    if (document === this.document) return;
    this.document = document;
    this.state = undefined;
    this.graph = undefined;
    this.sentKey = '';
    this.highlightId = undefined;
    this.resetView = true;
    this.updateTitle();
    this.refreshSoon(0);
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private refreshSoon(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  private async refresh(): Promise<void> {
    if (!this.ready) return;
    if (!this.panel.visible) {
      this.dirty = true; // asked again when the panel shows
      return;
    }
    this.dirty = false;
    const client = this.host.client();
    if (!client || !client.isRunning()) {
      this.sentKey = '';
      this.post({ type: 'message', text: 'The Caffe Prototxt language server is not running. Run "Prototxt: Restart Server", or see the "Caffe Prototxt" output.', error: true });
      return;
    }
    this.cancel?.cancel();
    const cancel = (this.cancel = new vscode.CancellationTokenSource());
    const seq = ++this.requestSeq;
    const params: { textDocument: { uri: string }; state?: number } = { textDocument: { uri: client.code2ProtocolConverter.asUri(this.document.uri) } };
    if (this.state !== undefined) params.state = this.state;
    try {
      const graph = await client.sendRequest<LayerGraph | null>(LAYER_GRAPH_REQUEST, params, cancel.token);
      if (seq !== this.requestSeq) return; // a newer request is on its way
      if (!graph) {
        this.sentKey = '';
        this.post({ type: 'message', text: 'The language server has not opened this document.', error: false });
        return;
      }
      this.graph = graph;
      const key = contentKey(graph);
      if (key === this.sentKey && !this.resetView) return; // nothing changed: no redraw
      this.sentKey = key;
      this.highlightId = this.cursorNode();
      this.post({ type: 'graph', graph, highlight: this.highlightId, reset: this.resetView });
      this.resetView = false;
    } catch (e) {
      if (cancel.token.isCancellationRequested || seq !== this.requestSeq) return;
      const text = e instanceof Error ? e.message : String(e);
      this.host.log(`prototxt/layerGraph failed: ${text}`);
      this.sentKey = '';
      this.post({ type: 'message', text: `The layer graph request failed: ${text}`, error: true });
    } finally {
      cancel.dispose();
      if (this.cancel === cancel) this.cancel = undefined;
    }
  }

  private cursorNode(): string | undefined {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
    if (!editor || !this.graph) return undefined;
    const p = editor.selection.active;
    return nodeAt(this.graph, { line: p.line, character: p.character });
  }

  private followCursor(p: vscode.Position, reveal: boolean): void {
    if (!this.graph) return;
    const id = nodeAt(this.graph, { line: p.line, character: p.character });
    if (id === this.highlightId) return;
    this.highlightId = id;
    this.post({ type: 'highlight', id, reveal });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sentKey = '';
        this.resetView = true;
        this.refreshSoon(0);
        break;
      case 'state':
        this.state = m.index;
        this.refreshSoon(0);
        break;
      case 'reveal':
        await this.reveal(m.id, m.folded);
        break;
      case 'export':
        await this.export(m.svg);
        break;
      case 'log':
        this.host.log(`[layer graph] ${m.text}`);
        break;
    }
  }

  private async reveal(id: string, folded: number | undefined): Promise<void> {
    const node = this.graph?.nodes.find((n) => n.id === id);
    if (!node) return;
    const range = toRange(folded !== undefined && node.folded[folded] ? node.folded[folded].range : node.range);
    this.highlightId = id;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
    const editor = await vscode.window.showTextDocument(this.document, {
      viewColumn: visible?.viewColumn ?? this.lastColumn ?? vscode.ViewColumn.One,
      preserveFocus: true,
      selection: new vscode.Range(range.start, range.start),
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(svg: string): Promise<void> {
    const base = this.document.uri.scheme === 'file' ? this.document.uri.with({ path: this.document.uri.path.replace(/\.[^./]*$/, '') + '.svg' }) : undefined;
    const target = await vscode.window.showSaveDialog({ defaultUri: base, filters: { 'SVG image': ['svg'] }, title: 'Export Layer Graph' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(svg));
    const open = await vscode.window.showInformationMessage(`Layer graph saved to ${target.fsPath}.`, 'Open');
    if (open) await vscode.commands.executeCommand('vscode.open', target);
  }

  private html(): string {
    const webview = this.panel.webview;
    const root = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'graph.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(root, 'graph.css'));
    const elk = webview.asWebviewUri(vscode.Uri.joinPath(root, 'elk-layout.js'));
    const n = nonce();
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${n}'`,
      `connect-src ${webview.cspSource}`,
      'worker-src blob:',
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Layer Graph</title>
</head>
<body data-elk="${elk}">
<div id="toolbar">
  <label for="state">State</label> <select id="state" title="The net's state (phase and stages) to show"></select>
  <button id="zoom-out" title="Zoom out (-)">−</button><button id="zoom" title="Zoom to 100%">100%</button><button id="zoom-in" title="Zoom in (+)">+</button>
  <button id="fit" title="Fit to the width (0)">Fit</button>
  <button id="export" title="Save the drawing as an SVG file">Export SVG…</button>
  <span id="status"></span>
</div>
<div id="canvas">
  <svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Layer graph">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path class="arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>
    <g id="viewport"></g>
  </svg>
  <div id="overlay" hidden></div>
</div>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (LayerGraphPanel.current === this) LayerGraphPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.cancel?.cancel();
    this.cancel?.dispose();
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}
