// autos.mjs: what the inference and published-pipeline suites share: a
// made-up cars dataset (its miles per gallon a known linear function of
// horsepower, weight and origin, plus noise), the training pipeline the
// suites convert (Edit Metadata, Clean Missing Data, Split Data, Normalize
// Data with Apply Transformation, Linear Regression, two Score Models,
// Evaluate Model), and helpers to run pipelines and read their outputs.

import assert from 'node:assert/strict';

import { api } from './server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// n cars with ids from `first`; with `label`, the mpg column too. A few
// horsepower values are missing. Deterministic (a linear congruential
// generator seeded with `seed`).
export function autosCsv(n, { seed = 1, first = 1, label = true } = {}) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const origins = ['USA', 'Europe', 'Japan'];
  const lines = [label ? 'id,horsepower,weight,origin,mpg' : 'id,horsepower,weight,origin'];
  for (let i = 0; i < n; i++) {
    const hp = Math.round(50 + 180 * rand());
    const weight = Math.round(1500 + 3500 * rand());
    const origin = origins[Math.floor(3 * rand())];
    const mpg = 50 - 0.08 * hp - 0.004 * weight + (origin === 'Japan' ? 3 : 0) + 2 * (rand() - 0.5);
    const hpText = rand() < 0.05 ? '' : String(hp);
    const row = [first + i, hpText, weight, origin];
    if (label) row.push(mpg.toFixed(2));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export const trainingDocument = {
  format: 'weft.pipeline/1',
  name: 'Autos mpg',
  nodes: [
    { id: 'data', module: 'dataset@1', params: { dataset: 'autos' } },
    {
      id: 'meta',
      module: 'edit-metadata@1',
      params: { columns: { include: [{ names: ['id'] }] }, fields: 'clear-features' },
    },
    {
      id: 'clean',
      module: 'clean-missing-data@1',
      params: { columns_to_be_cleaned: { include: [{ type: 'numeric' }] }, cleaning_mode: 'replace-with-mean' },
    },
    { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 5 } },
    {
      id: 'norm',
      module: 'normalize-data@1',
      params: { columns_to_transform: { include: [{ names: ['horsepower', 'weight'] }] } },
    },
    { id: 'apply', module: 'apply-transformation@1' },
    { id: 'learner', module: 'linear-regression@1' },
    { id: 'train', module: 'train-model@1', params: { label_column: 'mpg' } },
    { id: 'score', module: 'score-model@1' },
    { id: 'score_train', module: 'score-model@1' },
    { id: 'evaluate', module: 'evaluate-model@1' },
  ],
  edges: [
    { from: 'data.dataset', to: 'meta.dataset' },
    { from: 'meta.dataset', to: 'clean.dataset' },
    { from: 'clean.cleaned_dataset', to: 'split.dataset' },
    { from: 'split.first', to: 'norm.dataset' },
    { from: 'norm.transformation_function', to: 'apply.transform' },
    { from: 'split.second', to: 'apply.dataset' },
    { from: 'learner.untrained_model', to: 'train.untrained_model' },
    { from: 'norm.transformed_dataset', to: 'train.dataset' },
    { from: 'train.trained_model', to: 'score.trained_model' },
    { from: 'apply.dataset', to: 'score.dataset' },
    { from: 'train.trained_model', to: 'score_train.trained_model' },
    { from: 'norm.transformed_dataset', to: 'score_train.dataset' },
    { from: 'score.scored_dataset', to: 'evaluate.scored_dataset' },
  ],
  layout: { data: { x: 40, y: 40 }, clean: { x: 40, y: 200 }, score: { x: 300, y: 500 } },
};

export function client(srv) {
  const call = (method, p, body) => api(srv.url, method, p, { body });
  // Waits for run `id` to end; returns it (with its steps).
  async function waitRun(id) {
    for (let i = 0; i < 1200; i++) {
      const run = (await call('GET', `/api/runs/${id}`)).json;
      if (['completed', 'failed', 'canceled'].includes(run.status)) return run;
      await sleep(50);
    }
    assert.fail(`run ${id} did not end`);
  }
  // Submits a run ({document} or {pipeline_id}, ...) and waits for it.
  async function runToEnd(body) {
    const r = await call('POST', '/api/runs', body);
    assert.equal(r.status, 202, r.text);
    return waitRun(r.json.run_id);
  }
  // A step's table output as records.
  async function records(runId, node, port) {
    const r = await call('GET', `/api/runs/${runId}/steps/${node}/outputs/${port}/download?format=json`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  }
  async function upload(name, csv) {
    const r = await call('POST', `/api/datasets?name=${name}`, csv);
    assert.equal(r.status, 201, r.text);
  }
  return { call, waitRun, runToEnd, records, upload };
}

// Scored Labels by id.
export const predictionsById = (rows) => new Map(rows.map((r) => [r.id, r['Scored Labels']]));

// Every id the training run scored is scored alike by `got`.
export function assertSamePredictions(trained, got) {
  const want = predictionsById(trained);
  const have = predictionsById(got);
  assert.ok(want.size > 10, `only ${want.size} training predictions`);
  for (const [id, value] of want) {
    assert.ok(have.has(id), `id ${id} was not scored`);
    assert.ok(Math.abs(have.get(id) - value) <= 1e-9 * Math.max(1, Math.abs(value)),
      `id ${id}: training predicted ${value}, inference ${have.get(id)}`);
  }
}

export const errorOf = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};
