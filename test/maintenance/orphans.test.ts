/**
 * Orphaned sidecars (`*.asset.json` beside no file): enforce lists them and, asked with
 * `remove_orphans` (CLI `--remove-orphans`), moves them into the trash with their `_meta`
 * mirrors gone, leaving the sidecar of an asset whose file is missing (its row's) and every
 * sidecar beside a file. Each run on its own workspace: orphans are the assets root's, not a
 * project's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;

beforeEach(() => {
  ws = makeWorkspace('areg-orphans-');
});
afterEach(() => ws.cleanup());

const sidecarOf = (rel: string): string => path.join(ws.assets, `${rel}.asset.json`);
const mirrorOf = (rel: string): string => path.join(ws.assets, '_meta', `${rel}.json`);

interface Tree {
  /** A sidecar copied by hand beside no file (its id is another asset's), with a mirror. */
  stray: string;
  strayText: string;
  /** A sidecar typed for a file that was never there. */
  typed: string;
  typedText: string;
  /** An asset whose file was deleted by hand: its sidecar is its row's. */
  missing: string;
  /** An asset as it should be, and a file with a sidecar not registered (yet): no orphans. */
  kept: string;
  unregistered: string;
}

async function buildTree(url: string): Promise<Tree> {
  const register = async (rel: string, tags: string[]): Promise<void> => {
    ws.file(`data/assets/${rel}`, `bytes of ${rel}`);
    const res = await api(url, 'POST', '/api/assets/register', {
      path: `data/assets/${rel}`,
      copy: false,
      metadata: { tags, license: 'CC0-1.0' },
    });
    assert.equal(res.status, 200, res.text);
  };
  await register('art/kept.png', ['kept']);
  await register('art/missing.png', ['missing']);
  const tree: Tree = {
    stray: 'misc/deep/gone.png',
    strayText: fs.readFileSync(sidecarOf('art/kept.png'), 'utf8'),
    typed: 'notes/old sketch.psd',
    typedText: '{"tags": ["typed by hand"], "license": "MIT"}\n',
    missing: 'art/missing.png',
    kept: 'art/kept.png',
    unregistered: 'art/new.png',
  };
  ws.file(`data/assets/${tree.stray}.asset.json`, tree.strayText);
  ws.file(`data/assets/_meta/${tree.stray}.json`, tree.strayText);
  ws.file(`data/assets/${tree.typed}.asset.json`, tree.typedText);
  fs.rmSync(path.join(ws.assets, tree.missing));
  ws.file(`data/assets/${tree.unregistered}`, 'not registered yet');
  ws.file(`data/assets/${tree.unregistered}.asset.json`, '{"tags": ["new"], "license": "MIT"}');
  return tree;
}

describe('orphaned sidecars', () => {
  let server: RunningServer;
  beforeEach(async () => {
    server = await startServer(ws.dir);
  });
  afterEach(async () => server.stop());

  test('enforce lists them; remove_orphans moves them to the trash and drops their mirrors', async () => {
    const tree = await buildTree(server.url);
    const dryRun = { fix_missing: false, fill_metadata: false };

    const listed = await api(server.url, 'POST', '/api/assets/enforce', dryRun);
    assert.equal(listed.status, 200, listed.text);
    const orphans = [tree.missing, tree.stray, tree.typed].map((rel) => `${rel}.asset.json`).sort();
    assert.deepEqual(listed.body.report.orphaned_sidecars, orphans);
    assert.deepEqual(listed.body.report.removed_orphans, []);
    assert.equal(listed.body.report.orphans_trash, null);
    assert.ok(
      fs.existsSync(sidecarOf(tree.stray)) && fs.existsSync(mirrorOf(tree.stray)),
      'a dry run removes nothing',
    );

    const removed = await api(server.url, 'POST', '/api/assets/enforce', { ...dryRun, remove_orphans: true });
    assert.equal(removed.status, 200, removed.text);
    const report = removed.body.report;
    assert.deepEqual(
      report.removed_orphans,
      [tree.stray, tree.typed].map((rel) => `${rel}.asset.json`).sort(),
    );
    // The asset whose file is missing keeps its sidecar: the row is still there.
    assert.deepEqual(report.orphaned_sidecars, [`${tree.missing}.asset.json`]);
    assert.match(report.orphans_trash, /^\.trash\/\d{8}T\d{6}Z-orphans-[0-9a-f]+$/);

    // Gone from their folders, with the stray's mirror; in the trash with their bytes, listed.
    for (const rel of [tree.stray, tree.typed]) assert.equal(fs.existsSync(sidecarOf(rel)), false, rel);
    assert.equal(fs.existsSync(mirrorOf(tree.stray)), false);
    const batch = path.join(ws.assets, report.orphans_trash as string);
    assert.equal(fs.readFileSync(path.join(batch, `${tree.stray}.asset.json`), 'utf8'), tree.strayText);
    assert.equal(fs.readFileSync(path.join(batch, `${tree.typed}.asset.json`), 'utf8'), tree.typedText);
    const trash = await api(server.url, 'GET', '/api/trash');
    assert.equal(trash.status, 200, trash.text);
    assert.equal(trash.body.files, 2, trash.text);

    // Untouched: the missing file's sidecar and mirror, the kept asset's, the unregistered file's.
    for (const rel of [tree.missing, tree.kept, tree.unregistered])
      assert.ok(fs.existsSync(sidecarOf(rel)), rel);
    assert.ok(fs.existsSync(mirrorOf(tree.missing)) && fs.existsSync(mirrorOf(tree.kept)));

    // A rebuild removes the row whose file is gone with its sidecar: nothing orphaned is left.
    const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
    assert.equal(rebuilt.status, 200, rebuilt.text);
    assert.equal(rebuilt.body.summary.orphaned_sidecars, 0, rebuilt.text);
    const after = await api(server.url, 'POST', '/api/assets/enforce', dryRun);
    assert.deepEqual(after.body.report.orphaned_sidecars, []);
  });

  test('their batch is put back from the trash, each sidecar only where no file is now', async () => {
    const tree = await buildTree(server.url);
    const removed = await api(server.url, 'POST', '/api/assets/enforce', {
      fix_missing: false,
      fill_metadata: false,
      remove_orphans: true,
    });
    assert.equal(removed.status, 200, removed.text);
    const name = (removed.body.report.orphans_trash as string).replace(/^\.trash\//, '');
    const listed = await api(server.url, 'GET', '/api/trash');
    assert.deepEqual(
      listed.body.batches.map((b: { name: string; kind: string; change_id: number | null }) => [
        b.name,
        b.kind,
        b.change_id,
      ]),
      [[name, 'orphaned_sidecars', null]],
    );

    // Someone wrote a new sidecar where the typed one was: that one stays in the trash.
    const newer = '{"tags": ["written since"]}\n';
    ws.file(`data/assets/${tree.typed}.asset.json`, newer);
    const first = await api(server.url, 'POST', `/api/trash/${name}/restore`);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.restored, [`${tree.stray}.asset.json`]);
    assert.deepEqual(first.body.kept, [
      { path: `${tree.typed}.asset.json`, reason: 'a file is there now: it was left in the trash' },
    ]);
    assert.equal(fs.readFileSync(sidecarOf(tree.stray), 'utf8'), tree.strayText);
    assert.equal(fs.readFileSync(sidecarOf(tree.typed), 'utf8'), newer);
    const batch = await api(server.url, 'GET', `/api/trash/${name}`);
    assert.deepEqual(
      batch.body.items.map((i: { path: string }) => i.path),
      [`${tree.typed}.asset.json`],
    );

    // Once the place is free, the rest comes back and the batch goes.
    fs.rmSync(sidecarOf(tree.typed));
    const second = await api(server.url, 'POST', `/api/trash/${name}/restore`);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.body.restored, [`${tree.typed}.asset.json`]);
    assert.equal(fs.readFileSync(sidecarOf(tree.typed), 'utf8'), tree.typedText);
    assert.deepEqual((await api(server.url, 'GET', '/api/trash')).body.batches, []);
    const gone = await api(server.url, 'POST', `/api/trash/${name}/restore`);
    assert.equal(gone.status, 404, gone.text);
    assert.equal(gone.body.code, 'trash_batch_not_found');
    for (const bad of ['..', '%2E%2E%2Fart', 'nothing-here']) {
      const res = await api(server.url, 'POST', `/api/trash/${bad}/restore`);
      assert.equal(res.status, 404, `${bad}: ${res.text}`);
    }
    const long = await api(server.url, 'POST', `/api/trash/${'x'.repeat(300)}/restore`);
    assert.deepEqual([long.status, long.body.ok, long.body.code], [414, false, 'uri_too_long'], long.text);
  });

  test("a removal's batch is not put back by restore: the 409 names the change to undo", async () => {
    const tree = await buildTree(server.url);
    const kept = await api(server.url, 'GET', `/api/assets/search?q=${encodeURIComponent(tree.kept)}`);
    const id = kept.body.items[0].uid as string;
    const deleted = await api(server.url, 'DELETE', `/api/assets/${id}?delete_file=true`);
    assert.equal(deleted.status, 200, deleted.text);
    const [batch] = (await api(server.url, 'GET', '/api/trash')).body.batches;
    assert.equal(batch.kind, 'removal');
    const res = await api(server.url, 'POST', `/api/trash/${batch.name}/restore`);
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'restore_by_undo');
    assert.match(
      res.body.message,
      new RegExp(`undo that change \\(POST /api/changes/${batch.change_id}/undo`),
    );
    assert.equal(fs.existsSync(path.join(ws.assets, tree.kept)), false, 'nothing came back');
  });

  test('a file put back beside its sidecar after the check is not an orphan: the sidecar stays', async () => {
    const tree = await buildTree(server.url);
    ws.file(`data/assets/${tree.typed}`, 'the file is back');
    const res = await api(server.url, 'POST', '/api/assets/enforce', {
      fix_missing: false,
      fill_metadata: false,
      remove_orphans: true,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.report.removed_orphans, [`${tree.stray}.asset.json`]);
    assert.equal(fs.readFileSync(sidecarOf(tree.typed), 'utf8'), tree.typedText);
  });
});

describe('asset-registry enforce --remove-orphans (CLI)', () => {
  test('lists them and exits 1; with the flag, moves them, and with the trash off deletes them', async () => {
    const server = await startServer(ws.dir);
    const tree = await buildTree(server.url);
    await server.stop();
    // The row whose file is missing goes, with its sidecar (a rebuild): only true orphans are left.
    const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);

    const dry = await runCli(['enforce'], ws.dir);
    assert.equal(dry.code, 1, dry.stdout);
    assert.deepEqual(
      dry.json.report.orphaned_sidecars,
      [tree.stray, tree.typed].map((r) => `${r}.asset.json`).sort(),
    );
    assert.ok(fs.existsSync(sidecarOf(tree.stray)));

    const removed = await runCli(['enforce', '--remove-orphans'], ws.dir, { ASSET_REGISTRY_TRASH_DAYS: '0' });
    assert.equal(removed.code, 0, removed.stdout);
    assert.deepEqual(
      removed.json.report.removed_orphans,
      [tree.stray, tree.typed].map((r) => `${r}.asset.json`).sort(),
    );
    assert.equal(removed.json.report.orphans_trash, null);
    assert.equal(fs.existsSync(sidecarOf(tree.stray)), false);
    assert.equal(fs.existsSync(sidecarOf(tree.typed)), false);
    assert.equal(fs.existsSync(path.join(ws.assets, '.trash')), false, 'the trash is off: deleted');
    assert.ok(fs.existsSync(sidecarOf(tree.kept)) && fs.existsSync(sidecarOf(tree.unregistered)));
  });

  test('trash restore puts a batch of them back; the trash lists it as orphaned sidecars', async () => {
    ws.file('data/assets/notes/a.txt.asset.json', '{"tags": ["a"]}\n');
    const removed = await runCli(['enforce', '--remove-orphans'], ws.dir);
    assert.equal(removed.code, 0, removed.stdout);
    const name = (removed.json.report.orphans_trash as string).replace(/^\.trash\//, '');
    const listing = await runCli(['trash'], ws.dir);
    assert.deepEqual(
      listing.json.batches.map((b: { name: string; kind: string }) => [b.name, b.kind]),
      [[name, 'orphaned_sidecars']],
    );
    const restored = await runCli(['trash', 'restore', name], ws.dir);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(restored.json, { ok: true, name, restored: ['notes/a.txt.asset.json'], kept: [] });
    assert.equal(fs.readFileSync(sidecarOf('notes/a.txt'), 'utf8'), '{"tags": ["a"]}\n');
    const again = await runCli(['trash', 'restore', name], ws.dir);
    assert.equal(again.code, 3); // not found
    assert.equal(again.json.code, 'trash_batch_not_found');
  });
});
