/**
 * A folder renamed while a rebuild reads the tree (the live folder's full pass as a user renames
 * a folder twice in a row; a CLI rebuild as someone tidies up): the scan finds the folders it
 * listed gone. Their assets are kept, not removed (to be registered again as new rows by the
 * next run, their previews made again), the problem is reported, and the next run moves them
 * with their ids. The rename is made by the scan itself at a chosen moment (the rebuild's
 * `scanFolder`), with a real rename on a real tree, so the race is hit every run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { HookBus } from '../../src/hooks/bus.js';
import type { AssetRegistry } from '../../src/registry/registry.js';
import { scanFolderHere } from '../../src/registry/scan.js';
import { RegistryService } from '../../src/registry/service.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let service: RegistryService;
let registry: AssetRegistry;
const quick = { waitForThumbs: false } as const;

before(() => {
  ws = makeWorkspace('areg-moving-tree-');
  for (const rel of ['art/heroes/a.txt', 'art/heroes/b.txt', 'art/villains/c.txt', 'sfx/d.txt'])
    ws.file(`data/assets/${rel}`, `the bytes of ${rel}`);
  service = RegistryService.open({ workspace: ws.dir, hooks: new HookBus() });
  registry = service.project();
});
after(async () => {
  await service.close();
  ws.cleanup();
});

const idsByName = async (): Promise<Map<string, { uid: string; path: string }>> =>
  new Map(
    (await registry.search({ limit: 100 })).records.map((r) => [
      path.basename(r.path),
      { uid: r.uid, path: r.path },
    ]),
  );

test('a folder renamed while the rebuild reads it keeps its assets; the next run moves them with their ids', async () => {
  const first = await registry.rebuild(quick);
  assert.equal(first.created, 4);
  const before = await idsByName();

  // `art` is renamed as the scan is about to read its first subfolder (listed, not read yet).
  let renamed = false;
  const second = await registry.rebuild({
    ...quick,
    scanFolder: (dir, relDir) => {
      if (!renamed && relDir.startsWith('art/')) {
        fs.renameSync(path.join(ws.assets, 'art'), path.join(ws.assets, 'pictures'));
        renamed = true;
      }
      return scanFolderHere(dir, relDir);
    },
  });
  assert.ok(renamed, 'the scan read a subfolder of art');
  assert.equal(second.removed, 0, JSON.stringify(second.problems));
  assert.equal(second.created, 0);
  assert.equal(second.vanished_while_read, 2, JSON.stringify(second.problems)); // heroes, villains
  assert.deepEqual(
    second.problems.map((p) => p.path),
    ['art/heroes', 'art/villains'],
  );
  assert.match(
    second.problems[0]?.error ?? '',
    /^moved or removed while the rebuild read the tree; the 2 asset\(s\) under it whose files were not found were kept: run the rebuild again/,
  );
  assert.deepEqual(await idsByName(), before, 'every asset kept, as it was');

  const third = await registry.rebuild(quick);
  assert.equal(third.moved, 3);
  assert.equal(third.created, 0);
  assert.equal(third.removed, 0);
  assert.equal(third.vanished_while_read, 0);
  const after = await idsByName();
  for (const [name, { uid }] of before) assert.equal(after.get(name)?.uid, uid, name);
  assert.equal(after.get('a.txt')?.path, 'pictures/heroes/a.txt');
  assert.equal(after.get('d.txt')?.path, 'sfx/d.txt');
});

test('a file moved, while the rebuild reads the tree, into a folder already read keeps its asset', async () => {
  for (const rel of ['set/one/p.txt', 'set/one/p2.txt', 'set/two/q.txt', 'set/two/q2.txt'])
    ws.file(`data/assets/${rel}`, `the bytes of ${rel}`);
  assert.equal((await registry.rebuild(quick)).created, 4);
  const before = await idsByName();

  // The second folder the scan reads gives a file to the first, read already.
  const visited: string[] = [];
  let moved = '';
  const second = await registry.rebuild({
    ...quick,
    scanFolder: (dir, relDir) => {
      if (relDir.startsWith('set/') && visited.length === 1) {
        const [name] = fs.readdirSync(dir).filter((n) => n.endsWith('.txt') && !n.endsWith('.asset.json'));
        moved = `${visited[0]}/moved-${name}`;
        fs.renameSync(path.join(dir, name as string), path.join(ws.assets, moved));
        moved = `${relDir}/${name} → ${moved}`;
      }
      if (relDir.startsWith('set/')) visited.push(relDir);
      return scanFolderHere(dir, relDir);
    },
  });
  assert.ok(moved, 'a file was moved');
  const [from, to] = moved.split(' → ') as [string, string];
  assert.equal(second.removed, 0, JSON.stringify(second.problems));
  assert.equal(second.vanished_while_read, 1);
  assert.deepEqual(second.problems, [
    {
      path: from,
      error: `moved to ${to} while the rebuild read the tree: its asset was kept; run the rebuild again to bring it up to date`,
    },
  ]);

  const third = await registry.rebuild(quick);
  assert.equal(third.moved, 1);
  assert.equal(third.created + third.removed, 0);
  const after = await idsByName();
  assert.equal(after.get(path.basename(to))?.uid, before.get(path.basename(from))?.uid);
  assert.equal(after.get(path.basename(to))?.path, to);
});
