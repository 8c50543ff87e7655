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

/** Whether the process `pid` has `file` open (Linux: its descriptors under /proc). */
function openIn(pid: number, file: string): boolean {
  const fds = `/proc/${pid}/fd`;
  for (const fd of fs.readdirSync(fds)) {
    try {
      if (fs.readlinkSync(path.join(fds, fd)) === file) return true;
    } catch {
      // (closed as it was read)
    }
  }
  return false;
}

test('a file registered in place that goes while it is hashed gets no row: 409, register it again', async () => {
  const rel = 'levels/forest.bin';
  const abs = path.join(ws.assets, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, Buffer.alloc(256 * 1024 * 1024, 7)); // (read for a while)
  const answer = api(server.url, 'POST', '/api/assets/register', { path: `data/assets/${rel}`, copy: false });
  // Once the server reads it (a removal under way took it to the trash, say), the file goes.
  const pid = server.proc.pid as number;
  const deadline = Date.now() + 10_000;
  while (!openIn(pid, abs) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.ok(openIn(pid, abs), 'the server reads the file');
  fs.rmSync(abs);
  const res = await answer;
  assert.equal(res.status, 409, res.text);
  assert.equal(res.body.code, 'file_changed');
  assert.match(
    res.body.message,
    /levels\/forest\.bin was moved, removed or changed while it was being registered/,
  );
  const found = await api(server.url, 'GET', '/api/assets/search?q=forest.bin&fields=uid,path');
  assert.deepEqual(found.body.items, [], 'no asset names a file that is not there');
});
