/**
 * The storms' end check: once the registry's writes have settled, the disk agrees with the rows
 * (see {@link assertDiskAgrees}), and every picture anyone placed is still somewhere.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from './eventually.js';
import { api } from './server.js';
import { listFiles } from './workspace.js';

export const hashOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** How many copies of each picture (by hash) there are under `root`, the trash included. */
export function picturesUnder(root: string): Map<string, number> {
  const copies = new Map<string, number>();
  for (const f of listFiles(root).filter((name) => name.endsWith('.png'))) {
    const hash = hashOf(fs.readFileSync(path.join(root, f)));
    copies.set(hash, (copies.get(hash) ?? 0) + 1);
  }
  return copies;
}

/** Waits until the server's preview queue is empty. */
export async function previewsDone(url: string): Promise<void> {
  await eventually(
    'the previews done',
    async () => {
      const { counts } = (await api(url, 'GET', '/api/previews')).body;
      return counts.queued + counts.running === 0;
    },
    60_000,
  );
}

/**
 * Waits for the previews to be made (each records itself in its sidecar), then checks: enforce
 * finds no sidecar missing, unreadable or disagreeing with its row; one sidecar and one `_meta`
 * mirror per row and no other; each row's file where it says; no temp file left (one is a write
 * under way for a moment) nor any other file but pictures; and at least `placed` copies of each picture (by hash), kept or
 * trashed. Returns the rows.
 */
export async function assertDiskAgrees(
  url: string,
  root: string,
  placed: ReadonlyMap<string, number>,
): Promise<Array<{ uid: string; path: string }>> {
  await previewsDone(url);
  const check = async () => {
    const rows = await api(url, 'GET', '/api/assets/search?limit=500&fields=uid,path');
    const report = await api(url, 'POST', '/api/assets/enforce', {
      fix_missing: false,
      overwrite: false,
      fill_metadata: false,
      wait: true,
    });
    return { rows: rows.body.items as Array<{ uid: string; path: string }>, report: report.body.report };
  };
  let state = await check();
  // (A bulk edit answered 202 may still be writing its last sidecars.)
  for (let tries = 0; tries < 50 && state.report.mismatched_sidecars.length; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    state = await check();
  }
  for (const field of ['missing_sidecars', 'invalid_sidecars', 'mismatched_sidecars'])
    assert.deepEqual(state.report[field], [], field);

  const temps = (): string[] => listFiles(root).filter((f) => f.endsWith('.tmp'));
  await eventually('no temp file left', () => temps().length === 0, 5000).catch(() =>
    assert.deepEqual(temps(), [], 'temp files left'),
  );
  const files = listFiles(root).filter((f) => !f.startsWith('.trash/'));
  const written = files.filter((f) => f.endsWith('.asset.json') || f.startsWith('_meta/'));
  const expected = state.rows.flatMap(({ path: rel }) => [`${rel}.asset.json`, `_meta/${rel}.json`]);
  assert.deepEqual(
    {
      stray: written.filter((f) => !expected.includes(f)),
      missing: expected.filter((f) => !written.includes(f)),
    },
    { stray: [], missing: [] },
    'a sidecar and a mirror per row, no other',
  );
  for (const { path: rel } of state.rows) assert.ok(files.includes(rel), `${rel} is where its row says`);
  const rowPaths = new Set(state.rows.map((row) => row.path));
  assert.deepEqual(
    files.filter((f) => !f.endsWith('.png') && !written.includes(f) && !rowPaths.has(f)),
    [],
    'nothing else written',
  );

  const onDisk = picturesUnder(root);
  assert.deepEqual(
    [...placed].filter(([hash, copies]) => (onDisk.get(hash) ?? 0) < copies),
    [],
    'no picture lost (kept or trashed)',
  );
  return state.rows;
}
