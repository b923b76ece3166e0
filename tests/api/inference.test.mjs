// inference.test.mjs: "Create inference pipeline" over HTTP. A training
// run (tests/api/autos.mjs) becomes a real-time and a batch draft; both run
// like any pipeline and predict exactly what the training run's Score Model
// predicted for the same rows, also for rows without the label. Every
// refusal answers why.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertSamePredictions, autosCsv, client, errorOf, trainingDocument } from './autos.mjs';
import { startServer } from './server.mjs';

describe('inference pipelines', () => {
  let srv;
  let c;
  let trainRun;
  let trained; // the training Score Model's rows

  before(async () => {
    srv = await startServer();
    c = client(srv);
    await c.upload('autos', autosCsv(200));
    await c.upload('autos-nolabel', autosCsv(200, { label: false }));
    const run = await c.runToEnd({ document: trainingDocument });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    trainRun = run.id;
    trained = await c.records(trainRun, 'score', 'scored_dataset');
  });
  after(async () => {
    await srv?.stop();
  });

  async function draftOf(body) {
    const r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/api/pipelines/${r.json.draft.id}`);
    assert.equal(r.json.draft.revision, 1);
    assert.ok(Array.isArray(r.json.warnings));
    const d = await c.call('GET', `/api/pipelines/${r.json.draft.id}`);
    assert.equal(d.status, 200, d.text);
    return { created: r.json, draft: d.json };
  }

  const node = (doc, id) => doc.nodes.find((n) => n.id === id);
  const edge = (doc, from, to) => doc.edges.some((e) => e.from === from && e.to === to);

  test('a real-time draft follows the rules and predicts what training predicted', async () => {
    const { created, draft } = await draftOf({ kind: 'realtime', score_node: 'score' });
    assert.equal(created.kind, 'realtime');
    assert.equal(draft.name, 'Autos mpg (real-time inference)');
    const doc = draft.document;
    for (const gone of ['split', 'evaluate', 'learner', 'score_train']) assert.equal(node(doc, gone), undefined, gone);
    assert.equal(node(doc, 'train').module, 'trained-model@1');
    const steps = (await c.call('GET', `/api/runs/${trainRun}`)).json.steps;
    assert.equal(node(doc, 'train').params.artifact, steps.find((s) => s.node === 'train').outputs.trained_model);
    assert.equal(node(doc, 'norm').module, 'fitted-transform@1');
    assert.equal(node(doc, 'norm').params.artifact, steps.find((s) => s.node === 'norm').outputs.transformation_function);
    assert.equal(node(doc, 'clean').module, 'apply-transformation@1');
    assert.equal(node(doc, 'clean-transform').module, 'fitted-transform@1');
    assert.ok(edge(doc, 'data.dataset', 'web-service-input.dataset'));
    assert.ok(edge(doc, 'web-service-input.dataset', 'meta.dataset'));
    assert.ok(edge(doc, 'clean.dataset', 'apply.dataset'));
    assert.ok(edge(doc, 'score.scored_dataset', 'web-service-output.dataset'));
    const schema = JSON.parse(node(doc, 'web-service-input').params.schema);
    assert.deepEqual(schema.columns.map((col) => col.name), ['id', 'horsepower', 'weight', 'origin']);
    assert.deepEqual(schema.columns.find((col) => col.name === 'origin').levels.sort(), ['Europe', 'Japan', 'USA']);
    // Positions come along; new nodes sit beside the ones they stand for.
    assert.deepEqual(doc.layout.data, { x: 40, y: 40 });
    assert.deepEqual(doc.layout['web-service-output'], { x: 300, y: 610 });
    // It validates, and it runs.
    const v = await c.call('POST', `/api/pipelines/${created.draft.id}/validate`, {});
    assert.equal(v.status, 200, v.text);
    assert.deepEqual(v.json.issues, []);
    const run = await c.runToEnd({ pipeline_id: created.draft.id });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    const got = await c.records(run.id, 'web-service-output', 'dataset');
    assert.equal(got.length, 200);
    assertSamePredictions(trained, got);
  });

  test('a batch draft scores the dataset its parameter names into a new dataset', async () => {
    const { created, draft } = await draftOf({ kind: 'batch', score_node: 'score', name: 'Autos nightly' });
    assert.equal(draft.name, 'Autos nightly');
    const doc = draft.document;
    assert.deepEqual(doc.parameters.input_dataset, { type: 'dataset', default: 'autos' });
    assert.deepEqual(doc.parameters.output_dataset, { type: 'string', default: 'autos-scored' });
    assert.deepEqual(node(doc, 'data').params.dataset, { $param: 'input_dataset' });
    assert.equal(node(doc, 'web-service-input'), undefined);
    assert.equal(node(doc, 'export-scores').module, 'export-data@1');
    // Rows without the label, scored into a dataset of their own.
    const run = await c.runToEnd({
      pipeline_id: created.draft.id,
      parameters: { input_dataset: 'autos-nolabel', output_dataset: 'autos-batch' },
    });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    const ds = await c.call('GET', '/api/datasets/autos-batch');
    assert.equal(ds.status, 200, ds.text);
    assert.equal(ds.json.version, 1);
    const rows = await c.call('GET', '/api/datasets/autos-batch/download?format=json');
    assert.equal(rows.status, 200, rows.text);
    assert.equal(rows.json.length, 200);
    assert.ok(!('mpg' in rows.json[0]));
    assertSamePredictions(trained, rows.json);
    // Run again: the next version.
    const again = await c.runToEnd({
      pipeline_id: created.draft.id,
      parameters: { input_dataset: 'autos-nolabel', output_dataset: 'autos-batch' },
    });
    assert.equal(again.status, 'completed');
    assert.equal((await c.call('GET', '/api/datasets/autos-batch')).json.version, 2);
  });

  test('refusals say why', async () => {
    errorOf(await c.call('POST', '/api/runs/99999/inference-pipeline', {}), 404, 'not_found');
    errorOf(await c.call('POST', '/api/runs/abc/inference-pipeline', {}), 404, 'not_found');
    // Two Score Models and none chosen.
    let r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, {});
    errorOf(r, 422, 'not_convertible');
    assert.match(r.json.error.message, /has 2 Score Models \("score", "score_train"\): choose the one to serve/);
    r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, { score_node: 'train' });
    errorOf(r, 422, 'not_convertible');
    assert.match(r.json.error.message, /node "train" is train-model@1, not a Score Model/);
    r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, { kind: 'streaming' });
    errorOf(r, 422, 'invalid');
    r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, { score_node: 7 });
    errorOf(r, 422, 'invalid');
    r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, '{"kind": ');
    errorOf(r, 400);
    // A run that failed.
    const failed = await c.runToEnd({
      document: { format: 'weft.pipeline/1', name: 'fails', nodes: [{ id: 'boom', module: 'test-fail@1' }], edges: [] },
    });
    assert.equal(failed.status, 'failed');
    r = await c.call('POST', `/api/runs/${failed.id}/inference-pipeline`, {});
    errorOf(r, 422, 'not_convertible');
    assert.match(r.json.error.message, new RegExp(`run ${failed.id} is failed, not completed`));
    // A run that trained nothing.
    const split = await c.runToEnd({
      document: {
        format: 'weft.pipeline/1',
        name: 'split only',
        nodes: [
          { id: 'data', module: 'dataset@1', params: { dataset: 'autos' } },
          { id: 'split', module: 'split-data@1' },
        ],
        edges: [{ from: 'data.dataset', to: 'split.dataset' }],
      },
    });
    assert.equal(split.status, 'completed');
    r = await c.call('POST', `/api/runs/${split.id}/inference-pipeline`, {});
    errorOf(r, 422, 'not_convertible');
    assert.match(r.json.error.message, /has no Train Model/);
    // No draft was left behind by a refusal.
    const drafts = (await c.call('GET', '/api/pipelines')).json;
    assert.ok(drafts.pipelines.every((p) => /inference|nightly/i.test(p.name)), JSON.stringify(drafts));
  });
});
