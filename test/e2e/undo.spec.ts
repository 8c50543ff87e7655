/**
 * Undo in the studio: the status line's Undo after a bulk edit (and Redo after it, by key), the
 * History dialog with every edit (also those made by others) and its Undo, and an asset edited
 * since left alone. The registry and the sidecars on disk are checked after each step.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { api, registerInPlace, REPO, type RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { makeZip } from '../helpers/zip.js';

test.describe.configure({ mode: 'serial' });

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const shot = (name: string): string => path.join(REPO, 'test-output', 'e2e', 'screenshots', name);

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-undo-');
  for (const name of ['alice', 'bob', 'carol']) ws.file(`data/assets/cast/${name}.txt`, `${name} lines`);
  ({ server, ids } = await serveRebuilt(ws));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

const tagsOf = async (rel: string): Promise<string[]> =>
  (await api(server.url, 'GET', `/api/assets/${ids[rel]}`)).body.asset.tags;
const sidecarTags = (rel: string): unknown => ws.json(`data/assets/${rel}.asset.json`).tags;
const message = (page: Page) => page.getByTestId('gallery-message');
const CAST = ['cast/alice.txt', 'cast/bob.txt', 'cast/carol.txt'];

async function tagAll(page: Page, tag: string): Promise<void> {
  await page.getByRole('button', { name: 'Select all' }).click();
  await page.getByLabel('Add tags').fill(tag);
  await page.getByRole('button', { name: 'Apply to 3 selected' }).click();
  await expect(message(page)).toHaveText('Updated 3 assets.');
}

test('the status line undoes a bulk edit, then redoes it with Ctrl+Shift+Z', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(3);
  const before = await tagsOf('cast/alice.txt');
  await tagAll(page, 'speaking');
  for (const rel of CAST) expect(await tagsOf(rel)).toContain('speaking');

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Add tag speaking on 3 assets.');
  for (const rel of CAST) {
    expect(await tagsOf(rel)).not.toContain('speaking');
    expect(sidecarTags(rel)).not.toContain('speaking');
  }
  expect(await tagsOf('cast/alice.txt')).toEqual(before);
  await expect(page.locator('#filter-tag option', { hasText: 'speaking' })).toHaveCount(0);

  await expect(page.getByRole('button', { name: 'Redo', exact: true })).toBeVisible();
  await page.keyboard.press('Control+Shift+Z');
  await expect(message(page)).toHaveText('Redo: Add tag speaking on 3 assets.');
  for (const rel of CAST) expect(sidecarTags(rel)).toContain('speaking');
});

test('History lists every edit, also those made elsewhere, and undoes one', async ({ page }) => {
  // Another user (or a script) gives Bob a title through the API.
  const patched = await api(server.url, 'PATCH', `/api/assets/${ids['cast/bob.txt']}`, {
    metadata: { title: 'Bob, the baker' },
  });
  expect(patched.status, patched.text).toBe(200);

  await page.goto(server.url);
  await page.getByRole('button', { name: 'History' }).click();
  const dialog = page.getByRole('dialog', { name: 'History' });
  const items = dialog.getByTestId('history-item');
  await expect(items.first()).toContainText('Edit cast/bob.txt');
  await expect(items.first()).toContainText('1 asset');
  await expect(items.nth(1)).toContainText('Redo: Add tag speaking');
  await expect(items.nth(2)).toContainText('Undo: Add tag speaking');
  await expect(items.nth(2)).toContainText('redone');
  await expect(items.nth(3)).toContainText('Add tag speaking');
  await expect(items.nth(3)).toContainText('undone');
  await dialog.screenshot({ path: shot('history.png') });

  // An edit made elsewhere while it is open shows at once.
  const meanwhile = await api(server.url, 'PATCH', `/api/assets/${ids['cast/carol.txt']}`, {
    metadata: { title: 'Carol' },
  });
  expect(meanwhile.status, meanwhile.text).toBe(200);
  await expect(items.first()).toContainText('Edit cast/carol.txt');
  await dialog.getByRole('button', { name: 'Undo: Edit cast/carol.txt' }).click();
  await expect(message(page)).toHaveText('Undo: Edit cast/carol.txt on 1 asset.');

  await dialog.getByRole('button', { name: 'Undo: Edit cast/bob.txt' }).click();
  await expect(message(page)).toHaveText('Undo: Edit cast/bob.txt on 1 asset.');
  await expect(items.first()).toContainText('Undo: Edit cast/bob.txt');
  const bob = (await api(server.url, 'GET', `/api/assets/${ids['cast/bob.txt']}`)).body.asset;
  expect(bob.metadata.title).toBeUndefined();
  expect(ws.json('data/assets/cast/bob.txt.asset.json').meta).not.toHaveProperty('title');
});

test('an asset edited since the edit is left as it is, and the line says so', async ({ page }) => {
  await page.goto(server.url);
  await tagAll(page, 'chapter-2');
  // Meanwhile someone else edits Carol's tags.
  const carol = ids['cast/carol.txt'] as string;
  const edited = await api(server.url, 'PATCH', `/api/assets/${carol}`, {
    metadata: { tags: ['chapter-2', 'lead'] },
  });
  expect(edited.status, edited.text).toBe(200);

  await page.keyboard.press('Control+Z');
  await expect(message(page)).toHaveText(
    'Undo: Add tag chapter-2 on 2 assets. 1 asset edited since was left alone.',
  );
  expect(await tagsOf('cast/alice.txt')).not.toContain('chapter-2');
  expect(await tagsOf('cast/carol.txt')).toEqual(['chapter-2', 'lead']);
});

test('a move to the wrong folder is undone: the files go back where they were', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Select all' }).click();
  const panel = page.getByRole('form', { name: 'Move to folder' });
  await panel.getByLabel('Folder').fill('trash-by-mistake');
  await panel.getByRole('button', { name: 'Move 3 selected' }).click();
  await expect(message(page)).toHaveText('Moved 3 assets to trash-by-mistake.');
  expect(ws.exists('data/assets/trash-by-mistake/alice.txt')).toBe(true);

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Move to trash-by-mistake on 3 assets.');
  for (const rel of CAST) {
    expect(ws.exists(`data/assets/${rel}`)).toBe(true);
    expect(ws.exists(`data/assets/${rel}.asset.json`)).toBe(true);
    expect((await api(server.url, 'GET', `/api/assets/${ids[rel]}`)).body.asset.path).toBe(rel);
  }
  expect(ws.exists('data/assets/trash-by-mistake/alice.txt')).toBe(false);
});

test('an edit saved in the detail view is undone from there, and the dialog follows', async ({ page }) => {
  await page.goto(`${server.url}/#/asset/${ids['cast/alice.txt']}`);
  const dialog = page.getByRole('dialog', { name: 'alice.txt' });
  await dialog.getByRole('button', { name: 'Edit', exact: true }).click();
  await dialog.getByLabel('Notes').fill('speaks first in chapter 1');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved.');
  // The dialog's Metadata block follows the asset.
  const metadata = dialog.locator('details', { hasText: 'Metadata' }).locator('pre');
  await expect(metadata).toContainText('speaks first in chapter 1');

  await dialog.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText('Undo: Edit cast/alice.txt on 1 asset.');
  await expect(metadata).not.toContainText('speaks first in chapter 1');
  const alice = (await api(server.url, 'GET', `/api/assets/${ids['cast/alice.txt']}`)).body.asset;
  expect(alice.metadata).not.toHaveProperty('notes');
  expect(ws.json('data/assets/cast/alice.txt.asset.json').meta).not.toHaveProperty('notes');

  // Its History: each change that touched it, with what it did to it; the newest first.
  const history = dialog.getByTestId('asset-history');
  await history.locator('summary').click();
  const entries = history.locator('.asset-history > li');
  await expect(entries.first()).toContainText('Undo: Edit cast/alice.txt');
  await expect(entries.first()).toContainText('notes: speaks first in chapter 1 → —');
  await expect(entries.nth(1)).toContainText('Edit cast/alice.txt');
  await expect(entries.nth(1)).toContainText('undone');
  await expect(history).toContainText('Add tag speaking (3 assets)');
});

test('assets removed from the registry by mistake come back with their tags', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(3);
  const tagsBefore = await tagsOf('cast/bob.txt');
  await page.getByRole('button', { name: 'Select all' }).click();
  page.once('dialog', (dialog) => void dialog.accept());
  await page
    .getByRole('form', { name: 'Remove from registry' })
    .getByRole('button', { name: 'Remove 3 selected…' })
    .click();
  await expect(message(page)).toHaveText('Removed 3 assets.');
  await expect(page.getByTestId('gallery-empty')).toBeVisible();
  expect(ws.exists('data/assets/cast/bob.txt.asset.json')).toBe(false);

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Remove 3 assets (files kept) on 3 assets.');
  await expect(page.locator('.tile')).toHaveCount(3);
  expect(await tagsOf('cast/bob.txt')).toEqual(tagsBefore);
  expect(ws.json('data/assets/cast/bob.txt.asset.json').id).toBe(ids['cast/bob.txt']);
});

test('History shows the newest 50 edits, and older ones on request', async ({ page }) => {
  const id = ids['cast/carol.txt'] as string;
  for (let i = 1; i <= 52; i++) {
    const res = await api(server.url, 'PATCH', `/api/assets/${id}`, { metadata: { notes: `take ${i}` } });
    expect(res.status, res.text).toBe(200);
  }
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(3);
  await page.keyboard.press('h'); // (H opens it, as the History button does)
  const dialog = page.getByRole('dialog', { name: 'History' });
  const items = dialog.getByTestId('history-item');
  await expect(items).toHaveCount(50);
  await dialog.getByRole('button', { name: 'Show older' }).click();
  await expect.poll(() => items.count()).toBeGreaterThan(50);
  const total = (await api(server.url, 'GET', '/api/changes?limit=200')).body.items.length;
  await expect(items).toHaveCount(Math.min(100, total));
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});

test('a file deleted by mistake comes back from the trash; History shows the trash and empties it', async ({
  page,
}) => {
  const rel = 'cast/carol.txt';
  const id = ids[rel] as string;
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(3);
  await page.locator(`.tile[data-uid="${id}"]`).click();
  const removeForm = page.getByRole('form', { name: 'Remove from registry' });
  await removeForm.getByLabel('Also delete the files from disk').check();
  let question = '';
  page.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await removeForm.getByRole('button', { name: 'Remove 1 selected…' }).click();
  await expect(message(page)).toHaveText('Removed 1 asset. Moved 1 file to the trash.');
  expect(question).toContain('They go to the trash, so Undo brings them back');
  expect(ws.exists(`data/assets/${rel}`)).toBe(false);

  await page.keyboard.press('h');
  const dialog = page.getByRole('dialog', { name: 'History' });
  await expect(dialog.getByTestId('trash-line')).toHaveText(
    'Trash: 1 deleted file (11 B), each kept 30 days so that Undo can bring it back. Empty trash…',
  );
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Delete 1 asset (files to the trash) on 1 asset.');
  await expect(page.locator('.tile')).toHaveCount(3);
  expect(ws.read(`data/assets/${rel}`)).toBe('carol lines');
  expect(ws.json(`data/assets/${rel}.asset.json`).id).toBe(id);

  await page.getByRole('button', { name: 'Redo', exact: true }).click();
  await expect(page.locator('.tile')).toHaveCount(2);
  await expect(page.getByTestId('status-line')).toHaveText('Showing 2 of 2 assets. Selected 0.');
  expect(ws.exists(`data/assets/${rel}`)).toBe(false);
  await page.keyboard.press('h');
  const trashLine = dialog.getByTestId('trash-line');
  await expect(trashLine).toContainText('Trash: 1 deleted file (11 B)');
  // What is in it, removal by removal: brought back from there.
  await dialog.getByText('What is in it').click();
  const batches = dialog.getByTestId('trash-batch');
  await expect(batches).toHaveCount(1);
  await expect(batches.first()).toContainText('1 file (11 B): cast/carol.txt');
  await page.screenshot({ path: shot('history-trash.png') });
  await batches.first().getByRole('button', { name: 'Restore' }).click();
  await expect(message(page)).toHaveText('Undo: Delete 1 asset (files to the trash) on 1 asset.');
  expect(ws.read(`data/assets/${rel}`)).toBe('carol lines');
  await expect(batches).toHaveCount(0);

  // Deleted again (by a script, as two removals): one removal's files deleted for good on their
  // own, then the rest with Empty trash.
  ws.file('data/assets/cast/extra.txt', 'extra lines');
  const extra = await registerInPlace(server.url, ws, 'cast/extra.txt', 'extra lines', {}, false);
  for (const id of [extra, ids[rel] as string])
    expect((await api(server.url, 'DELETE', `/api/assets/${id}?delete_file=true`)).status).toBe(200);
  await expect(batches).toHaveCount(2);
  await expect(batches.last()).toContainText('cast/extra.txt');
  page.once('dialog', (confirm) => void confirm.accept());
  await batches.last().getByRole('button', { name: 'Delete…' }).click();
  await expect(message(page)).toHaveText('Deleted 1 file (11 B) for good.');
  await expect(batches).toHaveCount(1);
  await expect(trashLine).toContainText('Trash: 1 deleted file (11 B)');
  page.once('dialog', (confirm) => void confirm.accept());
  await trashLine.getByRole('button', { name: 'Empty trash…' }).click();
  await expect(message(page)).toHaveText('Emptied the trash: deleted 1 file (11 B) for good.');
  await expect(trashLine).toHaveText(
    'The trash is empty. Files deleted through the registry are kept there 30 days, so that Undo can bring them back.',
  );
  expect((await api(server.url, 'GET', '/api/trash')).body.files).toBe(0);
});

test('a zip imported into the wrong place is undone: its files go to the trash', async ({ page }) => {
  const zip = ws.file(
    'pack.zip',
    await makeZip([
      ['extras/one.txt', 'one'],
      ['extras/two.txt', 'two'],
    ]),
  );
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(2);
  await page.getByLabel('Zip of assets to import').setInputFiles(zip);
  await expect(message(page)).toHaveText('Imported 2 assets from pack.zip.');
  await expect(page.locator('.tile')).toHaveCount(4);
  expect(ws.read('data/assets/extras/one.txt')).toBe('one');

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Import pack.zip on 2 assets.');
  await expect(page.locator('.tile')).toHaveCount(2);
  expect(ws.exists('data/assets/extras/one.txt')).toBe(false);
  expect((await api(server.url, 'GET', '/api/trash')).body.files).toBe(2);
});

test('files uploaded into the wrong place are taken back with one Undo', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.locator('.tile')).toHaveCount(2);
  await page.getByLabel('Files to upload').setInputFiles([
    { name: 'stray-1.txt', mimeType: 'text/plain', buffer: Buffer.from('stray one') },
    { name: 'stray-2.txt', mimeType: 'text/plain', buffer: Buffer.from('stray two') },
  ]);
  await expect(message(page)).toHaveText('Uploaded 2 of 2 files.');
  await expect(page.locator('.tile')).toHaveCount(4);
  const paths = (
    (await api(server.url, 'GET', '/api/assets/search?q=stray')).body.items as Array<{ path: string }>
  )
    .map((a) => a.path)
    .sort();
  expect(paths).toHaveLength(2);
  for (const rel of paths) expect(ws.exists(`data/assets/${rel}`)).toBe(true);

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(message(page)).toHaveText('Undo: Upload 2 files on 2 assets.');
  await expect(page.locator('.tile')).toHaveCount(2);
  for (const rel of paths) expect(ws.exists(`data/assets/${rel}`), rel).toBe(false);
});

test("the detail view's History takes back one asset's part of a bulk edit; the others keep it", async ({
  page,
}) => {
  const [alice, bob] = [ids['cast/alice.txt'] as string, ids['cast/bob.txt'] as string];
  const edit = await api(server.url, 'POST', '/api/assets/bulk', { ids: [alice, bob], add_tags: ['duet'] });
  expect(edit.status, edit.text).toBe(200);
  await page.goto(`${server.url}/#/asset/${alice}`);
  const dialog = page.getByRole('dialog', { name: 'alice.txt' });
  const history = dialog.getByTestId('asset-history');
  await history.locator('summary').click();
  const entry = history.locator('.asset-history > li').first();
  await expect(entry).toContainText('Add tag duet (2 assets)');
  await entry.getByRole('button', { name: 'Undo here' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Undo: Add tag duet (1 of its 2 assets) on 1 asset.');
  expect(await tagsOf('cast/alice.txt')).not.toContain('duet');
  expect(await tagsOf('cast/bob.txt')).toContain('duet');
  expect(sidecarTags('cast/alice.txt')).not.toContain('duet');
});
