/**
 * An edit through the registry killed with SIGKILL after its rows committed but before their
 * sidecars landed (one asset's update, a bulk edit, a rebuild that found a file changed): the
 * next rebuild writes those sidecars from the rows, so the edit shows on disk, and is neither
 * lost nor undone. The kill is real: a
 * child process whose sidecar writer kills it at the moment it would start writing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { REPO, runCli } from '../helpers/server.js';
import { runScript } from '../helpers/killed-script.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

// Opens the registry in the workspace, makes its sidecar writer kill the process when a write
// starts, then runs the edit named on the command line.
const CRASHING_EDIT = `
import { RegistryService } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'service.ts'))};
const [mode, ...uids] = process.argv.slice(2);
const registry = RegistryService.open({}).project();
const writer = registry.context.sidecars;
const die = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => undefined);
};
writer.write = die;
writer.writeMany = die;
if (mode === 'one') await registry.updateMetadata(uids[0], { title: 'After', tags: ['kept', 'edited'] });
else if (mode === 'bulk') await registry.bulkEdit(uids, { addTags: ['bulk-edited'], license: 'CC0' });
else await registry.rebuild({ waitForThumbs: false });
`;

let ws: Workspace;
const uids: Record<string, string> = {};

before(async () => {
  ws = makeWorkspace('areg-edit-interrupt-');
  for (const name of ['a', 'b', 'c']) ws.file(`data/assets/docs/${name}.txt`, `file ${name}`);
  ws.file('crash.mts', CRASHING_EDIT);
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  for (const name of ['a', 'b', 'c']) uids[name] = sidecar(name).id as string;
});
after(() => ws?.cleanup());

const sidecar = (name: string): Record<string, unknown> => ws.json(`data/assets/docs/${name}.txt.asset.json`);

async function crashingEdit(args: string[]): Promise<void> {
  const { signal, stderr } = await runScript(ws.dir, 'crash.mts', args);
  assert.equal(signal, 'SIGKILL', `the edit was to be killed as its sidecar write started: ${stderr}`);
}

async function registryRow(name: string): Promise<Record<string, unknown>> {
  const got = await runCli(['get', uids[name] as string], ws.dir);
  assert.equal(got.code, 0, got.stderr);
  return (got.json as { asset: Record<string, unknown> }).asset;
}

test("an asset's update killed before its sidecar landed: the next rebuild writes the sidecar from the row", async () => {
  await crashingEdit(['one', uids.a as string]);
  // The row has the edit; the sidecar on disk does not.
  const row = await registryRow('a');
  assert.deepEqual(row.tags, ['kept', 'edited']);
  assert.equal((row.metadata as { title?: string }).title, 'After');
  assert.deepEqual(sidecar('a').tags, ['docs', 'a']);

  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const onDisk = sidecar('a');
  assert.deepEqual(onDisk.tags, ['kept', 'edited']);
  assert.equal((onDisk.meta as { title?: string }).title, 'After');
  assert.deepEqual((await registryRow('a')).tags, ['kept', 'edited'], 'the row is not undone');

  // Written once: the rebuild after that finds everything as recorded and writes nothing.
  const mtimes = (): number[] =>
    ['a', 'b', 'c'].map((n) => fs.statSync(path.join(ws.assets, `docs/${n}.txt.asset.json`)).mtimeMs);
  const before = mtimes();
  const again = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.summary.unchanged, 3);
  assert.equal(again.json.summary.updated, 0);
  assert.deepEqual(mtimes(), before);
});

test('a bulk edit killed before its sidecars landed: the next rebuild writes them, hand edits after the crash still win', async () => {
  await crashingEdit(['bulk', uids.b as string, uids.c as string]);
  assert.equal((await registryRow('b')).license, 'CC0');
  assert.equal(sidecar('b').license, null);
  // After the crash, someone edits c's (stale) sidecar by hand: that is an edit, and it wins.
  const handEdited = { ...sidecar('c'), tags: ['by-hand'] };
  ws.file('data/assets/docs/c.txt.asset.json', JSON.stringify(handEdited, null, 2));

  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.deepEqual(sidecar('b').tags, ['docs', 'b', 'bulk-edited']);
  assert.equal(sidecar('b').license, 'CC0');
  assert.deepEqual((await registryRow('c')).tags, ['by-hand']);
  assert.deepEqual(sidecar('c').tags, ['by-hand']);
});

test('a rebuild killed before the sidecar of a file changed in place landed: the next one writes it, the version kept', async () => {
  const version = (await registryRow('a')).version as number;
  ws.file('data/assets/docs/a.txt', 'file a, edited in place');
  await crashingEdit(['rebuild']);
  const row = await registryRow('a');
  assert.equal(row.version, version + 1);
  assert.notEqual(sidecar('a').hash, row.hash, 'the sidecar on disk is the old one');

  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const after = await registryRow('a');
  assert.equal(after.version, version + 1, 'not stepped back to the old sidecar');
  assert.equal(sidecar('a').hash, after.hash);
  assert.equal(sidecar('a').version, version + 1);
  assert.equal((sidecar('a').meta as { title?: string }).title, 'After', 'the earlier edit stays');
});

test('a sidecar whose write was cut short before its mirror, then a rebuild killed before rewriting it: the next one writes the mirror', async () => {
  // What a kill between a sidecar's rename and its mirror's link leaves: the sidecar, no mirror,
  // no mtime recorded.
  const mirror = path.join(ws.assets, '_meta/docs/b.txt.json');
  fs.rmSync(mirror);
  const db = new Database(path.join(ws.dir, 'config', 'comfyvn.sqlite'));
  db.prepare('UPDATE assets SET sidecar_mtime_ms = NULL WHERE uid = ?').run(uids.b);
  db.close();
  await crashingEdit(['rebuild']);
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.deepEqual(JSON.parse(fs.readFileSync(mirror, 'utf8')), sidecar('b'));
});
