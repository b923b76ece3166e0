// designer.test.mjs: the designer in a real browser against a live server,
// used the way a person uses it: drag from the palette, connect ports by
// dragging, pick columns, set parameters, submit, watch the nodes complete,
// preview an output; and the unhappy paths: a refused connection, a
// missing required parameter, a failing step, a save conflict.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  connect,
  dragFromPalette,
  dragWire,
  node,
  openNewDraft,
  screenshot,
  selectNode,
  sleep,
  startDesigner,
  waitSettled,
} from './harness.mjs';

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

/** The draft as the server has it. */
async function draft(id) {
  const r = await ui.api('GET', `/api/pipelines/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Waits until the server's copy of draft `id` satisfies `ok`. */
async function waitDraft(id, ok, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = await draft(id);
    if (ok(d)) return d;
    if (Date.now() > deadline) assert.fail(`the draft never ${what}: ${JSON.stringify(d.document)}`);
    await sleep(100);
  }
}

// A step that ran, or whose outputs came from the cache of an earlier run.
const DONE = '[data-status="completed"], [data-status="reused"]';

function noConsoleErrors(page, allowed = []) {
  const bad = page.consoleErrors.filter((e) => !allowed.some((re) => re.test(e)));
  assert.deepEqual(bad, [], 'the browser console reported errors');
}

describe('home', () => {
  test('New pipeline opens an empty draft in the designer', async () => {
    const page = await ui.page();
    await page.goto(ui.url);
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.waitForURL(/\/pipelines\/\d+$/);
    await page.getByText('Drag a dataset or a module from the palette here.').waitFor();
    const id = Number(page.url().split('/').pop());
    assert.equal((await draft(id)).name, 'Untitled pipeline');
    noConsoleErrors(page);
  });

  test('Export downloads the canonical document, and Import opens it as a new draft', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, {
      name: 'Round trip',
      nodes: [{ id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } }],
    });
    await waitSettled(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export' }).click()]);
    const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
    const exported = JSON.parse(text);
    assert.equal(exported.name, 'Round trip');
    assert.deepEqual(exported.nodes.map((n) => n.id), ['cars']);

    await page.goto(ui.url);
    await page.getByText('Import…').waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: 'round-trip.weft.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForURL((u) => /\/pipelines\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${id}`));
    await node(page, 'cars').waitFor();
    noConsoleErrors(page);
  });

  test('Open sample makes a new draft of a sample pipeline, listed on the home page', async () => {
    const page = await ui.page();
    await page.goto(ui.url);
    const sample = page.getByRole('button', { name: /^Open sample: / }).first();
    const label = (await sample.innerText()).replace(/^Open sample: /, '');
    await sample.click();
    await page.waitForURL(/\/pipelines\/\d+$/);
    await page.locator('.react-flow__node').first().waitFor();
    const id = Number(page.url().split('/').pop());
    const d = await draft(id);
    assert.equal(d.name, label);
    assert.equal(await page.locator('.react-flow__node').count(), d.document.nodes.length);
    await page.getByRole('link', { name: /weft/ }).click();
    await page.getByRole('link', { name: label }).first().waitFor();
    noConsoleErrors(page);
  });
});

describe('palette', () => {
  test('groups the catalogue by category, lists the datasets, searches and shows help', async () => {
    const page = await ui.page();
    await openNewDraft(ui, page);
    const modules = (await ui.api('GET', '/api/modules')).json.modules;
    const palette = page.getByRole('complementary', { name: 'Palette' });
    // Every category of the catalogue is a group (whatever modules exist now).
    for (const category of new Set(modules.map((m) => m.category))) {
      if (category === 'Datasets') continue;
      await palette.locator('summary', { hasText: category }).first().waitFor();
    }
    await palette.getByRole('button', { name: /^cars/ }).waitFor();
    await palette.getByRole('button', { name: /^iris/ }).waitFor();

    const split = modules.find((m) => m.id === 'split-data@1');
    await palette.getByRole('button', { name: split.display_name }).hover();
    const help = page.getByRole('tooltip');
    await help.getByText(split.help.split('\n')[0].slice(0, 40)).waitFor();

    await palette.getByRole('searchbox').fill('split');
    await palette.getByRole('button', { name: split.display_name }).waitFor();
    assert.equal(await palette.getByRole('button', { name: /^cars/ }).count(), 0);
    await palette.getByRole('searchbox').fill('zzzz-nothing');
    await palette.getByText('Nothing matches').waitFor();
    noConsoleErrors(page);
  });
});

describe('building and running a pipeline by hand', () => {
  test('drag, connect, pick columns, set a parameter, submit, watch, preview', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, { name: 'Cars by hand' });
    await screenshot(page, 'designer-empty');

    await dragFromPalette(page, 'cars', 330, 60);
    await dragFromPalette(page, 'Select Columns in Dataset', 330, 200);
    await dragFromPalette(page, 'Split Data', 330, 340);
    await node(page, 'cars').waitFor();
    await node(page, 'select-columns').waitFor();
    await node(page, 'split-data').waitFor();

    await connect(page, ['cars', 'dataset'], ['select-columns', 'dataset']);
    await connect(page, ['select-columns', 'dataset'], ['split-data', 'dataset']);
    await waitDraft(id, (d) => (d.document.edges ?? []).length === 2, 'got its two edges');
    const doc = (await draft(id)).document;
    assert.deepEqual(
      doc.edges.map((e) => `${e.from}>${e.to}`).sort(),
      ['cars.dataset>select-columns.dataset', 'select-columns.dataset>split-data.dataset'],
    );
    assert.deepEqual(doc.nodes.find((n) => n.id === 'cars').params, { dataset: 'cars', version: 'latest' });

    // Select Columns has no columns yet: validation says so on the node.
    await waitSettled(page);
    await node(page, 'select-columns').locator('.node-badge').waitFor();
    await assertSubmitBlocked(page, /"columns" is required but not set/);

    // The column picker reads the schema propagated to the input port.
    await selectNode(page, 'select-columns');
    await page.getByRole('button', { name: 'Edit columns' }).click();
    const picker = page.getByTestId('column-picker');
    await picker.getByRole('checkbox', { name: 'Miles_per_Gallon' }).check();
    await picker.getByRole('checkbox', { name: 'Horsepower' }).check();
    await picker.getByRole('checkbox', { name: 'Origin' }).check();
    await picker.getByText('3 columns selected: Miles_per_Gallon, Horsepower, Origin').waitFor();
    await picker.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('selection-columns').filter({ hasText: 'Miles_per_Gallon, Horsepower, Origin' }).waitFor();

    // A parameter typed into the properties pane reaches the draft.
    await selectNode(page, 'split-data');
    const fraction = page.getByRole('spinbutton', { name: 'Fraction of rows in the first output dataset' });
    await fraction.fill('0.75');
    await waitDraft(id, (d) => d.document.nodes.find((n) => n.id === 'split-data')?.params.fraction === 0.75, 'got fraction 0.75');
    const saved = (await draft(id)).document.nodes.find((n) => n.id === 'select-columns').params.columns;
    assert.deepEqual(saved, { include: [{ names: ['Miles_per_Gallon', 'Horsepower', 'Origin'] }] });

    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await screenshot(page, 'designer-before-run');

    await page.getByTestId('submit').click();
    const dialog = page.getByTestId('submit-dialog');
    await dialog.getByLabel('Experiment').fill('ui-tests');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });

    for (const n of ['cars', 'select-columns', 'split-data']) {
      await node(page, n).locator(DONE).waitFor({ timeout: 30_000 });
    }
    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    await screenshot(page, 'designer-after-run');

    // The server agrees, and the preview shows what the server computed.
    const runs = (await ui.api('GET', '/api/runs?experiment=ui-tests')).json.runs;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'completed');
    const first = (await ui.api('GET', `/api/runs/${runs[0].id}/steps/split-data/outputs/first?limit=1`)).json;
    // 406 cars, three quarters in the first output (rounded either way).
    assert.ok(Math.abs(first.total_rows - 406 * 0.75) <= 1, `first has ${first.total_rows} rows`);

    await node(page, 'split-data').locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Preview data: first' }).click();
    const out = page.getByTestId('output-dialog');
    await out.getByTestId('preview-range').filter({ hasText: `Rows 1–200 of ${first.total_rows} · 3 columns` }).waitFor();
    const headers = await out.locator('thead th').allInnerTexts();
    assert.deepEqual(
      headers.map((h) => h.split('\n')[0]),
      ['#', 'Miles_per_Gallon', 'Horsepower', 'Origin'],
    );
    // Virtualised: of the 200 rows fetched only those in view are rendered,
    // and scrolling to the bottom brings the last one in.
    const grid = out.locator('.data-grid');
    await out.locator('tbody tr[data-row="1"]').waitFor();
    const rendered = await out.locator('tbody tr[data-row]').count();
    assert.ok(rendered > 5 && rendered < 200, `${rendered} of 200 rows are in the DOM`);
    await grid.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await out.locator('tbody tr[data-row="200"]').waitFor();
    assert.equal(await out.locator('tbody tr[data-row="1"]').count(), 0, 'row 1 is still rendered at the bottom');
    await out.getByRole('button', { name: 'Next' }).click();
    await out.getByTestId('preview-range').filter({ hasText: `Rows 201–${first.total_rows} of ${first.total_rows}` }).waitFor();
    await out.locator('tbody tr[data-row="201"]').waitFor();

    // A column's profile opens from its header; its counts agree with the
    // output's rows, counted here from the JSON download.
    const all = await ui.api('GET', `/api/runs/${runs[0].id}/steps/split-data/outputs/first/download?format=json`);
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.length, first.total_rows);
    const hpMissing = all.json.filter((r) => r.Horsepower === null).length;
    const hpUnique = new Set(all.json.filter((r) => r.Horsepower !== null).map((r) => r.Horsepower)).size;
    await out.getByRole('button', { name: 'Horsepower' }).click();
    const card = out.getByTestId('profile-card');
    await card.getByRole('heading', { name: 'Horsepower' }).waitFor();
    assert.equal(await card.locator('[data-stat="count"]').innerText(), String(first.total_rows));
    assert.equal(await card.locator('[data-stat="missing"]').innerText(), String(hpMissing));
    assert.equal(await card.locator('[data-stat="unique"]').innerText(), String(hpUnique));
    const hp = all.json.map((r) => r.Horsepower).filter((v) => v !== null);
    assert.equal(await card.locator('[data-stat="max"]').innerText(), String(Math.max(...hp)));
    const binCounts = await card.getByRole('list', { name: 'Histogram' }).locator('.bar-count').allInnerTexts();
    assert.ok(binCounts.length > 0, 'the histogram has bins');
    assert.equal(binCounts.reduce((a, b) => a + Number(b), 0), hp.length, 'the histogram counts every present value');
    await screenshot(page, 'designer-output-profile');

    // Another column from the list: its most frequent values, counted here.
    await out.getByRole('list', { name: 'Columns' }).getByRole('button', { name: /^Origin/ }).click();
    await card.getByRole('heading', { name: 'Origin' }).waitFor();
    const origins = new Map();
    for (const r of all.json) if (r.Origin !== null) origins.set(r.Origin, (origins.get(r.Origin) ?? 0) + 1);
    const bars = card.getByRole('list', { name: 'Most frequent values' }).locator('li');
    assert.equal(await bars.count(), origins.size);
    for (const [value, count] of origins) {
      assert.equal(await bars.filter({ has: page.locator(`[title="${value}"]`) }).locator('.bar-count').innerText(), String(count));
    }
    // Back to the rows: the window is still the second one.
    await out.getByRole('tab', { name: 'Rows' }).click();
    await out.locator('tbody tr[data-row="201"]').waitFor();
    await screenshot(page, 'designer-output-preview');
    await page.keyboard.press('Escape');
    await out.waitFor({ state: 'detached' });

    // The step's log opens from the same menu.
    await node(page, 'split-data').locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'View log' }).click();
    await page.getByTestId('log-dialog').locator('pre').waitFor();
    noConsoleErrors(page);
  });
});

async function assertSubmitBlocked(page, reason) {
  await page.getByTestId('submit-why').filter({ hasText: reason }).waitFor();
  // aria-disabled, not disabled: a click still says why.
  await page.getByTestId('submit').click({ force: true });
  await page.getByRole('alert').filter({ hasText: reason }).first().waitFor();
  assert.equal(await page.getByTestId('submit-dialog').count(), 0, 'Submit opened although the pipeline is not valid');
}

describe('sample 1, built by hand', () => {
  // The Azure designer's first sample: predict a car's mileage. It needs the
  // learner modules; on a catalogue without them the test says so and skips.
  const NEEDED = ['Select Columns in Dataset', 'Clean Missing Data', 'Split Data', 'Linear Regression', 'Train Model', 'Score Model', 'Evaluate Model'];

  test('drag eight nodes, connect them, set the label column, run, read R²', async (t) => {
    const modules = (await ui.api('GET', '/api/modules')).json.modules;
    const by = Object.fromEntries(modules.map((m) => [m.display_name, m]));
    const missing = NEEDED.filter((n) => !by[n]);
    if (missing.length) {
      t.skip(`the catalogue has no ${missing.join(', ')} yet`);
      return;
    }
    const page = await ui.page({ width: 1920, height: 1080 });
    await openNewDraft(ui, page, { name: 'Automobile mileage' });
    const place = [
      ['cars', 220, 50],
      ['Select Columns in Dataset', 220, 160],
      ['Clean Missing Data', 220, 270],
      ['Split Data', 220, 380],
      ['Linear Regression', 560, 380],
      ['Train Model', 400, 500],
      ['Score Model', 220, 620],
      ['Evaluate Model', 220, 740],
    ];
    for (const [label, x, y] of place) await dragFromPalette(page, label, x, y);
    const id = (name) => by[name].name;
    for (const n of ['cars', ...NEEDED.map(id)]) await node(page, n).waitFor();

    // Ports are found by kind, as a person reads the colours.
    const port = (name, dir, kind, nth = 0) => by[name][dir].filter((p) => p.kind === kind)[nth].name;
    const S = 'Select Columns in Dataset', C = 'Clean Missing Data', P = 'Split Data', L = 'Linear Regression';
    const T = 'Train Model', R = 'Score Model', E = 'Evaluate Model';
    await connect(page, ['cars', 'dataset'], [id(S), port(S, 'inputs', 'table')]);
    await connect(page, [id(S), port(S, 'outputs', 'table')], [id(C), port(C, 'inputs', 'table')]);
    await connect(page, [id(C), port(C, 'outputs', 'table')], [id(P), port(P, 'inputs', 'table')]);
    await connect(page, [id(L), port(L, 'outputs', 'learner')], [id(T), port(T, 'inputs', 'learner')]);
    await connect(page, [id(P), port(P, 'outputs', 'table', 0)], [id(T), port(T, 'inputs', 'table')]);
    await connect(page, [id(T), port(T, 'outputs', 'model')], [id(R), port(R, 'inputs', 'model')]);
    await connect(page, [id(P), port(P, 'outputs', 'table', 1)], [id(R), port(R, 'inputs', 'table')]);
    await connect(page, [id(R), port(R, 'outputs', 'table')], [id(E), port(E, 'inputs', 'table')]);
    assert.equal(await page.locator('.react-flow__edge').count(), 8);
    await waitSettled(page);

    // Keep the numeric columns, by name.
    await selectNode(page, id(S));
    await page.getByRole('button', { name: /Edit columns/ }).click();
    let picker = page.getByTestId('column-picker');
    for (const c of ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']) {
      await picker.getByRole('checkbox', { name: c }).check();
    }
    await picker.getByRole('button', { name: 'Save' }).click();

    // Clean every column, with rules; remove the rows with missing values.
    await selectNode(page, id(C));
    await page.getByRole('button', { name: /Edit columns/ }).click();
    picker = page.getByTestId('column-picker');
    await picker.getByRole('tab', { name: 'With rules' }).click();
    await picker.getByRole('combobox', { name: 'Begin with' }).selectOption('all');
    await picker.getByRole('button', { name: 'Remove rule 1' }).click();
    await picker.getByText('6 columns selected').waitFor();
    await picker.getByRole('button', { name: 'Save' }).click();
    const mode = by[C].params.find((p) => p.type === 'enum' && (p.choices ?? []).some((c) => /remove.*row/.test(c)));
    await page.locator(`[data-param="${mode.name}"] select`).selectOption(mode.choices.find((c) => /remove.*row/.test(c)));

    await selectNode(page, id(P));
    await page.locator('[data-param="fraction"] input').fill('0.7');

    // The label column, from the columns that reach Train Model's input.
    await selectNode(page, id(T));
    const label = by[T].params.find((p) => p.type === 'column');
    const select = page.locator(`[data-param="${label.name}"] select`);
    await select.locator('option', { hasText: 'Miles_per_Gallon' }).waitFor({ state: 'attached' });
    await select.selectOption('Miles_per_Gallon');

    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await waitSettled(page);
    await sleep(500); // the fit to view animates
    await screenshot(page, 'sample1-before-run');
    await page.getByTestId('submit').click();
    await page.getByTestId('submit-dialog').getByRole('button', { name: 'Submit' }).click();
    for (const n of ['cars', ...NEEDED.map(id)]) {
      await node(page, n).locator(DONE).waitFor({ timeout: 60_000 });
    }
    await screenshot(page, 'sample1-after-run');

    await node(page, id(E)).locator('.node-title').click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Visualize/ }).click();
    const metrics = page.getByTestId('metrics-table');
    const row = metrics.locator('tr[data-metric="coefficient_of_determination"]');
    await row.getByText('Coefficient of determination (R²)').waitFor();
    const r2 = Number(await row.locator('td').first().innerText());
    assert.ok(r2 > 0.5 && r2 < 1, `R² read from the page is ${r2}`);
    // The page shows the report's own figure.
    const runs = (await ui.api('GET', '/api/runs?status=completed&limit=1')).json.runs;
    const report = (await ui.api('GET', `/api/runs/${runs[0].id}/steps/${id(E)}/outputs/${port(E, 'outputs', 'report')}`)).json.json;
    assert.ok(Math.abs(report.models[0].metrics.coefficient_of_determination - r2) < 1e-6);
    await screenshot(page, 'sample1-evaluation');
    noConsoleErrors(page);
  });
});

describe('a run in progress', () => {
  test('each node shows its status live, and Cancel stops the run', async (t) => {
    const modules = (await ui.api('GET', '/api/modules')).json.modules;
    // test-sleep exists only in test builds (WEFT_TEST_MODULES), as `make test` makes.
    if (!modules.some((m) => m.id === 'test-sleep@1')) {
      t.skip('this server has no test-sleep module (not a WEFT_TEST_MODULES build)');
      return;
    }
    const page = await ui.page();
    await openNewDraft(ui, page, {
      name: 'Slow',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'nap', module: 'test-sleep@1', params: { seconds: 30 } },
        { id: 'split', module: 'split-data@1', params: {} },
      ],
      edges: [
        { from: 'cars.dataset', to: 'nap.dataset' },
        { from: 'nap.dataset', to: 'split.dataset' },
      ],
    });
    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await page.getByTestId('submit').click();
    await page.getByTestId('submit-dialog').getByRole('button', { name: 'Submit' }).click();
    await node(page, 'cars').locator(DONE).waitFor({ timeout: 30_000 });
    await node(page, 'nap').locator('[data-status="running"]').waitFor();
    await node(page, 'split').locator('[data-status="queued"]').waitFor();
    await page.getByTestId('submit-why').filter({ hasText: 'A run is in progress' }).waitFor();
    await screenshot(page, 'designer-during-run');

    const started = Date.now();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByTestId('run-status').filter({ hasText: 'canceled' }).waitFor();
    assert.ok(Date.now() - started < 10_000, 'canceling took too long');
    await node(page, 'nap').locator('[data-status="canceled"]').waitFor();
    noConsoleErrors(page);
  });
});

describe('unhappy paths', () => {
  test('a second edge into an input is refused while dragging, with its reason', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, {
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'iris', module: 'dataset@1', params: { dataset: 'iris' } },
        { id: 'split', module: 'split-data@1', params: {} },
      ],
      edges: [{ from: 'cars.dataset', to: 'split.dataset' }],
      layout: { cars: { x: 0, y: 0 }, iris: { x: 300, y: 0 }, split: { x: 150, y: 200 } },
    });
    await node(page, 'split').waitFor();
    await dragWire(page, ['iris', 'dataset'], ['split', 'dataset']);
    const reason = page.getByTestId('connection-reason');
    await reason.filter({ hasText: 'input "dataset" already has a connection (from "cars.dataset")' }).waitFor();
    await screenshot(page, 'designer-refused-connection');
    await page.mouse.up();
    await page.getByRole('alert').filter({ hasText: 'Connection refused' }).waitFor();
    await sleep(800);
    assert.equal((await draft(id)).document.edges.length, 1, 'the refused edge was saved');
    assert.equal(await page.locator('.react-flow__edge').count(), 1);
    noConsoleErrors(page);
  });

  test('a connection between ports of different kinds is refused with its reason', async (t) => {
    const modules = (await ui.api('GET', '/api/modules')).json.modules;
    // Any module with an input of another kind than a table (learners,
    // models, transforms): which ones exist depends on the catalogue.
    const other = modules.find((m) => m.inputs.some((p) => p.kind !== 'table'));
    if (!other) {
      t.skip('the catalogue has no input of a kind other than table yet');
      return;
    }
    const port = other.inputs.find((p) => p.kind !== 'table');
    const page = await ui.page();
    await openNewDraft(ui, page, {
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'other', module: other.id, params: {} },
      ],
      layout: { cars: { x: 0, y: 0 }, other: { x: 0, y: 220 } },
    });
    await node(page, 'other').waitFor();
    await dragWire(page, ['cars', 'dataset'], ['other', port.name]);
    await page
      .getByTestId('connection-reason')
      .filter({ hasText: `cannot connect a table output to a ${port.kind} input` })
      .waitFor();
    await page.mouse.up();
    assert.equal(await page.locator('.react-flow__edge').count(), 0);
    noConsoleErrors(page);
  });

  test('an unset required parameter blocks Submit, with its message on the field', async () => {
    const page = await ui.page();
    await openNewDraft(ui, page, {
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'pick', module: 'select-columns@1', params: {} },
      ],
      edges: [{ from: 'cars.dataset', to: 'pick.dataset' }],
    });
    await assertSubmitBlocked(page, /pick: parameter "columns" is required but not set/);
    await selectNode(page, 'pick');
    await page.locator('[data-param="columns"]').getByRole('alert').filter({ hasText: 'is required but not set' }).waitFor();
    await page.getByRole('tab', { name: /Problems \(1\)/ }).click();
    await page.getByTestId('problems').getByText('"columns" is required but not set').waitFor();
    noConsoleErrors(page);
  });

  test('a failing step shows its error and its log; what follows is skipped', async () => {
    const page = await ui.page();
    // "Name" holds car names: making it numeric fails when the step runs.
    await openNewDraft(ui, page, {
      name: 'Failing',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'meta', module: 'edit-metadata@1', params: { columns: { include: [{ names: ['Name'] }] }, data_type: 'numeric' } },
        { id: 'split', module: 'split-data@1', params: {} },
      ],
      edges: [
        { from: 'cars.dataset', to: 'meta.dataset' },
        { from: 'meta.dataset', to: 'split.dataset' },
      ],
    });
    await waitSettled(page);
    await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
    await page.getByTestId('submit').click();
    await page.getByTestId('submit-dialog').getByRole('button', { name: 'Submit' }).click();
    await node(page, 'meta').locator('[data-status="failed"]').waitFor({ timeout: 30_000 });
    await node(page, 'split').locator('[data-status="skipped"]').waitFor();
    await page.getByTestId('run-status').filter({ hasText: 'failed' }).waitFor();

    const runs = (await ui.api('GET', '/api/runs?status=failed')).json.runs;
    const run = (await ui.api('GET', `/api/runs/${runs[0].id}`)).json;
    const step = run.steps.find((s) => s.node === 'meta');
    assert.equal(step.status, 'failed');
    assert.ok(step.error.length > 0);

    // The node shows the error; clicking it opens the log.
    await node(page, 'meta').getByRole('button', { name: step.error.slice(0, 40) }).click();
    const log = page.getByTestId('log-dialog');
    await log.getByRole('alert').filter({ hasText: step.error.slice(0, 60) }).waitFor();
    await log.locator('pre').waitFor();
    await screenshot(page, 'designer-failed-step');
    noConsoleErrors(page);
  });

  test('a save conflict is shown, and keeping my version saves it on top', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, { name: 'Mine' });
    await waitSettled(page);
    // Someone else saves the draft meanwhile.
    const theirs = await draft(id);
    const put = await ui.api('PUT', `/api/pipelines/${id}`, {
      body: { revision: theirs.revision, document: { ...theirs.document, name: 'Theirs' } },
    });
    assert.equal(put.status, 200, put.text);

    await page.getByLabel('Pipeline name').fill('Mine, edited');
    const banner = page.getByTestId('conflict');
    await banner.waitFor();
    await banner.getByText(`now revision ${put.json.revision}`).waitFor();
    await page.getByTestId('save-status').filter({ hasText: 'Save conflict' }).waitFor();
    // Nothing was overwritten.
    assert.equal((await draft(id)).name, 'Theirs');
    await screenshot(page, 'designer-save-conflict');

    await banner.getByRole('button', { name: 'Keep my version' }).click();
    await waitDraft(id, (d) => d.document.name === 'Mine, edited', 'took my version');
    await banner.waitFor({ state: 'detached' });
    // Chromium logs the 409 reply itself; that is the conflict being detected.
    noConsoleErrors(page, [/status of 409/]);
  });
});

describe('editing', () => {
  test('copy, paste, undo, redo, delete and auto-layout by keyboard and toolbar', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, {
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.6 } },
      ],
      edges: [{ from: 'cars.dataset', to: 'split.dataset' }],
      layout: { cars: { x: 0, y: 0 }, split: { x: 0, y: 0 } },
    });
    const count = () => page.locator('.react-flow__node').count();
    await node(page, 'split').waitFor();

    // Auto-layout puts the dataset above the split (both started at 0,0).
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await waitDraft(id, (d) => d.document.layout.split.y > d.document.layout.cars.y + 40, 'was laid out');

    await selectNode(page, 'split');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await node(page, 'split-2').waitFor();
    assert.equal(await count(), 3);
    await waitDraft(id, (d) => d.document.nodes.some((n) => n.id === 'split-2' && n.params.fraction === 0.6), 'got the pasted copy');

    await page.keyboard.press('Control+z');
    await node(page, 'split-2').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await node(page, 'split-2').waitFor();

    await page.keyboard.press('Delete');
    await node(page, 'split-2').waitFor({ state: 'detached' });
    await selectNode(page, 'cars');
    await page.keyboard.press('Delete');
    await node(page, 'cars').waitFor({ state: 'detached' });
    assert.equal(await page.locator('.react-flow__edge').count(), 0, 'the edge went with its node');
    await waitDraft(id, (d) => d.document.nodes.length === 1 && d.document.edges.length === 0, 'lost the deleted nodes');
    await page.getByRole('button', { name: 'Undo' }).click();
    await node(page, 'cars').waitFor();
    assert.equal(await page.locator('.react-flow__edge').count(), 1, 'undo brought the edge back');

    // Box-select (shift-drag over both nodes) then delete both.
    const box = await page.getByTestId('canvas').boundingBox();
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 200, box.y + box.height - 5, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    assert.equal(await page.locator('.react-flow__node.selected').count(), 2);
    await page.keyboard.press('Backspace');
    await page.getByText('Drag a dataset or a module from the palette here.').waitFor();
    noConsoleErrors(page);
  });
});
