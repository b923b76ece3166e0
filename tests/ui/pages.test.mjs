// pages.test.mjs: the workspace pages in a real browser against a live
// server, used as a person uses them:
// - Datasets: upload a CSV by dropping it on the page (with progress), then
//   its preview and profile, checked against figures computed here; a file
//   that is not a table is refused with a message;
// - Experiments: runs with their parameters and key metrics, filtered and
//   sorted;
// - a run: its pipeline drawn read-only with each step's status, a rerun
//   that reuses every step, "Clone as draft";
// - Compare: two runs side by side, their differences highlighted and
//   their ROC curves overlaid;
// - Models: register a model from a run and follow its lineage link back
//   to the run.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { ROOT, screenshot, sleep, startDesigner } from './harness.mjs';

let ui;
before(async () => {
  ui = await startDesigner();
  await ensureGermanCredit();
});
afterEach(async () => {
  await ui?.closePages();
});
after(async () => {
  await ui?.stop();
});

function noConsoleErrors(page, allowed = []) {
  const bad = page.consoleErrors.filter((e) => !allowed.some((re) => re.test(e)));
  assert.deepEqual(bad, [], 'the browser console reported errors');
}

async function ensureGermanCredit() {
  if ((await ui.api('GET', '/api/datasets/german-credit')).status === 200) return;
  const file = path.join(process.env.WEFT_SAMPLES_DIR ?? path.join(ROOT, '.cache/samples'), 'credit-g.arff');
  assert.ok(existsSync(file), `${file} is missing: run make deps`);
  const r = await fetch(`${ui.url}/api/datasets?name=german-credit&format=arff`, { method: 'POST', body: readFileSync(file) });
  assert.equal(r.status, 201, await r.text());
}

// Sample 3 with the split's seed as a pipeline parameter, so that two runs
// differ in one parameter and in their figures.
function creditPipeline() {
  const file = path.join(ROOT, 'samples/03-credit-risk.json');
  const doc = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : {
        format: 'weft.pipeline/1',
        name: 'Sample 3: Classification - predict credit risk',
        nodes: [
          { id: 'credit', module: 'dataset@1', params: { dataset: 'german-credit' } },
          { id: 'label', module: 'edit-metadata@1', params: { columns: { include: [{ names: ['class'] }] }, fields: 'labels' } },
          { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 42 } },
          { id: 'boosted', module: 'two-class-boosted-decision-tree@1' },
          { id: 'train', module: 'train-model@1', params: { label_column: 'class' } },
          { id: 'score', module: 'score-model@1' },
          { id: 'evaluate', module: 'evaluate-model@1' },
        ],
        edges: [
          { from: 'credit.dataset', to: 'label.dataset' },
          { from: 'label.dataset', to: 'split.dataset' },
          { from: 'boosted.untrained_model', to: 'train.untrained_model' },
          { from: 'split.first', to: 'train.dataset' },
          { from: 'train.trained_model', to: 'score.trained_model' },
          { from: 'split.second', to: 'score.dataset' },
          { from: 'score.scored_dataset', to: 'evaluate.scored_dataset' },
        ],
      };
  const split = doc.nodes.find((n) => n.module.startsWith('split-data'));
  split.params = { ...split.params, seed: { $param: 'split_seed' } };
  doc.parameters = { ...(doc.parameters ?? {}), split_seed: { type: 'int', default: 42 } };
  doc.name = 'Credit risk by seed';
  return doc;
}

const FINAL = ['completed', 'failed', 'canceled'];

async function waitRun(id) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = (await ui.api('GET', `/api/runs/${id}`)).json;
    if (FINAL.includes(run.status)) {
      assert.equal(run.status, 'completed', JSON.stringify(run.steps.map((s) => [s.node, s.status, s.error])));
      return run;
    }
    if (Date.now() > deadline) assert.fail(`run ${id} is still ${run.status}`);
    await sleep(200);
  }
}

async function submit(document, parameters, experiment) {
  const r = await ui.api('POST', '/api/runs', { body: { document, parameters, experiment } });
  assert.equal(r.status, 202, r.text);
  return waitRun(r.json.run_id);
}

// Two runs of the credit pipeline that differ in their split seed.
let runs = null;
async function creditRuns() {
  if (runs) return runs;
  const doc = creditPipeline();
  const a = await submit(doc, { split_seed: 1 }, 'credit-pages');
  const b = await submit(doc, { split_seed: 2 }, 'credit-pages');
  runs = { doc, a, b };
  return runs;
}

async function metricsOf(id) {
  return (await ui.api('GET', `/api/runs/${id}/metrics`)).json.evaluations;
}

/** Drops `files` ({name, type, text | bytes}) on the element, as a drag from the desktop does. */
async function dropFiles(page, selector, files) {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const body = f.bytes ? new Uint8Array(f.bytes) : f.text;
      dt.items.add(new File([body], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  const target = page.locator(selector);
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await page.locator('.drop-overlay').waitFor();
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}

describe('datasets', () => {
  test('a CSV dropped on the page uploads with progress, then previews and profiles', async () => {
    // 4000 rows: id, a score with a missing value now and then, a group.
    const groups = ['north', 'south', 'east', 'west', 'centre'];
    const rows = [];
    for (let i = 0; i < 4000; i++) {
      const score = i % 97 === 0 ? '' : String(((i * 7919) % 1000) / 10);
      rows.push(`${i + 1},${score},${groups[(i * 31) % 5]}`);
    }
    const csv = `id,score,region\n${rows.join('\n')}\n`;
    const scores = rows.map((r) => r.split(',')[1]).filter((s) => s !== '').map(Number);

    const page = await ui.page({ width: 1440, height: 960 });
    await page.goto(`${ui.url}/datasets`);
    await page.getByTestId('drop-hint').waitFor();
    await page.getByRole('link', { name: 'Datasets' }).and(page.locator('[aria-current="page"]')).waitFor();
    await screenshot(page, 'pages-datasets-empty');
    await dropFiles(page, '[data-testid="datasets-drop"]', [{ name: 'Regional Scores.csv', type: 'text/csv', text: csv }]);
    const dialog = page.getByTestId('upload-dialog');
    const name = dialog.getByLabel('Name');
    assert.equal(await name.inputValue(), 'regional-scores', 'the name comes from the file name');
    await name.fill('regional-scores');
    await dialog.getByLabel('Description').fill('Scores by region, made by the browser test');
    await screenshot(page, 'pages-upload-dialog');
    // The progress bar shows while the bytes go.
    await page.evaluate(() => {
      window.__sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="upload-progress"]')) window.__sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await dialog.getByTestId('upload-start').click();
    await page.waitForURL(/\/datasets\/regional-scores$/);
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => window.__sawProgress), true, 'the upload showed its progress');

    // The server has it as uploaded.
    const meta = (await ui.api('GET', '/api/datasets/regional-scores')).json;
    assert.equal(meta.rows, 4000);
    assert.equal(meta.source, 'upload:Regional Scores.csv');

    // Preview: the first window of rows, as the file has them.
    await page.getByTestId('preview-range').filter({ hasText: 'Rows 1–200 of 4000' }).waitFor();
    const first = await page.locator('[data-testid="preview-table"] tbody tr[data-row="2"] td').allInnerTexts();
    assert.deepEqual(first, ['2', ...rows[1].split(',').map((v) => (v === '' ? '—' : v))]);
    await page.locator('.ws-card[data-dataset="regional-scores"]').waitFor();
    await screenshot(page, 'pages-dataset-preview');

    // Profile, opened from the column's header: counts computed here.
    await page.locator('button.col-head[title="Profile of score"]').click();
    const card = page.getByTestId('profile-card');
    await card.getByRole('heading', { name: 'score' }).waitFor();
    assert.equal(await card.locator('[data-stat="count"]').innerText(), '4000');
    assert.equal(await card.locator('[data-stat="missing"]').innerText(), String(4000 - scores.length));
    assert.equal(await card.locator('[data-stat="unique"]').innerText(), String(new Set(scores).size));
    assert.equal(Number(await card.locator('[data-stat="max"]').innerText()), Math.max(...scores));
    const mean = scores.reduce((s, v) => s + v, 0) / scores.length;
    assert.ok(Math.abs(Number(await card.locator('[data-stat="mean"]').innerText()) - mean) < 1e-3);
    await card.locator('[data-testid="profile-histogram"][data-chart-state="drawn"] svg.marks').waitFor();
    const widths = await card.locator('[data-testid="profile-histogram"] g.mark-rect.role-mark path').evaluateAll((ps) => ps.map((p) => p.getBBox().width));
    assert.ok(widths.length > 0 && widths.every((w) => w > 2), `the histogram's bars are drawn: ${widths}`);
    const binCounts = await card.getByRole('list', { name: 'Histogram', includeHidden: true }).locator('.bar-count').allTextContents();
    assert.equal(binCounts.reduce((s, v) => s + Number(v), 0), scores.length, 'the histogram counts every value');
    await screenshot(page, 'pages-dataset-profile');

    await page.getByRole('list', { name: 'Columns' }).getByRole('button', { name: /^region/ }).click();
    await card.getByRole('heading', { name: 'region' }).waitFor();
    await card.locator('[data-testid="profile-top"][data-chart-state="drawn"] svg.marks').waitFor();
    for (const g of groups) {
      const n = rows.filter((r) => r.endsWith(`,${g}`)).length;
      const bar = card.getByRole('list', { name: 'Most frequent values', includeHidden: true }).locator(`li[data-bar="${g}"] .bar-count`);
      assert.equal(await bar.textContent(), String(n), g);
    }
    noConsoleErrors(page);
  });

  test('a file that is not a table is refused, and nothing is registered', async () => {
    const page = await ui.page();
    await page.goto(`${ui.url}/datasets`);
    await page.getByTestId('drop-hint').waitFor();
    const before = (await ui.api('GET', '/api/datasets?archived=true')).json.datasets.length;
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 2, 3];
    await dropFiles(page, '[data-testid="datasets-drop"]', [{ name: 'picture.png', type: 'image/png', bytes: png }]);
    const dialog = page.getByTestId('upload-dialog');
    await dialog.getByTestId('upload-start').click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /picture\.png.* is not CSV, TSV, ARFF, JSON or a weft native table/);
    assert.equal((await ui.api('GET', '/api/datasets?archived=true')).json.datasets.length, before);
    // A bad name is caught before anything is sent.
    await dialog.getByLabel('Name').fill('-no good');
    assert.equal(await dialog.getByTestId('upload-start').isDisabled(), true);
    noConsoleErrors(page, [/Failed to load resource/]);
  });

  test('Archive hides a dataset from the list and Reactivate brings it back', async () => {
    const csv = 'fruit,kg\napple,1.5\npear,2\n';
    const up = await ui.api('POST', '/api/datasets?name=pantry&format=csv', { body: csv });
    assert.equal(up.status, 201, up.text);
    const page = await ui.page();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${ui.url}/datasets/pantry`);
    const detail = page.getByRole('article', { name: 'Dataset pantry' });
    await detail.getByRole('button', { name: 'Archive' }).click();
    await detail.locator('.archived-pill').waitFor();
    assert.equal((await ui.api('GET', '/api/datasets/pantry')).json.archived, true);
    await screenshot(page, 'dataset-archived');
    await detail.getByRole('button', { name: 'Reactivate' }).click();
    await detail.locator('.archived-pill').waitFor({ state: 'detached' });
    assert.equal((await ui.api('GET', '/api/datasets/pantry')).json.archived, false);
    const names = (await ui.api('GET', '/api/datasets')).json.datasets.map((d) => d.name);
    assert.ok(names.includes('pantry'));
    noConsoleErrors(page);
  });

  test('"Use in new pipeline" opens a draft holding the dataset', async () => {
    const page = await ui.page();
    await page.goto(`${ui.url}/datasets/cars`);
    await page.getByRole('button', { name: 'Use in new pipeline' }).click();
    await page.waitForURL(/\/pipelines\/\d+$/);
    const id = Number(page.url().split('/').pop());
    const draft = (await ui.api('GET', `/api/pipelines/${id}`)).json;
    assert.deepEqual(
      draft.document.nodes.map((n) => [n.module, n.params.dataset]),
      [['dataset@1', 'cars']],
    );
    await page.locator('.react-flow__node[data-id="cars"]').waitFor();
    noConsoleErrors(page);
  });
});

describe('experiments, runs and compare', () => {
  test('the run list shows parameters and key metrics, and filters and sorts', async () => {
    const { a, b } = await creditRuns();
    const [ma, mb] = [await metricsOf(a.id), await metricsOf(b.id)];
    const auc = { [a.id]: ma[0].models[0].metrics.auc, [b.id]: mb[0].models[0].metrics.auc };
    assert.notEqual(auc[a.id], auc[b.id], 'the two seeds give two AUCs');

    const page = await ui.page({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/experiments?experiment=credit-pages`);
    const table = page.getByTestId('runs-table');
    await table.locator(`tr[data-run="${a.id}"]`).waitFor();
    for (const r of [a, b]) {
      const row = table.locator(`tr[data-run="${r.id}"]`);
      assert.match(await row.locator('.params-cell').innerText(), new RegExp(`split_seed = ${r.parameters.split_seed}`));
      assert.equal(Number(await row.locator('td[data-metric="auc"]').innerText()).toFixed(4), auc[r.id].toFixed(4));
      assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'completed');
    }
    // Sorted by AUC, best first.
    await table.getByRole('button', { name: /^AUC/ }).click();
    const order = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.run)));
    assert.deepEqual(order, [a.id, b.id].sort((x, y) => auc[y] - auc[x]));
    await table.getByRole('button', { name: /^AUC/ }).click();
    const reversed = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.run)));
    assert.deepEqual(reversed, [...order].reverse());
    // Filtered by a parameter's value.
    await page.getByLabel('Filter runs').fill('split_seed=2');
    await table.locator(`tr[data-run="${a.id}"]`).waitFor({ state: 'detached' });
    assert.equal(await table.locator('tbody tr').count(), 1);
    await page.getByLabel('Filter runs').fill('');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No run matches the filter.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await table.locator(`tr[data-run="${a.id}"]`).waitFor();
    // The experiment is listed with its runs.
    assert.match(await page.locator('.ws-card[data-experiment="credit-pages"]').innerText(), /2 runs/);
    await screenshot(page, 'pages-experiments');
    noConsoleErrors(page);
  });

  test('two runs compared: parameters side by side with the differences highlighted, metrics, ROC curves overlaid', async () => {
    const { a, b } = await creditRuns();
    const page = await ui.page({ width: 1440, height: 1100 });
    await page.goto(`${ui.url}/experiments?experiment=credit-pages`);
    const table = page.getByTestId('runs-table');
    await table.getByLabel(`Compare run ${a.id}`).check();
    await table.getByLabel(`Compare run ${b.id}`).check();
    await page.getByTestId('compare-selected').click();
    await page.waitForURL(new RegExp(`/compare\\?runs=${a.id},${b.id}$`));

    const params = page.getByTestId('compare-params');
    const row = (key) => params.locator(`tr[data-row="${key}"]`);
    await row('param:split_seed').waitFor();
    // The seed differs, as a pipeline parameter and as the split's resolved value.
    for (const key of ['param:split_seed', 'split:seed']) {
      assert.equal(await row(key).getAttribute('data-differs'), 'true', key);
      assert.match((await row(key).getAttribute('class')) ?? '', /\bdiff\b/, `${key} is highlighted`);
      assert.deepEqual(await row(key).locator('td').allInnerTexts(), ['1', '2']);
    }
    // What is the same is not highlighted.
    const same = row('split:fraction');
    assert.equal(await same.getAttribute('data-differs'), 'false');
    assert.doesNotMatch((await same.getAttribute('class')) ?? '', /\bdiff\b/);
    const differing = await params.locator('tr[data-differs="true"]').count();
    assert.equal(differing, 2, 'only the seed differs');
    assert.match(await page.getByTestId('diff-count').innerText(), /^2 differences$/);
    await page.getByLabel('Only differences').check();
    assert.equal(await params.locator('tbody tr[data-row]').count(), 2);
    await page.getByLabel('Only differences').uncheck();

    // Metrics side by side, as the runs' reports have them.
    const [ma, mb] = [await metricsOf(a.id), await metricsOf(b.id)];
    const aucRow = page.getByTestId('compare-metrics').locator('tr[data-row$="|auc"]');
    const cells = (await aucRow.locator('td').allInnerTexts()).map(Number);
    assert.deepEqual(
      cells.map((x) => x.toFixed(4)),
      [ma[0].models[0].metrics.auc, mb[0].models[0].metrics.auc].map((x) => x.toFixed(4)),
    );
    assert.equal(await aucRow.locator('td.best').count(), 1, 'the better AUC is marked');

    // One ROC curve per run, on the same axes.
    const roc = page.locator('[data-testid="compare-roc"][data-chart-state="drawn"]');
    await roc.waitFor({ timeout: 30_000 });
    assert.equal(await roc.locator('g.mark-line.role-mark path').count(), 2);
    const legend = await roc.locator('svg.marks').innerHTML();
    assert.match(legend, new RegExp(`Run ${a.id}`));
    assert.match(legend, new RegExp(`Run ${b.id}`));
    await screenshot(page, 'pages-compare');
    noConsoleErrors(page);
  });

  test('a run shows its pipeline read-only with each step status; run again reuses; clone as draft', async () => {
    const { doc, a } = await creditRuns();
    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${a.id}`);
    const graph = page.getByTestId('run-graph');
    await graph.locator('.react-flow__node').first().waitFor();
    assert.equal(await graph.locator('.react-flow__node').count(), doc.nodes.length);
    for (const s of a.steps) assert.equal(await graph.locator(`[data-testid="node-${s.node}"] [data-status]`).getAttribute('data-status'), s.status, s.node);
    // Nodes cannot be dragged here: a drag pans the view, the node keeps its
    // place in the pipeline.
    const placed = () => graph.locator('.react-flow__node[data-id="train"]').evaluate((n) => n.style.transform);
    const before = await placed();
    const box = await graph.locator('[data-testid="node-train"]').boundingBox();
    await page.mouse.move(box.x + 20, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + 220, box.y + 110, { steps: 5 });
    await page.mouse.up();
    assert.equal(await placed(), before, 'the node stayed put');
    assert.equal(await graph.locator('.react-flow__edge').count(), doc.edges.length);

    // A step's panel: its outputs and its log.
    await graph.locator('[data-testid="node-train"] .node-title').click();
    const panel = page.getByRole('complementary', { name: 'Step' });
    await panel.getByRole('heading', { name: 'Train Model' }).waitFor();
    await panel.getByRole('button', { name: 'View log' }).click();
    await page.getByTestId('log-dialog').waitFor();
    await page.keyboard.press('Escape');
    // The drag above panned the view: fit it again for the picture.
    await graph.locator('.react-flow__controls-fitview').click();
    await sleep(400);
    await screenshot(page, 'pages-run');

    // Run again: the same snapshot, every step reused.
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.waitForURL((u) => /\/runs\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${a.id}`));
    const again = Number(page.url().split('/').pop());
    const rerun = await waitRun(again);
    assert.ok(rerun.steps.every((s) => s.status === 'reused'), JSON.stringify(rerun.steps.map((s) => s.status)));
    await graph.locator('[data-testid="node-train"] [data-status="reused"]').waitFor();
    await page.locator('tr[data-step="train"]').getByRole('link', { name: `run ${a.id}` }).waitFor();

    // Clone as draft: the pipeline, with the run's parameter value as default.
    await page.getByTestId('clone-draft').click();
    await page.waitForURL(/\/pipelines\/\d+$/);
    const draft = (await ui.api('GET', `/api/pipelines/${Number(page.url().split('/').pop())}`)).json;
    assert.equal(draft.name, `Credit risk by seed (run ${again})`);
    assert.equal(draft.document.parameters.split_seed.default, 1);
    assert.deepEqual(draft.document.nodes.map((n) => n.id).sort(), doc.nodes.map((n) => n.id).sort());
    await page.locator('.react-flow__node[data-id="train"]').waitFor();
    noConsoleErrors(page);
  });
});

describe('models', () => {
  test('a model registered from a run links back through its lineage to the run', async () => {
    const { a } = await creditRuns();
    const page = await ui.page({ width: 1440, height: 960 });
    await page.goto(`${ui.url}/runs/${a.id}?node=train`);
    const panel = page.getByRole('complementary', { name: 'Step' });
    await panel.getByRole('button', { name: 'Register…' }).click();
    const dialog = page.getByTestId('register-dialog');
    await dialog.getByLabel('Name').fill('credit-risk');
    await dialog.getByLabel('Description').fill('boosted tree, split seed 1');
    await dialog.getByTestId('register-confirm').click();
    await page.getByRole('status').getByRole('link', { name: /credit-risk version 1/ }).click();
    await page.waitForURL(/\/models\/credit-risk/);

    const lineage = page.getByTestId('lineage');
    const data = lineage.locator('[data-lineage="dataset"]');
    await data.first().waitFor();
    const dataset = (await ui.api('GET', '/api/datasets/german-credit')).json;
    assert.match(await data.first().innerText(), new RegExp(`german-credit\\s*v${dataset.version}`));
    assert.equal(await data.first().getAttribute('href'), `/datasets/german-credit?version=${dataset.version}`);
    assert.equal(await lineage.locator('[data-lineage="step"]').innerText(), 'train');
    // Download: the trained model's JSON.
    const href = await page.getByTestId('model-download').getAttribute('href');
    const got = await ui.api('GET', href);
    assert.equal(got.status, 200);
    assert.equal(got.json.kind, 'model');
    await screenshot(page, 'pages-model');

    // Follow the lineage to the run.
    await lineage.locator('[data-lineage="run"]').click();
    await page.waitForURL(new RegExp(`/runs/${a.id}$`));
    await page.getByRole('heading', { name: `Run ${a.id}` }).waitFor();
    // And the model is in the list.
    await page.getByRole('link', { name: 'Models' }).click();
    await page.locator('.ws-card[data-model="credit-risk"]').waitFor();
    noConsoleErrors(page);
  });
});
