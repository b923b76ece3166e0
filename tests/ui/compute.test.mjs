// compute.test.mjs: compute targets in the browser (#12): the Compute page
// lists the built-in target, adds a Slurm target from its form (and says
// why a bad setting is refused), removes it; a target can turn job arrays
// off with its checkbox; the designer's Submit dialog
// offers the targets, and the run it starts records the one chosen.

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';

import { openNewDraft, screenshot, startDesigner } from './harness.mjs';

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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('the Compute page lists local, adds a Slurm target with its settings, and removes it', async () => {
  const page = await ui.page();
  await page.goto(`${ui.url}/compute`);
  const table = page.getByRole('table', { name: 'Compute targets' });
  await table.getByTestId('compute-local').filter({ hasText: 'built in' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Compute' }).getAttribute('aria-current'), 'page');

  const form = page.getByRole('form', { name: 'Add a compute target' });
  // A setting the server refuses is said on the form, and nothing is saved.
  await form.getByLabel('Name').fill('bad');
  await form.getByLabel('CPUs per step').fill('many');
  await form.getByRole('button', { name: 'Add target' }).click();
  await form.getByRole('alert').filter({ hasText: '"cpus" must be an integer' }).waitFor();
  assert.equal((await ui.api('GET', '/api/compute/bad')).status, 404);

  await form.getByLabel('CPUs per step').fill('2');
  await form.getByLabel('Name').fill('hpc');
  await form.getByLabel('Partition').fill('debug');
  await form.getByLabel('Time limit per step').fill('30');
  await form.getByLabel('More sbatch options').fill('--qos=low  --exclusive');
  await form.getByRole('button', { name: 'Add target' }).click();
  const row = table.getByTestId('compute-hpc');
  await row.filter({ hasText: 'partition debug · time 30 · 2 CPUs · --qos=low --exclusive' }).waitFor();
  const saved = await ui.api('GET', '/api/compute/hpc');
  assert.equal(saved.status, 200, saved.text);
  assert.equal(saved.json.kind, 'slurm');
  assert.deepEqual(saved.json.config, {
    partition: 'debug',
    time_limit: '30',
    cpus: 2,
    sbatch_args: ['--qos=low', '--exclusive'],
  });
  assert.equal(await form.getByLabel('Name').inputValue(), '', 'the form is cleared');
  await screenshot(page, 'compute-page');

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Remove hpc' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await ui.api('GET', '/api/compute/hpc')).status, 404);
  // The refused submit shows up as a failed request; nothing else may.
  assert.deepEqual(
    page.consoleErrors.filter((e) => !/status of 422/.test(e)),
    [],
  );
});

test('a Slurm target can turn job arrays off, and says so', async () => {
  const page = await ui.page();
  await page.goto(`${ui.url}/compute`);
  const form = page.getByRole('form', { name: 'Add a compute target' });
  const arrays = form.getByLabel('Job arrays');
  assert.equal(await arrays.isChecked(), true, 'on by default');
  await form.getByLabel('Name').fill('single');
  await arrays.uncheck();
  await form.getByRole('button', { name: 'Add target' }).click();
  const row = page.getByRole('table', { name: 'Compute targets' }).getByTestId('compute-single');
  await row.filter({ hasText: 'no job arrays' }).waitFor();
  const saved = await ui.api('GET', '/api/compute/single');
  assert.equal(saved.status, 200, saved.text);
  assert.deepEqual(saved.json.config, { job_arrays: false });
  assert.equal(await arrays.isChecked(), true, 'the form is cleared');
  await screenshot(page, 'compute-job-arrays');
  assert.deepEqual(page.consoleErrors, []);
  assert.equal((await ui.api('DELETE', '/api/compute/single')).status, 200);
});

test('the Submit dialog offers the targets, and the run records the one chosen', async () => {
  const add = await ui.api('POST', '/api/compute', { body: { name: 'here', kind: 'local' } });
  assert.equal(add.status, 201, add.text);
  const page = await ui.page();
  await openNewDraft(ui, page, {
    nodes: [
      { id: 'rows', module: 'enter-data@1', params: { data: 'a,b\n1,2\n3,4\n' } },
      { id: 'split', module: 'split-data@1', params: { fraction: 0.5, seed: 1 } },
    ],
    edges: [{ from: 'rows.dataset', to: 'split.dataset' }],
  });
  await page.getByTestId('submit-why').filter({ hasText: 'Ready to run' }).waitFor();
  await page.getByTestId('submit').click();
  const dialog = page.getByTestId('submit-dialog');
  const select = dialog.getByTestId('submit-compute');
  await select.locator('option[value="here"]').waitFor({ state: 'attached' });
  assert.deepEqual(await select.locator('option').allTextContents(), ['local (this machine)', 'here (local)']);
  await select.selectOption('here');
  await screenshot(page, 'compute-submit-dialog');
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 30_000 });
  const runs = await ui.api('GET', '/api/runs');
  const id = runs.json.runs[0].id;
  const where = await ui.api('GET', `/api/runs/${id}/compute`);
  assert.equal(where.json.compute, 'here');
  // The choice is remembered for the next run.
  await sleep(100);
  await page.getByTestId('submit').click();
  assert.equal(await page.getByTestId('submit-dialog').getByTestId('submit-compute').inputValue(), 'here');
  assert.deepEqual(page.consoleErrors, []);
});
