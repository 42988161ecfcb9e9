/**
 * The Caffe Prototxt extension: finds and starts the prototxt-lsp language server, and adds the layer graph, the
 * net summary, the upgrade command and a status bar item. Everything about the language lives in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CodeActionRequest,
  CodeLensRequest,
  InlayHintRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type CodeAction,
  type Command,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { LayerGraphPanel } from './graphPanel';
import { nodeLocatorDeps, resolveSettingPath, run, withTempFile } from './processes';
import { locateServer, type Candidate } from './serverLocator';
import { PrototxtStatusBar } from './statusBar';
import { cliMessage } from './summary';
import { SummaryPanel } from './summaryView';
import { minimalReplacement } from './textDiff';

const LANGUAGE = 'prototxt';

/** The `prototxt` settings as the server reads them (initializationOptions). */
export function settingsSection(config: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration('prototxt')) {
  return {
    server: { path: config.get<string>('server.path', '') },
    trace: { server: config.get<string>('trace.server', 'off') },
    log: { file: config.get<string>('log.file', '') || null },
    inlayHints: { shapes: config.get<boolean>('inlayHints.shapes', true) },
    codeLens: { cost: config.get<boolean>('codeLens.cost', false) },
    diagnostics: { maxPerFile: config.get<number>('diagnostics.maxPerFile', 1000) },
  };
}

class ServerManager implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Caffe Prototxt', { log: true });
  readonly trace = vscode.window.createOutputChannel('Caffe Prototxt Trace', { log: true });
  client: LanguageClient | undefined;
  server: Candidate | undefined;
  version: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly status: PrototxtStatusBar) {}

  log(message: string): void {
    this.output.info(`[client] ${message}`);
  }

  /** Looks for the server; on failure shows the actionable error and returns undefined. */
  async locate(showError = true): Promise<Candidate | undefined> {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const setting = resolveSettingPath(vscode.workspace.getConfiguration('prototxt').get<string>('server.path'), workspace);
    const result = await locateServer({
      envPath: process.env.PROTOTXT_LSP_PATH,
      settingPath: setting,
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      pathDirs: (process.env.PATH ?? '').split(path.delimiter),
      timeoutMs: 10_000,
    }, nodeLocatorDeps);
    for (const a of result.attempts) this.log(`server candidate ${a.candidate.description}: ${a.problem}`);
    if (!result.ok) {
      this.log(result.message);
      this.server = undefined;
      this.status.setServer({ state: 'failed', detail: 'not found' });
      if (showError) void this.showLocateError(result.message);
      return undefined;
    }
    this.server = result.server;
    this.version = result.version;
    this.log(`using ${result.server.description} (prototxt-lsp ${result.version})`);
    const expected = this.context.extension.packageJSON.version as string;
    if (result.version !== expected) this.log(`note: the server is ${result.version}, the extension ${expected}`);
    return result.server;
  }

  private async showLocateError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output', 'Retry');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'prototxt.server.path');
    else if (choice === 'Show Output') this.output.show();
    else if (choice === 'Retry') await this.restart();
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.status.setServer({ state: 'starting' });
    const server = await this.locate();
    if (!server) return;
    const serverOptions: ServerOptions = {
      run: { command: server.command, args: [...server.args, '--stdio'] },
      debug: { command: server.command, args: [...server.args, '--stdio'] },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: LANGUAGE }],
      synchronize: {
        configurationSection: 'prototxt',
        // A fork's caffe.proto or the project file changed: the server recompiles and re-checks open files.
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/*.proto'),
          vscode.workspace.createFileSystemWatcher('**/prototxt-lsp.json'),
        ],
      },
      initializationOptions: settingsSection(),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      diagnosticCollectionName: 'prototxt',
    };
    // The id 'prototxt' makes the client read prototxt.trace.server.
    const client = new LanguageClient('prototxt', 'Caffe Prototxt', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Running) this.status.setServer({ state: 'running', version: this.version });
      else if (e.newState === State.Stopped) this.status.setServer({ state: 'stopped', detail: 'the server stopped (see the "Caffe Prototxt" output)' });
    });
    this.client = client;
    try {
      await client.start();
      this.status.setServer({ state: 'running', version: this.version });
      LayerGraphPanel.refreshIfOpen();
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.log(`the server failed to start: ${text}`);
      this.status.setServer({ state: 'failed', detail: text });
      const choice = await vscode.window.showErrorMessage(`Caffe Prototxt: the language server (${server.description}) failed to start: ${text}`, 'Show Output', 'Open Settings');
      if (choice === 'Show Output') this.output.show();
      else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'prototxt.server.path');
    }
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.isRunning()) await client.stop(5_000);
    } catch (e) {
      this.log(`stopping the server: ${String(e)}`);
    }
    await client.dispose().catch(() => undefined);
  }

  async restart(): Promise<void> {
    this.log('restarting the server');
    await this.stop();
    await this.start();
  }

  /** The running client, or undefined. */
  running(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** Asks VS Code again for inlay hints and code lenses (after a setting that changes them). */
  refreshDecorations(): void {
    const client = this.running();
    if (!client) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.languageId !== LANGUAGE) continue;
      client.getFeature(InlayHintRequest.method)?.getProvider(editor.document)?.onDidChangeInlayHints.fire();
      client.getFeature(CodeLensRequest.method)?.getProvider(editor.document)?.onDidChangeCodeLensEmitter.fire();
    }
  }

  dispose(): void {
    void this.stop();
    this.output.dispose();
    this.trace.dispose();
  }
}

let manager: ServerManager | undefined;

/** The prototxt editor a command applies to: the one for `uri` (editor title menu) or the active one. */
function targetEditor(uri?: unknown): vscode.TextEditor | undefined {
  const editors = vscode.window.visibleTextEditors;
  if (uri instanceof vscode.Uri) {
    const e = editors.find((x) => x.document.uri.toString() === uri.toString());
    if (e) return e;
  }
  const active = vscode.window.activeTextEditor;
  if (active?.document.languageId === LANGUAGE) return active;
  return editors.find((x) => x.document.languageId === LANGUAGE);
}

function requireEditor(uri?: unknown): vscode.TextEditor | undefined {
  const editor = targetEditor(uri);
  if (!editor) void vscode.window.showInformationMessage('Open a Caffe .prototxt file first.');
  return editor;
}

/** The text after applying LSP-converted edits to the document (offsets taken from the current text). */
function applyEdits(document: vscode.TextDocument, edits: readonly vscode.TextEdit[]): string {
  const text = document.getText();
  const sorted = [...edits].sort((a, b) => document.offsetAt(b.range.start) - document.offsetAt(a.range.start));
  let result = text;
  for (const e of sorted) {
    result = result.slice(0, document.offsetAt(e.range.start)) + e.newText + result.slice(document.offsetAt(e.range.end));
  }
  return result;
}

/** Replaces the document's text with `after`, touching only what differs (the cursor stays where it was). */
async function replaceText(document: vscode.TextDocument, after: string): Promise<boolean> {
  const r = minimalReplacement(document.getText(), after);
  if (!r) return true;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(r.start), document.positionAt(r.end)), r.text);
  return vscode.workspace.applyEdit(edit);
}

/** The upgraded text from the server's "Upgrade to the current format" quick fix, if it offers one. */
async function upgradeByCodeAction(client: LanguageClient, document: vscode.TextDocument): Promise<string | undefined> {
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const legacy = vscode.languages.getDiagnostics(document.uri).filter((d) => {
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    return code === 'PTX3011';
  });
  const actions = await client.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
    range: client.code2ProtocolConverter.asRange(document.validateRange(whole)),
    context: { diagnostics: await client.code2ProtocolConverter.asDiagnostics(legacy), only: ['quickfix'] },
  });
  const action = (actions ?? []).find((a: Command | CodeAction): a is CodeAction => 'edit' in a && /^Upgrade to the current format/i.test(a.title));
  if (!action?.edit) return undefined;
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(action.edit);
  const edits = edit?.get(document.uri) ?? [];
  return edits.length > 0 ? applyEdits(document, edits) : undefined;
}

async function upgradeCommand(uri?: unknown): Promise<void> {
  const m = manager!;
  const editor = requireEditor(uri);
  if (!editor) return;
  const document = editor.document;
  const version = document.version;
  let upgraded: string | undefined;
  const client = m.running();
  if (client) {
    try {
      upgraded = await upgradeByCodeAction(client, document);
    } catch (e) {
      m.log(`upgrade code action failed: ${String(e)}`);
    }
  }
  if (upgraded === undefined) {
    // No quick fix offered: the CLI tells why (already current, impossible) or upgrades what has no diagnostic.
    const server = m.server ?? (await m.locate());
    if (!server) return;
    const name = document.isUntitled ? 'untitled.prototxt' : path.basename(document.uri.path);
    const r = await withTempFile(name, document.getText(), (file) => run(server.command, [...server.args, 'upgrade', file], 60_000));
    if (r.code !== 0 || r.error || r.timedOut) {
      const why = r.timedOut ? 'timed out' : r.error ?? (cliMessage(r.stderr) || `exit code ${r.code}`);
      void vscode.window.showErrorMessage(`Prototxt: the upgrade is not possible: ${why}`);
      return;
    }
    upgraded = r.stdout;
    if (upgraded === document.getText()) {
      void vscode.window.showInformationMessage('Prototxt: the file is already in the current format.');
      return;
    }
    m.log(`upgrade: ${cliMessage(r.stderr)}`);
  }
  if (document.version !== version) {
    void vscode.window.showWarningMessage('Prototxt: the file changed during the upgrade; run it again.');
    return;
  }
  if (await replaceText(document, upgraded)) {
    void vscode.window.showInformationMessage('Prototxt: upgraded to the current format (Undo reverts it).');
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const status = new PrototxtStatusBar();
  const m = (manager = new ServerManager(context, status));
  const graphHost = { extensionUri: context.extensionUri, client: () => m.running(), log: (s: string) => m.log(s) };
  const summaryHost = { server: async () => m.server ?? (await m.locate()), log: (s: string) => m.log(s) };

  context.subscriptions.push(
    status,
    m,
    vscode.commands.registerCommand('prototxt.restartServer', () => m.restart()),
    vscode.commands.registerCommand('prototxt.showLayerGraph', (uri?: unknown) => {
      const editor = requireEditor(uri);
      if (editor) LayerGraphPanel.show(graphHost, editor);
    }),
    vscode.commands.registerCommand('prototxt.showSummary', async (uri?: unknown) => {
      const editor = requireEditor(uri);
      if (editor) await SummaryPanel.show(summaryHost, editor.document);
    }),
    vscode.commands.registerCommand('prototxt.upgrade', upgradeCommand),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('prototxt.server.path')) {
        void m.restart();
      } else if (e.affectsConfiguration('prototxt.inlayHints') || e.affectsConfiguration('prototxt.codeLens')) {
        // The client sends didChangeConfiguration itself (synchronize.configurationSection); then ask again.
        setTimeout(() => m.refreshDecorations(), 100);
      }
    }),
  );
  await m.start();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
}
