/**
 * The detail view's "Similar pictures": real pictures (a scene, a retouched copy saved as JPEG,
 * an exact copy, an unrelated scene) fingerprinted by the preview queue, shown as tiles that
 * open each other; a picture like no other says so; a file that is no picture has no section.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { lookAlikes } from '../helpers/media.js';
import { REPO, type RunningServer } from '../helpers/server.js';
import { openAssetDialog, serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const shot = (name: string): string => path.join(REPO, 'test-output', 'e2e', 'screenshots', name);

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-similar-');
  const { scene, retouched, other } = await lookAlikes();
  ws.file('data/assets/art/hero.png', scene);
  ws.file('data/assets/backup/hero-copy.png', scene);
  ws.file('data/assets/exports/hero-small.jpg', retouched);
  ws.file('data/assets/art/forest.png', other);
  ws.file('data/assets/notes/readme.txt', 'not a picture');
  ({ server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

const openDetail = (page: Page, rel: string) => openAssetDialog(page, server.url, ids[rel] as string, rel);

test('a picture lists its copies and retouched copies, nearest first; each opens the other', async ({
  page,
}) => {
  let dialog = await openDetail(page, 'art/hero.png');
  let similar = dialog.getByTestId('similar-pictures');
  await expect(similar.locator('summary')).toHaveText('Similar pictures (2)');
  const tiles = similar.getByRole('button');
  await expect(tiles).toHaveCount(2);
  await expect(tiles.nth(0)).toContainText('hero-copy.png');
  await expect(tiles.nth(0)).toContainText('same bytes');
  await expect(tiles.nth(1)).toContainText('hero-small.jpg');
  await expect(tiles.nth(1)).toContainText('nearly the same');
  await expect(tiles.nth(1)).toHaveAttribute(
    'title',
    /^exports\/hero-small\.jpg: nearly the same \(\d of 64/,
  );
  // Their thumbnails are shown (decoded by the browser, not broken images).
  for (const i of [0, 1]) {
    const img = tiles.nth(i).locator('img');
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
  }
  await page.screenshot({ path: shot('detail-similar.png') });

  await tiles.nth(1).click();
  await expect(page).toHaveURL(new RegExp(`#/asset/${ids['exports/hero-small.jpg']}$`));
  dialog = page.getByRole('dialog', { name: 'hero-small.jpg' });
  similar = dialog.getByTestId('similar-pictures');
  await expect(similar.getByRole('button')).toHaveText([/hero\.png/, /hero-copy\.png/]);
});

test('a picture like no other says so; a file that is no picture has no such section', async ({ page }) => {
  const forest = await openDetail(page, 'art/forest.png');
  await expect(forest.getByTestId('similar-pictures')).toContainText('Similar pictures (0)');
  await expect(forest.getByTestId('similar-pictures')).toContainText('No other picture looks like this one.');
  const readme = await openDetail(page, 'notes/readme.txt');
  await expect(readme.getByTestId('text-preview')).toHaveText('not a picture');
  await expect(readme.getByTestId('similar-pictures')).toHaveCount(0);
});

test('"Show them in the gallery" lists the group as a filter, to select together; the hint leads back', async ({
  page,
}) => {
  const dialog = await openDetail(page, 'art/hero.png');
  await dialog.getByRole('link', { name: 'Show them in the gallery' }).click();
  await expect(page).toHaveURL(new RegExp(`#/\\?similar_to=${ids['art/hero.png']}$`));
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const status = page.getByTestId('status-line');
  await expect(status).toHaveText('Showing 3 of 5 assets. Selected 0.');
  const hint = page.getByTestId('similar-hint');
  await expect(hint).toContainText('Pictures that look like art/hero.png (itself included)');
  const shown = await page
    .locator('.tile')
    .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.uid ?? ''));
  expect(shown.sort()).toEqual(
    [ids['art/hero.png'], ids['backup/hero-copy.png'], ids['exports/hero-small.jpg']].sort(),
  );
  await page.getByRole('button', { name: 'Select all' }).click();
  await expect(status).toHaveText('Showing 3 of 5 assets. Selected 3.');
  await page.screenshot({ path: shot('gallery-similar.png') });
  // A reload keeps the filter (it lives in the URL).
  await page.reload();
  await expect(page.getByTestId('similar-hint')).toBeVisible();
  await expect(status).toHaveText('Showing 3 of 5 assets. Selected 0.');
  await page.getByTestId('similar-hint').getByRole('button', { name: 'Show every asset' }).click();
  await expect(status).toHaveText('Showing 5 of 5 assets. Selected 0.');
  // Every picture with a look-alike at once: the Copies list's Look-alike pictures.
  await page
    .getByRole('search')
    .getByLabel('Copies', { exact: true })
    .selectOption({ label: 'Look-alike pictures' });
  await expect(status).toHaveText('Showing 3 of 5 assets. Selected 0.');
  await expect(page.getByTestId('lookalikes-hint')).toContainText('look nearly the same as another');
  await expect(page).toHaveURL(/#\/\?duplicates=similar$/);
  await page.getByRole('search').getByLabel('Copies', { exact: true }).selectOption({ label: 'Any' });
  await expect(status).toHaveText('Showing 5 of 5 assets. Selected 0.');
  await expect(page.getByTestId('similar-hint')).toHaveCount(0);
  await expect(page).not.toHaveURL(/similar_to/);
});
