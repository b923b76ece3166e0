// visualisations.test.mjs: every output kind drawn in the browser, checked
// against figures this test computes itself from the step outputs:
// - sample 3 (german-credit, two-class boosted decision tree) submitted in
//   the designer; its evaluation report's ROC, precision-recall and lift
//   curves drawn; the threshold slider moving the confusion matrix to the
//   counts at that threshold;
// - two scored inputs on the same axes;
// - regression (residual histogram, predicted against actual with the
//   identity line), multiclass (heat map, per-class precision and recall),
//   clustering (sizes, distances, the 2-D projection);
// - a column's profile card with its histogram, opened from the preview;
// - sweep results and feature importance as sortable tables and bar charts.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { node, openNewDraft, ROOT, screenshot, sleep, startDesigner, waitSettled } from './harness.mjs';

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

const DONE = '[data-status="completed"], [data-status="reused"]';

function noConsoleErrors(page) {
  assert.deepEqual(page.consoleErrors, [], 'the browser console reported errors');
}

// The harness registers only some samples; german-credit is uploaded from
// the same file (Weka's credit-g.arff) when it is missing.
async function ensureGermanCredit() {
  const have = await ui.api('GET', '/api/datasets/german-credit');
  if (have.status === 200) return;
  const file = path.join(process.env.WEFT_SAMPLES_DIR ?? path.join(ROOT, '.cache/samples'), 'credit-g.arff');
  assert.ok(existsSync(file), `${file} is missing: run make deps`);
  const r = await fetch(`${ui.url}/api/datasets?name=german-credit&format=arff`, { method: 'POST', body: readFileSync(file) });
  assert.equal(r.status, 201, await r.text());
}

// Sample 3 as the samples/ folder has it, or the same pipeline built here
// while that file is not there.
function sample3() {
  const file = path.join(ROOT, 'samples/03-credit-risk.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  return {
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
}

/** The node that evaluates, and the node whose output it evaluates. */
function evaluationOf(doc) {
  const evaluate = doc.nodes.find((n) => n.module.startsWith('evaluate-model')).id;
  const scored = doc.edges.find((e) => e.to === `${evaluate}.scored_dataset`).from.split('.');
  return { evaluate, scoreNode: scored[0], scorePort: scored[1] };
}

async function submitDocument(document, experiment = 'ui-visualisations') {
  const r = await ui.api('POST', '/api/runs', { body: { document, experiment } });
  assert.equal(r.status, 202, r.text);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = (await ui.api('GET', `/api/runs/${r.json.run_id}`)).json;
    if (['completed', 'failed', 'canceled'].includes(run.status)) {
      assert.equal(run.status, 'completed', JSON.stringify(run.steps.map((s) => [s.node, s.status, s.error])));
      return run.id;
    }
    if (Date.now() > deadline) assert.fail(`run ${run.id} is still ${run.status}`);
    await sleep(200);
  }
}

async function output(runId, nodeId, port, query = '') {
  const r = await ui.api('GET', `/api/runs/${runId}/steps/${nodeId}/outputs/${port}${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function records(runId, nodeId, port) {
  const r = await ui.api('GET', `/api/runs/${runId}/steps/${nodeId}/outputs/${port}/download?format=json`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A drawn chart: its figure, once vega has rendered it. */
async function drawnChart(scope, testId) {
  const chart = scope.locator(`[data-testid="${testId}"][data-chart-state="drawn"]`).first();
  await chart.waitFor({ timeout: 30_000 });
  assert.equal(await chart.locator('svg.marks').count(), 1, `${testId} has no vega SVG`);
  return chart;
}

/** The number of line paths a chart drew, and the points of the longest. */
async function linePaths(chart) {
  return chart.locator('g.mark-line.role-mark path').evaluateAll((paths) =>
    paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((s) => s.trim()).length),
  );
}

/** The widths of a chart's bars, in pixels (a bar drawn 0 wide is not seen). */
async function barWidths(chart) {
  return chart.locator('g.mark-rect.role-mark path').evaluateAll((ps) => ps.map((p) => p.getBBox().width));
}

// AUC by ranks (Mann-Whitney), ties averaged.
function aucOf(labels, scores) {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  const rank = new Array(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = labels.filter(Boolean).length;
  const neg = labels.length - pos;
  const sum = labels.reduce((s, l, i) => s + (l ? rank[i] : 0), 0);
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** The confusion matrix the page shows (model k). */
async function pageConfusion(dialog, k = 0) {
  const block = dialog.locator(`[data-testid="confusion-matrix"][data-model="${k}"]`);
  const cell = async (name) => Number(await block.locator(`[data-cell="${name}"] .cm-count`).innerText());
  return {
    true_positives: await cell('true_positives'),
    false_negatives: await cell('false_negatives'),
    false_positives: await cell('false_positives'),
    true_negatives: await cell('true_negatives'),
  };
}

/** Sets a range input to `value` the way a person drags it: by keyboard. */
async function slideTo(slider, value) {
  await slider.focus();
  let now = Number(await slider.inputValue());
  while (now !== value) {
    await slider.press(now < value ? 'ArrowRight' : 'ArrowLeft');
    now = Number(await slider.inputValue());
  }
}

describe('two-class evaluation', () => {
  test('sample 3 runs in the designer; its report draws the curves, and the threshold slider moves the confusion matrix', async () => {
    const doc = sample3();
    const { evaluate, scoreNode, scorePort } = evaluationOf(doc);
    const page = await ui.page({ width: 1440, height: 1000 });
    await openNewDraft(ui, page, doc);
    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('submit').click();
    const submit = page.getByTestId('submit-dialog');
    await submit.getByLabel('Experiment').fill('ui-visualisations');
    await submit.getByRole('button', { name: 'Submit' }).click();
    await submit.waitFor({ state: 'detached' });
    await node(page, evaluate).locator(DONE).waitFor({ timeout: 120_000 });

    await node(page, evaluate).locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Visualize/ }).click();
    const dialog = page.getByTestId('output-dialog');
    const roc = await drawnChart(dialog, 'chart-roc');
    await drawnChart(dialog, 'chart-precision_recall');
    await drawnChart(dialog, 'chart-lift');

    const runId = (await ui.api('GET', '/api/runs?limit=1')).json.runs[0].id;
    const report = (await output(runId, evaluate, 'evaluation_results')).json;
    const model = report.models[0];
    // The ROC curve is drawn through the report's points.
    const lines = await linePaths(roc);
    assert.equal(lines.length, 1, 'one model, one curve');
    assert.ok(lines[0] >= Math.min(model.roc.length, 20), `the ROC line has ${lines[0]} points for ${model.roc.length} in the report`);

    // The figures on the page agree with the scored rows, counted here.
    const rows = await records(runId, scoreNode, scorePort);
    const label = report.label;
    const truth = rows.map((r) => r[label] === model.positive_class);
    const p = rows.map((r) => r['Scored Probabilities']);
    const auc = aucOf(truth, p);
    const aucOnPage = Number(await dialog.locator('tr[data-metric="auc"] td').first().innerText());
    assert.ok(Math.abs(aucOnPage - auc) < 1e-6, `AUC on the page ${aucOnPage}, from the rows ${auc}`);

    const countsAt = (t) => {
      const c = { true_positives: 0, false_negatives: 0, false_positives: 0, true_negatives: 0 };
      truth.forEach((pos, i) => {
        const predicted = p[i] >= t;
        if (pos) c[predicted ? 'true_positives' : 'false_negatives']++;
        else c[predicted ? 'false_positives' : 'true_negatives']++;
      });
      return c;
    };
    const slider = dialog.getByTestId('threshold-slider');
    assert.equal(await dialog.getByTestId('threshold-value').innerText(), '0.50');
    const at50 = await pageConfusion(dialog);
    assert.deepEqual(at50, countsAt(0.5));
    for (const i of [30, 71, 12]) {
      await slideTo(slider, i);
      await dialog.getByTestId('threshold-value').filter({ hasText: (i / 100).toFixed(2) }).waitFor();
      const shown = await pageConfusion(dialog);
      const row = model.thresholds[i];
      assert.deepEqual(
        shown,
        { true_positives: row.true_positives, false_negatives: row.false_negatives, false_positives: row.false_positives, true_negatives: row.true_negatives },
        `threshold ${i / 100}: the page shows the report's row`,
      );
      assert.deepEqual(shown, countsAt(i / 100), `threshold ${i / 100}: the counts of the scored rows`);
      const acc = Number(await dialog.locator('[data-testid="confusion-matrix"][data-model="0"] [data-at-threshold="accuracy"]').innerText());
      assert.ok(Math.abs(acc - row.accuracy) < 5e-4, `accuracy at ${i / 100}: ${acc} vs ${row.accuracy}`);
      if (i === 30) {
        assert.notDeepEqual(shown, at50, 'the matrix changed with the threshold');
        // The marked point on the ROC curve moved with it.
        await roc.locator('g.mark-symbol.role-mark path').first().waitFor();
        await screenshot(page, 'vis-binary-report');
      }
    }
    noConsoleErrors(page);
  });

  test('two scored inputs are drawn on the same axes, each with its own confusion matrix', async () => {
    const doc = sample3();
    const { evaluate } = evaluationOf(doc);
    const twin = structuredClone(doc);
    twin.name = 'Credit risk: boosted tree against logistic regression';
    twin.nodes.push(
      { id: 'logistic', module: 'two-class-logistic-regression@1' },
      { id: 'train2', module: 'train-model@1', params: { label_column: 'class' } },
      { id: 'score2', module: 'score-model@1' },
    );
    const splitFirst = doc.edges.find((e) => e.to.endsWith('.dataset') && e.to.startsWith('train')).from;
    const splitSecond = doc.edges.find((e) => e.to.startsWith('score') && e.to.endsWith('.dataset')).from;
    twin.edges.push(
      { from: 'logistic.untrained_model', to: 'train2.untrained_model' },
      { from: splitFirst, to: 'train2.dataset' },
      { from: 'train2.trained_model', to: 'score2.trained_model' },
      { from: splitSecond, to: 'score2.dataset' },
      { from: 'score2.scored_dataset', to: `${evaluate}.scored_dataset_to_compare` },
    );
    delete twin.layout;
    const runId = await submitDocument(twin);
    const report = (await output(runId, evaluate, 'evaluation_results')).json;
    assert.equal(report.models.length, 2);

    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${runId}?node=${evaluate}`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Visualize' }).click();
    const dialog = page.getByTestId('output-dialog');
    const roc = await drawnChart(dialog, 'chart-roc');
    assert.equal((await linePaths(roc)).length, 2, 'both models on the ROC axes');
    assert.equal((await linePaths(await drawnChart(dialog, 'chart-precision_recall'))).length, 2);
    assert.equal((await linePaths(await drawnChart(dialog, 'chart-lift'))).length, 2);
    // Named for their learners, in the legend and the metrics table.
    const legend = await dialog.getByRole('list', { name: 'Models' }).innerText();
    assert.match(legend, /Two-Class Boosted Decision Tree/);
    assert.match(legend, /Two-Class Logistic Regression/);
    for (const k of [0, 1]) {
      const shown = await pageConfusion(dialog, k);
      const c = report.models[k].confusion_matrix;
      assert.deepEqual(shown, {
        true_positives: c.true_positives,
        false_negatives: c.false_negatives,
        false_positives: c.false_positives,
        true_negatives: c.true_negatives,
      });
    }
    const aucCells = await dialog.locator('tr[data-metric="auc"] td').allInnerTexts();
    assert.deepEqual(aucCells.map(Number).map((x) => x.toFixed(4)), report.models.map((m) => m.metrics.auc.toFixed(4)));
    await screenshot(page, 'vis-binary-compare');
    noConsoleErrors(page);
  });
});

describe('regression, multiclass and clustering reports', () => {
  test('a regression report draws the residual histogram and predicted against actual with the identity line', async () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples/cars-regression.json'), 'utf8'));
    const { evaluate, scoreNode, scorePort } = evaluationOf(doc);
    const runId = await submitDocument(doc);
    const report = (await output(runId, evaluate, 'evaluation_results')).json;
    const charts = report.models[0].charts;
    const rows = await records(runId, scoreNode, scorePort);
    const label = report.label;
    const residuals = rows.filter((r) => r[label] !== null && r['Scored Labels'] !== null).map((r) => r[label] - r['Scored Labels']);
    // The histogram counts every residual.
    assert.equal(charts.residual_histogram.reduce((s, b) => s + b.count, 0), residuals.length);

    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${runId}?node=${evaluate}`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Visualize' }).click();
    const dialog = page.getByTestId('output-dialog');
    const hist = await drawnChart(dialog, 'chart-residuals');
    assert.equal(await hist.locator('g.mark-rect.role-mark path').count(), charts.residual_histogram.length, 'one bar per bin');
    assert.ok((await barWidths(hist)).every((w) => w > 2), 'every bar has a width');
    const scatter = await drawnChart(dialog, 'chart-predicted-actual');
    assert.equal(await scatter.locator('g.mark-symbol.role-mark path').count(), charts.actual_vs_predicted.length, 'one point per pair');
    assert.equal(await scatter.locator('g.mark-rule.role-mark line').count(), 1, 'the identity line');
    const ends = await scatter.locator('g.mark-rule.role-mark line').evaluate((l) => {
      const t = l.getAttribute('transform')?.match(/translate\(([-\d.]+),([-\d.]+)\)/);
      return { x: Number(l.getAttribute('x2')), y: Number(l.getAttribute('y2')), tx: Number(t?.[1] ?? 0), ty: Number(t?.[2] ?? 0) };
    });
    // Both axes share one domain, so the line joins the plot's bottom-left
    // corner (0, height) to its top-right corner (width, 0).
    assert.ok(Math.abs(ends.tx) < 1 && ends.ty > 100 && Math.abs(ends.ty + ends.y) < 1 && ends.x > 100, `the identity line runs corner to corner: ${JSON.stringify(ends)}`);
    const mae = residuals.reduce((s, e) => s + Math.abs(e), 0) / residuals.length;
    const maeOnPage = Number(await dialog.locator('tr[data-metric="mean_absolute_error"] td').first().innerText());
    assert.ok(Math.abs(maeOnPage - mae) < 1e-5, `MAE ${maeOnPage} vs ${mae}`);
    await screenshot(page, 'vis-regression-report');
    noConsoleErrors(page);
  });

  test('a multiclass report draws its confusion matrix as a heat map with per-class precision and recall', async () => {
    const doc = {
      format: 'weft.pipeline/1',
      name: 'Iris species',
      nodes: [
        { id: 'iris', module: 'dataset@1', params: { dataset: 'iris' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.6, seed: 3 } },
        { id: 'learner', module: 'multiclass-logistic-regression@1' },
        { id: 'train', module: 'train-model@1', params: { label_column: 'class' } },
        { id: 'score', module: 'score-model@1' },
        { id: 'evaluate', module: 'evaluate-model@1' },
      ],
      edges: [
        { from: 'iris.dataset', to: 'split.dataset' },
        { from: 'learner.untrained_model', to: 'train.untrained_model' },
        { from: 'split.first', to: 'train.dataset' },
        { from: 'train.trained_model', to: 'score.trained_model' },
        { from: 'split.second', to: 'score.dataset' },
        { from: 'score.scored_dataset', to: 'evaluate.scored_dataset' },
      ],
    };
    const runId = await submitDocument(doc);
    const report = (await output(runId, 'evaluate', 'evaluation_results')).json;
    const m = report.models[0];
    // The matrix, counted here from the scored rows.
    const rows = await records(runId, 'score', 'scored_dataset');
    const counts = m.classes.map((a) => m.classes.map((p) => rows.filter((r) => r.class === a && r['Scored Labels'] === p).length));
    assert.deepEqual(m.confusion_matrix, counts);

    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${runId}?node=evaluate`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Visualize' }).click();
    const dialog = page.getByTestId('output-dialog');
    const heat = await drawnChart(dialog, 'chart-confusion');
    const k = m.classes.length;
    assert.equal(await heat.locator('g.mark-rect.role-mark path').count(), k * k, 'one cell per pair of classes');
    const texts = await heat.locator('g.mark-text.role-mark text').allTextContents();
    assert.deepEqual(texts.map(Number).sort((a, b) => a - b), counts.flat().sort((a, b) => a - b), 'each cell shows its count');
    await drawnChart(dialog, 'chart-per-class');
    for (const c of m.per_class) {
      const row = dialog.getByTestId('per-class').locator(`tr[data-class="${c.class}"] td`);
      const tp = counts[m.classes.indexOf(c.class)][m.classes.indexOf(c.class)];
      const predicted = counts.reduce((s, r) => s + r[m.classes.indexOf(c.class)], 0);
      const actual = counts[m.classes.indexOf(c.class)].reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(Number(await row.nth(0).innerText()) - tp / predicted) < 1e-4, `precision of ${c.class}`);
      assert.ok(Math.abs(Number(await row.nth(1).innerText()) - tp / actual) < 1e-4, `recall of ${c.class}`);
    }
    await screenshot(page, 'vis-multiclass-report');
    noConsoleErrors(page);
  });

  test('a clustering report draws the cluster sizes, their distances and the rows on two principal components', async () => {
    const doc = {
      format: 'weft.pipeline/1',
      name: 'Iris clusters',
      nodes: [
        { id: 'iris', module: 'dataset@1', params: { dataset: 'iris' } },
        { id: 'kmeans', module: 'k-means-clustering@1', params: { number_of_centroids: 3 } },
        { id: 'train', module: 'train-clustering-model@1', params: { column_set: { include: [{ type: 'numeric' }] } } },
        { id: 'assign', module: 'assign-data-to-clusters@1' },
        { id: 'evaluate', module: 'evaluate-model@1' },
      ],
      edges: [
        { from: 'kmeans.untrained_model', to: 'train.untrained_model' },
        { from: 'iris.dataset', to: 'train.dataset' },
        { from: 'train.trained_model', to: 'assign.trained_model' },
        { from: 'iris.dataset', to: 'assign.dataset' },
        { from: 'assign.results_dataset', to: 'evaluate.scored_dataset' },
      ],
    };
    const runId = await submitDocument(doc);
    const report = (await output(runId, 'evaluate', 'evaluation_results')).json;
    const m = report.models[0];
    const rows = await records(runId, 'assign', 'results_dataset');
    const sizes = m.clusters.map((c) => rows.filter((r) => r.Assignments === c.cluster).length);
    assert.deepEqual(m.clusters.map((c) => c.count), sizes);

    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${runId}?node=evaluate`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Visualize' }).click();
    const dialog = page.getByTestId('output-dialog');
    const bars = await drawnChart(dialog, 'chart-cluster-sizes');
    assert.equal(await bars.locator('g.mark-rect.role-mark path').count(), m.clusters.length);
    assert.ok((await barWidths(bars)).every((w) => w > 2));
    const distances = await drawnChart(dialog, 'chart-cluster-distances');
    assert.equal(await distances.locator('g.mark-rect.role-mark path').count(), m.clusters.length * 3);
    const projection = await drawnChart(dialog, 'chart-projection');
    assert.equal(await projection.locator('g.mark-symbol.role-mark path').count(), m.charts.projection.points.length);
    assert.equal(m.charts.projection.points.length, rows.length, 'every row of a small table is drawn');
    assert.match(await projection.innerText(), /PC1 \(\d+\.\d% of variance\)/);
    for (const [i, c] of m.clusters.entries())
      assert.equal(await dialog.getByTestId('clusters-table').locator(`tr[data-cluster="${c.cluster}"] td`).first().innerText(), String(sizes[i]));
    await screenshot(page, 'vis-clustering-report');
    noConsoleErrors(page);
  });
});

describe('tables', () => {
  test("clicking a column in the preview opens its card, with its histogram drawn", async () => {
    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/datasets/cars`);
    await page.getByTestId('preview-range').waitFor();
    await page.locator('button.col-head[title="Profile of Horsepower"]').click();
    const card = page.getByTestId('profile-card');
    await card.getByRole('heading', { name: 'Horsepower' }).waitFor();
    const all = (await ui.api('GET', '/api/datasets/cars/download?format=json')).json;
    const hp = all.map((r) => r.Horsepower).filter((v) => v !== null);
    assert.equal(await card.locator('[data-stat="missing"]').innerText(), String(all.length - hp.length));
    const histogram = await drawnChart(card, 'profile-histogram');
    const profile = (await ui.api('GET', '/api/datasets/cars/profile')).json.columns.find((c) => c.name === 'Horsepower');
    assert.equal(await histogram.locator('g.mark-rect.role-mark path').count(), profile.histogram.length);
    assert.ok((await barWidths(histogram)).every((w) => w > 2), 'every bin is drawn with a width');
    // A categorical column gets its most frequent values as bars.
    await page.getByRole('list', { name: 'Columns' }).getByRole('button', { name: /^Origin/ }).click();
    await card.getByRole('heading', { name: 'Origin' }).waitFor();
    const top = await drawnChart(card, 'profile-top');
    assert.equal(await top.locator('g.mark-rect.role-mark path').count(), new Set(all.map((r) => r.Origin).filter((v) => v !== null)).size);
    noConsoleErrors(page);
  });

  test('sweep results and feature importance are sortable tables with bar charts', async (t) => {
    const modules = (await ui.api('GET', '/api/modules')).json.modules.map((m) => m.id);
    if (!modules.includes('tune-model-hyperparameters@1') || !modules.includes('permutation-feature-importance@1')) {
      t.skip('this server has no tune-model-hyperparameters@1 or permutation-feature-importance@1 yet');
      return;
    }
    const doc = {
      format: 'weft.pipeline/1',
      name: 'Cars: sweep and importance',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'columns', module: 'select-columns@1', params: { columns: { exclude: [{ names: ['Name'] }] } } },
        { id: 'clean', module: 'clean-missing-data@1', params: { columns_to_be_cleaned: { include: [{ all: true }] }, cleaning_mode: 'remove-entire-row' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 42 } },
        {
          id: 'learner',
          module: 'boosted-decision-tree-regression@1',
          params: { create_trainer_mode: 'parameter-range', number_of_trees_constructed_range: '10; 30', learning_rate_range: '0.1; 0.3', maximum_number_of_leaves_per_tree_range: '4; 16', minimum_number_of_samples_per_leaf_node_range: '5' },
        },
        {
          id: 'tune',
          module: 'tune-model-hyperparameters@1',
          params: { specify_parameter_sweeping_mode: 'entire-grid', label_column: 'Miles_per_Gallon', metric_for_measuring_performance_for_regression: 'root-mean-squared-error' },
        },
        { id: 'importance', module: 'permutation-feature-importance@1', params: { random_seed: 1, metric_for_measuring_performance: 'root-mean-squared-error' } },
      ],
      edges: [
        { from: 'cars.dataset', to: 'columns.dataset' },
        { from: 'columns.dataset', to: 'clean.dataset' },
        { from: 'clean.cleaned_dataset', to: 'split.dataset' },
        { from: 'learner.untrained_model', to: 'tune.untrained_model' },
        { from: 'split.first', to: 'tune.training_dataset' },
        { from: 'split.second', to: 'tune.optional_validation_dataset' },
        { from: 'tune.trained_best_model', to: 'importance.trained_model' },
        { from: 'split.second', to: 'importance.test_data' },
      ],
    };
    const runId = await submitDocument(doc);
    const sweep = await output(runId, 'tune', 'sweep_results', '?limit=1000');
    const rmse = sweep.schema.findIndex((c) => c.name === 'Root Mean Squared Error');
    assert.ok(rmse >= 0, `the sweep has an RMSE column: ${sweep.schema.map((c) => c.name)}`);
    const best = Math.min(...sweep.rows.map((r) => r[rmse]));

    const page = await ui.page({ width: 1440, height: 1000 });
    await page.goto(`${ui.url}/runs/${runId}?node=tune`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Preview' }).first().click();
    const dialog = page.getByTestId('output-dialog');
    const chart = await drawnChart(dialog, 'chart-sweep');
    assert.equal(await chart.locator('g.mark-rect.role-mark path').count(), sweep.total_rows, 'one bar per run');
    // The sweep's own metric is charted first, lowest marked best.
    assert.equal(await dialog.getByLabel('Metric to chart').inputValue(), 'Root Mean Squared Error');
    const table = dialog.getByTestId('sweep-table');
    const firstRmse = async () => Number(await table.locator('tbody tr').first().locator('td').nth(rmse + 1).innerText());
    assert.ok(Math.abs((await firstRmse()) - best) < 1e-4, 'sorted best first');
    await table.locator('button[title="Sort by Root Mean Squared Error"]').click();
    const worst = Math.max(...sweep.rows.map((r) => r[rmse]));
    assert.ok(Math.abs((await firstRmse()) - worst) < 1e-4, 'a click reverses the order');
    await screenshot(page, 'vis-sweep-results');
    await page.keyboard.press('Escape');

    const importance = await output(runId, 'importance', 'feature_importance', '?limit=1000');
    await page.goto(`${ui.url}/runs/${runId}?node=importance`);
    await page.getByRole('complementary', { name: 'Step' }).getByRole('button', { name: 'Preview' }).first().click();
    const bars = await drawnChart(page.getByTestId('output-dialog'), 'chart-importance');
    assert.equal(await bars.locator('g.mark-rect.role-mark path').count(), Math.min(30, importance.total_rows));
    const names = await page.getByTestId('importance-table').locator('tbody tr td:first-child').allInnerTexts();
    const byScore = [...importance.rows].sort((a, b) => b[1] - a[1]).map((r) => r[0]);
    assert.deepEqual(names, byScore, 'the table sorts by score, highest first');
    await page.getByTestId('importance-table').locator('button[title="Sort by Feature Name"]').click();
    const sortedNames = await page.getByTestId('importance-table').locator('tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(sortedNames, [...byScore].sort((a, b) => a.localeCompare(b)));
    await screenshot(page, 'vis-feature-importance');
    noConsoleErrors(page);
  });
});
