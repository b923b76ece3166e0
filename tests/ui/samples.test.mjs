// samples.test.mjs: the sample pipelines of samples/ on the designer's home
// page, as a newcomer meets them: every sample is listed and opens as a new
// draft, laid out as its file says; Sample 1 runs from the toolbar to
// completion and its evaluation shows R² above the floor of docs/samples.md.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { ROOT, node, screenshot, startDesigner, waitSettled } from './harness.mjs';

const SAMPLES = readdirSync(path.join(ROOT, 'samples'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, doc: JSON.parse(readFileSync(path.join(ROOT, 'samples', file), 'utf8')) }));

// A step that ran, or whose outputs came from the cache of an earlier run.
const DONE = '[data-status="completed"], [data-status="reused"]';

let ui;
before(async () => {
  ui = await startDesigner();
});
afterEach(async () => {
  await ui?.closePages();
});
after(async () => {
  await ui?.stop();
});

async function openSample(page, doc) {
  await page.goto(ui.url);
  await page.getByRole('button', { name: `Open sample: ${doc.name}`, exact: true }).click();
  await page.waitForURL(/\/pipelines\/\d+$/);
  await page.getByRole('toolbar', { name: 'Designer' }).waitFor();
  const id = Number(page.url().split('/').pop());
  const r = await ui.api('GET', `/api/pipelines/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe('samples', () => {
  test('every sample is listed on the home page and opens as a draft laid out as its file', async () => {
    assert.ok(SAMPLES.length >= 7, `samples/ holds ${SAMPLES.length} pipelines`);
    const page = await ui.page();
    for (const { file, doc } of SAMPLES) {
      assert.match(doc.name, /^Sample \d+b?: /, `${file}: its name`);
      const draft = await openSample(page, doc);
      assert.equal(draft.name, doc.name);
      assert.deepEqual(
        draft.document.nodes.map((n) => n.id),
        doc.nodes.map((n) => n.id),
        `${file}: the draft's nodes`,
      );
      assert.equal(draft.document.edges.length, doc.edges.length, `${file}: the draft's edges`);
      assert.deepEqual(draft.document.layout, doc.layout, `${file}: the draft's layout`);
      await node(page, doc.nodes.at(-1).id).waitFor();
      assert.equal(await page.locator('.react-flow__node').count(), doc.nodes.length, `${file}: nodes on the canvas`);
    }
    assert.deepEqual(page.consoleErrors, []);
  });

  test('Sample 1 runs from the designer and its evaluation clears the R² floor', async () => {
    const { doc } = SAMPLES.find((s) => s.file === '01-regression-basic.json');
    const page = await ui.page({ width: 1440, height: 1000 });
    const draft = await openSample(page, doc);
    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await page.getByTestId('submit').click();
    const dialog = page.getByTestId('submit-dialog');
    await dialog.getByLabel('Experiment').fill('samples');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const n of doc.nodes) await node(page, n.id).locator(DONE).waitFor({ timeout: 60_000 });
    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    await screenshot(page, 'sample-1-completed');

    const runs = (await ui.api('GET', '/api/runs?experiment=samples')).json.runs;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].pipeline, draft.name);
    const out = await ui.api('GET', `/api/runs/${runs[0].id}/steps/evaluate/outputs/evaluation_results`);
    assert.equal(out.status, 200, out.text);
    const r2 = out.json.json.models[0].metrics.coefficient_of_determination;
    assert.ok(r2 >= 0.75, `R² ${r2} is below the floor 0.75`);

    // The evaluation, as the designer draws it, shows the same figure.
    await node(page, 'evaluate').locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Visualize: evaluation_results' }).click();
    const view = page.getByTestId('output-dialog');
    const row = view.locator('tr', { hasText: 'Coefficient of determination (R²)' }).first();
    await row.waitFor();
    const shown = Number((await row.innerText()).trim().split(/\s+/).at(-1));
    assert.ok(Math.abs(shown - r2) < 1e-5, `the designer shows R² ${shown}, the report says ${r2}`);
    await screenshot(page, 'sample-1-evaluation');
    assert.deepEqual(page.consoleErrors, []);
  });
});
