/**
 * A full disk (a 2 MB tmpfs as the assets folder, where this machine lets the tests mount one):
 * an upload that does not fit is a 507 `disk_full` in the error envelope that says what to do,
 * leaves nothing behind (no row, no staged part), and the server goes on serving, on the same
 * connection too; the CLI says the same; a zip import leaves out the file that does not fit and
 * says why. Skipped where mounting is not allowed (not root, or no CAP_SYS_ADMIN).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { api, postFile, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { makeZip } from '../helpers/zip.js';
import { eventually } from '../helpers/eventually.js';
import { mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';

let ws: Workspace;
let disk: string;
let mounted = false;
let server: RunningServer | undefined;

before(async () => {
  ws = makeWorkspace('areg-disk-full-');
  disk = path.join(ws.dir, 'small-disk');
  mounted = mountSmallDisk(disk, '2m');
  if (!mounted) return; // (not allowed here: the tests skip)
  server = await startServer(ws.dir, [], { ASSET_REGISTRY_ASSETS_ROOT: path.join(disk, 'assets') });
});
after(async () => {
  await server?.stop();
  if (mounted) unmountSmallDisk(disk);
  ws?.cleanup();
});

const upload = (bytes: Buffer, name: string) =>
  postFile(server?.url ?? '', '/api/assets/upload', {}, bytes, name);

test('an upload that does not fit is a 507 disk_full; nothing is left; the server goes on', async (t) => {
  if (!server) return t.skip('cannot mount a small tmpfs here');
  const big = await upload(randomBytes(3 * 1024 * 1024), 'big.bin');
  assert.equal(big.status, 507, JSON.stringify(big.body));
  assertErrorEnvelope(big.body, 507, 'disk_full');
  assert.match(big.body.message, /^The disk is full \(ENOSPC: no space left on device.*\)\. Free some space/);
  const search = await api(server.url, 'GET', '/api/assets/search');
  assert.equal(search.body.total, 0, 'no row');
  assert.deepEqual(
    listFiles(path.join(disk, 'assets')).filter((f) => !f.startsWith('_meta/')),
    [],
    'nothing staged or placed',
  );
  // (Two: the client reuses its connection, which hung once the server had stopped reading the
  // first upload's body mid-way without closing it.)
  for (const name of ['small.bin', 'small-2.bin']) {
    const small = await upload(randomBytes(10_000), name);
    assert.equal(small.status, 200, JSON.stringify(small.body));
  }
});

test('the CLI says the same when a copy does not fit', async (t) => {
  if (!server) return t.skip('cannot mount a small tmpfs here');
  ws.file('outside/big.bin', randomBytes(3 * 1024 * 1024));
  const res = await runCli(['register', 'outside/big.bin', '--json'], ws.dir, {
    ASSET_REGISTRY_ASSETS_ROOT: path.join(disk, 'assets'),
  });
  assert.equal(res.code, 1, res.stderr);
  assert.equal(res.json.code, 'disk_full');
  assert.match(res.stderr, /^error: The disk is full \(ENOSPC/m);
});

test('a zip import leaves out the file that does not fit, saying why, and no part of it', async (t) => {
  if (!server) return t.skip('cannot mount a small tmpfs here');
  const zip = await makeZip([
    ['pack/small.bin', randomBytes(5_000)],
    ['pack/big.bin', Buffer.alloc(3 * 1024 * 1024, 1)], // (a small zip: it compresses)
  ]);
  const started = await postFile(server.url, '/api/assets/import', { wait: 'false' }, zip, 'pack.zip');
  assert.equal(started.status, 202);
  const { job_id } = started.body as { job_id: string };
  const job = await eventually('the import job finished', async () => {
    const res = await api(server!.url, 'GET', `/api/jobs/${job_id}`);
    return res.body.job.status !== 'running' && res.body.job;
  });
  assert.equal(job.status, 'done', JSON.stringify(job));
  assert.deepEqual(
    job.summary.imported.map((a: { path: string }) => a.path),
    ['pack/small.bin'],
  );
  assert.equal(job.summary.skipped.length, 1);
  assert.equal(job.summary.skipped[0].name, 'pack/big.bin');
  assert.match(job.summary.skipped[0].reason, /^not written: The disk is full \(ENOSPC/);
  assert.deepEqual(
    listFiles(path.join(disk, 'assets')).filter((f) => f.includes('big')),
    [],
    'no part of big.bin left',
  );
});
