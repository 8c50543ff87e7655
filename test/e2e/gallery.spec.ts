// The page callbacks below run in the browser.
/// <reference lib="dom" />
/**
 * The studio end to end: the real server (from the sources) on a generated workspace, Debian's
 * Chromium clicking the real gallery, and the registry and sidecar files checked on disk.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { makeImage, makeWav, toneWithBurst } from '../helpers/media.js';
import { api, CLI_ARGS, REPO, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { unzip } from '../helpers/zip.js';

const run = promisify(execFile);
const SHOTS = path.join(REPO, 'test-output', 'e2e', 'screenshots');

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

async function register(
  rel: string,
  content: Buffer | string,
  body: Record<string, unknown>,
): Promise<string> {
  ws.file(`incoming/${rel}`, content);
  const res = await api(server.url, 'POST', '/api/assets/register', {
    path: `incoming/${rel}`,
    wait: true,
    ...body,
  });
  expect(res.status, res.text).toBeLessThan(300);
  return res.body.asset_id as string;
}

const sidecar = (assetPath: string): Record<string, unknown> =>
  ws.json(`data/assets/${assetPath}.asset.json`);
const statusLine = (page: Page) => page.getByTestId('status-line');
const tileOrder = (page: Page): Promise<string[]> =>
  page.locator('.tile').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.uid ?? ''));
/** A control of the filter bar (the bulk editor has a License field too). */
const filter = (page: Page, label: string) => page.getByRole('search').getByLabel(label, { exact: true });
const tile = (page: Page, uid: string) => page.locator(`.tile[data-uid="${uid}"]`);

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-');
  server = await startServer(ws.dir);
  ids.hero = await register(
    'hero.png',
    await makeImage(640, 360, 'png', undefined, { r: 224, g: 122, b: 95 }),
    {
      asset_type: 'images',
      metadata: { tags: ['hero', 'promo'], license: 'CC-BY-4.0', title: 'Hero banner' },
    },
  );
  ids.forest = await register(
    'forest.jpg',
    await makeImage(300, 500, 'jpeg', undefined, { r: 61, g: 64, b: 91 }),
    {
      asset_type: 'backgrounds',
      metadata: { tags: ['forest', 'promo'], license: 'CC0', notes: 'misty morning' },
    },
  );
  ids.castle = await register(
    'castle.webp',
    await makeImage(800, 600, 'webp', undefined, { r: 129, g: 178, b: 154 }),
    {
      asset_type: 'backgrounds',
      metadata: { tags: ['castle'], license: 'CC0' },
    },
  );
  ids.theme = await register('theme.wav', makeWav(toneWithBurst(2, 8000, 1), 8000, 16), {
    asset_type: 'audio',
    metadata: { tags: ['music', 'promo'], license: 'Proprietary' },
  });
  ids.script = await register('intro.txt', 'Once upon a time', {
    asset_type: 'scripts',
    metadata: { tags: ['story'] },
  });
  fs.mkdirSync(SHOTS, { recursive: true });
});

// Every test but the first (which turns the flag on through Settings) starts with the gallery
// on, so each can also run alone (`npx playwright test -g <name>`).
// eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a hook wants from this pattern.
test.beforeEach(async ({}, testInfo) => {
  if (testInfo.title.startsWith('the gallery is off by default')) return;
  const res = await api(server.url, 'PATCH', '/api/settings', { features: { enable_asset_gallery: true } });
  expect(res.status, res.text).toBe(200);
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('the gallery is off by default and appears in every open tab when the flag is turned on', async ({
  context,
}) => {
  const galleryTab = await context.newPage();
  await galleryTab.goto(server.url);
  await expect(galleryTab.getByRole('heading', { name: 'The Asset Gallery is turned off' })).toBeVisible();
  await expect(galleryTab.getByRole('link', { name: 'Settings → Debug & Feature Flags' })).toBeVisible();
  await expect(galleryTab.getByTestId('stream-state')).toHaveText(/Live/);

  const settingsTab = await context.newPage();
  await settingsTab.goto(`${server.url}/#/settings`);
  const toggle = settingsTab.getByRole('switch', { name: 'Asset Gallery' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(settingsTab.getByText('Saved to config/comfyvn.json.')).toBeVisible();
  await settingsTab.screenshot({ path: path.join(SHOTS, 'settings.png') });
  expect(ws.json('config/comfyvn.json')).toEqual({ features: { enable_asset_gallery: true } });

  // The other tab was never reloaded: the settings event brings the dock in.
  await expect(galleryTab.getByRole('heading', { name: 'Asset Gallery' })).toBeVisible();
  await expect(statusLine(galleryTab)).toHaveText('Showing 5 of 5 assets. Selected 0.');

  // And off again, also live.
  await toggle.uncheck();
  await expect(galleryTab.getByRole('heading', { name: 'The Asset Gallery is turned off' })).toBeVisible();
  await toggle.check();
  await expect(galleryTab.getByRole('heading', { name: 'Asset Gallery' })).toBeVisible();
  await galleryTab.close();
  await settingsTab.close();
});

test('filters by type, tag and licence, with counts; search; sort', async ({ page }) => {
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await expect(page.locator('#filter-type option')).toHaveText([
    'All types',
    'audio (1)',
    'backgrounds (2)',
    'images (1)',
    'scripts (1)',
  ]);

  await filter(page, 'Type').selectOption('backgrounds');
  await expect(statusLine(page)).toHaveText('Showing 2 of 5 assets. Selected 0.');
  await expect(page.locator('.tile')).toHaveCount(2);

  await filter(page, 'Type').selectOption('');
  await filter(page, 'Tag').selectOption('promo');
  await expect(statusLine(page)).toHaveText('Showing 3 of 5 assets. Selected 0.');
  // Tags add up (each one chosen must be on an asset); a chosen one leaves the list and shows
  // as a chip that removes it.
  await filter(page, 'Tag').selectOption('music');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.theme!)).toBeVisible();
  await expect(page.locator('#filter-tag option', { hasText: 'promo' })).toHaveCount(0);
  await expect(filter(page, 'Tag')).toHaveValue('');
  const chips = page.getByRole('list', { name: 'Tags every asset must have' });
  await expect(chips.getByRole('listitem')).toHaveText(['promo✎×', 'music✎×', 'Clear tags']);
  await page.screenshot({ path: path.join(SHOTS, 'tag-filters.png') });
  await chips.getByRole('button', { name: 'Remove tag filter music' }).click();
  await expect(statusLine(page)).toHaveText('Showing 3 of 5 assets. Selected 0.');
  await filter(page, 'License').selectOption('cc0');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.forest!)).toBeVisible();

  await chips.getByRole('button', { name: 'Remove tag filter promo' }).click();
  await expect(chips).toHaveCount(0);
  // What still needs a licence before a release: the assets without one.
  await expect(page.locator('#filter-license option').nth(1)).toHaveText('No license (1)');
  await filter(page, 'License').selectOption({ label: 'No license (1)' });
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.script!)).toBeVisible();
  expect(page.url()).toContain('unlicensed=true');
  await filter(page, 'License').selectOption('cc0');
  await expect(statusLine(page)).toHaveText('Showing 2 of 5 assets. Selected 0.');
  expect(page.url()).not.toContain('unlicensed');
  await filter(page, 'License').selectOption('');
  // Substring over uid, path and textual metadata (here: a note), debounced.
  await page.getByRole('searchbox', { name: 'Search' }).fill('misty');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.forest!)).toBeVisible();
  // Words match each on their own, in any order; a quoted phrase only as typed.
  await page.getByRole('searchbox', { name: 'Search' }).fill('morning  forest');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.forest!)).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).fill('"morning misty"');
  await expect(statusLine(page)).toHaveText('Showing 0 of 5 assets. Selected 0.');
  await page.getByRole('searchbox', { name: 'Search' }).fill(ids.castle!.slice(0, 8));
  await expect(page.locator('.tile')).toHaveCount(1);
  await expect(tile(page, ids.castle!)).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');

  await filter(page, 'Sort').selectOption('path:asc');
  await expect(page.locator('.tile .caption .name')).toHaveText([
    'theme.wav',
    'castle.webp',
    'forest.jpg',
    'Hero banner',
    'intro.txt',
  ]);
  await filter(page, 'Sort').selectOption('bytes:desc');
  const all = (await api(server.url, 'GET', '/api/assets/search?limit=10')).body.items as Array<{
    uid: string;
    bytes: number;
  }>;
  const bySize = all.sort((a, b) => b.bytes - a.bytes).map((a) => a.uid);
  await expect.poll(() => tileOrder(page)).toEqual(bySize);
});

test('the filters live in the URL: a link or a reload shows the same assets, the detail view and Settings keep them', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/?tag=promo&type=backgrounds&sort=path&order=asc`);
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.forest!)).toBeVisible();
  await expect(filter(page, 'Type')).toHaveValue('backgrounds');
  await expect(filter(page, 'Sort')).toHaveValue('path:asc');
  await expect(page.getByRole('button', { name: 'Remove tag filter promo' })).toBeVisible();

  // Each change is written into the URL; the search box's text after its pause.
  await filter(page, 'Type').selectOption('');
  await expect(statusLine(page)).toHaveText('Showing 3 of 5 assets. Selected 0.');
  await page.getByRole('searchbox', { name: 'Search' }).fill('misty morning');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(page).toHaveURL(/#\/\?q=misty\+morning&tag=promo&sort=path&order=asc$/);

  // The detail view and the settings come back to the same filters.
  await tile(page, ids.forest!).dblclick();
  await expect(page).toHaveURL(new RegExp(`#/asset/${ids.forest}$`));
  await expect(page.getByRole('dialog', { name: 'forest.jpg' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/#\/\?q=misty\+morning&tag=promo&sort=path&order=asc$/);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Asset Gallery' })).toBeVisible();
  await page.getByRole('link', { name: 'Gallery' }).click();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('misty morning');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');

  // A reload, then a URL edited by hand; values the studio does not know fall back to defaults.
  await page.reload();
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('misty morning');
  await page.evaluate(() => (window.location.hash = '#/?tag=Music&tag=music&sort=sideways'));
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.theme!)).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('');
  await expect(filter(page, 'Sort')).toHaveValue('created:desc');
  // Tags are matched as the Tag list names them: Music is the listed music, once.
  await expect(
    page.getByRole('list', { name: 'Tags every asset must have' }).getByRole('listitem'),
  ).toHaveText(['music✎×']);
  await page.getByRole('button', { name: 'Remove tag filter music' }).click();
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await expect(page).toHaveURL(/#\/$/);
});

test('Size finds pictures by their size and sounds by their length; Widest, Narrowest and Longest first sort by them', async ({
  page,
}) => {
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  // The 2 s theme is a sound of 1 to 10 s; nothing here is a second or shorter.
  await filter(page, 'Size').selectOption({ label: '1 s to 10 s' });
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.theme!)).toBeVisible();
  await expect(page).toHaveURL(/#\/\?min_duration=1&max_duration=10$/);
  await filter(page, 'Size').selectOption({ label: '≤ 1 s' });
  await expect(page.getByTestId('gallery-empty')).toContainText('No assets match these filters');
  await filter(page, 'Size').selectOption({ label: '≥ 1280 × 720 (HD)' });
  await expect(statusLine(page)).toHaveText('Showing 0 of 5 assets. Selected 0.');

  // Pictures by shape: the one higher than wide.
  await filter(page, 'Size').selectOption({ label: 'Portrait (higher than wide)' });
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await expect(tile(page, ids.forest!)).toBeVisible();
  await expect(page).toHaveURL(/#\/\?orientation=portrait$/);

  // Bounds no choice names, from a link: shown as they are, and kept with the sort.
  await page.evaluate(() => (window.location.hash = '#/?min_width=600'));
  await expect(statusLine(page)).toHaveText('Showing 2 of 5 assets. Selected 0.');
  await expect(filter(page, 'Size').locator('option:checked')).toHaveText('width ≥ 600 px');
  await filter(page, 'Sort').selectOption({ label: 'Widest first' });
  await expect.poll(() => tileOrder(page)).toEqual([ids.castle, ids.hero]);
  await expect(page).toHaveURL(/#\/\?min_width=600&sort=width&order=desc$/);

  // Every asset, widest first: the 800, 640 and 300 px pictures, then what has no width
  // (newest first among them); longest first puts the sound first.
  await filter(page, 'Size').selectOption({ label: 'Any size' });
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await expect.poll(() => tileOrder(page)).toEqual([ids.castle, ids.hero, ids.forest, ids.script, ids.theme]);
  // Narrowest first: the pictures from the narrowest, and still what has no width after them
  // (oldest first among them), not before.
  await filter(page, 'Sort').selectOption({ label: 'Narrowest first' });
  await expect.poll(() => tileOrder(page)).toEqual([ids.forest, ids.hero, ids.castle, ids.theme, ids.script]);
  await expect(page).toHaveURL(/#\/\?sort=width&order=asc$/);
  await filter(page, 'Sort').selectOption({ label: 'Longest first' });
  await expect.poll(async () => (await tileOrder(page))[0]).toBe(ids.theme);
  await filter(page, 'Sort').selectOption({ label: 'Newest first' });
  await expect(page).toHaveURL(/#\/$/);
});

test('the first screen takes the preloaded page: one light search request, tiles drawn from it', async ({
  page,
}) => {
  const searches: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/assets/search')) searches.push(r.url());
  });
  const firstPage = page.waitForResponse((r) => r.url().includes('/api/assets/search'));
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');

  // index.html's preloads are what the studio asks for first: a preload with another URL would
  // be fetched for nothing and show up here as a second search request.
  const preloads = await page
    .locator('link[rel=preload][as=fetch]')
    .evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  const preloadedSearch = preloads.filter((href) => href.includes('/api/assets/search'));
  expect(preloadedSearch).toHaveLength(1);
  expect(searches).toEqual(preloadedSearch);
  expect(preloads.map((href) => new URL(href).pathname)).toEqual([
    '/api/settings',
    '/api/assets/search',
    '/api/assets/facets',
  ]);

  // The grid's listing carries the tile fields only; the tiles still show names, types, sizes,
  // licences.
  const body = (await (await firstPage).json()) as { items: Record<string, unknown>[] };
  const hero = body.items.find((item) => item.uid === ids.hero)!;
  expect(Object.keys(hero).sort()).toEqual(
    [
      'colors',
      'copies',
      'license',
      'metadata',
      'path',
      'preview',
      'preview_status',
      'tags',
      'type',
      'uid',
      'urls',
    ].sort(),
  );
  expect(hero.metadata).toEqual({ title: 'Hero banner' });
  expect(hero.preview).toEqual({ width: 640, height: 360 });
  expect(hero.copies).toBe(1);
  expect(hero.colors).toEqual({ transparent: false }); // (a cut-out would be shown on a checkerboard)
  await expect(tile(page, ids.hero!).locator('.name')).toHaveText('Hero banner');
  const full = (await api(server.url, 'GET', `/api/assets/${ids.hero}`)).body.asset;
  await expect(tile(page, ids.hero!).locator('.sub')).toHaveText(`images · 640 × 360 · ${full.license}`);
  await expect(tile(page, ids.hero!)).toHaveAttribute(
    'title',
    `UID: ${ids.hero}\nType: images\nPath: ${full.path}\nSize: 640 × 360\nTags: ${full.tags.join(', ')}\nLicense: ${full.license}`,
  );
  await expect(tile(page, ids.theme!)).toHaveAttribute('title', /\nLength: 2 s\n/);
  await expect(tile(page, ids.forest!).locator('.name')).toHaveText('forest.jpg');
  await expect(tile(page, ids.hero!).locator('img')).toHaveAttribute(
    'src',
    new RegExp(`/api/assets/${ids.hero}/thumbnail\\?size=256`),
  );
});

test('the studio files come precompressed and cached for good; other views load on demand', async ({
  page,
}) => {
  const scripts: { url: string; encoding: string | undefined; cache: string | undefined }[] = [];
  page.on('response', (r) => {
    if (/\/assets\/.+\.js$/.test(r.url()))
      scripts.push({
        url: r.url(),
        encoding: r.headers()['content-encoding'],
        cache: r.headers()['cache-control'],
      });
  });
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  expect(scripts.length).toBeGreaterThan(1);
  for (const s of scripts) {
    expect(s.encoding, s.url).toBe('br');
    expect(s.cache, s.url).toBe('public, max-age=31536000, immutable');
  }
  // The settings view is a chunk of its own, fetched when first shown.
  expect(scripts.some((s) => s.url.includes('SettingsView'))).toBe(false);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Asset Gallery' })).toBeVisible();
  expect(scripts.some((s) => s.url.includes('SettingsView'))).toBe(true);

  // A client that takes no compression gets the plain file.
  const plain = await fetch(scripts[0]!.url, { headers: { 'accept-encoding': 'identity' } });
  expect(plain.headers.get('content-encoding')).toBeNull();
  expect((await plain.text()).length).toBeGreaterThan(1000);
});

test('multi-select and bulk edits reach the registry and the sidecars', async ({ page }) => {
  await page.goto(server.url);
  await filter(page, 'Type').selectOption('backgrounds');
  await expect(page.locator('.tile')).toHaveCount(2);
  await filter(page, 'Type').selectOption('');
  await filter(page, 'Sort').selectOption('path:asc');
  await expect(page.locator('.tile').first()).toHaveAttribute('data-uid', ids.theme!);

  // Click, Shift-click a range, Ctrl-click one more.
  await tile(page, ids.castle!).click();
  await tile(page, ids.hero!).click({ modifiers: ['Shift'] });
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 3.');
  await tile(page, ids.forest!).click({ modifiers: ['Control'] });
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 2.');
  await tile(page, ids.theme!).click({ modifiers: ['Control'] });
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 3.');
  const chosen = [ids.castle!, ids.hero!, ids.theme!];

  await page.getByLabel('Add tags').fill('approved, Season2');
  await page.getByLabel('Remove tags').fill('promo');
  await page.locator('form.bulk').getByLabel('License', { exact: true }).fill('CC-BY-SA-4.0');
  // The edit runs as a job on the server, its progress followed until it ends.
  const jobPolls: string[] = [];
  page.on('response', (response) => {
    if (/\/api\/jobs\/[^/]+$/.test(new URL(response.url()).pathname)) jobPolls.push(response.url());
  });
  const started = page.waitForResponse((r) => r.url().endsWith('/api/assets/bulk'));
  await page.getByRole('button', { name: 'Apply to 3 selected' }).click();
  const bulk = await started;
  expect(bulk.status()).toBe(202);
  const sent = bulk.request().postDataJSON() as { ids: string[]; wait: boolean };
  expect(sent.wait).toBe(false);
  expect([...sent.ids].sort()).toEqual([...chosen].sort());
  await expect(page.getByTestId('gallery-message')).toHaveText('Updated 3 assets.');
  const { job_id: jobId } = (await bulk.json()) as { job_id: string };
  expect(jobPolls.some((u) => u.endsWith(`/api/jobs/${jobId}`))).toBe(true);
  await expect(page.locator('.bulk-progress')).toHaveCount(0);

  for (const uid of chosen) {
    const { body } = await api(server.url, 'GET', `/api/assets/${uid}`);
    expect(body.asset.tags).toEqual(expect.arrayContaining(['approved', 'Season2']));
    expect(body.asset.tags).not.toContain('promo');
    expect(body.asset.license).toBe('CC-BY-SA-4.0');
    const onDisk = sidecar(body.asset.path);
    expect(onDisk.tags).toEqual(body.asset.tags);
    expect(onDisk.license).toBe('CC-BY-SA-4.0');
  }
  const untouched = await api(server.url, 'GET', `/api/assets/${ids.forest}`);
  expect(untouched.body.asset.tags).toEqual(['forest', 'promo']);

  // The tag filter's options follow the edit live (counts come from the registry).
  await expect(page.locator('#filter-tag option', { hasText: 'approved (3)' })).toHaveCount(1);

  // Clear the licence on the same selection. (The message is the same as the first edit's, so
  // it does not say this one is done: its job does. Waiting for the message alone read a sidecar
  // before its write landed, about 1 run in 10.)
  await page.getByLabel('Clear license').check();
  const clearing = page.waitForResponse((r) => r.url().endsWith('/api/assets/bulk'));
  await page.getByRole('button', { name: 'Apply to 3 selected' }).click();
  const { job_id: clearJob } = (await (await clearing).json()) as { job_id: string };
  await expect
    .poll(async () => (await api(server.url, 'GET', `/api/jobs/${clearJob}`)).body.job.status)
    .toBe('done');
  await expect(page.getByTestId('gallery-message')).toHaveText('Updated 3 assets.');
  for (const uid of chosen) {
    const { body } = await api(server.url, 'GET', `/api/assets/${uid}`);
    expect(body.asset.license).toBeNull();
    expect(sidecar(body.asset.path).license).toBeNull();
  }

  // Nothing selected: the reference's message, and no call.
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await page.getByLabel('Add tags').fill('x');
  await page.getByRole('button', { name: 'Apply to 0 selected' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Select one or more assets to edit tags.');
});

test('a sidecar broken by hand: an edit is refused naming it, and Rewrite sidecars puts it right when confirmed', async ({
  page,
}) => {
  const { body } = await api(server.url, 'GET', `/api/assets/${ids.forest}`);
  const file = path.join(ws.assets, `${body.asset.path}.asset.json`);
  fs.writeFileSync(file, '{ "tags": ["forest", ');
  const later = fs.statSync(file).mtimeMs / 1000 + 1; // saved by a person, after the registry
  fs.utimesSync(file, later, later);

  await page.goto(server.url);
  await tile(page, ids.forest!).click();
  await page.getByLabel('Add tags').fill('x');
  await page.getByRole('button', { name: 'Apply to 1 selected' }).click();
  await expect(page.getByTestId('gallery-message')).toContainText(`${body.asset.path}.asset.json`);
  await expect(page.getByTestId('gallery-message')).toContainText('Rewrite sidecars…');
  expect(fs.readFileSync(file, 'utf8')).toBe('{ "tags": ["forest", ');

  // Declined: no request is made, nothing is written.
  const enforceCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/assets/enforce')) enforceCalls.push(request.postData() ?? '');
  });
  page.once('dialog', (dialog) => void dialog.dismiss());
  await page.getByRole('button', { name: 'Rewrite sidecars…' }).click();
  await page.waitForTimeout(300);
  expect(enforceCalls).toEqual([]);
  expect(fs.readFileSync(file, 'utf8')).toBe('{ "tags": ["forest", ');
  // Confirmed: rewritten from the registry, whose tags the refused edit did not change.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Rewrite sidecars…' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText(
    'Sidecars rewritten from the registry; the report is below.',
  );
  expect(enforceCalls.map((data) => JSON.parse(data) as unknown)).toEqual([
    { fix_missing: true, overwrite: true, fill_metadata: false, remove_orphans: false, wait: false },
  ]);
  // The report of the job it started (followed on /api/jobs) is shown.
  await expect(page.locator('details.report pre')).toContainText('"repaired_sidecars"');
  await expect(page.locator('details.report pre')).toContainText(ids.forest!);
  expect(sidecar(body.asset.path).id).toBe(ids.forest);
  expect(sidecar(body.asset.path).tags).toEqual(['forest', 'promo']);
});

test('keyboard: move, select, select all, open', async ({ page }) => {
  await page.goto(server.url);
  await filter(page, 'Sort').selectOption('path:asc');
  await expect(page.locator('.tile').first()).toHaveAttribute('data-uid', ids.theme!);
  const grid = page.getByRole('listbox', { name: 'Assets' });
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(' ');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 1.');
  await expect(tile(page, ids.theme!)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 2.');
  await page.keyboard.press('Control+a');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 5.');
  await page.keyboard.press('Escape');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search' })).not.toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // "/" jumps to the search box; typed in a field, it is a slash.
  await page.keyboard.press('/');
  const box = page.getByRole('searchbox', { name: 'Search' });
  await expect(box).toBeFocused();
  await page.keyboard.type('misty');
  await expect(statusLine(page)).toHaveText('Showing 1 of 5 assets. Selected 0.');
  await page.keyboard.type('/');
  await expect(box).toHaveValue('misty/');
  await box.fill('');
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
});

test('? lists the keyboard shortcuts; Escape closes the list, the ⌨ button opens it too', async ({
  page,
}) => {
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText(/^Showing/);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.locator('dl > div').filter({ hasText: 'Play or stop the focused sound' })).toContainText(
    'P',
  );
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  // Typed into the search box, "?" is a character.
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await page.getByRole('searchbox', { name: 'Search' }).press('?');
  await expect(help).toHaveCount(0);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('?');
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close keyboard shortcuts' }).click();
  await expect(help).toHaveCount(0);
});

test('a file registered with the CLI appears in the open page, selection and scroll kept', async ({
  page,
}) => {
  await page.goto(server.url);
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await tile(page, ids.hero!).click();
  await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 1.');

  ws.file('incoming/moon.png', await makeImage(120, 120, 'png', undefined, { r: 242, g: 204, b: 143 }));
  const { stdout } = await run(
    process.execPath,
    [...CLI_ARGS, 'register', 'incoming/moon.png', '--type', 'images', '--tags', 'night', '--json'],
    { cwd: ws.dir, env: { ...process.env, LOG_LEVEL: 'error' } },
  );
  const moon = (JSON.parse(stdout) as { asset_id: string }).asset_id;

  await expect(tile(page, moon)).toBeVisible();
  await expect(statusLine(page)).toHaveText('Showing 6 of 6 assets. Selected 1.');
  await expect(tile(page, ids.hero!)).toHaveAttribute('aria-selected', 'true');
  // Its thumbnail arrives when the server has made it.
  await expect(tile(page, moon).locator('img')).toBeVisible();
  ids.moon = moon;
});

test('a change made while the studio was loading shows once its event stream is up', async ({ page }) => {
  const own = makeWorkspace('areg-e2e-late-stream-');
  own.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  own.file('data/assets/scripts/intro.txt', 'Once upon a time');
  const served = await startServer(own.dir);
  try {
    const rebuilt = await api(served.url, 'POST', '/api/assets/rebuild', {});
    expect(rebuilt.status, rebuilt.text).toBe(200);
    const [intro] = (await api(served.url, 'GET', '/api/assets/search')).body.items;
    // The stream is held back until the change is made: the page drawn from the first answers is
    // older than the stream, as on a slow connection or a busy machine.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const streams: string[] = [];
    await page.route('**/api/events*', async (route) => {
      streams.push(route.request().url());
      await held;
      await route.continue();
    });
    await page.goto(served.url);
    await expect(tile(page, intro.uid).locator('.name')).toHaveText('intro.txt');
    await expect.poll(() => streams.length).toBe(1);
    const patched = await api(served.url, 'PATCH', `/api/assets/${intro.uid}`, {
      metadata: { title: 'Prologue' },
    });
    expect(patched.status, patched.text).toBe(200);
    release();
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await expect(tile(page, intro.uid).locator('.name')).toHaveText('Prologue');
    expect(streams[0]).toMatch(/\/api\/events\?since=\d+$/);
  } finally {
    await served.stop();
    own.cleanup();
  }
});

test('Copy Debug JSON puts the selected records on the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Copy Debug JSON' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Select assets to copy debug JSON.');

  await tile(page, ids.forest!).click();
  await tile(page, ids.script!).click({ modifiers: ['Control'] });
  await page.getByRole('button', { name: 'Copy Debug JSON' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText(
    'Copied debug JSON for 2 assets to clipboard.',
  );
  const text = await page.evaluate(() => navigator.clipboard.readText());
  const records = JSON.parse(text) as Array<{ uid: string; metadata: Record<string, unknown>; path: string }>;
  expect(records.map((r) => r.uid)).toEqual([ids.forest, ids.script]);
  expect(records[0]!.metadata.notes).toBe('misty morning');
  expect(text).toContain('\n  {\n    "id"');
});

test('Download .zip saves the selected files with their sidecars, in their folders', async ({ page }) => {
  await page.goto(server.url);
  const button = page.getByRole('button', { name: 'Download .zip' });
  await expect(button).toBeDisabled();
  await tile(page, ids.forest!).click();
  await tile(page, ids.script!).click({ modifiers: ['Control'] });
  const downloading = page.waitForEvent('download');
  await button.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^assets-\d{4}-\d{2}-\d{2}-\d{4}\.zip$/);
  await expect(page.getByTestId('gallery-message')).toHaveText(
    /^Downloading assets-[\d-]+\.zip: 2 files \([\d.]+ KB\) with their sidecars\.$/,
  );
  const entries = await unzip(fs.readFileSync(await download.path()));
  const paths = ['backgrounds/forest.jpg', 'scripts/intro.txt'];
  expect([...entries.keys()].sort()).toEqual(paths.flatMap((p) => [p, `${p}.asset.json`]));
  for (const p of paths) {
    expect(entries.get(p)!.bytes.equals(fs.readFileSync(path.join(ws.assets, p)))).toBe(true);
    expect(JSON.parse(entries.get(`${p}.asset.json`)!.bytes.toString()).path).toBe(p);
  }

  // Imported back here: both files are there already, and stay as they are.
  const before = paths.map((p) => fs.statSync(path.join(ws.assets, p)).mtimeMs);
  const saved = path.join(ws.dir, download.suggestedFilename());
  await download.saveAs(saved);
  await page.getByLabel('Zip of assets to import').setInputFiles(saved);
  await expect(page.getByTestId('gallery-message')).toHaveText(
    `Imported 0 assets from ${download.suggestedFilename()}; 2 already there, left as they were.`,
  );
  expect(paths.map((p) => fs.statSync(path.join(ws.assets, p)).mtimeMs)).toEqual(before);
  await page.screenshot({ path: path.join(SHOTS, 'import-zip.png') });
});

test('Credits .csv downloads the sheet of what the filters show, by licence', async ({ page }) => {
  const forest = (await api(server.url, 'GET', `/api/assets/${ids.forest}`)).body.asset;
  await page.goto(`${server.url}/#/?type=${forest.type}`);
  const listed = (await api(server.url, 'GET', `/api/assets/search?type=${forest.type}&fields=path`)).body;
  const all = (await api(server.url, 'GET', '/api/assets/search?limit=1')).body.total;
  await expect(statusLine(page)).toHaveText(`Showing ${listed.total} of ${all} assets. Selected 0.`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Credits .csv' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^credits-\d{4}-\d{2}-\d{2}\.csv$/);
  await expect(page.getByTestId('gallery-message')).toHaveText(
    `Downloading the credits of ${listed.total} asset${listed.total === 1 ? '' : 's'}, by licence, as ${download.suggestedFilename()}.`,
  );
  const lines = fs
    .readFileSync(await download.path(), 'utf8')
    .trimEnd()
    .split('\r\n');
  expect(lines[0]).toBe('license,path,title,origin,id,sha256');
  expect(
    lines
      .slice(1)
      .map((line) => line.split(',')[1])
      .sort(),
  ).toEqual(listed.items.map((a: { path: string }) => a.path).sort());
});

test('a tag chip renames the tag on every asset that has it; the filter follows the new name', async ({
  page,
}) => {
  const own = makeWorkspace('areg-e2e-tag-rename-');
  own.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  for (const [rel, tags] of [
    ['bg/a.txt', ['forrest', 'night']],
    ['bg/b.txt', ['Forrest']],
    ['bg/c.txt', ['day']],
  ] as const) {
    own.file(`data/assets/${rel}`, rel);
    own.file(`data/assets/${rel}.asset.json`, JSON.stringify({ meta: { tags } }));
  }
  const served = await startServer(own.dir);
  try {
    expect((await api(served.url, 'POST', '/api/assets/rebuild', {})).status).toBe(200);
    await page.goto(`${served.url}/#/?tag=forrest`);
    await expect(page.getByTestId('status-line')).toContainText('Showing 2 of 3 assets');
    await page.getByRole('button', { name: 'Rename tag forrest' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename tag “forrest”' });
    await dialog.getByLabel('New name').fill('forest');
    await page.screenshot({ path: path.join(SHOTS, 'rename-tag.png') });
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('gallery-message')).toHaveText(
      'Renamed "forrest" to "forest" on 2 assets.',
    );
    await expect(page).toHaveURL(/#\/\?tag=forest$/);
    await expect(page.getByTestId('status-line')).toContainText('Showing 2 of 3 assets');
    const tagsOf = (rel: string) => (own.json(`data/assets/${rel}.asset.json`) as { tags: string[] }).tags;
    expect(tagsOf('bg/a.txt')).toEqual(expect.arrayContaining(['forest', 'night']));
    expect(tagsOf('bg/a.txt')).not.toContain('forrest');
    expect(tagsOf('bg/b.txt')).toContain('forest');
    expect(tagsOf('bg/c.txt')).not.toContain('forest');
  } finally {
    await served.stop();
    own.cleanup();
  }
});

test('tiles come small, medium or large; the choice is remembered, large ones show the larger thumbnail', async ({
  page,
}) => {
  await page.goto(server.url);
  const sizes = page.getByRole('group', { name: 'Tile size' });
  await expect(sizes.getByRole('button', { name: 'Medium tiles' })).toHaveAttribute('aria-pressed', 'true');
  const firstRow = page.locator('.grid-row').first().locator('.tile');
  const heroImage = tile(page, ids.hero!).locator('img');
  const thumbnailSize = () =>
    heroImage.evaluate((img: HTMLImageElement) => new URL(img.currentSrc).searchParams.get('size'));
  await expect(heroImage).toBeVisible();
  const medium = await firstRow.count();
  const mediumWidth = (await tile(page, ids.hero!).boundingBox())!.width;
  expect(await thumbnailSize()).toBe('256');

  await sizes.getByRole('button', { name: 'Large tiles' }).click();
  await expect(firstRow).not.toHaveCount(medium);
  const large = await firstRow.count();
  expect(large).toBeLessThan(medium);
  expect((await tile(page, ids.hero!).boundingBox())!.width).toBeGreaterThan(mediumWidth * 1.3);
  // Wider than the 256 px thumbnail: the browser takes the 512 one.
  await expect.poll(thumbnailSize).toBe('512');

  await page.reload();
  await expect(sizes.getByRole('button', { name: 'Large tiles' })).toHaveAttribute('aria-pressed', 'true');
  await expect(firstRow).toHaveCount(large);

  // A size this studio does not know (stored by hand, or by another version) is the default.
  await page.evaluate(() => localStorage.setItem('asset-registry-tile-size', 'huge'));
  await page.reload();
  await expect(sizes.getByRole('button', { name: 'Medium tiles' })).toHaveAttribute('aria-pressed', 'true');
  await expect(firstRow).toHaveCount(medium);

  await sizes.getByRole('button', { name: 'Small tiles' }).click();
  await expect.poll(async () => (await tile(page, ids.hero!).boundingBox())!.width).toBeLessThan(mediumWidth);
  expect(await firstRow.count()).toBeGreaterThanOrEqual(medium);
});

test('a sound plays from its tile, showing how far it has played, without selecting it', async ({ page }) => {
  await page.goto(server.url);
  const theme = tile(page, ids.theme!);
  const played = theme.locator('.waveform rect.played');
  await expect(theme.locator('.waveform')).toBeVisible();
  await expect(tile(page, ids.hero!).getByRole('button', { name: /^Play/ })).toHaveCount(0);

  await theme.getByRole('button', { name: 'Play theme.wav' }).click();
  const stop = theme.getByRole('button', { name: 'Stop theme.wav' });
  await expect(stop).toHaveAttribute('aria-pressed', 'true');
  // The browser really plays it: the bars fill as its time advances.
  await expect.poll(() => played.count()).toBeGreaterThan(0);
  await expect(statusLine(page)).toHaveText(/Selected 0\.$/);
  await expect(page).not.toHaveURL(/#\/asset\//);

  await stop.click();
  await expect(theme.getByRole('button', { name: 'Play theme.wav' })).toHaveAttribute(
    'aria-pressed',
    'false',
  );
  await expect(played).toHaveCount(0);
  // Played to its end (2 s), it goes back to Play by itself.
  await theme.getByRole('button', { name: 'Play theme.wav' }).click();
  await expect(stop).toBeVisible();
  await expect(theme.getByRole('button', { name: 'Play theme.wav' })).toBeVisible({ timeout: 6000 });

  // From the keyboard: P plays the focused tile's sound and stops it; on a picture it does nothing.
  await theme.click();
  await page.keyboard.press('p');
  await expect(stop).toBeVisible();
  await page.keyboard.press('p');
  await expect(theme.getByRole('button', { name: 'Play theme.wav' })).toBeVisible();
  await tile(page, ids.hero!).click();
  await page.keyboard.press('p');
  await expect(page.getByRole('button', { name: /^Stop / })).toHaveCount(0);

  // One sound at a time: the detail view's player starting stops the tile's.
  await theme.click();
  await page.keyboard.press('p');
  await expect(stop).toBeVisible();
  await page.keyboard.press('Enter');
  const player = page.getByRole('dialog', { name: 'theme.wav' }).locator('audio');
  await player.evaluate((el: HTMLAudioElement) => el.play());
  // At once, not when the 2 s sound would have ended by itself.
  await expect(theme.getByRole('button', { name: 'Play theme.wav' })).toBeAttached({ timeout: 500 });
  await expect.poll(() => player.evaluate((el: HTMLAudioElement) => el.paused)).toBe(false);
});

test('detail views of an image and of an audio asset', async ({ page }) => {
  await page.goto(server.url);
  await expect(tile(page, ids.hero!).locator('img')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'gallery.png') });

  await tile(page, ids.hero!).dblclick();
  const dialog = page.getByRole('dialog', { name: 'Hero banner' });
  await expect(dialog).toBeVisible();
  const img = dialog.getByTestId('detail-preview').locator('img');
  await expect(img).toBeVisible();
  expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([
    512, 288,
  ]);
  // The picture's own size, as a designer checks it (the preview is smaller).
  await expect(dialog.locator('dl > div').filter({ hasText: /^Dimensions/ })).toHaveText(
    'Dimensions640 × 360 px',
  );
  await expect(dialog.getByText(ids.hero!, { exact: true })).toBeVisible();
  await expect(dialog.getByText('images/hero.png.asset.json')).toBeVisible();
  await expect(dialog.getByRole('link', { name: 'Download' })).toHaveAttribute(
    'href',
    `/api/assets/${ids.hero}/file`,
  );
  await dialog.getByText(/^Provenance/).click();
  await expect(dialog.getByText('api.register')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'detail-image.png') });
  await dialog.getByRole('button', { name: 'Close details' }).click();

  await page.goto(`${server.url}/#/asset/${ids.theme}`);
  const audioDialog = page.getByRole('dialog', { name: 'theme.wav' });
  await expect(audioDialog.getByTestId('detail-waveform').locator('svg rect').first()).toBeVisible();
  const audio = audioDialog.locator('audio');
  await expect(audio).toHaveAttribute('src', `/api/assets/${ids.theme}/file`);
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.duration)).toBeCloseTo(2, 1);
  await expect(audioDialog.locator('dl > div').filter({ hasText: /^Length/ })).toHaveText(
    'Length2 s · mono · 8 kHz',
  );
  await page.screenshot({ path: path.join(SHOTS, 'detail-audio.png') });
});

test('the detail view flips through the gallery in its order: buttons and arrow keys; Back returns to the gallery', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/?sort=path&order=asc`);
  await expect(tile(page, ids.hero!)).toBeVisible();
  const order = await tileOrder(page);
  expect(order.length).toBeGreaterThan(2);
  await tile(page, order[0]!).dblclick();
  const position = page.getByTestId('detail-position');
  await expect(position).toHaveText(`1 of ${order.length}`);
  await expect(page.getByRole('button', { name: '‹ Previous' })).toBeDisabled();
  const idInUrl = () => decodeURIComponent(new URL(page.url()).hash.replace('#/asset/', ''));

  await page.keyboard.press('ArrowRight');
  await expect(position).toHaveText(`2 of ${order.length}`);
  expect(idInUrl()).toBe(order[1]);
  await page.getByRole('button', { name: 'Next ›' }).click();
  await expect(position).toHaveText(`3 of ${order.length}`);
  expect(idInUrl()).toBe(order[2]);
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveText(`2 of ${order.length}`);
  await expect(page.getByRole('dialog')).toContainText(
    (await api(server.url, 'GET', `/api/assets/${order[1]}`)).body.asset.path.split('/').pop(),
  );

  // Not while editing: the arrows move the caret.
  await page.getByRole('dialog').getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Notes').press('ArrowRight');
  await expect(position).toHaveText(`2 of ${order.length}`);
  await page.getByRole('button', { name: 'Cancel' }).click();

  // The flips replaced one another in the history: Back leaves for the gallery, filters kept.
  await page.goBack();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page).toHaveURL(/#\/\?sort=path&order=asc$/);
});

test('the stream indicator shows a lost connection, and the page recovers by itself', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('stream-state')).toHaveText(/Live/);
  const port = new URL(server.url).port;
  await server.stop();
  await expect(page.getByTestId('stream-state')).not.toHaveText(/Live/);
  // While it was away, another tool registered a file.
  ws.file('incoming/late.txt', 'registered while the studio was disconnected');
  server = await startServer(ws.dir, ['--port', port]);
  await api(server.url, 'POST', '/api/assets/register', { path: 'incoming/late.txt' });
  await expect(page.getByTestId('stream-state')).toHaveText(/Live/, { timeout: 20_000 });
  await expect(statusLine(page)).toHaveText('Showing 7 of 7 assets. Selected 0.');
});

test('an edit begun on a version changed elsewhere meanwhile is refused, not saved over the change', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/asset/${ids.script}`);
  const dialog = page.getByRole('dialog', { name: 'intro.txt' });
  await dialog.getByRole('button', { name: 'Edit' }).click();
  await dialog.getByLabel('Notes').fill('my draft');
  // Meanwhile a script changes the asset (the dialog follows it live; the edit must not).
  const theirs = await api(server.url, 'PATCH', `/api/assets/${ids.script}`, {
    metadata: { notes: 'theirs' },
  });
  expect(theirs.status, theirs.text).toBe(200);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('changed elsewhere since you began editing');
  await expect(dialog.getByLabel('Notes')).toHaveValue('my draft');
  const kept = (await api(server.url, 'GET', `/api/assets/${ids.script}`)).body.asset;
  expect(kept.metadata.notes).toBe('theirs');
  // Cancel and Edit again: the edit starts from their change, and saves.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByRole('button', { name: 'Edit' }).click();
  await expect(dialog.getByLabel('Notes')).toHaveValue('theirs');
  await dialog.getByLabel('Notes').fill('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved.');
  const cleared = (await api(server.url, 'GET', `/api/assets/${ids.script}`)).body.asset;
  expect(cleared.metadata).not.toHaveProperty('notes');
});

test('a part of the page that could not load while the server was away comes back by itself', async ({
  page,
}) => {
  // The side panel's script is fetched on demand; here it fails as if the server were restarting,
  // and the server's health stays unreachable until let through.
  let serverBack = false;
  await page.route('**/assets/RemoveSelected-*.js', (route) => route.abort('connectionrefused'), {
    times: 1,
  });
  await page.route('**/health', (route) =>
    serverBack ? route.continue() : route.abort('connectionrefused'),
  );
  await page.goto(server.url);
  await expect(page.getByRole('alert')).toContainText('reloads by itself as soon as the server answers');
  await expect(page.getByRole('button', { name: 'Reload now' })).toBeVisible();
  // Only that part: the grid, the filters and the stream indicator are there meanwhile.
  await expect(statusLine(page)).toHaveText(/^Showing \d+ of \d+ assets\. Selected 0\.$/);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeVisible();
  await expect(page.getByTestId('stream-state')).toBeVisible();
  serverBack = true;
  await expect(page.getByTestId('stream-state')).toHaveText(/Live/);
  await expect(statusLine(page)).toHaveText(/^Showing \d+ of \d+ assets\. Selected 0\.$/);
  // The panel whose script failed is there after the reload.
  await expect(page.getByRole('form', { name: 'Remove from registry' })).toBeVisible();
});

test('against a server with an API token, the studio asks for it once and edits go through', async ({
  page,
}) => {
  const secured = makeWorkspace('areg-e2e-token-');
  secured.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  const guarded = await startServer(secured.dir, ['--token', 's3cret']);
  try {
    secured.file('incoming/a.txt', 'guarded');
    const reg = await api(
      guarded.url,
      'POST',
      '/api/assets/register',
      { path: 'incoming/a.txt' },
      {
        authorization: 'Bearer s3cret',
      },
    );
    expect(reg.status, reg.text).toBe(200);
    const uid = reg.body.asset_id as string;
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept('s3cret');
    });
    await page.goto(guarded.url);
    await tile(page, uid).click();
    await page.getByLabel('Add tags').fill('locked');
    await page.getByRole('button', { name: 'Apply to 1 selected' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText('Updated 1 assets.');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(/requires an API token/);
    expect(secured.json(`data/assets/generic/a.txt.asset.json`).tags).toEqual(['locked']);
  } finally {
    await guarded.stop();
    secured.cleanup();
  }
});

test('Upload… sends files, and Upload folder… a whole folder with its structure, leaving hidden files out', async ({
  page,
}) => {
  const own = makeWorkspace('areg-e2e-upload-');
  own.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  const served = await startServer(own.dir);
  try {
    // What a user picks: two loose files, and a folder with a subfolder and OS junk in it.
    const picked = own.file(
      'picked/hero.png',
      await makeImage(40, 30, 'png', undefined, { r: 200, g: 60, b: 60 }),
    );
    const notes = own.file('picked/notes.txt', 'loose notes');
    own.file('pack/forest/bg-1.png', await makeImage(32, 32, 'png', undefined, { r: 30, g: 120, b: 40 }));
    own.file('pack/forest/bg-2.png', await makeImage(32, 32, 'png', undefined, { r: 30, g: 130, b: 40 }));
    own.file('pack/readme.txt', 'pack readme');
    own.file('pack/.DS_Store', 'junk');
    own.file('pack/forest/Thumbs.db', 'junk');

    await page.goto(served.url);
    const files = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload…', exact: true }).click();
    await (await files).setFiles([picked, notes]);
    await expect(page.getByTestId('gallery-message')).toHaveText('Uploaded 2 of 2 files.');

    const folder = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload folder…' }).click();
    await (await folder).setFiles(path.join(own.dir, 'pack'));
    await expect(page.getByTestId('gallery-message')).toHaveText('Uploaded 3 of 3 files.');

    // Each lands, and is typed, where a rebuild of the same file would put it: a loose file by
    // its extension, a folder's files by their first folder.
    const { body } = await api(served.url, 'GET', '/api/assets/search?limit=50&sort=path&order=asc');
    expect(body.items.map((a: { path: string; type: string }) => [a.path, a.type])).toEqual([
      ['generic/notes.txt', 'generic'],
      ['images/hero.png', 'images'],
      ['pack/forest/bg-1.png', 'pack'],
      ['pack/forest/bg-2.png', 'pack'],
      ['pack/readme.txt', 'pack'],
    ]);
    expect(own.json('data/assets/pack/forest/bg-1.png.asset.json').path).toBe('pack/forest/bg-1.png');
    // The gallery was empty when the page opened: the new assets appear in it by themselves.
    await expect(page.locator('.tile')).toHaveCount(5);
    await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');

    // Rebuild: started as a job, followed until it ends, its summary shown.
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      /^Rebuild done: processed: 5, skipped: 0, removed: 0, /,
    );

    // A sidecar broken by hand: the rebuild cannot read the edits in it, and says so as an error.
    own.file('data/assets/pack/readme.txt.asset.json', '{ "tags": [');
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    const message = page.getByTestId('gallery-message');
    await expect(message).toHaveText(
      /^Rebuild done with 1 problem: processed: 5, .*; they are listed below\.$/,
    );
    await expect(message).toHaveClass(/error/);
    const report = page.locator('details.report');
    await expect(report.locator('summary')).toHaveText('Rebuild problems');
    await expect(report.locator('pre')).toHaveText(
      /^pack\/readme\.txt: Failed to parse sidecar readme\.txt\.asset\.json: .*: its edits were not read; fix it by hand/,
    );

    // The assets folder empty (a drive not mounted): a rebuild removes nothing, and says why.
    fs.renameSync(own.assets, `${own.assets}-away`);
    fs.mkdirSync(own.assets);
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      /^Rebuild done, nothing removed: .*holds no files, so none of the 5 registered assets was removed: is a drive not mounted/,
    );
    await page.reload();
    await expect(statusLine(page)).toHaveText('Showing 5 of 5 assets. Selected 0.');
  } finally {
    await served.stop();
    own.cleanup();
  }
});

test('the detail view edits one asset, as a form or as JSON, and removes one; the selection removes several; files kept or deleted', async ({
  page,
}) => {
  const own = makeWorkspace('areg-e2e-edit-');
  own.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  const served = await startServer(own.dir);
  try {
    const add = async (
      rel: string,
      content: Buffer | string,
      body: Record<string, unknown>,
    ): Promise<string> => {
      own.file(`incoming/${rel}`, content);
      const res = await api(served.url, 'POST', '/api/assets/register', { path: `incoming/${rel}`, ...body });
      expect(res.status, res.text).toBeLessThan(300);
      return res.body.asset_id as string;
    };
    const moon = await add(
      'moon.png',
      await makeImage(64, 64, 'png', undefined, { r: 240, g: 200, b: 120 }),
      {
        asset_type: 'images',
        metadata: { tags: ['night'], license: 'CC0', title: 'Moon', frame: 7 },
      },
    );
    const sun = await add('sun.txt', 'sunny', { asset_type: 'docs', metadata: { tags: ['day'] } });
    const star = await add('star.txt', 'twinkle', { asset_type: 'docs', metadata: { tags: ['night'] } });
    const sidecarOf = (rel: string): Record<string, unknown> => own.json(`data/assets/${rel}.asset.json`);

    // The form: a new title, tags typed loosely, the licence emptied (removed), notes added.
    await page.goto(`${served.url}/#/asset/${moon}`);
    const dialog = page.getByRole('dialog', { name: 'Moon' });
    await dialog.getByRole('button', { name: 'Edit' }).click();
    const editor = dialog.getByRole('region', { name: 'Edit metadata' });
    await expect(editor.getByLabel('Title')).toHaveValue('Moon');
    await expect(editor.getByLabel('License')).toHaveValue('CC0');
    await editor.getByLabel('Title').fill('Full moon');
    await editor.getByLabel('Tags (comma-separated)').fill('night, sky , night,');
    await editor.getByLabel('License').fill('');
    await editor.getByLabel('Notes').fill('chapter 2, rooftop');
    await page.screenshot({ path: path.join(SHOTS, 'detail-edit.png') });
    const patched = page.waitForRequest((r) => r.method() === 'PATCH');
    await editor.getByRole('button', { name: 'Save' }).click();
    expect((await patched).postDataJSON()).toEqual({
      metadata: { title: 'Full moon', license: null, notes: 'chapter 2, rooftop', tags: ['night', 'sky'] },
      mode: 'merge',
      if_version: 1, // the version the edit began on
    });
    const saved = page.getByRole('dialog', { name: 'Full moon' });
    await expect(saved.getByRole('status')).toHaveText('Saved.');
    await expect(saved.getByRole('region', { name: 'Edit metadata' })).toHaveCount(0);
    await expect(saved.getByText('night, sky', { exact: true })).toBeVisible();
    let onDisk = sidecarOf('images/moon.png');
    expect(onDisk.tags).toEqual(['night', 'sky']);
    expect(onDisk.license).toBeNull();
    expect(onDisk.meta).toMatchObject({ title: 'Full moon', notes: 'chapter 2, rooftop', frame: 7 });
    // The grid behind the dialog follows (its caption is the title).
    await expect(page.locator(`.tile[data-uid="${moon}"]`)).toContainText('Full moon');

    // As JSON: a key the form has no field for; bad JSON is refused with the parser's reason.
    await saved.getByRole('button', { name: 'Edit' }).click();
    await saved.getByRole('button', { name: 'Edit as JSON' }).click();
    const json = saved.getByLabel('Metadata (JSON; replaces it whole)');
    // The registry's own keys are not shown, so an edit cannot pin the version by accident.
    const shown = JSON.parse(await json.inputValue()) as Record<string, unknown>;
    expect(shown).toMatchObject({ title: 'Full moon', frame: 7, notes: 'chapter 2, rooftop' });
    for (const key of ['version', 'preview', 'thumbnails']) expect(shown).not.toHaveProperty(key);
    await expect(json).toHaveAccessibleDescription(/version and the previews are the registry/);
    await json.fill('{ "title": "Full moon", ');
    await saved.getByRole('button', { name: 'Save' }).click();
    await expect(saved.getByRole('alert')).toContainText('The metadata is not valid JSON');
    await json.fill(JSON.stringify({ title: 'Full moon', tags: ['night'], frame: 8, palette: ['#fff'] }));
    await saved.getByRole('button', { name: 'Save' }).click();
    await expect(saved.getByRole('status')).toHaveText('Saved.');
    onDisk = sidecarOf('images/moon.png');
    expect(onDisk.tags).toEqual(['night']);
    expect(onDisk.meta).toMatchObject({ title: 'Full moon', frame: 8, palette: ['#fff'] });
    expect(onDisk.meta).not.toHaveProperty('notes');
    // Left out, they were kept: the version moved on (registered 1, the form 2, this 3).
    const replaced = (await api(served.url, 'GET', `/api/assets/${moon}`)).body.asset;
    expect(replaced.version).toBe(3);
    expect(replaced.metadata.preview).toMatchObject({ kind: 'thumbnail' });
    // Switching carries what was typed across, both ways; once the JSON was edited, the form's
    // Save replaces the whole metadata.
    await saved.getByRole('button', { name: 'Edit' }).click();
    await saved.getByLabel('Title').fill('Harvest moon');
    await saved.getByRole('button', { name: 'Edit as JSON' }).click();
    const carried = JSON.parse(await json.inputValue()) as Record<string, unknown>;
    expect(carried).toEqual({ title: 'Harvest moon', tags: ['night'], frame: 8, palette: ['#fff'] });
    await json.fill(JSON.stringify({ ...carried, mood: 'warm' }));
    await saved.getByRole('button', { name: 'Edit as form' }).click();
    await expect(saved.getByLabel('Title')).toHaveValue('Harvest moon');
    await expect(saved.getByLabel('Tags (comma-separated)')).toHaveValue('night');
    await saved.getByLabel('Notes').fill('moved to chapter 3');
    const replacing = page.waitForRequest((r) => r.method() === 'PATCH');
    await saved.getByRole('button', { name: 'Save' }).click();
    expect((await replacing).postDataJSON()).toEqual({
      metadata: { ...carried, mood: 'warm', notes: 'moved to chapter 3' },
      mode: 'replace',
      if_version: 3,
    });
    const harvest = page.getByRole('dialog', { name: 'Harvest moon' });
    await expect(harvest.getByRole('status')).toHaveText('Saved.');
    expect(sidecarOf('images/moon.png').meta).toMatchObject({ mood: 'warm', notes: 'moved to chapter 3' });
    // Escape closes the editor first, then the dialog.
    await harvest.getByRole('button', { name: 'Edit' }).click();
    await page.keyboard.press('Escape');
    await expect(harvest.getByRole('region', { name: 'Edit metadata' })).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(harvest).toHaveCount(0);

    // Remove, keeping the file: the sidecar goes, the file stays, the grid and status line say so.
    await page.goto(`${served.url}/#/asset/${sun}`);
    const sunDialog = page.getByRole('dialog', { name: 'sun.txt' });
    await sunDialog.getByRole('button', { name: 'Remove…' }).click();
    await expect(sunDialog.getByText('a rebuild will register it again')).toBeVisible();
    await sunDialog.getByRole('button', { name: 'Remove from registry' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      'Removed docs/sun.txt from the registry; the file is still on disk.',
    );
    await expect(page.locator(`.tile[data-uid="${sun}"]`)).toHaveCount(0);
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/sun.txt'))).toBe(true);
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/sun.txt.asset.json'))).toBe(false);
    expect((await api(served.url, 'GET', `/api/assets/${sun}`)).status).toBe(404);

    // Remove with the file.
    await page.goto(`${served.url}/#/asset/${star}`);
    const starDialog = page.getByRole('dialog', { name: 'star.txt' });
    await starDialog.getByRole('button', { name: 'Remove…' }).click();
    await starDialog.getByLabel('Also delete the file from disk').check();
    await starDialog.getByRole('button', { name: 'Remove and delete the file' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      'Removed docs/star.txt and moved its file to the trash.',
    );
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/star.txt'))).toBe(false);
    await expect(page.locator('.tile')).toHaveCount(1);

    // Several at once from the selection: asked first (a "no" removes nothing), files kept.
    const extra = [
      await add('one.txt', 'one', { asset_type: 'docs' }),
      await add('two.txt', 'two', { asset_type: 'docs' }),
      await add('three.txt', 'three', { asset_type: 'docs' }),
    ];
    await expect(page.locator('.tile')).toHaveCount(4);
    await page.locator(`.tile[data-uid="${extra[0]}"]`).click();
    await page.locator(`.tile[data-uid="${extra[1]}"]`).click({ modifiers: ['Control'] });
    const removeForm = page.getByRole('form', { name: 'Remove from registry' });
    page.once('dialog', (d) => void d.dismiss());
    await removeForm.getByRole('button', { name: 'Remove 2 selected…' }).click();
    await expect(page.locator('.tile')).toHaveCount(4);
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await removeForm.getByRole('button', { name: 'Remove 2 selected…' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText('Removed 2 assets.');
    expect(question).toContain('Their files stay on disk');
    await expect(page.locator('.tile')).toHaveCount(2);
    await expect(page.getByTestId('status-line')).toHaveText('Showing 2 of 2 assets. Selected 0.');
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/one.txt'))).toBe(true);
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/one.txt.asset.json'))).toBe(false);
    // And with their files.
    await page.locator(`.tile[data-uid="${extra[2]}"]`).click();
    await removeForm.getByLabel('Also delete the files from disk').check();
    page.once('dialog', (d) => void d.accept());
    await removeForm.getByRole('button', { name: 'Remove 1 selected…' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      'Removed 1 asset. Moved 1 file to the trash.',
    );
    expect(fs.existsSync(path.join(own.dir, 'data/assets/docs/three.txt'))).toBe(false);
    await expect(page.locator('.tile')).toHaveCount(1);
  } finally {
    await served.stop();
    own.cleanup();
  }
});

test('Copies finds the same bytes at several paths; removing the extra copies with their files keeps one of each', async ({
  page,
}) => {
  const own = makeWorkspace('areg-e2e-copies-');
  own.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  // Three copies of one sound, two of one picture, two files found once: as a rebuild finds them.
  const picture = await makeImage(96, 64, 'png', undefined, { r: 80, g: 140, b: 200 });
  const files: Record<string, Buffer | string> = {
    'sfx/pack-a/hit.txt': 'hit',
    'sfx/pack-b/hit.txt': 'hit',
    'sfx/old/hit-copy.txt': 'hit',
    'images/sky.png': picture,
    'images/sky-backup.png': picture,
    'images/sea.png': await makeImage(96, 64, 'png', undefined, { r: 20, g: 60, b: 120 }),
    'docs/readme.txt': 'read me',
  };
  for (const [rel, content] of Object.entries(files)) own.file(`data/assets/${rel}`, content);
  const served = await startServer(own.dir);
  try {
    // Previews made before the page opens (the captions below show their sizes).
    const rebuilt = await api(served.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
    expect(rebuilt.status, rebuilt.text).toBe(200);
    const copiesOf = async (rel: string): Promise<Array<{ uid: string; path: string }>> => {
      const hash = createHash('sha256')
        .update(files[rel] as Buffer | string)
        .digest('hex');
      const res = await api(served.url, 'GET', `/api/assets/search?hash=${hash}&sort=created&order=asc`);
      return res.body.items;
    };
    const [firstHit, ...extraHits] = await copiesOf('sfx/pack-a/hit.txt');
    const [firstSky, extraSky] = await copiesOf('images/sky.png');

    await page.goto(served.url);
    await expect(statusLine(page)).toHaveText('Showing 7 of 7 assets. Selected 0.');
    // Each tile says how many hold its bytes; a file found once says nothing. An image's
    // caption gives its size.
    const copyCount = (uid: string) => tile(page, uid).locator('.copy-count');
    for (const hit of [firstHit!, ...extraHits]) await expect(copyCount(hit.uid)).toHaveText('×3');
    await expect(copyCount(firstSky!.uid)).toHaveText('×2');
    await expect(copyCount(firstSky!.uid)).toHaveAttribute('title', 'Same bytes at 1 other path');
    const [sea] = (await api(served.url, 'GET', '/api/assets/search?q=sea.png')).body.items;
    await expect(tile(page, sea.uid)).toContainText('images · 96 × 64');
    await expect(copyCount(sea.uid)).toHaveCount(0);
    await filter(page, 'Copies').selectOption({ label: 'Duplicated (every copy)' });
    await expect(statusLine(page)).toHaveText('Showing 5 of 7 assets. Selected 0.');
    await expect(page.getByTestId('copies-hint')).toHaveCount(0);
    await filter(page, 'Copies').selectOption({ label: 'Extra copies (not the first)' });
    await expect(statusLine(page)).toHaveText('Showing 3 of 7 assets. Selected 0.');
    await expect(page.getByTestId('copies-hint')).toContainText('keep one of each');
    const shown = await tileOrder(page);
    await page.screenshot({ path: path.join(SHOTS, 'copies-extra.png') });
    expect(shown.sort()).toEqual([...extraHits.map((c) => c.uid), extraSky?.uid].sort());

    // An extra copy's detail view lists the other paths, the first registered marked; its link
    // opens that one, which says it came first.
    const copy = extraHits[0]!;
    await tile(page, copy.uid).dblclick();
    const same = page.getByRole('dialog').getByTestId('same-bytes');
    await expect(same.locator('summary')).toHaveText('Same bytes at 2 other paths');
    await expect(same.getByRole('listitem')).toHaveCount(2);
    await expect(same.getByRole('listitem').filter({ hasText: firstHit!.path })).toContainText(
      '(registered first)',
    );
    await page.screenshot({ path: path.join(SHOTS, 'copies-detail.png') });
    await same.getByRole('button', { name: firstHit!.path }).click();
    await expect(page).toHaveURL(new RegExp(`#/asset/${firstHit!.uid}$`));
    await expect(page.getByRole('dialog').getByTestId('same-bytes')).toContainText(
      'This one was registered first.',
    );
    await page.keyboard.press('Escape');
    // A file found once has no such section.
    const readme = (await api(served.url, 'GET', '/api/assets/search?q=readme')).body.items[0];
    const asked = page.waitForResponse((r) => r.url().includes(`hash=${readme.hash}`));
    await page.goto(`${served.url}/#/asset/${readme.uid}`);
    await expect(page.getByRole('dialog', { name: 'readme.txt' })).toBeVisible();
    expect((await (await asked).json()).total).toBe(1);
    await expect(page.getByTestId('same-bytes')).toHaveCount(0);
    await page.keyboard.press('Escape');

    // Select all, remove with the files: one of each is left, on disk and in the registry.
    // (The gallery behind the dialogs kept its filter, and the copy opened first as selected.)
    await expect(statusLine(page)).toHaveText('Showing 3 of 7 assets. Selected 1.');
    await page.getByRole('button', { name: 'Select all' }).click();
    await expect(statusLine(page)).toHaveText('Showing 3 of 7 assets. Selected 3.');
    await page.getByLabel('Also delete the files from disk').check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove 3 selected…' }).click();
    await expect(page.getByTestId('gallery-message')).toHaveText(
      'Removed 3 assets. Moved 3 files to the trash.',
    );
    await expect(page.getByTestId('gallery-empty')).toContainText('No assets match these filters');
    await filter(page, 'Copies').selectOption({ label: 'Any' });
    await expect(statusLine(page)).toHaveText('Showing 4 of 4 assets. Selected 0.');
    await expect(page.locator('.copy-count')).toHaveCount(0);
    const root = path.join(own.dir, 'data', 'assets');
    for (const gone of [...extraHits, extraSky!])
      expect(fs.existsSync(path.join(root, gone.path))).toBe(false);
    for (const kept of [firstHit!, firstSky!, { path: 'images/sea.png' }, { path: 'docs/readme.txt' }])
      expect(fs.existsSync(path.join(root, kept.path)), kept.path).toBe(true);
  } finally {
    await served.stop();
    own.cleanup();
  }
});

test('the selection moves into a folder and the detail view renames one; the files follow, nothing is overwritten', async ({
  page,
}) => {
  const a = await register('move-a.png', await makeImage(40, 30, 'png'), {
    asset_type: 'props',
    metadata: { tags: ['to-move'] },
  });
  const b = await register('move-b.png', await makeImage(30, 40, 'png'), {
    asset_type: 'props',
    metadata: { tags: ['to-move'] },
  });
  const onDisk = (rel: string): boolean => fs.existsSync(path.join(ws.dir, 'data', 'assets', rel));
  await page.goto(`${server.url}/#/?tag=to-move`);
  await expect(statusLine(page)).toHaveText(/^Showing 2 of \d+ assets\. Selected 0\.$/);
  await page.getByRole('button', { name: 'Select all' }).click();
  const panel = page.getByRole('form', { name: 'Move to folder' });
  // The folder field suggests the folders there are (the top ones, here).
  await expect
    .poll(() =>
      panel.locator('datalist option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    )
    .toEqual(expect.arrayContaining(['props', 'images']));
  await panel.getByLabel('Folder').fill('props/archive');
  await panel.getByRole('button', { name: 'Move 2 selected' }).click();
  await expect(page.getByText('Moved 2 assets to props/archive.')).toBeVisible();
  expect([onDisk('props/archive/move-a.png'), onDisk('props/archive/move-b.png')]).toEqual([true, true]);
  expect([onDisk('props/move-a.png'), onDisk('props/move-b.png')]).toEqual([false, false]);
  expect(sidecar('props/archive/move-a.png').path).toBe('props/archive/move-a.png');
  // The tiles are the same assets (ids kept), still selected.
  await expect(statusLine(page)).toHaveText(/^Showing 2 of \d+ assets\. Selected 2\.$/);
  await expect(tile(page, a)).toHaveAttribute('title', /props\/archive\/move-a\.png/);

  // A rename from the detail view: the name part is what is selected to type over.
  await tile(page, a).dblclick();
  await expect(page.getByRole('dialog', { name: 'move-a.png' })).toBeVisible();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Move…', exact: true }).click();
  const field = dialog.getByLabel(/New path/);
  await expect(field).toBeFocused();
  expect(
    await field.evaluate((el) =>
      (el as HTMLInputElement).value.slice(
        (el as HTMLInputElement).selectionStart ?? 0,
        (el as HTMLInputElement).selectionEnd ?? 0,
      ),
    ),
  ).toBe('move-a');
  await page.keyboard.type('lamp');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText('Moved to props/archive/lamp.png.');
  await expect(page.getByRole('dialog', { name: 'lamp.png' })).toBeVisible();
  expect([onDisk('props/archive/lamp.png'), onDisk('props/archive/move-a.png')]).toEqual([true, false]);
  // Over another asset's file: refused, and both stay as they were.
  await dialog.getByRole('button', { name: 'Move…', exact: true }).click();
  await dialog.getByLabel(/New path/).fill('props/archive/move-b.png');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText(
    `Asset ${b} is already registered at props/archive/move-b.png`,
  );
  expect([onDisk('props/archive/lamp.png'), onDisk('props/archive/move-b.png')]).toEqual([true, true]);

  // The path's folders are links: the gallery shows that folder (and what is below it).
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByRole('link', { name: 'archive' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page).toHaveURL(/#\/\?folder=props%2Farchive$/);
  await expect(statusLine(page)).toHaveText(/^Showing 2 of \d+ assets\./);
  expect(new Set(await tileOrder(page))).toEqual(new Set([a, b]));
  // The grid's Folder list says where it is, and leads up and down the tree.
  const folderList = page.locator('.selection-bar').getByLabel('Folder');
  await expect(folderList).toHaveValue('props/archive');
  await expect(folderList.locator('option')).toHaveText(['All folders', 'props/', 'props/archive/']);
  await folderList.selectOption('props');
  await expect(page).toHaveURL(/#\/\?folder=props$/);
  // The folders below the current one say how many assets each holds.
  await expect(folderList.locator('option')).toHaveText(['All folders', 'props/', 'props/archive/ (2)']);
  await folderList.selectOption('');
  await expect(page).toHaveURL(/#\/$/);
  await expect(folderList.locator('option', { hasText: 'props/' })).toHaveCount(1);
});
