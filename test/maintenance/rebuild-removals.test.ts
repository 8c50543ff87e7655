/**
 * What a rebuild removes: the assets whose files are gone, with progress as it goes; but none when
 * the assets root is empty (a drive not mounted, a wrong `--assets-root`), where every row would
 * look stale: it says why instead.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import type { RebuildProgress } from '../../src/registry/rebuild.js';
import type { AssetRegistry } from '../../src/registry/registry.js';
import { RegistryService } from '../../src/registry/service.js';
import { eventually } from '../helpers/eventually.js';
import { runCli } from '../helpers/server.js';
import { makeWorkspace } from '../helpers/workspace.js';

const ws = makeWorkspace('areg-empty-root-');
after(() => ws.cleanup());

/** Runs `use` with the workspace's registry, closed after. */
async function withRegistry(use: (registry: AssetRegistry) => Promise<void>): Promise<void> {
  const service = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  try {
    await use(service.project());
  } finally {
    await service.close();
  }
}

test('an empty assets root removes no asset: they are reported missing, the CLI exits 1, and come back whole', async () => {
  ws.file('data/assets/props/lamp.txt', 'a lamp');
  ws.file('data/assets/props/rug.txt', 'a rug');
  await withRegistry(async (registry) => {
    assert.equal((await registry.rebuild({ waitForThumbs: false })).created, 2);

    // The drive is not mounted: an empty folder where the files were.
    fs.renameSync(ws.assets, `${ws.assets}-away`);
    fs.mkdirSync(ws.assets);
    const summary = await registry.rebuild({ waitForThumbs: false });
    assert.equal(summary.removed, 0);
    assert.equal(summary.missing_files, 2);
    assert.equal(summary.root_empty, true);
    assert.equal(summary.problems[0]?.path, '');
    assert.match(
      summary.problems[0]?.error ?? '',
      /holds no files, so none of the 2 registered assets was removed/,
    );
    assert.ok(registry.atPath('props/lamp.txt') && registry.atPath('props/rug.txt'));

    const cli = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
    assert.equal(cli.code, 1, cli.stderr);
    assert.equal(cli.json?.summary?.removed, 0);
    assert.match(
      cli.stderr,
      /^problem: \/.* holds no files, .*is a drive not mounted, or is the assets root wrong\?/m,
    );

    // Mounted again: all there, nothing to do.
    fs.rmSync(ws.assets, { recursive: true });
    fs.renameSync(`${ws.assets}-away`, ws.assets);
    const back = await registry.rebuild({ waitForThumbs: false });
    assert.equal(back.unchanged, 2);
    assert.equal(back.root_empty, false);
    assert.deepEqual(back.problems, []);
  });
});

test('files deleted but one: the others are removed as usual', async () => {
  await withRegistry(async (registry) => {
    fs.rmSync(`${ws.assets}/props/rug.txt`);
    const summary = await registry.rebuild({ waitForThumbs: false });
    assert.equal(summary.removed, 1);
    assert.equal(summary.root_empty, false);
  });
});

test("a deleted folder's assets are removed with progress: how many of how many, chunk by chunk", async () => {
  for (let i = 0; i < 300; i++) ws.file(`data/assets/level-1/tile-${i}.txt`, `tile ${i}`);
  await withRegistry(async (registry) => {
    assert.equal((await registry.rebuild({ waitForThumbs: false })).created, 300);
    fs.rmSync(`${ws.assets}/level-1`, { recursive: true });
    const seen: Array<Pick<RebuildProgress, 'stale_done' | 'stale_total'>> = [];
    const summary = await registry.rebuild({
      waitForThumbs: false,
      onProgress: (p) => {
        if (p.phase === 'stale' && p.stale_total !== undefined)
          seen.push({ stale_done: p.stale_done, stale_total: p.stale_total });
      },
    });
    assert.equal(summary.removed, 300);
    assert.ok(seen.length >= 1);
    assert.ok(seen.every((p) => p.stale_total === 300));
    assert.deepEqual(seen.at(-1), { stale_done: 300, stale_total: 300 }, 'the last report: all done');
    const counts = seen.map((p) => p.stale_done ?? 0);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => a - b),
      'counting up',
    );
  });
});

test('every file deleted by hand, the registry’s own _meta still there: the drive is mounted, they are removed', async () => {
  await withRegistry(async (registry) => {
    fs.rmSync(`${ws.assets}/props`, { recursive: true });
    assert.ok(fs.existsSync(`${ws.assets}/_meta`));
    const summary = await registry.rebuild({ waitForThumbs: false });
    assert.equal(summary.removed, 1);
    assert.equal(summary.root_empty, false);
  });
});

test('a folder replaced by a file of its name: its assets are removed, the file registered, the rebuild ends', async () => {
  ws.file('data/assets/sprites/hero.txt', 'a hero');
  ws.file('data/assets/sprites/villain.txt', 'a villain');
  await withRegistry(async (registry) => {
    assert.equal((await registry.rebuild({ waitForThumbs: false })).created, 2);
    assert.ok(fs.existsSync(`${ws.assets}/_meta/sprites/hero.txt.json`));
    // Every path under it now meets a file where a folder was (ENOTDIR, not ENOENT): the rebuild
    // stopped at the first sidecar it could not delete, every time.
    fs.rmSync(`${ws.assets}/sprites`, { recursive: true });
    ws.file('data/assets/sprites', 'a sprite sheet');
    const summary = await registry.rebuild({ waitForThumbs: false });
    assert.equal(summary.removed, 2);
    assert.equal(summary.created, 1);
    assert.deepEqual(summary.problems, []);
    assert.equal(registry.atPath('sprites/hero.txt'), undefined);
    assert.ok(registry.atPath('sprites'));
    assert.ok(fs.existsSync(`${ws.assets}/sprites.asset.json`));
    assert.equal(fs.existsSync(`${ws.assets}/_meta/sprites/hero.txt.json`), false, 'its mirror is gone');
    assert.ok(fs.existsSync(`${ws.assets}/_meta/sprites.json`), "the file's mirror is there");
    assert.equal(
      (await registry.rebuild({ waitForThumbs: false })).unchanged,
      1,
      'the next one: nothing to do',
    );
  });
});

test("a folder moved or deleted by hand leaves no empty folders in _meta; folders still mirroring something, and the user's, stay", async () => {
  ws.file('data/assets/levels/forest/trees/oak.txt', 'an oak');
  ws.file('data/assets/levels/forest/trees/pine.txt', 'a pine');
  ws.file('data/assets/levels/forest/map.txt', 'the map');
  ws.file('data/assets/levels/cave/bat.txt', 'a bat');
  const meta = `${ws.assets}/_meta/levels`;
  await withRegistry(async (registry) => {
    await registry.rebuild({ waitForThumbs: false });
    assert.ok(fs.existsSync(`${meta}/forest/trees/oak.txt.json`));
    // The trees moved into the cave by hand, the bat deleted.
    fs.renameSync(`${ws.assets}/levels/forest/trees`, `${ws.assets}/levels/cave/trees`);
    fs.rmSync(`${ws.assets}/levels/cave/bat.txt`);
    fs.rmSync(`${ws.assets}/levels/cave/bat.txt.asset.json`);
    const summary = await registry.rebuild({ waitForThumbs: false });
    assert.deepEqual([summary.moved, summary.removed], [2, 1]);
    // (Once no sidecar write is under way.)
    await eventually(
      'the moved folder not left behind, empty',
      () => !fs.existsSync(`${meta}/forest/trees`),
      2000,
    );
    assert.ok(fs.existsSync(`${meta}/forest/map.txt.json`), 'a folder still mirroring a file stays');
    assert.ok(fs.existsSync(`${meta}/cave/trees/pine.txt.json`));
    // Everything under levels/ deleted, the (user's) empty folders kept: _meta's go, not _meta.
    fs.rmSync(`${ws.assets}/levels/forest`, { recursive: true });
    fs.rmSync(`${ws.assets}/levels/cave/trees`, { recursive: true });
    assert.equal((await registry.rebuild({ waitForThumbs: false })).removed, 3);
    await eventually('_meta/levels gone with its last mirror', () => !fs.existsSync(meta), 2000);
    assert.ok(fs.existsSync(`${ws.assets}/_meta`));
    assert.ok(fs.existsSync(`${ws.assets}/levels/cave`), "the user's own empty folder stays");
  });
});
