/**
 * The server and CLI commands (other processes, on the same database and folder) editing, moving,
 * removing, undoing and rebuilding the same few assets at once. No command may crash and no request
 * answer 5xx; once the writes settle no file is lost and the disk agrees with the registry (a
 * sidecar and a mirror beside each row's file, no other: a sidecar written by one process from a
 * row read just before another moved or removed that asset landed beside no file, before the file
 * lease, see files/file-lease.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileLease } from '../../src/files/file-lease.js';
import { assertDiskAgrees, picturesUnder } from '../helpers/disk-agrees.js';
import { eventually } from '../helpers/eventually.js';
import { api, registerInPlace, runCli, type RunningServer } from '../helpers/server.js';
import {
  refreshIdsRequest,
  storm,
  stormWorkspace,
  type StormAnswer,
  type StormRequest,
} from '../helpers/storm.js';
import type { Workspace } from '../helpers/workspace.js';

const PICTURES = 12;

let ws: Workspace;
let server: RunningServer;
let ids: string[];

before(async () => {
  ({ ws, server, ids } = await stormWorkspace('areg-cross-process-', PICTURES));
});
after(async () => {
  await server?.stop();
  ws?.cleanup();
});

/** Whether a command that exited non-zero did part of its work (an edit or a move of several, one gone). */
const donePart = (report: { ok?: boolean; change_id?: number | null } | undefined): boolean =>
  report?.ok === true || typeof report?.change_id === 'number';

/**
 * A CLI command in the workspace, answered as HTTP would: 200 done, 207 done in part (see
 * `donePart`), 4xx refused (exit 1-5), 500 crashed.
 */
async function cli(args: string[]): Promise<StormAnswer> {
  const run = await runCli(args, ws.dir);
  const crashed = run.code < 0 || run.code > 5 || run.json?.code === 'internal_error';
  return {
    status: crashed ? 500 : run.code === 0 ? 200 : donePart(run.json) ? 207 : 400 + run.code,
    text: `asset-registry ${args.join(' ')}: exit ${run.code}\n${run.stderr}${run.stdout}`,
  };
}

const tags = ['a', 'b', 'hero'];

test(
  'the server and CLI commands editing, moving, removing and undoing at once: no crash, no file lost, disk and registry agree',
  { timeout: 300_000 },
  async () => {
    const requests: StormRequest[] = [
      ({ one }) => api(server.url, 'PATCH', `/api/assets/${one(ids)}`, { metadata: { tags: [one(tags)] } }),
      ({ one, some }) =>
        api(server.url, 'POST', '/api/assets/move', {
          ids: some(),
          folder: one(['moved/a', 'images']),
          wait: true,
        }),
      ({ one, chance }) =>
        api(server.url, 'DELETE', `/api/assets/${one(ids)}?delete_file=${String(chance(0.5))}`),
      () => api(server.url, 'POST', '/api/changes/undo', { wait: true }),
      () => api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false }),
      ({ one, some }) => cli(['update', ...some(), '--add-tags', one(tags)]),
      ({ one, some }) => cli(['move', ...some(), '--to', one(['moved/b', 'images'])]),
      ({ one, chance }) => cli(['remove', one(ids), ...(chance(0.5) ? ['--delete-file'] : [])]),
      () => cli(['undo']),
      () => cli(['rebuild', '--no-wait-for-thumbs']),
      refreshIdsRequest(
        () => server.url,
        (found) => (ids = found),
      ),
    ];
    const startPictures = picturesUnder(ws.assets);
    assert.deepEqual(await storm(20261201, 100, requests, () => ids, 6), []);
    const registered = await assertDiskAgrees(server.url, ws.assets, startPictures);
    assert.ok(registered.length <= PICTURES);
  },
);

test(
  'a CLI command waiting for another program to finish changing files says so on stderr, then does its work',
  { timeout: 60_000 },
  async () => {
    const id = await registerInPlace(server.url, ws, 'waiting/notes.txt', 'a text to move');
    // This test process stands for the other program: it holds the lease the server and CLI share.
    const lockDir = path.join(ws.assets, '.staging', 'files.lock');
    let release = (): void => undefined;
    const held = new FileLease(lockDir).hold(() => new Promise<void>((resolve) => (release = resolve)));
    const moving = runCli(['move', id, '--to', 'waited'], ws.dir);
    // The command waits (it marks that it does), and says so after two seconds of it.
    await eventually('the command waiting', () => fs.existsSync(`${lockDir}.waiting`), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    release();
    await held;
    const moved = await moving;
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stderr, /waiting: another program .* is changing files under the assets root/);
    assert.ok(fs.existsSync(path.join(ws.assets, 'waited', 'notes.txt')));
    assert.ok(!fs.existsSync(path.join(ws.assets, 'waiting', 'notes.txt')));
  },
);
