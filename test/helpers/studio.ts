/** Browser-test steps shared by the studio's specs. */
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens an asset's detail view by its URL and returns the dialog, named after the file. */
export async function openAssetDialog(page: Page, base: string, id: string, rel: string): Promise<Locator> {
  await page.goto(`${base}/#/asset/${id}`);
  const dialog = page.getByRole('dialog', { name: path.basename(rel) });
  await expect(dialog).toBeVisible();
  return dialog;
}
