/**
 * The client's side of the protocol against the real server (built from ../src): locate it the way the
 * extension does, send the settings the way the extension does, ask for the layer graph and lay it out with the
 * ELK bundle the webview loads, and run the CLI verbs the commands use. Skipped when no built server exists.
 */
import assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { layoutKey, nodeAt, toElkGraph, type ElkNode, type LayerGraph } from '../src/graphModel';
import { nodeLocatorDeps, run, withTempFile } from '../src/processes';
import { locateServer, type Candidate } from '../src/serverLocator';
import { parseSummary, summaryTableHtml } from '../src/summary';
import { renderSvg } from '../src/webview/render';

const repo = path.resolve(__dirname, '..', '..');
const builtDll = path.join(repo, 'src', 'PrototxtLsp.Server', 'bin', 'Release', 'net10.0', 'prototxt-lsp.dll');
const serverPath = process.env.PROTOTXT_LSP_PATH || (fs.existsSync(builtDll) ? builtDll : undefined);
const skip = serverPath ? false : 'no built server (dotnet build PrototxtLsp.sln -c Release) and no PROTOTXT_LSP_PATH';
const resnet152 = path.resolve(repo, '..', 'shared', 'corpus', 'KaimingHe__deep-residual-networks', 'prototxt', 'ResNet-152-deploy.prototxt');
const smallNet = path.join(repo, 'examples', 'nets', 'small_resnet_block_train_test.prototxt');

const V1_NET = `name: "old"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 8
input_dim: 8
layers {
  name: "conv1"
  type: CONVOLUTION
  bottom: "data"
  top: "conv1"
  blobs_lr: 1
  blobs_lr: 2
  convolution_param { num_output: 4 kernel_size: 3 }
}
`;

function elk(): { layout(g: ElkNode): Promise<ElkNode> } | undefined {
  const bundle = path.resolve(__dirname, '..', 'dist', 'webview', 'elk-layout.js');
  if (!fs.existsSync(bundle)) return undefined;
  require(bundle);
  const FakeWorker = (globalThis as { ElkFakeWorker?: new () => unknown }).ElkFakeWorker!;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ELK = require('elkjs/lib/elk-api.js').default as new (o: object) => { layout(g: ElkNode): Promise<ElkNode> };
  return new ELK({ workerFactory: () => new FakeWorker() });
}

describe('against the real server', { skip }, () => {
  let server: Candidate;
  let proc: cp.ChildProcessWithoutNullStreams;
  let conn: MessageConnection;
  const diagnostics = new Map<string, unknown[]>();

  before(async () => {
    const located = await locateServer({ envPath: serverPath, extensionPath: '/nonexistent', platform: process.platform, arch: process.arch }, nodeLocatorDeps);
    assert.ok(located.ok, located.ok ? '' : located.message);
    server = located.server;
    proc = cp.spawn(server.command, [...server.args, '--stdio']);
    conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => {
      diagnostics.set(p.uri, p.diagnostics);
    });
    conn.listen();
    // What the extension sends: the prototxt section (settingsSection()) as initializationOptions.
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { server: { path: '' }, trace: { server: 'off' }, log: { file: null }, inlayHints: { shapes: true }, codeLens: { cost: false } },
    });
    await conn.sendNotification('initialized', {});
  });

  after(async () => {
    try {
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } catch {
      // already gone
    }
    conn.dispose();
    proc.kill();
  });

  async function open(file: string, text = fs.readFileSync(file, 'utf8')): Promise<string> {
    const uri = `file://${file}`;
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'prototxt', version: 1, text } });
    return uri;
  }

  test('the version the locator read is the package version', async () => {
    const r = await run(server.command, [...server.args, '--version'], 10_000);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8'));
    assert.equal(r.stdout.trim(), `prototxt-lsp ${pkg.version}`);
  });

  test('diagnostics are published for an open file, and hover answers', async () => {
    const file = path.join(repo, 'examples', 'errors', 'typos.prototxt');
    const uri = await open(file);
    const deadline = Date.now() + 20_000;
    while (!diagnostics.has(uri) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const list = diagnostics.get(uri) as { code: string; source: string }[] | undefined;
    assert.ok(list && list.length > 0, 'publishDiagnostics arrived');
    assert.ok(list.some((d) => d.code === 'PTX2001'));
    const hover = await conn.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 12 } });
    assert.match(hover?.contents.value ?? '', /Convolution/);
  });

  test('prototxt/layerGraph: states, nodes with folded layers, edges; the state picker switches', async () => {
    const uri = await open(smallNet);
    const g = await conn.sendRequest<LayerGraph>('prototxt/layerGraph', { textDocument: { uri } });
    assert.deepEqual(g.states, ['TRAIN', 'TEST']);
    assert.equal(g.states[g.state], 'TEST');
    assert.ok(g.nodes.length > 3);
    assert.ok(g.nodes.some((n) => n.folded.length > 0), 'BatchNorm/Scale/ReLU folded into their conv');
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `edge ${e.from}→${e.to}`);
    const conv = g.nodes.find((n) => n.folded.length > 0)!;
    assert.equal(nodeAt(g, conv.folded[0].range.start), conv.id);
    const train = await conn.sendRequest<LayerGraph>('prototxt/layerGraph', { textDocument: { uri }, state: 0 });
    assert.equal(train.state, 0);
    assert.notEqual(layoutKey(train), layoutKey(g), 'TRAIN has another batch size');
  });

  test('ResNet-152: graph request and ELK layout stay fast', { skip: !fs.existsSync(resnet152) && '../shared corpus absent' }, async () => {
    const engine = elk();
    assert.ok(engine, 'dist/webview/elk-layout.js is built');
    const uri = await open(resnet152);
    let t = performance.now();
    const g = await conn.sendRequest<LayerGraph>('prototxt/layerGraph', { textDocument: { uri } });
    const requestMs = performance.now() - t;
    const layers = g.nodes.length + g.nodes.reduce((a, n) => a + n.folded.length, 0);
    assert.ok(layers > 600, `${layers} layers`);
    t = performance.now();
    const input = toElkGraph(g);
    const out = await engine.layout(input);
    const layoutMs = performance.now() - t;
    t = performance.now();
    const svg = renderSvg(g, out);
    const renderMs = performance.now() - t;
    for (const c of out.children!) assert.ok(Number.isFinite(c.x) && Number.isFinite(c.y), `${c.id} placed`);
    assert.equal((svg.match(/class="node /g) ?? []).length, g.nodes.length);
    console.log(`# ResNet-152: ${g.nodes.length} nodes (${layers} layers), ${g.edges.length} edges; request ${requestMs.toFixed(0)} ms, ELK ${layoutMs.toFixed(0)} ms, SVG ${renderMs.toFixed(0)} ms, ${(svg.length / 1024).toFixed(0)} KiB`);
    assert.ok(layoutMs < 15_000, `layout took ${layoutMs} ms`);
  });

  test('settings sent as didChangeConfiguration turn inlay hints off and code lenses on', async () => {
    const uri = await open(path.join(repo, 'examples', 'nets', 'lenet_deploy.prototxt'));
    const range = { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } };
    const before = await conn.sendRequest<unknown[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    assert.ok(before.length > 0);
    // synchronize.configurationSection sends { prototxt: { ... } }
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: { prototxt: { inlayHints: { shapes: false }, codeLens: { cost: true }, log: { file: '' } } } });
    const afterHints = await conn.sendRequest<unknown[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    assert.equal(afterHints.length, 0);
    const lenses = await conn.sendRequest<unknown[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(lenses.length > 0);
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: { prototxt: { inlayHints: { shapes: true }, codeLens: { cost: false } } } });
  });

  test('the upgrade quick fix is offered for a whole-file code action request', async () => {
    const file = path.join(repo, 'client', 'out-test', 'old_v1.prototxt');
    const uri = await open(file, V1_NET);
    const actions = await conn.sendRequest<{ title: string; edit?: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 17, character: 0 } },
      context: { diagnostics: [], only: ['quickfix'] },
    });
    const upgrade = actions.find((a) => /^Upgrade to the current format/.test(a.title));
    assert.ok(upgrade?.edit, `actions: ${actions.map((a) => a.title).join(', ')}`);
    const text = upgrade.edit.changes[uri].map((e) => e.newText).join('');
    assert.match(text, /layer \{/);
    assert.match(text, /type: "Convolution"/);
  });

  test('CLI upgrade on a temporary copy (the command\'s fallback)', async () => {
    const r = await withTempFile('old.prototxt', V1_NET, (f) => run(server.command, [...server.args, 'upgrade', f], 30_000));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /type: "Input"/);
    const again = await withTempFile('new.prototxt', r.stdout, (f) => run(server.command, [...server.args, 'upgrade', f], 30_000));
    assert.equal(again.stdout, r.stdout, 'already current: unchanged');
  });

  test('CLI summary --format json parses and renders', async () => {
    const r = await run(server.command, [...server.args, 'summary', '--format', 'json', '--phase', 'TRAIN', smallNet], 30_000);
    const s = parseSummary(r.stdout);
    assert.ok(s, r.stderr);
    assert.equal(s.phase, 'TRAIN');
    const html = summaryTableHtml(s);
    assert.match(html, /<td class="name">conv1<\/td>/);
    const solver = await run(server.command, [...server.args, 'summary', '--format', 'json', path.join(repo, 'examples', 'solvers', 'resblock_solver.prototxt')], 30_000);
    assert.equal(parseSummary(solver.stdout), undefined);
    assert.match(solver.stderr, /no net/);
  });
});
