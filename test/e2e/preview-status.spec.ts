/**
 * The preview queue in the studio: while a rebuild's pictures are previewed, how many of how many
 * are made; the previews that failed (a file that is no picture, a JPEG cut short), each a link
 * to its asset with the reason, and Retry, which makes them again (and they fail again).
 */
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { makeImage, solidPicture } from '../helpers/media.js';
import type { RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const BATCH = 40;

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-preview-status-');
  ws.file('data/assets/images/fine.png', await solidPicture(20, 120, 220));
  ws.file('data/assets/images/broken.png', 'this is no picture');
  ws.file('data/assets/images/cut.jpg', (await makeImage(400, 300, 'jpeg')).subarray(0, 200));
  ({ server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('while a rebuild’s pictures are previewed, the studio says how many of how many are made', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  await expect(page.getByTestId('status-line')).toHaveText('Showing 3 of 3 assets. Selected 0.');
  await expect(page.getByTestId('preview-progress')).toBeHidden();
  // Pictures copied into the folder, noisy enough to take the preview threads a few seconds.
  const noise = await sharp({
    create: {
      width: 1600,
      height: 1600,
      channels: 3,
      background: '#336699',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .raw()
    .toBuffer();
  for (let i = 0; i < BATCH; i++) {
    // Each picture its own bytes: a black 16-pixel square at its own place (a one-pixel change
    // could vanish in the JPEG's quantisation, leaving copies with the same bytes).
    for (let y = 0; y < 16; y++) noise.fill(0, (y * 1600 + i * 16) * 3, (y * 1600 + i * 16 + 16) * 3);
    const jpeg = await sharp(noise, { raw: { width: 1600, height: 1600, channels: 3 } })
      .jpeg({ quality: 80 })
      .toBuffer();
    ws.file(`data/assets/batch/shot-${String(i).padStart(2, '0')}.jpg`, jpeg);
  }
  // Every text the progress line shows, as it changes (it may come and go between two looks).
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { previewTexts: string[] }).previewTexts = []);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=preview-progress]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText(/^Rebuild done: processed: 43, skipped: 0/);
  await expect(page.getByTestId('status-line')).toHaveText(
    `Showing ${BATCH + 3} of ${BATCH + 3} assets. Selected 0.`,
  );
  // Once every preview is made the line goes, and the tiles show their thumbnails.
  await expect(page.getByTestId('preview-progress')).toBeHidden({ timeout: 60_000 });
  const seen = await page.evaluate(() => (window as unknown as { previewTexts: string[] }).previewTexts);
  expect(seen.length, 'the progress was shown').toBeGreaterThan(0);
  // The rebuild registers the pictures as it goes: the total grows to all of them (and the three
  // made just before, when they finished less than the queue's 3 s gap before: one wave).
  const counts = seen.map((text) => {
    const match = /^Making previews: (\d+) of (\d+)(, about .+ left)?$/.exec(text);
    expect(match, text).not.toBeNull();
    return { made: Number(match?.[1]), total: Number(match?.[2]) };
  });
  for (const { made, total } of counts)
    expect(made <= total && total <= BATCH + 3, JSON.stringify(counts)).toBe(true);
  expect(Math.max(...counts.map((c) => c.total)), JSON.stringify(counts)).toBeGreaterThanOrEqual(BATCH);
  const made = counts.map((c) => c.made);
  expect(made, 'the count only goes up').toEqual([...made].sort((a, b) => a - b));
  await expect(page.locator('.tile .ext', { hasText: 'preview…' })).toHaveCount(0);
  await expect(page.locator('.tile img').first()).toBeVisible();
});

test('failed previews are listed with their files and reasons, open their asset, and can be retried', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const failures = page.getByTestId('preview-failures');
  await expect(failures.locator('summary')).toHaveText('2 previews failed');
  await failures.locator('summary').click();
  const items = failures.getByRole('listitem');
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: 'images/broken.png' })).toHaveText(/^images\/broken\.png: .+/);
  await expect(items.filter({ hasText: 'images/cut.jpg' })).toHaveText(/^images\/cut\.jpg: .+/);
  // Each file is a link to its asset.
  await failures.getByRole('link', { name: 'images/broken.png' }).click();
  await expect(page).toHaveURL(new RegExp(`#/asset/${ids['images/broken.png']}$`));
  const dialog = page.getByRole('dialog', { name: 'broken.png' });
  await expect(dialog).toBeVisible();
  // The detail view says why, and offers to try again: the job runs again (its failure is
  // stamped anew) and fails again, the file being no picture still.
  const previewRow = dialog.locator('dd', { hasText: /^failed: images\/broken\.png could not be decoded/ });
  await expect(previewRow).toBeVisible();
  const stamp = async (): Promise<string | undefined> => {
    const queue = await (await fetch(`${server.url}/api/previews`)).json();
    return queue.failed.find((f: { path: string }) => f.path === 'images/broken.png')?.updated_at;
  };
  const before = await stamp();
  await page.waitForTimeout(1100); // (stamps are whole seconds)
  await previewRow.getByRole('button', { name: 'Try again' }).click();
  await expect(dialog.getByText('The preview is being made again.')).toBeVisible();
  await expect.poll(stamp).not.toBe(before);
  await expect(previewRow).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();

  // Retry makes both again: the files are still broken, so they fail again, and stay listed.
  await failures.getByRole('button', { name: 'Retry failed' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Queued 2 previews again.');
  await expect(page.getByTestId('preview-progress')).toBeHidden();
  await expect(failures.locator('summary')).toHaveText('2 previews failed');
  const asset = await (await fetch(`${server.url}/api/assets/${ids['images/cut.jpg']}`)).json();
  expect(asset.asset.preview_status).toBe('failed');
});
