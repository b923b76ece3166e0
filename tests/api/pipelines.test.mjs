// pipelines.test.mjs: pipeline drafts over HTTP: create, list, read, save
// with revisions (a stale save is refused), delete, validation per node and
// field, the schema at an output port, clone, import and export.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from './server.mjs';

const cities = (name = 'cities') => ({
  format: 'weft.pipeline/1',
  name,
  nodes: [
    {
      id: 'data',
      module: 'enter-data@1',
      params: { data: 'city,population,coastal\nLisbon,545000,true\nMadrid,3223000,false\n' },
    },
    { id: 'split', module: 'split-data@1', params: { fraction: 0.5, seed: 7 } },
  ],
  edges: [{ from: 'data.dataset', to: 'split.dataset' }],
  layout: { data: { x: 40, y: 40 }, split: { x: 40, y: 160 } },
});

const errorOf = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};

describe('pipeline drafts', () => {
  let srv;
  const call = (method, path, body) => api(srv.url, method, path, { body });
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('a document is saved as revision 1 and read back as it was written', async () => {
    const r = await call('POST', '/api/pipelines', cities());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'cities');
    assert.equal(r.json.revision, 1);
    assert.ok(Number.isInteger(r.json.id) && r.json.id > 0);
    assert.deepEqual(r.json.document, cities());
    const got = await call('GET', `/api/pipelines/${r.json.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json.document, cities());
    assert.equal(got.json.revision, 1);
  });

  test('{"document": ...} is accepted too, and a nameless pipeline gets a name', async () => {
    const doc = { format: 'weft.pipeline/1', nodes: [], edges: [] };
    const r = await call('POST', '/api/pipelines', { document: doc });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'Untitled pipeline');
    assert.deepEqual(r.json.document, doc);
  });

  test('a body that is not a pipeline is refused with the reason', async () => {
    errorOf(await call('POST', '/api/pipelines', {}), 422, 'invalid_pipeline');
    const wrongFormat = await call('POST', '/api/pipelines', { ...cities(), format: 'other/1' });
    errorOf(wrongFormat, 422, 'invalid_pipeline');
    assert.match(wrongFormat.json.error.message, /format/);
    errorOf(await call('POST', '/api/pipelines', { ...cities(), nodes: 'x' }), 422);
    errorOf(await call('POST', '/api/pipelines', { document: 7 }), 422, 'invalid');
    errorOf(await call('POST', '/api/pipelines', '{"format": '), 400, 'bad_json');
  });

  test('the list pages, newest change first, without documents', async () => {
    for (const n of ['p-a', 'p-b', 'p-c']) await call('POST', '/api/pipelines', cities(n));
    const all = await call('GET', '/api/pipelines');
    assert.equal(all.status, 200);
    assert.ok(all.json.total >= 3);
    assert.equal(all.json.pipelines[0].name, 'p-c');
    assert.equal(all.json.pipelines[0].document, undefined);
    const page = await call('GET', '/api/pipelines?offset=1&limit=1');
    assert.equal(page.json.pipelines.length, 1);
    assert.equal(page.json.pipelines[0].name, 'p-b');
    assert.equal(page.json.total, all.json.total);
    errorOf(await call('GET', '/api/pipelines?limit=x'), 400);
  });

  test('a save makes the next revision; a save from a stale revision is a 409', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('edited'));
    const v2 = await call('PUT', `/api/pipelines/${d.id}`, {
      revision: 1,
      document: cities('edited twice'),
    });
    assert.equal(v2.status, 200, v2.text);
    assert.equal(v2.json.revision, 2);
    assert.equal(v2.json.name, 'edited twice');
    const stale = await call('PUT', `/api/pipelines/${d.id}`, {
      revision: 1,
      document: cities('lost edit'),
    });
    errorOf(stale, 409, 'conflict');
    assert.equal(stale.json.error.details.revision, 2);
    const now = await call('GET', `/api/pipelines/${d.id}`);
    assert.equal(now.json.name, 'edited twice');
    assert.equal(now.json.revision, 2);
  });

  test('of two concurrent saves from the same revision exactly one wins', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('race'));
    const saves = await Promise.all(
      ['left', 'right'].map((n) =>
        call('PUT', `/api/pipelines/${d.id}`, { revision: 1, document: cities(n) }),
      ),
    );
    const statuses = saves.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409], saves.map((r) => r.text).join('\n'));
    const winner = saves.find((r) => r.status === 200).json;
    const now = await call('GET', `/api/pipelines/${d.id}`);
    assert.equal(now.json.revision, 2);
    assert.equal(now.json.name, winner.name);
  });

  test('a save needs a revision and a document of the right types', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('typed'));
    errorOf(await call('PUT', `/api/pipelines/${d.id}`, { document: cities() }), 422);
    errorOf(await call('PUT', `/api/pipelines/${d.id}`, { revision: '1', document: cities() }), 422);
    errorOf(await call('PUT', `/api/pipelines/${d.id}`, { revision: 1, document: [] }), 422);
    errorOf(await call('PUT', `/api/pipelines/${d.id}`, { revision: 1, document: {} }), 422);
    errorOf(await call('PUT', '/api/pipelines/99999', { revision: 1, document: cities() }), 404);
  });

  test('unknown ids are 404, whatever they look like', async () => {
    for (const id of ['99999', 'abc', '0', '-1', '1.5'])
      errorOf(await call('GET', `/api/pipelines/${id}`), 404, 'not_found');
    errorOf(await call('DELETE', '/api/pipelines/99999'), 404);
    errorOf(await call('POST', '/api/pipelines/99999/validate'), 404);
    errorOf(await call('POST', '/api/pipelines/99999/clone'), 404);
    errorOf(await call('GET', '/api/pipelines/99999/export'), 404);
  });

  test('a deleted pipeline is gone', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('doomed'));
    const r = await call('DELETE', `/api/pipelines/${d.id}`);
    assert.equal(r.status, 200, r.text);
    errorOf(await call('GET', `/api/pipelines/${d.id}`), 404);
    errorOf(await call('DELETE', `/api/pipelines/${d.id}`), 404);
  });

  test('validation lists the problems per node and field', async () => {
    const { json: ok } = await call('POST', '/api/pipelines', cities('valid'));
    const good = await call('POST', `/api/pipelines/${ok.id}/validate`);
    assert.equal(good.status, 200, good.text);
    assert.deepEqual(good.json, { valid: true, issues: [] });

    const doc = cities('broken');
    doc.nodes[1].params.fraction = 2; // out of range
    doc.nodes.push({ id: 'lonely', module: 'split-data@1', params: {} }); // no input
    doc.nodes.push({ id: 'ghost', module: 'no-such-module@1', params: {} });
    const { json: bad } = await call('POST', '/api/pipelines', doc);
    const r = await call('POST', `/api/pipelines/${bad.id}/validate`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, false);
    const has = (node, field) => r.json.issues.some((i) => i.node === node && i.field === field);
    assert.ok(has('split', 'fraction'), r.text);
    assert.ok(has('lonely', 'dataset'), r.text);
    assert.ok(r.json.issues.some((i) => i.node === 'ghost'), r.text);
    for (const i of r.json.issues) assert.equal(typeof i.message, 'string');
  });

  test('validation binds the parameters it is given', async () => {
    const doc = cities('parameterised');
    doc.parameters = { share: { type: 'number', default: 0.5 } };
    doc.nodes[1].params.fraction = { $param: 'share' };
    const { json: d } = await call('POST', '/api/pipelines', doc);
    const fine = await call('POST', `/api/pipelines/${d.id}/validate`, { parameters: { share: 0.3 } });
    assert.equal(fine.json.valid, true, fine.text);
    const off = await call('POST', `/api/pipelines/${d.id}/validate`, { parameters: { share: 3 } });
    assert.equal(off.json.valid, false, off.text);
    assert.ok(off.json.issues.some((i) => i.node === 'split'), off.text);
    errorOf(await call('POST', `/api/pipelines/${d.id}/validate`, { parameters: [1] }), 422);
  });

  test('the schema at an output port names its columns, types and roles', async () => {
    const doc = cities('schemas');
    doc.nodes.push({ id: 'lonely', module: 'split-data@1', params: {} });
    const { json: d } = await call('POST', '/api/pipelines', doc);
    const r = await call('GET', `/api/pipelines/${d.id}/schema?node=split&port=first`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'table');
    assert.deepEqual(r.json.columns, [
      { name: 'city', type: 'string', role: 'feature' },
      { name: 'population', type: 'integer', role: 'feature' },
      { name: 'coastal', type: 'boolean', role: 'feature' },
    ]);
    // Nothing flows into "lonely": its schema is unknown, not an error.
    const unknown = await call('GET', `/api/pipelines/${d.id}/schema?node=lonely&port=first`);
    assert.equal(unknown.status, 200, unknown.text);
    assert.equal(unknown.json.columns, null);
    errorOf(await call('GET', `/api/pipelines/${d.id}/schema?node=nope&port=first`), 404);
    errorOf(await call('GET', `/api/pipelines/${d.id}/schema?node=split&port=nope`), 404);
    errorOf(await call('GET', `/api/pipelines/${d.id}/schema?node=split`), 400);
  });

  test('a clone is a new draft at revision 1 with its own name', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('original'));
    await call('PUT', `/api/pipelines/${d.id}`, { revision: 1, document: cities('original') });
    const c = await call('POST', `/api/pipelines/${d.id}/clone`);
    assert.equal(c.status, 201, c.text);
    assert.notEqual(c.json.id, d.id);
    assert.equal(c.json.revision, 1);
    assert.equal(c.json.name, 'original (copy)');
    assert.equal(c.json.document.name, 'original (copy)');
    assert.deepEqual(c.json.document.nodes, cities().nodes);
    const named = await call('POST', `/api/pipelines/${d.id}/clone`, { name: 'variant' });
    assert.equal(named.json.name, 'variant');
    errorOf(await call('POST', `/api/pipelines/${d.id}/clone`, { name: 5 }), 422);
  });

  test('export gives the canonical document as a download, and import takes it back', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities('round trip'));
    const r = await call('GET', `/api/pipelines/${d.id}/export`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /application\/json/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="round-trip\.weft\.json"/);
    const canonical = JSON.parse(r.text);
    assert.equal(canonical.format, 'weft.pipeline/1');
    // Canonical: every parameter present, defaults filled in.
    const split = canonical.nodes.find((n) => n.id === 'split');
    assert.equal(split.params.fraction, 0.5);
    assert.equal(split.params.mode, 'split-rows');
    assert.equal(canonical.nodes.find((n) => n.id === 'data').params.data_format, 'csv');
    const again = await api(srv.url, 'GET', `/api/pipelines/${d.id}/export`);
    assert.equal(again.text, r.text, 'the same draft exports the same bytes');

    const imported = await call('POST', '/api/pipelines/import', r.text);
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.json.name, 'round trip');
    assert.deepEqual(imported.json.document, canonical);
    errorOf(await call('POST', '/api/pipelines/import', { format: 'nope' }), 422);
  });
});
