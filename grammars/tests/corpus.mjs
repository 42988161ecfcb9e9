#!/usr/bin/env node
// Corpus smoke test for prototxt.tmLanguage.json.
//
// Tokenizes every *.prototxt under the shared corpus (default: <repo>/../shared/corpus, i.e. this file's
// ../../../shared/corpus; override with PROTOTXT_CORPUS=DIR) with the same engine VS Code uses
// (vscode-textmate + vscode-oniguruma) and fails when
//   - a line takes more than 50 ms to tokenize,
//   - a non-whitespace token carries only the root scope (text the grammar does not recognise),
//   - a token carries an invalid.* scope (the corpus is well-formed text format),
//   - the value of a `top:` field (and likewise `bottom:`, `name:`, `type:`) is not scoped as such.
// Prints `corpus: SKIPPED (...)` and exits 0 when the corpus folder is absent.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const here = path.dirname(fileURLToPath(import.meta.url));
const grammarsDir = path.resolve(here, '..');
const corpusDir = path.resolve(process.env.PROTOTXT_CORPUS || path.join(grammarsDir, '..', '..', 'shared', 'corpus'));
const LINE_BUDGET_MS = 50;
const ROOT = 'source.prototxt';
const FIELD_SCOPES = {
  top: 'variable.other.blob.top.prototxt',
  bottom: 'variable.other.blob.bottom.prototxt',
  name: 'entity.name.function.layer.prototxt',
  type: 'entity.name.type.layer.prototxt',
};
const MAX_REPORTED = 20;

function findPrototxt(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findPrototxt(p));
    else if (entry.isFile() && entry.name.endsWith('.prototxt')) out.push(p);
  }
  return out.sort();
}

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(grammarsDir, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const grammarPath = path.join(grammarsDir, 'prototxt.tmLanguage.json');
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === ROOT ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  return registry.loadGrammar(ROOT);
}

// Index range [start, end) of each string literal of a field value starting at `pos` ("a", 'a', "a" "b",
// ["a", 'b']), or null when the value is not made of string literals.
function stringValueRanges(line, pos) {
  const ranges = [];
  const readString = (i) => {
    const q = line[i];
    let j = i + 1;
    while (j < line.length && line[j] !== q) j += line[j] === '\\' ? 2 : 1;
    ranges.push([i + 1, Math.min(j, line.length)]);
    return j + 1;
  };
  const skipWs = (i) => { while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++; return i; };
  let i = skipWs(pos);
  if (line[i] === '[') {
    i = skipWs(i + 1);
    while (i < line.length && line[i] !== ']') {
      if (line[i] !== '"' && line[i] !== "'") return null;
      i = skipWs(readString(i));
      if (line[i] === ',') i = skipWs(i + 1);
    }
    return ranges;
  }
  if (line[i] !== '"' && line[i] !== "'") return null;
  while (line[i] === '"' || line[i] === "'") i = skipWs(readString(i));
  return ranges;
}

function tokenAt(tokens, index) {
  return tokens.find((t) => t.startIndex <= index && index < t.endIndex);
}

async function main() {
  if (!fs.existsSync(corpusDir) || !fs.statSync(corpusDir).isDirectory()) {
    console.log(`corpus: SKIPPED (no corpus folder at ${corpusDir})`);
    return 0;
  }
  const files = findPrototxt(corpusDir);
  if (files.length === 0) {
    console.log(`corpus: SKIPPED (no *.prototxt under ${corpusDir})`);
    return 0;
  }
  const grammar = await loadGrammar();

  // Warm-up: the engine compiles each rule's regular expressions the first time the rule is reached.
  // Pay that once here (reported separately) so the per-line budget measures tokenizing, not compiling.
  const warmStart = performance.now();
  let warmState = textmate.INITIAL;
  for (const l of fs.readFileSync(path.join(here, 'structure.test.prototxt'), 'utf8').split(/\r?\n/)) {
    warmState = grammar.tokenizeLine(l, warmState).ruleStack;
  }
  const warmMs = performance.now() - warmStart;

  const problems = [];
  const problem = (msg) => problems.push(msg);
  let lineCount = 0;
  let tokenCount = 0;
  let slowest = { ms: -1, where: '' };
  const fieldChecks = Object.fromEntries(Object.keys(FIELD_SCOPES).map((k) => [k, 0]));
  const fieldRe = /(?<![\w.])(top|bottom|name|type)[ \t]*:/g;
  const started = performance.now();

  for (const file of files) {
    const rel = path.relative(corpusDir, file);
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the text after the final newline
    let state = textmate.INITIAL;
    lines.forEach((line, n) => {
      const where = `${rel}:${n + 1}`;
      let t0 = performance.now();
      const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
      let ms = performance.now() - t0;
      // Over budget: tokenize the same line again (same start state) and keep the fastest run, so that a
      // garbage-collection pause or a busy machine is not taken for a slow pattern.
      for (let retry = 0; retry < 3 && ms > LINE_BUDGET_MS; retry++) {
        t0 = performance.now();
        grammar.tokenizeLine(line, state);
        ms = Math.min(ms, performance.now() - t0);
      }
      state = ruleStack;
      lineCount++;
      tokenCount += tokens.length;
      if (ms > slowest.ms) slowest = { ms, where };
      if (ms > LINE_BUDGET_MS) problem(`${where}: took ${ms.toFixed(1)} ms (budget ${LINE_BUDGET_MS} ms)`);

      for (const t of tokens) {
        const text = line.slice(t.startIndex, t.endIndex);
        if (t.scopes.length === 1 && /\S/.test(text)) {
          problem(`${where}:${t.startIndex + 1}: unrecognised text ${JSON.stringify(text)}`);
        }
        const bad = t.scopes.find((s) => s.startsWith('invalid.'));
        if (bad) problem(`${where}:${t.startIndex + 1}: ${bad} on ${JSON.stringify(text)}`);
      }

      for (const m of line.matchAll(fieldRe)) {
        const field = m[1];
        const keyToken = tokenAt(tokens, m.index);
        // `top:` inside a comment or a string is not a field.
        if (!keyToken || keyToken.scopes.some((s) => s.startsWith('comment.') || s.startsWith('string.'))) continue;
        const want = FIELD_SCOPES[field];
        const valueStart = m.index + m[0].length;
        const ranges = stringValueRanges(line, valueStart);
        if (ranges === null) {
          // An enum constant is a valid value only for `type:` (V1 nets: type: CONVOLUTION).
          const enumMatch = /^[ \t]*([A-Za-z_]\w*)/.exec(line.slice(valueStart));
          const tok = enumMatch && tokenAt(tokens, valueStart + enumMatch[0].length - 1);
          if (field === 'type' && tok && tok.scopes.includes(want)) { fieldChecks[field]++; continue; }
          problem(`${where}:${valueStart + 1}: ${field}: value is not scoped ${want}`);
          continue;
        }
        for (const [s, e] of ranges) {
          for (let i = s; i < e; i++) {
            const tok = tokenAt(tokens, i);
            if (!tok || !tok.scopes.includes(want)) {
              problem(`${where}:${i + 1}: ${field}: value ${JSON.stringify(line.slice(s, e))} is not scoped ${want}` +
                ` (got ${tok ? tok.scopes.join(' ') : 'no token'})`);
              break;
            }
          }
          fieldChecks[field]++;
        }
      }
    });
  }
  const totalMs = performance.now() - started;

  console.log(`corpus: ${files.length} files, ${lineCount} lines, ${tokenCount} tokens in ${totalMs.toFixed(0)} ms` +
    ` (grammar warm-up ${warmMs.toFixed(1)} ms)`);
  console.log(`corpus: slowest line ${slowest.ms.toFixed(2)} ms at ${slowest.where}`);
  console.log(`corpus: field values checked: ` + Object.entries(fieldChecks).map(([k, v]) => `${k} ${v}`).join(', '));
  if (problems.length > 0) {
    for (const p of problems.slice(0, MAX_REPORTED)) console.log(`  ${p}`);
    if (problems.length > MAX_REPORTED) console.log(`  ... and ${problems.length - MAX_REPORTED} more`);
    console.log(`corpus: FAILED (${problems.length} problems)`);
    return 1;
  }
  console.log('corpus: PASSED');
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); console.log('corpus: FAILED (error)'); process.exitCode = 1; },
);
