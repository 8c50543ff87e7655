/**
 * Pixel art in the gallery: an Aseprite sprite previewed from its layers, its 16 × 16 pixels drawn
 * a whole number of times their size with square edges; a large picture drawn as before.
 */
import { expect, test } from '@playwright/test';
import { fill, makeAseprite, makeImage } from '../helpers/media.js';
import type { RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-pixel-art-');
  ws.file(
    'data/assets/sprites/slime.aseprite',
    makeAseprite({
      width: 16,
      height: 16,
      depth: 32,
      frames: 2,
      layers: [{ name: 'body' }],
      cels: [
        { layer: 0, x: 4, y: 6, width: 8, height: 8, pixels: fill(64, 60, 200, 90, 255), compressed: true },
      ],
    }),
  );
  ws.file('data/assets/backgrounds/sky.jpg', await makeImage(1920, 1080, 'jpeg'));
  ({ server } = await serveRebuilt(ws, { wait_for_thumbs: true }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('a 16 × 16 sprite fills its tile by a whole multiple, pixels square; a large picture is drawn as it is', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const sprite = page.getByRole('img', { name: 'Preview of slime.aseprite' });
  await expect(sprite).toBeVisible();
  // Its size and its frames under its name.
  await expect(page.locator('.tile', { hasText: 'slime.aseprite' })).toContainText('16 × 16 · 2 frames');
  const drawn = await sprite.evaluate((img) => ({
    width: img.getBoundingClientRect().width,
    height: img.getBoundingClientRect().height,
    rendering: getComputedStyle(img).imageRendering,
    natural: (img as HTMLImageElement).naturalWidth,
  }));
  expect(drawn.natural, 'the thumbnail is the sprite itself').toBe(16);
  expect(drawn.width % 16, JSON.stringify(drawn)).toBe(0);
  expect(drawn.width).toBeGreaterThanOrEqual(64);
  expect(drawn.height).toBe(drawn.width);
  expect(drawn.rendering).toBe('pixelated');
  // The detail view draws it larger still, the same way.
  await sprite.dblclick();
  const dialog = page.getByRole('dialog', { name: 'slime.aseprite' });
  const large = dialog.getByRole('img', { name: 'Preview of slime.aseprite' });
  await expect(large).toBeVisible();
  const detailWidth = await large.evaluate((img) => img.getBoundingClientRect().width);
  expect(detailWidth % 16).toBe(0);
  expect(detailWidth).toBeGreaterThan(drawn.width);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  const sky = page.getByRole('img', { name: 'Preview of sky.jpg' });
  await expect(sky).toBeVisible();
  expect(await sky.evaluate((img) => getComputedStyle(img).imageRendering)).toBe('auto');
});
