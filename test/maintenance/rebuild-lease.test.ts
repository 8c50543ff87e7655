/**
 * A rebuild and another process (the server, a CLI command) on the same assets root: what the
 * rebuild decides about files that process is moving or removing waits for its file lease (see
 * files/file-lease.ts), and looks again once it has it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { RegistryService } from '../../src/registry/service.js';
import { eventually } from '../helpers/eventually.js';
import { makeWorkspace } from '../helpers/workspace.js';

const ws = makeWorkspace('areg-rebuild-lease-');
after(() => ws.cleanup());
const LOCK_DIR = path.join(ws.assets, '.staging', 'files.lock');

/** Takes the file lease as `other` (another process: its own connection and lease) until released. */
async function holdLease(other: RegistryService): Promise<{ release: () => Promise<void> }> {
  let done = (): void => undefined;
  let held = false;
  const holding = other.project().context.lease.hold(() => {
    held = true;
    return new Promise<void>((resolve) => (done = resolve));
  });
  await eventually('the other process holding the lease', () => held, 5000);
  return {
    release: () => {
      done();
      return holding;
    },
  };
}

test("a file another process is moving is not taken for a missing one by a rebuild's stale removal", async () => {
  ws.file('data/assets/props/lamp.txt', 'a lamp');
  const service = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  // Another process on the same database and folder: its own connection and lease.
  const other = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  try {
    const registry = service.project();
    await registry.rebuild({ waitForThumbs: false });
    const found = registry.atPath('props/lamp.txt');
    assert.ok(found);
    const { record: before } = await registry.updateMetadata(found.uid, { tags: ['kept'] });

    // The other process is in the middle of a move: the file (and its sidecar) at the new path,
    // the row not yet, while it holds the lease.
    const moving = await holdLease(other);
    fs.mkdirSync(path.join(ws.assets, 'moved'));
    for (const suffix of ['', '.asset.json'])
      fs.renameSync(
        path.join(ws.assets, `props/lamp.txt${suffix}`),
        path.join(ws.assets, `moved/lamp.txt${suffix}`),
      );

    // A rebuild of the old path (as the live folder runs) finds its file gone, and waits.
    const rebuilding = registry.rebuild({ paths: ['props/lamp.txt'], waitForThumbs: false });
    await eventually('the rebuild waiting for the lease', () => fs.existsSync(`${LOCK_DIR}.waiting`), 10_000);
    other.store.update({ ...before, path: 'moved/lamp.txt' });
    await moving.release();
    const summary = await rebuilding;

    assert.equal(summary.removed, 0);
    const after = registry.get(before.uid);
    assert.equal(after?.path, 'moved/lamp.txt');
    assert.deepEqual(after?.meta.tags, ['kept']);
    assert.ok(fs.existsSync(path.join(ws.assets, 'moved/lamp.txt.asset.json')), 'its sidecar kept');
  } finally {
    await other.close();
    await service.close();
  }
});

test('a file the rebuild found, which another process registered and removed before its commit, gets no row', async () => {
  ws.file('data/assets/props/vase.txt', 'a vase');
  const service = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  const other = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  try {
    const working = await holdLease(other);

    // The rebuild reads the rows (the vase is not registered), finds the file, and waits to commit.
    const rebuilding = service.project().rebuild({ waitForThumbs: false });
    await eventually('the rebuild waiting for the lease', () => fs.existsSync(`${LOCK_DIR}.waiting`), 10_000);
    // Meanwhile the other process registers the vase and, in the middle of removing it again, has
    // taken its row and its file away (its commits move the database's data_version).
    const { record } = await other.project().register({
      path: path.join(ws.assets, 'props/vase.txt'),
      copy: false,
    });
    other.store.delete(record.projectId, record.uid);
    fs.renameSync(path.join(ws.assets, 'props/vase.txt'), path.join(ws.dir, 'vase.txt'));
    fs.rmSync(path.join(ws.assets, 'props/vase.txt.asset.json'));
    await working.release();
    const summary = await rebuilding;

    assert.equal(summary.created, 0);
    assert.equal(service.project().atPath('props/vase.txt'), undefined);
    assert.ok(!fs.existsSync(path.join(ws.assets, 'props/vase.txt.asset.json')), 'no sidecar beside no file');
  } finally {
    await other.close();
    await service.close();
  }
});
