// production.test.mjs: from a trained pipeline to production in a real
// browser, the way a person does it (issue #10's UI):
//   train sample 1 -> Create inference pipeline (real-time) -> Deploy (the
//   keys shown once, copied) -> the endpoint's Test tab gives the prediction
//   the training run's Score Model gave for the same car -> the Consume
//   tab's samples (curl, Python urllib.request and requests, JavaScript
//   fetch, C with libcurl), copied and run as they are, give the same
//   prediction -> Details counts the requests -> Keys regenerates a key
//   and the old one stops working; a redeploy keeps the keys.
// Then the other half: a batch inference pipeline, published and submitted
// with a dataset parameter; and the unhappy paths (a run that cannot be
// converted says why; a name in use needs "Replace").

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { node, openNewDraft, ROOT, screenshot, startDesigner, waitSettled } from './harness.mjs';

const run = promisify(execFile);

let ui;
let scratch;
before(async () => {
  ui = await startDesigner();
  scratch = await mkdtemp(path.join(tmpdir(), 'weft-production-'));
});
afterEach(async () => {
  await ui?.closePages();
});
after(async () => {
  await ui?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const DONE = '[data-status="completed"], [data-status="reused"]';

function noConsoleErrors(page, allowed = []) {
  const bad = page.consoleErrors.filter((e) => !allowed.some((re) => re.test(e)));
  assert.deepEqual(bad, [], 'the browser console reported errors');
}

/** A page whose clipboard the test can read back. */
async function clipboardPage(opts) {
  const page = await ui.page(opts);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
  return page;
}

const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

/** Waits until run `id` has ended; answers its record. */
async function waitRun(id, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ui.api('GET', `/api/runs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (['completed', 'failed', 'canceled'].includes(r.json.status)) return r.json;
    if (Date.now() > deadline) assert.fail(`run ${id} did not end: ${r.text}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Opens sample 1 from the home page, submits it and waits for every node. */
async function trainSample1(page) {
  const doc = JSON.parse(await readFile(path.join(ROOT, 'samples/01-regression-basic.json'), 'utf8'));
  await page.goto(ui.url);
  await page.getByRole('button', { name: `Open sample: ${doc.name}` }).click();
  await page.waitForURL(/\/pipelines\/\d+$/);
  const draftId = Number(new URL(page.url()).pathname.split('/').pop());
  await waitSettled(page);
  await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
  await page.getByTestId('submit').click();
  await page.getByTestId('submit-dialog').getByRole('button', { name: 'Submit' }).click();
  for (const n of doc.nodes) await node(page, n.id).locator(DONE).waitFor({ timeout: 60_000 });
  await page.getByTestId('run-status').and(page.locator('[data-status="completed"]')).waitFor();
  const runId = Number((await page.getByTestId('run-status').innerText()).match(/Run (\d+)/)[1]);
  return { doc, draftId, runId };
}

/** Fills the endpoint's Test form with `row` ({column: value}). */
async function fillTestForm(page, row) {
  const form = page.getByTestId('test-form');
  const schema = (await ui.api('GET', '/api/endpoints/cars-mpg')).json.input_schema.columns;
  for (const c of schema) {
    const field = form.locator(`[data-column="${c.name}"]`).locator('input, select');
    if (c.type === 'categorical') await field.selectOption(String(row[c.name]));
    else await field.fill(row[c.name] === null ? '' : String(row[c.name]));
  }
}

let trained = null; // {doc, draftId, runId}: sample 1, trained once for the tests below
let endpoint = null; // {name, keys, prediction, row}

describe('real-time: train, create an inference pipeline, deploy, test, consume', () => {
  test('a completed run becomes a real-time inference pipeline draft', async () => {
    const page = await ui.page({ width: 1440, height: 900 });
    trained = await trainSample1(page);

    await page.getByRole('button', { name: 'Create inference pipeline' }).click();
    const dialog = page.getByTestId('inference-dialog');
    await dialog.getByRole('radio', { name: /Real-time inference pipeline/ }).check();
    await screenshot(page, 'production-create-inference');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => /\/pipelines\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${trained.draftId}`));
    await node(page, 'web-service-input').waitFor();
    await node(page, 'web-service-output').waitFor();

    // The draft is the server's conversion of that run: no Split, no Evaluate.
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const draft = (await ui.api('GET', `/api/pipelines/${id}`)).json;
    const modules = draft.document.nodes.map((n) => n.module);
    assert.ok(modules.includes('trained-model@1') && modules.includes('score-model@1'), modules.join(', '));
    assert.ok(!modules.includes('split-data@1') && !modules.includes('evaluate-model@1'), modules.join(', '));
    assert.equal(await page.locator('.react-flow__node').count(), draft.document.nodes.length);
    trained.inferenceDraft = id;
    // An inference pipeline is deployed, not converted again.
    await page.getByRole('button', { name: 'Deploy' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create inference pipeline' }).count(), 0);
    noConsoleErrors(page);
  });

  test('Deploy shows both keys once, with copy buttons that copy them', async () => {
    assert.ok(trained?.inferenceDraft, 'the previous test made the inference pipeline');
    const page = await clipboardPage({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/pipelines/${trained.inferenceDraft}`);
    await waitSettled(page);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const dialog = page.getByTestId('deploy-dialog');
    await dialog.getByLabel('Endpoint name').fill('cars-mpg');
    await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
    const keys = dialog.getByTestId('deployed-keys');
    await keys.waitFor();
    await screenshot(page, 'production-deploy-keys');
    const primary = await dialog.getByTestId('deployed-primary').innerText();
    const secondary = await dialog.getByTestId('deployed-secondary').innerText();
    for (const k of [primary, secondary]) assert.match(k, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(primary, secondary);

    await dialog.getByRole('button', { name: 'Copy the primary key' }).click();
    assert.equal(await clipboard(page), primary);
    await dialog.getByRole('button', { name: 'Copy the secondary key' }).click();
    assert.equal(await clipboard(page), secondary);

    // The keys are what the endpoint accepts, and a wrong one is refused.
    const body = { Inputs: { WebServiceInput0: [] }, GlobalParameters: {} };
    for (const k of [primary, secondary]) {
      const r = await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: k });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: 'x'.repeat(43) })).status, 401);

    await dialog.getByRole('link', { name: 'Open the endpoint' }).click();
    await page.waitForURL(/\/endpoints\/cars-mpg$/);
    await page.getByTestId('endpoint-state').first().and(page.locator('[data-state="healthy"]')).waitFor();
    endpoint = { name: 'cars-mpg', keys: { primary, secondary } };
    noConsoleErrors(page);
  });

  test('the Test tab predicts what the training run scored for the same car', async () => {
    assert.ok(endpoint, 'the endpoint was deployed');
    // A held-out row the run's Score Model scored: the endpoint must agree.
    const scored = await ui.api('GET', `/api/runs/${trained.runId}/steps/score/outputs/scored_dataset?limit=5`);
    assert.equal(scored.status, 200, scored.text);
    const cols = scored.json.schema.map((c) => c.name);
    const first = Object.fromEntries(cols.map((c, i) => [c, scored.json.rows[0][i]]));
    const expected = first['Scored Labels'];
    assert.equal(typeof expected, 'number');

    const page = await ui.page({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/endpoints/cars-mpg`);
    await page.getByRole('tab', { name: 'Test' }).click();
    const form = page.getByTestId('test-form');
    const schema = (await ui.api('GET', '/api/endpoints/cars-mpg')).json.input_schema.columns;
    // The form has one field per column of the input schema, filled from the
    // training data.
    for (const c of schema) await form.locator(`[data-column="${c.name}"]`).waitFor();
    await page.getByText(/Filled with the first complete row of the dataset cars/).waitFor();
    await form.locator('[data-column="Name"] input').waitFor();
    assert.notEqual(await form.locator('[data-column="Name"] input').inputValue(), '');

    const row = Object.fromEntries(schema.map((c) => [c.name, c.name in first ? first[c.name] : 'a car']));
    await fillTestForm(page, row);
    await form.getByRole('button', { name: 'Test' }).click();
    const value = page.getByTestId('prediction-value');
    await value.waitFor();
    const shown = Number(await value.getAttribute('data-value'));
    assert.ok(Math.abs(shown - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `the endpoint predicts ${shown}, the run scored ${expected}`);
    await screenshot(page, 'production-test-tab');
    endpoint.prediction = shown;
    endpoint.row = row;
    noConsoleErrors(page);
  });

  test('each Consume sample, copied and run as it is, gives the same prediction', async () => {
    assert.ok(endpoint?.prediction !== undefined, 'the Test tab gave a prediction');
    const page = await clipboardPage({ width: 1440, height: 900 });
    // Sign in as the tab that deployed: the keys are known to this tab only.
    await page.goto(`${ui.url}/endpoints/cars-mpg`);
    await page.evaluate(({ name, keys }) => sessionStorage.setItem(`weft.endpoint-keys.${name}`, JSON.stringify(keys)), endpoint);
    await page.goto(`${ui.url}/endpoints/cars-mpg?tab=test`);
    // Score the same row in this tab: the samples carry the row last tested.
    await fillTestForm(page, endpoint.row);
    await page.getByTestId('test-form').getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('prediction-value').waitFor();
    await page.getByRole('tab', { name: 'Consume' }).click();

    const samples = [
      { tab: 'curl', file: 'score.sh', cmd: (f) => ['sh', [f]] },
      { tab: 'Python (urllib.request)', file: 'score.py', cmd: (f) => ['python3', [f]] },
      { tab: 'Python (requests)', file: 'score_requests.py', cmd: (f) => ['python3', [f]] },
      { tab: 'JavaScript (fetch)', file: 'score.mjs', cmd: (f) => [process.execPath, [f]] },
      { tab: 'C (libcurl)', file: 'score.c', cmd: null },
    ];
    await page.getByTestId('code-sample').waitFor();
    for (const s of samples) {
      await page.getByRole('tab', { name: s.tab, exact: true }).click();
      const code = page.getByTestId('code-sample');
      await page.getByRole('button', { name: `Copy the ${s.tab} sample` }).click();
      const copied = await clipboard(page);
      assert.equal(copied.trimEnd(), (await code.innerText()).trimEnd(), `${s.tab}: the clipboard holds what the page shows`);
      assert.ok(copied.includes(`${ui.url}/endpoints/cars-mpg/score`), `${s.tab}: the sample calls the endpoint's real URL`);
      assert.ok(copied.includes(endpoint.keys.primary), `${s.tab}: the sample carries the primary key`);
      if (s.tab === 'curl') await screenshot(page, 'production-consume-curl');

      const file = path.join(scratch, s.file);
      await writeFile(file, copied);
      let out;
      if (s.cmd) {
        const [cmd, args] = s.cmd(file);
        out = (await run(cmd, args, { cwd: scratch, timeout: 30_000 })).stdout;
      } else {
        if (!existsSync('/usr/include/curl/curl.h') && !existsSync('/usr/include/x86_64-linux-gnu/curl/curl.h')) {
          console.log('# the C sample is not compiled: libcurl4-openssl-dev is not installed');
          continue;
        }
        const exe = path.join(scratch, 'score');
        await run('cc', ['-std=c11', '-Wall', '-Werror', file, '-lcurl', '-o', exe], { timeout: 60_000 });
        out = (await run(exe, [], { timeout: 30_000 })).stdout;
      }
      const reply = JSON.parse(out);
      const got = reply.Results.WebServiceOutput0[0]['Scored Labels'];
      assert.equal(got, endpoint.prediction, `${s.tab}: the sample's prediction`);
    }
    noConsoleErrors(page);
  });

  test('Details shows the URL, state, version and the requests counted', async () => {
    assert.ok(endpoint?.prediction !== undefined);
    const page = await ui.page({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/endpoints/cars-mpg`);
    await page.getByTestId('url-REST').filter({ hasText: `${ui.url}/endpoints/cars-mpg/score` }).waitFor();
    assert.equal(await page.getByTestId('endpoint-version').innerText(), '1');
    const server = (await ui.api('GET', '/api/endpoints/cars-mpg')).json.metrics;
    assert.ok(server.requests >= 5, `the server counted ${server.requests} requests`);
    const shown = Number((await page.getByTestId('metric-requests').innerText()).replace(/,/g, ''));
    assert.ok(shown >= 5 && shown <= server.requests + 2, `the page shows ${shown} requests, the server ${server.requests}`);
    assert.match(await page.getByTestId('metric-p95').innerText(), /ms$/);
    await screenshot(page, 'production-endpoint-details');

    await page.getByRole('link', { name: 'Endpoints', exact: true }).first().click();
    await page.getByRole('table', { name: 'Endpoints' }).getByRole('link', { name: 'cars-mpg' }).waitFor();
    await screenshot(page, 'production-endpoints-list');
    noConsoleErrors(page);
  });

  test('Keys: regenerate after a confirmation, and the old key stops working at once', async () => {
    const page = await clipboardPage({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/endpoints/cars-mpg?tab=keys`);
    // This tab never saw the keys: it says so instead of showing them.
    await page.getByTestId('key-secondary').getByText(/Not shown in this tab/).waitFor();
    await page.getByTestId('key-secondary').getByRole('button', { name: 'Regenerate' }).click();
    const confirm = page.getByTestId('regenerate-dialog');
    await confirm.getByText(/stops working at once/).waitFor();
    await confirm.getByRole('button', { name: 'Regenerate the secondary key' }).click();
    const value = page.getByTestId('key-secondary-value');
    await value.waitFor();
    const fresh = await value.innerText();
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(fresh, endpoint.keys.secondary);
    await page.getByTestId('key-secondary').getByRole('button', { name: 'Copy the secondary key' }).click();
    assert.equal(await clipboard(page), fresh);
    await page.getByRole('button', { name: 'Hide the secondary key' }).click();
    assert.match(await value.innerText(), /^•+$/);
    await screenshot(page, 'production-keys');

    const body = { Inputs: { WebServiceInput0: [endpoint.row] }, GlobalParameters: {} };
    assert.equal((await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: endpoint.keys.secondary })).status, 401);
    assert.equal((await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: fresh })).status, 200);
    assert.equal((await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: endpoint.keys.primary })).status, 200);
    endpoint.keys.secondary = fresh;
    noConsoleErrors(page);
  });

  test('a name in use needs "Replace"; a redeploy is version 2 and keeps the keys', async () => {
    const page = await ui.page({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/pipelines/${trained.inferenceDraft}`);
    await waitSettled(page);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const dialog = page.getByTestId('deploy-dialog');
    await dialog.getByLabel('Endpoint name').fill('cars-mpg');
    const replace = dialog.getByRole('checkbox', { name: /Replace the existing endpoint/ });
    await replace.waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Deploy', exact: true }).isDisabled(), 'Deploy is refused until Replace is ticked');
    await replace.check();
    await dialog.getByRole('button', { name: 'Deploy a new version' }).click();
    await dialog.getByText('Deployed version 2').waitFor();
    assert.equal(await dialog.getByTestId('deployed-keys').count(), 0, 'a redeploy shows no keys');
    const body = { Inputs: { WebServiceInput0: [endpoint.row] }, GlobalParameters: {} };
    const r = await ui.api('POST', '/endpoints/cars-mpg/score', { body, token: endpoint.keys.primary });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.Results.WebServiceOutput0[0]['Scored Labels'], endpoint.prediction);
    noConsoleErrors(page);
  });
});

describe('batch: publish a batch inference pipeline and submit it with a dataset parameter', () => {
  test('Create inference pipeline (batch), Publish, then Submit with parameter values', async () => {
    assert.ok(trained, 'sample 1 was trained');
    const page = await ui.page({ width: 1440, height: 900 });
    await page.goto(`${ui.url}/pipelines/${trained.draftId}?run=${trained.runId}`);
    await page.getByTestId('run-status').and(page.locator('[data-status="completed"]')).waitFor();
    await page.getByRole('button', { name: 'Create inference pipeline' }).click();
    const dialog = page.getByTestId('inference-dialog');
    await dialog.getByRole('radio', { name: /Batch inference pipeline/ }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => /\/pipelines\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${trained.draftId}`));
    const batchId = Number(new URL(page.url()).pathname.split('/').pop());
    const doc = (await ui.api('GET', `/api/pipelines/${batchId}`)).json.document;
    assert.equal(doc.parameters.input_dataset?.type, 'dataset', JSON.stringify(doc.parameters));
    await waitSettled(page);
    // A batch pipeline is published, not deployed.
    assert.equal(await page.getByRole('button', { name: 'Deploy' }).count(), 0);

    await page.getByRole('button', { name: 'Publish' }).click();
    const publish = page.getByTestId('publish-dialog');
    // The name the server would refuse is refused here first, saying why.
    await publish.getByLabel('Name').fill('Car mileage, batch');
    await publish.getByTestId('publish-target').filter({ hasText: 'starting with a letter or a digit' }).waitFor();
    assert.ok(await publish.getByRole('button', { name: 'Publish', exact: true }).isDisabled());
    await publish.getByLabel('Name').fill('Car mileage batch');
    await publish.getByTestId('publish-target').filter({ hasText: 'A new published pipeline' }).waitFor();
    await screenshot(page, 'production-publish');
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.getByText('“Car mileage batch” version 1 is published.').waitFor();
    await publish.getByRole('link', { name: 'Open the published pipeline' }).click();
    await page.waitForURL(/\/published\/\d+$/);
    const pubId = Number(new URL(page.url()).pathname.split('/').pop());

    // The page lists the version, the default, and the parameters.
    await page.getByTestId('versions').locator('tr[data-version="1"]').getByText('default').waitFor();
    const form = page.getByTestId('published-submit');
    const input = form.locator('[data-param="input_dataset"]').locator('select, input');
    await input.waitFor();
    if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption('cars');
    else await input.fill('cars');
    await form.locator('[data-param="output_dataset"] input').fill('cars-scored-by-ui');
    await form.getByRole('button', { name: 'Submit' }).click();
    const started = form.getByRole('status').filter({ hasText: /Run \d+ of version 1 is submitted/ });
    await started.waitFor();
    const runId = Number((await started.innerText()).match(/Run (\d+)/)[1]);
    const record = await waitRun(runId);
    assert.equal(record.status, 'completed', record.error);
    assert.equal(record.parameters.input_dataset, 'cars');
    assert.equal(record.parameters.output_dataset, 'cars-scored-by-ui');
    // The scores were written where the parameter said.
    const written = await ui.api('GET', '/api/datasets/cars-scored-by-ui/versions');
    assert.equal(written.status, 200, written.text);
    const row = page.getByTestId('published-runs').locator(`tr[data-run="${runId}"]`);
    await row.locator('[data-status="completed"]').waitFor({ timeout: 20_000 });
    await screenshot(page, 'production-published');

    // Publishing again under the name adds version 2; the default stays 1 until changed.
    await page.goto(`${ui.url}/pipelines/${batchId}`);
    await waitSettled(page);
    await page.getByRole('button', { name: 'Publish' }).click();
    await publish.getByLabel('Name').fill('Car mileage batch');
    await publish.getByTestId('publish-target').filter({ hasText: 'A new version (2)' }).waitFor();
    await publish.getByRole('button', { name: 'Publish version 2' }).click();
    await publish.getByText('version 2 is published').waitFor();
    await page.goto(`${ui.url}/published/${pubId}`);
    const v2 = page.getByTestId('versions').locator('tr[data-version="2"]');
    await v2.getByRole('button', { name: 'Make default' }).click();
    await v2.getByText('default').waitFor();
    assert.equal((await ui.api('GET', `/api/published/${pubId}`)).json.default_version, 2);
    // The submit form now offers the new default.
    assert.equal(await form.locator('select').first().inputValue(), '2');

    // Disable: the pipeline refuses runs (the form too) until enabled again.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('h1 .disabled-pill').waitFor();
    assert.equal(await form.getByRole('button', { name: 'Submit' }).isDisabled(), true);
    await screenshot(page, 'production-published-disabled');
    assert.equal((await ui.api('POST', `/api/published/${pubId}/runs`, { body: {} })).status, 409);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('h1 .disabled-pill').waitFor({ state: 'detached' });
    assert.equal(await form.getByRole('button', { name: 'Submit' }).isDisabled(), false);
    assert.equal((await ui.api('GET', `/api/published/${pubId}`)).json.disabled, false);

    await page.getByRole('link', { name: 'Published', exact: true }).click();
    await page.getByRole('table', { name: 'Published pipelines' }).getByRole('link', { name: 'Car mileage batch' }).waitFor();
    noConsoleErrors(page);
  });
});

describe('unhappy paths', () => {
  test('a run that cannot become an inference pipeline says exactly why', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, {
      name: 'No model',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.5 } },
      ],
      edges: [{ from: 'cars.dataset', to: 'split.dataset' }],
    });
    await waitSettled(page);
    const r = await ui.api('POST', '/api/runs', { body: { pipeline_id: id, experiment: 'ui-tests' } });
    assert.equal(r.status, 202, r.text);
    await waitRun(r.json.run_id);
    await page.goto(`${ui.url}/pipelines/${id}?run=${r.json.run_id}`);
    await page.getByTestId('run-status').and(page.locator('[data-status="completed"]')).waitFor();
    await page.getByRole('button', { name: 'Create inference pipeline' }).click();
    const dialog = page.getByTestId('inference-dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const error = dialog.getByTestId('inference-error');
    await error.waitFor();
    // The server's reason, word for word.
    const server = await ui.api('POST', `/api/runs/${r.json.run_id}/inference-pipeline`, { body: { kind: 'realtime' } });
    assert.equal(server.status, 422, server.text);
    assert.ok((await error.innerText()).includes(server.json.error.message), `${await error.innerText()} lacks ${server.json.error.message}`);
    assert.match(server.json.error.message, /Train Model/);
    assert.match(page.url(), new RegExp(`/pipelines/${id}\\?run=`), 'the designer stays on the run');
    await screenshot(page, 'production-inference-refused');
    noConsoleErrors(page, [/422/]);
  });

  test('a Python script in the scoring path: the conversion warns before the draft opens', async () => {
    const page = await ui.page();
    const id = await openNewDraft(ui, page, {
      name: 'Mileage through Python',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        { id: 'select', module: 'select-columns@1', params: { columns: { exclude: [{ names: ['Name'] }] } } },
        { id: 'python', module: 'execute-python-script@1' },
        { id: 'clean', module: 'clean-missing-data@1', params: { columns_to_be_cleaned: { include: [{ all: true }] }, cleaning_mode: 'remove-entire-row' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 42 } },
        { id: 'linear', module: 'linear-regression@1' },
        { id: 'train', module: 'train-model@1', params: { label_column: 'Miles_per_Gallon' } },
        { id: 'score', module: 'score-model@1' },
      ],
      edges: [
        { from: 'cars.dataset', to: 'select.dataset' },
        { from: 'select.dataset', to: 'python.dataset1' },
        { from: 'python.result_dataset', to: 'clean.dataset' },
        { from: 'clean.cleaned_dataset', to: 'split.dataset' },
        { from: 'linear.untrained_model', to: 'train.untrained_model' },
        { from: 'split.first', to: 'train.dataset' },
        { from: 'train.trained_model', to: 'score.trained_model' },
        { from: 'split.second', to: 'score.dataset' },
      ],
    });
    await waitSettled(page);
    const r = await ui.api('POST', '/api/runs', { body: { pipeline_id: id, experiment: 'ui-tests' } });
    assert.equal(r.status, 202, r.text);
    const record = await waitRun(r.json.run_id);
    assert.equal(record.status, 'completed', record.error);
    await page.goto(`${ui.url}/pipelines/${id}?run=${r.json.run_id}`);
    await page.getByTestId('run-status').and(page.locator('[data-status="completed"]')).waitFor();
    await page.getByRole('button', { name: 'Create inference pipeline' }).click();
    const dialog = page.getByTestId('inference-dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const warnings = dialog.getByTestId('inference-warnings');
    await warnings.waitFor();
    // The server's warnings, each shown as it says it.
    const drafts = (await ui.api('GET', '/api/pipelines?limit=200')).json.pipelines;
    const made = drafts.find((d) => d.name === 'Mileage through Python (real-time inference)');
    assert.ok(made, `the new draft is listed: ${drafts.map((d) => d.name).join(', ')}`);
    const text = await warnings.innerText();
    assert.match(text, /node "python" \(execute-python-script@1\) runs Python on every request/);
    assert.match(text, /cannot use its fast path/);
    await screenshot(page, 'production-inference-warnings');
    await dialog.getByRole('button', { name: /^Open “/ }).click();
    await page.waitForURL(new RegExp(`/pipelines/${made.id}$`));
    await node(page, 'web-service-input').waitFor();
    noConsoleErrors(page);
  });

  test('an endpoint that is not there says so, and a deleted endpoint leaves the list', async () => {
    const page = await ui.page();
    await page.goto(`${ui.url}/endpoints/no-such-endpoint`);
    await page.getByRole('heading', { name: 'No endpoint is named “no-such-endpoint”' }).waitFor();

    const doc = (await ui.api('GET', `/api/pipelines/${trained.inferenceDraft}`)).json;
    const made = await ui.api('POST', '/api/endpoints', { body: { name: 'short-lived', draft_id: doc.id } });
    assert.equal(made.status, 201, made.text);
    await page.goto(`${ui.url}/endpoints/short-lived`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.waitForURL(/\/endpoints$/);
    await page.getByRole('table', { name: 'Endpoints' }).getByRole('link', { name: 'cars-mpg' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'short-lived' }).count(), 0);
    assert.equal((await ui.api('GET', '/api/endpoints/short-lived')).status, 404);
    noConsoleErrors(page, [/404/]);
  });
});
