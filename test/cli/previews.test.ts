/**
 * `asset-registry previews`: the queue a rebuild left (`--no-wait-for-thumbs`), made with `--make`;
 * a broken file's failure listed with its path and reason (exit 1 while it stands), retried with
 * `--retry-failed`, gone once the file is fixed and rebuilt; the 3D models lacking files listed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gltfCube, makeImage } from '../helpers/media.js';
import { runCli, runCliInTerminal } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
before(async () => {
  ws = makeWorkspace('areg-cli-previews-');
  ws.file('data/assets/images/hero.png', await makeImage(320, 200, 'png'));
  ws.file('data/assets/images/night.jpg', await makeImage(640, 360, 'jpeg'));
  ws.file('data/assets/images/broken.png', 'this is no picture');
  ws.file('data/assets/docs/readme.txt', 'no preview for text');
});
after(() => ws.cleanup());

const previews = async (...args: string[]) => {
  const res = await runCli(['previews', '--json', ...args], ws.dir);
  assert.ok(res.json, `JSON out: ${res.stdout} ${res.stderr}`);
  return res;
};
const thumbnailsOf = (uid: string): string[] =>
  fs.readdirSync(path.join(ws.dir, 'cache', 'thumbs')).filter((name) => name.startsWith(uid));

test('the previews a rebuild left are counted, then made by --make; a broken file fails with its reason, exit 1', async () => {
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const waiting = await previews();
  assert.equal(waiting.code, 0, waiting.stderr);
  assert.deepEqual(waiting.json.counts, { queued: 3, running: 0, done: 0, failed: 0 });
  assert.equal(waiting.json.failed_total, 0);

  const made = await previews('--make');
  assert.equal(made.code, 1, 'a failed preview makes the exit code 1');
  assert.equal(made.json.finished, true);
  assert.deepEqual(made.json.counts, { queued: 0, running: 0, done: 2, failed: 1 });
  assert.equal(made.json.failed_total, 1);
  assert.equal(made.json.failed[0].path, 'images/broken.png');
  assert.match(made.json.failed[0].error, /images\/broken\.png could not be decoded as an image/);
  // The pictures' thumbnails are on disk, and their assets say so.
  const hero = await runCli(['get', 'images/hero.png'], ws.dir);
  assert.equal(hero.json.asset.preview_status, 'done');
  assert.ok(thumbnailsOf(hero.json.asset.id).length >= 2, 'hero.png has its thumbnails');
});

test('--retry-failed queues the failures again; made again, a file still broken fails again', async () => {
  const retried = await previews('--retry-failed');
  assert.equal(retried.code, 0, 'none failed while it waits again');
  assert.equal(retried.json.retried, 1);
  assert.equal(retried.json.counts.queued, 1);
  assert.equal(retried.json.failed_total, 0);
  const again = await previews('--make', '--limit', '0');
  assert.equal(again.code, 1);
  assert.equal(again.json.failed_total, 1);
  assert.deepEqual(again.json.failed, [], '--limit 0 lists none but counts them');
});

test('a fixed file, rebuilt, gets its preview: no failure left, exit 0', async () => {
  ws.file('data/assets/images/broken.png', await makeImage(100, 100, 'png'));
  assert.equal((await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir)).code, 0);
  const fixed = await previews('--make');
  assert.equal(fixed.code, 0, fixed.stdout);
  assert.deepEqual(fixed.json.counts, { queued: 0, running: 0, done: 3, failed: 0 });
  assert.equal(fixed.json.failed_total, 0);
  const bad = await runCli(['previews', '--limit', 'many'], ws.dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--limit must be a whole number/);
});

test('the 3D models lacking files they name are listed (not a failure: their facts were read)', async () => {
  const ship = gltfCube({ bufferUri: 'ship.bin', images: ['maps/hull.png'] });
  ws.file('data/assets/models/ship.gltf', JSON.stringify(ship.json));
  ws.file('data/assets/models/ship.bin', ship.bin);
  assert.equal((await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir)).code, 0);
  const listed = await previews('--make');
  assert.equal(listed.code, 0, listed.stdout);
  assert.equal(listed.json.missing_files.total, 1);
  assert.deepEqual(
    listed.json.missing_files.items.map((m: { path: string; missing: string[] }) => [m.path, m.missing]),
    [['models/ship.gltf', ['maps/hull.png']]],
  );
  const text = await runCliInTerminal(['previews'], ws.dir);
  assert.equal(text.code, 0, text.shown);
  assert.match(text.shown, /^3D models of project default lacking files they name: 1$/m);
  assert.match(text.shown, /^ {2}models\/ship\.gltf: maps\/hull\.png$/m);
});
