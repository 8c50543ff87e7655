// The page callbacks below run in the browser.
/// <reference lib="dom" />
/**
 * Scrolling a big grid: a fling asks for no pages and no previews (they would be answered after
 * the view has passed them); once it stops, the view's pages and then its previews are asked for.
 * The workspace is the bench's seeded corpus (bench/search-scale.ts): 3,000 assets whose images
 * and audio have planned previews without files, so previews are asked for and answered 404.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { REPO, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

// One retry: what a fling asks for depends on how the browser's frames and the grid's renders
// interleave, and a machine busy with something else (another test run) shifts that. With one
// core kept busy by another process, the fling test failed 4 runs of 4 before the grid learnt to
// tell a busy machine's long frames from a stop (usePagedAssets); 10 of 10 pass since. The
// assertions stay as strict; a pass on the retry shows as flaky in the report.
test.describe.configure({ mode: 'serial', retries: 1 });

const COUNT = 3_000;
let ws: Workspace;
let server: RunningServer;

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-scroll-');
  // In a process of its own: the registry's worker threads load TypeScript through tsx.
  const script = ws.file(
    'build-registry.mjs',
    `import { buildSearchRegistry } from ${JSON.stringify(path.join(REPO, 'bench', 'search-scale.ts'))};
await buildSearchRegistry(process.argv[2], ${COUNT});\n`,
  );
  await promisify(execFile)(
    process.execPath,
    ['--import', path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs'), script, ws.dir],
    { cwd: REPO },
  );
  fs.rmSync(script);
  fs.mkdirSync(path.join(ws.dir, 'config'), { recursive: true });
  ws.file('config/comfyvn.json', `${JSON.stringify({ features: { enable_asset_gallery: true } })}\n`);
  server = await startServer(ws.dir);
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

const grid = (page: Page) => page.getByTestId('asset-grid');
const isPreview = (url: string): boolean => /\/api\/assets\/[^/]+\/(thumbnail|waveform)\b/.test(url);

/** Tiles intersecting the grid's viewport: loaded ones and placeholders. */
const inView = (page: Page) =>
  grid(page).evaluate((el) => {
    const r = el.getBoundingClientRect();
    let loaded = 0;
    let placeholders = 0;
    for (const t of el.querySelectorAll('.tile')) {
      const b = t.getBoundingClientRect();
      if (b.bottom <= r.top || b.top >= r.bottom) continue;
      if (t.classList.contains('placeholder')) placeholders++;
      else loaded++;
    }
    return { loaded, placeholders };
  });

test('a fling asks for no pages and no previews; once it stops, the view is loaded, then its previews', async ({
  page,
}) => {
  // Each page answer takes 300 ms: the view is far past a page by then.
  await page.route('**/api/assets/search?**', async (route) => {
    await new Promise((r) => setTimeout(r, 300));
    await route.continue();
  });
  await page.goto(server.url);
  await expect(page.getByTestId('status-line')).toContainText(`of ${COUNT} assets`);
  await expect.poll(async () => (await inView(page)).loaded).toBeGreaterThan(0);
  // Let the first screen ask for its previews before counting.
  await page.waitForTimeout(500);

  const during: { url: string; at: number }[] = [];
  let flinging = false;
  page.on('request', (r) => {
    if (flinging) during.push({ url: r.url(), at: Date.now() });
  });
  flinging = true;
  // 200,000 px/s for 0.6 s from 5 % of the grid, one step a frame: ~45 pages a second at this
  // viewport's 7 columns (the bench's 100,000 px/s at 1920 px, 9 columns, is ~28). Each frame's
  // wall time and scroll position are kept to explain a failure (a rare one, on a busy machine).
  const frames = await grid(page).evaluate(
    (el, a) =>
      new Promise<{ at: number; top: number }[]>((resolve) => {
        const from = Math.round(el.scrollHeight * 0.05);
        const seen: { at: number; top: number }[] = [];
        let start = -1;
        const frame = (now: number): void => {
          if (start < 0) start = now;
          if (now - start >= a.ms) return resolve(seen);
          el.scrollTop = from + ((now - start) / 1000) * a.pxPerSecond;
          seen.push({ at: Date.now(), top: Math.round(el.scrollTop) });
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    { pxPerSecond: 200_000, ms: 600 },
  );
  flinging = false;
  expect(frames.length).toBeGreaterThan(5);
  // It passed some 25 pages. Only its first step (a jump: no speed yet) may ask for the pages
  // where it starts, and the next one for a page ahead.
  const searches = during.filter((r) => r.url.includes('/api/assets/search'));
  const t0 = frames[0]!.at;
  const story = [
    `frames (ms, px): ${frames.map((f) => `${f.at - t0}:${f.top}`).join(' ')}`,
    `searches (ms, offset): ${searches.map((r) => `${r.at - t0}:${new URL(r.url).searchParams.get('offset')}`).join(' ')}`,
  ].join('\n');
  expect(searches.length, story).toBeLessThanOrEqual(3);
  expect(during.map((r) => r.url).filter(isPreview)).toEqual([]);

  // Stopped: the pages in view are asked for and drawn, then the tiles ask for their previews.
  const after: string[] = [];
  page.on('request', (r) => after.push(r.url()));
  await expect.poll(() => inView(page), { timeout: 15_000 }).toMatchObject({ placeholders: 0 });
  expect((await inView(page)).loaded).toBeGreaterThan(0);
  expect(after.some((u) => u.includes('/api/assets/search'))).toBe(true);
  await expect.poll(() => after.filter(isPreview).length, { timeout: 10_000 }).toBeGreaterThan(0);
});

test('at reading speed tiles ask for their previews while the grid scrolls', async ({ page }) => {
  await page.goto(server.url);
  await expect.poll(async () => (await inView(page)).loaded).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  const previews: string[] = [];
  page.on('request', (r) => {
    if (isPreview(r.url())) previews.push(r.url());
  });
  // 1,000 px/s for 1.5 s: rows come into view one every ~200 ms.
  await grid(page).evaluate(
    (el) =>
      new Promise<void>((resolve) => {
        let start = -1;
        const frame = (now: number): void => {
          if (start < 0) start = now;
          if (now - start >= 1500) return resolve();
          el.scrollTop = ((now - start) / 1000) * 1000;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
  );
  expect(previews.length).toBeGreaterThan(0);
});
