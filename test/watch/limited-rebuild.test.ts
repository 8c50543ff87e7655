/**
 * The pieces under `serve --watch`, in process: the path-limited rebuild (same rules as the full
 * scan, moves found by hash, removals), the rebuild lock shared with API jobs, and the watcher's
 * batching of a folder rename.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HookBus } from '../../src/hooks/bus.js';
import { runExclusive } from '../../src/registry/rebuild-lock.js';
import type { AssetRegistry } from '../../src/registry/registry.js';
import { RegistryService } from '../../src/registry/service.js';
import { FolderWatcher, type WatchBatch } from '../../src/registry/watch.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { eventually } from '../helpers/eventually.js';

describe('path-limited rebuild', () => {
  let ws: Workspace;
  let service: RegistryService;
  let registry: AssetRegistry;
  const put = (rel: string, content: string | Uint8Array = randomBytes(256)): void => {
    const abs = path.join(ws.assets, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  };
  const quick = { waitForThumbs: false } as const;

  before(() => {
    ws = makeWorkspace('areg-limited-');
    service = RegistryService.open({ workspace: ws.dir, hooks: new HookBus() });
    registry = service.project();
  });
  after(async () => {
    await service.close();
    ws.cleanup();
  });

  test('only the listed paths are looked at, by the full scan rules', async () => {
    put('images/a.png');
    put('images/b.png');
    put('images/.hidden.png');
    put('images/Thumbs.db');
    put('images/a.png.json', '{"tags":["legacy"]}');
    put('_meta/images/x.png.json', '{}');
    const summary = await registry.rebuild({
      ...quick,
      paths: [
        'images/a.png',
        'images/.hidden.png',
        'images/Thumbs.db',
        'images/a.png.json',
        '_meta/images/x.png.json',
      ],
    });
    assert.equal(summary.created, 1);
    assert.equal(summary.legacy_sidecars, 1);
    assert.equal(summary.ignored, 3);
    assert.ok((await registry.search({ text: 'images/a.png' })).records.length === 1);
    assert.deepEqual(
      (await registry.search({ text: 'images/b.png' })).records.map((r) => r.path),
      [],
      'b.png was not listed',
    );
    assert.deepEqual((await registry.search({ text: 'images/a.png' })).records[0]!.meta.tags, ['legacy']);
  });

  test('a moved file keeps its id when only its new path is listed', async () => {
    const before = (await registry.search({ text: 'images/a.png' })).records[0]!;
    fs.mkdirSync(path.join(ws.assets, 'archive'), { recursive: true });
    fs.renameSync(path.join(ws.assets, 'images/a.png'), path.join(ws.assets, 'archive/a.png'));
    const summary = await registry.rebuild({ ...quick, paths: ['archive/a.png'] });
    assert.equal(summary.moved, 1);
    assert.equal(summary.created, 0);
    const after = registry.get(before.uid)!;
    assert.equal(after.path, 'archive/a.png');
    assert.equal(fs.existsSync(path.join(ws.assets, 'images/a.png.asset.json')), false);
    assert.equal(fs.existsSync(path.join(ws.assets, 'archive/a.png.asset.json')), true);
    // The old path, listed later, has nothing left to do.
    const again = await registry.rebuild({ ...quick, paths: ['images/a.png'] });
    assert.equal(again.removed, 0);
    assert.ok(registry.get(before.uid));
  });

  test('a listed path that is gone is removed (or only reported with remove_stale off)', async () => {
    const [record] = (await registry.search({ text: 'archive/a.png' })).records;
    fs.rmSync(path.join(ws.assets, 'archive/a.png'));
    const kept = await registry.rebuild({ ...quick, paths: ['archive/a.png'], removeStale: false });
    assert.equal(kept.missing_files, 1);
    assert.ok(registry.get(record!.uid));
    const removed = await registry.rebuild({ ...quick, paths: ['archive/a.png', 'archive/a.png'] });
    assert.equal(removed.removed, 1);
    assert.equal(registry.get(record!.uid), undefined);
    assert.equal(fs.existsSync(path.join(ws.assets, 'archive/a.png.asset.json')), false);
  });

  test('listed paths under an assets root that holds nothing (a drive gone) are reported, not removed', async () => {
    fs.mkdirSync(path.join(ws.assets, 'notes'), { recursive: true });
    fs.writeFileSync(path.join(ws.assets, 'notes/c.txt'), 'c');
    assert.equal((await registry.rebuild({ ...quick, paths: ['notes/c.txt'] })).created, 1);
    const listed = (await registry.search({})).records.map((r) => r.path);
    const away = `${ws.assets}-away`;
    fs.renameSync(ws.assets, away);
    try {
      const summary = await registry.rebuild({ ...quick, paths: listed });
      assert.equal(summary.removed, 0);
      assert.equal(summary.root_empty, true);
      assert.equal(summary.missing_files, listed.length);
      fs.mkdirSync(ws.assets);
      assert.equal((await registry.rebuild({ ...quick, paths: listed })).removed, 0, 'an empty folder there');
    } finally {
      fs.rmSync(ws.assets, { recursive: true, force: true });
      fs.renameSync(away, ws.assets);
    }
    assert.deepEqual(
      (await registry.search({})).records.map((r) => r.path),
      listed,
    );
  });

  test('rebuilds of one registry never overlap', async () => {
    const phases: string[] = [];
    const track = (name: string) => (p: { phase: string }) => phases.push(`${name}:${p.phase}`);
    await Promise.all([
      registry.rebuild({ ...quick, onProgress: track('one') }),
      registry.rebuild({ ...quick, paths: ['images/b.png'], onProgress: track('two') }),
    ]);
    const lastOne = phases.lastIndexOf('one:done');
    const firstTwo = phases.findIndex((p) => p.startsWith('two:'));
    assert.ok(lastOne >= 0 && firstTwo > lastOne, phases.join(' '));
  });

  test('edits through the registry while the live folder rebuilds their paths are never undone', async () => {
    // The watcher sees the registry's own sidecar writes and rebuilds those paths: a sidecar
    // that landed but was not yet recorded, or was read just before an edit committed, is not
    // a hand edit to take in over the edit.
    const rels = Array.from({ length: 8 }, (_, i) => `docs/race/note-${i}.txt`);
    for (const rel of rels) put(rel, `note ${rel}`);
    await registry.rebuild({ ...quick, paths: rels });
    const uids = await Promise.all(
      rels.map(
        async (rel) => ((await registry.search({ text: rel, limit: 1 })).records[0] as { uid: string }).uid,
      ),
    );
    let editing = true;
    let rebuilds = 0;
    const rebuilding = (async () => {
      while (editing) {
        const summary = await registry.rebuild({ ...quick, paths: rels });
        assert.equal(summary.sidecar_updates, 0, 'no sidecar of the registry taken for a hand edit');
        rebuilds++;
      }
    })();
    const rounds = 25;
    try {
      for (let round = 0; round < rounds; round++)
        await Promise.all(uids.map((uid) => registry.bulkEdit([uid], { addTags: [`round-${round}`] })));
    } finally {
      editing = false;
      await rebuilding;
    }
    assert.ok(rebuilds >= 5, `rebuilds ran alongside the edits (${rebuilds})`);
    for (const uid of uids) {
      const tags = registry.get(uid)?.meta.tags as string[];
      const missing = Array.from({ length: rounds }, (_, r) => `round-${r}`).filter((t) => !tags.includes(t));
      assert.deepEqual(missing, [], `${uid} kept every edit`);
    }
    await registry.settleSidecars(uids);
    for (const rel of rels) {
      const sidecar = JSON.parse(fs.readFileSync(path.join(ws.assets, `${rel}.asset.json`), 'utf8')) as {
        meta: { tags: string[] };
      };
      assert.ok(sidecar.meta.tags.includes(`round-${rounds - 1}`), `${rel}'s sidecar shows the last edit`);
    }
  });

  /**
   * Holds the next removal after its rows are deleted and before it is at the files (where it
   * waits for sidecar writes under way): `paused` resolves once it is there, `release` lets it on.
   */
  const pauseNextRemoval = (): { paused: Promise<void>; release: () => void } => {
    const sidecars = registry.context.sidecars;
    const settled = sidecars.settled.bind(sidecars);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const paused = new Promise<void>((resolve) => {
      sidecars.settled = async (keys) => {
        sidecars.settled = settled;
        resolve();
        await gate;
        return settled(keys);
      };
    });
    return { paused, release };
  };
  /** A file registered, then removed with its file deleted: the removal held as above. */
  const heldRemoval = async (rel: string) => {
    put(rel);
    await registry.rebuild({ ...quick, paths: [rel] });
    const { uid } = registry.atPath(rel) as { uid: string };
    const { paused, release } = pauseNextRemoval();
    const removing = registry.removeMany([uid], { deleteFiles: true });
    await paused;
    return { uid, release, removing };
  };

  test('a file a removal takes into the trash while a rebuild reads it gets no row', async () => {
    // Was: the rebuild had hashed the file before the removal trashed it, and registered it
    // after: a row, a sidecar and a mirror for a file that was in the trash.
    const rel = 'race/trashed.bin';
    const { release, removing } = await heldRemoval(rel);
    const pool = registry.context.pool;
    const hashMany = pool.hashMany.bind(pool);
    const hash = pool.hash.bind(pool);
    const thenRemove = async <T>(hashing: Promise<T>): Promise<T> => {
      const result = await hashing;
      release();
      await removing;
      return result;
    };
    pool.hashMany = (sources) => thenRemove(hashMany(sources));
    pool.hash = (source) => thenRemove(hash(source));
    try {
      await registry.rebuild({ ...quick, paths: [rel] });
    } finally {
      Object.assign(pool, { hashMany, hash });
    }
    const { removed } = await removing;
    assert.equal(removed[0]?.fileDeleted, true);
    assert.equal(fs.existsSync(path.join(ws.assets, rel)), false);
    assert.equal(registry.atPath(rel), undefined, 'no row for the file in the trash');
    assert.equal(fs.existsSync(path.join(ws.assets, `${rel}.asset.json`)), false, 'no sidecar');
    assert.equal(fs.existsSync(path.join(ws.assets, '_meta', `${rel}.json`)), false, 'no mirror');
  });

  test('a file a rebuild registers again while a removal is at it is kept, with its row and sidecar', async () => {
    const rel = 'race/again.bin';
    const { uid, release, removing } = await heldRemoval(rel);
    const summary = await registry.rebuild({ ...quick, paths: [rel] });
    assert.equal(summary.created, 1);
    release();
    const { removed } = await removing;
    assert.equal(removed[0]?.fileDeleted, false);
    assert.match(String(removed[0]?.fileKeptReason), /registered again meanwhile/);
    assert.equal(registry.atPath(rel)?.uid, uid, 'registered again, with its id (its sidecar named it)');
    assert.ok(fs.existsSync(path.join(ws.assets, rel)), 'the file kept');
    const sidecar = JSON.parse(fs.readFileSync(path.join(ws.assets, `${rel}.asset.json`), 'utf8')) as {
      id: string;
    };
    assert.equal(sidecar.id, uid, "its sidecar is the new row's");
    assert.ok(fs.existsSync(path.join(ws.assets, '_meta', `${rel}.json`)), 'and its mirror');
  });

  test('the lock runs in order and survives a failure', async () => {
    const order: number[] = [];
    const key = {};
    const failing = runExclusive(key, async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(1);
      throw new Error('boom');
    });
    const second = runExclusive(key, async () => {
      order.push(2);
      return 'ok';
    });
    await assert.rejects(failing, /boom/);
    assert.equal(await second, 'ok');
    assert.deepEqual(order, [1, 2]);
  });
});

describe('FolderWatcher', () => {
  let ws: Workspace;
  let service: RegistryService;
  let registry: AssetRegistry;
  let watcher: FolderWatcher;
  const batches: WatchBatch[] = [];

  before(async () => {
    ws = makeWorkspace('areg-watcher-');
    fs.mkdirSync(path.join(ws.assets, 'sprites/heroes'), { recursive: true });
    for (const name of ['a', 'b', 'c']) {
      fs.writeFileSync(path.join(ws.assets, `sprites/heroes/${name}.png`), randomBytes(300));
    }
    service = RegistryService.open({ workspace: ws.dir, hooks: new HookBus() });
    registry = service.project();
    watcher = new FolderWatcher(registry, service.hooks, { quietMs: 150, unlinkGraceMs: 600 });
    watcher.onBatch((batch) => batches.push(batch));
    await watcher.start();
  });
  after(async () => {
    await watcher.close();
    await service.close();
    ws.cleanup();
  });

  test('starting catches up with files that were already there', async () => {
    const batch = await eventually('the catch-up batch', () => batches[0]);
    assert.equal(batch.paths, null, 'a full rebuild');
    assert.equal(batch.summary?.created, 3);
  });

  test('a renamed folder keeps every id', async () => {
    const ids = new Map(
      (await registry.search({ limit: 10 })).records.map((r) => [path.basename(r.path), r.uid]),
    );
    const seen = batches.length;
    fs.renameSync(path.join(ws.assets, 'sprites/heroes'), path.join(ws.assets, 'sprites/cast'));
    await eventually('the new paths', async () =>
      (await registry.search({ limit: 10 })).records.every((r) => r.path.startsWith('sprites/cast/')),
    );
    // The later full pass (a folder went away) finds nothing more to do.
    await eventually('a full pass', () => batches.slice(seen).some((b) => b.paths === null));
    const records = (await registry.search({ limit: 10 })).records;
    assert.equal(records.length, 3);
    for (const record of records) assert.equal(record.uid, ids.get(path.basename(record.path)));
    assert.equal(
      batches.slice(seen).reduce((n, b) => n + (b.summary?.removed ?? 0) + (b.summary?.created ?? 0), 0),
      0,
    );
  });

  test('close stops watching', async () => {
    await watcher.close();
    const seen = batches.length;
    fs.writeFileSync(path.join(ws.assets, 'late.png'), randomBytes(10));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(batches.length, seen);
  });
});

describe('FolderWatcher, handed its events by hand', () => {
  // No chokidar here: the test hands the watcher events as chokidar delivers them, including
  // when it misses one (its issue #1471).
  let ws: Workspace;
  let service: RegistryService;
  let registry: AssetRegistry;
  let watcher: FolderWatcher;
  const batches: WatchBatch[] = [];
  /** What chokidar reports: an event on an absolute path. */
  const deliver = (event: string, rel: string): void =>
    (watcher as unknown as { onEvent(event: string, abs: string): void }).onEvent(
      event,
      path.join(ws.assets, rel),
    );

  before(() => {
    ws = makeWorkspace('areg-watcher-events-');
    service = RegistryService.open({ workspace: ws.dir, hooks: new HookBus() });
    registry = service.project();
    watcher = new FolderWatcher(registry, service.hooks, { quietMs: 100, unlinkGraceMs: 300 });
    watcher.onBatch((batch) => batches.push(batch));
  });
  after(async () => {
    await watcher.close();
    await service.close();
    ws.cleanup();
  });

  test('files in a new folder whose adds chokidar missed are found by listing the folder', async () => {
    // mkdir, then files written at once: chokidar read the folder before they existed and
    // watched it after, so it reports the folders and not the files.
    for (const rel of ['drop/a.png', 'drop/deep/b.png', 'drop/.hidden.png', 'drop/deep/Thumbs.db']) {
      fs.mkdirSync(path.dirname(path.join(ws.assets, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws.assets, rel), randomBytes(100));
    }
    deliver('addDir', 'drop');
    deliver('addDir', 'drop/deep');
    const batch = await eventually('the batch', () => batches[0]);
    assert.deepEqual([...(batch.paths ?? [])].sort(), ['drop/a.png', 'drop/deep/b.png']);
    assert.equal(batch.summary?.created, 2);
    const { records } = await registry.search({ limit: 10, sort: 'path', order: 'asc' });
    assert.deepEqual(
      records.map((r) => r.path),
      ['drop/a.png', 'drop/deep/b.png'],
    );
  });

  test('a file gone while a folder pass is pending waits for it: a renamed folder whose adds come late', async () => {
    // A folder renamed: chokidar reports each file of the old one gone at once, the folder a
    // moment later, and the new folder's files only once it has read them (seconds, for 5,000
    // files on a busy machine). A batch of the files gone, run before the folder's full pass,
    // removed assets whose files had only moved; the pass then registered them again.
    for (const rel of ['old/x.png', 'old/sub/y.png']) {
      fs.mkdirSync(path.dirname(path.join(ws.assets, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws.assets, rel), randomBytes(100));
    }
    await registry.rebuild({ waitForThumbs: false, paths: ['old/x.png', 'old/sub/y.png'] });
    const x = (registry.atPath('old/x.png') as { uid: string }).uid;
    const seen = batches.length;
    fs.renameSync(path.join(ws.assets, 'old'), path.join(ws.assets, 'new'));
    deliver('unlink', 'old/x.png');
    deliver('unlink', 'old/sub/y.png');
    await new Promise((resolve) => setTimeout(resolve, 150));
    deliver('unlinkDir', 'old/sub');
    deliver('unlinkDir', 'old');
    await eventually('the full pass', () => batches.slice(seen).some((b) => b.paths === null), 10_000);
    const after = batches.slice(seen);
    assert.deepEqual(
      after.map((b) => b.paths),
      [null],
      'one batch: the full pass, with the removals',
    );
    assert.equal(after[0]?.summary?.moved, 2);
    assert.equal(after[0]?.summary?.removed, 0);
    assert.equal(after[0]?.summary?.created, 0);
    assert.equal(registry.get(x)?.path, 'new/x.png');
  });

  test('a file the registry moved that a hand deleted before chokidar saw it is unregistered', async () => {
    // chokidar reports no event for a file that came and went before it looked: it reported the
    // move's source gone and nothing at its destination, whose row outlived the file.
    const rel = 'keep/moved-away.png';
    fs.mkdirSync(path.join(ws.assets, 'keep'), { recursive: true });
    fs.writeFileSync(path.join(ws.assets, rel), randomBytes(100));
    await registry.rebuild({ waitForThumbs: false, paths: [rel] });
    const { uid } = registry.atPath(rel) as { uid: string };
    await registry.move(uid, 'elsewhere/moved-away.png');
    fs.rmSync(path.join(ws.assets, 'elsewhere/moved-away.png'));
    deliver('unlink', rel);
    await eventually('the moved asset unregistered', () => registry.get(uid) === undefined, 10_000);
    await eventually(
      'its sidecar gone',
      () => !fs.existsSync(path.join(ws.assets, 'elsewhere/moved-away.png.asset.json')),
      5000,
    );
  });
});
