// harness.mjs: the browser suite's harness. startDesigner() builds the UI
// if it is out of date (scripts/ui.sh build), starts `weft serve` on a free
// loopback port with a fresh workspace holding two sample datasets, and
// launches Debian's chromium headless through playwright-core. Each page it
// opens records console errors, so a test can assert there were none.
//
//     const ui = await startDesigner();
//     const page = await ui.page();
//     await page.goto(ui.url);
//     ...
//     await ui.stop();

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api, startServer } from '../api/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
const require = createRequire(path.join(ROOT, 'ui/package.json'));

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = process.env.WEFT_UI_SCREENSHOTS ?? path.join(tmpdir(), 'weft-ui-screenshots');
const SAMPLES = ['cars.json', 'iris.arff'];

export { api };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function buildUi() {
  execFileSync(path.join(ROOT, 'scripts/ui.sh'), ['build'], { stdio: 'inherit' });
  const dist = path.join(ROOT, 'ui/dist');
  assert.ok(existsSync(path.join(dist, 'index.html')), 'ui/dist/index.html is missing after scripts/ui.sh build');
  return dist;
}

// A samples directory with only the datasets the tests use, so a new
// workspace registers them quickly.
async function samplesDir() {
  const from = process.env.WEFT_SAMPLES_DIR ?? path.join(ROOT, '.cache/samples');
  const dir = await mkdtemp(path.join(tmpdir(), 'weft-ui-samples-'));
  for (const f of SAMPLES) {
    const src = path.join(from, f);
    assert.ok(existsSync(src), `${src} is missing: run make deps (scripts/samples.sh)`);
    await symlink(src, path.join(dir, f));
  }
  return dir;
}

export async function startDesigner() {
  const dist = process.env.WEFT_UI_DIST ?? buildUi();
  const samples = await samplesDir();
  const server = await startServer({ ui: dist, env: { WEFT_NO_SAMPLES: '', WEFT_SAMPLES_DIR: samples } });
  const { chromium } = require('playwright-core');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run make deps (it installs Debian's chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  await mkdir(SHOTS, { recursive: true });
  const contexts = [];

  return {
    url: server.url,
    server,
    // A new page (own context) at 1280x800. page.consoleErrors lists what the
    // console reported as errors, and uncaught exceptions.
    async page({ width = 1280, height = 800 } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      contexts.push(context);
      const page = await context.newPage();
      page.consoleErrors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') page.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => page.consoleErrors.push(`uncaught: ${e.message}`));
      page.setDefaultTimeout(15_000);
      return page;
    },
    // Closes the pages opened so far (after each test).
    async closePages() {
      while (contexts.length > 0) await contexts.pop().close().catch(() => {});
    },
    api: (method, urlPath, opts) => api(server.url, method, urlPath, opts),
    async stop() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await server.stop();
      await rm(samples, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// -- designer actions, done the way a person does them --

/** Creates a draft through the API and opens it in the designer. */
export async function openNewDraft(ui, page, doc = {}) {
  const r = await ui.api('POST', '/api/pipelines', {
    body: { format: 'weft.pipeline/1', name: 'UI test', nodes: [], edges: [], ...doc },
  });
  assert.equal(r.status, 201, r.text);
  await page.goto(`${ui.url}/pipelines/${r.json.id}`);
  await page.getByRole('toolbar', { name: 'Designer' }).waitFor();
  return r.json.id;
}

/** Drags a palette entry (by its visible label) onto the canvas at (x, y) of the canvas. */
export async function dragFromPalette(page, label, x, y) {
  const palette = page.getByRole('complementary', { name: 'Palette' });
  const item = palette.getByRole('button', { name: new RegExp(`^${label}\\b`) }).first();
  await item.dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

export function handle(page, node, port, type) {
  return page.locator(`.react-flow__handle.${type}[data-nodeid="${node}"][data-handleid="${port}"]`);
}

async function centre(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element is not visible');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Presses on an output port and moves to an input port, without releasing. */
export async function dragWire(page, from, to) {
  const a = await centre(handle(page, from[0], from[1], 'source'));
  const b = await centre(handle(page, to[0], to[1], 'target'));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
}

/** Connects output `from` = [node, port] to input `to` by dragging. */
export async function connect(page, from, to) {
  await dragWire(page, from, to);
  await page.mouse.up();
}

export function node(page, id) {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

/** Selects a node by clicking its title. */
export async function selectNode(page, id) {
  await node(page, id).locator('.node-title').click();
}

/** Waits until the toolbar says every change is saved and checked. */
export async function waitSettled(page) {
  await page.getByTestId('save-status').filter({ hasText: 'All changes saved' }).waitFor();
}
