/**
 * Orphaned sidecars in the studio: Check sidecars lists them in its report and offers to move
 * them to the trash; the button does, and they are gone from their folders and in the trash, from
 * where History's trash puts them back.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
/** The first stray's text: the hero's sidecar as it was when copied. */
let strayText = '';
const STRAYS = ['art/old-hero.png.asset.json', 'sfx/removed/boom.wav.asset.json'];

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-orphans-');
  ws.file('data/assets/art/hero.png', 'hero bytes');
  ({ server } = await serveRebuilt(ws, { wait_for_thumbs: false }));
  // Sidecars beside no file: a copy of the hero's, and one typed for a file since deleted.
  strayText = fs.readFileSync(path.join(ws.assets, 'art/hero.png.asset.json'), 'utf8');
  ws.file(`data/assets/${STRAYS[0]}`, strayText);
  ws.file(`data/assets/${STRAYS[1]}`, '{"tags": ["boom"], "license": "CC0-1.0"}');
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('Check sidecars lists the orphaned ones and the button moves them to the trash', async ({ page }) => {
  await page.goto(server.url);
  const move = page.getByRole('button', { name: 'Move 2 orphaned sidecars to the trash' });
  await page.getByRole('button', { name: 'Check sidecars' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Sidecar check done; the report is below.');
  for (const rel of STRAYS) await expect(page.locator('details.report pre')).toContainText(rel);
  await expect(move).toBeVisible();
  for (const rel of STRAYS) expect(fs.existsSync(path.join(ws.assets, rel)), rel).toBe(true);

  await move.click();
  await expect(page.getByTestId('gallery-message')).toHaveText(
    /^2 orphaned sidecars moved to \.trash\/\d{8}T\d{6}Z-orphans-[0-9a-f]+ \(Restore in History's trash puts them back\); the report is below\.$/,
  );
  await expect(move).toBeHidden();
  const trash = fs.readdirSync(path.join(ws.assets, '.trash'));
  expect(trash).toHaveLength(1);
  for (const rel of STRAYS) {
    expect(fs.existsSync(path.join(ws.assets, rel)), rel).toBe(false);
    expect(fs.existsSync(path.join(ws.assets, '.trash', trash[0]!, rel)), rel).toBe(true);
  }
  // The asset's own sidecar stays.
  expect(fs.existsSync(path.join(ws.assets, 'art/hero.png.asset.json'))).toBe(true);

  // Taken away by mistake: History's trash lists them and puts them back.
  await page.keyboard.press('h');
  const dialog = page.getByRole('dialog', { name: 'History' });
  await dialog.getByText('What is in it').click();
  const batch = dialog.getByTestId('trash-batch');
  await expect(batch).toHaveCount(1);
  await expect(batch).toContainText(`2 orphaned sidecars (`);
  await expect(batch).toContainText(`: ${STRAYS[0]}, ${STRAYS[1]}`);
  await batch.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Put back 2 orphaned sidecars.');
  await expect(batch).toHaveCount(0);
  expect(fs.readFileSync(path.join(ws.assets, STRAYS[0]!), 'utf8')).toBe(strayText);
  expect(fs.readFileSync(path.join(ws.assets, STRAYS[1]!), 'utf8')).toBe(
    '{"tags": ["boom"], "license": "CC0-1.0"}',
  );
});
