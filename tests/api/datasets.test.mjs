// datasets.test.mjs: the dataset routes (docs/api.md "Datasets"): uploads raw
// and multipart, listing, versions, preview paging, profiles, downloads in
// every format, archiving, and the inputs that must be refused without
// leaving a dataset, a temporary file or a file-system path behind.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { api, rawGet, startServer, WEFT_BINARY } from './server.mjs';

const FRUIT = 'name,weight,color\napple,150,red\nbanana,120,yellow\ncherry,8,red\n';

const errorShape = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  assert.ok(r.json.error.message.length > 0, r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
};

// A multipart/form-data body, built by hand. parts: [{name, data, filename?,
// type?}].
function multipart(parts, { boundary = '----weftBoundary7MA4YWxkTrZu0gW', preamble = '' } = {}) {
  const chunks = [Buffer.from(preamble)];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const form = (boundary = '----weftBoundary7MA4YWxkTrZu0gW') => ({
  'Content-Type': `multipart/form-data; boundary=${boundary}`,
});

describe('datasets', () => {
  let srv;
  const upload = (query, body, headers = {}) =>
    api(srv.url, 'POST', `/api/datasets${query}`, { body, headers });
  const get = (p) => api(srv.url, 'GET', p);
  const names = async (query = '') =>
    (await get(`/api/datasets${query}`)).json.datasets.map((d) => d.name);
  // Nothing an upload made may stay in the workspace's tmp/. The daemon
  // removes the streamed body once the reply has gone out, which the client
  // may see first, so wait a little for that; the files the dataset routes
  // make ("dataset-*") are gone before the reply.
  const tmpLeft = async () => {
    const list = async () => readdir(path.join(srv.workspace, 'tmp')).catch(() => []);
    assert.deepEqual(
      (await list()).filter((f) => f.startsWith('dataset-')),
      [],
    );
    for (let i = 0; i < 100; i++) {
      const left = await list();
      if (left.length === 0) return left;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return list();
  };

  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('a raw CSV upload registers version 1 and replies 201 with the version', async () => {
    const r = await upload('?name=fruit&description=three%20fruits', FRUIT, {
      'Content-Type': 'text/csv',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'fruit');
    assert.equal(r.json.version, 1);
    assert.equal(r.json.rows, 3);
    assert.equal(r.json.columns, 3);
    assert.equal(r.json.description, 'three fruits');
    assert.equal(r.json.source, 'upload:fruit');
    assert.equal(r.json.archived, false);
    assert.match(r.json.digest, /^[0-9a-f]{64}$/);
    assert.ok(r.json.bytes > 0);
    assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(r.headers.get('location'), '/api/datasets/fruit');
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a multipart upload takes the file part and the form fields', async () => {
    const body = multipart(
      [
        { name: 'name', data: 'fruit-form' },
        { name: 'description', data: 'from a form' },
        { name: 'file', filename: 'C:\\Users\\me\\fruit.csv', type: 'text/csv', data: FRUIT },
      ],
      { preamble: 'ignored preamble\r\n' },
    );
    const r = await upload('', body, form());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'fruit-form');
    assert.equal(r.json.description, 'from a form');
    assert.equal(r.json.rows, 3);
    // Only the base name of the client's file name is kept.
    assert.equal(r.json.source, 'upload:fruit.csv');
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a multipart upload: the query names it, the filename picks the format, a quoted boundary', async () => {
    const boundary = 'quoted boundary:1';
    const tsv = 'a\tb\n1\tx\n2\ty\n';
    const body = multipart([{ name: 'upload', filename: 'pairs.tsv', data: tsv }], { boundary });
    const r = await upload('?name=pairs', body, {
      'Content-Type': `multipart/form-data; charset=utf-8; boundary="${boundary}"`,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.columns, 2);
    assert.equal(r.json.rows, 2);
    const p = await get('/api/datasets/pairs/preview');
    assert.deepEqual(p.json.rows, [
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  test('a multipart body whose file holds CRLF and boundary-like text keeps every byte', async () => {
    const text = 'k,v\r\n1,"--not the boundary"\r\n2,"a\r\nb"\r\n';
    const body = multipart([{ name: 'file', filename: 'tricky.csv', data: text }]);
    const r = await upload('?name=tricky', body, form());
    assert.equal(r.status, 201, r.text);
    const p = await get('/api/datasets/tricky/preview');
    assert.deepEqual(p.json.rows, [
      [1, '--not the boundary'],
      [2, 'a\r\nb'],
    ]);
  });

  test('JSON and ARFF uploads are detected from their bytes', async () => {
    const json = JSON.stringify([
      { x: 1.5, ok: true },
      { x: null, ok: false },
    ]);
    let r = await upload('?name=records', json);
    assert.equal(r.status, 201, r.text);
    let p = await get('/api/datasets/records/preview');
    assert.deepEqual(
      p.json.schema.map((c) => [c.name, c.type]),
      [
        ['x', 'numeric'],
        ['ok', 'boolean'],
      ],
    );
    assert.deepEqual(p.json.rows, [
      [1.5, true],
      [null, false],
    ]);
    const arff = '@relation t\n@attribute w numeric\n@attribute k {a,b}\n@data\n1,a\n2,b\n?,a\n';
    r = await upload('?name=arff-one', arff);
    assert.equal(r.status, 201, r.text);
    p = await get('/api/datasets/arff-one/preview');
    assert.deepEqual(p.json.rows, [
      [1, 'a'],
      [2, 'b'],
      [null, 'a'],
    ]);
  });

  test('header=false names the columns, header=true takes a numeric first row as names', async () => {
    let r = await upload('?name=noheader&header=false', '1,2\n3,4\n');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.rows, 2);
    let p = await get('/api/datasets/noheader/preview');
    assert.deepEqual(
      p.json.schema.map((c) => c.name),
      ['Column 1', 'Column 2'],
    );
    r = await upload('?name=yesheader&header=true', '1,2\n3,4\n');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.rows, 1);
    p = await get('/api/datasets/yesheader/preview');
    assert.deepEqual(
      p.json.schema.map((c) => c.name),
      ['1', '2'],
    );
    errorShape(await upload('?name=maybeheader&header=maybe', '1,2\n'), 400, 'bad_query');
  });

  test('uploading a name again makes version 2; versions and ?version= see both', async () => {
    const r = await upload('?name=fruit', FRUIT + 'date,30,brown\n');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.version, 2);
    assert.equal(r.json.rows, 4);

    const latest = await get('/api/datasets/fruit');
    assert.equal(latest.status, 200);
    assert.equal(latest.json.version, 2);
    const first = await get('/api/datasets/fruit?version=1');
    assert.equal(first.json.version, 1);
    assert.equal(first.json.rows, 3);
    assert.equal(first.json.description, 'three fruits');

    const v = await get('/api/datasets/fruit/versions');
    assert.equal(v.status, 200);
    assert.deepEqual(
      v.json.versions.map((x) => [x.version, x.rows]),
      [
        [1, 3],
        [2, 4],
      ],
    );
    errorShape(await get('/api/datasets/fruit?version=3'), 404, 'not_found');
    errorShape(await get('/api/datasets/fruit?version=two'), 400, 'bad_query');
  });

  test('the list holds the latest version of each dataset, by name', async () => {
    const r = await get('/api/datasets');
    assert.equal(r.status, 200);
    const fruit = r.json.datasets.find((d) => d.name === 'fruit');
    assert.equal(fruit.version, 2);
    const list = r.json.datasets.map((d) => d.name);
    assert.deepEqual(list, [...list].sort());
    for (const d of r.json.datasets)
      assert.deepEqual(Object.keys(d).sort(), [
        'archived',
        'bytes',
        'columns',
        'created_at',
        'description',
        'digest',
        'name',
        'rows',
        'source',
        'version',
      ]);
  });

  test('preview pages through rows with JSON types and totals', async () => {
    let csv = 'i,x,flag,when,kind\n';
    for (let i = 0; i < 250; i++)
      csv += `${i},${i % 10 === 0 ? '' : i / 4},${i % 2 === 0},2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:30:00Z,k${i % 3}\n`;
    assert.equal((await upload('?name=paged', csv)).status, 201);

    let p = await get('/api/datasets/paged/preview');
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.total_rows, 250);
    assert.equal(p.json.offset, 0);
    assert.equal(p.json.limit, 100);
    assert.equal(p.json.rows.length, 100);
    assert.deepEqual(
      p.json.schema.map((c) => [c.name, c.type, c.role]),
      [
        ['i', 'integer', 'feature'],
        ['x', 'numeric', 'feature'],
        ['flag', 'boolean', 'feature'],
        ['when', 'datetime', 'feature'],
        ['kind', 'categorical', 'feature'],
      ],
    );
    assert.deepEqual(p.json.rows[0], [0, null, true, '2024-01-01T10:30:00Z', 'k0']);
    assert.deepEqual(p.json.rows[5], [5, 1.25, false, '2024-01-06T10:30:00Z', 'k2']);

    p = await get('/api/datasets/paged/preview?offset=240&limit=50');
    assert.equal(p.json.offset, 240);
    assert.equal(p.json.rows.length, 10);
    assert.equal(p.json.rows[0][0], 240);
    assert.equal(p.json.rows[9][0], 249);

    p = await get('/api/datasets/paged/preview?offset=1000');
    assert.equal(p.json.total_rows, 250);
    assert.deepEqual(p.json.rows, []);

    p = await get('/api/datasets/paged/preview?limit=5000');
    assert.equal(p.json.limit, 1000);
    assert.equal(p.json.rows.length, 250);

    errorShape(await get('/api/datasets/paged/preview?offset=-1'), 400);
    errorShape(await get('/api/datasets/paged/preview?limit=ten'), 400);
    errorShape(await get('/api/datasets/missing-one/preview'), 404, 'not_found');
  });

  test('preview and profile take ?version=', async () => {
    const p = await get('/api/datasets/fruit/preview?version=1');
    assert.equal(p.json.total_rows, 3);
    const q = await get('/api/datasets/fruit/preview?version=2');
    assert.equal(q.json.total_rows, 4);
    const prof = await get('/api/datasets/fruit/profile?version=1');
    assert.equal(prof.json.nrows, 3);
  });

  test('the profile is the stored statistics of each column', async () => {
    const r = await get('/api/datasets/fruit/profile');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.nrows, 4);
    assert.equal(r.json.ncols, 3);
    const weight = r.json.columns.find((c) => c.name === 'weight');
    assert.equal(weight.type, 'integer');
    assert.equal(weight.mean, (150 + 120 + 8 + 30) / 4);
    assert.equal(weight.min, 8);
    assert.equal(weight.max, 150);
    assert.equal(weight.missing, 0);
    const color = r.json.columns.find((c) => c.name === 'color');
    assert.equal(color.unique, 3);
    errorShape(await get('/api/datasets/nothing-here/profile'), 404, 'not_found');
  });

  test('a CSV download is the uploaded file, named name@version.csv', async () => {
    const r = await get('/api/datasets/fruit/download?version=1');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="?fruit@1\.csv"?/);
    assert.equal(r.text, FRUIT);
    const d = await get('/api/datasets/fruit/download?format=csv');
    assert.match(d.headers.get('content-disposition'), /fruit@2\.csv/);
    assert.equal(d.text, FRUIT + 'date,30,brown\n');
  });

  test('TSV and JSON downloads', async () => {
    const t = await get('/api/datasets/fruit/download?format=tsv&version=1');
    assert.equal(t.status, 200);
    assert.match(t.headers.get('content-type'), /^text\/tab-separated-values/);
    assert.match(t.headers.get('content-disposition'), /fruit@1\.tsv/);
    assert.equal(t.text, FRUIT.replaceAll(',', '\t'));
    const j = await get('/api/datasets/fruit/download?format=json&version=1');
    assert.equal(j.status, 200);
    assert.match(j.headers.get('content-type'), /^application\/json/);
    assert.match(j.headers.get('content-disposition'), /fruit@1\.json/);
    assert.deepEqual(j.json, [
      { name: 'apple', weight: 150, color: 'red' },
      { name: 'banana', weight: 120, color: 'yellow' },
      { name: 'cherry', weight: 8, color: 'red' },
    ]);
    errorShape(await get('/api/datasets/fruit/download?format=arff'), 415, 'unsupported_format');
    errorShape(await get('/api/datasets/fruit/download?format=xlsx'), 415, 'unsupported_format');
  });

  test('a native download uploads back as the same table (same digest)', async () => {
    const meta = await get('/api/datasets/paged');
    const r = await fetch(`${srv.url}/api/datasets/paged/download?format=native`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.match(r.headers.get('content-disposition'), /paged@1\.wtbl/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert.equal(Buffer.from(bytes.subarray(0, 8)).toString('latin1'), 'WEFTTBL1');
    assert.equal(bytes.length, meta.json.bytes);
    const back = await upload('?name=paged-copy', bytes, {
      'Content-Type': 'application/octet-stream',
    });
    assert.equal(back.status, 201, back.text);
    assert.equal(back.json.digest, meta.json.digest);
    assert.equal(back.json.rows, 250);
  });

  test('archiving hides a dataset from the list; ?archived=true shows it; it still loads', async () => {
    assert.equal((await upload('?name=old-news', FRUIT)).status, 201);
    const r = await api(srv.url, 'POST', '/api/datasets/old-news/archive');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'old-news');
    assert.equal(r.json.archived, true);
    assert.ok(!(await names()).includes('old-news'));
    const all = (await get('/api/datasets?archived=true')).json.datasets;
    assert.equal(all.find((d) => d.name === 'old-news')?.archived, true);
    assert.equal((await get('/api/datasets/old-news/preview')).status, 200);
    errorShape(await api(srv.url, 'POST', '/api/datasets/never-was/archive'), 404, 'not_found');
    // A new version brings it back.
    assert.equal((await upload('?name=old-news', FRUIT)).status, 201);
    assert.ok((await names()).includes('old-news'));
  });

  test('reactivating brings an archived dataset back, every version', async () => {
    assert.equal((await upload('?name=shelved', FRUIT)).status, 201);
    assert.equal((await upload('?name=shelved', FRUIT)).status, 201);
    assert.equal((await api(srv.url, 'POST', '/api/datasets/shelved/archive')).status, 200);
    assert.ok(!(await names()).includes('shelved'));
    const r = await api(srv.url, 'POST', '/api/datasets/shelved/reactivate');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.archived, false);
    assert.equal(r.json.version, 2);
    assert.ok((await names()).includes('shelved'));
    const versions = (await get('/api/datasets/shelved/versions')).json.versions;
    assert.deepEqual(versions.map((v) => v.archived), [false, false]);
    errorShape(await api(srv.url, 'POST', '/api/datasets/never-was/reactivate'), 404, 'not_found');
  });

  test('a ragged CSV is 422 naming the line, and registers nothing', async () => {
    const before = await names('?archived=true');
    const r = await upload('?name=ragged', 'a,b\n1,2\n3\n');
    errorShape(r, 422, 'parse_error');
    assert.match(r.json.error.message, /line 3/);
    assert.ok(!r.text.includes(srv.workspace));
    assert.ok(!r.text.includes('/tmp'), r.text);
    assert.deepEqual(await names('?archived=true'), before);
    errorShape(await get('/api/datasets/ragged'), 404, 'not_found');
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a ragged multipart file is 422 naming the line and its file name', async () => {
    const body = multipart([{ name: 'file', filename: 'bad.csv', data: 'a,b\n1,2,3\n' }]);
    const r = await upload('?name=ragged2', body, form());
    errorShape(r, 422);
    assert.match(r.json.error.message, /line 2/);
    assert.match(r.json.error.message, /bad\.csv/);
    assert.ok(!r.text.includes(srv.workspace));
    assert.deepEqual(await tmpLeft(), []);
  });

  test('an empty file, an empty form file and no body at all are 422', async () => {
    errorShape(await upload('?name=empty', ''), 422);
    errorShape(await api(srv.url, 'POST', '/api/datasets?name=empty'), 422);
    const body = multipart([{ name: 'file', filename: 'empty.csv', data: '' }]);
    errorShape(await upload('?name=empty', body, form()), 422);
    errorShape(await upload('?name=empty', '\n\n'), 422);
    errorShape(await get('/api/datasets/empty'), 404);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a missing or invalid name is 422 naming the problem', async () => {
    let r = await upload('', FRUIT);
    errorShape(r, 422, 'invalid');
    assert.match(r.json.error.message, /name/);
    for (const bad of ['-dash', 'has space', 'semi;colon', '..', 'a/b', 'x'.repeat(101)]) {
      r = await upload(`?name=${encodeURIComponent(bad)}`, FRUIT);
      errorShape(r, 422, 'invalid');
      assert.match(r.json.error.message, /name/);
    }
    const body = multipart([
      { name: 'name', data: '../../etc' },
      { name: 'file', filename: 'f.csv', data: FRUIT },
    ]);
    errorShape(await upload('', body, form()), 422);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('traversal names never reach outside the workspace', async () => {
    const r = await upload('?name=..%2F..%2Fetc', FRUIT);
    errorShape(r, 422);
    for (const p of [
      '/api/datasets/..%2F..%2Fetc',
      '/api/datasets/..%2F..%2Fetc%2Fpasswd/download',
      '/api/datasets/..',
      '/api/datasets/.../preview',
      '/api/datasets/%2e%2e/profile',
    ]) {
      const g = await get(p);
      assert.equal(g.status, 404, `${p}: ${g.text}`);
      assert.ok(!g.text.includes('root:'), p);
    }
    const raw = await rawGet(srv.port, '/api/datasets/../../../etc/passwd');
    assert.ok(raw.status >= 400 && raw.status < 500, raw.head);
    assert.ok(!raw.body.includes('root:'));
  });

  test('unknown datasets are 404 naming the dataset', async () => {
    for (const p of ['', '/versions', '/preview', '/profile', '/download']) {
      const r = await get(`/api/datasets/no-such-data${p}`);
      errorShape(r, 404, 'not_found');
      assert.match(r.json.error.message, /no-such-data/);
    }
  });

  test('an unsupported format is 415', async () => {
    let r = await upload('?name=sheet&format=xlsx', FRUIT);
    errorShape(r, 415, 'unsupported_format');
    // A binary file (a zip, as a spreadsheet is) detected as nothing weft reads.
    const zip = new Uint8Array(4096).map((_, i) => (i < 4 ? [0x50, 0x4b, 3, 4][i] : (i * 31) & 0xff));
    zip[100] = 0;
    r = await upload('?name=sheet', zip, { 'Content-Type': 'application/octet-stream' });
    errorShape(r, 415, 'unsupported_format');
    const body = multipart([{ name: 'file', filename: 'book.xlsx', data: Buffer.from(zip) }]);
    r = await upload('?name=sheet', body, form());
    errorShape(r, 415, 'unsupported_format');
    errorShape(await get('/api/datasets/sheet'), 404);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a malformed multipart body is 422', async () => {
    // No file part.
    let r = await upload('?name=formless', multipart([{ name: 'name', data: 'x' }]), form());
    errorShape(r, 422, 'parse_error');
    assert.match(r.json.error.message, /file/);
    // No closing boundary.
    const cut = multipart([{ name: 'file', filename: 'a.csv', data: FRUIT }]).subarray(0, 120);
    errorShape(await upload('?name=formless', cut, form()), 422);
    // No boundary in the Content-Type.
    r = await upload('?name=formless', multipart([{ name: 'file', data: FRUIT }]), {
      'Content-Type': 'multipart/form-data',
    });
    errorShape(r, 422);
    errorShape(await get('/api/datasets/formless'), 404);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('a corrupt native file is 422, not a crash', async () => {
    const r = await fetch(`${srv.url}/api/datasets/fruit/download?format=native`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    const cut = bytes.slice(0, bytes.length - 16);
    errorShape(await upload('?name=broken&format=native', cut), 422);
    const junk = Buffer.concat([Buffer.from('WEFTTBL1'), Buffer.alloc(64, 0xff)]);
    errorShape(await upload('?name=broken', junk), 422);
    errorShape(await get('/api/datasets/broken'), 404);
    assert.deepEqual(await tmpLeft(), []);
  });

  test('no reply names a path in the workspace', async () => {
    for (const p of [
      '/api/datasets?archived=true',
      '/api/datasets/fruit',
      '/api/datasets/fruit/versions',
      '/api/datasets/fruit/profile',
    ]) {
      const r = await get(p);
      assert.ok(!r.text.includes(srv.workspace), p);
      assert.ok(!r.text.includes('/tmp/'), p);
    }
  });

  test('a 20 MB upload works and the server stays within a reasonable memory', async () => {
    const rows = [];
    let size = 0;
    rows.push('id,x,y,kind\n');
    for (let i = 0; size < 20 << 20; i++) {
      const line = `${i},${(i * 0.37) % 1000},${i % 997},k${i % 7}\n`;
      rows.push(line);
      size += line.length;
    }
    const text = rows.join('');
    const r = await upload('?name=big', text, { 'Content-Type': 'text/csv' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.rows, rows.length - 1);
    assert.equal(r.json.columns, 4);
    const p = await get('/api/datasets/big/preview?offset=100000&limit=2');
    assert.deepEqual(p.json.rows[0], [100000, (100000 * 0.37) % 1000, 100000 % 997, 'k5']);
    // The peak resident size, sanitizer overhead included, stays well below
    // what holding many copies of the file would take.
    const status = await readFile(`/proc/${srv.child.pid}/status`, 'utf8').catch(() => '');
    const peak = /VmHWM:\s+(\d+) kB/.exec(status);
    if (peak) assert.ok(Number(peak[1]) < 1536 * 1024, `peak RSS ${peak[1]} kB`);
    assert.deepEqual(await tmpLeft(), []);
  });
});

describe('datasets registered outside the server', () => {
  let srv;
  let scratch;
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'weft-api-ds-'));
    const file = path.join(scratch, 'local.csv');
    await writeFile(file, FRUIT);
    const workspace = path.join(scratch, 'workspace');
    await promisify(execFile)(
      WEFT_BINARY,
      ['--workspace', workspace, 'import', file, '--name', 'local'],
      { env: { ...process.env, WEFT_NO_SAMPLES: '1' } },
    );
    srv = await startServer({ workspace });
  });
  after(async () => {
    await srv?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('a file: source shows its base name only', async () => {
    const r = await get_(srv, '/api/datasets/local');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.source, 'file:local.csv');
    assert.ok(!r.text.includes(scratch));
    const list = await get_(srv, '/api/datasets');
    assert.ok(!list.text.includes(scratch));
  });
});

function get_(srv, p) {
  return api(srv.url, 'GET', p);
}
