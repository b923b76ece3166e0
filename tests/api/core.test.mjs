// core.test.mjs: the server itself: health, the OpenAPI document against
// what the server answers, routing errors, JSON bodies and their limits,
// uploads, tokens, the static UI and traversal, streams and shutdown.

import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api, rawGet, rawRequest, startServer, WEFT_BINARY } from './server.mjs';

const errorShape = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  assert.ok(r.json.error.message.length > 0);
  assert.ok('details' in r.json.error, r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};

describe('an open server on loopback', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('health answers ok with the workspace name, not its path', async () => {
    const r = await api(srv.url, 'GET', '/api/health');
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ok');
    assert.equal(typeof r.json.version, 'string');
    assert.equal(r.json.workspace, path.basename(srv.workspace));
    assert.ok(!r.text.includes(srv.workspace));
  });

  test('the start message names the URL and says the API is open', () => {
    const { stdout } = srv.output();
    assert.match(stdout, new RegExp(`weft serving .* on http://127\\.0\\.0\\.1:${srv.port}`));
    assert.match(stdout, /API is open/);
  });

  test('every route in the OpenAPI document answers its method, never with 5xx or the workspace path', async () => {
    const doc = (await api(srv.url, 'GET', '/api/openapi.json')).json;
    assert.equal(doc.openapi.slice(0, 2), '3.');
    const ids = new Set();
    let count = 0;
    for (const [pattern, item] of Object.entries(doc.paths)) {
      assert.ok(pattern.startsWith('/api/'), pattern);
      for (const [method, op] of Object.entries(item)) {
        count++;
        assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
        ids.add(op.operationId);
        const names = [...pattern.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const declared = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        assert.deepEqual(declared, names, `${method} ${pattern}: path parameters`);
        const url = pattern.replace(/\{[^}]+\}/g, '1');
        const upper = method.toUpperCase();
        const body = ['POST', 'PUT', 'PATCH'].includes(upper) ? '{}' : undefined;
        const r = await fetch(srv.url + url, {
          method: upper,
          body,
          headers: body ? { 'Content-Type': 'application/json' } : {},
          signal: AbortSignal.timeout(15_000),
        });
        // An event stream may never end: its headers are enough.
        const streaming = (r.headers.get('content-type') ?? '').startsWith('text/event-stream');
        const text = streaming ? '' : await r.text();
        if (streaming) await r.body?.cancel().catch(() => {});
        let code;
        try {
          code = JSON.parse(text)?.error?.code;
        } catch {
          code = undefined;
        }
        const what = `${upper} ${url} -> ${r.status} ${text.slice(0, 300)}`;
        assert.ok(!['no_route', 'method_not_allowed'].includes(code), what);
        assert.ok(r.status < 500, what);
        assert.ok(!text.includes(srv.workspace), `${what}: holds the workspace path`);
        for (const [, v] of r.headers) assert.ok(!v.includes(srv.workspace), what);
      }
    }
    for (const [p, m] of [
      ['/api/health', 'get'],
      ['/api/openapi.json', 'get'],
      ['/api/modules', 'get'],
      ['/api/modules/{id}', 'get'],
    ])
      assert.ok(doc.paths[p]?.[m], `${m} ${p} is listed`);
    assert.ok(count >= 4);
    assert.deepEqual(doc.paths['/api/health'].get.security, []);
    assert.ok(doc.components.securitySchemes.bearer);
  });

  test('an unknown API path is a 404 JSON error', async () => {
    const r = await api(srv.url, 'GET', '/api/no/such/thing');
    errorShape(r, 404, 'no_route');
    assert.equal(r.json.error.details, null);
    errorShape(await api(srv.url, 'GET', '/api'), 404, 'no_route');
    errorShape(await api(srv.url, 'GET', '/api/modules/'), 404, 'no_route');
  });

  test('a known path with the wrong method is a 405 that says what is allowed', async () => {
    const r = await api(srv.url, 'DELETE', '/api/health');
    errorShape(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow'), /GET/);
    errorShape(await api(srv.url, 'POST', '/index.html'), 405, 'method_not_allowed');
  });

  test('path captures are decoded per segment; an encoded slash is not a separator', async () => {
    const ok = await api(srv.url, 'GET', '/api/modules/split-data%401');
    assert.equal(ok.status, 200);
    assert.equal(ok.json.id, 'split-data@1');
    errorShape(await api(srv.url, 'GET', '/api/modules/split-data%2F1'), 404, 'no_route');
    errorShape(await api(srv.url, 'GET', '/api/modules/%zz'), 404, 'no_route');
    errorShape(await api(srv.url, 'GET', '/api/modules/a%00b'), 404, 'no_route');
  });

  test('GET /api/modules lists split-data@1 with its parameters', async () => {
    const r = await api(srv.url, 'GET', '/api/modules');
    assert.equal(r.status, 200);
    const split = r.json.modules.find((m) => m.id === 'split-data@1');
    assert.ok(split, 'split-data@1 is in the catalogue');
    assert.ok(Array.isArray(split.params) && split.params.length > 0);
    assert.ok(split.params.some((p) => p.name === 'fraction'));
    const one = await api(srv.url, 'GET', '/api/modules/split-data@1');
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, split);
    errorShape(await api(srv.url, 'GET', '/api/modules/no-such-module@9'), 404, 'not_found');
  });

  test('malformed JSON is a 400 that gives the line and column', async () => {
    const r = await api(srv.url, 'POST', '/api/test/echo', {
      body: '{"a": 1,\n  "b": }',
      headers: { 'Content-Type': 'application/json' },
    });
    errorShape(r, 400, 'bad_json');
    assert.match(r.json.error.message, /line 2, column \d+/);
    errorShape(await api(srv.url, 'POST', '/api/test/echo', { body: '' }), 400, 'bad_json');
    errorShape(await api(srv.url, 'POST', '/api/test/echo', { body: '[1]' }), 400, 'bad_json');
    const dup = await api(srv.url, 'POST', '/api/test/echo', { body: '{"a": 1, "a": 2}' });
    errorShape(dup, 400, 'bad_json');
    assert.match(dup.json.error.message, /duplicate/);
    const latin1 = await api(srv.url, 'POST', '/api/test/echo', {
      body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
    });
    errorShape(latin1, 400, 'bad_json');
    const ok = await api(srv.url, 'POST', '/api/test/echo', { body: { x: [1, 'é'] } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json.echo, { x: [1, 'é'] });
  });

  test('a JSON body over 16 MB is refused with 413, declared or chunked', async () => {
    const big = `{"x":"${'a'.repeat(17 << 20)}"}`;
    const r = await api(srv.url, 'POST', '/api/test/echo', { body: big });
    errorShape(r, 413, 'too_large');
    assert.match(r.json.error.message, /16 MB/);
    // Chunked: no Content-Length, so the server finds out while reading.
    const chunk = new TextEncoder().encode('a'.repeat(1 << 20));
    let sent = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (sent++ < 18) c.enqueue(chunk);
        else c.close();
      },
    });
    const c = await fetch(srv.url + '/api/test/echo', { method: 'POST', body: stream, duplex: 'half' });
    const json = await c.json();
    assert.equal(c.status, 413);
    assert.equal(json.error.code, 'too_large');
    // The server is still fine.
    assert.equal((await api(srv.url, 'GET', '/api/health')).status, 200);
  });

  test('an upload route streams its body to a temporary file that is gone after the reply', async () => {
    const bytes = new Uint8Array(20 << 20).map((_, i) => (i * 7) & 0xff);
    const r = await api(srv.url, 'POST', '/api/test/upload', { body: bytes });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.bytes, bytes.length);
    assert.equal(r.json.file_bytes, bytes.length);
    const { createHash } = await import('node:crypto');
    assert.equal(r.json.sha256, createHash('sha256').update(bytes).digest('hex'));
    const left = await readdir(path.join(srv.workspace, 'tmp')).catch(() => []);
    assert.deepEqual(left.filter((f) => f.startsWith('upload-')), []);
  });

  test('query integers are checked', async () => {
    const r = await api(srv.url, 'GET', '/api/test/stream?count=-1');
    errorShape(r, 400, 'bad_query');
    assert.match(r.json.error.message, /count/);
  });

  test('a stream sends its events with no-cache and ends', async () => {
    const r = await fetch(srv.url + '/api/test/stream?count=3&gap_ms=30');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const text = await r.text();
    assert.equal(text.match(/event: tick/g).length, 3);
    assert.match(text, /data: \{"i":2\}/);
  });

  test('idle streams do not hold the daemon threads', async () => {
    const ctrl = new AbortController();
    const streams = [];
    for (let i = 0; i < 6; i++)
      streams.push(fetch(srv.url + '/api/test/stream?count=0&gap_ms=60000', { signal: ctrl.signal }));
    const opened = await Promise.all(streams);
    for (const s of opened) assert.equal(s.status, 200);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) assert.equal((await api(srv.url, 'GET', '/api/health')).status, 200);
    assert.ok(Date.now() - t0 < 2000, 'health answered while six streams wait');
    ctrl.abort();
  });

  test('every request is logged: method, path, status, bytes, duration', async () => {
    await api(srv.url, 'GET', '/api/health?probe=log');
    await new Promise((r) => setTimeout(r, 50));
    assert.match(srv.output().stderr, /GET \/api\/health 200 \d+ [\d.]+ms/);
  });
});

describe('static files', () => {
  let srv;
  let ui;
  let secretDir;
  before(async () => {
    ui = await mkdtemp(path.join(tmpdir(), 'weft-ui-'));
    await writeFile(path.join(ui, 'index.html'), '<!doctype html><title>app</title>INDEX');
    await mkdir(path.join(ui, 'assets'));
    await writeFile(path.join(ui, 'assets', 'app-1234.js'), 'console.log("app")');
    await writeFile(path.join(ui, 'assets', 'app.css'), 'body{}');
    secretDir = await mkdtemp(path.join(tmpdir(), 'weft-secret-'));
    await writeFile(path.join(secretDir, 'secret.txt'), 'TOP-SECRET');
    await symlink(secretDir, path.join(ui, 'outside'));
    srv = await startServer({ ui });
  });
  after(async () => {
    await srv?.stop();
    await rm(ui, { recursive: true, force: true });
    await rm(secretDir, { recursive: true, force: true });
  });

  test('files come with their content types', async () => {
    const root = await api(srv.url, 'GET', '/');
    assert.equal(root.status, 200);
    assert.match(root.text, /INDEX/);
    assert.match(root.headers.get('content-type'), /^text\/html/);
    const js = await api(srv.url, 'GET', '/assets/app-1234.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.match(js.headers.get('cache-control'), /immutable/);
    const css = await api(srv.url, 'GET', '/assets/app.css');
    assert.match(css.headers.get('content-type'), /^text\/css/);
  });

  test("the app's own routes fall back to index.html; missing files are 404", async () => {
    const r = await api(srv.url, 'GET', '/datasets/iris');
    assert.equal(r.status, 200);
    assert.match(r.text, /INDEX/);
    assert.equal((await api(srv.url, 'GET', '/assets/missing.js')).status, 404);
  });

  test('traversal is refused, however it is spelled', async () => {
    for (const target of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2f..%2fetc/passwd',
      '/assets/../../../etc/passwd',
      '/..\\..\\etc\\passwd',
      '/outside/secret.txt',
      '/%2e%2e%2f' + path.basename(secretDir) + '/secret.txt',
    ]) {
      const r = await rawGet(srv.port, target);
      assert.ok([400, 404].includes(r.status), `${target} -> ${r.status}`);
      assert.ok(!r.body.includes('root:'), target);
      assert.ok(!r.body.includes('TOP-SECRET'), target);
    }
  });
});

describe('without a built UI', () => {
  let srv;
  let empty;
  before(async () => {
    empty = await mkdtemp(path.join(tmpdir(), 'weft-noui-'));
    srv = await startServer({ ui: empty });
  });
  after(async () => {
    await srv?.stop();
    await rm(empty, { recursive: true, force: true });
  });

  test('/ says the UI is not built and links the API description', async () => {
    const r = await api(srv.url, 'GET', '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /not built/);
    assert.match(r.text, /\/api\/openapi\.json/);
    assert.equal((await api(srv.url, 'GET', '/anything/else')).status, 404);
  });
});

describe('a server with a token', () => {
  let srv;
  before(async () => {
    srv = await startServer({ token: 's3cret-token' });
  });
  after(async () => {
    await srv?.stop();
  });

  test('API routes need the bearer token', async () => {
    const none = await api(srv.url, 'GET', '/api/modules');
    errorShape(none, 401, 'unauthorized');
    assert.match(none.headers.get('www-authenticate'), /Bearer/);
    errorShape(await api(srv.url, 'GET', '/api/modules', { token: 'wrong' }), 401);
    errorShape(await api(srv.url, 'GET', '/api/modules', { token: 's3cret-token-' }), 401);
    errorShape(
      await api(srv.url, 'GET', '/api/modules', { headers: { Authorization: 's3cret-token' } }),
      401,
    );
    errorShape(await api(srv.url, 'GET', '/api/no/such', {}), 401);
    assert.equal((await api(srv.url, 'GET', '/api/modules', { token: 's3cret-token' })).status, 200);
    assert.equal(
      (await api(srv.url, 'GET', '/api/modules', { headers: { Authorization: 'bearer s3cret-token' } }))
        .status,
      200,
    );
  });

  test('health and the OpenAPI document stay public', async () => {
    assert.equal((await api(srv.url, 'GET', '/api/health')).status, 200);
    assert.equal((await api(srv.url, 'GET', '/api/openapi.json')).status, 200);
  });

  test('an unauthorized request with a large body still gets its 401', async () => {
    const r = await api(srv.url, 'POST', '/api/test/echo', { body: 'x'.repeat(17 << 20) });
    assert.equal(r.status, 401);
  });

  test('the start message says a token is needed', () => {
    assert.match(srv.output().stdout, /needs "Authorization: Bearer <token>" \(the token from --token\)/);
    assert.ok(!srv.output().stdout.includes('s3cret-token'), 'the token itself is not printed');
  });
});

describe('token sources and exposure', () => {
  test('the token can come from <workspace>/token', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'weft-tokfile-'));
    await writeFile(path.join(dir, 'token'), '  from-the-file\n');
    const srv = await startServer({ workspace: dir });
    try {
      assert.equal((await api(srv.url, 'GET', '/api/modules')).status, 401);
      assert.equal((await api(srv.url, 'GET', '/api/modules', { token: 'from-the-file' })).status, 200);
    } finally {
      await srv.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the token can come from WEFT_TOKEN', async () => {
    const srv = await startServer({ env: { WEFT_TOKEN: 'from-env' } });
    try {
      assert.equal((await api(srv.url, 'GET', '/api/modules')).status, 401);
      assert.equal((await api(srv.url, 'GET', '/api/modules', { token: 'from-env' })).status, 200);
    } finally {
      await srv.stop();
    }
  });

  test('a non-loopback address without a token is refused, saying how to set one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'weft-expose-'));
    const env = { ...process.env, WEFT_NO_SAMPLES: '1' };
    delete env.WEFT_TOKEN;
    const child = spawn(
      WEFT_BINARY,
      ['serve', '--workspace', path.join(dir, 'ws'), '--host', '0.0.0.0', '--port', '-1'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    await rm(dir, { recursive: true, force: true });
    assert.notEqual(code, 0);
    assert.match(stderr, /--token/);
    assert.match(stderr, /WEFT_TOKEN/);
    assert.match(stderr, /token/);
  });
});

describe('shutdown', () => {
  test('SIGTERM ends open streams and exits 0', async () => {
    const srv = await startServer();
    const r = await fetch(srv.url + '/api/test/stream?count=0&gap_ms=100');
    assert.equal(r.status, 200);
    const reader = r.body.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /event: tick/);
    const t0 = Date.now();
    await srv.stop();
    assert.ok(Date.now() - t0 < 8000, 'stopped promptly');
    // The stream ended (cleanly or by a closed connection), it did not hang.
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true }));
      if (next.done) break;
    }
    assert.match(srv.output().stderr, /SIGTERM received/);
  });

  test('a request in flight at SIGTERM still gets its answer', async () => {
    const srv = await startServer();
    // An upload whose body is still arriving when the signal comes.
    let pushed = 0;
    const chunk = new Uint8Array(256 << 10);
    const stream = new ReadableStream({
      async pull(c) {
        if (pushed === 2) srv.child.kill('SIGTERM');
        if (pushed++ < 8) {
          await new Promise((res) => setTimeout(res, 50));
          c.enqueue(chunk);
        } else c.close();
      },
    });
    const r = await fetch(srv.url + '/api/test/upload', { method: 'POST', body: stream, duplex: 'half' });
    const json = await r.json();
    assert.equal(r.status, 200);
    assert.equal(json.bytes, 8 * chunk.length);
    await srv.stop();
  });

  test('a body trickled past the time limit is cut off, and the log says why', async () => {
    const srv = await startServer({ args: ['--body-seconds', '1'] });
    try {
      const sock = net.connect(srv.port, '127.0.0.1');
      await new Promise((res) => sock.once('connect', res));
      const closed = new Promise((res) => sock.once('close', res));
      sock.on('error', () => {});
      sock.write('POST /api/pipelines HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                 'Content-Length: 100\r\n\r\n');
      // One byte every 300 ms: never idle, but 100 bytes would take 30 s.
      const t0 = Date.now();
      let sent = 0;
      const timer = setInterval(() => {
        if (!sock.destroyed && sent < 100) sock.write(' ', () => {}), sent++;
      }, 300);
      await closed;
      clearInterval(timer);
      const elapsed = Date.now() - t0;
      assert.ok(sent < 100, `closed after ${sent} bytes`);
      assert.ok(elapsed < 10_000, `closed after ${elapsed} ms`);
      // The server still answers, and its access log names the cause.
      assert.equal((await api(srv.url, 'GET', '/api/health')).status, 200);
      assert.match(srv.output().stderr, /POST \/api\/pipelines .*\(body time limit\)/);
    } finally {
      await srv.stop();
    }
  });

  test('the raw socket answers with the same server after a malformed request', async () => {
    const srv = await startServer();
    try {
      const r = await rawRequest(srv.port, 'GARBAGE\r\n\r\n');
      assert.ok(r.status === 0 || r.status >= 400);
      assert.equal((await api(srv.url, 'GET', '/api/health')).status, 200);
    } finally {
      await srv.stop();
    }
  });
});
