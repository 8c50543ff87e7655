/**
 * A rebuild writes a new asset's sidecar from the row it has just committed instead of reading it
 * back (`writeSidecars` with a committed state). What lands must be exactly what the registry
 * renders from its stored row and provenance; and a committed state that a later write has
 * overtaken (in this process or another) must not be written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSidecar, sidecarRelPath } from '../../src/domain/asset.js';
import { jsonText } from '../../src/files/atomic-write.js';
import type { CommittedSidecar } from '../../src/registry/registry.js';
import { RegistryService } from '../../src/registry/service.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let service: RegistryService;

before(() => {
  ws = makeWorkspace('areg-sidecar-content-');
  for (let i = 0; i < 30; i++) ws.file(`data/assets/data/set-${i % 3}/table-${i}.csv`, `id,value\n${i},x\n`);
  ws.file('data/assets/docs/readme.txt', 'same bytes');
  ws.file('data/assets/docs/copy/readme.txt', 'same bytes'); // a duplicate: its own id
  ws.file('data/assets/loose.bin', 'top level: bucketed by extension');
  ws.file('data/assets/docs/note ü 日本.md', 'non-ASCII path');
  service = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
});
after(async () => {
  await service.close();
  ws.cleanup();
});

const rendered = (uid: string): string => {
  const registry = service.project();
  const record = registry.get(uid);
  assert.ok(record, uid);
  return jsonText(buildSidecar(record, registry.provenance(uid)[0]));
};

test('every sidecar and mirror a cold rebuild writes is what the registry renders from its rows', async () => {
  const registry = service.project();
  const summary = await registry.rebuild({ waitForThumbs: false });
  assert.equal(summary.created, 34);
  assert.equal(summary.duplicates, 1);
  const uids = [...service.store.fileStatePages('default')].flat().map((state) => state.uid);
  assert.equal(uids.length, 34);
  for (const uid of uids) {
    const record = registry.get(uid);
    assert.ok(record);
    const onDisk = fs.readFileSync(path.join(ws.assets, sidecarRelPath(record.path)), 'utf8');
    assert.equal(onDisk, rendered(uid), record.path);
    const mirror = fs.readFileSync(path.join(ws.assets, '_meta', `${record.path}.json`), 'utf8');
    assert.equal(mirror, onDisk, `mirror of ${record.path}`);
    assert.equal(JSON.parse(onDisk).provenance.source, 'registry.rebuild');
  }
});

/** The asset at `rel` and its state as a caller that had just committed it would hand it over. */
function committedNow(rel: string): { uid: string; stale: CommittedSidecar } {
  const registry = service.project();
  const uid = [...service.store.fileStatePages('default')].flat().find((s) => s.path === rel)?.uid;
  assert.ok(uid, rel);
  const record = registry.get(uid);
  assert.ok(record);
  return {
    uid,
    stale: { record, provenance: registry.provenance(uid)[0], asOf: service.store.sidecarStateVersion },
  };
}

test('a committed state overtaken by a later write is not written: the newer row is', async () => {
  const registry = service.project();
  const { uid, stale } = committedNow('loose.bin');
  const edited = registry.commitMetadata(uid, { license: 'CC-BY-4.0', tags: ['edited'] });
  assert.ok(edited);

  const written: string[] = [];
  const errors = await registry.writeSidecars([stale], (record) => written.push(record.uid));
  assert.deepEqual(errors, [undefined]);
  assert.deepEqual(written, [uid]);
  const onDisk = JSON.parse(fs.readFileSync(path.join(ws.assets, 'loose.bin.asset.json'), 'utf8'));
  assert.equal(onDisk.license, 'CC-BY-4.0');
  assert.deepEqual(onDisk.tags, ['edited']);
  assert.equal(JSON.stringify(onDisk, null, 2) + '\n', rendered(uid));
});

test("a committed state overtaken by another connection's write (a CLI command) is not written either", async () => {
  const registry = service.project();
  const { uid, stale } = committedNow('docs/readme.txt');
  // Another process's registry on the same database: its own connection.
  const other = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  try {
    assert.ok(other.project().commitMetadata(uid, { license: 'MIT', tags: ['from-the-cli'] }));
  } finally {
    await other.close();
  }

  const errors = await registry.writeSidecars([stale]);
  assert.deepEqual(errors, [undefined]);
  const onDisk = JSON.parse(fs.readFileSync(path.join(ws.assets, 'docs/readme.txt.asset.json'), 'utf8'));
  assert.equal(onDisk.license, 'MIT');
  assert.deepEqual(onDisk.tags, ['from-the-cli']);
});
