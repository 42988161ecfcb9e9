/** The status bar item for the active prototxt editor: net or solver, and its error count. */
import * as vscode from 'vscode';
import { classify } from './fileKind';

export interface ServerState {
  state: 'starting' | 'running' | 'failed' | 'stopped';
  version?: string;
  detail?: string;
}

export class PrototxtStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prototxt.status', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private server: ServerState = { state: 'starting' };

  constructor() {
    this.item.name = 'Caffe Prototxt';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const uri = vscode.window.activeTextEditor?.document.uri.toString();
        if (uri && e.uris.some((u) => u.toString() === uri)) this.update();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
    );
    this.update();
  }

  setServer(server: ServerState): void {
    this.server = server;
    this.update();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), 300);
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'prototxt') {
      this.item.hide();
      return;
    }
    const doc = editor.document;
    const kind = classify(doc.getText(), doc.fileName);
    const diagnostics = vscode.languages.getDiagnostics(doc.uri);
    const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    const warnings = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
    const label = kind.kind === 'net' ? 'Net' : kind.kind === 'solver' ? 'Solver' : kind.message.replace(/^caffe\./, '');
    const icon = kind.kind === 'solver' ? '$(settings-gear)' : '$(type-hierarchy)';

    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: ['prototxt.showLayerGraph', 'prototxt.showSummary', 'prototxt.restartServer', 'workbench.actions.view.problems'] };
    tooltip.appendMarkdown(`**Caffe Prototxt** — read as \`${kind.message}\` (${kind.reason})\n\n`);
    tooltip.appendMarkdown(`${errors} error(s), ${warnings} warning(s)\n\n`);
    switch (this.server.state) {
      case 'running':
        tooltip.appendMarkdown(`Server prototxt-lsp ${this.server.version ?? ''} running\n\n`);
        break;
      case 'starting':
        tooltip.appendMarkdown('Server starting…\n\n');
        break;
      default:
        tooltip.appendMarkdown(`$(warning) Server not running${this.server.detail ? `: ${this.server.detail}` : ''}\n\n`);
    }
    const links = ['[Problems](command:workbench.actions.view.problems)'];
    if (kind.kind === 'net') links.push('[Layer graph](command:prototxt.showLayerGraph)', '[Summary](command:prototxt.showSummary)');
    links.push('[Restart server](command:prototxt.restartServer)');
    tooltip.appendMarkdown(links.join(' · '));

    const failed = this.server.state === 'failed' || this.server.state === 'stopped';
    this.item.text = `${failed ? '$(warning) ' : ''}${icon} ${label}  $(error) ${errors}${warnings ? `  $(warning) ${warnings}` : ''}`;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = failed ? 'prototxt.restartServer' : 'workbench.actions.view.problems';
    this.item.accessibilityInformation = { label: `Caffe Prototxt ${label}, ${errors} errors, ${warnings} warnings` };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
