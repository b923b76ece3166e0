// server.mjs: the API suite's harness. startServer() runs `weft serve` on a
// free loopback port with a fresh workspace; stop() sends SIGTERM and fails
// unless the server exits 0, so a sanitizer or leak report in the server
// fails the test that started it.
//
//     const srv = await startServer({ token: 'secret' });
//     const { status, json } = await api(srv.url, 'GET', '/api/health');
//     await srv.stop();

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEFT_BINARY = process.env.WEFT_BINARY ?? path.resolve(here, '../../build-test/weft');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts `weft serve`. Options: token (--token), ui (--ui DIR), args (more
// arguments), env (more environment), workspace (an existing directory to
// use; by default a new temporary one, removed by stop()).
export async function startServer({ token, ui, args = [], env = {}, workspace } = {}) {
  const scratch = await mkdtemp(path.join(tmpdir(), 'weft-api-'));
  const ws = workspace ?? path.join(scratch, 'workspace');
  const portFile = path.join(scratch, 'port');
  const argv = ['serve', '--workspace', ws, '--port', '-1', '--port-file', portFile];
  if (token !== undefined) argv.push('--token', token);
  if (ui !== undefined) argv.push('--ui', ui);
  argv.push(...args);
  const childEnv = { ...process.env, WEFT_NO_SAMPLES: process.env.WEFT_NO_SAMPLES ?? '1', ...env };
  if (!('WEFT_TOKEN' in env)) delete childEnv.WEFT_TOKEN;
  const child = spawn(WEFT_BINARY, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit = null;
  exited.then((e) => (exit = e));

  const tail = () => `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr.slice(-6000)}`;
  const deadline = Date.now() + 60_000;
  let port = null;
  while (port === null) {
    if (exit) throw new Error(`weft serve exited (${JSON.stringify(exit)}) before listening${tail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`weft serve did not start in time${tail()}`);
    }
    if (existsSync(portFile)) {
      const text = (await readFile(portFile, 'utf8')).trim();
      if (/^\d+$/.test(text)) port = Number(text);
    }
    if (port === null) await sleep(25);
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/health`);
      await r.text();
      if (r.status === 200) break;
    } catch {
      // not answering yet
    }
    if (exit || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`weft serve never answered /api/health${tail()}`);
    }
    await sleep(25);
  }

  let stopped = false;
  return {
    url,
    port,
    token,
    workspace: ws,
    child,
    output: () => ({ stdout, stderr }),
    // Resolves with the exit once the process has ended (without signalling it).
    exited,
    // SIGTERM, then asserts a clean exit (status 0) within `timeoutMs`.
    async stop({ timeoutMs = 20_000 } = {}) {
      if (stopped) return exit;
      stopped = true;
      // A test may have signalled the server itself; a second SIGTERM would
      // race the end of its shutdown.
      if (!exit && !child.killed) child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        assert.fail(`weft serve did not exit within ${timeoutMs} ms of SIGTERM${tail()}`);
      }
      assert.equal(result.code, 0, `weft serve exited with ${JSON.stringify(result)}${tail()}`);
      await rm(scratch, { recursive: true, force: true });
      return result;
    },
  };
}

// One API call. body: an object (sent as JSON), a string or bytes (sent as
// is). Returns {status, headers, text, json} (json: undefined unless the reply
// parses as JSON).
export async function api(url, method, urlPath, { body, token, headers = {}, signal } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    payload = JSON.stringify(body);
    h['Content-Type'] ??= 'application/json';
  }
  const r = await fetch(url + urlPath, { method, headers: h, body: payload, signal });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

// Sends `request` (the raw bytes of an HTTP request) over a socket, so paths
// reach the server exactly as written (fetch would normalise "/../").
// Returns {status, head, body}.
export function rawRequest(port, request) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    sock.on('connect', () => sock.write(request));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    });
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : 0, head, body: split < 0 ? '' : text.slice(split + 4) });
    });
  });
}

// A raw GET of `target` (written verbatim in the request line).
export function rawGet(port, target) {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
}
