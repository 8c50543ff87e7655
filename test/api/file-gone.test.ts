/**
 * An asset whose file went outside the registry (its folder renamed by hand, the file deleted)
 * before the registry has seen it: no sidecar is written beside no file, and no folder the user
 * removed or renamed is made again for one. An edit says so (409, "a rebuild finds where it
 * went") instead of recreating `art/` with a sidecar in it; enforce lists such assets as
 * `missing_files` instead of writing their sidecars into the void; the next rebuild moves them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-file-gone-');
  server = await startServer(ws.dir);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const register = async (rel: string): Promise<string> => {
  ws.file(`data/assets/${rel}`, `the bytes of ${rel}`);
  const res = await api(server.url, 'POST', '/api/assets/register', {
    path: `data/assets/${rel}`,
    copy: false,
    metadata: { tags: ['first'], license: 'CC0-1.0' },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.asset_id as string;
};

test('an edit of an asset whose folder was renamed by hand is a 409, and brings no folder back', async () => {
  const id = await register('art/hero.txt');
  fs.renameSync(path.join(ws.assets, 'art'), path.join(ws.assets, 'pictures'));

  const edit = await api(server.url, 'PATCH', `/api/assets/${id}`, { metadata: { tags: ['second'] } });
  assert.equal(edit.status, 409, edit.text);
  assert.equal(edit.body.ok, false);
  assert.equal(edit.body.code, 'file_missing');
  assert.match(edit.body.message, /its file is not at its path any more.*A rebuild/);
  assert.equal(fs.existsSync(path.join(ws.assets, 'art')), false, 'the renamed folder is not made again');

  // The rebuild finds the file where the hand put it, with the id and the edit, and writes its sidecar there.
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  assert.equal(rebuilt.body.summary.moved, 1);
  const sidecar = JSON.parse(fs.readFileSync(path.join(ws.assets, 'pictures/hero.txt.asset.json'), 'utf8'));
  assert.equal(sidecar.id, id);
  assert.deepEqual(sidecar.tags, ['second']);
  assert.equal(fs.existsSync(path.join(ws.assets, 'art')), false);
});

test('enforce writes no sidecar for an asset whose file is gone: it lists it in missing_files', async () => {
  const id = await register('sfx/boom.txt');
  fs.rmSync(path.join(ws.assets, 'sfx/boom.txt'));
  fs.rmSync(path.join(ws.assets, 'sfx/boom.txt.asset.json'));

  const res = await api(server.url, 'POST', '/api/assets/enforce', {
    fix_missing: true,
    fill_metadata: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.report.missing_files, [id]);
  assert.ok(!res.body.report.repaired_sidecars.includes(id));
  assert.ok(!res.body.report.missing_sidecars.includes(id));
  assert.equal(
    fs.existsSync(path.join(ws.assets, 'sfx/boom.txt.asset.json')),
    false,
    'no sidecar beside no file',
  );
});
