/**
 * The studio's Rebuild removes the assets whose files are gone (the API's default): its line
 * counts them while it does (the `stale` phase), its summary says how many, and its Undo brings
 * them back once their files are.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
const GONE = 3000;

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-rebuild-progress-');
  ws.file('data/assets/kept/stays.txt', 'this one stays');
  for (let i = 0; i < GONE; i++)
    ws.file(`data/assets/old/part-${Math.floor(i / 500)}/note-${i}.txt`, `note ${i}`);
  ({ server } = await serveRebuilt(ws, { wait_for_thumbs: false }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('a rebuild removes the assets of deleted files, counting them, and its Undo brings them back', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  await expect(page.getByTestId('status-line')).toHaveText(
    `Showing ${GONE + 1} of ${GONE + 1} assets. Selected 0.`,
  );
  // The folder taken out of the assets folder (moved elsewhere, to be put back below).
  const away = path.join(ws.dir, 'old-away');
  fs.renameSync(path.join(ws.assets, 'old'), away);
  // Every text the rebuild line shows, as it changes.
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { rebuildTexts: string[] }).rebuildTexts = []);
    new MutationObserver(() => {
      const line = document.querySelector('.maintenance .job[role=status]');
      const text = line?.textContent?.trim();
      if (text && line?.querySelector('[aria-label="Rebuild progress"]') && seen.at(-1) !== text)
        seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText(
    new RegExp(`^Rebuild done: processed: 1, skipped: 0, removed: ${GONE}, `),
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('status-line')).toHaveText('Showing 1 of 1 assets. Selected 0.');
  const seen = await page.evaluate(() => (window as unknown as { rebuildTexts: string[] }).rebuildTexts);
  const removing = seen.flatMap((text) => {
    const match = /^Removing assets whose files are gone: ([\d,]+) of ([\d,]+)$/.exec(text);
    return match
      ? [{ done: Number(match[1]?.replace(/,/g, '')), total: Number(match[2]?.replace(/,/g, '')) }]
      : [];
  });
  expect(removing.length, JSON.stringify(seen)).toBeGreaterThan(0);
  for (const { done, total } of removing) {
    expect(total).toBe(GONE);
    expect(done).toBeLessThanOrEqual(GONE);
  }
  const done = removing.map((r) => r.done);
  expect(done, 'the count only goes up').toEqual([...done].sort((a, b) => a - b));

  // The files back, the removal undone from the rebuild's message: every asset is back.
  fs.renameSync(away, path.join(ws.assets, 'old'));
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(page.getByTestId('status-line')).toHaveText(
    `Showing ${GONE + 1} of ${GONE + 1} assets. Selected 0.`,
    {
      timeout: 30_000,
    },
  );
});
