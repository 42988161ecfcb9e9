import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
  test('the version is the server version (src/PrototxtLsp.Server/PrototxtLsp.Server.csproj)', () => {
    const csproj = fs.readFileSync(path.join(root, '..', 'src', 'PrototxtLsp.Server', 'PrototxtLsp.Server.csproj'), 'utf8');
    const m = /<Version>([^<]+)<\/Version>/.exec(csproj);
    assert.ok(m, 'the server project declares <Version>');
    assert.equal(pkg.version, m[1]);
  });

  test('@types/vscode is not newer than engines.vscode (vsce refuses it)', () => {
    const engine = pkg.engines.vscode.replace(/^\^/, '');
    const types = pkg.devDependencies['@types/vscode'].replace(/^[\^~]/, '');
    const v = (s: string) => s.split('.').map(Number);
    const [a, b] = [v(types), v(engine)];
    assert.ok(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2]))), `${types} > ${engine}`);
  });

  test('language, grammar, activation and entry point', () => {
    assert.equal(pkg.name, 'prototxt-lsp');
    assert.equal(pkg.publisher, 'prototxt-lsp');
    assert.equal(pkg.displayName, 'Caffe Prototxt');
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(pkg.activationEvents, ['onLanguage:prototxt']);
    const lang = pkg.contributes.languages[0];
    assert.equal(lang.id, 'prototxt');
    assert.deepEqual(lang.extensions, ['.prototxt']);
    assert.equal(lang.configuration, './language-configuration.json');
    assert.deepEqual(pkg.contributes.grammars[0], { language: 'prototxt', scopeName: 'source.prototxt', path: './syntaxes/prototxt.tmLanguage.json' });
  });

  test('the four commands are contributed and registered by the extension', () => {
    const ids = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(ids, ['prototxt.restartServer', 'prototxt.showLayerGraph', 'prototxt.showSummary', 'prototxt.upgrade']);
    const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    for (const id of ids) assert.match(source, new RegExp(`registerCommand\\('${id.replace('.', '\\.')}'`), id);
  });

  test('every setting the server reads is contributed, with the README default', () => {
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props).sort(), ['prototxt.codeLens.cost', 'prototxt.diagnostics.maxPerFile', 'prototxt.inlayHints.shapes', 'prototxt.log.file', 'prototxt.schema.path', 'prototxt.server.path', 'prototxt.trace.server']);
    assert.equal(props['prototxt.inlayHints.shapes'].default, true);
    assert.equal(props['prototxt.codeLens.cost'].default, false);
    assert.equal(props['prototxt.diagnostics.maxPerFile'].default, 1000);
    assert.deepEqual(props['prototxt.trace.server'].enum, ['off', 'messages', 'verbose']);
    const readme = fs.readFileSync(path.join(root, '..', 'README.md'), 'utf8');
    for (const key of ['prototxt.trace.server', 'prototxt.log.file', 'prototxt.inlayHints.shapes', 'prototxt.codeLens.cost', 'prototxt.schema.path', 'prototxt.diagnostics.maxPerFile']) {
      assert.ok(readme.includes(`\`${key}\``), `README documents ${key}`);
    }
  });

  test('.vscodeignore keeps sources and node_modules out of the package', () => {
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['src/**', 'node_modules/**', 'test/**', 'test-e2e/**', 'out-test/**', 'scripts/**']) assert.ok(ignore.includes(p), p);
  });
});
