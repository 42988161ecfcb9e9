import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { classify, headerMessage, topLevelFields } from '../src/fileKind';

describe('topLevelFields', () => {
  test('only depth-0 names, each occurrence, comments and strings skipped', () => {
    const text = [
      '# base_lr: 1 in a comment',
      'name: "net { with: braces"',
      'input: "data"',
      'layer {',
      '  name: "conv1"',
      '  convolution_param { num_output: 3 }',
      '}',
      "layer < name: 'x' >",
      'force_backward: true',
    ].join('\n');
    assert.deepEqual(topLevelFields(text), ['name', 'input', 'layer', 'layer', 'force_backward']);
  });

  test('enum values and numbers are not field names', () => {
    assert.deepEqual(topLevelFields('solver_mode: GPU\nbase_lr: 1e-3\nlr_policy: "step" max_iter: 10'), ['solver_mode', 'base_lr', 'lr_policy', 'max_iter']);
  });
});

describe('classify', () => {
  test('a net', () => {
    const c = classify('name: "LeNet"\nlayer { name: "data" type: "Input" }\n', '/x/lenet.prototxt');
    assert.equal(c.kind, 'net');
    assert.equal(c.message, 'caffe.NetParameter');
  });

  test('a solver by its fields, even with net-only words inside strings', () => {
    const c = classify('net: "layer.prototxt"\nbase_lr: 0.01\nmomentum: 0.9\ntype: "SGD"\n', 'whatever.prototxt');
    assert.equal(c.kind, 'solver');
    assert.match(c.reason, /4 solver-only, 0 net-only/);
  });

  test('a tie goes to the file name, then to net', () => {
    assert.equal(classify('debug_info: true\n', '/a/my_solver.prototxt').kind, 'solver');
    assert.equal(classify('', '/a/deploy.prototxt').kind, 'net');
    assert.equal(classify('', 'C:\\solvers\\deploy.prototxt').kind, 'net', 'only the file name counts, not the folder');
  });

  test('the proto-message header wins', () => {
    const text = '# A comment\n# proto-message: SolverParameter\nlayer { }\n';
    assert.equal(headerMessage(text), 'SolverParameter');
    const c = classify(text, 'net.prototxt');
    assert.equal(c.kind, 'solver');
    assert.equal(c.message, 'caffe.SolverParameter');
    const other = classify('# proto-message: caffe.LayerParameter\nname: "x"\n', 'x.prototxt');
    assert.equal(other.kind, 'other');
    assert.equal(other.message, 'caffe.LayerParameter');
  });

  test('a header after the first field does not count', () => {
    assert.equal(headerMessage('name: "x"\n# proto-message: caffe.SolverParameter\n'), undefined);
  });

  test('agrees with the corpus oracle on every file (when ../shared is present)', (t) => {
    const corpus = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
    const oracle = path.join(corpus, 'oracle.tsv');
    if (!fs.existsSync(oracle)) {
      t.skip('../shared/corpus is absent (a fresh clone)');
      return;
    }
    const rows = fs.readFileSync(oracle, 'utf8').trim().split('\n');
    const header = rows[0].split('\t');
    const pathCol = header.indexOf('path');
    const kindCol = header.indexOf('kind');
    assert.ok(pathCol >= 0 && kindCol >= 0, `oracle columns: ${header.join(', ')}`);
    let checked = 0;
    for (const row of rows.slice(1)) {
      const cols = row.split('\t');
      const file = path.join(corpus, cols[pathCol]);
      const expected = cols[kindCol] === 'SolverParameter' ? 'solver' : 'net';
      assert.equal(classify(fs.readFileSync(file, 'utf8'), file).kind, expected, cols[pathCol]);
      checked++;
    }
    assert.ok(checked > 100);
  });
});
