/** Browser-test steps shared by the studio's specs. */
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { api, startServer, type RunningServer } from './server.js';
import type { Workspace } from './workspace.js';

/** Opens an asset's detail view by its URL and returns the dialog, named after the file. */
export async function openAssetDialog(page: Page, base: string, id: string, rel: string): Promise<Locator> {
  await page.goto(`${base}/#/asset/${id}`);
  const dialog = page.getByRole('dialog', { name: path.basename(rel) });
  await expect(dialog).toBeVisible();
  return dialog;
}

/**
 * Starts the server on a workspace whose files are written, with the gallery turned on, rebuilds
 * (with `rebuild`'s options), and returns each asset's id by its path.
 */
export async function serveRebuilt(
  ws: Workspace,
  rebuild: Record<string, unknown> = {},
): Promise<{ server: RunningServer; ids: Record<string, string> }> {
  ws.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: true } }));
  const server = await startServer(ws.dir);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', rebuild);
  expect(rebuilt.status, rebuilt.text).toBe(200);
  const found = await api(server.url, 'GET', '/api/assets/search?limit=100&fields=uid,path');
  const ids = Object.fromEntries(
    (found.body.items as Array<{ uid: string; path: string }>).map((a) => [a.path, a.uid]),
  );
  return { server, ids };
}
