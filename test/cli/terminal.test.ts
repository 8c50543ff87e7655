/**
 * The CLI in a terminal (a pseudo-terminal, see runCliInTerminal), where it writes text for a
 * person rather than JSON: a rebuild's and an enforce's progress bar, summary, orphaned sidecars and
 * problems, and their exit codes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeImage } from '../helpers/media.js';
import { ESC, runCliInTerminal } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
before(() => {
  ws = makeWorkspace('areg-terminal-');
});
after(() => ws.cleanup());

test('a rebuild shows its bar, then says what it did, the orphaned sidecars and each problem', async () => {
  for (let i = 0; i < 3; i++) ws.file(`data/assets/art/tile_${i}.png`, await makeImage(20 + i, 10, 'png'));
  ws.file('data/assets/art/broken.png', await makeImage(30, 10, 'png'));
  ws.file('data/assets/art/broken.png.asset.json', '{ "meta": { "tags": [ ');
  ws.file('data/assets/art/gone.png.asset.json', JSON.stringify({ id: 'x', meta: {} }));
  const { code, output, shown } = await runCliInTerminal(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(code, 1, shown);
  // The bar, redrawn in place through its phases; its last frame stays: files, megabytes, the
  // rate, the time left.
  const phases = [...output.matchAll(new RegExp(`${ESC}\\[1G(\\w+) +\\|`, 'g'))].map((m) => m[1]);
  // (A phase shorter than a redraw's interval, 100 ms, may not be drawn: the files of a small tree.)
  const order = ['scan', 'files', 'done'];
  const seen = [...new Set(phases)];
  assert.deepEqual(
    seen,
    order.filter((phase) => seen.includes(phase)),
    output,
  );
  assert.deepEqual([seen[0], seen.at(-1)], ['scan', 'done'], output);
  assert.match(shown, /^done +\|█{40}\| 4\/4 files \| [\d.]+\/[\d.]+ MB \| [\d.]+ MB\/s \| ETA 0s *$/m);
  assert.match(
    shown,
    /^Processed 4 assets \(0 skipped, 0 removed\) in [\d.]+ s: 4 new, 0 changed, 0 moved, 0 unchanged\.$/m,
  );
  assert.match(shown, /^Orphaned sidecars: 1\. Missing thumbnails: 0\.$/m);
  assert.match(shown, /^Orphaned sidecar without matching asset: art\/gone\.png\.asset\.json$/m);
  assert.match(shown, /^`enforce --remove-orphans` moves orphaned sidecars into the trash\.$/m);
  assert.match(
    shown,
    /^problem: art\/broken\.png: Failed to parse sidecar broken\.png\.asset\.json: .*: its edits were not read; fix it by hand/m,
  );
});

test('enforce, a dry run by default, names each problem and fails; with --fix-missing it says what it repaired', async () => {
  const rel = 'data/assets/art/tile_0.png.asset.json';
  const id = ws.json(rel).id as string;
  fs.rmSync(path.join(ws.dir, rel));
  const dry = await runCliInTerminal(['enforce'], ws.dir);
  assert.equal(dry.code, 1, dry.shown);
  assert.match(dry.shown, /\|█{40}\| 4\/4 assets checked \| ETA 0s/);
  assert.match(dry.shown, new RegExp(`^Assets still missing sidecars: ${id}$`, 'm'));
  assert.match(dry.shown, /^Unparseable sidecar for \w+: /m);
  assert.match(dry.shown, /^Orphaned sidecar \(beside no file\): art\/gone\.png\.asset\.json$/m);
  assert.equal(ws.exists(rel), false, 'a dry run writes nothing');
  const fixed = await runCliInTerminal(['enforce', '--fix-missing', '--remove-orphans'], ws.dir);
  assert.match(fixed.shown, /^All assets have sidecars\.$/m);
  assert.match(fixed.shown, new RegExp(`^Repaired sidecars for: ${id}$`, 'm'));
  assert.match(fixed.shown, /^Moved 1 orphaned sidecar\(s\) to \.trash\/\S+$/m);
  assert.equal(ws.exists(rel), true);
  // (The unparseable sidecar is left for its owner: still a problem.)
  assert.equal(fixed.code, 1, fixed.shown);
});
