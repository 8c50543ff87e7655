// The page callbacks below run in the browser.
/// <reference lib="dom" />
/**
 * The detail view of files that are neither pictures nor sounds: text in its encoding (data,
 * scripts), a video played by the browser, a font's sample; a binary file keeps its icon. Real
 * files on disk, a rebuild, Debian's Chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { makeBlend } from '../helpers/media.js';
import { api, REPO, type RunningServer } from '../helpers/server.js';
import { openAssetDialog, serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const shot = (name: string): string => path.join(REPO, 'test-output', 'e2e', 'screenshots', name);

/** A font installed with Chromium (its fontconfig needs one), or Playwright's own icon font. */
function someFont(): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (/\.(ttf|otf)$/i.test(entry.name)) found.push(abs);
    }
  };
  for (const root of ['/usr/share/fonts', path.join(REPO, 'node_modules', 'playwright-core', 'lib')])
    if (fs.existsSync(root)) walk(root);
  const font = found.sort()[0];
  if (!font) throw new Error('No .ttf or .otf font found under /usr/share/fonts or playwright-core.');
  return font;
}

/** A real 160 × 90 WebM (VP8) recorded by the browser from a canvas. */
async function recordVideo(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    const ctx = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start();
    for (let frame = 0; frame < 15; frame++) {
      ctx.fillStyle = `hsl(${frame * 24}, 70%, 50%)`;
      ctx.fillRect(0, 0, 160, 90);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}

test.beforeAll(async ({ browser }) => {
  ws = makeWorkspace('areg-e2e-files-');
  // Exported on one line, as a tool writes it.
  const chapters = Array.from({ length: 12 }, (_, i) => ({ id: i, title: `Chapter ${i}`, scenes: i * 3 }));
  ws.file('data/assets/data/story.json', JSON.stringify({ chapters }));
  ws.file('data/assets/scripts/intro.rpy', 'label start:\n    scene bg forest\n    hero "A fine day."\n');
  // "*start", then こんにちは、世界。 in Shift_JIS, as many visual-novel scripts are saved.
  const sjis = '82 b1 82 f1 82 c9 82 bf 82 cd 81 41 90 a2 8a 45 81 42'.split(' ').map((h) => parseInt(h, 16));
  ws.file('data/assets/scripts/start.ks', Buffer.concat([Buffer.from('*start\n'), Buffer.from(sjis)]));
  ws.file(
    'data/assets/data/table.csv',
    Array.from({ length: 20_000 }, (_, i) => `${i},name_${i},${i * 3}\n`).join(''),
  );
  ws.file('data/assets/data/blob.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0]));
  ws.file('data/assets/data/empty.txt', '');
  ws.file('data/assets/fonts/sample.ttf', fs.readFileSync(someFont()));
  ws.file('data/assets/fonts/broken.woff2', 'not a font at all');
  ws.file(
    'data/assets/fonts/title.woff2',
    fs.readFileSync(
      path.join(REPO, 'node_modules/@fontsource/press-start-2p/files/press-start-2p-latin-400-normal.woff2'),
    ),
  );
  ws.file(
    'data/assets/scenes/crate.blend',
    makeBlend(
      128,
      64,
      { r: 200, g: 40, b: 10 },
      { r: 10, g: 60, b: 220 },
      { version: '402', pointer: 8, littleEndian: true },
    ),
  );
  const page = await browser.newPage();
  ws.file('data/assets/cutscenes/opening.webm', await recordVideo(page));
  await page.close();
  ({ server, ids } = await serveRebuilt(ws));
  expect(Object.keys(ids).sort()).toEqual([
    'cutscenes/opening.webm',
    'data/blob.bin',
    'data/empty.txt',
    'data/story.json',
    'data/table.csv',
    'fonts/broken.woff2',
    'fonts/sample.ttf',
    'fonts/title.woff2',
    'scenes/crate.blend',
    'scripts/intro.rpy',
    'scripts/start.ks',
  ]);
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

const openDetail = (page: Page, rel: string) => openAssetDialog(page, server.url, ids[rel] as string, rel);

test('a text file shows its first lines in its encoding; a one-line JSON file is laid out', async ({
  page,
}) => {
  let dialog = await openDetail(page, 'scripts/intro.rpy');
  const text = dialog.getByTestId('text-preview');
  await expect(text).toHaveText('label start:\n    scene bg forest\n    hero "A fine day."\n');
  await expect(dialog.locator('.text-preview figcaption')).toHaveText('3 lines · UTF-8');

  dialog = await openDetail(page, 'scripts/start.ks');
  await expect(dialog.getByTestId('text-preview')).toHaveText('*start\nこんにちは、世界。');
  await expect(dialog.locator('.text-preview figcaption')).toHaveText('2 lines · Shift_JIS');

  dialog = await openDetail(page, 'data/story.json');
  const laidOut = await dialog.getByTestId('text-preview').textContent();
  expect(laidOut?.split('\n')[0]).toBe('{');
  expect(laidOut).toContain('\n      "title": "Chapter 11",\n');
  await expect(dialog.locator('.text-preview figcaption')).toHaveText(
    `${laidOut!.split('\n').length} lines · UTF-8 · laid out (the file is one line)`,
  );
  await page.screenshot({ path: shot('detail-text.png') });

  // A large file: only its head is read (a Range request), and the view says so.
  const ranges: Array<string | null> = [];
  page.on(
    'request',
    (r) => r.url().endsWith(`/${ids['data/table.csv']}/file`) && ranges.push(r.headers().range ?? null),
  );
  dialog = await openDetail(page, 'data/table.csv');
  await expect(dialog.getByTestId('text-preview')).toContainText('0,name_0,0\n1,name_1,3\n');
  await expect(dialog.locator('.text-preview figcaption')).toHaveText(
    'The first 64 KB of 424 KB: download for the rest · UTF-8',
  );
  expect(ranges).toEqual(['bytes=0-65535']);
  const shown = await dialog.getByTestId('text-preview').textContent();
  expect(shown!.length).toBeLessThanOrEqual(65536);
  expect(shown!.startsWith('0,name_0,0')).toBe(true);

  dialog = await openDetail(page, 'data/empty.txt');
  await expect(dialog.locator('.text-preview figcaption')).toHaveText('0 lines · UTF-8');
});

test('a binary file keeps its icon; a file gone from disk says so', async ({ page }) => {
  const dialog = await openDetail(page, 'data/blob.bin');
  await expect(dialog.getByTestId('detail-preview').locator('.type-icon .ext')).toHaveText('bin');
  await expect(dialog.getByTestId('text-preview')).toHaveCount(0);

  fs.renameSync(path.join(ws.assets, 'data/story.json'), path.join(ws.dir, 'story.json.away'));
  try {
    const gone = await openDetail(page, 'data/story.json');
    await expect(gone.getByRole('alert')).toContainText('is not in the assets root any more');
  } finally {
    fs.renameSync(path.join(ws.dir, 'story.json.away'), path.join(ws.assets, 'data/story.json'));
  }
});

test('a video plays in the detail view, with its size; the gallery draws its poster frame, and any frame can be kept as it', async ({
  page,
}) => {
  const id = ids['cutscenes/opening.webm'] as string;
  const dialog = await openDetail(page, 'cutscenes/opening.webm');
  const video = dialog.locator('video');
  await expect(video).toHaveAttribute('src', `/api/assets/${id}/file`);
  await expect(dialog.getByTestId('video-facts')).toHaveText(/^160 × 90 px/);
  await video.evaluate((el: HTMLVideoElement) => {
    el.muted = true;
    return el.play();
  });
  await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime)).toBeGreaterThan(0.3);
  await video.evaluate((el: HTMLVideoElement) => el.pause());
  await page.screenshot({ path: shot('detail-video.png') });
  const posterOf = async () =>
    (await api(server.url, 'GET', `/api/assets/${id}`)).body.asset as {
      preview: { kind: string; width: number; height: number; poster?: { at: number } };
      urls: { thumbnail?: string };
    };

  // The grid's tile: this browser drew a frame of it, which the server keeps as its thumbnail;
  // its frame size, which the server read from the container's headers, under its name.
  await dialog.getByRole('button', { name: 'Close details' }).click();
  const tile = page.locator(`.tile[data-uid="${id}"]`);
  await expect(tile.locator('img')).toHaveAttribute(
    'src',
    new RegExp(`/api/assets/${id}/thumbnail\\?size=256&v=`),
  );
  await expect(tile.locator('.caption .sub')).toContainText('160 × 90');
  await expect(tile.locator('.video-mark')).toBeVisible(); // (a picture that plays)
  await page.screenshot({ path: shot('video-poster.png') });
  const first = await posterOf();
  expect([first.preview.kind, first.preview.width, first.preview.height]).toEqual(['video', 160, 90]);
  // (A recording's length is unknown: its first frame, whose time is where the recording began.)
  expect(first.preview.poster?.at).toBeLessThan(0.2);
  const colour = async (url: string) => {
    const res = await fetch(server.url + url);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    return (await sharp(Buffer.from(await res.arrayBuffer())).stats()).dominant;
  };
  const red = await colour(first.urls.thumbnail!);
  expect(red.r).toBeGreaterThan(150); // the recording's first frame: hue 0

  // A later frame kept as the poster from the detail view.
  const again = await openDetail(page, 'cutscenes/opening.webm');
  const player = again.locator('video');
  await player.evaluate(async (el: HTMLVideoElement) => {
    el.muted = true;
    await el.play();
    await new Promise((resolve) => setTimeout(resolve, 350));
    el.pause();
  });
  await again.getByRole('button', { name: 'Use this frame as the poster' }).click();
  await expect(again.getByRole('status')).toHaveText(/^This frame \([\d.]+ s\) is the poster now\.$/);
  const kept = await posterOf();
  expect(kept.preview.poster?.at).toBeGreaterThan(0.2);
  expect(kept.urls.thumbnail).not.toBe(first.urls.thumbnail);
  await again.getByRole('button', { name: 'Close details' }).click();
  const reopened = await openDetail(page, 'cutscenes/opening.webm');
  await expect(reopened.locator('video')).toHaveAttribute('poster', /\/thumbnail\?size=512&v=/);
  const later = await colour(kept.urls.thumbnail!);
  expect(later).not.toEqual(red);
});

test('a font shows sample text in itself, the sample can be changed; a broken font says so', async ({
  page,
}) => {
  let dialog = await openDetail(page, 'fonts/sample.ttf');
  const sample = dialog.getByTestId('font-sample');
  await expect(sample).toBeVisible();
  const family = await sample
    .locator('p')
    .first()
    .evaluate((el) => getComputedStyle(el).fontFamily);
  expect(family).toMatch(/^"?asset-font-[0-9a-f]{16}"?$/);
  expect(await page.evaluate((f) => document.fonts.check(`16px ${f}`), family)).toBe(true);
  await dialog.getByLabel('Sample text').fill('Chapter One');
  await expect(sample.locator('p')).toHaveText([
    'Chapter One',
    'Chapter One',
    'Chapter One',
    'Chapter One',
    /^ABCDEFGHIJKLMNOPQRSTUVWXYZ/,
  ]);

  await page.screenshot({ path: shot('detail-font.png') });

  dialog = await openDetail(page, 'fonts/broken.woff2');
  await expect(dialog.getByRole('status')).toContainText('The browser could not load this font');
});

/** The tile of the asset at `rel`, once its preview picture has loaded. */
async function tileWithPicture(page: Page, rel: string): Promise<Locator> {
  const tile = page.locator(`.tile[data-uid="${ids[rel]}"]`);
  const img = tile.getByRole('img', { name: `Preview of ${rel.split('/').pop()}` });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  return tile;
}

test('a font tile shows a specimen card drawn from the font, and its family; a broken one its icon', async ({
  page,
}) => {
  await page.goto(server.url);
  const card = await tileWithPicture(page, 'fonts/title.woff2');
  await expect(card.locator('.caption .sub')).toContainText('Press Start 2P');
  const broken = page.locator(`.tile[data-uid="${ids['fonts/broken.woff2']}"]`);
  await expect(broken.locator('.type-icon .glyph')).toHaveText('Aa');
  await expect(broken.locator('.badge.error')).toHaveText('no preview');
  await card.screenshot({ path: shot('tile-font.png') });

  const dialog = await openDetail(page, 'fonts/title.woff2');
  await expect(dialog.getByTestId('font-sample')).toBeVisible();
  await expect(dialog.locator('dl.fields')).toContainText(/Font\s*Press Start 2P · Regular · \d+ glyphs/);
});

test('a Blender file: its tile shows the picture of its scene and the Blender that saved it, as does its detail view', async ({
  page,
}) => {
  await page.goto(server.url);
  const tile = await tileWithPicture(page, 'scenes/crate.blend');
  await expect(tile.locator('.caption .sub')).toContainText('Blender 4.2');
  const dialog = await openDetail(page, 'scenes/crate.blend');
  await expect(dialog.locator('dl.fields')).toContainText(/Saved with\s*Blender 4\.2/);
  await expect(dialog.getByTestId('detail-preview').getByRole('img')).toBeVisible();
});

test('a slow answer about the asset shown before does not replace the next one (flipped during an update)', async ({
  page,
}) => {
  const before = ids['data/story.json'] as string;
  await openDetail(page, 'data/story.json');
  // The next read of the first asset (for the event below) answers late...
  await page.route(`**/api/assets/${before}`, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const reread = page.waitForRequest((r) => r.url().endsWith(`/api/assets/${before}`));
  // ...an edit elsewhere makes the view read it again, and the view flips to another asset meanwhile.
  const res = await api(server.url, 'PATCH', `/api/assets/${ids['scripts/intro.rpy']}`, {
    metadata: { title: 'Intro' },
  });
  expect(res.status, res.text).toBe(200);
  await reread;
  const next = await openDetail(page, 'data/table.csv');
  await page.waitForResponse((r) => r.url().endsWith(`/api/assets/${before}`));
  await page.waitForTimeout(200); // (the late answer handled)
  await expect(next).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'story.json' })).toHaveCount(0);
  await page.unroute(`**/api/assets/${before}`);
});
