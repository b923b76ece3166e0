// models.test.mjs: the model registry over HTTP: registering a step's
// output as numbered versions, listing, reading a version, lineage back to
// the run, the step and the dataset versions it read, and download.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from './server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const errorOf = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};

describe('models', () => {
  let srv;
  let runId;
  let failedRun;
  const call = (method, p, body) => api(srv.url, method, p, { body });

  async function runToEnd(document) {
    const r = await call('POST', '/api/runs', { document });
    assert.equal(r.status, 202, r.text);
    for (let i = 0; i < 600; i++) {
      const run = (await call('GET', `/api/runs/${r.json.run_id}`)).json;
      if (['completed', 'failed', 'canceled'].includes(run.status)) return run;
      await sleep(50);
    }
    assert.fail('the run did not end');
  }

  before(async () => {
    srv = await startServer();
    // A registered dataset, so that lineage has a dataset version to name.
    const up = await call('POST', '/api/datasets?name=prices', 'size,price\n1,10\n2,19\n3,31\n4,42\n');
    assert.equal(up.status, 201, up.text);
    const run = await runToEnd({
      format: 'weft.pipeline/1',
      name: 'prices',
      nodes: [
        { id: 'data', module: 'dataset@1', params: { dataset: 'prices' } },
        { id: 'split', module: 'split-data@1', params: { fraction: 0.5, seed: 1 } },
      ],
      edges: [{ from: 'data.dataset', to: 'split.dataset' }],
    });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    runId = run.id;
    const failed = await runToEnd({
      format: 'weft.pipeline/1',
      name: 'fails',
      nodes: [{ id: 'boom', module: 'test-fail@1', params: {} }],
      edges: [],
    });
    assert.equal(failed.status, 'failed');
    failedRun = failed.id;
  });
  after(async () => {
    await srv?.stop();
  });

  test('registering an output makes version 1, then 2', async () => {
    const body = { name: 'price-model', description: 'first try', run_id: runId, node: 'split', port: 'first' };
    const v1 = await call('POST', '/api/models', body);
    assert.equal(v1.status, 201, v1.text);
    assert.equal(v1.json.name, 'price-model');
    assert.equal(v1.json.version, 1);
    assert.equal(v1.json.description, 'first try');
    assert.equal(v1.json.run_id, runId);
    assert.equal(v1.json.node, 'split');
    assert.equal(v1.json.port, 'first');
    assert.equal(v1.json.kind, 'table');
    const step = (await call('GET', `/api/runs/${runId}`)).json.steps.find((s) => s.node === 'split');
    assert.equal(v1.json.digest, step.outputs.first);
    const v2 = await call('POST', '/api/models', { ...body, description: 'second', port: 'second' });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json.version, 2);
  });

  test('the list shows the latest version of each model', async () => {
    await call('POST', '/api/models', { name: 'another', run_id: runId, node: 'data', port: 'dataset' });
    const r = await call('GET', '/api/models');
    assert.equal(r.status, 200);
    const byName = Object.fromEntries(r.json.models.map((m) => [m.name, m]));
    assert.equal(byName['price-model'].version, 2);
    assert.equal(byName['price-model'].versions, 2);
    assert.equal(byName.another.version, 1);
    assert.deepEqual(
      r.json.models.map((m) => m.name),
      r.json.models.map((m) => m.name).sort(),
    );
  });

  test('a model reads as its latest version, or the version asked for', async () => {
    const latest = await call('GET', '/api/models/price-model');
    assert.equal(latest.status, 200);
    assert.equal(latest.json.version, 2);
    const v1 = await call('GET', '/api/models/price-model?version=1');
    assert.equal(v1.json.version, 1);
    assert.equal(v1.json.description, 'first try');
    const versions = await call('GET', '/api/models/price-model/versions');
    assert.deepEqual(
      versions.json.versions.map((v) => v.version),
      [1, 2],
    );
  });

  test('lineage leads back to the run, the step and the dataset version', async () => {
    const r = await call('GET', '/api/models/price-model/lineage?version=1');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model.version, 1);
    assert.equal(r.json.run.id, runId);
    assert.equal(r.json.run.pipeline, 'prices');
    assert.equal(r.json.run.status, 'completed');
    assert.equal(r.json.step.node, 'split');
    assert.equal(r.json.step.module, 'split-data@1');
    const ds = (await call('GET', '/api/datasets/prices')).json;
    assert.equal(r.json.datasets.length, 1);
    assert.equal(r.json.datasets[0].node, 'data');
    assert.equal(r.json.datasets[0].name, 'prices');
    assert.equal(r.json.datasets[0].version, 1);
    assert.match(r.json.datasets[0].digest, /^[0-9a-f]{64}$/);
    assert.equal(ds.version, 1);
    // A new dataset version later does not change what trained this model.
    const up = await call('POST', '/api/datasets?name=prices', 'size,price\n5,50\n6,61\n');
    assert.equal(up.status, 201, up.text);
    const again = await call('GET', '/api/models/price-model/lineage?version=1');
    assert.deepEqual(again.json.datasets, r.json.datasets);
  });

  test('a model downloads as its artifact', async () => {
    const r = await call('GET', '/api/models/price-model/download?version=1');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="price-model-v1\.csv"/);
    assert.equal(r.text.split('\n')[0], 'size,price');
    const rows = r.text.trim().split('\n').length - 1;
    const v2 = await call('GET', '/api/models/price-model/download');
    assert.equal(rows + v2.text.trim().split('\n').length - 1, 4);
  });

  test('registering something that does not exist is a 404; a failed step has nothing to register', async () => {
    const ok = { name: 'm', run_id: runId, node: 'split', port: 'first' };
    errorOf(await call('POST', '/api/models', { ...ok, run_id: 99999 }), 404);
    errorOf(await call('POST', '/api/models', { ...ok, node: 'nope' }), 404);
    errorOf(await call('POST', '/api/models', { ...ok, port: 'nope' }), 404);
    const failed = { name: 'm', run_id: failedRun, node: 'boom', port: 'dataset' };
    errorOf(await call('POST', '/api/models', failed), 409, 'no_output');
    errorOf(await call('GET', '/api/models/m'), 404);
  });

  test('wrong fields and bad names are refused', async () => {
    const ok = { name: 'm', run_id: runId, node: 'split', port: 'first' };
    errorOf(await call('POST', '/api/models', { ...ok, run_id: '1' }), 422);
    errorOf(await call('POST', '/api/models', { ...ok, node: 3 }), 422);
    errorOf(await call('POST', '/api/models', { ...ok, name: undefined }), 422);
    errorOf(await call('POST', '/api/models', { ...ok, description: ['x'] }), 422);
    errorOf(await call('POST', '/api/models', { ...ok, name: 'bad name!' }), 422);
    errorOf(await call('POST', '/api/models', { ...ok, name: '-dash' }), 422);
    errorOf(await call('POST', '/api/models', '[1, 2]'), 400);
  });

  test('unknown models and versions are 404', async () => {
    errorOf(await call('GET', '/api/models/nothing'), 404, 'not_found');
    errorOf(await call('GET', '/api/models/nothing/versions'), 404);
    errorOf(await call('GET', '/api/models/nothing/lineage'), 404);
    errorOf(await call('GET', '/api/models/nothing/download'), 404);
    errorOf(await call('GET', '/api/models/price-model?version=9'), 404);
    errorOf(await call('GET', '/api/models/bad%20name'), 404);
    errorOf(await call('GET', '/api/models/price-model?version=x'), 400);
  });
});
