// The designer's own rules, checked against the server's: the column
// selection the picker previews must pick what the engine picks, a
// connection the canvas refuses must be one validation rejects (and one it
// accepts, one validation accepts), and auto-layout must draw every edge
// downwards without overlapping nodes. The TypeScript modules are bundled
// with esbuild (which Vite brings) and imported as they are.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from '../api/server.mjs';
import { ROOT } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'ui/package.json'));

async function load(entry) {
  const esbuild = require('esbuild');
  const out = await esbuild.build({
    entryPoints: [path.join(ROOT, 'ui/src', entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    absWorkingDir: path.join(ROOT, 'ui'),
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

const SCHEMA_DOC = 'name,price,qty,ok,when,colour\napple,1.5,3,true,2024-01-02,red\npear,2,,false,2024-02-03,green\n';

let server;
let sel;
let connect;
let layout;
let graph;
before(async () => {
  server = await startServer();
  [sel, connect, layout, graph] = await Promise.all([
    load('pipeline/selection.ts'),
    load('pipeline/connect.ts'),
    load('pipeline/layout.ts'),
    load('pipeline/graph.ts'),
  ]);
});
after(async () => {
  await server?.stop();
});

async function draftWith(doc) {
  const r = await api(server.url, 'POST', '/api/pipelines', { body: { format: 'weft.pipeline/1', ...doc } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

describe('column selection', () => {
  const selections = [
    { include: [{ names: ['price', 'name'] }] },
    { include: [{ type: 'numeric' }] },
    { include: [{ type: 'string' }] },
    { include: [{ type: 'boolean' }, { type: 'datetime' }] },
    { exclude: [{ names: ['colour'] }] },
    { include: [{ all: true }], exclude: [{ type: 'numeric' }] },
    { include: [{ indices: '1-2,5' }] },
    { include: [{ indices: ['3', 6] }] },
    { include: [{ role: 'feature' }], exclude: [{ indices: '2-4' }] },
    { start: 'all', rules: [{ op: 'exclude', type: 'string' }, { op: 'include', names: ['name'] }] },
    { start: 'none', rules: [{ op: 'include', role: 'label' }] },
    { start: 'none', rules: [{ op: 'include', type: 'integer' }, { op: 'include', names: 'name' }] },
  ];

  test('the picker picks the columns the engine picks', async () => {
    const id = await draftWith({
      nodes: [
        { id: 'rows', module: 'enter-data@1', params: { data: SCHEMA_DOC } },
        { id: 'pick', module: 'select-columns@1', params: {} },
      ],
      edges: [{ from: 'rows.dataset', to: 'pick.dataset' }],
    });
    const input = (await api(server.url, 'GET', `/api/pipelines/${id}/schema?node=rows&port=dataset`)).json.columns;
    assert.equal(input.length, 6);
    for (const s of selections) {
      const draft = (await api(server.url, 'GET', `/api/pipelines/${id}`)).json;
      draft.document.nodes[1].params.columns = s;
      const put = await api(server.url, 'PUT', `/api/pipelines/${id}`, { body: { revision: draft.revision, document: draft.document } });
      assert.equal(put.status, 200, put.text);
      const engine = (await api(server.url, 'GET', `/api/pipelines/${id}/schema?node=pick&port=dataset`)).json.columns;
      const parsed = sel.parseSelection(s);
      assert.ok(parsed, `the picker cannot read ${JSON.stringify(s)}`);
      const mine = sel.applySelection(parsed, input);
      if (engine === null) {
        assert.ok('error' in mine || mine.columns.length === 0, `engine refused ${JSON.stringify(s)}; the picker picked ${JSON.stringify(mine)}`);
      } else {
        assert.deepEqual(mine, { columns: engine.map((c) => c.name) }, JSON.stringify(s));
      }
      // What the picker writes back means the same to the engine.
      assert.deepEqual(sel.applySelection(sel.parseSelection(sel.rulesJson(parsed)), input), mine);
    }
  });

  test('the picker names the problem with a column that is not there', async () => {
    const r = sel.applySelection(sel.parseSelection({ include: [{ names: ['nope'] }] }), [{ name: 'a', type: 'numeric', role: 'feature' }]);
    assert.match(r.error, /column "nope" is not in the table/);
    const bad = sel.applySelection(sel.parseSelection({ include: [{ indices: '3-1' }] }), [{ name: 'a', type: 'numeric', role: 'feature' }]);
    assert.match(bad.error, /not a valid range/);
    assert.equal(sel.parseSelection({ include: [{ colour: 'red' }] }), null);
    assert.equal(sel.parseSelection([1, 2]), null);
  });
});

describe('connections', () => {
  test('what the canvas refuses, validation rejects; what it accepts, validation accepts', async () => {
    const modules = (await api(server.url, 'GET', '/api/modules')).json.modules;
    const { Catalogue } = await load('pipeline/catalogue.ts');
    const catalogue = new Catalogue(modules);
    // Every pair of (output, input) ports across a sample of modules, each
    // tried as the only edge of a two-node pipeline.
    const sample = modules.filter((m) => m.id !== 'dataset@1').slice(0, 40);
    const withOutputs = sample.filter((m) => m.outputs.length > 0);
    const withInputs = sample.filter((m) => m.inputs.length > 0);
    let tried = 0;
    for (const a of withOutputs.slice(0, 8)) {
      for (const b of withInputs.slice(0, 8)) {
        const out = a.outputs[0];
        for (const inp of b.inputs) {
          const nodes = [
            { id: 'a', type: 'module', position: { x: 0, y: 0 }, data: { module: a.id, params: {} } },
            { id: 'b', type: 'module', position: { x: 0, y: 0 }, data: { module: b.id, params: {} } },
          ];
          const problem = connect.connectionProblem(
            { source: 'a', sourceHandle: out.name, target: 'b', targetHandle: inp.name },
            nodes,
            [],
            catalogue,
          );
          const doc = {
            format: 'weft.pipeline/1',
            nodes: [
              { id: 'a', module: a.id },
              { id: 'b', module: b.id },
            ],
            edges: [{ from: `a.${out.name}`, to: `b.${inp.name}` }],
          };
          const id = await draftWith(doc);
          const v = (await api(server.url, 'POST', `/api/pipelines/${id}/validate`)).json;
          const kindIssue = v.issues.some((i) => i.node === 'b' && i.field === inp.name && /cannot connect/.test(i.message));
          assert.equal(problem !== null, kindIssue, `${a.id}.${out.name} -> ${b.id}.${inp.name}: canvas says ${problem}, server says ${JSON.stringify(v.issues)}`);
          tried++;
        }
      }
    }
    assert.ok(tried > 0);
  });

  test('a second edge into an input and a cycle are refused, as validation refuses them', async () => {
    const modules = (await api(server.url, 'GET', '/api/modules')).json.modules;
    const { Catalogue } = await load('pipeline/catalogue.ts');
    const catalogue = new Catalogue(modules);
    const n = (id, module) => ({ id, type: 'module', position: { x: 0, y: 0 }, data: { module, params: {} } });
    const nodes = [n('d', 'dataset@1'), n('e', 'dataset@1'), n('s', 'split-data@1'), n('t', 'split-data@1')];
    const edges = [graph.makeEdge('d', 'dataset', 's', 'dataset'), graph.makeEdge('s', 'first', 't', 'dataset')];
    const second = connect.connectionProblem({ source: 'e', sourceHandle: 'dataset', target: 's', targetHandle: 'dataset' }, nodes, edges, catalogue);
    assert.match(second, /already has a connection \(from "d\.dataset"\)/);
    const cycleEdges = [graph.makeEdge('s', 'first', 't', 'dataset')];
    const cycle = connect.connectionProblem({ source: 't', sourceHandle: 'first', target: 's', targetHandle: 'dataset' }, nodes, cycleEdges, catalogue);
    assert.match(cycle, /cycle/);
    assert.match(connect.connectionProblem({ source: 's', sourceHandle: 'first', target: 's', targetHandle: 'dataset' }, nodes, [], catalogue), /itself/);

    const id = await draftWith({
      nodes: [
        { id: 's', module: 'split-data@1' },
        { id: 't', module: 'split-data@1' },
      ],
      edges: [
        { from: 's.first', to: 't.dataset' },
        { from: 't.first', to: 's.dataset' },
      ],
    });
    const v = (await api(server.url, 'POST', `/api/pipelines/${id}/validate`)).json;
    assert.ok(v.issues.some((i) => /cycle/.test(i.message)), JSON.stringify(v.issues));
  });
});

describe('auto-layout', () => {
  test('draws every edge downwards and overlaps no nodes', () => {
    // A random DAG of 60 nodes: edges only from lower to higher index.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const nodes = Array.from({ length: 60 }, (_, i) => ({
      id: `n${i}`,
      type: 'module',
      position: { x: 0, y: 0 },
      measured: { width: 200 + Math.floor(rand() * 60), height: 60 + Math.floor(rand() * 30) },
      data: { module: 'split-data@1', params: {} },
    }));
    const edges = [];
    for (let i = 1; i < 60; i++) {
      const from = Math.floor(rand() * i);
      edges.push(graph.makeEdge(`n${from}`, 'first', `n${i}`, 'dataset'));
      if (rand() < 0.3) edges.push(graph.makeEdge(`n${Math.floor(rand() * i)}`, 'second', `n${i}`, 'other'));
    }
    const laid = layout.layeredLayout(nodes, edges);
    const at = new Map(laid.map((n) => [n.id, n]));
    for (const e of edges) {
      const a = at.get(e.source);
      const b = at.get(e.target);
      assert.ok(b.position.y >= a.position.y + a.measured.height, `${e.source} -> ${e.target} does not go down`);
    }
    for (let i = 0; i < laid.length; i++) {
      for (let k = i + 1; k < laid.length; k++) {
        const a = laid[i];
        const b = laid[k];
        const apart =
          a.position.x + a.measured.width <= b.position.x ||
          b.position.x + b.measured.width <= a.position.x ||
          a.position.y + a.measured.height <= b.position.y ||
          b.position.y + b.measured.height <= a.position.y;
        assert.ok(apart, `${a.id} and ${b.id} overlap`);
      }
    }
  });
});
