// endpoints.test.mjs: real-time endpoints against a live server. A cars
// regression is trained in the test; its inference pipeline (hand-written,
// with trained-model holding Train Model's artifact, and the one Create
// inference pipeline makes) is deployed; every protocol (native/Azure,
// MLflow's four shapes, Open Inference Protocol v2) must predict exactly
// what the training run's Score Model wrote for the same rows. Then keys
// (missing, wrong, secondary, regenerated: the old one refused at once,
// none ever in the server's output), 400s that name the column and the
// row, 413, a redeploy under load without one failed request, metrics,
// endpoints changed from the command line while the server runs, a
// Python client written as the Azure designer's Consume tab writes one, an
// exported bundle served by `weft endpoint serve`, and delete.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { api, startServer, WEFT_BINARY } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SAMPLES = process.env.WEFT_SAMPLES_DIR ?? path.resolve(here, '../../.cache/samples');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const FEATURES = [
  ['Name', 'string'],
  ['Cylinders', 'integer'],
  ['Displacement', 'numeric'],
  ['Horsepower', 'integer'],
  ['Weight_in_lbs', 'integer'],
  ['Acceleration', 'numeric'],
  ['Year', 'datetime'],
  ['Origin', 'categorical'],
];

const training = {
  format: 'weft.pipeline/1',
  name: 'cars mpg',
  nodes: [
    { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
    { id: 'columns', module: 'select-columns@1', params: { columns: { exclude: [{ names: ['Name'] }] } } },
    {
      id: 'clean',
      module: 'clean-missing-data@1',
      params: { columns_to_be_cleaned: { include: [{ all: true }] }, cleaning_mode: 'remove-entire-row' },
    },
    { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 42 } },
    { id: 'learner', module: 'linear-regression@1' },
    { id: 'train', module: 'train-model@1', params: { label_column: 'Miles_per_Gallon' } },
    { id: 'score', module: 'score-model@1' },
  ],
  edges: [
    { from: 'cars.dataset', to: 'columns.dataset' },
    { from: 'columns.dataset', to: 'clean.dataset' },
    { from: 'clean.cleaned_dataset', to: 'split.dataset' },
    { from: 'learner.untrained_model', to: 'train.untrained_model' },
    { from: 'split.first', to: 'train.dataset' },
    { from: 'train.trained_model', to: 'score.trained_model' },
    { from: 'split.second', to: 'score.dataset' },
  ],
};

// The inference pipeline, written by hand: the request's rows, Name
// dropped as in training, scored by the trained model.
const inference = (modelDigest, levels, { append = true } = {}) => ({
  format: 'weft.pipeline/1',
  name: 'cars mpg (real-time)',
  nodes: [
    {
      id: 'in',
      module: 'web-service-input@1',
      params: {
        schema: JSON.stringify({
          columns: FEATURES.map(([name, type]) => (type === 'categorical' ? { name, type, levels } : { name, type })),
        }),
      },
    },
    { id: 'columns', module: 'select-columns@1', params: { columns: { exclude: [{ names: ['Name'] }] } } },
    { id: 'model', module: 'trained-model@1', params: { artifact: modelDigest, source: 'train of the test run' } },
    { id: 'score', module: 'score-model@1', params: { append_score_columns_to_output: append } },
    { id: 'out', module: 'web-service-output@1' },
  ],
  edges: [
    { from: 'in.dataset', to: 'columns.dataset' },
    { from: 'columns.dataset', to: 'score.dataset' },
    { from: 'model.trained_model', to: 'score.trained_model' },
    { from: 'score.scored_dataset', to: 'out.dataset' },
  ],
});

const close = (a, b) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));

function runCli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(WEFT_BINARY, args, { env: { ...process.env, WEFT_NO_SAMPLES: '1', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

describe('endpoints', () => {
  let srv;
  let runId;
  let digest;
  let levels;
  let rows; // request rows (objects with every input column)
  let expected; // the training run's Scored Labels for those rows
  let keys;
  const seenKeys = [];
  const call = (method, p, body, opts = {}) => api(srv.url, method, p, { body, ...opts });
  const score = (name, body, key, proto = 'score') =>
    api(srv.url, 'POST', proto === 'v2' ? `/v2/models/${name}/infer` : `/endpoints/${name}/${proto}`, {
      body,
      token: key,
    });
  const native = (r) => ({ Inputs: { WebServiceInput0: r }, GlobalParameters: {} });

  async function runToEnd(document) {
    const r = await call('POST', '/api/runs', { document });
    assert.equal(r.status, 202, r.text);
    for (let i = 0; i < 1200; i++) {
      const run = (await call('GET', `/api/runs/${r.json.run_id}`)).json;
      if (['completed', 'failed', 'canceled'].includes(run.status)) return run;
      await sleep(50);
    }
    assert.fail('the run did not end');
  }

  before(async () => {
    srv = await startServer();
    const cars = await readFile(path.join(SAMPLES, 'cars.json'));
    const up = await call('POST', '/api/datasets?name=cars&format=json', cars);
    assert.equal(up.status, 201, up.text);
    const run = await runToEnd(training);
    assert.equal(run.status, 'completed', JSON.stringify(run));
    runId = run.id;
    digest = run.steps.find((s) => s.node === 'train').outputs.trained_model;
    assert.match(digest, /^[0-9a-f]{64}$/);
    // The rows Score Model scored in training, and what it said.
    const prev = await call('GET', `/api/runs/${runId}/steps/score/outputs/scored_dataset?limit=25`);
    assert.equal(prev.status, 200, prev.text);
    const names = prev.json.schema.map((c) => c.name);
    const originCol = prev.json.schema.find((c) => c.name === 'Origin');
    assert.equal(originCol.type, 'categorical');
    levels = ['USA', 'Europe', 'Japan'];
    rows = [];
    expected = [];
    for (const cells of prev.json.rows) {
      const rec = Object.fromEntries(names.map((n, i) => [n, cells[i]]));
      expected.push(rec['Scored Labels']);
      const row = { Name: 'test car' };
      for (const [n] of FEATURES.slice(1)) row[n] = rec[n];
      rows.push(row);
    }
    assert.equal(rows.length, 25);
  });

  after(async () => {
    if (!srv) return;
    // No key was ever written to the server's output.
    const { stdout, stderr } = srv.output();
    for (const k of seenKeys) {
      assert.ok(!stdout.includes(k) && !stderr.includes(k), 'a key appeared in the server output');
    }
    await srv.stop();
  });

  const remember = (...ks) => {
    for (const k of ks) if (k) seenKeys.push(k);
  };

  test('deploying answers 201 with the keys, once', async () => {
    const r = await call('POST', '/api/endpoints', {
      name: 'cars',
      document: inference(digest, levels),
      description: 'miles per gallon',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'cars');
    assert.equal(r.json.version, 1);
    assert.equal(r.json.state, 'healthy');
    assert.equal(r.json.description, 'miles per gallon');
    assert.equal(r.json.fast_path, true);
    assert.match(r.json.keys.primary, /^[A-Za-z0-9_-]{43}$/);
    assert.match(r.json.keys.secondary, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(r.json.keys.primary, r.json.keys.secondary);
    keys = r.json.keys;
    remember(keys.primary, keys.secondary);
    assert.deepEqual(
      r.json.input_schema.columns.map((c) => [c.name, c.type]),
      FEATURES,
    );
    assert.ok(r.json.urls.score.endsWith('/endpoints/cars/score'));
    // Never again: neither the list nor the endpoint shows them.
    const one = await call('GET', '/api/endpoints/cars');
    assert.equal(one.status, 200);
    assert.equal(one.json.keys, undefined);
    assert.ok(!one.text.includes(keys.primary) && !one.text.includes(keys.secondary));
    assert.equal(one.json.document.nodes.length, 5);
    const list = await call('GET', '/api/endpoints');
    assert.deepEqual(list.json.endpoints.map((e) => e.name), ['cars']);
    assert.ok(!list.text.includes(keys.primary));
    // The same name again is a conflict.
    const again = await call('POST', '/api/endpoints', { name: 'cars', document: inference(digest, levels) });
    assert.equal(again.status, 409, again.text);
  });

  test('the native protocol predicts what the training run scored', async () => {
    const r = await score('cars', native(rows), keys.primary);
    assert.equal(r.status, 200, r.text);
    const out = r.json.Results.WebServiceOutput0;
    assert.equal(out.length, rows.length);
    out.forEach((o, i) => {
      assert.ok(close(o['Scored Labels'], expected[i]), `row ${i + 1}: ${o['Scored Labels']} vs ${expected[i]}`);
      assert.equal(o.Horsepower, rows[i].Horsepower);
      assert.equal(o.Name, undefined); // dropped by Select Columns, as in training
    });
  });

  test('MLflow: split, records, instances and inputs give the same predictions', async () => {
    const cols = FEATURES.map(([n]) => n);
    const bodies = [
      { dataframe_split: { columns: cols, data: rows.map((r) => cols.map((c) => r[c])) } },
      { dataframe_records: rows },
      { instances: rows },
      { inputs: Object.fromEntries(cols.map((c) => [c, rows.map((r) => r[c])])) },
      { instances: rows.map((r) => cols.map((c) => r[c])) },
    ];
    for (const body of bodies) {
      const r = await score('cars', body, keys.secondary, 'invocations');
      assert.equal(r.status, 200, `${Object.keys(body)[0]}: ${r.text}`);
      r.json.predictions.forEach((o, i) => assert.ok(close(o['Scored Labels'], expected[i])));
    }
    const bad = await score('cars', { dataframe_records: rows, instances: rows }, keys.primary, 'invocations');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error_code, 'BAD_REQUEST');
    assert.match(bad.json.message, /not both/);
  });

  test('Open Inference Protocol v2: infer, metadata, ready, health', async () => {
    const inputs = FEATURES.map(([name, type]) => ({
      name,
      shape: [rows.length],
      datatype: type === 'numeric' ? 'FP64' : type === 'integer' ? 'INT64' : 'BYTES',
      data: rows.map((r) => r[name]),
    }));
    const r = await score('cars', { id: 'req-7', inputs, outputs: [{ name: 'Scored Labels' }] }, keys.primary, 'v2');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model_name, 'cars');
    assert.equal(r.json.model_version, '1');
    assert.equal(r.json.id, 'req-7');
    assert.equal(r.json.outputs.length, 1);
    const t = r.json.outputs[0];
    assert.deepEqual([t.name, t.datatype, t.shape], ['Scored Labels', 'FP64', [rows.length]]);
    t.data.forEach((v, i) => assert.ok(close(v, expected[i])));
    // [n, 1] shapes and nested data are one column too.
    const nested = inputs.map((x) => ({ ...x, shape: [rows.length, 1], data: x.data.map((v) => [v]) }));
    const r2 = await score('cars', { inputs: nested }, keys.primary, 'v2');
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.outputs.length, 8);
    const meta = await call('GET', '/v2/models/cars', undefined, { token: keys.primary });
    assert.equal(meta.status, 200);
    assert.equal(meta.json.platform, 'weft');
    assert.deepEqual(meta.json.versions, ['1']);
    assert.deepEqual(meta.json.inputs.map((i) => i.name), FEATURES.map(([n]) => n));
    const ready = await call('GET', '/v2/models/cars/ready', undefined, { token: keys.primary });
    assert.deepEqual([ready.status, ready.json.ready], [200, true]);
    assert.equal((await call('GET', '/v2/models/cars/versions/1/ready', undefined, { token: keys.primary })).status, 200);
    assert.equal((await call('GET', '/v2/models/cars/versions/9/ready', undefined, { token: keys.primary })).status, 404);
    assert.deepEqual((await call('GET', '/v2/health/ready')).json, { ready: true });
    assert.deepEqual((await call('GET', '/v2/health/live')).json, { live: true });
    const badShape = await score('cars', { inputs: [{ ...inputs[0], shape: [rows.length, 2] }] }, keys.primary, 'v2');
    assert.equal(badShape.status, 400);
    assert.equal(typeof badShape.json.error, 'string');
  });

  test('each endpoint serves an OpenAPI document of its input schema', async () => {
    const r = await call('GET', '/endpoints/cars/openapi.json', undefined, { token: keys.primary });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.openapi, '3.0.3');
    const req =
      r.json.paths['/endpoints/cars/score'].post.requestBody.content['application/json'].schema;
    const row = req.properties.Inputs.properties.WebServiceInput0.items;
    assert.deepEqual(row.required, FEATURES.map(([n]) => n));
    assert.equal(row.properties.Horsepower.type, 'integer');
    assert.equal(row.properties.Acceleration.type, 'number');
    assert.equal(row.properties.Year.format, 'date-time');
    assert.equal((await call('GET', '/endpoints/cars/openapi.json')).status, 401);
  });

  test('a request without a valid key is refused', async () => {
    const none = await score('cars', native(rows), undefined);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await score('cars', native(rows), 'x'.repeat(43));
    assert.equal(wrong.status, 401);
    const workspaceToken = await api(srv.url, 'POST', '/endpoints/cars/score', {
      body: native(rows),
      headers: { Authorization: 'Basic abc' },
    });
    assert.equal(workspaceToken.status, 401);
    assert.equal((await score('cars', {}, undefined, 'invocations')).json.error_code, 'UNAUTHENTICATED');
    assert.equal(typeof (await score('cars', {}, undefined, 'v2')).json.error, 'string');
    assert.equal((await score('nobody', native(rows), keys.primary)).status, 404);
  });

  test('400s name the missing column, and the row and column of a bad value', async () => {
    const noHp = rows.slice(0, 3).map(({ Horsepower, ...rest }) => rest);
    let r = await score('cars', native(noHp), keys.primary);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /column "Horsepower" is missing/);
    const bad = rows.slice(0, 3).map((x) => ({ ...x }));
    bad[2].Weight_in_lbs = 'heavy';
    r = await score('cars', native(bad), keys.primary);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /row 3, column "Weight_in_lbs": "heavy" is not an integer/);
    r = await score('cars', { dataframe_records: bad }, keys.primary, 'invocations');
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, 'BAD_REQUEST');
    assert.match(r.json.message, /row 3, column "Weight_in_lbs"/);
    r = await score('cars', '{"Inputs": [', keys.primary);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /not JSON/);
    r = await score('cars', { Inputs: { Other: rows } }, keys.primary);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /WebServiceInput0/);
    // An unseen category scores as unknown (linear regression allows it).
    r = await score('cars', native([{ ...rows[0], Origin: 'Mars' }]), keys.primary);
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.Results.WebServiceOutput0[0]['Scored Labels'], 'number');
  });

  test('a body over 16 MB is refused with 413', async () => {
    const big = JSON.stringify(native([{ ...rows[0], Name: 'x'.repeat(17 << 20) }]));
    const r = await score('cars', big, keys.primary);
    assert.equal(r.status, 413);
    assert.match(r.json.error.message, /16 MB/);
    const r2 = await score('cars', big, keys.primary, 'invocations');
    assert.equal(r2.status, 413);
    assert.equal(r2.json.error_code, 'BAD_REQUEST');
  });

  test('a regenerated key stops working at once; the other keeps working', async () => {
    const r = await call('POST', '/api/endpoints/cars/keys/primary/regenerate');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.which, 'primary');
    const fresh = r.json.key;
    remember(fresh);
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await score('cars', native(rows.slice(0, 1)), keys.primary)).status, 401);
    assert.equal((await score('cars', native(rows.slice(0, 1)), fresh)).status, 200);
    assert.equal((await score('cars', native(rows.slice(0, 1)), keys.secondary)).status, 200);
    keys = { ...keys, primary: fresh };
    assert.equal((await call('POST', '/api/endpoints/cars/keys/tertiary/regenerate')).status, 404);
    assert.equal((await call('POST', '/api/endpoints/nobody/keys/primary/regenerate')).status, 404);
  });

  test('a redeploy under load fails no request, and the new version takes over', async () => {
    let stop = false;
    const failures = [];
    const versions = [];
    const one = rows.slice(0, 2);
    const cols = FEATURES.map(([n]) => n);
    const inputs = cols.map((name) => ({ name, shape: [2], datatype: 'BYTES', data: one.map((r) => r[name]) }));
    const worker = async () => {
      let last = 0;
      while (!stop) {
        const r = await score('cars', { inputs }, keys.secondary, 'v2');
        if (r.status !== 200) failures.push(`${r.status} ${r.text}`);
        else {
          const v = Number(r.json.model_version);
          if (v < last) failures.push(`version went back from ${last} to ${v}`);
          last = v;
          versions.push(v);
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await sleep(200);
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/api/endpoints', {
        name: 'cars',
        document: inference(digest, levels, { append: i % 2 === 1 }),
        replace: true,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, i + 2);
      assert.equal(r.json.keys, undefined);
      await sleep(150);
    }
    stop = true;
    await Promise.all(workers);
    assert.deepEqual(failures, []);
    assert.ok(versions.length > 50, `only ${versions.length} requests`);
    assert.ok(versions.includes(4));
    // The last version scores only (append off): Scored Labels alone.
    const r = await score('cars', native(rows.slice(0, 2)), keys.primary);
    assert.deepEqual(Object.keys(r.json.Results.WebServiceOutput0[0]), ['Scored Labels']);
    assert.ok(close(r.json.Results.WebServiceOutput0[1]['Scored Labels'], expected[1]));
    // A new version that does not compile is refused; version 4 stays.
    const broken = await call('POST', '/api/endpoints', {
      name: 'cars',
      document: inference('0'.repeat(64), levels),
      replace: true,
    });
    assert.equal(broken.status, 422, broken.text);
    assert.equal(broken.json.error.code, 'cannot_deploy');
    assert.match(broken.json.error.message, /0{64}/);
    const still = await call('GET', '/api/endpoints/cars');
    assert.deepEqual([still.json.version, still.json.state], [4, 'healthy']);
  });

  test('metrics count requests and errors, with latency percentiles', async () => {
    const r = await call('GET', '/api/endpoints/cars');
    const m = r.json.metrics;
    assert.ok(m.requests > 60, JSON.stringify(m));
    assert.ok(m.errors >= 4, JSON.stringify(m)); // the 400s above (401s never reach a plan)
    assert.ok(m.latency_ms.p50 > 0 && m.latency_ms.p50 <= m.latency_ms.p95);
    assert.ok(m.latency_ms.p95 <= m.latency_ms.p99);
  });

  test('the test route scores with the workspace token and no endpoint key', async () => {
    const r = await call('POST', '/api/endpoints/cars/score', native(rows.slice(0, 1)));
    assert.equal(r.status, 200, r.text);
    assert.ok(close(r.json.Results.WebServiceOutput0[0]['Scored Labels'], expected[0]));
  });

  test('an endpoint from Create inference pipeline deploys from its draft', async () => {
    const conv = await call('POST', `/api/runs/${runId}/inference-pipeline`, { kind: 'realtime' });
    assert.equal(conv.status, 201, conv.text);
    assert.ok(conv.json.draft.id > 0);
    const r = await call('POST', '/api/endpoints', { name: 'cars-converted', draft_id: conv.json.draft.id });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'healthy', r.json.reason);
    assert.equal(r.json.source, `draft ${conv.json.draft.id}`);
    remember(r.json.keys.primary, r.json.keys.secondary);
    const s = await score('cars-converted', native(rows), r.json.keys.primary);
    assert.equal(s.status, 200, s.text);
    s.json.Results.WebServiceOutput0.forEach((o, i) => assert.ok(close(o['Scored Labels'], expected[i])));
  });

  test('a pipeline that cannot serve is recorded failed, with the reason', async () => {
    const r = await call('POST', '/api/endpoints', { name: 'no-model', document: inference('f'.repeat(64), levels) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'failed');
    assert.match(r.json.reason, /f{64}/);
    remember(r.json.keys.primary);
    const s = await score('no-model', native(rows), r.json.keys.primary);
    assert.equal(s.status, 503);
    assert.match(s.json.error.message, /failed/);
    const notPipeline = await call('POST', '/api/endpoints', { name: 'junk', document: { format: 'nope' } });
    assert.equal(notPipeline.status, 422);
    const badName = await call('POST', '/api/endpoints', { name: 'a/b', document: inference(digest, levels) });
    assert.equal(badName.status, 422);
    assert.equal((await call('DELETE', '/api/endpoints/no-model')).status, 200);
  });

  test('Execute Python Script in the path works, without the fast path', async () => {
    const doc = {
      format: 'weft.pipeline/1',
      nodes: [
        { id: 'in', module: 'web-service-input@1', params: { schema: '{"columns":[{"name":"x","type":"numeric"}]}' } },
        { id: 'py', module: 'execute-python-script@1' },
        { id: 'out', module: 'web-service-output@1' },
      ],
      edges: [
        { from: 'in.dataset', to: 'py.dataset1' },
        { from: 'py.result_dataset', to: 'out.dataset' },
      ],
    };
    const r = await call('POST', '/api/endpoints', { name: 'py', document: doc });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'healthy', r.json.reason);
    assert.equal(r.json.fast_path, false);
    assert.match(r.json.warnings[0], /Execute Python Script/);
    remember(r.json.keys.primary, r.json.keys.secondary);
    const s = await score('py', native([{ x: 1.5 }, { x: null }]), r.json.keys.primary);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.Results.WebServiceOutput0, [{ x: 1.5 }, { x: null }]);
    assert.equal((await call('DELETE', '/api/endpoints/py')).status, 200);
  });

  test("a Python client written as the Azure designer's Consume tab writes one works", async () => {
    const script = `
import urllib.request
import json
import os
import ssl

data = {"Inputs": {"WebServiceInput0": ${JSON.stringify(rows.slice(0, 3))}}, "GlobalParameters": {}}
body = str.encode(json.dumps(data))
url = os.environ["WEFT_URL"]
api_key = os.environ["WEFT_KEY"]
headers = {'Content-Type': 'application/json', 'Authorization': ('Bearer ' + api_key)}
req = urllib.request.Request(url, body, headers)
try:
    response = urllib.request.urlopen(req)
    result = response.read()
    print(result.decode("utf8", 'ignore'))
except urllib.error.HTTPError as error:
    print("The request failed with status code: " + str(error.code))
    print(error.info())
    print(error.read().decode("utf8", 'ignore'))
`;
    const out = await new Promise((resolve, reject) => {
      const child = spawn('/usr/bin/python3', ['-c', script], {
        env: { ...process.env, WEFT_URL: `${srv.url}/endpoints/cars/score`, WEFT_KEY: keys.secondary },
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(text))));
    });
    const reply = JSON.parse(out);
    assert.equal(reply.Results.WebServiceOutput0.length, 3);
    reply.Results.WebServiceOutput0.forEach((o, i) => assert.ok(close(o['Scored Labels'], expected[i])));
  });

  test('changes made with `weft endpoint` while the server runs are served within seconds', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'weft-ep-'));
    const file = path.join(scratch, 'p.json');
    await writeFile(file, JSON.stringify(inference(digest, levels)));
    const dep = await runCli(['--workspace', srv.workspace, 'endpoint', 'deploy', 'from-cli', file]);
    assert.equal(dep.code, 0, dep.stderr);
    const key = /primary key:\s+(\S+)/.exec(dep.stdout)[1];
    remember(key, /secondary key:\s+(\S+)/.exec(dep.stdout)[1]);
    let r;
    for (let i = 0; i < 100; i++) {
      r = await score('from-cli', native(rows.slice(0, 1)), key);
      if (r.status === 200) break;
      await sleep(100);
    }
    assert.equal(r.status, 200, r.text);
    const regen = await runCli(['--workspace', srv.workspace, 'endpoint', 'keys', 'from-cli', '--regenerate', 'primary']);
    assert.equal(regen.code, 0, regen.stderr);
    remember(/key: (\S+)/.exec(regen.stdout)[1]);
    for (let i = 0; i < 100; i++) {
      r = await score('from-cli', native(rows.slice(0, 1)), key);
      if (r.status === 401) break;
      await sleep(100);
    }
    assert.equal(r.status, 401);
    const list = await runCli(['--workspace', srv.workspace, 'endpoint', 'list']);
    assert.match(list.stdout, /from-cli\s+1\s+healthy/);
    const del = await runCli(['--workspace', srv.workspace, 'endpoint', 'delete', 'from-cli']);
    assert.equal(del.code, 0, del.stderr);
    for (let i = 0; i < 100; i++) {
      if ((await call('GET', '/api/endpoints/from-cli')).status === 404) break;
      await sleep(100);
    }
    for (let i = 0; i < 100; i++) {
      r = await score('from-cli', native(rows.slice(0, 1)), key);
      if (r.status === 404) break;
      await sleep(100);
    }
    assert.equal(r.status, 404);
    await rm(scratch, { recursive: true, force: true });
  });

  test('an exported bundle is served by `weft endpoint serve` with no workspace', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'weft-bundle-'));
    const dir = path.join(scratch, 'bundle');
    const ex = await runCli(['--workspace', srv.workspace, 'endpoint', 'export', 'cars', dir]);
    assert.equal(ex.code, 0, ex.stderr);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, 'weft.endpoint-bundle/1');
    assert.equal(manifest.name, 'cars');
    assert.ok(existsSync(path.join(dir, 'artifacts', `${digest}.json`)));
    assert.ok(!JSON.stringify(manifest).includes(keys.primary));
    const again = await runCli(['--workspace', srv.workspace, 'endpoint', 'export', 'cars', dir]);
    assert.notEqual(again.code, 0);

    const serveBundle = async (extra) => {
      const portFile = path.join(scratch, `port-${extra.length}`);
      const child = spawn(WEFT_BINARY, ['endpoint', 'serve', dir, '--port', '-1', '--port-file', portFile, ...extra], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WEFT_WORKSPACE: '/nonexistent/weft-workspace' },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      for (let i = 0; i < 200 && !existsSync(portFile); i++) await sleep(25);
      await sleep(50);
      const port = Number((await readFile(portFile, 'utf8')).trim());
      return { url: `http://127.0.0.1:${port}`, child, exited, output: () => output };
    };
    // The keys the workspace gave out work on the bundle as they are.
    const a = await serveBundle([]);
    try {
      const r = await api(a.url, 'POST', '/endpoints/cars/score', { body: native(rows), token: keys.secondary });
      assert.equal(r.status, 200, r.text + a.output());
      r.json.Results.WebServiceOutput0.forEach((o, i) => assert.ok(close(o['Scored Labels'], expected[i])));
      assert.equal((await api(a.url, 'POST', '/endpoints/cars/score', { body: native(rows) })).status, 401);
      assert.equal((await api(a.url, 'GET', '/api/health')).status, 404);
      assert.equal((await api(a.url, 'GET', '/v2/health/ready')).status, 200);
      const v2 = await api(a.url, 'GET', '/v2/models/cars', { token: keys.primary });
      assert.equal(v2.json.versions[0], String(manifest.version));
    } finally {
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0, a.output());
    }
    // A key file replaces them.
    const keyFile = path.join(scratch, 'keys');
    const own = 'replica-key-' + 'k'.repeat(30);
    await writeFile(keyFile, `# the replicas' key\n${own}\n`);
    const b = await serveBundle(['--key-file', keyFile]);
    try {
      assert.equal((await api(b.url, 'POST', '/endpoints/cars/score', { body: native(rows), token: own })).status, 200);
      assert.equal((await api(b.url, 'POST', '/endpoints/cars/score', { body: native(rows), token: keys.secondary })).status, 401);
      assert.ok(!b.output().includes(own));
    } finally {
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0, b.output());
    }
    await rm(scratch, { recursive: true, force: true });
  });

  test('a deleted endpoint answers 404 at once', async () => {
    const r = await call('DELETE', '/api/endpoints/cars');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { name: 'cars', deleted: true });
    assert.equal((await score('cars', native(rows), keys.secondary)).status, 404);
    assert.equal((await call('GET', '/api/endpoints/cars')).status, 404);
    assert.equal((await call('DELETE', '/api/endpoints/cars')).status, 404);
  });
});
