// The UI's typed routes (ui/src/api/routes.gen.ts) are generated from the
// server's OpenAPI document: regenerating them from a live server must give
// the committed file, so a route added, removed or changed in the server
// cannot go unnoticed by the app.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { api, startServer } from '../api/server.mjs';
import { ROOT } from './harness.mjs';

const { generate, OUTPUT } = await import(path.join(ROOT, 'ui/scripts/gen-api.mjs'));

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test('the committed API routes match the live OpenAPI document', async () => {
  const r = await api(server.url, 'GET', '/api/openapi.json');
  assert.equal(r.status, 200);
  const committed = await readFile(OUTPUT, 'utf8');
  assert.equal(
    generate(r.json),
    committed,
    'ui/src/api/routes.gen.ts is stale: run `npm run gen:api -- URL` in ui/ against a running weft serve',
  );
});

test('every route the app calls is one the document lists', async () => {
  const r = await api(server.url, 'GET', '/api/openapi.json');
  const listed = new Set();
  for (const [p, item] of Object.entries(r.json.paths)) {
    for (const m of Object.keys(item)) listed.add(`${m.toUpperCase()} ${p}`);
  }
  // The reply types name the routes the app reads; a key that is not a
  // route fails the TypeScript build, and this checks the same from outside.
  const types = await readFile(path.join(ROOT, 'ui/src/api/types.ts'), 'utf8');
  const used = [...types.matchAll(/^\s+'((?:GET|POST|PUT|DELETE) \/api\/[^']*)':/gm)].map((m) => m[1]);
  assert.ok(used.length > 10, `found only ${used.length} routes in types.ts`);
  for (const key of used) assert.ok(listed.has(key), `${key} is not in /api/openapi.json`);
});

test('the generator refuses a document that is not OpenAPI', () => {
  assert.throws(() => generate({ paths: {} }), /not an OpenAPI document/);
  assert.throws(() => generate(null), /not an OpenAPI document/);
});
