// slurm.test.mjs: the Slurm executor (#12) against a real one-node cluster
// that scripts/slurm-local starts for this file alone (its own state
// directory, ports, munged, slurmctld and slurmd) and stops by PID at the end.
//
//   - a sample pipeline run on Slurm gives artifacts identical, digest for
//     digest, to a local run, with each step's job output as its log;
//   - parallel branches really run as concurrent jobs;
//   - scancel from outside fails the step with Slurm's reason; with retries
//     the step is submitted again and completes;
//   - a time limit exceeded fails the step with Slurm's reason;
//   - restarting slurmctld during a run lets the run complete;
//   - a requeued job is followed to its end;
//   - Export Data in a job registers its dataset (the executor does: steps
//     never open the database);
//   - cancelling a run leaves no job behind; so does killing `weft run`
//     outright, once the next run starts;
//   - a job given CPUs keeps its threads to them;
//   - a node can run on Slurm while the rest of the run is local;
//   - a run submitted through the API names its target;
//   - Cross Validate Model's folds and Tune Model Hyperparameters' runs run
//     as job arrays, one task each, then a gather job, with the outputs of a
//     local run (and of one job per step, when a node turns arrays off);
//   - a task of an array cancelled from outside fails the step, naming the
//     task, and leaves no job behind; so does cancelling the run.
//
// CMake registers it only where sbatch is installed; run it by hand with
//   WEFT_BINARY=build-x/weft node --test tests/slurm/slurm.test.mjs

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from '../api/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const WEFT = process.env.WEFT_BINARY ?? path.join(ROOT, 'build-test/weft');
const SLURM_LOCAL = path.join(ROOT, 'scripts/slurm-local');
const CARS = path.join(process.env.WEFT_SAMPLES_DIR ?? path.join(ROOT, '.cache/samples'), 'cars.json');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let scratch; // this file's temporary directory
let env; // the environment of every command: SLURM_CONF and the cluster's settings
let clusterPids = []; // munged, slurmctld and slurmd, as started

function run(cmd, args, { timeoutMs = 120_000, extraEnv = {} } = {}) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...env, ...extraEnv }, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const weft = (ws, ...args) => run(WEFT, ['--workspace', ws, ...args]);

// `weft run` in the background: {child, done} where done resolves with
// {code, stdout, stderr} and the run's id once it is known.
function weftRunInBackground(ws, args) {
  const child = spawn(WEFT, ['--workspace', ws, 'run', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const runId = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = /run (\d+) started/.exec(stdout);
      if (m) return Number(m[1]);
      if (Date.now() > deadline) assert.fail(`no run started:\n${stdout}\n${stderr}`);
      await sleep(20);
    }
  };
  return { child, done, runId };
}

async function showRun(ws, id) {
  const r = await weft(ws, 'run-show', String(id), '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// The weft jobs Slurm knows (any state): [{id, name, state, reason}]; with
// ['-r'], an array's tasks one by one.
async function slurmJobs(extra = []) {
  const r = await run('squeue', ['-h', ...extra, '-t', 'all', '-o', '%i|%j|%T|%r']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [id, name, state, reason] = l.split('|');
      return { id, name, state, reason };
    });
}

// Waits until `pred(jobs)` holds for the jobs whose name starts with prefix.
async function waitJobs(prefix, pred, what, timeoutMs = 60_000, extra = []) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = (await slurmJobs(extra)).filter((j) => j.name.startsWith(prefix));
    if (pred(jobs)) return jobs;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(jobs)}`);
    await sleep(100);
  }
}

const ALIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'SUSPENDED']);

async function newWorkspace(name) {
  const ws = path.join(scratch, name);
  const r = await weft(ws, 'compute', 'list');
  assert.equal(r.code, 0, r.stderr);
  return ws;
}

async function addTarget(ws, name, ...flags) {
  const r = await weft(ws, 'compute', 'add', name, '--partition', 'debug', ...flags);
  assert.equal(r.code, 0, r.stderr);
}

async function writePipeline(name, doc) {
  const file = path.join(scratch, `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  return file;
}

const sleeper = (name, nodes, edges = []) => ({
  format: 'weft.pipeline/1',
  name,
  nodes: nodes.map(([id, seconds, extra = {}]) => ({
    id,
    module: 'test-sleep@1',
    params: { seconds },
    ...extra,
  })),
  edges: edges.map(([from, to]) => ({ from: `${from}.dataset`, to: `${to}.dataset` })),
});

// Cross Validate Model (linear regression, ten folds) and Tune Model
// Hyperparameters (a random sweep of four small forests, each measured on a
// validation set) on the cars sample; `cv` is merged into the CV node.
const sweeps = (name, cv = {}) => ({
  format: 'weft.pipeline/1',
  name,
  nodes: [
    { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
    { id: 'columns', module: 'select-columns@1', params: { columns: { exclude: [{ names: ['Name'] }] } } },
    {
      id: 'clean',
      module: 'clean-missing-data@1',
      params: { columns_to_be_cleaned: { include: [{ all: true }] }, cleaning_mode: 'remove-entire-row' },
    },
    { id: 'learner', module: 'linear-regression@1' },
    { id: 'cv', module: 'cross-validate-model@1', params: { label_column: 'Miles_per_Gallon', random_seed: 7 }, ...cv },
    { id: 'after', module: 'select-columns@1', params: { columns: { include: [{ all: true }] } } },
    { id: 'split', module: 'split-data@1', params: { fraction: 0.7, seed: 42 } },
    {
      id: 'forest',
      module: 'decision-forest-regression@1',
      params: {
        create_trainer_mode: 'parameter-range',
        number_of_decision_trees_range: '2; 4; 8',
        maximum_depth_of_the_decision_trees_range: '2; 4',
        number_of_random_splits_per_node_range: '8',
        minimum_number_of_samples_per_leaf_node_range: '2',
      },
    },
    {
      id: 'tune',
      module: 'tune-model-hyperparameters@1',
      params: { label_column: 'Miles_per_Gallon', maximum_number_of_runs_on_random_sweep: 4, random_seed: 3 },
    },
  ],
  edges: [
    ['cars.dataset', 'columns.dataset'],
    ['columns.dataset', 'clean.dataset'],
    ['learner.untrained_model', 'cv.untrained_model'],
    ['clean.cleaned_dataset', 'cv.dataset'],
    ['cv.scored_results', 'after.dataset'],
    ['clean.cleaned_dataset', 'split.dataset'],
    ['forest.untrained_model', 'tune.untrained_model'],
    ['split.first', 'tune.training_dataset'],
    ['split.second', 'tune.optional_validation_dataset'],
  ].map(([from, to]) => ({ from, to })),
});

// Two free consecutive loopback ports (slurmctld's and slurmd's).
async function freePorts() {
  const listen = (port) =>
    new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const a = await listen(port);
    const b = a && (await listen(port + 1));
    a?.close();
    b?.close();
    if (a && b) return port;
  }
  throw new Error('no two free ports');
}

function pidsOf(dir) {
  return ['munge/run/munged.pid', 'slurmctld.pid', 'slurmd.pid']
    .map((f) => path.join(dir, f))
    .filter((f) => existsSync(f))
    .map((f) => Number(readFileSync(f, 'utf8').trim()))
    .filter((p) => p > 0);
}

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the Slurm executor on a one-node cluster', { concurrency: false }, () => {
  let slurmDir;
  let ws; // one workspace for the Slurm runs, so run ids (and job names) are unique
  let timeLimited; // the time-limit run, started first: it takes over a minute

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'weft-slurm-test-'));
    // munged runs as the munge user, which must reach its directory.
    await chmod(scratch, 0o755);
    slurmDir = path.join(scratch, 'cluster');
    env = {
      ...process.env,
      WEFT_NO_SAMPLES: '1',
      WEFT_SLURM_DIR: slurmDir,
      WEFT_SLURM_PORT: String(await freePorts()),
      WEFT_SLURM_CPUS: '8',
    };
    const r = await run(SLURM_LOCAL, ['start'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `slurm-local start failed:\n${r.stderr}`);
    env.SLURM_CONF = r.stdout.trim();
    assert.ok(existsSync(env.SLURM_CONF), r.stdout);
    clusterPids = pidsOf(slurmDir);
    assert.equal(clusterPids.length, 3, 'munged, slurmctld and slurmd are running');
    ws = await newWorkspace('ws');
    await addTarget(ws, 'hpc');
    await addTarget(ws, 'retry1', '--retries', '1');
    // One minute, Slurm's smallest limit; it checks limits every 30 s or so.
    await addTarget(ws, 'short', '--time-limit', '1');
    // Its jobs wait until released: a job array's tasks stay pending.
    await addTarget(ws, 'held', '--sbatch-arg', '--hold');
    await addTarget(ws, 'one-cpu', '--cpus', '1');
    const file = await writePipeline('timeout', sleeper('timeout', [['nap', 600]]));
    timeLimited = { started: Date.now(), bg: weftRunInBackground(ws, [file, '--no-cache', '--compute', 'short']) };
  });

  after(async () => {
    // A time-limited run still going (its test was filtered out) is
    // cancelled like a Ctrl-C, before the cluster goes away under it.
    const bg = timeLimited?.bg;
    if (bg && bg.child.exitCode === null && bg.child.signalCode === null) {
      bg.child.kill('SIGTERM');
      const timer = setTimeout(() => bg.child.kill('SIGKILL'), 60_000);
      await bg.done;
      clearTimeout(timer);
    }
    if (slurmDir !== undefined) {
      // slurmctld may have been restarted: stop what runs now, by PID.
      const pids = [...new Set([...clusterPids, ...pidsOf(slurmDir)])];
      await run(SLURM_LOCAL, ['stop'], { timeoutMs: 60_000 });
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await sleep(200);
      for (const pid of pids) assert.ok(!isAlive(pid), `cluster process ${pid} is still alive`);
    }
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  test('a sample pipeline on Slurm gives the artifacts of a local run, digest for digest', async () => {
    assert.ok(existsSync(CARS), `the cars sample is missing (${CARS}): run make deps`);
    // The Azure designer's regression sample, with a second learner on a
    // parallel branch that Evaluate Model compares.
    const doc = JSON.parse(await readFile(path.join(ROOT, 'examples/cars-regression.json'), 'utf8'));
    doc.nodes.push(
      { id: 'forest', module: 'decision-forest-regression@1' },
      { id: 'train2', module: 'train-model@1', params: { label_column: 'Miles_per_Gallon' } },
      { id: 'score2', module: 'score-model@1' },
    );
    doc.edges.push(
      { from: 'forest.untrained_model', to: 'train2.untrained_model' },
      { from: 'split.first', to: 'train2.dataset' },
      { from: 'train2.trained_model', to: 'score2.trained_model' },
      { from: 'split.second', to: 'score2.dataset' },
      { from: 'score2.scored_dataset', to: 'evaluate.scored_dataset_to_compare' },
    );
    const file = await writePipeline('cars', doc);
    const results = {};
    // Two workspaces, so that nothing the local run made can be reused.
    for (const where of ['local', 'slurm']) {
      const dir = where === 'slurm' ? ws : await newWorkspace('ws-local');
      const imp = await weft(dir, 'import', CARS, '--name', 'cars');
      assert.equal(imp.code, 0, imp.stderr);
      const args = ['run', file, '--no-cache', ...(where === 'slurm' ? ['--compute', 'hpc'] : [])];
      const r = await weft(dir, ...args);
      assert.equal(r.code, 0, `${where} run failed:\n${r.stdout}\n${r.stderr}`);
      const id = Number(/run (\d+) started/.exec(r.stdout)[1]);
      results[where] = { ws: dir, id, run: await showRun(dir, id) };
    }
    const local = results.local.run;
    const slurm = results.slurm.run;
    assert.equal(slurm.status, 'completed');
    assert.equal(slurm.steps.length, doc.nodes.length);
    for (const s of slurm.steps) {
      const l = local.steps.find((x) => x.node === s.node);
      assert.equal(s.status, 'completed', `${s.node}: ${s.error}`);
      assert.ok(Object.keys(s.outputs).length > 0, s.node);
      assert.deepEqual(s.outputs, l.outputs, `step ${s.node}: digests differ`);
    }
    // Every step was a job, and its output file is the step's log.
    const jobs = (await slurmJobs()).filter((j) => j.name.startsWith(`weft-${results.slurm.id}-`));
    assert.deepEqual(
      jobs.map((j) => j.name.slice(`weft-${results.slurm.id}-`.length)).sort(),
      doc.nodes.map((n) => n.id).sort(),
    );
    for (const j of jobs) assert.equal(j.state, 'COMPLETED', JSON.stringify(j));
    const log = await readFile(path.join(results.slurm.ws, 'logs', String(results.slurm.id), 'clean.log'), 'utf8');
    assert.match(log, /submitted to Slurm as job \d+/);
    assert.match(log, /removed \d+ of \d+ rows/, 'the module log came through the job output');
  });

  test('parallel branches run as concurrent jobs', async () => {
    const file = await writePipeline(
      'parallel',
      sleeper('parallel', [
        ['a', 4],
        ['b', 4],
        ['c', 4],
        ['join', 0],
      ], [['a', 'join']]),
    );
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    const running = await waitJobs(
      `weft-${id}-`,
      (jobs) => jobs.filter((j) => j.state === 'RUNNING').length >= 3,
      'three branches running at once',
      30_000,
    );
    assert.deepEqual(running.filter((j) => j.state === 'RUNNING').map((j) => j.name).sort(), [
      `weft-${id}-a`,
      `weft-${id}-b`,
      `weft-${id}-c`,
    ]);
    const r = await bg.done;
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('scancel from outside fails the step with Slurm\'s reason', async () => {
    const file = await writePipeline(
      'scancel',
      sleeper('scancel', [
        ['nap', 120],
        ['after', 0],
      ], [['nap', 'after']]),
    );
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    const [job] = await waitJobs(`weft-${id}-nap`, (j) => j.length === 1 && j[0].state === 'RUNNING', 'nap running');
    const c = await run('scancel', [job.id]);
    assert.equal(c.code, 0, c.stderr);
    const r = await bg.done;
    assert.equal(r.code, 1, r.stdout);
    const show = await showRun(ws, id);
    const nap = show.steps.find((s) => s.node === 'nap');
    assert.equal(nap.status, 'failed');
    assert.match(nap.error, new RegExp(`Slurm job ${job.id} was cancelled`));
    assert.match(nap.error, /CANCELLED/);
    assert.equal(show.steps.find((s) => s.node === 'after').status, 'skipped');
    assert.equal(show.status, 'failed');
  });

  test('a step Slurm kills is submitted again when its retries allow, and completes', async () => {
    const file = await writePipeline('retry', sleeper('retry', [['nap', 5]]));
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'retry1']);
    const id = await bg.runId();
    const [first] = await waitJobs(`weft-${id}-nap`, (j) => j.length === 1 && j[0].state === 'RUNNING', 'nap running');
    assert.equal((await run('scancel', [first.id])).code, 0);
    const r = await bg.done;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // The run ends on the step's own record; Slurm may still show its job
    // running while the job script exits.
    const jobs = await waitJobs(
      `weft-${id}-nap`,
      (j) => j.length === 2 && j.every((x) => !ALIVE.has(x.state)),
      'a second job, ended',
    );
    const second = jobs.find((j) => j.id !== first.id);
    assert.equal(second.state, 'COMPLETED');
    const log = await readFile(path.join(ws, 'logs', String(id), 'nap.log'), 'utf8');
    assert.match(log, new RegExp(`job ${first.id}[\\s\\S]*CANCELLED[\\s\\S]*job ${second.id}[\\s\\S]*slept 5 s`));
  });

  test('a time limit exceeded fails the step with Slurm\'s reason', { timeout: 240_000 }, async () => {
    // Started by before(): the run on target "short" (a one-minute limit).
    const id = await timeLimited.bg.runId();
    const r = await timeLimited.bg.done;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const nap = (await showRun(ws, id)).steps[0];
    assert.equal(nap.status, 'failed');
    assert.match(nap.error, /exceeded its time limit \(TIMEOUT, reason TimeLimit\)/);
    assert.match(nap.error, /DUE TO TIME LIMIT/);
    const took = Date.now() - timeLimited.started;
    assert.ok(took >= 59_000 && took < 200_000, `took ${took} ms`);
  });

  test('restarting slurmctld during a run lets the run complete', async () => {
    const file = await writePipeline(
      'restart',
      sleeper('restart', [
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ], [
        ['a', 'b'],
        ['b', 'c'],
      ]),
    );
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    await waitJobs(`weft-${id}-a`, (j) => j.length === 1 && j[0].state === 'RUNNING', 'a running');
    const before = pidsOf(slurmDir)[1];
    // Down for 5 s: a finishes and b is submitted while the controller is away.
    const rc = await run(SLURM_LOCAL, ['restart-controller', '5'], { timeoutMs: 90_000 });
    assert.equal(rc.code, 0, rc.stderr);
    assert.notEqual(pidsOf(slurmDir)[1], before, 'slurmctld is a new process');
    const r = await bg.done;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const show = await showRun(ws, id);
    assert.deepEqual(
      show.steps.map((s) => s.status),
      ['completed', 'completed', 'completed'],
    );
  });

  test('a requeued job is followed to its end', async () => {
    const file = await writePipeline('requeue', sleeper('requeue', [['nap', 6]]));
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    const [job] = await waitJobs(`weft-${id}-nap`, (j) => j.length === 1 && j[0].state === 'RUNNING', 'nap running');
    await sleep(1000);
    assert.equal((await run('scontrol', ['requeue', job.id])).code, 0);
    // Slurm holds a requeued job back for two minutes; let it go sooner. Not
    // in the same second as the requeue: slurmd revokes the old launch's
    // credential at a time in whole seconds and refuses any launch whose
    // credential is not newer ("Job credential revoked"), which fails the
    // job for good.
    await waitJobs(`weft-${id}-nap`, (j) => j[0]?.state === 'PENDING', 'requeued');
    await sleep(2000);
    assert.equal((await run('scontrol', ['update', `jobid=${job.id}`, 'StartTime=now'])).code, 0);
    const r = await bg.done;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const show = await showRun(ws, id);
    assert.equal(show.steps[0].status, 'completed');
    const log = await readFile(path.join(ws, 'logs', String(id), 'nap.log'), 'utf8');
    assert.match(log, /DUE TO JOB REQUEUE[\s\S]*slept 6 s/);
    const [after] = await waitJobs(`weft-${id}-nap`, (j) => j.length === 1 && !ALIVE.has(j[0].state), 'nap ended');
    assert.equal(after.state, 'COMPLETED');
  });

  test('cancelling a run leaves no job behind', async () => {
    const file = await writePipeline(
      'cancel',
      sleeper('cancel', [
        ['a', 300],
        ['b', 300],
        ['c', 300],
        ['d', 0],
      ], [['a', 'd']]),
    );
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    await waitJobs(`weft-${id}-`, (j) => j.filter((x) => x.state === 'RUNNING').length === 3, 'three running');
    const c = await weft(ws, 'cancel', String(id));
    assert.equal(c.code, 0, c.stderr);
    const r = await bg.done;
    assert.equal(r.code, 1, r.stdout);
    const show = await showRun(ws, id);
    assert.equal(show.status, 'canceled');
    for (const s of show.steps) assert.equal(s.status, 'canceled', `${s.node}: ${s.status}`);
    const left = (await slurmJobs()).filter((j) => j.name.startsWith(`weft-${id}-`));
    assert.equal(left.length, 3);
    for (const j of left) assert.ok(!ALIVE.has(j.state), `job ${j.id} is ${j.state}`);
  });

  test('Export Data on Slurm registers its dataset through the executor', async () => {
    // A step never opens the workspace database (a job on another node
    // could not share it): the executor registers what it stored.
    const file = await writePipeline('export', {
      format: 'weft.pipeline/1',
      name: 'export',
      nodes: [
        { id: 'cars', module: 'dataset@1', params: { dataset: 'cars' } },
        {
          id: 'export',
          module: 'export-data@1',
          params: { destination: 'dataset', dataset_name: 'cars-from-slurm', description: 'via a job' },
          compute: 'hpc',
        },
      ],
      edges: [{ from: 'cars.dataset', to: 'export.dataset' }],
    });
    const r = await weft(ws, 'run', file, '--no-cache');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const id = Number(/run (\d+) started/.exec(r.stdout)[1]);
    const names = (await slurmJobs()).filter((j) => j.name.startsWith(`weft-${id}-`)).map((j) => j.name);
    assert.deepEqual(names, [`weft-${id}-export`]);
    const head = await weft(ws, 'head', 'cars-from-slurm@1', '-n', '2');
    assert.equal(head.code, 0, head.stderr);
    assert.match(head.stdout, /Miles_per_Gallon/);
    const list = await weft(ws, 'datasets');
    assert.match(list.stdout, /cars-from-slurm/);
  });

  test('the jobs of a run whose weft was killed are cancelled when the next run starts', async () => {
    const file = await writePipeline(
      'killed',
      sleeper('killed', [
        ['a', 300],
        ['b', 300],
      ]),
    );
    const bg = weftRunInBackground(ws, [file, '--no-cache', '--compute', 'hpc']);
    const id = await bg.runId();
    await waitJobs(`weft-${id}-`, (j) => j.filter((x) => x.state === 'RUNNING').length === 2, 'two running');
    // kill -9: the executor dies without a word, and its jobs run on.
    bg.child.kill('SIGKILL');
    await bg.done;
    await sleep(1500);
    const orphans = (await slurmJobs()).filter((j) => j.name.startsWith(`weft-${id}-`));
    assert.equal(orphans.filter((j) => ALIVE.has(j.state)).length, 2, JSON.stringify(orphans));
    // The next run finds the dead run, and cancels its jobs before it starts.
    const next = await writePipeline('next', sleeper('next', [['quick', 0]]));
    const r = await weft(ws, 'run', next, '--no-cache');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const show = await showRun(ws, id);
    assert.equal(show.status, 'failed');
    assert.match(show.error, /interrupted/);
    await waitJobs(`weft-${id}-`, (j) => j.length === 2 && j.every((x) => !ALIVE.has(x.state)), 'no job alive', 30_000);
  });

  test('a job given CPUs keeps its threads to them', async () => {
    // The node has more cores than a one-CPU job may use; a step's thread
    // budget (which bounds its learners, XGBoost and OpenBLAS) says so.
    const file = await writePipeline(
      'cpus',
      sleeper('cpus', [
        ['bound', 0, { compute: { target: 'one-cpu' } }],
        ['free', 0, { compute: { target: 'hpc' } }],
      ]),
    );
    const r = await run(WEFT, ['--workspace', ws, 'run', file, '--no-cache'], { extraEnv: { OMP_NUM_THREADS: '' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const id = Number(/run (\d+) started/.exec(r.stdout)[1]);
    const log = (node) => readFile(path.join(ws, 'logs', String(id), `${node}.log`), 'utf8');
    assert.match(await log('bound'), /slept 0 s; 1 threads allowed/);
    const cores = Math.min(os.availableParallelism(), 64);
    assert.match(await log('free'), new RegExp(`slept 0 s; ${cores} threads allowed`));
  });

  test('one node runs on Slurm while the rest of the run is local', async () => {
    const file = await writePipeline(
      'node',
      sleeper('node', [
        ['here', 0],
        ['there', 0, { compute: { target: 'hpc' } }],
      ], [['here', 'there']]),
    );
    const r = await weft(ws, 'run', file, '--no-cache');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const id = Number(/run (\d+) started/.exec(r.stdout)[1]);
    const names = (await slurmJobs()).filter((j) => j.name.startsWith(`weft-${id}-`)).map((j) => j.name);
    assert.deepEqual(names, [`weft-${id}-there`]);
  });

  test('a run submitted through the API names its compute target', async () => {
    const srv = await startServer({ env: { SLURM_CONF: env.SLURM_CONF } });
    try {
      const add = await api(srv.url, 'POST', '/api/compute', {
        body: { name: 'hpc', kind: 'slurm', config: { partition: 'debug', cpus: 1 } },
      });
      assert.equal(add.status, 201, add.text);
      const doc = sleeper('api', [
        ['a', 0],
        ['b', 0],
      ], [['a', 'b']]);
      const sub = await api(srv.url, 'POST', '/api/runs', {
        body: { document: doc, compute: 'hpc', no_cache: true },
      });
      assert.equal(sub.status, 202, sub.text);
      const id = sub.json.run_id;
      let runJson;
      const deadline = Date.now() + 60_000;
      do {
        await sleep(100);
        runJson = (await api(srv.url, 'GET', `/api/runs/${id}`)).json;
        if (Date.now() > deadline) assert.fail(`run ${id} is ${runJson.status}`);
      } while (!['completed', 'failed', 'canceled'].includes(runJson.status));
      assert.equal(runJson.status, 'completed', JSON.stringify(runJson));
      const where = await api(srv.url, 'GET', `/api/runs/${id}/compute`);
      assert.equal(where.status, 200, where.text);
      assert.equal(where.json.compute, 'hpc');
      const jobs = await slurmJobs();
      assert.deepEqual(
        where.json.jobs.map((j) => j.node),
        ['a', 'b'],
      );
      for (const j of where.json.jobs) {
        const known = jobs.find((x) => x.id === j.job_id);
        assert.equal(known?.name, `weft-${id}-${j.node}`);
      }
      const log = await api(srv.url, 'GET', `/api/runs/${id}/steps/b/log`);
      assert.match(log.text, /submitted to Slurm as job/);
    } finally {
      await srv.stop();
    }
  });

  test('CV folds and sweep runs run as job arrays, with the outputs of a local run', async () => {
    const local = await newWorkspace('ws-arrays-local');
    for (const dir of [local, ws]) {
      const imp = await weft(dir, 'import', CARS, '--name', 'cars');
      assert.equal(imp.code, 0, imp.stderr);
    }
    const runOf = async (dir, doc, ...args) => {
      const r = await weft(dir, 'run', await writePipeline(doc.name, doc), '--no-cache', ...args);
      assert.equal(r.code, 0, `${doc.name}:\n${r.stdout}\n${r.stderr}`);
      const id = Number(/run (\d+) started/.exec(r.stdout)[1]);
      return { id, run: await showRun(dir, id) };
    };
    const want = (await runOf(local, sweeps('arrays-local'))).run;
    // On Slurm, with arrays (the target's default), then with the CV node's
    // folds in one job.
    const arrays = await runOf(ws, sweeps('arrays'), '--compute', 'hpc');
    const single = await runOf(ws, sweeps('arrays-off', { compute: { target: 'hpc', job_arrays: false } }), '--compute', 'hpc');
    for (const got of [arrays, single]) {
      assert.equal(got.run.status, 'completed');
      for (const s of got.run.steps) {
        const l = want.steps.find((x) => x.node === s.node);
        assert.equal(s.status, 'completed', `${s.node}: ${s.error}`);
        assert.deepEqual(s.outputs, l.outputs, `run ${got.id}, step ${s.node}: digests differ`);
      }
    }
    // One array task per fold and per sweep run, each its own Slurm job
    // (<array>_<k>), then the gather.
    const jobs = (await slurmJobs(['-r'])).filter((j) => j.name.startsWith(`weft-${arrays.id}-`));
    for (const [node, n] of [['cv', 10], ['tune', 4]]) {
      const tasks = jobs.filter((j) => j.name === `weft-${arrays.id}-${node}.tasks`);
      assert.equal(tasks.length, n, `${node}: ${JSON.stringify(tasks)}`);
      const array = tasks[0].id.split('_')[0];
      assert.deepEqual(tasks.map((t) => t.id).sort(), [...Array(n).keys()].map((k) => `${array}_${k}`).sort());
      for (const t of tasks) assert.equal(t.state, 'COMPLETED', JSON.stringify(t));
      const gather = jobs.filter((j) => j.name === `weft-${arrays.id}-${node}.gather`);
      assert.equal(gather.length, 1);
      assert.equal(gather[0].state, 'COMPLETED');
      const log = await readFile(path.join(ws, 'logs', String(arrays.id), `${node}.log`), 'utf8');
      assert.match(log, new RegExp(`Slurm job array ${array} \\(tasks 0-${n - 1}\\)`));
      // The tasks' results are gone once the gather has them.
      assert.ok(!existsSync(path.join(ws, 'jobs', String(arrays.id), `${node}.task`)));
    }
    const cvLog = await readFile(path.join(ws, 'logs', String(arrays.id), 'cv.log'), 'utf8');
    assert.match(cvLog, /fold 1: training linear-regression[\s\S]*fold 10: training/, 'the folds\' logs, in order');
    const off = (await slurmJobs(['-r'])).filter((j) => j.name.startsWith(`weft-${single.id}-cv`));
    assert.deepEqual(off.map((j) => j.name), [`weft-${single.id}-cv`], 'job_arrays: false runs the folds in one job');
  });

  // Waits for step `node`'s plan on the held target, releases it, and
  // returns its array's tasks once they are queued (and held).
  async function heldArray(id, node, n) {
    const [plan] = await waitJobs(`weft-${id}-${node}`, (j) => j.some((x) => x.name === `weft-${id}-${node}`), 'the plan queued');
    assert.equal((await run('scontrol', ['release', plan.id])).code, 0);
    return waitJobs(`weft-${id}-${node}.tasks`, (j) => j.length === n, 'the array queued', 60_000, ['-r']);
  }

  test('a job array task cancelled from outside fails the step, naming it, and leaves no job behind', async () => {
    const file = await writePipeline('array-scancel', sweeps('array-scancel', { compute: { target: 'held' } }));
    const bg = weftRunInBackground(ws, [file, '--no-cache']);
    const id = await bg.runId();
    const tasks = await heldArray(id, 'cv', 10);
    const array = tasks[0].id.split('_')[0];
    assert.equal((await run('scancel', [`${array}_3`])).code, 0);
    const r = await bg.done;
    assert.equal(r.code, 1, r.stdout);
    const show = await showRun(ws, id);
    const cv = show.steps.find((s) => s.node === 'cv');
    assert.equal(cv.status, 'failed');
    assert.match(cv.error, new RegExp(`Slurm job ${array}_3 \\(task 3 of the job array\\) was cancelled`));
    assert.match(cv.error, /CANCELLED/);
    assert.equal(show.steps.find((s) => s.node === 'after').status, 'skipped');
    const left = (await slurmJobs(['-r'])).filter((j) => j.name.startsWith(`weft-${id}-`));
    assert.ok(left.some((j) => j.name === `weft-${id}-cv.gather`), JSON.stringify(left));
    for (const j of left) assert.ok(!ALIVE.has(j.state), `job ${j.id} (${j.name}) is ${j.state}`);
  });

  test('cancelling a run cancels its job arrays and their gathers', async () => {
    const file = await writePipeline('array-cancel', sweeps('array-cancel', { compute: { target: 'held' } }));
    const bg = weftRunInBackground(ws, [file, '--no-cache']);
    const id = await bg.runId();
    await heldArray(id, 'cv', 10);
    const c = await weft(ws, 'cancel', String(id));
    assert.equal(c.code, 0, c.stderr);
    const r = await bg.done;
    assert.equal(r.code, 1, r.stdout);
    const show = await showRun(ws, id);
    assert.equal(show.status, 'canceled');
    assert.equal(show.steps.find((s) => s.node === 'cv').status, 'canceled');
    const left = (await slurmJobs(['-r'])).filter((j) => j.name.startsWith(`weft-${id}-`));
    assert.equal(left.filter((j) => j.name === `weft-${id}-cv.tasks`).length, 10);
    for (const j of left) assert.ok(!ALIVE.has(j.state), `job ${j.id} (${j.name}) is ${j.state}`);
  });
});
