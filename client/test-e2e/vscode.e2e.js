// End-to-end check of the packaged extension in a real VS Code (code-server) driven by Chromium.
// Run by scripts/e2e-code-server.sh: node vscode.e2e.js PORT WORKSPACE SHOTS_DIR PLAYWRIGHT_CORE_DIR
const [port, workspace, shots, pwDir] = process.argv.slice(2);
const { chromium } = require(require.resolve('playwright-core', { paths: [pwDir] }));
const fs = require('fs');
fs.mkdirSync(shots, { recursive: true });

const results = [];
const t0 = Date.now();
function check(name, ok, detail = '') {
  results.push(ok);
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
}

async function command(page, title, focusEditor = true) {
  // F1 does not reach the workbench from inside a webview: focus an editor (or the explorer) first.
  await page.click(focusEditor ? '.monaco-editor .view-lines' : '.explorer-folders-view .monaco-list-row');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(title);
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
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
  await page.waitForTimeout(1000);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });

    await open(page, 'typos.prototxt');
    const squiggles = await page.waitForSelector('.squiggly-error', { timeout: 60000 }).then(() => true, () => false);
    check('diagnostics from the bundled server show as squiggles', squiggles);
    await page.waitForTimeout(1000);
    const status = await page.$$eval('.statusbar-item', (els) => els.map((e) => e.getAttribute('aria-label') || '').find((t) => /^Caffe Prototxt (Net|Solver)/.test(t)));
    check('status bar: net and error count', /^Caffe Prototxt Net, [1-9]\d* errors/.test(status || ''), status);
    await page.screenshot({ path: `${shots}/1-diagnostics.png` });

    await open(page, 'small_resnet');
    await command(page, 'Prototxt: Show Layer Graph');
    const graph = await findFrame(page, '#graph .node');
    check('layer graph drawn', !!graph);
    if (graph) {
      const text = await graph.textContent('#status');
      check('layout ran in a web worker', /\(worker\)/.test(text), text);
      const nodes = await graph.locator('.node').count();
      check('one node per non-folded layer', nodes === 8, `${nodes} nodes`);
      await graph.locator('.node', { hasText: 'pool' }).first().click();
      await page.waitForTimeout(800);
      const crumb = await page.$$eval('.breadcrumbs-control .monaco-breadcrumb-item', (els) => els.map((e) => e.textContent).join(' > '));
      check('clicking a node moves the editor to the layer', /pool/.test(crumb), crumb);
      const highlighted = await graph.locator('.node.highlight').count();
      check('the clicked layer is highlighted', highlighted === 1);
      await page.screenshot({ path: `${shots}/2-graph.png` });
    }

    await command(page, 'Prototxt: Show Net Summary');
    const summary = await findFrame(page, 'table tfoot', 40);
    const total = summary ? (await summary.textContent('tfoot')).replace(/\s+/g, ' ') : '';
    check('net summary table with totals', /Total\s*14 layers/.test(total), total);
    await page.screenshot({ path: `${shots}/3-summary.png` });

    await command(page, 'View: Close All Editor Groups', false);
    await page.waitForTimeout(500);
    await open(page, 'old_v1.prototxt');
    await page.waitForTimeout(1500);
    await command(page, 'Prototxt: Upgrade to Current Format', false);
    await page.waitForTimeout(2500);
    const notes = await page.$$eval('.notification-list-item-message', (els) => els.map((e) => e.textContent));
    check('upgrade applied', notes.some((n) => /upgraded to the current format/.test(n)), JSON.stringify(notes));
    const lines = (await page.$$eval('.view-line', (els) => els.map((e) => e.textContent).join('\n'))).replace(/\u00a0/g, ' ');
    check('the V1 layers became layer { type: "Convolution" }', /type: "Convolution"/.test(lines) && !/CONVOLUTION/.test(lines));
    await page.screenshot({ path: `${shots}/4-upgrade.png` });

    // Settings apply live: turning shape hints off makes them vanish without a restart.
    const viewText = async () => (await page.$$eval('.view-line', (els) => els.map((e) => e.textContent).join('\n'))).replace(/\u00a0/g, ' ');
    check('shape inlay hints shown', /1×4×6×6/.test(await viewText()));
    // Through the Settings editor (code-server does not watch settings.json written from outside).
    await command(page, 'Preferences: Open User Settings', false);
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
    await page.screenshot({ path: `${shots}/5-no-hints.png` });
  } catch (e) {
    check(`no exception: ${e.message}`, false);
    await page.screenshot({ path: `${shots}/error.png` }).catch(() => {});
  }
  await browser.close();
  const passed = results.filter(Boolean).length;
  console.log(`E2E: ${passed} passed, ${results.length - passed} failed`);
  process.exit(results.length - passed === 0 ? 0 : 1);
})();
