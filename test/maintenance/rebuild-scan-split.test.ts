/**
 * A rebuild's scan split across threads (the root's folders, or theirs when the root has few,
 * each scanned by a task) finds exactly what a one-thread walk finds, in the same order: the
 * rebuild takes its decisions in scan order. A task that fails is walked here instead.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { scanAssets, scanFolderHere, type FolderScanner } from '../../src/registry/scan.js';
import { WorkerPool } from '../../src/workers/pool.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let root: string;
beforeEach(() => {
  ws = makeWorkspace();
  root = path.join(ws.dir, 'data', 'assets');
});
afterEach(() => ws.cleanup());

/** A tree with everything the scan judges: nested folders, sidecars, legacy sidecars, hidden files, junk, `_meta`, a symlink. */
function buildTree(topFolders: number): void {
  const add = (rel: string, text = rel): void => {
    ws.file(`data/assets/${rel}`, text);
  };
  add('loose.png');
  add('loose.png.asset.json', '{}');
  add('.hidden.png');
  add('Thumbs.db');
  for (let t = 0; t < topFolders; t++) {
    add(`top-${t}/a.wav`);
    add(`top-${t}/a.wav.json`, '{}'); // legacy sidecar
    for (let s = 0; s < 3; s++) {
      add(`top-${t}/set-${s}/b-${s}.png`);
      add(`top-${t}/set-${s}/b-${s}.png.asset.json`, '{}');
      add(`top-${t}/set-${s}/deep/c.txt`);
      add(`top-${t}/set-${s}/.DS_Store`);
    }
  }
  add('_meta/loose.png.json', '{}');
  fs.symlinkSync(path.join(root, 'loose.png'), path.join(root, 'link.png'));
}

/** What a scan found, with the numbers that identify each file's stat. */
async function scanned(scanFolder?: FolderScanner): Promise<unknown> {
  const scan = await scanAssets(root, scanFolder);
  return {
    ...scan,
    files: scan.files.map((f) => [f.rel, f.abs, f.size, f.ino, f.sidecarMtimeMs, f.legacySidecar]),
  };
}

for (const [label, topFolders] of [
  ['the root has many folders: each is a task', 10],
  ['the root has few folders: their sub-folders are the tasks', 2],
] as const) {
  test(`${label}; the result equals a one-thread walk, in order`, async () => {
    buildTree(topFolders);
    const alone = await scanned();
    const tasks: string[] = [];
    const split = await scanned((dir, relDir) => {
      tasks.push(relDir);
      return scanFolderHere(dir, relDir);
    });
    assert.deepEqual(split, alone);
    assert.ok(tasks.length >= Math.max(topFolders, 3), `folders were handed out: ${tasks.join(', ')}`);
    assert.ok(!tasks.includes('_meta'), 'the registry folder is swept here, never scanned');
    const files = (alone as { files: unknown[][] }).files.map((f) => f[0]);
    assert.equal(files.length, 1 + topFolders * 7);
    assert.ok(!files.some((rel) => String(rel).includes('.DS_Store') || rel === 'link.png'));
  });
}

test('on the worker pool, and with tasks that fail (walked here instead): still the same scan', async () => {
  buildTree(9);
  const alone = await scanned();
  const pool = new WorkerPool(2);
  try {
    assert.deepEqual(await scanned((dir, relDir) => pool.scanFolder(dir, relDir)), alone);
  } finally {
    await pool.close();
  }
  let calls = 0;
  const flaky: FolderScanner = (dir, relDir) =>
    ++calls % 2 ? Promise.reject(new Error('worker lost')) : scanFolderHere(dir, relDir);
  assert.deepEqual(await scanned(flaky), alone);
  assert.ok(calls >= 9);
});
