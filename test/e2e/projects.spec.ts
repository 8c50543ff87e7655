/**
 * Projects in the studio: with assets in a second project (a DLC registered with `project_id`),
 * the header offers the projects; choosing one shows its assets only, with their previews and
 * details, keeps it across a reload (it is in the address), and edits made there stay there.
 */
import { expect, test } from '@playwright/test';
import { makeImage } from '../helpers/media.js';
import { api, type RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let dlcId: string;
let heroId: string;

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-projects-');
  ws.file('data/assets/characters/hero.png', await makeImage(64, 64, 'png'));
  let ids: Record<string, string>;
  ({ server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true }));
  heroId = ids['characters/hero.png'] as string;
  ws.file('incoming/boss.png', await makeImage(80, 40, 'png'));
  const registered = await api(server.url, 'POST', '/api/assets/register', {
    path: 'incoming/boss.png',
    asset_type: 'bosses',
    project_id: 'dlc',
    wait: true,
  });
  expect(registered.status, registered.text).toBe(200);
  dlcId = registered.body.asset_id;
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

test('the header offers the projects; one chosen shows its own assets, previews and details, across a reload', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const status = page.getByTestId('status-line');
  await expect(status).toHaveText('Showing 1 of 1 assets. Selected 0.');
  await expect(page.locator('.tile', { hasText: 'hero.png' })).toBeVisible();
  const picker = page.getByRole('combobox', { name: 'Project' });
  await expect(picker.getByRole('option')).toHaveText(['default (1)', 'dlc (1)']);
  await expect(picker).toHaveValue('default');

  await picker.selectOption('dlc');
  await expect(page).toHaveURL(/\/\?project=dlc#\/$/);
  await expect(status).toHaveText('Showing 1 of 1 assets. Selected 0.');
  const boss = page.locator(`.tile[data-uid="${dlcId}"]`);
  await expect(boss).toContainText('boss.png');
  await expect(page.locator('.tile', { hasText: 'hero.png' })).toHaveCount(0);
  // Its thumbnail is the DLC's (its URL names the project).
  const thumb = page.getByRole('img', { name: 'Preview of boss.png' });
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(80);
  // The Type list counts the project's own types.
  await expect(page.getByRole('combobox', { name: 'Type' }).getByRole('option')).toContainText([
    'bosses (1)',
  ]);

  // Its details open (read in the project).
  await boss.dblclick();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('bosses/boss.png');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // A bulk edit there changes the DLC's asset only.
  await boss.click();
  await page.getByRole('combobox', { name: 'Add tags' }).fill('dlc-only');
  await page.getByRole('button', { name: 'Apply to 1 selected' }).click();
  await expect(page.getByTestId('gallery-message')).toHaveText('Updated 1 assets.');
  const inDlc = await api(server.url, 'GET', `/api/assets/${dlcId}?project_id=dlc`);
  expect(inDlc.body.asset.tags).toContain('dlc-only');
  const hero = await api(server.url, 'GET', `/api/assets/${heroId}`);
  expect(hero.body.asset.tags).not.toContain('dlc-only');

  // In the address: a reload stays in the project.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Project' })).toHaveValue('dlc');
  await expect(page.locator(`.tile[data-uid="${dlcId}"]`)).toBeVisible();

  // Back to the default: its address has no parameter.
  await page.getByRole('combobox', { name: 'Project' }).selectOption('default');
  await expect(page).toHaveURL(new RegExp(`^${server.url}/#/$`));
  await expect(page.locator('.tile', { hasText: 'hero.png' })).toBeVisible();
  await expect(page.locator(`.tile[data-uid="${dlcId}"]`)).toHaveCount(0);
});

test('with one project the header offers none', async ({ page }) => {
  const projects = await api(server.url, 'GET', '/api/projects');
  expect(projects.body).toMatchObject({
    default: 'default',
    items: [
      { id: 'default', assets: 1 },
      { id: 'dlc', assets: 1 },
    ],
  });
  // The DLC's only asset removed: one project is left, and no list.
  const removed = await api(server.url, 'DELETE', `/api/assets/${dlcId}?project_id=dlc`);
  expect(removed.status, removed.text).toBe(200);
  await page.goto(`${server.url}/#/`);
  await expect(page.getByTestId('status-line')).toHaveText('Showing 1 of 1 assets. Selected 0.');
  await expect(page.getByRole('combobox', { name: 'Project' })).toHaveCount(0);
});
