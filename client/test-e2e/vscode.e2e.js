// End-to-end check of the packaged extension in a real VS Code (code-server) driven by Chromium.
// Run by scripts/e2e-code-server.sh:
//   node vscode.e2e.js PORT WORKSPACE ARTIFACTS_DIR PLAYWRIGHT_CORE_DIR NET_FILE
// NET_FILE (in WORKSPACE) is a real net with one injected error: its first `bottom:` renamed to `bottm:`.
// Every expectation about it (lines, layer names, graph nodes) is worked out from its text by netFacts.js.
// Prints one "ok"/"not ok"/"skip" line per check, screenshots into ARTIFACTS_DIR, and ends with
//   E2E-RESULT passed=N failed=N skipped=N
// Exit 0 iff failed=0. What works headless (see ../shared/notes/recipes.md): open files by clicking explorer rows,
// mouse hover, keyboard shortcuts once an editor has focus (F1, Ctrl+G, F12, Ctrl+.); quick open (Ctrl+P) does not.
'use strict';
const [port, workspace, shots, pwDir, netFile] = process.argv.slice(2);
const { chromium } = require(require.resolve('playwright-core', { paths: [pwDir] }));
const fs = require('fs');
const path = require('path');
const { netFacts, expectedGraph, definitionTarget } = require('./netFacts');
fs.mkdirSync(shots, { recursive: true });

const counts = { passed: 0, failed: 0, skipped: 0 };
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
function check(name, ok, detail = '') {
  counts[ok ? 'passed' : 'failed']++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${String(detail).slice(0, 300)})` : ''} [${elapsed()}]`);
  return ok;
}
function skip(name, reason) {
  counts.skipped++;
  console.log(`skip - ${name} (${reason}) [${elapsed()}]`);
}
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  console.log(`E2E-RESULT passed=${counts.passed} failed=${counts.failed} skipped=${counts.skipped}`);
  process.exit(counts.failed === 0 ? 0 : 1);
}
// A hung page must not hang CI: give up after 6 minutes with what has been checked so far.
setTimeout(() => {
  check('scenario finished within 6 minutes', false);
  finish();
}, 6 * 60 * 1000).unref();

const netName = path.basename(netFile);
const netText = fs.readFileSync(path.join(workspace, netName), 'utf8');
const facts = netFacts(netText);
const graphFacts = expectedGraph(facts);
const lines = netText.split('\n');
const lineOf = (re) => lines.findIndex((l) => re.test(l)) + 1; // 1-based, 0 when absent
const errorLine = lineOf(/^\s*bottm:/);
const hoverField = lineOf(/(^|[\s{])num_output\s*:/) ? 'num_output' : 'type';
const hoverLine = lineOf(new RegExp(`(^|[\\s{])${hoverField}\\s*:`));
const definition = definitionTarget(facts);

/** The "Ln L, Col C" status bar item of the active text editor, as [L, C]; [0, 0] when hidden. */
async function cursor(page) {
  const text = (await page.textContent('#status\\.editor\\.selection').catch(() => '')) || '';
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** The text editor's cursor line from its highlighted line number (works while a webview has focus). */
async function activeLineNumber(page) {
  const n = await page.$$eval('.monaco-editor .line-numbers.active-line-number', (els) => els.map((e) => e.textContent.trim()));
  return n.length ? Number(n[0]) : 0;
}

async function focusEditor(page) {
  await page.mouse.move(5, 400); // away from hovers that could take the click
  await page.keyboard.press('Escape');
  // The left edge of a line half-way down the visible text: not the sticky-scroll lines at the top, not an inlay
  // hint or a link. (Clicking .view-lines itself can scroll: it is as tall as the text.)
  const box = await page.locator('.editor-group-container .monaco-editor .editor-scrollable').first().boundingBox();
  await page.mouse.click(box.x + 3, box.y + Math.round(box.height / 2));
  await page.waitForTimeout(100);
}

async function command(page, title, focus = 'editor') {
  // F1 does not reach the workbench from inside a webview: focus the text editor, or the explorer row of a file.
  if (focus === 'editor') await focusEditor(page);
  else await page.click(`.explorer-folders-view .monaco-list-row[aria-label*="${focus}"]`);
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(title);
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
}

/** Ctrl+G "line[:column]" in the focused text editor; returns the cursor afterwards. */
async function gotoLine(page, line, column) {
  await focusEditor(page);
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(column ? `${line}:${column}` : String(line));
  await page.keyboard.press('Enter');
  for (let i = 0; i < 20; i++) {
    const c = await cursor(page);
    if (c[0] === line) return c;
    await page.waitForTimeout(100);
  }
  return cursor(page);
}

/** Hovers the mouse over the first visible token with exactly this text on the given line; returns the hover text. */
async function hoverToken(page, line, token, expect) {
  const lineNumbers = await page.$$('.monaco-editor .margin-view-overlays .line-numbers');
  let top;
  for (const n of lineNumbers) {
    if ((await n.textContent()).trim() === String(line)) top = (await n.boundingBox()).y;
  }
  if (top === undefined) return '';
  const spans = page.locator('.monaco-editor .view-line span span', { hasText: new RegExp(`^${token}$`) });
  let box;
  for (let i = 0; i < (await spans.count()); i++) {
    const b = await spans.nth(i).boundingBox();
    if (b && Math.abs(b.y - top) < 8) box = b;
  }
  if (!box) return '';
  let text = '';
  for (let attempt = 0; attempt < 3 && !expect.test(text); attempt++) {
    await page.mouse.move(5, 400);
    await page.waitForTimeout(300);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    for (let i = 0; i < 20 && !expect.test(text); i++) {
      await page.waitForTimeout(250);
      text = (await page.$$eval('.monaco-hover', (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.textContent).join('\n'))) || '';
    }
  }
  return text;
}

async function findFrame(page, selector, tries = 60) {
  for (let i = 0; i < tries; i++) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        // detached frame
      }
    }
    await page.waitForTimeout(500);
  }
  return undefined;
}

async function open(page, name) {
  await page.click(`.explorer-folders-view .monaco-list-row[aria-label*="${name}"]`);
  await page.waitForSelector(`.tabs-container .tab.active[aria-label*="${name}"]`, { timeout: 20000 });
  await page.waitForTimeout(1000);
}

async function statusItem(page) {
  return page.$$eval('.statusbar-item', (els) => els.map((e) => e.getAttribute('aria-label') || '').find((t) => /^Caffe Prototxt (Net|Solver)/.test(t)));
}

async function sidebar(page, visible) {
  const shown = await page.isVisible('.part.sidebar');
  if (shown === visible) return;
  await focusEditor(page);
  await page.keyboard.press('Control+B');
  await page.waitForTimeout(500);
}

(async () => {
  console.log(`e2e: ${netName}: error injected on line ${errorLine}; hover ${hoverField} on line ${hoverLine}; F12 ${definition ? `line ${definition.from.line} → ${definition.to}` : 'n/a'}; graph ${graphFacts.nodes.length} nodes, ${graphFacts.folded.length} folded`);
  const browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Each step runs on its own: a failure is reported (with a screenshot) and the next step still runs.
  async function step(name, fn) {
    try {
      await fn();
    } catch (e) {
      check(`${name}: no exception`, false, e.message.split('\n')[0]);
      await page.screenshot({ path: `${shots}/error-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
  try {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  } catch (e) {
    check(`code-server workbench loads: ${e.message.split('\n')[0]}`, false);
    await page.screenshot({ path: `${shots}/error-load.png` }).catch(() => {});
    await browser.close();
    finish();
  }

  let opened = false;
  await step('diagnostics', async () => {
    await open(page, netName);
    opened = true;
    const squiggles = await page.waitForSelector('.squiggly-error', { timeout: 60000 }).then(() => true, () => false);
    check(`${netName} with an injected error shows a squiggle`, squiggles);
    await page.waitForTimeout(1000);
    const status = await statusItem(page);
    check('status bar: net and error count', /^Caffe Prototxt Net, [1-9]\d* errors?/.test(status || ''), status);
    await gotoLine(page, errorLine);
    const text = await hoverToken(page, errorLine, 'bottm', /bottm/);
    check(`hovering the squiggle on line ${errorLine} shows the server's message about "bottm"`, /no field named "bottm"/.test(text), text.replace(/\s+/g, ' '));
    await page.screenshot({ path: `${shots}/01-squiggle.png` });
  });

  await step('hover', async () => {
    if (!opened) return skip(`hover on ${hoverField}`, 'the net did not open');
    await gotoLine(page, hoverLine);
    const text = await hoverToken(page, hoverLine, hoverField, new RegExp(`${hoverField}.*\\S{10,}`, 's'));
    // The field's declaration and the doc comment from caffe.proto (more than just the name).
    check(`hover on ${hoverField} (line ${hoverLine}) shows its documentation`, new RegExp(hoverField).test(text) && /Field of caffe\.\w+/.test(text), text.replace(/\s+/g, ' '));
    await page.screenshot({ path: `${shots}/02-hover.png` });
  });

  await step('definition', async () => {
    if (!opened || !definition) return skip('F12 on a bottom', opened ? 'no bottom with a single producer' : 'the net did not open');
    const at = await gotoLine(page, definition.from.line, definition.from.column + 2);
    await page.keyboard.press('F12');
    let c = at;
    for (let i = 0; i < 30 && c[0] === at[0]; i++) {
      await page.waitForTimeout(200);
      c = await cursor(page);
    }
    check(`F12 on bottom: "${definition.from.blob}" (line ${definition.from.line}) goes to the top of layer ${definition.producer} (line ${definition.to})`, c[0] === definition.to, `Ln ${c[0]}, Col ${c[1]}`);
    await page.screenshot({ path: `${shots}/03-definition.png` });
  });

  await step('outline', async () => {
    if (!opened) return skip('outline', 'the net did not open');
    // Give the Outline section the explorer's height: fold the folder section, then collapse the layers' children.
    const folder = page.locator('.pane-header[aria-label^="Explorer Section"]').first();
    const outlineHeader = page.locator('.pane-header[aria-label^="Outline"]');
    const outline = page.locator('.pane:has(> .pane-header[aria-label^="Outline"])');
    await folder.click();
    if ((await outlineHeader.getAttribute('aria-expanded')) !== 'true') await outlineHeader.click();
    await page.waitForTimeout(1500);
    await outline.locator('.pane-header .action-label[aria-label="Collapse All"]').click();
    await page.waitForTimeout(800);
    const want = [...new Set(facts.layers.map((l) => l.name))];
    let rows = [];
    for (let i = 0; i < 20; i++) {
      rows = await outline.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') || '').replace(/ \(\w+\)$/, '')));
      if (want.every((n) => rows.includes(n))) break;
      await page.waitForTimeout(250);
    }
    const missing = want.filter((n) => !rows.includes(n));
    check(`Outline lists the ${want.length} layer names (${want.slice(0, 4).join(', ')}, …)`, want.length > 0 && missing.length === 0, missing.length ? `missing ${missing.join(', ')}; rows: ${rows.join(', ')}` : `${rows.length} rows`);
    await page.screenshot({ path: `${shots}/04-outline.png` });
    await outlineHeader.click();
    await folder.click();
    await page.waitForTimeout(500);
  });

  await step('quick fix', async () => {
    if (!opened) return skip('quick fix', 'the net did not open');
    await gotoLine(page, errorLine, 4);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row[aria-label="Change to \'bottom\'"]');
    await fix.waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter'); // the only fix, selected
    let status = '';
    for (let i = 0; i < 40 && !/, 0 errors/.test(status); i++) {
      await page.waitForTimeout(250);
      status = (await statusItem(page)) || '';
    }
    const squiggles = await page.locator('.squiggly-error').count();
    check(`quick fix "Change to 'bottom'" clears the error`, /, 0 errors/.test(status) && squiggles === 0, `${status}; ${squiggles} squiggles`);
  });

  let graph;
  await step('graph', async () => {
    if (!opened) return skip('layer graph', 'the net did not open');
    await sidebar(page, false); // more room for the graph beside the editor
    await command(page, 'Prototxt: Show Layer Graph');
    graph = await findFrame(page, '#graph .node');
    if (!check('layer graph drawn', !!graph)) return;
    const status = await graph.textContent('#status');
    check('layout ran in a web worker', /\(worker\)/.test(status), status);
    const names = await graph.locator('#graph .node').evaluateAll((els) => els.map((e) => e.querySelector('text')?.textContent ?? ''));
    const want = graphFacts.nodes.map((n) => n.name);
    check(
      `one node per non-folded layer: ${want.length} (${graphFacts.folded.length} in-place layers folded)`,
      names.length === want.length && [...want].sort().join() === [...names].sort().join(),
      `drawn: ${names.join(', ')}`,
    );
    // Show it all: "Fit" (to the width, top at the top), then zoom out with the wheel at the top until every node is in view.
    await graph.click('#fit');
    await page.waitForTimeout(300);
    const canvas = await graph.locator('#canvas').boundingBox();
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + 2);
    for (let i = 0; i < 25; i++) {
      const inView = await graph.evaluate(() => {
        const c = document.getElementById('canvas').getBoundingClientRect();
        return [...document.querySelectorAll('#graph .node')].every((n) => {
          const r = n.getBoundingClientRect();
          return r.left >= c.left && r.top >= c.top && r.right <= c.right && r.bottom <= c.bottom;
        });
      });
      if (inView) break;
      await page.mouse.wheel(0, 60);
      await page.waitForTimeout(150);
    }
    // Click a layer in the middle of the net; the editor's cursor moves to its `layer {` line.
    const candidates = graphFacts.nodes.filter((n) => n.layer && facts.layers.filter((l) => l.name === n.name).length === 1);
    const target = candidates[Math.floor(candidates.length / 2)];
    if (!target) return skip('clicking a node moves the cursor', 'no layer with a unique name');
    const id = await graph.evaluate((name) => [...document.querySelectorAll('#graph .node')].find((e) => e.querySelector('text')?.textContent === name)?.getAttribute('data-id'), target.name);
    await graph.click(`#graph .node[data-id="${id}"]`);
    let line = 0;
    for (let i = 0; i < 20 && line !== target.layer.line; i++) {
      await page.waitForTimeout(200);
      line = await activeLineNumber(page);
    }
    const crumb = await page.$$eval('.breadcrumbs-control .monaco-breadcrumb-item', (els) => els.map((e) => e.textContent).join(' > '));
    check(`clicking node ${target.name} moves the cursor to its layer (line ${target.layer.line})`, line === target.layer.line, `cursor on line ${line}; ${crumb}`);
    const highlighted = await graph.locator('#graph .node.highlight').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    check('the clicked node is highlighted', highlighted.length === 1 && highlighted[0] === id, highlighted.join());
    await page.mouse.move(5, 400);
    await page.screenshot({ path: `${shots}/05-graph.png` });
  });
  await step('sidebar', async () => sidebar(page, true));

  await step('summary', async () => {
    await command(page, 'View: Close All Editor Groups');
    await page.waitForTimeout(500);
    await open(page, 'small_resnet');
    await command(page, 'Prototxt: Show Net Summary');
    const summary = await findFrame(page, 'table tfoot', 40);
    const total = summary ? (await summary.textContent('tfoot')).replace(/\s+/g, ' ') : '';
    check('net summary table with totals (small_resnet_block_train_test: 14 layers in TEST)', /Total\s*14 layers/.test(total), total);
    await page.screenshot({ path: `${shots}/06-summary.png` });
  });

  const viewText = async () => (await page.$$eval('.view-line', (els) => els.map((e) => e.textContent).join('\n'))).replace(/\u00a0/g, ' ');
  let upgraded = false;
  await step('upgrade', async () => {
    await command(page, 'View: Close All Editor Groups');
    await page.waitForTimeout(500);
    await open(page, 'old_v1.prototxt');
    await page.waitForTimeout(1500);
    await command(page, 'Prototxt: Upgrade to Current Format', 'old_v1.prototxt');
    let notes = [];
    for (let i = 0; i < 20 && !notes.some((n) => /upgraded to the current format/.test(n)); i++) {
      await page.waitForTimeout(250);
      notes = await page.$$eval('.notification-list-item-message', (els) => els.map((e) => e.textContent));
    }
    check('upgrade applied', notes.some((n) => /upgraded to the current format/.test(n)), JSON.stringify(notes));
    const text = await viewText();
    upgraded = check('the V1 layers became layer { type: "Convolution" }', /type: "Convolution"/.test(text) && !/CONVOLUTION/.test(text));
    await page.screenshot({ path: `${shots}/07-upgrade.png` });
  });

  await step('inlay hints', async () => {
    if (!upgraded) return skip('inlay hint setting', 'the upgrade did not apply');
    // Settings apply live: turning shape hints off makes them vanish without a restart.
    let shown = false;
    for (let i = 0; i < 20 && !shown; i++) {
      shown = /1×4×6×6/.test(await viewText());
      if (!shown) await page.waitForTimeout(250);
    }
    check('shape inlay hints shown', shown);
    // Through the Settings editor (code-server does not watch settings.json written from outside).
    await command(page, 'Preferences: Open User Settings', 'old_v1.prototxt');
    await page.waitForSelector('.settings-editor .suggest-input-container textarea, .settings-editor input', { timeout: 20000 });
    await page.keyboard.type('prototxt.inlayHints.shapes');
    const box = page.locator('.settings-editor .setting-value-checkbox').first();
    await box.waitFor({ timeout: 20000 });
    await box.click();
    await page.waitForTimeout(500);
    await page.click('.tabs-container .tab[aria-label*="old_v1"]');
    let gone = false;
    for (let i = 0; i < 20 && !gone; i++) {
      await page.waitForTimeout(500);
      gone = !/1×4×6×6/.test(await viewText());
    }
    check('prototxt.inlayHints.shapes = false hides them live', gone);
    await page.screenshot({ path: `${shots}/08-no-hints.png` });
  });

  await browser.close().catch(() => {});
  finish();
})().catch((e) => {
  check(`no exception: ${e.message.split('\n')[0]}`, false);
  finish();
});
