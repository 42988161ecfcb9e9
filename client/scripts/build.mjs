#!/usr/bin/env node
// Builds the extension: typecheck (tsc --noEmit), bundle with esbuild, copy the grammar from ../grammars.
//   node scripts/build.mjs [--tests] [--production] [--no-typecheck] [--require-grammar]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const started = Date.now();

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

if (!args.has('--no-typecheck')) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['tsconfig.json', 'src/webview/tsconfig.json']) {
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail(`typecheck failed (${project})`);
  }
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const common = { bundle: true, logLevel: 'warning', legalComments: 'none', sourcemap: production ? false : 'linked', minify: production };
await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'src/extension.ts')],
  outfile: path.join(root, 'dist/extension.js'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
});
await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'src/webview/graph.ts')],
  outfile: path.join(root, 'dist/webview/graph.js'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
});
// ELK itself (1.6 MB, already minified): one script that works as a web worker and as a page script.
await esbuild.build({
  ...common,
  sourcemap: false,
  minify: true,
  entryPoints: [path.join(root, 'src/webview/elkLayout.ts')],
  outfile: path.join(root, 'dist/webview/elk-layout.js'),
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
});
fs.copyFileSync(path.join(root, 'src/webview/graph.css'), path.join(root, 'dist/webview/graph.css'));

// The grammar is written in ../grammars (GRAMMAR_DIR overrides it); the extension ships copies.
const grammarDir = path.resolve(root, process.env.GRAMMAR_DIR ?? path.join('..', 'grammars'));
const copies = [
  ['prototxt.tmLanguage.json', 'syntaxes/prototxt.tmLanguage.json'],
  ['language-configuration.json', 'language-configuration.json'],
];
for (const [from, to] of copies) {
  const src = path.join(grammarDir, from);
  const dst = path.join(root, to);
  if (!fs.existsSync(src)) {
    if (args.has('--require-grammar')) fail(`${src} is missing (the grammar lives in ../grammars)`);
    console.warn(`build: warning: ${src} is missing; the extension is built without it`);
    fs.rmSync(dst, { force: true }); // no stale copy may reach a package
    continue;
  }
  JSON.parse(fs.readFileSync(src, 'utf8')); // a broken JSON file would only fail inside VS Code
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
}

if (args.has('--tests')) {
  const testDir = path.join(root, 'test');
  fs.rmSync(path.join(root, 'out-test'), { recursive: true, force: true });
  const entries = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(testDir, f));
  await esbuild.build({
    ...common,
    sourcemap: 'inline',
    entryPoints: entries,
    outdir: path.join(root, 'out-test'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  });
}
console.log(`build: done in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
