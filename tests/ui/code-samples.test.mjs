// The Consume tab's code samples (ui/src/pages/endpoints/samples.ts), run
// for real: each program is written with rows full of awkward values
// (quotes, apostrophes, backslashes, non-ASCII letters, newlines, null,
// booleans, large and negative numbers) and run against a small HTTP server
// of this test, which checks the request it receives: the method, the
// path, the key, and a body equal to the rows. So a quoting or escaping
// mistake in any language fails here, without needing weft.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { ROOT } from './harness.mjs';

const run = promisify(execFile);
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
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

const KEY = 'k3y_with-URL_safe_chars_0123456789abcdefghi'; // 43 characters, as weft's keys
const ROWS = [
  {
    Name: `O'Brien "the" \\ car`,
    Model: 'Citroën 2CV — ½ ton',
    Note: 'line one\nline two\ttabbed',
    Shell: '$HOME `id` $(echo no) JSON',
    Missing: null,
    Flag: true,
    Other: false,
    Big: 1234567890123,
    Negative: -0.000125,
  },
  { Name: 'second', Model: '', Note: '', Shell: "'", Missing: null, Flag: false, Other: true, Big: 0, Negative: -1 },
];
const REPLY = { Results: { WebServiceOutput0: [{ 'Scored Labels': 15.166816517287485 }] } };

let samples;
let server;
let url;
let scratch;
const received = [];

before(async () => {
  samples = await load('pages/endpoints/samples.ts');
  scratch = await mkdtemp(path.join(tmpdir(), 'weft-samples-'));
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(REPLY));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/endpoints/cars-mpg/score`;
});
after(async () => {
  server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const hasLibcurl = existsSync('/usr/include/curl/curl.h') || existsSync('/usr/include/x86_64-linux-gnu/curl/curl.h');

// Runs a sample file; answers {stdout, stderr}.
const RUNNERS = {
  curl: (file, env) => run('sh', [file], { cwd: scratch, env }),
  'python-urllib': (file, env) => run('python3', [file], { cwd: scratch, env }),
  'python-requests': (file, env) => run('python3', [file], { cwd: scratch, env }),
  javascript: (file, env) => run(process.execPath, [file], { cwd: scratch, env }),
  c: async (file, env) => {
    const exe = path.join(scratch, 'score');
    await run('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', file, '-lcurl', '-o', exe]);
    return run(exe, [], { cwd: scratch, env });
  },
};

describe('each sample, run as written, sends the rows and prints the reply', () => {
  for (const lang of ['curl', 'python-urllib', 'python-requests', 'javascript', 'c']) {
    for (const withKey of [true, false]) {
      test(`${lang}, ${withKey ? 'with the key in the code' : `with the key from $WEFT_ENDPOINT_KEY`}`, async (t) => {
        if (lang === 'c' && !hasLibcurl) {
          t.skip('libcurl4-openssl-dev is not installed');
          return;
        }
        const info = samples.SAMPLE_LANGUAGES.find((l) => l.id === lang);
        const code = samples.codeSample(lang, { url, key: withKey ? KEY : null, rows: ROWS });
        const file = path.join(scratch, info.file);
        await writeFile(file, code);
        received.length = 0;
        const env = { ...process.env, WEFT_ENDPOINT_KEY: withKey ? 'not-this-one' : KEY };
        const { stdout } = await RUNNERS[lang](file, env);
        assert.equal(received.length, 1, 'one request');
        const r = received[0];
        assert.equal(r.method, 'POST');
        assert.equal(r.url, '/endpoints/cars-mpg/score');
        assert.equal(r.headers.authorization, `Bearer ${KEY}`);
        assert.match(r.headers['content-type'], /^application\/json/);
        assert.deepEqual(JSON.parse(r.body), { Inputs: { WebServiceInput0: ROWS }, GlobalParameters: {} });
        assert.deepEqual(JSON.parse(stdout), REPLY, 'the program prints the reply as JSON');
      });
    }
  }

  test('C reads the key from the environment too', async (t) => {
    if (!hasLibcurl) {
      t.skip('libcurl4-openssl-dev is not installed');
      return;
    }
    const code = samples.codeSample('c', { url, key: null, rows: ROWS });
    const file = path.join(scratch, 'score_env.c');
    await writeFile(file, code);
    const exe = path.join(scratch, 'score_env');
    await run('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', file, '-lcurl', '-o', exe]);
    received.length = 0;
    await run(exe, [], { cwd: scratch, env: { ...process.env, WEFT_ENDPOINT_KEY: KEY } });
    assert.equal(received[0].headers.authorization, `Bearer ${KEY}`);
    // Without the variable it says what to do instead of sending no key.
    received.length = 0;
    const env = { ...process.env };
    delete env.WEFT_ENDPOINT_KEY;
    await assert.rejects(run(exe, [], { cwd: scratch, env }), (e) => /set WEFT_ENDPOINT_KEY/.test(e.stderr));
    assert.equal(received.length, 0);
  });
});

describe('the literal writers', () => {
  test('pythonLiteral writes what Python reads back as the same value', async () => {
    const value = { Inputs: { WebServiceInput0: ROWS }, GlobalParameters: {} };
    const { stdout } = await run('python3', ['-c', `import json, sys\nprint(json.dumps(${samples.pythonLiteral(value)}))`]);
    assert.deepEqual(JSON.parse(stdout), value);
  });

  test('cString escapes what C needs, and shellQuote what sh needs', async () => {
    assert.equal(samples.cString('a"b\\c\n'), '"a\\"b\\\\c\\012"');
    assert.equal(samples.cString('é'), '"\\303\\251"');
    const { stdout } = await run('sh', ['-c', `printf %s ${samples.shellQuote(`it's "$HOME" \\ \`x\``)}`]);
    assert.equal(stdout, `it's "$HOME" \\ \`x\``);
  });
});
