/** Start-up preview recovery: only media files without a job for their content are queued. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { AssetRecord } from '../../src/domain/asset.js';
import { PREVIEW_EXTENSIONS } from '../../src/previews/kinds.js';
import { PreviewQueue } from '../../src/previews/queue.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { WorkerPool } from '../../src/workers/pool.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let store: SqliteStore;

beforeEach(() => {
  ws = makeWorkspace();
  store = new SqliteStore(path.join(ws.dir, 'config', 'registry.sqlite'));
});
afterEach(() => {
  store.close();
  ws.cleanup();
});

function add(relPath: string, projectId = 'default'): AssetRecord {
  const hash = createHash('sha256')
    .update(projectId + relPath)
    .digest('hex');
  const record: AssetRecord = {
    projectId,
    uid: hash.slice(0, 16),
    type: 'misc',
    path: relPath,
    hash,
    bytes: 1,
    meta: {},
    createdAt: '2024-01-01 00:00:00',
    updatedAt: '2024-01-01 00:00:00',
    thumb: null,
  };
  store.insert(record);
  return record;
}

test('recover queues media files without a job (any case), skips other files and done jobs', () => {
  const png = add('images/a.png');
  const upper = add('images/B.JPG');
  const audio = add('audio/c.flac', 'other');
  add('data/d.csv');
  add('images/.png'); // no extension for path.extname: not a preview, though LIKE '%.png' matches
  add('data/e.png.txt');
  add('pack.png/readme'); // a dot in a folder's name only
  const dotted = add('sets.v2/h.TGA');
  const done = add('images/f.webp');
  store.queuePreview(done.projectId, done.uid, done.hash);
  const stale = add('images/g.gif');
  store.queuePreview(stale.projectId, stale.uid, 'f'.repeat(64)); // a job for older content

  const queue = new PreviewQueue({
    store,
    pool: { previewThreads: 1 } as unknown as WorkerPool,
    assetsRoot: ws.assets,
    thumbsRoot: path.join(ws.dir, 'thumbs'),
    owner: `${process.pid}-test`,
    apply: async () => undefined,
  });
  assert.equal(queue.recover(), 5);
  for (const record of [png, upper, audio, stale, dotted]) {
    assert.equal(store.previewJob(record.projectId, record.uid)?.hash, record.hash, record.path);
  }
  assert.equal(store.previewCounts().queued, 6);
  assert.equal(queue.recover(), 0);
});

test('assetsWithoutPreviewJob pages in row-id order', () => {
  const records = Array.from({ length: 7 }, (_, i) => add(`images/${i}.png`));
  add('docs/readme.md');
  const seen: string[] = [];
  for (let after = 0; ;) {
    const page = store.assetsWithoutPreviewJob(PREVIEW_EXTENSIONS, after, 3);
    if (!page.length) break;
    assert.ok(page.length <= 3);
    seen.push(...page.map((r) => r.uid));
    after = page[page.length - 1]?.rowid ?? Infinity;
  }
  assert.deepEqual(
    seen,
    records.map((r) => r.uid),
  );
  assert.deepEqual(store.assetsWithoutPreviewJob([], 0, 10), []);
});
