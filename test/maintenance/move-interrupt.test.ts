/**
 * A move killed with SIGKILL part-way: the next rebuild leaves one asset, at one path, with its
 * id, metadata and one sidecar (and mirror), and no sidecar of no file at the other path. The
 * kill is real: a child process that dies at a chosen step of the move.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { RegistryService } from '../../src/registry/service.js';
import { REPO, runCli } from '../helpers/server.js';
import { runScript } from '../helpers/killed-script.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

// Opens the registry in the workspace, makes it die at the step named on the command line, then
// moves the asset into `moved/`.
const CRASHING_MOVE = `
import fs from 'node:fs';
import { RegistryService } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'service.ts'))};
const [step, uid] = process.argv.slice(2);
const registry = RegistryService.open({}).project();
const die = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => undefined);
};
const { store, sidecars } = registry.context;
if (step === 'file-moved') {
  // The file is at its new name and gone from the old one: the move's last step.
  const unlink = fs.unlinkSync;
  fs.unlinkSync = (file) => {
    unlink(file);
    if (String(file).endsWith('/docs/a.txt')) die();
  };
}
if (step === 'sidecar-removed') {
  const remove = sidecars.remove.bind(sidecars);
  sidecars.remove = (rel) => {
    remove(rel);
    die();
  };
}
await registry.moveMany([uid], registry.folderDestination('moved'), 'Move to moved');
`;

let ws: Workspace;
let uid: string;

beforeEach(async () => {
  ws = makeWorkspace('areg-move-interrupt-');
  ws.file('data/assets/docs/a.txt', 'file a');
  ws.file('crash.mts', CRASHING_MOVE);
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  uid = ws.json('data/assets/docs/a.txt.asset.json').id as string;
  const tagged = await runCli(['update', uid, '--add-tags', 'kept'], ws.dir);
  assert.equal(tagged.code, 0, tagged.stderr);
});
afterEach(() => ws?.cleanup());

async function crashingMove(step: string): Promise<void> {
  const { signal, stderr } = await runScript(ws.dir, 'crash.mts', [step, uid]);
  assert.equal(signal, 'SIGKILL', `the move was to be killed at "${step}": ${stderr}`);
}

/** After a rebuild: the asset is at `rel` alone, with its sidecar and mirror, and nothing is left at `other`. */
async function rebuiltTo(rel: string, other: string): Promise<void> {
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.equal(rebuilt.json.summary.orphaned_sidecars, 0, JSON.stringify(rebuilt.json.summary));
  const got = await runCli(['get', uid], ws.dir);
  assert.equal(got.code, 0, got.stderr);
  const asset = (got.json as { asset: { path: string; tags: string[] } }).asset;
  assert.equal(asset.path, rel);
  assert.deepEqual(asset.tags, ['docs', 'a', 'kept']);
  const sidecar = ws.json(`data/assets/${rel}.asset.json`);
  assert.equal(sidecar.id, uid);
  assert.deepEqual(sidecar.tags, ['docs', 'a', 'kept']);
  assert.deepEqual(ws.json(`data/assets/_meta/${rel}.json`), sidecar);
  for (const left of [other, `${other}.asset.json`, `_meta/${other}.json`])
    assert.equal(fs.existsSync(path.join(ws.assets, left)), false, `${left} is left behind`);
  const again = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.summary.unchanged, 1, 'the rebuild after it has nothing to do');
}

test('a move killed once the file moved: the next rebuild writes its sidecar there, none is left at the old path; History undoes it', async () => {
  await crashingMove('file-moved');
  assert.equal(fs.existsSync(path.join(ws.assets, 'moved/a.txt')), true, 'the file had moved');
  await rebuiltTo('moved/a.txt', 'docs/a.txt');
  // The move was recorded with its row: History has it, and its undo puts the file back.
  const history = await runCli(['history'], ws.dir);
  assert.equal(history.code, 0, history.stderr);
  const move = history.json.items.find((c: { kind: string }) => c.kind === 'move');
  assert.deepEqual([move?.summary, move?.assets, move?.undoable], ['Move to moved', 1, true]);
  const undone = await runCli(['undo', String(move.id)], ws.dir);
  assert.equal(undone.code, 0, undone.stderr);
  await rebuiltTo('docs/a.txt', 'moved/a.txt');
});

test('a move killed between its old sidecar going and its file moving: the next rebuild puts the asset back where its file is', async () => {
  await crashingMove('sidecar-removed');
  assert.equal(fs.existsSync(path.join(ws.assets, 'docs/a.txt')), true, 'the file had not moved');
  await rebuiltTo('docs/a.txt', 'moved/a.txt');
});

test('a move whose file is moved away by hand at that moment: refused, and no sidecar is written beside no file', async () => {
  const service = RegistryService.open({ workspace: ws.dir, workerThreads: 1 });
  const link = fs.linkSync;
  try {
    const registry = service.project();
    // The hand takes the file (and its sidecar, gone already) to another folder as the move starts.
    fs.linkSync = (from, to) => {
      fs.linkSync = link;
      fs.mkdirSync(path.join(ws.assets, 'elsewhere'));
      fs.renameSync(from, path.join(ws.assets, 'elsewhere/a.txt'));
      link(from, to); // ENOENT
    };
    const report = await registry.moveMany([uid], registry.folderDestination('moved'), 'Move to moved');
    assert.deepEqual(
      report.failed.map((f) => f.code),
      ['move_failed'],
    );
    // Nothing moved, so nothing is recorded: no change in History to undo (only the tag added).
    assert.equal(report.changeId, null);
    assert.deepEqual(
      service.store.changes.list(registry.projectId, 10).map((c) => c.kind),
      ['bulk_edit'],
    );
    await registry.context.sidecars.idle();
    assert.equal(
      fs.existsSync(path.join(ws.assets, 'docs/a.txt.asset.json')),
      false,
      'no sidecar beside no file',
    );
    assert.equal(fs.existsSync(path.join(ws.assets, 'moved/a.txt')), false);
  } finally {
    fs.linkSync = link;
    await service.close();
  }
  // The rebuild finds it where the hand put it, with its id and tags.
  await rebuiltTo('elsewhere/a.txt', 'docs/a.txt');
});
