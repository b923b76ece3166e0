// runs.test.mjs: runs over HTTP: submit (from a draft or a document),
// validation failures, the run and its steps, output previews, downloads
// and logs, cancel, rerun, the event stream (live, resumed with
// Last-Event-ID, and after the run ended) and runs interrupted by a server
// that stops.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api, startServer, WEFT_BINARY } from './server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const cities = (name = 'cities') => ({
  format: 'weft.pipeline/1',
  name,
  nodes: [
    {
      id: 'data',
      module: 'enter-data@1',
      params: {
        data: 'city,population,coastal\nLisbon,545000,true\nMadrid,3223000,false\nPorto,232000,true\nParis,2161000,false\n',
      },
    },
    { id: 'split', module: 'split-data@1', params: { fraction: 0.5, seed: 7 } },
  ],
  edges: [{ from: 'data.dataset', to: 'split.dataset' }],
});

const sleeper = (seconds, name = 'sleeper') => ({
  format: 'weft.pipeline/1',
  name,
  nodes: [
    { id: 'data', module: 'enter-data@1', params: { data: 'a,b\n1,2\n' } },
    { id: 'nap', module: 'test-sleep@1', params: { seconds } },
  ],
  edges: [{ from: 'data.dataset', to: 'nap.dataset' }],
});

const FINAL = new Set(['completed', 'failed', 'canceled']);

async function waitRun(url, id, { until = (r) => FINAL.has(r.status), timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(url, 'GET', `/api/runs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (until(r.json)) return r.json;
    if (Date.now() > deadline) assert.fail(`run ${id} is still ${r.json.status}`);
    await sleep(50);
  }
}

// Reads a server-sent event stream until it ends (or `stopWhen` says so, or
// the time runs out). Returns [{id, event, data}] with data parsed.
async function readEvents(url, id, { lastEventId, stopWhen, timeoutMs = 30_000 } = {}) {
  const headers = lastEventId !== undefined ? { 'Last-Event-ID': String(lastEventId) } : {};
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const r = await fetch(`${url}/api/runs/${id}/events`, { headers, signal: ctrl.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/event-stream/);
  const events = [];
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const ev = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue; // a comment (keep-alive)
          const colon = line.indexOf(': ');
          const [k, v] = [line.slice(0, colon), line.slice(colon + 2)];
          if (k === 'id') ev.id = Number(v);
          else if (k === 'event') ev.event = v;
          else if (k === 'data') ev.data = JSON.parse(v);
        }
        if (ev.event !== undefined) events.push(ev);
      }
      if (stopWhen?.(events)) {
        await reader.cancel();
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const errorOf = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};

describe('runs', () => {
  let srv;
  const call = (method, p, body) => api(srv.url, method, p, { body });
  const submit = async (body) => {
    const r = await call('POST', '/api/runs', body);
    assert.equal(r.status, 202, r.text);
    assert.ok(Number.isInteger(r.json.run_id) && r.json.run_id > 0, r.text);
    return r.json.run_id;
  };
  let firstRun;

  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('a saved pipeline runs to completion, one step per node', async () => {
    const { json: d } = await call('POST', '/api/pipelines', cities());
    firstRun = await submit({ pipeline_id: d.id, experiment: 'api-tests' });
    const run = await waitRun(srv.url, firstRun);
    assert.equal(run.status, 'completed', JSON.stringify(run));
    assert.equal(run.experiment, 'api-tests');
    assert.equal(run.pipeline, 'cities');
    assert.equal(run.snapshot.format, 'weft.snapshot/1');
    assert.deepEqual(
      run.steps.map((s) => [s.node, s.module, s.status]),
      [
        ['data', 'enter-data@1', 'completed'],
        ['split', 'split-data@1', 'completed'],
      ],
    );
    for (const s of run.steps) {
      assert.match(s.cache_key, /^[0-9a-f]{64}$/);
      assert.ok(s.elapsed_ms >= 0);
      assert.equal(s.log_path, undefined, 'no file-system paths');
    }
    assert.deepEqual(Object.keys(run.steps[1].outputs).sort(), ['first', 'second']);
  });

  test('a table output previews with its schema, a page of rows and the total', async () => {
    const r = await call('GET', `/api/runs/${firstRun}/steps/data/outputs/dataset`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'table');
    assert.match(r.json.digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(r.json.schema.map((c) => [c.name, c.type]), [
      ['city', 'string'],
      ['population', 'integer'],
      ['coastal', 'boolean'],
    ]);
    assert.equal(r.json.total_rows, 4);
    assert.deepEqual(r.json.rows[0], ['Lisbon', 545000, true]);
    const page = await call('GET', `/api/runs/${firstRun}/steps/data/outputs/dataset?offset=2&limit=1`);
    assert.deepEqual(page.json.rows, [['Porto', 232000, true]]);
    assert.equal(page.json.total_rows, 4);
    const halves = await Promise.all(
      ['first', 'second'].map((p) => call('GET', `/api/runs/${firstRun}/steps/split/outputs/${p}`)),
    );
    assert.equal(halves[0].json.total_rows + halves[1].json.total_rows, 4);
  });

  test('a table output has a profile per column; other kinds do not', async () => {
    const r = await call('GET', `/api/runs/${firstRun}/steps/data/outputs/dataset/profile`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.nrows, 4);
    const population = r.json.columns.find((c) => c.name === 'population');
    assert.equal(population.type, 'integer');
    assert.equal(population.missing, 0);
    assert.equal(population.min, 232000);
    assert.equal(population.max, 3223000);
    // (545000 + 3223000 + 232000 + 2161000) / 4, computed here
    assert.equal(population.mean, 1540250);
    const coastal = r.json.columns.find((c) => c.name === 'coastal');
    assert.equal(coastal.unique, 2);
    errorOf(await call('GET', `/api/runs/${firstRun}/steps/nope/outputs/dataset/profile`), 404);
  });

  test('outputs download as CSV or JSON records, and logs read as text', async () => {
    const base = `/api/runs/${firstRun}/steps/data/outputs/dataset/download`;
    const csv = await call('GET', `${base}?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    assert.match(csv.headers.get('content-disposition'), /attachment/);
    assert.equal(csv.text.split('\n')[0], 'city,population,coastal');
    assert.match(csv.text, /Madrid,3223000,false/);
    const json = await call('GET', `${base}?format=json`);
    assert.deepEqual(json.json[1], { city: 'Madrid', population: 3223000, coastal: false });
    errorOf(await call('GET', `${base}?format=xlsx`), 415);
    const log = await call('GET', `/api/runs/${firstRun}/steps/data/log`);
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type'), /^text\/plain/);
    assert.match(log.text, /read 4 rows, 3 columns/);
  });

  test('unknown runs, steps and ports are 404', async () => {
    errorOf(await call('GET', '/api/runs/99999'), 404, 'not_found');
    errorOf(await call('GET', '/api/runs/abc'), 404, 'not_found');
    errorOf(await call('GET', '/api/runs/99999/events'), 404);
    errorOf(await call('POST', '/api/runs/99999/cancel'), 404);
    errorOf(await call('POST', '/api/runs/99999/rerun'), 404);
    errorOf(await call('GET', `/api/runs/${firstRun}/steps/nope/outputs/dataset`), 404);
    errorOf(await call('GET', `/api/runs/${firstRun}/steps/data/outputs/nope`), 404);
    errorOf(await call('GET', `/api/runs/${firstRun}/steps/nope/log`), 404);
  });

  test('an invalid pipeline is a 422 with its issues per node, and no run', async () => {
    const before = (await call('GET', '/api/runs')).json.total;
    const doc = cities('invalid');
    doc.nodes[1].params.fraction = 5;
    const r = await call('POST', '/api/runs', { document: doc });
    errorOf(r, 422, 'invalid_pipeline');
    assert.ok(Array.isArray(r.json.error.details), r.text);
    assert.ok(r.json.error.details.some((i) => i.node === 'split' && i.field === 'fraction'), r.text);
    assert.equal((await call('GET', '/api/runs')).json.total, before);
  });

  test('a submission with missing or wrong fields is refused', async () => {
    errorOf(await call('POST', '/api/runs', {}), 422);
    errorOf(await call('POST', '/api/runs', { pipeline_id: 'x' }), 422);
    errorOf(await call('POST', '/api/runs', { pipeline_id: 99999 }), 404);
    errorOf(await call('POST', '/api/runs', { document: cities(), parameters: [1] }), 422);
    errorOf(await call('POST', '/api/runs', { document: cities(), experiment: 5 }), 422);
    errorOf(await call('POST', '/api/runs', { document: cities(), experiment: '' }), 422);
    errorOf(await call('POST', '/api/runs', { document: cities(), experiment: 'x'.repeat(101) }), 422);
    errorOf(await call('POST', '/api/runs', { document: cities(), no_cache: 'yes' }), 422);
    errorOf(await call('POST', '/api/runs', { document: { format: 'x' } }), 422);
    errorOf(await call('POST', '/api/runs', 'not json'), 400);
  });

  test('a rerun runs the snapshot again and reuses every step', async () => {
    const id = await submit({ document: cities('again') });
    await waitRun(srv.url, id);
    const r = await call('POST', `/api/runs/${id}/rerun`);
    assert.equal(r.status, 202, r.text);
    const run = await waitRun(srv.url, r.json.run_id);
    assert.equal(run.status, 'completed');
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ['reused', 'reused'],
    );
    const fresh = await call('POST', `/api/runs/${id}/rerun`, { no_cache: true });
    const ran = await waitRun(srv.url, fresh.json.run_id);
    assert.deepEqual(
      ran.steps.map((s) => s.status),
      ['completed', 'completed'],
    );
  });

  test('runs list newest first, filter by experiment and status, and page', async () => {
    const all = await call('GET', '/api/runs');
    assert.equal(all.status, 200);
    assert.ok(all.json.total >= 3);
    const ids = all.json.runs.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.equal(all.json.runs[0].snapshot, undefined, 'lists leave snapshots out');
    const mine = await call('GET', '/api/runs?experiment=api-tests');
    assert.deepEqual(
      mine.json.runs.map((r) => r.id),
      [firstRun],
    );
    const done = await call('GET', '/api/runs?status=completed&limit=1&offset=1');
    assert.equal(done.json.runs.length, 1);
    assert.equal(done.json.runs[0].status, 'completed');
    const completed = all.json.runs.filter((r) => r.status === 'completed').map((r) => r.id);
    assert.equal(done.json.runs[0].id, completed[1]);
    assert.equal(done.json.total, completed.length);
    errorOf(await call('GET', '/api/runs?status=sleeping'), 400);
  });

  test('a running run can be canceled; a run that ended cannot', async () => {
    const id = await submit({ document: sleeper(30, 'to cancel') });
    await waitRun(srv.url, id, {
      until: (r) => r.steps.some((s) => s.node === 'nap' && s.status === 'running'),
    });
    const t0 = Date.now();
    const c = await call('POST', `/api/runs/${id}/cancel`);
    assert.equal(c.status, 202, c.text);
    const run = await waitRun(srv.url, id, { timeoutMs: 10_000 });
    assert.ok(Date.now() - t0 < 5000, 'the cancel takes effect at once');
    assert.equal(run.status, 'canceled');
    assert.equal(run.steps.find((s) => s.node === 'nap').status, 'canceled');
    errorOf(await call('POST', `/api/runs/${id}/cancel`), 409, 'conflict');
    errorOf(await call('POST', `/api/runs/${firstRun}/cancel`), 409, 'conflict');
  });

  test('the event stream shows every transition in order, live, then ends', async () => {
    const id = await submit({ document: sleeper(1, 'watched'), no_cache: true });
    const seenAt = [];
    const events = await readEvents(srv.url, id, {
      stopWhen: () => {
        seenAt.push(Date.now());
        return false;
      },
    });
    const run = await waitRun(srv.url, id);
    assert.equal(run.status, 'completed');
    // Numbered from 1 without gaps.
    assert.deepEqual(
      events.map((e) => e.id),
      events.map((_, i) => i + 1),
    );
    assert.equal(events[0].event, 'run');
    assert.equal(events[0].data.status, 'queued');
    const last = events.at(-1);
    assert.equal(last.event, 'run');
    assert.equal(last.data.status, 'completed');
    for (const node of ['data', 'nap']) {
      const steps = events.filter((e) => e.event === 'step' && e.data.node === node);
      assert.deepEqual(
        steps.map((e) => e.data.status),
        ['queued', 'running', 'completed'],
        node,
      );
    }
    const order = (node, status) =>
      events.findIndex((e) => e.event === 'step' && e.data.node === node && e.data.status === status);
    assert.ok(order('data', 'completed') < order('nap', 'running'));
    assert.ok(events.some((e) => e.event === 'log' && /slept 1 s/.test(e.data.line)));
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.progress);
    assert.ok(progress.length > 0 && progress.length <= 101);
    for (const e of events) assert.equal(e.data.run_id, id);
    // The stream was live: reads arrived over the second the step slept,
    // not all at once at the end.
    assert.ok(seenAt.at(-1) - seenAt[0] > 500, `reads spread over ${seenAt.at(-1) - seenAt[0]} ms`);
  });

  test('Last-Event-ID resumes after that event, and a late client gets the whole history', async () => {
    const id = await submit({ document: sleeper(0.5, 'resumed'), no_cache: true });
    // Disconnect after the nap step starts running.
    const early = await readEvents(srv.url, id, {
      stopWhen: (evs) =>
        evs.some((e) => e.event === 'step' && e.data.node === 'nap' && e.data.status === 'running'),
    });
    const lastSeen = early.at(-1).id;
    const rest = await readEvents(srv.url, id, { lastEventId: lastSeen });
    assert.ok(rest.length > 0);
    assert.equal(rest[0].id, lastSeen + 1);
    assert.equal(rest.at(-1).data.status, 'completed');
    // After the run: everything, with the same numbers.
    await waitRun(srv.url, id);
    const history = await readEvents(srv.url, id);
    assert.deepEqual(
      history.map((e) => e.id),
      history.map((_, i) => i + 1),
    );
    assert.deepEqual(history.slice(0, early.length), early);
    assert.deepEqual(history.slice(lastSeen), rest);
    const tail = await readEvents(srv.url, id, { lastEventId: history.length - 2 });
    assert.deepEqual(tail, history.slice(-2));
    const none = await readEvents(srv.url, id, { lastEventId: history.length });
    assert.deepEqual(none, []);
  });
});

describe('runs across servers and processes', () => {
  let scratch;
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'weft-runs-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('marks the run failed, interrupted, and a new server tells its history', async () => {
    const workspace = path.join(scratch, 'workspace');
    const first = await startServer({ workspace });
    const r = await api(first.url, 'POST', '/api/runs', { body: { document: sleeper(30, 'cut') } });
    assert.equal(r.status, 202, r.text);
    const id = r.json.run_id;
    await waitRun(first.url, id, {
      until: (run) => run.steps.some((s) => s.node === 'nap' && s.status === 'running'),
    });
    const t0 = Date.now();
    await first.stop(); // asserts exit status 0: no leak, no crash
    assert.ok(Date.now() - t0 < 10_000, 'shutdown does not wait for the step');

    const second = await startServer({ workspace });
    try {
      const run = (await api(second.url, 'GET', `/api/runs/${id}`)).json;
      assert.equal(run.status, 'failed');
      assert.equal(run.error, 'interrupted: the server stopped');
      const events = await readEvents(second.url, id);
      assert.equal(events.at(-1).event, 'run');
      assert.equal(events.at(-1).data.status, 'failed');
      assert.ok(events.some((e) => e.event === 'step' && e.data.node === 'nap'));
    } finally {
      await second.stop();
    }
  });

  test('a run another process executes is watched through the workspace', async () => {
    const workspace = path.join(scratch, 'shared');
    const srv = await startServer({ workspace });
    try {
      const file = path.join(scratch, 'nap.json');
      await writeFile(file, JSON.stringify(sleeper(1.5, 'from the command line')));
      const cli = spawn(WEFT_BINARY, ['--workspace', workspace, 'run', file], {
        env: { ...process.env, WEFT_NO_SAMPLES: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => cli.on('exit', (code) => resolve(code)));
      let id;
      for (let i = 0; id === undefined && i < 500; i++) {
        const list = await api(srv.url, 'GET', '/api/runs?status=running');
        id = list.json.runs[0]?.id;
        if (id === undefined) await sleep(20);
      }
      assert.ok(id, 'the command-line run shows up');
      // The stream follows the other process's run and ends with it.
      const events = await readEvents(srv.url, id);
      assert.equal(await exited, 0);
      assert.equal(events.at(-1).event, 'run');
      assert.equal(events.at(-1).data.status, 'completed');
      const nap = events.filter((e) => e.event === 'step' && e.data.node === 'nap');
      assert.deepEqual(
        nap.map((e) => e.data.status),
        ['queued', 'running', 'completed'],
      );
      // Afterwards the same history is rebuilt from the steps.
      const again = await readEvents(srv.url, id);
      const shape = (evs) => evs.map((e) => [e.id, e.event, e.data.node, e.data.status]);
      assert.deepEqual(shape(again), shape(events));
    } finally {
      await srv.stop();
    }
  });
});

// -- experiments and key metrics (#9) --

// y = 2x + 1 exactly: a linear regression trained and scored on these rows
// (least squares, no ridge) fits them exactly, so its evaluation is known
// without computing it.
const line = (name = 'line') => ({
  format: 'weft.pipeline/1',
  name,
  nodes: [
    { id: 'data', module: 'enter-data@1', params: { data: 'x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n6,13\n' } },
    { id: 'learner', module: 'linear-regression@1', params: { l2_regularization_weight: 0 } },
    { id: 'train', module: 'train-model@1', params: { label_column: 'y' } },
    { id: 'score', module: 'score-model@1' },
    { id: 'evaluate', module: 'evaluate-model@1' },
  ],
  edges: [
    { from: 'learner.untrained_model', to: 'train.untrained_model' },
    { from: 'data.dataset', to: 'train.dataset' },
    { from: 'train.trained_model', to: 'score.trained_model' },
    { from: 'data.dataset', to: 'score.dataset' },
    { from: 'score.scored_dataset', to: 'evaluate.scored_dataset' },
  ],
});

describe('experiments and key metrics', () => {
  let srv;
  const call = (method, p, body) => api(srv.url, method, p, { body });
  const run = async (document, experiment) => {
    const r = await call('POST', '/api/runs', { document, experiment });
    assert.equal(r.status, 202, r.text);
    const done = await waitRun(srv.url, r.json.run_id);
    assert.equal(done.status, 'completed', JSON.stringify(done.steps));
    return r.json.run_id;
  };
  let fit, plain, other;

  before(async () => {
    srv = await startServer();
    fit = await run(line(), 'metrics');
    plain = await run(cities(), 'metrics');
    other = await run(cities('elsewhere'), 'another');
  });
  after(async () => {
    await srv?.stop();
  });

  test("a run's metrics are its evaluation reports' figures, without curves", async () => {
    const r = await call('GET', `/api/runs/${fit}/metrics`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.run_id, fit);
    assert.equal(r.json.evaluations.length, 1);
    const [e] = r.json.evaluations;
    assert.deepEqual([e.node, e.port, e.task, e.label], ['evaluate', 'evaluation_results', 'regression', 'y']);
    assert.equal(e.models.length, 1);
    const m = e.models[0].metrics;
    // A perfect fit: no error, all variance explained.
    assert.equal(m.rows, 6);
    assert.ok(Math.abs(m.mean_absolute_error) < 1e-9, JSON.stringify(m));
    assert.ok(Math.abs(m.root_mean_squared_error) < 1e-9, JSON.stringify(m));
    assert.ok(Math.abs(m.coefficient_of_determination - 1) < 1e-9, JSON.stringify(m));
    assert.equal(e.models[0].charts, undefined, 'charts are left out');
    // The same figures as the report itself.
    const report = await call('GET', `/api/runs/${fit}/steps/evaluate/outputs/evaluation_results`);
    assert.deepEqual(m, report.json.json.models[0].metrics);
    // A run without an evaluation has none; an unknown run is 404.
    const none = await call('GET', `/api/runs/${plain}/metrics`);
    assert.deepEqual(none.json, { run_id: plain, evaluations: [] });
    errorOf(await call('GET', '/api/runs/9999/metrics'), 404, 'not_found');
    errorOf(await call('GET', '/api/runs/nope/metrics'), 404);
  });

  test('run lists carry key metrics when asked', async () => {
    const plainList = await call('GET', '/api/runs');
    assert.ok(plainList.json.runs.every((r) => !('key_metrics' in r)), 'only when asked');
    const r = await call('GET', '/api/runs?metrics=true&experiment=metrics');
    assert.equal(r.status, 200, r.text);
    const byId = new Map(r.json.runs.map((x) => [x.id, x]));
    assert.deepEqual([...byId.keys()], [plain, fit]);
    const key = byId.get(fit).key_metrics;
    assert.equal(key.node, 'evaluate');
    assert.equal(key.task, 'regression');
    assert.ok(Math.abs(key.metrics.coefficient_of_determination - 1) < 1e-9);
    assert.equal(byId.get(plain).key_metrics, null);
    // Asked twice (the second from the cache), the same answer.
    const again = await call('GET', '/api/runs?metrics=true&experiment=metrics');
    assert.deepEqual(again.json, r.json);
    errorOf(await call('GET', '/api/runs?metrics=yes'), 400, 'bad_query');
  });

  test('experiments count their runs by status and name their latest run', async () => {
    const r = await call('GET', '/api/experiments');
    assert.equal(r.status, 200, r.text);
    const names = r.json.experiments.map((e) => e.name);
    assert.deepEqual(names, [...names].sort(), 'by name');
    const runs = (await call('GET', '/api/runs?limit=1000')).json.runs;
    for (const e of r.json.experiments) {
      const mine = runs.filter((x) => x.experiment === e.name);
      assert.equal(e.runs, mine.length, e.name);
      const counts = {};
      for (const x of mine) counts[x.status] = (counts[x.status] ?? 0) + 1;
      assert.deepEqual(e.statuses, counts, e.name);
      assert.equal(e.latest_run.id, Math.max(...mine.map((x) => x.id)), e.name);
      assert.equal(typeof e.created_at, 'string');
    }
    const metrics = r.json.experiments.find((e) => e.name === 'metrics');
    assert.deepEqual(metrics.statuses, { completed: 2 });
    assert.equal(metrics.latest_run.id, plain);
    assert.equal(metrics.latest_run.pipeline, 'cities');
    assert.equal(r.json.experiments.find((e) => e.name === 'another').latest_run.id, other);
  });
});
