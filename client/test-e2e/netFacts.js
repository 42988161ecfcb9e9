// What the e2e scenario expects of a net, worked out from its text independently of the language server: a small
// prototxt reader (enough for nets: fields, strings, comments, nested messages) and the layer-graph rules
// (state TEST without stages, in-place layers folded into their producer's node, net inputs as nodes).
'use strict';

/** Tokens with 1-based line and column. */
function tokenize(text) {
  const tokens = [];
  const re = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|([{}:;,<>[\]])|([^\s{}:;,<>[\]#"']+)|(\n)|([ \t\r]+)/g;
  let line = 1;
  let lineStart = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m[5]) {
      line++;
      lineStart = m.index + 1;
      continue;
    }
    if (m[1] || m[6]) continue;
    const value = m[2] ?? m[3] ?? m[4];
    tokens.push({ kind: m[2] ? 'string' : m[3] ? 'punct' : 'word', value, line, column: m.index - lineStart + 1 });
  }
  return tokens;
}

/** Fields as { name, line, column, value (string) | children (array), close (line of the closing brace) }. */
function parse(text) {
  const tokens = tokenize(text);
  let i = 0;
  function fields(until) {
    const out = [];
    while (i < tokens.length && !(tokens[i].kind === 'punct' && tokens[i].value === until)) {
      const t = tokens[i++];
      if (t.kind === 'punct') continue; // stray separators (; ,)
      const field = { name: t.value, line: t.line, column: t.column };
      if (tokens[i] && tokens[i].value === ':') i++;
      const open = tokens[i];
      if (open && (open.value === '{' || open.value === '<')) {
        i++;
        field.children = fields(open.value === '{' ? '}' : '>');
        field.close = tokens[i] ? tokens[i].line : t.line;
        i++;
      } else if (open) {
        field.value = open.kind === 'string' ? open.value.slice(1, -1) : open.value;
        field.valueColumn = open.column;
        i++;
      }
      out.push(field);
    }
    return out;
  }
  return fields(undefined);
}

function values(fields, name) {
  return fields.filter((f) => f.name === name && f.value !== undefined);
}

/** The net's layers and inputs, with what the scenario needs to know about each. */
function netFacts(text) {
  const root = parse(text);
  const inputs = values(root, 'input').map((f) => f.value);
  const layers = root
    .filter((f) => (f.name === 'layer' || f.name === 'layers') && f.children)
    .map((f, index) => {
      const rules = (kind) =>
        f.children
          .filter((c) => c.name === kind && c.children)
          .map((r) => ({ phase: values(r.children, 'phase')[0]?.value, stages: values(r.children, 'stage').length, notStages: values(r.children, 'not_stage').length }));
      return {
        index,
        line: f.line,
        name: values(f.children, 'name')[0]?.value ?? '',
        type: values(f.children, 'type')[0]?.value ?? '',
        bottoms: values(f.children, 'bottom').map((b) => ({ blob: b.value, line: b.line, column: b.valueColumn })),
        tops: values(f.children, 'top').map((t) => ({ blob: t.value, line: t.line })),
        include: rules('include'),
        exclude: rules('exclude'),
      };
    });
  return { root, inputs, layers };
}

/** Caffe's NetStateRule for the state { phase: TEST } without stages (the graph view's default state). */
function includedInTest(layer) {
  const matches = (r) => (r.phase === undefined || r.phase === 'TEST') && r.stages === 0;
  if (layer.include.length > 0) return layer.include.some(matches);
  return !layer.exclude.some((r) => (r.phase === undefined || r.phase === 'TEST') && r.stages === 0 && r.notStages === 0);
}

/** The nodes the layer graph should draw for state TEST: names of non-folded layers and inputs, and the folded ones. */
function expectedGraph(facts) {
  const produced = new Set(facts.inputs);
  const nodes = facts.inputs.map((name) => ({ name, input: true }));
  const folded = [];
  for (const layer of facts.layers) {
    if (!includedInTest(layer)) continue;
    const inPlace = layer.tops.length > 0 && layer.tops.every((t, i) => i < layer.bottoms.length && layer.bottoms[i].blob === t.blob);
    if (inPlace && produced.has(layer.bottoms[0].blob)) folded.push(layer);
    else nodes.push({ name: layer.name, layer });
    for (const t of layer.tops) produced.add(t.blob);
  }
  return { nodes, folded };
}

/**
 * A `bottom: "X"` to press F12 on and the line it should land on: the `top: "X"` of the layer above that
 * produces X (the first bottom whose blob has exactly one producer above it, so the answer is unambiguous).
 */
function definitionTarget(facts) {
  for (const layer of facts.layers) {
    for (const b of layer.bottoms) {
      const producers = facts.layers.slice(0, layer.index).filter((l) => l.tops.some((t) => t.blob === b.blob));
      if (producers.length !== 1) continue;
      const top = producers[0].tops.find((t) => t.blob === b.blob);
      return { from: b, to: top.line, producer: producers[0].name };
    }
  }
  return undefined;
}

module.exports = { tokenize, parse, netFacts, expectedGraph, definitionTarget, includedInTest };
