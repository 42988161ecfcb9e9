import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliMessage, escapeHtml, formatBytes, formatCount, formatShape, formatSi, parseSummary, summaryTableHtml } from '../src/summary';
import { minimalReplacement } from '../src/textDiff';

const json = JSON.stringify({
  path: 'net.prototxt',
  phase: 'TEST',
  layers: [
    { name: 'data', type: 'Input', tops: [{ name: 'data', shape: [10, 3, 227, 227] }], params: 0, macs: 0, activationBytes: 6183480 },
    { name: 'conv1', type: 'Convolution', tops: [{ name: 'conv1', shape: [10, null, 55, 55] }], params: null, macs: null, activationBytes: null },
    { name: 'bn<1>', type: 'BatchNorm', tops: [{ name: 'conv1', shape: null }], params: 0, macs: 0, activationBytes: 40, statistics: 193 },
    { name: 'loss', type: 'SoftmaxWithLoss', tops: [{ name: 'loss', shape: [] }], params: 0, macs: 0, activationBytes: 4 },
  ],
  totals: { params: 34944, macs: 1054152000, activationBytes: 11632640, statistics: 193, complete: false },
});

describe('summary formatting', () => {
  test('numbers, sizes and shapes as the CLI prints them', () => {
    assert.equal(formatCount(60965224), '60,965,224');
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(null), '?');
    assert.equal(formatSi(7244068160), '7.24 G');
    assert.equal(formatSi(999), '999');
    assert.equal(formatBytes(40), '40 B');
    assert.equal(formatBytes(3136), '3.1 KiB');
    assert.equal(formatBytes(11632640), '11.1 MiB');
    assert.equal(formatBytes(null), '?');
    assert.equal(formatShape([10, 96, 55, 55]), '10×96×55×55');
    assert.equal(formatShape([50, null, 32, 32]), '50×?×32×32');
    assert.equal(formatShape([]), 'scalar');
    assert.equal(formatShape(null), '?');
  });

  test('parseSummary accepts the CLI JSON and refuses anything else', () => {
    assert.equal(parseSummary(json)!.layers.length, 4);
    assert.equal(parseSummary(''), undefined);
    assert.equal(parseSummary('{"x":1}'), undefined);
  });

  test('the table has a row per layer, totals, the incompleteness note, and escapes names', () => {
    const html = summaryTableHtml(parseSummary(json)!);
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 4, 'header row and 4 layers');
    assert.match(html, /<td class="name">bn&lt;1&gt;<\/td>/);
    assert.match(html, /conv1 10×\?×55×55/);
    assert.match(html, /0 \(\+193 statistics\)/);
    assert.match(html, /<tr class="total"><td>Total<\/td><td>4 layers<\/td><td><\/td><td class="num">34,944 \(\+193 statistics\)<\/td><td class="num">1,054,152,000<\/td>/);
    assert.match(html, /11\.1 MiB/);
    assert.match(html, /Some sizes are unknown/);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('cliMessage drops the verb prefix and temporary folders', () => {
    assert.equal(
      cliMessage("prototxt-lsp summary: '/tmp/prototxt-lsp-Ab12/solver.prototxt' holds no net to summarise in TEST.\n"),
      "'solver.prototxt' holds no net to summarise in TEST.",
    );
  });
});

describe('minimalReplacement', () => {
  test('keeps the common prefix and suffix', () => {
    assert.deepEqual(minimalReplacement('layers {\n  type: CONVOLUTION\n}\n', 'layer {\n  type: "Convolution"\n}\n'), {
      start: 5, end: 28, text: ' {\n  type: "Convolution"',
    });
    assert.equal(minimalReplacement('same', 'same'), undefined);
    assert.deepEqual(minimalReplacement('abc', 'abXc'), { start: 2, end: 2, text: 'X' });
    assert.deepEqual(minimalReplacement('abc', ''), { start: 0, end: 3, text: '' });
  });

  test('applying it gives the new text, and surrogate pairs are not split', () => {
    for (const [a, b] of [['x😀y', 'x😁y'], ['😀', '😀😀'], ['', 'new'], ['a\r\nb', 'a\nb']]) {
      const r = minimalReplacement(a, b)!;
      assert.equal(a.slice(0, r.start) + r.text + a.slice(r.end), b);
      assert.ok(!/^[\uDC00-\uDFFF]/.test(r.text) && !/[\uD800-\uDBFF]$/.test(r.text), `${JSON.stringify(r)} splits a pair`);
    }
  });
});
