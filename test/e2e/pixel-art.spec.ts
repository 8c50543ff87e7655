/**
 * Pixel art in the gallery: an Aseprite sprite previewed from its layers, its 16 × 16 pixels drawn
 * a whole number of times their size with square edges; a large picture drawn as before. The
 * sprite's two frames play while the pointer is over its tile, and in the detail view until paused.
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
      layers: [{ name: 'body' }],
      cels: [
        { layer: 0, x: 4, y: 6, width: 8, height: 8, pixels: fill(64, 60, 200, 90, 255), compressed: true },
      ],
      // A bounce: the body two pixels higher.
      later: [{ cels: [{ layer: 0, x: 4, y: 4, width: 8, height: 8, pixels: fill(64, 60, 200, 90, 255) }] }],
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
  await expect(page.locator('.tile', { hasText: 'slime.aseprite' })).toContainText(
    '16 × 16 · 2 frames · 0.2 s',
  );
  // (Once the browser has it: a visible image may still be loading.)
  await expect
    .poll(() => sprite.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(16);
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

test('an animation plays while the pointer is over its tile, and in the detail view until paused', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const tile = page.locator('.tile', { hasText: 'slime.aseprite' });
  const sprite = tile.getByRole('img', { name: 'Preview of slime.aseprite' });
  await expect(sprite).toHaveAttribute('src', /\/thumbnail\?/);
  await expect(tile.locator('.anim-mark')).toBeVisible();
  await expect(page.locator('.tile', { hasText: 'sky.jpg' }).locator('.anim-mark')).toHaveCount(0);
  await sprite.hover();
  await expect(sprite).toHaveAttribute('src', /\/animation\?v=/);
  // The browser has the animation, drawn as the still was (16 px, whole multiples, square pixels).
  await expect
    .poll(() => sprite.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(16);
  expect(await sprite.evaluate((img) => getComputedStyle(img).imageRendering)).toBe('pixelated');
  await page.mouse.move(1, 1);
  await expect(sprite).toHaveAttribute('src', /\/thumbnail\?/);

  await sprite.dblclick();
  const dialog = page.getByRole('dialog', { name: 'slime.aseprite' });
  const large = dialog.getByRole('img', { name: 'Preview of slime.aseprite' });
  await expect(large).toHaveAttribute('src', /\/animation\?v=/);
  await dialog.getByRole('button', { name: 'Pause' }).click();
  await expect(large).toHaveAttribute('src', /\/thumbnail\?size=512/);
  await expect(dialog.getByRole('button', { name: 'Play' })).toHaveAttribute('aria-pressed', 'true');
  await dialog.getByRole('button', { name: 'Play' }).click();
  await expect(large).toHaveAttribute('src', /\/animation\?v=/);
});

test('when the system asks for less motion, the detail view starts paused', async ({ browser }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${server.url}/#/`);
  await page.getByRole('img', { name: 'Preview of slime.aseprite' }).dblclick();
  const dialog = page.getByRole('dialog', { name: 'slime.aseprite' });
  await expect(dialog.getByRole('img', { name: 'Preview of slime.aseprite' })).toHaveAttribute(
    'src',
    /\/thumbnail\?size=512/,
  );
  await dialog.getByRole('button', { name: 'Play' }).click();
  await expect(dialog.getByRole('img', { name: 'Preview of slime.aseprite' })).toHaveAttribute(
    'src',
    /\/animation\?/,
  );
  await context.close();
});
