import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  approximateMeasure,
  contentKey,
  layoutKey,
  MAX_FOLDED_LINES,
  MIN_WIDTH,
  nodeAt,
  nodeLines,
  nodeSize,
  toElkGraph,
  typeCategory,
  type ElkNode,
  type GraphNode,
  type LayerGraph,
  type Range,
} from '../src/graphModel';
import { nodeTooltip, renderSvg } from '../src/webview/render';

const r = (l0: number, c0: number, l1: number, c1: number): Range => ({ start: { line: l0, character: c0 }, end: { line: l1, character: c1 } });

function node(id: string, name: string, type: string, range: Range, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, name, type, range, folded: [], tops: [{ name, shape: '1×3×8×8' }], params: 0, macs: 0, ...extra };
}

/** data → conv1 (+ bn, relu in place) → pool1; conv1 → loss; one dangling edge and one self loop. */
export function sampleGraph(): LayerGraph {
  return {
    uri: 'file:///net.prototxt',
    version: 3,
    states: ['TRAIN', 'TEST'],
    state: 1,
    nodes: [
      node('I0', 'data', 'Input', r(0, 0, 0, 13)),
      node('L0', 'conv1', 'Convolution', r(2, 0, 10, 1), {
        folded: [
          { name: 'bn1', type: 'BatchNorm', range: r(11, 0, 14, 1) },
          { name: 'relu1', type: 'ReLU', range: r(15, 0, 18, 1) },
        ],
        tops: [{ name: 'conv1', shape: '1×64×4×4' }],
        params: 1792,
        macs: 1_000_000,
      }),
      node('L3', 'pool1', 'Pooling', r(20, 0, 25, 1), { tops: [{ name: 'pool1', shape: '1×64×2×2' }] }),
      node('L4', 'split', 'Slice', r(27, 0, 30, 1), { tops: [{ name: 'a', shape: '1×32×2×2' }, { name: 'b', shape: '?' }] }),
    ],
    edges: [
      { from: 'I0', to: 'L0', blob: 'data', shape: '1×3×8×8' },
      { from: 'L0', to: 'L3', blob: 'conv1', shape: '1×64×4×4' },
      { from: 'L3', to: 'L4', blob: 'pool1', shape: '1×64×2×2' },
      { from: 'L3', to: 'GONE', blob: 'pool1', shape: '' },
      { from: 'L4', to: 'L4', blob: 'a', shape: '' },
    ],
  };
}

describe('toElkGraph', () => {
  test('one ELK node per layer node, laid out top to bottom with the layered algorithm', () => {
    const g = toElkGraph(sampleGraph());
    assert.equal(g.id, 'root');
    assert.deepEqual(g.children!.map((c) => c.id), ['I0', 'L0', 'L3', 'L4']);
    assert.equal(g.layoutOptions!['elk.algorithm'], 'layered');
    assert.equal(g.layoutOptions!['elk.direction'], 'DOWN');
    for (const c of g.children!) {
      assert.ok(c.width! >= MIN_WIDTH);
      assert.ok(c.height! > 0);
    }
  });

  test('edges keep their index as id, carry the blob as label, and dangling edges and self loops are dropped', () => {
    const g = toElkGraph(sampleGraph());
    assert.deepEqual(g.edges!.map((e) => [e.id, e.sources[0], e.targets[0], e.labels![0].text]), [
      ['e0', 'I0', 'L0', 'data'],
      ['e1', 'L0', 'L3', 'conv1'],
      ['e2', 'L3', 'L4', 'pool1'],
    ]);
    const label = g.edges![0].labels![0];
    assert.ok(label.width! > 0 && label.height! > 0, 'ELK needs label sizes to make room');
  });

  test('a node with folded layers is taller than one without', () => {
    const g = toElkGraph(sampleGraph());
    const byId = new Map(g.children!.map((c) => [c.id, c]));
    assert.ok(byId.get('L0')!.height! > byId.get('L3')!.height!);
  });

  test('sizes follow the measured text', () => {
    const wide = toElkGraph(sampleGraph(), (t) => t.length * 20);
    const narrow = toElkGraph(sampleGraph(), approximateMeasure);
    assert.ok(wide.children![1].width! > narrow.children![1].width!);
  });
});

describe('nodeLines', () => {
  test('name, type, shape (without the blob name when it is the layer name), folded layers', () => {
    const lines = nodeLines(sampleGraph().nodes[1]);
    assert.deepEqual(lines.map((l) => [l.kind, l.text, l.folded]), [
      ['name', 'conv1', undefined],
      ['type', 'Convolution', undefined],
      ['shape', '1×64×4×4', undefined],
      ['folded', '+ BatchNorm bn1', 0],
      ['folded', '+ ReLU relu1', 1],
    ]);
  });

  test('several tops are named; an unknown shape is ?', () => {
    const lines = nodeLines(sampleGraph().nodes[3]).filter((l) => l.kind === 'shape').map((l) => l.text);
    assert.deepEqual(lines, ['a 1×32×2×2', 'b ?']);
  });

  test('a long in-place chain is cut with "+N more"', () => {
    const folded = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, type: 'ReLU', range: r(i, 0, i, 1) }));
    const lines = nodeLines(node('X', 'x', 'Convolution', r(0, 0, 0, 1), { folded })).filter((l) => l.kind === 'folded');
    assert.equal(lines.length, MAX_FOLDED_LINES);
    assert.equal(lines[lines.length - 1].text, `+ ${10 - (MAX_FOLDED_LINES - 1)} more`);
    assert.equal(lines[lines.length - 1].folded, undefined);
  });

  test('nodeSize adds padding and never goes below the minimum width', () => {
    const s = nodeSize([{ kind: 'name', text: 'x' }], approximateMeasure);
    assert.equal(s.width, MIN_WIDTH);
    assert.ok(s.height > 17);
  });
});

describe('keys', () => {
  test('moving text (ranges only) keeps the layout key but changes the content key', () => {
    const a = sampleGraph();
    const b = sampleGraph();
    b.version = 4;
    b.nodes[1].range = r(3, 0, 11, 1);
    assert.equal(layoutKey(a), layoutKey(b));
    assert.notEqual(contentKey(a), contentKey(b));
  });

  test('a changed shape changes the layout key; the version alone changes nothing', () => {
    const a = sampleGraph();
    const b = sampleGraph();
    b.nodes[2].tops[0].shape = '1×64×3×3';
    assert.notEqual(layoutKey(a), layoutKey(b));
    const c = sampleGraph();
    c.version = 99;
    assert.equal(contentKey(a), contentKey(c));
  });
});

describe('nodeAt', () => {
  test('the node whose range or folded range holds the cursor', () => {
    const g = sampleGraph();
    assert.equal(nodeAt(g, { line: 0, character: 5 }), 'I0');
    assert.equal(nodeAt(g, { line: 5, character: 2 }), 'L0');
    assert.equal(nodeAt(g, { line: 12, character: 0 }), 'L0', 'inside the folded BatchNorm');
    assert.equal(nodeAt(g, { line: 10, character: 1 }), 'L0', 'end of range is inclusive');
    assert.equal(nodeAt(g, { line: 19, character: 0 }), undefined, 'between layers');
    assert.equal(nodeAt(g, { line: 26, character: 0 }), undefined);
  });
});

describe('typeCategory', () => {
  test('families', () => {
    assert.equal(typeCategory('Convolution'), 'conv');
    assert.equal(typeCategory('InnerProduct'), 'dense');
    assert.equal(typeCategory('Pooling'), 'pool');
    assert.equal(typeCategory('BatchNorm'), 'norm');
    assert.equal(typeCategory('ReLU'), 'act');
    assert.equal(typeCategory('SoftmaxWithLoss'), 'loss');
    assert.equal(typeCategory('Input'), 'data');
    assert.equal(typeCategory('Concat'), 'shape');
    assert.equal(typeCategory('Frobnicate'), 'other');
  });
});

/** The elk script the webview loads, run here with elkjs's in-page worker. */
function elkFromBundle(): { layout(g: ElkNode): Promise<ElkNode> } | undefined {
  const bundle = path.resolve(__dirname, '..', 'dist', 'webview', 'elk-layout.js');
  if (!fs.existsSync(bundle)) return undefined;
  require(bundle);
  const FakeWorker = (globalThis as { ElkFakeWorker?: new () => unknown }).ElkFakeWorker;
  assert.ok(FakeWorker, 'dist/webview/elk-layout.js publishes ElkFakeWorker');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ELK = require('elkjs/lib/elk-api.js').default as new (o: object) => { layout(g: ElkNode): Promise<ElkNode> };
  return new ELK({ workerFactory: () => new FakeWorker() });
}

describe('layout and rendering', () => {
  test('the bundled ELK lays the graph out top to bottom and renderSvg draws it', { skip: !fs.existsSync(path.resolve(__dirname, '..', 'dist', 'webview', 'elk-layout.js')) && 'run the build first' }, async () => {
    const elk = elkFromBundle()!;
    const g = sampleGraph();
    const out = await elk.layout(toElkGraph(g));
    const pos = new Map(out.children!.map((c) => [c.id, c]));
    assert.ok(pos.get('I0')!.y! < pos.get('L0')!.y!, 'data above conv1');
    assert.ok(pos.get('L0')!.y! < pos.get('L3')!.y!, 'conv1 above pool1');
    for (const e of out.edges!) assert.ok(e.sections && e.sections.length > 0, `edge ${e.id} routed`);
    const svg = renderSvg(g, out);
    assert.equal((svg.match(/class="node /g) ?? []).length, 4);
    assert.equal((svg.match(/class="edge"/g) ?? []).length, 3);
    assert.match(svg, /data-id="L0"/);
    assert.match(svg, /<text class="t-folded" data-folded="1"[^>]*>\+ ReLU relu1<\/text>/);
    assert.match(svg, /<text class="edge-label"[^>]*>conv1<\/text>/);
    assert.match(svg, /marker-end="url\(#arrow\)"/);
  });

  test('renderSvg escapes names from the file', () => {
    const g = sampleGraph();
    g.nodes[0].name = '<script>&"x"';
    g.edges[0].blob = '<b>';
    const layout: ElkNode = {
      id: 'root',
      children: g.nodes.map((n, i) => ({ id: n.id, x: 0, y: i * 100, width: 100, height: 50 })),
      edges: [{ id: 'e0', sources: ['I0'], targets: ['L0'], labels: [{ text: '<b>', x: 1, y: 2, width: 10, height: 10 }], sections: [{ startPoint: { x: 1, y: 2 }, endPoint: { x: 3, y: 4 } }] }],
    };
    const svg = renderSvg(g, layout);
    assert.doesNotMatch(svg, /<script>|<b>/);
    assert.match(svg, /&lt;script&gt;&amp;&quot;x&quot;/);
    assert.match(svg, /d="M1 2 L3 4"/);
  });

  test('the node tooltip lists tops, cost and in-place layers', () => {
    const t = nodeTooltip(sampleGraph().nodes[1]);
    assert.match(t, /^conv1 \(Convolution\)/);
    assert.match(t, /top conv1: 1×64×4×4/);
    assert.match(t, /params 1,792 · MACs 1\.00 M/);
    assert.match(t, /in place: bn1 \(BatchNorm\), relu1 \(ReLU\)/);
  });
});
