#!/usr/bin/env node
// Checks language-configuration.json the way VS Code reads it: strict JSON, regular expressions that compile
// as JavaScript RegExps, and the behaviour we rely on (whole blob names as words, indentation after an opening
// bracket, outdent on a closing one, quotes that do not auto-close inside strings).
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(fs.readFileSync(path.join(here, '..', 'language-configuration.json'), 'utf8'));
const failures = [];
function check(name, fn) {
  try { fn(); } catch (e) { failures.push(`${name}: ${e.message}`); }
}

const words = (text) => text.match(new RegExp(config.wordPattern, 'g')) ?? [];

check('line comment', () => assert.equal(config.comments.lineComment, '#'));
check('brackets', () => assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['<', '>']]));
check('quotes auto-close outside strings only', () => {
  for (const q of ['"', "'"]) {
    const pair = config.autoClosingPairs.find((p) => p.open === q);
    assert.ok(pair && pair.close === q, `no auto-closing pair for ${q}`);
    assert.ok(pair.notIn.includes('string'), `${q} must not auto-close inside strings`);
  }
});
check('surrounding pairs', () => {
  for (const b of ['{}', '[]', '<>', '""', "''"]) {
    assert.ok(config.surroundingPairs.some(([o, c]) => o + c === b), `missing ${b}`);
  }
});
check('blob names are whole words', () => {
  for (const name of ['res2a_branch2a', 'conv1/7x7_s2', 'inception_3a/1x1', 'examples/mnist/lenet.prototxt',
    'type.googleapis.com/caffe.NetParameter', 'loss3/top-5']) {
    assert.deepEqual(words(`  top: "${name}"`), ['top', name]);
  }
});
check('words do not start with -', () => {
  assert.deepEqual(words('kernel_size: -3'), ['kernel_size', '3']);
  assert.deepEqual(words('x: -inf'), ['x', 'inf']);
  assert.deepEqual(words('a - b'), ['a', 'b']);
});
check('words stop at punctuation', () => {
  assert.deepEqual(words('layer{name:"a",top:\'b\';}'), ['layer', 'name', 'a', 'top', 'b']);
  assert.deepEqual(words('[caffe.ext] <x>'), ['caffe.ext', 'x']);
});
check('increase indent', () => {
  const re = new RegExp(config.indentationRules.increaseIndentPattern);
  for (const l of ['layer {', '  convolution_param {  ', 'param: {', 'weight_filler <', 'dims: [',
    'layer { # a comment', '  name: "x" include {', '[caffe.ext] {']) {
    assert.ok(re.test(l), `should indent after ${JSON.stringify(l)}`);
  }
  for (const l of ['layer { name: "x" }', 'top: "conv1"', '# a comment {', 'name: "a {"', "s: 'x [' ",
    'dims: [1, 2]', 'base_lr: 0.01 # lr {', '']) {
    assert.ok(!re.test(l), `should not indent after ${JSON.stringify(l)}`);
  }
});
check('decrease indent', () => {
  const re = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const l of ['}', '  }', '    >', ']', '  } # end']) assert.ok(re.test(l), `should outdent ${JSON.stringify(l)}`);
  for (const l of ['top: "}"', 'layer {', '# }']) assert.ok(!re.test(l), `should not outdent ${JSON.stringify(l)}`);
});
check('increase indent pattern is linear on long lines', () => {
  const re = new RegExp(config.indentationRules.increaseIndentPattern);
  const line = 'a: "x" '.repeat(20000) + '"unterminated';
  const t0 = performance.now();
  re.test(line);
  assert.ok(performance.now() - t0 < 200, 'took too long');
});
check('folding region markers', () => {
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.ok(start.test('# region stem') && start.test('  #region'));
  assert.ok(end.test('# endregion') && end.test('  #endregion'));
  assert.ok(!start.test('layer {') && !end.test('}'));
});
check('onEnterRules compile', () => {
  for (const r of config.onEnterRules ?? []) {
    for (const k of ['beforeText', 'afterText', 'previousLineText']) if (r[k]) new RegExp(r[k]);
  }
  const [rule] = config.onEnterRules;
  assert.ok(new RegExp(rule.beforeText).test('  # split this') && new RegExp(rule.afterText).test(' comment'));
  assert.ok(!new RegExp(rule.beforeText).test('top: "a" '), 'code lines are not continued as comments');
});

if (failures.length) {
  for (const f of failures) console.log(`  ${f}`);
  console.log(`language-configuration: FAILED (${failures.length})`);
  process.exitCode = 1;
} else {
  console.log('language-configuration: PASSED');
}
