// compute.test.mjs: compute targets over HTTP (#12): list, add, read,
// replace and remove; bad names and settings; runs that name a target (the
// built-in "local" and a named local-kind one), a node that overrides it,
// and the refusals for targets that do not exist. Running on Slurm itself
// is tests/slurm/slurm.test.mjs (it needs a cluster).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from './server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const FINAL = new Set(['completed', 'failed', 'canceled']);

async function waitRun(url, id, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(url, 'GET', `/api/runs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (FINAL.has(r.json.status)) return r.json;
    if (Date.now() > deadline) assert.fail(`run ${id} is still ${r.json.status}`);
    await sleep(50);
  }
}

const pipeline = (compute) => ({
  format: 'weft.pipeline/1',
  name: 'compute',
  nodes: [
    { id: 'data', module: 'enter-data@1', params: { data: 'a,b\n1,2\n3,4\n' } },
    {
      id: 'split',
      module: 'split-data@1',
      params: { fraction: 0.5, seed: 3 },
      ...(compute !== undefined ? { compute } : {}),
    },
  ],
  edges: [{ from: 'data.dataset', to: 'split.dataset' }],
});

describe('compute targets', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('the built-in local target is always listed first and cannot be changed', async () => {
    const list = await api(srv.url, 'GET', '/api/compute');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.targets[0].name, 'local');
    assert.equal(list.json.targets[0].kind, 'local');
    assert.equal(list.json.targets[0].builtin, true);
    const one = await api(srv.url, 'GET', '/api/compute/local');
    assert.equal(one.status, 200);
    assert.equal(one.json.kind, 'local');
    const put = await api(srv.url, 'PUT', '/api/compute/local', { body: { kind: 'slurm' } });
    assert.equal(put.status, 422, put.text);
    assert.match(put.json.error.message, /built-in/);
    const del = await api(srv.url, 'DELETE', '/api/compute/local');
    assert.equal(del.status, 422, del.text);
    const add = await api(srv.url, 'POST', '/api/compute', { body: { name: 'local', kind: 'local' } });
    assert.equal(add.status, 422, add.text);
  });

  test('a Slurm target is added with its settings, read back, replaced and removed', async () => {
    const config = {
      partition: 'debug',
      account: 'lab',
      time_limit: '02:00:00',
      cpus: 2,
      memory_mb: 4096,
      sbatch_args: ['--qos=low'],
      workspace: '/shared/weft',
      weft: '/shared/bin/weft',
      retries: 2,
      max_jobs: 8,
    };
    const add = await api(srv.url, 'POST', '/api/compute', {
      body: { name: 'hpc', kind: 'slurm', config },
    });
    assert.equal(add.status, 201, add.text);
    assert.deepEqual(add.json.config, config);
    assert.equal(add.json.builtin, false);
    const again = await api(srv.url, 'POST', '/api/compute', { body: { name: 'hpc', kind: 'slurm' } });
    assert.equal(again.status, 409, again.text);

    const got = await api(srv.url, 'GET', '/api/compute/hpc');
    assert.equal(got.status, 200);
    assert.deepEqual(got.json.config, config);
    const names = (await api(srv.url, 'GET', '/api/compute')).json.targets.map((t) => t.name);
    assert.deepEqual(names, ['local', 'hpc']);

    const put = await api(srv.url, 'PUT', '/api/compute/hpc', {
      body: { kind: 'slurm', config: { partition: 'long' } },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.config, { partition: 'long' });
    assert.equal(put.json.created_at, add.json.created_at, 'replacing keeps the creation time');

    const del = await api(srv.url, 'DELETE', '/api/compute/hpc');
    assert.equal(del.status, 200, del.text);
    assert.equal((await api(srv.url, 'GET', '/api/compute/hpc')).status, 404);
    assert.equal((await api(srv.url, 'DELETE', '/api/compute/hpc')).status, 404);
  });

  test('bad names, kinds and settings are refused, naming what is wrong', async () => {
    const cases = [
      [{ name: '', kind: 'slurm' }, /empty/],
      [{ name: 'has space', kind: 'slurm' }, /character 4/],
      [{ name: 'x', kind: 'kubernetes' }, /local.*slurm/],
      [{ name: 'x', kind: 'slurm', config: { colour: 'red' } }, /unknown setting "colour"/],
      [{ name: 'x', kind: 'slurm', config: { cpus: 0 } }, /"cpus"/],
      [{ name: 'x', kind: 'slurm', config: { cpus: '4' } }, /"cpus"/],
      [{ name: 'x', kind: 'slurm', config: { memory_mb: -1 } }, /"memory_mb"/],
      [{ name: 'x', kind: 'slurm', config: { time_limit: 'soon' } }, /"time_limit"/],
      [{ name: 'x', kind: 'slurm', config: { workspace: 'relative/path' } }, /"workspace".*absolute/],
      [{ name: 'x', kind: 'slurm', config: { sbatch_args: ['qos=low'] } }, /"sbatch_args" item 1/],
      [{ name: 'x', kind: 'slurm', config: { partition: 'two words' } }, /"partition"/],
      [{ name: 'x', kind: 'slurm', config: { retries: 11 } }, /"retries"/],
      [{ name: 'x', kind: 'local', config: { partition: 'debug' } }, /a local target takes/],
      [{ name: 'x', kind: 'slurm', config: [] }, /"config" must be an object/],
      [{ name: 'x', kind: 'slurm', colour: 'red' }, /unknown field "colour"/],
    ];
    for (const [body, message] of cases) {
      const r = await api(srv.url, 'POST', '/api/compute', { body });
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.error.message, message, JSON.stringify(body));
    }
    const names = (await api(srv.url, 'GET', '/api/compute')).json.targets.map((t) => t.name);
    assert.deepEqual(names, ['local'], 'nothing was saved');
  });

  test('a run on the default target says it ran locally, with no jobs', async () => {
    const r = await api(srv.url, 'POST', '/api/runs', { body: { document: pipeline() } });
    assert.equal(r.status, 202, r.text);
    const run = await waitRun(srv.url, r.json.run_id);
    assert.equal(run.status, 'completed', JSON.stringify(run));
    const where = await api(srv.url, 'GET', `/api/runs/${r.json.run_id}/compute`);
    assert.equal(where.status, 200, where.text);
    assert.deepEqual(where.json, { run_id: r.json.run_id, compute: 'local', jobs: [] });
  });

  test('a run names a local-kind target, and its outputs equal the default run', async () => {
    const add = await api(srv.url, 'POST', '/api/compute', {
      body: { name: 'here', kind: 'local', config: { retries: 1 } },
    });
    assert.equal(add.status, 201, add.text);
    const a = await api(srv.url, 'POST', '/api/runs', {
      body: { document: pipeline(), no_cache: true },
    });
    const b = await api(srv.url, 'POST', '/api/runs', {
      body: { document: pipeline(), no_cache: true, compute: 'here' },
    });
    assert.equal(b.status, 202, b.text);
    const ra = await waitRun(srv.url, a.json.run_id);
    const rb = await waitRun(srv.url, b.json.run_id);
    assert.equal(rb.status, 'completed', JSON.stringify(rb));
    assert.deepEqual(
      rb.steps.map((s) => s.outputs),
      ra.steps.map((s) => s.outputs),
    );
    const where = await api(srv.url, 'GET', `/api/runs/${b.json.run_id}/compute`);
    assert.equal(where.json.compute, 'here');
  });

  test('runs that name a target that does not exist are refused before they start', async () => {
    const before = (await api(srv.url, 'GET', '/api/runs')).json.total;
    const r = await api(srv.url, 'POST', '/api/runs', {
      body: { document: pipeline(), compute: 'nowhere' },
    });
    assert.equal(r.status, 422, r.text);
    assert.match(r.json.error.message, /no compute target "nowhere"/);
    const node = await api(srv.url, 'POST', '/api/runs', { body: { document: pipeline('gone') } });
    assert.equal(node.status, 422, node.text);
    assert.match(node.json.error.message, /node split: .*no compute target "gone"/);
    const wrongType = await api(srv.url, 'POST', '/api/runs', {
      body: { document: pipeline(), compute: 7 },
    });
    assert.equal(wrongType.status, 422, wrongType.text);
    assert.match(wrongType.json.error.message, /"compute"/);
    assert.equal((await api(srv.url, 'GET', '/api/runs')).json.total, before, 'no run was made');
  });

  test('a node-level compute field is validated and marks its node', async () => {
    const bad = [
      [{ target: 'here', retries: 99 }, /"retries" must be an integer from 0 to 10/],
      [{ target: 'here', colour: 'red' }, /unknown member "colour"/],
      [{ target: 5 }, /"target" must be/],
      ['two words', /character 4/],
    ];
    for (const [compute, message] of bad) {
      const r = await api(srv.url, 'POST', '/api/runs', { body: { document: pipeline(compute) } });
      assert.equal(r.status, 422, `${JSON.stringify(compute)}: ${r.text}`);
      const issue = r.json.error.details.find((d) => d.node === 'split' && d.field === 'compute');
      assert.ok(issue, `${JSON.stringify(compute)}: ${r.text}`);
      assert.match(issue.message, message);
    }
    const notShape = await api(srv.url, 'POST', '/api/runs', { body: { document: pipeline(3) } });
    assert.equal(notShape.status, 422, notShape.text);
    assert.match(notShape.json.error.message, /"compute" must be a compute target's name/);

    // A node on the built-in target inside a run on a named one: both local.
    const ok = await api(srv.url, 'POST', '/api/runs', {
      body: { document: pipeline({ target: 'local', retries: 0 }), compute: 'here' },
    });
    assert.equal(ok.status, 202, ok.text);
    const run = await waitRun(srv.url, ok.json.run_id);
    assert.equal(run.status, 'completed', JSON.stringify(run));
    const split = run.snapshot.pipeline.nodes.find((n) => n.id === 'split');
    assert.deepEqual(split.compute, { retries: 0, target: 'local' }, 'the snapshot keeps it');
  });
});
