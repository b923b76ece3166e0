// published.test.mjs: published pipelines over HTTP. A batch inference
// draft and a training run are published as two versions of one name; the
// default version moves; a client submits runs with parameter values (a
// dataset among them), and each is an ordinary run (events, outputs) that
// the published pipeline lists. Every bad request answers why.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertSamePredictions, autosCsv, client, errorOf, trainingDocument } from './autos.mjs';
import { startServer } from './server.mjs';

// The events of an ended run, as its stream replays them.
async function eventsOf(url, id) {
  const r = await fetch(`${url}/api/runs/${id}/events`, { signal: AbortSignal.timeout(20_000) });
  assert.equal(r.status, 200);
  const text = await r.text();
  return text
    .split('\n\n')
    .map((block) => /^event: (.*)$/m.exec(block)?.[1])
    .filter(Boolean);
}

describe('published pipelines', () => {
  let srv;
  let c;
  let trainRun;
  let batchDraft;
  let pub; // {id, name}

  before(async () => {
    srv = await startServer();
    c = client(srv);
    await c.upload('autos', autosCsv(200));
    await c.upload('autos-nolabel', autosCsv(200, { label: false }));
    const run = await c.runToEnd({ document: trainingDocument });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    trainRun = run.id;
    const r = await c.call('POST', `/api/runs/${trainRun}/inference-pipeline`, {
      kind: 'batch',
      score_node: 'score',
    });
    assert.equal(r.status, 201, r.text);
    batchDraft = r.json.draft.id;
  });
  after(async () => {
    await srv?.stop();
  });

  test('publishing a draft, then a run, makes versions 1 and 2 of one name', async () => {
    const v1 = await c.call('POST', '/api/published', {
      name: 'Autos batch scoring',
      description: 'scores autos into a dataset',
      draft_id: batchDraft,
    });
    assert.equal(v1.status, 201, v1.text);
    assert.equal(v1.json.name, 'Autos batch scoring');
    assert.equal(v1.json.version, 1);
    assert.equal(v1.json.default_version, 1);
    pub = v1.json;
    const v2 = await c.call('POST', '/api/published', { name: 'Autos batch scoring', run_id: trainRun });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json.id, pub.id);
    assert.equal(v2.json.version, 2);
    assert.equal(v2.json.default_version, 1);

    const list = await c.call('GET', '/api/published');
    assert.equal(list.status, 200);
    assert.equal(list.json.published.length, 1);
    assert.equal(list.json.published[0].latest_version, 2);
    assert.equal(list.json.published[0].description, 'scores autos into a dataset');

    const detail = await c.call('GET', `/api/published/${pub.id}`);
    assert.equal(detail.status, 200, detail.text);
    assert.deepEqual(detail.json.versions.map((v) => [v.version, v.default]), [[1, true], [2, false]]);
    assert.equal(detail.json.versions[0].source, `draft:${batchDraft}@1`);
    assert.equal(detail.json.versions[1].source, `run:${trainRun}`);
    assert.deepEqual(Object.keys(detail.json.parameters).sort(), ['input_dataset', 'output_dataset']);

    const doc = await c.call('GET', `/api/published/${pub.id}/versions/2`);
    assert.equal(doc.status, 200, doc.text);
    assert.equal(doc.json.version, 2);
    assert.equal(doc.json.default, false);
    assert.equal(doc.json.document.name, 'Autos mpg');
    // Versions never change: editing the draft does not touch version 1.
    const draft = (await c.call('GET', `/api/pipelines/${batchDraft}`)).json;
    const saved = await c.call('PUT', `/api/pipelines/${batchDraft}`, {
      revision: draft.revision,
      document: { ...draft.document, name: 'edited' },
    });
    assert.equal(saved.status, 200, saved.text);
    const still = await c.call('GET', `/api/published/${pub.id}/versions/1`);
    assert.equal(still.json.document.name, 'Autos mpg (batch inference)');
  });

  test('the default version moves, and only to a version that exists', async () => {
    let r = await c.call('PATCH', `/api/published/${pub.id}`, { default_version: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.default_version, 2);
    assert.deepEqual(r.json.versions.map((v) => v.default), [false, true]);
    r = await c.call('PATCH', `/api/published/${pub.id}`, { default_version: 1 });
    assert.equal(r.json.default_version, 1);
    r = await c.call('PATCH', `/api/published/${pub.id}`, { default_version: 9 });
    errorOf(r, 422, 'unknown_version');
    assert.match(r.json.error.message, /has no version 9 \(it has 1 to 2\)/);
    errorOf(await c.call('PATCH', `/api/published/${pub.id}`, { default_version: 'two' }), 422, 'invalid');
    errorOf(await c.call('PATCH', `/api/published/${pub.id}`, {}), 422, 'invalid');
    errorOf(await c.call('PATCH', '/api/published/999', { default_version: 1 }), 404, 'not_found');
    errorOf(await c.call('GET', `/api/published/${pub.id}/versions/3`), 404, 'not_found');
    errorOf(await c.call('GET', `/api/published/${pub.id}/versions/x`), 404, 'not_found');
    errorOf(await c.call('GET', '/api/published/999'), 404, 'not_found');
  });

  test('a submitted run with parameters is a run like any other', async () => {
    const r = await c.call('POST', `/api/published/${pub.id}/runs`, {
      experiment: 'nightly',
      parameters: { input_dataset: 'autos-nolabel', output_dataset: 'autos-nightly' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.published_id, pub.id);
    assert.equal(r.json.version, 1);
    assert.equal(r.headers.get('location'), `/api/runs/${r.json.run_id}`);
    const run = await c.waitRun(r.json.run_id);
    assert.equal(run.status, 'completed', JSON.stringify(run));
    assert.equal(run.experiment, 'nightly');
    assert.deepEqual(run.parameters, { input_dataset: 'autos-nolabel', output_dataset: 'autos-nightly' });
    assert.ok(run.steps.every((s) => ['completed', 'reused'].includes(s.status)));
    // Its events and outputs, as for any run.
    const events = await eventsOf(srv.url, run.id);
    assert.equal(events[0], 'run');
    assert.ok(events.includes('step'));
    const scored = await c.records(run.id, 'score', 'scored_dataset');
    assert.equal(scored.length, 200);
    // The dataset parameter was read, and the scores registered.
    const rows = await c.call('GET', '/api/datasets/autos-nightly/download?format=json');
    assert.equal(rows.status, 200, rows.text);
    const trained = await c.records(trainRun, 'score', 'scored_dataset');
    assertSamePredictions(trained, rows.json);

    // Without a version or an experiment: the default version, in an
    // experiment named after the pipeline; version 2 when asked.
    const d = await c.call('POST', `/api/published/${pub.id}/runs`, {
      parameters: { input_dataset: 'autos', output_dataset: 'autos-default' },
    });
    assert.equal(d.status, 201, d.text);
    const dr = await c.waitRun(d.json.run_id);
    assert.equal(dr.status, 'completed', JSON.stringify(dr));
    assert.equal(dr.experiment, 'Autos batch scoring');
    const v2 = await c.call('POST', `/api/published/${pub.id}/runs`, { version: 2 });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json.version, 2);
    assert.equal((await c.waitRun(v2.json.run_id)).status, 'completed');

    const runs = await c.call('GET', `/api/published/${pub.id}/runs`);
    assert.equal(runs.status, 200, runs.text);
    assert.deepEqual(runs.json.runs.map((x) => [x.id, x.version]), [
      [v2.json.run_id, 2],
      [d.json.run_id, 1],
      [r.json.run_id, 1],
    ]);
    assert.equal(runs.json.runs[2].status, 'completed');
    assert.equal(runs.json.runs[2].experiment, 'nightly');
  });

  test('bad publications and submissions say why', async () => {
    for (const name of ['', ' lead', 'trail ', 'a/b', 'x'.repeat(101), 'new\nline']) {
      const r = await c.call('POST', '/api/published', { name, draft_id: batchDraft });
      errorOf(r, 422, 'invalid');
    }
    errorOf(await c.call('POST', '/api/published', { draft_id: batchDraft }), 422, 'invalid');
    errorOf(await c.call('POST', '/api/published', { name: 'n' }), 422, 'invalid');
    errorOf(await c.call('POST', '/api/published', { name: 'n', draft_id: batchDraft, run_id: trainRun }), 422, 'invalid');
    errorOf(await c.call('POST', '/api/published', { name: 'n', draft_id: 'one' }), 422, 'invalid');
    errorOf(await c.call('POST', '/api/published', { name: 'n', draft_id: 999 }), 404, 'not_found');
    errorOf(await c.call('POST', '/api/published', { name: 'n', run_id: 999 }), 404, 'not_found');
    errorOf(await c.call('POST', '/api/published', '{"name": '), 400);
    // A pipeline with a parameter that has no default.
    const needs = await c.call('POST', '/api/pipelines', {
      format: 'weft.pipeline/1',
      name: 'needs a dataset',
      parameters: { input: { type: 'dataset' } },
      nodes: [
        { id: 'data', module: 'dataset@1', params: { dataset: { $param: 'input' } } },
        { id: 'split', module: 'split-data@1' },
      ],
      edges: [{ from: 'data.dataset', to: 'split.dataset' }],
    });
    assert.equal(needs.status, 201, needs.text);
    const p = await c.call('POST', '/api/published', { name: 'needs-input', draft_id: needs.json.id });
    assert.equal(p.status, 201, p.text);
    const submit = (body) => c.call('POST', `/api/published/${p.json.id}/runs`, body);
    let r = await submit({});
    errorOf(r, 422, 'invalid_pipeline');
    assert.match(JSON.stringify(r.json.error.details), /pipeline parameter \\"input\\", which has no value/);
    r = await submit({ parameters: { input: 'no-such-dataset' } });
    errorOf(r, 422, 'invalid_pipeline');
    assert.match(JSON.stringify(r.json.error.details), /no-such-dataset/);
    r = await submit({ parameters: { input: 'autos', other: 1 } });
    errorOf(r, 422, 'invalid_pipeline');
    assert.match(JSON.stringify(r.json.error.details), /\\"other\\", which is not a parameter of this pipeline/);
    r = await submit({ parameters: { input: 3 } });
    errorOf(r, 422, 'invalid_pipeline');
    errorOf(await submit({ parameters: [1] }), 422, 'invalid');
    errorOf(await submit({ version: 4 }), 422, 'unknown_version');
    errorOf(await submit({ version: 0 }), 422, 'invalid');
    errorOf(await submit({ experiment: 5 }), 422, 'invalid');
    errorOf(await submit({ no_cache: 'yes' }), 422, 'invalid');
    errorOf(await c.call('POST', '/api/published/999/runs', {}), 404, 'not_found');
    errorOf(await c.call('GET', '/api/published/999/runs'), 404, 'not_found');
    // None of these started a run.
    const runs = await c.call('GET', `/api/published/${p.json.id}/runs`);
    assert.deepEqual(runs.json.runs, []);
    // And a good one does.
    r = await submit({ parameters: { input: 'autos' } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await c.waitRun(r.json.run_id)).status, 'completed');
  });

  test('a disabled pipeline refuses runs and keeps its runs; enabled again, it takes them', async () => {
    const needs = await c.call('POST', '/api/pipelines', {
      format: 'weft.pipeline/1',
      name: 'switched',
      nodes: [
        { id: 'data', module: 'dataset@1', params: { dataset: 'autos' } },
        { id: 'split', module: 'split-data@1' },
      ],
      edges: [{ from: 'data.dataset', to: 'split.dataset' }],
    });
    assert.equal(needs.status, 201, needs.text);
    const p = await c.call('POST', '/api/published', { name: 'switched', draft_id: needs.json.id });
    assert.equal(p.status, 201, p.text);
    const first = await c.call('POST', `/api/published/${p.json.id}/runs`, {});
    assert.equal(first.status, 201, first.text);
    assert.equal((await c.waitRun(first.json.run_id)).status, 'completed');

    let r = await c.call('PATCH', `/api/published/${p.json.id}`, { disabled: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.disabled, true);
    assert.equal(r.json.default_version, 1);
    const listed = (await c.call('GET', '/api/published')).json.published.find((x) => x.id === p.json.id);
    assert.equal(listed.disabled, true);
    r = await c.call('POST', `/api/published/${p.json.id}/runs`, {});
    errorOf(r, 409, 'disabled');
    assert.match(r.json.error.message, /published pipeline "switched" is disabled: enable it to submit runs/);
    // Its versions and past runs stay.
    assert.equal((await c.call('GET', `/api/published/${p.json.id}/versions/1`)).status, 200);
    const runs = (await c.call('GET', `/api/published/${p.json.id}/runs`)).json.runs;
    assert.deepEqual(runs.map((x) => x.id), [first.json.run_id]);
    errorOf(await c.call('PATCH', `/api/published/${p.json.id}`, { disabled: 'yes' }), 422, 'invalid');

    r = await c.call('PATCH', `/api/published/${p.json.id}`, { disabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.disabled, false);
    r = await c.call('POST', `/api/published/${p.json.id}/runs`, {});
    assert.equal(r.status, 201, r.text);
    assert.equal((await c.waitRun(r.json.run_id)).status, 'completed');
  });
});
