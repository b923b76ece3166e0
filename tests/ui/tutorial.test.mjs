// tutorial.test.mjs: docs/tutorial.md, step by step, in a real browser.
// Each test is one section of the tutorial and does what it says, with the
// labels it names; the screenshots the tutorial shows are taken here; and
// the figures it quotes (R², the prediction) are checked against what this
// run measured. So the tutorial cannot go stale: a changed label, screen or
// figure fails this test.
//
// Screenshots go to $WEFT_TUTORIAL_IMAGES (set it to docs/images/tutorial
// to refresh the tutorial's images), else to $WEFT_UI_SCREENSHOTS/tutorial.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { connect, dragFromPalette, node, ROOT, SHOTS, sleep, startDesigner, waitSettled } from './harness.mjs';

const run = promisify(execFile);
const IMAGES = process.env.WEFT_TUTORIAL_IMAGES ? path.resolve(process.env.WEFT_TUTORIAL_IMAGES) : path.join(SHOTS, 'tutorial');
const TUTORIAL = path.join(ROOT, 'docs/tutorial.md');

let ui;
let page;
let scratch;
const taken = new Set(); // the screenshots this run took
const measured = {}; // figures the tutorial quotes

before(async () => {
  ui = await startDesigner();
  page = await ui.page({ width: 1440, height: 900 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
  await mkdir(IMAGES, { recursive: true });
  scratch = await mkdtemp(path.join(tmpdir(), 'weft-tutorial-'));
});
after(async () => {
  await ui?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The tutorial's screenshot `name` (docs/images/tutorial/NAME.png). */
async function shot(name, locator) {
  await sleep(300); // let transitions and the fit to view settle
  const file = path.join(IMAGES, `${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file });
  taken.add(name);
}

/** Finds `label` with the palette's search, drags it to (x, y) of the canvas, and clears the search. */
async function add(label, x, y) {
  const search = page.getByRole('searchbox', { name: 'Search modules and datasets' }).or(page.getByLabel('Search modules and datasets'));
  await search.first().fill(label);
  await dragFromPalette(page, label, x, y);
  await search.first().fill('');
}

function designerNode(label) {
  return page.locator('.react-flow__node').filter({ has: page.locator('.node-title', { hasText: new RegExp(`^${label}$`) }) });
}

/** A module's node id on the canvas, from its title. */
async function idOf(label) {
  return designerNode(label).first().getAttribute('data-id');
}

async function select(label) {
  await designerNode(label).first().locator('.node-title').click();
}

const modules = async () => Object.fromEntries((await ui.api('GET', '/api/modules')).json.modules.map((m) => [m.display_name, m]));

/** The name of the `nth` port of `kind` that module `label` has on side `dir` (inputs | outputs). */
async function port(label, dir, kind, nth = 0) {
  return (await modules())[label][dir].filter((p) => p.kind === kind)[nth].name;
}

async function wire(fromLabel, fromKind, toLabel, toKind, nth = 0) {
  const from = [await idOf(fromLabel), fromLabel === 'cars' ? 'dataset' : await port(fromLabel, 'outputs', fromKind, nth)];
  const to = [await idOf(toLabel), await port(toLabel, 'inputs', toKind)];
  await connect(page, from, to);
}

describe('Tutorial: predict a car’s mileage, from the designer to a deployed endpoint', () => {
  test('1. Open the designer', async () => {
    await page.goto(ui.url);
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await shot('01-home');
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.waitForURL(/\/pipelines\/\d+$/);
    await page.getByRole('textbox', { name: 'Pipeline name' }).fill('Automobile mileage');
    await waitSettled(page);
    await page.getByText('Drag a dataset or a module from the palette here.').waitFor();
    await shot('02-new-pipeline');
  });

  test('2. Import the data', async () => {
    await add('cars', 300, 30);
    await node(page, 'cars').waitFor();
    await waitSettled(page);
  });

  test('3. Prepare the data', async () => {
    await add('Select Columns in Dataset', 300, 125);
    await wire('cars', 'table', 'Select Columns in Dataset', 'table');
    await select('Select Columns in Dataset');
    await page.getByRole('button', { name: /Edit columns/ }).click();
    const picker = page.getByTestId('column-picker');
    await picker.getByRole('tab', { name: 'With rules' }).click();
    await picker.getByRole('combobox', { name: 'Begin with' }).selectOption('all');
    if ((await picker.getByRole('combobox', { name: 'Rule 1: include or exclude' }).count()) === 0) {
      await picker.getByRole('button', { name: 'Add rule' }).click();
    }
    await picker.getByRole('combobox', { name: 'Rule 1: include or exclude' }).selectOption('exclude');
    await picker.getByRole('combobox', { name: 'Rule 1: what' }).selectOption('names');
    await picker.getByRole('listbox', { name: 'Rule 1: columns' }).selectOption('Name');
    await picker.getByText('8 columns selected').waitFor();
    await shot('03-select-columns', page.getByRole('dialog'));
    await picker.getByRole('button', { name: 'Save' }).click();

    await add('Clean Missing Data', 300, 230);
    await wire('Select Columns in Dataset', 'table', 'Clean Missing Data', 'table');
    await select('Clean Missing Data');
    await page.getByRole('button', { name: /Edit columns/ }).click();
    const clean = page.getByTestId('column-picker');
    await clean.getByRole('tab', { name: 'With rules' }).click();
    await clean.getByRole('combobox', { name: 'Begin with' }).selectOption('all');
    if (await clean.getByRole('button', { name: 'Remove rule 1' }).count()) await clean.getByRole('button', { name: 'Remove rule 1' }).click();
    await clean.getByText('8 columns selected').waitFor();
    await clean.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-param="cleaning_mode"] select').selectOption('remove-entire-row');
    await waitSettled(page);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await shot('04-clean-missing-data');
  });

  test('4. Train a model', async () => {
    await add('Split Data', 300, 335);
    await add('Linear Regression', 600, 335);
    await add('Train Model', 450, 440);
    await wire('Clean Missing Data', 'table', 'Split Data', 'table');
    await wire('Linear Regression', 'learner', 'Train Model', 'learner');
    await wire('Split Data', 'table', 'Train Model', 'table', 0);
    await select('Split Data');
    await page.locator('[data-param="fraction"] input').fill('0.7');
    await select('Train Model');
    const label = page.locator('[data-param="label_column"] select');
    await label.locator('option', { hasText: 'Miles_per_Gallon' }).waitFor({ state: 'attached' });
    await label.selectOption('Miles_per_Gallon');
    await waitSettled(page);
    await shot('05-train-model');
  });

  test('5. Score and evaluate', async () => {
    await add('Score Model', 300, 545);
    await add('Evaluate Model', 600, 545);
    await wire('Train Model', 'model', 'Score Model', 'model');
    await wire('Split Data', 'table', 'Score Model', 'table', 1);
    await wire('Score Model', 'table', 'Evaluate Model', 'table');
    assert.equal(await page.locator('.react-flow__edge').count(), 8);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await shot('06-pipeline');
  });

  test('6. Submit the pipeline', async () => {
    await page.getByTestId('submit').click();
    const dialog = page.getByTestId('submit-dialog');
    await dialog.getByLabel('Experiment').fill('automobile-mileage');
    await shot('07-submit', page.getByRole('dialog'));
    await dialog.getByRole('button', { name: 'Submit' }).click();
    for (const label of ['Select Columns in Dataset', 'Clean Missing Data', 'Split Data', 'Linear Regression', 'Train Model', 'Score Model', 'Evaluate Model']) {
      await designerNode(label).locator('[data-status="completed"], [data-status="reused"]').waitFor({ timeout: 60_000 });
    }
    await page.getByTestId('run-status').and(page.locator('[data-status="completed"]')).waitFor();
    measured.run = Number((await page.getByTestId('run-status').innerText()).match(/Run (\d+)/)[1]);
    await shot('08-run-completed');
  });

  test('7. Read the evaluation', async () => {
    await designerNode('Evaluate Model').locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Visualize/ }).click();
    const row = page.getByTestId('metrics-table').locator('tr[data-metric="coefficient_of_determination"]');
    await row.waitFor();
    const evaluate = await idOf('Evaluate Model');
    const report = (await ui.api('GET', `/api/runs/${measured.run}/steps/${evaluate}/outputs/${await port('Evaluate Model', 'outputs', 'report')}`)).json.json;
    measured.metrics = report.models[0].metrics;
    assert.ok(measured.metrics.coefficient_of_determination > 0.75, `R² is ${measured.metrics.coefficient_of_determination}`);
    await sleep(800); // the charts draw
    await shot('09-evaluation', page.getByRole('dialog'));
    await page.keyboard.press('Escape');
  });

  test('8. Create a real-time inference pipeline', async () => {
    await page.getByRole('button', { name: 'Create inference pipeline' }).click();
    const dialog = page.getByTestId('inference-dialog');
    await dialog.getByRole('radio', { name: /Real-time inference pipeline/ }).check();
    await shot('10-create-inference', page.getByRole('dialog'));
    const from = page.url();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => u.href !== from && /\/pipelines\/\d+$/.test(u.pathname));
    await node(page, 'web-service-input').waitFor();
    await node(page, 'web-service-output').waitFor();
    await waitSettled(page);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await waitSettled(page);
    await shot('11-inference-pipeline');
  });

  test('9. Deploy it', async () => {
    await page.getByRole('button', { name: 'Deploy' }).click();
    const dialog = page.getByTestId('deploy-dialog');
    await dialog.getByLabel('Endpoint name').fill('cars-mpg');
    await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
    await dialog.getByTestId('deployed-keys').waitFor();
    measured.key = await dialog.getByTestId('deployed-primary').innerText();
    await shot('12-deployed', page.getByRole('dialog'));
    await dialog.getByRole('link', { name: 'Open the endpoint' }).click();
    await page.getByTestId('endpoint-state').first().and(page.locator('[data-state="healthy"]')).waitFor();
    await shot('13-endpoint');
  });

  test('10. Test it', async () => {
    await page.getByRole('tab', { name: 'Test' }).click();
    await page.getByText(/Filled with the first complete row of the dataset cars/).waitFor();
    await page.getByTestId('test-form').getByRole('button', { name: 'Test' }).click();
    const value = page.getByTestId('prediction-value');
    await value.waitFor();
    measured.prediction = Number(await value.getAttribute('data-value'));
    await shot('14-test');
  });

  test('11. Call it with curl and with Python', async () => {
    await page.getByRole('tab', { name: 'Consume' }).click();
    for (const [tab, file, cmd, name] of [
      ['curl', 'score.sh', 'sh', '15-consume-curl'],
      ['Python (urllib.request)', 'score.py', 'python3', '16-consume-python'],
    ]) {
      await page.getByRole('tab', { name: tab, exact: true }).click();
      await shot(name);
      await page.getByRole('button', { name: `Copy the ${tab} sample` }).click();
      const code = await page.evaluate(() => navigator.clipboard.readText());
      await writeFile(path.join(scratch, file), code);
      const { stdout } = await run(cmd, [file], { cwd: scratch, timeout: 30_000 });
      measured[tab] = stdout;
      const got = JSON.parse(stdout).Results.WebServiceOutput0[0]['Scored Labels'];
      assert.equal(got, measured.prediction, `${tab} gives the Test tab's prediction`);
    }
  });

  test('the tutorial shows these screenshots and quotes these figures', async () => {
    const text = await readFile(TUTORIAL, 'utf8');
    const shown = [...text.matchAll(/\(images\/tutorial\/([\w-]+)\.png\)/g)].map((m) => m[1]);
    assert.ok(shown.length >= 10, `the tutorial shows ${shown.length} screenshots`);
    for (const name of shown) assert.ok(taken.has(name), `docs/tutorial.md shows ${name}.png, which this test does not take`);
    for (const name of taken) assert.ok(shown.includes(name), `this test takes ${name}.png, which docs/tutorial.md does not show`);
    // The figures, as the tutorial rounds them.
    const r2 = measured.metrics.coefficient_of_determination.toFixed(3);
    assert.ok(text.includes(`R² = ${r2}`), `docs/tutorial.md should quote R² = ${r2}`);
    const mae = measured.metrics.mean_absolute_error.toFixed(2);
    assert.ok(text.includes(`${mae} miles per gallon`), `docs/tutorial.md should quote a mean absolute error of ${mae} miles per gallon`);
    const p = measured.prediction.toFixed(2);
    assert.ok(text.includes(`${p} miles per gallon`), `docs/tutorial.md should quote the prediction, ${p} miles per gallon`);
    // The reply it shows is the one curl printed (the prediction to 2 places).
    const block = text.match(/```json\n(\{"Results".*\})\n```/);
    assert.ok(block, 'docs/tutorial.md shows the reply of the curl sample');
    const rows = (reply) => reply.Results.WebServiceOutput0.map((r) => ({ ...r, 'Scored Labels': r['Scored Labels'].toFixed(2) }));
    assert.deepEqual(rows(JSON.parse(block[1])), rows(JSON.parse(measured.curl)));
  });
});
