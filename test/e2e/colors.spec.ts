/**
 * The Color filter and a picture's colours in the studio: real pictures whose colours the preview
 * queue found (a red one, a night sky over snow, a sprite on a transparent ground), chosen from
 * the Color list, kept in the URL, combined by a link; the detail view's swatches, each a link to
 * the pictures of that colour.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { skyPicture, solidPicture, spritePicture } from '../helpers/media.js';
import { REPO, type RunningServer } from '../helpers/server.js';
import { openAssetDialog, serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const shot = (name: string): string => path.join(REPO, 'test-output', 'e2e', 'screenshots', name);

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-colors-');
  ws.file('data/assets/images/red.png', await solidPicture(220, 20, 30));
  ws.file('data/assets/images/sky.png', await skyPicture());
  ws.file('data/assets/images/sprite.png', await spritePicture());
  ws.file('data/assets/notes/readme.txt', 'not a picture');
  ({ server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

/** The file names of the tiles shown, in order. */
const shownNames = (page: import('@playwright/test').Page) =>
  page.locator('.tile').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.uid ?? ''));

test('the Color list shows the pictures of a colour, or with transparent parts; the URL keeps it', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const status = page.getByTestId('status-line');
  await expect(status).toHaveText('Showing 4 of 4 assets. Selected 0.');
  const color = page.getByRole('search').getByLabel('Color', { exact: true });
  // Each colour says how many pictures have a lot of it.
  await expect(color.locator('option[value=red]')).toHaveText('Red (1)');
  await expect(color.locator('option[value=purple]')).toHaveText('Purple (0)');
  await expect(color.locator('option[value=transparent]')).toHaveText('Transparent (1)');
  await color.selectOption({ label: 'Red (1)' });
  await expect(status).toHaveText('Showing 1 of 4 assets. Selected 0.');
  await expect.poll(() => shownNames(page)).toEqual([ids['images/red.png']]);
  await expect(page).toHaveURL(/#\/\?color=red$/);
  await expect(page.locator('.choice-field .swatch')).toBeVisible();
  await color.selectOption('white');
  await expect.poll(() => shownNames(page)).toEqual([ids['images/sky.png']]);
  await color.selectOption('transparent');
  await expect(status).toHaveText('Showing 1 of 4 assets. Selected 0.');
  await expect.poll(() => shownNames(page)).toEqual([ids['images/sprite.png']]);
  // A cut-out is shown over a checkerboard.
  await expect(page.locator('.tile img')).toHaveClass(/(^| )cut-out( |$)/);
  await page.screenshot({ path: shot('gallery-color.png') });
  await page.reload();
  await expect(status).toHaveText('Showing 1 of 4 assets. Selected 0.');
  await expect(color).toHaveValue('transparent');
  await color.selectOption({ label: 'Opaque' });
  await expect(status).toHaveText('Showing 2 of 4 assets. Selected 0.');
  await expect(page.locator('.tile img')).toHaveCount(2);
  for (const img of await page.locator('.tile img').all())
    await expect(img).not.toHaveClass(/(^| )cut-out( |$)/);
  await color.selectOption({ label: 'Any color' });
  await expect(status).toHaveText('Showing 4 of 4 assets. Selected 0.');
  await expect(page).not.toHaveURL(/color|transparent/);
  // A link may combine them: the list says what it holds.
  await page.goto(`${server.url}/#/?color=blue&color=white&transparent=false`);
  await expect(status).toHaveText('Showing 1 of 4 assets. Selected 0.');
  await expect(color.locator('option:checked')).toHaveText('blue and white, opaque');
});

test("a picture's detail view shows its colours; each leads to the pictures of that colour", async ({
  page,
}) => {
  const sky = await openAssetDialog(page, server.url, ids['images/sky.png'] as string, 'images/sky.png');
  const palette = sky.getByRole('list', { name: 'Main colors' });
  await expect(palette.getByRole('listitem')).toHaveText(['blue 67 %', 'white 33 %']);
  // Each swatch is the colour's shade in the picture.
  await expect(palette.locator('.swatch').first()).toHaveCSS('background-color', 'rgb(20, 40, 150)');
  const sprite = await openAssetDialog(
    page,
    server.url,
    ids['images/sprite.png'] as string,
    'images/sprite.png',
  );
  await expect(sprite.getByRole('list', { name: 'Main colors' })).toContainText('transparent parts');
  const readme = await openAssetDialog(
    page,
    server.url,
    ids['notes/readme.txt'] as string,
    'notes/readme.txt',
  );
  await expect(readme.getByRole('list', { name: 'Main colors' })).toHaveCount(0);

  await openAssetDialog(page, server.url, ids['images/sky.png'] as string, 'images/sky.png');
  await page.getByRole('dialog').getByRole('link', { name: 'blue 67 %' }).click();
  await expect(page).toHaveURL(/#\/\?color=blue$/);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('status-line')).toHaveText('Showing 1 of 4 assets. Selected 0.');
});
